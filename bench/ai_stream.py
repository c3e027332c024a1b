"""Benchmark: how soon the first sentence of a streamed model reply is handed on to be spoken.

    .venv/bin/python bench/ai_stream.py [--gap 0.04] [--runs 5]

A loopback server speaking OpenAI's streaming wire format sends a three-sentence reply a word
every ``--gap`` seconds. AstrOS (the fallback's ReplyStream through the sentence splitter) hands
each sentence on as soon as it is complete; the naive way waits for the whole reply, then
splits it. The figure is the time from the server sending the word that ends the first sentence
to that sentence being handed on.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from astros.ai.fallback import LanguageModelFallback  # noqa: E402
from astros.config import parse_config  # noqa: E402
from astros.home import Home  # noqa: E402
from astros.types import UserRequest, utcnow  # noqa: E402
from bench.streamed_reply import REPLY, run, script_reply  # noqa: E402
from tests.ai.conftest import ModelServer, serving  # noqa: E402


async def run_once(fallback: LanguageModelFallback, server: ModelServer, gap: float, naive: bool) -> float:
    full_stop = script_reply(server, gap)
    request = UserRequest("what should I cook with eggs and spinach?", "owner", "bench", utcnow())
    stream = fallback.stream(request)
    if naive:
        text = "".join([piece async for piece in stream])
        handed = time.monotonic()
        assert text.split(". ")[0]
    else:
        async for _sentence in stream.sentences():
            handed = time.monotonic()
            break
        async for _rest in stream:
            pass
    return (handed - server.event_times[full_stop]) * 1000


async def measure(server: ModelServer, url: str, gap: float, runs: int) -> dict[bool, list[float]]:
    """{naive: the ms of each run} through a fallback whose local provider is ``url``."""
    from datetime import datetime

    config = parse_config(f'[ai]\ndefault_provider = "local"\n[ai.providers.local]\nbase_url = "{url}"\n')
    fallback = LanguageModelFallback(config, SimpleNamespace(plugins={}), Home(config.home), datetime.now)  # type: ignore[arg-type]
    results = {naive: [await run_once(fallback, server, gap, naive) for _ in range(runs)] for naive in (False, True)}
    await fallback.close()
    return results


async def main_async(gap: float, runs: int) -> None:
    server = ModelServer()
    async with serving(server) as url:
        results = await measure(server, f"{url}/v1", gap, runs)
    words = len(REPLY.split())
    print(f"streamed reply: {words} words, one every {gap * 1000:.0f} ms")
    print(f"first sentence handed on after it arrived: {statistics.median(results[False]):.1f} ms median "
          f"(max {max(results[False]):.1f}); waiting for the whole reply: {statistics.median(results[True]):.1f} ms")


if __name__ == "__main__":
    run(__doc__.splitlines()[0], main_async)
