"""The voice pipeline on recordings, as if from the microphone: events, replies, follow-up,
barge-in and ringing timers. Real engines, a real agent; fakes only where a reply must be shaped."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from astros.config import AstrOSConfig
from astros.events import EventBus, EventType, PipelineEvent
from astros.types import Response, UserRequest
from astros.voice.audio import WavFileSink, WavFileSource
from astros.voice.engines import VoiceEngines
from astros.voice.pipeline import State, VoicePipeline

from .conftest import heard_from, recording, silence, spoken_command, voice_config


@dataclass
class ScriptedAgent:
    """An agent that answers from a script and records every request it was given."""

    config: AstrOSConfig
    replies: list[Response]
    events: EventBus = field(default_factory=EventBus)
    plugins: Any = None
    requests: list[UserRequest] = field(default_factory=list)

    async def process_request(self, request: UserRequest) -> Response:
        self.requests.append(request)
        return self.replies.pop(0)


def collect(bus: EventBus) -> list[PipelineEvent]:
    seen: list[PipelineEvent] = []
    bus.subscribe(seen.append)
    return seen


def types(events: list[PipelineEvent]) -> list[str]:
    return [str(e.type) for e in events if e.type is not EventType.TIMER_STARTED]


async def test_wake_word_and_command_get_a_spoken_reply(engines: VoiceEngines, agent) -> None:
    events = collect(agent.events)
    sink = WavFileSink()
    pipeline = VoicePipeline(engines, agent, sink)
    source = WavFileSource(spoken_command("set a timer for 5 minutes"), trailing_silence_s=2.0)
    await pipeline.run(source, lockstep=True)
    assert types(events)[:9] == [
        "wake_word_detected", "listening", "stt_text", "thinking", "intent", "tts_text", "tts_speaking",
        "tts_finished", "idle",
    ]
    intent = next(e for e in events if e.type is EventType.INTENT).data
    assert intent["intent"] == "HassStartTimer" and intent["entities"]["minutes"] == 5
    reply = next(e for e in events if e.type is EventType.TTS_TEXT).data["text"]
    assert reply.startswith("Timer set for")
    assert "timer set for" in await heard_from(sink, engines)


async def test_requests_run_as_the_voice_user_in_the_home_area(engines: VoiceEngines, tmp_path: Path) -> None:
    agent = ScriptedAgent(voice_config(tmp_path), [Response(True, "Okay.")])
    pipeline = VoicePipeline(engines, agent, WavFileSink())
    await pipeline.run(WavFileSource(spoken_command("what time is it"), trailing_silence_s=1.5), lockstep=True)
    request = agent.requests[0]
    assert request.user_id == "voice"
    assert request.context == {"format": "voice", "area": "Living Room", "heard": "dictation"}  # no recognizer here
    assert "time" in request.text.lower()


async def test_a_question_is_answered_without_the_wake_word(engines: VoiceEngines, tmp_path: Path) -> None:
    agent = ScriptedAgent(voice_config(tmp_path), [Response(True, "Which timer?", requires_followup=True),
                                                  Response(True, "Cancelled.")])
    events = collect(agent.events)
    audio = np.concatenate([spoken_command("cancel timer"), silence(3.0), recording("nevermind")])
    await VoicePipeline(engines, agent, WavFileSink()).run(WavFileSource(audio, trailing_silence_s=1.5), lockstep=True)
    assert len(agent.requests) == 2
    assert "never" in agent.requests[1].text.lower()
    assert agent.requests[0].session_id == agent.requests[1].session_id
    listening = [e.data["followup"] for e in events if e.type is EventType.LISTENING]
    assert listening == [False, True]


async def test_silence_after_the_wake_word_times_out(engines: VoiceEngines, tmp_path: Path) -> None:
    agent = ScriptedAgent(voice_config(tmp_path, "no_speech_timeout = 1.0"), [])
    events = collect(agent.events)
    audio = np.concatenate([spoken_command("next")[: -len(recording("next"))], silence(2.0)])
    await VoicePipeline(engines, agent, WavFileSink()).run(WavFileSource(audio))
    assert types(events) == ["wake_word_detected", "listening", "idle"]
    assert events[-1].data == {"reason": "no-speech"}


async def test_own_voice_does_not_wake_without_echo_cancellation(engines: VoiceEngines, tmp_path: Path) -> None:
    agent = ScriptedAgent(voice_config(tmp_path), [Response(True, "Okay.")])
    pipeline = VoicePipeline(engines, agent, WavFileSink())
    events = collect(agent.events)
    pipeline.start_listening()
    pipeline.state = State.RESPONDING  # as while a reply plays: the wake word in the room is ignored
    for chunk in [c async for c in WavFileSource(spoken_command("next"))]:
        await pipeline.feed(chunk)
    assert not [e for e in events if e.type is EventType.WAKE_WORD_DETECTED]


async def test_wake_word_interrupts_a_reply_with_echo_cancellation(engines: VoiceEngines, tmp_path: Path) -> None:
    long_reply = " ".join(["Here is a very long answer that goes on and on."] * 8)
    agent = ScriptedAgent(voice_config(tmp_path, "echo_cancellation = true"), [Response(True, long_reply),
                                                                               Response(True, "Stopped.")])
    events = collect(agent.events)
    audio = np.concatenate([spoken_command("what time is it"), silence(1.5), spoken_command("pause")])
    pipeline = VoicePipeline(engines, agent, WavFileSink(realtime=True))
    await pipeline.run(WavFileSource(audio, realtime=True, trailing_silence_s=2.0))
    finished = [e.data["interrupted"] for e in events if e.type is EventType.TTS_FINISHED]
    assert finished == [True, False]
    assert len(agent.requests) == 2


async def test_a_finished_timer_rings_until_stopped(engines: VoiceEngines, tmp_path: Path) -> None:
    agent = ScriptedAgent(voice_config(tmp_path, "ring_max_seconds = 30.0"), [])
    sink = WavFileSink(realtime=True)
    pipeline = VoicePipeline(engines, agent, sink)
    events = collect(agent.events)
    agent.events.emit(EventType.TIMER_FINISHED, message="Your 5 minute timer is done.")
    assert pipeline.state is State.RINGING
    await asyncio.sleep(3.0)
    pipeline.stop()
    await asyncio.sleep(0.2)
    assert pipeline.state is State.IDLE
    assert 2.0 < len(sink.audio) / sink.rate < 3.5  # as long as it rang, no longer
    assert [e.data for e in events if e.type is EventType.IDLE] == [{"reason": "stopped"}]


async def test_ringing_stops_by_itself_at_the_maximum(engines: VoiceEngines, tmp_path: Path) -> None:
    agent = ScriptedAgent(voice_config(tmp_path, "ring_max_seconds = 1.0"), [])
    sink = WavFileSink(realtime=True)
    pipeline = VoicePipeline(engines, agent, sink)
    agent.events.emit(EventType.ALARM_RINGING, message="")
    await asyncio.wait_for(pipeline._task, 5)
    assert pipeline.state is State.IDLE
    assert 1.2 <= len(sink.audio) / sink.rate < 4.0  # one ring and the message, not more


async def test_volume_follows_the_volume_setting(engines: VoiceEngines, tmp_path: Path) -> None:
    agent = ScriptedAgent(voice_config(tmp_path), [])
    sink = WavFileSink()
    pipeline = VoicePipeline(engines, agent, sink)
    await pipeline.speak("Hello.")
    loud = np.abs(sink.audio).max()
    agent.events.emit(EventType.VOLUME_CHANGED, level=10, muted=False)
    sink.parts.clear()
    await pipeline.speak("Hello.")
    assert np.abs(sink.audio).max() < loud / 3
    agent.events.emit(EventType.VOLUME_CHANGED, level=10, muted=True)
    sink.parts.clear()
    await pipeline.speak("Hello.")
    assert not sink.audio.any()


async def test_a_complete_command_is_answered_before_the_silence_window_ends(engines: VoiceEngines, agent) -> None:
    from astros.voice.vad import SILENCE_PRESETS

    pipeline = VoicePipeline(engines, agent, WavFileSink())
    pipeline.voice = replace(pipeline.voice, silence="relaxed")  # room for a busy machine
    silence_at_reply: list[float] = []
    agent.events.subscribe(lambda e: e.type is EventType.STT_TEXT and silence_at_reply.append(
        pipeline._segmenter.silence_run_s))
    source = WavFileSource(spoken_command("what time is it"), realtime=True, trailing_silence_s=2.0)
    await pipeline.run(source)
    pipeline.close()
    assert silence_at_reply and silence_at_reply[0] < SILENCE_PRESETS["relaxed"]


async def test_a_grammar_sentence_longer_than_what_was_heard_is_answered_after_half_the_window(
        engines: VoiceEngines, agent, monkeypatch) -> None:
    from astros.voice.vad import SILENCE_PRESETS

    transcribe = engines.stt.transcribe

    async def completed_by_the_grammar(samples: np.ndarray, abandon: Any = None) -> Any:
        transcript = await transcribe(samples, abandon)  # as if the grammar had added its last words
        return replace(transcript, how="grammar-longer") if transcript.command is not None else transcript

    monkeypatch.setattr(engines.stt, "transcribe", completed_by_the_grammar)
    pipeline = VoicePipeline(engines, agent, WavFileSink())
    pipeline.voice = replace(pipeline.voice, silence="relaxed")
    silence_at_reply: list[float] = []
    agent.events.subscribe(lambda e: e.type is EventType.STT_TEXT and silence_at_reply.append(
        pipeline._segmenter.silence_run_s))
    source = WavFileSource(spoken_command("what time is it"), realtime=True, trailing_silence_s=2.0)
    await pipeline.run(source)
    pipeline.close()
    window = SILENCE_PRESETS["relaxed"]
    assert silence_at_reply and window / 2 <= silence_at_reply[0] < window, silence_at_reply
