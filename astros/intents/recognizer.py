"""IntentRecognizer: what a sentence asks for, how sure AstrOS is, and its slots.

Recognition runs in layers:

1. **Templates** - the plugins' hassil sentence templates, with the home's names as slot lists.
   A match is exact and gets a high confidence.
2. **Tolerant layer** - the nearest paraphrase or template sample by meaning (sentence
   embeddings). Slots are read from the words. A guess for an intent that would change the home
   gets a confidence below ``action_confidence`` unless the match is strong, so the agent asks
   back before acting.
3. **Not understood** - type ``""`` with confidence 0 (a later stage may hand it to a language
   model).
"""

from __future__ import annotations

import asyncio
import copy
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Any

from ..config import IntentsConfig
from ..embeddings import SentenceEmbedder, shared_embedder
from ..errors import ModelNotFoundError
from ..home import Home
from ..types import Intent, UserRequest, utcnow
from . import cues, entities, extract, slots as slot_rules
from .semantic import SemanticGuess, SemanticMatcher, best_of, load_paraphrases
from .templates import TemplateMatch, TemplateMatcher
from .vocabulary import AREA_INTENTS, GAME_WORDS, QUERY_INTENTS

_LOGGER = logging.getLogger(__name__)

TEMPLATE_CONFIDENCE = 1.0
WILDCARD_CONFIDENCE = 0.9
SAMPLES_PER_INTENT = 20
STRONG_SCORE = 0.86  # a tolerant guess this close to an example may act without asking
STRONG_MARGIN = 0.06
ANSWER_SCORE = 0.62  # a query intent this close is answered
GUESS_SCORE = 0.5  # below this the tolerant layer does not guess a query intent
ACTION_GUESS_SCORE = 0.6  # ... nor an intent that changes something
_WARM_UP = (
    "set the brightness to 50 percent", "set a timer for 5 minutes", "set the volume to 30",
    "set the temperature to 20 degrees", "open the blinds to 40 percent", "wake me up at seven",
)
EXACT_MEMO_SIZE = 512  # exact template matches remembered, so a repeated sentence skips matching
_PLAYABLE = {"radio", "music", "the radio", "the music", "podcast", "audiobook"}


@dataclass
class Recognition:
    """The outcome for one sentence: ``intent`` ("" when not understood), ``confidence``,
    ``entities`` (slots), and which ``layer`` decided ("template", "semantic" or "")."""

    intent: str
    confidence: float
    entities: dict[str, Any] = field(default_factory=dict)
    layer: str = ""
    detail: str = ""
    open_ended: bool = False
    """The sentence ends in free text: its speaker may not be done (see ``TemplateMatch``)."""


