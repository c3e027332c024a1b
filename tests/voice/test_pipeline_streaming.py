"""A language model's streamed reply through the voice pipeline: the first sentence is spoken while
the model is still writing the second, the whole reply is spoken once, and the stop button cuts it
short. Real engines, a real agent; the model is a loopback server speaking OpenAI's streaming wire
format, sending its second sentence seconds after its first."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
import pytest

from astros.agent import AstrOSAgent
from astros.events import EventType, PipelineEvent
from astros.voice.audio import WavFileSink, WavFileSource, read_audio, resample
from astros.voice.engines import VoiceEngines
from astros.voice.pipeline import State, VoicePipeline

from tests.ai.conftest import ModelServer, model_server, openai_stream  # noqa: F401 - the model_server fixture

from .conftest import WAKE, heard_from, silence, voice_config

QUESTION = "Why is the sky blue?"  # no skill understands this one
FIRST, SECOND = "Air scatters the sunlight.", "Blue light scatters the most."
GAP_S = 2.5  # long enough that a busy machine still speaks the first sentence inside the gap


@pytest.fixture
def model(model_server: ModelServer) -> ModelServer:
    """The loopback model streaming a two-sentence reply, the second ``GAP_S`` after the first
    (event 1 carries the first sentence, the last event ends the reply)."""
    model_server.script(openai_stream([FIRST + " ", SECOND], pauses={2: GAP_S}))
    return model_server


@pytest.fixture
async def agent(model: ModelServer, tmp_path: Path) -> AsyncIterator[AstrOSAgent]:
    """A real agent whose language model is the slow loopback server (a `local` provider)."""
    ai = f'\n[ai]\ndefault_provider = "local"\n[ai.providers.local]\nbase_url = "{model.url}/v1"\nmodel = "llama3.2"\n'
    async with AstrOSAgent(config=voice_config(tmp_path, ai)) as running:
        yield running


@pytest.fixture(scope="module")
def question(engines: VoiceEngines) -> np.ndarray:
    """Quiet, the wake word, then the question in piper's voice, at 16 kHz."""
    spoken = engines.tts.synthesize_all(QUESTION)
    wake = read_audio(WAKE / "wyoming_openwakeword" / "hey_jarvis.wav")
    return np.concatenate([silence(0.5), wake, silence(0.2), resample(spoken.samples, spoken.rate, 16_000)])


def timed(agent: AstrOSAgent) -> list[tuple[float, PipelineEvent]]:
    seen: list[tuple[float, PipelineEvent]] = []
    agent.events.subscribe(lambda event: seen.append((time.monotonic(), event)))
    return seen


def first(seen: list[tuple[float, PipelineEvent]], kind: EventType) -> tuple[float, PipelineEvent]:
    return next(item for item in seen if item[1].type is kind)


async def test_the_first_sentence_is_spoken_while_the_model_writes_the_second(
        engines: VoiceEngines, agent: AstrOSAgent, model: ModelServer, question: np.ndarray) -> None:
    seen = timed(agent)
    sink = WavFileSink()
    pipeline = VoicePipeline(engines, agent, sink)
    await pipeline.run(WavFileSource(question, trailing_silence_s=2.0), lockstep=True)
    pipeline.close()
    assert "sky" in first(seen, EventType.STT_TEXT)[1].data["text"].lower()
    assert first(seen, EventType.INTENT)[1].data["intent"] is None  # the model answered, not a skill
    speaking_at = first(seen, EventType.TTS_SPEAKING)[0]
    assert speaking_at < model.event_times[-1] - GAP_S / 2  # the reply was audible long before the model finished
    assert speaking_at - model.event_times[1] < GAP_S - 0.5  # well before the second sentence comes
    said = [event.data["text"] for _, event in seen if event.type is EventType.TTS_TEXT]
    assert said == [FIRST, SECOND]  # each sentence once, the finished reply not again
    assert [e.type for _, e in seen].count(EventType.TTS_SPEAKING) == 1
    assert [e.data for _, e in seen if e.type is EventType.TTS_FINISHED] == [{"interrupted": False}]
    heard = await heard_from(sink, engines)
    assert heard.count("scatter") == 2 and "blue" in heard
    once = engines.tts.synthesize_all(f"{FIRST} {SECOND}")
    assert 0.8 < (len(sink.audio) / sink.rate) / (len(once.samples) / once.rate) < 1.25  # spoken once, not twice
    assert pipeline.state is State.IDLE


