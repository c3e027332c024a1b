"""Voice test fixtures: the real engines loaded once per session, real recordings, a real agent."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import AsyncIterator

import numpy as np
import pytest

from astros.agent import AstrOSAgent
from astros.config import AstrOSConfig, WakeWordConfig, parse_config
from astros.voice.audio import SAMPLE_RATE, WavFileSink, read_audio, resample
from astros.voice.engines import VoiceEngines

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
COMMANDS = DATA / "speech" / "commands"
WAKE = DATA / "wake"

HOME_TOML = """
timezone = "UTC"
[home]
area = "Living Room"
[[home.areas]]
name = "Kitchen"
[[home.areas]]
name = "Living Room"
[[home.areas]]
name = "Office"
[[home.devices]]
name = "Kitchen lights"
domain = "light"
area = "Kitchen"
[[home.devices]]
name = "Living room lamp"
domain = "light"
area = "Living Room"
"""


def recording(name: str) -> np.ndarray:
    """A command recording from the shared data, 16 kHz mono int16."""
    return read_audio(COMMANDS / f"{name}.wav")


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * SAMPLE_RATE), np.int16)


def spoken_command(command: str, wake: str = "hey_jarvis") -> np.ndarray:
    """Half a second of quiet, the wake word, the command, as a person would say it."""
    return np.concatenate([silence(0.5), read_audio(WAKE / "wyoming_openwakeword" / f"{wake}.wav"), recording(command)])


async def heard_from(sink: WavFileSink, engines: VoiceEngines) -> str:
    """What open dictation hears in what the appliance played, in lower case: a reply is not one of the
    home's commands, so the grammar the pipeline gave the engines is left out."""
    audio = resample(sink.audio, sink.rate, SAMPLE_RATE)
    return (await asyncio.to_thread(engines.stt.transcribe_sync, audio, commands=False)).text.lower()


def voice_config(tmp_path: Path, voice_toml: str = "") -> AstrOSConfig:
    return parse_config(f'data_dir = "{tmp_path / "data"}"\n{HOME_TOML}\n[voice]\n{voice_toml}', "test.toml")


@pytest.fixture(scope="session")
def engines() -> VoiceEngines:
    """Every voice model, loaded once: hey_jarvis (microWakeWord), silero VAD, tiny.en, joe."""
    return VoiceEngines.load(AstrOSConfig().voice, [WakeWordConfig("hey_jarvis")])


@pytest.fixture
async def agent(tmp_path: Path) -> AsyncIterator[AstrOSAgent]:
    """A real agent on a temporary data directory."""
    async with AstrOSAgent(config=voice_config(tmp_path)) as running:
        yield running
