"""The voice pipeline: a state machine from microphone blocks to a spoken reply.

IDLE (scoring wake words) -> wake word -> LISTENING (voice activity, end of speech) ->
RESPONDING (speech to text, the agent, the reply spoken sentence by sentence) -> IDLE, or back to
LISTENING without the wake word when the reply asked a question. A language model's reply is
spoken while the model is still writing it: each sentence goes to the voice as soon as it is
complete (the request's ``on_sentence``). A finished timer or alarm puts
it in RINGING until the wake word, :meth:`VoicePipeline.stop` (a button) or ``ring_max_seconds``.
Every step is published on the agent's event bus. Blocks keep being read in every state, so the
microphone never backs up; while AstrOS speaks they are not scored for the wake word (it must
not wake itself) unless ``echo_cancellation`` is set, in which case the wake word interrupts it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
import uuid
from collections.abc import AsyncIterator
from enum import StrEnum
from typing import Any, Optional, Protocol

import numpy as np

from ..config import AstrOSConfig
from ..events import EventBus, EventType, PipelineEvent
from ..response import VOICE_MAX_SENTENCES
from ..speakable import to_speakable
from ..types import Response, UserRequest, utcnow
from . import earcons
from .audio import AudioChunk, AudioSink, AudioSource
from .engines import VoiceEngines
from .known import command_candidates, command_check, silence_needed
from .streaming import Ahead, FirstSentence, split_first_clause
from .stt import Transcript, home_prompt
from .tts import SpeechAudio
from .vad import SILENCE_PRESETS, EndOfSpeech, Segment
from .wake import Detection

_LOGGER = logging.getLogger(__name__)
RING_EVENTS = (EventType.TIMER_FINISHED, EventType.ALARM_RINGING)
EARLY_SILENCE_S = 0.06  # seconds of pause after which transcription starts, before the command surely ended


class State(StrEnum):
    """What the pipeline is doing."""

    IDLE = "idle"
    LISTENING = "listening"
    RESPONDING = "responding"
    RINGING = "ringing"


class Agent(Protocol):
    """What the pipeline needs from :class:`astros.agent.AstrOSAgent`."""

    config: AstrOSConfig
    events: EventBus
    plugins: Any

    async def process_request(self, request: UserRequest) -> Response: ...


class VoicePipeline:
    """Runs the voice path over an audio source, answering through ``agent`` and ``sink``."""

    def __init__(self, engines: VoiceEngines, agent: Agent, sink: AudioSink) -> None:
        self.engines = engines
        self.agent = agent
        self.sink = sink
        self.voice = agent.config.voice
        self.state = State.IDLE
        self.position_s = 0.0
        """Seconds of input audio consumed so far."""
        self.volume = self.voice.volume
        self.muted = False
        self.microphone_muted = False
        """True while the mute button keeps the microphone closed."""
        self._source: Optional[AudioSource] = None
        self._command: list[np.ndarray] = []
        self._segmenter: Optional[EndOfSpeech] = None
        self._session = ""
        self._task: Optional[asyncio.Task[None]] = None
        self._barge_in = asyncio.Event()
        self._pending_ring: Optional[str] = None
        self._earcon: Optional[asyncio.Task[None]] = None
        self._followup = False
        self._early: Optional[tuple[float, asyncio.Task[Transcript]]] = None
        """(end of speech it covers, transcription started at the first pause)."""
        self._unsubscribe = agent.events.subscribe(self._on_agent_event)
        engines.stt.prompt = home_prompt(_home_names(agent.config))
        recognizer = getattr(agent, "recognizer", None)
        engines.stt.command_check = command_check(recognizer, agent.config.home.area) if recognizer else None
        engines.stt.candidates = command_candidates(recognizer) if recognizer else None
        self.grammar_thread: Optional[threading.Thread] = None
        """Builds the home's grammar in the background (about a second), so the first command need
        not; ``join()`` waits for it."""
        if recognizer is not None:
            self.grammar_thread = threading.Thread(target=_build_grammar, args=(recognizer,), name="voice-grammar",
                                                   daemon=True)
            self.grammar_thread.start()
        self.early_stop = True
        """End a command at a short pause when its transcript is already a complete known command."""
        if engines.wake is not None:
            engines.wake.reset()  # a new stream: nothing heard before it counts

    # -- events ----------------------------------------------------------------------------------

    def _emit(self, kind: EventType, **data: Any) -> None:
        self.agent.events.emit(kind, **data)

    def _on_agent_event(self, event: PipelineEvent) -> None:
        if event.type is EventType.VOLUME_CHANGED:
            self.volume = int(event.data.get("level", self.volume))
            self.muted = bool(event.data.get("muted", False))
        elif event.type in RING_EVENTS:
            self._pending_ring = str(event.data.get("message") or "Time is up.")
            if self.state is State.IDLE:
                self._start_ring()

    async def load_volume(self) -> None:
        """Take the volume plugin's stored level, when that plugin is loaded."""
        plugin = getattr(self.agent.plugins, "plugins", {}).get("volume")
        if plugin is not None:
            self.volume, self.muted = await plugin.get_level(), await plugin.is_muted()

    def close(self) -> None:
        """Stop following the agent's events (and asking its recognizer about commands)."""
        self._unsubscribe()
        self.engines.stt.command_check = None
        self.engines.stt.candidates = None

    # -- the loop --------------------------------------------------------------------------------

    async def run(self, source: AudioSource, *, until_idle_after_s: Optional[float] = None,
                  lockstep: bool = False) -> None:
        """Process ``source`` until it ends (or, with ``until_idle_after_s``, until the pipeline is
        idle after that much input), then finish the reply in progress. ``lockstep`` (a recording
        read as fast as possible) waits for each reply before reading on."""
        self._source = source
        if self.engines.wake is None and self.state is State.IDLE:
            self.start_listening()
        async for chunk in source:
            await self.feed(chunk)
            if lockstep and self._task is not None and self.state is State.RESPONDING:
                await asyncio.shield(self._task)
            if until_idle_after_s is not None and self.position_s >= until_idle_after_s and self.idle:
                break
        if self._task is not None:
            await self._task

    @property
    def idle(self) -> bool:
        """True when nothing is in progress."""
        return self.state is State.IDLE and (self._task is None or self._task.done())

    async def feed(self, chunk: AudioChunk) -> None:
        """Take one block from the microphone."""
        self.position_s = chunk.end_s
        if self.microphone_muted:  # a source that cannot close its device: nothing it hears counts
            await asyncio.sleep(0)
            return
        if self.state is State.LISTENING:
            detection = self.engines.wake.process(chunk) if self._followup and self.engines.wake else None
            if detection is not None:  # the wake word instead of an answer: start over
                await self._on_wake(detection)
            else:
                self._listen(chunk)
        elif self.state in (State.IDLE, State.RINGING) or self.voice.echo_cancellation:
            detection = self.engines.wake.process(chunk) if self.engines.wake is not None else None
            if detection is not None:
                await self._on_wake(detection)
        await asyncio.sleep(0)

    async def _on_wake(self, detection: Detection) -> None:
        if self.state is not State.IDLE:
            self.interrupt()  # barge-in: a reply or a ring is cut short
            if self._task is not None:
                await self._task
        self._emit(EventType.WAKE_WORD_DETECTED, name=detection.name, probability=detection.probability,
                   time_s=round(detection.time_s, 3))
        self._session = f"voice-{uuid.uuid4().hex[:8]}"
        if self.voice.earcons:  # played while listening starts, so no audio is missed
            self._earcon = asyncio.create_task(self.sink.play(self._loud(earcons.wake_tone()), earcons.EARCON_RATE))
        self.start_listening()

    def start_listening(self, followup: bool = False) -> None:
        """Listen for a command now (after the wake word, a talk button, or a follow-up)."""
        self._session = self._session or f"voice-{uuid.uuid4().hex[:8]}"
        if self.engines.wake is not None:
            self.engines.wake.reset()  # not fed while listening: stale scores must not fire later
        self.engines.vad.reset()
        self._command = []
        self._followup = followup
        self._early = None
        self._segmenter = EndOfSpeech(
            SILENCE_PRESETS[self.voice.silence], min_speech_s=self.voice.min_command_seconds,
            max_s=self.voice.max_command_seconds, timeout_s=self.voice.no_speech_timeout,
            threshold=self.voice.vad_threshold,
        )
        self.state = State.LISTENING
        self._emit(EventType.LISTENING, followup=followup)

    def _listen(self, chunk: AudioChunk) -> None:
        assert self._segmenter is not None
        self._command.append(chunk.samples)
        segmenter = self._segmenter
        segment = segmenter.process(chunk.seconds, self.engines.vad.process(chunk))
        if segment is Segment.SPEAKING and segmenter.silence_run_s >= EARLY_SILENCE_S:
            self._transcribe_early(segmenter)
            self._end_early(segmenter)
        elif segment is Segment.DONE:
            early = self._early
            if early is None or early[0] != segmenter.speech_end_s:  # spoke again since: start afresh
                early = (segmenter.speech_end_s, self._transcribe(segmenter.speech_end_s))
            self._start(self._respond(early[1], segmenter.speech_s))
        elif segment is Segment.TIMEOUT:
            _LOGGER.info("Nobody spoke after the wake word")
            self._go_idle(reason="no-speech")

    def _transcribe_early(self, segmenter: EndOfSpeech) -> None:
        """At a short pause, transcribe what was said so far while the silence window runs; if
        nobody speaks again, that transcript is the command's and the wait costs nothing. When it
        is already a complete known command, the reply starts without waiting for the window."""
        if segmenter.speech_s < self.voice.min_command_seconds:
            return
        if self._early is not None and self._early[0] == segmenter.speech_end_s:
            return
        if self._early is not None and not self._early[1].done():
            return  # one at a time: the newest pause is taken up when this one finishes
        task = self._transcribe(segmenter.speech_end_s)
        self._early = (segmenter.speech_end_s, task)
        task.add_done_callback(self._early_done)

    def _early_done(self, task: asyncio.Task[Transcript]) -> None:
        segmenter = self._segmenter
        if self.state is not State.LISTENING or segmenter is None or self._early is None or self._early[1] is not task:
            return
        if segmenter.state is not Segment.SPEAKING:
            return
        if self._early[0] != segmenter.speech_end_s:  # spoke again meanwhile: take up the newest pause
            if segmenter.silence_run_s >= EARLY_SILENCE_S:
                self._transcribe_early(segmenter)
            return
        self._end_early(segmenter)

    def _end_early(self, segmenter: EndOfSpeech) -> None:
        """Answer before the silence window runs out when the transcript made at this pause is a
        command complete enough for the silence so far (:func:`silence_needed`)."""
        early = self._early
        if not self.early_stop or early is None or early[0] != segmenter.speech_end_s or not early[1].done():
            return
        task = early[1]
        if task.cancelled() or task.exception() is not None:
            return
        needed = silence_needed(task.result(), segmenter.silence_s)
        if needed is not None and segmenter.silence_run_s >= needed:
            _LOGGER.debug("Command complete after %.2f s of silence: %r", segmenter.silence_run_s, task.result().text)
            self._start(self._respond(task, segmenter.speech_s))

    def _transcribe(self, speech_end_s: float) -> asyncio.Task[Transcript]:
        """Transcribe the command up to ``speech_end_s``; given up at its next stage once the
        speaker goes on (it would only hold up the transcription of the newer pause)."""
        audio = np.concatenate(self._command)[: int((speech_end_s + 0.15) * 16_000)]
        segmenter = self._segmenter
        assert segmenter is not None

        def abandon() -> bool:
            return self._segmenter is not segmenter or segmenter.speech_end_s != speech_end_s

        task = asyncio.create_task(self.engines.stt.transcribe(audio, abandon), name="voice-stt")
        task.add_done_callback(lambda t: t.cancelled() or t.exception())  # an unused one fails quietly
        return task

    def _start(self, work: Any) -> None:
        self.state = State.RESPONDING
        self._barge_in.clear()
        self._task = asyncio.create_task(work, name="voice-reply")

    def _go_idle(self, **data: Any) -> None:
        self.state = State.IDLE
        self._session = ""
        if self.engines.wake is not None:
            self.engines.wake.reset()
        self._emit(EventType.IDLE, **data)
        if self._pending_ring is not None:
            self._start_ring()

    # -- replying --------------------------------------------------------------------------------

    async def _respond(self, transcription: asyncio.Task[Transcript], speech_s: float) -> None:
        followup = False
        if self._earcon is not None:
            await self._earcon
        try:
            transcript = await transcription
            self._emit(EventType.STT_TEXT, text=transcript.text, audio_s=transcript.audio_s,
                       speech_s=round(speech_s, 3), elapsed_s=transcript.elapsed_s, waited_s=transcript.waited_s,
                       how=transcript.how)
            if not transcript.text:
                raise LookupError("nothing was understood")
            self._emit(EventType.THINKING)
            response = await self._answer(transcript.text, transcript.how)
            followup = response is not None and response.requires_followup and self.voice.followup \
                and not self._barge_in.is_set()
        except (asyncio.CancelledError, KeyboardInterrupt):
            raise
        except Exception as err:  # noqa: BLE001 - reported as an event and an earcon, then idle
            _LOGGER.warning("Voice request failed: %s", err)
            self._emit(EventType.ERROR, code=getattr(err, "code", "voice-failed"), message=str(err))
            if self.voice.earcons and not self._barge_in.is_set():
                await self.sink.play(self._loud(earcons.error_tone()), earcons.EARCON_RATE)
        if self._barge_in.is_set():
            return  # whoever interrupted decides what comes next
        if followup:
            self.start_listening(followup=True)
        else:
            self._go_idle()

    async def _answer(self, text: str, heard: str = "") -> Optional[Response]:
        """Ask the agent and speak its reply; None when a streamed reply was interrupted.

        A language model's reply arrives sentence by sentence while the agent works; the first is
        spoken while the model writes the rest, and the finished reply is not said again. Any other
        reply is spoken once it is complete. Barge-in cuts a streamed reply short at once; whatever
        the model is still doing finishes unheard."""
        sentences: asyncio.Queue[Optional[str]] = asyncio.Queue()
        speaking: list[asyncio.Task[bool]] = []
        first = FirstSentence(self.engines.tts)

        def on_text(piece: str) -> None:
            if not self._barge_in.is_set():
                first.feed(piece)

        def on_sentence(sentence: str) -> None:
            if self._barge_in.is_set() or (speaking and speaking[0].done()):
                return
            if not speaking:
                speaking.append(asyncio.create_task(self._speak_stream(sentences, first), name="voice-speak"))
            sentences.put_nowait(sentence)

        request = self._request(text, heard, on_text=on_text, on_sentence=on_sentence)
        try:
            return await self._speak_answer(request, sentences, speaking)
        finally:
            await first.close()

    async def _speak_answer(self, request: UserRequest, sentences: asyncio.Queue[Optional[str]],
                            speaking: list[asyncio.Task[bool]]) -> Optional[Response]:
        """Run ``request``; speak the reply unless ``speaking`` (a streamed reply) started."""
        asking = asyncio.create_task(self.agent.process_request(request), name="voice-ask")
        barge_in = asyncio.create_task(self._barge_in.wait())
        try:
            await asyncio.wait({asking, barge_in}, return_when=asyncio.FIRST_COMPLETED)
            if not asking.done() and speaking:  # interrupted while the model writes: stop talking now
                asking.add_done_callback(_quietly)
                sentences.put_nowait(None)
                await speaking[0]
                return None
            response = await asking  # not streamed (or interrupted before it spoke): as it comes
        except asyncio.CancelledError:
            asking.cancel()
            for task in speaking:
                task.cancel()
            raise
        finally:
            barge_in.cancel()
        if not speaking:
            await self.speak(response.message)
            return response
        if response.metadata.get("source") != "language-model":
            sentences.put_nowait(response.message)  # the model failed part way: say so after its words
        sentences.put_nowait(None)
        await speaking[0]
        return response

    def _request(self, text: str, heard: str = "", **streaming: Any) -> UserRequest:
        """The request for ``text``; ``heard``: how its text was found (see
        :attr:`~astros.voice.stt.Transcript.how`); ``streaming``: the ``on_text``/``on_sentence`` callables."""
        area = self.agent.config.home.area
        context: dict[str, Any] = {"format": "voice", "area": area} if area else {"format": "voice"}
        if heard:
            context["heard"] = heard
        return UserRequest(text, self.agent.config.agent.voice_user, self._session, utcnow(), context, streaming)

    async def speak(self, text: str) -> bool:
        """Say ``text``, sentence by sentence (a long first sentence from its first clause, see
        :func:`split_first_clause`); returns False when it was interrupted."""
        self._emit(EventType.TTS_TEXT, text=text)
        head, rest = split_first_clause(text)
        if not rest:
            return await self._play(self.engines.tts.synthesize(text))
        return await self._play(Ahead(self._pieces(head, rest)))

    async def _pieces(self, *texts: str) -> AsyncIterator[SpeechAudio]:
        """The audio of ``texts``, one after the other."""
        for text in texts:
            async for piece in self.engines.tts.synthesize(text):
                yield piece

    async def _speak_stream(self, sentences: asyncio.Queue[Optional[str]], first: FirstSentence) -> bool:
        """Say sentences as they are queued (None ends them), as :meth:`speak` says a reply: speakable,
        at most the first few; each is synthesised while the one before plays (the first one already
        from its full stop, see :class:`FirstSentence`)."""

        async def audio() -> AsyncIterator[SpeechAudio]:
            count = 0
            while count < VOICE_MAX_SENTENCES and (sentence := await sentences.get()) is not None:
                count += 1
                text = to_speakable(sentence)
                self._emit(EventType.TTS_TEXT, text=text, streamed=True)
                early = first.take(sentence)
                async for piece in early if early is not None else self.engines.tts.synthesize(text):
                    yield piece

        return await self._play(Ahead(audio()))

    async def _play(self, sentences: AsyncIterator[SpeechAudio]) -> bool:
        """Play synthesised sentences until they end or barge-in; returns False when interrupted."""
        first = True
        try:
            async for sentence in sentences:
                if self._barge_in.is_set():
                    break
                if first:
                    self._emit(EventType.TTS_SPEAKING)
                    first = False
                await self.sink.play(self._loud(sentence.samples), sentence.rate)
        finally:
            await sentences.aclose()  # type: ignore[attr-defined]
        interrupted = self._barge_in.is_set()
        self._emit(EventType.TTS_FINISHED, interrupted=interrupted)
        return not interrupted

    def _loud(self, samples: np.ndarray) -> np.ndarray:
        """``samples`` at the current volume (0 when muted)."""
        gain = 0.0 if self.muted else self.volume / 100.0
        return (samples.astype(np.float32) * gain).astype(np.int16)

    def interrupt(self) -> None:
        """Cut short the reply or ring in progress (barge-in, the stop button)."""
        self._barge_in.set()
        self.sink.stop()

    def stop(self) -> None:
        """The stop button: silence AstrOS and go back to waiting for the wake word."""
        if self.state in (State.RESPONDING, State.RINGING):
            self.interrupt()
            asyncio.get_running_loop().call_soon(self._after_stop)
        elif self.state is State.LISTENING:
            self._go_idle(reason="stopped")

    def _after_stop(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.add_done_callback(lambda _t: self._go_idle(reason="stopped"))
        else:
            self._go_idle(reason="stopped")

    # -- buttons ---------------------------------------------------------------------------------

    async def talk(self) -> None:
        """The talk button: cut short a reply or a ring and listen for a command now (no wake word)."""
        if self.microphone_muted:
            _LOGGER.info("The microphone is muted: not listening")
            return
        if self.state in (State.RESPONDING, State.RINGING):
            self.interrupt()
            if self._task is not None:
                await self._task
        self._session = f"voice-{uuid.uuid4().hex[:8]}"
        if self.voice.earcons:
            self._earcon = asyncio.create_task(self.sink.play(self._loud(earcons.wake_tone()), earcons.EARCON_RATE))
        self.start_listening()

    def hold_listening(self) -> None:
        """Hold to talk: pauses no longer end the command; :meth:`end_command` does (or the length limit)."""
        if self.state is State.LISTENING and self._segmenter is not None:
            self._segmenter.silence_s = self._segmenter.timeout_s = self.voice.max_command_seconds

    def end_command(self) -> None:
        """The talk button let go after holding: the command is what was said until now."""
        segmenter = self._segmenter
        if self.state is not State.LISTENING or segmenter is None:
            return
        if segmenter.speech_s < self.voice.min_command_seconds:
            self._go_idle(reason="no-speech")
            return
        self._start(self._respond(self._transcribe(segmenter.speech_end_s), segmenter.speech_s))

    def set_microphone_muted(self, muted: bool) -> None:
        """The mute button: while muted nothing heard counts, and the live microphone is closed."""
        if muted == self.microphone_muted:
            return
        self.microphone_muted = muted
        close = getattr(self._source, "set_muted", None)
        if close is not None:
            close(muted)
        if muted and self.state is State.LISTENING:
            self._go_idle(reason="muted")
        self._emit(EventType.MICROPHONE_MUTED, muted=muted)

    # -- ringing ---------------------------------------------------------------------------------

    def _start_ring(self) -> None:
        message, self._pending_ring = self._pending_ring or "", None
        self.state = State.RINGING
        self._barge_in.clear()
        self._task = asyncio.create_task(self._ring(message), name="voice-ring")

    async def _ring(self, message: str) -> None:
        """Ring, say the message, then ring on until stopped or ``ring_max_seconds`` have passed."""
        deadline = time.monotonic() + self.voice.ring_max_seconds
        tone = earcons.ring_tone()
        await self.sink.play(self._loud(tone), earcons.EARCON_RATE)
        if message and not self._barge_in.is_set():
            await self.speak(message)
        while not self._barge_in.is_set() and time.monotonic() < deadline:
            await self.sink.play(self._loud(tone), earcons.EARCON_RATE)
        if not self._barge_in.is_set():
            self._go_idle(reason="ring-timeout")


def _quietly(task: asyncio.Task[Any]) -> None:
    """Log the failure of work nobody waits for any more."""
    if not task.cancelled() and task.exception() is not None:
        _LOGGER.warning("An interrupted request failed: %s", task.exception())


def _build_grammar(recognizer: Any) -> None:
    """Build the recognizer's closed grammar ahead of the first command (see :mod:`astros.voice.known`)."""
    try:
        recognizer.templates.grammar()
    except Exception as err:  # noqa: BLE001 - without it near misses take the slower way
        _LOGGER.warning("The command grammar could not be built: %s", err)


def _home_names(config: AstrOSConfig) -> list[str]:
    """The names people say in this home: areas, floors, devices and their aliases."""
    home = config.home
    names = [a.name for a in home.areas] + [f.name for f in home.floors]
    return names + [name for d in home.devices for name in (d.name, *d.aliases)]


@contextlib.asynccontextmanager
async def running(pipeline: VoicePipeline, source: AudioSource) -> AsyncIterator[asyncio.Task[None]]:
    """Run ``pipeline`` over ``source`` in a task for the duration of the ``async with``."""
    task = asyncio.create_task(pipeline.run(source), name="voice")
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        pipeline.close()
