"""Who gets in, through the `seam` package from PyPI: a guest's time-bound code typed at the
keypad (`seam.locks.simulate.keypad_code_entry`) before, inside and after its window, the server
clock moved with /_fake/advance_time, and the outcome read back with `seam.events.list`."""

import json
from datetime import datetime, timedelta
from urllib.request import Request, urlopen


def post(server, path, body):
    request = Request(
        f"{server.endpoint}{path}",
        data=json.dumps(body).encode(),
        headers={"content-type": "application/json"},
        method="POST",
    )
    with urlopen(request, timeout=5) as response:
        return json.load(response)


def advance(server, seconds):
    return post(server, "/_fake/advance_time", {"seconds": seconds})["now"]


def wire(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def field(event, name):
    return event[name] if isinstance(event, dict) else getattr(event, name, None)


def last_entry(seam, device_id):
    events = seam.events.list(
        device_id=device_id, event_types=["lock.unlocked", "lock.access_denied"]
    )
    return events[-1]


def test_a_guest_code_opens_the_door_only_inside_its_window(seam, server, seed):
    august = seed["august_device_1"]
    now = datetime.fromisoformat(advance(server, 0).replace("Z", "+00:00"))
    code = seam.access_codes.create(
        device_id=august,
        name="Friday guest",
        code="4826",
        starts_at=wire(now + timedelta(hours=1)),
        ends_at=wire(now + timedelta(hours=2)),
    )

    attempt = seam.locks.simulate.keypad_code_entry(device_id=august, code="4826")
    assert attempt.status == "success"
    before = last_entry(seam, august)
    assert field(before, "event_type") == "lock.access_denied"
    assert field(before, "reason")["reason_code"] == "expired_code"

    advance(server, 3600)
    seam.locks.simulate.keypad_code_entry(device_id=august, code="4826")
    inside = last_entry(seam, august)
    assert field(inside, "event_type") == "lock.unlocked"
    assert field(inside, "method") == "keycode"
    assert field(inside, "access_code_id") == code.access_code_id

    advance(server, 3600)
    seam.locks.simulate.keypad_code_entry(device_id=august, code="4826")
    after = last_entry(seam, august)
    assert field(after, "event_type") == "lock.access_denied"
    assert field(after, "reason")["reason_code"] == "expired_code"
    assert field(after, "access_code_id") == code.access_code_id
