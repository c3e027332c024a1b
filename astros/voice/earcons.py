"""Earcons: the short tones for "I'm listening", "something went wrong" and a ringing timer.

Generated on the fly (no sound files): sine notes with soft edges, 16-bit at 22,050 Hz.
"""

from __future__ import annotations

from typing import Final

import numpy as np

EARCON_RATE: Final = 22_050  # hertz


def _note(frequency_hz: float, seconds: float, level: float = 0.3) -> np.ndarray:
    t = np.arange(int(seconds * EARCON_RATE)) / EARCON_RATE
    tone = np.sin(2 * np.pi * frequency_hz * t)
    fade = min(len(t) // 4, int(0.01 * EARCON_RATE))
    envelope = np.ones_like(t)
    if fade:
        envelope[:fade] = np.linspace(0.0, 1.0, fade)
        envelope[-fade:] = np.linspace(1.0, 0.0, fade)
    return tone * envelope * level


def _pcm(*parts: np.ndarray) -> np.ndarray:
    return (np.concatenate(parts) * 32767).astype(np.int16)


def _rest(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * EARCON_RATE))


def wake_tone() -> np.ndarray:
    """Two quick rising notes: AstrOS is listening."""
    return _pcm(_note(880.0, 0.07), _note(1320.0, 0.09))


def error_tone() -> np.ndarray:
    """Two falling low notes: something went wrong."""
    return _pcm(_note(440.0, 0.12), _rest(0.03), _note(330.0, 0.18))


def ring_tone() -> np.ndarray:
    """One ring of a timer or alarm: three beeps, then a pause (about 1.2 s)."""
    beep = [_note(1046.5, 0.12, 0.4), _rest(0.08)]
    return _pcm(*beep, *beep, *beep, _rest(0.6))
