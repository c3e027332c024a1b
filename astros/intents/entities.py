"""Entities in a sentence: numbers, durations, clock times, dates and the home's names.

Pure, synchronous and quick: :func:`extract_entities` takes about 0.05-0.1 ms for a typical
command (``tests/intents/test_entities.py::test_extract_entities_is_fast`` holds it under
1 ms), so the recognizer can afford it on every line. The grammar lives beside this module:
:mod:`.numbers` (numbers, and the tokenizer everything shares), :mod:`.timeparse`
(durations, clock times) and :mod:`.dates`; this module matches the home's names and puts
everything together.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from ..home import Home
from .dates import date_at, find_date, parse_date
from .numbers import Span, Token, find_numbers, numbers_in, parse_number, parse_ordinal, tokenize
from .timeparse import ClockTime, clock_time_at, duration_at, find_clock_time, find_duration, find_durations
from .timeparse import parse_clock_time, parse_duration, resolve_meridiem

__all__ = [
    "ClockTime", "Span", "extract_entities", "find_clock_time", "find_date", "find_duration",
    "find_durations", "find_numbers", "home_entities", "parse_clock_time", "parse_date",
    "parse_duration", "parse_number", "parse_ordinal",
]

_DOMAIN_WORDS: dict[str, tuple[str, str | None]] = {
    **dict.fromkeys(("light", "lights", "lamp", "lamps", "lighting", "bulb", "bulbs"), ("light", None)),
    **dict.fromkeys(("fan", "fans"), ("fan", None)),
    **dict.fromkeys(
        ("switch", "switches", "plug", "plugs", "socket", "sockets", "outlet", "outlets"), ("switch", None)
    ),
    **dict.fromkeys(("blind", "blinds"), ("cover", "blind")),
    **dict.fromkeys(("curtain", "curtains", "drapes"), ("cover", "curtain")),
    **dict.fromkeys(("shade", "shades"), ("cover", "shade")),
    **dict.fromkeys(("shutter", "shutters"), ("cover", "shutter")),
    **dict.fromkeys(("garage door", "garage doors"), ("cover", "garage_door")),
    **dict.fromkeys(("lock", "locks", "door", "doors"), ("lock", None)),
    **dict.fromkeys(("tv", "tvs", "television", "telly"), ("media_player", "tv")),
    **dict.fromkeys(("speaker", "speakers"), ("media_player", "speaker")),
    **dict.fromkeys(
        ("thermostat", "heating", "heater", "air conditioning", "air conditioner"), ("climate", None)
    ),
    **dict.fromkeys(("vacuum", "vacuums", "vacuum cleaner", "roomba", "hoover"), ("vacuum", None)),
}
_VERB_BEFORE_SWITCH = {
    "please", "and", "then", "to", "you", "can", "could", "would", "will", "i", "just", "now", "also",
    "go", "quickly", "pls", "and", "ok", "okay", "hey",
}
_KIND_ORDER = ("name", "area", "floor", "domain")
_MERIDIEM_DATES = {"tonight", "this morning", "this afternoon", "this evening"}
_ALARM_WORDS = {"alarm", "alarms", "wake", "waking", "wakeup"}
_LEVEL_WORDS = {
    "brightness", "volume", "temperature", "degrees", "degree", "percent", "%", "level", "heating",
    "thermostat", "position", "dim", "brighten", "louder", "quieter",
}

Match = tuple[int, int, str, Any]
"""(first token, token after the last, kind, value) of a phrase found in a sentence."""


def _words(text: str) -> list[str]:
    """The words of a name, compared the way sentences are read (case, apostrophes, hyphens)."""
    return [token.text.replace("'", "") for token in tokenize(text) if token.text[0].isalnum()]


def _variants(phrase: str) -> set[str]:
    """``phrase`` and its singular/plural forms ("kitchen light" <-> "kitchen lights")."""
    found = {phrase, phrase + "s"}
    if phrase.endswith(("ch", "sh", "x")):
        found.add(phrase + "es")
    if phrase.endswith(("ches", "shes", "xes")):
        found.add(phrase[:-2])
    elif phrase.endswith("s") and not phrase.endswith("ss") and len(phrase.rsplit(" ", 1)[-1]) > 3:
        found.add(phrase[:-1])
    return found


class _Vocabulary:
    """Every spoken form of one home's names, and the domain words, by phrase."""

    def __init__(self, home: Home) -> None:
        self.config = home.config
        self.table: dict[str, list[tuple[str, Any]]] = {}
        self._exact: set[tuple[str, str]] = set()
        for phrase, value in _DOMAIN_WORDS.items():
            self.table[phrase] = [("domain", value)]
        for kind, items in (("floor", home.floors), ("area", home.areas), ("name", home.devices)):
            for item in items:
                for spoken in (item.name, *item.aliases):
                    self._add(" ".join(_words(spoken)), kind, item.name)
        self.longest = max(len(phrase.split()) for phrase in self.table)

    def _add(self, phrase: str, kind: str, value: str) -> None:
        """Add ``phrase`` (the first item to claim it keeps it, as in :class:`Home`), and its
        plural/singular unless that is another item's phrase or a domain word."""
        for variant in _variants(phrase) if phrase else ():
            entries = self.table.setdefault(variant, [])
            if variant != phrase and (variant in _DOMAIN_WORDS or any(entry[0] == kind for entry in entries)):
                continue
            if (variant, kind) in self._exact:
                continue
            if variant == phrase:
                self._exact.add((variant, kind))
            entries[:] = [entry for entry in entries if entry[0] != kind] + [(kind, value)]

    def matches(self, tokens: list[Token]) -> list[Match]:
        """Every phrase of the vocabulary in ``tokens``, overlapping ones included."""
        index = [i for i, token in enumerate(tokens) if token.text[0].isalnum()]
        words = [tokens[i].text.replace("'", "") for i in index]
        found = []
        for i in range(len(words)):
            for j in range(min(len(words), i + self.longest), i, -1):
                for kind, value in self.table.get(" ".join(words[i:j]), ()):
                    if kind == "domain" and words[i] == "switch" and (i == 0 or words[i - 1] in _VERB_BEFORE_SWITCH):
                        continue  # "switch on the light", "please switch it off"
                    found.append((index[i], index[j - 1] + 1, kind, value))
        return found


