"""Looking for sound devices: PortAudio lists them again only when something changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from astros.voice import devices


def test_a_rescan_happens_only_when_the_signature_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    socket = tmp_path / "native"
    monkeypatch.setenv("PULSE_SERVER", f"unix:{socket}")
    assert devices.rescan_devices() is True  # first look since the signature was set
    assert devices.rescan_devices() is False  # nothing changed: no PortAudio rescan
    socket.write_text("")  # a sound server starts
    assert str(socket) in devices.device_signature()
    assert devices.rescan_devices() is True
    assert devices.rescan_devices() is False
    assert devices.rescan_devices(force=True) is True


def test_an_old_look_is_renewed(monkeypatch: pytest.MonkeyPatch) -> None:
    devices.rescan_devices(force=True)
    monkeypatch.setattr(devices, "RESCAN_MAX_AGE_S", 0.0)
    assert devices.rescan_devices() is True
