"""Fault rules (/_fake/faults/*) met through the `seam` package from PyPI, as it meets the real
failures: a 503 with Seam's envelope raises SeamHttpApiError once the SDK's retries are spent,
an empty 503 is a plain HTTP error, a 429 is retried after its Retry-After, and a dropped
connection is retried for idempotent verbs (so a PUT create_multiple whose answer was lost runs
twice) and raised for POST."""

import json
import time
from urllib.request import Request, urlopen

import httpx
import pytest

from seam.exceptions import SeamHttpApiError

# The SDK's default policy (seam/client.py): 2 retries of GET/PUT/DELETE on 429, 5xx and
# network errors, honouring Retry-After.
RETRIES = 2


def call(server, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = Request(f"{server.endpoint}{path}", data=data, method="POST" if data else "GET")
    req.add_header("Content-Type", "application/json")
    with urlopen(req, timeout=10) as res:
        return json.load(res)


def fault(server, rule):
    return call(server, "/_fake/faults/create", rule)["fault"]


def hits(server, fault_id):
    rules = call(server, "/_fake/faults/list")["faults"]
    return next(r["hits"] for r in rules if r["fault_id"] == fault_id)


def statuses(server, path):
    return [e["status"] for e in call(server, f"/_fake/requests?path={path}")["requests"]]


def test_a_503_raises_seam_http_api_error_after_the_retries(server, seam):
    rule = fault(server, {
        "match": {"path": "/devices/list"},
        "effect": {"respond": {"status": 503, "error_type": "service_unavailable",
                               "message": "Seam is down"}},
    })

    with pytest.raises(SeamHttpApiError) as raised:
        seam.devices.list()

    assert raised.value.status_code == 503
    assert raised.value.code == "service_unavailable"
    assert str(raised.value) == "Seam is down"
    assert raised.value.request_id.startswith("request")
    assert hits(server, rule["fault_id"]) == 1 + RETRIES


def test_an_empty_503_outage_is_a_plain_http_error(server, seam):
    fault(server, {"match": {"path": "/devices/list"},
                   "effect": {"respond": {"status": 503, "empty_body": True}}})

    with pytest.raises(httpx.HTTPStatusError) as raised:
        seam.devices.list()

    assert raised.value.response.status_code == 503
    assert not isinstance(raised.value, SeamHttpApiError)


def test_a_429_is_retried_after_its_retry_after(server, seam):
    rule = fault(server, {"match": {"path": "/devices/list"},
                          "effect": {"rate_limit": {"requests": 1, "per_seconds": 1}}})
    seam.devices.list()

    started = time.monotonic()
    devices = seam.devices.list()

    assert devices
    assert time.monotonic() - started >= 0.5
    assert statuses(server, "/devices/list") == [200, 429, 200]
    assert hits(server, rule["fault_id"]) == 1


def test_a_put_whose_answer_was_lost_is_sent_again_and_runs_twice(server, seam, seed):
    august = seed["august_device_1"]
    rule = fault(server, {
        "match": {"path": "/access_codes/create_multiple", "method": "PUT"},
        "effect": {"drop_connection": True, "when": "after"},
        "times": 1,
    })

    codes = seam.access_codes.create_multiple(device_ids=[august], name="Guest")

    assert len(codes) == 1
    on_lock = seam.access_codes.list(device_id=august)
    guests = [c for c in on_lock if c.name == "Guest"]
    assert len(guests) == 2, "the lost answer's code and the retry's"
    assert len({c.common_code_key for c in guests}) == 2
    assert hits(server, rule["fault_id"]) == 1
    assert statuses(server, "/access_codes/create_multiple") == [200, 200]


def test_a_dropped_post_is_not_retried(server, seam, seed):
    august = seed["august_device_1"]
    before = len(seam.access_codes.list(device_id=august))
    rule = fault(server, {"match": {"path": "/access_codes/create"},
                          "effect": {"drop_connection": True}})

    with pytest.raises(httpx.RemoteProtocolError):
        seam.access_codes.create(device_id=august, code="4821")

    assert hits(server, rule["fault_id"]) == 1
    assert len(seam.access_codes.list(device_id=august)) == before


def test_failed_to_set_on_device_reads_back_through_access_codes_get(server, seam, seed):
    august = seed["august_device_1"]
    rule = fault(server, {"match": {"device_id": august}, "times": 1,
                          "effect": {"access_code_error": "failed_to_set_on_device"}})
    created = seam.access_codes.create(device_id=august, code="4821", name="Front")
    assert created.status == "setting"

    # The lock's first try (this read's tick) fails: the code waits with Seam's error.
    failed = seam.access_codes.get(access_code_id=created.access_code_id)

    assert failed.status == "setting"
    assert [e.error_code for e in failed.errors] == ["failed_to_set_on_device"]
    assert failed.errors[0].is_access_code_error is True
    events = seam.events.list(event_type="access_code.failed_to_set_on_device")
    assert [e.access_code_id for e in events] == [created.access_code_id]
    assert hits(server, rule["fault_id"]) == 1

    # The rule is spent: the next try sets the code and clears the error.
    set_now = seam.access_codes.get(access_code_id=created.access_code_id)
    assert set_now.status == "set"
    assert set_now.errors == []
