"""A language model on the home network: llama.cpp's server, Ollama or vLLM.

They all speak OpenAI's Chat Completions API, so this is :class:`OpenAIProvider` with a local
default address (``http://localhost:8080/v1``, llama.cpp's), no key needed (``api_key`` is sent
when set, for servers started with one), and embeddings from the offline model unless
``embedding_model`` names one the server serves; a server without embeddings falls back to the
offline model too.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List

from ..errors import AIError
from .offline import embed_offline
from .openai import OpenAIProvider

_LOGGER = logging.getLogger(__name__)
NO_EMBEDDINGS = frozenset({"model-unknown", "bad-request", "server-error"})


class LocalProvider(OpenAIProvider):
    """An OpenAI-compatible server in the house."""

    name = "local"
    default_base_url = "http://localhost:8080/v1"
    default_model = "local"
    default_embedding_model = ""
    key_env = ""
    needs_key = False
    token_limit_field = "max_tokens"
    stream_usage = False

    def __init__(self, config: Dict[str, Any]):
        super().__init__(config)
        self.embedder = config.get("embedder")
        self._server_embeds = bool(self.settings.embedding_model)

    async def embed(self, texts: List[str]) -> List[List[float]]:
        if self._server_embeds:
            try:
                return await super().embed(texts)
            except AIError as err:
                if err.code not in NO_EMBEDDINGS:
                    raise
                _LOGGER.warning("%s has no embeddings (%s); using the offline model", self.settings.name, err.code)
                self._server_embeds = False
        return await embed_offline(texts, self.embedder)
