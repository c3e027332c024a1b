"""The recent conversation, per user and session, that a language model sees with a new request.

Each (user, session) keeps its last ``max_turns`` exchanges, trimmed further (oldest first) to
about ``max_tokens`` tokens (counted as four characters a token, which is close enough for
English and errs on the safe side). Idle conversations are dropped after ``idle_seconds``.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from typing import Deque, List, Tuple

from .types import Message

Key = Tuple[str, str]
MAX_CONVERSATIONS = 500


def estimate_tokens(text: str) -> int:
    """A cheap upper estimate of the tokens in ``text``."""
    return len(text) // 4 + 1


class ConversationHistory:
    """Bounded recent exchanges (a user's words and AstrOS's answer) per user and session."""

    def __init__(self, max_turns: int = 6, max_tokens: int = 1200, idle_seconds: float = 1800.0) -> None:
        self.max_turns = max_turns
        self.max_tokens = max_tokens
        self.idle_seconds = idle_seconds
        self._turns: "OrderedDict[Key, Tuple[float, Deque[Tuple[str, str]]]]" = OrderedDict()

    def add(self, user_id: str, session_id: str, said: str, answered: str) -> None:
        """Remember one exchange."""
        key = (user_id, session_id)
        _seen, turns = self._turns.pop(key, (0.0, deque(maxlen=max(self.max_turns, 1))))
        turns.append((said, answered))
        self._turns[key] = (time.monotonic(), turns)
        while len(self._turns) > MAX_CONVERSATIONS:
            self._turns.popitem(last=False)

    def messages(self, user_id: str, session_id: str) -> List[Message]:
        """The exchanges to send, oldest first, within the turn and token bounds."""
        seen, turns = self._turns.get((user_id, session_id), (0.0, deque()))
        if not turns or time.monotonic() - seen > self.idle_seconds:
            return []
        kept: List[Tuple[str, str]] = []
        budget = self.max_tokens
        for said, answered in reversed(turns):
            cost = estimate_tokens(said) + estimate_tokens(answered)
            if cost > budget:
                break
            budget -= cost
            kept.append((said, answered))
        kept.reverse()
        return [m for said, answered in kept for m in (Message("user", said), Message("assistant", answered))]

    def clear(self, user_id: str, session_id: str) -> None:
        """Forget one conversation."""
        self._turns.pop((user_id, session_id), None)
