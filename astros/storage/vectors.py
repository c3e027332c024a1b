"""VectorStore: documents found by meaning, on chromadb under ``DATA_DIR/vectors``.

Texts are embedded on the device by the shared all-MiniLM-L6-v2 model
(:func:`astros.embeddings.shared_embedder`) through :class:`OfflineEmbeddingFunction`, so chromadb
never loads (or downloads) its own default model. Telemetry is off. Every chromadb call runs in a
worker thread, so the store is safe to use from async code. Collections use cosine distance;
``SearchResult.score`` is the cosine similarity (1.0 the same meaning, about 0 unrelated).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional

from ..embeddings import SentenceEmbedder
from ..errors import AstrOSError

_LOGGER = logging.getLogger(__name__)
METADATA_TYPES = (str, int, float, bool)


class VectorStoreError(AstrOSError):
    """The vector store refused a document or a query; the message says why."""

    code = "vector-store"


@dataclass
class Document:
    """A stored document: its id, text and metadata."""

    id: str
    content: str
    metadata: Dict[str, Any] = field(default_factory=dict)


@dataclass
class SearchResult:
    """A document found by a search, with how close its meaning is to the query."""

    id: str
    content: str
    metadata: Dict[str, Any]
    score: float
    """Cosine similarity to the query, from -1 to 1 (higher is closer)."""
    distance: float
    """chromadb's cosine distance, ``1 - score``."""


def _embedding_function(embedder: Optional[SentenceEmbedder]) -> Any:
    from chromadb.api.types import Documents, EmbeddingFunction, Embeddings

    class OfflineEmbeddingFunction(EmbeddingFunction[Documents]):
        """chromadb's view of AstrOS's offline embedding model."""

        def __init__(self, model: Optional[SentenceEmbedder]) -> None:
            self._model = model

        @property
        def model(self) -> SentenceEmbedder:
            if self._model is None:
                from ..embeddings import shared_embedder

                self._model = shared_embedder()
            return self._model

        def __call__(self, input: Documents) -> Embeddings:  # noqa: A002 - chromadb's parameter name
            return list(self.model.embed(list(input)))

        @staticmethod
        def name() -> str:
            return "astros-minilm-int8"

        def get_config(self) -> Dict[str, Any]:
            return {}

        @staticmethod
        def build_from_config(config: Dict[str, Any]) -> "EmbeddingFunction[Documents]":
            return OfflineEmbeddingFunction(None)

        def default_space(self) -> str:  # type: ignore[override]
            return "cosine"

    return OfflineEmbeddingFunction(embedder)


