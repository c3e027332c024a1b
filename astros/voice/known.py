"""Which transcripts are known commands of this home, and which are complete enough to act on at once.

Speech to text asks :func:`command_check` whether a hypothesis is something this home can be asked
(an exact match of a skill's sentence template with this home's names) and
:func:`command_candidates` for the home's sentences nearest to a near miss; the pipeline asks
:func:`silence_needed` how soon a transcript made at a short pause can end the command, without
waiting for the rest of the silence window.
"""

from __future__ import annotations

import logging
from typing import Any, Final, Optional

from .stt import Candidates, CommandCheck, Transcript

_LOGGER = logging.getLogger(__name__)

CONTINUES: Final = frozenset(
    "a an and the to in on of for at with my or but then by from into onto plus please".split()
)
"""Words a sentence does not end on: a transcript ending with one was cut mid-phrase."""


def command_check(recognizer: Any, area: Optional[str]) -> CommandCheck:
    """A check that returns the recognizer's Recognition when ``text`` matches a sentence template
    (the cheap template match first; the full recognition only for a match), else None."""

    def check(text: str) -> Optional[Any]:
        words = " ".join(text.split())
        if not words or recognizer.templates.match(words) is None:
            return None
        result = recognizer.recognize_text(words, area)
        return result if result.layer == "template" and result.intent else None

    return check


def command_candidates(recognizer: Any) -> Candidates:
    """The sentences of the recognizer's templates (with this home's names) nearest to a heard
    text, written out (:class:`astros.intents.grammar.CommandGrammar`)."""

    def candidates(text: str, limit: int) -> list[str]:
        try:
            grammar = recognizer.templates.grammar()
        except Exception as err:  # noqa: BLE001 - no grammar: the slower ways still find commands
            _LOGGER.debug("No command grammar: %s", err)
            return []
        return [candidate.text for candidate in grammar.nearest(text, limit)]

    return candidates


def complete_command(transcript: Transcript) -> bool:
    """True when ``transcript`` is a template command that does not end mid-phrase, in free text
    ("remember that ...") or as a grammar sentence longer than what was heard."""
    return transcript.how != "grammar-longer" and _finished(transcript)


def silence_needed(transcript: Transcript, window_s: float) -> Optional[float]:
    """Seconds of silence after which ``transcript``, made at a pause, may end the command before
    the silence window of ``window_s`` runs out: none for a :func:`complete_command`; half the
    window for a grammar sentence with more words than were heard ("Turn on the Living Room" ->
    "... lamp": Whisper may have missed the word, or the speaker may be about to say it); None
    for anything else (the window decides)."""
    if not _finished(transcript):
        return None
    return window_s / 2 if transcript.how == "grammar-longer" else 0.0


def _finished(transcript: Transcript) -> bool:
    """True when ``transcript`` is a template command that does not end mid-phrase or in free text."""
    command = transcript.command
    if command is None or getattr(command, "layer", "") != "template" or getattr(command, "open_ended", True):
        return False
    words = transcript.text.lower().strip(" .,!?;").split()
    return bool(words) and words[-1].strip(",;") not in CONTINUES
