"""Embeddings made on the device, for providers whose service has none.

They come from the one shared offline model (:func:`astros.embeddings.shared_embedder`).
"""

from __future__ import annotations

import asyncio
from typing import List, Optional

from ..embeddings import SentenceEmbedder, shared_embedder

async def embed_offline(texts: List[str], embedder: Optional[SentenceEmbedder] = None) -> List[List[float]]:
    """Embed ``texts`` on the device, in a worker thread."""
    model = embedder if embedder is not None else await asyncio.to_thread(shared_embedder)
    vectors = await asyncio.to_thread(model.embed, list(texts))
    return vectors.tolist()
