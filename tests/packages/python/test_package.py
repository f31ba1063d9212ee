"""The seam-mock wheel as a user gets it: installed in a fresh venv beside PyPI `seam`, its
pytest plugin found through the `pytest11` entry point (no conftest here), its binary started
by the `seam_mock` fixture. scripts/package-test runs this file with `-n 2` (pytest-xdist): every
worker starts its own server and every test takes a sandbox of its own.
"""

import os
import subprocess
import sysconfig
from pathlib import Path

import pytest
from seam import Seam
from seam.exceptions import SeamHttpApiError

from seam_mock import SeamMock, SeamMockError


def client(seam_mock, sandbox):
    return Seam(api_key=sandbox.api_key, endpoint=seam_mock.endpoint)


def test_create_multiple_through_the_fixtures(seam_mock, seam_sandbox):
    seam = client(seam_mock, seam_sandbox)
    august, nuki = seam_sandbox.seed["august_device_1"], seam_sandbox.seed["nuki_device_1"]

    codes = seam.access_codes.create_multiple(device_ids=[august, nuki], name="Guest")

    assert sorted(c.device_id for c in codes) == sorted([august, nuki])
    assert len({c.code for c in codes}) == 1
    assert len({c.common_code_key for c in codes}) == 1
    assert all(c.name == "Guest" and c.is_managed for c in codes)


def test_a_code_reads_back_by_id_by_device_and_in_the_journal(seam_mock, seam_sandbox):
    seam = client(seam_mock, seam_sandbox)
    august = seam_sandbox.seed["august_device_1"]

    created = seam.access_codes.create(device_id=august, code="4821", name="Front")

    got = seam.access_codes.get(access_code_id=created.access_code_id)
    assert (got.code, got.name, got.device_id) == ("4821", "Front", august)
    assert [c.access_code_id for c in seam.access_codes.list(device_id=august)] == [
        created.access_code_id
    ]
    sent = seam_sandbox.requests(path="/access_codes/create")
    assert [(r["method"], r["status"]) for r in sent] == [("POST", 200)]
    # The fixture names the sandbox after the test.
    assert seam.workspaces.get().name == "test_a_code_reads_back_by_id_by_device_and_in_the_journal"

    seam_sandbox.reset()
    assert seam.access_codes.list(device_id=august) == []


@pytest.mark.parametrize("label", ["first", "second", "third", "fourth"])
def test_sandboxes_side_by_side_never_see_each_other(seam_mock, seam_sandbox, label):
    seam = client(seam_mock, seam_sandbox)
    devices = {d.device_id for d in seam.devices.list()}
    # Only the sandbox's own locks, named as in the default seed.
    assert devices and devices <= set(seam_sandbox.seed.values())
    assert seam_mock.seed["august_device_1"] not in devices
    with pytest.raises(SeamHttpApiError):
        seam.devices.get(device_id=seam_mock.seed["august_device_1"])

    locks = [seam_sandbox.seed[n] for n in ("august_device_1", "august_device_2", "nuki_device_1")]
    seam.access_codes.create(device_id=locks[0], name=label)
    seam.access_codes.create_multiple(device_ids=locks[1:], name=label)

    # Only this test's codes, however many tests ran on this server before or beside it.
    codes = [c for lock in locks for c in seam.access_codes.list(device_id=lock)]
    assert len(codes) == 3 and {c.name for c in codes} == {label}
    assert {r["workspace_id"] for r in seam_sandbox.requests()} == {seam_sandbox.workspace_id}


def test_two_sandboxes_of_one_server_are_isolated(seam_mock):
    a, b = seam_mock.sandbox(), seam_mock.sandbox()
    assert a.workspace_id != b.workspace_id and a.api_key != b.api_key
    seam_a, seam_b = client(seam_mock, a), client(seam_mock, b)
    code = seam_a.access_codes.create(device_id=a.seed["august_device_1"], name="mine")

    assert seam_b.access_codes.list(device_id=b.seed["august_device_1"]) == []
    with pytest.raises(SeamHttpApiError):
        seam_b.access_codes.get(access_code_id=code.access_code_id)


def test_the_helper_controls_time_the_journal_and_reset(seam_mock):
    seam = Seam(api_key=seam_mock.api_key, endpoint=seam_mock.endpoint)
    august = seam_mock.seed["august_device_1"]
    before = seam_mock.advance_time(0)
    assert seam_mock.advance_time(3600) > before

    created = seam.access_codes.create(device_id=august, name="Default workspace")
    mine = seam_mock.requests(path="/access_codes/create", workspace_id=seam_mock.seed["seed_workspace_1"])
    assert mine and mine[-1]["status"] == 200
    seam_mock.reset()
    with pytest.raises(SeamHttpApiError):
        seam.access_codes.get(access_code_id=created.access_code_id)


def test_a_server_of_its_own_starts_reproducibly_and_stops():
    with SeamMock(rng_seed=7) as a, SeamMock(rng_seed=7) as b:
        assert a.endpoint != b.endpoint
        pins = [
            Seam(api_key=m.api_key, endpoint=m.endpoint)
            .access_codes.create(device_id=m.seed["august_device_1"])
            .code
            for m in (a, b)
        ]
        assert pins[0] == pins[1]
    assert a.process.poll() is not None and b.process.poll() is not None


def test_a_bad_flag_fails_with_the_binarys_message():
    with pytest.raises(SeamMockError, match="nonsense"):
        SeamMock(args=["--nonsense"])


def test_the_wheel_puts_the_seam_mock_command_beside_python():
    exe = Path(sysconfig.get_path("scripts")) / ("seam-mock.exe" if os.name == "nt" else "seam-mock")
    out = subprocess.run([str(exe), "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("seam-mock ")
