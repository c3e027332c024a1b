"""The closed grammar: the home's sentences nearest to what speech to text heard."""

from __future__ import annotations

import pytest

from astros.intents.grammar import words_of
from astros.intents.recognizer import IntentRecognizer


@pytest.mark.parametrize(("heard", "meant"), [
    ("What's the wedding?", "what's the weather"),
    ("Set, Reading lamp, right, 50%,", "set Reading lamp brightness 50 percent"),
    ("Turn on the reading lump", "turn on the Reading lamp"),
    ("Cancel, time, Earth", "cancel timer"),
    ("switch of the kitchen lights", "switch off the Kitchen lights"),
    ("And, apples to my shopping list", "add apples to my shopping list"),  # free text from the heard words
])
def test_a_near_miss_finds_the_sentence_meant(recognizer: IntentRecognizer, heard: str, meant: str) -> None:
    found = [c.text for c in recognizer.templates.grammar().nearest(heard, 12)]
    assert meant in found
    assert recognizer.recognize_text(meant).layer == "template"  # a sentence the templates take as it is


def test_nearest_first_and_an_exact_sentence_costs_nothing(recognizer: IntentRecognizer) -> None:
    found = recognizer.templates.grammar().nearest("what time is it", 5)
    assert found[0].text == "what time is it" and found[0].cost == 0
    assert [c.cost for c in found] == sorted(c.cost for c in found)


@pytest.mark.parametrize("heard", [
    "And so my fellow Americans ask not what your country can do for you",
    "He hoped there would be stew for dinner",
    "And so my fellow Americans.",  # not "broadcast so my fellow americans": free text needs anchors
    "so catch a nice degree",
    "",
])
def test_chatter_is_near_no_sentence(recognizer: IntentRecognizer, heard: str) -> None:
    assert recognizer.templates.grammar().nearest(heard, 12) == []


def test_numbers_are_taken_from_what_was_heard(recognizer: IntentRecognizer) -> None:
    found = [c.text for c in recognizer.templates.grammar().nearest("set a timer for 7 minuets", 5)]
    assert "set a timer for 7 minutes" in found
    assert not any("5" in text for text in found)


def test_words_of() -> None:
    assert words_of("Set, Bed Light, 50%!") == ["set", "bed", "light", "50", "percent"]


@pytest.mark.parametrize(("heard", "meant", "limit"), [
    ("pause", "pause music", 6),  # the last word not heard: a longer sentence goes on from a whole one
    ("turn on the Bedside", "turn on the Bedside lamp", 4),
    ("What's the wedding?", "what's the weather", 4),  # of a dozen sentences one word away, the likeliest
])
def test_among_many_sentences_as_near_the_likely_ones_come_first(recognizer: IntentRecognizer, heard: str,
                                                                  meant: str, limit: int) -> None:
    found = [c.text for c in recognizer.templates.grammar().nearest(heard, limit)]
    assert meant in found, found
