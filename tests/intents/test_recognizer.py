"""The recognizer's layers as a user meets them: exact templates, the tolerant layer, not understood."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from astros.config import IntentsConfig
from astros.intents.recognizer import IntentRecognizer
from astros.intents.vocabulary import QUERY_INTENTS
from astros.types import UserRequest

from .conftest import small_home


def request(text: str, area: str | None = None) -> UserRequest:
    return UserRequest(text, "u1", "s1", datetime.now(timezone.utc), {"area": area} if area else {})


# ---- layer 1: templates ------------------------------------------------------------------------
def test_template_match_with_area_and_domain(recognizer: IntentRecognizer) -> None:
    result = recognizer.recognize_text("turn off the kitchen lights")
    assert (result.intent, result.layer, result.confidence) == ("HassTurnOff", "template", 1.0)
    assert result.entities == {"area": "Kitchen", "domain": "light"}


def test_template_match_resolves_device_alias_and_area_alias(recognizer: IntentRecognizer) -> None:
    result = recognizer.recognize_text("switch on the big light")
    assert result.intent == "HassTurnOn"
    assert result.entities["name"] == "Kitchen ceiling"
    assert result.entities["domain"] == "light"
    assert recognizer.recognize_text("lounge lights off").entities["area"] == "Living Room"


async def test_area_comes_from_the_request_when_none_is_said(recognizer: IntentRecognizer) -> None:
    intent = await recognizer.recognize(request("turn on the lights", area="Bedroom"))
    assert intent.type == "HassTurnOn"
    assert intent.entities["area"] == "Bedroom"
    assert intent.entities["context_area"] is True
    assert intent.original_request.text == "turn on the lights"


def test_area_defaults_to_the_appliance_room(recognizer: IntentRecognizer) -> None:
    result = recognizer.recognize_text("make it brighter in here")
    assert result.intent == "HassLightSet"
    assert result.entities["area"] == "Living Room"
    assert result.entities["brightness_step"] == "up"


@pytest.mark.parametrize(
    ("text", "intent", "slots"),
    [
        ("set a timer for an hour and a half", "HassStartTimer", {"hours": 1, "minutes": 30}),
        ("set a timer for 5 and a half minutes", "HassStartTimer", {"minutes": 5, "seconds": 30}),
        ("add 5 minutes to the pizza timer", "HassIncreaseTimer", {"minutes": 5, "name": "pizza"}),
        ("wake me up at seven", "AlarmSet", {"time": "07:00"}),
        ("set an alarm for 7:30 pm", "AlarmSet", {"time": "19:30"}),
        ("set the bedside lamp to 40%", "HassLightSet", {"name": "Bedside lamp", "brightness": 40}),
        ("make the lights in the kitchen blue", "HassLightSet", {"area": "Kitchen", "color": "blue"}),
        ("turn the volume down", "HassSetVolumeRelative", {"volume_step": "down"}),
        ("set the volume to 30 percent", "HassSetVolume", {"volume_level": 30}),
        ("open the curtains in the bedroom", "HassTurnOn", {"area": "Bedroom", "device_class": "curtain"}),
        ("add apples to my shopping list", "HassShoppingListAddItem", {"item": "apples"}),
        ("play some jazz on the TV", "HassMediaSearchAndPlay", {"search_query": "jazz", "name": "TV"}),
        ("what's the weather like in Paris", "HassGetWeather", {"name": "Paris"}),
        ("what time is it", "HassGetCurrentTime", {}),
        ("never mind", "HassNevermind", {}),
    ],
)
def test_templates_fill_slots(recognizer: IntentRecognizer, text: str, intent: str, slots: dict) -> None:
    result = recognizer.recognize_text(text)
    assert result.intent == intent
    assert {key: result.entities.get(key) for key in slots} == slots


# ---- layer 2: the tolerant layer ---------------------------------------------------------------
def test_tolerant_layer_understands_a_phrasing_no_template_has(recognizer: IntentRecognizer) -> None:
    assert recognizer.templates.match("get rid of the light in the kitchen") is None
    result = recognizer.recognize_text("get rid of the light in the kitchen")
    assert result.layer == "semantic"
    assert result.intent == "HassTurnOff"
    assert result.entities["area"] == "Kitchen"
    assert result.entities["domain"] == "light"


def test_unsure_state_changing_guess_asks_back(recognizer: IntentRecognizer) -> None:
    result = recognizer.recognize_text("get rid of the light in the kitchen")
    assert result.intent not in QUERY_INTENTS
    assert recognizer.config.min_confidence <= result.confidence < recognizer.config.action_confidence


def test_tolerant_query_is_answered(recognizer: IntentRecognizer) -> None:
    result = recognizer.recognize_text("do i need to dress up warm this evening")
    assert result.layer == "semantic"
    assert result.intent == "HassGetWeather"


# ---- layer 3: not understood -------------------------------------------------------------------
@pytest.mark.parametrize(
    "text", ["tell me a joke", "what's the news", "play chess with me", "send an email", "order a pizza"]
)
def test_out_of_scope_is_not_acted_on(recognizer: IntentRecognizer, text: str) -> None:
    result = recognizer.recognize_text(text)
    assert result.intent == "" or result.intent in QUERY_INTENTS
    if result.intent == "":
        assert result.confidence == 0.0


async def test_not_understood_is_an_empty_intent(recognizer: IntentRecognizer) -> None:
    intent = await recognizer.recognize(request("tell me a joke"))
    assert (intent.type, intent.confidence) == ("", 0.0)
    assert (await recognizer.recognize(request("   "))).type == ""


# ---- custom intents and entities ---------------------------------------------------------------
async def test_register_intent_handler_with_sentences(embedder) -> None:
    recognizer = IntentRecognizer(small_home(), IntentsConfig())
    recognizer._embedder = embedder

    async def water_plants(intent):
        return None

    recognizer.register_intent_handler("WaterPlants", water_plants, ["water [the] plants [in <area>]"])
    await recognizer.prepare()
    assert recognizer.custom_handlers["WaterPlants"] is water_plants
    result = recognizer.recognize_text("water the plants in the kitchen")
    assert result.intent == "WaterPlants"
    assert result.entities["area"] == "Kitchen"


def test_stream_recognition_matches_one_at_a_time(recognizer: IntentRecognizer) -> None:
    texts = ["turn off the kitchen lights", "get rid of the light in the kitchen", "tell me a joke"]
    single = [recognizer.recognize_text(t).intent for t in texts]
    assert [r.intent for r in recognizer.recognize_many([(t, None) for t in texts])] == single


async def test_extract_entities(recognizer: IntentRecognizer) -> None:
    found = await recognizer.extract_entities("turn on the bedside lamp in the bedroom in an hour and a half")
    assert found["name"] == "Bedside lamp"
    assert found["area"] == "Bedroom"
