"""Sign-in and roles (``matching.records.users``) and the ``users`` command line.

Time is injected (``now=``), never slept through: a lock of 15 minutes and a session of 8 hours are
checked by asking at the right moments.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher, Type, extract_parameters
from sqlalchemy import select
from typer.testing import CliRunner

import matching.records.store as store_module
import matching.records.users as accounts
from matching.cli.main import app
from matching.cli.users import ROLES
from matching.records.ledger import events
from matching.records.store import DecisionStore, NewDecision, SeatRecord
from matching.records.tables import SessionRow, UserRow
from matching.records.users import (
    ALLOWED,
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    AccessRole,
    AccountArgumentError,
    AccountDisabled,
    AccountError,
    AccountLocked,
    AuthError,
    CommandLine,
    NotAllowed,
    PasswordRejected,
    Permission,
    SessionExpired,
    require,
)

ROOT = Path(__file__).resolve().parent.parent
T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
CLI = CommandLine("tests")
PEOPLE = {"Ana Registrar": "registrar", "Rita Reviewer": "reviewer", "Adam Admin": "administrator"}


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'decisions.sqlite'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def any_url(request: pytest.FixtureRequest, url: str) -> str:
    """The account rules hold on a SQLite file and on a fresh PostgreSQL database (``tests/pg.py``)."""
    return url if request.param == "sqlite" else str(request.getfixturevalue("pg_url"))


@pytest.fixture
def store(any_url: str) -> DecisionStore:
    s = DecisionStore(any_url)
    for name, role in PEOPLE.items():
        s.add_user(name, role, PASSWORD, by=CLI, now=T0)
    return s


def token_of(store: DecisionStore, name: str, now: datetime = T0) -> str:
    return store.sign_in(name, PASSWORD, now=now).token


def check(store: DecisionStore, token: str, permission: Permission, now: datetime | None = T0) -> Any:
    """``require`` inside a write transaction, as the store's writes call it."""
    with store.engine.connect() as conn, conn.begin():
        return require(conn, token, permission, now)


def user_row(store: DecisionStore, name: str) -> Any:
    with store.engine.connect() as conn:
        return conn.execute(select(UserRow).where(UserRow.name == name)).one()


def user_events(store: DecisionStore) -> list[Any]:
    with store.engine.connect() as conn:
        return [e for e in events(conn) if e.kind == "user"]


# --- passwords --------------------------------------------------------------------------------------


def test_passwords_are_hashed_with_argon2id_and_never_stored(store: DecisionStore, tmp_path: Path) -> None:
    hashes = [user_row(store, name).password_hash for name in PEOPLE]
    for stored in hashes:
        params = extract_parameters(stored)
        assert stored.startswith("$argon2id$") and params.type is Type.ID
        assert params.memory_cost >= 65536 and params.time_cost >= 3  # the library's defaults, or stronger
        assert PASSWORD not in stored
    assert len(set(hashes)) == len(hashes)  # each with its own salt
    token = token_of(store, "Ana Registrar")
    store.close()
    for path in tmp_path.glob("decisions.sqlite*"):
        content = path.read_bytes()
        assert PASSWORD.encode() not in content and token.encode() not in content
    with DecisionStore(store.url).engine.connect() as conn:
        kept = conn.scalars(select(SessionRow.token_sha256)).all()
    assert kept == [hashlib.sha256(token.encode()).hexdigest()]


def test_a_short_password_is_refused_in_plain_words(store: DecisionStore) -> None:
    with pytest.raises(PasswordRejected, match="at least 10 characters"):
        store.add_user("Short", "registrar", "123456789", by=CLI)
    assert "Short" not in {u.name for u in store.users()}


def test_a_weaker_hash_is_made_again_at_sign_in(store: DecisionStore) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    with store.engine.connect() as conn, conn.begin():
        conn.execute(UserRow.__table__.update().where(UserRow.name == "Ana Registrar").values(password_hash=weak))
    store.sign_in("Ana Registrar", PASSWORD, now=T0)
    renewed = user_row(store, "Ana Registrar").password_hash
    assert renewed != weak and not accounts.HASHER.check_needs_rehash(renewed)
    store.sign_in("Ana Registrar", PASSWORD, now=T0)  # the new hash checks out


# --- signing in ----------------------------------------------------------------------------------------


