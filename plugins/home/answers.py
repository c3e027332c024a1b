"""Answers to questions about the home: "is the kitchen light on", "which lights are on",
"what is the Outside Temperature", "how warm is it in here"."""

from __future__ import annotations

from statistics import fmean
from typing import Any, Dict, List, Optional

from astros.config import DeviceConfig
from astros.wording import join_words

from .devices import asked_words, degrees, format_number, matches, state_words, the
from .targets import Target

States = Dict[str, Dict[str, Any]]


def capitalized(text: str) -> str:
    """``text`` with its first letter in upper case."""
    return text[:1].upper() + text[1:]


def describe(device: DeviceConfig, state: Dict[str, Any], asked: Optional[str] = None) -> str:
    """One device's state as a sentence; with ``asked``, a yes/no answer."""
    words = state_words(device, state)
    if asked:
        verdict = matches(device, state, asked)
        if verdict is None:
            return f"I don't know whether {the(device)} is {asked_words(device, asked)} yet."
        return f"{'Yes' if verdict else 'No'}, {the(device)} is {words}."
    if words is None:
        if device.domain in ("sensor", "climate"):
            return f"I don't know {the(device)} yet."
        return f"I don't know the state of {the(device)} yet."
    return f"{capitalized(the(device))} is {words}."


def summarize(target: Target, states: States, asked: Optional[str]) -> str:
    """A group's states as a sentence: which are ``asked`` (if given), or each one's state."""
    if target.single or (len(target.devices) == 1 and not asked):
        device = target.devices[0]
        return describe(device, states[device.name], asked)
    if asked:
        return _count(target, states, asked)
    known = [d for d in target.devices if state_words(d, states[d.name]) is not None]
    unknown = [d for d in target.devices if d not in known]
    parts = [f"{the(d)} is {state_words(d, states[d.name])}" for d in known]
    sentence = capitalized(join_words(parts)) + "." if parts else ""
    if unknown:
        sentence += f" I don't know the state of {join_words([the(d) for d in unknown])} yet."
    return sentence.strip()


def _count(target: Target, states: States, asked: str) -> str:
    verdicts = {d.name: matches(d, states[d.name], asked) for d in target.devices}
    hits = [d for d in target.devices if verdicts[d.name]]
    unknown = [d for d in target.devices if verdicts[d.name] is None]
    total, kind, where = len(target.devices), target.kind, target.where
    if total == 1:
        device = target.devices[0]
        return describe(device, states[device.name])
    if not hits:
        sentence = f"No {kind}{where} are {asked}." if not unknown else f"None of the {kind}{where} I know of are {asked}."
    elif len(hits) == total:
        sentence = f"All {total} {kind}{where} are {asked}."
    else:
        verb = "is" if len(hits) == 1 else "are"
        sentence = f"{len(hits)} of the {total} {kind}{where} {verb} {asked}: {join_words([d.name for d in hits])}."
    if unknown:
        sentence += f" I don't know about {join_words([the(d) for d in unknown])} yet."
    return sentence


def temperature_answer(
    where: str, climates: List[DeviceConfig], sensors: List[DeviceConfig], states: States
) -> str:
    """The temperature ``where`` (" in the Office"): thermostats' readings, else temperature sensors'."""
    readings = [states[d.name].get("current_temperature") for d in climates]
    readings += [states[d.name].get("value") for d in sensors]
    values = [float(v) for v in readings if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if values:
        about = "about " if len(values) > 1 and max(values) - min(values) >= 0.5 else ""
        return f"It's {about}{degrees(fmean(values))}{where}."
    targets = [(d, states[d.name].get("target_temperature")) for d in climates]
    settings = [f"{the(d)} is set to {degrees(t)}" for d, t in targets if t is not None]
    if settings:
        return f"I don't know the current temperature{where} yet, but {join_words(settings)}."
    return f"I don't know the temperature{where} yet."
