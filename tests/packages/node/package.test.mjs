// The seam-mock npm tarballs as a user gets them: installed in a fresh project beside npm
// `seam` (scripts/package-test), imported by name, the binary coming from the platform package.
import assert from 'node:assert/strict'
import { execFile, spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { createInterface } from 'node:readline'
import { after, before, describe, test } from 'node:test'

import { SeamHttp, SeamHttpApiError } from 'seam'
import { startSeamMock } from 'seam-mock'

const require = createRequire(import.meta.url)

let mock
before(async () => {
  mock = await startSeamMock({ rngSeed: 1 })
})
after(async () => {
  await mock.stop()
})

const client = (sandbox) => SeamHttp.fromApiKey(sandbox.apiKey, { endpoint: mock.endpoint })
const fails = async (promise) => {
  await assert.rejects(promise, (e) => e instanceof SeamHttpApiError)
}

test('create_multiple through a sandbox', async () => {
  const sandbox = await mock.sandbox()
  const seam = client(sandbox)
  const [august, nuki] = [sandbox.seed.august_device_1, sandbox.seed.nuki_device_1]

  const codes = await seam.accessCodes.createMultiple({ device_ids: [august, nuki], name: 'Guest' })

  assert.deepEqual(codes.map((c) => c.device_id).sort(), [august, nuki].sort())
  assert.equal(new Set(codes.map((c) => c.code)).size, 1)
  assert.equal(new Set(codes.map((c) => c.common_code_key)).size, 1)
  assert.ok(codes.every((c) => c.name === 'Guest' && c.is_managed))
})

test('a code reads back by id, by device and in the journal', async () => {
  const sandbox = await mock.sandbox({ name: 'read-back' })
  const seam = client(sandbox)
  const august = sandbox.seed.august_device_1

  const created = await seam.accessCodes.create({ device_id: august, code: '4821', name: 'Front' })

  const got = await seam.accessCodes.get({ access_code_id: created.access_code_id })
  assert.deepEqual([got.code, got.name, got.device_id], ['4821', 'Front', august])
  const listed = await seam.accessCodes.list({ device_id: august })
  assert.deepEqual(listed.map((c) => c.access_code_id), [created.access_code_id])
  const sent = await sandbox.requests({ path: '/access_codes/create' })
  assert.deepEqual(sent.map((r) => [r.method, r.status]), [['POST', 200]])
  assert.equal((await seam.workspaces.get()).name, 'read-back')

  await sandbox.reset()
  assert.deepEqual(await seam.accessCodes.list({ device_id: august }), [])
})

describe('sandboxes side by side on one server', { concurrency: 2 }, () => {
  for (const label of ['first', 'second']) {
    test(`${label} sees only its own locks and codes`, async () => {
      const sandbox = await mock.sandbox()
      const seam = client(sandbox)
      const devices = new Set((await seam.devices.list()).map((d) => d.device_id))
      const own = new Set(Object.values(sandbox.seed))
      assert.ok(devices.size > 0 && [...devices].every((d) => own.has(d)))
      assert.ok(!devices.has(mock.seed.august_device_1))
      await fails(seam.devices.get({ device_id: mock.seed.august_device_1 }))

      const locks = ['august_device_1', 'august_device_2', 'nuki_device_1'].map((n) => sandbox.seed[n])
      await seam.accessCodes.create({ device_id: locks[0], name: label })
      await seam.accessCodes.createMultiple({ device_ids: locks.slice(1), name: label })

      const codes = (await Promise.all(locks.map((d) => seam.accessCodes.list({ device_id: d })))).flat()
      assert.equal(codes.length, 3)
      assert.deepEqual(new Set(codes.map((c) => c.name)), new Set([label]))
      const journal = await sandbox.requests()
      assert.deepEqual(new Set(journal.map((r) => r.workspace_id)), new Set([sandbox.workspaceId]))
    })
  }
})

test('the helper moves time, reads the journal and resets', async () => {
  const seam = SeamHttp.fromApiKey(mock.apiKey, { endpoint: mock.endpoint })
  const before = await mock.advanceTime(0)
  assert.ok((await mock.advanceTime(3600)) > before)
  const created = await seam.accessCodes.create({ device_id: mock.seed.august_device_1 })
  const mine = await mock.requests({ path: '/access_codes/create', workspace_id: mock.seed.seed_workspace_1 })
  assert.equal(mine.at(-1).status, 200)
  await mock.reset()
  await fails(seam.accessCodes.get({ access_code_id: created.access_code_id }))
})

test('require() gives the same helper, and a server of its own is reproducible', async () => {
  const cjs = require('seam-mock')
  assert.equal(cjs.startSeamMock, startSeamMock)
  const [a, b] = await Promise.all([cjs.startSeamMock({ rngSeed: 7 }), startSeamMock({ rngSeed: 7 })])
  try {
    assert.notEqual(a.endpoint, b.endpoint)
    const pins = await Promise.all(
      [a, b].map(async (m) => {
        const seam = SeamHttp.fromApiKey(m.apiKey, { endpoint: m.endpoint })
        return (await seam.accessCodes.create({ device_id: m.seed.august_device_1 })).code
      }),
    )
    assert.equal(pins[0], pins[1])
  } finally {
    await Promise.all([a.stop(), b.stop()])
  }
  assert.notEqual(a.process.exitCode ?? a.process.signalCode, null)
})

test('a bad flag fails with the binary\'s message', async () => {
  await assert.rejects(startSeamMock({ args: ['--nonsense'] }), /nonsense/)
})

test('npx seam-mock runs the binary', async () => {
  const out = await new Promise((resolve, reject) => {
    execFile('npx', ['--no-install', 'seam-mock', '--version'], (e, stdout) => (e ? reject(e) : resolve(stdout)))
  })
  assert.match(out, /^seam-mock \d+\.\d+\.\d+/)
})

test('the seam-mock command serves and passes SIGTERM on', async () => {
  const child = spawn('node_modules/.bin/seam-mock', ['--port', '0'], { stdio: ['ignore', 'pipe', 'ignore'] })
  const line = await new Promise((resolve, reject) => {
    child.once('error', reject)
    createInterface({ input: child.stdout }).once('line', resolve)
  })
  const { event, url } = JSON.parse(line)
  assert.equal(event, 'listening')
  assert.equal((await fetch(`${url}/health`)).status, 200)
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  child.kill('SIGTERM')
  assert.deepEqual(await exited, { code: 0, signal: null })
})