async def test_the_stop_button_cuts_a_streamed_reply_short(
        engines: VoiceEngines, agent: AstrOSAgent, model: ModelServer, question: np.ndarray) -> None:
    seen = timed(agent)
    pipeline = VoicePipeline(engines, agent, WavFileSink())
    speaking = asyncio.Event()
    agent.events.subscribe(lambda event: event.type is EventType.TTS_SPEAKING and speaking.set())
    running = asyncio.create_task(pipeline.run(WavFileSource(question, trailing_silence_s=2.0), lockstep=True))
    await asyncio.wait_for(speaking.wait(), 20)
    pipeline.stop()
    await asyncio.wait_for(running, 5)
    idle_at, idle = first(seen, EventType.IDLE)
    assert idle.data == {"reason": "stopped"}
    assert not model.finished.is_set() and pipeline.state is State.IDLE  # silent before the model finished
    await asyncio.wait_for(model.finished.wait(), 5)
    await asyncio.sleep(0.1)
    pipeline.close()
    said = [event.data["text"] for _, event in seen if event.type is EventType.TTS_TEXT]
    assert said == [FIRST]  # the second sentence, arriving after the stop, is never spoken
    assert [e.data for _, e in seen if e.type is EventType.TTS_FINISHED] == [{"interrupted": True}]


async def test_the_first_sentence_is_synthesised_from_its_full_stop(engines: VoiceEngines) -> None:
    from astros.voice.streaming import FirstSentence

    early = FirstSentence(engines.tts)
    for piece in ("Air scatters", " the sunlight."):
        early.feed(piece)
    audio = early.take(FIRST)  # the splitter confirmed it when the next word began
    assert audio is not None and [len(part.samples) async for part in audio][0] > 0
    for piece, sentence in (("It costs 3.", "It costs 3.50 a dozen."), ("Ask Dr.", "Ask Dr. Smith.")):
        early = FirstSentence(engines.tts)
        early.feed(piece)  # not a sentence end yet: nothing is guessed
        assert early.take(sentence) is None
        await early.close()
    wrong = FirstSentence(engines.tts)
    wrong.feed("Go to example.")
    wrong.feed("com now.")  # no space after the full stop: the guess is dropped, the next one taken
    assert wrong.take("Go to example.com now.") is not None
    await wrong.close()


@pytest.mark.parametrize(("text", "head", "rest"), [
    ("Today is Thursday, November twenty-six, two thousand twenty-six.", "Today is Thursday,",
     "November twenty-six, two thousand twenty-six."),
    ("I don't know where you are yet: set a location in the configuration.", "I don't know where you are yet:",
     "set a location in the configuration."),
    ("Nothing is playing on the TV.", "Nothing is playing on the TV.", ""),
    ("Added 1,000 apples to the list.", "Added 1,000 apples to the list.", ""),
    ("Yes, it is. Then, later, it rains all day.", "Yes, it is. Then, later, it rains all day.", ""),
])
def test_a_long_first_sentence_is_said_from_its_first_clause(text: str, head: str, rest: str) -> None:
    from astros.voice.streaming import split_first_clause

    assert split_first_clause(text) == (head, rest)


async def test_a_reply_cut_at_its_first_clause_is_said_whole(engines: VoiceEngines, tmp_path: Path) -> None:
    sink = WavFileSink(rate=16_000)
    async with AstrOSAgent(config=voice_config(tmp_path)) as agent:
        pipeline = VoicePipeline(engines, agent, sink)
        try:
            assert await pipeline.speak("Today is Thursday, November twenty-six, two thousand twenty-six.")
        finally:
            pipeline.close()
    assert len(sink.parts) == 2  # the first clause, then the rest
    text = await heard_from(sink, engines)
    assert "thursday" in text and "november" in text
