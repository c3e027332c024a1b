"""System: how the appliance itself is doing, and restarting a service it is allowed to.

Say "how much memory is free?", "what's the CPU temperature?", "how busy is the processor?",
"how much disk space is left?", "how long have you been running?" or "how are you doing?" (all
of them). The figures come from :class:`~astros.system.processes.ProcessManager` (psutil); a
board without a temperature sensor says so.

"Restart the music service" restarts a service named in ``[system.services]``
(``music = "mpd.service"``) with ``restart_command``, which must be allowed by
``[system] allowed_commands`` (``"systemctl restart mpd.service"``). A service not named there,
or a command not allowed, is refused with a reason; nothing said is ever passed to a shell.

Permissions: ``system.read`` for the questions (a default permission), ``system.control`` to
restart (not a default permission).

Settings, ``[plugins.settings.system]``:
- ``restart_command`` (string, default ``"systemctl restart {unit}"``): how a service is restarted.
"""

from __future__ import annotations

import shlex
from typing import Any, Dict, Optional

from astros.errors import AstrOSError
from astros.plugins.base import BasePlugin, plugin_handler
from astros.system.processes import ProcessManager
from astros.system.sysinfo import SystemInfo
from astros.types import Intent, Response

GIB = 1024**3
SUBJECTS = ("memory", "temperature", "cpu", "disk", "uptime")


class SystemPlugin(BasePlugin):
    """Answers about memory, CPU, temperature, disk and uptime; restarts allowed services."""

    name = "system"
    version = "1.0.0"
    description = "How the appliance is doing; restarting allowed services"
    author = "AstrOS"
    requires_permissions = ["system.read"]

    def __init__(self) -> None:
        super().__init__()
        self.processes: Optional[ProcessManager] = None
        self.restart_command = "systemctl restart {unit}"

    async def initialize(self) -> None:
        system = self.context.config.system
        self.processes = ProcessManager(system.allowed_commands, timeout_s=system.command_timeout,
                                        max_output_bytes=system.max_output_bytes,
                                        disk_path=str(_existing_folder(self.context.config.data_path)))
        command = (self.config or {}).get("restart_command", self.restart_command)
        if not isinstance(command, str) or "{unit}" not in command:
            raise ValueError("plugins.settings.system.restart_command must contain {unit}")
        self.restart_command = command

    async def shutdown(self) -> None:
        """Nothing to release."""

    @plugin_handler("AstrosSystemStatus")
    async def status(self, intent: Intent) -> Response:
        """Answer one question (``subject``: memory, temperature, cpu, disk, uptime) or all of them."""
        assert self.processes is not None
        info = await self.processes.get_system_info()
        subject = str(intent.entities.get("subject") or "all").lower()
        if subject in SUBJECTS:
            message = ANSWERS[subject](info)
        else:
            message = " ".join(ANSWERS[s](info) for s in ("memory", "cpu", "temperature"))
        return Response(True, message, data=info.to_dict())

    @plugin_handler("AstrosSystemRestartService", requires_permissions=["system.control"])
    async def restart(self, intent: Intent) -> Response:
        """Restart the service named ``service`` in ``[system.services]``."""
        assert self.processes is not None
        spoken = str(intent.entities.get("service") or "").strip()
        found = _find_service(self.context.config.system.services, spoken)
        if found is None:
            known = ", ".join(sorted(self.context.config.system.services)) or "none are set up"
            return Response(False, f"I don't know a service called {spoken or 'that'}; I know: {known}.")
        name, unit = found
        command = self.restart_command.replace("{unit}", shlex.quote(unit))
        try:
            result = await self.processes.run_command(command)
        except PermissionError:
            return Response(False, f"I'm not allowed to restart the {name} service.", data={"unit": unit})
        except AstrOSError as err:
            return Response(False, f"I couldn't restart the {name} service: {err}", data={"unit": unit})
        data: Dict[str, Any] = {"unit": unit, "returncode": result.returncode, "timed_out": result.timed_out}
        if result.success:
            return Response(True, f"I restarted the {name} service.", data=data)
        reason = "it took too long" if result.timed_out else _first_line(result.stderr) or f"status {result.returncode}"
        return Response(False, f"The {name} service did not restart: {reason}.", data=data)


def _memory(info: SystemInfo) -> str:
    return (f"{_gib(info.memory_available_bytes)} of {_gib(info.memory_total_bytes)} of memory is free "
            f"({info.memory_percent:.0f}% in use).")


def _temperature(info: SystemInfo) -> str:
    if info.temperature_c is None:
        return "This board doesn't report its CPU temperature."
    return f"The CPU is at {info.temperature_c:.0f} degrees Celsius."


def _cpu(info: SystemInfo) -> str:
    cores = f"{info.cpu_count} cores" if info.cpu_count != 1 else "one core"
    return f"The processor is {info.cpu_percent:.0f}% busy across {cores}."


def _disk(info: SystemInfo) -> str:
    return f"{_gib(info.disk_free_bytes)} of {_gib(info.disk_total_bytes)} of storage is free."


def _uptime(info: SystemInfo) -> str:
    return f"The system has been up for {_duration(info.uptime_s)}."


ANSWERS = {"memory": _memory, "temperature": _temperature, "cpu": _cpu, "disk": _disk, "uptime": _uptime}


def _gib(size: int) -> str:
    if size >= GIB:
        return f"{size / GIB:.1f} gigabytes"
    return f"{size / 1024**2:.0f} megabytes"


def _duration(seconds: float) -> str:
    minutes = int(seconds // 60)
    days, hours, mins = minutes // 1440, minutes // 60 % 24, minutes % 60
    parts = [(days, "day"), (hours, "hour"), (mins, "minute")]
    words = [f"{n} {unit}{'' if n == 1 else 's'}" for n, unit in parts if n][:2]
    return " and ".join(words) if words else "less than a minute"


def _find_service(services: Dict[str, str], spoken: str) -> Optional[tuple[str, str]]:
    """(spoken name, unit) of the configured service ``spoken`` names (name or unit, any case)."""
    wanted = spoken.lower().removeprefix("the ").removesuffix(" service").strip()
    for name, unit in services.items():
        if wanted in (name.lower(), unit.lower(), unit.lower().removesuffix(".service")):
            return name, unit
    return None


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")[:200]


def _existing_folder(path: Any) -> Any:
    """``path`` or its nearest existing parent (the data folder may not exist yet)."""
    while not path.exists() and path != path.parent:
        path = path.parent
    return path
