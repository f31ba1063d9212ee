"""seam-mock through the `seam` package from PyPI: what a user changes about devices and locks
(contract §13) — `devices.update` (PATCH: nickname, metadata, unmanaging),
`devices.unmanaged.list|update`, `connected_accounts.delete` (DELETE + query), and
`locks.configure_auto_lock` and `workspaces.reset_sandbox`, whose action attempts the SDK
waits on."""

import pytest

from seam.exceptions import SeamHttpApiError


def test_update_renames_and_merges_metadata(seam, seed):
    august = seed["august_device_1"]

    seam.devices.update(device_id=august, name="Porch Door", custom_metadata={"unit": "4B"})

    device = seam.devices.get(device_id=august)
    assert (device.display_name, device.nickname) == ("Porch Door", "Porch Door")
    assert device.custom_metadata == {"unit": "4B"}
    events = seam.events.list(event_type="device.name_changed")
    assert [(e.device_id, e.device_name) for e in events] == [(august, "Porch Door")]


def test_an_unmanaged_device_moves_to_the_unmanaged_routes_and_back(seam, seed):
    august = seed["august_device_2"]

    seam.devices.update(device_id=august, is_managed=False)

    assert august not in [d.device_id for d in seam.devices.list()]
    unmanaged = seam.devices.unmanaged.list()
    assert [(d.device_id, d.is_managed) for d in unmanaged] == [(august, False)]
    with pytest.raises(SeamHttpApiError) as e:
        seam.devices.get(device_id=august)
    assert e.value.code == "device_not_found"

    seam.devices.unmanaged.update(device_id=august, is_managed=True)
    assert seam.devices.get(device_id=august).is_managed


def test_a_deleted_account_takes_its_devices_and_reset_sandbox_brings_them_back(seam, seed):
    jane = seed["jane_connected_account_id"]

    seam.connected_accounts.delete(connected_account_id=jane)

    assert all(d.connected_account_id != jane for d in seam.devices.list())
    attempt = seam.workspaces.reset_sandbox()
    assert (attempt.action_type, attempt.status) == ("RESET_SANDBOX_WORKSPACE", "success")
    assert any(d.connected_account_id == jane for d in seam.devices.list())


def test_configure_auto_lock_waits_for_success_and_sets_the_properties(seam, seed):
    august = seed["august_device_1"]

    attempt = seam.locks.configure_auto_lock(
        device_id=august, auto_lock_enabled=True, auto_lock_delay_seconds=30
    )

    assert (attempt.action_type, attempt.status) == ("CONFIGURE_AUTO_LOCK", "success")
    lock = seam.locks.get(device_id=august)
    assert lock.properties.auto_lock_enabled is True
    assert lock.properties.auto_lock_delay_seconds == 30
