"""Sentence templates: every plugin's file loads, bad files are refused with a clear error."""

from __future__ import annotations

import pytest

from astros.errors import ConfigError
from astros.intents.templates import TemplateMatcher

from .conftest import PLUGINS, small_home

BUILT_IN = {
    "timers": {"HassStartTimer", "HassCancelTimer", "HassCancelAllTimers", "HassTimerStatus",
               "HassIncreaseTimer", "HassDecreaseTimer", "HassPauseTimer", "HassUnpauseTimer"},
    "alarms": {"AlarmSet", "AlarmQuery", "AlarmCancel"},
    "clock": {"HassGetCurrentTime", "HassGetCurrentDate"},
    "lists": {"HassListAddItem", "HassListCompleteItem", "HassListRemoveItem", "HassListGetItems",
              "HassShoppingListAddItem", "HassShoppingListCompleteItem"},
    "home": {"HassTurnOn", "HassTurnOff", "HassLightSet", "HassGetState", "HassSetPosition",
             "HassClimateGetTemperature", "HassClimateSetTemperature", "HassVacuumStart",
             "HassVacuumReturnToBase", "HassVacuumCleanArea"},
    "media": {"HassMediaPause", "HassMediaUnpause", "HassMediaNext", "HassMediaPrevious",
              "HassMediaSearchAndPlay", "HassMediaPlayerMute", "HassMediaPlayerUnmute"},
    "volume": {"HassSetVolume", "HassSetVolumeRelative"},
    "nevermind": {"HassNevermind"},
    "weather": {"HassGetWeather"},
    "assistant": {"HassRespond", "HassBroadcast"},
}


@pytest.mark.parametrize("plugin", sorted(BUILT_IN))
def test_each_plugin_ships_templates_for_its_intents(plugin: str) -> None:
    matcher = TemplateMatcher(small_home())
    matcher.add_files([PLUGINS / plugin / "sentences" / "en.yaml"])
    matcher.build()
    assert BUILT_IN[plugin] <= set(matcher.intent_types)


def test_samples_are_drawn_from_templates() -> None:
    matcher = TemplateMatcher(small_home())
    matcher.add_files([PLUGINS / "clock" / "sentences" / "en.yaml"])
    matcher.build()
    samples = matcher.samples(5)
    assert {intent for intent, _ in samples} == {"HassGetCurrentTime", "HassGetCurrentDate"}
    assert all(matcher.match(text).intent == intent for intent, text in samples)


@pytest.mark.parametrize(("text", "open_ended"), [
    ("add apples to my shopping list", False),  # the free text is closed by the list's name
    ("add milk to the shopping list please", False),
    ("remember that the wifi password is hunter2", True),  # the speaker may go on
    ("set a timer for five minutes", False),  # no free text at all
])
def test_a_match_says_whether_free_text_ends_the_sentence(text: str, open_ended: bool) -> None:
    matcher = TemplateMatcher(small_home())
    matcher.add_files([PLUGINS / name / "sentences" / "en.yaml" for name in ("lists", "memory", "timers")])
    matcher.build()
    assert matcher.match(text).open_ended is open_ended


def test_unreadable_template_file_is_a_clear_error(tmp_path) -> None:
    bad = tmp_path / "en.yaml"
    bad.write_text("intents: [not, a, mapping]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="en.yaml"):
        TemplateMatcher(small_home()).add_files([bad])


def test_broken_template_syntax_is_a_clear_error(tmp_path) -> None:
    bad = tmp_path / "en.yaml"
    bad.write_text("language: en\nintents:\n  X:\n    data:\n      - sentences: ['turn (on']\n", encoding="utf-8")
    matcher = TemplateMatcher(small_home())
    matcher.add_files([bad])
    with pytest.raises(ConfigError, match="invalid"):
        matcher.build()