class IntentRecognizer:
    """Recognises intents from text using plugins' templates and a tolerant embedding layer."""

    def __init__(
        self, home: Home, config: IntentsConfig, timezone: tzinfo | None = None, cache_dir: Path | None = None
    ) -> None:
        """``home``: the configured home; ``config``: confidence thresholds; ``timezone``: for dates;
        ``cache_dir``: where the example vectors are kept between starts (None: embedded each start)."""
        self.home = home
        self.config = config
        self.timezone = timezone
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self.layers = ("template", "semantic")  # which layers run (benchmarks compare them)
        self.keyword_evidence = True  # add the words' evidence (``cues``) to the tolerant layer
        self.custom_handlers: dict[str, Callable] = {}
        self.templates = TemplateMatcher(home)
        self.semantic: SemanticMatcher | None = None
        self._embedder: SentenceEmbedder | None = None
        self._prepared = False
        self._exact: dict[tuple[str, str | None, str], Recognition] = {}

    # ---- set-up -------------------------------------------------------------------------------
    def add_sentence_files(self, paths: Iterable[Path]) -> None:
        """Add hassil YAML files (a plugin's ``sentences/*.yaml``); used from the next ``prepare``."""
        self.templates.add_files(paths)
        self._prepared = False
        self._exact.clear()

    def register_intent_handler(
        self, intent_type: str, handler: Callable, sentences: list[str] | None = None
    ) -> None:
        """Register a custom handler for ``intent_type``; ``sentences`` (hassil templates) make
        the type recognisable. Call ``prepare`` again for new sentences to take effect."""
        self.custom_handlers[intent_type] = handler
        self._exact.clear()
        if sentences:
            self.templates.add_sentences(intent_type, sentences)
            self._prepared = False
            if self.semantic is not None:
                self.templates.build()

    async def prepare(self) -> None:
        """Build the templates and, in a worker thread, load the model and embed the examples."""
        await asyncio.to_thread(self.prepare_sync)

    def prepare_sync(self) -> None:
        """``prepare`` for synchronous callers (benchmarks, the command line)."""
        self._exact.clear()
        self.templates.build()
        if self._embedder is None:
            self._embedder = shared_embedder()
        matcher = SemanticMatcher(self._embedder, self.cache_dir)
        matcher.fit(tolerant_examples(self.templates.samples(SAMPLES_PER_INTENT), load_paraphrases()))
        self.semantic = matcher
        self._prepared = True

    def warm_up(self) -> None:
        """Run a few sentences through every layer, so the first real ones are not slowed by
        one-off work (hassil builds its number tables on first use; the model's batch session
        opens). For long-running streams; a single request does not need it."""
        self.recognize_many([(text, None) for text in _WARM_UP * 2])

    # ---- recognition --------------------------------------------------------------------------
    async def recognize(self, request: UserRequest) -> Intent:
        """The intent of ``request`` (type "" and confidence 0.0 when not understood).

        An exact template match is remembered for the same words, area and minute, so a sentence
        said again (a phone polling "timer status") skips matching."""
        area = request.context.get("area") if request.context else None
        key = (" ".join(request.text.split()), area or self.home.area, self._now().strftime("%Y-%m-%d %H:%M"))
        result = self._exact.get(key) if self._prepared else None
        if result is None:
            result = await asyncio.to_thread(self.recognize_text, request.text, area)
            if result.layer == "template" and result.confidence == TEMPLATE_CONFIDENCE:
                if len(self._exact) >= EXACT_MEMO_SIZE:
                    self._exact.clear()
                self._exact[key] = result
        return Intent(
            type=result.intent,
            confidence=result.confidence,
            entities=copy.deepcopy(result.entities),
            context={"layer": result.layer, **(request.context or {})},
            timestamp=utcnow(),
            original_request=request,
        )

    def recognize_text(self, text: str, area: str | None = None) -> Recognition:
        """Recognise ``text`` said in ``area`` (default: the home's own area). Synchronous."""
        return self.recognize_many([(text, area)])[0]

    def recognize_many(self, requests: Sequence[tuple[str, str | None]]) -> list[Recognition]:
        """``recognize_text`` for many (text, area) pairs, with the same results. Sentences that
        need the tolerant layer are embedded together in one call, which is faster per line
        (``astros recognize`` on a stream)."""
        if not self._prepared:
            self.prepare_sync()
        texts = [" ".join(text.split()) for text, _ in requests]
        found = [self.templates.match(text) if text else None for text in texts]
        wanted = [t for t, f in zip(texts, found) if t and (f is None or (f.wildcards and f.intent not in QUERY_INTENTS))]
        if wanted and self.semantic is not None:
            self.semantic.vectors(wanted)  # kept in memory: the lookups below find them
        return [
            self._recognize(text, area or self.home.area, match)
            for text, (_, area), match in zip(texts, requests, found)
        ]

    def _recognize(self, text: str, here: str | None, found: TemplateMatch | None) -> Recognition:
        if not text:
            return Recognition("", 0.0)
        if found is not None and "template" in self.layers:
            result = self._from_template(found, text, here)
            if result is not None:
                return result
        if "semantic" not in self.layers:
            return Recognition("", 0.0)
        return self._from_guess(text, here, self._guess(text))

    def _guess(self, text: str) -> SemanticGuess | None:
        """The tolerant layer's guess with the words' evidence (``cues``) added to its scores."""
        guess = self.semantic.classify(text) if self.semantic is not None else None
        if guess is None:
            return None
        bonus = cues.evidence(cues.normalize(text)) if self.keyword_evidence else {}
        if not bonus:
            return guess
        scores = dict(guess.scores)
        base = min(scores.values())
        for label, amount in bonus.items():
            scores[label] = scores.get(label, base) + amount
        return best_of(scores, guess.nearest)

    async def extract_entities(self, text: str) -> dict[str, Any]:
        """Entities in ``text``: numbers, durations, times, dates and the home's names."""
        found: dict[str, Any] = extract.home_slots(text, self.home)
        found.update(entities.extract_entities(text, self.home, self._now()))
        return found

    # ---- layers -------------------------------------------------------------------------------
    def _from_template(self, found: TemplateMatch, text: str, here: str | None) -> Recognition | None:
        slots = dict(found.slots)
        intent = found.intent
        if not self._finish_slots(intent, slots, found, text):
            return None
        intent = _retarget(intent, slots, self.home, found.slot_texts.get("name"))
        if _asks_for_game(intent, text):
            return None
        if found.wildcards and not self._wildcards_plausible(intent, text, slots):
            return None
        self._fill_area(intent, slots, found.metadata, here)
        confidence = WILDCARD_CONFIDENCE if found.wildcards else TEMPLATE_CONFIDENCE
        return Recognition(intent, confidence, slots, "template", open_ended=found.open_ended)

    def _finish_slots(self, intent: str, slots: dict[str, Any], found: TemplateMatch, text: str) -> bool:
        slot_rules.merge_durations(slots)
        slot_rules.apply_cover_class(slots)
        slot_rules.apply_state_nouns(slots, found.slot_texts.get("state"))
        slot_rules.apply_volume(slots, found.metadata)
        slot_rules.clean_text_slots(slots)
        slot_rules.apply_device(slots, self.home, found.slot_texts.get("state"))
        if intent.startswith("Alarm") and not slot_rules.apply_alarm(slots, self._today()):
            return False
        if "conversation_command" in slots:
            inner = self.templates.match(slots["conversation_command"])
            if inner is None or inner.intent in QUERY_INTENTS or inner.intent == "HassStartTimer":
                return False
        return True

    def _wildcards_plausible(self, intent: str, text: str, slots: dict[str, Any]) -> bool:
        """A template that captured free text is checked against the tolerant layer: when the
        sentence is nearer to an out-of-scope example than to the intent, it is not trusted."""
        if intent in QUERY_INTENTS or self.semantic is None:
            return True
        guess = self._guess(text)
        if guess is None or guess.intent:
            return True
        return guess.score < 0.6

    def _from_guess(self, text: str, here: str | None, guess: SemanticGuess | None) -> Recognition:
        if guess is None or not guess.intent or guess.score < GUESS_SCORE or _not_media(guess.intent, text):
            return Recognition("", 0.0, layer="", detail=guess.example if guess else "")
        intent = guess.intent
        if intent not in QUERY_INTENTS and guess.score < ACTION_GUESS_SCORE:
            return Recognition("", 0.0, layer="", detail=guess.example)
        slots = extract.home_slots(text, self.home)
        slots.update(extract.intent_slots(intent, text, self._today()))
        slot_rules.apply_device(slots, self.home)
        intent = _retarget(intent, slots, self.home, None)
        self._fill_area(intent, slots, {}, here)
        confidence = self._semantic_confidence(intent, guess.score, guess.margin)
        if confidence < self.config.min_confidence:
            return Recognition("", 0.0, detail=guess.example)
        return Recognition(intent, round(confidence, 3), slots, "semantic", guess.example)

    def _semantic_confidence(self, intent: str, score: float, margin: float) -> float:
        """Similarity -> confidence. State-changing guesses stay below ``action_confidence``
        unless they are strong; query guesses are answered when reasonably close."""
        floor = self.config.min_confidence
        if intent in QUERY_INTENTS:
            if score >= ANSWER_SCORE:
                return max(floor, min(0.95, score))
            return floor
        if score >= STRONG_SCORE and margin >= STRONG_MARGIN:
            return max(self.config.action_confidence, min(0.95, score))
        span = max(self.config.action_confidence - floor - 0.01, 0.0)
        return floor + span * min(max((score - GUESS_SCORE) / (STRONG_SCORE - GUESS_SCORE), 0.0), 1.0)

    def _fill_area(self, intent: str, slots: dict[str, Any], metadata: dict[str, Any], here: str | None) -> None:
        """Commands with no device, area or floor act on the requesting area."""
        if intent not in AREA_INTENTS or metadata.get("everywhere") or here is None:
            return
        if any(slots.get(key) for key in ("name", "area", "floor")) and slots.get("name") != "all":
            return
        if "area" not in slots and "floor" not in slots:
            slots["area"] = here
            slots["context_area"] = True

    # ---- time ---------------------------------------------------------------------------------
    def _now(self) -> datetime:
        return datetime.now(self.timezone) if self.timezone else datetime.now().astimezone()

    def _today(self) -> date:
        return self._now().date()


