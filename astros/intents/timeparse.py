"""Durations ("an hour and a half") and clock times ("half past seven", "7:30 pm") in speech.

Pure and synchronous, working on the tokens of :mod:`astros.intents.numbers`.

Durations come back as ``{"hours": h, "minutes": m, "seconds": s}`` (ints, zeros included) in
the units the person said: "90 seconds" stays 90 seconds; fractions move down one unit
("an hour and a half" -> 1 h 30 min, "half a minute" -> 30 s). Units must fall from hours to
seconds within one duration, so "5 minutes from 1 hour" is two durations. "a second" on its
own is the idiom ("just a second"), not a duration; "a few minutes" is too vague to be one.
Days are not duration units (dates read "in 3 days").

Clock times come back as :class:`ClockTime`, a ``(hour, minute)`` tuple in 24-hour time that
also says whether AM/PM was known. "seven" alone is ``(7, 0)`` with ``explicit`` False: the
caller decides between morning and evening from the current time. Inside a sentence a bare
number is a clock time only after "at" ("wake me at seven"; 1..12 only), or also after "for",
"to", "until" when ``loose`` is set (alarm sentences), so "dim the lights to seven" stays a
number. "from two to three" is not 2:58; "ten to eleven" is 10:50 (to/till/before only with
5, 10, a quarter, 20, 25 or "N minutes").
"""

from __future__ import annotations

from .numbers import ARTICLE_WORDS, TEENS, TENS, UNITS, Span, Token, and_a_half, number_at, tokenize
from .numbers import strip_trailing, word_integer

HOURS, MINUTES, SECONDS = 0, 1, 2
_UNIT_WORDS = {
    "hour": HOURS, "hours": HOURS, "hr": HOURS, "hrs": HOURS,
    "minute": MINUTES, "minutes": MINUTES, "min": MINUTES, "mins": MINUTES,
    "second": SECONDS, "seconds": SECONDS, "sec": SECONDS, "secs": SECONDS,
}
_UNIT_LETTERS = {"h": HOURS, "m": MINUTES, "s": SECONDS}
_UNIT_NAMES = ("hours", "minutes", "seconds")
_OF_AFTER = {"couple", "quarter", "quarters", "dozen"}
_TRAILING_OK = {"", ",", ".", "?", "!", "timer", "please", "called", "named", "for", "on", "and"}
_NOT_AFTER_TIME = {
    *_UNIT_WORDS, "percent", "%", "degrees", "degree", "times", "days", "day", "weeks", "week",
    "point", "hundred", "thousand", "of", "per",
}
_MERIDIEM = {
    ("am",): "am", ("pm",): "pm", ("in", "the", "morning"): "am", ("this", "morning"): "am",
    ("in", "the", "afternoon"): "pm", ("this", "afternoon"): "pm", ("in", "the", "evening"): "pm",
    ("this", "evening"): "pm", ("at", "night"): "night", ("tonight",): "night",
    ("in", "the", "night"): "night",
}
_SPECIAL = {"noon": 12, "midday": 12, "midnight": 0}
_PAST = {"past", "after"}
_TO = {"to", "till", "til", "before", "of"}
_TO_MINUTES = {5, 10, 15, 20, 25}
_CUE_STRICT = {"at"}
_CUE_LOOSE = {"at", "for", "to", "until", "till", "by"}


class ClockTime(tuple):
    """A time of day: ``(hour, minute)`` in 24-hour time; ``explicit`` says AM/PM was known."""

    explicit: bool

    def __new__(cls, hour: int, minute: int, explicit: bool = True) -> "ClockTime":
        self = super().__new__(cls, (hour, minute))
        self.explicit = explicit
        return self

    def __getnewargs__(self) -> tuple[int, int, bool]:  # type: ignore[override]
        return self[0], self[1], self.explicit

    @property
    def hour(self) -> int:
        """Hour of the day, 0..23."""
        return self[0]

    @property
    def minute(self) -> int:
        """Minute of the hour, 0..59."""
        return self[1]

    def __str__(self) -> str:
        return f"{self[0]:02d}:{self[1]:02d}"


def _text(tokens: list[Token], i: int) -> str:
    return tokens[i].text if 0 <= i < len(tokens) else ""


# ---------------------------------------------------------------- durations


