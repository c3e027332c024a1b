"""Audio in and out without hardware: any WAV in, clear errors, bounded live queue."""

from __future__ import annotations

import asyncio
import io
import wave

import numpy as np
import pytest

from astros.voice import AudioFormatError
from astros.voice.audio import SAMPLE_RATE, AudioChunk, StdinSource, WavFileSink, WavFileSource, read_audio, write_wav
from astros.voice.devices import DropOldestQueue

from .conftest import COMMANDS


def test_stereo_44k_wav_becomes_16k_mono(tmp_path) -> None:
    t = np.arange(44_100) / 44_100
    tone = (np.sin(2 * np.pi * 440 * t) * 20_000).astype(np.int16)
    path = tmp_path / "stereo.wav"
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(2)
        wav.setsampwidth(2)
        wav.setframerate(44_100)
        wav.writeframes(np.stack([tone, tone], axis=1).tobytes())
    audio = read_audio(path)
    assert audio.dtype == np.int16
    assert abs(len(audio) - SAMPLE_RATE) <= 2
    assert 15_000 < np.abs(audio).max() <= 20_500


def test_text_file_is_a_clear_error(tmp_path) -> None:
    path = tmp_path / "notes.wav"
    path.write_text("this is not audio\n")
    with pytest.raises(AudioFormatError, match="notes.wav: not an audio file"):
        read_audio(path)


def test_missing_file_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(AudioFormatError, match="no such file"):
        read_audio(tmp_path / "nothing.wav")


def test_wav_round_trip(tmp_path) -> None:
    original = read_audio(COMMANDS / "next.wav")
    write_wav(tmp_path / "copy.wav", original, SAMPLE_RATE)
    assert np.array_equal(read_audio(tmp_path / "copy.wav"), original)


async def test_file_source_yields_32ms_blocks_then_silence() -> None:
    source = WavFileSource(np.ones(1600, np.int16), trailing_silence_s=0.1)
    chunks = [chunk async for chunk in source]
    assert sum(len(c.samples) for c in chunks) == 3200
    assert chunks[1].start_s == pytest.approx(0.032)
    assert not chunks[-1].samples.any()


async def test_realtime_source_keeps_the_pace_of_audio() -> None:
    source = WavFileSource(np.zeros(4800, np.int16), realtime=True)
    loop = asyncio.get_running_loop()
    started = loop.time()
    async for _chunk in source:
        pass
    assert loop.time() - started >= 0.28


async def test_raw_pcm_from_a_stream() -> None:
    samples = np.arange(1000, dtype=np.int16)
    chunks = [chunk async for chunk in StdinSource(io.BytesIO(samples.tobytes() + b"\x01"))]
    assert np.array_equal(np.concatenate([c.samples for c in chunks]), samples)


async def test_live_queue_drops_and_counts_the_oldest_blocks() -> None:
    queue = DropOldestQueue(3)
    for index in range(5):
        queue.put(AudioChunk(np.full(4, index, np.int16), index * 0.1))
    assert queue.dropped == 2 and len(queue) == 3
    assert (await queue.get()).samples[0] == 2


async def test_file_sink_resamples_what_is_played(tmp_path) -> None:
    sink = WavFileSink(rate=22_050)
    await sink.play(np.ones(16_000, np.int16), 16_000)
    sink.write(tmp_path / "out.wav")
    with wave.open(str(tmp_path / "out.wav")) as wav:
        assert wav.getframerate() == 22_050 and abs(wav.getnframes() - 22_050) < 10
