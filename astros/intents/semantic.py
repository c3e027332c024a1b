"""The tolerant layer: nearest example sentences by meaning, with the embedding model.

Examples are sentences drawn from the plugins' templates plus paraphrases written per intent
(``examples.yaml``), and out-of-scope requests labelled ``""`` so that nearby phrasings are
recognised as not understood. ``classify`` compares one sentence with every example (a single
matrix product) and reports the best intent, its similarity and its lead over the runner-up.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from ..embeddings import SentenceEmbedder

_LOGGER = logging.getLogger(__name__)

EXAMPLES_FILE = Path(__file__).parent / "examples.yaml"
OUT_OF_SCOPE = ""
_VECTOR_CACHE: dict[str, np.ndarray] = {}  # sentence -> vector, shared by every matcher in the process


@dataclass(frozen=True)
class SemanticGuess:
    """The tolerant layer's best guess: ``intent`` ("" = out of scope), cosine ``score``, and
    ``margin`` = score minus the best score of any other label."""

    intent: str
    score: float
    margin: float
    example: str


def load_paraphrases(path: Path = EXAMPLES_FILE) -> list[tuple[str, str]]:
    """(intent, sentence) pairs from the paraphrase file; ``_out_of_scope`` becomes ``""``."""
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    pairs = []
    for intent, sentences in data.items():
        label = OUT_OF_SCOPE if intent == "_out_of_scope" else intent
        pairs.extend((label, str(sentence)) for sentence in sentences or [])
    return pairs


class SemanticMatcher:
    """Nearest-example classifier over sentence embeddings."""

    def __init__(self, embedder: SentenceEmbedder) -> None:
        self.embedder = embedder
        self._labels: list[str] = []
        self._texts: list[str] = []
        self._vectors = np.zeros((0, 0), dtype=np.float32)

    def fit(self, examples: Iterable[tuple[str, str]]) -> None:
        """Embed the (intent, sentence) examples; duplicates are dropped."""
        unique = dict.fromkeys((intent, text.lower().strip()) for intent, text in examples if text.strip())
        self._labels = [intent for intent, _ in unique]
        self._texts = [text for _, text in unique]
        missing = [text for text in self._texts if text not in _VECTOR_CACHE]
        if missing:
            missing.sort(key=len)  # similar lengths batch with little padding
            _VECTOR_CACHE.update(zip(missing, self.embedder.embed(missing)))
        self._vectors = np.vstack([_VECTOR_CACHE[text] for text in self._texts])
        _LOGGER.debug("Embedded %d examples for the tolerant layer", len(self._texts))

    @property
    def size(self) -> int:
        """How many examples are embedded."""
        return len(self._texts)

    def classify(self, text: str, allowed: set[str] | None = None) -> SemanticGuess | None:
        """The nearest label for ``text`` (restricted to ``allowed`` intents plus out-of-scope)."""
        if not self._texts:
            return None
        return self._rank(self.embedder.embed_one(text.lower()), allowed)

    def classify_many(self, texts: list[str]) -> list[SemanticGuess | None]:
        """``classify`` for many sentences at once (the model runs on batches: faster per line)."""
        if not self._texts or not texts:
            return [None] * len(texts)
        vectors = self.embedder.embed([text.lower() for text in texts], batch_size=32)
        return [self._rank(vector, None) for vector in vectors]

    def _rank(self, vector: np.ndarray, allowed: set[str] | None) -> SemanticGuess | None:
        # einsum, not BLAS: BLAS worker threads fight the model runtime for the cores.
        scores = np.einsum("ij,j->i", self._vectors, vector)
        best: dict[str, tuple[float, int]] = {}
        for index in np.argsort(-scores)[:40]:
            label = self._labels[index]
            if allowed is not None and label and label not in allowed:
                continue
            if label not in best:
                best[label] = (float(scores[index]), int(index))
        if not best:
            return None
        ranked = sorted(best.items(), key=lambda item: -item[1][0])
        label, (score, index) = ranked[0]
        runner_up = ranked[1][1][0] if len(ranked) > 1 else 0.0
        return SemanticGuess(label, score, score - runner_up, self._texts[index])
