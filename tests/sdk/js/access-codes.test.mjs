// seam-mock through the `seam` package from npm: the access-code routes with the verbs the SDK
// sends (PUT create_multiple, PATCH update/update_multiple, DELETE + query delete, GET + query
// get/list/generate_code), its paginator, and each class of error it throws.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { sdk, startServer } from './server.mjs'

const { SeamHttp, SeamHttpApiError, SeamHttpInvalidInputError, SeamHttpUnauthorizedError } = sdk

const ids = (codes) => codes.map((c) => c.access_code_id).sort()
const rejects = async (promise) => {
  try {
    await promise
  } catch (error) {
    return error
  }
  assert.fail('expected the request to fail')
}

test('create_multiple gives one PIN and one key to every lock', async (t) => {
  const { seam, seed } = await startServer(t)
  const [august, nuki] = [seed.august_device_1, seed.nuki_device_1]

  const codes = await seam.accessCodes.createMultiple({ device_ids: [august, nuki], name: 'Guest' })

  assert.deepEqual(codes.map((c) => c.device_id).sort(), [august, nuki].sort())
  assert.equal(new Set(codes.map((c) => c.code)).size, 1)
  assert.match(codes[0].code, /^[1-9]{6}$/)
  assert.ok(!codes[0].code.startsWith('12'))
  assert.equal(new Set(codes.map((c) => c.common_code_key)).size, 1)
  assert.match(codes[0].common_code_key, /^auto_set_by_create_multiple_/)
  assert.ok(codes.every((c) => c.name === 'Guest' && c.is_managed))
})

test('create_multiple gives locks that cannot share their own PINs on request', async (t) => {
  const { seam, seed } = await startServer(t)
  const [schlage, nuki] = [seed.schlage_device_1, seed.nuki_device_1]

  const codes = await seam.accessCodes.createMultiple({
    device_ids: [schlage, nuki],
    behavior_when_code_cannot_be_shared: 'create_random_code',
  })

  const byDevice = Object.fromEntries(codes.map((c) => [c.device_id, c]))
  assert.equal(byDevice[schlage].code.length, 4)
  assert.equal(byDevice[nuki].code.length, 6)
  assert.ok(codes.every((c) => c.common_code_key == null))
})

test('get by id and by device and PIN', async (t) => {
  const { seam, seed } = await startServer(t)
  const august = seed.august_device_1
  const created = await seam.accessCodes.create({ device_id: august, code: '4821', name: 'Front' })

  const byId = await seam.accessCodes.get({ access_code_id: created.access_code_id })
  const byPin = await seam.accessCodes.get({ device_id: august, code: '4821' })

  assert.equal(byId.access_code_id, created.access_code_id)
  assert.equal(byPin.access_code_id, created.access_code_id)
  assert.deepEqual([byId.code, byId.name, byId.device_id], ['4821', 'Front', august])
  assert.equal(byId.workspace_id, seed.seed_workspace_1)
})

test('list by device and by ids', async (t) => {
  const { seam, seed } = await startServer(t)
  const [august, nuki] = [seed.august_device_1, seed.nuki_device_1]
  const mine = await seam.accessCodes.createMultiple({ device_ids: [august, nuki] })
  const other = await seam.accessCodes.create({ device_id: august, code: '9137' })

  const onAugust = await seam.accessCodes.list({ device_id: august })
  assert.deepEqual(
    ids(onAugust),
    [other.access_code_id, ...mine.filter((c) => c.device_id === august).map((c) => c.access_code_id)].sort(),
  )
  const byIds = await seam.accessCodes.list({ access_code_ids: mine.map((c) => c.access_code_id) })
  assert.deepEqual(ids(byIds), ids(mine))
  assert.deepEqual(await seam.accessCodes.list({ device_id: seed.kwikset_device_1 }), [])
})

