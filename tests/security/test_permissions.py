"""PermissionManager: configured defaults, per-user grants, database grants, resources."""

from __future__ import annotations

from astros.config import PermissionsConfig
from astros.security.permissions import Permission, PermissionManager

DEFAULTS = ["home.read", "home.control", "timers", "alarms", "lists", "volume", "memory", "system.read", "files.read"]


async def test_every_user_holds_the_configured_defaults(database) -> None:
    manager = PermissionManager(database, PermissionsConfig())
    assert PermissionsConfig().default == DEFAULTS
    for permission in DEFAULTS:
        assert await manager.check_permission("anyone", permission)
    assert not await manager.check_permission("anyone", "admin")


async def test_per_user_configuration(database) -> None:
    config = PermissionsConfig(default=["home.read"], users={"ann": ["home.control"], "root": ["*"]})
    manager = PermissionManager(database, config)
    assert await manager.check_permission("ann", "home.control")
    assert not await manager.check_permission("bob", "home.control")
    assert await manager.check_permission("bob", "home.read")
    assert await manager.check_permission("root", "anything.at.all")
    assert await manager.check_permission("root", "admin", resource="Kitchen")


async def test_empty_default_grants_nothing(database) -> None:
    manager = PermissionManager(database, PermissionsConfig(default=[]))
    assert not await manager.check_permission("voice", "timers")


async def test_grant_and_revoke_in_the_database(database) -> None:
    manager = PermissionManager(database, PermissionsConfig(default=[]))
    await manager.grant_permission("bob", "alarms")
    await manager.grant_permission("bob", "alarms")  # idempotent
    assert await manager.check_permission("bob", "alarms")
    assert not await manager.check_permission("ann", "alarms")
    await manager.revoke_permission("bob", "alarms")
    assert not await manager.check_permission("bob", "alarms")


async def test_database_grants_persist(tmp_path) -> None:
    from astros.storage.database import DatabaseManager

    db = DatabaseManager(tmp_path / "astros.db")
    await db.connect()
    await PermissionManager(db, PermissionsConfig(default=[])).grant_permission("bob", "lists")
    await db.close()
    db = DatabaseManager(tmp_path / "astros.db")
    await db.connect()
    try:
        assert await PermissionManager(db, PermissionsConfig(default=[])).check_permission("bob", "lists")
    finally:
        await db.close()


async def test_granted_star_means_every_permission(database) -> None:
    manager = PermissionManager(database, PermissionsConfig(default=[]))
    await manager.grant_permission("admin", "*")
    assert await manager.check_permission("admin", "home.control")
    assert await manager.check_permission("admin", "home.control", resource="Garage")


async def test_resource_scoped_grants(database) -> None:
    manager = PermissionManager(database, PermissionsConfig(default=[]))
    await manager.grant_permission("kid", "home.control", resource="Bedroom")
    assert await manager.check_permission("kid", "home.control", resource="Bedroom")
    assert not await manager.check_permission("kid", "home.control", resource="Garage")
    assert not await manager.check_permission("kid", "home.control")  # not everywhere

    await manager.grant_permission("adult", "home.control")  # no resource: every resource
    assert await manager.check_permission("adult", "home.control", resource="Garage")

    await manager.revoke_permission("kid", "home.control")  # the unscoped grant only
    assert await manager.check_permission("kid", "home.control", resource="Bedroom")
    await manager.revoke_permission("kid", "home.control", resource="Bedroom")
    assert not await manager.check_permission("kid", "home.control", resource="Bedroom")


async def test_revoke_does_not_remove_configured_permissions(database) -> None:
    manager = PermissionManager(database, PermissionsConfig(default=["timers"]))
    await manager.revoke_permission("ann", "timers")
    assert await manager.check_permission("ann", "timers")


async def test_list_permissions(database) -> None:
    config = PermissionsConfig(default=["home.read", "timers"], users={"ann": ["timers", "lists"]})
    manager = PermissionManager(database, config)
    await manager.grant_permission("ann", "home.control", resource="Kitchen")
    await manager.grant_permission("ann", "alarms")
    await manager.grant_permission("bob", "volume")
    assert await manager.list_permissions("ann") == [
        Permission("ann", "home.read", None, "config"),
        Permission("ann", "timers", None, "config"),
        Permission("ann", "lists", None, "config"),
        Permission("ann", "alarms", None, "granted"),
        Permission("ann", "home.control", "Kitchen", "granted"),
    ]
    assert [p.permission for p in await manager.list_permissions("carl")] == ["home.read", "timers"]
