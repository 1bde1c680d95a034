"""The decisions database's migrations (``matching.records.schema``), on SQLite and PostgreSQL.

A database made by the store as of b918d2c (``tests/fixtures/store/decisions_b918d2c.sqlite``: three
decisions, #3 withdrawn; and the same rows put into PostgreSQL) is stamped 0001 and upgraded: every
decision reads back unchanged and the log holds one ``migrated`` event per decision plus one for the
withdrawal, chained. Upgrading again changes nothing; a new database ends at head with exactly the
tables of ``matching.records.tables``; several processes opening one new database at once migrate it once.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect, text

from matching.records.ledger import GENESIS, Event, event_hash, events
from matching.records.schema import BASELINE, alembic_config, current_revision, head_revision, upgrade
from matching.records.store import DecisionStore, StoreError
from matching.records.tables import Base

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "store" / "decisions_b918d2c.sqlite"
BASELINE_TABLES = ("decisions", "seats", "record_locks")  # in an order the foreign key allows
ALL_TABLES = {*Base.metadata.tables, "alembic_version"}


# --- the b918d2c database's rows ------------------------------------------------------------


def fixture_rows() -> dict[str, list[dict[str, Any]]]:
    """Every row of the b918d2c database's three tables, as dicts, in order of their keys."""
    conn = sqlite3.connect(f"file:{FIXTURE}?mode=ro&immutable=1", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        order = {"decisions": "id", "seats": "id", "record_locks": '"key"'}
        return {t: [dict(r) for r in conn.execute(f"SELECT * FROM {t} ORDER BY {order[t]}")] for t in BASELINE_TABLES}
    finally:
        conn.close()


def load_rows(engine: Engine, rows: dict[str, list[dict[str, Any]]]) -> None:
    """Insert the rows with plain SQL, as b918d2c's store would have left them (ids kept)."""
    with engine.begin() as conn:
        for table in BASELINE_TABLES:
            if not rows[table]:
                continue
            columns = list(rows[table][0])
            names = ", ".join(f'"{c}"' for c in columns)
            values = ", ".join(f":{c}" for c in columns)
            conn.execute(text(f"INSERT INTO {table} ({names}) VALUES ({values})"), rows[table])
        if engine.dialect.name == "postgresql":
            for table in ("decisions", "seats"):
                conn.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
                )


def make_0001(url: str, stamped: bool) -> None:
    """The 0001 schema through alembic, the b918d2c rows in it; without ``alembic_version`` unless ``stamped``."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            command.upgrade(alembic_config(conn), BASELINE)
        load_rows(engine, fixture_rows())
        if not stamped:
            with engine.begin() as conn:
                conn.execute(text("DROP TABLE alembic_version"))
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def new_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """The address of an empty database."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'decisions.sqlite'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def old_url(backend: str, new_url: str, tmp_path: Path) -> str:
    """A database as b918d2c's store made it (no ``alembic_version``), holding the fixture's rows."""
    if backend == "sqlite":
        shutil.copyfile(FIXTURE, tmp_path / "decisions.sqlite")
    else:
        make_0001(new_url, stamped=False)
    return new_url


@pytest.fixture
def opened(old_url: str) -> Iterator[DecisionStore]:
    store = DecisionStore(old_url)
    yield store
    store.close()


# --- checks ----------------------------------------------------------------------------------


