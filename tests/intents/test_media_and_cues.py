"""The media layer and its guard, and keyword evidence in the tolerant layer."""

from __future__ import annotations

import pytest

from astros.intents import cues
from astros.intents.recognizer import IntentRecognizer
from astros.intents.vocabulary import QUERY_INTENTS


@pytest.mark.parametrize(
    "text",
    [
        "i'd love to hear some old motown records",
        "resume the hobbit for me",
        "tune in to ninety five point eight fm",
        "run some swedish folk tunes",
        "put my road trip playlist on",
        "carry on with the murder mystery audiobook where i stopped",
    ],
)
def test_media_requests_no_template_covers_play(recognizer: IntentRecognizer, text: str) -> None:
    result = recognizer.recognize_text(text)
    assert result.intent == "HassMediaSearchAndPlay", (text, result)


@pytest.mark.parametrize(
    "text",
    [
        "play chess with me",
        "let's play a quiz",
        "who sang this song",
        "what is the name of the song that is playing",
        "i really like jazz",
        "never play that band again",
        "give me information on this album",
    ],
)
def test_media_guard_keeps_activities_and_questions_from_playing(recognizer: IntentRecognizer, text: str) -> None:
    result = recognizer.recognize_text(text)
    assert result.intent != "HassMediaSearchAndPlay", (text, result)
    assert result.intent == "" or result.intent in QUERY_INTENTS


def test_guard_and_evidence_directly() -> None:
    assert cues.is_not_media(cues.normalize("Play chess with me!"))
    assert not cues.is_not_media(cues.normalize("I'd like to listen to jazz"))
    assert cues.media_evidence(cues.normalize("tune into the bbc radio station")) > 0.3
    assert cues.media_evidence(cues.normalize("turn the volume up")) == 0.0
    evidence = cues.evidence(cues.normalize("could you switch off the light in the pantry"))
    assert evidence["HassTurnOff"] > 0 > evidence["HassLightSet"]
    assert cues.evidence(cues.normalize("what alarms do i have"))["AlarmQuery"] > 0


def test_keyword_evidence_turns_an_unknown_room_light_off(recognizer: IntentRecognizer) -> None:
    result = recognizer.recognize_text("please switch off the light in the pantry")
    assert result.intent == "HassTurnOff"
    assert result.entities["domain"] == "light"


def test_alarm_question_is_a_query(recognizer: IntentRecognizer) -> None:
    assert recognizer.recognize_text("report my alarm settings please").intent == "AlarmQuery"
