"""``astros models list|verify|hash``: the model catalog on the command line."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from ..config import AstrOSConfig
from .models import Model, load_catalog, sha256_of, verify


def add_parsers(commands: Any, common: argparse.ArgumentParser) -> None:
    """Register ``astros models`` and its sub-commands."""
    models = commands.add_parser("models", parents=[common], help="the models AstrOS can use")
    actions = models.add_subparsers(dest="models_command", required=True, metavar="ACTION")
    listing = actions.add_parser("list", parents=[common], help="list the catalogued models")
    listing.add_argument("--json", action="store_true", help="print JSON")
    actions.add_parser("verify", parents=[common], help="check installed model files (size and SHA-256)")
    hashing = actions.add_parser("hash", parents=[common], help="print catalog lines for model files")
    hashing.add_argument("paths", nargs="+", metavar="PATH", help="files to describe")


async def models_command(args: argparse.Namespace, config: AstrOSConfig) -> int:
    """Run the chosen ``astros models`` action; returns the exit status."""
    return {"list": _list, "verify": _verify, "hash": _hash}[args.models_command](args)


def _list(args: argparse.Namespace) -> int:
    models = load_catalog()
    if args.json:
        print(json.dumps([_as_dict(m) for m in models], indent=2))
        return 0
    for model in models:
        installed = "installed" if model.folder() is not None else "not installed"
        size = f"{model.size / 1e6:7.1f} MB" if model.files else "      - MB"
        source = f"{model.package} {model.version}" if model.package else model.path
        flags = " (default)" if model.default else " (optional)" if model.optional else ""
        print(f"{model.id:40s} {size}  {model.licence:16s} {installed:13s} {source}{flags}")
    return 0


def _verify(args: argparse.Namespace) -> int:
    failed = 0
    for model in load_catalog():
        if not model.files or (model.optional and model.folder() is None):
            continue
        checks = verify(model)
        bad = [c for c in checks if c.status != "ok"]
        failed += bool(bad)
        print(f"{'OK ' if not bad else 'BAD'} {model.id}")
        for check in bad:
            print(f"    {check.status}: {check.path}")
    print("All model files match the catalog." if not failed else f"{failed} model(s) do not match the catalog.")
    return 1 if failed else 0


def _hash(args: argparse.Namespace) -> int:
    for name in args.paths:
        path = Path(name)
        if not path.is_file():
            print(f"astros: {name}: not a file")
            return 2
        print(f'  {{ path = "{path.name}", size = {path.stat().st_size}, sha256 = "{sha256_of(path)}" }},')
    return 0


def _as_dict(model: Model) -> dict[str, Any]:
    folder = model.folder()
    return {"id": model.id, "kind": model.kind, "engine": model.engine, "name": model.name,
            "description": model.description, "package": model.package, "version": model.version,
            "path": str(folder) if folder else model.path, "licence": model.licence, "size": model.size,
            "default": model.default, "optional": model.optional, "installed": folder is not None,
            "files": [{"path": f.path, "size": f.size, "sha256": f.sha256} for f in model.files]}


COMMANDS = {"models": models_command}
