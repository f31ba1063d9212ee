"""seam-mock from Python: start the server this wheel carries and drive its test controls.

    from seam import Seam
    from seam_mock import SeamMock

    with SeamMock() as mock:
        sandbox = mock.sandbox()
        seam = Seam(api_key=sandbox.api_key, endpoint=mock.endpoint)

`SeamMock()` starts the binary on a free port (`--port 0`) and is ready when the binary prints
its `{"event":"listening","url":...}` line: nothing sleeps or polls. Only the standard library
is used, so installing the wheel adds no dependency to a test environment. The pytest fixtures
live in `seam_mock.pytest_plugin`, loaded through the `pytest11` entry point.
"""

from __future__ import annotations

import collections
import json
import os
import queue
import shutil
import subprocess
import sysconfig
import threading
import urllib.error
import urllib.request
import weakref
from importlib import metadata
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

__all__ = ["SeamMock", "Sandbox", "SeamMockError", "binary_path"]

#: The seed's API key for `seed_workspace_1` (contract §6).
DEFAULT_API_KEY = "seam_apikey1_token"
#: How long the binary may take to print its listening line before start-up fails.
STARTUP_TIMEOUT = 30.0
#: How long the binary may take to exit after SIGTERM before it is killed.
STOP_TIMEOUT = 10.0
#: How many of the binary's last stderr lines an error message quotes.
STDERR_TAIL = 50

_EXE = "seam-mock.exe" if os.name == "nt" else "seam-mock"

# Loopback needs no proxy, and an HTTP_PROXY in the environment must not catch it.
_http = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class SeamMockError(RuntimeError):
    """The binary could not start, or a test-control request was refused."""


def binary_path() -> Path:
    """Where the `seam-mock` binary is: `SEAM_MOCK_BIN` when set, else the one this wheel
    installed (found through the installed files' record, so an unactivated venv works),
    else the first on PATH."""
    explicit = os.environ.get("SEAM_MOCK_BIN")
    if explicit:
        return Path(explicit)
    try:
        files = metadata.distribution("seam-mock").files or []
    except metadata.PackageNotFoundError:
        files = []
    for f in files:
        if f.name == _EXE:
            located = Path(str(f.locate())).resolve()
            if located.is_file():
                return located
    scripts = Path(sysconfig.get_path("scripts")) / _EXE
    if scripts.is_file():
        return scripts
    found = shutil.which(_EXE)
    if found:
        return Path(found)
    raise SeamMockError(f"no {_EXE} binary: install the seam-mock wheel or set SEAM_MOCK_BIN")


def _stop_process(process: subprocess.Popen) -> None:
    """SIGTERM (the server then stops cleanly), SIGKILL if it lingers."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class _Control:
    """JSON requests to the server's unauthenticated `/_fake/*` routes."""

    endpoint: str

    def _call(self, method: str, path: str, body: Optional[Dict[str, Any]] = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            self.endpoint + path,
            data=data,
            method=method,
            headers={"content-type": "application/json"} if data is not None else {},
        )
        try:
            with _http.open(req, timeout=30) as res:
                return json.load(res)
        except urllib.error.HTTPError as e:
            detail = e.read().decode(errors="replace")
            raise SeamMockError(f"{method} {path}: {e.code} {detail}") from None


class Sandbox(_Control):
    """A fresh workspace of its own (`POST /_fake/sandboxes/create`): the default seed's
    connected accounts and locks with new ids, and an API key that sees only them."""

    def __init__(self, endpoint: str, workspace_id: str, api_key: str, seed: Dict[str, Any]):
        self.endpoint = endpoint
        #: The sandbox's workspace.
        self.workspace_id = workspace_id
        #: An API key for this workspace alone.
        self.api_key = api_key
        #: The default seed's names (`august_device_1`, ...) mapped to this sandbox's ids.
        self.seed = seed

    def requests(self, **filters: Any) -> List[Dict[str, Any]]:
        """The journal's entries for this sandbox's workspace (see `SeamMock.requests`)."""
        return self._call(
            "POST", "/_fake/requests", {**filters, "workspace_id": self.workspace_id}
        )["requests"]

    def reset(self) -> None:
        """This sandbox alone back to its seed, same ids (`/_fake/reset {workspace_id}`)."""
        self._call("POST", "/_fake/reset", {"workspace_id": self.workspace_id})

    def __repr__(self) -> str:
        return f"Sandbox(workspace_id={self.workspace_id!r})"


