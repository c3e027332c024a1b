"""Wake words: built-in models of both engines on real recordings, several at once, refractory."""

from __future__ import annotations

import numpy as np
import pytest

from astros.config import WakeWordConfig
from astros.errors import ModelNotFoundError
from astros.voice.audio import chunks_of, read_audio
from astros.voice.wake import RefractoryGate, WakeWordDetector

from .conftest import WAKE, silence


def detections(detector: WakeWordDetector, audio: np.ndarray) -> list[tuple[str, float]]:
    audio = np.concatenate([audio, silence(1.0)])
    return [(d.name, d.time_s) for c in chunks_of(audio) if (d := detector.process(c))]


@pytest.fixture(scope="module")
def both_engines() -> WakeWordDetector:
    return WakeWordDetector([
        WakeWordConfig("hey_jarvis", "microwakeword"),
        WakeWordConfig("alexa", "openwakeword"),
        WakeWordConfig("okay_nabu", "microwakeword"),
    ])


@pytest.mark.parametrize("file,name", [
    ("wyoming_openwakeword/hey_jarvis.wav", "hey_jarvis"),
    ("wyoming_microwakeword/alexa.wav", "alexa"),
    ("pymicro_wakeword/okay_nabu/2.wav", "okay_nabu"),
])
def test_each_wake_word_is_heard_once(both_engines: WakeWordDetector, file: str, name: str) -> None:
    both_engines.reset()
    found = detections(both_engines, read_audio(WAKE / file))
    assert [n for n, _ in found] == [name]


@pytest.mark.parametrize("file", ["background_noise.wav", "openwakeword/hey_jane.wav",
                                  "pymicro_wakeword/computer/hey_peppa_pig.wav"])
def test_other_sounds_do_not_wake(both_engines: WakeWordDetector, file: str) -> None:
    both_engines.reset()
    assert detections(both_engines, read_audio(WAKE / file)) == []


def test_custom_model_by_path_with_its_own_threshold() -> None:
    import pymicro_wakeword

    from pathlib import Path

    path = Path(pymicro_wakeword.__file__).parent / "models" / "hey_mycroft.json"
    detector = WakeWordDetector([WakeWordConfig("mycroft", "microwakeword", model=str(path), threshold=0.8)])
    assert detector.gates["mycroft"].threshold == 0.8
    found = detections(detector, read_audio(WAKE / "wyoming_microwakeword" / "hey_mycroft.wav"))
    assert [n for n, _ in found] == ["mycroft"]


def test_unknown_builtin_and_missing_file_name_the_problem(tmp_path) -> None:
    with pytest.raises(ModelNotFoundError, match="'hey_rhasspy' is not a built-in microwakeword model"):
        WakeWordDetector([WakeWordConfig("hey_rhasspy", "microwakeword")])
    with pytest.raises(ModelNotFoundError, match="not an openWakeWord .tflite model that exists"):
        WakeWordDetector([WakeWordConfig("mine", "openwakeword", model=str(tmp_path / "mine.tflite"))])


def test_refractory_gate_ignores_repeats() -> None:
    gate = RefractoryGate(threshold=0.5, refractory_s=2.0)
    assert [gate.check(p, t) for p, t in [(0.4, 0.0), (0.9, 1.0), (0.95, 1.5), (0.9, 3.1)]] == [False, True, False, True]