def _asks_for_game(intent: str, text: str) -> bool:
    """"play chess with me" asks for a game, which no media player can play."""
    if intent != "HassMediaSearchAndPlay":
        return False
    words = set(text.lower().replace("-", " ").split())
    return bool(words & GAME_WORDS) or text.lower().rstrip(" ?.!").endswith(("with me", "with us"))


def _not_media(intent: str, text: str) -> bool:
    """The media guard of the tolerant layer: games, questions and likes are not playback."""
    return intent == "HassMediaSearchAndPlay" and cues.is_not_media(cues.normalize(text))


def _retarget(intent: str, slots: dict[str, Any], home: Home, spoken_name: str | None) -> str:
    """Adjust the intent to what its target is: turning a vacuum on starts it, switching on
    "the radio" or "the music" plays it, the shopping list has its own intents."""
    domain = slots.get("domain")
    if intent == "HassTurnOn" and domain == "media_player" and (spoken_name or "").lower() in _PLAYABLE:
        slots["search_query"] = spoken_name.lower()
        return "HassMediaSearchAndPlay"
    if intent == "HassTurnOn" and domain == "vacuum":
        return "HassVacuumStart"
    if intent == "HassTurnOff" and domain == "vacuum":
        return "HassVacuumReturnToBase"
    if intent in ("HassListAddItem", "HassListCompleteItem"):
        name = str(slots.get("name") or "")
        if not name or "shopping" in name.lower():
            slots.pop("name", None) if not name else None
            return intent.replace("HassList", "HassShoppingList")
    return intent


def tolerant_examples(samples: list[tuple[str, str]], paraphrases: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """What the tolerant layer learns from: the paraphrases, and template samples of the intents
    that have paraphrases. An intent known only from its templates (a skill's own free-text
    commands, such as the memory's) is matched by those templates alone: a handful of samples is
    too little to guess it from other wordings, and such guesses would answer unrelated questions."""
    covered = {intent for intent, _ in paraphrases}
    return [sample for sample in samples if sample[0] in covered] + paraphrases


__all__ = ["IntentRecognizer", "Recognition", "ModelNotFoundError"]
