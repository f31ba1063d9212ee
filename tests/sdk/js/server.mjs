// Starts seam-mock for one test and loads the `seam` package from npm, installed by
// scripts/sdk-setup under target/sdk-node (SEAM_SDK_NODE_DIR overrides it). The binary is
// SEAM_MOCK_BIN, or target/debug/seam-mock (honouring CARGO_TARGET_DIR).
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

// Starts seam-mock --rng-seed 1 on a free port, waits for /health, reads /_fake/default_seed;
// `t.after` stops it with SIGTERM and checks that it exited on its own.
export const startServer = async (t) => {
  if (!existsSync(binary)) throw new Error(`${binary} does not exist: run cargo build`)
  const port = await freePort()
  const endpoint = `http://127.0.0.1:${port}`
  const child = spawn(
    binary,
    ['--host', '127.0.0.1', '--port', String(port), '--rng-seed', '1'],
    { stdio: 'ignore', env: { ...process.env, RUST_LOG: 'warn' } },
  )
  const exited = new Promise((ok) => child.once('exit', (code, signal) => ok({ code, signal })))
  t.after(async () => {
    if (child.exitCode != null) return
    child.kill('SIGTERM')
    const outcome = await Promise.race([exited, sleep(10_000).then(() => null)])
    if (outcome == null) {
      child.kill('SIGKILL')
      throw new Error('seam-mock did not stop on SIGTERM')
    }
  })

  const deadline = Date.now() + 20_000
  for (;;) {
    if (child.exitCode != null) throw new Error(`seam-mock exited with ${child.exitCode}`)
    try {
      const res = await fetch(`${endpoint}/health`)
      if (res.ok) break
    } catch {}
    if (Date.now() > deadline) throw new Error('seam-mock did not answer /health')
    await sleep(50)
  }
  const seed = await (await fetch(`${endpoint}/_fake/default_seed`)).json()
  const seam = sdk.Seam.fromApiKey(seed.seam_apikey1_token, { endpoint })
  return { endpoint, seed, seam }
}
