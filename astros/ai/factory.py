"""AIProvider: makes the configured provider by name; other providers can be registered."""

from __future__ import annotations

from typing import Any, Dict, List

from .anthropic import AnthropicProvider
from .base import BaseAIProvider
from .local import LocalProvider
from .openai import OpenAIProvider

_PROVIDERS: Dict[str, type] = {"openai": OpenAIProvider, "anthropic": AnthropicProvider, "local": LocalProvider}


class AIProvider:
    """Factory for creating AI providers."""

    @staticmethod
    def create(provider: str, config: Dict[str, Any]) -> BaseAIProvider:
        """Create AI provider instance.

        ``provider`` is a registered name ("openai", "anthropic", "local", or one registered), or a
        configured name whose table has ``type`` set to a registered name.

        Raises:
            ValueError: If provider is not supported
        """
        kind = str(config.get("type") or provider)
        cls = _PROVIDERS.get(kind)
        if cls is None:
            raise ValueError(
                f"unknown AI provider {kind!r}; available: {', '.join(AIProvider.list_providers())} "
                f"(or set type in [ai.providers.{provider}])"
            )
        return cls({**config, "name": provider})

    @staticmethod
    def list_providers() -> List[str]:
        """List available AI providers."""
        return sorted(_PROVIDERS)

    @staticmethod
    def register_provider(name: str, provider_class: type) -> None:
        """Register custom AI provider (a :class:`BaseAIProvider` subclass) under ``name``."""
        if not (isinstance(provider_class, type) and issubclass(provider_class, BaseAIProvider)):
            raise TypeError(f"{provider_class!r} is not a BaseAIProvider subclass")
        _PROVIDERS[name] = provider_class