def test_a_wrong_password_and_an_unknown_name_get_the_same_answer_and_work(
    store: DecisionStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    verified: list[str] = []
    real = accounts.HASHER

    class Counting:
        def verify(self, stored: str, password: str) -> bool:
            verified.append(stored)
            return real.verify(stored, password)

        def __getattr__(self, name: str) -> Any:
            return getattr(real, name)

    monkeypatch.setattr(accounts, "HASHER", Counting())
    answers = []
    for name, password in [("Ana Registrar", "not the password"), ("Nobody At All", "not the password")]:
        with pytest.raises(AuthError) as caught:
            store.sign_in(name, password, now=T0)
        assert type(caught.value) is AuthError
        answers.append(str(caught.value))
    assert answers == ["The name or password is not right."] * 2
    assert len(verified) == 2  # the unknown name cost one verification too
    assert user_row(store, "Ana Registrar").failed_signins == 1


def test_names_are_found_whatever_their_case_and_are_unique(store: DecisionStore) -> None:
    assert store.sign_in("  ana REGISTRAR ", PASSWORD, now=T0).principal.name == "Ana Registrar"
    with pytest.raises(AccountError, match="already a user called Ana Registrar"):
        store.add_user("ANA registrar", "reviewer", PASSWORD, by=CLI)
    with pytest.raises(AccountArgumentError, match="no role called 'judge'"):
        store.add_user("Jo", "judge", PASSWORD, by=CLI)
    with pytest.raises(AccountArgumentError, match="control characters"):
        store.add_user("Jo\nSmith", "reviewer", PASSWORD, by=CLI)


def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes(store: DecisionStore) -> None:
    for minute in range(4):
        with pytest.raises(AuthError) as caught:
            store.sign_in("Ana Registrar", "wrong password", now=T0 + timedelta(minutes=minute))
        assert type(caught.value) is AuthError
    with pytest.raises(AccountLocked) as locked:
        store.sign_in("Ana Registrar", "wrong password", now=T0 + timedelta(minutes=4))
    until = T0 + timedelta(minutes=4 + 15)
    assert locked.value.until == until
    assert "until 09:19 UTC on 01 March 2025" in str(locked.value)
    # Locked even with the right password, until the time has passed.
    with pytest.raises(AccountLocked):
        store.sign_in("Ana Registrar", PASSWORD, now=until - timedelta(seconds=1))
    assert store.users()[1].locked_until is not None
    session = store.sign_in("Ana Registrar", PASSWORD, now=until)
    assert session.principal.name == "Ana Registrar"
    row = user_row(store, "Ana Registrar")
    assert row.failed_signins == 0 and row.locked_until is None


def test_a_right_password_resets_the_count(store: DecisionStore) -> None:
    for _ in range(4):
        with pytest.raises(AuthError):
            store.sign_in("Ana Registrar", "wrong password", now=T0)
    store.sign_in("Ana Registrar", PASSWORD, now=T0)
    for _ in range(4):
        with pytest.raises(AuthError) as caught:
            store.sign_in("Ana Registrar", "wrong password", now=T0)
        assert type(caught.value) is AuthError  # not locked: the count started again


def test_an_administrator_can_lift_a_lock(store: DecisionStore) -> None:
    for _ in range(5):
        with pytest.raises(AuthError):
            store.sign_in("Ana Registrar", "wrong password", now=T0)
    store.enable_user("Ana Registrar", by=token_of(store, "Adam Admin"), now=T0)
    assert store.sign_in("Ana Registrar", PASSWORD, now=T0)
    assert user_events(store)[-1].payload == {"user": "Ana Registrar", "change": "unlocked", "role": "registrar"}


# --- sessions ------------------------------------------------------------------------------------------


def test_a_session_lasts_eight_hours(store: DecisionStore) -> None:
    token = token_of(store, "Ana Registrar")
    who = store.principal(token, now=T0 + timedelta(hours=8) - timedelta(seconds=1))
    assert who.name == "Ana Registrar" and who.role is AccessRole.REGISTRAR
    assert who.expires_at == T0 + timedelta(hours=8)
    with pytest.raises(SessionExpired, match="expired"):
        store.principal(token, now=T0 + timedelta(hours=8))
    with pytest.raises(SessionExpired):
        check(store, token, Permission.RECORD, now=T0 + timedelta(hours=9))


def test_the_session_length_can_be_set_in_minutes(store: DecisionStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MATCHING_SESSION_MINUTES", "30")
    token = token_of(store, "Ana Registrar")
    assert store.principal(token, now=T0 + timedelta(minutes=29)).name == "Ana Registrar"
    with pytest.raises(SessionExpired):
        store.principal(token, now=T0 + timedelta(minutes=30))
    monkeypatch.setenv("MATCHING_SESSION_MINUTES", "soon")  # unreadable: the default
    assert accounts.session_length() == timedelta(hours=accounts.SESSION_HOURS)


def test_signing_out_ends_the_session(store: DecisionStore) -> None:
    token = token_of(store, "Ana Registrar")
    other = token_of(store, "Ana Registrar")
    store.sign_out(token, now=T0)
    with pytest.raises(SessionExpired, match="signed out"):
        store.principal(token, now=T0)
    assert store.principal(other, now=T0).name == "Ana Registrar"  # only that session
    with pytest.raises(SessionExpired):
        store.principal("a token nobody was given", now=T0)
    with pytest.raises(SessionExpired, match="not signed in"):
        store.principal("", now=T0)


def test_a_switched_off_account_can_neither_sign_in_nor_use_an_old_session(store: DecisionStore) -> None:
    old = token_of(store, "Ana Registrar")
    store.disable_user("ana registrar", by=token_of(store, "Adam Admin"), now=T0)
    with pytest.raises(AccountDisabled):
        store.principal(old, now=T0)
    with pytest.raises(AccountDisabled):
        check(store, old, Permission.RECORD)
    with pytest.raises(AccountDisabled, match="switched off"):
        store.sign_in("Ana Registrar", PASSWORD, now=T0)
    with pytest.raises(AuthError) as caught:
        store.sign_in("Ana Registrar", "wrong password", now=T0)
    assert str(caught.value) == "The name or password is not right."  # nothing said without the password
    store.enable_user("Ana Registrar", by=CLI, now=T0)
    assert token_of(store, "Ana Registrar")
    with pytest.raises(SessionExpired):  # the old session stays ended
        store.principal(old, now=T0)


# --- roles ---------------------------------------------------------------------------------------------


def test_the_permission_table() -> None:
    assert ALLOWED[Permission.RECORD] == ALLOWED[Permission.WITHDRAW] == {AccessRole.REGISTRAR}
    assert ALLOWED[Permission.MANAGE_USERS] == ALLOWED[Permission.MANAGE_DATA] == {AccessRole.ADMINISTRATOR}
    assert not any(AccessRole.REVIEWER in roles for roles in ALLOWED.values())
    assert set(accounts.ROLE_DESCRIPTIONS) == set(AccessRole)


@pytest.mark.parametrize(
    ("name", "permission", "message"),
    [
        ("Rita Reviewer", Permission.RECORD, "Reviewers can read everything but cannot record decisions."),
        ("Rita Reviewer", Permission.WITHDRAW, "Reviewers can read everything but cannot withdraw decisions."),
        ("Rita Reviewer", Permission.MANAGE_USERS, "Reviewers can read everything but cannot manage user accounts."),
        ("Adam Admin", Permission.RECORD, "Administrators manage user accounts and data but cannot record decisions"),
        ("Adam Admin", Permission.WITHDRAW, "Administrators manage user accounts and data but cannot withdraw"),
        ("Ana Registrar", Permission.MANAGE_USERS, "Registrars cannot manage user accounts; an administrator does."),
        ("Ana Registrar", Permission.MANAGE_DATA, "Registrars cannot change the shared data or rule sets"),
    ],
)
def test_require_refuses_a_role_without_the_permission(
    store: DecisionStore, name: str, permission: Permission, message: str
) -> None:
    with pytest.raises(NotAllowed) as caught:
        check(store, token_of(store, name), permission)
    refused = caught.value
    assert str(refused).startswith(message)
    assert refused.user == name and refused.role == PEOPLE[name] and refused.permission is permission
    assert refused.code == "not_allowed"


@pytest.mark.parametrize(
    ("name", "permission"),
    [
        ("Ana Registrar", Permission.RECORD),
        ("Ana Registrar", Permission.WITHDRAW),
        ("Adam Admin", Permission.MANAGE_USERS),
        ("Adam Admin", Permission.MANAGE_DATA),
    ],
)
def test_require_lets_the_role_through(store: DecisionStore, name: str, permission: Permission) -> None:
    who = check(store, token_of(store, name), permission)
    assert who.name == name and who.role == PEOPLE[name]


def test_a_role_change_applies_to_the_next_write_of_an_open_session(store: DecisionStore) -> None:
    token = store.sign_in("Ana Registrar", PASSWORD).token  # now: the store's writes check at the present time
    assert check(store, token, Permission.RECORD, now=None).role is AccessRole.REGISTRAR
    store.set_role("Ana Registrar", "reviewer", by=store.sign_in("Adam Admin", PASSWORD).token)
    with pytest.raises(NotAllowed, match="Reviewers can read everything but cannot record decisions"):
        check(store, token, Permission.RECORD, now=None)
    assert store.principal(token).role is AccessRole.REVIEWER
    # The store's own write refuses it, and writes nothing.
    new = NewDecision("D1", (SeatRecord("M1", "chair"),), "iomed")
    with pytest.raises(NotAllowed):
        store.record(new, {"M1": 1}, session=token)
    assert store.decisions() == []
    store.set_role("Ana Registrar", AccessRole.REGISTRAR, by=CLI)
    assert store.record(new, {"M1": 1}, session=token).recorded_by == "Ana Registrar"


def test_accounts_are_managed_from_the_app_only_with_an_administrators_session(store: DecisionStore) -> None:
    for name in ("Ana Registrar", "Rita Reviewer"):
        with pytest.raises(NotAllowed, match="cannot manage user accounts"):
            store.add_user("Newcomer", "registrar", PASSWORD, by=token_of(store, name), now=T0)
    assert "Newcomer" not in {u.name for u in store.users()}
    with pytest.raises(SessionExpired):
        store.add_user("Newcomer", "registrar", PASSWORD, by="a forged token", now=T0)
    added = store.add_user("Newcomer", "reviewer", PASSWORD, by=token_of(store, "Adam Admin"), now=T0)
    assert added.role is AccessRole.REVIEWER and not added.disabled
    assert user_events(store)[-1].actor == "Adam Admin"


def test_the_last_administrator_cannot_be_switched_off_or_demoted(store: DecisionStore) -> None:
    admin = token_of(store, "Adam Admin")
    with pytest.raises(AccountError, match="last administrator"):
        store.disable_user("Adam Admin", by=admin, now=T0)
    with pytest.raises(AccountError, match="last administrator"):
        store.set_role("Adam Admin", "registrar", by=CLI, now=T0)
    store.add_user("Eve Admin", "administrator", PASSWORD, by=admin, now=T0)
    store.set_role("Adam Admin", "registrar", by=admin, now=T0)  # now allowed; it ends Adam's own rights
    with pytest.raises(NotAllowed):
        store.add_user("Late", "reviewer", PASSWORD, by=admin, now=T0)


def test_account_changes_are_logged_without_password_material(store: DecisionStore) -> None:
    admin = token_of(store, "Adam Admin")
    store.set_role("Rita Reviewer", "registrar", by=admin, now=T0)
    store.disable_user("Rita Reviewer", by=admin, now=T0)
    store.enable_user("Rita Reviewer", by=CLI, now=T0)
    logged = user_events(store)
    assert [(e.actor, e.payload) for e in logged] == [
        ("command line (tests)", {"user": "Ana Registrar", "change": "added", "role": "registrar"}),
        ("command line (tests)", {"user": "Rita Reviewer", "change": "added", "role": "reviewer"}),
        ("command line (tests)", {"user": "Adam Admin", "change": "added", "role": "administrator"}),
        (
            "Adam Admin",
            {"user": "Rita Reviewer", "change": "role", "role": "registrar", "previous_role": "reviewer"},
        ),
        ("Adam Admin", {"user": "Rita Reviewer", "change": "disabled", "role": "registrar"}),
        ("command line (tests)", {"user": "Rita Reviewer", "change": "enabled", "role": "registrar"}),
    ]
    text = json.dumps([e.as_line() for e in logged])
    assert PASSWORD not in text and "argon2" not in text and "password" not in text
    # No change, no event.
    store.enable_user("Rita Reviewer", by=CLI, now=T0)
    store.set_role("Rita Reviewer", "registrar", by=CLI, now=T0)
    assert len(user_events(store)) == len(logged)


# --- the demo --------------------------------------------------------------------------------------------


@pytest.fixture
def default_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The project's default database, moved to a temporary folder, with ``DATABASE_URL`` unset."""
    path = tmp_path / "var" / "decisions.sqlite"
    monkeypatch.setattr(store_module, "DEFAULT_FILE", path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return path


def test_demo_accounts_are_made_on_the_default_demo_database(default_file: Path) -> None:
    store = DecisionStore()
    assert store.url == f"sqlite:///{default_file}" and store.is_default_database
    assert not store.is_demo
    assert store.ensure_demo_accounts() and store.is_demo
    assert {u.name: u.role for u in store.users()} == dict(DEMO_ACCOUNTS)
    for name, role in DEMO_ACCOUNTS.items():
        assert store.sign_in(name, DEMO_PASSWORD).principal.role is role
    assert store.ensure_demo_accounts()  # again: nothing more
    assert len(store.users()) == 3 and len(user_events(store)) == 3


def test_demo_accounts_are_never_made_on_another_database(
    url: str, default_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = DecisionStore(url)
    assert not elsewhere.ensure_demo_accounts()
    assert elsewhere.users() == [] and not elsewhere.is_demo

    # The default file itself, but named by DATABASE_URL: a deliberate choice, not the demo.
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{default_file}")
    named = DecisionStore()
    assert not named.ensure_demo_accounts() and named.users() == [] and not named.is_demo


def test_a_default_database_with_accounts_of_its_own_never_becomes_the_demo(default_file: Path) -> None:
    store = DecisionStore()
    store.add_user("Real Admin", "administrator", PASSWORD, by=CLI)
    assert not store.ensure_demo_accounts()
    assert [u.name for u in store.users()] == ["Real Admin"] and not store.is_demo


# --- the command line --------------------------------------------------------------------------------------


def users_cli(*args: str, password: str | None = PASSWORD, entry: str = "") -> Any:
    env = {"MATCHING_PASSWORD": password} if password is not None else {}
    return CliRunner().invoke(app, ["users", *args], env=env, input=entry)


def test_the_command_line_knows_the_same_roles() -> None:
    assert tuple(r.value for r in AccessRole) == ROLES


def test_users_add_list_set_role_disable_enable(url: str) -> None:
    done = users_cli("add", "Ana Registrar", "--role", "registrar", "--database", url)
    assert done.exit_code == 0, done.output
    assert "Added Ana Registrar as a registrar." in done.output
    assert users_cli("add", "Adam Admin", "--role", "administrator", "--database", url).exit_code == 0
    store = DecisionStore(url)
    assert store.sign_in("Ana Registrar", PASSWORD).principal.role is AccessRole.REGISTRAR

    done = users_cli("set-role", "ana registrar", "reviewer", "--database", url)
    assert done.exit_code == 0 and "Ana Registrar is now a reviewer." in done.output
    done = users_cli("disable", "Ana Registrar", "--database", url)
    assert done.exit_code == 0 and "switched off" in done.output
    with pytest.raises(AccountDisabled):
        store.sign_in("Ana Registrar", PASSWORD)

    listed = users_cli("list", "--database", url)
    assert listed.exit_code == 0
    lines = listed.output.splitlines()
    assert lines[0].split() == ["name", "role", "status", "added"]
    assert "Ana Registrar" in lines[2] and "reviewer" in lines[2] and "switched off" in lines[2]
    assert "Adam Admin" in lines[1] and "administrator" in lines[1] and "active" in lines[1]

    assert users_cli("enable", "Ana Registrar", "--database", url).exit_code == 0
    assert store.sign_in("Ana Registrar", PASSWORD)
    assert all(e.actor.startswith("command line") for e in user_events(store))


def test_users_add_asks_for_the_password_twice_without_the_variable(url: str) -> None:
    done = users_cli("add", "Cleo", "--role", "reviewer", "--database", url, password=None, entry=f"{PASSWORD}\n" * 2)
    assert done.exit_code == 0, done.output
    assert PASSWORD not in done.output  # not echoed
    assert DecisionStore(url).sign_in("Cleo", PASSWORD)


@pytest.mark.parametrize(
    ("args", "password", "code", "message"),
    [
        (("add", "Jo", "--role", "judge"), PASSWORD, 2, "no role called 'judge'"),
        (("add", "Jo", "--role", "reviewer"), "short", 2, "at least 10 characters"),
        (("add", "Ana Registrar", "--role", "reviewer"), PASSWORD, 1, "already a user called Ana Registrar"),
        (("set-role", "Nobody", "reviewer"), None, 2, "no user called 'Nobody'"),
        (("set-role", "Ana Registrar", "boss"), None, 2, "no role called 'boss'"),
        (("disable", "Adam Admin"), None, 1, "last administrator"),
    ],
)
def test_users_commands_refuse_in_plain_words(
    url: str, args: tuple[str, ...], password: str | None, code: int, message: str
) -> None:
    for name, role in (("Ana Registrar", "registrar"), ("Adam Admin", "administrator")):
        assert users_cli("add", name, "--role", role, "--database", url).exit_code == 0
    done = users_cli(*args, "--database", url, password=password)
    assert done.exit_code == code, done.output
    assert message in done.output and "Traceback" not in done.output


def test_users_list_on_an_empty_database_and_a_bad_address(url: str) -> None:
    done = users_cli("list", "--database", url)
    assert done.exit_code == 0 and "No user accounts yet" in done.output
    ran = subprocess.run(
        [sys.executable, "-m", "matching", "users", "list", "--database", "nosuchdb://here"],
        cwd=ROOT,
        env={**os.environ},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert ran.returncode == 1
    assert ran.stderr.startswith("Error: The decisions database address") and "Traceback" not in ran.stderr
