"""What AstrOS and a language model exchange: messages, replies, tools and streamed pieces.

``AIResponse`` and ``Message`` are as the API reference writes them. Tool calls travel in
``AIResponse.metadata["tool_calls"]`` (a list of :class:`ToolCall`) and in a message's metadata:
an assistant message that asked for tools carries ``metadata["tool_calls"]``; the answer to one
call is a ``role="tool"`` message with ``metadata["tool_call_id"]`` and ``metadata["name"]``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Dict, List, Optional


@dataclass
class AIResponse:
    """Response from AI provider."""

    content: str
    tokens_used: int
    model: str
    confidence: Optional[float] = None
    metadata: Dict[str, Any] = field(default_factory=dict)

    @property
    def tool_calls(self) -> List["ToolCall"]:
        """The tools the model asked to run (empty for a plain answer)."""
        return list(self.metadata.get("tool_calls") or [])

    def to_dict(self) -> Dict[str, Any]:
        """Convert to dictionary."""
        metadata = dict(self.metadata)
        if "tool_calls" in metadata:
            metadata["tool_calls"] = [call.to_dict() for call in metadata["tool_calls"]]
        return {
            "content": self.content,
            "tokens_used": self.tokens_used,
            "model": self.model,
            "confidence": self.confidence,
            "metadata": metadata,
        }


@dataclass
class Message:
    """Chat message."""

    role: str  # "user", "assistant", "system", or "tool" (a tool's result)
    content: str
    timestamp: Optional[datetime] = None
    metadata: Dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ToolCall:
    """One call the model asked for: which tool, with which arguments, under which id."""

    id: str
    name: str
    arguments: Dict[str, Any]

    def to_dict(self) -> Dict[str, Any]:
        return {"id": self.id, "name": self.name, "arguments": dict(self.arguments)}


@dataclass(frozen=True)
class Tool:
    """A function the model may call: a name, what it does, and a JSON schema of its arguments."""

    name: str
    description: str
    parameters: Dict[str, Any]


@dataclass
class StreamChunk:
    """One piece of a streamed reply: new ``text``, or (last) the whole ``response``."""

    text: str = ""
    response: Optional[AIResponse] = None