def _amount(tokens: list[Token], i: int) -> tuple[float, int, bool] | None:
    """How many units: (value, index after, said with the article "a"/"an")."""
    word, following = tokens[i].text, _text(tokens, i + 1)
    if word in ARTICLE_WORDS and following in _UNIT_WORDS:
        return 1.0, i + 1, True
    if word == "quarter":
        value, j = 0.25, i + 1
    else:
        hit = number_at(tokens, i)
        if hit is None or hit[0] < 0 or tokens[hit[1] - 1].text in ("%", "percent", "cent"):
            return None
        value, j = hit
    if _text(tokens, j) == "of" and tokens[j - 1].text in _OF_AFTER:
        j += 1
    if value < 1 and _text(tokens, j) in ARTICLE_WORDS:
        j += 1
    return float(value), j, False


def _part(tokens: list[Token], i: int) -> tuple[int, float, int, bool] | None:
    """One "<amount> <unit>" piece: (unit, amount, index after, said with an article)."""
    amount = _amount(tokens, i)
    if amount is None:
        return None
    value, j, article = amount
    word = _text(tokens, j)
    unit = _UNIT_WORDS.get(word)
    if unit is None and word in _UNIT_LETTERS and tokens[j - 1].text[0].isdigit():
        unit = _UNIT_LETTERS[word]
    if unit is None:
        return None
    j += 1
    if value.is_integer() and (half := and_a_half(tokens, j)):
        value, j = value + half[0], half[1]
    return unit, value, j, article


def _trailing_number(tokens: list[Token], j: int, last_unit: int) -> tuple[int, int] | None:
    """"an hour twenty", "two minutes thirty": a bare count of the next smaller unit."""
    if last_unit == SECONDS or j >= len(tokens):
        return None
    hit = number_at(tokens, j)
    if hit is None or not isinstance(hit[0], int) or not 1 <= hit[0] <= 59:
        return None
    return (hit[0], hit[1]) if _text(tokens, hit[1]) in _TRAILING_OK else None


def duration_at(tokens: list[Token], i: int) -> tuple[dict[str, int], int] | None:
    """The duration starting at ``tokens[i]`` and the index after it."""
    parts: list[tuple[int, float]] = []
    j, last_unit, article = i, -1, False
    while j < len(tokens):
        k = j
        if parts:
            k += _text(tokens, k) == ","
            k += _text(tokens, k) == "and"
        part = _part(tokens, k) if k < len(tokens) else None
        if part is None or part[0] <= last_unit:
            break
        article = article or (not parts and part[3] and part[0] == SECONDS)
        parts.append((part[0], part[1]))
        j, last_unit = part[2], part[0]
    if not parts or (article and len(parts) == 1):
        return None  # nothing, or the idiom "just a second"
    if (extra := _trailing_number(tokens, j, last_unit)) is not None:
        parts.append((last_unit + 1, float(extra[0])))
        j = extra[1]
    return _as_dict(parts), j


def _as_dict(parts: list[tuple[int, float]]) -> dict[str, int]:
    amounts = [0, 0, 0]
    for unit, value in parts:
        whole = int(value)
        amounts[unit] += whole
        rest = value - whole
        while rest > 1e-9 and unit < SECONDS:
            unit, rest = unit + 1, rest * 60
            whole = int(round(rest, 6))
            amounts[unit] += whole
            rest -= whole
        if unit == SECONDS and rest > 1e-9:
            amounts[SECONDS] += round(rest)
    return dict(zip(_UNIT_NAMES, amounts))


def find_durations(text: str) -> list[Span]:
    """Every duration in the sentence ``text`` (value: the hours/minutes/seconds dict)."""
    return [Span(value, tokens[i].start, tokens[j - 1].end) for value, i, j, tokens in _durations(text)]


def _durations(text: str) -> list[tuple[dict[str, int], int, int, list[Token]]]:
    tokens, found, i = tokenize(text), [], 0
    while i < len(tokens):
        hit = duration_at(tokens, i)
        if hit is None:
            i += 1
            continue
        found.append((hit[0], i, hit[1], tokens))
        i = hit[1]
    return found


def find_duration(text: str) -> Span | None:
    """The first duration in the sentence ``text`` ("set a timer for an hour and a half please")."""
    found = find_durations(text)
    return found[0] if found else None


def parse_duration(text: str) -> dict[str, int] | None:
    """The duration ``text`` says ("5 minutes", "an hour and a half"), or None if it is not one."""
    tokens = strip_trailing(tokenize(text))
    hit = duration_at(tokens, 0) if tokens else None
    return hit[0] if hit is not None and hit[1] == len(tokens) else None


# ---------------------------------------------------------------- clock times


