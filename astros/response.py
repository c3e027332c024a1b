"""ResponseGenerator: words the outcome of a request for the person who asked.

Handlers answer in plain written sentences. This turns that (or an error) into the format asked
for: ``text`` as written; ``voice`` short and speakable; ``gui`` and ``json`` with structured data.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List

from .speakable import to_speakable
from .types import Context, Intent, ProcessingResult, Response, ResponseFormat

VOICE_MAX_SENTENCES = 3
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")

ERROR_MESSAGES: Dict[str, str] = {
    "not-understood": "Sorry, I didn't understand that.",
    "no-handler": "Sorry, I can't do that yet.",
    "permission-denied": "Sorry, you're not allowed to do that: {reason}.",
    "plugin-timeout": "Sorry, {reason}.",
    "plugin-failed": "Sorry, {reason}.",
}
DEFAULT_ERROR = "Sorry, something went wrong: {reason}."

EXAMPLES: List[str] = [
    "Set a timer for 5 minutes",
    "Turn off the kitchen lights",
    "Add milk to my shopping list",
    "What time is it?",
    "Wake me up at 7",
]

FOLLOW_UPS: Dict[str, List[str]] = {
    "HassStartTimer": ["How much time is left?", "Cancel the timer"],
    "HassTimerStatus": ["Add 5 minutes to the timer", "Cancel the timer"],
    "HassTurnOn": ["Turn it off", "Set the brightness to 50 percent"],
    "HassTurnOff": ["Turn it back on"],
    "HassLightSet": ["Make it brighter", "Turn off the lights"],
    "HassListAddItem": ["What's on my shopping list?"],
    "HassShoppingListAddItem": ["What's on my shopping list?"],
    "AlarmSet": ["What alarms do I have?", "Cancel my alarm"],
}


class ResponseGenerator:
    """Generates responses for user requests."""

    def __init__(self, format_type: ResponseFormat = ResponseFormat.TEXT) -> None:
        self.format = format_type

    def set_response_format(self, format_type: ResponseFormat) -> None:
        """Set the default format, used when a request's context names none."""
        self.format = ResponseFormat(format_type)

    async def generate(self, result: ProcessingResult, context: Context) -> Response:
        """Generate the reply to ``result`` in the context's format (or the default)."""
        response = result.response or self._error_response(result)
        if not response.suggestions:
            response.suggestions = await self.generate_suggestions(result.intent)
        response.metadata.setdefault("intent", result.intent.type or None)
        if result.error:
            response.metadata.setdefault("error", result.error)
        fmt = context.format or self.format
        response.metadata["format"] = fmt.value
        if fmt is ResponseFormat.VOICE:
            response.message = voice_text(response.message)
        elif fmt in (ResponseFormat.GUI, ResponseFormat.JSON):
            response.data = self._structured(result, response)
        return response

    async def generate_suggestions(self, intent: Intent) -> List[str]:
        """Things the person might say next."""
        if not intent.type:
            return list(EXAMPLES)
        return list(FOLLOW_UPS.get(intent.type, []))

    @staticmethod
    def _error_response(result: ProcessingResult) -> Response:
        template = ERROR_MESSAGES.get(result.error or "", DEFAULT_ERROR)
        message = template.format(reason=result.reason or "no reason was given")
        return Response(success=False, message=message)

    @staticmethod
    def _structured(result: ProcessingResult, response: Response) -> Dict[str, Any]:
        return {
            **(response.data or {}),
            "intent": {
                "type": result.intent.type or None,
                "confidence": round(result.intent.confidence, 3),
                "entities": result.intent.entities,
            },
            "plugin": result.plugin,
        }


def voice_text(message: str) -> str:
    """A reply fit to be spoken: its first few sentences, speakable."""
    sentences = _SENTENCE_END.split(message.strip())
    return to_speakable(" ".join(sentences[:VOICE_MAX_SENTENCES]))
