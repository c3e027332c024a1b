"""End of speech: voice activity detection, and the pure segmenter that decides when a command ended.

Two detectors: silero VAD (the ONNX model that ships inside faster-whisper, run with onnxruntime
one 32 ms frame at a time) and pymicro-vad (10 ms frames). :class:`EndOfSpeech` takes seconds and
speech probabilities - no audio - so tests drive it with numbers.
"""

from __future__ import annotations

import logging
from enum import StrEnum
from pathlib import Path
from typing import Final, Protocol

import numpy as np

from ..errors import ModelNotFoundError
from .audio import AudioChunk

_LOGGER = logging.getLogger(__name__)

SILENCE_PRESETS: Final = {"aggressive": 0.25, "default": 0.5, "relaxed": 1.0}  # seconds of silence
SILERO_FRAME: Final = 512  # samples
SILERO_CONTEXT: Final = 64  # samples of the previous frame the v6 model sees


class VoiceActivity(Protocol):
    """Speech probability of each block."""

    def process(self, chunk: AudioChunk) -> float: ...

    def reset(self) -> None: ...


def silero_model_path() -> Path:
    """The silero VAD model inside the faster-whisper package."""
    try:
        import faster_whisper
    except ImportError as err:
        raise ModelNotFoundError("silero VAD needs the faster-whisper package", "vad-model-missing") from err
    path = Path(faster_whisper.__file__).parent / "assets" / "silero_vad_v6.onnx"
    if not path.is_file():
        raise ModelNotFoundError(f"{path} is missing: reinstall faster-whisper", "vad-model-missing")
    return path


class SileroVad:
    """silero VAD v6, streaming: one probability per 512-sample frame, state carried between calls."""

    def __init__(self) -> None:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.inter_op_num_threads = 1
        options.intra_op_num_threads = 1
        options.log_severity_level = 4
        self.session = onnxruntime.InferenceSession(
            str(silero_model_path()), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self.reset()

    def reset(self) -> None:
        self._h = np.zeros((1, 1, 128), np.float32)
        self._c = np.zeros((1, 1, 128), np.float32)
        self._context = np.zeros(SILERO_CONTEXT, np.float32)
        self._pending = np.zeros(0, np.float32)

    def process(self, chunk: AudioChunk) -> float:
        """The highest speech probability of the frames completed by this block."""
        audio = np.concatenate([self._pending, chunk.samples.astype(np.float32) / 32768.0])
        best = 0.0
        while len(audio) >= SILERO_FRAME:
            frame, audio = audio[:SILERO_FRAME], audio[SILERO_FRAME:]
            window = np.concatenate([self._context, frame])[np.newaxis, :]
            out, self._h, self._c = self.session.run(None, {"input": window, "h": self._h, "c": self._c})
            self._context = frame[-SILERO_CONTEXT:]
            best = max(best, float(out.reshape(-1)[0]))
        self._pending = audio
        return best


class MicroVad:
    """pymicro-vad: the mean speech probability of the block's 10 ms frames."""

    FRAME: Final = 160  # samples

    def __init__(self) -> None:
        from pymicro_vad import MicroVad as _Vad

        self._vad = _Vad()
        self._pending = b""

    def reset(self) -> None:
        self._vad.reset()
        self._pending = b""

    def process(self, chunk: AudioChunk) -> float:
        data = self._pending + chunk.pcm
        step = self.FRAME * 2
        scores = [self._vad.process_10ms(data[i : i + step]) for i in range(0, len(data) - step + 1, step)]
        self._pending = data[len(scores) * step :]
        scores = [s for s in scores if s >= 0]
        return float(sum(scores) / len(scores)) if scores else 0.0


def make_vad(kind: str) -> VoiceActivity:
    """The detector named in ``voice.vad``: ``silero`` or ``micro``."""
    return SileroVad() if kind == "silero" else MicroVad()


class Segment(StrEnum):
    """Where a command is, as far as the segmenter can tell."""

    WAITING = "waiting"
    """Nobody has spoken yet."""
    SPEAKING = "speaking"
    DONE = "done"
    """Speech, then enough silence (or the maximum length): the command is complete."""
    TIMEOUT = "timeout"
    """Nobody spoke in time."""


class EndOfSpeech:
    """Pure end-of-speech decision from (seconds, speech probability) steps.

    Speech starts after ``start_s`` of frames over ``threshold``; it goes on while frames stay over
    ``threshold - 0.15`` (hysteresis), and ends after ``silence_s`` below it. Speech shorter than
    ``min_speech_s`` is ignored (a cough); ``max_s`` cuts a command off; ``timeout_s`` gives up
    when nobody speaks."""

    def __init__(self, silence_s: float = 0.5, *, min_speech_s: float = 0.3, max_s: float = 15.0,
                 timeout_s: float = 5.0, threshold: float = 0.5, start_s: float = 0.06) -> None:
        self.silence_s = silence_s
        self.min_speech_s = min_speech_s
        self.max_s = max_s
        self.timeout_s = timeout_s
        self.threshold = threshold
        self.start_s = start_s
        self.elapsed_s = 0.0
        self.speech_s = 0.0
        """Seconds of speech so far."""
        self.speech_end_s = 0.0
        """Elapsed seconds at the end of the last speech frame."""
        self.silence_run_s = 0.0
        self.state = Segment.WAITING
        self._run_s = 0.0

    def process(self, seconds: float, probability: float) -> Segment:
        """Take one step of ``seconds`` with speech ``probability``; returns the new state."""
        self.elapsed_s += seconds
        speaking = self.state is Segment.SPEAKING
        if probability >= (self.threshold - 0.15 if speaking else self.threshold):
            self._voiced(seconds)
        else:
            self._unvoiced(seconds)
        if self.state in (Segment.DONE, Segment.TIMEOUT):
            return self.state
        if self.elapsed_s >= self.max_s:
            self.state = Segment.DONE if self.speech_s >= self.min_speech_s else Segment.TIMEOUT
        elif self.state is Segment.WAITING and self.elapsed_s >= self.timeout_s:
            self.state = Segment.TIMEOUT
        return self.state

    def _voiced(self, seconds: float) -> None:
        self._run_s += seconds
        self.silence_run_s = 0.0
        if self.state is Segment.WAITING and self._run_s >= self.start_s:
            self.state = Segment.SPEAKING
            self.speech_s += self._run_s - seconds
        if self.state is Segment.SPEAKING:
            self.speech_s += seconds
            self.speech_end_s = self.elapsed_s

    def _unvoiced(self, seconds: float) -> None:
        self._run_s = 0.0
        self.silence_run_s += seconds
        if self.state is not Segment.SPEAKING or self.silence_run_s < self.silence_s:
            return
        if self.speech_s >= self.min_speech_s:
            self.state = Segment.DONE
        else:  # too short to be a command: wait for more
            self.state, self.speech_s = Segment.WAITING, 0.0
