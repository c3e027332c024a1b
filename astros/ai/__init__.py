"""Language models for AstrOS: providers, the fallback for requests no skill understood, and tools.

``AIProvider.create("openai", {...})`` makes a provider; see docs/ai.md for configuration.
"""

from .base import BaseAIProvider
from .factory import AIProvider
from .sentences import SentenceSplitter, sentences
from .types import AIResponse, Message, StreamChunk, Tool, ToolCall

__all__ = [
    "AIProvider", "AIResponse", "BaseAIProvider", "Message", "SentenceSplitter", "StreamChunk", "Tool",
    "ToolCall", "sentences",
]
