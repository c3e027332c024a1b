"""Memory: remember what a person says, and recall it later by meaning, offline.

Say "remember that the wifi password is hunter2"; days later "what's the password for the
wireless?" finds it, because memories are matched by the meaning of the whole question (the
on-device all-MiniLM-L6-v2 model through :class:`~astros.storage.vectors.VectorStore`), not by
its words. "Forget the wifi password" and "what do you remember?" work as well. Each person has
a memory of their own (the user id of the request); memories live under ``DATA_DIR/vectors``
and survive restarts.

Settings, ``[plugins.settings.memory]``:
- ``min_score`` (number, default 0.35): how close in meaning (cosine similarity, 0 to 1) a memory
  must be to a question to be recalled or forgotten.

Needs the ``memory`` permission.
"""

from __future__ import annotations

import re
from typing import List, Optional

from astros.plugins.base import BasePlugin, plugin_handler
from astros.storage.vectors import SearchResult, VectorStore
from astros.types import Intent, Response

COLLECTION = "memories"
DEFAULT_MIN_SCORE = 0.35
SAME_FACT = 0.9  # a new memory this close to an old one replaces it ("the code is now 1234")
LIST_LIMIT = 5
_SWAPS = {"i": "you", "i'm": "you're", "im": "you're", "me": "you", "my": "your", "mine": "yours",
          "we": "you", "we're": "you're", "our": "your", "ours": "yours", "am": "are", "myself": "yourself"}
_WORD = re.compile(r"[A-Za-z']+")
_LEAD = re.compile(r"^(that|about)\s+", re.IGNORECASE)


def second_person(fact: str) -> str:
    """``fact`` as said back to the person ("my car is on level 3" -> "your car is on level 3")."""
    return _WORD.sub(lambda m: _SWAPS.get(m.group(0).lower(), m.group(0)), fact)


class MemoryPlugin(BasePlugin):
    """Remembers facts per person and recalls them by meaning."""

    name = "memory"
    version = "1.0.0"
    description = "Remember facts you tell it and recall them by meaning"
    author = "AstrOS"
    requires_permissions = ["memory"]

    def __init__(self) -> None:
        super().__init__()
        self.store: Optional[VectorStore] = None
        self.min_score = DEFAULT_MIN_SCORE

    async def initialize(self) -> None:
        assert self.context is not None
        score = (self.config or {}).get("min_score", DEFAULT_MIN_SCORE)
        if isinstance(score, bool) or not isinstance(score, (int, float)) or not 0 <= score <= 1:
            raise ValueError(f"plugins.settings.memory.min_score: must be a number from 0 to 1; got {score!r}")
        self.min_score = float(score)
        self.store = VectorStore(self.context.config.data_path / "vectors")

    async def shutdown(self) -> None:
        if self.store is not None:
            await self.store.close()

    # -- handlers --------------------------------------------------------------------------------

    @plugin_handler("AstrosMemoryRemember")
    async def handle_remember(self, intent: Intent) -> Response:
        """Remember the fact in ``message`` for the person asking."""
        fact = _LEAD.sub("", str(intent.entities.get("message") or "").strip()).rstrip(" .!?")
        if not fact:
            return Response(False, "What should I remember?")
        user = intent.original_request.user_id
        same = await self._closest(fact, user, SAME_FACT)
        ids = [same.id] if same is not None else None
        assert self.context is not None and self.store is not None
        created = self.context.now().isoformat(timespec="seconds")
        stored = await self.store.add_documents([fact], [{"user": user, "created": created}], COLLECTION, ids)
        verb = "updated that" if same is not None else "I'll remember that"
        return Response(True, f"Okay, {verb} {second_person(fact)}.", data={"id": stored[0], "fact": fact})

    @plugin_handler("AstrosMemoryRecall")
    async def handle_recall(self, intent: Intent) -> Response:
        """Say the remembered fact closest in meaning to the question."""
        question = self._question(intent)
        found = await self._closest(question, intent.original_request.user_id, self.min_score)
        if found is None:
            return Response(False, "I don't remember anything about that.", data={"found": False})
        fact = second_person(found.content)
        return Response(True, f"You told me {fact}.", data={"found": True, "fact": found.content, "score": round(found.score, 3)})

    @plugin_handler("AstrosMemoryForget")
    async def handle_forget(self, intent: Intent) -> Response:
        """Forget the remembered fact closest in meaning, or every one with ``name`` "all"."""
        assert self.store is not None
        user = intent.original_request.user_id
        if intent.entities.get("name") == "all":
            mine = await self.store.list_documents(COLLECTION, {"user": user})
            await self.store.delete_documents([doc.id for doc in mine], COLLECTION)
            return Response(True, f"Okay, I've forgotten everything you told me ({len(mine)} things).", data={"forgotten": len(mine)})
        found = await self._closest(self._question(intent), user, self.min_score)
        if found is None:
            return Response(False, "I don't remember anything like that to forget.", data={"forgotten": 0})
        await self.store.delete_documents([found.id], COLLECTION)
        return Response(True, f"Okay, I've forgotten that {second_person(found.content)}.", data={"forgotten": 1, "fact": found.content})

    @plugin_handler("AstrosMemoryList")
    async def handle_list(self, intent: Intent) -> Response:
        """Say what is remembered for the person asking, newest first."""
        assert self.store is not None
        mine = await self.store.list_documents(COLLECTION, {"user": intent.original_request.user_id})
        mine.sort(key=lambda doc: str(doc.metadata.get("created", "")), reverse=True)
        facts = [doc.content for doc in mine]
        if not facts:
            return Response(True, "You haven't asked me to remember anything yet.", data={"memories": []})
        spoken = "; ".join(second_person(fact) for fact in facts[:LIST_LIMIT])
        more = f", and {len(facts) - LIST_LIMIT} more" if len(facts) > LIST_LIMIT else ""
        things = "one thing" if len(facts) == 1 else f"{len(facts)} things"
        return Response(True, f"I remember {things}: {spoken}{more}.", data={"memories": facts})

    # -- helpers ---------------------------------------------------------------------------------

    @staticmethod
    def _question(intent: Intent) -> str:
        """What to search by: the whole sentence said (its meaning), else the ``message`` slot."""
        return intent.original_request.text.strip() or str(intent.entities.get("message") or "")

    async def _closest(self, text: str, user: str, min_score: float) -> Optional[SearchResult]:
        assert self.store is not None
        if not text.strip():
            return None
        found: List[SearchResult] = await self.store.search(text, 1, COLLECTION, {"user": user})
        return found[0] if found and found[0].score >= min_score else None

