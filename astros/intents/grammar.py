"""The sentences of this home nearest to a heard text: a closed grammar for speech to text.

Speech to text of a short command is often a near miss ("what's the wedding", "turn on standing
lights", "set bed light right 50%"). :class:`CommandGrammar` turns the skills' hassil templates,
with this home's names, into one word graph (hassil's FST: every template, optional words as
empty paths, slot lists as placeholders; then made deterministic, one arc per word from each
state, so sentences that begin alike are searched once) and finds the template sentences with
the fewest word edits from a text (a best-first search over graph state and text position;
similar-looking words cost less than others). The voice then scores these few candidates against the audio
(:mod:`astros.voice.decode`), as a closed-grammar recogniser would, instead of trusting the
text. Free text (a shopping item, a song) and numbers are taken from the heard words, never
invented.
"""

from __future__ import annotations

import heapq
import logging
import re
import time
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any, Final, Optional

from hassil.intents import RangeSlotList, TextSlotList, WildcardSlotList
from hassil.sample import sample_expression

from .numbers import parse_number

_LOGGER = logging.getLogger(__name__)

EPS: Final = "<eps>"
TIE_BREAK: Final = 0.001  # orders sentences the same number of edits away (see _similarity)
INSERT_COST: Final = 1.0 - TIE_BREAK  # a heard word the sentence does not have
DELETE_COST: Final = 1.0 - TIE_BREAK  # a sentence word not heard
MAX_SPAN: Final = 4  # words a name or a number may take
NAME_EDITS: Final = 1.5  # word edits at most between a name and the words heard for it
MAX_STEPS: Final = 12000  # search steps at most: a text far from every sentence gives up in bounded time
SIMILAR_MEMO: Final = 100_000  # word pairs whose similarity is remembered
SIMILAR_FLOOR: Final = 0.4  # spellings less alike than this (difflib's ratio) are unrelated words
MAX_SECONDS: Final = 0.25  # ... and at most this long on a busy machine
FREE: Final = "\x00"  # marks a word that free text took from the heard words
Arc = tuple[int, str, tuple[str, ...]]
"""(next state, word or placeholder, words glued after a placeholder)"""
_PLACEHOLDER = re.compile(r"^\{([a-z_]+)\}(.*)$")
_SUFFIXES: Final = {"%": ["percent"], "per": ["per"], "percent": ["percent"], "°": ["degrees"],
                    "degree": ["degree"], "degrees": ["degrees"], "'s": None, ",": []}


def words_of(text: str) -> list[str]:
    """Lower-case words of ``text``, "%" said as "percent", other punctuation dropped."""
    text = text.lower().replace("%", " percent ").replace("°", " degrees ")
    return re.sub(r"[^a-z0-9' ]+", " ", text).split()


@dataclass(frozen=True, slots=True)
class Candidate:
    """A template sentence near a heard text, and how many word edits away it is."""

    text: str
    cost: float


