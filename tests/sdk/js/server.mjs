// Starts seam-mock for one test and loads the `seam` package from npm, installed by
// scripts/sdk-setup under target/sdk-node (SEAM_SDK_NODE_DIR overrides it). The binary is
// SEAM_MOCK_BIN, or target/debug/seam-mock (honouring CARGO_TARGET_DIR).
// The SDK talks to it through the schema proxy (examples/schema_proxy.rs, SEAM_SCHEMA_PROXY_BIN
// or target/debug/examples/schema_proxy), which checks every answer against Seam's reference
// schema: a test whose calls got an answer that breaks it fails when it ends, naming the
// route, the JSON path and the rule.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')
const fromRoot = (p) => (isAbsolute(p) ? p : join(root, p))
const target = fromRoot(process.env.CARGO_TARGET_DIR ?? 'target')
const nodeDir = fromRoot(process.env.SEAM_SDK_NODE_DIR ?? join(target, 'sdk-node'))
const binary = fromRoot(process.env.SEAM_MOCK_BIN ?? join(target, 'debug', 'seam-mock'))
const proxyBinary = fromRoot(
  process.env.SEAM_SCHEMA_PROXY_BIN ?? join(target, 'debug', 'examples', 'schema_proxy'),
)

const entry = createRequire(join(nodeDir, 'package.json')).resolve('seam')
export const sdk = await import(pathToFileURL(entry).href)

const freePort = () =>
  new Promise((ok, fail) => {
    const probe = createServer()
    probe.once('error', fail)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address()
      probe.close(() => ok(port))
    })
  })

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms))

// Starts `args[0]` with the rest of `args` and waits until `probe` answers. Returns a `stop`
// that sends SIGTERM and checks that the process exited on its own.
const startProcess = async (args, probe, what) => {
  const child = spawn(args[0], args.slice(1), {
    stdio: 'ignore',
    env: { ...process.env, RUST_LOG: 'warn' },
  })
  const exited = new Promise((ok) => child.once('exit', (code, signal) => ok({ code, signal })))
  const stop = async () => {
    if (child.exitCode != null) return
    child.kill('SIGTERM')
    const outcome = await Promise.race([exited, sleep(10_000).then(() => null)])
    if (outcome == null) {
      child.kill('SIGKILL')
      throw new Error(`${what} did not stop on SIGTERM`)
    }
  }
  const deadline = Date.now() + 20_000
  for (;;) {
    if (child.exitCode != null) throw new Error(`${what} exited with ${child.exitCode}`)
    try {
      const res = await fetch(probe)
      if (res.ok) return stop
    } catch {}
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`${what} did not answer ${probe}`)
    }
    await sleep(50)
  }
}

// Starts seam-mock --rng-seed 1 on a free port behind the schema proxy and reads
// /_fake/default_seed. When the test ends (`t.after`), both stop, and the test fails if any
// answer it got broke Seam's reference schema.
export const startServer = async (t) => {
  for (const path of [binary, proxyBinary]) {
    if (!existsSync(path)) {
      throw new Error(`${path} does not exist: run cargo build --bin seam-mock --example schema_proxy`)
    }
  }
  const [port, proxyPort] = [await freePort(), await freePort()]
  const upstream = `http://127.0.0.1:${port}`
  const endpoint = `http://127.0.0.1:${proxyPort}`
  const stops = []
  t.after(async () => {
    let breaches = []
    try {
      if (stops.length === 2) {
        breaches = (await (await fetch(`${endpoint}/_schema_proxy/breaches`)).json()).breaches
      }
    } finally {
      for (const stop of stops.reverse()) await stop()
    }
    if (breaches.length > 0) {
      throw new Error(`answers that break Seam's reference schema:\n${breaches.join('\n')}`)
    }
  })
  stops.push(
    await startProcess(
      [binary, '--host', '127.0.0.1', '--port', String(port), '--rng-seed', '1'],
      `${upstream}/health`,
      'seam-mock',
    ),
  )
  stops.push(
    await startProcess(
      [proxyBinary, String(proxyPort), upstream],
      `${endpoint}/_schema_proxy/breaches`,
      'schema_proxy',
    ),
  )
  const seed = await (await fetch(`${endpoint}/_fake/default_seed`)).json()
  const seam = sdk.Seam.fromApiKey(seed.seam_apikey1_token, { endpoint })
  return { endpoint, seed, seam }
}