def dump(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, sorted: what "changes nothing" compares."""
    with engine.connect() as conn:
        return {
            table: sorted((tuple(row) for row in conn.execute(text(f'SELECT * FROM "{table}"'))), key=repr)
            for table in sorted(inspect(conn).get_table_names())
        }


def chained(engine: Engine) -> list[Event]:
    """The log's events, after checking each one's number, link and hash (recomputed here)."""
    with engine.connect() as conn:
        found = list(events(conn))
    previous = GENESIS
    for number, event in enumerate(found, start=1):
        assert event.seq == number
        assert event.prev_hash == previous
        assert event.hash == event_hash(event.seq, event.at, event.actor, event.kind, event.payload, event.prev_hash)
        previous = event.hash
    return found


def check_migrated(store: DecisionStore) -> None:
    """The b918d2c decisions read back unchanged, and the log holds them (keys: migration 0002's docstring)."""
    rows = fixture_rows()
    assert dump(store.engine)["decisions"] == sorted((tuple(r.values()) for r in rows["decisions"]), key=repr)
    assert dump(store.engine)["seats"] == sorted((tuple(r.values()) for r in rows["seats"]), key=repr)

    decisions = store.decisions(include_withdrawn=True)
    assert [d.id for d in decisions] == [1, 2, 3]
    assert [d.dispute_id for d in decisions] == ["D001", "D002", "D003"]
    assert [d.member_ids for d in decisions] == [
        ["M0084"],
        ["M0593", "M0068", "M0446", "M0107", "M0030"],
        ["M0507", "M0087", "M0220"],
    ]
    assert [d.recorded_by for d in decisions] == ["Registrar A", "Registrar B", "Registrar A"]
    assert [d.note for d in decisions] == ["first choice", "the parties asked for a second look", ""]
    assert [d.active for d in decisions] == [True, True, False]
    assert (decisions[2].withdrawn_by, decisions[2].withdrawal_note) == ("Registrar B", "conflict found later")
    assert [d.id for d in store.decisions()] == [1, 2]
    assert decisions[1].seats[2].name == "Snežana Kostić" and decisions[1].seats[2].un_group == "eastern_european"

    log = chained(store.engine)
    assert [e.kind for e in log] == ["migrated"] * 4
    assert {e.actor for e in log} == {"migration"}
    assert [e.payload["decision_id"] for e in log] == [1, 2, 3, 3]
    assert [e.payload.get("withdrawn") for e in log] == [None, None, None, True]
    seats = {}
    for seat in rows["seats"]:
        seats.setdefault(seat["decision_id"], []).append(
            {"mediator_id": seat["mediator_id"], "role": seat["role"], "name": seat["name"]}
        )
    for event, row in zip(log[:3], rows["decisions"], strict=True):
        assert event.at == row["recorded_at"]
        assert event.payload == {
            "decision_id": row["id"],
            "dispute_id": row["dispute_id"],
            "dispute_title": row["dispute_title"],
            "parties": row["parties"].split(";"),
            "seats": seats[row["id"]],
            "rule_set": row["rule_set"],
            "nationality_rule": row["nationality_rule"],
            "weights": json.loads(row["weights"]),
            "scores": json.loads(row["scores"]),
            "objective": row["objective"],
            "candidate_rank": row["candidate_rank"],
            "locks": json.loads(row["locks"]),
            "inputs_sha256": json.loads(row["inputs_sha256"]),
            "recorded_by": row["recorded_by"],
            "recorded_at": row["recorded_at"],
            "note": row["note"],
        }
    withdrawn = rows["decisions"][2]
    assert log[3].at == withdrawn["withdrawn_at"]
    assert log[3].payload == {
        "decision_id": 3,
        "withdrawn": True,
        "withdrawn_by": "Registrar B",
        "withdrawn_at": withdrawn["withdrawn_at"],
        "reason": "conflict found later",
    }
    assert log[0].payload["seats"] == [{"mediator_id": "M0084", "role": "chair", "name": "Dieter Neumann"}]

    with store.engine.connect() as conn:
        assert current_revision(conn) == head_revision()
        assert conn.scalar(text("SELECT count(*) FROM record_locks WHERE \"key\" = 'chain'")) == 1


# --- the tests -------------------------------------------------------------------------------


def test_a_b918d2c_database_keeps_its_decisions_and_gains_the_log(opened: DecisionStore) -> None:
    check_migrated(opened)


@pytest.mark.parametrize("stamped", [True, False], ids=["stamped-0001", "no-alembic-version"])
def test_a_0001_database_on_postgresql_is_upgraded(pg_url: str, stamped: bool) -> None:
    make_0001(pg_url, stamped)
    store = DecisionStore(pg_url)
    try:
        check_migrated(store)
    finally:
        store.close()


def test_upgrading_again_changes_nothing(opened: DecisionStore, old_url: str) -> None:
    before = dump(opened.engine)
    assert set(before) == ALL_TABLES
    upgrade(opened.engine)
    again = DecisionStore(old_url)
    upgrade(again.engine)
    assert dump(again.engine) == before
    again.close()
    check_migrated(opened)


def test_a_new_database_ends_at_head_with_every_table(new_url: str) -> None:
    store = DecisionStore(new_url)
    try:
        with store.engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) == ALL_TABLES
            assert current_revision(conn) == head_revision() == "0002"
            # The migrations make exactly what tables.py declares: columns, types, keys, indexes.
            assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
            assert conn.scalar(text("SELECT count(*) FROM events")) == 0
        assert store.decisions(include_withdrawn=True) == []
    finally:
        store.close()


def test_the_baseline_is_exactly_what_b918d2c_made(tmp_path: Path) -> None:
    """0001 on a new SQLite file writes the very DDL b918d2c's create_all wrote into the fixture."""
    engine = create_engine(f"sqlite:///{tmp_path / 'baseline.sqlite'}")
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), BASELINE)
    engine.dispose()

    def ddl(path: Path) -> set[str]:
        conn = sqlite3.connect(path)
        try:
            found = conn.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name != 'alembic_version'")
            return {" ".join(row[0].split()) for row in found}
        finally:
            conn.close()

    assert ddl(tmp_path / "baseline.sqlite") == ddl(FIXTURE)


OPEN_AT_ONCE = """
import sys
from matching.records.store import DecisionStore
print("ready", flush=True)
sys.stdin.readline()
DecisionStore(sys.argv[1]).close()
"""


def _open_at_once(url: str, processes: int = 3) -> None:
    """Open the store on ``url`` from several processes released at the same moment."""
    started = [
        subprocess.Popen(
            [sys.executable, "-c", OPEN_AT_ONCE, url],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    try:
        for p in started:
            assert p.stdout is not None and p.stdout.readline().strip() == "ready"
        for p in started:
            assert p.stdin is not None
            p.stdin.write("go\n")
            p.stdin.flush()
        for p in started:
            _, err = p.communicate(timeout=120)
            assert p.returncode == 0, err
    finally:
        for p in started:
            if p.poll() is None:
                p.kill()


def test_processes_opening_a_new_database_at_once_migrate_it_once(new_url: str) -> None:
    _open_at_once(new_url)
    store = DecisionStore(new_url)
    try:
        with store.engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) == ALL_TABLES
            assert current_revision(conn) == head_revision()
            assert conn.scalar(text("SELECT count(*) FROM alembic_version")) == 1
            assert conn.scalar(text("SELECT count(*) FROM events")) == 0
    finally:
        store.close()


def test_processes_opening_an_old_database_at_once_log_its_decisions_once(old_url: str) -> None:
    _open_at_once(old_url)
    store = DecisionStore(old_url)
    try:
        check_migrated(store)
    finally:
        store.close()


def test_a_database_from_a_newer_version_is_refused_plainly(new_url: str) -> None:
    DecisionStore(new_url).close()
    engine = create_engine(new_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(StoreError, match=r"revision '9999'.*newer version"):
        DecisionStore(new_url)
