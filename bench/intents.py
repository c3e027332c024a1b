"""Benchmark of AstrOS's intent recognizer on Home Assistant's intent tests and SLURP.

    .venv/bin/python bench/intents.py [--data ../shared/data/intents] [--scorer ../shared/tools/score_intents.py]
                                      [--out bench/out] [--errors 20]

For each test set it builds the home from the fixture JSON, recognises every line (the request's
area from the line's ``context.area``), writes predictions as JSON lines
``{"id", "text", "intent", "entities", "latency_ms"}``, runs the scorer, and reports lines per
second once loaded. Data: Home Assistant intents tests (CC BY 4.0) and SLURP (CC BY 4.0).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from astros.config import AreaConfig, DeviceConfig, DEVICE_DOMAINS, FloorConfig, HomeConfig, IntentsConfig  # noqa: E402
from astros.home import Home  # noqa: E402
from astros.intents.recognizer import IntentRecognizer  # noqa: E402
from astros.intents.vocabulary import QUERY_INTENTS  # noqa: E402

SETS = (
    ("ha_tests_en", "fixture_ha.json"),
    ("slurp_devel_inscope", "fixture_slurp.json"),
    ("slurp_devel_oos", "fixture_slurp.json"),
)


def home_from_fixture(path: Path) -> Home:
    """A Home from a benchmark fixture (devices of a domain AstrOS does not know are skipped)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    devices = []
    for item in data.get("devices", []):
        if item["domain"] not in DEVICE_DOMAINS:
            print(f"skipping device {item['name']!r}: domain {item['domain']!r}", file=sys.stderr)
            continue
        devices.append(
            DeviceConfig(
                name=item["name"], domain=item["domain"], aliases=list(item.get("aliases") or []),
                device_class=item.get("device_class"), area=item.get("area"),
            )
        )
    return Home(
        HomeConfig(
            area=data.get("area"),
            floors=[FloorConfig(name=f["name"], aliases=list(f.get("aliases") or [])) for f in data.get("floors", [])],
            areas=[
                AreaConfig(name=a["name"], aliases=list(a.get("aliases") or []), floor=a.get("floor"))
                for a in data.get("areas", [])
            ],
            devices=devices,
        )
    )


def build_recognizer(fixture: Path) -> IntentRecognizer:
    """A prepared recognizer with every built-in plugin's templates."""
    recognizer = IntentRecognizer(home_from_fixture(fixture), IntentsConfig())
    recognizer.add_sentence_files(sorted((ROOT / "plugins").glob("*/sentences/*.yaml")))
    recognizer.prepare_sync()
    return recognizer


def run_set(recognizer: IntentRecognizer, lines: list[dict[str, Any]]) -> tuple[list[dict], float]:
    """Predictions for ``lines`` and the seconds they took."""
    predictions = []
    started = time.perf_counter()
    for line in lines:
        begin = time.perf_counter()
        result = recognizer.recognize_text(line["text"], (line.get("context") or {}).get("area"))
        predictions.append(
            {
                "id": line.get("id"), "text": line["text"], "intent": result.intent or None,
                "confidence": result.confidence, "layer": result.layer,
                "entities": {k: v for k, v in result.entities.items() if k != "context_area"},
                "latency_ms": round((time.perf_counter() - begin) * 1000, 3),
            }
        )
    return predictions, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "intents")
    parser.add_argument("--scorer", type=Path, default=ROOT.parent / "shared" / "tools" / "score_intents.py")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--errors", type=int, default=0)
    parser.add_argument("--sets", nargs="*", default=[name for name, _ in SETS])
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    recognizers: dict[str, IntentRecognizer] = {}
    total_lines, total_seconds = 0, 0.0
    batch_total = [0, 0.0]
    for name, fixture in SETS:
        if name not in args.sets:
            continue
        if fixture not in recognizers:
            started = time.perf_counter()
            recognizers[fixture] = build_recognizer(args.data / fixture)
            print(f"loaded recognizer for {fixture} in {time.perf_counter() - started:.2f} s")
        gold_path = args.data / f"{name}.jsonl"
        lines = [json.loads(line) for line in gold_path.read_text(encoding="utf-8").splitlines() if line.strip()]
        predictions, seconds = run_set(recognizers[fixture], lines)
        total_lines, total_seconds = total_lines + len(lines), total_seconds + seconds
        pred_path = args.out / f"{name}.pred.jsonl"
        pred_path.write_text("".join(json.dumps(p) + "\n" for p in predictions), encoding="utf-8")
        started = time.perf_counter()
        batch = recognizers[fixture].recognize_many(
            [(line["text"], (line.get("context") or {}).get("area")) for line in lines]
        )
        batch_seconds = time.perf_counter() - started
        differ = sum(1 for p, b in zip(predictions, batch) if (p["intent"] or "") != b.intent)
        batch_total[0] += len(lines)
        batch_total[1] += batch_seconds
        print(f"\n===== {name}: {len(lines)} lines, {len(lines) / seconds:.0f} lines/s one at a time, "
              f"{len(lines) / batch_seconds:.0f} lines/s as a stream ({differ} lines differ)")
        unsure = sum(1 for p in predictions if p["intent"] and p["intent"] not in QUERY_INTENTS
                     and p["confidence"] < IntentsConfig().action_confidence)
        print(f"state-changing intents below action_confidence (AstrOS asks back): {unsure}")
        command = [sys.executable, str(args.scorer), "--pred", str(pred_path), "--gold", str(gold_path)]
        if args.errors:
            command += ["--errors", str(args.errors)]
        subprocess.run(command, check=False)
    if total_seconds:
        print(f"\nthroughput once loaded: {total_lines / total_seconds:.0f} lines/s one at a time, "
              f"{batch_total[0] / batch_total[1]:.0f} lines/s as a stream, over {total_lines} lines")


if __name__ == "__main__":
    main()
