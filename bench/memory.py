"""Benchmark of the memory path: embedding a sentence, searching 10,000 facts, recall of paraphrases.

    .venv/bin/python bench/memory.py [--facts 10000] [--queries 100]

Each figure is shown beside a naive way, measured in the same run:
- embedding one sentence with dynamic padding (AstrOS) vs. padded to the model's 128 tokens
  (what a fixed-shape export does);
- searching the memory with chromadb's index and a metadata filter (AstrOS's VectorStore) vs. a
  linear scan computing cosine similarity in Python over every stored vector;
- recall@1 of the 50 paraphrase pairs in tests/data/memory_paraphrases.tsv among 1,000 facts.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from astros.embeddings import shared_embedder  # noqa: E402
from astros.storage.vectors import VectorStore  # noqa: E402
from tests.plugins.test_memory import distractors, paraphrase_pairs  # noqa: E402

SENTENCES = ["the wifi password is hunter2", "where did I leave the car keys?", "turn off the kitchen lights please",
             "what should I cook with eggs and spinach?", "my dentist appointment is on Tuesday at four"]


def median_ms(work, repeat: int) -> float:
    times = []
    for i in range(repeat):
        start = time.perf_counter()
        work(i)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def embedding_figures() -> tuple[float, float]:
    model = shared_embedder()
    for text in SENTENCES:
        model.embed_one(text)
    ours = median_ms(lambda i: model.embed_one(SENTENCES[i % len(SENTENCES)]), 300)
    from tokenizers import Tokenizer

    from astros.embeddings import default_tokenizer_json

    fixed = Tokenizer.from_str(default_tokenizer_json())
    fixed.enable_truncation(128)
    fixed.enable_padding(length=128)

    def padded(i: int) -> None:
        encoding = fixed.encode(SENTENCES[i % len(SENTENCES)])
        ids = np.array([encoding.ids], dtype=np.int64)
        mask = np.array([encoding.attention_mask], dtype=np.int64)
        model._session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})

    return ours, median_ms(padded, 100)


def facts(count: int) -> list[str]:
    base = distractors(1000)
    return [f"{fact} (note {n})" if n else fact for n in range(count // len(base) + 1) for fact in base][:count]


async def search_figures(count: int, queries: int, folder: Path) -> tuple[float, float, float]:
    store = VectorStore(folder / "vectors", shared_embedder())
    texts = facts(count)
    start = time.perf_counter()
    for i in range(0, count, 1000):
        chunk = texts[i : i + 1000]
        await store.add_documents(chunk, [{"user": "owner"}] * len(chunk), "memories")
    load_s = time.perf_counter() - start
    questions = [q for _, q in paraphrase_pairs()]
    await store.search(questions[0], 1, "memories", {"user": "owner"})
    times = []
    for i in range(queries):
        t = time.perf_counter()
        await store.search(questions[i % len(questions)], 1, "memories", {"user": "owner"})
        times.append((time.perf_counter() - t) * 1000)
    collection = store._collection("memories")
    stored = await asyncio.to_thread(collection.get, include=["embeddings", "documents", "metadatas"])
    vectors = [list(map(float, v)) for v in stored["embeddings"]]
    owners = [m.get("user") for m in stored["metadatas"]]
    model = shared_embedder()

    def naive(i: int) -> None:
        query = model.embed_one(questions[i % len(questions)]).tolist()
        best, best_score = -1, -2.0
        for index, vector in enumerate(vectors):
            if owners[index] != "owner":
                continue
            score = sum(a * b for a, b in zip(query, vector))
            if score > best_score:
                best, best_score = index, score

    naive_ms = median_ms(naive, 5)
    await store.close()
    return statistics.median(times), naive_ms, load_s


async def recall_at_1(folder: Path) -> float:
    store = VectorStore(folder / "recall", shared_embedder())
    pairs = paraphrase_pairs()
    texts = [fact for fact, _ in pairs] + distractors(1000 - len(pairs))
    await store.add_documents(texts, [{"user": "owner"}] * len(texts), "memories")
    hits = 0
    for fact, question in pairs:
        found = await store.search(question, 1, "memories", {"user": "owner"})
        hits += bool(found) and found[0].content == fact
    await store.close()
    return hits / len(pairs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--facts", type=int, default=10000)
    parser.add_argument("--queries", type=int, default=100)
    args = parser.parse_args()
    ours, padded = embedding_figures()
    print(f"embed one sentence: {ours:.2f} ms median (naive, padded to 128 tokens: {padded:.2f} ms)")
    with tempfile.TemporaryDirectory() as folder:
        search_ms, naive_ms, load_s = asyncio.run(search_figures(args.facts, args.queries, Path(folder)))
        print(f"memory search over {args.facts} facts: {search_ms:.1f} ms median incl. embedding the question "
              f"(naive linear scan in Python: {naive_ms:.1f} ms); storing them took {load_s:.1f} s")
        print(f"recall@1, 50 paraphrases among 1000 facts: {asyncio.run(recall_at_1(Path(folder))):.2f}")


if __name__ == "__main__":
    main()
