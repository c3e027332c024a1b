"""BaseAIProvider: what every language-model provider offers AstrOS, and its settings.

A provider is configured by one ``[ai.providers.NAME]`` table (see docs/ai.md): ``base_url``,
``model``, ``api_key`` (or the environment variable the provider names), ``timeout``,
``max_retries`` and ``retry_backoff``. Unknown keys and wrong types are reported clearly.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

from ..errors import AIError
from .types import AIResponse, Message, StreamChunk

SETTING_TYPES: Dict[str, tuple] = {
    "type": (str,),
    "name": (str,),
    "base_url": (str,),
    "model": (str,),
    "api_key": (str,),
    "timeout": (int, float),
    "max_retries": (int,),
    "retry_backoff": (int, float),
    "embedding_model": (str,),
    "embedder": (object,),
}


@dataclass(frozen=True)
class ProviderSettings:
    """A provider's checked settings."""

    name: str
    base_url: str
    model: str
    api_key: str
    timeout: float
    max_retries: int
    retry_backoff: float
    embedding_model: str


def read_settings(
    name: str, config: Dict[str, Any], *, base_url: str, model: str, key_env: str = "", embedding_model: str = ""
) -> ProviderSettings:
    """Check ``config`` (one ``[ai.providers.NAME]`` table) and fill in the provider's defaults."""
    for key, value in config.items():
        if key not in SETTING_TYPES:
            raise AIError(f"ai.providers.{name}: unknown key {key!r}; allowed: {', '.join(sorted(SETTING_TYPES))}", "config")
        if isinstance(value, bool) or not isinstance(value, SETTING_TYPES[key]):
            raise AIError(f"ai.providers.{name}.{key}: wrong type {type(value).__name__}", "config")
    timeout = float(config.get("timeout", 30.0))
    retries = int(config.get("max_retries", 2))
    if timeout <= 0 or not 0 <= retries <= 5:
        raise AIError(f"ai.providers.{name}: timeout must be above 0 and max_retries from 0 to 5", "config")
    return ProviderSettings(
        name=name,
        base_url=str(config.get("base_url") or base_url),
        model=str(config.get("model") or model),
        api_key=str(config.get("api_key") or (os.environ.get(key_env, "") if key_env else "")),
        timeout=timeout,
        max_retries=retries,
        retry_backoff=float(config.get("retry_backoff", 0.5)),
        embedding_model=str(config.get("embedding_model") or embedding_model),
    )


class BaseAIProvider(ABC):
    """Base class for AI providers."""

    name: str = "base"

    def __init__(self, config: Dict[str, Any]):
        """Initialize AI provider.

        Args:
            config: Provider configuration
        """
        self.config = config

    @abstractmethod
    async def complete(self, prompt: str, max_tokens: int = 150, temperature: float = 0.7, **kwargs: Any) -> AIResponse:
        """Generate text completion for ``prompt``."""

    @abstractmethod
    async def chat(self, messages: List[Message], max_tokens: int = 150, temperature: float = 0.7, **kwargs: Any) -> AIResponse:
        """Generate the next message of the conversation ``messages``.

        ``tools`` (a list of :class:`~astros.ai.types.Tool`) offers functions the model may call;
        its calls come back in ``AIResponse.metadata["tool_calls"]``.
        """

    async def stream(
        self, messages: List[Message], max_tokens: int = 150, temperature: float = 0.7, **kwargs: Any
    ) -> AsyncIterator[StreamChunk]:
        """Like :meth:`chat`, yielding the text as it arrives and, last, the whole response."""
        response = await self.chat(messages, max_tokens, temperature, **kwargs)
        if response.content:
            yield StreamChunk(text=response.content)
        yield StreamChunk(response=response)

    @abstractmethod
    async def embed(self, texts: List[str]) -> List[List[float]]:
        """Generate embeddings for texts."""

    async def analyze_image(self, image_path: str, prompt: str) -> AIResponse:
        """Analyze image with vision model."""
        raise AIError(f"{self.name} cannot look at images", "not-supported")

    async def close(self) -> None:
        """Release connections (the agent calls this when it stops)."""


def require_key(settings: ProviderSettings, env: str) -> None:
    """Raise the "no key" error when a provider that needs a key has none."""
    if not settings.api_key:
        raise AIError(
            f"{settings.name} needs an API key: set api_key in [ai.providers.{settings.name}] or {env}", "no-key"
        )


def image_part(image_path: str) -> tuple[str, str]:
    """(media type, base64 data) of an image file, with a clear error when it cannot be read."""
    import base64
    import mimetypes

    media = mimetypes.guess_type(image_path)[0] or "image/jpeg"
    try:
        with open(image_path, "rb") as handle:
            return media, base64.b64encode(handle.read()).decode("ascii")
    except OSError as err:
        raise AIError(f"cannot read the image {image_path}: {err.strerror}", "bad-request") from err


def optional(value: Optional[Any], default: Any) -> Any:
    """``value`` unless it is None."""
    return default if value is None else value
