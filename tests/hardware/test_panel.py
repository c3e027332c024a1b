"""Buttons on mock pins drive the real voice pipeline; LEDs follow its events.

Real engines (wake word, VAD, whisper, piper), a real agent, recordings as the microphone, a WAV
sink as the speaker, gpiozero mock pins as the buttons and LEDs.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from astros.config import ButtonConfig, GpioConfig, LedConfig
from astros.events import EventType, PipelineEvent
from astros.hardware.leds import LedIndicator
from astros.hardware.panel import Panel, volume_of
from astros.voice.audio import WavFileSink, WavFileSource
from astros.voice.pipeline import State, VoicePipeline
from tests.voice.conftest import recording, silence, spoken_command

TALK, MUTE, STOP, UP = 17, 27, 22, 23
STATUS_LED, MUTE_LED = 24, 25
CONFIG = GpioConfig(
    hold_seconds=0.3, double_press_seconds=0.2, bounce_seconds=0.0,
    buttons=[ButtonConfig("GPIO17", "talk"), ButtonConfig("GPIO27", "mute"), ButtonConfig("GPIO22", "stop"),
             ButtonConfig("GPIO23", "volume_up")],
    leds=[LedConfig("GPIO24", "status"), LedConfig("GPIO25", "muted")],
)


async def press(pin, seconds: float = 0.02) -> None:
    pin.drive_low()
    await asyncio.sleep(seconds)
    pin.drive_high()
    await asyncio.sleep(0.02)


def kinds(events: list[PipelineEvent]) -> list[str]:
    return [str(e.type) for e in events]


class Rig:
    """The pipeline and the panel together, recording events and what the status LED did."""

    def __init__(self, pipeline: VoicePipeline, panel: Panel) -> None:
        self.pipeline, self.panel = pipeline, panel
        self.events: list[PipelineEvent] = []
        self.status_led: list[str] = []
        pipeline.agent.events.subscribe(self._seen)

    def _seen(self, event: PipelineEvent) -> None:
        self.events.append(event)
        self.status_led.append(self.led("status").pattern)

    def led(self, shows: str) -> LedIndicator:
        return next(i for i in self.panel.lights.indicators if i.shows == shows)


async def rig(engines, agent, sink=None) -> Rig:
    pipeline = VoicePipeline(engines, agent, sink or WavFileSink())
    await asyncio.to_thread(pipeline.grammar_thread.join)  # its second of CPU would slow the presses
    volume, step = volume_of(agent)
    panel = Panel(CONFIG, agent.events, lambda: pipeline, volume, step)
    await panel.start()
    return Rig(pipeline, panel)


async def test_press_to_talk_gets_a_reply_and_the_led_follows(engines, agent, pins) -> None:
    r = await rig(engines, agent)
    await press(pins.pin(TALK))
    await asyncio.sleep(0.05)
    assert r.pipeline.state is State.LISTENING and pins.pin(STATUS_LED).state  # lit while listening
    source = WavFileSource(np.concatenate([silence(0.3), recording("turn on the living room lamp")]),
                           trailing_silence_s=2.0)
    await r.pipeline.run(source, lockstep=True)
    assert "wake_word_detected" not in kinds(r.events)  # the button, not the wake word
    assert kinds(r.events)[:3] == ["listening", "stt_text", "thinking"]
    said = next(e.data["text"] for e in r.events if e.type is EventType.TTS_TEXT)
    assert "living room lamp" in said.lower()
    intent = next(e.data for e in r.events if e.type is EventType.INTENT)
    assert intent["intent"] == "HassTurnOn" and intent["entities"]["name"] == "Living room lamp"
    assert r.status_led[:2] == ["on", "slow"]  # listening: on; thinking: blinking
    assert "on" in r.status_led[2:]  # speaking
    assert r.status_led[-1] == "off" and not pins.pin(STATUS_LED).state  # idle
    await r.panel.close()


async def test_hold_to_talk_ends_at_the_release_not_at_a_pause(engines, agent, pins) -> None:
    r = await rig(engines, agent)
    pins.pin(TALK).drive_low()
    await asyncio.sleep(0.4)  # held: hold to talk
    assert r.pipeline.state is State.LISTENING
    audio = np.concatenate([silence(0.3), recording("what time is it"), silence(1.5)])  # 1.5 s pause
    await r.pipeline.run(WavFileSource(audio), lockstep=True)
    assert r.pipeline.state is State.LISTENING and "stt_text" not in kinds(r.events)  # the pause did not end it
    pins.pin(TALK).drive_high()
    await asyncio.sleep(0.05)
    await asyncio.wait_for(r.pipeline._task, 30)
    text = next(e.data["text"] for e in r.events if e.type is EventType.STT_TEXT)
    assert "time" in text.lower()
    assert r.pipeline.state is State.IDLE
    await r.panel.close()


async def test_mute_closes_the_microphone_and_lights_its_led(engines, agent, pins) -> None:
    r = await rig(engines, agent)
    sink = r.pipeline.sink
    await press(pins.pin(MUTE))
    assert r.pipeline.microphone_muted and pins.pin(MUTE_LED).state
    assert [e.data for e in r.events if e.type is EventType.MICROPHONE_MUTED] == [{"muted": True}]
    spoken = spoken_command("what time is it")
    await r.pipeline.run(WavFileSource(spoken, trailing_silence_s=1.0), lockstep=True)
    assert "wake_word_detected" not in kinds(r.events) and not sink.parts  # heard nothing, said nothing
    await press(pins.pin(TALK))
    assert r.pipeline.state is State.IDLE  # the talk button does not open a muted microphone
    await press(pins.pin(MUTE))
    assert not r.pipeline.microphone_muted and not pins.pin(MUTE_LED).state
    await r.pipeline.run(WavFileSource(spoken, trailing_silence_s=1.5), lockstep=True)
    assert "wake_word_detected" in kinds(r.events) and sink.parts
    await r.panel.close()


class ClosingSource(WavFileSource):
    """A recording that, like the live microphone, can be told to close its device."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.muted_calls: list[bool] = []

    def set_muted(self, muted: bool) -> None:
        self.muted_calls.append(muted)


