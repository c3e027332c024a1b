"""Numbers as people say them ("twenty five", "a hundred and twenty", "3.5", "fifty percent").

Pure and synchronous: the recognizer calls these for every sentence, so the text is cut into
tokens once with a precompiled pattern and the number grammar walks those tokens.

Choices about words that only look like numbers:
- ``a``/``an`` count as one only before ``hundred``/``thousand``/``million``/``billion``
  (here) or before a time unit (see :mod:`astros.intents.timeparse`). ``a dozen`` is 12,
  ``a couple`` is 2, ``a half`` is 0.5, ``a quarter`` 0.25; ``a few`` is not a number.
- A lone ``one`` is not a number inside a sentence when it is used as a pronoun: after
  "the", "this", "that", "which", "each", "every", "no", "any", "another", "other", "last",
  "next", "only", "first", "right", "wrong", "new", "old" ... or before "of" ("one of the lights").
- Ordinals ("second floor", "the 5th") are not numbers; dates read them (:func:`parse_ordinal`).
- ``half`` alone is 0.5; "percent", "per cent" and "%" after a number belong to it (value kept, 50).
- Whole values come back as ``int`` ("3.0" -> 3), others as ``float``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, NamedTuple

Number = int | float

_TOKEN = re.compile(
    r"\d{4}-\d{2}-\d{2}(?!\d)"  # ISO date
    r"|\d{1,2}:\d{2}(?!\d)"  # clock time 7:30
    r"|\d+/\d+"  # fraction 1/2 (or 3/5)
    r"|\d+(?:st|nd|rd|th)(?![a-z])"  # ordinal 5th
    r"|\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d,])"  # 1,000
    r"|\d+(?:\.\d+)?"  # 5, 3.5, 7.30
    r"|[ap]\.\s?m\.?(?![a-z])"  # a.m. / p.m.
    r"|[^\W\d_]+(?:'[^\W\d_]+)*"  # words, with apostrophes
    r"|[^\s\w]"  # one punctuation mark
)
_WORD_HYPHEN = re.compile(r"(?<=[^\W_])-(?=[^\W\d_])")
_MERIDIEM_DOTS = re.compile(r"[ .]")

UNITS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9,
}
TEENS = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}
_SCALES = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
_SMALL = {**UNITS, **TEENS, **TENS}
ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20, "thirtieth": 30,
}
_PERCENT = {"percent", "%", "pct"}
ARTICLE_WORDS = {"a", "an"}
_FRACTIONS = {"half": 0.5, "quarter": 0.25}
_PRONOUN_BEFORE_ONE = {
    "the", "this", "that", "which", "each", "every", "no", "any", "another", "other", "last",
    "next", "only", "first", "right", "wrong", "new", "old", "big", "small", "little", "same",
    "other", "one", "what", "whichever", "little", "blue", "red", "green", "white", "yellow",
}
_PRONOUN_AFTER_ONE = {"of", "another", "by"}
_TRAILING = {".", "?", "!", ",", ";", ":"}


@dataclass(frozen=True, slots=True)
class Span:
    """Something found in a sentence: its ``value`` and where it was (``text[start:end]``)."""

    value: Any
    start: int
    end: int


class Token(NamedTuple):
    """One word, number or punctuation mark of a sentence, lower-cased, with its position."""

    text: str
    start: int
    end: int


def normalize(text: str) -> str:
    """Lower-case ``text`` without changing its length, and join hyphenated words with spaces."""
    lowered = text.lower()
    if len(lowered) != len(text):
        lowered = "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in text)
    lowered = lowered.replace("\u2019", "'")
    return _WORD_HYPHEN.sub(" ", lowered)


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text``; positions index the original string."""
    tokens = []
    for match in _TOKEN.finditer(normalize(text)):
        word = match.group()
        if word[0] in "ap" and len(word) > 2 and word[1] == ".":
            word = _MERIDIEM_DOTS.sub("", word)
        tokens.append(Token(word, match.start(), match.end()))
    return tokens


def tidy(value: float) -> Number:
    """``value`` as an ``int`` when it is whole, else as a ``float``."""
    return int(value) if float(value).is_integer() else float(value)


