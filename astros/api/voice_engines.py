"""AstrOS's own speech engines for the companion API: faster-whisper in, piper out.

They are the voice's own (:func:`astros.voice.engines.shared_stt` and ``shared_tts``): loaded in a
worker thread the first time a phone sends a recording or asks for speech, unless the voice has
loaded them already (loading takes seconds and most homes never use it), then kept for the life
of the appliance. While the voice listens, a recording is transcribed as it hears a spoken command.
"""

from __future__ import annotations

import asyncio
import io
import wave
from typing import Any, Optional

import numpy as np

from ..config import AstrOSConfig
from ..errors import ModelNotFoundError
from .errors import ApiError
from .speech import Speech

_SAMPLE_TYPES = {1: np.uint8, 2: np.int16, 4: np.int32}


def wav_to_samples(wav_bytes: bytes) -> tuple[np.ndarray, int]:
    """The WAV's frames as an array (frames x channels) and its rate in hertz."""
    with wave.open(io.BytesIO(wav_bytes), "rb") as wav:
        rate, channels, width = wav.getframerate(), wav.getnchannels(), wav.getsampwidth()
        frames = wav.readframes(wav.getnframes())
    if width not in _SAMPLE_TYPES:
        raise ValueError(f"{width * 8}-bit samples are not supported; send 8, 16 or 32-bit PCM")
    data = np.frombuffer(frames, dtype=np.dtype(_SAMPLE_TYPES[width]).newbyteorder("<"))
    return data.reshape(-1, channels), rate


def samples_to_wav(samples: np.ndarray, rate: int) -> bytes:
    """int16 mono ``samples`` at ``rate`` hertz as WAV bytes."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(samples.astype("<i2", copy=False).tobytes())
    return buffer.getvalue()


class VoiceEnginesForApi:
    """Speech-to-text and text-to-speech from :mod:`astros.voice`, loaded on first use."""

    def __init__(self, config: AstrOSConfig) -> None:
        self.voice = config.voice
        self._stt: Optional[Any] = None
        self._tts: Optional[Any] = None
        self._lock = asyncio.Lock()

    async def transcribe(self, wav_bytes: bytes) -> str:
        """What is said in a WAV recording."""
        from ..voice.audio import to_mono_int16

        try:
            data, rate = wav_to_samples(wav_bytes)
        except (ValueError, wave.Error) as err:
            raise ApiError(400, "not-wav", f"the WAV cannot be read: {err}") from None
        samples = await asyncio.to_thread(to_mono_int16, data, rate)
        stt = await self._load("stt")
        return (await stt.transcribe(samples)).text

    async def synthesize(self, text: str) -> bytes:
        """``text`` spoken, as WAV bytes."""
        tts = await self._load("tts")
        audio = await asyncio.to_thread(tts.synthesize_all, text)
        return samples_to_wav(audio.samples, audio.rate)

    async def _load(self, which: str) -> Any:
        try:
            return await self._load_once(which)
        except (ImportError, ModelNotFoundError) as err:
            raise ApiError(503, "speech-unavailable", f"speech is not available: {err}") from err

    async def _load_once(self, which: str) -> Any:
        async with self._lock:
            from ..voice.engines import shared_stt, shared_tts

            if which == "stt" and self._stt is None:
                self._stt = await asyncio.to_thread(shared_stt, self.voice)
            if which == "tts" and self._tts is None:
                self._tts = await asyncio.to_thread(shared_tts, self.voice)
        return self._stt if which == "stt" else self._tts


def attach_voice_engines(speech: Speech, config: AstrOSConfig) -> None:
    """Give the API AstrOS's speech engines, unless the voice is disabled."""
    if config.voice.enabled:
        engines = VoiceEnginesForApi(config)
        speech.attach(engines.transcribe, engines.synthesize)
