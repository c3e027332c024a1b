"""Dates as people say them, resolved against today's date.

"today", "tonight", "tomorrow", "the day after tomorrow", "yesterday"; weekdays ("friday",
"on friday", "next friday": the next such day, today excluded; "this friday": today included);
"in 3 days", "in two weeks", "5 days from now", "2 days ago"; "on the 5th"/"the fifth" (this
month if that day is still to come, today included, else the next month that has it);
"march 3rd", "the 3rd of march", "twenty fifth may", "may 25, 2026" (without a year: the next
such date, today included) and ISO "2025-03-05". "3/5" is left alone: it is the 3rd of May to
some people and March 5th to others. Word ordinals need "the" or a month ("the second floor"
and "second" alone are not dates).
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from .numbers import ARTICLE_WORDS, TEENS, TENS, Span, Token, number_at, ordinal_at, strip_trailing, tokenize
from .numbers import word_integer

_WEEKDAYS = {name.lower(): index for index, name in enumerate(calendar.day_name)}
_MONTHS = {name.lower(): index for index, name in enumerate(calendar.month_name) if name}
_MONTHS.update({"jan": 1, "feb": 2, "sept": 9, "oct": 10, "nov": 11, "dec": 12})
_RELATIVE_DAYS = {"today": 0, "tonight": 0, "tomorrow": 1, "yesterday": -1}
_THIS = {"morning", "afternoon", "evening"}
_SPAN_UNITS = {"day": 1, "days": 1, "week": 7, "weeks": 7, "fortnight": 14}
_TWO_DIGIT_WORDS = {*TEENS, *TENS}
_AFTER_DAY = {"", ",", ".", "?", "!", "at", "please", "for", "and", "in", "from", "until", "till", "next", "this"}


def _text(tokens: list[Token], i: int) -> str:
    return tokens[i].text if 0 <= i < len(tokens) else ""



def _next_weekday(today: date, weekday: int, include_today: bool) -> date:
    ahead = (weekday - today.weekday()) % 7
    return today + timedelta(days=ahead or (0 if include_today else 7))


def _day_of_month(today: date, day: int) -> date | None:
    """The next date (today included) whose day of the month is ``day``."""
    year, month = today.year, today.month
    for _ in range(13):
        if day <= calendar.monthrange(year, month)[1] and (year, month, day) >= (today.year, today.month, today.day):
            return date(year, month, day)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


def _month_day(today: date, month: int, day: int, year: int | None) -> date | None:
    """That day of that month: in ``year``, else the next one to come (today included)."""
    candidates = [year] if year else range(today.year, today.year + 9)
    for candidate in candidates:
        if day <= calendar.monthrange(candidate, month)[1]:
            found = date(candidate, month, day)
            if year or found >= today:
                return found
    return None


def _year(tokens: list[Token], j: int) -> tuple[int | None, int]:
    """A year after a date ("2026", "twenty twenty six", "two thousand and seventeen"), if any."""
    k = j + (_text(tokens, j) == ",")
    word = _text(tokens, k)
    if len(word) == 4 and word.isdigit() and 1900 <= int(word) <= 2199:
        return int(word), k + 1
    if word in ("nineteen", "twenty") and _text(tokens, k + 1) in _TWO_DIGIT_WORDS:
        last = word_integer(tokens, k + 1)
        if last is not None and 10 <= last[0] <= 99:
            return (19 if word == "nineteen" else 20) * 100 + last[0], last[1]
    whole = word_integer(tokens, k) if word in ("two", "one") else None
    if whole is not None and 1900 <= whole[0] <= 2199:
        return whole
    return None, j


def _day_number(tokens: list[Token], i: int, ordinal_only: bool, words: bool = False) -> tuple[int, int, bool] | None:
    """A day of the month at ``tokens[i]``: (day, index after, said as an ordinal).

    Cardinals count unless ``ordinal_only``: in digits, or also in words when ``words``.
    """
    if i >= len(tokens):
        return None
    hit, ordinal = ordinal_at(tokens, i), True
    if hit is None and not ordinal_only and tokens[i].text.isdigit():
        hit, ordinal = (int(tokens[i].text), i + 1), False
    elif hit is None and words:
        hit, ordinal = word_integer(tokens, i), False
    return (*hit, ordinal) if hit is not None and 1 <= hit[0] <= 31 else None


def _in_month(tokens: list[Token], month: int, day: int, j: int, today: date) -> tuple[date, int] | None:
    year, end = _year(tokens, j)
    found = _month_day(today, month, day, year)
    return (found, end) if found else None


def _calendar_date(tokens: list[Token], i: int, today: date) -> tuple[date, int] | None:
    """"march 3rd", "the 3rd of march", "twenty fifth may", "on the 5th"."""
    word = tokens[i].text
    if word in _MONTHS:
        words = word not in ("may", "march")  # "may one ...", "march two ..." are often not dates
        day = _day_number(tokens, i + 1 + (_text(tokens, i + 1) == "the"), ordinal_only=False, words=words)
        return _in_month(tokens, _MONTHS[word], day[0], day[1], today) if day else None
    the = word == "the"
    day = _day_number(tokens, i + the, ordinal_only=the)
    if day is None:
        return None
    after = day[1] + (_text(tokens, day[1]) == "of")
    if _text(tokens, after) in _MONTHS:
        return _in_month(tokens, _MONTHS[tokens[after].text], day[0], after + 1, today)
    if not day[2] or not (the or tokens[i].text[0].isdigit()) or _text(tokens, day[1]) not in _AFTER_DAY:
        return None  # "the second floor", "fifth" alone
    found = _day_of_month(today, day[0])
    return (found, day[1]) if found else None


def _relative_date(tokens: list[Token], i: int, today: date) -> tuple[date, int] | None:
    """"tomorrow", "the day after tomorrow", "in 3 days", "2 weeks from now", "next friday"."""
    word = tokens[i].text
    if word in _RELATIVE_DAYS:
        return today + timedelta(days=_RELATIVE_DAYS[word]), i + 1
    if word == "this" and _text(tokens, i + 1) in _THIS:
        return today, i + 2
    k = i + (word == "the")
    if _text(tokens, k) == "day" and _text(tokens, k + 1) in ("after", "before"):
        target = _text(tokens, k + 2)
        if target in ("tomorrow", "yesterday") and (target == "tomorrow") == (tokens[k + 1].text == "after"):
            return today + timedelta(days=2 if target == "tomorrow" else -2), k + 3
    k = i + (word in ("this", "next", "coming"))
    k += word == "this" and _text(tokens, k) == "coming"
    if _text(tokens, k) in _WEEKDAYS:
        return _next_weekday(today, _WEEKDAYS[tokens[k].text], include_today=word == "this"), k + 1
    return _counted_days(tokens, i, today)


def _counted_days(tokens: list[Token], i: int, today: date) -> tuple[date, int] | None:
    start = i + (tokens[i].text == "in")
    if start >= len(tokens):
        return None
    if tokens[start].text in ARTICLE_WORDS and _text(tokens, start + 1) in _SPAN_UNITS:
        count, j = 1, start + 1
    elif (hit := number_at(tokens, start)) is not None and isinstance(hit[0], int) and hit[0] >= 0:
        count, j = hit
    else:
        return None
    unit = _SPAN_UNITS.get(_text(tokens, j))
    if unit is None:
        return None
    if start > i:
        return today + timedelta(days=count * unit), j + 1
    if _text(tokens, j + 1) == "from" and _text(tokens, j + 2) in ("now", "today"):
        return today + timedelta(days=count * unit), j + 3
    if _text(tokens, j + 1) == "ago":
        return today - timedelta(days=count * unit), j + 2
    return None


def _iso_date(tokens: list[Token], i: int) -> tuple[date, int] | None:
    word = tokens[i].text
    if len(word) == 10 and word[4] == "-" and word[7] == "-":
        try:
            return date.fromisoformat(word), i + 1
        except ValueError:
            return None
    return None


def date_at(tokens: list[Token], i: int, today: date) -> tuple[date, int] | None:
    """The date starting at ``tokens[i]`` (relative to ``today``) and the index after it."""
    return _iso_date(tokens, i) or _relative_date(tokens, i, today) or _calendar_date(tokens, i, today)


def find_date(text: str, today: date) -> Span | None:
    """The first date in the sentence ``text``, resolved against ``today`` (value: a date)."""
    tokens = tokenize(text)
    for i in range(len(tokens)):
        if (hit := date_at(tokens, i, today)) is not None:
            return Span(hit[0], tokens[i].start, tokens[hit[1] - 1].end)
    return None


def parse_date(text: str, today: date) -> date | None:
    """The date ``text`` says ("tomorrow", "on friday", "march 3rd"), or None if it is not one."""
    tokens = strip_trailing(tokenize(text))
    if tokens and tokens[0].text == "on":
        tokens = tokens[1:]
    hit = date_at(tokens, 0, today) if tokens else None
    return hit[0] if hit is not None and hit[1] == len(tokens) else None


