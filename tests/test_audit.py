"""The decision log and its audit (``matching.records.ledger``, ``matching.records.audit``).

A realistic day of recording (several registrars' decisions, a second candidate chosen with a
reason, a withdrawal and a new panel for the freed dispute) is audited on SQLite and on
PostgreSQL: the chain holds and every decision replays. Then each kind of tampering (an event
edited, edited and re-sealed, deleted, reordered; the log cut short; the decisions table edited,
a row added or deleted; a kept input file altered) is done behind the application's back and the
audit must name it. The auditor's export is checked without the database the same way.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from matching.core.config import SolveConfig
from matching.core.paths import demo_dir
from matching.io.loading import load_folder
from matching.io.results import rule_set_record
from matching.io.rulesets import load_rule_set
from matching.panel.service import propose
from matching.records.audit import AuditReport, Severity, audit_export, check_chain
from matching.records.ledger import GENESIS, Event, event_hash
from matching.records.store import DecisionStore, StoreError, capacity_left, decision_from_panel
from matching.records.users import CommandLine, NotAllowed
from matching.rules.workspace import Workspace

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def ws() -> Workspace:
    return Workspace(load_folder(demo_dir()))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'decisions.sqlite'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def store(db_url: str) -> Iterator[DecisionStore]:
    s = DecisionStore(db_url)
    for name, role in [("ana", "registrar"), ("ben", "registrar"), ("rita", "reviewer"), ("root", "administrator")]:
        s.add_user(name, role, PASSWORD, by=CommandLine("tests"))
    yield s
    s.close()


def sign_in(store: DecisionStore, name: str) -> str:
    return store.sign_in(name, PASSWORD).token


def record(store: DecisionStore, ws: Workspace, who: str, dispute_id: str, rank: int = 1, reason: str = "") -> int:
    rules = load_rule_set("iomed")
    result = propose(ws, dispute_id, rules, SolveConfig(candidates=max(rank, 2)), extra_load=store.recorded_load())
    panel = result.panels[rank - 1]
    new = decision_from_panel(ws, dispute_id, panel, rules, result=result, reason=reason, note="at the hearing")
    return store.record(new, capacity_left(ws.data), sign_in(store, who)).id


def a_day(store: DecisionStore, ws: Workspace) -> dict[str, int]:
    """Five decisions by two registrars, one second candidate with a reason, one withdrawal, one re-decision."""
    ids = {
        "D001": record(store, ws, "ana", "D001"),
        "D002": record(store, ws, "ben", "D002", rank=2, reason="The parties objected to the first chair."),
        "D003": record(store, ws, "ana", "D003"),
        "D004": record(store, ws, "ben", "D004"),
    }
    store.withdraw(ids["D003"], sign_in(store, "ana"), "A conflict came to light after the hearing.")
    ids["D003 again"] = record(store, ws, "ben", "D003")
    return ids


def problems(report: AuditReport) -> list[tuple[str, int | None, int | None]]:
    return [(f.what, f.seq, f.decision_id) for f in report.problems]


def sql(store: DecisionStore, statement: str, **params: Any) -> None:
    with store.engine.begin() as conn:
        conn.execute(text(statement), params)


@pytest.fixture
def day(store: DecisionStore, ws: Workspace) -> dict[str, int]:
    return a_day(store, ws)


# --- an honest day ------------------------------------------------------------------------------


def test_a_day_of_recording_replays_and_the_chain_holds(store: DecisionStore, day: dict[str, int]) -> None:
    report = store.audit()
    assert report.ok, report.problems
    assert report.decisions == 5 and report.replayed == 5 and report.confirmed == 5
    # 4 users added, 5 decisions, 1 withdrawal
    assert report.events == 10
    assert report.head_hash == store.log_events()[-1].hash != GENESIS
    choices = [f for f in report.findings if f.what == "choice"]
    assert [(f.severity, f.decision_id) for f in choices] == [(Severity.NOTE, day["D002"])]
    assert "The parties objected to the first chair." in choices[0].message


def test_each_decision_event_keeps_what_replay_needs(store: DecisionStore, day: dict[str, int]) -> None:
    decisions = [e for e in store.log_events() if e.kind == "decision"]
    first = decisions[0].payload
    assert decisions[0].actor == "ana"
    assert set(first["inputs"]) == {"mediators", "disputes", "conflicts", "preferences", "appointments"}
    for kept in first["inputs"].values():
        content = store.kept_file(kept["sha256"])
        assert content is not None and len(content) > 0
    assert first["run"]["rules"]["weights"]["expertise"] == 1.0
    assert first["run"]["seed"] == 0 and first["run"]["solver"].startswith("cp-sat")
    assert len(first["candidates"]) == 2 and first["chosen"]["rank"] == 1
    assert first["chosen"]["members"][0]["role"] == "chair"
    second = next(e.payload for e in decisions if e.payload["dispute_id"] == "D002")
    assert second["chosen"]["rank"] == 2 and second["reason"].startswith("The parties objected")
    assert store.decision(day["D002"]).reason == second["reason"]


def test_a_panel_other_than_the_first_needs_a_reason(store: DecisionStore, ws: Workspace) -> None:
    with pytest.raises(StoreError, match="Say why"):
        record(store, ws, "ana", "D005", rank=2)
    assert store.decisions() == []


def test_reviewers_and_administrators_cannot_record_or_withdraw(store: DecisionStore, ws: Workspace) -> None:
    for who in ("rita", "root"):
        with pytest.raises(NotAllowed):
            record(store, ws, who, "D001")
    decision_id = record(store, ws, "ana", "D001")
    for who in ("rita", "root"):
        with pytest.raises(NotAllowed):
            store.withdraw(decision_id, sign_in(store, who), "no reason")
    assert store.decision(decision_id).active
    assert [e.kind for e in store.log_events()].count("decision") == 1
    assert store.audit().ok


def test_a_withdrawal_needs_a_reason(store: DecisionStore, ws: Workspace) -> None:
    decision_id = record(store, ws, "ana", "D001")
    with pytest.raises(StoreError, match="reason"):
        store.withdraw(decision_id, sign_in(store, "ana"), "  ")
    assert store.decision(decision_id).active


# --- tampering behind the application's back -----------------------------------------------------


def test_an_edited_event_is_named(store: DecisionStore, day: dict[str, int]) -> None:
    target = next(e for e in store.log_events() if e.kind == "decision")
    edited = dict(target.payload, note="rewritten later")
    sql(store, "UPDATE events SET payload = :p WHERE seq = :s", p=json.dumps(edited), s=target.seq)
    report = store.audit()
    assert ("edited", target.seq, None) in problems(report)
    assert not report.ok


def test_an_event_edited_and_resealed_breaks_the_next_link(store: DecisionStore, day: dict[str, int]) -> None:
    events = store.log_events()
    target = next(e for e in events if e.kind == "withdrawal")
    payload = dict(target.payload, reason="nothing to see")
    forged = event_hash(target.seq, target.at, target.actor, target.kind, payload, target.prev_hash)
    sql(
        store,
        "UPDATE events SET payload = :p, hash = :h WHERE seq = :s",
        p=json.dumps(payload),
        h=forged,
        s=target.seq,
    )
    found = problems(store.audit())
    assert ("edited", target.seq + 1, None) in found


def test_a_deleted_event_is_named(store: DecisionStore, day: dict[str, int]) -> None:
    withdrawal = next(e for e in store.log_events() if e.kind == "withdrawal")
    sql(store, "DELETE FROM events WHERE seq = :s", s=withdrawal.seq)
    found = problems(store.audit())
    assert ("deleted", withdrawal.seq + 1, None) in found
    # the table still says withdrawn while what is left of the log says in force
    assert ("edited", None, day["D003"]) in found


def test_reordered_events_are_named(store: DecisionStore, day: dict[str, int]) -> None:
    a, b = [e.seq for e in store.log_events() if e.kind == "decision"][1:3]
    sql(store, "UPDATE events SET seq = -1 WHERE seq = :a", a=a)
    sql(store, "UPDATE events SET seq = :a WHERE seq = :b", a=a, b=b)
    sql(store, "UPDATE events SET seq = :b WHERE seq = -1", b=b)
    found = problems(store.audit())
    assert ("reordered", b, None) in found and ("reordered", a, None) in found


def test_a_log_cut_short_is_named_against_a_published_head(store: DecisionStore, day: dict[str, int]) -> None:
    published = store.audit().head_hash
    last = store.log_events()[-1]
    sql(store, "DELETE FROM events WHERE seq = :s", s=last.seq)
    sql(store, "DELETE FROM seats WHERE decision_id = :d", d=day["D003 again"])
    sql(store, "DELETE FROM decisions WHERE id = :d", d=day["D003 again"])
    assert store.audit().ok  # without the published head a clean cut at the end is invisible...
    cut = store.audit(expected_head=published)
    assert [f.what for f in cut.problems] == ["deleted"]  # ...with it, it is named


def test_edits_of_the_decisions_table_are_named(store: DecisionStore, day: dict[str, int]) -> None:
    sql(store, "UPDATE seats SET mediator_id = 'M0001' WHERE decision_id = :d AND position = 0", d=day["D001"])
    sql(store, "UPDATE decisions SET withdrawn_at = NULL, withdrawn_by = NULL WHERE id = :d", d=day["D003"])
    sql(store, "DELETE FROM seats WHERE decision_id = :d", d=day["D004"])
    sql(store, "DELETE FROM decisions WHERE id = :d", d=day["D004"])
    found = problems(store.audit())
    assert ("edited", None, day["D001"]) in found
    assert ("edited", None, day["D003"]) in found
    assert ("deleted", None, day["D004"]) in found


def test_a_decision_added_outside_the_application_is_named(store: DecisionStore, day: dict[str, int]) -> None:
    sql(
        store,
        "INSERT INTO decisions (id, dispute_id, dispute_title, parties, rule_set, nationality_rule, weights, scores, "
        "locks, inputs_sha256, recorded_by, recorded_at, note, withdrawal_note) VALUES (99, 'D009', '', '', 'iomed', "
        "'strict', '{}', '{}', '{}', '{}', 'nobody', '2026-01-01', '', '')",
    )
    assert ("added", None, 99) in problems(store.audit())


def test_an_altered_input_file_stops_the_replay(store: DecisionStore, day: dict[str, int]) -> None:
    first = next(e for e in store.log_events() if e.kind == "decision").payload
    digest = first["inputs"]["mediators"]["sha256"]
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE blobs SET content = :c WHERE sha256 = :d"), {"c": b"mediator_id\n", "d": digest})
    report = store.audit()
    assert {f.what for f in report.problems} == {"inputs"}
    assert report.replayed == 0


# --- the auditor's export --------------------------------------------------------------------------


def export(store: DecisionStore, path: Path) -> list[str]:
    lines = list(store.export_log())
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return lines


def test_the_export_is_audited_without_the_database(store: DecisionStore, day: dict[str, int], tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    lines = export(store, path)
    header = json.loads(lines[0])
    assert header["head_hash"] == store.audit().head_hash and header["events"] == 10
    report = audit_export(path)
    assert report.ok, report.problems
    assert report.replayed == 5 and report.confirmed == 5


def test_a_changed_export_is_named(store: DecisionStore, day: dict[str, int], tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    lines = export(store, path)
    number = next(i for i, line in enumerate(lines) if '"kind": "decision"' in line)
    item = json.loads(lines[number])
    item["event"]["payload"]["chosen"]["objective"] = 9.0
    lines[number] = json.dumps(item)
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    assert ("edited", item["event"]["seq"], None) in problems(audit_export(path))
    del lines[number]
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    assert {"deleted"} <= {f.what for f in audit_export(path).problems}


# --- the chain check on its own, for any tampering -----------------------------------------------


def chain(n: int) -> list[Event]:
    events: list[Event] = []
    prev = GENESIS
    for seq in range(1, n + 1):
        payload = {"decision_id": seq, "n": seq}
        at = f"2026-01-01T00:00:{seq:02d}+00:00"
        digest = event_hash(seq, at, "ana", "note", payload, prev)
        events.append(Event(seq, at, "ana", "note", payload, prev, digest))
        prev = digest
    return events


@settings(max_examples=200, deadline=None)
@given(
    st.integers(2, 12).flatmap(lambda n: st.tuples(st.just(n), st.sampled_from(["edit", "delete", "swap"]), st.data()))
)
def test_any_tampering_of_a_chain_is_found(case: tuple[int, str, Any]) -> None:
    n, how, data = case
    events = chain(n)
    assert check_chain(events) == []
    i = data.draw(st.integers(0, n - 1))
    if how == "edit":
        e = events[i]
        events[i] = Event(e.seq, e.at, e.actor, e.kind, dict(e.payload, n=-1), e.prev_hash, e.hash)
    elif how == "delete":
        if i == n - 1:  # the last event: only a published head can tell
            head = events[-1].hash
            del events[i]
            assert [f.what for f in check_chain(events, expected_head=head)] == ["deleted"]
            return
        del events[i]
    else:
        j = data.draw(st.integers(0, n - 1).filter(lambda j: j != i))
        events[i], events[j] = events[j], events[i]
    assert any(f.severity is Severity.PROBLEM for f in check_chain(events))


def test_a_reviewer_reaching_the_batch_record_path_records_nothing(store: DecisionStore, ws: Workspace) -> None:
    from matching.records.commit import read_panels, record_panels

    result = propose(ws, "D001", load_rule_set("iomed"), SolveConfig(candidates=1))
    document = {
        "run": {
            "seed": 0,
            "inputs_sha256": dict(ws.data.inputs_sha256),
            "rules": rule_set_record(load_rule_set("iomed")),
            "settings": {"command": "solve", "candidates": 1},
        },
        "disputes": [result.as_dict()],
    }
    outcomes = record_panels(store, ws, read_panels(document, "panels.json"), sign_in(store, "rita"))
    assert [o.error for o in outcomes] == ["Reviewers can read everything but cannot record decisions."]
    assert store.decisions() == [] and not [e for e in store.log_events() if e.kind == "decision"]
