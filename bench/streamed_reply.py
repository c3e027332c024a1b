"""What the streamed-reply benchmarks share: the reply, how the loopback model streams it, their options.

``bench/ai_stream.py`` and ``bench/ai_voice_stream.py`` both have a loopback server speaking
OpenAI's streaming wire format send :data:`REPLY` a word every ``--gap`` seconds, and time what
happens after the word that ends its first sentence.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable

from tests.ai.conftest import ModelServer, openai_stream

REPLY = ("Eggs and spinach make a lovely omelette. Whisk four eggs with a pinch of salt, wilt the spinach "
         "in butter, and pour the eggs over it. Fold it once the top has set.")


def script_reply(server: ModelServer, gap: float) -> int:
    """Make ``server`` stream :data:`REPLY` next; returns the index in ``server.event_times`` of the
    event carrying the first sentence's full stop (event 0 is the role chunk, 1 + i carries word i)."""
    words = REPLY.split(" ")
    server.event_times.clear()
    server.script(openai_stream([w if i == 0 else " " + w for i, w in enumerate(words)], delay=gap))
    return 1 + next(i for i, w in enumerate(words) if w.endswith("."))


def run(description: str, main_async: Callable[[float, int], Awaitable[None]]) -> None:
    """Parse ``--gap`` and ``--runs`` and run ``main_async(gap, runs)``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--gap", type=float, default=0.04, help="seconds between the reply's words")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each way")
    args = parser.parse_args()
    asyncio.run(main_async(args.gap, args.runs))
