"""Wake words: microWakeWord (pymicro-wakeword) and openWakeWord (pyopen-wakeword) models.

Several wake words listen at once, each with its own engine, threshold and refractory period.
Models of one engine share that engine's feature extractor, so a second openWakeWord model costs
only its small classifier. Built-in models are chosen by name; a custom model by path.

A built-in word that both engines know is heard in two stages: its engine proposes a candidate at
a low bar, and the other engine's model scores the last seconds of audio (``wake_confirm``); a
detection needs both. Words with one engine's model only use their threshold alone.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Optional, Protocol

from ..config import WakeWordConfig
from ..errors import ModelNotFoundError
from .audio import AudioChunk
from .wake_confirm import CHECK_SECONDS, SampleRing, SecondStage, check_audio, second_stage

_LOGGER = logging.getLogger(__name__)

MICRO_BUILTIN: Final = ("alexa", "hey_jarvis", "hey_mycroft", "okay_nabu")
OPEN_BUILTIN: Final = ("alexa", "hey_jarvis", "hey_mycroft", "hey_rhasspy", "okay_nabu")
OPEN_DEFAULT_THRESHOLD: Final = 0.5
BUILTIN: Final = {"microwakeword": MICRO_BUILTIN, "openwakeword": OPEN_BUILTIN}

TUNED: Final[dict[tuple[str, str], Optional[tuple[float, float]]]] = {
    # (first engine, word): (candidate threshold, confirm threshold); None: one stage measured best
    ("microwakeword", "alexa"): (0.2, 0.7),
    ("microwakeword", "hey_jarvis"): None,  # the setting chosen on half the data woke on the other half
    ("microwakeword", "hey_mycroft"): (0.5, 0.7),
    ("microwakeword", "okay_nabu"): None,  # openWakeWord's okay_nabu misses 2 of its 5 recordings
}
"""Two-stage settings chosen on part of the shared recordings and checked on the rest
(``bench/wake.py``, docs/performance.md)."""
UNTUNED: Final = (0.5, 0.5)
"""Two stages without a measured setting (openWakeWord first, or ``confirm = true`` where one stage
measured best): the usual bar for a candidate, and the other model's agreement."""
RECHECK_SECONDS: Final = 0.5
"""After a refused candidate, the same word is not checked again for this long."""


@dataclass(frozen=True, slots=True)
class Detection:
    """A wake word heard: which, how sure, and when (seconds of stream at the end of the block)."""

    name: str
    probability: float
    time_s: float


class RefractoryGate:
    """Pure decision: a probability over ``threshold`` counts, unless the last detection was recent."""

    def __init__(self, threshold: float, refractory_s: float) -> None:
        self.threshold = threshold
        self.refractory_s = refractory_s
        self._last: Optional[float] = None

    def check(self, probability: float, time_s: float) -> bool:
        """True when ``probability`` at ``time_s`` is a new detection."""
        if probability < self.threshold:
            return False
        if self._last is not None and time_s - self._last < self.refractory_s:
            return False
        self._last = time_s
        return True

    def recent(self, time_s: float) -> bool:
        """True while ``time_s`` is within the refractory period of the last detection."""
        return self._last is not None and time_s - self._last < self.refractory_s

    def reset(self) -> None:
        """Forget the last detection."""
        self._last = None


class CandidateGate:
    """Pure decision for a two-stage word: a first-stage probability over ``threshold`` goes to the
    second stage, but not again within ``recheck_s`` of the last check (the score stays high for a
    while; a word the second stage scores late, like openWakeWord's "hey jarvis", is confirmed by
    the check half a second later)."""

    def __init__(self, threshold: float, recheck_s: float = RECHECK_SECONDS) -> None:
        self.threshold = threshold
        self.recheck_s = recheck_s
        self._next = float("-inf")

    def check(self, probability: float, time_s: float) -> bool:
        """True when the second stage should score the audio up to ``time_s`` now."""
        if probability < self.threshold or time_s < self._next:
            return False
        self._next = time_s + self.recheck_s
        return True

    def reset(self) -> None:
        """Forget the last check."""
        self._next = float("-inf")


class WakeEngine(Protocol):
    """One engine's feature extractor plus its models; ``process`` returns each model's top score."""

    names: list[str]

    def process(self, pcm: bytes) -> dict[str, float]: ...

    def reset(self) -> None: ...


