"""seam-mock's webhooks as an integrator receives them, verified by the official Python SDK.

A real receiver (http.server on 127.0.0.1:0) checks every POST with `seam.SeamWebhook`, which
verifies the Svix signature with the webhook's secret, and answers 204; a POST that fails
verification gets 400. Run against a running seam-mock named by SEAM_MOCK_URL (what
`scripts/webhook-sdk-check` does).
"""

import json
import os
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from seam import SeamWebhook, SeamWebhookVerificationError

BASE = os.environ.get("SEAM_MOCK_URL", "http://127.0.0.1:8080")
KEY = "seam_apikey1_token"
AUGUST = "5ea10003-0000-4000-8000-000000000001"
NUKI = "5ea10003-0000-4000-8000-000000000007"


def call(path, body=None, key=KEY):
    req = urllib.request.Request(
        BASE + path,
        data=json.dumps(body or {}).encode(),
        method="POST",
        headers={"content-type": "application/json"},
    )
    if key:
        req.add_header("authorization", f"Bearer {key}")
    with urllib.request.urlopen(req, timeout=10) as res:
        return json.load(res)


class Receiver:
    """Verifies each POST with SeamWebhook; keeps the events that passed and the failures."""

    def __init__(self):
        self.webhook = None
        self.events = []
        self.rejected = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["content-length"])).decode()
                try:
                    event = receiver.webhook.verify(body, dict(self.headers))
                except SeamWebhookVerificationError as e:
                    with receiver.lock:
                        receiver.rejected.append(str(e))
                    self.send_response(400)
                else:
                    with receiver.lock:
                        receiver.events.append((event, json.loads(body), dict(self.headers)))
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/seam"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, n, timeout=10):
        until = time.time() + timeout
        while time.time() < until:
            with self.lock:
                if len(self.events) >= n:
                    return list(self.events)
            time.sleep(0.05)
        pytest.fail(f"expected {n} verified events, got {len(self.events)}; rejected: {self.rejected}")

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    call("/_fake/reset", key=None)
    r = Receiver()
    yield r
    r.close()


def test_a_linked_pair_is_received_and_verified_by_seam_webhook(receiver):
    hook = call("/webhooks/create", {"url": receiver.url})["webhook"]
    assert hook["secret"].startswith("whsec_")
    receiver.webhook = SeamWebhook(hook["secret"])

    codes = call(
        "/access_codes/create_multiple",
        {"device_ids": [AUGUST, NUKI], "name": "Guest"},
    )["access_codes"]
    assert codes[0]["common_code_key"] == codes[1]["common_code_key"]

    got = receiver.wait_for(4)
    types = [e.event_type for e, _, _ in got]
    assert types[:2] == ["access_code.created", "access_code.created"]
    assert sorted(types[2:]) == ["access_code.set_on_device"] * 2
    assert {e.access_code_id for e, _, _ in got} == {c["access_code_id"] for c in codes}
    for event, body, headers in got:
        shown = call("/events/get", {"event_id": event.event_id})["event"]
        assert body == shown
        assert headers["webhook-signature"] == headers["svix-signature"]
    assert receiver.rejected == []


def test_a_wrong_secret_fails_verification(receiver):
    call("/webhooks/create", {"url": receiver.url, "event_types": ["device.disconnected"]})
    other = call("/webhooks/create", {"url": "http://127.0.0.1:9/unused"})["webhook"]
    receiver.webhook = SeamWebhook(other["secret"])
    call("/_fake/update_device", {"device_id": AUGUST, "properties": {"online": False}}, key=None)
    until = time.time() + 10
    while not receiver.rejected and time.time() < until:
        time.sleep(0.05)
    assert receiver.rejected and receiver.events == []
    deliveries = call(
        "/_fake/webhook_deliveries", {"event_type": "device.disconnected"}, key=None
    )["webhook_deliveries"]
    attempts = [a for d in deliveries for a in d["attempts"] if d["url"] == receiver.url]
    assert attempts and attempts[0]["status_code"] == 400


def test_retries_are_visible_after_the_receiver_dies(receiver):
    hook = call("/webhooks/create", {"url": receiver.url, "event_types": ["access_code.created"]})["webhook"]
    receiver.webhook = SeamWebhook(hook["secret"])
    call("/access_codes/create", {"device_id": AUGUST, "name": "First"})
    receiver.wait_for(1)
    receiver.close()
    call("/access_codes/create", {"device_id": AUGUST, "name": "Second"})
    f = {"webhook_id": hook["webhook_id"], "status": "pending"}
    until = time.time() + 10
    while time.time() < until:
        pending = call("/_fake/webhook_deliveries", f, key=None)["webhook_deliveries"]
        if pending and pending[0]["attempts"]:
            break
        time.sleep(0.05)
    first = pending[0]["attempts"][0]
    assert first["status_code"] is None and first["error"]
    assert first["next_attempt_at"] == pending[0]["next_attempt_at"]
    call("/_fake/advance_time", {"seconds": 5}, key=None)
    until = time.time() + 10
    while time.time() < until:
        m = call("/_fake/webhook_deliveries", f, key=None)["webhook_deliveries"][0]
        if len(m["attempts"]) == 2:
            break
        time.sleep(0.05)
    assert len(m["attempts"]) == 2
    delivered = call(
        "/_fake/webhook_deliveries",
        {"webhook_id": hook["webhook_id"], "status": "delivered"},
        key=None,
    )["webhook_deliveries"]
    assert len(delivered) == 1
