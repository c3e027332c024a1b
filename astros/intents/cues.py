"""Keyword evidence for the tolerant layer, and the media layer with its guard.

The embedding model judges a whole sentence by resemblance; some words are better evidence
than any resemblance: "play", "listen to", "tune in", "radio", "podcast", "fm" say that media
is wanted whatever else the sentence holds ("i'd like to hear queen's barcelona"), "turn ...
off" with a light word says the light goes off, "alarm" with "what" or "report" asks about
alarms. ``evidence(text)`` returns, per label, an amount added to the tolerant layer's
similarity for that label before the best one is chosen (``""`` is *not understood*).

The **media guard** keeps activities that are not media away from playback: games ("play chess
with me", "let's play a quiz"), questions about music ("who sang this song", "what is playing"),
likes and dislikes ("i like jazz"). Those sentences get evidence for *not understood* and
against playing.
"""

from __future__ import annotations

import re
from typing import Final

from .vocabulary import GAME_WORDS

PLAY: Final = "HassMediaSearchAndPlay"
_MEDIA_ACTIONS: Final = (
    "HassMediaSearchAndPlay", "HassMediaNext", "HassMediaPrevious", "HassMediaUnpause", "HassMediaPause",
)

_PLAY_VERB = re.compile(
    r"\b(play|playing|put on|listen to|listening to|hear|tune in|tune into|tune to|shuffle|queue)\b\s+\S"
)
# "resume the hobbit": templates take "resume the music" (unpause) and "resume the timer", so a
# resumed thing that reaches the tolerant layer is a title.
_RESUME = re.compile(r"^(?:please |can you |could you |would you |will you )?(resume|continue)\s+\S")
_START_VERB = re.compile(r"^(?:please |can you |could you |would you |will you )?(resume|continue|start|run|begin|open)\s+\S")
_MEDIA_NOUN = re.compile(
    r"\b(radio|station|stations|fm|frequency|channel|podcast|podcasts|audiobook|audiobooks|audio book"
    r"|playlist|album|albums|song|songs|music|track|tracks|episode|episodes|chapter|tunes|band|singer"
    r"|artist|library|hits|soundtrack|broadcast|novel|book|spotify|pandora|youtube|audible|sirius)\b"
)
_LEFT_OFF = re.compile(r"\b(where i (left|stopped)|from where i (left|stopped))\b")
_MUSIC_QUESTION = re.compile(
    r"^(who|whose|which|what|when|where|why|how|is|are|was|were|does|did|do|has|have)\b"
    r"(?!.*\b(can you|could you|would you|will you)\b)"
)
_LIKING = re.compile(r"^(i|we) (really )?(like|love|hate|dislike|adore|don't like|do not like|can't stand)\b(?! to)")
_NEGATED = re.compile(r"\b(never|don't|do not|dont|no more)\b.*\b(play|playing|hear|listen)\b")
_STOPPED = re.compile(r"\bstop\b.*\b(play|playing|hear|listen)\b")
_ABOUT_MEDIA = re.compile(r"\b(information|info|name of|title|lyrics|who sings|who sang|details)\b")
# Words that belong to another media or device request: navigation, volume, alarms and timers.
_OTHER_REQUEST = re.compile(
    r"\b(next|previous|again|skip|volume|louder|quieter|softer|can't hear|cannot hear|alarm|alarms|timer|timers"
    r"|light|lights|lamp)\b"
)
_WITH_PERSON = re.compile(r"\bwith (me|us|my \w+)\s*$")

_LIGHT_WORD = r"\b(light|lights|lamp|lamps|lighting|bulb|bulbs)\b"
_OFF = re.compile(rf"\b(turn|switch|shut|power|put)\b.*\boff\b.*{_LIGHT_WORD}|{_LIGHT_WORD}.*\b(off|out)\b")
_OFF_VERB = re.compile(r"\b(turn|switch|shut|power)(ing)? (it |them |the \w+ |\w+ )?off\b")
_ON = re.compile(rf"\b(turn|switch|power|put)\b.*\bon\b.*{_LIGHT_WORD}|{_LIGHT_WORD}.*\bon\b")
_LIGHT_LEVEL = re.compile(
    rf"\b(dim|dimmer|brighten|brighter|brightness|intensity|darker|lighter)\b|{_LIGHT_WORD}.*\b(up|down)\b"
)

