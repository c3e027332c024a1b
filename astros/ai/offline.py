"""The one offline embedding model AstrOS loads, shared by the recognizer, memory and providers.

``shared_embedder()`` loads all-MiniLM-L6-v2 (int8, from installed packages) on first use and
hands the same :class:`~astros.embeddings.SentenceEmbedder` to everyone after that, so the model
sits in memory once. ``use_embedder`` lets an already loaded one become the shared one.
"""

from __future__ import annotations

import asyncio
import threading
from typing import List, Optional

from ..embeddings import SentenceEmbedder

_LOCK = threading.Lock()
_SHARED: Optional[SentenceEmbedder] = None


def shared_embedder() -> SentenceEmbedder:
    """The process-wide embedder, loaded on first use (synchronous: call from a thread in async code)."""
    global _SHARED
    with _LOCK:
        if _SHARED is None:
            _SHARED = SentenceEmbedder()
        return _SHARED


def use_embedder(embedder: SentenceEmbedder) -> SentenceEmbedder:
    """Make ``embedder`` the shared one unless one is already loaded; returns the shared one."""
    global _SHARED
    with _LOCK:
        if _SHARED is None:
            _SHARED = embedder
        return _SHARED


async def embed_offline(texts: List[str], embedder: Optional[SentenceEmbedder] = None) -> List[List[float]]:
    """Embed ``texts`` on the device, in a worker thread."""
    model = embedder if embedder is not None else await asyncio.to_thread(shared_embedder)
    vectors = await asyncio.to_thread(model.embed, list(texts))
    return vectors.tolist()
