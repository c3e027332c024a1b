"""ResponseGenerator: the reply a person gets, in each format, for answers and for errors."""

from __future__ import annotations

import json

import pytest

from astros.response import EXAMPLES, ResponseGenerator, voice_text
from astros.types import Context, ProcessingResult, Response, ResponseFormat
from tests.conftest import make_intent


def result(response: Response | None = None, intent_type: str = "HassStartTimer", **kwargs) -> ProcessingResult:
    intent = make_intent(intent_type, minutes=5) if intent_type else make_intent("")
    if not intent_type:
        intent.confidence = 0.0
    return ProcessingResult(intent, response=response, plugin="timers" if response else None, **kwargs)


def context(fmt: ResponseFormat | None = None) -> Context:
    return Context("owner", "s1", fmt)


async def test_text_keeps_the_handlers_sentence() -> None:
    reply = await ResponseGenerator().generate(result(Response(True, "Timer set for 5 minutes.")), context())
    assert reply.success is True
    assert reply.message == "Timer set for 5 minutes."
    assert reply.metadata["format"] == "text"
    assert reply.metadata["intent"] == "HassStartTimer"
    assert reply.suggestions == ["How much time is left?", "Cancel the timer"]


async def test_voice_is_short_and_speakable() -> None:
    long = "Timer set for 5 minutes. It ends at **7:30 pm**. That is 50% of an hour. Enjoy. More text."
    reply = await ResponseGenerator(ResponseFormat.VOICE).generate(result(Response(True, long)), context())
    assert reply.message == "Timer set for five minutes. It ends at seven thirty p m. That is fifty percent of an hour."
    assert reply.metadata["format"] == "voice"


async def test_the_requests_format_beats_the_default() -> None:
    generator = ResponseGenerator(ResponseFormat.VOICE)
    reply = await generator.generate(result(Response(True, "Set for 5 minutes.")), context(ResponseFormat.TEXT))
    assert reply.message == "Set for 5 minutes."


async def test_set_response_format_changes_the_default() -> None:
    generator = ResponseGenerator()
    generator.set_response_format(ResponseFormat.VOICE)
    reply = await generator.generate(result(Response(True, "Set for 5 minutes.")), context())
    assert reply.message == "Set for five minutes."
    generator.set_response_format("gui")  # the value works as well as the member
    assert generator.format is ResponseFormat.GUI
    with pytest.raises(ValueError):
        generator.set_response_format("smoke signals")


@pytest.mark.parametrize("fmt", [ResponseFormat.GUI, ResponseFormat.JSON])
async def test_gui_and_json_carry_structured_data(fmt: ResponseFormat) -> None:
    handler = Response(True, "Timer set for 5 minutes.", data={"timer_id": "abc", "seconds": 300})
    reply = await ResponseGenerator().generate(result(handler), context(fmt))
    assert reply.message == "Timer set for 5 minutes."
    assert reply.data == {
        "timer_id": "abc",
        "seconds": 300,
        "intent": {"type": "HassStartTimer", "confidence": 1.0, "entities": {"minutes": 5}},
        "plugin": "timers",
    }
    assert json.loads(json.dumps(reply.to_dict()))["data"]["intent"]["type"] == "HassStartTimer"


async def test_not_understood_apologises_and_suggests_what_to_say() -> None:
    reply = await ResponseGenerator().generate(result(None, intent_type="", error="not-understood"), context())
    assert reply.success is False
    assert reply.message == "Sorry, I didn't understand that."
    assert reply.suggestions == EXAMPLES
    assert reply.metadata["error"] == "not-understood"
    assert reply.metadata["intent"] is None


@pytest.mark.parametrize(
    ("error", "reason", "message"),
    [
        ("permission-denied", "it needs the admin permission",
         "Sorry, you're not allowed to do that: it needs the admin permission."),
        ("plugin-timeout", "the timers skill took too long", "Sorry, the timers skill took too long."),
        ("plugin-failed", "the timers skill ran into a problem (KeyError)",
         "Sorry, the timers skill ran into a problem (KeyError)."),
        ("no-handler", "no skill can do that yet", "Sorry, I can't do that yet."),
        ("device-jammed", "the garage door is jammed", "Sorry, something went wrong: the garage door is jammed."),
        ("device-jammed", None, "Sorry, something went wrong: no reason was given."),
    ],
)
async def test_error_wording(error: str, reason: str | None, message: str) -> None:
    reply = await ResponseGenerator().generate(result(None, error=error, reason=reason), context())
    assert (reply.success, reply.message) == (False, message)
    assert reply.metadata["error"] == error


async def test_voice_errors_are_speakable_too() -> None:
    reply = await ResponseGenerator().generate(
        result(None, error="plugin-timeout", reason="the timers skill took 30 seconds"), context(ResponseFormat.VOICE)
    )
    assert reply.message == "Sorry, the timers skill took thirty seconds."


async def test_a_handlers_own_suggestions_are_kept() -> None:
    handler = Response(True, "Done.", suggestions=["Do it again"])
    reply = await ResponseGenerator().generate(result(handler), context())
    assert reply.suggestions == ["Do it again"]


async def test_generate_suggestions() -> None:
    generator = ResponseGenerator()
    assert await generator.generate_suggestions(make_intent("AlarmSet")) == ["What alarms do I have?", "Cancel my alarm"]
    assert await generator.generate_suggestions(make_intent("SomethingRare")) == []
    assert await generator.generate_suggestions(make_intent("")) == EXAMPLES


def test_voice_text_keeps_the_first_three_sentences() -> None:
    assert voice_text("One. Two! Three? Four.") == "One. Two! Three?"
