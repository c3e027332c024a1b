"""The tolerant layer: nearest example sentences by meaning, with the embedding model.

Examples are sentences drawn from the plugins' templates plus paraphrases written per intent
(``examples.yaml``), and out-of-scope requests labelled ``""`` so that nearby phrasings are
recognised as not understood. ``classify`` compares one sentence with every example (a single
matrix product) and reports the best intent, its similarity, its lead over the runner-up and
the best similarity of every label near the top (so keyword evidence can be added to them).

Embedding the examples takes seconds, so their vectors are kept on disk (``cache_dir``) under a
name derived from the model and the example texts: a changed example or model makes a new file,
a file that cannot be read is rebuilt. Sentences seen recently keep their vectors in memory.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml

from ..embeddings import SentenceEmbedder

_LOGGER = logging.getLogger(__name__)

EXAMPLES_FILE = Path(__file__).parent / "examples.yaml"
OUT_OF_SCOPE = ""
TOP_EXAMPLES = 60  # labels are scored from this many nearest examples
RECENT_SENTENCES = 2048  # sentences whose vectors stay in memory
_FITTED: dict[str, np.ndarray] = {}  # example digest -> vectors, shared by matchers in one process


@dataclass(frozen=True)
class SemanticGuess:
    """The tolerant layer's best guess: ``intent`` ("" = out of scope), cosine ``score``,
    ``margin`` = score minus the best score of any other label, the nearest ``example``, and
    ``scores``: the best similarity of each label among the nearest examples."""

    intent: str
    score: float
    margin: float
    example: str
    scores: dict[str, float] = field(default_factory=dict)
    nearest: dict[str, str] = field(default_factory=dict)


def load_paraphrases(path: Path = EXAMPLES_FILE) -> list[tuple[str, str]]:
    """(intent, sentence) pairs from the paraphrase file; ``_out_of_scope`` becomes ``""``."""
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    pairs = []
    for intent, sentences in data.items():
        label = OUT_OF_SCOPE if intent == "_out_of_scope" else intent
        pairs.extend((label, str(sentence)) for sentence in sentences or [])
    return pairs


def best_of(scores: dict[str, float], examples: dict[str, str] | None = None) -> SemanticGuess | None:
    """The guess for per-label ``scores`` (``examples``: the nearest example of each label)."""
    if not scores:
        return None
    ranked = sorted(scores.items(), key=lambda item: -item[1])
    label, score = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    examples = examples or {}
    return SemanticGuess(label, score, score - runner_up, examples.get(label, ""), scores, examples)


class SemanticMatcher:
    """Nearest-example classifier over sentence embeddings."""

    def __init__(self, embedder: SentenceEmbedder, cache_dir: Path | None = None) -> None:
        """``embedder``: the model; ``cache_dir``: where example vectors are kept (None: not kept)."""
        self.embedder = embedder
        self.cache_dir = cache_dir
        self._labels: list[str] = []
        self._texts: list[str] = []
        self._vectors = np.zeros((0, 0), dtype=np.float32)
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()
        self.loaded_from_cache = False

    # ---- examples -----------------------------------------------------------------------------
    def fit(self, examples: Iterable[tuple[str, str]]) -> None:
        """Embed the (intent, sentence) examples (or load their vectors); duplicates are dropped."""
        unique = dict.fromkeys((intent, text.lower().strip()) for intent, text in examples if text.strip())
        self._labels = [intent for intent, _ in unique]
        self._texts = [text for _, text in unique]
        digest = self._digest()
        path = Path(self.cache_dir) / f"intent-examples-{digest}.npy" if self.cache_dir else None
        vectors = _load_vectors(path, len(self._texts)) if path else None
        self.loaded_from_cache = vectors is not None
        if vectors is None:
            vectors = _FITTED.get(digest)
            if vectors is None:
                vectors = self.embedder.embed(self._texts) if self._texts else np.zeros((0, 384), np.float32)
            if path:
                _save_vectors(path, vectors)
        _FITTED[digest] = vectors
        self._vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        _LOGGER.debug("%d examples for the tolerant layer (from cache: %s)", len(self._texts), self.loaded_from_cache)

    def _digest(self) -> str:
        """SHA-256 of the model's identity and every example text, in order."""
        digest = hashlib.sha256(self.embedder.model_id.encode("utf-8"))
        for text in self._texts:
            digest.update(b"\0" + text.encode("utf-8"))
        return digest.hexdigest()

    @property
    def size(self) -> int:
        """How many examples are embedded."""
        return len(self._texts)

    # ---- sentences ----------------------------------------------------------------------------
    def vectors(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of ``texts`` (lower-cased); recent sentences come from memory, the rest are
        embedded together in one call."""
        keys = [text.lower() for text in texts]
        missing = list(dict.fromkeys(key for key in keys if key not in self._recent))
        if missing:
            for key, vector in zip(missing, self.embedder.embed(missing, batch_size=32)):
                self._remember(key, vector)
        rows = []
        for key in keys:
            self._recent.move_to_end(key)
            rows.append(self._recent[key])
        return np.vstack(rows) if rows else np.zeros((0, 384), np.float32)

    def forget_recent(self) -> None:
        """Drop the vectors of recent sentences (benchmarks measure from a cold start)."""
        self._recent.clear()

    def _remember(self, key: str, vector: np.ndarray) -> None:
        self._recent[key] = vector
        if len(self._recent) > RECENT_SENTENCES:
            self._recent.popitem(last=False)

    def classify(self, text: str) -> SemanticGuess | None:
        """The nearest label for ``text``."""
        if not self._texts:
            return None
        return self.rank(self.vectors([text])[0])

    def classify_many(self, texts: list[str]) -> list[SemanticGuess | None]:
        """``classify`` for many sentences at once (the model runs on batches: faster per line)."""
        if not self._texts or not texts:
            return [None] * len(texts)
        return [self.rank(vector) for vector in self.vectors(texts)]

    def rank(self, vector: np.ndarray) -> SemanticGuess | None:
        """The guess for one sentence vector."""
        if not self._texts:
            return None
        # einsum, not BLAS: BLAS worker threads fight the model runtime for the cores.
        scores = np.einsum("ij,j->i", self._vectors, vector)
        top = np.argpartition(-scores, min(TOP_EXAMPLES, len(scores) - 1))[:TOP_EXAMPLES]
        best: dict[str, float] = {}
        nearest: dict[str, str] = {}
        for index in top[np.argsort(-scores[top])]:
            label = self._labels[index]
            if label not in best:
                best[label] = float(scores[index])
                nearest[label] = self._texts[index]
        return best_of(best, nearest)


def _load_vectors(path: Path, rows: int) -> np.ndarray | None:
    """Cached example vectors, or None when the file is missing, unreadable or the wrong shape."""
    try:
        vectors = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, EOFError) as err:
        _LOGGER.warning("Ignoring the unreadable example cache %s: %s", path, err)
        return None
    if vectors.ndim != 2 or vectors.shape[0] != rows or vectors.dtype != np.float32 or not np.isfinite(vectors).all():
        _LOGGER.warning("Ignoring the example cache %s: it does not fit the examples", path)
        return None
    return vectors


def _save_vectors(path: Path, vectors: np.ndarray) -> None:
    """Write the vectors atomically (a temporary file renamed into place); failures only log."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(handle, "wb") as stream:
                np.save(stream, vectors.astype(np.float32), allow_pickle=False)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as err:
        _LOGGER.warning("Cannot keep the example vectors in %s: %s", path.parent, err)