test('the paginator walks access codes page by page', async (t) => {
  const { seam, seed } = await startServer(t)
  const august = seed.august_device_1
  const created = []
  for (const code of ['1357', '2468', '3579', '4680', '5791']) {
    created.push(await seam.accessCodes.create({ device_id: august, code }))
  }

  const paginator = seam.createPaginator(seam.accessCodes.list({ device_id: august, limit: 2 }))
  const [first, p1] = await paginator.firstPage()
  assert.equal(first.length, 2)
  assert.ok(p1.hasNextPage && p1.nextPageCursor)
  const [second, p2] = await paginator.nextPage(p1.nextPageCursor)
  assert.equal(second.length, 2)
  const [third, p3] = await paginator.nextPage(p2.nextPageCursor)
  assert.equal(third.length, 1)
  assert.equal(p3.hasNextPage, false)
  assert.equal(p3.nextPageCursor, null)

  const walked = [...first, ...second, ...third].map((c) => c.access_code_id)
  assert.deepEqual([...walked].sort(), ids(created))
  const flat = await seam
    .createPaginator(seam.accessCodes.list({ device_id: august, limit: 2 }))
    .flattenToArray()
  assert.deepEqual(
    flat.map((c) => c.access_code_id),
    walked,
  )
})

test('the paginator flattens devices in list order', async (t) => {
  const { seam } = await startServer(t)
  const everything = await seam.devices.list()
  assert.ok(everything.length > 3)

  const pages = []
  for await (const page of seam.createPaginator(seam.devices.list({ limit: 3 }))) pages.push(page)
  const flat = []
  for await (const device of seam.createPaginator(seam.devices.list({ limit: 3 })).flatten()) {
    flat.push(device.device_id)
  }

  assert.equal(pages.length, Math.ceil(everything.length / 3))
  assert.ok(pages.slice(0, -1).every((p) => p.length === 3))
  assert.deepEqual(
    flat,
    everything.map((d) => d.device_id),
  )
})

test('update_multiple renames and reschedules the group', async (t) => {
  const { seam, seed } = await startServer(t)
  const codes = await seam.accessCodes.createMultiple({
    device_ids: [seed.august_device_1, seed.nuki_device_1],
    name: 'Before',
  })
  const key = codes[0].common_code_key

  const result = await seam.accessCodes.updateMultiple({
    common_code_key: key,
    name: 'After',
    starts_at: '2040-01-01T00:00:00.000Z',
    ends_at: '2040-01-02T00:00:00.000Z',
  })

  assert.equal(result, undefined)
  for (const code of codes) {
    const got = await seam.accessCodes.get({ access_code_id: code.access_code_id })
    assert.equal(got.name, 'After')
    assert.equal(got.type, 'time_bound')
    assert.match(got.starts_at, /^2040-01-01T00:00:00/)
    assert.match(got.ends_at, /^2040-01-02T00:00:00/)
    assert.equal(got.common_code_key, key)
  }
})

test('update changes name and PIN', async (t) => {
  const { seam, seed } = await startServer(t)
  const august = seed.august_device_1
  const created = await seam.accessCodes.create({ device_id: august, code: '1593', name: 'Old' })

  await seam.accessCodes.update({ access_code_id: created.access_code_id, name: 'New', code: '75391' })

  const got = await seam.accessCodes.get({ access_code_id: created.access_code_id })
  assert.deepEqual([got.name, got.code], ['New', '75391'])
  const error = await rejects(seam.accessCodes.get({ device_id: august, code: '1593' }))
  assert.ok(error instanceof SeamHttpApiError)
  assert.equal(error.statusCode, 404)
})

test('delete sends DELETE with a query and removes the code', async (t) => {
  const { seam, seed } = await startServer(t)
  const august = seed.august_device_1
  const kept = await seam.accessCodes.create({ device_id: august, code: '2580' })
  const gone = await seam.accessCodes.create({ device_id: august, code: '1470' })

  assert.equal(await seam.accessCodes.delete({ access_code_id: gone.access_code_id }), undefined)

  const error = await rejects(seam.accessCodes.get({ access_code_id: gone.access_code_id }))
  assert.ok(error instanceof SeamHttpApiError)
  assert.deepEqual([error.statusCode, error.code], [404, 'access_code_not_found'])
  assert.deepEqual(ids(await seam.accessCodes.list({ device_id: august })), [kept.access_code_id])
})

