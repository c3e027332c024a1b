"""A long spoken reply does not leave piper's working memory behind."""

from __future__ import annotations

from pathlib import Path

from astros.system.heap import release_free_memory
from astros.voice.engines import VoiceEngines

LONG = ("Tomorrow will be mostly sunny in the morning with a few clouds later on, a high of twenty three "
        "degrees, a light breeze from the west and no rain expected until the evening after eight.")


def resident_mb() -> float:
    """This process's resident memory."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS in /proc/self/status")


def test_memory_after_a_long_sentence_returns_to_what_short_ones_need(engines: VoiceEngines) -> None:
    engines.tts.synthesize_all("It is twelve thirty five.")
    release_free_memory()  # as the appliance does after each reply
    before = resident_mb()
    reply = engines.tts.synthesize_all(LONG)
    assert len(reply.samples) > 8 * reply.rate  # the whole sentence was spoken
    engines.tts.synthesize_all("It is twelve thirty five.")
    release_free_memory()
    # Kept in onnxruntime's arena this sentence would stay about 150 MB resident.
    after = resident_mb()
    assert after - before < 50, f"{before:.0f} MB before the long sentence, {after:.0f} MB after"
