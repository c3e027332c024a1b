"""What the machine is doing: CPU, memory, disk, temperature and uptime, read through psutil."""

from __future__ import annotations

import os
import platform
import socket
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Final, Optional

import psutil

THERMAL_ZONE: Final = Path("/sys/class/thermal/thermal_zone0/temp")  # millidegrees; the Pi's SoC sensor
CPU_SENSORS: Final = ("cpu_thermal", "coretemp", "k10temp", "soc_thermal", "cpu-thermal", "acpitz")
CPU_SAMPLE_S: Final = 0.2  # seconds over which CPU use is measured


@dataclass(frozen=True, slots=True)
class SystemInfo:
    """A snapshot of the machine."""

    hostname: str
    platform: str
    cpu_count: int
    cpu_percent: float
    load_average: tuple[float, float, float]
    memory_total_bytes: int
    memory_available_bytes: int
    memory_percent: float
    disk_path: str
    disk_total_bytes: int
    disk_free_bytes: int
    disk_percent: float
    temperature_c: Optional[float]
    """The CPU's temperature in degrees Celsius; None where the board reports none."""
    uptime_s: float
    boot_time: float
    """``time.time()`` when the machine started."""

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return asdict(self)


def read_system_info(disk_path: str = "/") -> SystemInfo:
    """Measure the machine now (takes ``CPU_SAMPLE_S``; call it in a worker thread)."""
    memory = psutil.virtual_memory()
    disk = psutil.disk_usage(disk_path)
    boot = psutil.boot_time()
    return SystemInfo(
        hostname=socket.gethostname(), platform=f"{platform.system()} {platform.machine()}",
        cpu_count=psutil.cpu_count() or 1, cpu_percent=psutil.cpu_percent(interval=CPU_SAMPLE_S),
        load_average=tuple(round(x, 2) for x in os.getloadavg()),  # type: ignore[arg-type]
        memory_total_bytes=memory.total, memory_available_bytes=memory.available, memory_percent=memory.percent,
        disk_path=disk_path, disk_total_bytes=disk.total, disk_free_bytes=disk.free, disk_percent=disk.percent,
        temperature_c=cpu_temperature(), uptime_s=round(time.time() - boot, 1), boot_time=boot,
    )


def cpu_temperature() -> Optional[float]:
    """The CPU temperature in degrees Celsius, or None when no sensor reports one."""
    readings = _sensor_readings()
    for name in CPU_SENSORS:
        for entry in readings.get(name, ()):
            if entry.current is not None and entry.current > -50:
                return round(float(entry.current), 1)
    try:
        return round(int(THERMAL_ZONE.read_text().strip()) / 1000.0, 1)
    except (OSError, ValueError):
        return None


def _sensor_readings() -> dict[str, Any]:
    reader = getattr(psutil, "sensors_temperatures", None)
    if reader is None:
        return {}
    try:
        return reader() or {}
    except (OSError, RuntimeError):
        return {}
