"""Fixtures for driving a running seam-mock through the Python SDK as published on PyPI.

Each test gets its own server: the binary named by SEAM_MOCK_BIN (scripts/sdk-test sets it;
otherwise target/debug/seam-mock, honouring CARGO_TARGET_DIR) started on a free loopback port
with `--rng-seed 1`, polled on /health, read for its seed, and stopped with SIGTERM.
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


def binary():
    explicit = os.environ.get("SEAM_MOCK_BIN")
    if explicit:
        return Path(explicit)
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    if not target.is_absolute():
        target = ROOT / target
    return target / "debug" / "seam-mock"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_json(url):
    with urlopen(url, timeout=5) as response:
        return json.load(response)


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
    exe = binary()
    if not exe.exists():
        raise RuntimeError(f"{exe} does not exist: run `cargo build` first")
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [str(exe), "--host", "127.0.0.1", "--port", str(port), "--rng-seed", "1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "RUST_LOG": "warn"},
    )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"seam-mock exited with {process.returncode}")
            try:
                if get_json(f"{endpoint}/health").get("ok"):
                    break
            except (URLError, OSError, ValueError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("seam-mock did not answer /health")
            time.sleep(0.05)
        yield Server(endpoint, get_json(f"{endpoint}/_fake/default_seed"), process)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=SHUTDOWN_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                raise RuntimeError("seam-mock did not stop on SIGTERM")


@pytest.fixture(name="seed")
def seed_fixture(server):
    return server.seed


@pytest.fixture(name="seam")
def seam_fixture(server):
    with server.client() as client:
        yield client