def _meridiem(tokens: list[Token], j: int) -> tuple[str, int] | None:
    for length in (1, 2, 3):
        key = tuple(token.text for token in tokens[j:j + length])
        if key in _MERIDIEM:
            return _MERIDIEM[key], j + length
    return None


def _oclock(tokens: list[Token], j: int) -> int:
    if _text(tokens, j) in ("o'clock", "oclock"):
        return j + 1
    return j + 2 if _text(tokens, j) == "o" and _text(tokens, j + 1) == "clock" else j


def _hour_at(tokens: list[Token], i: int) -> tuple[int, int, bool] | None:
    """An hour of the day: (hour, index after, said in 24-hour style)."""
    word = tokens[i].text
    if word in _SPECIAL:
        return _SPECIAL[word], i + 1, True
    if word.isdigit() and len(word) <= 2:
        return (int(word), i + 1, word[0] == "0" or int(word) > 12) if int(word) <= 23 else None
    whole = word_integer(tokens, i) if word in UNITS or word in TEENS or word in TENS else None
    if whole is None or whole[0] > 23:
        return None
    return whole[0], whole[1], whole[0] > 12 or whole[0] == 0


def _minutes_word(tokens: list[Token], j: int) -> tuple[int, int] | None:
    """Minutes said after the hour: "thirty", "forty five", "oh five"."""
    word = _text(tokens, j)
    if word in ("oh", "o") and _text(tokens, j + 1) in UNITS:
        return UNITS[tokens[j + 1].text], j + 2
    if word in TEENS or word in TENS:
        whole = word_integer(tokens, j)
        if whole is not None and 10 <= whole[0] <= 59:
            return whole
    if word.isdigit() and len(word) == 2 and int(word) <= 59 and _meridiem(tokens, j + 1):
        return int(word), j + 1
    return None


def _relative(tokens: list[Token], i: int) -> tuple[int, int, bool, int] | None:
    """"half past seven", "quarter to eight", "ten to eleven", "20 minutes past 6"."""
    word = tokens[i].text
    if word == "quarter" or (word in ARTICLE_WORDS and _text(tokens, i + 1) == "quarter"):
        minutes, j = 15, i + (1 if word == "quarter" else 2)
    elif word == "half":
        minutes, j = 30, i + 1
    else:
        hit = number_at(tokens, i)
        if hit is None or not isinstance(hit[0], int) or not 1 <= hit[0] <= 59:
            return None
        minutes, j = hit
    said_minutes = _text(tokens, j) in ("minute", "minutes", "mins")
    j += said_minutes
    direction = _text(tokens, j)
    if direction not in _PAST and direction not in _TO:
        return None
    if direction in _TO and not (said_minutes or minutes in _TO_MINUTES) or (direction == "of" and minutes != 15):
        return None
    if direction in _TO and _text(tokens, i - 1) in ("from", "between"):
        return None
    hour = _hour_at(tokens, j + 1)
    if hour is None or (hour[0] > 12 and not hour[2]):
        return None
    if direction in _PAST:
        return hour[0], minutes, hour[2], hour[1]
    before = (hour[0] - 1) % 24 if hour[2] else (hour[0] - 2) % 12 + 1
    return before, 60 - minutes, hour[2], hour[1]


def _hhmm(tokens: list[Token], i: int) -> tuple[int, int, bool, int] | None:
    """"7:30", "19.30", "four hundred", "730", "one hundred and thirty" as hours and minutes."""
    word = tokens[i].text
    if ":" in word or (word[0].isdigit() and "." in word and len(word.split(".")[1]) == 2):
        hour, minute = (int(part) for part in word.replace(".", ":").split(":"))
        return hour, minute, word[0] == "0" or hour > 12 or hour == 0, i + 1
    hit = number_at(tokens, i)
    if hit is None or not isinstance(hit[0], int) or not 100 <= hit[0] <= 2359:
        return None
    if word[0].isdigit() and "," in word:
        return None
    return hit[0] // 100, hit[0] % 100, word[0] == "0" or hit[0] >= 1300, hit[1]


def _apply(hour: int, minute: int, explicit: bool, meridiem: str | None) -> ClockTime | None:
    """The time in 24-hour form once "am", "pm" or "at night" (if said) is taken into account."""
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    if meridiem is None:
        return ClockTime(hour, minute, explicit)
    if hour > 12 or hour == 0:
        return ClockTime(hour, minute) if hour == 0 or meridiem != "am" else None
    if meridiem == "night":
        meridiem = "pm" if 6 <= hour <= 11 else "am"
    if meridiem == "am":
        return ClockTime(0 if hour == 12 else hour, minute)
    return ClockTime(hour if hour == 12 else hour + 12, minute)


