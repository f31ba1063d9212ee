"""seam-mock through the `seam` package from PyPI: the access-code routes with the verbs the SDK
sends (PUT create_multiple, PATCH update/update_multiple, DELETE + query delete, GET + query
get/list/generate_code), its paginator, and each class of error it raises."""

import re

import pytest

from seam import Seam
from seam.exceptions import (
    SeamHttpApiError,
    SeamHttpInvalidInputError,
    SeamHttpUnauthorizedError,
)


def test_create_multiple_gives_one_pin_and_key_to_every_lock(seam, seed):
    august, nuki = seed["august_device_1"], seed["nuki_device_1"]

    codes = seam.access_codes.create_multiple(device_ids=[august, nuki], name="Guest")

    assert sorted(c.device_id for c in codes) == sorted([august, nuki])
    assert len({c.code for c in codes}) == 1
    pin = codes[0].code
    # August takes 4-8 digits, Nuki exactly 6 without zeros and not starting with 12.
    assert re.fullmatch(r"[1-9]{6}", pin) and not pin.startswith("12")
    keys = {c.common_code_key for c in codes}
    assert len(keys) == 1
    assert keys.pop().startswith("auto_set_by_create_multiple_")
    assert all(c.name == "Guest" and c.is_managed for c in codes)


def test_create_multiple_with_random_codes_when_locks_cannot_share(seam, seed):
    schlage, nuki = seed["schlage_device_1"], seed["nuki_device_1"]

    codes = seam.access_codes.create_multiple(
        device_ids=[schlage, nuki],
        behavior_when_code_cannot_be_shared="create_random_code",
    )

    by_device = {c.device_id: c for c in codes}
    assert len(by_device[schlage].code) == 4
    assert len(by_device[nuki].code) == 6
    assert all(c.common_code_key is None for c in codes)


def test_get_by_id_and_by_device_and_pin(seam, seed):
    august = seed["august_device_1"]
    created = seam.access_codes.create(device_id=august, code="4821", name="Front")

    by_id = seam.access_codes.get(access_code_id=created.access_code_id)
    by_pin = seam.access_codes.get(device_id=august, code="4821")

    assert by_id.access_code_id == by_pin.access_code_id == created.access_code_id
    assert (by_id.code, by_id.name, by_id.device_id) == ("4821", "Front", august)
    assert by_id.workspace_id == seed["seed_workspace_1"]


def test_list_by_device_and_by_ids(seam, seed):
    august, nuki = seed["august_device_1"], seed["nuki_device_1"]
    mine = seam.access_codes.create_multiple(device_ids=[august, nuki])
    other = seam.access_codes.create(device_id=august, code="9137")

    on_august = seam.access_codes.list(device_id=august)
    assert sorted(c.access_code_id for c in on_august) == sorted(
        [other.access_code_id] + [c.access_code_id for c in mine if c.device_id == august]
    )
    by_ids = seam.access_codes.list(access_code_ids=[c.access_code_id for c in mine])
    assert sorted(c.access_code_id for c in by_ids) == sorted(
        c.access_code_id for c in mine
    )
    assert seam.access_codes.list(device_id=seed["kwikset_device_1"]) == []


def test_paginator_walks_access_codes_page_by_page(seam, seed):
    august = seed["august_device_1"]
    created = [
        seam.access_codes.create(device_id=august, code=code).access_code_id
        for code in ["1357", "2468", "3579", "4680", "5791"]
    ]

    paginator = seam.create_paginator(
        seam.access_codes.list, {"device_id": august, "limit": 2}
    )
    first, pagination = paginator.first_page()
    assert len(first) == 2
    assert pagination.has_next_page and pagination.next_page_cursor
    second, pagination = paginator.next_page(pagination.next_page_cursor)
    assert len(second) == 2
    third, pagination = paginator.next_page(pagination.next_page_cursor)
    assert len(third) == 1
    assert not pagination.has_next_page and pagination.next_page_cursor is None

    walked = [c.access_code_id for c in first + second + third]
    assert sorted(walked) == sorted(created)
    flattened = seam.create_paginator(
        seam.access_codes.list, {"device_id": august, "limit": 2}
    ).flatten_to_list()
    assert [c.access_code_id for c in flattened] == walked


