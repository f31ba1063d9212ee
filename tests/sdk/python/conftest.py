"""Fixtures for driving a running seam-mock through the Python SDK as published on PyPI.

Each test gets its own server: the binary named by SEAM_MOCK_BIN (scripts/sdk-test sets it;
otherwise target/debug/seam-mock, honouring CARGO_TARGET_DIR) started on a free loopback port
with `--rng-seed 1`, polled on /health, read for its seed, and stopped with SIGTERM.

The SDK talks to it through the schema proxy (examples/schema_proxy.rs, SEAM_SCHEMA_PROXY_BIN
or target/debug/examples/schema_proxy), which checks every answer against Seam's reference
schema: a test whose calls got an answer that breaks it fails when it ends, naming the route,
the JSON path and the rule.
"""

import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from urllib.error import URLError
from urllib.request import urlopen

import pytest

from seam import Seam

ROOT = Path(__file__).resolve().parents[3]
STARTUP_TIMEOUT = 20
SHUTDOWN_TIMEOUT = 10


def target_dir():
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    return target if target.is_absolute() else ROOT / target


def binary():
    explicit = os.environ.get("SEAM_MOCK_BIN")
    if explicit:
        return Path(explicit)
    return target_dir() / "debug" / "seam-mock"


def proxy_binary():
    explicit = os.environ.get("SEAM_SCHEMA_PROXY_BIN")
    if explicit:
        return Path(explicit)
    return target_dir() / "debug" / "examples" / "schema_proxy"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_json(url):
    with urlopen(url, timeout=5) as response:
        return json.load(response)


def start(args, probe, what):
    """Starts a process and waits until `probe` answers; the process."""
    process = subprocess.Popen(
        args,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "RUST_LOG": "warn"},
    )
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        try:
            get_json(probe)
            return process
        except (URLError, OSError, ValueError):
            pass
        if time.monotonic() > deadline:
            process.kill()
            process.wait()
            raise RuntimeError(f"{what} did not answer {probe}")
        time.sleep(0.05)


def stop(process, what):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=SHUTDOWN_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise RuntimeError(f"{what} did not stop on SIGTERM")


class Server:
    def __init__(self, endpoint, seed, process):
        self.endpoint = endpoint
        self.seed = seed
        self.process = process

    def client(self, **options):
        options.setdefault("api_key", self.seed["seam_apikey1_token"])
        return Seam(endpoint=self.endpoint, **options)


@pytest.fixture(name="server")
def server_fixture():
    exe, proxy_exe = binary(), proxy_binary()
    for path in (exe, proxy_exe):
        if not path.exists():
            raise RuntimeError(
                f"{path} does not exist: run `cargo build --bin seam-mock --example schema_proxy`"
            )
    port, proxy_port = free_port(), free_port()
    upstream = f"http://127.0.0.1:{port}"
    endpoint = f"http://127.0.0.1:{proxy_port}"
    process = start(
        [str(exe), "--host", "127.0.0.1", "--port", str(port), "--rng-seed", "1"],
        f"{upstream}/health",
        "seam-mock",
    )
    try:
        proxy = start(
            [str(proxy_exe), str(proxy_port), upstream],
            f"{endpoint}/_schema_proxy/breaches",
            "schema_proxy",
        )
        try:
            yield Server(endpoint, get_json(f"{endpoint}/_fake/default_seed"), process)
            breaches = get_json(f"{endpoint}/_schema_proxy/breaches")["breaches"]
            assert not breaches, "answers that break Seam's reference schema:\n" + "\n".join(
                breaches
            )
        finally:
            stop(proxy, "schema_proxy")
    finally:
        stop(process, "seam-mock")


@pytest.fixture(name="seed")
def seed_fixture(server):
    return server.seed


@pytest.fixture(name="seam")
def seam_fixture(server):
    with server.client() as client:
        yield client
