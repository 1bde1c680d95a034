"""The decisions store: recording, capacity in later solves, concurrency, export, restarts."""

from __future__ import annotations

import csv
import io
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from matching.core.domain import Dataset
from matching.io.loading import load_folder
from matching.io.rulesets import load_rule_set
from matching.panel.service import propose, why_not
from matching.records.store import (
    AlreadyDecidedError,
    CapacityError,
    DecisionStore,
    NewDecision,
    SeatRecord,
    StoreError,
    capacity_left,
    database_url,
    decision_from_panel,
)
from matching.records.users import CommandLine, NotAllowed
from matching.rules.workspace import Workspace
from tests.factories import dispute_row, mediator_row, write_inputs


def url(folder: Path) -> str:
    return f"sqlite:///{folder / 'decisions.sqlite'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each test below runs on a SQLite file and on a fresh PostgreSQL database (``tests/pg.py``)."""
    if request.param == "sqlite":
        return url(tmp_path)
    return str(request.getfixturevalue("pg_url"))


PASSWORD = "correct horse battery staple"


def signed_in(store: DecisionStore, name: str = "Registrar A", role: str = "registrar") -> str:
    """A session token for ``name`` (a registrar unless told), adding the account on first use."""
    if name.casefold() not in {u.name.casefold() for u in store.users()}:
        store.add_user(name, role, PASSWORD, by=CommandLine("tests"))
    return store.sign_in(name, PASSWORD).token


def decision(dispute_id: str, *members: str, note: str = "") -> NewDecision:
    seats = tuple(SeatRecord(mid, "chair" if i == 0 else "member", name=f"Name {mid}") for i, mid in enumerate(members))
    return NewDecision(
        dispute_id=dispute_id,
        seats=seats,
        rule_set="iomed",
        nationality_rule="strict",
        weights={"expertise": 1.0},
        scores={"expertise": 0.5, "diversity": 0.25},
        objective=1.25,
        inputs_sha256={"mediators.csv": "abc"},
        note=note,
        parties=("ETH", "SDN"),
    )


@pytest.fixture
def store(db_url: str) -> Iterator[DecisionStore]:
    s = DecisionStore(db_url)
    yield s
    s.close()


def test_a_recorded_decision_reads_back_whole(store: DecisionStore) -> None:
    saved = store.record(
        decision("D1", "M1", "M2", "M3", note="agreed at the hearing"), {"M1": 1, "M2": 1, "M3": 1}, signed_in(store)
    )
    again = store.decision(saved.id)
    assert again == saved
    assert again.member_ids == ["M1", "M2", "M3"] and again.chair_id == "M1"
    assert again.recorded_by == "Registrar A" and again.recorded_at.endswith("+00:00")
    assert again.inputs_sha256 == {"mediators.csv": "abc"} and again.scores["expertise"] == 0.5
    assert again.note == "agreed at the hearing" and again.active
    assert store.for_dispute("D1") == saved
    assert store.recorded_load() == {"M1": 1, "M2": 1, "M3": 1}


def test_recording_refuses_what_it_cannot_keep(store: DecisionStore) -> None:
    ana = signed_in(store)
    with pytest.raises(StoreError, match="session"):
        store.record(decision("D1", "M1"), {"M1": 1}, "not a session")
    with pytest.raises(NotAllowed):
        store.record(decision("D1", "M1"), {"M1": 1}, signed_in(store, "Rita Reviewer", "reviewer"))
    with pytest.raises(StoreError, match="Not on the roster: M9"):
        store.record(decision("D1", "M9"), {"M1": 1}, ana)
    with pytest.raises(StoreError, match="twice"):
        store.record(decision("D1", "M1", "M1"), {"M1": 2}, ana)
    store.record(decision("D1", "M1"), {"M1": 2}, ana)
    with pytest.raises(AlreadyDecidedError, match="already has a recorded panel"):
        store.record(decision("D1", "M1"), {"M1": 2}, ana)
    with pytest.raises(CapacityError, match="No room left for M1") as caught:
        store.record(decision("D2", "M1"), {"M1": 1}, ana)
    assert caught.value.mediator_ids == ["M1"]
    assert store.recorded_load() == {"M1": 1}


