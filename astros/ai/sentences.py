"""SentenceSplitter: cuts streamed text into whole sentences as soon as each one is complete.

A streamed model reply arrives a few characters at a time; the speaker wants whole sentences so
it can start talking after the first one instead of after the last. A sentence ends at ``.``,
``!``, ``?`` or ``…`` (with any closing quotes or brackets) followed by white space, or at a line
break. Decimals ("3.5"), abbreviations ("Dr.", "e.g.") and initials ("J. Smith") do not end one.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterable, AsyncIterator
from typing import List

ABBREVIATIONS = frozenset(
    {"mr", "mrs", "ms", "dr", "st", "prof", "sr", "jr", "vs", "etc", "e.g", "i.e", "approx", "mt"}
)
_END = re.compile(r"([.!?…]+[\"'”’)\]]*)(\s+)|(\n\s*)")
_WORD_BEFORE = re.compile(r"(\S+)$")


class SentenceSplitter:
    """Feed text pieces in order with :meth:`feed`; get complete sentences back; :meth:`flush` at the end."""

    def __init__(self, min_chars: int = 2) -> None:
        """``min_chars``: shorter pieces (a stray "." say) join the next sentence."""
        self.min_chars = min_chars
        self._buffer = ""
        self._scan_from = 0

    def feed(self, text: str) -> List[str]:
        """Add ``text``; returns the sentences it completed (possibly none)."""
        self._buffer += text
        found: List[str] = []
        start = 0
        for match in _END.finditer(self._buffer, self._scan_from):
            if match.group(1) and not self._ends_sentence(self._buffer[start : match.start()]):
                continue
            sentence = self._buffer[start : match.start(3) if match.group(3) else match.end(1)].strip()
            if len(sentence) >= self.min_chars:
                found.append(sentence)
                start = match.end()
        self._buffer = self._buffer[start:]
        # Re-scan only the tail that could still hold the start of a sentence end.
        self._scan_from = max(0, len(self._buffer) - 1 - self._trailing_marks())
        if found:
            self._scan_from = 0
        return found

    def flush(self) -> List[str]:
        """The text left over at the end of the stream, as a last sentence (if any)."""
        rest, self._buffer, self._scan_from = self._buffer.strip(), "", 0
        return [rest] if rest else []

    def _trailing_marks(self) -> int:
        return len(self._buffer) - len(self._buffer.rstrip(".!?…\"'”’)] \n\t"))

    @staticmethod
    def _ends_sentence(before: str) -> bool:
        """False when the period just after ``before`` belongs to an abbreviation or an initial."""
        word = _WORD_BEFORE.search(before)
        if word is None:
            return True
        token = word.group(1).lstrip("(\"'“‘")
        if token.lower() in ABBREVIATIONS:
            return False
        return not (len(token) == 1 and token.isupper())  # an initial, as in "J. Smith"


async def sentences(chunks: AsyncIterable[str], splitter: SentenceSplitter | None = None) -> AsyncIterator[str]:
    """The sentences of a stream of text pieces, each yielded as soon as it is complete."""
    splitter = splitter or SentenceSplitter()
    async for chunk in chunks:
        for sentence in splitter.feed(chunk):
            yield sentence
    for sentence in splitter.flush():
        yield sentence
