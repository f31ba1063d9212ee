// seam-mock from Node: start the server binary of this platform (from the optional dependency
// `@seam-mock/<platform>-<arch>`) on a free port and drive its test controls.
//
//   const { startSeamMock } = require('seam-mock')   // or: import { startSeamMock } from 'seam-mock'
//   const mock = await startSeamMock({ rngSeed: 1 })
//   const seam = new SeamHttp({ apiKey: mock.apiKey, endpoint: mock.endpoint })
//   await mock.stop()
//
// Ready means the binary printed its `{"event":"listening","url":...}` line: nothing sleeps or
// polls. No dependencies: Node's own child_process, readline and fetch.
'use strict'

const { spawn } = require('node:child_process')
const { dirname, join } = require('node:path')
const { createInterface } = require('node:readline')

const DEFAULT_API_KEY = 'seam_apikey1_token'
const STARTUP_TIMEOUT_MS = 30_000
const STOP_TIMEOUT_MS = 10_000
const STDERR_TAIL = 50

// Servers still running when this process exits are stopped with it.
const running = new Set()
process.once('exit', () => {
  for (const child of running) child.kill('SIGTERM')
})

/** Where the binary is: SEAM_MOCK_BIN when set, else the installed platform package's. */
function binaryPath() {
  if (process.env.SEAM_MOCK_BIN) return process.env.SEAM_MOCK_BIN
  const platform = `${process.platform}-${process.arch}`
  const pkg = `@seam-mock/${platform}`
  const exe = process.platform === 'win32' ? 'seam-mock.exe' : 'seam-mock'
  let manifest
  try {
    manifest = require.resolve(`${pkg}/package.json`)
  } catch {
    throw new Error(
      `seam-mock has no binary for ${platform}: its optional dependency ${pkg} is not installed ` +
        '(was npm run with --no-optional or --omit=optional?); or set SEAM_MOCK_BIN',
    )
  }
  return join(dirname(manifest), 'bin', exe)
}

/** JSON to and from the server's unauthenticated /_fake/* routes. */
async function call(endpoint, path, body) {
  const res = await fetch(endpoint + path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  if (!res.ok) throw new Error(`seam-mock: ${path}: ${res.status} ${text}`)
  return JSON.parse(text)
}

/** Starts seam-mock on a free loopback port; resolves once it listens. */
async function startSeamMock(options = {}) {
  const { rngSeed, args = [], binary, startupTimeoutMs = STARTUP_TIMEOUT_MS } = options
  const given = args.map(String)
  const argv = []
  if (!given.some((a) => a.startsWith('--host'))) argv.push('--host', '127.0.0.1')
  if (!given.some((a) => a.startsWith('--port'))) argv.push('--port', '0')
  if (rngSeed != null) argv.push('--rng-seed', String(rngSeed))
  argv.push(...given)

  const command = binary ?? binaryPath()
  const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'] })
  running.add(child)
  // Both pipes are read to their end, so the server never blocks on a full pipe.
  const stderr = []
  createInterface({ input: child.stderr }).on('line', (line) => {
    stderr.push(line)
    if (stderr.length > STDERR_TAIL) stderr.shift()
  })
  const closed = new Promise((resolve) => child.once('close', resolve))
  const tail = () => (stderr.length ? `:\n${stderr.join('\n')}` : '')

  let timer
  const url = await new Promise((resolve, reject) => {
    let settled = false
    const fail = (message) => {
      if (settled) return
      settled = true
      running.delete(child)
      child.kill('SIGKILL')
      reject(new Error(message))
    }
    timer = setTimeout(
      () => fail(`seam-mock printed no listening line within ${startupTimeoutMs} ms${tail()}`),
      startupTimeoutMs,
    )
    child.once('error', (e) => fail(`cannot start ${command}: ${e.message}`))
    closed.then(() => fail(`seam-mock exited with ${child.exitCode ?? child.signalCode} before listening${tail()}`))
    createInterface({ input: child.stdout }).once('line', (line) => {
      if (settled) return
      settled = true
      resolve(JSON.parse(line).url)
    })
  }).finally(() => clearTimeout(timer))

  // A server the caller forgets to stop must not keep the process (a test run) alive; the
  // exit hook above still stops it.
  child.unref()
  child.stdout.unref()
  child.stderr.unref()

  const stop = async () => {
    running.delete(child)
    if (child.exitCode == null && child.signalCode == null) {
      child.kill('SIGTERM')
      const force = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS)
      await closed
      clearTimeout(force)
    }
  }

  const seed = await call(url, '/_fake/default_seed')
  const mock = {
    endpoint: url,
    apiKey: DEFAULT_API_KEY,
    seed,
    process: child,
    advanceTime: async (seconds) => (await call(url, '/_fake/advance_time', { seconds })).now,
    requests: async (filters = {}) => (await call(url, '/_fake/requests', filters)).requests,
    reset: async () => {
      await call(url, '/_fake/reset', {})
    },
    sandbox: async ({ name } = {}) => {
      const s = await call(url, '/_fake/sandboxes/create', name == null ? {} : { name })
      return {
        workspaceId: s.workspace_id,
        apiKey: s.api_key,
        seed: s.seed,
        requests: async (filters = {}) =>
          (await call(url, '/_fake/requests', { ...filters, workspace_id: s.workspace_id }))
            .requests,
        reset: async () => {
          await call(url, '/_fake/reset', { workspace_id: s.workspace_id })
        },
      }
    },
    stop,
  }
  if (Symbol.asyncDispose) mock[Symbol.asyncDispose] = stop
  return mock
}

module.exports = { startSeamMock, binaryPath, DEFAULT_API_KEY }
