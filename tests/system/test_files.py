"""FileManager: confined to its roots (traversal, absolute paths, symlinks), atomic, bounded."""

from __future__ import annotations

import builtins
import os
from pathlib import Path

import pytest

from astros.errors import PermissionError as AstrOSPermissionError
from astros.system.files import FileError, FileManager


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A root with a file, a folder, and a secret next to it (outside the root)."""
    root = tmp_path / "root"
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "note.txt").write_text("hello")
    (tmp_path / "secret.txt").write_text("top secret")
    return root


@pytest.fixture
def files(home: Path) -> FileManager:
    return FileManager([home], max_file_bytes=1000, max_copy_bytes=5000, max_list_entries=50)


async def test_relative_paths_start_at_the_first_root(files: FileManager, home: Path) -> None:
    assert await files.read_file("docs/note.txt") == "hello"
    await files.write_file("docs/new.txt", "written")
    assert (home / "docs" / "new.txt").read_text() == "written"
    names = [info.name for info in await files.list_directory("docs")]
    assert names == ["new.txt", "note.txt"]


ESCAPES = ["../secret.txt", "docs/../../secret.txt", "docs/../../../../../../etc/passwd", "/etc/passwd", "~/.bashrc"]


@pytest.mark.parametrize("path", ESCAPES)
async def test_paths_outside_the_roots_are_refused(files: FileManager, home: Path, path: str) -> None:
    with pytest.raises(AstrOSPermissionError) as caught:
        await files.read_file(path)
    assert caught.value.code == "path-outside-roots"
    assert isinstance(caught.value, builtins.PermissionError)  # callers may catch the builtin
    for attempt in (files.write_file(path, "x"), files.delete_file(path), files.list_directory(path),
                    files.create_directory(path + "_dir"), files.move_file("docs/note.txt", path),
                    files.copy_file("docs/note.txt", path), files.copy_file(path, "stolen.txt")):
        with pytest.raises(builtins.PermissionError):
            await attempt
    assert (home.parent / "secret.txt").read_text() == "top secret"
    assert (home / "docs" / "note.txt").read_text() == "hello"
    assert not (home / "stolen.txt").exists()


async def test_symlinks_out_of_the_roots_are_refused(files: FileManager, home: Path) -> None:
    outside = home.parent
    (home / "link.txt").symlink_to(outside / "secret.txt")
    (home / "linkdir").symlink_to(outside)
    for path in ("link.txt", "linkdir/secret.txt", str(home / "linkdir" / "secret.txt")):
        with pytest.raises(builtins.PermissionError):
            await files.read_file(path)
        with pytest.raises(builtins.PermissionError):
            await files.write_file(path, "overwritten")
    with pytest.raises(builtins.PermissionError):
        await files.create_directory("linkdir/planted")
    with pytest.raises(builtins.PermissionError):
        await files.list_directory("linkdir")
    assert (outside / "secret.txt").read_text() == "top secret"
    assert not (outside / "planted").exists()


async def test_deleting_a_link_removes_the_link_not_its_target(files: FileManager, home: Path) -> None:
    (home / "linkdir").symlink_to(home.parent)
    await files.delete_file("linkdir")
    assert not (home / "linkdir").exists() and (home.parent / "secret.txt").exists()


async def test_symlinks_inside_the_roots_are_fine(files: FileManager, home: Path) -> None:
    (home / "shortcut").symlink_to(home / "docs")
    assert await files.read_file("shortcut/note.txt") == "hello"


async def test_a_second_root_is_reachable_by_absolute_path(home: Path, tmp_path: Path) -> None:
    music = tmp_path / "music"
    music.mkdir()
    files = FileManager([home, music])
    await files.write_file(music / "playlist.m3u", "song.mp3\n")
    assert await files.read_file(str(music / "playlist.m3u")) == "song.mp3\n"
    await files.move_file(music / "playlist.m3u", "docs/playlist.m3u")
    assert (home / "docs" / "playlist.m3u").exists()


async def test_writes_are_atomic_and_leave_no_temporary_files(files: FileManager, home: Path) -> None:
    target = home / "docs" / "note.txt"
    inode_before = target.stat().st_ino
    await files.write_file("docs/note.txt", "new content")
    assert target.read_text() == "new content"
    assert target.stat().st_ino != inode_before  # a new file renamed over the old one
    assert sorted(p.name for p in (home / "docs").iterdir()) == ["note.txt"]


async def test_a_failed_write_keeps_the_old_content(files: FileManager, home: Path) -> None:
    with pytest.raises(FileError) as caught:
        await files.write_file("docs/note.txt", "x" * 1001)
    assert caught.value.code == "file-too-large"
    assert (home / "docs" / "note.txt").read_text() == "hello"
    with pytest.raises(FileNotFoundError):
        await files.write_file("missing-folder/file.txt", "x")
    assert sorted(p.name for p in (home / "docs").iterdir()) == ["note.txt"]


async def test_reads_are_bounded_and_text_only(files: FileManager, home: Path) -> None:
    (home / "big.txt").write_text("y" * 5000)
    (home / "binary.bin").write_bytes(b"\xff\xfe\x00\x81")
    with pytest.raises(FileError, match="bigger than"):
        await files.read_file("big.txt")
    with pytest.raises(FileError, match="not a text file"):
        await files.read_file("binary.bin")
    with pytest.raises(FileNotFoundError):
        await files.read_file("nothing.txt")
    with pytest.raises(IsADirectoryError):
        await files.read_file("docs")


async def test_listing_is_bounded(files: FileManager, home: Path) -> None:
    for i in range(80):
        (home / f"f{i:03d}").touch()
    assert len(await files.list_directory(".")) == 50


async def test_move_copy_delete(files: FileManager, home: Path) -> None:
    await files.create_directory("a/b/c")
    await files.copy_file("docs", "a/b/c/docs-copy")
    assert (home / "a/b/c/docs-copy/note.txt").read_text() == "hello"
    await files.copy_file("docs/note.txt", "a/note.txt")
    with pytest.raises(FileExistsError):
        await files.copy_file("docs/note.txt", "a/note.txt")
    with pytest.raises(FileExistsError):
        await files.move_file("docs/note.txt", "a/note.txt")
    await files.move_file("a/note.txt", "a/renamed.txt")
    assert (home / "a/renamed.txt").read_text() == "hello" and not (home / "a/note.txt").exists()
    await files.delete_file("a")
    assert not (home / "a").exists()
    with pytest.raises(FileNotFoundError):
        await files.delete_file("a")


async def test_copies_are_bounded_and_never_into_themselves(files: FileManager, home: Path) -> None:
    (home / "big").mkdir()
    for i in range(3):
        (home / "big" / f"{i}.bin").write_bytes(os.urandom(2000))
    with pytest.raises(FileError) as caught:
        await files.copy_file("big", "big-copy")
    assert caught.value.code == "copy-too-large" and not (home / "big-copy").exists()
    with pytest.raises(FileError):
        await files.copy_file("docs", "docs/inside")
    with pytest.raises(FileError):
        await files.move_file("docs", "docs/inside")


async def test_roots_themselves_cannot_be_deleted_or_moved(files: FileManager, home: Path) -> None:
    for attempt in (files.delete_file("."), files.delete_file(str(home)), files.move_file(".", "../elsewhere")):
        with pytest.raises((FileError, builtins.PermissionError)):
            await attempt
    assert (home / "docs" / "note.txt").exists()
