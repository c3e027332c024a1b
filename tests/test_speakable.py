"""Voice replies are said the way a person says them: numbers, times, percentages, degrees, no markup."""

from __future__ import annotations

import pytest

from astros.speakable import clock_words, number_words, ordinal_words, to_speakable


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("Timer set for 5 minutes.", "Timer set for five minutes."),
        ("You have 21 items.", "You have twenty-one items."),
        ("That takes 3.5 hours.", "That takes three point five hours."),
        ("It is -4 outside.", "It is minus four outside."),
        ("About 1,000 people.", "About one thousand people."),
        ("A 2-hour timer.", "A two-hour timer."),
    ],
)
def test_numbers(written: str, spoken: str) -> None:
    assert to_speakable(written) == spoken


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("It is 7:30 pm.", "It is seven thirty p m."),
        ("Alarm set for 7:05 AM.", "Alarm set for seven oh five a m."),
        ("Alarm set for 7:00 a.m.", "Alarm set for seven a m."),
        ("It is 07:05.", "It is seven oh five."),
        ("It is 19:45.", "It is nineteen forty-five."),
        ("It is 19:00.", "It is nineteen hundred."),
        ("It is 9:00.", "It is nine o'clock."),
    ],
)
def test_clock_times(written: str, spoken: str) -> None:
    assert to_speakable(written) == spoken


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("Brightness set to 50%.", "Brightness set to fifty percent."),
        ("Volume 100 %.", "Volume one hundred percent."),
        ("It is 21.5 °C.", "It is twenty-one point five degrees Celsius."),
        ("It is -3°F.", "It is minus three degrees Fahrenheit."),
        ("Set to 20°.", "Set to twenty degrees."),
        ("On the 3rd of May.", "On the third of May."),
        ("The 21st floor.", "The twenty-first floor."),
    ],
)
def test_percentages_degrees_and_ordinals(written: str, spoken: str) -> None:
    assert to_speakable(written) == spoken


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("The **kitchen** lights are _on_.", "The kitchen lights are on."),
        ("# Shopping list", "Shopping list"),
        ("> `milk` and ~~eggs~~", "milk and eggs"),
        ("See [the forecast](https://example.org/weather) later.", "See the forecast later."),
        ("Too    many\n spaces ", "Too many spaces"),
    ],
)
def test_markup_is_removed(written: str, spoken: str) -> None:
    assert to_speakable(written) == spoken


def test_words_only_text_is_unchanged() -> None:
    assert to_speakable("Turned off the kitchen lights.") == "Turned off the kitchen lights."


def test_helpers() -> None:
    assert number_words(42) == "forty-two"
    assert number_words("7.0") == "seven"
    assert ordinal_words(2) == "second"
    assert clock_words(7, 5) == "seven oh five"
    assert clock_words(19, 30, "p") == "nineteen thirty p m"
    assert clock_words(12, 0, "a") == "twelve a m"
