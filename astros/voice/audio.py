"""Audio as the voice path sees it: blocks, conversions, WAV files and raw PCM on standard input.

Everything the rest of the voice path sees is 16 kHz mono 16-bit audio in :class:`AudioChunk`
blocks of 32 ms; sinks take int16 samples at any rate. Any WAV (other rates, stereo) is converted
on reading. The live microphone and speaker are in :mod:`astros.voice.devices`.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
import wave
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Final, Optional, Protocol

import numpy as np

from . import AudioFormatError

_LOGGER = logging.getLogger(__name__)

SAMPLE_RATE: Final = 16_000  # hertz
BLOCK_SAMPLES: Final = 512  # 32 ms at 16 kHz: one silero VAD frame
SAMPLE_WIDTH: Final = 2  # bytes, 16-bit


@dataclass(frozen=True, slots=True)
class AudioChunk:
    """A block of 16 kHz mono int16 audio and where it starts in the stream."""

    samples: np.ndarray
    start_s: float
    """Seconds from the start of the stream to the first sample."""

    @property
    def seconds(self) -> float:
        """Length in seconds."""
        return len(self.samples) / SAMPLE_RATE

    @property
    def end_s(self) -> float:
        """Seconds from the start of the stream to the end of this block."""
        return self.start_s + self.seconds

    @property
    def pcm(self) -> bytes:
        """The samples as raw little-endian 16-bit PCM."""
        return self.samples.astype("<i2", copy=False).tobytes()


def resample(samples: np.ndarray, from_rate: int, to_rate: int) -> np.ndarray:
    """``samples`` (int16 mono) at ``to_rate`` hertz."""
    if from_rate == to_rate or not len(samples):
        return samples.astype(np.int16, copy=False)
    import soxr

    return soxr.resample(samples.astype(np.int16, copy=False), from_rate, to_rate)


def to_mono_int16(data: np.ndarray, rate: int) -> np.ndarray:
    """Frames of any sample type (ints or floats; (n,) or (n, channels)) as 16 kHz mono int16."""
    if data.dtype == np.int16 and (data.ndim == 1 or data.shape[1] == 1):
        return resample(data.reshape(-1).astype(np.int16), rate, SAMPLE_RATE)
    if np.issubdtype(data.dtype, np.floating):
        floats = data.astype(np.float32)
    elif data.dtype == np.uint8:
        floats = (data.astype(np.float32) - 128.0) / 128.0
    else:
        floats = data.astype(np.float32) / float(np.iinfo(data.dtype).max + 1)
    if floats.ndim == 2:
        floats = floats.mean(axis=1)
    pcm = np.clip(floats * 32768.0, -32768, 32767).astype(np.int16)
    return resample(pcm, rate, SAMPLE_RATE)


def read_audio(path: str | Path) -> np.ndarray:
    """The audio of file ``path`` as 16 kHz mono int16 (any rate, channels or sample format).

    Raises:
        AudioFormatError: the file is missing or is not audio.
    """
    path = Path(path)
    if not path.is_file():
        raise AudioFormatError(f"{path}: no such file", "audio-missing")
    try:
        return _read_wav(path)
    except (wave.Error, EOFError, ValueError):
        return _read_with_av(path)


_WAV_TYPES: Final = {1: np.uint8, 2: np.int16, 4: np.int32}


def _read_wav(path: Path) -> np.ndarray:
    with wave.open(str(path), "rb") as wav:
        width, channels, rate = wav.getsampwidth(), wav.getnchannels(), wav.getframerate()
        raw = wav.readframes(wav.getnframes())
    if width == 3:  # 24-bit: widen to 32-bit
        triples = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3)
        raw = np.pad(triples, ((0, 0), (1, 0))).tobytes()
        width = 4
    if width not in _WAV_TYPES:
        raise ValueError(f"unsupported sample width {width}")
    data = np.frombuffer(raw, dtype=np.dtype(_WAV_TYPES[width]).newbyteorder("<"))
    return to_mono_int16(data.reshape(-1, channels), rate)


def _read_with_av(path: Path) -> np.ndarray:
    """Decode what the wave module cannot (float WAV, FLAC, MP3...) with PyAV."""
    import av

    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                raise AudioFormatError(f"{path}: has no audio in it", "audio-format")
            resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
            parts = [
                out.to_ndarray().reshape(-1)
                for frame in container.decode(audio=0)
                for out in resampler.resample(frame)
            ]
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as err:
        raise AudioFormatError(f"{path}: not an audio file AstrOS can read ({err})", "audio-format") from err
    return np.concatenate(parts).astype(np.int16) if parts else np.zeros(0, np.int16)


def write_wav(path: str | Path, samples: np.ndarray, rate: int) -> None:
    """Write int16 mono ``samples`` at ``rate`` hertz to a WAV file."""
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(SAMPLE_WIDTH)
        wav.setframerate(rate)
        wav.writeframes(samples.astype("<i2", copy=False).tobytes())


def chunks_of(samples: np.ndarray, start_s: float = 0.0, block: int = BLOCK_SAMPLES) -> list[AudioChunk]:
    """``samples`` cut into blocks (the last one may be shorter)."""
    return [
        AudioChunk(samples[i : i + block], start_s + i / SAMPLE_RATE) for i in range(0, len(samples), block)
    ]


class AudioSource(Protocol):
    """Anything that yields 16 kHz mono blocks: a microphone, a file, standard input."""

    def __aiter__(self) -> AsyncIterator[AudioChunk]: ...


class WavFileSource:
    """A recording played as if it came from the microphone.

    ``realtime`` paces the blocks at the speed of real audio; ``trailing_silence_s`` adds silence
    after the recording, as a microphone would keep delivering it (``stop()`` ends it early).
    """

    def __init__(self, audio: str | Path | np.ndarray, *, realtime: bool = False, trailing_silence_s: float = 0.0):
        self.samples = audio if isinstance(audio, np.ndarray) else read_audio(audio)
        self.realtime = realtime
        self.trailing_silence_s = trailing_silence_s
        self.started_at = 0.0
        """``time.monotonic()`` when the first block was delivered."""
        self._stopped = False

    def stop(self) -> None:
        """End the stream after the current block."""
        self._stopped = True

    async def __aiter__(self) -> AsyncIterator[AudioChunk]:
        silence = np.zeros(int(self.trailing_silence_s * SAMPLE_RATE), np.int16)
        self.started_at = time.monotonic()
        for chunk in chunks_of(np.concatenate([self.samples, silence])):
            if self._stopped:
                return
            if self.realtime:
                delay = self.started_at + chunk.end_s - time.monotonic()
                await asyncio.sleep(max(0.0, delay))
            else:
                await asyncio.sleep(0)
            yield chunk


class StdinSource:
    """Raw 16 kHz mono signed 16-bit little-endian PCM read from a binary stream (standard input)."""

    def __init__(self, stream: Optional[BinaryIO] = None) -> None:
        self.stream = stream if stream is not None else sys.stdin.buffer

    async def __aiter__(self) -> AsyncIterator[AudioChunk]:
        position = 0
        pending = b""
        while True:
            data = await asyncio.to_thread(self.stream.read, BLOCK_SAMPLES * SAMPLE_WIDTH)
            if not data:
                return
            pending += data
            usable = len(pending) - len(pending) % SAMPLE_WIDTH
            samples = np.frombuffer(pending[:usable], dtype="<i2").astype(np.int16)
            pending = pending[usable:]
            if len(samples):
                yield AudioChunk(samples, position / SAMPLE_RATE)
                position += len(samples)


class AudioSink(Protocol):
    """Where replies and earcons go: a speaker or a file."""

    async def play(self, samples: np.ndarray, rate: int) -> None:
        """Play int16 mono ``samples`` at ``rate`` hertz; returns when they have been played."""

    def stop(self) -> None:
        """Cut short what is playing now (barge-in)."""


class WavFileSink:
    """Collects everything played, to write it to a WAV file; ``realtime`` takes as long as playing."""

    def __init__(self, rate: int = 22_050, *, realtime: bool = False) -> None:
        self.rate = rate
        self.realtime = realtime
        self.parts: list[np.ndarray] = []
        self._stopped = asyncio.Event()

    async def play(self, samples: np.ndarray, rate: int) -> None:
        self._stopped.clear()
        audio = resample(samples, rate, self.rate)
        if not self.realtime:
            self.parts.append(audio)
            await asyncio.sleep(0)
            return
        step = self.rate // 20  # 50 ms
        for start in range(0, len(audio), step):
            if self._stopped.is_set():
                return
            self.parts.append(audio[start : start + step])
            await asyncio.sleep(step / self.rate)

    def stop(self) -> None:
        self._stopped.set()

    @property
    def audio(self) -> np.ndarray:
        """Everything played so far, at ``rate``."""
        return np.concatenate(self.parts) if self.parts else np.zeros(0, np.int16)

    def write(self, path: str | Path) -> None:
        """Write what was played to ``path``."""
        write_wav(path, self.audio, self.rate)
