"""Wake words on long streams, idle cost, and the appliance's memory with every model loaded.

    .venv/bin/python bench/wake.py [--data ../shared/data] [--rounds 2] [--synthetic-minutes 60]
                                   [--idle-seconds 120] [--no-memory|--memory-only]

Misses: for each built-in wake word, every real recording of it in ``wake/`` (wyoming-openwakeword,
wyoming-microwakeword, openWakeWord and pymicro-wakeword test clips: 5-6 per word) in one
continuous stream, each following other audio (a ``speech/`` recording, a piece of room noise,
or another wake word's recording, in turn) after a gap of 0.2-0.6 s, as a person starts speaking
right after others; ``--rounds`` passes with other neighbours and gains. A detection from the
start of a recording to 1 s after its end is a hit; any other is a false wake.

False wakes per hour: over the neighbours in that stream and two long streams without any of the
four words, made once and cached in ``--out`` (``long_negatives``): the real speech recordings
varied in speed and gain over room noise (half ``--synthetic-minutes``), and piper's joe voice
reading the intent test sentences over room noise (``--synthetic-minutes``).

Side by side in the same run, block by block as the detector is fed: each engine alone at its
default threshold; openWakeWord first with a microWakeWord check; a grid of two-stage settings
(microWakeWord candidates, openWakeWord check), chosen on a tuning half (the pymicro-wakeword
recordings and the synthetic speech) and checked on the held-out half (the other recordings,
the stream's neighbours and the varied real speech); and the shipped ``WakeWordDetector`` with its
default settings per word, as the pipeline runs it (``detector.process(chunk)``), with its CPU
share and second-stage runs.

Idle cost: process CPU time (every thread) of the wake-word detector - each engine alone, the
shipped default, alexa in two stages, all four words as shipped, each with its count of
second-stage runs - and of the silero VAD, which the pipeline runs only after a wake word, over
``--idle-seconds`` of a quiet room (background noise at a third of its level), fed as fast as
possible, as a share of one core at real-time pace (CPU seconds / audio seconds); and the CPU
time of one second-stage check.

Memory: ``astros run`` under a private PulseAudio daemon (virtual microphone fed silence, null
speaker), once it logs "Voice is listening": resident memory (VmRSS) and its peak (VmHWM) after
one spoken command has been answered.
"""

from __future__ import annotations

import argparse
import itertools
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
from astros.voice.audio import SAMPLE_RATE, chunks_of, read_audio, resample  # noqa: E402
from astros.voice.wake import TUNED, UNTUNED, CandidateGate, MicroEngine, OpenEngine, RefractoryGate, WakeWordDetector  # noqa: E402
from astros.voice.wake_confirm import CHECK_SECONDS, SampleRing, check_audio, second_stage  # noqa: E402

WORDS = ("alexa", "hey_jarvis", "hey_mycroft", "okay_nabu")
ENGINES = ("microwakeword", "openwakeword")
HIT_AFTER_S = 1.0
TUNE_SOURCE = "pymicro_wakeword"
"""Recordings of the word from this source choose the thresholds; the others are held out."""
GRID_CANDIDATE = (0.2, 0.5)
GRID_CONFIRM = (0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7)
NOT_WAKE_WORDS = ("hey_jane", "hey_peppa_pig", "okay_computer", "choo_choo_homie", "hey_home_assistant",
                  "computer", "snowboy", "hey_rhasspy")


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


