"""POST /api/v1/audio and /api/v1/tts with AstrOS's real speech engines (whisper and piper)."""

from __future__ import annotations

import asyncio
import base64
import io
import wave
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
import pytest
import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer

from astros.agent import AstrOSAgent
from astros.api import create_app
from astros.api.keys import AUTH
from astros.api.voice_engines import samples_to_wav, wav_to_samples
from astros.config import AstrOSConfig, parse_config
from astros.voice.engines import VoiceEngines

from .conftest import PASSWORD, free_port

pytestmark = pytest.mark.asyncio(loop_scope="module")
pytest.importorskip("faster_whisper")
pytest.importorskip("piper")


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def client(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[TestClient]:
    data: Path = tmp_path_factory.mktemp("speech")
    config = parse_config(f'data_dir = "{data}"\ntimezone = "UTC"\n', "speech-test.toml")
    app = create_app(AstrOSAgent(config=config))
    test_client = TestClient(TestServer(app, host="127.0.0.1", port=free_port()))
    await test_client.start_server()
    await app[AUTH].add_user("ann", PASSWORD)
    reply = await test_client.post("/api/v1/auth/login", json={"username": "ann", "password": PASSWORD})
    test_client.headers = {"Authorization": f"Bearer {(await reply.json())['data']['token']}"}  # type: ignore[attr-defined]
    try:
        yield test_client
    finally:
        await test_client.close()


def recorded(spoken: bytes, quiet_s: float = 0.5) -> bytes:
    """``spoken`` (a WAV) with the quiet before and after it that a phone's recording has: piper's
    sound starts at its first sample, and tiny.en then sometimes misses the first word (1 in 30
    "at a timer for five minutes"; 0 in 60 with the quiet)."""
    samples, rate = wav_to_samples(spoken)  # piper's: int16 mono
    quiet = np.zeros(int(quiet_s * rate), np.int16)
    return samples_to_wav(np.concatenate([quiet, samples[:, 0], quiet]), rate)


@pytest.mark.timeout(300)
async def test_tts_speaks_and_audio_understands_the_recording(client: TestClient) -> None:
    headers = client.headers  # type: ignore[attr-defined]
    reply = await client.post("/api/v1/tts", json={"text": "Set a timer for five minutes."}, headers=headers)
    assert reply.status == 200, await reply.text()
    assert reply.content_type == "audio/wav"
    spoken = await reply.read()
    with wave.open(io.BytesIO(spoken)) as wav:
        assert wav.getnframes() / wav.getframerate() > 0.8
    reply = await client.post("/api/v1/audio?speak=true", data=recorded(spoken),
                              headers={**headers, "Content-Type": "audio/wav"})
    body = await reply.json()
    assert reply.status == 200, body
    assert "timer" in body["transcript"].lower()
    assert body["message"] == "Timer set for 5 minutes."
    with wave.open(io.BytesIO(base64.b64decode(body["audio"]))) as wav:  # the reply, spoken
        assert wav.getnframes() / wav.getframerate() > 0.5


async def test_the_voice_uses_the_models_the_api_loaded(client: TestClient) -> None:
    """Run after the test above: the API has its whisper and piper; the voice gets the same ones."""
    before = resident_mb()
    engines = await asyncio.to_thread(VoiceEngines.load, AstrOSConfig().voice, [], warm_up=False)
    assert engines.stt.load_s >= 0 and engines.tts.rate > 0
    assert resident_mb() - before < 40  # the VAD only: a second whisper and piper would add about 130 MB


def resident_mb() -> float:
    """This process's resident memory."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS in /proc/self/status")
