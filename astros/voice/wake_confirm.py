"""The wake word's second stage: the other engine's model of the same word checks a candidate.

The cheap first stage (microWakeWord, about 0.2% of a core) scores every block at a low bar.
Only when it proposes a candidate does the second stage score the last seconds of audio, kept in
a :class:`SampleRing`, from a fresh state with a moment of silence before them. So openWakeWord's
front end (about 6% of a core when it runs all the time) costs a few tens of milliseconds per
candidate instead, and the speech heard before the ring cannot bend its features.
"""

from __future__ import annotations

import logging
from typing import Any, Final, Protocol

import numpy as np

from .audio import SAMPLE_RATE

_LOGGER = logging.getLogger(__name__)

CHECK_SECONDS: Final = 2.0
"""Audio the second stage scores, ending at the candidate: an "alexa" or "hey jarvis" and a little before."""
LEAD_SILENCE_SECONDS: Final = 1.0
"""Silence placed before it: openWakeWord needs about 2.1 s before its first score, and the word
then starts from quiet, as in the clips the models were trained on."""


class SampleRing:
    """The last ``seconds`` of 16 kHz int16 audio, silence until that much has been heard."""

    def __init__(self, seconds: float) -> None:
        self._samples = np.zeros(int(seconds * SAMPLE_RATE), np.int16)

    def append(self, samples: np.ndarray) -> None:
        """Add a block at the end, dropping as much from the start."""
        size, count = len(self._samples), len(samples)
        if count >= size:
            self._samples[:] = samples[-size:]
        elif count:
            self._samples[:-count] = self._samples[count:]
            self._samples[-count:] = samples

    def latest(self) -> np.ndarray:
        """A copy of what the ring holds, oldest sample first."""
        return self._samples.copy()

    def clear(self) -> None:
        """Back to silence."""
        self._samples[:] = 0


def check_audio(ring: SampleRing) -> np.ndarray:
    """What the second stage scores: a moment of silence, then the ring."""
    return np.concatenate([np.zeros(int(LEAD_SILENCE_SECONDS * SAMPLE_RATE), np.int16), ring.latest()])


class SecondStage(Protocol):
    """Scores a short piece of audio for one wake word from a fresh state; the top probability."""

    def add(self, name: str) -> None: ...

    def score(self, name: str, samples: np.ndarray) -> float: ...


class OpenCheck:
    """openWakeWord built-in models with a feature extractor of their own, started afresh per check."""

    def __init__(self) -> None:
        from pyopen_wakeword import OpenWakeWordFeatures

        self.features = OpenWakeWordFeatures.from_builtin()
        self.models: dict[str, Any] = {}

    def add(self, name: str) -> None:
        """Load the built-in model ``name``."""
        from pyopen_wakeword import Model, OpenWakeWord

        self.models[name] = OpenWakeWord.from_builtin(Model(name))

    def score(self, name: str, samples: np.ndarray) -> float:
        """The model's top probability over ``samples``."""
        model = self.models[name]
        self.features.reset()
        self.features.new_audio_samples = 0  # no 8 s of zeros first: the caller puts silence where it is needed
        model.reset()
        best = 0.0
        for embedding in self.features.process_streaming(samples.astype(np.int16).tobytes()):
            for probability in model.process_streaming(embedding):
                best = max(best, probability)
        return best


class MicroCheck:
    """microWakeWord built-in models, their frontend and model state started afresh per check."""

    def __init__(self) -> None:
        self.models: dict[str, Any] = {}

    def add(self, name: str) -> None:
        """Load the built-in model ``name``."""
        from pymicro_wakeword import MicroWakeWord, Model

        self.models[name] = MicroWakeWord.from_builtin(Model(name))

    def score(self, name: str, samples: np.ndarray) -> float:
        """The model's top (window-averaged) probability over ``samples``."""
        from pymicro_wakeword import MicroWakeWordFeatures

        model = self.models[name]
        model.reset()
        best = 0.0
        for features in MicroWakeWordFeatures().process_streaming(samples.astype(np.int16).tobytes()):
            best = max(best, model.process_streaming_prob(features) or 0.0)
        return best


def second_stage(engine: str) -> SecondStage:
    """The checker made of ``engine``'s models."""
    return MicroCheck() if engine == "microwakeword" else OpenCheck()
