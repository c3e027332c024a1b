"""Entity extraction: the numbers, durations, clock times, dates and names a sentence carries."""

from __future__ import annotations

import time
from datetime import date, datetime

import pytest

from astros.config import AreaConfig, DeviceConfig, FloorConfig, HomeConfig
from astros.home import Home
from astros.intents.entities import (
    ClockTime,
    Span,
    extract_entities,
    find_clock_time,
    find_date,
    find_duration,
    find_durations,
    find_numbers,
    home_entities,
    parse_clock_time,
    parse_date,
    parse_duration,
    parse_number,
    parse_ordinal,
)


def hms(hours: int = 0, minutes: int = 0, seconds: int = 0) -> dict[str, int]:
    return {"hours": hours, "minutes": minutes, "seconds": seconds}


# ---------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5", 5), ("five", 5), ("Five", 5), ("twenty five", 25), ("twenty-five", 25),
        ("a hundred", 100), ("one hundred and twenty", 120), ("two thousand", 2000),
        ("nine thousand nine hundred and ninety nine", 9999), ("twenty five hundred", 2500),
        ("one million two hundred thousand", 1_200_000), ("3.5", 3.5), ("3.0", 3), ("1,000", 1000),
        ("half", 0.5), ("a half", 0.5), ("a quarter", 0.25), ("three quarters", 0.75), ("1/2", 0.5),
        ("a couple", 2), ("a dozen", 12), ("two and a half", 2.5), ("1 and a 1/2", 1.5),
        ("50%", 50), ("50 %", 50), ("fifty percent", 50), ("fifty per cent", 50),
        ("zero", 0), ("minus five", -5), ("-5", -5), ("three point one four", 3.14),
        ("12345678901234567890", 12345678901234567890), ("Twenty Five!", 25), ("  7 ", 7),
    ],
)
def test_parse_number(text: str, expected: float) -> None:
    value = parse_number(text)
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize(
    "text",
    ["", "hello", "a", "an", "a few", "hundred", "five six", "twenty thirty", "7:30", "5th",
     "second", "one of", "1/0", "five apples", "?!", "2025-03-05"],
)
def test_parse_number_rejects_what_is_not_one_number(text: str) -> None:
    assert parse_number(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("set the kitchen lights to fifty percent", [50]),
        ("turn one of the lights on", []),
        ("turn on this one and that one", []),
        ("one more minute", [1]),
        ("add two apples and three pears", [2, 3]),
        ("five six", [5, 6]),
        ("the temperature is -3 or maybe minus four", [-3, -4]),
        ("no numbers here", []),
        ("I'd like 2 1/2 cups", [2, 0.5]),
    ],
)
def test_find_numbers(text: str, expected: list[float]) -> None:
    assert [span.value for span in find_numbers(text)] == expected


def test_find_numbers_gives_character_spans() -> None:
    text = "Dim it to Twenty-Five percent, then 3.5"
    spans = find_numbers(text)
    assert spans == [Span(25, 10, 29), Span(3.5, 36, 39)]
    assert text[spans[0].start:spans[0].end] == "Twenty-Five percent"


@pytest.mark.parametrize(
    ("text", "expected"), [("3rd", 3), ("third", 3), ("twenty first", 21), ("thirtieth", 30), ("three", None)]
)
def test_parse_ordinal(text: str, expected: int | None) -> None:
    assert parse_ordinal(text) == expected


