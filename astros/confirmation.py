"""Asking back before acting on an unsure guess: the question, and reading the answer."""

from __future__ import annotations

import re
from typing import Optional

from .types import Intent

YES = frozenset({"yes", "yeah", "yep", "yup", "sure", "ok", "okay", "correct", "right", "please", "do it", "go ahead",
                 "yes please", "that's right", "that is right", "affirmative"})
NO = frozenset({"no", "nope", "nah", "no thanks", "no thank you", "cancel", "don't", "do not", "stop", "never mind",
                "nevermind", "wrong"})
_PUNCTUATION = re.compile(r"[^\w\s']")

ACTIONS = {
    "HassTurnOn": "turn on",
    "HassTurnOff": "turn off",
    "HassLightSet": "change",
    "HassSetPosition": "move",
    "HassClimateSetTemperature": "set the temperature of",
    "HassStartTimer": "start a timer",
    "HassCancelTimer": "cancel the timer",
    "HassCancelAllTimers": "cancel all timers",
    "AlarmSet": "set an alarm",
    "AlarmCancel": "cancel the alarm",
    "HassListAddItem": "add to a list",
    "HassShoppingListAddItem": "add to the shopping list",
    "HassVacuumStart": "start the vacuum",
    "HassSetVolume": "set the volume",
    "HassSetVolumeRelative": "change the volume",
    "AstrosMemoryRemember": "remember that",
    "AstrosMemoryForget": "forget that",
    "AstrosFilesOrganize": "organize the downloads",
    "AstrosFilesUndo": "undo the tidying",
    "AstrosSystemRestartService": "restart the service",
}


def yes_or_no(text: str) -> Optional[bool]:
    """True for a yes, False for a no, None when the text is neither."""
    words = _PUNCTUATION.sub(" ", text.lower()).split()
    cleaned = " ".join(words)
    if cleaned in YES:
        return True
    if cleaned in NO:
        return False
    return None


def describe(intent: Intent) -> str:
    """What acting on ``intent`` would do, as a short phrase: "turn off the light in the Kitchen"."""
    action = ACTIONS.get(intent.type, intent.type)
    entities = intent.entities
    target = entities.get("name")
    if not target and entities.get("domain"):
        target = f"the {entities['domain'].replace('_', ' ')}s"
    place = entities.get("area") or entities.get("floor")
    parts = [action]
    if target:
        parts.append(f"the {target}" if entities.get("name") else target)
    elif place and intent.type in ("HassTurnOn", "HassTurnOff"):
        parts.append("everything")
    if place:
        parts.append(f"in the {place}")
    for slot in ("brightness", "position", "volume_level"):
        if slot in entities:
            parts.append(f"to {entities[slot]}%")
    if "temperature" in entities:
        parts.append(f"to {entities['temperature']} degrees")
    if entities.get("message"):
        parts.append(str(entities["message"]))
    if "item" in entities:
        parts.append(f"({entities['item']})")
    return " ".join(parts)
