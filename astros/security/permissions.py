"""PermissionManager: who may do what.

A user holds a permission when the configuration grants it to every user (``permissions.default``),
to that user (``permissions.users``), or when it was granted in the database. ``"*"`` stands for
every permission. A grant without a resource covers every resource; a grant with one covers only it.

The admin role is the permission ``"admin"``: whoever holds it (configured or granted, e.g. by
``astros user add --admin``) holds every permission.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional

from ..config import PermissionsConfig
from ..storage.database import DatabaseManager

ALL_PERMISSIONS = "*"
ADMIN_ROLE = "admin"


@dataclass(frozen=True)
class Permission:
    """One permission a user holds, and where it comes from (``config`` or ``granted``)."""

    user_id: str
    permission: str
    resource: Optional[str] = None
    source: str = "granted"


class PermissionManager:
    """Manages user permissions."""

    def __init__(self, database: DatabaseManager, config: PermissionsConfig) -> None:
        self.database = database
        self.config = config

    def _configured(self, user_id: str) -> list[str]:
        return [*self.config.default, *self.config.users.get(user_id, [])]

    async def check_permission(self, user_id: str, permission: str, resource: Optional[str] = None) -> bool:
        """True if ``user_id`` holds ``permission`` (for ``resource``, when one is given)."""
        configured = self._configured(user_id)
        if ALL_PERMISSIONS in configured or ADMIN_ROLE in configured or permission in configured:
            return True
        rows = await self.database.execute_query(
            "SELECT 1 FROM permissions WHERE user_id = :user AND (permission IN (:permission, '*') "
            "OR (permission = 'admin' AND resource = '')) "
            "AND resource IN ('', :resource) LIMIT 1",
            {"user": user_id, "permission": permission, "resource": resource or ""},
        )
        return bool(rows)

    async def grant_permission(self, user_id: str, permission: str, resource: Optional[str] = None) -> None:
        """Grant permission to user (idempotent)."""
        await self.database.execute(
            "INSERT OR IGNORE INTO permissions (user_id, permission, resource) VALUES (:user, :permission, :resource)",
            {"user": user_id, "permission": permission, "resource": resource or ""},
        )

    async def revoke_permission(self, user_id: str, permission: str, resource: Optional[str] = None) -> None:
        """Revoke a database grant from user (configured permissions stay until the file changes)."""
        await self.database.execute(
            "DELETE FROM permissions WHERE user_id = :user AND permission = :permission AND resource = :resource",
            {"user": user_id, "permission": permission, "resource": resource or ""},
        )

    async def is_admin(self, user_id: str) -> bool:
        """True if ``user_id`` holds the admin role."""
        return await self.check_permission(user_id, ADMIN_ROLE)

    async def set_admin(self, user_id: str, admin: bool) -> None:
        """Give ``user_id`` the admin role, or take back a granted one."""
        if admin:
            await self.grant_permission(user_id, ADMIN_ROLE)
        else:
            await self.revoke_permission(user_id, ADMIN_ROLE)

    async def revoke_all(self, user_id: str) -> None:
        """Remove every database grant of ``user_id`` (when the user is removed)."""
        await self.database.execute("DELETE FROM permissions WHERE user_id = :user", {"user": user_id})

    async def list_permissions(self, user_id: str) -> List[Permission]:
        """Every permission the user holds, configured ones first."""
        found = [Permission(user_id, name, None, "config") for name in dict.fromkeys(self._configured(user_id))]
        rows = await self.database.execute_query(
            "SELECT permission, resource FROM permissions WHERE user_id = :user ORDER BY permission, resource",
            {"user": user_id},
        )
        found += [Permission(user_id, r["permission"], r["resource"] or None) for r in rows]
        return found
