"""The voice as part of the running appliance: a fault that stops it is reported, not swallowed."""

from __future__ import annotations

import asyncio
import logging
from types import SimpleNamespace

from astros.config import AstrOSConfig
from astros.voice.service import VoiceService


async def test_a_fault_that_stops_the_voice_is_logged(monkeypatch, caplog) -> None:
    async def broken(self) -> None:
        raise RuntimeError("the microphone driver fell over")

    monkeypatch.setattr(VoiceService, "run_forever", broken)
    caplog.set_level(logging.ERROR, logger="astros.voice.service")
    async with VoiceService(SimpleNamespace(config=AstrOSConfig())):
        await asyncio.sleep(0.05)
    assert "Voice stopped by a fault: the microphone driver fell over" in caplog.text
