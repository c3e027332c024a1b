"""The ``astros`` command line: run the appliance, ask it things, see what it understands."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

from .agent import AstrOSAgent
from .api.commands import add_run_arguments, add_user_parser, user_command
from .api.server import serve
from .config import AstrOSConfig, load_config
from .errors import AstrOSError
from .events import EventType, PipelineEvent
from .hardware.panel import gpio_ctx
from .system import commands as system_commands
from .system.heap import limit_malloc_arenas
from .system.notify import notify_ready, systemd_ctx
from .types import UserRequest, utcnow
from .voice import commands as voice_commands
from .voice.service import voice_ctx

_LOGGER = logging.getLogger("astros")
ANNOUNCED = {EventType.TIMER_FINISHED, EventType.ALARM_RINGING, EventType.ANNOUNCEMENT}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser; ``--config`` and ``--debug`` work before or after the command."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS, help="configuration file (TOML)")
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="log everything")
    parser = argparse.ArgumentParser(prog="astros", description="AstrOS voice home assistant", parents=[common])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_run_arguments(commands.add_parser("run", parents=[common], help="run the appliance until stopped"))
    ask = commands.add_parser("ask", parents=[common], help="ask something in writing and print the answer")
    ask.add_argument("text", nargs="+", help="what to ask, e.g. 'set a timer for 5 minutes'")
    ask.add_argument("--json", action="store_true", help="print the whole response as JSON")
    ask.add_argument("--user", help="ask as this user (default: agent.cli_user)")
    ask.add_argument("--format", choices=["text", "voice", "gui", "json"], help="reply format")
    recognize = commands.add_parser("recognize", parents=[common], help="print the intent of each line of stdin")
    recognize.add_argument("--area", help="the area the requests come from (default: home.area)")
    plugins = commands.add_parser("plugins", parents=[common], help="list the plugins and their intents")
    plugins.add_argument("--json", action="store_true", help="print JSON")
    add_user_parser(commands, common)
    voice_commands.add_parsers(commands, common)
    system_commands.add_parsers(commands, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``astros`` command; returns the exit status."""
    limit_malloc_arenas()
    args = build_parser().parse_args(argv)
    try:
        config = load_config(getattr(args, "config", None))
    except AstrOSError as err:
        print(f"astros: {err}", file=sys.stderr)
        return 2
    setup_logging(config, getattr(args, "debug", False), quiet=args.command != "run")
    try:
        return asyncio.run(COMMANDS[args.command](args, config))
    except KeyboardInterrupt:
        return 130
    except AstrOSError as err:
        print(f"astros: {err}", file=sys.stderr)
        return 2


def setup_logging(config: AstrOSConfig, debug: bool, quiet: bool = False) -> None:
    """Log to standard error at the configured level (one-shot commands: warnings and worse)."""
    level = logging.DEBUG if debug or config.debug else getattr(logging, config.log_level)
    if quiet and not (debug or config.debug):
        level = max(level, logging.WARNING)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)


async def run_command(args: argparse.Namespace, config: AstrOSConfig) -> int:
    """``astros run``: the appliance (agent, background work, companion API) until SIGINT or SIGTERM."""
    return await serve(config, args.host, args.port, subscribers=[_announce],
                       contexts=[voice_ctx, gpio_ctx, systemd_ctx], on_ready=[notify_ready])


def _announce(event: PipelineEvent) -> None:
    """Print what the appliance would say aloud on its own (a timer finished, an alarm)."""
    if event.type in ANNOUNCED:
        message = event.data.get("message") or str(event.type)
        print(message, flush=True)
        _LOGGER.info("%s: %s", event.type, message)


async def ask_command(args: argparse.Namespace, config: AstrOSConfig) -> int:
    """``astros ask TEXT``: one request, one answer."""
    async with AstrOSAgent(config=config) as agent:
        context: dict[str, Any] = {"format": args.format} if args.format else {}
        request = UserRequest(
            " ".join(args.text), args.user or config.agent.cli_user, f"cli-{uuid.uuid4().hex[:8]}", utcnow(), context
        )
        response = await agent.process_request(request)
    print(json.dumps(response.to_dict(), default=str) if args.json else response.message)
    return 0 if response.success else 1


async def recognize_command(args: argparse.Namespace, config: AstrOSConfig) -> int:
    """``astros recognize``: one JSON object per line of standard input.

    Lines are read in batches of whatever is available (at most ``RECOGNIZE_BATCH``): a file or a
    pipe is recognised many lines at a time, a person typing gets each answer at once."""
    async with AstrOSAgent(config=config) as agent:
        await asyncio.to_thread(agent.recognizer.warm_up)
        batches = _line_batches(sys.stdin, RECOGNIZE_BATCH)
        while True:
            batch = await asyncio.to_thread(next, batches, None)
            if batch is None:
                break
            texts = [text for text in (line.strip() for line in batch) if text]
            results = await asyncio.to_thread(agent.recognizer.recognize_many, [(t, args.area) for t in texts])
            out = [
                json.dumps(
                    {"text": text, "intent": result.intent or None, "confidence": round(result.confidence, 3),
                     "entities": result.entities},
                    default=str,
                )
                for text, result in zip(texts, results)
            ]
            if out:
                sys.stdout.write("\n".join(out) + "\n")
                sys.stdout.flush()
    return 0


RECOGNIZE_BATCH = 64


def _line_batches(stream: Any, limit: int) -> Iterator[list[str]]:
    """Lists of at most ``limit`` lines: each list holds the lines available when it was read."""
    try:
        descriptor = stream.fileno()
    except (AttributeError, OSError, ValueError):
        for line in stream:  # no file descriptor (e.g. a StringIO): one line at a time
            yield [line]
        return
    pending = b""
    while True:
        chunk = os.read(descriptor, 1 << 16)  # returns as soon as anything is available
        pending += chunk
        if chunk:
            *lines, pending = pending.split(b"\n")
        else:
            lines, pending = pending.split(b"\n"), b""
        decoded = [line.decode("utf-8", errors="replace") for line in lines]
        for start in range(0, len(decoded), limit):
            yield decoded[start : start + limit]
        if not chunk:
            return


async def plugins_command(args: argparse.Namespace, config: AstrOSConfig) -> int:
    """``astros plugins``: what is loaded, what failed, and which intents each handles."""
    async with AstrOSAgent(config=config) as agent:
        infos = agent.plugins.list_plugins()
    if args.json:
        print(json.dumps([info.to_dict() for info in infos]))
        return 0
    for info in infos:
        detail = ", ".join(info.intents) if info.status == "active" else info.error
        print(f"{info.name:12s} {info.version:8s} {info.status:7s} {detail}")
    return 0


COMMANDS = {
    "run": run_command, "ask": ask_command, "recognize": recognize_command, "plugins": plugins_command,
    "user": user_command, **voice_commands.COMMANDS, **system_commands.COMMANDS,
}

if __name__ == "__main__":
    sys.exit(main())
