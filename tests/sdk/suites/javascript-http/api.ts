// seam-mock's stand-in for test/fixtures/seam/connect/api.ts of seamapi/javascript-http,
// copied over that file by scripts/run-sdk-suite.sh for the length of a run (and put back
// afterwards). Instead of Seam's fake in-process (createFake), it starts the seam-mock binary
// (SEAM_MOCK_BIN) as a process the way the Python SDK's suite starts its fake: a free port in
// PORT, `--seed`, GET /health every 50 ms, the seed from GET /_fake/default_seed, SIGTERM at
// teardown.
import { spawn } from 'node:child_process'
import { createServer } from 'node:net'

import type { ExecutionContext } from 'ava'

const STARTUP_TIMEOUT_MS = 30_000
const SHUTDOWN_TIMEOUT_MS = 10_000

export const getTestServer = async (
  t: ExecutionContext,
): Promise<{
  endpoint: string
  seed: Record<string, any>
  db: Record<string, any>
}> => {
  const binary = process.env['SEAM_MOCK_BIN']
  if (binary == null || binary === '') {
    throw new Error('SEAM_MOCK_BIN must name the seam-mock binary')
  }
  const port = await freePort()
  const endpoint = `http://127.0.0.1:${port}`
  const child = spawn(binary, ['--seed'], {
    env: { ...process.env, PORT: String(port) },
    stdio: 'ignore',
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  t.teardown(async () => {
    if (child.exitCode != null || child.signalCode != null) return
    child.kill('SIGTERM')
    const stopped = await Promise.race([
      exited.then(() => true),
      sleep(SHUTDOWN_TIMEOUT_MS).then(() => false),
    ])
    if (!stopped) child.kill('SIGKILL')
  })

  const deadline = Date.now() + STARTUP_TIMEOUT_MS
  for (;;) {
    if (child.exitCode != null) {
      throw new Error(`seam-mock exited with ${child.exitCode} before becoming healthy`)
    }
    try {
      const res = await fetch(`${endpoint}/health`)
      if (res.ok) break
    } catch {}
    if (Date.now() > deadline) throw new Error('seam-mock did not become healthy')
    await sleep(50)
  }

  const seed = await (await fetch(`${endpoint}/_fake/default_seed`)).json()
  const db = await (await fetch(`${endpoint}/_fake/database`)).json()
  return { endpoint, seed, db }
}

const freePort = async (): Promise<number> =>
  await new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      const port = typeof address === 'object' && address != null ? address.port : 0
      probe.close(() => resolve(port))
    })
  })

const sleep = async (ms: number): Promise<void> =>
  await new Promise((resolve) => setTimeout(resolve, ms))