test('generate_code fits each lock and stores nothing', async (t) => {
  const { seam, seed } = await startServer(t)
  for (let i = 0; i < 5; i++) {
    const nuki = await seam.accessCodes.generateCode({ device_id: seed.nuki_device_1 })
    assert.equal(nuki.device_id, seed.nuki_device_1)
    assert.match(nuki.code, /^[1-9]{6}$/)
    assert.ok(!nuki.code.startsWith('12'))
    const schlage = await seam.accessCodes.generateCode({ device_id: seed.schlage_device_1 })
    assert.match(schlage.code, /^[0-9]{4}$/)
  }
  assert.deepEqual(await seam.accessCodes.list({ device_id: seed.nuki_device_1 }), [])
})

test('invalid input carries validation_errors', async (t) => {
  const { seam } = await startServer(t)

  const error = await rejects(seam.client.post('/devices/list', { device_ids: 4242 }))

  assert.ok(error instanceof SeamHttpInvalidInputError)
  assert.deepEqual([error.statusCode, error.code], [400, 'invalid_input'])
  assert.deepEqual(error.getValidationErrorMessages('device_ids'), ['Expected array, received number'])
  assert.deepEqual(
    error.validationErrors.map((v) => v.parameterName),
    ['device_ids'],
  )
  assert.match(error.requestId, /^request/)
})

test('invalid input from a typed route', async (t) => {
  const { seam, seed } = await startServer(t)

  const error = await rejects(
    seam.accessCodes.createMultiple({
      device_ids: [seed.august_device_1],
      behavior_when_code_cannot_be_shared: 'sometimes',
    }),
  )

  assert.ok(error instanceof SeamHttpInvalidInputError)
  assert.equal(error.statusCode, 400)
  assert.ok(error.getValidationErrorMessages('behavior_when_code_cannot_be_shared').length > 0)
})

test('an unknown API key is unauthorized', async (t) => {
  const { endpoint } = await startServer(t)
  const seam = SeamHttp.fromApiKey('seam_apikey_unknown_token', { endpoint })

  const error = await rejects(seam.devices.list())

  assert.ok(error instanceof SeamHttpUnauthorizedError)
  assert.deepEqual([error.statusCode, error.code], [401, 'unauthorized'])
})

test('code_cannot_be_shared is an API error with data and creates nothing', async (t) => {
  const { seam, seed } = await startServer(t)
  const [a1, a2] = [seed.august_device_1, seed.august_device_2]
  await seam.accessCodes.create({ device_id: a2, code: '482913' })

  const error = await rejects(seam.accessCodes.createMultiple({ device_ids: [a1, a2], code: '482913' }))

  assert.ok(error instanceof SeamHttpApiError)
  assert.ok(!(error instanceof SeamHttpInvalidInputError))
  assert.deepEqual([error.statusCode, error.code], [400, 'code_cannot_be_shared'])
  assert.deepEqual(error.data.device_ids, [a2])
  assert.deepEqual(await seam.accessCodes.list({ device_id: a1 }), [])
})

test('locks that cannot share fail atomically by default', async (t) => {
  const { seam, seed } = await startServer(t)
  const [schlage, nuki] = [seed.schlage_device_1, seed.nuki_device_1]

  const error = await rejects(seam.accessCodes.createMultiple({ device_ids: [schlage, nuki] }))

  assert.equal(error.code, 'code_cannot_be_shared')
  assert.ok(error.data.device_ids.length > 0)
  assert.ok(error.data.device_ids.every((id) => id === schlage || id === nuki))
  assert.deepEqual(await seam.accessCodes.list({ device_id: schlage }), [])
  assert.deepEqual(await seam.accessCodes.list({ device_id: nuki }), [])
})
