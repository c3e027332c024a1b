"""The one rule for acting, asking back or not understanding."""

from __future__ import annotations

import pytest

from astros.config import IntentsConfig
from astros.intents.decision import Decision, decide

CONFIG = IntentsConfig(min_confidence=0.5, action_confidence=0.75)


@pytest.mark.parametrize(("intent", "confidence", "layer", "heard", "expected"), [
    ("", 0.0, "", "", Decision.NOT_UNDERSTOOD),
    ("HassTurnOn", 0.4, "semantic", "", Decision.NOT_UNDERSTOOD),
    ("HassTurnOn", 0.6, "semantic", "", Decision.ASK),
    ("HassTurnOn", 0.6, "semantic", "dictation", Decision.ASK),  # asking back changes nothing
    ("HassTurnOn", 1.0, "template", "short", Decision.ACT),
    ("HassGetWeather", 0.5, "semantic", "", Decision.ACT),  # typed: a loose query guess is answered
    ("HassGetWeather", 0.5, "semantic", "dictation", Decision.NOT_UNDERSTOOD),  # heard: likely chatter
    ("HassGetWeather", 0.8, "semantic", "dictation", Decision.ACT),
    ("HassGetWeather", 1.0, "template", "dictation", Decision.ACT),
])
def test_the_decision(intent: str, confidence: float, layer: str, heard: str, expected: Decision) -> None:
    assert decide(intent, confidence, layer, CONFIG, heard) is expected
