"""``astros run``: the appliance as one aiohttp application, until SIGINT or SIGTERM."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from typing import Callable, Iterable, Optional

from aiohttp import web

from ..agent import AstrOSAgent
from ..config import AstrOSConfig
from ..events import Subscriber
from .app import FIRST_USER_HINT, Context, create_app
from .keys import AUTH

_LOGGER = logging.getLogger("astros")


async def serve(
    config: AstrOSConfig,
    host: Optional[str] = None,
    port: Optional[int] = None,
    *,
    subscribers: Iterable[Subscriber] = (),
    contexts: Iterable[Context] = (),
    on_ready: Iterable[Callable[[], object]] = (),
    stop: Optional[asyncio.Event] = None,
) -> int:
    """Run the appliance: the agent with its background work and the companion API.

    Args:
        config: the configuration
        host, port: where the API listens (default: ``[api]`` host and port)
        subscribers: event subscribers attached before anything starts (``astros run`` prints
            announcements this way)
        contexts: further cleanup contexts (the voice pipeline)
        on_ready: called once everything is up and the API port is open (telling systemd)
        stop: set it to stop; default: SIGINT or SIGTERM
    """
    agent = AstrOSAgent(config=config)
    for subscriber in subscribers:
        agent.events.subscribe(subscriber)
    app = create_app(agent, contexts=contexts)
    runner = web.AppRunner(app, handle_signals=False, access_log=None)
    stop = stop or _stop_on_signals()
    await runner.setup()
    _freeze_startup_objects()
    try:
        await _listen(runner, host or config.api.host, config.api.port if port is None else port)
        if await app[AUTH].count_users() == 0:
            print(FIRST_USER_HINT, flush=True)
        _LOGGER.info("AstrOS is running (config: %s, data: %s)", config.source, config.data_path)
        for ready in on_ready:
            ready()
        await stop.wait()
    finally:
        _LOGGER.info("AstrOS is stopping")
        await runner.cleanup()
    return 0


def _freeze_startup_objects() -> None:
    """Keep the garbage collector from walking what start-up loaded (templates, models, tables):
    those objects live as long as the process, and walking them is what made the slowest replies slow.
    What start-up freed (embedding the recognizer's examples, on a first start) goes back to the system."""
    from ..system.heap import release_free_memory

    gc.collect()
    gc.freeze()
    release_free_memory()


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop


async def _listen(runner: web.AppRunner, host: str, port: int) -> None:
    """Open the API's port; if that fails, say so and keep the rest of the appliance running."""
    site = web.TCPSite(runner, host, port)
    try:
        await site.start()
    except OSError as err:
        _LOGGER.error(
            "The companion API is off: cannot listen on %s:%s (%s); set [api] port or use --port",
            host, port, err.strerror or err,
        )
        return
    for address in runner.addresses:
        _LOGGER.info("Companion API and web page on http://%s:%s/", *address[:2])