# ---------------------------------------------------------------- durations


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5 minutes", hms(minutes=5)), ("an hour and a half", hms(1, 30)), ("half an hour", hms(0, 30)),
        ("a minute and a half", hms(0, 1, 30)), ("90 seconds", hms(seconds=90)),
        ("1 hour 20 minutes", hms(1, 20)), ("two and a half hours", hms(2, 30)), ("10 min", hms(0, 10)),
        ("3 mins", hms(0, 3)), ("1 hr", hms(1)), ("quarter of an hour", hms(0, 15)),
        ("three quarters of an hour", hms(0, 45)), ("a half hour", hms(0, 30)), ("half a minute", hms(seconds=30)),
        ("1/2 a minute", hms(seconds=30)), ("1/2 an hour", hms(0, 30)), ("1 and a 1/2 hours", hms(1, 30)),
        ("5 and a half minutes", hms(0, 5, 30)), ("1.5 minutes", hms(0, 1, 30)), ("a couple of minutes", hms(0, 2)),
        ("an hour twenty", hms(1, 20)), ("1 hour, 15 minutes, and 30 seconds", hms(1, 15, 30)),
        ("1 hour 15 minute and 30 second", hms(1, 15, 30)), ("10m", hms(0, 10)), ("45 SECONDS", hms(seconds=45)),
        ("one second", hms(seconds=1)), ("an hour", hms(1)), ("twenty five minutes.", hms(0, 25)),
        ("0 seconds", hms()),
    ],
)
def test_parse_duration(text: str, expected: dict[str, int]) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "minutes", "5", "a second", "a few seconds", "5 minutes 1 hour", "five apples", "-5 minutes", "50% minutes"],
)
def test_parse_duration_rejects(text: str) -> None:
    assert parse_duration(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("set a timer for an hour and a half please", [hms(1, 30)]),
        ("remove 5 minutes from 1 hour timer", [hms(0, 5), hms(1)]),
        ("start a 1 hour 15 minute and 30 second timer", [hms(1, 15, 30)]),
        ("start a second timer for 5 minutes", [hms(0, 5)]),
        ("hang on a second", []),
        ("turn on the lights", []),
    ],
)
def test_find_durations(text: str, expected: list[dict[str, int]]) -> None:
    assert [span.value for span in find_durations(text)] == expected


def test_find_duration_span() -> None:
    text = "Set a timer for an hour and a half, please"
    span = find_duration(text)
    assert span is not None and text[span.start:span.end] == "an hour and a half"
    assert find_duration("nothing here") is None


# ---------------------------------------------------------------- clock times


@pytest.mark.parametrize(
    ("text", "expected", "explicit"),
    [
        ("7:30 pm", (19, 30), True), ("7.30pm", (19, 30), True), ("7 P.M.", (19, 0), True),
        ("half past seven", (7, 30), False), ("quarter to eight", (7, 45), False), ("seven thirty", (7, 30), False),
        ("seven o'clock", (7, 0), False), ("seven o clock", (7, 0), False), ("noon", (12, 0), True),
        ("midnight", (0, 0), True), ("19:30", (19, 30), True), ("07:30", (7, 30), True), ("six am", (6, 0), True),
        ("ten to eleven am", (10, 50), True), ("5 in the morning", (5, 0), True), ("8 in the evening", (20, 0), True),
        ("half seven", (7, 30), False), ("seven", (7, 0), False), ("7", (7, 0), False), ("7:30", (7, 30), False),
        ("12 am", (0, 0), True), ("12 pm", (12, 0), True), ("twelve thirty am", (0, 30), True),
        ("quarter to one", (12, 45), False), ("quarter past midnight", (0, 15), True),
        ("ten to midnight", (23, 50), True), ("twenty five to nine", (8, 35), False),
        ("a quarter past 3", (3, 15), False), ("seven oh five", (7, 5), False), ("seven fifteen pm", (19, 15), True),
        ("eleven at night", (23, 0), True), ("twelve at night", (0, 0), True), ("four hundred am", (4, 0), True),
        ("730 pm", (19, 30), True), ("7 30 pm", (19, 30), True), ("0700 hours", (7, 0), True),
        ("one hundred and thirty", (1, 30), False), ("twenty thirty", (20, 30), True),
        ("Half Past Seven.", (7, 30), False),
    ],
)
def test_parse_clock_time(text: str, expected: tuple[int, int], explicit: bool) -> None:
    found = parse_clock_time(text)
    assert found == expected
    assert isinstance(found, ClockTime) and found.explicit is explicit
    assert (found.hour, found.minute) == expected and str(found) == f"{expected[0]:02d}:{expected[1]:02d}"


@pytest.mark.parametrize("text", ["", "hello", "13:75", "25:00", "13 am", "half to seven", "3 to 4", "seven minutes"])
def test_parse_clock_time_rejects(text: str) -> None:
    assert parse_clock_time(text) is None