class CommandGrammar:
    """The word graph of a template matcher's sentences, searched for the nearest sentences."""

    def __init__(self, intents: Any, slot_lists: dict[str, Any], *, deterministic: bool = True) -> None:
        """``deterministic=False`` keeps hassil's graph as it is, a path per template (for comparison)."""
        from hassil.fst import intents_to_fst

        lists = {**intents.slot_lists, **slot_lists}
        self.wildcards = {name for name, slot in lists.items() if isinstance(slot, WildcardSlotList)}
        """Free-text slots: in the graph as placeholders that take the words heard there."""
        stand_ins = {name: TextSlotList.from_strings(["_"], allow_template=False, name=name) for name in self.wildcards}
        fst = intents_to_fst(intents, {**slot_lists, **stand_ins}).remove_spaces()
        arcs = {state: [self._arc(arc) for arc in out] for state, out in fst.arcs.items()}
        words_only: dict[int, list[Arc]] = {}
        accepting: set[int] = set()
        for state in arcs:
            reach = _closure(state, arcs)
            words_only[state] = [arc for near in reach for arc in arcs.get(near, ()) if arc[1] != EPS]
            if reach & fst.final_states:
                accepting.add(state)
        accepting |= set(fst.final_states)
        self.start, self.arcs, self.final = fst.start, words_only, frozenset(accepting)
        """state -> (next state, word or placeholder, words after a placeholder): no empty paths (so
        the search never stops on a state that says nothing) and, when ``deterministic``, one arc
        per word from each state (the templates' thousands of first words are a few hundred)."""
        if deterministic:
            self.start = 0
            self.arcs, self.final = _determinize(fst.start, words_only, accepting)
        self.values = _placeholder_values(lists)
        self.ranges = {name for name, slot in lists.items() if isinstance(slot, RangeSlotList)}
        self._similar: dict[tuple[str, str], float] = {}
        self.fewest, self.most = self._words_left()
        """state -> the fewest and the most words a sentence still has from there (the search's bound)."""

    def _words_left(self) -> tuple[dict[int, int], dict[int, int]]:
        """Per state, the fewest and the most words to a final state (placeholders: 1 to MAX_SPAN)."""
        fewest: dict[int, int] = {}
        most: dict[int, int] = {}
        stack = [(self.start, False)]
        while stack:
            state, expanded = stack.pop()
            if state in fewest:
                continue
            arcs = self.arcs.get(state, ())
            if not expanded:
                stack.append((state, True))
                stack.extend((arc[0], False) for arc in arcs if arc[0] not in fewest)
                continue
            low, high = (0, 0) if state in self.final else (10**6, -1)
            for next_state, label, suffix in arcs:
                size = (0, 0) if label == EPS else (1 + len(suffix), MAX_SPAN + len(suffix)) if label[0] == "{" else (1, 1)
                low = min(low, size[0] + fewest.get(next_state, 10**6))
                high = max(high, size[1] + most.get(next_state, -1))
            fewest[state], most[state] = low, high
        return fewest, most

    @staticmethod
    def _arc(arc: Any) -> Arc:
        label = arc.in_label
        if label in (EPS, "<skip>"):
            return arc.to_state, EPS, ()
        found = _PLACEHOLDER.match(label)
        if found:
            suffix = _SUFFIXES.get(found.group(2), [found.group(2)]) if found.group(2) else []
            return arc.to_state, "{" + found.group(1) + "}", tuple(suffix or ())
        word = label.strip(",").lower()
        return arc.to_state, word or EPS, ()

    def nearest(self, text: str, limit: int = 8, max_cost: Optional[float] = None) -> list[Candidate]:
        """At most ``limit`` template sentences nearest to ``text``, nearest first (each sentence
        once), none further than ``max_cost`` edits (default: 0.4 per word, from 1.5 to 2)."""
        heard = words_of(text)
        if not heard:
            return []
        fills: dict[tuple[str, tuple[str, ...], int], list[tuple[float, int, tuple[str, ...]]]] = {}
        bound = max_cost if max_cost is not None else min(2.0, max(1.5, 0.4 * len(heard)))
        # ordered by the least total edits possible, then the furthest into the text (ties are many)
        queue: list[tuple[float, int, float, int, int, int]] = [(0.0, 0, 0.0, 0, self.start, 0)]
        back: dict[int, tuple[int, tuple[str, ...]]] = {}  # entry -> (previous entry, words)
        done: set[tuple[int, int]] = set()
        found: dict[str, Candidate] = {}
        counter = 1
        steps, deadline = 0, time.perf_counter() + MAX_SECONDS
        fewest, most = self.fewest, self.most
        while queue and len(found) < limit and steps < MAX_STEPS:
            steps += 1
            if steps % 512 == 0 and time.perf_counter() > deadline:
                _LOGGER.debug("Nearest sentences to %r: out of time after %d steps", text, steps)
                break
            estimate, _depth, cost, entry, state, position = heapq.heappop(queue)
            if estimate > bound:
                break
            if (state, position) in done:
                continue
            done.add((state, position))
            if state in self.final and position == len(heard):
                words = self._words(back, entry)
                sentence = " ".join(w.removeprefix(FREE) for w in words)
                if sentence and sentence not in found and _anchored(words, heard):
                    found[sentence] = Candidate(sentence, round(cost, 3))
                # and on: a longer sentence goes through this state ("pause" + "music" not heard)
            for step_cost, next_state, next_position, words in self._steps(state, position, heard, fills):
                total = cost + step_cost
                # the least edits still needed (the search's bound): words the sentence must still say
                # beyond those heard, or heard words beyond the most it can still say
                left = len(heard) - next_position
                short, extra = fewest.get(next_state, 0) - left, left - most.get(next_state, left)
                estimate = total + (short * DELETE_COST if short > 0 else 0.0) + (extra * INSERT_COST if extra > 0 else 0.0)
                if estimate > bound or (next_state, next_position) in done:
                    continue
                back[counter] = (entry, words)
                heapq.heappush(queue, (round(estimate, 6), -next_position, total, counter, next_state, next_position))
                counter += 1
        return list(found.values())

    @staticmethod
    def _words(back: dict[int, tuple[int, tuple[str, ...], str]], entry: int) -> list[str]:
        pieces: list[tuple[str, ...]] = []
        while entry in back:
            entry, words = back[entry]
            pieces.append(words)
        return [word for words in reversed(pieces) for word in words]

    def _steps(self, state: int, position: int, heard: list[str], fills: dict):
        """(cost, next state, next position, words said) for each way on from here
        (``fills``: the ways placeholders take heard words, worked out once per search)."""
        if position < len(heard):
            yield INSERT_COST, state, position + 1, ()
        for next_state, label, suffix in self.arcs.get(state, ()):
            if label == EPS:
                yield 0.0, next_state, position, ()
            elif label.startswith("{"):
                key = (label, suffix, position)
                if key not in fills:
                    fills[key] = list(self._fill(label[1:-1], suffix, position, heard))
                for cost, end, words in fills[key]:
                    yield cost, next_state, end, words
            else:
                if position < len(heard):
                    yield 1.0 - self._similarity(label, heard[position]), next_state, position + 1, (label,)
                yield DELETE_COST, next_state, position, (label,)

    def _fill(self, name: str, suffix: tuple[str, ...], position: int, heard: list[str]):
        """(cost, end, words) for each way a placeholder (and the words glued after it) can take
        heard words from ``position``."""
        if name in self.wildcards:  # free text: the words heard, one to MAX_SPAN of them
            for end in range(position + 1, min(len(heard), position + MAX_SPAN) + 1):
                yield from self._suffix(0.0, [FREE + w for w in heard[position:end]], suffix, end, heard)
            return
        if name in self.ranges:
            for end in range(position + 1, min(len(heard), position + MAX_SPAN) + 1):
                span = heard[position:end]
                if parse_number(" ".join(span)) is None:
                    break
                yield from self._suffix(0.0, list(span), suffix, end, heard)
            return
        for value in self.values.get(name, ()):
            spoken = value.split()
            said = [w.lower() for w in spoken]
            # a span two words longer or shorter than the name is at least two edits from it
            for end in range(max(position, position + len(said) - 1), min(len(heard), position + MAX_SPAN,
                                                                          position + len(said) + 1) + 1):
                cost = self._distance(said, heard[position:end])
                if cost <= NAME_EDITS:
                    yield from self._suffix(cost, spoken, suffix, end, heard)

    def _suffix(self, cost: float, words: list[str], suffix: tuple[str, ...], end: int, heard: list[str]):
        if not suffix:
            yield cost, end, tuple(words)
            return
        taken = heard[end:end + len(suffix)]
        extra = self._distance(list(suffix), taken)
        if extra <= 1.0:
            yield cost + extra, end + len(taken), (*words, *suffix)
        if taken:
            yield cost + DELETE_COST * len(suffix), end, (*words, *suffix)

    def _distance(self, said: list[str], heard: list[str]) -> float:
        """Word edit distance, similar words costing less than a full substitution."""
        row = [j * INSERT_COST for j in range(len(heard) + 1)]
        for i, word in enumerate(said, 1):
            previous, row[0] = row[0], i * DELETE_COST
            for j, other in enumerate(heard, 1):
                previous, row[j] = row[j], min(row[j] + DELETE_COST, row[j - 1] + INSERT_COST,
                                               previous + 1.0 - self._similarity(word, other))
        return row[-1]

    def _similarity(self, word: str, heard: str) -> float:
        """1 for the same word, about 0.5-0.8 for similar spellings, next to 0 for unrelated words.

        :data:`TIE_BREAK` orders sentences the same number of edits away, of which there are often
        more than the search returns: a word left out or added (the rest heard as said) comes before
        a word heard as an unlike one, and among those the likelier spelling first ("what's the
        wedding": "what's the weather", then "what's the date", ...)."""
        if word == heard:
            return 1.0
        key = (word, heard)
        value = self._similar.get(key)
        if value is None:
            if len(self._similar) > SIMILAR_MEMO:
                self._similar.clear()
            ratio = SequenceMatcher(None, word, heard, autojunk=False).ratio()
            alike = max(0.0, (ratio - SIMILAR_FLOOR) / (1 - SIMILAR_FLOOR))
            value = self._similar[key] = 0.8 * alike + TIE_BREAK * ratio
        return value


