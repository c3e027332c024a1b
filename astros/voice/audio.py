"""Audio in and out: the microphone, the speaker, WAV files and raw PCM on standard input.

Everything the rest of the voice path sees is 16 kHz mono 16-bit audio in :class:`AudioChunk`
blocks of 32 ms; playback takes int16 samples at any rate and resamples them to what the output
takes. This is the only module that imports ``sounddevice`` (PortAudio), and it imports it only
when a live device is opened, so files and tests never need sound hardware.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
import wave
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Final, Optional, Protocol

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


class DropOldestQueue:
    """A bounded queue for live audio: when full, the oldest block is dropped and counted."""

    def __init__(self, max_blocks: int) -> None:
        self._items: deque[AudioChunk] = deque()
        self._max = max_blocks
        self._ready = asyncio.Event()
        self.dropped = 0
        """Blocks thrown away because the consumer fell behind."""

    def put(self, chunk: AudioChunk) -> None:
        """Add a block, dropping the oldest one when the queue is full."""
        if len(self._items) >= self._max:
            self._items.popleft()
            self.dropped += 1
            if self.dropped in (1, 10, 100) or self.dropped % 1000 == 0:
                _LOGGER.warning("Audio input is falling behind: %d blocks dropped", self.dropped)
        self._items.append(chunk)
        self._ready.set()

    async def get(self) -> AudioChunk:
        """The oldest block, waiting for one if none is queued."""
        while not self._items:
            self._ready.clear()
            await self._ready.wait()
        return self._items.popleft()

    def __len__(self) -> int:
        return len(self._items)


def find_device(spec: str, kind: str) -> Optional[int]:
    """The PortAudio index of the ``kind`` ("input"/"output") device named or numbered ``spec``.

    Empty ``spec`` means the system default; None when no such device is present."""
    import sounddevice as sd

    channels = f"max_{kind}_channels"
    devices = list(sd.query_devices())
    if spec.strip().isdigit():
        index = int(spec)
        return index if index < len(devices) and devices[index][channels] > 0 else None
    if spec:
        wanted = spec.casefold()
        return next((i for i, d in enumerate(devices) if wanted in d["name"].casefold() and d[channels] > 0), None)
    default = sd.default.device[0 if kind == "input" else 1]
    if default is not None and 0 <= int(default) < len(devices) and devices[int(default)][channels] > 0:
        return int(default)
    return next((i for i, d in enumerate(devices) if d[channels] > 0), None)


def rescan_devices() -> None:
    """Make PortAudio look for devices again (one plugged in after start)."""
    import sounddevice as sd

    try:
        sd._terminate()  # noqa: SLF001 - the documented way to refresh PortAudio's device list
        sd._initialize()  # noqa: SLF001
    except Exception as err:  # noqa: BLE001 - a failed rescan just means no device yet
        _LOGGER.debug("PortAudio rescan failed: %s", err)


def describe_device(spec: str) -> str:
    """How a device setting reads in a log line."""
    return repr(spec) if spec else "the default device"


class MicrophoneSource:
    """The live microphone: 32 ms blocks through a bounded queue that drops the oldest on overflow.

    A missing or vanished device is logged once and looked for again every ``retry_s`` seconds;
    meanwhile the stream simply yields nothing, and the rest of AstrOS keeps running."""

    def __init__(self, device: str = "", *, queue_blocks: int = 64, retry_s: float = 3.0) -> None:
        self.device = device
        self.retry_s = retry_s
        self.queue = DropOldestQueue(queue_blocks)
        self.connected = asyncio.Event()
        self._position = 0
        self._resampler: Any = None
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._unmuted = asyncio.Event()
        self._unmuted.set()

    def set_muted(self, muted: bool) -> None:
        """The mute button: close the input device while muted, open it again after."""
        if muted:
            self._unmuted.clear()
        else:
            self._unmuted.set()

    @property
    def muted(self) -> bool:
        """True while the device is kept closed."""
        return not self._unmuted.is_set()

    @property
    def dropped(self) -> int:
        """Blocks dropped because the pipeline fell behind."""
        return self.queue.dropped

    async def __aiter__(self) -> AsyncIterator[AudioChunk]:
        runner = asyncio.create_task(self._keep_open(), name="microphone")
        try:
            while True:
                yield await self.queue.get()
        finally:
            runner.cancel()

    async def _keep_open(self) -> None:
        self._loop = asyncio.get_running_loop()
        warned = False
        while True:
            await self._unmuted.wait()
            stream = await asyncio.to_thread(self._open)
            if stream is None:
                if not warned:
                    _LOGGER.warning("No input device found (%s); looking again every %.0f s",
                                    describe_device(self.device), self.retry_s)
                    warned = True
                await asyncio.sleep(self.retry_s)
                await asyncio.to_thread(rescan_devices)
                continue
            warned = False
            self.connected.set()
            try:
                while stream.active and not self.muted:
                    await asyncio.sleep(0.25)
                if self.muted:
                    _LOGGER.info("Microphone closed (muted)")
                else:
                    _LOGGER.warning("Input device stopped; looking for it again")
            finally:
                self.connected.clear()
                await asyncio.to_thread(_close_quietly, stream)

    def _open(self) -> Any:
        """Open and start the input stream, or None when no device is there."""
        import sounddevice as sd

        loop = self._loop
        assert loop is not None
        try:
            index = find_device(self.device, "input")
            if index is None:
                return None
            rate = _input_rate(index)
            self._resampler = None if rate == SAMPLE_RATE else _stream_resampler(rate)
            stream = sd.RawInputStream(samplerate=rate, channels=1, dtype="int16", device=index,
                                       blocksize=int(BLOCK_SAMPLES * rate / SAMPLE_RATE),
                                       callback=lambda data, frames, t, status: loop.call_soon_threadsafe(
                                           self._deliver, bytes(data)))
            stream.start()
        except Exception as err:  # noqa: BLE001 - PortAudio reports a missing device many ways
            _LOGGER.debug("Cannot open input device %s: %s", describe_device(self.device), err)
            return None
        _LOGGER.info("Listening on input device %d (%s) at %d Hz", index, sd.query_devices(index)["name"], rate)
        return stream

    def _deliver(self, data: bytes) -> None:
        samples = np.frombuffer(data, dtype="<i2").astype(np.int16)
        if self._resampler is not None:
            samples = self._resampler.resample_chunk(samples)
        if len(samples):
            self.queue.put(AudioChunk(samples, self._position / SAMPLE_RATE))
            self._position += len(samples)


def _input_rate(index: int) -> int:
    """16 kHz when the device takes it, else its own default rate."""
    import sounddevice as sd

    try:
        sd.check_input_settings(device=index, samplerate=SAMPLE_RATE, channels=1, dtype="int16")
        return SAMPLE_RATE
    except Exception:  # noqa: BLE001 - PortAudio says "invalid sample rate" as a generic error
        return int(sd.query_devices(index)["default_samplerate"])


def _stream_resampler(rate: int) -> Any:
    import soxr

    return soxr.ResampleStream(rate, SAMPLE_RATE, 1, dtype="int16")


def _close_quietly(stream: Any) -> None:
    try:
        stream.close()
    except Exception as err:  # noqa: BLE001 - closing a vanished device may fail; nothing to do
        _LOGGER.debug("Closing an audio stream failed: %s", err)


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


class SpeakerSink:
    """The live speaker, resampled to the device's own rate; a missing device is retried."""

    PIECE_S: Final = 0.05

    def __init__(self, device: str = "", *, retry_s: float = 3.0) -> None:
        self.device = device
        self.retry_s = retry_s
        self._stream: Any = None
        self._rate = 0
        self._stopped = False
        self._next_try = 0.0

    async def play(self, samples: np.ndarray, rate: int) -> None:
        self._stopped = False
        if not await asyncio.to_thread(self._ensure_open):
            await asyncio.sleep(len(samples) / rate)  # nobody hears it; keep the pace
            return
        audio = resample(samples, rate, self._rate)
        step = int(self._rate * self.PIECE_S)
        try:
            for start in range(0, len(audio), step):
                if self._stopped:
                    return
                await asyncio.to_thread(self._stream.write, audio[start : start + step].reshape(-1, 1))
            await asyncio.sleep(self._stream.latency)
        except Exception as err:  # noqa: BLE001 - a speaker unplugged mid-sentence
            _LOGGER.warning("Output device failed (%s); looking for it again", err)
            self.close()

    def stop(self) -> None:
        self._stopped = True

    def _ensure_open(self) -> bool:
        import sounddevice as sd

        if self._stream is not None:
            return True
        if time.monotonic() < self._next_try:
            return False
        try:
            index = find_device(self.device, "output")
            if index is None:
                rescan_devices()
                index = find_device(self.device, "output")
            if index is None:
                raise LookupError("not present")
            self._rate = int(sd.query_devices(index)["default_samplerate"])
            self._stream = sd.OutputStream(samplerate=self._rate, channels=1, dtype="int16", device=index)
            self._stream.start()
        except Exception as err:  # noqa: BLE001 - PortAudio reports a missing device many ways
            _LOGGER.warning("No output device (%s: %s); trying again in %.0f s",
                            describe_device(self.device), err, self.retry_s)
            self._stream, self._next_try = None, time.monotonic() + self.retry_s
            return False
        _LOGGER.info("Speaking on output device %d at %d Hz", index, self._rate)
        return True

    def close(self) -> None:
        """Release the device."""
        if self._stream is not None:
            _close_quietly(self._stream)
            self._stream = None
