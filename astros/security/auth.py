"""AuthenticationManager: the people who may use the companion API, their logins and sessions.

Users live in the ``users`` table with an argon2id hash of their password (never the password).
Logging in creates a row in ``sessions`` and hands back a JWT signed with a secret the appliance
made at first start (``DATA_DIR/api_secret``, file mode 0600). A token names its session and its
expiry; it is refused once it expires or its session is revoked. A checked session is trusted for
``session_cache_seconds`` so that busy clients do not cost a database query per request; revoking
a session in this process takes effect at once.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import secrets
import time
import uuid
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ..config import ApiConfig
from ..errors import AuthenticationError
from ..storage.database import DatabaseManager
from .login_limits import LoginLimiter, TooManyAttempts
from .permissions import PermissionManager

_LOGGER = logging.getLogger(__name__)

SECRET_FILE = "api_secret"
TOKEN_ALGORITHM = "HS256"
USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024
CACHE_LIMIT = 10_000  # sessions kept in the validation cache before it is cleared

MIGRATIONS: Sequence[str] = (
    """CREATE TABLE users (
        id TEXT PRIMARY KEY, password_hash TEXT NOT NULL, created_at REAL NOT NULL)""",
    """CREATE TABLE sessions (
        id TEXT PRIMARY KEY, user_id TEXT NOT NULL, created_at REAL NOT NULL, expires_at REAL NOT NULL,
        revoked_at REAL, address TEXT NOT NULL DEFAULT '')""",
    "CREATE INDEX sessions_by_user ON sessions (user_id)",
)


@dataclass(frozen=True)
class User:
    """Someone who may log in. ``id`` is the user name (permissions are granted to it)."""

    id: str
    created_at: float
    is_admin: bool = False

    @property
    def username(self) -> str:
        return self.id


@dataclass(frozen=True)
class Session:
    """One login. ``token`` is filled only on the session :meth:`create_session` returns."""

    id: str
    user_id: str
    created_at: float
    expires_at: float
    revoked_at: Optional[float] = None
    token: str = ""

    @property
    def active(self) -> bool:
        return self.revoked_at is None and self.expires_at > time.time()


def check_username(username: str) -> str:
    """``username`` if it is a valid user name; raises AuthenticationError saying what is allowed."""
    if not isinstance(username, str) or not USERNAME_PATTERN.match(username):
        raise AuthenticationError(
            "a user name is 1 to 64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit",
            "invalid-username",
        )
    return username


def check_password(password: str) -> str:
    """``password`` if it is long enough (and not absurdly long)."""
    if not isinstance(password, str) or not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise AuthenticationError(
            f"a password needs {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters", "invalid-password"
        )
    return password


def load_secret(data_path: Path) -> bytes:
    """The token signing secret, made (mode 0600) the first time it is needed."""
    path = data_path / SECRET_FILE
    data_path.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if path.stat().st_mode & 0o077:
            _LOGGER.warning("%s was readable by others; restricting it to its owner", path)
            path.chmod(0o600)
        secret = path.read_text(encoding="ascii").strip()
        if len(secret) >= 64:
            return secret.encode("ascii")
        raise AuthenticationError(f"{path} is damaged; delete it to make a new one (every login ends)")
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(secrets.token_hex(32))
    _LOGGER.info("Created the API signing secret %s", path)
    return load_secret(data_path)


class AuthenticationManager:
    """Manages user authentication."""

    def __init__(
        self,
        database: DatabaseManager,
        data_path: Path,
        config: Optional[ApiConfig] = None,
        permissions: Optional[PermissionManager] = None,
    ) -> None:
        self.database = database
        self.data_path = Path(data_path)
        self.config = config or ApiConfig()
        self.permissions = permissions
        self.limiter = LoginLimiter(
            self.config.login_attempts, self.config.login_attempts_per_address, self.config.login_window
        )
        self._hasher = PasswordHasher()
        self._dummy_hash = ""
        self._secret = b""
        self._cache: Dict[str, Tuple[Session, float]] = {}
        self._verified: Dict[str, Dict[str, Any]] = {}  # token -> its checked claims

    async def prepare(self) -> None:
        """Create the tables and the signing secret; call once after the database is connected."""
        await self.database.migrate("auth", MIGRATIONS)
        self._secret = await asyncio.to_thread(load_secret, self.data_path)
        self._dummy_hash = await asyncio.to_thread(self._hasher.hash, secrets.token_hex(16))

    # -- users -----------------------------------------------------------------------------------

    async def add_user(self, username: str, password: str, admin: bool = False) -> User:
        """Create a user; raises AuthenticationError if the name is taken or invalid."""
        check_username(username)
        password_hash = await asyncio.to_thread(self._hasher.hash, check_password(password))
        now = time.time()
        changed = await self.database.execute(
            "INSERT OR IGNORE INTO users (id, password_hash, created_at) VALUES (:id, :hash, :now)",
            {"id": username, "hash": password_hash, "now": now},
        )
        if not changed:
            raise AuthenticationError(f"there is already a user called {username}", "user-exists")
        if self.permissions is not None:
            await self.permissions.set_admin(username, admin)
        _LOGGER.info("Added user %s%s", username, " (admin)" if admin else "")
        return User(username, now, admin)

    async def remove_user(self, username: str) -> bool:
        """Delete a user, ending every session and dropping their database grants."""
        if not await self.database.execute("DELETE FROM users WHERE id = :id", {"id": username}):
            return False
        await self.revoke_user_sessions(username)
        if self.permissions is not None:
            await self.permissions.revoke_all(username)
        _LOGGER.info("Removed user %s", username)
        return True

    async def set_password(self, username: str, password: str) -> None:
        """Change a user's password and end every session they had."""
        password_hash = await asyncio.to_thread(self._hasher.hash, check_password(password))
        changed = await self.database.execute(
            "UPDATE users SET password_hash = :hash WHERE id = :id", {"id": username, "hash": password_hash}
        )
        if not changed:
            raise AuthenticationError(f"there is no user called {username}", "no-such-user")
        await self.revoke_user_sessions(username)
        _LOGGER.info("Changed the password of %s", username)

    async def get_user(self, username: str) -> Optional[User]:
        rows = await self.database.execute_query(
            "SELECT id, created_at FROM users WHERE id = :id", {"id": username}
        )
        return await self._user(rows[0]) if rows else None

    async def list_users(self) -> List[User]:
        """Every user, by name."""
        rows = await self.database.execute_query("SELECT id, created_at FROM users ORDER BY id")
        return [await self._user(row) for row in rows]

    async def count_users(self) -> int:
        rows = await self.database.execute_query("SELECT COUNT(*) AS n FROM users")
        return int(rows[0]["n"])

    async def _user(self, row: Dict[str, Any]) -> User:
        admin = await self.permissions.is_admin(row["id"]) if self.permissions is not None else False
        return User(row["id"], row["created_at"], admin)

    # -- logging in ------------------------------------------------------------------------------

    async def authenticate_user(self, username: str, password: str) -> Optional[User]:
        """The user if ``password`` is theirs, else None (as slow for unknown names as for known)."""
        rows = await self.database.execute_query(
            "SELECT id, password_hash, created_at FROM users WHERE id = :id", {"id": username}
        )
        stored = rows[0]["password_hash"] if rows else self._dummy_hash
        try:
            await asyncio.to_thread(self._hasher.verify, stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return None
        return await self._user(rows[0]) if rows else None

    async def login(self, username: str, password: str, address: str = "") -> Session:
        """Check the password and open a session; raises AuthenticationError (or
        :class:`TooManyAttempts`) with a reason a person can read."""
        self.limiter.check(username, address)
        user = await self.authenticate_user(username, password)
        if user is None:
            self.limiter.failed(username, address)
            _LOGGER.warning("Failed login for %r from %s", username[:64], address or "?")
            raise AuthenticationError("wrong user name or password", "invalid-credentials")
        self.limiter.succeeded(username)
        session = await self.create_session(user, address)
        _LOGGER.info("%s logged in from %s", user.id, address or "?")
        return session

    async def create_session(self, user: User, address: str = "") -> Session:
        """Create user session; the returned session carries its token."""
        now = time.time()
        session = Session(uuid.uuid4().hex, user.id, now, now + self.config.token_lifetime)
        await self.database.execute(
            "INSERT INTO sessions (id, user_id, created_at, expires_at, address) "
            "VALUES (:id, :user, :created, :expires, :address)",
            {"id": session.id, "user": user.id, "created": now, "expires": session.expires_at, "address": address},
        )
        claims = {"sub": user.id, "sid": session.id, "iat": int(now), "exp": int(session.expires_at)}
        return replace(session, token=jwt.encode(claims, self._secret, algorithm=TOKEN_ALGORITHM))

    async def validate_session(self, session_id: str) -> Optional[Session]:
        """The session if it exists, has not expired and was not revoked; else None."""
        now = time.monotonic()
        cached = self._cache.get(session_id)
        if cached is not None and cached[1] > now:
            return cached[0] if cached[0].active else None
        rows = await self.database.execute_query(
            "SELECT id, user_id, created_at, expires_at, revoked_at FROM sessions WHERE id = :id",
            {"id": session_id},
        )
        session = Session(**rows[0]) if rows else None
        if session is not None and self.config.session_cache_seconds > 0:
            if len(self._cache) >= CACHE_LIMIT:
                self._cache.clear()
            self._cache[session_id] = (session, now + self.config.session_cache_seconds)
        return session if session is not None and session.active else None

    async def validate_token(self, token: str) -> Session:
        """The live session a token stands for; raises AuthenticationError saying why not."""
        claims = self._verified.get(token)
        if claims is None or claims["exp"] <= time.time():
            claims = self._decode(token)
        session = await self.validate_session(str(claims["sid"]))
        if session is None or session.user_id != claims["sub"]:
            raise AuthenticationError("the session has ended; log in again", "session-revoked")
        return session

    def _decode(self, token: str) -> Dict[str, Any]:
        """The claims of a token whose signature and expiry check out (remembered for next time)."""
        try:
            claims = jwt.decode(
                token, self._secret, algorithms=[TOKEN_ALGORITHM], options={"require": ["exp", "sid", "sub"]}
            )
        except jwt.ExpiredSignatureError as err:
            raise AuthenticationError("the login has expired; log in again", "token-expired") from err
        except jwt.PyJWTError as err:
            raise AuthenticationError("the token is not valid; log in again", "invalid-token") from err
        if len(self._verified) >= CACHE_LIMIT:
            self._verified.clear()
        self._verified[token] = claims
        return claims

    async def revoke_session(self, session_id: str) -> bool:
        """Revoke user session; True if it was live until now."""
        self._cache.pop(session_id, None)
        changed = await self.database.execute(
            "UPDATE sessions SET revoked_at = :now WHERE id = :id AND revoked_at IS NULL",
            {"id": session_id, "now": time.time()},
        )
        return bool(changed)

    async def revoke_user_sessions(self, user_id: str) -> int:
        """End every session of ``user_id``; returns how many were live."""
        for session_id in [sid for sid, (s, _) in self._cache.items() if s.user_id == user_id]:
            self._cache.pop(session_id, None)
        return await self.database.execute(
            "UPDATE sessions SET revoked_at = :now WHERE user_id = :user AND revoked_at IS NULL",
            {"user": user_id, "now": time.time()},
        )

    async def active_session_count(self) -> int:
        rows = await self.database.execute_query(
            "SELECT COUNT(*) AS n FROM sessions WHERE revoked_at IS NULL AND expires_at > :now", {"now": time.time()}
        )
        return int(rows[0]["n"])
