"""Files: tidy the Downloads folder by kind of file, say what moved, and undo it.

Say "organize my downloads": documents go into ``Documents``, pictures into ``Pictures``, music,
videos, archives, installers and disk images into folders of their own, all inside the Downloads
folder, and AstrOS says what it moved ("I moved five files: three documents into Documents and
two pictures into Pictures."). "What would you do if I asked you to organize my downloads?" (a dry
run) says the same without moving anything. "Undo that" / "put my downloads back" moves the files
of the last organisation back where they were (and removes the folders it made, when empty).

Folders, links, hidden files, unfinished downloads (``.part``, ``.crdownload``) and files of
unknown kinds stay where they are; a name already taken gets " (2)". Every path goes through
:class:`~astros.system.files.FileManager`, so nothing outside ``[system] file_roots`` is touched.
Each organisation is written down (``files_batches``, ``files_moves``) before anything moves, so
an undo still works after a restart or a power cut in the middle.

Permissions: ``files.read`` for the dry run, ``files.write`` to organise or undo (not a default
permission: grant it, e.g. ``[permissions.users] voice = ["files.write"]``).

Settings, ``[plugins.settings.files]``:
- ``downloads`` (string, default ``"~/Downloads"``): the folder to organise; it must lie inside a
  file root.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from pathlib import Path
from typing import Any, Dict, List, Optional

from astros.errors import AstrOSError
from astros.plugins.base import BasePlugin, plugin_handler
from astros.system.files import FileManager
from astros.types import Intent, Response

from .organize import KINDS, Move, plan, summary

_LOGGER = logging.getLogger(__name__)


class FilesPlugin(BasePlugin):
    """Organises the Downloads folder by kind of file, with a dry run and an undo."""

    name = "files"
    version = "1.0.0"
    description = "Tidy the Downloads folder by kind of file, and undo it"
    author = "AstrOS"
    requires_permissions = ["files.read"]
    migrations = (
        """CREATE TABLE files_batches (
            id INTEGER PRIMARY KEY AUTOINCREMENT, folder TEXT NOT NULL, created_dirs TEXT NOT NULL,
            created_at TEXT NOT NULL, undone_at TEXT)""",
        """CREATE TABLE files_moves (
            batch_id INTEGER NOT NULL, seq INTEGER NOT NULL, source TEXT NOT NULL, destination TEXT NOT NULL,
            PRIMARY KEY (batch_id, seq))""",
    )

    def __init__(self) -> None:
        super().__init__()
        self.files: Optional[FileManager] = None
        self.downloads = "~/Downloads"
        self._lock = asyncio.Lock()

    async def initialize(self) -> None:
        system = self.context.config.system
        self.files = FileManager(system.file_roots, max_file_bytes=system.max_file_bytes,
                                 max_copy_bytes=system.max_copy_bytes)
        downloads = (self.config or {}).get("downloads", self.downloads)
        if not isinstance(downloads, str) or not downloads.strip():
            raise ValueError(f"plugins.settings.files.downloads must be a folder name; got {downloads!r}")
        self.downloads = downloads

    async def shutdown(self) -> None:
        """Nothing to release."""

    # -- handlers --------------------------------------------------------------------------------

    @plugin_handler("AstrosFilesOrganizePreview")
    async def preview(self, intent: Intent) -> Response:
        """The dry run: what organising would move, with nothing moved."""
        try:
            folder, moves = await self._plan()
        except _CannotLook as refusal:
            return Response(False, str(refusal))
        return Response(True, summary(moves, done=False), data=_data(folder, moves, dry_run=True))

    @plugin_handler("AstrosFilesOrganize", requires_permissions=["files.write"])
    async def organize(self, intent: Intent) -> Response:
        """Move the files of the Downloads folder into folders by kind; says what moved."""
        async with self._lock:
            try:
                folder, moves = await self._plan()
            except _CannotLook as refusal:
                return Response(False, str(refusal))
            if not moves:
                return Response(True, summary(moves, done=True), data=_data(folder, moves, dry_run=False))
            done = await self._carry_out(folder, moves)
        message = summary(done, done=True)
        if len(done) < len(moves):
            message += f" {len(moves) - len(done)} could not be moved."
        return Response(True, message, data=_data(folder, done, dry_run=False))

    @plugin_handler("AstrosFilesUndo", requires_permissions=["files.write"])
    async def undo(self, intent: Intent) -> Response:
        """Put back the files of the last organisation that has not been undone."""
        async with self._lock:
            batch = await self._last_batch()
            if batch is None:
                return Response(False, "There is no tidying up to undo.")
            restored, skipped = await self._restore(batch)
        message = f"I put {restored} file{'' if restored == 1 else 's'} back where {'it was' if restored == 1 else 'they were'}."
        if skipped:
            message += f" {skipped} had been moved or replaced since, so I left {'it' if skipped == 1 else 'them'}."
        return Response(True, message, data={"restored": restored, "skipped": skipped, "folder": batch["folder"]})

    # -- the work --------------------------------------------------------------------------------

    async def _plan(self) -> tuple[Path, List[Move]]:
        """The Downloads folder and the moves that would sort it.

        Raises:
            _CannotLook: the folder is outside the roots, missing, or unreadable.
        """
        assert self.files is not None
        try:
            folder = self.files.resolve(self.downloads)
            entries = await self.files.list_directory(folder)
        except PermissionError as err:
            raise _CannotLook(f"The folder {self.downloads} is outside the folders I may use.") from err
        except FileNotFoundError as err:
            raise _CannotLook(f"There is no folder {self.downloads}.") from err
        except (OSError, AstrOSError) as err:
            raise _CannotLook(f"I can't look in {self.downloads}: {err}") from err
        return folder, await asyncio.to_thread(plan, folder, entries)

    async def _carry_out(self, folder: Path, moves: List[Move]) -> List[Move]:
        """Write the batch down, create the folders, then move; returns the moves that happened."""
        assert self.files is not None
        targets = sorted({str(Path(m.destination).parent) for m in moves})
        created = [t for t in targets if not os.path.isdir(t)]
        batch_id = await self._record(folder, moves, created)
        done: List[Move] = []
        for target in created:
            await self.files.create_directory(target)
        for move in moves:
            try:
                await self.files.move_file(move.source, move.destination)
                done.append(move)
            except (OSError, AstrOSError) as err:
                _LOGGER.warning("Could not move %s to %s: %s", move.source, move.destination, err)
        _LOGGER.info("Organised %s: batch %s, %d of %d files moved", folder, batch_id, len(done), len(moves))
        return done

    async def _record(self, folder: Path, moves: List[Move], created: List[str]) -> int:
        now = self.context.now().isoformat()
        async with self.context.database.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO files_batches (folder, created_dirs, created_at) VALUES (:folder, :dirs, :now)",
                {"folder": str(folder), "dirs": json.dumps(created), "now": now})
            batch_id = int(cursor.lastrowid)
            await conn.executemany(
                "INSERT INTO files_moves (batch_id, seq, source, destination) VALUES (?, ?, ?, ?)",
                [(batch_id, i, m.source, m.destination) for i, m in enumerate(moves)])
        return batch_id

    async def _last_batch(self) -> Optional[Dict[str, Any]]:
        rows = await self.context.database.execute_query(
            "SELECT * FROM files_batches WHERE undone_at IS NULL ORDER BY id DESC LIMIT 1")
        return rows[0] if rows else None

    async def _restore(self, batch: Dict[str, Any]) -> tuple[int, int]:
        """Move the batch's files back; returns (restored, skipped)."""
        assert self.files is not None
        moves = await self.context.database.execute_query(
            "SELECT source, destination FROM files_moves WHERE batch_id = :id ORDER BY seq DESC", {"id": batch["id"]})
        restored = skipped = 0
        for move in moves:
            try:
                await self.files.move_file(move["destination"], move["source"])
                restored += 1
            except FileNotFoundError:
                continue  # never moved (the batch was cut short) or gone since
            except (OSError, AstrOSError) as err:
                _LOGGER.info("Not restoring %s: %s", move["destination"], err)
                skipped += 1
        for folder in reversed(json.loads(batch["created_dirs"])):
            await asyncio.to_thread(_remove_if_empty, folder)
        await self.context.database.execute(
            "UPDATE files_batches SET undone_at = :now WHERE id = :id",
            {"now": self.context.now().isoformat(), "id": batch["id"]})
        return restored, skipped


class _CannotLook(Exception):
    """The folder to organise cannot be used; the message says why, for a person."""


def _remove_if_empty(folder: str) -> None:
    try:
        os.rmdir(folder)
    except OSError:
        pass  # not empty (someone put something there since) or already gone


def _data(folder: Path, moves: List[Move], *, dry_run: bool) -> Dict[str, Any]:
    return {
        "folder": str(folder), "dry_run": dry_run, "count": len(moves),
        "moves": [{"source": m.source, "destination": m.destination, "kind": m.kind} for m in moves],
        "folders": sorted({KINDS[m.kind][0] for m in moves}),
    }
