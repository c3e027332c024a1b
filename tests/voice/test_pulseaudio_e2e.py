"""End to end through a real sound server: ``astros run`` hears a spoken command on a virtual
microphone and answers on a virtual speaker, whose sound we record and transcribe back; a muted
microphone is closed at the server.

PulseAudio runs as its own daemon in a temporary folder: a pipe source ``mic`` (we write PCM
into its FIFO, silence between utterances, as a microphone would deliver) and a pipe sink ``spk``
paced by the clock (we read what the speaker played from its FIFO; a null sink's monitor would
miss the start of a sound that the server rewinds into its buffer). Skipped only when PulseAudio
cannot start here.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from astros.voice.stt import WhisperSpeechToText

from .conftest import HOME_TOML, silence, spoken_command

RATE = 16_000
PIECE = 320  # samples: 20 ms
LEAD_S = 0.3  # the pipe is kept this far ahead of real time, so a starved feeder leaves no gap


class VirtualMicrophone:
    """Feeds the pipe source at the pace of real time (:data:`LEAD_S` ahead, so a busy machine
    delaying this thread does not cut the speech): queued utterances, silence in between."""

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
                time.sleep(max(0.0, started + written / RATE - LEAD_S - time.monotonic()))

    def close(self) -> None:
        self.running = False
        self.thread.join(timeout=2)


def pulse_env(tmp_path: Path) -> dict[str, str]:
    """The environment of a client of the private PulseAudio daemon :func:`start_pulse` runs."""
    if shutil.which("pulseaudio") is None:
        pytest.skip("PulseAudio is not installed (Debian package pulseaudio)")
    runtime = tmp_path / "pulse"
    runtime.mkdir(exist_ok=True)
    return {**os.environ, "PULSE_RUNTIME_PATH": str(runtime), "HOME": str(tmp_path),
            "PULSE_SERVER": f"unix:{runtime / 'native'}", "PULSE_SOURCE": "mic", "PULSE_SINK": "spk",
            "GPIOZERO_PIN_FACTORY": "mock", "FIFO": str(tmp_path / "mic.fifo"),
            "SPEAKER_FIFO": str(tmp_path / "spk.fifo")}


def start_pulse(env: dict[str, str]) -> subprocess.Popen[bytes]:
    """A PulseAudio daemon with a virtual microphone (pipe source ``mic``) and speaker (pipe sink ``spk``)."""
    fifo, cli = Path(env["FIFO"]), Path(env["PULSE_RUNTIME_PATH"]) / "cli"
    command = [
        "pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1", "--log-target=stderr",
        "--load=module-native-protocol-unix",
        f"--load=module-pipe-sink sink_name=spk file={env['SPEAKER_FIFO']} format=s16le rate=16000 channels=1 "
        "use_system_clock_for_timing=yes",
        f"--load=module-pipe-source source_name=mic file={fifo} format=s16le rate=16000 channels=1",
        f"--load=module-cli-protocol-unix socket={Path(env['PULSE_RUNTIME_PATH']) / 'cli'}",
    ]
    server_env = {k: v for k, v in env.items() if k not in ("PULSE_SERVER", "PULSE_SOURCE", "PULSE_SINK")}
    daemon = subprocess.Popen(command, env=server_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 10
    while not (fifo.exists() and cli.exists()) and daemon.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    if daemon.poll() is not None or not fifo.exists():
        daemon.kill()
        error = daemon.communicate(timeout=5)[1].decode(errors="replace")[-500:]
        pytest.skip(f"PulseAudio could not start here: {error}")
    return daemon


def recording_streams(env: dict[str, str]) -> int:
    """How many streams record from the daemon's sources right now (its command line interface's
    ``list-source-outputs``): the sound server's own view of who has the microphone open."""
    with socket.socket(socket.AF_UNIX) as cli:
        cli.settimeout(5)
        cli.connect(str(Path(env["PULSE_RUNTIME_PATH"]) / "cli"))
        cli.sendall(b"list-source-outputs\n")
        reply = b""
        while not (found := re.search(rb"(\d+) source output\(s\) available", reply)):
            reply += cli.recv(4096)
    return int(found.group(1))


def stop_pulse(daemon: subprocess.Popen[bytes]) -> None:
    """Stop the daemon and wait for it."""
    daemon.terminate()
    daemon.wait(timeout=10)


