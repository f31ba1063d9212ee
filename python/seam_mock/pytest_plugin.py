"""pytest fixtures for seam-mock, loaded through the `pytest11` entry point:

    from seam import Seam

    def test_devices(seam_mock, seam_sandbox):
        seam = Seam(api_key=seam_sandbox.api_key, endpoint=seam_mock.endpoint)
        assert seam.devices.list()

`seam_mock` is one server for the whole session; under pytest-xdist each worker is a process
of its own and so starts its own. `seam_sandbox` is a fresh workspace per test, so tests that
run side by side on one server never see each other's codes. To start the server with other
flags, override `seam_mock_options` in a conftest.py:

    @pytest.fixture(scope="session")
    def seam_mock_options():
        return {"args": ["--programming-delay", "5"], "rng_seed": 1}
"""

from __future__ import annotations

from typing import Any, Dict, Iterator

import pytest

from seam_mock import Sandbox, SeamMock


@pytest.fixture(scope="session")
def seam_mock_options() -> Dict[str, Any]:
    """Keyword arguments for `SeamMock` (`args`, `rng_seed`); override to change them."""
    return {}


@pytest.fixture(scope="session")
def seam_mock(seam_mock_options: Dict[str, Any]) -> Iterator[SeamMock]:
    """One running seam-mock for the session (or the xdist worker), stopped at its end."""
    with SeamMock(**seam_mock_options) as mock:
        yield mock


@pytest.fixture
def seam_sandbox(seam_mock: SeamMock, request: pytest.FixtureRequest) -> Sandbox:
    """A fresh isolated workspace for this test, named after it: `api_key`, `workspace_id`,
    `seed`."""
    return seam_mock.sandbox(name=request.node.name)
