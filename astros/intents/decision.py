"""What AstrOS does with a recognised intent: act on it, ask back first, or treat it as not understood.

One rule for every way a request arrives (typed, over the API, spoken), used by the agent and by
the benchmarks that count what AstrOS would act on:

- no intent, or a confidence under ``min_confidence``: not understood (the language model, when one
  is configured, or "sorry");
- spoken words that matched no command of this home (open dictation) and reached the tolerant
  layer only at its floor: not understood either - such text is far more often chatter picked up
  by the microphone than a request;
- a state-changing intent under ``action_confidence``: ask back ("Did you mean ...?");
- anything else: act.
"""

from __future__ import annotations

from enum import StrEnum

from ..config import IntentsConfig
from .vocabulary import QUERY_INTENTS

DICTATION = "dictation"
"""How a spoken request's text was found when it matched no known command (``Transcript.how``)."""


class Decision(StrEnum):
    """What the agent does with a recognised intent."""

    ACT = "act"
    ASK = "ask"
    NOT_UNDERSTOOD = "not-understood"


def decide(intent: str, confidence: float, layer: str, config: IntentsConfig, heard: str = "") -> Decision:
    """The decision for ``intent`` recognised with ``confidence`` by ``layer`` ("template",
    "semantic"); ``heard``: how a spoken request's text was found (empty when typed)."""
    if not intent or confidence < config.min_confidence:
        return Decision.NOT_UNDERSTOOD
    if heard == DICTATION and layer == "semantic" and confidence <= config.min_confidence:
        return Decision.NOT_UNDERSTOOD
    if intent not in QUERY_INTENTS and confidence < config.action_confidence:
        return Decision.ASK
    return Decision.ACT