async def test_mute_tells_the_source_to_close_its_device(engines, agent, pins) -> None:
    r = await rig(engines, agent)
    source = ClosingSource(silence(0.5))
    await r.pipeline.run(source)
    await press(pins.pin(MUTE))
    await press(pins.pin(MUTE))
    assert source.muted_calls == [True, False]
    await r.panel.close()


async def test_stop_silences_a_ringing_timer(engines, agent, pins) -> None:
    r = await rig(engines, agent, WavFileSink(realtime=True))
    agent.events.emit(EventType.TIMER_FINISHED, message="Your timer is done.")
    await asyncio.sleep(0.1)
    assert r.pipeline.state is State.RINGING and r.led("status").pattern == "fast"
    await press(pins.pin(STOP))
    await asyncio.sleep(0.3)
    assert r.pipeline.state is State.IDLE
    assert [e.data for e in r.events if e.type is EventType.IDLE] == [{"reason": "stopped"}]
    assert r.led("status").pattern == "off" and not pins.pin(STATUS_LED).state
    await r.panel.close()


async def test_stop_interrupts_a_reply(engines, agent, pins) -> None:
    r = await rig(engines, agent, WavFileSink(realtime=True))
    await press(pins.pin(TALK))
    source = WavFileSource(np.concatenate([silence(0.3), recording("what's the date")]), trailing_silence_s=2.0)
    running = asyncio.create_task(r.pipeline.run(source, lockstep=True))
    for _ in range(300):
        if EventType.TTS_SPEAKING in [e.type for e in r.events]:
            break
        await asyncio.sleep(0.1)
    await asyncio.sleep(0.3)
    await press(pins.pin(STOP))
    await asyncio.wait_for(running, 30)
    assert [e.data for e in r.events if e.type is EventType.TTS_FINISHED] == [{"interrupted": True}]
    assert [e.data for e in r.events if e.type is EventType.IDLE] == [{"reason": "stopped"}]
    assert len(r.pipeline.sink.audio) / r.pipeline.sink.rate < 1.5  # the reply was cut short
    await r.panel.close()


async def test_talk_during_a_ring_cuts_it_short_and_listens(engines, agent, pins) -> None:
    r = await rig(engines, agent, WavFileSink(realtime=True))
    agent.events.emit(EventType.TIMER_FINISHED, message="Your timer is done.")
    await asyncio.sleep(0.2)
    await press(pins.pin(TALK))
    await asyncio.sleep(0.1)
    assert r.pipeline.state is State.LISTENING and r.led("status").pattern == "on"
    await r.panel.close()


async def test_volume_button_turns_the_speaker_up(engines, agent, pins) -> None:
    r = await rig(engines, agent)
    await r.pipeline.load_volume()
    before = r.pipeline.volume
    await press(pins.pin(UP))
    await asyncio.sleep(0.1)
    assert r.pipeline.volume == before + 10
    assert await agent.plugins.plugins["volume"].get_level() == before + 10  # stored, survives a restart
    await r.panel.close()


def test_no_gpio_chip_is_a_log_line_not_a_crash(tmp_path: Path) -> None:
    """On this machine gpiozero finds no GPIO chip when not told to use mock pins."""
    code = (
        "import asyncio, logging\n"
        "from astros.config import parse_config\n"
        "from astros.events import EventBus\n"
        "from astros.hardware.panel import Panel\n"
        "logging.basicConfig(level=logging.INFO)\n"
        "config = parse_config('[[gpio.buttons]]\\npin = \"GPIO17\"\\n[[gpio.leds]]\\npin = \"GPIO24\"\\n').gpio\n"
        "async def main():\n"
        "    async with Panel(config, EventBus(), lambda: None):\n"
        "        print('running')\n"
        "asyncio.run(main())\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "GPIOZERO_PIN_FACTORY"}
    done = subprocess.run([sys.executable, "-W", "ignore", "-c", code], capture_output=True, text=True, env=env,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert "running" in done.stdout
    assert "Button on GPIO17 is off" in done.stderr and "LED on GPIO24 is off" in done.stderr
    assert "Traceback" not in done.stderr