class MicroEngine:
    """microWakeWord models sharing one micro frontend (10 ms features)."""

    def __init__(self) -> None:
        from pymicro_wakeword import MicroWakeWordFeatures

        self.features = MicroWakeWordFeatures()
        self.models: dict[str, Any] = {}
        self.names: list[str] = []

    def add(self, config: WakeWordConfig) -> float:
        """Load the model; returns its own probability cutoff."""
        from pymicro_wakeword import MicroWakeWord

        if config.model:
            path = _existing(config.model, ".json", "a microWakeWord model's .json file")
            model = MicroWakeWord.from_config(path)
        else:
            _check_builtin(config.name, MICRO_BUILTIN, "microwakeword")
            from pymicro_wakeword import Model

            model = MicroWakeWord.from_builtin(Model(config.name))
        self.models[config.name] = model
        self.names.append(config.name)
        return float(model.probability_cutoff)

    def process(self, pcm: bytes) -> dict[str, float]:
        scores = dict.fromkeys(self.models, 0.0)
        for features in self.features.process_streaming(pcm):
            for name, model in self.models.items():
                probability = model.process_streaming_prob(features) or 0.0
                scores[name] = max(scores[name], probability)
        return scores

    def reset(self) -> None:
        self.features.reset()
        for model in self.models.values():
            model.reset()


class OpenEngine:
    """openWakeWord models sharing one melspectrogram + embedding front end (80 ms steps)."""

    def __init__(self) -> None:
        from pyopen_wakeword import OpenWakeWordFeatures

        self.features = OpenWakeWordFeatures.from_builtin()
        self.models: dict[str, Any] = {}
        self.names: list[str] = []

    def add(self, config: WakeWordConfig) -> float:
        """Load the model; returns the default threshold."""
        from pyopen_wakeword import Model, OpenWakeWord

        if config.model:
            model = OpenWakeWord.from_model(_existing(config.model, ".tflite", "an openWakeWord .tflite model"))
        else:
            _check_builtin(config.name, OPEN_BUILTIN, "openwakeword")
            model = OpenWakeWord.from_builtin(Model(config.name))
        self.models[config.name] = model
        self.names.append(config.name)
        return OPEN_DEFAULT_THRESHOLD

    def process(self, pcm: bytes) -> dict[str, float]:
        scores = dict.fromkeys(self.models, 0.0)
        for embedding in self.features.process_streaming(pcm):
            for name, model in self.models.items():
                for probability in model.process_streaming(embedding):
                    scores[name] = max(scores[name], probability)
        return scores

    def reset(self) -> None:
        self.features.reset()
        for model in self.models.values():
            model.reset()


def _check_builtin(name: str, known: Sequence[str], engine: str) -> None:
    if name not in known:
        raise ModelNotFoundError(
            f"voice.wake_words: {name!r} is not a built-in {engine} model ({', '.join(known)}); "
            "give a custom model with `model = PATH`", "wake-model-missing")


def _existing(path: str, suffix: str, what: str) -> Path:
    found = Path(path).expanduser()
    if not found.is_file() or found.suffix != suffix:
        raise ModelNotFoundError(f"voice.wake_words: model {path!r} is not {what} that exists", "wake-model-missing")
    if suffix == ".json":
        try:
            json.loads(found.read_text(encoding="utf-8"))["micro"]
        except (ValueError, KeyError, UnicodeDecodeError) as err:
            raise ModelNotFoundError(f"{found}: not a microWakeWord model description ({err})", "wake-model-bad") from err
    return found


def confirming_engine(config: WakeWordConfig) -> Optional[str]:
    """The engine whose model of the same word checks this word's candidates; None: one stage."""
    other = "openwakeword" if config.engine == "microwakeword" else "microwakeword"
    possible = not config.model and config.name in BUILTIN[other]
    asked = config.confirm or config.candidate_threshold is not None or config.confirm_threshold is not None
    if config.confirm is False:
        return None
    if not possible and asked:
        why = "a custom model" if config.model else f"{other} has no built-in model of it"
        raise ModelNotFoundError(
            f"voice.wake_words: {config.name!r} cannot be confirmed by a second stage ({why}); "
            "remove confirm, candidate_threshold and confirm_threshold, or set confirm = false",
            "wake-model-bad")
    if not possible or (not asked and TUNED.get((config.engine, config.name), UNTUNED) is None):
        return None
    return other