_ALARM = re.compile(r"\balarms?\b")
_ALARM_QUERY = re.compile(
    r"\b(what|when|which|show|list|report|check|tell me|let me know|settings|do i have|have i got|is there"
    r"|are there|how many|status)\b"
)
_ALARM_CANCEL = re.compile(r"\b(cancel|delete|remove|clear|disable|turn off|switch off|stop|get rid of)\b")

_WEATHER = re.compile(
    r"\b(weather|forecast|rain|raining|rainy|snow|snowing|sunny|sunshine|cloudy|clouds|windy|humid|humidity"
    r"|umbrella|storm|stormy|thunder|hail|drizzle|foggy|fog|frost|icy|degrees|celsius|fahrenheit|chilly"
    r"|sunscreen|heatwave|showers|temperature outside|outside temperature)\b"
)


def normalize(text: str) -> str:
    """Lower case, plain apostrophes, no punctuation except apostrophes, single spaces."""
    text = text.lower().replace("’", "'")
    return " ".join(re.sub(r"[^\w' ]+", " ", text).split())


def is_not_media(text: str) -> bool:
    """The media guard: a game, a question about music, or a like/dislike is not a request to
    play something."""
    words = set(text.replace("-", " ").split())
    if words & GAME_WORDS or _WITH_PERSON.search(text):
        return True
    return any(rule.search(text) for rule in (_MUSIC_QUESTION, _LIKING, _NEGATED, _STOPPED, _ABOUT_MEDIA))


def media_evidence(text: str) -> float:
    """How strongly the words ask for media to be played (0 when they do not, or are guarded)."""
    if is_not_media(text) or _OTHER_REQUEST.search(text):
        return 0.0
    score = 0.0
    if _PLAY_VERB.search(text) or _RESUME.search(text):
        score += 0.22
    elif _START_VERB.search(text):
        score += 0.12
    if _MEDIA_NOUN.search(text):
        score += 0.12
    if _LEFT_OFF.search(text):
        score += 0.12
    return min(score, 0.34)


def evidence(text: str) -> dict[str, float]:
    """Per label, the amount added to its similarity (negative = evidence against)."""
    found: dict[str, float] = {}
    media = media_evidence(text)
    if media:
        found[PLAY] = media
    elif is_not_media(text) and (_PLAY_VERB.search(text) or _MEDIA_NOUN.search(text)):
        found[PLAY] = -0.15
        found[""] = 0.1
    if _NEGATED.search(text):  # "never play that again" is no command to any player
        for intent in _MEDIA_ACTIONS:
            found[intent] = found.get(intent, 0.0) - 0.15
        found[""] = 0.15
    _light_evidence(text, found)
    _alarm_evidence(text, found)
    if _WEATHER.search(text):
        found["HassGetWeather"] = found.get("HassGetWeather", 0.0) + 0.1
    return found


def _light_evidence(text: str, found: dict[str, float]) -> None:
    if _OFF.search(text) or (_OFF_VERB.search(text) and re.search(_LIGHT_WORD, text)):
        found["HassTurnOff"] = 0.15
        found["HassLightSet"] = -0.1
    elif _ON.search(text) and not _LIGHT_LEVEL.search(text):
        found["HassTurnOn"] = 0.1
    elif _LIGHT_LEVEL.search(text) and re.search(_LIGHT_WORD, text):
        found["HassLightSet"] = 0.1


def _alarm_evidence(text: str, found: dict[str, float]) -> None:
    if not _ALARM.search(text):
        return
    if _ALARM_CANCEL.search(text):
        found["AlarmCancel"] = 0.12
    elif _ALARM_QUERY.search(text):
        found["AlarmQuery"] = 0.12
        found["AlarmSet"] = -0.05
