"""The voice command line: ``astros transcribe``, ``say``, ``wake`` and ``listen``."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from typing import Any, Callable

from ..config import AstrOSConfig
from ..events import EventType, PipelineEvent
from .audio import SAMPLE_RATE, WavFileSink, WavFileSource, chunks_of, read_audio, write_wav
from .devices import SpeakerSink
from .engines import VoiceEngines, wake_word_override
from .wake import WakeWordDetector

LISTEN_TAIL_S = 8.0  # seconds of silence a recording is followed by, as a microphone would go on


def add_parsers(commands: Any, common: argparse.ArgumentParser) -> None:
    """Add the voice subcommands to the ``astros`` parser."""
    transcribe = commands.add_parser("transcribe", parents=[common], help="print what is said in an audio file")
    transcribe.add_argument("file", help="a WAV file (any rate, mono or stereo)")
    transcribe.add_argument("--json", action="store_true", help="print JSON with timings")
    say = commands.add_parser("say", parents=[common], help="speak text aloud, or write it to a WAV file")
    say.add_argument("text", nargs="+", help="what to say")
    say.add_argument("-o", "--output", metavar="FILE.wav", help="write a WAV file instead of playing")
    wake = commands.add_parser("wake", parents=[common], help="print the time of each wake word in a file")
    wake.add_argument("file", help="a WAV file")
    wake.add_argument("--wake-word", metavar="NAME", help="a built-in wake word or a model path (default: configured)")
    listen = commands.add_parser("listen", parents=[common], help="run the voice pipeline on a recording")
    listen.add_argument("--input", required=True, metavar="FILE.wav", help="the recording, as if from the microphone")
    listen.add_argument("--wake-word", metavar="NAME", help="wake word to listen for; 'none' listens at once")
    listen.add_argument("--realtime", action="store_true", help="feed the audio at the pace of real audio")
    listen.add_argument("--output", metavar="FILE.wav", help="write what AstrOS says to a WAV file")
    listen.add_argument("--events", action="store_true", help="print each pipeline event as a JSON line")


async def transcribe_command(args: argparse.Namespace, config: AstrOSConfig) -> int:
    """``astros transcribe FILE``: the text (``--json``: with timings)."""
    samples = read_audio(args.file)
    engines_started = time.perf_counter()
    from .stt import WhisperSpeechToText

    stt = await asyncio.to_thread(
        WhisperSpeechToText, config.voice.stt_model, beam_size=config.voice.stt_beam_size,
        language=config.voice.stt_language)
    transcript = await stt.transcribe(samples)
    if args.json:
        print(json.dumps({"text": transcript.text, "audio_s": transcript.audio_s, "load_s": round(stt.load_s, 3),
                          "transcribe_s": transcript.elapsed_s,
                          "total_s": round(time.perf_counter() - engines_started, 3)}))
    else:
        print(transcript.text)
    return 0


async def say_command(args: argparse.Namespace, config: AstrOSConfig) -> int:
    """``astros say TEXT``: speak through the speaker, or write a WAV with ``-o``."""
    from .tts import PiperTextToSpeech

    tts = await asyncio.to_thread(PiperTextToSpeech, config.voice.tts_voice)
    text = " ".join(args.text)
    gain = config.voice.volume / 100.0 if not args.output else 1.0
    if args.output:
        audio = await asyncio.to_thread(tts.synthesize_all, text)
        write_wav(args.output, audio.samples, audio.rate)
        return 0
    speaker = SpeakerSink(config.voice.output_device, retry_s=config.voice.device_retry_seconds)
    try:
        async for sentence in tts.synthesize(text):
            await speaker.play((sentence.samples * gain).astype("int16"), sentence.rate)
    finally:
        speaker.close()
    return 0


async def wake_command(args: argparse.Namespace, config: AstrOSConfig) -> int:
    """``astros wake FILE``: one line per detection, its time in seconds."""
    samples = read_audio(args.file)
    words = wake_word_override(config.voice, args.wake_word) if args.wake_word else config.voice.wake_words
    detector = await asyncio.to_thread(WakeWordDetector, words)
    tail = chunks_of(_silence(1.0), start_s=len(samples) / SAMPLE_RATE)
    for chunk in chunks_of(samples) + tail:
        detection = detector.process(chunk)
        if detection is not None:
            print(f"{detection.time_s:.2f}" + (f" {detection.name}" if len(detector.names) > 1 else ""))
    return 0


async def listen_command(args: argparse.Namespace, config: AstrOSConfig) -> int:
    """``astros listen --input FILE.wav``: the whole voice pipeline on a recording."""
    from ..agent import AstrOSAgent
    from .pipeline import VoicePipeline

    source = WavFileSource(args.input, realtime=args.realtime, trailing_silence_s=LISTEN_TAIL_S)
    words = wake_word_override(config.voice, args.wake_word) if args.wake_word else None
    engines = await asyncio.to_thread(VoiceEngines.load, config.voice, words)
    sink = WavFileSink(realtime=args.realtime)
    async with AstrOSAgent(config=config) as agent:
        await asyncio.to_thread(agent.recognizer.warm_up)
        pipeline = VoicePipeline(engines, agent, sink)
        await pipeline.load_volume()
        replies: list[str] = []
        agent.events.subscribe(_printer(args.events, pipeline, source, replies))
        await pipeline.run(source, until_idle_after_s=len(source.samples) / SAMPLE_RATE, lockstep=not args.realtime)
        pipeline.close()
    if args.output:
        sink.write(args.output)
    return 0 if replies else 1


def _printer(as_json: bool, pipeline: Any, source: WavFileSource, replies: list[str]) -> Callable[[PipelineEvent], None]:
    """An event subscriber printing JSON lines, or the transcript and reply as plain text."""

    def show(event: PipelineEvent) -> None:
        if event.type is EventType.TTS_TEXT:
            replies.append(str(event.data.get("text", "")))
        if as_json:
            wall = time.monotonic() - source.started_at if source.started_at else 0.0
            line = {"type": str(event.type), "t": round(pipeline.position_s, 3), "wall": round(wall, 3),
                    "data": event.data}
            print(json.dumps(line, default=str), flush=True)
        elif event.type is EventType.STT_TEXT:
            print(f"> {event.data.get('text', '')}", flush=True)
        elif event.type is EventType.TTS_TEXT:
            print(f"< {event.data.get('text', '')}", flush=True)

    return show


def _silence(seconds: float) -> Any:
    import numpy as np

    return np.zeros(int(seconds * SAMPLE_RATE), np.int16)


COMMANDS = {"transcribe": transcribe_command, "say": say_command, "wake": wake_command, "listen": listen_command}

if __name__ == "__main__":  # pragma: no cover
    sys.exit("run these through the astros command")
