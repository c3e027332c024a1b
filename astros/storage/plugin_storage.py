"""PluginStorage: a small persistent key-value store, one namespace per plugin, in SQLite.

Values are anything JSON can hold. A value set with a ``ttl`` disappears after that many seconds:
reads treat it as absent at once, and expired rows are purged as they are met.
"""

from __future__ import annotations

import json
import time
from typing import Any, List, Optional

from .database import DatabaseManager


class PluginStorage:
    """Provides storage interface for plugins."""

    def __init__(self, database: DatabaseManager, namespace: str) -> None:
        """A store for the plugin called ``namespace``, kept in ``database``."""
        self.database = database
        self.namespace = namespace

    async def get(self, key: str, default: Any = None) -> Any:
        """Get value from plugin storage, or ``default`` if the key is absent or expired."""
        rows = await self.database.execute_query(
            "SELECT value, expires_at FROM plugin_storage WHERE plugin = :plugin AND key = :key",
            {"plugin": self.namespace, "key": key},
        )
        if not rows or self._expired(rows[0]["expires_at"]):
            return default
        return json.loads(rows[0]["value"])

    async def set(self, key: str, value: Any, ttl: Optional[int] = None) -> None:
        """Set value in plugin storage; with ``ttl`` it expires after that many seconds.

        Raises:
            TypeError: the value cannot be stored as JSON (nothing is written).
            ValueError: ``ttl`` is not positive.
        """
        if ttl is not None and ttl <= 0:
            raise ValueError(f"ttl must be a positive number of seconds; got {ttl}")
        encoded = json.dumps(value)
        expires_at = time.time() + ttl if ttl is not None else None
        await self.database.execute(
            "INSERT INTO plugin_storage (plugin, key, value, expires_at) VALUES (:plugin, :key, :value, :expires) "
            "ON CONFLICT(plugin, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at",
            {"plugin": self.namespace, "key": key, "value": encoded, "expires": expires_at},
        )

    async def delete(self, key: str) -> bool:
        """Delete value from storage; True if a live key was deleted."""
        live = await self.exists(key)
        await self.database.execute(
            "DELETE FROM plugin_storage WHERE plugin = :plugin AND key = :key",
            {"plugin": self.namespace, "key": key},
        )
        return live

    async def exists(self, key: str) -> bool:
        """True if ``key`` holds a value that has not expired."""
        sentinel = object()
        return await self.get(key, sentinel) is not sentinel

    async def list_keys(self, prefix: str = "") -> List[str]:
        """All live keys starting with ``prefix``, sorted."""
        await self._purge()
        rows = await self.database.execute_query(
            "SELECT key FROM plugin_storage WHERE plugin = :plugin AND substr(key, 1, :n) = :prefix ORDER BY key",
            {"plugin": self.namespace, "prefix": prefix, "n": len(prefix)},
        )
        return [row["key"] for row in rows]

    async def _purge(self) -> None:
        await self.database.execute(
            "DELETE FROM plugin_storage WHERE plugin = :plugin AND expires_at IS NOT NULL AND expires_at <= :now",
            {"plugin": self.namespace, "now": time.time()},
        )

    @staticmethod
    def _expired(expires_at: Optional[float]) -> bool:
        return expires_at is not None and expires_at <= time.time()
