"""Wake words: built-in models of both engines on real recordings, several at once, refractory,
and the second stage that checks a candidate with the other engine's model."""

from __future__ import annotations

import numpy as np
import pytest

from astros.config import WakeWordConfig, parse_config
from astros.errors import ConfigError, ModelNotFoundError
from astros.voice.audio import chunks_of, read_audio
from astros.voice.wake import CandidateGate, RefractoryGate, WakeWordDetector
from astros.voice.wake_confirm import SampleRing

from .conftest import DATA, WAKE, recording, silence


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


def test_candidate_gate_checks_once_then_waits() -> None:
    gate = CandidateGate(threshold=0.5, recheck_s=0.5)
    steps = [(0.2, 0.0), (0.6, 0.1), (0.9, 0.2), (0.9, 0.5), (0.9, 0.6), (0.3, 1.5), (0.7, 1.6)]
    assert [gate.check(p, t) for p, t in steps] == [False, True, False, False, True, False, True]


def test_sample_ring_keeps_the_latest_audio() -> None:
    ring = SampleRing(0.001)  # 16 samples
    ring.append(np.arange(10, dtype=np.int16))
    ring.append(np.arange(10, 20, dtype=np.int16))
    assert ring.latest().tolist() == list(range(4, 20))


def test_wake_word_after_speech_is_heard_once_in_two_stages() -> None:
    detector = WakeWordDetector([WakeWordConfig("alexa")])
    assert "alexa" in detector.checks  # microWakeWord proposes, openWakeWord confirms
    stream = np.concatenate([read_audio(DATA / "speech" / "general" / "jfk.wav"), silence(0.3),
                             read_audio(WAKE / "wyoming_microwakeword" / "alexa.wav")])
    found = detections(detector, stream)
    assert [n for n, _ in found] == ["alexa"]
    assert found[0][1] > 11.0  # during the wake word, not the speech before it
    assert 1 <= detector.second_stage_runs <= 3


def test_second_stage_refuses_what_openwakeword_does_not_confirm() -> None:
    spoken = recording("what time is it")  # microWakeWord's hey_jarvis scores this about 0.95
    alone = WakeWordDetector([WakeWordConfig("hey_jarvis", confirm=False, threshold=0.5)])
    assert [n for n, _ in detections(alone, spoken)] == ["hey_jarvis"]
    checked = WakeWordDetector([WakeWordConfig("hey_jarvis", candidate_threshold=0.5)])
    assert detections(checked, spoken) == []
    assert checked.second_stage_runs >= 1


def test_quiet_room_never_runs_the_second_stage() -> None:
    detector = WakeWordDetector([WakeWordConfig(word) for word in ("alexa", "hey_jarvis", "hey_mycroft", "okay_nabu")])
    noise = read_audio(WAKE / "background_noise.wav")
    assert detections(detector, np.concatenate([silence(5.0), noise, noise // 3])) == []
    assert detector.second_stage_runs == 0


def test_a_word_with_one_engine_model_listens_in_one_stage() -> None:
    detector = WakeWordDetector([WakeWordConfig("hey_rhasspy", "openwakeword"), WakeWordConfig("okay_nabu")])
    assert detector.checks == {}  # okay_nabu: one stage measured best; hey_rhasspy: no second model
    assert [n for n, _ in detections(detector, read_audio(WAKE / "wyoming_openwakeword" / "hey_rhasspy.wav"))] == ["hey_rhasspy"]


def test_a_second_stage_that_cannot_exist_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(ModelNotFoundError, match="'hey_rhasspy' cannot be confirmed.*microwakeword has no built-in model"):
        WakeWordDetector([WakeWordConfig("hey_rhasspy", "openwakeword", confirm=True)])
    import pymicro_wakeword
    from pathlib import Path

    path = Path(pymicro_wakeword.__file__).parent / "models" / "alexa.json"
    with pytest.raises(ModelNotFoundError, match="'mine' cannot be confirmed by a second stage \\(a custom model\\)"):
        WakeWordDetector([WakeWordConfig("mine", model=str(path), confirm_threshold=0.5)])


@pytest.mark.parametrize("toml,message", [
    ("confirm = false\nconfirm_threshold = 0.3", "confirm_threshold: only used when confirming"),
    ("candidate_threshold = 1.5", "candidate_threshold: must be between 0.0 and 1.0; got 1.5"),
    ('confirm = "yes"', "confirm: expected true or false"),
])
def test_confirm_keys_are_checked_in_the_config(toml: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_config(f'[[voice.wake_words]]\nname = "alexa"\n{toml}\n', "test.toml")
