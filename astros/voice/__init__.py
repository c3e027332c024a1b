"""The voice: microphone -> wake word -> end of speech -> speech to text -> agent -> speech -> speaker.

Modules, in pipeline order: ``audio`` (sources and sinks; the only module that touches sound
hardware), ``wake``, ``vad``, ``stt``, ``tts``, ``earcons``, ``pipeline`` (the state machine) and
``commands`` (the ``astros transcribe/say/wake/listen`` command line). Importing this package loads
no model and opens no device.
"""

from __future__ import annotations

from ..errors import AstrOSError


class VoiceError(AstrOSError):
    """Something in the voice path failed; ``code`` says what (``audio-format``, ``device``...)."""


class AudioFormatError(VoiceError):
    """A file or stream is not audio AstrOS can read."""


__all__ = ["AudioFormatError", "VoiceError"]