def _where(filter_metadata: Optional[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    """chromadb's ``where`` for a filter: ``{"user": "ann"}`` matches equal values; keys that
    start with ``$`` (``$and``, ``$or``) pass through as chromadb operators."""
    if not filter_metadata:
        return None
    if any(key.startswith("$") for key in filter_metadata) or len(filter_metadata) == 1:
        return dict(filter_metadata)
    return {"$and": [{key: value} for key, value in filter_metadata.items()]}


def _clean(metadata: Dict[str, Any], index: int) -> Optional[Dict[str, Any]]:
    cleaned = {}
    for key, value in (metadata or {}).items():
        if value is None:
            continue
        if not isinstance(value, METADATA_TYPES):
            raise VectorStoreError(f"metadata {index}: {key!r} must be text, a number or true/false; got {type(value).__name__}")
        cleaned[str(key)] = value
    return cleaned or None


class VectorStore:
    """Manages vector embeddings for semantic search."""

    def __init__(self, path: Path | str, embedder: Optional[SentenceEmbedder] = None) -> None:
        """``path``: the folder chromadb keeps its files in (``DATA_DIR/vectors``); ``embedder``:
        the model to use (default: the shared one, loaded on first use). chromadb itself is
        imported on first use too: a memory nobody has used yet costs no memory (about 35 MB)."""
        self.path = Path(path).expanduser()
        self._embedder = embedder
        self._function: Any = None
        self._client: Any = None
        self._collections: Dict[str, Any] = {}
        self._lock = asyncio.Lock()

    def _open(self) -> Any:
        if self._client is None:
            import chromadb
            from chromadb.config import Settings

            self.path.mkdir(parents=True, exist_ok=True)
            self._client = chromadb.PersistentClient(
                path=str(self.path), settings=Settings(anonymized_telemetry=False, allow_reset=False)
            )
        return self._client

    def _collection(self, name: str) -> Any:
        if name not in self._collections:
            if self._function is None:
                self._function = _embedding_function(self._embedder)
            self._collections[name] = self._open().get_or_create_collection(
                name, embedding_function=self._function, metadata={"hnsw:space": "cosine"}
            )
        return self._collections[name]

    async def _call(self, work: Any, *args: Any) -> Any:
        try:
            return await asyncio.to_thread(work, *args)
        except AstrOSError:
            raise
        except Exception as err:
            from chromadb.errors import ChromaError

            if isinstance(err, (ValueError, ChromaError)):  # bad input: a name, a filter, a value
                raise VectorStoreError(str(err)) from err
            raise

    async def add_documents(
        self,
        documents: List[str],
        metadatas: List[Dict[str, Any]],
        collection: str = "default",
        ids: Optional[List[str]] = None,
    ) -> List[str]:
        """Add documents (``ids`` replace documents of the same id); returns their ids."""
        if len(metadatas) != len(documents) or (ids is not None and len(ids) != len(documents)):
            raise VectorStoreError("add_documents needs one metadata (and id) per document")
        if any(not isinstance(text, str) or not text.strip() for text in documents):
            raise VectorStoreError("every document needs some text")
        if not documents:
            return []
        ids = list(ids) if ids is not None else [uuid.uuid4().hex for _ in documents]
        cleaned = [_clean(meta, i) for i, meta in enumerate(metadatas)]

        def add() -> None:
            self._collection(collection).upsert(ids=ids, documents=list(documents), metadatas=cleaned)

        await self._call(add)
        return ids

    async def search(
        self,
        query: str,
        n_results: int = 5,
        collection: str = "default",
        filter_metadata: Optional[Dict] = None,
    ) -> List[SearchResult]:
        """The documents closest in meaning to ``query``, closest first."""
        if not query.strip() or n_results < 1:
            return []

        def run() -> Dict[str, Any]:
            chosen = self._collection(collection)
            return chosen.query(query_texts=[query], n_results=n_results, where=_where(filter_metadata),
                                include=["documents", "metadatas", "distances"])

        found = await self._call(run)
        rows = zip(found["ids"][0], found["documents"][0], found["metadatas"][0], found["distances"][0])
        return [SearchResult(i, text, dict(meta or {}), 1.0 - float(dist), float(dist)) for i, text, meta, dist in rows]

    async def get_document(self, document_id: str, collection: str = "default") -> Optional[Document]:
        """The document with ``document_id``, if there is one."""
        found = await self._call(lambda: self._collection(collection).get(ids=[document_id]))
        if not found["ids"]:
            return None
        return Document(found["ids"][0], found["documents"][0], dict(found["metadatas"][0] or {}))

    async def list_documents(
        self, collection: str = "default", filter_metadata: Optional[Dict] = None, limit: Optional[int] = None
    ) -> List[Document]:
        """Documents matching ``filter_metadata`` (all without one), in no particular order."""
        found = await self._call(lambda: self._collection(collection).get(where=_where(filter_metadata), limit=limit))
        return [Document(i, text, dict(meta or {})) for i, text, meta in zip(found["ids"], found["documents"], found["metadatas"])]

    async def delete_documents(self, ids: List[str], collection: str = "default") -> None:
        """Remove documents by id (ids that are not there are ignored)."""
        if ids:
            await self._call(lambda: self._collection(collection).delete(ids=list(ids)))

    async def count(self, collection: str = "default") -> int:
        """How many documents ``collection`` holds."""
        return int(await self._call(lambda: self._collection(collection).count()))

    async def close(self) -> None:
        """Release chromadb's files (the store opens them again on next use)."""
        client, self._client, self._collections = self._client, None, {}
        if client is not None:
            await asyncio.to_thread(client.close)
