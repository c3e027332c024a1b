"""Benchmark: how soon the first sentence of a streamed model reply is handed on to be spoken.

    .venv/bin/python bench/ai_stream.py [--gap 0.04] [--runs 5]

A loopback server speaking OpenAI's streaming wire format sends a three-sentence reply a word
every ``--gap`` seconds. AstrOS (the fallback's ReplyStream through the sentence splitter) hands
each sentence on as soon as it is complete; the naive way waits for the whole reply, then
splits it. The figure is the time from the server sending the word that ends the first sentence
to that sentence being handed on.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace

from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from astros.ai.fallback import LanguageModelFallback  # noqa: E402
from astros.config import parse_config  # noqa: E402
from astros.home import Home  # noqa: E402
from astros.types import UserRequest, utcnow  # noqa: E402
from tests.ai.conftest import ModelServer, openai_stream  # noqa: E402

REPLY = ("Eggs and spinach make a lovely omelette. Whisk four eggs with a pinch of salt, wilt the spinach "
         "in butter, and pour the eggs over it. Fold it once the top has set.")


async def run_once(fallback: LanguageModelFallback, server: ModelServer, gap: float, naive: bool) -> float:
    words = REPLY.split(" ")
    pieces = [w if i == 0 else " " + w for i, w in enumerate(words)]
    server.event_times.clear()
    server.script(openai_stream(pieces, delay=gap))
    first_end = next(i for i, w in enumerate(words) if w.endswith("."))
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
    # event 0 is the role chunk; event 1 + i carries word i
    return (handed - server.event_times[1 + first_end]) * 1000


async def main_async(gap: float, runs: int) -> None:
    server = ModelServer()
    app = web.Application()
    app.router.add_post("/{tail:.*}", server.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/v1"  # type: ignore[union-attr]
    config = parse_config(f'[ai]\ndefault_provider = "local"\n[ai.providers.local]\nbase_url = "{url}"\n')
    plugins = SimpleNamespace(plugins={})
    from datetime import datetime

    fallback = LanguageModelFallback(config, plugins, Home(config.home), datetime.now)  # type: ignore[arg-type]
    results = {}
    for naive in (False, True):
        results[naive] = [await run_once(fallback, server, gap, naive) for _ in range(runs)]
    await fallback.close()
    await runner.cleanup()
    words = len(REPLY.split())
    print(f"streamed reply: {words} words, one every {gap * 1000:.0f} ms")
    print(f"first sentence handed on after it arrived: {statistics.median(results[False]):.1f} ms median "
          f"(max {max(results[False]):.1f}); waiting for the whole reply: {statistics.median(results[True]):.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gap", type=float, default=0.04)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(main_async(args.gap, args.runs))


if __name__ == "__main__":
    main()
