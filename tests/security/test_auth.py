"""AuthenticationManager: argon2id hashes, signed tokens, sessions that end, limited logins, admins."""

from __future__ import annotations

import stat
import time

import jwt
import pytest

from astros.config import ApiConfig, PermissionsConfig
from astros.errors import AuthenticationError
from astros.security.auth import SECRET_FILE, AuthenticationManager, LoginLimiter, TooManyAttempts
from astros.security.permissions import PermissionManager

PASSWORD = "a long enough password"


@pytest.fixture
async def auth(database, tmp_path) -> AuthenticationManager:
    permissions = PermissionManager(database, PermissionsConfig(default=["timers"]))
    manager = AuthenticationManager(database, tmp_path / "data", ApiConfig(), permissions)
    await manager.prepare()
    return manager


async def test_passwords_are_stored_as_argon2id_hashes(auth, database) -> None:
    await auth.add_user("ann", PASSWORD)
    row = (await database.execute_query("SELECT password_hash FROM users WHERE id = 'ann'"))[0]
    assert row["password_hash"].startswith("$argon2id$") and PASSWORD not in row["password_hash"]
    assert (await auth.authenticate_user("ann", PASSWORD)).id == "ann"
    assert await auth.authenticate_user("ann", "wrong password!") is None
    assert await auth.authenticate_user("nobody", PASSWORD) is None


async def test_the_signing_secret_is_made_once_with_mode_0600(auth, database, tmp_path) -> None:
    path = tmp_path / "data" / SECRET_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    first = path.read_text()
    again = AuthenticationManager(database, tmp_path / "data", ApiConfig())
    await again.prepare()
    assert path.read_text() == first


async def test_a_token_carries_its_session_and_expiry(auth) -> None:
    user = await auth.add_user("ann", PASSWORD)
    session = await auth.create_session(user)
    claims = jwt.decode(session.token, options={"verify_signature": False})
    assert claims["sid"] == session.id and claims["sub"] == "ann"
    assert claims["exp"] == pytest.approx(time.time() + ApiConfig().token_lifetime, abs=5)
    assert (await auth.validate_token(session.token)).id == session.id


async def test_a_revoked_session_is_refused_at_once_even_when_cached(auth) -> None:
    session = await auth.create_session(await auth.add_user("ann", PASSWORD))
    assert await auth.validate_session(session.id) is not None  # now cached
    assert await auth.revoke_session(session.id) is True
    assert await auth.validate_session(session.id) is None
    with pytest.raises(AuthenticationError) as caught:
        await auth.validate_token(session.token)
    assert caught.value.code == "session-revoked"
    assert await auth.revoke_session(session.id) is False


async def test_changing_a_password_or_removing_a_user_ends_their_sessions(auth) -> None:
    user = await auth.add_user("ann", PASSWORD)
    first, second = await auth.create_session(user), await auth.create_session(user)
    await auth.set_password("ann", "another good password")
    assert await auth.validate_session(first.id) is None and await auth.validate_session(second.id) is None
    third = await auth.create_session(user)
    assert await auth.remove_user("ann") is True
    assert await auth.validate_session(third.id) is None
    assert await auth.get_user("ann") is None


async def test_expired_and_forged_tokens(auth) -> None:
    session = await auth.create_session(await auth.add_user("ann", PASSWORD))
    claims = jwt.decode(session.token, options={"verify_signature": False})
    forged = jwt.encode(claims, "another secret" * 5, algorithm="HS256")
    with pytest.raises(AuthenticationError, match="not valid"):
        await auth.validate_token(forged)
    short = AuthenticationManager(auth.database, auth.data_path, ApiConfig(token_lifetime=60))
    await short.prepare()
    expired = jwt.encode({**claims, "exp": int(time.time()) - 1}, short._secret, algorithm="HS256")
    with pytest.raises(AuthenticationError, match="expired") as caught:
        await short.validate_token(expired)
    assert caught.value.code == "token-expired"


async def test_login_is_limited_per_user_and_per_address(auth) -> None:
    await auth.add_user("ann", PASSWORD)
    auth.limiter = LoginLimiter(per_user=2, per_address=3, window_s=60)
    for _ in range(2):
        with pytest.raises(AuthenticationError):
            await auth.login("ann", "wrong password", "10.0.0.5")
    with pytest.raises(TooManyAttempts) as caught:
        await auth.login("ann", PASSWORD, "10.0.0.6")  # right password, but ann is locked for now
    assert 0 < caught.value.retry_after <= 60
    with pytest.raises(AuthenticationError):
        await auth.login("someone", "wrong password", "10.0.0.5")
    with pytest.raises(TooManyAttempts):
        await auth.login("another", "wrong password", "10.0.0.5")  # the address used its attempts


def test_the_limiter_forgets_old_failures() -> None:
    limiter = LoginLimiter(per_user=1, per_address=10, window_s=0.05)
    limiter.failed("ann", "a")
    with pytest.raises(TooManyAttempts):
        limiter.check("ann", "a")
    time.sleep(0.06)
    limiter.check("ann", "a")


async def test_an_admin_holds_every_permission(auth) -> None:
    await auth.add_user("root", PASSWORD, admin=True)
    await auth.add_user("ann", PASSWORD)
    permissions = auth.permissions
    assert await permissions.check_permission("root", "home.control")
    assert await permissions.check_permission("root", "anything", resource="Kitchen")
    assert not await permissions.check_permission("ann", "home.control")
    assert [u.is_admin for u in await auth.list_users()] == [False, True]  # ann, root
    await permissions.set_admin("root", False)
    assert not await permissions.check_permission("root", "home.control")
    assert await permissions.check_permission("root", "timers")


async def test_admin_role_from_the_configuration(database) -> None:
    permissions = PermissionManager(database, PermissionsConfig(default=[], users={"ann": ["admin"]}))
    assert await permissions.check_permission("ann", "home.control")
    assert await permissions.is_admin("ann") and not await permissions.is_admin("bob")


@pytest.mark.parametrize(("name", "password"), [("", PASSWORD), ("a b", PASSWORD), ("x" * 65, PASSWORD),
                                                ("ann", "short"), ("ann", "x" * 1025)])
async def test_bad_names_and_passwords_are_refused(auth, name, password) -> None:
    with pytest.raises(AuthenticationError):
        await auth.add_user(name, password)
    assert await auth.list_users() == []


async def test_a_taken_name_is_refused(auth) -> None:
    await auth.add_user("ann", PASSWORD)
    with pytest.raises(AuthenticationError, match="already"):
        await auth.add_user("ann", PASSWORD)