def resolve_meridiem(time: ClockTime, meridiem: str) -> ClockTime:
    """``time`` read as "am", "pm" or "night" when the sentence says so elsewhere ("tomorrow morning at 8")."""
    return time if time.explicit else (_apply(time.hour, time.minute, False, meridiem) or time)


def _time_core(tokens: list[Token], i: int) -> tuple[int, int, bool, int, str] | None:
    """(hour, minute, explicit, index after, form) for every form but the meridiem.

    The form is "full" when it is a time whatever surrounds it ("half past seven", "7:30"),
    "bare" for a lone hour, "hhmm" for "730"/"four hundred", "dot" for "7.30".
    """
    if (found := _relative(tokens, i)) is not None:
        return *found, "full"
    if (hour := _hour_at(tokens, i)) is not None:
        if tokens[i].text in _SPECIAL:
            return hour[0], 0, True, hour[1], "full"
        if tokens[i].text == "12" and _text(tokens, hour[1]) in _SPECIAL:
            return _SPECIAL[tokens[hour[1]].text], 0, True, hour[1] + 1, "full"
        if (minutes := _minutes_word(tokens, hour[1])) is not None:
            return hour[0], minutes[0], hour[2], minutes[1], "full"
        if (after := _oclock(tokens, hour[1])) > hour[1]:
            return hour[0], 0, hour[2], after, "full"
        return hour[0], 0, hour[2], hour[1], "bare"
    if tokens[i].text == "half" and i + 1 < len(tokens) and (hour := _hour_at(tokens, i + 1)):
        if hour[0] <= 12 and _text(tokens, hour[1]) not in _UNIT_WORDS:
            return hour[0], 30, hour[2], hour[1], "full"
    if (found := _hhmm(tokens, i)) is not None:
        word = tokens[i].text
        return *found, "full" if ":" in word else "dot" if "." in word else "hhmm"
    return None


def _cued(tokens: list[Token], i: int, hour: int, form: str, loose: bool) -> bool:
    """Whether the word before a bare number makes it a time ("at seven", "for seven" if loose)."""
    return _text(tokens, i - 1) in (_CUE_LOOSE if loose else _CUE_STRICT) and (form != "bare" or hour <= 12 or loose)


def clock_time_at(
    tokens: list[Token], i: int, *, loose: bool = False, whole: bool = False, cues: bool = True
) -> tuple[ClockTime, int] | None:
    """The clock time starting at ``tokens[i]`` and the index after it.

    A lone number ("seven", "7.30", "730") is a time when followed by AM/PM ("seven pm"),
    when ``whole`` (the text is nothing but a time), or when ``cues`` allows the word before it
    to say so: "at" (hours 1..12 only: "at 21" is more often a level than a time), and also
    "for"/"to"/"until"/"by" when ``loose`` (then any hour).
    """
    core = _time_core(tokens, i)
    if core is None:
        return None
    hour, minute, explicit, j, form = core
    meridiem = _meridiem(tokens, j)
    if meridiem is None:
        if form == "hhmm" and _text(tokens, j) == "hours":
            j, explicit = j + 1, True
        elif _text(tokens, j) in _NOT_AFTER_TIME:
            return None
        elif form != "full" and not whole and not (cues and _cued(tokens, i, hour, form, loose)):
            return None
    found = _apply(hour, minute, explicit, meridiem[0] if meridiem else None)
    return (found, meridiem[1] if meridiem else j) if found is not None else None


def find_clock_time(text: str, *, loose: bool = False) -> Span | None:
    """The first clock time in the sentence ``text`` (value: :class:`ClockTime`).

    ``loose``: for sentences about alarms, where "for seven" means a time too.
    """
    tokens = tokenize(text)
    for i in range(len(tokens)):
        if (hit := clock_time_at(tokens, i, loose=loose)) is not None:
            return Span(hit[0], tokens[i].start, tokens[hit[1] - 1].end)
    return None


def parse_clock_time(text: str) -> ClockTime | None:
    """The time of day ``text`` says ("7:30 pm", "half past seven", "seven"), or None.

    The result compares equal to an ``(hour, minute)`` tuple; ``.explicit`` is False when
    AM/PM was not said and cannot be told from the form ("seven", "7:30").
    """
    tokens = strip_trailing(tokenize(text))
    hit = clock_time_at(tokens, 0, whole=True) if tokens else None
    return hit[0] if hit is not None and hit[1] == len(tokens) else None