class WakeWordDetector:
    """Every configured wake word, scored on each block; returns the first detection.

    ``second_stage_runs`` counts the checks made (each costs about as much as 3 s of
    openWakeWord audio); quiet audio and speech far from a wake word make none."""

    def __init__(self, configs: Sequence[WakeWordConfig]) -> None:
        if not configs:
            raise ModelNotFoundError("voice.wake_words: no wake word is configured", "wake-model-missing")
        self.engines: list[WakeEngine] = []
        self.gates: dict[str, RefractoryGate] = {}
        self.candidates: dict[str, CandidateGate] = {}
        self.checks: dict[str, SecondStage] = {}
        self.second_stage_runs = 0
        self._ring: Optional[SampleRing] = None
        engines: dict[str, Any] = {}
        checkers: dict[str, SecondStage] = {}
        for config in configs:
            if config.name in self.gates:
                raise ModelNotFoundError(f"voice.wake_words: {config.name!r} is configured twice", "wake-model-bad")
            engine = engines.get(config.engine)
            if engine is None:
                engine = engines[config.engine] = MicroEngine() if config.engine == "microwakeword" else OpenEngine()
                self.engines.append(engine)
            default = engine.add(config)
            other = confirming_engine(config)
            if other is None:
                self._one_stage(config, default)
            else:
                self._two_stages(config, checkers.setdefault(other, second_stage(other)))

    def _one_stage(self, config: WakeWordConfig, default: float) -> None:
        threshold = config.threshold if config.threshold is not None else default
        self.gates[config.name] = RefractoryGate(threshold, config.refractory_seconds)
        _LOGGER.info("Wake word %s (%s, threshold %.2f)", config.name, config.engine, threshold)

    def _two_stages(self, config: WakeWordConfig, checker: SecondStage) -> None:
        candidate, confirm = TUNED.get((config.engine, config.name)) or UNTUNED
        candidate = config.candidate_threshold if config.candidate_threshold is not None else candidate
        confirm = config.confirm_threshold if config.confirm_threshold is not None else confirm
        checker.add(config.name)
        self.checks[config.name] = checker
        self.candidates[config.name] = CandidateGate(candidate)
        self.gates[config.name] = RefractoryGate(confirm, config.refractory_seconds)
        self._ring = self._ring or SampleRing(CHECK_SECONDS)
        _LOGGER.info("Wake word %s (%s candidates over %.2f, confirmed by the other engine over %.2f)",
                     config.name, config.engine, candidate, confirm)

    @property
    def names(self) -> list[str]:
        """The wake words listened for."""
        return list(self.gates)

    def process(self, chunk: AudioChunk) -> Optional[Detection]:
        """Score one block; a :class:`Detection` when a wake word was heard in it."""
        pcm = chunk.pcm
        if self._ring is not None:
            self._ring.append(chunk.samples)
        found: Optional[Detection] = None
        for engine in self.engines:
            for name, probability in engine.process(pcm).items():
                detection = self._decide(name, probability, chunk.end_s)
                if found is None:
                    found = detection
        return found

    def _decide(self, name: str, probability: float, time_s: float) -> Optional[Detection]:
        checker = self.checks.get(name)
        gate = self.gates[name]
        if checker is None:
            return Detection(name, round(probability, 3), time_s) if gate.check(probability, time_s) else None
        if gate.recent(time_s) or not self.candidates[name].check(probability, time_s):
            return None
        assert self._ring is not None
        self.second_stage_runs += 1
        score = checker.score(name, check_audio(self._ring))
        _LOGGER.debug("Wake word %s candidate at %.2f s (%.2f): second stage %.2f", name, time_s, probability, score)
        return Detection(name, round(score, 3), time_s) if gate.check(score, time_s) else None

    def reset(self) -> None:
        """Forget the audio heard so far (after a reply, so its echo cannot trigger later)."""
        for engine in self.engines:
            engine.reset()
        for gate in [*self.gates.values(), *self.candidates.values()]:
            gate.reset()
        if self._ring is not None:
            self._ring.clear()
