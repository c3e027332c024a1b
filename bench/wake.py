"""Wake words on a long stream, idle cost, and the appliance's memory with every model loaded.

    .venv/bin/python bench/wake.py [--data ../shared/data] [--rounds 3] [--idle-seconds 120] [--no-memory|--memory-only]

Misses and false wakes: for each built-in wake word with real recordings in ``wake/`` (every
recording of that word: wyoming-openwakeword, wyoming-microwakeword, openWakeWord and
pymicro-wakeword test clips), one continuous stream in which each recording follows other audio
(a ``speech/general/`` or ``speech/commands/`` recording, a piece of ``wake/background_noise.wav``,
or another wake word's recording, in turn) after a gap of 0.2-0.6 s, as a person starts speaking
right after others; ``--rounds`` passes, each with other neighbours and gains. A detection
from the start of a recording to 1 s after its end is a hit; any other is a false wake. False
wakes per hour are counted over the audio that is not the wake word. Both engines, default
thresholds; ``+2nd stage``: a detection counts only when the other engine's score for the same
word went over ``--confirm`` within 1 s of it.

Idle cost: process CPU time (every thread) of the wake-word detector - and of the silero VAD
as well, which the pipeline runs only after a wake word - over ``--idle-seconds`` of a quiet
room (background noise at a third of its level), fed as fast as possible, as a share of one core
at real-time pace (CPU seconds / audio seconds).

Memory: ``astros run`` under a private PulseAudio daemon (virtual microphone fed silence, null
speaker), once it logs "Voice is listening": resident memory (VmRSS) and its peak (VmHWM) after
one spoken command has been answered.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from astros.config import WakeWordConfig  # noqa: E402
from astros.voice.audio import SAMPLE_RATE, chunks_of, read_audio  # noqa: E402
from astros.voice.wake import WakeWordDetector  # noqa: E402

WORDS = ("alexa", "hey_jarvis", "hey_mycroft", "okay_nabu")
ENGINES = ("microwakeword", "openwakeword")
HIT_AFTER_S = 1.0


def positives(wake: Path, word: str) -> list[Path]:
    """Every recording of ``word`` in the shared wake data."""
    found = [p for p in wake.rglob("*.wav") if p.stem in (word, f"{word}_test") or p.parent.name == word]
    return sorted(found)


def negatives(data: Path, word: str) -> list[np.ndarray]:
    """Audio without ``word``: read speech, spoken commands, noise pieces, other wake words."""
    clips = [read_audio(p) for p in sorted((data / "speech" / "general").glob("*.wav"))]
    clips += [read_audio(p) for p in sorted((data / "speech" / "commands").glob("*.wav"))]
    noise = read_audio(data / "wake" / "background_noise.wav")
    clips += [noise[i : i + 3 * SAMPLE_RATE] for i in range(0, len(noise) - SAMPLE_RATE, 3 * SAMPLE_RATE)]
    others = [p for p in (data / "wake").rglob("*.wav") if p.name != "background_noise.wav"]
    clips += [read_audio(p) for p in sorted(others) if p not in positives(data / "wake", word)]
    return clips


def build_stream(data: Path, word: str, rounds: int) -> tuple[np.ndarray, list[tuple[float, float]], float]:
    """(stream, (start, end) of each wake word, seconds of non-wake-word audio)."""
    rng = np.random.default_rng(1)
    wanted, others = [read_audio(p) for p in positives(data / "wake", word)], negatives(data, word)
    parts, spans, position, negative_s = [], [], 0.0, 0.0
    order = list(range(len(others)))
    for round_ in range(rounds):
        rng.shuffle(order)
        for index, clip in enumerate(wanted * max(1, len(others) // len(wanted))):
            neighbour = others[order[index % len(others)]]
            gain = (1.0, 0.6, 1.4)[round_ % 3]
            gap = np.zeros(int(rng.uniform(0.2, 0.6) * SAMPLE_RATE), np.int16)
            before = np.clip(neighbour.astype(np.float32) * gain, -32768, 32767).astype(np.int16)
            parts += [before, gap, clip, np.zeros(SAMPLE_RATE, np.int16)]
            start = position + (len(before) + len(gap)) / SAMPLE_RATE
            spans.append((start, start + len(clip) / SAMPLE_RATE))
            negative_s += (len(before) + len(gap) + SAMPLE_RATE) / SAMPLE_RATE
            position = spans[-1][1] + 1.0
    return np.concatenate(parts), spans, negative_s


def score_stream(stream: np.ndarray, word: str, engine: str) -> tuple[list[float], np.ndarray, float]:
    """(detection times, per-block scores (time, probability), CPU seconds) of one engine on the stream."""
    detector = WakeWordDetector([WakeWordConfig(name=word, engine=engine)])
    gate = detector.gates[word]
    times, scores = [], []
    started = time.process_time()
    for chunk in chunks_of(stream):
        for one in detector.engines:
            probability = one.process(chunk.pcm)[word]
            scores.append((chunk.end_s, probability))
            if gate.check(probability, chunk.end_s):
                times.append(chunk.end_s)
    return times, np.array(scores), time.process_time() - started


def tally(times: list[float], spans: list[tuple[float, float]], negative_s: float) -> dict[str, Any]:
    hit = [any(start <= t <= end + HIT_AFTER_S for t in times) for start, end in spans]
    false = [t for t in times if not any(start <= t <= end + HIT_AFTER_S for start, end in spans)]
    return {"positives": len(spans), "missed": hit.count(False), "miss_rate": round(hit.count(False) / len(spans), 4),
            "false_wakes": len(false), "false_per_hour": round(len(false) * 3600 / negative_s, 2)}


def confirmed(times: list[float], other: np.ndarray, threshold: float) -> list[float]:
    """Detections the other engine agrees with: its score over ``threshold`` within 1 s."""
    return [t for t in times if (other[(other[:, 0] >= t - 1.0) & (other[:, 0] <= t + 1.0), 1] >= threshold).any()]


def wake_figures(data: Path, rounds: int, confirm: float) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for word in WORDS:
        stream, spans, negative_s = build_stream(data, word, rounds)
        runs = {engine: score_stream(stream, word, engine) for engine in ENGINES}
        row = {"stream_s": round(len(stream) / SAMPLE_RATE, 1), "negative_s": round(negative_s, 1),
               "recordings": len(positives(data / "wake", word))}
        for engine, other in zip(ENGINES, reversed(ENGINES)):
            times, _, cpu = runs[engine]
            row[engine] = tally(times, spans, negative_s) | {"cpu_share": round(cpu * SAMPLE_RATE / len(stream), 4)}
            row[f"{engine}+2nd stage"] = tally(confirmed(times, runs[other][1], confirm), spans, negative_s)
        results[word] = row
        print(word, json.dumps(row), flush=True)
    return results


def idle_figures(data: Path, seconds: float) -> dict[str, Any]:
    """CPU share of one core for wake words (and VAD) on a quiet room, fed as fast as possible."""
    from astros.voice.vad import SileroVad

    noise = (read_audio(data / "wake" / "background_noise.wav").astype(np.float32) / 3).astype(np.int16)
    quiet = np.tile(noise, int(seconds * SAMPLE_RATE / len(noise)) + 1)[: int(seconds * SAMPLE_RATE)]
    blocks = chunks_of(quiet)
    figures: dict[str, Any] = {"audio_s": seconds}
    for engine in ENGINES:
        detector = WakeWordDetector([WakeWordConfig(name="hey_jarvis", engine=engine)])
        started = time.process_time()
        for chunk in blocks:
            detector.process(chunk)
        figures[f"wake {engine}"] = round((time.process_time() - started) / seconds, 4)
    vad = SileroVad()
    started = time.process_time()
    for chunk in blocks:
        vad.process(chunk)
    figures["silero vad"] = round((time.process_time() - started) / seconds, 4)
    figures["wake microwakeword + vad"] = round(figures["wake microwakeword"] + figures["silero vad"], 4)
    print("idle", json.dumps(figures), flush=True)
    return figures


def memory_figures(data: Path) -> dict[str, Any]:
    """Resident memory of ``astros run`` with every model loaded, under a private PulseAudio."""
    if shutil.which("pulseaudio") is None:
        return {"skipped": "pulseaudio is not installed"}
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        (tmp / "pulse").mkdir()
        env = {**os.environ, "PULSE_RUNTIME_PATH": str(tmp / "pulse"), "HOME": folder, "GPIOZERO_PIN_FACTORY": "mock"}
        fifo = tmp / "mic.fifo"
        daemon = subprocess.Popen(
            ["pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1", "--load=module-native-protocol-unix",
             "--load=module-null-sink sink_name=spk",
             f"--load=module-pipe-source source_name=mic file={fifo} format=s16le rate=16000 channels=1"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            return _measure_run(data, tmp, fifo, env)
        finally:
            daemon.terminate()
            daemon.wait(timeout=10)


def _measure_run(data: Path, tmp: Path, fifo: Path, env: dict[str, str]) -> dict[str, Any]:
    deadline = time.monotonic() + 10
    while not (fifo.exists() and (tmp / "pulse" / "native").exists()) and time.monotonic() < deadline:
        time.sleep(0.05)
    env.update(PULSE_SERVER=f"unix:{tmp / 'pulse' / 'native'}", PULSE_SOURCE="mic", PULSE_SINK="spk")
    command = np.concatenate([np.zeros(SAMPLE_RATE, np.int16),
                              read_audio(data / "wake" / "wyoming_openwakeword" / "hey_jarvis.wav"),
                              read_audio(data / "speech" / "commands" / "what time is it.wav")])
    feeding = threading.Event()
    feeding.set()
    pending: list[np.ndarray] = []
    threading.Thread(target=_feed_microphone, args=(fifo, pending, feeding), daemon=True).start()
    config = tmp / "config.toml"
    config.write_text(f'data_dir = "{tmp / "data"}"\ntimezone = "UTC"\n')
    appliance = subprocess.Popen([sys.executable, "-m", "astros", "run", "--config", str(config), "--host", "127.0.0.1",
                                  "--port", "0"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        started = time.monotonic()
        for line in appliance.stderr:
            if "Voice is listening" in line:
                break
        ready_s = time.monotonic() - started
        rss_ready = _status(appliance.pid)
        pending.append(command)
        time.sleep(15)
        figures = {"ready_s": round(ready_s, 1), "rss_listening_mb": rss_ready["VmRSS"],
                   "rss_after_command_mb": _status(appliance.pid)["VmRSS"], "peak_mb": _status(appliance.pid)["VmHWM"]}
    finally:
        feeding.clear()
        appliance.terminate()
        appliance.wait(timeout=30)
    print("memory", json.dumps(figures), flush=True)
    return figures


def _feed_microphone(fifo: Path, pending: list[np.ndarray], feeding: threading.Event) -> None:
    """Silence in real time, and whatever is put in ``pending``, into the pipe source."""
    piece = 320
    with open(fifo, "wb", buffering=0) as pipe:
        started, written, current = time.monotonic(), 0, np.zeros(0, np.int16)
        while feeding.is_set():
            if not len(current) and pending:
                current = pending.pop(0)
            block, current = current[:piece], current[piece:]
            pipe.write(np.pad(block, (0, piece - len(block))).astype("<i2").tobytes())
            written += piece
            time.sleep(max(0.0, started + written / SAMPLE_RATE - time.monotonic()))


def _status(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM of a process, in MB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = round(int(value.split()[0]) / 1024, 1)
    return fields


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--rounds", type=int, default=3, help="passes over the recordings, other neighbours each time")
    parser.add_argument("--confirm", type=float, default=0.1, help="the other engine's score that confirms a detection")
    parser.add_argument("--idle-seconds", type=float, default=120.0)
    parser.add_argument("--no-memory", action="store_true", help="skip starting astros run under PulseAudio")
    parser.add_argument("--memory-only", action="store_true", help="only the memory of astros run")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = parser.parse_args()
    report: dict[str, Any] = {}
    if not args.memory_only:
        report = {"wake": wake_figures(args.data, args.rounds, args.confirm),
                  "idle": idle_figures(args.data, args.idle_seconds)}
    if not args.no_memory:
        report["memory"] = memory_figures(args.data)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / ("wake_memory.json" if args.memory_only else "wake.json")).write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