@pytest.mark.parametrize(
    ("text", "loose", "expected"),
    [
        ("wake me up at seven", False, (7, 0)),
        ("set an alarm for five thirty", False, (5, 30)),
        ("set an alarm for seven", False, None),
        ("set an alarm for seven", True, (7, 0)),
        ("dim the lights to seven", False, None),
        ("set the brightness at 50 percent", True, None),
        ("turn the volume from two to three", False, None),
        ("how many alarms between six and nine am", False, (9, 0)),
        ("set the timer for half an hour", True, None),
        ("it costs 7.30 pounds", False, None),
        ("wake me at seven and turn on the lights", False, (7, 0)),
    ],
)
def test_find_clock_time(text: str, loose: bool, expected: tuple[int, int] | None) -> None:
    span = find_clock_time(text, loose=loose)
    assert (span.value if span else None) == expected


def test_find_clock_time_span() -> None:
    text = "Set an alarm for five o'clock this evening labelled taxi"
    span = find_clock_time(text)
    assert span is not None and span.value == (17, 0) and text[span.start:span.end] == "five o'clock this evening"


# ---------------------------------------------------------------- dates

WEDNESDAY = date(2025, 12, 31)


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("today", WEDNESDAY, date(2025, 12, 31)), ("tonight", WEDNESDAY, date(2025, 12, 31)),
        ("tomorrow", WEDNESDAY, date(2026, 1, 1)), ("Tomorrow!", WEDNESDAY, date(2026, 1, 1)),
        ("the day after tomorrow", WEDNESDAY, date(2026, 1, 2)), ("day after tomorrow", WEDNESDAY, date(2026, 1, 2)),
        ("yesterday", date(2026, 3, 1), date(2026, 2, 28)), ("the day before yesterday", WEDNESDAY, date(2025, 12, 29)),
        ("friday", WEDNESDAY, date(2026, 1, 2)), ("on friday", WEDNESDAY, date(2026, 1, 2)),
        ("wednesday", WEDNESDAY, date(2026, 1, 7)), ("this wednesday", WEDNESDAY, date(2025, 12, 31)),
        ("next wednesday", WEDNESDAY, date(2026, 1, 7)), ("next monday", WEDNESDAY, date(2026, 1, 5)),
        ("this coming friday", WEDNESDAY, date(2026, 1, 2)), ("in 3 days", WEDNESDAY, date(2026, 1, 3)),
        ("in a week", WEDNESDAY, date(2026, 1, 7)), ("in two weeks", WEDNESDAY, date(2026, 1, 14)),
        ("3 days from now", WEDNESDAY, date(2026, 1, 3)), ("2 days ago", WEDNESDAY, date(2025, 12, 29)),
        ("on the 5th", WEDNESDAY, date(2026, 1, 5)), ("the 31st", WEDNESDAY, date(2025, 12, 31)),
        ("the 31st", date(2026, 1, 31), date(2026, 1, 31)), ("the 31st", date(2026, 2, 1), date(2026, 3, 31)),
        ("the fifth", date(2026, 2, 10), date(2026, 3, 5)), ("march 3rd", WEDNESDAY, date(2026, 3, 3)),
        ("3rd of march", WEDNESDAY, date(2026, 3, 3)), ("the 3rd of March", WEDNESDAY, date(2026, 3, 3)),
        ("march the third", WEDNESDAY, date(2026, 3, 3)), ("twenty fifth may", WEDNESDAY, date(2026, 5, 25)),
        ("25 may", WEDNESDAY, date(2026, 5, 25)), ("may 25, 2027", WEDNESDAY, date(2027, 5, 25)),
        ("december 31st", WEDNESDAY, date(2025, 12, 31)), ("dec 25", WEDNESDAY, date(2026, 12, 25)),
        ("february 29th", WEDNESDAY, date(2028, 2, 29)), ("2025-03-05", WEDNESDAY, date(2025, 3, 5)),
        ("tomorrow", date(2024, 2, 28), date(2024, 2, 29)),
    ],
)
def test_parse_date(text: str, today: date, expected: date) -> None:
    assert parse_date(text, today) == expected


@pytest.mark.parametrize(
    "text",
    ["", "hello", "3/5", "second", "the second floor", "may", "february 30", "2025-02-30", "fridays", "the 32nd"],
)
def test_parse_date_rejects(text: str) -> None:
    assert parse_date(text, WEDNESDAY) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("set alarm on twenty fifth may at five pm", date(2026, 5, 25)),
        ("remove alarms set for tomorrow", date(2026, 1, 1)),
        ("what is the weather on the 5th please", date(2026, 1, 5)),
        ("turn on the second floor lights", None),
        ("the 5th floor", None),
        ("you may go", None),
    ],
)
def test_find_date(text: str, expected: date | None) -> None:
    span = find_date(text, WEDNESDAY)
    assert (span.value if span else None) == expected


