"""Login limits: failed logins counted per user name and per client address over a sliding window."""

from __future__ import annotations

import time
from collections import deque
from typing import Dict, Final, Tuple

from ..errors import AuthenticationError

KEYS_KEPT: Final = 10_000  # counters kept before those with no recent failure are dropped


class TooManyAttempts(AuthenticationError):
    """Too many failed logins for a user name or from an address; ``retry_after`` in seconds."""

    code = "too-many-attempts"

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"too many failed logins; try again in {max(1, round(retry_after))} seconds")
        self.retry_after = max(1, round(retry_after))


class LoginLimiter:
    """Counts failed logins per user name and per address over a sliding window."""

    def __init__(self, per_user: int, per_address: int, window_s: float) -> None:
        self.limits = {"user": per_user, "address": per_address}
        self.window_s = window_s
        self._failures: Dict[Tuple[str, str], deque[float]] = {}

    def check(self, username: str, address: str) -> None:
        """Raise TooManyAttempts if either the name or the address has used up its attempts."""
        now = time.monotonic()
        for key in (("user", username), ("address", address)):
            recent = self._recent(key, now)
            if len(recent) >= self.limits[key[0]]:
                raise TooManyAttempts(recent[0] + self.window_s - now)

    def failed(self, username: str, address: str) -> None:
        now = time.monotonic()
        if len(self._failures) > KEYS_KEPT:
            self._failures = {k: v for k, v in self._failures.items() if v and v[-1] > now - self.window_s}
        for key in (("user", username), ("address", address)):
            self._failures.setdefault(key, deque(maxlen=self.limits[key[0]])).append(now)

    def succeeded(self, username: str) -> None:
        self._failures.pop(("user", username), None)

    def _recent(self, key: Tuple[str, str], now: float) -> deque[float]:
        recent = self._failures.get(key, deque())
        while recent and recent[0] <= now - self.window_s:
            recent.popleft()
        return recent