_VOCABULARIES: weakref.WeakKeyDictionary[Home, _Vocabulary] = weakref.WeakKeyDictionary()


def _vocabulary(home: Home) -> _Vocabulary:
    """The home's vocabulary, built once per home (again if its configuration is replaced)."""
    vocabulary = _VOCABULARIES.get(home)
    if vocabulary is None or vocabulary.config is not home.config:
        vocabulary = _VOCABULARIES[home] = _Vocabulary(home)
    return vocabulary


def _choose(matches: list[Match]) -> list[Match]:
    """Longest phrase first; a phrase overlapping a longer one is dropped (same span: both kept)."""
    chosen: list[Match] = []
    for match in sorted(matches, key=lambda m: (m[0] - m[1], m[0])):
        if all(match[1] <= c[0] or match[0] >= c[1] or match[:2] == c[:2] for c in chosen):
            chosen.append(match)
    return sorted(chosen, key=lambda m: (m[0], _KIND_ORDER.index(m[2])))


def _home_slots(chosen: list[Match]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for _start, _end, kind, value in chosen:
        if kind == "domain" and "domain" not in result:
            result["domain"] = value[0]
            if value[1]:
                result["device_class"] = value[1]
        elif kind != "domain":
            result.setdefault(kind, value)
    return result


def home_entities(text: str, home: Home) -> dict[str, Any]:
    """``name``/``area``/``floor``/``domain``/``device_class`` named in ``text``.

    Case-insensitive, whole words, plural or singular ("kitchen lights" finds "Kitchen Light").
    Longest phrase wins where phrases overlap ("living room lamp" is the device, not the area);
    a phrase that is both a device and a domain word ("fan") gives both. The first of each kind
    in the sentence is reported.
    """
    return _home_slots(_choose(_vocabulary(home).matches(tokenize(text))))


def _first(tokens: list[Token], used: list[bool], reader: Callable[[list[Token], int], Any], start: int = 0) -> Any:
    """The first thing ``reader`` finds from ``tokens[start]`` on in tokens nothing else has
    claimed, as (value, first token, token after the last); claims its tokens."""
    for i in range(start, len(tokens)):
        if not used[i] and (hit := reader(tokens, i)) is not None and not any(used[i:hit[1]]):
            used[i:hit[1]] = [True] * (hit[1] - i)
            return hit[0], i, hit[1]
    return None


def _sentence_meridiem(tokens: list[Token]) -> str | None:
    """"am"/"pm" when the sentence says it apart from the time ("tomorrow morning at eight")."""
    words = {token.text for token in tokens}
    if words & {"morning", "am"}:
        return "am"
    return "pm" if words & {"afternoon", "evening", "tonight", "pm"} else None


def _read_date(tokens: list[Token], used: list[bool], today: date, result: dict[str, Any]) -> None:
    if (day := _first(tokens, used, lambda t, i: date_at(t, i, today))) is not None:
        result["date"] = day[0].isoformat()
        if " ".join(token.text for token in tokens[day[1]:day[2]]) in _MERIDIEM_DATES:
            used[day[1]:day[2]] = [False] * (day[2] - day[1])  # "at seven tonight": the time's too


def _read_times(tokens: list[Token], used: list[bool], result: dict[str, Any]) -> None:
    words = {token.text for token in tokens}
    alarm = bool(words & _ALARM_WORDS)
    cues = alarm or not words & _LEVEL_WORDS
    times, start = [], 0
    while (clock := _first(tokens, used, lambda t, i: clock_time_at(t, i, loose=alarm, cues=cues), start)):
        time, start = clock[0], clock[2]
        if not time.explicit and (meridiem := _sentence_meridiem(tokens[: clock[1]] + tokens[clock[2]:])):
            time = resolve_meridiem(time, meridiem)
        times.append(time)
    if times:
        result["time"], result["time_explicit"] = str(times[0]), times[0].explicit
        if len(times) > 1:
            result["times"] = [str(time) for time in times]


def _read_durations(tokens: list[Token], used: list[bool], result: dict[str, Any]) -> None:
    durations, start = [], 0
    while (found := _first(tokens, used, duration_at, start)) is not None:
        durations.append(found[0])
        start = found[2]
    if durations:
        result["duration"] = durations[0]
        if len(durations) > 1:
            result["durations"] = durations


def extract_entities(text: str, home: Home, now: datetime) -> dict[str, Any]:
    """Everything ``text`` names, as slot values.

    ``home`` supplies the names; ``now`` (in the configured time zone) resolves dates.
    Keys: ``numbers`` (always: the numbers that are not part of a name, time, date or
    duration), and when found: ``time`` ("HH:MM") with ``time_explicit`` (whether AM/PM was
    known), ``times`` (all of them, when there are several), ``date`` ("YYYY-MM-DD"),
    ``duration`` ({"hours", "minutes", "seconds"}, the first), ``durations`` (all of them,
    when there are several), ``name``, ``area``, ``floor``, ``domain``, ``device_class``.
    A bare hour is a time after "at" ("at seven"), and also after "for"/"to"/"until" in a
    sentence about an alarm or waking up ("set an alarm for seven"), but not in a sentence
    about a level ("keep the heating at 7", "set the volume at 5").
    """
    tokens = tokenize(text)
    used = [False] * len(tokens)
    chosen = _choose(_vocabulary(home).matches(tokens))
    for start, end, kind, _value in chosen:
        if kind != "domain":
            used[start:end] = [True] * (end - start)
    result: dict[str, Any] = {}
    _read_date(tokens, used, now.date(), result)
    _read_times(tokens, used, result)
    _read_durations(tokens, used, result)
    result["numbers"] = [value for value, i, j in numbers_in(tokens) if not any(used[i:j])]
    result.update(_home_slots(chosen))
    return result
