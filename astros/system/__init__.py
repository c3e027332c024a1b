"""The machine AstrOS runs on: files inside allowed folders, allow-listed programs, system facts."""

from .files import FileError, FileInfo, FileManager
from .processes import CommandError, ProcessInfo, ProcessManager, ProcessResult
from .sysinfo import SystemInfo, cpu_temperature, read_system_info

__all__ = [
    "CommandError", "FileError", "FileInfo", "FileManager", "ProcessInfo", "ProcessManager", "ProcessResult",
    "SystemInfo", "cpu_temperature", "read_system_info",
]
