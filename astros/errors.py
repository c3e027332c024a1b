"""The AstrOS error family: every failure AstrOS reports on purpose is one of these.

Each error carries a short machine-readable ``code`` (for the REST error envelope and logs) and a
message a person can read.  ``PermissionError`` deliberately shadows the builtin inside this
module, as the API reference names it; elsewhere import it as ``AstrOSPermissionError``.
"""

from __future__ import annotations

import builtins


class AstrOSError(Exception):
    """Base exception for AstrOS errors."""

    code: str = "astros-error"

    def __init__(self, message: str = "", code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code

    @property
    def message(self) -> str:
        """The human-readable reason."""
        return str(self)


class ConfigError(AstrOSError):
    """The configuration file is missing a value, has an unknown key, or a wrong type or value."""

    code = "config-invalid"


class PluginError(AstrOSError):
    """Plugin-related errors: a plugin failed to load, raised, or timed out."""

    code = "plugin-failed"


class AIError(AstrOSError):
    """AI provider errors."""

    code = "ai-failed"


class PermissionError(AstrOSError, builtins.PermissionError):  # noqa: A001 - name from the API reference
    """Permission-related errors: the user lacks a permission a handler requires."""

    code = "permission-denied"


AstrOSPermissionError = PermissionError


class ProcessingError(AstrOSError):
    """Request processing errors."""

    code = "processing-failed"


class AuthenticationError(AstrOSError):
    """Authentication errors."""

    code = "authentication-failed"


class ModelNotFoundError(AstrOSError):
    """A model file is missing; the message names the package or path that provides it."""

    code = "model-missing"
