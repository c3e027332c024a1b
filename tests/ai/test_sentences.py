"""SentenceSplitter: streamed text into whole sentences, as soon as each is complete."""

from __future__ import annotations

from astros.ai.sentences import SentenceSplitter, sentences


def split(text: str, step: int) -> list[str]:
    splitter = SentenceSplitter()
    out = [s for i in range(0, len(text), step) for s in splitter.feed(text[i:i + step])]
    return out + splitter.flush()


def test_sentences_whatever_the_chunk_size() -> None:
    text = ('Sure! I turned on the lamp. It costs 3.5 pounds, e.g. cheap. Dr. Smith said no. '
            'J. Smith agreed.\nA new line? "Quoted." The end')
    expected = ["Sure!", "I turned on the lamp.", "It costs 3.5 pounds, e.g. cheap.", "Dr. Smith said no.",
                "J. Smith agreed.", "A new line?", '"Quoted."', "The end"]
    for step in (1, 2, 3, 7, 50, len(text)):
        assert split(text, step) == expected


def test_a_sentence_is_handed_on_once_the_next_begins() -> None:
    splitter = SentenceSplitter()
    assert splitter.feed("The light is on.") == []  # might still be "on.5" or an abbreviation
    assert splitter.feed(" Anything") == ["The light is on."]
    assert splitter.flush() == ["Anything"]
    assert splitter.flush() == []


async def test_async_sentences() -> None:
    async def pieces():
        for piece in ["One. Tw", "o! Thr", "ee"]:
            yield piece

    assert [s async for s in sentences(pieces())] == ["One.", "Two!", "Three"]
