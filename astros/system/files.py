"""Files AstrOS may touch, confined to the folders its configuration allows.

:class:`FileManager` is the API reference's file system interface, built as
``FileManager(roots=[...])``: relative paths are taken from the first root; a path that leads
outside every root, by ``..``, an absolute path or a symlink, is refused with
:class:`~astros.errors.PermissionError` (which is also the builtin ``PermissionError``). Writes go
to a temporary file beside the target and are renamed over it, so a reader (or a power cut) sees
the old content or the new, never half of it. Reads, writes, copies and listings are bounded.
The work runs in a thread, so the event loop never waits on the disk.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import stat
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Final, Union

from ..errors import AstrOSError, PermissionError

StrPath = Union[str, "os.PathLike[str]"]
MAX_FILE_BYTES: Final = 1_048_576  # largest text file read or written: 1 MiB
MAX_COPY_BYTES: Final = 104_857_600  # largest copy (a file or a whole folder): 100 MiB
MAX_LIST_ENTRIES: Final = 1_000  # most entries one listing returns


class FileError(AstrOSError):
    """A file operation AstrOS will not do: too big, not text, or a root itself."""

    code = "file-error"


@dataclass(frozen=True, slots=True)
class FileInfo:
    """One entry of a folder."""

    name: str
    path: str
    """The absolute path, inside a root."""
    is_dir: bool
    is_symlink: bool
    size_bytes: int
    """Size of a file (0 for a folder)."""
    modified: datetime
    """Last modification time (UTC)."""

    @property
    def suffix(self) -> str:
        """The extension in lower case, with its dot ("" for none)."""
        return Path(self.name).suffix.lower()


class FileManager:
    """Reads, writes, lists, moves, copies and deletes files inside ``roots`` only."""

    def __init__(self, roots: Sequence[StrPath], *, max_file_bytes: int = MAX_FILE_BYTES,
                 max_copy_bytes: int = MAX_COPY_BYTES, max_list_entries: int = MAX_LIST_ENTRIES) -> None:
        """``roots``: the folders files may be in (``~`` expanded); the first is where relative paths start."""
        if not roots:
            raise ValueError("FileManager needs at least one root folder")
        self.roots: tuple[Path, ...] = tuple(Path(r).expanduser().resolve() for r in roots)
        self.max_file_bytes = max_file_bytes
        self.max_copy_bytes = max_copy_bytes
        self.max_list_entries = max_list_entries

    # -- where a path really is ------------------------------------------------------------------

    def resolve(self, path: StrPath, *, follow: bool = True) -> Path:
        """The absolute, symlink-free path ``path`` names, checked to lie inside a root.

        ``follow=False`` resolves everything but the last part (to act on a link itself).

        Raises:
            PermissionError: the path is outside every root.
        """
        given = Path(path).expanduser()
        absolute = given if given.is_absolute() else self.roots[0] / given
        if follow:
            real = absolute.resolve()
        elif absolute.name in ("", ".", ".."):
            real = absolute.resolve()
        else:
            real = absolute.parent.resolve() / absolute.name
        if not any(real == root or real.is_relative_to(root) for root in self.roots):
            raise PermissionError(f"{path} is outside the folders AstrOS may use", "path-outside-roots")
        return real

    def _not_a_root(self, real: Path, action: str) -> None:
        if real in self.roots:
            raise FileError(f"AstrOS will not {action} {real}: it is one of its root folders", "root-protected")

    # -- the API ---------------------------------------------------------------------------------

    async def read_file(self, path: StrPath) -> str:
        """The text (UTF-8) of the file at ``path``.

        Raises:
            FileNotFoundError: no such file.
            PermissionError: outside the roots, or the system refuses.
            FileError: bigger than ``max_file_bytes`` or not text.
        """
        return await asyncio.to_thread(self._read, self.resolve(path))

    async def write_file(self, path: StrPath, content: str) -> None:
        """Replace the file at ``path`` with ``content`` (UTF-8), atomically; its folder must exist.

        Raises:
            PermissionError: outside the roots, or the system refuses.
            FileError: ``content`` is bigger than ``max_file_bytes``.
        """
        data = content.encode("utf-8")
        if len(data) > self.max_file_bytes:
            raise FileError(f"{len(data)} bytes is more than the {self.max_file_bytes} AstrOS writes", "file-too-large")
        await asyncio.to_thread(atomic_write, self.resolve(path), data)

    async def list_directory(self, path: StrPath = ".") -> list[FileInfo]:
        """The entries of folder ``path``, by name; at most ``max_list_entries``."""
        return await asyncio.to_thread(self._list, self.resolve(path))

    async def create_directory(self, path: StrPath) -> None:
        """Create folder ``path`` and any missing parents (no error if it exists)."""
        real = self.resolve(path)
        await asyncio.to_thread(real.mkdir, parents=True, exist_ok=True)

    async def move_file(self, source: StrPath, destination: StrPath) -> None:
        """Move (rename) a file or folder; the destination must not exist yet.

        Raises:
            FileExistsError: something is already at ``destination``.
        """
        src, dst = self.resolve(source, follow=False), self.resolve(destination, follow=False)
        self._not_a_root(src, "move")
        await asyncio.to_thread(self._move, src, dst)

    async def copy_file(self, source: StrPath, destination: StrPath) -> None:
        """Copy a file or a folder (symlinks are copied as links); the destination must not exist.

        Raises:
            FileExistsError: something is already at ``destination``.
            FileError: the copy would be bigger than ``max_copy_bytes``.
        """
        src, dst = self.resolve(source), self.resolve(destination, follow=False)
        await asyncio.to_thread(self._copy, src, dst)

    async def delete_file(self, path: StrPath) -> None:
        """Delete a file, a symlink (not what it points to) or a folder with everything in it."""
        real = self.resolve(path, follow=False)
        self._not_a_root(real, "delete")
        await asyncio.to_thread(_delete, real)

    # -- the work, in a thread -------------------------------------------------------------------

    def _read(self, real: Path) -> str:
        fd = os.open(real, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
        with os.fdopen(fd, "rb") as handle:
            if stat.S_ISDIR(os.fstat(handle.fileno()).st_mode):
                raise IsADirectoryError(f"{real} is a folder")
            data = handle.read(self.max_file_bytes + 1)
        if len(data) > self.max_file_bytes:
            raise FileError(f"{real} is bigger than the {self.max_file_bytes} bytes AstrOS reads", "file-too-large")
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as err:
            raise FileError(f"{real} is not a text file", "file-not-text") from err

    def _list(self, real: Path) -> list[FileInfo]:
        with os.scandir(real) as entries:
            infos = [_info(entry) for entry, _ in zip(entries, range(self.max_list_entries))]
        return sorted(infos, key=lambda info: info.name.casefold())

    @staticmethod
    def _move(src: Path, dst: Path) -> None:
        if not src.exists() and not src.is_symlink():
            raise FileNotFoundError(f"{src} does not exist")
        if dst.exists() or dst.is_symlink():
            raise FileExistsError(f"{dst} already exists")
        if src.is_dir() and not src.is_symlink() and dst.is_relative_to(src):
            raise FileError(f"cannot move {src} into itself", "move-into-itself")
        if _same_device(src, dst.parent):
            os.rename(src, dst)
        else:
            shutil.move(src, dst)

    def _copy(self, src: Path, dst: Path) -> None:
        if dst.exists() or dst.is_symlink():
            raise FileExistsError(f"{dst} already exists")
        size = _tree_size(src)
        if size > self.max_copy_bytes:
            raise FileError(f"{src} is {size} bytes; AstrOS copies at most {self.max_copy_bytes}", "copy-too-large")
        if src.is_dir():
            if dst.is_relative_to(src):
                raise FileError(f"cannot copy {src} into itself", "copy-into-itself")
            staging = Path(tempfile.mkdtemp(prefix=f".{dst.name}.", dir=dst.parent))
            try:
                shutil.copytree(src, staging / "copy", symlinks=True)
                os.rename(staging / "copy", dst)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
        else:
            with _temporary_beside(dst) as temp:
                shutil.copy2(src, temp)
                os.replace(temp, dst)


def atomic_write(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` through a temporary file in the same folder, synced and renamed."""
    if target.is_symlink():
        raise PermissionError(f"{target} is a symlink; AstrOS does not write through links", "symlink-write")
    with _temporary_beside(target) as temp:
        with open(temp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    _sync_folder(target.parent)


@contextlib.contextmanager
def _temporary_beside(target: Path) -> Iterator[Path]:
    """A temporary file name next to ``target``; removed on the way out unless renamed away."""
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        yield Path(name)
    finally:
        Path(name).unlink(missing_ok=True)


def _sync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (a power cut after it keeps the new name)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _info(entry: os.DirEntry[str]) -> FileInfo:
    link = entry.is_symlink()
    try:
        status = entry.stat(follow_symlinks=False)
        modified, size = status.st_mtime, status.st_size
    except OSError:
        modified, size = 0.0, 0
    is_dir = entry.is_dir(follow_symlinks=False)
    return FileInfo(entry.name, entry.path, is_dir, link, 0 if is_dir else size,
                    datetime.fromtimestamp(modified, timezone.utc))


def _tree_size(path: Path) -> int:
    if not path.is_dir():
        return path.stat().st_size
    return sum(_sizes(path))


def _sizes(folder: Path) -> Iterable[int]:
    for base, _dirs, files in os.walk(folder):
        for name in files:
            try:
                yield os.lstat(os.path.join(base, name)).st_size
            except OSError:
                continue


def _same_device(a: Path, b: Path) -> bool:
    return os.lstat(a).st_dev == os.stat(b).st_dev


def _delete(real: Path) -> None:
    if real.is_dir() and not real.is_symlink():
        shutil.rmtree(real)
    elif real.exists() or real.is_symlink():
        real.unlink()
    else:
        raise FileNotFoundError(f"{real} does not exist")