class SeamMock(_Control):
    """A running seam-mock server, started on a free loopback port.

    `args` are extra command-line flags (`seam-mock --help`), `rng_seed` makes PINs, keys and
    ids reproducible. The server runs until `stop()`, the end of a `with` block, or the end of
    this Python process.
    """

    def __init__(
        self,
        args: Sequence[str] = (),
        rng_seed: Optional[int] = None,
        *,
        binary: Optional[os.PathLike] = None,
        startup_timeout: float = STARTUP_TIMEOUT,
    ):
        command = [str(binary or binary_path())]
        if not any(str(a).startswith("--host") for a in args):
            command += ["--host", "127.0.0.1"]
        if not any(str(a).startswith("--port") for a in args):
            command += ["--port", "0"]
        if rng_seed is not None:
            command += ["--rng-seed", str(rng_seed)]
        command += [str(a) for a in args]

        self._stderr: collections.deque = collections.deque(maxlen=STDERR_TAIL)
        try:
            self.process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        except OSError as e:
            raise SeamMockError(f"cannot start {command[0]}: {e}") from None
        self._finalizer = weakref.finalize(self, _stop_process, self.process)
        # Both pipes are read to their end by threads of their own, so the server never blocks
        # on a full pipe; the first stdout line is handed over through a queue.
        first_line: queue.Queue = queue.Queue(maxsize=1)
        self._readers = [
            threading.Thread(target=self._read_stdout, args=(first_line,), daemon=True),
            threading.Thread(target=self._read_stderr, daemon=True),
        ]
        for t in self._readers:
            t.start()
        try:
            line = first_line.get(timeout=startup_timeout)
        except queue.Empty:
            self.stop()
            raise SeamMockError(
                f"seam-mock printed no listening line within {startup_timeout} s{self._tail()}"
            ) from None
        if line is None:
            self.stop()
            raise SeamMockError(
                f"seam-mock exited with {self.process.returncode} before listening{self._tail()}"
            )
        #: The server's base URL, e.g. `http://127.0.0.1:43121`: the SDKs' `endpoint`.
        self.endpoint: str = json.loads(line)["url"]
        #: The seed's API key for `seed_workspace_1`.
        self.api_key: str = DEFAULT_API_KEY
        #: The default seed: well-known names (`august_device_1`, ...) mapped to ids and tokens.
        self.seed: Dict[str, Any] = self._call("GET", "/_fake/default_seed")

    def _read_stdout(self, first_line: queue.Queue) -> None:
        stream = self.process.stdout
        line = stream.readline()
        first_line.put(line.decode() if line else None)
        for _ in stream:
            pass

    def _read_stderr(self) -> None:
        for line in self.process.stderr:
            self._stderr.append(line.decode(errors="replace").rstrip())

    def _tail(self) -> str:
        self.process.poll()
        lines = list(self._stderr)
        return (":\n" + "\n".join(lines)) if lines else ""

    def advance_time(self, seconds: float) -> str:
        """Moves the server clock forward; returns the new server time (ISO 8601)."""
        return self._call("POST", "/_fake/advance_time", {"seconds": seconds})["now"]

    def requests(self, **filters: Any) -> List[Dict[str, Any]]:
        """The request journal (`/_fake/requests`), oldest first: what the server was sent
        and what it answered. Filters: `workspace_id`, `method`, `path`, `status`, `since`,
        `limit`."""
        return self._call("POST", "/_fake/requests", filters)["requests"]

    def reset(self) -> None:
        """Every workspace back to the seed (`/_fake/reset`)."""
        self._call("POST", "/_fake/reset", {})

    def sandbox(self, name: Optional[str] = None) -> Sandbox:
        """A new isolated workspace with its own API key, seeded like the default one; `name`
        is the workspace's name (the dashboard shows it)."""
        body = self._call("POST", "/_fake/sandboxes/create", {} if name is None else {"name": name})
        return Sandbox(self.endpoint, body["workspace_id"], body["api_key"], body["seed"])

    def stop(self) -> None:
        """Stops the server (SIGTERM, then SIGKILL after 10 s). Safe to call twice."""
        self._finalizer()
        for t in self._readers:
            t.join(timeout=STOP_TIMEOUT)
        for stream in (self.process.stdout, self.process.stderr):
            if stream:
                stream.close()

    def __enter__(self) -> "SeamMock":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.process.poll() is None else "stopped"
        return f"SeamMock(endpoint={getattr(self, 'endpoint', None)!r}, {state})"
