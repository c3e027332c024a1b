"""Benchmark of AstrOS's intent recognizer on Home Assistant's intent tests and SLURP.

    .venv/bin/python bench/intents.py [--data ../shared/data/intents] [--scorer ../shared/tools/score_intents.py]
                                      [--out bench/out] [--errors 20] [--no-compare] [--no-command]

For each test set it builds the home from the fixture JSON, recognises every line (the request's
area from the line's ``context.area``), writes predictions as JSON lines
``{"id", "text", "intent", "entities", "latency_ms"}``, runs the scorer, and reports lines per
second once loaded, one line at a time and as a stream (``recognize_many``). Then it compares
the layers on the same lines (templates only - the strict matching Home Assistant does - then
templates + the tolerant layer without keyword evidence, then everything), and measures the real
``astros recognize`` command on the SLURP lines: lines per second once loaded (start-up
excluded), with all lines piped at once and with one line at a time (waiting for each answer).
Data: Home Assistant intents tests (CC BY 4.0) and SLURP (CC BY 4.0).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
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
    recognizer.semantic.forget_recent()
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
    parser.add_argument("--no-compare", action="store_true", help="skip the comparison of layers")
    parser.add_argument("--no-command", action="store_true", help="skip the astros recognize measurement")
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
        recognizers[fixture].semantic.forget_recent()
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
    if not args.no_compare:
        compare_layers(recognizers, args)
    if not args.no_command and "fixture_slurp.json" in recognizers:
        slurp = [line for name in ("slurp_devel_inscope", "slurp_devel_oos") for line in read_set(args.data, name)]
        command_throughput(args.data / "fixture_slurp.json", [line["text"] for line in slurp])


def read_set(data: Path, name: str) -> list[dict[str, Any]]:
    """The lines of one test set."""
    text = (data / f"{name}.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


VARIANTS = (
    ("templates only (strict)", ("template",), False),
    ("templates + tolerant layer, no keyword evidence", ("template", "semantic"), False),
    ("AstrOS: templates + tolerant layer + keyword evidence", ("template", "semantic"), True),
)


def compare_layers(recognizers: dict[str, IntentRecognizer], args: argparse.Namespace) -> None:
    """Intent accuracy of each combination of layers on the same lines (scored here, as the
    scorer does: intent in the line's ``accept`` list; out of scope: a state-changing intent)."""
    print("\n===== layers compared on the same lines")
    print(f"{'variant':54s} {'HA intent':>9s} {'SLURP in':>9s} {'OOS action':>10s}")
    for label, layers, evidence in VARIANTS:
        figures = []
        for name, fixture in SETS:
            if name not in args.sets or fixture not in recognizers:
                figures.append(float("nan"))
                continue
            recognizer = recognizers[fixture]
            recognizer.layers, recognizer.keyword_evidence = layers, evidence
            lines = read_set(args.data, name)
            results = recognizer.recognize_many([(l["text"], (l.get("context") or {}).get("area")) for l in lines])
            if name.endswith("_oos"):
                bad = sum(1 for r in results if r.intent and r.intent not in QUERY_INTENTS)
            else:
                bad = sum(1 for r, l in zip(results, lines) if (r.intent or None) in l["accept"])
            figures.append(100.0 * bad / len(lines))
        print(f"{label:54s} {figures[0]:8.1f}% {figures[1]:8.1f}% {figures[2]:9.1f}%")
    for recognizer in recognizers.values():
        recognizer.layers, recognizer.keyword_evidence = ("template", "semantic"), True


def fixture_toml(fixture: Path, data_dir: Path) -> str:
    """A configuration file holding the fixture's home (for the real command)."""
    data = json.loads(fixture.read_text(encoding="utf-8"))
    q = json.dumps
    out = [f"data_dir = {q(str(data_dir))}", 'timezone = "UTC"', "[home]", f"area = {q(data['area'])}"]
    for floor in data.get("floors", []):
        out += ["[[home.floors]]", f"name = {q(floor['name'])}", f"aliases = {q(floor.get('aliases') or [])}"]
    for area in data.get("areas", []):
        out += ["[[home.areas]]", f"name = {q(area['name'])}", f"aliases = {q(area.get('aliases') or [])}"]
        out += [f"floor = {q(area['floor'])}"] if area.get("floor") else []
    for device in data.get("devices", []):
        if device["domain"] not in DEVICE_DOMAINS:
            continue
        out += ["[[home.devices]]", f"name = {q(device['name'])}", f"domain = {q(device['domain'])}",
                f"aliases = {q(device.get('aliases') or [])}"]
        out += [f"device_class = {q(device['device_class'])}"] if device.get("device_class") else []
        out += [f"area = {q(device['area'])}"] if device.get("area") else []
    return "\n".join(out) + "\n"


def command_throughput(fixture: Path, texts: list[str]) -> None:
    """Lines per second of the real ``astros recognize`` once loaded: a first line is answered
    (start-up done), then the clock runs while the lines are piped in (all at once, and one at a
    time waiting for each answer)."""
    command = [str(ROOT / ".venv" / "bin" / "astros"), "recognize", "--config"]
    if not Path(command[0]).exists():
        command = [sys.executable, "-m", "astros", "recognize", "--config"]
    print("\n===== the astros recognize command on the SLURP lines (start-up excluded)")
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "config.toml"
        config.write_text(fixture_toml(fixture, Path(folder) / "data"), encoding="utf-8")
        env = {**os.environ, "GPIOZERO_PIN_FACTORY": "mock"}
        for mode in ("piped", "one at a time"):
            started = time.perf_counter()
            proc = subprocess.Popen(command + [str(config)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=subprocess.DEVNULL, text=True, env=env, cwd=ROOT)
            proc.stdin.write("what time is it\n")
            proc.stdin.flush()
            proc.stdout.readline()
            loaded = time.perf_counter()
            if mode == "piped":
                writer = threading.Thread(target=_write_all, args=(proc.stdin, texts))
                writer.start()
                answers = sum(1 for _ in proc.stdout)
                writer.join()
            else:
                answers = 0
                for text in texts:
                    proc.stdin.write(text + "\n")
                    proc.stdin.flush()
                    answers += bool(proc.stdout.readline())
                proc.stdin.close()
                proc.stdout.read()
            seconds = time.perf_counter() - loaded
            proc.wait()
            print(f"{mode:14s}: {answers} lines in {seconds:.2f} s = {answers / seconds:.0f} lines/s "
                  f"(start-up {loaded - started:.2f} s)")


def _write_all(stream: Any, texts: list[str]) -> None:
    stream.write("".join(text + "\n" for text in texts))
    stream.close()


if __name__ == "__main__":
    main()
