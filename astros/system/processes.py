"""Programs AstrOS may run, and what it can tell about the machine.

:class:`ProcessManager` is the API reference's process interface, built as
``ProcessManager(allowed_commands=[...])``. A command is split like a shell would split words
(:func:`shlex.split`) but never given to a shell, so ``;``, ``|``, ``$(...)`` and backticks are
plain characters. It runs only when it starts with an allow-listed entry: a program name (looked
up on a fixed system ``PATH``), an absolute path, or a program with its first arguments
(``"systemctl restart mpd.service"`` allows exactly that). Each run has a timeout and bounded
output; a run that overstays or floods is killed with its whole process group.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shlex
import shutil
import signal
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Optional

import psutil

from ..errors import AstrOSError, PermissionError
from .sysinfo import SystemInfo, read_system_info

SAFE_PATH: Final = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
DEFAULT_TIMEOUT_S: Final = 30.0
MAX_OUTPUT_BYTES: Final = 65_536  # kept of each of stdout and stderr
KILL_GRACE_S: Final = 3.0  # seconds between SIGTERM and SIGKILL


class CommandError(AstrOSError):
    """A command AstrOS cannot run: empty, badly quoted, or its program is missing."""

    code = "command-invalid"


@dataclass(frozen=True, slots=True)
class ProcessResult:
    """How a command ended and what it printed (decoded as UTF-8, at most the output limit)."""

    command: tuple[str, ...]
    returncode: Optional[int]
    """The exit status; negative: killed by that signal."""
    stdout: str
    stderr: str
    duration_s: float
    timed_out: bool = False
    truncated: bool = False
    """True when the command printed more than the limit and was stopped."""

    @property
    def success(self) -> bool:
        """True when the command finished by itself with status 0."""
        return self.returncode == 0 and not self.timed_out and not self.truncated


@dataclass(frozen=True, slots=True)
class ProcessInfo:
    """One running process."""

    pid: int
    name: str
    cmdline: tuple[str, ...]
    status: str
    username: str
    memory_bytes: int
    """Resident memory."""
    cpu_percent: float
    started: float
    """``time.time()`` when it started."""


class ProcessManager:
    """Runs allow-listed programs without a shell; lists processes; stops allow-listed ones."""

    def __init__(self, allowed_commands: Sequence[str], *, timeout_s: float = DEFAULT_TIMEOUT_S,
                 max_output_bytes: int = MAX_OUTPUT_BYTES, disk_path: str = "/") -> None:
        """``allowed_commands``: programs (names or paths), optionally with leading arguments."""
        self.allowed = [_Allowed.parse(entry) for entry in allowed_commands if entry.strip()]
        self.timeout_s = timeout_s
        self.max_output_bytes = max_output_bytes
        self.disk_path = disk_path

    # -- running ---------------------------------------------------------------------------------

    def check(self, command: str | Sequence[str]) -> list[str]:
        """The argument list ``command`` runs as, with its program as an absolute path.

        Raises:
            CommandError: empty, unbalanced quotes, or the program does not exist.
            PermissionError: the command is not allow-listed.
        """
        argv = _split(command)
        program = _which(argv[0])
        if program is None:
            raise CommandError(f"{argv[0]}: no such program", "command-not-found")
        if not any(entry.allows(program, argv[1:]) for entry in self.allowed):
            raise PermissionError(f"{argv[0]} is not one of the commands AstrOS may run", "command-not-allowed")
        return [program, *argv[1:]]

    async def run_command(self, command: str, cwd: Optional[str] = None, env: Optional[Mapping[str, str]] = None,
                          timeout: Optional[float] = None) -> ProcessResult:
        """Run ``command`` (no shell) and wait for it, at most ``timeout`` seconds (default: the
        manager's); ``env`` is added to a minimal environment; ``cwd`` is where it runs.

        Raises:
            CommandError, PermissionError: see :meth:`check`.
        """
        argv = self.check(command)
        limit = self.timeout_s if timeout is None else float(timeout)
        started = time.monotonic()
        process = await asyncio.create_subprocess_exec(
            *argv, cwd=cwd, env=_environment(env), stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, start_new_session=True,
        )
        run = _Run(process, self.max_output_bytes)
        timed_out = not await run.wait(limit)
        return ProcessResult(tuple(argv), process.returncode, run.text(0), run.text(1),
                             round(time.monotonic() - started, 3), timed_out, run.flooded)

    # -- processes -------------------------------------------------------------------------------

    async def get_running_processes(self) -> list[ProcessInfo]:
        """Every process this user can see, by pid."""
        return await asyncio.to_thread(_list_processes)

    async def kill_process(self, pid: int) -> bool:
        """Stop process ``pid`` (SIGTERM, then SIGKILL after a grace period) if its program is allow-listed.

        Returns:
            True if it was stopped; False if there was no such process.

        Raises:
            PermissionError: the process runs a program that is not allow-listed, or is AstrOS itself.
        """
        return await asyncio.to_thread(self._kill, pid)

    def _kill(self, pid: int) -> bool:
        if pid <= 1 or pid == os.getpid():
            raise PermissionError(f"AstrOS will not stop process {pid}", "process-protected")
        try:
            process = psutil.Process(pid)
            program, args = _program_of(process)
        except psutil.NoSuchProcess:
            return False
        except psutil.AccessDenied as err:
            raise PermissionError(f"process {pid} belongs to someone else", "process-not-allowed") from err
        if not any(entry.allows(program, args) for entry in self.allowed):
            raise PermissionError(f"process {pid} ({Path(program).name}) is not one AstrOS may stop",
                                  "process-not-allowed")
        try:
            process.terminate()
            process.wait(KILL_GRACE_S)
        except psutil.TimeoutExpired:
            process.kill()
            process.wait(KILL_GRACE_S)
        except psutil.NoSuchProcess:
            return True
        return True

    async def get_system_info(self) -> SystemInfo:
        """CPU, memory, disk, temperature (where the board reports one) and uptime."""
        return await asyncio.to_thread(read_system_info, self.disk_path)


@dataclass(frozen=True, slots=True)
class _Allowed:
    """One allow-list entry: a program (absolute path) and the arguments it must start with."""

    program: str
    args: tuple[str, ...]

    @classmethod
    def parse(cls, entry: str) -> "_Allowed":
        argv = _split(entry)
        program = _which(argv[0]) or argv[0]  # a program not installed (yet) can never match
        return cls(program, tuple(argv[1:]))

    def allows(self, program: str, args: Sequence[str]) -> bool:
        return program == self.program and tuple(args[: len(self.args)]) == self.args


class _Run:
    """A started process whose output is read into bounded buffers."""

    def __init__(self, process: asyncio.subprocess.Process, limit: int) -> None:
        self.process = process
        self.limit = limit
        self.buffers = (bytearray(), bytearray())
        self.flooded = False

    async def wait(self, timeout: float) -> bool:
        """Read until the process ends; False if it was killed for overstaying ``timeout``."""
        readers = [asyncio.create_task(self._read(stream, buffer))
                   for stream, buffer in zip((self.process.stdout, self.process.stderr), self.buffers)]
        try:
            async with asyncio.timeout(timeout):
                await asyncio.gather(*readers)
                await self.process.wait()
            return True
        except TimeoutError:
            return False
        finally:
            self._kill_group()
            for reader in readers:
                reader.cancel()
            await self.process.wait()

    async def _read(self, stream: Optional[asyncio.StreamReader], buffer: bytearray) -> None:
        assert stream is not None
        while chunk := await stream.read(65_536):  # read to the end, so the pipe closes cleanly
            room = self.limit - len(buffer)
            buffer.extend(chunk[: max(0, room)])
            if len(chunk) > room and not self.flooded:
                self.flooded = True
                self._kill_group()

    def _kill_group(self) -> None:
        """SIGKILL the process and anything it started in its session."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)

    def text(self, index: int) -> str:
        return self.buffers[index].decode("utf-8", errors="replace")


def _split(command: str | Sequence[str]) -> list[str]:
    if isinstance(command, str):
        try:
            argv = shlex.split(command)
        except ValueError as err:
            raise CommandError(f"cannot read the command {command!r}: {err}", "command-invalid") from err
    else:
        argv = [str(part) for part in command]
    if not argv or not argv[0]:
        raise CommandError("the command is empty", "command-empty")
    return argv


def _which(program: str) -> Optional[str]:
    """The real absolute path of ``program`` (a name is looked up on ``SAFE_PATH`` only)."""
    if "/" in program:
        path = Path(program)
        found = str(path) if path.is_absolute() and os.access(path, os.X_OK) and path.is_file() else None
    else:
        found = shutil.which(program, path=SAFE_PATH)
    return os.path.realpath(found) if found else None


def _environment(extra: Optional[Mapping[str, str]]) -> dict[str, str]:
    env = {"PATH": SAFE_PATH, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "HOME": os.environ.get("HOME", "/")}
    env.update({str(k): str(v) for k, v in (extra or {}).items()})
    return env


def _program_of(process: psutil.Process) -> tuple[str, list[str]]:
    cmdline = process.cmdline()
    exe = process.exe() or (cmdline[0] if cmdline else "")
    return os.path.realpath(exe) if exe else "", cmdline[1:]


def _list_processes() -> list[ProcessInfo]:
    infos = []
    fields = ["pid", "name", "cmdline", "status", "username", "memory_info", "cpu_percent", "create_time"]
    for process in psutil.process_iter(fields):
        info = process.info
        memory = info.get("memory_info")
        infos.append(ProcessInfo(
            info["pid"], info.get("name") or "", tuple(info.get("cmdline") or ()), info.get("status") or "",
            info.get("username") or "", memory.rss if memory else 0, float(info.get("cpu_percent") or 0.0),
            float(info.get("create_time") or 0.0),
        ))
    return sorted(infos, key=lambda p: p.pid)
