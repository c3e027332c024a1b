"""The data types every part of AstrOS passes around, as the API reference writes them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import Enum
from typing import Any, Dict, List, Optional


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(timezone.utc)


@dataclass
class UserRequest:
    """User request data: what somebody said or typed, and who they are."""

    text: str
    user_id: str
    session_id: str
    timestamp: datetime
    context: Dict[str, Any] = field(default_factory=dict)
    metadata: Dict[str, Any] = field(default_factory=dict)


@dataclass
class Intent:
    """Parsed user intent: what the request asks for, how sure AstrOS is, and its slots."""

    type: str
    confidence: float
    entities: Dict[str, Any]
    context: Dict[str, Any]
    timestamp: datetime
    original_request: UserRequest


@dataclass
class Response:
    """System response."""

    success: bool
    message: str
    data: Optional[Dict[str, Any]] = None
    suggestions: List[str] = field(default_factory=list)
    requires_followup: bool = False
    metadata: Dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> Dict[str, Any]:
        """The response as plain JSON-ready data."""
        return {
            "success": self.success,
            "message": self.message,
            "data": self.data,
            "suggestions": list(self.suggestions),
            "requires_followup": self.requires_followup,
            "metadata": dict(self.metadata),
        }


class ResponseFormat(Enum):
    """Response format types."""

    TEXT = "text"
    VOICE = "voice"
    GUI = "gui"
    JSON = "json"


@dataclass
class SystemStatus:
    """System status information."""

    status: str  # "running", "starting", "stopping", "error"
    uptime: int  # Seconds
    plugins_loaded: int
    active_sessions: int
    memory_usage: float  # MB
    cpu_usage: float  # Percentage

    def to_dict(self) -> Dict[str, Any]:
        """The status as plain JSON-ready data."""
        return {
            "status": self.status,
            "uptime": self.uptime,
            "plugins_loaded": self.plugins_loaded,
            "active_sessions": self.active_sessions,
            "memory_usage": self.memory_usage,
            "cpu_usage": self.cpu_usage,
        }


@dataclass
class Context:
    """What the response generator knows about the person it answers."""

    user_id: str
    session_id: str
    format: Optional[ResponseFormat] = None
    """The format asked for; None means the generator's default."""
    area: Optional[str] = None


@dataclass
class ProcessingResult:
    """What came out of handling one intent, before it is worded for the user.

    ``response`` is the handler's own ``Response``; ``error`` names what went wrong when no handler
    could answer (``not-understood``, ``permission-denied``, ``plugin-timeout``, ``plugin-failed``).
    """

    intent: Intent
    response: Optional[Response] = None
    error: Optional[str] = None
    reason: Optional[str] = None
    """Why it failed, in words a person understands (with ``error``)."""
    plugin: Optional[str] = None
    handler: Optional[str] = None