def _digits(word: str) -> Number | None:
    if word[0].isdigit():
        if "/" in word:
            top, bottom = word.split("/")
            return tidy(int(top) / int(bottom)) if int(bottom) else None
        if ":" in word or "-" in word or word[-1].isalpha():
            return None
        plain = word.replace(",", "")
        return tidy(float(plain)) if "." in plain else int(plain)
    return None


def word_integer(tokens: list[Token], i: int) -> tuple[int, int] | None:
    """The whole number spelled out in words from ``tokens[i]`` on, and the index after it."""
    total, group, last, last_scale, j, end = 0, 0, "", 10**12, i, i
    if i < len(tokens) and tokens[i].text in ARTICLE_WORDS and i + 1 < len(tokens):
        if tokens[i + 1].text in ("hundred", *_SCALES):
            group, last, j = 1, "unit", i + 1
    while j < len(tokens):
        word = tokens[j].text
        if word == "zero" and not last:
            return 0, j + 1
        if word in _SMALL and (not last or last in ("hundred", "scale", "and")
                               or (last == "tens" and word in UNITS)):
            group += _SMALL[word]
            last = "unit" if word in UNITS else "tens" if word in TENS else "teen"
        elif word == "hundred" and last in ("unit", "teen", "tens") and group < 100:
            group, last = group * 100, "hundred"
        elif word in _SCALES and last in ("unit", "teen", "tens", "hundred") and _SCALES[word] < last_scale:
            total, group, last, last_scale = total + group * _SCALES[word], 0, "scale", _SCALES[word]
        elif (word == "and" and last in ("hundred", "scale") and j + 1 < len(tokens)
              and tokens[j + 1].text in _SMALL):
            last, j = "and", j + 1
            continue
        else:
            break
        j, end = j + 1, j + 1
    return (total + group, end) if end > i else None


def _fraction_word(tokens: list[Token], i: int) -> tuple[float, int] | None:
    """"half", "a half", "a quarter", "three quarters", "1/2"."""
    word = tokens[i].text
    if word == "half":
        return 0.5, i + 1
    following = tokens[i + 1].text if i + 1 < len(tokens) else ""
    if word in ARTICLE_WORDS and following in _FRACTIONS:
        return _FRACTIONS[following], i + 2
    if word in UNITS and following in ("quarter", "quarters", "half", "halves"):
        return UNITS[word] * (0.25 if following.startswith("q") else 0.5), i + 2
    return None


def and_a_half(tokens: list[Token], i: int) -> tuple[float, int] | None:
    """"and a half", "and a quarter", "and 1/2", "and a 1/2" after a whole number."""
    if i + 1 >= len(tokens) or tokens[i].text != "and":
        return None
    j = i + 2 if tokens[i + 1].text in ARTICLE_WORDS else i + 1
    if j < len(tokens):
        word = tokens[j].text
        value = _FRACTIONS.get(word) if word != "quarter" or j > i + 1 else None
        if value is None and "/" in word:
            value = _digits(word)
        if value is not None and 0 < value < 1:
            return value, j + 1
    return None


def _point(tokens: list[Token], i: int) -> tuple[str, int]:
    """The digits said after "point" ("three point one four" -> "14")."""
    digits, j = "", i + 1
    while j < len(tokens) and (tokens[j].text in UNITS or tokens[j].text in ("zero", "oh")):
        digits += str(UNITS.get(tokens[j].text, 0))
        j += 1
    return (digits, j) if digits else ("", i)


def number_at(tokens: list[Token], i: int) -> tuple[Number, int] | None:
    """The number starting at ``tokens[i]`` (digits or words) and the index after it."""
    found = _number_core(tokens, i)
    if found is None:
        return None
    value, j = found
    if float(value).is_integer() and (half := and_a_half(tokens, j)):
        value, j = value + half[0], half[1]
    if j < len(tokens) and tokens[j].text in _PERCENT:
        j += 1
    elif j + 1 < len(tokens) and tokens[j].text == "per" and tokens[j + 1].text == "cent":
        j += 2
    return tidy(value), j