def test_withdrawing_frees_the_seat_and_keeps_the_record(store: DecisionStore) -> None:
    first = store.record(decision("D1", "M1"), {"M1": 1}, signed_in(store))
    ben = signed_in(store, "Registrar B")
    with pytest.raises(StoreError, match="reason"):
        store.withdraw(first.id, ben, "")
    withdrawn = store.withdraw(first.id, ben, "party objected")
    assert not withdrawn.active and withdrawn.withdrawn_by == "Registrar B"
    assert withdrawn.withdrawal_note == "party objected"
    assert store.recorded_load() == {}
    with pytest.raises(StoreError, match="already withdrawn"):
        store.withdraw(first.id, ben, "again")
    second = store.record(decision("D1", "M1"), {"M1": 1}, ben)
    assert [d.id for d in store.decisions()] == [second.id]
    assert [d.id for d in store.decisions(include_withdrawn=True)] == [first.id, second.id]


def _two_disputes_one_star(folder: Path) -> Dataset:
    """M1 is the best sole mediator for both disputes but may take only one more case."""
    write_inputs(
        folder,
        mediators=[
            mediator_row("M1", nationalities="KEN", expertise="water:5", max_cases=2, active_cases=1),
            mediator_row("M2", nationalities="GHA", expertise="water:2", max_cases=4, active_cases=0),
        ],
        disputes=[dispute_row("D1", panel_size=1), dispute_row("D2", panel_size=1)],
    )
    return load_folder(folder)


def test_a_recorded_appointment_counts_against_capacity_in_later_solves(tmp_path: Path, db_url: str) -> None:
    ws = Workspace(_two_disputes_one_star(tmp_path))
    rules = load_rule_set("iomed")
    store = DecisionStore(db_url)
    first = propose(ws, "D1", rules, extra_load=store.recorded_load())
    assert first.panels[0].member_ids == ["M1"]
    recorded = store.record(
        decision_from_panel(ws, "D1", first.panels[0], rules), capacity_left(ws.data), signed_in(store)
    )
    assert recorded.seats[0].un_group == "african" and recorded.inputs_sha256 == ws.data.inputs_sha256

    assert propose(ws, "D2", rules).panels[0].member_ids == ["M1"]  # the roster alone still has room
    later = propose(ws, "D2", rules, extra_load=store.recorded_load())
    assert later.panels[0].member_ids == ["M2"]
    assert any("H3" in line for line in why_not(ws, "D2", "M1", rules, extra_load=store.recorded_load()).sentences())
    with pytest.raises(CapacityError):
        store.record(
            decision_from_panel(ws, "D2", first.panels[0], rules),
            capacity_left(ws.data),
            signed_in(store, "Registrar B"),
        )


def _race(stores: list[DecisionStore], decisions: list[NewDecision], capacity: dict[str, int]) -> list[object]:
    """Record each decision from its own thread (and its own connection), all at the same moment,
    each registrar signed in on their own."""
    tokens = [signed_in(stores[0], f"Registrar {i}") for i in range(len(decisions))]
    start = threading.Barrier(len(decisions))
    outcomes: list[object] = [None] * len(decisions)

    def run(i: int) -> None:
        start.wait()
        try:
            outcomes[i] = stores[i % len(stores)].record(decisions[i], capacity, tokens[i])
        except Exception as exc:
            outcomes[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(decisions))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


def _slow_down(store: DecisionStore) -> None:
    """Pause between the capacity check and the write, so that an unguarded race would double-book."""
    store._after_check = lambda: time.sleep(0.3)


