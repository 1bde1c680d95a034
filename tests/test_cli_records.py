"""``record`` and ``audit`` on the command line (``matching.cli.records``), as a batch operator and
an outside auditor use them: real subprocesses, exit codes, and the database they leave behind."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from matching.records.store import DecisionStore
from matching.records.users import CommandLine

PASSWORD = "correct horse battery staple"


def run(*args: str, password: str = PASSWORD, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, MATCHING_PASSWORD=password)
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "matching", *args], capture_output=True, text=True, timeout=timeout, env=env
    )


@pytest.fixture(scope="module")
def panels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("runs")
    solve = folder / "panels.json"
    done = run("solve", "--out", str(solve), "--candidates", "2", *[f"--dispute=D00{i}" for i in range(1, 5)])
    assert done.returncode == 0, done.stderr
    batch = folder / "batch.json"
    done = run("batch", "--out", str(batch), *[f"--dispute=D01{i}" for i in range(0, 6)])
    assert done.returncode == 0, done.stderr
    return {"solve": solve, "batch": batch}


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'decisions.sqlite'}"
    store = DecisionStore(url)
    store.add_user("ana", "registrar", PASSWORD, by=CommandLine("tests"))
    store.add_user("rita", "reviewer", PASSWORD, by=CommandLine("tests"))
    store.close()
    return url


def test_a_reviewed_solve_and_batch_are_recorded_and_audit_holds(db: str, panels: dict[str, Path]) -> None:
    done = run("record", "--panels", str(panels["solve"]), "--user", "ana", "--database", db)
    assert done.returncode == 0, done.stderr
    assert "4 of 4 dispute(s) recorded by ana" in done.stdout
    done = run("record", "--panels", str(panels["batch"]), "--user", "ana", "--database", db, "--reason", "Batch 7")
    assert done.returncode == 0, done.stderr
    store = DecisionStore(db)
    decisions = store.decisions()
    assert [d.dispute_id for d in decisions] == ["D001", "D002", "D003", "D004", *[f"D01{i}" for i in range(6)]]
    assert {d.recorded_by for d in decisions} == {"ana"}
    assert all(d.candidate_rank == 1 for d in decisions)
    batch_events = [e for e in store.log_events() if e.kind == "decision" and e.payload["dispute_id"] >= "D010"]
    assert {e.payload["reason"] for e in batch_events} == {"Batch 7"}
    assert {e.payload["run"]["settings"]["command"] for e in batch_events} == {"batch"}
    audit = run("audit", "--database", db)
    assert audit.returncode == 0, audit.stdout + audit.stderr
    assert "10 of 10 decision(s) replayed, 10 confirmed" in audit.stdout
    again = run("record", "--panels", str(panels["solve"]), "--user", "ana", "--database", db)
    assert again.returncode == 1
    assert again.stderr.count("already has a recorded panel") == 4


def test_a_reviewer_cannot_record_from_the_command_line(db: str, panels: dict[str, Path]) -> None:
    done = run("record", "--panels", str(panels["solve"]), "--user", "rita", "--database", db)
    assert done.returncode == 1
    assert "rita is a reviewer: only registrars record decisions" in done.stderr
    assert DecisionStore(db).decisions() == []


def test_a_wrong_password_records_nothing(db: str, panels: dict[str, Path]) -> None:
    done = run("record", "--panels", str(panels["solve"]), "--user", "ana", "--database", db, password="wrong one!!")
    assert done.returncode != 0
    assert "name or password is not right" in done.stderr
    assert DecisionStore(db).decisions() == []


def test_panels_made_from_other_inputs_are_refused(db: str, panels: dict[str, Path], tmp_path: Path) -> None:
    from matching.core.paths import demo_dir

    mediators = tmp_path / "mediators.csv"
    mediators.write_bytes((demo_dir() / "mediators.csv").read_bytes() + b"\n")
    done = run(
        "record", "--panels", str(panels["solve"]), "--user", "ana", "--database", db,
        "--mediators", str(mediators), "--disputes", str(demo_dir() / "disputes.csv"),
    )  # fmt: skip
    assert done.returncode == 2
    assert "mediators.csv differs" in done.stderr
    assert DecisionStore(db).decisions() == []


def test_a_changed_panels_file_is_refused_dispute_by_dispute(db: str, panels: dict[str, Path], tmp_path: Path) -> None:
    document = json.loads(panels["solve"].read_text())
    document["disputes"][0]["panels"][0]["objective"] += 0.5  # a better score than the panel has
    members = document["disputes"][1]["panels"][0]["members"]
    members[1]["mediator_id"] = members[0]["mediator_id"]  # the same mediator twice
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(document))
    done = run("record", "--panels", str(changed), "--user", "ana", "--database", db)
    assert done.returncode == 1
    assert "D001: not recorded: the file gives the panel a score" in done.stderr
    assert "D002: not recorded" in done.stderr
    assert [d.dispute_id for d in DecisionStore(db).decisions()] == ["D003", "D004"]


@pytest.mark.parametrize(
    "content, message",
    [
        ("not json", "is not a JSON document"),
        ('{"run": {}, "disputes": []}', "run.inputs_sha256"),
        (
            '{"run": {"inputs_sha256": {}, "rules": {}, "settings": {"command": "lottery"}}, "disputes": []}',
            "solve or batch",
        ),
    ],
)
def test_a_bad_panels_file_is_a_clear_error(db: str, tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    done = run("record", "--panels", str(path), "--user", "ana", "--database", db)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_audit_exports_and_checks_the_export(db: str, panels: dict[str, Path], tmp_path: Path) -> None:
    assert run("record", "--panels", str(panels["solve"]), "--user", "ana", "--database", db).returncode == 0
    export = tmp_path / "log.jsonl"
    findings = tmp_path / "findings.json"
    done = run("audit", "--database", db, "--export", str(export), "--json", str(findings))
    assert done.returncode == 0, done.stdout
    head = json.loads(findings.read_text())["head_hash"]
    assert head in done.stdout and json.loads(export.read_text().splitlines()[0])["head_hash"] == head
    assert run("audit", "--file", str(export), "--expect-head", head).returncode == 0
    lines = export.read_text().splitlines()
    export.write_text("\n".join(lines[:-1] if lines[-1].startswith('{"file"') else lines[:2]) + "\n")
    cut = run("audit", "--file", str(export))
    assert cut.returncode == 1
    assert "PROBLEM" in cut.stdout


def test_audit_refuses_bad_arguments(db: str, tmp_path: Path) -> None:
    assert run("audit", "--database", db, "--expect-head", "abc").returncode == 2
    assert run("audit", "--file", str(tmp_path / "log.jsonl"), "--database", db).returncode == 2
    missing = run("audit", "--file", str(tmp_path / "nothing.jsonl"))
    assert missing.returncode == 2 and "cannot be read" in missing.stderr


def test_the_audit_json_matches_its_schema(db: str, panels: dict[str, Path], tmp_path: Path) -> None:
    from jsonschema import Draft202012Validator

    schema_file = Path(__file__).resolve().parents[1] / "docs" / "schemas" / "audit.schema.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    assert run("record", "--panels", str(panels["solve"]), "--user", "ana", "--database", db).returncode == 0
    findings = tmp_path / "findings.json"
    assert run("audit", "--database", db, "--json", str(findings)).returncode == 0
    head = json.loads(findings.read_text())["head_hash"]
    assert run("audit", "--database", db, "--json", str(findings), "--expect-head", head).returncode == 0
    document = json.loads(findings.read_text())
    assert [f["what"] for f in document["findings"]] == ["head"]
    assert not list(Draft202012Validator(schema).iter_errors(document))
    document["findings"].append({"severity": "maybe", "what": "edited", "message": "x", "event": 1, "decision_id": 1})
    assert list(Draft202012Validator(schema).iter_errors(document))
