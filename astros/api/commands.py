"""Command-line pieces of the companion API: ``astros run --host/--port`` and ``astros user``.

``astros user add NAME [--admin]``, ``remove NAME``, ``passwd NAME`` and ``list``. Passwords are
asked for twice without echo, or read from standard input with ``--password-stdin`` (for scripts).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from ..config import AstrOSConfig
from ..errors import AstrOSError, AuthenticationError
from ..security.auth import AuthenticationManager, check_password, check_username
from ..security.permissions import PermissionManager
from ..storage.database import DatabaseManager


def add_run_arguments(run: argparse.ArgumentParser) -> None:
    """``--host`` and ``--port`` for ``astros run``."""
    run.add_argument("--host", help="address the API listens on (default: [api] host)")
    run.add_argument("--port", type=int, help="port the API listens on (default: [api] port)")


def add_user_parser(commands: Any, common: argparse.ArgumentParser) -> None:
    """The ``astros user`` command and its subcommands."""
    user = commands.add_parser("user", parents=[common], help="add, remove or list the people who may log in")
    actions = user.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser("add", parents=[common], help="add a user")
    add.add_argument("name")
    add.add_argument("--admin", action="store_true", help="the user holds every permission")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    remove = actions.add_parser("remove", parents=[common], help="remove a user and end their sessions")
    remove.add_argument("name")
    passwd = actions.add_parser("passwd", parents=[common], help="change a user's password (ends their sessions)")
    passwd.add_argument("name")
    passwd.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    actions.add_parser("list", parents=[common], help="list the users")


def read_password(from_stdin: bool) -> str:
    """The new password: one line of standard input, or typed twice at a prompt."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Repeat it: ") != password:
            raise AuthenticationError("the two passwords differ; nothing was changed", "password-mismatch")
    return check_password(password)


async def user_command(args: argparse.Namespace, config: AstrOSConfig) -> int:
    """``astros user ACTION``: manage users in the appliance's database."""
    database = DatabaseManager(config.database, path=config.database_path)
    await database.connect()
    try:
        auth = AuthenticationManager(database, config.data_path, config.api, PermissionManager(database, config.permissions))
        await auth.prepare()
        return await _run_action(auth, args)
    finally:
        await database.close()


async def _run_action(auth: AuthenticationManager, args: argparse.Namespace) -> int:
    if args.action == "list":
        users = await auth.list_users()
        for user in users:
            print(f"{user.id}{'  (admin)' if user.is_admin else ''}")
        if not users:
            print("No users yet: add one with `astros user add NAME --admin`")
        return 0
    if args.action == "add":
        check_username(args.name)
        if await auth.get_user(args.name) is not None:
            raise AstrOSError(f"there is already a user called {args.name}", "user-exists")
        await auth.add_user(args.name, read_password(args.password_stdin), admin=args.admin)
        print(f"Added {args.name}{' (admin)' if args.admin else ''}.")
        return 0
    if args.action == "passwd":
        if await auth.get_user(args.name) is None:
            raise AstrOSError(f"there is no user called {args.name}", "no-such-user")
        await auth.set_password(args.name, read_password(args.password_stdin))
        print(f"Changed the password of {args.name}; their sessions have ended.")
        return 0
    if not await auth.remove_user(args.name):
        raise AstrOSError(f"there is no user called {args.name}", "no-such-user")
    print(f"Removed {args.name}.")
    return 0