def _anchored(words: list[str], heard: list[str]) -> bool:
    """True unless free text took most of the sentence: then at least two of its own words, and
    half of them, must have been heard (else "and so my fellow americans" would be "broadcast so
    my fellow americans")."""
    if not any(w.startswith(FREE) for w in words):
        return True
    own = [w.lower() for w in words if not w.startswith(FREE)]
    said = sum(1 for w in own if w in heard)
    return said >= 2 and 2 * said >= len(own)


def _determinize(start: int, arcs: dict[int, list[Arc]],
                 final: set[int]) -> tuple[dict[int, list[Arc]], frozenset[int]]:
    """The same sentences as a graph whose states each have one arc per word (subset construction
    from ``start``, numbered from 0): arcs and final states."""
    ids = {frozenset((start,)): 0}
    todo = list(ids)
    graph: dict[int, list[Arc]] = {}
    accepting: set[int] = set()
    while todo:
        subset = todo.pop()
        targets: dict[tuple[str, tuple[str, ...]], set[int]] = {}
        for state in subset:
            for next_state, label, suffix in arcs.get(state, ()):
                targets.setdefault((label, suffix), set()).add(next_state)
        row: list[Arc] = []
        for (label, suffix), states in targets.items():
            key = frozenset(states)
            if key not in ids:
                ids[key] = len(ids)
                todo.append(key)
            row.append((ids[key], label, suffix))
        graph[ids[subset]] = row
        if not subset.isdisjoint(final):
            accepting.add(ids[subset])
    return graph, frozenset(accepting)


def _closure(state: int, arcs: dict[int, list[Arc]]) -> set[int]:
    """``state`` and every state reachable from it by empty arcs."""
    seen = {state}
    stack = [state]
    while stack:
        for next_state, label, _suffix in arcs.get(stack.pop(), ()):
            if label == EPS and next_state not in seen:
                seen.add(next_state)
                stack.append(next_state)
    return seen


def _placeholder_values(slot_lists: dict[str, Any]) -> dict[str, list[str]]:
    """The spoken forms of every text slot list."""
    values: dict[str, list[str]] = {}
    for name, slot in slot_lists.items():
        if not isinstance(slot, TextSlotList):
            continue
        spoken: list[str] = []
        for value in slot.values:
            try:
                spoken += [" ".join(t.split()) for t in sample_expression(value.text_in) if t.strip()]
            except Exception:  # noqa: BLE001 - a value hassil cannot expand is left out
                continue
        values[name] = list(dict.fromkeys(spoken))
    return values
