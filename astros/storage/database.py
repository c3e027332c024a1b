"""DatabaseManager: AstrOS's one SQLite database, through aiosqlite.

One connection in WAL mode serves the whole process (SQLite serialises writers anyway; ``pool_size``
is accepted for compatibility and ignored). Queries take bound parameters only; table and column
names given to ``insert``/``update``/``delete`` are checked against the schema, never pasted in
unchecked. Each component keeps its own schema version and ordered migrations.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import uuid
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any, Dict, List, Optional

import aiosqlite

from ..config import DatabaseConfig
from ..errors import AstrOSError

_LOGGER = logging.getLogger(__name__)
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
BUSY_TIMEOUT_MS = 5_000

CORE_MIGRATIONS: Sequence[str] = (
    """CREATE TABLE plugin_storage (
        plugin TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, expires_at REAL,
        PRIMARY KEY (plugin, key))""",
    """CREATE TABLE permissions (
        user_id TEXT NOT NULL, permission TEXT NOT NULL, resource TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (user_id, permission, resource))""",
)


class DatabaseError(AstrOSError):
    """A query failed or named a table or column that does not exist."""

    code = "database-error"


class DatabaseManager:
    """Manages database operations."""

    def __init__(self, config: DatabaseConfig | str | os.PathLike[str], path: Path | None = None) -> None:
        """Initialize database manager.

        Args:
            config: a DatabaseConfig (its ``url`` names the file) or the file's path
            path: the file, when ``config`` is a DatabaseConfig whose url is empty
        """
        if isinstance(config, DatabaseConfig):
            url = config.url.removeprefix("sqlite:///")
            self.path = Path(url).expanduser() if url else path
            self.echo = config.echo
        else:
            self.path, self.echo = Path(config).expanduser(), False
        if self.path is None:
            raise ValueError("DatabaseManager needs a file: set database.url or pass path")
        self._conn: Optional[aiosqlite.Connection] = None
        self._lock = asyncio.Lock()
        self._columns: dict[str, set[str]] = {}

    async def connect(self) -> None:
        """Open the file (creating its folder), switch to WAL and apply the core migrations."""
        if self._conn is not None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = await aiosqlite.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000)
        self._conn.row_factory = aiosqlite.Row
        await self._conn.execute("PRAGMA journal_mode=WAL")
        await self._conn.execute("PRAGMA synchronous=NORMAL")
        await self._conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        await self._conn.execute("PRAGMA foreign_keys=ON")
        await self._conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_version (component TEXT PRIMARY KEY, version INTEGER NOT NULL)"
        )
        await self._conn.commit()
        await self.migrate("core", CORE_MIGRATIONS)

    async def close(self) -> None:
        """Close the connection; safe to call twice."""
        if self._conn is not None:
            conn, self._conn = self._conn, None
            await conn.close()

    @property
    def conn(self) -> aiosqlite.Connection:
        if self._conn is None:
            raise DatabaseError("the database is not open; call connect() first", "database-closed")
        return self._conn

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """Run the statements inside atomically: all are committed, or none if anything raises."""
        async with self._lock:
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                await self.conn.rollback()
                raise
            await self.conn.commit()

    async def migrate(self, component: str, migrations: Sequence[str]) -> int:
        """Apply ``component``'s migrations not yet applied, in order; returns its schema version."""
        async with self.transaction() as conn:
            async with conn.execute("SELECT version FROM schema_version WHERE component = ?", (component,)) as cur:
                row = await cur.fetchone()
            current = row[0] if row else 0
            for statement in migrations[current:]:
                await conn.execute(statement)
            if len(migrations) > current:
                await conn.execute(
                    "INSERT INTO schema_version (component, version) VALUES (?, ?) "
                    "ON CONFLICT(component) DO UPDATE SET version = excluded.version",
                    (component, len(migrations)),
                )
                _LOGGER.info("Database: %s schema %d -> %d", component, current, len(migrations))
        self._columns.clear()
        return max(current, len(migrations))

    async def execute_query(self, query: str, params: Optional[Dict] = None) -> List[Dict[str, Any]]:
        """Execute SQL query with named parameters (``:name``); returns the rows as dicts."""
        if self.echo:
            _LOGGER.debug("SQL %s", query)
        async with self._lock:
            try:
                async with self.conn.execute(query, params or {}) as cursor:
                    rows = await cursor.fetchall()
                await self.conn.commit()
            except aiosqlite.Error as err:
                await self._rollback()
                raise DatabaseError(f"query failed: {err}") from err
        return [dict(row) for row in rows]

    async def execute(self, query: str, params: Optional[Dict] = None) -> int:
        """Execute one statement; returns how many rows it changed."""
        async with self._lock:
            try:
                async with self.conn.execute(query, params or {}) as cursor:
                    changed = cursor.rowcount
                await self.conn.commit()
            except aiosqlite.Error as err:
                await self._rollback()
                raise DatabaseError(f"statement failed: {err}") from err
        return changed

    async def insert(self, table: str, data: Dict[str, Any]) -> str:
        """Insert record into table; returns its id (the ``id`` given, or a new one, or the rowid)."""
        columns = await self._check(table, data)
        row = dict(data)
        if "id" in columns and "id" not in row:
            row["id"] = uuid.uuid4().hex
        names = ", ".join(row)
        marks = ", ".join(f":{name}" for name in row)
        async with self._lock:
            try:
                cursor = await self.conn.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})", row)
                await self.conn.commit()
            except aiosqlite.Error as err:
                await self._rollback()
                raise DatabaseError(f"insert into {table} failed: {err}") from err
        return str(row.get("id", cursor.lastrowid))

    async def _rollback(self) -> None:
        """End the transaction a failed statement left open, so the next one starts clean."""
        if self.conn.in_transaction:
            await self.conn.rollback()

    async def update(self, table: str, record_id: str, data: Dict[str, Any]) -> bool:
        """Update record ``record_id`` (its ``id`` column); True if a row changed."""
        await self._check(table, {**data, "id": record_id})
        assignments = ", ".join(f"{name} = :{name}" for name in data)
        if not assignments:
            return False
        return await self.execute(f"UPDATE {table} SET {assignments} WHERE id = :id", {**data, "id": record_id}) > 0

    async def delete(self, table: str, record_id: str) -> bool:
        """Delete record ``record_id`` (its ``id`` column); True if a row was deleted."""
        await self._check(table, {"id": record_id})
        return await self.execute(f"DELETE FROM {table} WHERE id = :id", {"id": record_id}) > 0

    async def _check(self, table: str, data: Dict[str, Any]) -> set[str]:
        """The table's columns, after checking that ``table`` and every key of ``data`` exist."""
        if not _IDENTIFIER.match(table):
            raise DatabaseError(f"not a table name: {table!r}", "database-bad-name")
        if table not in self._columns:
            rows = await self.execute_query(f"PRAGMA table_info({table})")
            self._columns[table] = {row["name"] for row in rows}
        columns = self._columns[table]
        if not columns:
            raise DatabaseError(f"no such table: {table}", "database-bad-name")
        unknown = sorted(set(data) - columns)
        if unknown:
            raise DatabaseError(f"table {table} has no column {unknown[0]!r}", "database-bad-name")
        return columns