def test_two_registrars_at_once_cannot_push_a_mediator_past_capacity(db_url: str) -> None:
    stores = [DecisionStore(db_url), DecisionStore(db_url)]  # two engines: two connections
    for s in stores:
        _slow_down(s)
    outcomes = _race(stores, [decision("D1", "M1", "M2"), decision("D2", "M3", "M1")], {"M1": 1, "M2": 5, "M3": 5})
    saved = [o for o in outcomes if not isinstance(o, Exception)]
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(saved) == 1 and len(refused) == 1
    assert isinstance(refused[0], CapacityError) and "M1" in str(refused[0])
    assert stores[0].recorded_load()["M1"] == 1
    assert len(stores[1].decisions()) == 1


def test_many_registrars_at_once_fill_capacity_exactly(db_url: str) -> None:
    store = DecisionStore(db_url)
    store._after_check = lambda: time.sleep(0.05)
    outcomes = _race([store], [decision(f"D{i}", "M1") for i in range(6)], {"M1": 2})
    assert sum(not isinstance(o, Exception) for o in outcomes) == 2
    assert all(isinstance(o, CapacityError) for o in outcomes if isinstance(o, Exception))
    assert store.recorded_load() == {"M1": 2}


def test_two_registrars_recording_one_dispute_at_once_get_one_decision(db_url: str) -> None:
    stores = [DecisionStore(db_url), DecisionStore(db_url)]
    for s in stores:
        _slow_down(s)
    outcomes = _race(stores, [decision("D1", "M1"), decision("D1", "M2")], {"M1": 3, "M2": 3})
    assert sum(isinstance(o, AlreadyDecidedError) for o in outcomes) == 1
    assert len(stores[0].decisions()) == 1


def test_export_is_csv_with_spreadsheet_safe_text(store: DecisionStore) -> None:
    store.record(decision("D1", "M1", "M2", note='=HYPERLINK("http://x")'), {"M1": 1, "M2": 1}, signed_in(store))
    gone = store.record(decision("D2", "M3"), {"M3": 1}, signed_in(store, "@registrar"))
    store.withdraw(gone.id, signed_in(store, "-someone"), "+1 objected")
    rows = list(csv.DictReader(io.StringIO(store.export_csv())))
    assert [r["dispute_id"] for r in rows] == ["D1", "D2"]
    assert rows[0]["members"] == "M1;M2" and rows[0]["chair"] == "M1" and rows[0]["status"] == "recorded"
    assert rows[0]["note"] == '\'=HYPERLINK("http://x")'
    assert rows[0]["objective"] == "1.250000" and rows[0]["expertise"] == "0.5000"
    assert rows[0]["inputs_sha256"] == "mediators.csv=abc"
    assert rows[1]["recorded_by"] == "'@registrar" and rows[1]["withdrawn_by"] == "'-someone"
    assert rows[1]["withdrawal_note"] == "'+1 objected"
    assert rows[1]["status"] == "withdrawn"
    assert [r["dispute_id"] for r in csv.DictReader(io.StringIO(store.export_csv(include_withdrawn=False)))] == ["D1"]


def test_the_store_survives_a_restart(db_url: str) -> None:
    first = DecisionStore(db_url)
    saved = first.record(decision("D1", "M1", "M2"), {"M1": 1, "M2": 1}, signed_in(first))
    first.close()
    second = DecisionStore(db_url)
    assert second.decisions() == [saved]
    assert second.recorded_load() == {"M1": 1, "M2": 1}
    with pytest.raises(CapacityError):
        second.record(decision("D2", "M1"), {"M1": 1}, signed_in(second))


def test_the_location_comes_from_database_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert database_url().endswith("var/decisions.sqlite")
    target = url(tmp_path / "elsewhere")
    monkeypatch.setenv("DATABASE_URL", target)
    assert database_url() == target
    store = DecisionStore()
    assert store.url == target and (tmp_path / "elsewhere" / "decisions.sqlite").exists()


def test_a_database_that_cannot_be_opened_is_a_plain_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(StoreError):
        DecisionStore(f"sqlite:///{tmp_path / 'file' / 'decisions.sqlite'}")
    with pytest.raises(StoreError, match="cannot be used"):
        DecisionStore("nosuchdialect://x")
