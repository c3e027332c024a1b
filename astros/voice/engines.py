"""The voice engines loaded once and kept warm: wake words, voice activity, speech to text, piper."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Optional

from ..config import VoiceConfig, WakeWordConfig
from ..system.heap import release_free_memory
from .stt import WhisperSpeechToText
from .tts import PiperTextToSpeech
from .vad import VoiceActivity, make_vad
from .wake import WakeWordDetector

_LOGGER = logging.getLogger(__name__)


@dataclass
class VoiceEngines:
    """Every model the pipeline needs, loaded; ``wake`` is None when listening starts without one."""

    wake: Optional[WakeWordDetector]
    vad: VoiceActivity
    stt: WhisperSpeechToText
    tts: PiperTextToSpeech

    @classmethod
    def load(cls, config: VoiceConfig, wake_words: Optional[Sequence[WakeWordConfig]] = None,
             *, warm_up: bool = True) -> "VoiceEngines":
        """Load (and warm up) every engine; blocking, so call it in a worker thread.

        ``wake_words`` overrides the configured ones; an empty list loads no wake-word model."""
        started = time.perf_counter()
        words = config.wake_words if wake_words is None else wake_words
        wake, vad, stt = WakeWordDetector(words) if words else None, make_vad(config.vad), shared_stt(config)
        if warm_up:
            stt.warm_up()
            release_free_memory()  # what Whisper's warm-up used goes back before piper loads: a lower peak
        engines = cls(wake=wake, vad=vad, stt=stt, tts=shared_tts(config))
        if warm_up:
            engines.tts.warm_up()
        release_free_memory()
        _LOGGER.info("Voice engines ready in %.1f s", time.perf_counter() - started)
        return engines


_SHARED: dict[Hashable, Any] = {}
_SHARED_LOCK = threading.Lock()


def shared_stt(config: VoiceConfig) -> WhisperSpeechToText:
    """The process's speech to text for the configured model, beam size and language, loaded on
    first use (blocking): the voice and the companion API's ``/audio`` use one copy (about 60 MB)."""
    return _shared(("stt", config.stt_model, config.stt_beam_size, config.stt_language), lambda: WhisperSpeechToText(
        config.stt_model, beam_size=config.stt_beam_size, language=config.stt_language))


def shared_tts(config: VoiceConfig) -> PiperTextToSpeech:
    """The process's piper voice, loaded on first use (blocking): the voice and the companion API's
    ``/tts`` and ``/audio?speak=true`` use one copy (about 75 MB)."""
    return _shared(("tts", config.tts_voice), lambda: PiperTextToSpeech(config.tts_voice))


def _shared(key: Hashable, load: Callable[[], Any]) -> Any:
    with _SHARED_LOCK:
        if key not in _SHARED:
            _SHARED[key] = load()
        return _SHARED[key]


def wake_word_override(config: VoiceConfig, name: str) -> list[WakeWordConfig]:
    """The wake words for ``--wake-word NAME``: the configured entry of that name, else the built-in
    model (a path to a .json or .tflite file picks the matching engine); ``none``: no wake word."""
    if name.lower() == "none":
        return []
    for entry in config.wake_words:
        if entry.name == name:
            return [entry]
    if name.endswith(".json"):
        return [WakeWordConfig(name=name, engine="microwakeword", model=name)]
    if name.endswith(".tflite"):
        return [WakeWordConfig(name=name, engine="openwakeword", model=name)]
    engine = "openwakeword" if name == "hey_rhasspy" else "microwakeword"
    return [WakeWordConfig(name=name, engine=engine)]