def build_stream(data: Path, word: str, rounds: int) -> tuple[np.ndarray, list[tuple[float, float, bool]], float]:
    """(stream, (start, end, held out) of each wake word, seconds of non-wake-word audio)."""
    rng = np.random.default_rng(1)
    paths = positives(data / "wake", word)
    wanted, others = [read_audio(p) for p in paths], negatives(data, word)
    held = [TUNE_SOURCE not in p.parts for p in paths]
    parts, spans, position, negative_s = [], [], 0.0, 0.0
    order = list(range(len(others)))
    for round_ in range(rounds):
        rng.shuffle(order)
        for index in range(len(wanted) * max(1, len(others) // len(wanted))):
            clip = wanted[index % len(wanted)]
            neighbour = others[order[index % len(others)]]
            gain = (1.0, 0.6, 1.4)[round_ % 3]
            gap = np.zeros(int(rng.uniform(0.2, 0.6) * SAMPLE_RATE), np.int16)
            before = np.clip(neighbour.astype(np.float32) * gain, -32768, 32767).astype(np.int16)
            parts += [before, gap, clip, np.zeros(SAMPLE_RATE, np.int16)]
            start = position + (len(before) + len(gap)) / SAMPLE_RATE
            spans.append((start, start + len(clip) / SAMPLE_RATE, held[index % len(wanted)]))
            negative_s += (len(before) + len(gap) + SAMPLE_RATE) / SAMPLE_RATE
            position = spans[-1][1] + 1.0
    return np.concatenate(parts), spans, negative_s


def long_negatives(data: Path, cache: Path, synthetic_minutes: float) -> dict[str, np.ndarray]:
    """Long streams with none of the four words, made once and kept in ``cache``:
    ``varied speech``: the real speech and not-a-wake-word recordings, each at another speed
    (0.85-1.15, which moves the pitch too) and gain, over room noise, in shuffled order (half as long);
    ``synthetic speech``: the intent test sentences (Home Assistant's and SLURP's, none naming a wake
    word) spoken by piper's joe voice at varied speed and expression, over room noise."""
    if cache.exists():
        with np.load(cache) as stored:
            return {key.replace("_", " "): stored[key] for key in stored.files}
    rng = np.random.default_rng(3)
    noise = read_audio(data / "wake" / "background_noise.wav").astype(np.float32)
    real = [read_audio(p) for p in sorted((data / "speech").rglob("*.wav"))]
    real += [read_audio(p) for p in sorted((data / "wake").rglob("*.wav")) if p.stem in NOT_WAKE_WORDS]
    varied = _varied(real, noise, synthetic_minutes * 30, rng)
    synthetic = _over_noise(_synthetic_speech(data, synthetic_minutes * 60, rng), noise, rng)
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.savez(cache, varied_speech=varied, synthetic_speech=synthetic)
    return {"varied speech": varied, "synthetic speech": synthetic}


def _varied(clips: list[np.ndarray], noise: np.ndarray, seconds: float, rng: np.random.Generator) -> np.ndarray:
    parts, total = [], 0
    while total < seconds * SAMPLE_RATE:
        clip = clips[rng.integers(len(clips))].astype(np.float32)
        clip = resample(clip, SAMPLE_RATE, int(SAMPLE_RATE * rng.uniform(0.85, 1.15))) * rng.uniform(0.4, 1.6)
        parts += [clip, np.zeros(int(rng.uniform(0.05, 0.8) * SAMPLE_RATE), np.float32)]
        total += len(parts[-1]) + len(clip)
    return _over_noise(np.concatenate(parts), noise, rng)


def _synthetic_speech(data: Path, seconds: float, rng: np.random.Generator) -> np.ndarray:
    import re

    from piper.config import SynthesisConfig

    from astros.voice.tts import PiperTextToSpeech

    texts = [json.loads(line)["text"] for f in sorted((data / "intents").glob("*.jsonl"))
             for line in f.read_text(encoding="utf-8").splitlines()]
    texts = [t for t in texts if not re.search(r"alexa|jarvis|mycroft|nabu|rhasspy", t, re.I)]
    tts, parts, total = PiperTextToSpeech(), [], 0
    for text in texts:
        if total >= seconds * SAMPLE_RATE:
            break
        style = SynthesisConfig(length_scale=float(rng.uniform(0.8, 1.3)), noise_scale=float(rng.uniform(0.4, 0.9)),
                                noise_w_scale=float(rng.uniform(0.5, 1.0)), volume=float(rng.uniform(0.3, 1.0)))
        audio = [chunk.audio_int16_array for chunk in tts.voice.synthesize(text, syn_config=style)]
        if audio:
            parts += [resample(np.concatenate(audio), tts.rate, SAMPLE_RATE).astype(np.float32),
                      np.zeros(int(rng.uniform(0.1, 0.8) * SAMPLE_RATE), np.float32)]
            total += len(parts[-2]) + len(parts[-1])
    return np.concatenate(parts)


def _over_noise(speech: np.ndarray, noise: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``speech`` with the room noise looped under it at a level that changes every 10 s."""
    bed = np.tile(noise, len(speech) // len(noise) + 1)[: len(speech)]
    levels = np.repeat(rng.uniform(0.2, 1.5, len(speech) // (10 * SAMPLE_RATE) + 1), 10 * SAMPLE_RATE)[: len(speech)]
    return np.clip(speech + bed * levels, -32768, 32767).astype(np.int16)


def block_scores(stream: np.ndarray, engine: str) -> tuple[np.ndarray, dict[str, np.ndarray], float]:
    """(block end times, each word's top score per block, CPU seconds) of one engine with all four
    words on ``stream``, block by block as the detector feeds it."""
    scorer = MicroEngine() if engine == "microwakeword" else OpenEngine()
    for word in WORDS:
        scorer.add(WakeWordConfig(name=word, engine=engine))
    blocks = chunks_of(stream)
    scores = {word: np.zeros(len(blocks), np.float32) for word in WORDS}
    started = time.process_time()
    for index, chunk in enumerate(blocks):
        for word, probability in scorer.process(chunk.pcm).items():
            scores[word][index] = probability
    return np.array([c.end_s for c in blocks]), scores, time.process_time() - started


def one_stage(times: np.ndarray, scores: np.ndarray, threshold: float) -> list[float]:
    """Detection times of a word on its own at ``threshold`` (2 s refractory), as the detector decides."""
    gate = RefractoryGate(threshold, 2.0)
    return [float(times[i]) for i in np.nonzero(scores >= threshold)[0] if gate.check(float(scores[i]), float(times[i]))]


class Checks:
    """The second stage's score at the end of any block of a stream, computed once each."""

    def __init__(self, stream: np.ndarray, word: str, engine: str) -> None:
        self.stream, self.word = stream, word
        self.checker = second_stage(engine)
        self.checker.add(word)
        self.known: dict[int, float] = {}

    def at(self, block: int) -> float:
        if block not in self.known:
            ring = SampleRing(CHECK_SECONDS)
            end = min(len(self.stream), (block + 1) * 512)
            ring.append(self.stream[max(0, end - len(ring.latest())) : end])
            self.known[block] = self.checker.score(self.word, check_audio(ring))
        return self.known[block]


def two_stages(times: np.ndarray, scores: np.ndarray, checks: Checks, setting: tuple[float, float]) -> list[float]:
    """Detection times with the second stage: the detector's decisions, visiting only the blocks
    where the first stage passes the candidate bar."""
    candidate, confirm = setting
    gate, candidates, found = RefractoryGate(confirm, 2.0), CandidateGate(candidate), []
    for index in np.nonzero(scores >= candidate)[0]:
        t = float(times[index])
        if not gate.recent(t) and candidates.check(float(scores[index]), t) and gate.check(checks.at(index), t):
            found.append(t)
    return found


def tally(times: list[float], spans: list[tuple[float, float, bool]], negative_s: float) -> dict[str, Any]:
    hit = [any(start <= t <= end + HIT_AFTER_S for t in times) for start, end, _ in spans]
    false = [t for t in times if not any(start <= t <= end + HIT_AFTER_S for start, end, _ in spans)]
    return {"positives": len(spans), "missed": hit.count(False), "miss_rate": round(hit.count(False) / len(spans), 4),
            "false_wakes": len(false), "false_per_hour": round(len(false) * 3600 / negative_s, 2)}


def split(times: list[float], spans: list[tuple[float, float, bool]], held_out: bool) -> tuple[list[float], list]:
    """Detections near the recordings of one half, and those recordings' spans."""
    part = [s for s in spans if s[2] == held_out]
    return [t for t in times if any(a <= t <= b + HIT_AFTER_S for a, b, _ in part)], part


def wake_figures(data: Path, rounds: int, cache: Path, synthetic_minutes: float) -> dict[str, Any]:
    """Misses and false wakes per word: each engine alone, the grid of two-stage settings, and the
    shipped detector, on the word streams and the long negative streams, in this one run."""
    long = long_negatives(data, cache, synthetic_minutes)
    long_scores = {name: {e: block_scores(audio, e) for e in ENGINES} for name, audio in long.items()}
    print("negatives scored", {n: round(len(a) / SAMPLE_RATE) for n, a in long.items()}, flush=True)
    results: dict[str, Any] = {"negatives_s": {name: round(len(a) / SAMPLE_RATE) for name, a in long.items()}}
    for name, runs in long_scores.items():
        results["negatives_s"][f"{name} cpu"] = {e: round(r[2] * SAMPLE_RATE / len(long[name]), 4) for e, r in runs.items()}
    for word in WORDS:
        started = time.monotonic()
        results[word] = word_figures(data, word, rounds, long, long_scores)
        print(word, f"{time.monotonic() - started:.0f} s", json.dumps(results[word]), flush=True)
    return results


def word_figures(data: Path, word: str, rounds: int, long: dict[str, np.ndarray],
                 long_scores: dict[str, dict[str, Any]]) -> dict[str, Any]:
    stream, spans, negative_s = build_stream(data, word, rounds)
    runs = {engine: block_scores(stream, engine) for engine in ENGINES}
    long_s = sum(len(a) for a in long.values()) / SAMPLE_RATE
    row: dict[str, Any] = {"recordings": len(positives(data / "wake", word)), "stream_s": round(len(stream) / SAMPLE_RATE),
                           "negative_s": round(negative_s + long_s)}
    for engine in ENGINES:
        default = WakeWordDetector([WakeWordConfig(word, engine, confirm=False)]).gates[word].threshold
        found = one_stage(runs[engine][0], runs[engine][1][word], default)
        false_long = {n: len(one_stage(s[engine][0], s[engine][1][word], default)) for n, s in long_scores.items()}
        row[f"{engine} alone"] = _summary(found, spans, negative_s, false_long, long_s)
    row["openwakeword first + microwakeword check"] = open_first(word, stream, spans, negative_s, runs, long,
                                                                 long_scores, long_s)
    row |= grid(word, stream, spans, negative_s, runs, long, long_scores)
    row["shipped"] = shipped(word, stream, spans, negative_s, long)
    return row


def _summary(found: list[float], spans: list, negative_s: float, false_long: dict[str, int], long_s: float) -> dict:
    figures = tally(found, spans, negative_s)
    false = figures["false_wakes"] + sum(false_long.values())
    return {"missed": f"{figures['missed']}/{figures['positives']}", "miss_rate": figures["miss_rate"],
            "false": false, "false_per_hour": round(false * 3600 / (negative_s + long_s), 2),
            "false_by_stream": {"word stream": figures["false_wakes"], **false_long}}


def open_first(word: str, stream: np.ndarray, spans: list, negative_s: float, runs: dict, long: dict[str, np.ndarray],
               long_scores: dict, long_s: float) -> dict[str, Any]:
    """openWakeWord at its usual bar, each detection checked by microWakeWord (``engine = "openwakeword"``)."""
    engine, checker = "openwakeword", "microwakeword"
    found = two_stages(runs[engine][0], runs[engine][1][word], Checks(stream, word, checker), UNTUNED)
    false_long = {n: len(two_stages(s[engine][0], s[engine][1][word], Checks(long[n], word, checker), UNTUNED))
                  for n, s in long_scores.items()}
    return {"setting": UNTUNED} | _summary(found, spans, negative_s, false_long, long_s)


def grid(word: str, stream: np.ndarray, spans: list, negative_s: float, runs: dict, long: dict[str, np.ndarray],
         long_scores: dict) -> dict[str, Any]:
    """Every two-stage setting with microWakeWord first: chosen on the tuning half (pymicro-wakeword
    recordings, synthetic speech), checked on the held-out half (the other recordings, the word
    stream's neighbours and the varied real speech)."""
    engine, other = "microwakeword", "openwakeword"
    checks = Checks(stream, word, other)
    long_checks = {n: Checks(a, word, other) for n, a in long.items()}
    table = []
    for setting in itertools.product(GRID_CANDIDATE, GRID_CONFIRM):
        found = two_stages(runs[engine][0], runs[engine][1][word], checks, setting)
        false_long = {n: len(two_stages(s[engine][0], s[engine][1][word], long_checks[n], setting))
                      for n, s in long_scores.items()}
        tune_hits, tune_spans = split(found, spans, held_out=False)
        held_hits, held_spans = split(found, spans, held_out=True)
        in_stream = tally(found, spans, negative_s)["false_wakes"]
        table.append({"setting": setting, "tune_missed": tally(tune_hits, tune_spans, 1)["missed"],
                      "tune_false": false_long["synthetic speech"],
                      "held_missed": tally(held_hits, held_spans, 1)["missed"],
                      "held_false": in_stream + false_long["varied speech"],
                      "held_spans": len(held_spans), "tune_spans": len(tune_spans)})
    best = min(table, key=lambda r: (r["tune_false"] > 0, r["tune_missed"], r["tune_false"],
                                     -r["setting"][1], -r["setting"][0]))
    checks_made = len(checks.known) + sum(len(c.known) for c in long_checks.values())
    return {"chosen on tuning half": best, "checks computed": checks_made,
            "grid rows with 0 misses and 0 false on both halves": [
                r["setting"] for r in table if r["tune_missed"] + r["held_missed"] + r["tune_false"] + r["held_false"] == 0]}


def shipped(word: str, stream: np.ndarray, spans: list, negative_s: float, long: dict[str, np.ndarray]) -> dict[str, Any]:
    """The detector as the pipeline runs it (default settings for ``word``), block by block."""
    figures: dict[str, Any] = {"setting": TUNED.get(("microwakeword", word))}
    false_long, runs, cpu, audio_s = {}, 0, 0.0, 0.0
    for name, audio in [("word stream", stream), *long.items()]:
        detector = WakeWordDetector([WakeWordConfig(word)])
        started = time.process_time()
        found = [d.time_s for c in chunks_of(audio) if (d := detector.process(c))]
        cpu += time.process_time() - started
        audio_s += len(audio) / SAMPLE_RATE
        runs += detector.second_stage_runs
        if name == "word stream":
            main = found
        else:
            false_long[name] = len(found)
    figures |= _summary(main, spans, negative_s, false_long, audio_s - len(stream) / SAMPLE_RATE)
    figures |= {"second_stage_runs": runs, "cpu_share": round(cpu / audio_s, 4)}
    return figures


def idle_figures(data: Path, seconds: float) -> dict[str, Any]:
    """CPU share of one core for wake words (and VAD) on a quiet room, fed as fast as possible:
    each engine alone, and the shipped detector with its second stage (and how often it ran)."""
    from astros.voice.vad import SileroVad

    noise = (read_audio(data / "wake" / "background_noise.wav").astype(np.float32) / 3).astype(np.int16)
    quiet = np.tile(noise, int(seconds * SAMPLE_RATE / len(noise)) + 1)[: int(seconds * SAMPLE_RATE)]
    blocks = chunks_of(quiet)
    figures: dict[str, Any] = {"audio_s": seconds}
    detectors = {f"wake {engine} alone": WakeWordDetector([WakeWordConfig("hey_jarvis", engine, confirm=False)])
                 for engine in ENGINES}
    detectors["wake shipped default (hey_jarvis)"] = WakeWordDetector([WakeWordConfig()])
    detectors["wake alexa, two stages"] = WakeWordDetector([WakeWordConfig("alexa")])
    detectors["wake all four words as shipped"] = WakeWordDetector([WakeWordConfig(word) for word in WORDS])
    for name, detector in detectors.items():
        started = time.process_time()
        for chunk in blocks:
            detector.process(chunk)
        figures[name] = round((time.process_time() - started) / seconds, 4)
        figures[f"{name}: second-stage runs"] = detector.second_stage_runs
    vad = SileroVad()
    started = time.process_time()
    for chunk in blocks:
        vad.process(chunk)
    figures["silero vad"] = round((time.process_time() - started) / seconds, 4)
    figures["wake alexa two stages + vad"] = round(figures["wake alexa, two stages"] + figures["silero vad"], 4)
    figures["one second-stage check, CPU s"] = _check_cost(quiet)
    print("idle", json.dumps(figures), flush=True)
    return figures


def _check_cost(audio: np.ndarray, repeats: int = 10) -> float:
    """Mean CPU seconds of one openWakeWord check of the ring."""
    checker = second_stage("openwakeword")
    checker.add("alexa")
    ring = SampleRing(CHECK_SECONDS)
    ring.append(audio[: 3 * SAMPLE_RATE])
    started = time.process_time()
    for _ in range(repeats):
        checker.score("alexa", check_audio(ring))
    return round((time.process_time() - started) / repeats, 4)


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
    parser.add_argument("--idle-seconds", type=float, default=120.0)
    parser.add_argument("--synthetic-minutes", type=float, default=60.0, help="synthetic speech made for negatives")
    parser.add_argument("--no-memory", action="store_true", help="skip starting astros run under PulseAudio")
    parser.add_argument("--memory-only", action="store_true", help="only the memory of astros run")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = parser.parse_args()
    report: dict[str, Any] = {}
    if not args.memory_only:
        cache = args.out / f"wake_negatives_{args.synthetic_minutes:g}min.npz"
        report = {"wake": wake_figures(args.data, args.rounds, cache, args.synthetic_minutes),
                  "idle": idle_figures(args.data, args.idle_seconds)}
    if not args.no_memory:
        report["memory"] = memory_figures(args.data)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / ("wake_memory.json" if args.memory_only else "wake.json")).write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
