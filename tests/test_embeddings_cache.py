"""The embedder's prepared model in the cache folder, and one session shared by threads."""

from __future__ import annotations

import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from astros.embeddings import PREPARED_MODEL, PREPARED_WEIGHTS, SentenceEmbedder, default_model_path

SENTENCES = ["switch off the lights", "what's the weather like tomorrow", "remind me to call mum at six",
             "add milk to the shopping list", "pause"]


@pytest.fixture(scope="module")
def reference() -> np.ndarray:
    """The vectors of ``SENTENCES`` from the package's model, opened without a cache."""
    return SentenceEmbedder(cache_dir=Path("/dev/null/none")).embed(SENTENCES)


def _prepared(cache: Path) -> Path:
    folders = [folder for folder in cache.iterdir() if folder.name.startswith("embedder-")]
    assert len(folders) == 1, folders
    return folders[0]


def test_a_later_start_uses_the_prepared_model_not_the_packages(tmp_path, reference) -> None:
    model = tmp_path / "model.onnx"
    shutil.copy2(default_model_path(), model)
    first = SentenceEmbedder(model, cache_dir=tmp_path / "cache")
    prepared = _prepared(tmp_path / "cache")
    assert (prepared / PREPARED_MODEL).is_file() and (prepared / PREPARED_WEIGHTS).stat().st_size > 50e6
    assert np.allclose(first.embed(SENTENCES), reference, atol=1e-5)
    # Spoil the package copy but keep its size and time: only the prepared model can answer now.
    stat = model.stat()
    model.write_bytes(b"\0" * stat.st_size)
    os.utime(model, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    second = SentenceEmbedder(model, cache_dir=tmp_path / "cache")
    assert np.allclose(second.embed(SENTENCES), reference, atol=1e-5)


def test_a_damaged_prepared_model_is_prepared_again(tmp_path, reference) -> None:
    SentenceEmbedder(cache_dir=tmp_path)
    weights = _prepared(tmp_path) / PREPARED_WEIGHTS
    size = weights.stat().st_size
    with open(weights, "r+b") as damaged:
        damaged.truncate(size // 2)
    again = SentenceEmbedder(cache_dir=tmp_path)
    assert np.allclose(again.embed(SENTENCES), reference, atol=1e-5)
    assert weights.stat().st_size == size
    assert [path.name for path in tmp_path.iterdir()] == [weights.parent.name]  # no half-written folder left


def test_a_cache_that_cannot_be_written_still_embeds(tmp_path, reference) -> None:
    blocked = tmp_path / "a file"
    blocked.write_text("not a folder")
    embedder = SentenceEmbedder(cache_dir=blocked / "cache")
    assert np.allclose(embedder.embed(SENTENCES), reference, atol=1e-5)


def test_threads_embedding_at_once_get_the_same_vectors(tmp_path, reference) -> None:
    embedder = SentenceEmbedder(cache_dir=tmp_path)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: embedder.embed(SENTENCES * 3), range(8)))
    for vectors in results:
        assert np.allclose(vectors, np.vstack([reference] * 3), atol=1e-5)


def test_preparing_removes_models_prepared_for_another_version(tmp_path) -> None:
    stale = tmp_path / "embedder-0123456789abcdef"
    stale.mkdir()
    (stale / PREPARED_WEIGHTS).write_bytes(b"\0" * 1024)
    SentenceEmbedder(cache_dir=tmp_path)
    assert not stale.exists()
    assert len(list(tmp_path.iterdir())) == 1
