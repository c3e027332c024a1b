"""End to end through a real sound server: ``astros run`` hears a spoken command on a virtual
microphone and answers on a virtual speaker, whose monitor we record and transcribe back.

PulseAudio runs as its own daemon in a temporary folder: a pipe source ``mic`` (we write PCM
into its FIFO, silence between utterances, as a microphone would deliver) and a null sink ``spk``
(``spk.monitor`` is what the speaker played). Skipped only when PulseAudio cannot start here.
"""

from __future__ import annotations

import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from astros.voice.engines import VoiceEngines

from .conftest import HOME_TOML, silence, spoken_command

RATE = 16_000
PIECE = 320  # samples: 20 ms


class VirtualMicrophone:
    """Feeds the pipe source in real time: queued utterances, silence in between."""

    def __init__(self, fifo: Path) -> None:
        self.fifo = fifo
        self.pending: queue.Queue[np.ndarray] = queue.Queue()
        self.running = True
        self.thread = threading.Thread(target=self._feed, daemon=True)
        self.thread.start()

    def say(self, audio: np.ndarray) -> None:
        self.pending.put(audio)

    def _feed(self) -> None:
        with open(self.fifo, "wb", buffering=0) as pipe:
            started, written = time.monotonic(), 0
            current = np.zeros(0, np.int16)
            while self.running:
                if not len(current) and not self.pending.empty():
                    current = self.pending.get()
                piece, current = (current[:PIECE], current[PIECE:]) if len(current) else (silence(0.02), current)
                piece = np.pad(piece, (0, PIECE - len(piece)))
                pipe.write(piece.astype("<i2").tobytes())
                written += PIECE
                time.sleep(max(0.0, started + written / RATE - time.monotonic()))

    def close(self) -> None:
        self.running = False
        self.thread.join(timeout=2)


@pytest.fixture
def pulse(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A private PulseAudio daemon with a virtual microphone and speaker; yields the client env."""
    if shutil.which("pulseaudio") is None or shutil.which("parec") is None:
        pytest.skip("PulseAudio is not installed (Debian packages pulseaudio, pulseaudio-utils)")
    runtime = tmp_path / "pulse"
    runtime.mkdir()
    env = {**os.environ, "PULSE_RUNTIME_PATH": str(runtime), "HOME": str(tmp_path)}
    fifo = tmp_path / "mic.fifo"
    command = [
        "pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1", "--log-target=stderr",
        "--load=module-native-protocol-unix", "--load=module-null-sink sink_name=spk",
        f"--load=module-pipe-source source_name=mic file={fifo} format=s16le rate=16000 channels=1",
    ]
    daemon = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 10
    while not (fifo.exists() and (runtime / "native").exists()) and daemon.poll() is None:
        if time.monotonic() > deadline:
            break
        time.sleep(0.05)
    if daemon.poll() is not None or not fifo.exists():
        daemon.kill()
        error = daemon.communicate(timeout=5)[1].decode(errors="replace")[-500:]
        pytest.skip(f"PulseAudio could not start here: {error}")
    env.update(PULSE_SERVER=f"unix:{runtime / 'native'}", PULSE_SOURCE="mic", PULSE_SINK="spk",
               GPIOZERO_PIN_FACTORY="mock")
    env["FIFO"] = str(fifo)
    try:
        yield env
    finally:
        daemon.terminate()
        daemon.wait(timeout=10)


def record_monitor(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], list[bytes]]:
    """Record what the speaker plays, raw 16 kHz mono, in the background."""
    recorder = subprocess.Popen(
        ["parec", "--device=spk.monitor", "--rate=16000", "--channels=1", "--format=s16le", "--latency-msec=20"],
        env=env, stdout=subprocess.PIPE)
    parts: list[bytes] = []
    threading.Thread(target=lambda: parts.extend(iter(lambda: recorder.stdout.read(3200), b"")), daemon=True).start()
    return recorder, parts


def wait_for_line(stream, needle: str, timeout: float, seen: list[str]) -> bool:
    """Read log lines until one contains ``needle``."""
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in iter(stream.readline, "")], daemon=True).start()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.5)
        except queue.Empty:
            continue
        seen.append(line)
        if needle in line:
            return True
    return False


@pytest.mark.timeout(180)
def test_spoken_command_is_answered_through_the_sound_server(pulse, tmp_path: Path, engines: VoiceEngines) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'data_dir = "{tmp_path / "data"}"\n{HOME_TOML}\n[voice]\nvolume = 80\n')
    microphone = VirtualMicrophone(Path(pulse["FIFO"]))
    appliance = subprocess.Popen(
        [sys.executable, "-m", "astros", "run", "--config", str(config), "--host", "127.0.0.1", "--port", "0"],
        env=pulse, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    log: list[str] = []
    try:
        assert wait_for_line(appliance.stderr, "Voice is listening for hey_jarvis", 90, log), "".join(log)
        recorder, played = record_monitor(pulse)
        time.sleep(0.5)
        microphone.say(spoken_command("set a timer for 5 minutes"))
        time.sleep(12)
        recorder.terminate()
        recorder.wait(timeout=5)
    finally:
        microphone.close()
        appliance.terminate()
        appliance.wait(timeout=20)
    audio = np.frombuffer(b"".join(played), dtype="<i2").astype(np.int16)
    assert np.abs(audio).max() > 1000, "nothing was played on the speaker"
    heard = engines.stt.transcribe_sync(audio[: 15 * RATE], commands=False).text.lower()
    assert "timer set for" in heard and ("five minutes" in heard or "5 minutes" in heard), heard