# ---------------------------------------------------------------- the home and everything together


@pytest.fixture(scope="module")
def home() -> Home:
    return Home(
        HomeConfig(
            area="Living Room",
            floors=[FloorConfig("Upstairs", ["first floor"]), FloorConfig("Ground Floor")],
            areas=[
                AreaConfig("Living Room", ["lounge"], "Ground Floor"),
                AreaConfig("Kitchen", [], "Ground Floor"),
                AreaConfig("Bedroom", [], "Upstairs"),
                AreaConfig("Master Bedroom", ["Master's Bedroom"], "Upstairs"),
                AreaConfig("Hallway", ["hall"], "Ground Floor"),
            ],
            devices=[
                DeviceConfig("Living Room Lamp", "light", area="Living Room"),
                DeviceConfig("Kitchen Ceiling", "light", ["kitchen ceiling light"], area="Kitchen"),
                DeviceConfig("Fan", "fan", ["ceiling fan"], area="Bedroom"),
                DeviceConfig("Smart Plug", "switch", ["plug", "plug socket one"], area="Living Room"),
                DeviceConfig("Robot Vacuum", "vacuum", ["roomba"], area="Living Room"),
                DeviceConfig("Front Door", "lock", area="Hallway"),
                DeviceConfig("Light", "light", area="Hallway"),
                DeviceConfig("Bedroom Curtain", "cover", device_class="curtain", area="Bedroom"),
                DeviceConfig("PS5", "switch", area="Living Room"),
            ],
        )
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("turn on the living room lamp", {"name": "Living Room Lamp"}),
        ("turn on the Living Room lamps", {"name": "Living Room Lamp"}),
        ("turn off the kitchen lights", {"area": "Kitchen", "domain": "light"}),
        ("turn off the KITCHEN CEILING LIGHTS", {"name": "Kitchen Ceiling"}),
        ("turn on the light", {"name": "Light", "domain": "light"}),
        ("turn on the lights in the lounge", {"domain": "light", "area": "Living Room"}),
        ("turn on the fan in the master's bedroom", {"name": "Fan", "domain": "fan", "area": "Master Bedroom"}),
        ("open the bedroom curtains", {"name": "Bedroom Curtain"}),
        ("open the blinds", {"domain": "cover", "device_class": "blind"}),
        ("close the shades in the bedroom", {"domain": "cover", "device_class": "shade", "area": "Bedroom"}),
        ("close the garage door", {"domain": "cover", "device_class": "garage_door"}),
        ("lock the front door", {"domain": "lock", "name": "Front Door"}),
        ("are the doors locked", {"domain": "lock"}),
        ("switch on the plug", {"name": "Smart Plug", "domain": "switch"}),
        ("switch the sockets off", {"domain": "switch"}),
        ("switch off the hall light", {"area": "Hallway", "name": "Light", "domain": "light"}),
        ("turn on the switch", {"domain": "switch"}),
        ("turn off the tv", {"domain": "media_player", "device_class": "tv"}),
        ("turn up the heating upstairs", {"domain": "climate", "floor": "Upstairs"}),
        ("start the roomba", {"name": "Robot Vacuum", "domain": "vacuum"}),
        ("turn on the ps5", {"name": "PS5"}),
        ("turn on the lights on the first floor", {"domain": "light", "floor": "Upstairs"}),
        ("what's the time", {}),
        ("the kitchenette is nice", {}),
    ],
)
def test_home_entities(home: Home, text: str, expected: dict[str, str]) -> None:
    assert home_entities(text, home) == expected


