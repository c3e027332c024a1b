"""The voice as part of the running appliance: wait for a microphone, load the engines, listen.

``astros run`` (and the HTTP app) start it with ``async with VoiceService(agent):`` or run
:meth:`VoiceService.run_forever` as a task. Without a microphone it says so in the log, keeps
looking every ``device_retry_seconds``, and everything else keeps serving.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any, Optional

from aiohttp import web

from ..errors import AstrOSError
from .devices import MicrophoneSource, SpeakerSink, describe_device, find_device, rescan_devices
from .engines import VoiceEngines
from .pipeline import Agent, VoicePipeline

_LOGGER = logging.getLogger(__name__)


class VoiceService:
    """The appliance's voice: microphone -> pipeline -> speaker, until cancelled."""

    def __init__(self, agent: Agent) -> None:
        self.agent = agent
        self.voice = agent.config.voice
        self.pipeline: Optional[VoicePipeline] = None
        self._task: Optional[asyncio.Task[None]] = None

    async def run_forever(self) -> None:
        """Listen until cancelled; returns at once when the voice is disabled or cannot load."""
        if not self.voice.enabled:
            _LOGGER.info("Voice is disabled (voice.enabled = false)")
            return
        await self._wait_for_microphone()
        try:
            engines = await asyncio.to_thread(VoiceEngines.load, self.voice)
        except AstrOSError as err:
            _LOGGER.error("Voice is off: %s", err)
            return
        sink = SpeakerSink(self.voice.output_device, retry_s=self.voice.device_retry_seconds)
        self.pipeline = VoicePipeline(engines, self.agent, sink)
        await self.pipeline.load_volume()
        source = MicrophoneSource(self.voice.input_device, queue_blocks=self.voice.capture_queue_blocks,
                                  retry_s=self.voice.device_retry_seconds)
        announce = asyncio.create_task(_announce(source, engines.wake.names if engines.wake else ["a command"]))
        try:
            await self.pipeline.run(source)
        finally:
            announce.cancel()
            self.pipeline.close()
            sink.close()

    async def _wait_for_microphone(self) -> None:
        warned = False
        while await asyncio.to_thread(_input_present, self.voice.input_device) is False:
            if not warned:
                _LOGGER.warning("No input device found (%s): voice is off until a microphone is plugged in; "
                                "looking again every %.0f s", describe_device(self.voice.input_device),
                                self.voice.device_retry_seconds)
                warned = True
            await asyncio.sleep(self.voice.device_retry_seconds)
            await asyncio.to_thread(rescan_devices)
        if warned:
            _LOGGER.info("Input device found")

    def stop(self) -> None:
        """The stop button: silence a reply or a ringing timer."""
        if self.pipeline is not None:
            self.pipeline.stop()

    async def __aenter__(self) -> "VoiceService":
        self._task = asyncio.create_task(self.run_forever(), name="voice")
        self._task.add_done_callback(_report_stop)
        return self

    async def __aexit__(self, *exc: Any) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):  # a fault was logged when it happened
                await self._task


def _report_stop(task: asyncio.Task[None]) -> None:
    """Say in the log why the voice stopped, when a fault stopped it (the rest keeps serving)."""
    if not task.cancelled() and task.exception() is not None:
        _LOGGER.error("Voice stopped by a fault: %s", task.exception(), exc_info=task.exception())


def _input_present(device: str) -> bool:
    try:
        return find_device(device, "input") is not None
    except Exception as err:  # noqa: BLE001 - PortAudio missing or broken counts as no device
        _LOGGER.debug("Cannot list audio devices: %s", err)
        return False


async def _announce(source: MicrophoneSource, names: list[str]) -> None:
    """Log that the voice listens once the microphone is open (muting and reopening aside)."""
    await source.connected.wait()
    _LOGGER.info("Voice is listening for %s", ", ".join(names))


@contextlib.asynccontextmanager
async def voice_ctx(app: Any) -> AsyncIterator[None]:
    """An aiohttp cleanup context: the voice runs for as long as the app does."""
    from ..api.keys import AGENT

    async with VoiceService(app[AGENT]) as service:
        app[VOICE] = service  # the buttons find the pipeline through it
        yield


VOICE = web.AppKey("voice", VoiceService)
