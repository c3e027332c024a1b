"""Wake words: microWakeWord (pymicro-wakeword) and openWakeWord (pyopen-wakeword) models.

Several wake words listen at once, each with its own engine, threshold and refractory period.
Models of one engine share that engine's feature extractor, so a second openWakeWord model costs
only its small classifier. Built-in models are chosen by name; a custom model by path.
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

_LOGGER = logging.getLogger(__name__)

MICRO_BUILTIN: Final = ("alexa", "hey_jarvis", "hey_mycroft", "okay_nabu")
OPEN_BUILTIN: Final = ("alexa", "hey_jarvis", "hey_mycroft", "hey_rhasspy", "okay_nabu")
OPEN_DEFAULT_THRESHOLD: Final = 0.5


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

    def reset(self) -> None:
        """Forget the last detection."""
        self._last = None


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


class WakeWordDetector:
    """Every configured wake word, scored on each block; returns the first detection."""

    def __init__(self, configs: Sequence[WakeWordConfig]) -> None:
        if not configs:
            raise ModelNotFoundError("voice.wake_words: no wake word is configured", "wake-model-missing")
        self.engines: list[WakeEngine] = []
        self.gates: dict[str, RefractoryGate] = {}
        engines: dict[str, Any] = {}
        for config in configs:
            if config.name in self.gates:
                raise ModelNotFoundError(f"voice.wake_words: {config.name!r} is configured twice", "wake-model-bad")
            engine = engines.get(config.engine)
            if engine is None:
                engine = engines[config.engine] = MicroEngine() if config.engine == "microwakeword" else OpenEngine()
                self.engines.append(engine)
            default = engine.add(config)
            threshold = config.threshold if config.threshold is not None else default
            self.gates[config.name] = RefractoryGate(threshold, config.refractory_seconds)
            _LOGGER.info("Wake word %s (%s, threshold %.2f)", config.name, config.engine, threshold)

    @property
    def names(self) -> list[str]:
        """The wake words listened for."""
        return list(self.gates)

    def process(self, chunk: AudioChunk) -> Optional[Detection]:
        """Score one block; a :class:`Detection` when a wake word was heard in it."""
        pcm = chunk.pcm
        found: Optional[Detection] = None
        for engine in self.engines:
            for name, probability in engine.process(pcm).items():
                if self.gates[name].check(probability, chunk.end_s) and found is None:
                    found = Detection(name, round(probability, 3), chunk.end_s)
        return found

    def reset(self) -> None:
        """Forget the audio heard so far (after a reply, so its echo cannot trigger later)."""
        for engine in self.engines:
            engine.reset()
        for gate in self.gates.values():
            gate.reset()