def _number_core(tokens: list[Token], i: int) -> tuple[Number, int] | None:
    word = tokens[i].text
    if word in ("minus", "negative") and i + 1 < len(tokens):
        inner = _number_core(tokens, i + 1)
        return (-inner[0], inner[1]) if inner else None
    if word == "-" and i + 1 < len(tokens) and tokens[i + 1].start == tokens[i].end:
        inner = _digits(tokens[i + 1].text)
        if inner is not None and (i == 0 or tokens[i - 1].end < tokens[i].start):
            return -inner, i + 2
    value = _digits(word)
    if value is not None:
        j = i + 1
        if j < len(tokens) and tokens[j].text in ("hundred", *_SCALES) and "/" not in word:
            value, j = value * (100 if tokens[j].text == "hundred" else _SCALES[tokens[j].text]), j + 1
        return value, j
    if (fraction := _fraction_word(tokens, i)) is not None:
        return fraction
    if word in ARTICLE_WORDS and i + 1 < len(tokens) and tokens[i + 1].text in ("dozen", "couple"):
        return (12 if tokens[i + 1].text == "dozen" else 2), i + 2
    if word == "dozen":
        return 12, i + 1
    whole = word_integer(tokens, i)
    if whole is None:
        return None
    value, j = whole
    if j < len(tokens) and tokens[j].text == "point":
        digits, k = _point(tokens, j)
        if digits:
            return float(f"{value}.{digits}"), k
    return value, j


def _is_pronoun_one(tokens: list[Token], i: int, j: int) -> bool:
    if j != i + 1 or tokens[i].text != "one":
        return False
    before = tokens[i - 1].text if i > 0 else ""
    after = tokens[j].text if j < len(tokens) else ""
    return before in _PRONOUN_BEFORE_ONE or after in _PRONOUN_AFTER_ONE


def _inside_word(tokens: list[Token], i: int) -> bool:
    """Digits glued to the letters before them ("ps5", "n9ne") are part of a name, not a number."""
    return i > 0 and tokens[i - 1].end == tokens[i].start and tokens[i - 1].text[-1].isalpha()


def numbers_in(tokens: list[Token]) -> list[tuple[Number, int, int]]:
    """Every number in ``tokens`` as (value, first token index, index after the last token)."""
    found, i = [], 0
    while i < len(tokens):
        hit = number_at(tokens, i) if not _inside_word(tokens, i) else None
        if hit is None or _is_pronoun_one(tokens, i, hit[1]):
            i += 1
            continue
        found.append((hit[0], i, hit[1]))
        i = hit[1]
    return found


def strip_trailing(tokens: list[Token]) -> list[Token]:
    while tokens and tokens[-1].text in _TRAILING:
        tokens = tokens[:-1]
    return tokens


def parse_number(text: str) -> Number | None:
    """The number ``text`` says ("twenty five", "3.5", "a dozen", "50%"), or None if it is not one.

    Takes about 10 microseconds for a few words.
    """
    tokens = strip_trailing(tokenize(text))
    if not tokens:
        return None
    hit = number_at(tokens, 0)
    return hit[0] if hit is not None and hit[1] == len(tokens) else None


def find_numbers(text: str) -> list[Span]:
    """Every number in the sentence ``text``, in order, with its character span."""
    tokens = tokenize(text)
    return [Span(value, tokens[i].start, tokens[j - 1].end) for value, i, j in numbers_in(tokens)]


def ordinal_at(tokens: list[Token], i: int) -> tuple[int, int] | None:
    """The ordinal at ``tokens[i]`` ("5th", "fifth", "twenty first") and the index after it."""
    word = tokens[i].text
    if word[0].isdigit() and word[-1].isalpha():
        return int(word[:-2]), i + 1
    if word in ORDINALS:
        return ORDINALS[word], i + 1
    if word in TENS and i + 1 < len(tokens) and tokens[i + 1].text in ORDINALS:
        unit = ORDINALS[tokens[i + 1].text]
        if unit < 10:
            return TENS[word] + unit, i + 2
    return None


def parse_ordinal(text: str) -> int | None:
    """The ordinal ``text`` says ("3rd", "third", "twenty first"), or None."""
    tokens = strip_trailing(tokenize(text))
    hit = ordinal_at(tokens, 0) if tokens else None
    return hit[0] if hit is not None and hit[1] == len(tokens) else None
