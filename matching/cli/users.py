"""Command line: ``python -m matching users ...`` manages the accounts that sign in to the app.

``users add NAME --role ROLE`` (the password from ``MATCHING_PASSWORD`` when set, otherwise asked
twice without being shown), ``users set-role NAME ROLE``, ``users disable NAME``, ``users enable
NAME`` and ``users list``. Each takes ``--database URL`` (default: ``DATABASE_URL``, else the
project's ``var/decisions.sqlite``).

The command line acts as an administrator without signing in: it runs with direct access to the
database, and whoever has that could change the database anyway (``matching.records.users.
CommandLine``). Every change is written to the decision log with "command line (OS user)" as the
actor. Exit status: 0 done, 2 a bad argument (an unknown role or user, a short password), 1 the
store refused or could not be reached.

The sub-app registers itself on ``matching.cli.common.app`` when this module is imported. Nothing
behind ``matching.api`` is imported before a command runs, so ``--help`` stays quick.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from matching.cli.common import EXIT_FAILURE, _App, _Group, app, err, fail_usage

if TYPE_CHECKING:
    from matching.api import CommandLine, DecisionStore

PASSWORD_ENV = "MATCHING_PASSWORD"
ROLES = ("registrar", "reviewer", "administrator")  # matching.records.users.AccessRole (a test keeps them equal)

users_app = _App(
    help="User accounts for the app: add, change the role, switch off and on, list.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=_Group,  # flags such as --help show no type, as on the main app
)
app.add_typer(users_app, name="users")

DatabaseOpt = Annotated[
    str | None,
    typer.Option(
        "--database",
        help="Decisions database address (SQLAlchemy URL). Default: DATABASE_URL, else var/decisions.sqlite.",
    ),
]
NameArg = Annotated[
    str, typer.Argument(metavar="NAME", help="The user's name, as they type it to sign in (case does not matter).")
]


def role_value(role: str) -> str:
    """The role's name; a usage error (exit 2) naming the roles for anything else."""
    value = role.strip().lower()
    if value not in ROLES:
        fail_usage(f"there is no role called {role!r}; the roles are {', '.join(ROLES)}")
    return value


def operator() -> CommandLine:
    """The command line as the author of a change, with the operating-system user when known."""
    from matching.api import CommandLine

    try:
        return CommandLine(getpass.getuser())
    except (KeyError, OSError):  # no user name in this environment
        return CommandLine()


@contextmanager
def opened(database: str | None) -> Iterator[DecisionStore]:
    """The decisions store; its refusals in plain words: a bad argument exits 2, anything else 1."""
    from matching.api import AccountArgumentError, DecisionStore, MatchingError

    store: DecisionStore | None = None
    try:
        store = DecisionStore(database or None)
        yield store
    except AccountArgumentError as exc:
        fail_usage(str(exc))
    except MatchingError as exc:
        err(f"Error: {exc}")
        raise typer.Exit(EXIT_FAILURE) from None
    finally:
        if store is not None:
            store.close()


def new_password() -> str:
    """``MATCHING_PASSWORD`` when set, else asked twice without being shown; a short one exits 2."""
    from matching.api import password_problem

    password = os.environ.get(PASSWORD_ENV)
    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True, err=True)
    problem = password_problem(password)
    if problem:
        fail_usage(problem)
    return password


@users_app.command("add")
def add(
    name: NameArg,
    role: Annotated[str, typer.Option("--role", help="registrar, reviewer or administrator.")],
    database: DatabaseOpt = None,
) -> None:
    """Add an account; the password comes from MATCHING_PASSWORD, or is asked for twice (at least 10 characters)."""
    access = role_value(role)
    password = new_password()
    with opened(database) as store:
        user = store.add_user(name, access, password, by=operator())
    typer.echo(f"Added {user.name} as {'an' if access == 'administrator' else 'a'} {access}.")


@users_app.command("set-role")
def set_role(
    name: NameArg,
    role: Annotated[str, typer.Argument(metavar="ROLE", help="registrar, reviewer or administrator.")],
    database: DatabaseOpt = None,
) -> None:
    """Give an account another role; it applies to the user's next action, even if they are signed in."""
    access = role_value(role)
    with opened(database) as store:
        user = store.set_role(name, access, by=operator())
    typer.echo(f"{user.name} is now {'an' if access == 'administrator' else 'a'} {access}.")


@users_app.command("disable")
def disable(name: NameArg, database: DatabaseOpt = None) -> None:
    """Switch an account off: it can no longer sign in and its open sessions end. Its record stays."""
    with opened(database) as store:
        user = store.disable_user(name, by=operator())
    typer.echo(f"{user.name} is switched off: they can no longer sign in, and their open sessions have ended.")


@users_app.command("enable")
def enable(name: NameArg, database: DatabaseOpt = None) -> None:
    """Switch an account back on, and lift a lock after wrong passwords."""
    with opened(database) as store:
        user = store.enable_user(name, by=operator())
    typer.echo(f"{user.name} can sign in again.")


@users_app.command("list")
def list_users(database: DatabaseOpt = None) -> None:
    """Every account: name, role, whether it can sign in, and when it was added."""
    with opened(database) as store:
        users = store.users()
    if not users:
        typer.echo("No user accounts yet. Add one with: python -m matching users add NAME --role administrator")
        return
    rows = [("name", "role", "status", "added"), *((u.name, u.role.value, u.status, u.created_at[:10]) for u in users)]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        typer.echo("  ".join([*(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True)), row[3]]))
