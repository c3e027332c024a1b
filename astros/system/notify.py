"""Telling systemd how AstrOS is doing: the sd_notify protocol, spoken directly.

Under a ``Type=notify`` unit systemd passes ``NOTIFY_SOCKET`` (a unix datagram socket; a leading
``@`` means the abstract namespace) and, with ``WatchdogSec=``, ``WATCHDOG_USEC`` and
``WATCHDOG_PID``. AstrOS sends ``READY=1`` once its API port is open (so "active" means the API
answers), ``WATCHDOG=1`` from its event loop at half the watchdog interval (so a stuck loop gets
the service restarted), and ``STOPPING=1`` on the way out. Outside systemd every call does nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import AsyncIterator, Mapping
from typing import Any, Optional

_LOGGER = logging.getLogger(__name__)


def notify(message: str, environ: Optional[Mapping[str, str]] = None) -> bool:
    """Send ``message`` (``"READY=1"``, ``"WATCHDOG=1"``, ``"STATUS=..."``) to systemd.

    Returns:
        True if it was sent; False when not running under systemd or the socket refused it.
    """
    address = (environ if environ is not None else os.environ).get("NOTIFY_SOCKET", "")
    if not address:
        return False
    if address.startswith("@"):
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.sendto(message.encode("utf-8"), address)
    except OSError as err:
        _LOGGER.warning("Could not notify systemd (%s): %s", message.split("=")[0], err)
        return False
    return True


def watchdog_interval(environ: Optional[Mapping[str, str]] = None) -> Optional[float]:
    """Seconds between watchdog pings (half of ``WATCHDOG_USEC``), or None when no watchdog is set
    for this process."""
    env = environ if environ is not None else os.environ
    try:
        usec = int(env.get("WATCHDOG_USEC", "0"))
        pid = int(env.get("WATCHDOG_PID", str(os.getpid())) or os.getpid())
    except ValueError:
        return None
    if usec <= 0 or pid != os.getpid():
        return None
    return usec / 2_000_000


async def keep_watchdog_fed(interval_s: float) -> None:
    """Send ``WATCHDOG=1`` every ``interval_s`` seconds until cancelled."""
    while True:
        notify("WATCHDOG=1")
        await asyncio.sleep(interval_s)


def notify_ready() -> bool:
    """Tell systemd AstrOS is up; ``astros run`` calls it once the API is listening."""
    if not notify("READY=1\nSTATUS=AstrOS is running"):
        return False
    interval = watchdog_interval()
    _LOGGER.info("Told systemd AstrOS is ready%s", f"; watchdog every {interval:.1f} s" if interval else "")
    return True


@contextlib.asynccontextmanager
async def systemd_ctx(app: Any) -> AsyncIterator[None]:
    """An aiohttp cleanup context, started last: the watchdog while the app runs, STOPPING=1 when
    it stops. (READY=1 comes later, from :func:`notify_ready`, once the port is open.)"""
    interval = watchdog_interval()
    task = asyncio.create_task(keep_watchdog_fed(interval), name="watchdog") if interval else None
    try:
        yield
    finally:
        notify("STOPPING=1")
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
