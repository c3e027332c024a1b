"""Benchmark: a streamed model reply's first sentence arriving -> its first sample at the speaker.

    .venv/bin/python bench/ai_voice_stream.py [--gap 0.04] [--runs 5]

The real voice pipeline (silero VAD, whisper tiny.en, piper joe) and a real agent whose `local`
provider is a loopback server speaking OpenAI's streaming wire format. Each run the pipeline
hears a spoken question no skill understands (piper's own voice, 16 kHz), the agent hands it to
the model, and the server streams a three-sentence reply a word every ``--gap`` seconds. The
sink notes when the first reply sample is handed to it.

AstrOS: each sentence goes to piper as soon as it is complete (the request's ``on_sentence``).
The naive way, same process, runs right after: the same pipeline waits for the whole reply, then
synthesises it. The figure is the time from the server sending the word that ends the first
sentence to the first reply sample handed to the sink; it includes one word gap, since a
sentence is complete only when the next word begins ("3." could still become "3.5").
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Optional

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # as the appliance runs

from astros.agent import AstrOSAgent  # noqa: E402
from astros.config import parse_config  # noqa: E402
from astros.events import EventType  # noqa: E402
from astros.types import UserRequest  # noqa: E402
from astros.voice.audio import WavFileSink, WavFileSource, resample  # noqa: E402
from astros.voice.engines import VoiceEngines  # noqa: E402
from astros.voice.pipeline import VoicePipeline  # noqa: E402
from bench.streamed_reply import REPLY, run, script_reply  # noqa: E402
from tests.ai.conftest import ModelServer, serving  # noqa: E402

QUESTION = "What should I cook for dinner tonight?"  # no skill understands it


class TimingSink(WavFileSink):
    """A sink that notes when the first sample was handed to it."""

    def __init__(self) -> None:
        super().__init__()
        self.first_at: Optional[float] = None

    async def play(self, samples: np.ndarray, rate: int) -> None:
        if self.first_at is None and len(samples):
            self.first_at = time.monotonic()
        await super().play(samples, rate)


class NaivePipeline(VoicePipeline):
    """The same pipeline, taking the streamed reply but waiting for all of it before synthesising it."""

    def _request(self, text: str, heard: str = "", **streaming: Any) -> UserRequest:
        return super()._request(text, heard, on_text=lambda _piece: None)  # streamed as well, but not spoken early


async def run_once(kind: type[VoicePipeline], engines: VoiceEngines, agent: AstrOSAgent, server: ModelServer,
                   question: np.ndarray, gap: float) -> tuple[float, float]:
    """(full stop sent -> first sample at the sink, full stop sent -> reply text handed to piper), ms."""
    full_stop_event = script_reply(server, gap)
    sink = TimingSink()
    handed: list[float] = []
    unsubscribe = agent.events.subscribe(lambda e: e.type is EventType.TTS_TEXT and handed.append(time.monotonic()))
    pipeline = kind(engines, agent, sink)
    await pipeline.run(WavFileSource(question, trailing_silence_s=1.5), lockstep=True)
    pipeline.close()
    unsubscribe()
    if sink.first_at is None or not handed:
        raise SystemExit("no reply was spoken: is the question understood by a skill?")
    full_stop = server.event_times[full_stop_event]
    return (sink.first_at - full_stop) * 1000, (handed[0] - full_stop) * 1000


async def main_async(gap: float, runs: int) -> None:
    server = ModelServer()
    async with serving(server) as url:
        results = await measure(server, f"{url}/v1", gap, runs)
    print(f"streamed reply: {len(REPLY.split())} words, one every {gap * 1000:.0f} ms; {runs} runs each")
    for name, label in (("astros", "sentence by sentence"), ("naive", "whole reply, then synthesise")):
        values = [first for first, _ in results[name]]
        handed = statistics.median(text for _, text in results[name])
        print(f"{label}: first reply sample {statistics.median(values):.1f} ms median after the first sentence's "
              f"full stop arrived (min {min(values):.1f}, max {max(values):.1f}); text handed to piper after "
              f"{handed:.1f} ms")


async def measure(server: ModelServer, url: str, gap: float, runs: int) -> dict[str, list[tuple[float, float]]]:
    """{way: (first sample, text handed to piper) of each run} with the local provider at ``url``."""
    data = tempfile.mkdtemp(prefix="astros-bench-")
    config = parse_config(f'data_dir = "{data}"\ntimezone = "UTC"\n[voice]\nearcons = false\n'
                          f'[ai]\ndefault_provider = "local"\n[ai.providers.local]\nbase_url = "{url}"\n', "bench.toml")
    engines = await asyncio.to_thread(VoiceEngines.load, config.voice, [])
    spoken = engines.tts.synthesize_all(QUESTION)
    question = np.concatenate([np.zeros(8000, np.int16), resample(spoken.samples, spoken.rate, 16_000)])
    results: dict[str, list[tuple[float, float]]] = {}
    async with AstrOSAgent(config=config) as agent:
        await asyncio.to_thread(agent.recognizer.warm_up)
        await run_once(VoicePipeline, engines, agent, server, question, gap)  # warm-up, not counted
        for name, kind in (("astros", VoicePipeline), ("naive", NaivePipeline)):
            results[name] = [await run_once(kind, engines, agent, server, question, gap) for _ in range(runs)]
    return results


if __name__ == "__main__":
    run(__doc__.splitlines()[0], main_async)
