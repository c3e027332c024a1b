"""Never mind: the person takes back what they were saying.

"Never mind", "forget it", "cancel that" answer with a short "Okay." and change nothing. A question
AstrOS was waiting on for this conversation ("Did you mean ...?") is dropped by the agent itself;
the reply's metadata says ``{"cancelled": True}`` so the agent and the voice pipeline know to stop
waiting for more. This plugin needs no permission and has no settings.
"""

from __future__ import annotations

from astros.plugins.base import BasePlugin, plugin_handler
from astros.types import Intent, Response

ACKNOWLEDGEMENT = "Okay."


class NevermindPlugin(BasePlugin):
    """Answers "never mind" with a short acknowledgement and does nothing else."""

    name = "nevermind"
    version = "1.0.0"
    description = "Never mind / cancel: a short acknowledgement that changes nothing"
    author = "AstrOS"

    async def initialize(self) -> None:
        """Nothing to prepare."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    @plugin_handler("HassNevermind")
    async def nevermind(self, intent: Intent) -> Response:
        """Acknowledge, and tell the agent that nothing more is expected in this conversation."""
        return Response(True, ACKNOWLEDGEMENT, requires_followup=False, metadata={"cancelled": True})
