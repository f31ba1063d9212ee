// Fault rules (/_fake/faults/*) met through the `seam` package from npm, as it meets the real
// failures. Its client (@seamapi/http) retries with axios-retry: 2 retries of GET, HEAD,
// OPTIONS, PUT and DELETE on 429, 5xx and network errors, the delay at least Retry-After. So a
// 503 with Seam's envelope throws SeamHttpApiError after three tries, a 429 is waited out, and a
// dropped connection is retried for PUT (a create_multiple whose answer was lost runs twice)
// and thrown for POST.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { sdk, startServer } from './server.mjs'

const { SeamHttpApiError } = sdk
const RETRIES = 2

const call = async (endpoint, path, body) => {
  const res = await fetch(`${endpoint}${path}`, {
    method: body == null ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    body: body == null ? undefined : JSON.stringify(body),
  })
  return res.json()
}
const fault = async (endpoint, rule) => (await call(endpoint, '/_fake/faults/create', rule)).fault
const hits = async (endpoint, faultId) =>
  (await call(endpoint, '/_fake/faults/list')).faults.find((f) => f.fault_id === faultId).hits
const statuses = async (endpoint, path) =>
  (await call(endpoint, `/_fake/requests?path=${path}`)).requests.map((e) => e.status)
const rejects = async (promise) => {
  try {
    await promise
  } catch (error) {
    return error
  }
  assert.fail('expected the request to fail')
}

test('a 503 throws SeamHttpApiError after the retries', async (t) => {
  const { endpoint, seam } = await startServer(t)
  const rule = await fault(endpoint, {
    match: { path: '/devices/list' },
    effect: { respond: { status: 503, error_type: 'service_unavailable', message: 'Seam is down' } },
  })

  const error = await rejects(seam.devices.list())

  assert.ok(error instanceof SeamHttpApiError)
  assert.equal(error.statusCode, 503)
  assert.equal(error.code, 'service_unavailable')
  assert.equal(error.message, 'Seam is down')
  assert.match(error.requestId, /^request/)
  assert.equal(await hits(endpoint, rule.fault_id), 1 + RETRIES)
})

test('a 429 is waited out for its Retry-After, then retried', async (t) => {
  const { endpoint, seam } = await startServer(t)
  const rule = await fault(endpoint, {
    match: { path: '/devices/list' },
    effect: { rate_limit: { requests: 1, per_seconds: 1 } },
  })
  await seam.devices.list()

  const started = Date.now()
  const devices = await seam.devices.list()

  assert.ok(devices.length > 0)
  assert.ok(Date.now() - started >= 500)
  assert.deepEqual(await statuses(endpoint, '/devices/list'), [200, 429, 200])
  assert.equal(await hits(endpoint, rule.fault_id), 1)
})

test('a PUT whose answer was lost is sent again and runs twice', async (t) => {
  const { endpoint, seam, seed } = await startServer(t)
  const august = seed.august_device_1
  const rule = await fault(endpoint, {
    match: { path: '/access_codes/create_multiple', method: 'PUT' },
    effect: { drop_connection: true, when: 'after' },
    times: 1,
  })

  const codes = await seam.accessCodes.createMultiple({ device_ids: [august], name: 'Guest' })

  assert.equal(codes.length, 1)
  const guests = (await seam.accessCodes.list({ device_id: august })).filter((c) => c.name === 'Guest')
  assert.equal(guests.length, 2, "the lost answer's code and the retry's")
  assert.equal(new Set(guests.map((c) => c.common_code_key)).size, 2)
  assert.equal(await hits(endpoint, rule.fault_id), 1)
  assert.deepEqual(await statuses(endpoint, '/access_codes/create_multiple'), [200, 200])
})

test('a dropped POST is thrown as a network error, not retried', async (t) => {
  const { endpoint, seam, seed } = await startServer(t)
  const august = seed.august_device_1
  const before = (await seam.accessCodes.list({ device_id: august })).length
  const rule = await fault(endpoint, {
    match: { path: '/access_codes/create' },
    effect: { drop_connection: true },
  })

  const error = await rejects(seam.accessCodes.create({ device_id: august, code: '4821' }))

  assert.ok(!(error instanceof SeamHttpApiError))
  assert.equal(error.response, undefined, 'no answer reached the client')
  assert.equal(await hits(endpoint, rule.fault_id), 1)
  assert.equal((await seam.accessCodes.list({ device_id: august })).length, before)
})
