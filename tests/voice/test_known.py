"""Known commands: repeats cut from short-window transcripts, and when a transcript may end a command."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from astros.voice.decode import cut_repeats
from astros.voice.known import complete_command, silence_needed
from astros.voice.stt import Transcript, without_filler


@dataclass
class Found:
    intent: str
    confidence: float
    open_ended: bool = False
    layer: str = "template"


@pytest.mark.parametrize(("text", "expected"), [
    ("Next, next, next, next,", "Next"),
    ("Never mind, never mind, never mind", "Never mind"),
    ("Set a timer for five minutes, set a timer for five minutes, set a timer", "Set a timer for five minutes"),
    ("What's the date? What's the date?", "What's the date?"),
    ("Set, Bed Light, brightness, 50%,", "Set, Bed Light, brightness, 50%,"),
    ("Turn on the lights.", "Turn on the lights."),
    ("And, apples to my shopping list, and apples to my shopping list.", "And, apples to my shopping list"),
    ("Turn on the light turn on the light turn on", "Turn on the light"),
    ("Play it again, play it again, Sam", "Play it again"),
    ("Very very good", "Very very good"),
    ("Back, lights, lights, lights, lights,", "Back, lights"),
    ("Add apples to my shopping list, and apples to my shopping list, and apples to my", "Add apples to my shopping list"),
    ("Turn on the kitchen lights, turn off the hall lights", "Turn on the kitchen lights, turn off the hall lights"),
    ("", ""),
])
def test_repeats_are_cut(text: str, expected: str) -> None:
    assert cut_repeats(text) == expected


@pytest.mark.parametrize(("text", "command", "complete"), [
    ("Turn on the living room lamp", Found("HassTurnOn", 1.0), True),
    ("What time is it?", Found("HassGetCurrentTime", 1.0), True),
    ("Turn on the lights in the", Found("HassTurnOn", 1.0), False),  # cut mid-phrase
    ("Turn off the kitchen lights and", Found("HassTurnOff", 1.0), False),
    ("Add apples to my shopping list", Found("HassShoppingListAddItem", 0.9), True),  # free text, closed
    ("Remember that the code is", Found("AstrosMemoryRemember", 0.9, open_ended=True), False),  # may go on
    ("Looks so wet", None, False),
])
def test_only_finished_template_commands_end_early(text: str, command: object, complete: bool) -> None:
    assert complete_command(Transcript(text, 2.0, 0.1, command, "short")) is complete


def test_a_grammar_sentence_longer_than_what_was_heard_ends_after_half_the_silence_window() -> None:
    command = Found("HassTurnOn", 1.0)
    assert complete_command(Transcript("What's the weather?", 2.0, 0.1, command, "grammar"))
    assert not complete_command(Transcript("Turn on the Living room lamp", 2.0, 0.1, command, "grammar-longer"))
    assert silence_needed(Transcript("What's the weather?", 2.0, 0.1, command, "grammar"), 0.5) == 0.0
    assert silence_needed(Transcript("Turn on the Living room lamp", 2.0, 0.1, command, "grammar-longer"), 0.5) == 0.25
    assert silence_needed(Transcript("Turn on the lights in the", 2.0, 0.1, command, "grammar-longer"), 0.5) is None
    assert silence_needed(Transcript("Looks so wet", 2.0, 0.1, None, "dictation"), 0.5) is None


def test_a_hallucinated_thank_you_gives_way_to_another_command_among_the_n_best() -> None:
    from astros.voice.decode import Hypothesis
    from astros.voice.stt import _first_command

    known = {"thank you": Found("HassRespond", 1.0), "pause": Found("HassMediaPause", 1.0)}

    def check(text: str) -> object:
        return known.get(text.lower().strip(" .,"))

    heard = [Hypothesis("Thank you.", -1.6, True), Hypothesis("Office, Office,", -1.7, True),
             Hypothesis("Pause.", -1.9, False)]
    assert _first_command(heard, check)[0] == "Pause."
    assert _first_command(heard[:2], check)[0] == "Thank you."  # said, when nothing else is a command
    assert _first_command([*heard[:2], Hypothesis("Pause.", -3.0, False)], check)[0] == "Thank you."


@pytest.mark.parametrize(("text", "expected"), [
    ("Thank you, pause,", "Pause,"),
    ("Okay, thanks. Turn on the lights.", "Turn on the lights."),
    ("Um, what time is it?", "What time is it?"),
    ("Thank you.", "Thank you."),  # nothing but a filler: left as it is
    ("Pause", "Pause"),
    ("Sober lights", "Sober lights"),  # a word that only begins like a filler
])
def test_fillers_before_a_command_are_dropped(text: str, expected: str) -> None:
    assert without_filler(text) == expected
