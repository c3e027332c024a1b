"""End of speech: the pure segmenter driven by numbers, and silero on a real recording."""

from __future__ import annotations

import numpy as np
import pytest

from astros.voice.audio import chunks_of
from astros.voice.vad import EndOfSpeech, MicroVad, Segment, SileroVad

from .conftest import recording, silence

STEP = 0.032


def run(segmenter: EndOfSpeech, pattern: list[tuple[float, float]]) -> Segment:
    """Feed (seconds, probability) runs in 32 ms steps; returns the state at the end or when it ends."""
    state = segmenter.state
    for seconds, probability in pattern:
        for _ in range(round(seconds / STEP)):
            state = segmenter.process(STEP, probability)
            if state in (Segment.DONE, Segment.TIMEOUT):
                return state
    return state


def test_speech_then_silence_ends_the_command() -> None:
    segmenter = EndOfSpeech(0.5)
    assert run(segmenter, [(0.2, 0.0), (1.0, 0.9), (0.4, 0.1)]) is Segment.SPEAKING
    assert run(segmenter, [(0.2, 0.1)]) is Segment.DONE
    assert segmenter.speech_end_s == pytest.approx(1.2, abs=0.05)


@pytest.mark.parametrize("preset,silence_s", [("aggressive", 0.25), ("relaxed", 1.0)])
def test_silence_presets(preset: str, silence_s: float) -> None:
    from astros.voice.vad import SILENCE_PRESETS

    segmenter = EndOfSpeech(SILENCE_PRESETS[preset])
    run(segmenter, [(1.0, 0.9)])
    assert run(segmenter, [(silence_s - 0.07, 0.0)]) is Segment.SPEAKING
    assert run(segmenter, [(0.1, 0.0)]) is Segment.DONE


def test_a_cough_is_not_a_command() -> None:
    segmenter = EndOfSpeech(0.3, min_speech_s=0.3, timeout_s=3.0)
    assert run(segmenter, [(0.1, 0.9), (0.5, 0.0)]) is Segment.WAITING
    assert run(segmenter, [(3.0, 0.0)]) is Segment.TIMEOUT


def test_nobody_speaks_times_out() -> None:
    assert run(EndOfSpeech(0.5, timeout_s=2.0), [(5.0, 0.1)]) is Segment.TIMEOUT


def test_endless_speech_is_cut_at_the_maximum() -> None:
    segmenter = EndOfSpeech(0.5, max_s=15.0)
    assert run(segmenter, [(20.0, 0.9)]) is Segment.DONE
    assert segmenter.elapsed_s == pytest.approx(15.0, abs=0.05)


def test_hysteresis_keeps_a_dip_inside_speech() -> None:
    segmenter = EndOfSpeech(0.25, threshold=0.5)
    assert run(segmenter, [(0.5, 0.9), (0.5, 0.4), (0.5, 0.9)]) is Segment.SPEAKING


@pytest.mark.parametrize("vad_class", [SileroVad, MicroVad])
def test_real_recording_ends_after_the_last_word(vad_class) -> None:
    audio = np.concatenate([recording("turn on the living room lamp"), silence(1.0)])
    vad, segmenter = vad_class(), EndOfSpeech(0.5)
    for chunk in chunks_of(audio):
        if segmenter.process(chunk.seconds, vad.process(chunk)) is Segment.DONE:
            break
    assert segmenter.state is Segment.DONE
    assert 1.2 < segmenter.speech_end_s < 2.0  # the words end at about 1.45 s
    assert segmenter.speech_s > 0.8