@pytest.fixture
def pulse(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A private PulseAudio daemon with a virtual microphone and speaker; yields the client env."""
    env = pulse_env(tmp_path)
    daemon = start_pulse(env)
    try:
        yield env
    finally:
        stop_pulse(daemon)


def start_appliance(tmp_path: Path, env: dict[str, str], voice_toml: str) -> subprocess.Popen[str]:
    """``astros run`` in its own process with ``voice_toml`` as its [voice] section; its log on stderr."""
    config = tmp_path / "config.toml"
    config.write_text(f'data_dir = "{tmp_path / "data"}"\n{HOME_TOML}\n[voice]\n{voice_toml}\n')
    return subprocess.Popen(
        [sys.executable, "-m", "astros", "run", "--config", str(config), "--host", "127.0.0.1", "--port", "0"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


class SpeakerRecording:
    """Reads what the speaker plays (raw 16 kHz mono from the pipe sink's FIFO) in the background."""

    def __init__(self, fifo: Path) -> None:
        self.fifo = fifo
        self.parts: list[bytes] = []
        self.running = True
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        with open(self.fifo, "rb", buffering=0) as pipe:  # the sink writes 0.1 s every 0.1 s, silence or not
            while self.running:
                self.parts.append(pipe.read(3200))

    def stop(self) -> np.ndarray:
        """Stop reading; everything played so far, int16."""
        self.running = False
        self.thread.join(timeout=2)
        return np.frombuffer(b"".join(self.parts), dtype="<i2").astype(np.int16)


class LogReader:
    """Reads a process's log lines in a thread of its own, so they can be waited for in turn."""

    def __init__(self, stream) -> None:
        self.seen: list[str] = []
        self._lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: [self._lines.put(line) for line in iter(stream.readline, "")],
                         daemon=True).start()

    def wait_for(self, needle: str, timeout: float) -> bool:
        """Read log lines until one contains ``needle``; False after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self._lines.get(timeout=0.5)
            except queue.Empty:
                continue
            self.seen.append(line)
            if needle in line:
                return True
        return False

    @property
    def text(self) -> str:
        """Every line read so far."""
        return "".join(self.seen)


@pytest.mark.timeout(180)
def test_spoken_command_is_answered_through_the_sound_server(pulse, tmp_path: Path) -> None:
    microphone = VirtualMicrophone(Path(pulse["FIFO"]))
    appliance = start_appliance(tmp_path, pulse, "volume = 80")
    log = LogReader(appliance.stderr)
    try:
        assert log.wait_for("Voice is listening for hey_jarvis", 90), log.text
        speaker = SpeakerRecording(Path(pulse["SPEAKER_FIFO"]))
        time.sleep(0.5)
        microphone.say(spoken_command("set a timer for 5 minutes"))
        time.sleep(12)
        audio = speaker.stop()
    finally:
        microphone.close()
        appliance.terminate()
        appliance.wait(timeout=20)
    assert np.abs(audio).max() > 1000, "nothing was played on the speaker"
    listener = WhisperSpeechToText(beam_size=5)  # a careful listener: beam search, no command bias
    heard = listener.transcribe_sync(audio, commands=False).text.lower()
    assert "timer set for" in heard and ("five minutes" in heard or "5 minutes" in heard), heard


@pytest.mark.timeout(180)
def test_a_microphone_that_appears_later_is_picked_up(tmp_path: Path) -> None:
    env = pulse_env(tmp_path)
    appliance = start_appliance(tmp_path, env, "device_retry_seconds = 0.5")
    log = LogReader(appliance.stderr)
    daemon = None
    try:
        assert log.wait_for("No input device found", 60), log.text
        daemon = start_pulse(env)  # the sound server, and its microphone, arrive
        microphone = VirtualMicrophone(Path(env["FIFO"]))
        try:
            assert log.wait_for("Voice is listening for hey_jarvis", 90), log.text
        finally:
            microphone.close()
    finally:
        appliance.terminate()
        appliance.wait(timeout=20)
        if daemon is not None:
            stop_pulse(daemon)
    assert "Input device found" in log.text, log.text


MUTE_SCRIPT = """
import asyncio, sys
from astros.voice.devices import MicrophoneSource

async def main():
    microphone = MicrophoneSource(retry_s=0.5)
    blocks = aiter(microphone)
    for state in (False, True, False):
        microphone.set_muted(state)
        if not state:
            await anext(blocks)
            await asyncio.wait_for(microphone.connected.wait(), 10)
        else:  # closed within 0.25 s; after 5 s the server is asked anyway
            for _ in range(100):
                if not microphone.connected.is_set():
                    break
                await asyncio.sleep(0.05)
        print("muted" if state else "open", flush=True)
        sys.stdin.readline()

asyncio.run(main())
"""


@pytest.mark.timeout(120)
def test_muting_closes_the_microphone_at_the_sound_server(pulse) -> None:
    microphone = VirtualMicrophone(Path(pulse["FIFO"]))
    process = subprocess.Popen([sys.executable, "-c", MUTE_SCRIPT], env=pulse, stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen = []
    try:
        for _ in range(3):
            state = process.stdout.readline().strip()
            assert state, process.stderr.read()
            seen.append((state, recording_streams(pulse)))
            process.stdin.write("\n")
            process.stdin.flush()
        process.wait(timeout=20)
    finally:
        microphone.close()
        process.kill()
    assert seen == [("open", 1), ("muted", 0), ("open", 1)], (seen, process.stderr.read())
