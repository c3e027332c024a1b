"""Helpers for speaking a language model's reply while the model is still writing it.

:class:`Ahead` pulls an async iterator in a task of its own, so the next sentence is synthesised
while this one plays. :class:`FirstSentence` starts synthesising the reply's first sentence the
moment its full stop arrives: the sentence splitter can only be sure a sentence ended when the
next word begins ("3." may become "3.5"), and waiting for that costs one more token of the model.
The early audio is used only when the splitter then cuts exactly that sentence.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import AsyncIterator
from typing import Any, Generic, Optional, TypeVar

from ..ai.sentences import SentenceSplitter
from ..speakable import to_speakable
from .tts import SpeechAudio, TextToSpeech

_LOGGER = logging.getLogger(__name__)
T = TypeVar("T")
_ENDS_LIKE_A_SENTENCE = re.compile(r"[^\W\d_][.!?…]+[\"'”’)\]]*$")  # a word (not a number) and a full stop
_CLAUSE_END = re.compile(r"[,;:—](?=\s)")  # a clause mark followed by a space (not "1,000")
_SENTENCE_END = re.compile(r"[.!?…](?=\s|$)")
CLAUSE_MIN_WORDS = 3  # a first sentence is cut at a clause mark only with this many words on each side


class Ahead(Generic[T]):
    """``items``, pulled from the moment this is made by a task of its own, so each one is ready
    (or being made) before it is asked for. ``aclose()`` stops the pulling."""

    def __init__(self, items: AsyncIterator[T]) -> None:
        self._queue: asyncio.Queue[tuple[bool, Any]] = asyncio.Queue()
        self._ended = False
        self._task = asyncio.create_task(self._pull(items), name="voice-ahead")

    async def _pull(self, items: AsyncIterator[T]) -> None:
        try:
            async for item in items:
                self._queue.put_nowait((True, item))
        except Exception as err:  # noqa: BLE001 - raised to the consumer
            self._queue.put_nowait((False, err))
        self._queue.put_nowait((False, None))

    def __aiter__(self) -> "Ahead[T]":
        return self

    async def __anext__(self) -> T:
        if self._ended:
            raise StopAsyncIteration
        ok, item = await self._queue.get()
        if ok:
            return item
        self._ended = True
        if item is not None:
            raise item
        raise StopAsyncIteration

    async def aclose(self) -> None:
        """Stop pulling (the item being made is finished first by its producer's own clean-up)."""
        self._ended = True
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


def split_first_clause(text: str) -> tuple[str, str]:
    """(first clause, the rest) when the reply's first sentence is long and has a clause mark
    ("Today is Thursday, November twenty-six, ..."), else (``text``, ""). Piper makes a sentence
    in one go, so a shorter first piece is heard sooner; its comma is kept, so it pauses there
    as it would have anyway."""
    text = text.strip()
    end = _SENTENCE_END.search(text)
    first = text[: end.end()] if end else text
    for mark in _CLAUSE_END.finditer(first):
        head, tail = text[: mark.end()].strip(), text[mark.end():].strip()
        if len(head.split()) >= CLAUSE_MIN_WORDS and len(first[mark.end():].split()) >= CLAUSE_MIN_WORDS:
            return head, tail
    return text, ""


class FirstSentence:
    """Feed it the reply's text as it arrives (:meth:`feed`); :meth:`take` gives the audio already
    being made for the first sentence when the splitter's first sentence is the one guessed."""

    def __init__(self, tts: TextToSpeech) -> None:
        self.tts = tts
        self._text = ""
        self._guess = ""
        self._audio: Optional[Ahead[SpeechAudio]] = None
        self._taken = False

    def feed(self, piece: str) -> None:
        """The next piece of the reply; starts synthesis when it ends what looks like a sentence."""
        if self._taken:
            return
        self._text += piece
        if self._audio is not None:
            rest = self._text[len(self._guess):]
            if self._text.startswith(self._guess) and (not rest or rest[0].isspace()):
                return  # still the guessed sentence, or confirmed by the space after it
            self._discard()  # "3." became "3.5": guess again at the next full stop
        candidate = self._text.strip()
        if _ENDS_LIKE_A_SENTENCE.search(candidate) and SentenceSplitter().feed(candidate + " ") == [candidate]:
            self._guess = self._text.rstrip()
            self._audio = Ahead(self.tts.synthesize(to_speakable(candidate)))
            _LOGGER.debug("Synthesising the first sentence before it is confirmed: %r", candidate)

    def take(self, sentence: str) -> Optional[Ahead[SpeechAudio]]:
        """The audio of ``sentence`` when it was guessed (only the first sentence ever is), else None."""
        self._taken = True
        audio, self._audio = self._audio, None
        if audio is not None and sentence == self._guess.strip():
            return audio
        if audio is not None:
            asyncio.get_running_loop().create_task(audio.aclose())
        return None

    def _discard(self) -> None:
        if self._audio is not None:
            asyncio.get_running_loop().create_task(self._audio.aclose())
        self._audio, self._guess = None, ""

    async def close(self) -> None:
        """Stop any synthesis nobody took."""
        self._taken = True
        audio, self._audio = self._audio, None
        if audio is not None:
            await audio.aclose()