def test_paginator_flattens_devices_in_list_order(seam):
    everything = seam.devices.list()
    assert len(everything) > 3

    paginator = seam.create_paginator(seam.devices.list, {"limit": 3})
    page, pagination = paginator.first_page()
    pages = [page]
    while pagination.has_next_page:
        page, pagination = paginator.next_page(pagination.next_page_cursor)
        pages.append(page)
    flattened = seam.create_paginator(seam.devices.list, {"limit": 3}).flatten()

    assert [len(p) for p in pages][:-1] == [3] * (len(pages) - 1)
    assert len(pages) == -(-len(everything) // 3)
    assert [d.device_id for d in flattened] == [d.device_id for d in everything]


def test_update_multiple_renames_and_reschedules_the_group(seam, seed):
    august, nuki = seed["august_device_1"], seed["nuki_device_1"]
    codes = seam.access_codes.create_multiple(device_ids=[august, nuki], name="Before")
    key = codes[0].common_code_key

    result = seam.access_codes.update_multiple(
        common_code_key=key,
        name="After",
        starts_at="2040-01-01T00:00:00.000Z",
        ends_at="2040-01-02T00:00:00.000Z",
    )

    assert result is None
    for code in codes:
        got = seam.access_codes.get(access_code_id=code.access_code_id)
        assert got.name == "After"
        assert got.type == "time_bound"
        assert got.starts_at.startswith("2040-01-01T00:00:00")
        assert got.ends_at.startswith("2040-01-02T00:00:00")
        assert got.common_code_key == key


def test_update_changes_name_and_pin(seam, seed):
    august = seed["august_device_1"]
    created = seam.access_codes.create(device_id=august, code="1593", name="Old")

    seam.access_codes.update(
        access_code_id=created.access_code_id, name="New", code="75391"
    )

    got = seam.access_codes.get(access_code_id=created.access_code_id)
    assert (got.name, got.code) == ("New", "75391")
    with pytest.raises(SeamHttpApiError) as err:
        seam.access_codes.get(device_id=august, code="1593")
    assert err.value.status_code == 404


def test_delete_sends_delete_with_a_query_and_removes_the_code(seam, seed):
    august = seed["august_device_1"]
    kept = seam.access_codes.create(device_id=august, code="2580")
    gone = seam.access_codes.create(device_id=august, code="1470")

    assert seam.access_codes.delete(access_code_id=gone.access_code_id) is None

    with pytest.raises(SeamHttpApiError) as err:
        seam.access_codes.get(access_code_id=gone.access_code_id)
    assert (err.value.status_code, err.value.code) == (404, "access_code_not_found")
    remaining = seam.access_codes.list(device_id=august)
    assert [c.access_code_id for c in remaining] == [kept.access_code_id]


def test_generate_code_fits_each_lock(seam, seed):
    for _ in range(5):
        nuki = seam.access_codes.generate_code(device_id=seed["nuki_device_1"])
        assert nuki.device_id == seed["nuki_device_1"]
        assert re.fullmatch(r"[1-9]{6}", nuki.code) and not nuki.code.startswith("12")
        schlage = seam.access_codes.generate_code(device_id=seed["schlage_device_1"])
        assert re.fullmatch(r"[0-9]{4}", schlage.code)
    # Generating stores nothing.
    assert seam.access_codes.list(device_id=seed["nuki_device_1"]) == []


def test_invalid_input_carries_validation_errors(seam):
    with pytest.raises(SeamHttpInvalidInputError) as err:
        seam.client.post("/devices/list", json={"device_ids": 4242})

    error = err.value
    assert (error.status_code, error.code) == (400, "invalid_input")
    assert error.get_validation_error_messages("device_ids") == [
        "Expected array, received number"
    ]
    assert [v.parameter_name for v in error.validation_errors] == ["device_ids"]
    assert error.request_id and error.request_id.startswith("request")


def test_invalid_input_from_a_typed_route(seam, seed):
    with pytest.raises(SeamHttpInvalidInputError) as err:
        seam.access_codes.create_multiple(
            device_ids=[seed["august_device_1"]], behavior_when_code_cannot_be_shared="sometimes"
        )
    assert err.value.status_code == 400
    assert err.value.get_validation_error_messages("behavior_when_code_cannot_be_shared")


def test_unknown_api_key_is_unauthorized(server):
    with Seam(api_key="seam_apikey_unknown_token", endpoint=server.endpoint) as seam:
        with pytest.raises(SeamHttpUnauthorizedError) as err:
            seam.devices.list()
    assert (err.value.status_code, err.value.code) == (401, "unauthorized")


def test_code_cannot_be_shared_is_an_api_error_with_data_and_creates_nothing(seam, seed):
    august_1, august_2 = seed["august_device_1"], seed["august_device_2"]
    seam.access_codes.create(device_id=august_2, code="482913")

    with pytest.raises(SeamHttpApiError) as err:
        seam.access_codes.create_multiple(device_ids=[august_1, august_2], code="482913")

    error = err.value
    assert not isinstance(error, SeamHttpInvalidInputError)
    assert (error.status_code, error.code) == (400, "code_cannot_be_shared")
    assert error.data["device_ids"] == [august_2]
    assert seam.access_codes.list(device_id=august_1) == []


def test_locks_that_cannot_share_fail_atomically_by_default(seam, seed):
    schlage, nuki = seed["schlage_device_1"], seed["nuki_device_1"]

    with pytest.raises(SeamHttpApiError) as err:
        seam.access_codes.create_multiple(device_ids=[schlage, nuki])

    assert err.value.code == "code_cannot_be_shared"
    failing = err.value.data["device_ids"]
    assert failing and set(failing) <= {schlage, nuki}
    assert seam.access_codes.list(device_id=schlage) == []
    assert seam.access_codes.list(device_id=nuki) == []


def test_pull_backup_access_code_returns_the_backup(seam, seed):
    august = seed["august_device_1"]
    original = seam.access_codes.create(
        device_id=august,
        name="Guest",
        starts_at="2040-01-01T00:00:00.000Z",
        ends_at="2040-01-02T00:00:00.000Z",
        use_backup_access_code_pool=True,
    )

    backup = seam.access_codes.pull_backup_access_code(
        access_code_id=original.access_code_id
    )

    assert backup.is_backup is True
    assert backup.access_code_id != original.access_code_id
    assert backup.ends_at.startswith("2040-01-02T00:00:00")
    reread = seam.access_codes.get(access_code_id=original.access_code_id)
    assert reread.pulled_backup_access_code_id == backup.access_code_id
    assert reread.is_backup is False
