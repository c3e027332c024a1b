"""Live sound devices through sounddevice (PortAudio): the microphone and the speaker.

The microphone delivers 16 kHz mono 16-bit :class:`~astros.voice.audio.AudioChunk` blocks through a
bounded queue that drops the oldest block when the pipeline falls behind; the speaker takes int16
samples at any rate and resamples them to the device's own. A device that is missing or vanishes is
looked for again every few seconds while the rest of AstrOS keeps running. ``sounddevice`` is
imported only when a device is opened, so files and tests never need sound hardware.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections import deque
from collections.abc import AsyncIterator
from typing import Any, Final, Optional

import numpy as np

from .audio import BLOCK_SAMPLES, SAMPLE_RATE, AudioChunk, resample

_LOGGER = logging.getLogger(__name__)

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


RESCAN_MAX_AGE_S: Final = 60.0  # a rescan at least this often, for changes the signature cannot see
_last_scan: tuple[tuple[str, ...], float] = ((), float("-inf"))


def device_signature() -> tuple[str, ...]:
    """What changes when a sound device or sound server comes or goes, and costs nothing to read:
    ALSA's device nodes and the PulseAudio/PipeWire sockets that exist."""
    try:
        nodes = sorted(os.listdir("/dev/snd"))
    except OSError:
        nodes = []
    return tuple(nodes) + tuple(path for path in _server_sockets() if os.path.exists(path))


def _server_sockets() -> list[str]:
    """Where this process's sound server would be listening."""
    runtime = os.environ.get("XDG_RUNTIME_DIR", f"/run/user/{os.getuid()}")
    sockets = [f"{runtime}/pulse/native", f"{runtime}/pipewire-0", "/run/pulse/native"]
    server = os.environ.get("PULSE_SERVER", "")
    if server.startswith("unix:"):
        sockets.append(server[len("unix:"):])
    if os.environ.get("PULSE_RUNTIME_PATH"):
        sockets.append(os.path.join(os.environ["PULSE_RUNTIME_PATH"], "native"))
    return sockets


def rescan_devices(force: bool = False) -> bool:
    """Make PortAudio look for devices again (one plugged in after start), when the
    :func:`device_signature` changed since its last look or that look is older than
    :data:`RESCAN_MAX_AGE_S` (PortAudio's rescan takes tens of milliseconds of CPU; the signature
    takes microseconds). Returns True when it looked."""
    global _last_scan
    signature, now = device_signature(), time.monotonic()
    if not force and signature == _last_scan[0] and now - _last_scan[1] < RESCAN_MAX_AGE_S:
        return False
    _last_scan = (signature, now)
    import sounddevice as sd

    try:
        sd._terminate()  # noqa: SLF001 - the documented way to refresh PortAudio's device list
        sd._initialize()  # noqa: SLF001
    except Exception as err:  # noqa: BLE001 - a failed rescan just means no device yet
        _LOGGER.debug("PortAudio rescan failed: %s", err)
    return True


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
                await asyncio.to_thread(_close_quietly, stream)
                self.connected.clear()

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


class SpeakerSink:
    """The live speaker, resampled to the device's own rate; a missing device is retried.

    Samples are written from one worker thread into a device buffer of :attr:`BUFFER_S`, so a
    loaded machine (the event loop or the writer late by a few tens of milliseconds) does not
    starve the device mid-word: with PortAudio's low-latency default of about 9 ms such a delay
    drops a piece of the reply ("Timer set" heard as "Time or set"). The buffer does not delay
    the first sample, which is played as soon as it is written to an idle device."""

    PIECE_S: Final = 0.05  # written at a time; a stop is noticed between pieces
    BUFFER_S: Final = 0.1  # the device's buffer: how late the writer may be without a gap
    AHEAD_S: Final = 0.05  # left in the buffer when play() returns, so the next sentence follows on

    def __init__(self, device: str = "", *, retry_s: float = 3.0) -> None:
        self.device = device
        self.retry_s = retry_s
        self._stream: Any = None
        self._rate = 0
        self._stopped = False
        self._next_try = 0.0
        self._buffer_frames = 0

    async def play(self, samples: np.ndarray, rate: int) -> None:
        """Play ``samples``; returns when all but :attr:`AHEAD_S` of them have been heard, or soon
        after :meth:`stop`."""
        self._stopped = False
        if not await asyncio.to_thread(self._ensure_open):
            await asyncio.sleep(len(samples) / rate)  # nobody hears it; keep the pace
            return
        audio = resample(samples, rate, self._rate)
        try:
            if await asyncio.to_thread(self._write, audio):
                await self._wait_played()
        except Exception as err:  # noqa: BLE001 - a speaker unplugged mid-sentence
            _LOGGER.warning("Output device failed (%s); looking for it again", err)
            self.close()

    def stop(self) -> None:
        """Cut the sound short: the writer and :meth:`play`'s wait notice it within a piece."""
        self._stopped = True

    def _write(self, audio: np.ndarray) -> bool:
        """Write ``audio`` piece by piece from one worker thread, so a busy event loop between
        pieces cannot leave the device without samples; False (and the buffer emptied) when
        :meth:`stop` cut it short."""
        step = int(self._rate * self.PIECE_S)
        for start in range(0, len(audio), step):
            if self._stopped:
                self._silence()
                return False
            self._stream.write(audio[start : start + step].reshape(-1, 1))
        return True

    async def _wait_played(self) -> None:
        """Wait until only :attr:`AHEAD_S` is left in the device's buffer (or :meth:`stop`)."""
        buffered = max(0, self._buffer_frames - self._stream.write_available) / self._rate
        deadline = time.monotonic() + buffered - self.AHEAD_S
        while time.monotonic() < deadline:
            if self._stopped:
                await asyncio.to_thread(self._silence)
                return
            await asyncio.sleep(min(self.PIECE_S, max(0.0, deadline - time.monotonic())))

    def _silence(self) -> None:
        """Drop what the device still has buffered (barge-in must not finish the sentence)."""
        self._stream.abort()
        self._stream.start()

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
            self._stream = sd.OutputStream(samplerate=self._rate, channels=1, dtype="int16", device=index,
                                           latency=self.BUFFER_S)
            self._stream.start()
            self._buffer_frames = self._stream.write_available
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