NOW = datetime(2025, 12, 31, 14, 0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("set a timer for an hour and a half please", {"numbers": [], "duration": hms(1, 30)}),
        ("set a timer for 5 minutes", {"numbers": [], "duration": hms(0, 5)}),
        (
            "remove 5 minutes from 1 hour timer",
            {"numbers": [], "duration": hms(0, 5), "durations": [hms(0, 5), hms(1)]},
        ),
        (
            "wake me up at half past seven tomorrow",
            {"numbers": [], "time": "07:30", "time_explicit": False, "date": "2026-01-01"},
        ),
        (
            "set an alarm for tomorrow morning at eight",
            {"numbers": [], "time": "08:00", "time_explicit": True, "date": "2026-01-01"},
        ),
        ("set an alarm for seven", {"numbers": [], "time": "07:00", "time_explicit": False}),
        (
            "set an alarm for seven thirty in the evening on friday",
            {"numbers": [], "time": "19:30", "time_explicit": True, "date": "2026-01-02"},
        ),
        ("set the living room lamp to fifty percent", {"numbers": [50], "name": "Living Room Lamp"}),
        ("dim the lights to seven", {"numbers": [7], "domain": "light"}),
        ("turn on plug socket one", {"numbers": [], "name": "Smart Plug"}),
        ("turn one of the lights in the kitchen on", {"numbers": [], "domain": "light", "area": "Kitchen"}),
        ("set the heating to 21.5 degrees", {"numbers": [21.5], "domain": "climate"}),
        ("", {"numbers": []}),
        ("blah blah ?!", {"numbers": []}),
        ("at seven tonight", {"numbers": [], "time": "19:00", "time_explicit": True, "date": "2025-12-31"}),
        ("keep the heating at 7", {"numbers": [7], "domain": "climate"}),
        ("turn the lights off at 21", {"numbers": [21], "domain": "light"}),
        ("wake me at 19", {"numbers": [], "time": "19:00", "time_explicit": True}),
        (
            "between eight am and five pm today",
            {"numbers": [], "time": "08:00", "time_explicit": True, "times": ["08:00", "17:00"], "date": "2025-12-31"},
        ),
        ("the twenty second of march twenty seventeen", {"numbers": [], "date": "2017-03-22"}),
        ("am i free on april one two thousand and seventeen", {"numbers": [], "date": "2017-04-01"}),
        ("play be warned by tech n9ne", {"numbers": []}),
        ("play radio one hundred and two point four", {"numbers": [102.4]}),
    ],
)
def test_extract_entities(home: Home, text: str, expected: dict) -> None:
    assert extract_entities(text, home, NOW) == expected


def test_extract_entities_sees_a_changed_home(home: Home) -> None:
    other = Home(HomeConfig(areas=[AreaConfig("Garage")]))
    assert extract_entities("open the garage", other, NOW)["area"] == "Garage"
    assert "area" not in extract_entities("open the garage", home, NOW)


def test_extract_entities_is_fast(home: Home) -> None:
    sentences = [
        "set a timer for an hour and a half please",
        "turn off the kitchen lights",
        "wake me up at half past seven tomorrow",
        "set the living room lamp to fifty percent",
        "what's the weather like on friday in the garden",
    ]
    extract_entities(sentences[0], home, NOW)
    start = time.perf_counter()
    rounds = 200
    for _ in range(rounds):
        for sentence in sentences:
            extract_entities(sentence, home, NOW)
    per_call = (time.perf_counter() - start) / (rounds * len(sentences))
    assert per_call < 0.001, f"{per_call * 1e6:.0f} microseconds per sentence"


def test_home_names_exact_before_plural_first_before_later() -> None:
    home = Home(
        HomeConfig(
            devices=[
                DeviceConfig("Desk Light", "light"),
                DeviceConfig("Desk Lights", "light"),
                DeviceConfig("Other", "light", ["desk light"]),
            ]
        )
    )
    assert home_entities("turn on the desk light", home) == {"name": "Desk Light"}
    assert home_entities("turn on the desk lights", home) == {"name": "Desk Lights"}


def test_odd_text_is_handled() -> None:
    text = "İstanbul \t😀 at 7\npm, ß 5 Minuten " * 3
    entities = extract_entities(text, Home(HomeConfig()), NOW)
    assert entities["time"] == "19:00" and entities["numbers"][0] == 5
    long_text = "set a timer for 5 minutes and wake me at 7 pm. " * 300
    start = time.perf_counter()
    assert len(extract_entities(long_text, Home(HomeConfig()), NOW)["durations"]) == 300
    assert time.perf_counter() - start < 3.0  # linear: about 0.1 s here
