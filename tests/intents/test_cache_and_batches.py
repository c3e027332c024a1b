"""Example vectors kept on disk between starts, and batched recognition equal to one at a time."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from astros.config import IntentsConfig
from astros.embeddings import SentenceEmbedder
from astros.intents import semantic
from astros.intents.recognizer import IntentRecognizer

from .conftest import PLUGINS, small_home

SENTENCES = [
    "turn off the kitchen lights",
    "get rid of the light in the kitchen",
    "i'd like to hear some queen",
    "tell me a joke",
    "",
    "do i need an umbrella tomorrow",
    "set a timer for 5 minutes",
    "play chess with me",
    "resume the hobbit",
    "turn off the kitchen lights",
]


def prepared(embedder: SentenceEmbedder, cache: Path) -> IntentRecognizer:
    recognizer = IntentRecognizer(small_home(), IntentsConfig(), cache_dir=cache)
    recognizer._embedder = embedder
    recognizer.add_sentence_files(sorted(PLUGINS.glob("*/sentences/*.yaml")))
    recognizer.prepare_sync()
    return recognizer


def answers(recognizer: IntentRecognizer) -> list[tuple]:
    return [(r.intent, r.confidence, r.entities) for r in (recognizer.recognize_text(t) for t in SENTENCES)]


def test_second_prepare_loads_from_the_cache_with_identical_results(embedder, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(semantic, "_FITTED", {})
    first = prepared(embedder, tmp_path / "cache")
    assert not first.semantic.loaded_from_cache
    files = list((tmp_path / "cache").glob("intent-examples-*.npy"))
    assert len(files) == 1

    monkeypatch.setattr(semantic, "_FITTED", {})
    second = prepared(embedder, tmp_path / "cache")
    assert second.semantic.loaded_from_cache
    assert np.array_equal(first.semantic._vectors, second.semantic._vectors)
    assert answers(second) == answers(first)


def test_a_corrupt_cache_file_is_rebuilt(embedder, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(semantic, "_FITTED", {})
    first = prepared(embedder, tmp_path / "cache")
    (path,) = (tmp_path / "cache").glob("intent-examples-*.npy")
    path.write_bytes(b"not a numpy file")

    monkeypatch.setattr(semantic, "_FITTED", {})
    rebuilt = prepared(embedder, tmp_path / "cache")
    assert not rebuilt.semantic.loaded_from_cache
    assert np.array_equal(np.load(path), first.semantic._vectors)
    assert answers(rebuilt) == answers(first)


def test_changed_examples_use_a_new_cache_file(embedder, tmp_path) -> None:
    recognizer = prepared(embedder, tmp_path / "cache")
    recognizer.register_intent_handler("HassTurnOn", lambda intent: None, ["light up the greenhouse glow"])
    recognizer.prepare_sync()
    assert len(list((tmp_path / "cache").glob("intent-examples-*.npy"))) == 2
    assert not list((tmp_path / "cache").glob("*.tmp"))


def test_an_intent_known_only_by_its_templates_is_never_guessed(embedder, tmp_path) -> None:
    recognizer = prepared(embedder, tmp_path / "cache")
    recognizer.register_intent_handler("WaterPlants", lambda intent: None, ["water [the] plants"])
    recognizer.prepare_sync()
    assert recognizer.recognize_text("water the plants").intent == "WaterPlants"
    assert recognizer.recognize_text("could you give the plants a drink of water").intent != "WaterPlants"


def test_batch_equals_one_at_a_time(recognizer: IntentRecognizer) -> None:
    recognizer.semantic.forget_recent()
    batch = recognizer.recognize_many([(text, None) for text in SENTENCES])
    recognizer.semantic.forget_recent()
    single = [recognizer.recognize_text(text) for text in SENTENCES]
    assert [(r.intent, r.confidence, r.entities) for r in batch] == [
        (r.intent, r.confidence, r.entities) for r in single
    ]


def test_embedder_batches_keep_the_order(embedder: SentenceEmbedder) -> None:
    texts = ["a much longer sentence about the kitchen lights", "hi", "set a timer", "what time is it now"]
    batch = embedder.embed(texts)
    for text, vector in zip(texts, batch):
        assert np.allclose(vector, embedder.embed_one(text), atol=1e-4)
