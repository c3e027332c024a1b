"""The closed grammar's search for the sentences nearest to a heard text, on the word graph AstrOS
searches (made deterministic) beside hassil's graph as it comes (a path per template), same run.

    .venv/bin/python bench/grammar.py [--per-intent 6] [--limit 12] [--seed 3]

The home is the one of ``bench/voice_latency.py``; the heard texts are the templates' own example
sentences (``TemplateMatcher.samples``), most with one word changed, dropped or added at random,
as a short window of speech to text gets them wrong. For each graph: how long a search takes
(median, p90, worst; its limit is ``MAX_SECONDS``), with the word likeness memo cleared before
each text as for a new command, and how often the sentence before the change is among the
``limit`` returned (what the voice then scores against the audio), for all texts and for those
of at most five words, as most home commands are. That share is a rough check that the faster
search loses nothing: a changed sentence is often another sentence of the home, or as near to
several.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from astros.config import IntentsConfig, parse_config  # noqa: E402
from astros.home import Home  # noqa: E402
from astros.intents.grammar import CommandGrammar, words_of  # noqa: E402
from astros.intents.recognizer import IntentRecognizer  # noqa: E402
from astros.voice.stt import GRAMMAR_MAX_WORDS  # noqa: E402
from bench.voice_latency import HOME  # noqa: E402

SHORT_WORDS = 5
NEAR_MISSES = "the a wedding right light lights pause thank you bed kitchen on off set turn what's and".split()


def heard_texts(sentences: list[str], seed: int) -> list[tuple[str, str]]:
    """(heard, meant): each sentence, seven in ten with one word changed, dropped or added; only
    what the voice would search (at most ``GRAMMAR_MAX_WORDS`` words)."""
    rng = random.Random(seed)
    pairs = []
    for meant in sentences:
        words = meant.split()
        if len(words) > 1 and rng.random() < 0.7:
            at, edit = rng.randrange(len(words)), rng.random()
            if edit < 0.4:
                words[at] = rng.choice(NEAR_MISSES)
            elif edit < 0.7:
                del words[at]
            else:
                words.insert(at, rng.choice(NEAR_MISSES))
        if len(words) <= GRAMMAR_MAX_WORDS:
            pairs.append((" ".join(words), meant))
    return pairs


def measure(grammar: CommandGrammar, pairs: list[tuple[str, str]], limit: int) -> dict[str, float]:
    times, found = [], 0
    for heard, meant in pairs:
        grammar._similar.clear()
        start = time.perf_counter()
        candidates = grammar.nearest(heard, limit)
        times.append((time.perf_counter() - start) * 1000)
        found += any(words_of(c.text) == words_of(meant) for c in candidates)
    times.sort()
    return {"median_ms": statistics.median(times), "p90_ms": times[int(0.9 * (len(times) - 1))],
            "max_ms": times[-1], "meant_found": found / len(pairs)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--per-intent", type=int, default=6)
    parser.add_argument("--limit", type=int, default=12)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    config = parse_config(HOME, "bench.toml")
    recognizer = IntentRecognizer(Home(config.home), IntentsConfig())
    recognizer.add_sentence_files(sorted((ROOT / "plugins").glob("*/sentences/*.yaml")))
    recognizer.prepare_sync()
    templates = recognizer.templates
    pairs = heard_texts([text for _intent, text in templates.samples(args.per_intent, args.seed)], args.seed)
    graphs = {}
    for name, deterministic in (("deterministic (AstrOS)", True), ("as hassil makes it", False)):
        start = time.perf_counter()
        graph = CommandGrammar(templates._intents, templates._slot_lists, deterministic=deterministic)
        build_s = time.perf_counter() - start
        graphs[name] = graph
        print(f"{name}: {len(graph.arcs)} states, {sum(map(len, graph.arcs.values()))} arcs, built in {build_s:.2f} s")
    short = [pair for pair in pairs if len(pair[0].split()) <= SHORT_WORDS]
    for texts, what in ((pairs, "heard texts"), (short, f"of at most {SHORT_WORDS} words (home commands)")):
        print(f"{len(texts)} {what}, {args.limit} sentences each")
        for name, graph in graphs.items():
            figures = measure(graph, texts, args.limit)
            print(f"  {name:24} median {figures['median_ms']:6.1f} ms  p90 {figures['p90_ms']:6.1f} ms  "
                  f"max {figures['max_ms']:6.1f} ms  sentence before the change found {figures['meant_found']:.1%}")


if __name__ == "__main__":
    main()
