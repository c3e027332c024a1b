"""Where the memory of ``astros run`` goes: each start-up stage, and the running process's mappings.

    .venv/bin/python bench/memory_profile.py [--data ../shared/data] [--no-stages] [--no-run]

Stages (in this process, the order ``astros run`` follows): resident memory (VmRSS) after
importing AstrOS, starting the agent (plugins, the recognizer with its embedding model), the
companion API, then each voice engine loaded and warmed up. Each figure is taken after glibc's
``malloc_trim``, so it is what the stage keeps, not what it briefly used.

Run: the real ``astros run`` under a private PulseAudio (virtual microphone, null speaker), as
``bench/wake.py --memory-only`` starts it, twice with the same home and data folders: a first
start (nothing cached: the recognizer embeds its examples, the embedding model is prepared) and a
later start. For each: VmRSS when listening and after one answered command ("hey jarvis, what time
is it"), the peak (VmHWM), and the resident memory split into the C heap and other anonymous
memory, the model files mapped in, and shared libraries.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import wake  # noqa: E402
from wake import _feed_microphone, _status  # noqa: E402

from astros.voice.audio import SAMPLE_RATE, read_audio  # noqa: E402


def resident_mb() -> float:
    """This process's VmRSS after giving the C heap's free pages back."""
    from astros.system.heap import release_free_memory

    release_free_memory()
    return _status(os.getpid())["VmRSS"]


def stage_figures() -> list[tuple[str, float]]:
    """(stage, MB resident after it) in the order ``astros run`` starts."""
    from astros.system.heap import limit_malloc_arenas  # what ``astros run`` imports before it starts anything

    limit_malloc_arenas()
    figures = [("Python, numpy, AstrOS's imports", resident_mb())]
    with tempfile.TemporaryDirectory() as folder:
        figures += asyncio.run(_start(Path(folder)))
    return figures


async def _start(folder: Path) -> list[tuple[str, float]]:
    from astros.agent import AstrOSAgent
    from astros.api.app import create_app
    from astros.config import load_config
    from astros.voice.stt import WhisperSpeechToText
    from astros.voice.tts import PiperTextToSpeech
    from astros.voice.vad import make_vad
    from astros.voice.wake import WakeWordDetector

    (folder / "config.toml").write_text(f'data_dir = "{folder / "data"}"\ntimezone = "UTC"\n')
    config = load_config(str(folder / "config.toml"))
    agent = AstrOSAgent(config=config)
    await agent.start(background=True)
    figures = [("agent started (plugins, recognizer and its embedder, warm)", resident_mb())]
    create_app(agent)
    figures.append(("companion API app", resident_mb()))
    voice = config.voice
    loaded: list[Any] = [WakeWordDetector(voice.wake_words)]
    figures.append(("wake word", resident_mb()))
    loaded.append(make_vad(voice.vad))
    figures.append(("voice activity (silero)", resident_mb()))
    stt = WhisperSpeechToText(voice.stt_model, beam_size=voice.stt_beam_size, language=voice.stt_language)
    figures.append(("speech to text loaded", resident_mb()))
    tts = PiperTextToSpeech(voice.tts_voice)
    figures.append(("text to speech loaded", resident_mb()))
    stt.warm_up()
    figures.append(("speech to text warmed up", resident_mb()))
    tts.warm_up()
    figures.append(("text to speech warmed up", resident_mb()))
    await agent.stop()
    return figures


def run_figures(data: Path) -> dict[str, Any]:
    """The real ``astros run``: a first start, then a later one with the same folders, under the
    private PulseAudio that ``bench/wake.py``'s memory figures set up."""
    wake._measure_run = _two_starts
    return wake.memory_figures(data)


def _two_starts(data: Path, tmp: Path, fifo: Path, env: dict[str, str]) -> dict[str, Any]:
    socket = tmp / "pulse" / "native"
    for _ in range(200):  # up to 10 s for PulseAudio to make its socket and the microphone's pipe
        if fifo.exists() and socket.exists():
            break
        time.sleep(0.05)
    env.pop("XDG_CACHE_HOME", None)  # the prepared embedding model goes to the fresh home's cache
    env.update(PULSE_SERVER=f"unix:{socket}", PULSE_SOURCE="mic", PULSE_SINK="spk")
    spoken = [read_audio(data / "wake" / "wyoming_openwakeword" / "hey_jarvis.wav"),
              read_audio(data / "speech" / "commands" / "what time is it.wav")]
    command = np.concatenate([np.zeros(SAMPLE_RATE, np.int16), *spoken])
    return {start: _one_run(tmp, fifo, env, command) for start in ("first start", "later start")}


def _one_run(tmp: Path, fifo: Path, env: dict[str, str], command: np.ndarray) -> dict[str, Any]:
    feeding = threading.Event()
    feeding.set()
    pending: list[np.ndarray] = []
    feeder = threading.Thread(target=_feed_microphone, args=(fifo, pending, feeding), daemon=True)
    feeder.start()
    config = tmp / "config.toml"
    config.write_text(f'data_dir = "{tmp / "data"}"\ntimezone = "UTC"\n')
    appliance = subprocess.Popen([sys.executable, "-m", "astros", "run", "--config", str(config), "--host", "127.0.0.1",
                                  "--port", "0"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        for line in appliance.stderr:
            if "Voice is listening" in line:
                break
        threading.Thread(target=appliance.stderr.read, daemon=True).start()  # keep the pipe from filling
        time.sleep(1)
        figures = {"listening": _mappings(appliance.pid)}
        pending.append(command)
        time.sleep(15)
        figures["after command"] = _mappings(appliance.pid)
        figures["peak_mb"] = _status(appliance.pid)["VmHWM"]
    finally:
        feeding.clear()
        appliance.terminate()
        appliance.wait(timeout=30)
        feeder.join(timeout=5)
    return figures


def _mappings(pid: int) -> dict[str, float]:
    """VmRSS of ``pid`` and its resident memory by kind of mapping, in MB."""
    kinds: Counter[str] = Counter()
    kind = "other"
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
            kind = _kind(line.split()[5] if len(line.split()) > 5 else "")
        elif line.startswith("Rss:"):
            kinds[kind] += int(line.split()[1])
    figures = {"rss_mb": _status(pid)["VmRSS"]}
    figures.update({name: round(kb / 1024, 1) for name, kb in kinds.most_common()})
    return figures


def _kind(path: str) -> str:
    if path in ("", "[heap]"):
        return "heap and anonymous"
    if ".so" in path:
        return "shared libraries"
    if path.startswith("/"):
        return "model and data files"
    return "other"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--no-stages", action="store_true", help="skip the in-process start-up stages")
    parser.add_argument("--no-run", action="store_true", help="skip starting astros run under PulseAudio")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = parser.parse_args()
    report: dict[str, Any] = {"load_average": os.getloadavg()}
    if not args.no_run:
        report["run"] = run_figures(args.data)
        print(json.dumps(report["run"], indent=1), flush=True)
    if not args.no_stages:
        report["stages"] = stage_figures()
        previous = 0.0
        for stage, mb in report["stages"]:
            print(f"{stage:60s} {mb:7.1f} MB  (+{mb - previous:.1f})")
            previous = mb
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "memory_profile.json").write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
