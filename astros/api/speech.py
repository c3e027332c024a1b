"""Speech for the companion API: a WAV recorded on the phone in, a spoken reply out.

The API checks what it is sent (a real WAV, not too long) before anything else. Speech-to-text and
text-to-speech come from :mod:`astros.voice` (attached by the app unless ``voice.enabled = false``);
without an engine, both endpoints answer 503 "speech is not available".
"""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass
from typing import Awaitable, Callable, Final, Optional

from .errors import ApiError

MAX_AUDIO_SECONDS: Final = 60.0
WAV_TYPES: Final = frozenset({"audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave", "application/octet-stream"})

Transcriber = Callable[[bytes], Awaitable[str]]
Synthesizer = Callable[[str], Awaitable[bytes]]


@dataclass(frozen=True)
class WavInfo:
    """What a checked WAV holds."""

    sample_rate: int
    """Hertz."""
    channels: int
    sample_width: int
    """Bytes per sample."""
    seconds: float


def check_wav(content_type: str, body: bytes) -> WavInfo:
    """The WAV's format; 415 for another content type, 400 if ``body`` is not a usable WAV."""
    if content_type not in WAV_TYPES:
        raise ApiError(415, "unsupported-media-type", "send the recording as audio/wav")
    try:
        with wave.open(io.BytesIO(body), "rb") as wav:
            info = WavInfo(wav.getframerate(), wav.getnchannels(), wav.getsampwidth(), 0.0)
            frames = wav.getnframes()
    except (wave.Error, EOFError, ValueError) as err:
        raise ApiError(400, "not-wav", f"the audio is not a WAV file ({err or 'it is empty'})") from None
    if frames == 0 or info.sample_rate <= 0:
        raise ApiError(400, "not-wav", "the WAV file holds no audio")
    seconds = frames / info.sample_rate
    if seconds > MAX_AUDIO_SECONDS:
        raise ApiError(400, "audio-too-long", f"the recording is longer than {MAX_AUDIO_SECONDS:.0f} seconds")
    return WavInfo(info.sample_rate, info.channels, info.sample_width, seconds)


class Speech:
    """The speech engines the API may use; none until the voice pipeline attaches them."""

    def __init__(self) -> None:
        self.transcribe: Optional[Transcriber] = None
        self.synthesize: Optional[Synthesizer] = None

    def attach(self, transcribe: Optional[Transcriber], synthesize: Optional[Synthesizer]) -> None:
        """Use ``transcribe`` (WAV bytes -> text) and ``synthesize`` (text -> WAV bytes)."""
        self.transcribe, self.synthesize = transcribe, synthesize

    def transcriber(self) -> Transcriber:
        if self.transcribe is None:
            raise ApiError(503, "speech-unavailable", "speech is not available: no speech-to-text engine is running")
        return self.transcribe

    def synthesizer(self) -> Synthesizer:
        if self.synthesize is None:
            raise ApiError(503, "speech-unavailable", "speech is not available: no text-to-speech engine is running")
        return self.synthesize
