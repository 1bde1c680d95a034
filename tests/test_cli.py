"""The command line: exit codes, the panels JSON of docs/outputs.md, scoring proposed panels, why-not, and
bad input that writes nothing.

A few tests run ``python -m matching`` in a subprocess, as users do; the rest call the same entry
point (``matching.cli.main``, which maps errors to exit codes) in-process, which saves the two
seconds each fresh interpreter spends importing scikit-learn.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from matching.cli.main import main
from matching.core.paths import demo_dir
from matching.io.rulesets import COMPONENTS, load_rule_set
from tests.factories import dispute_row, mediator_row, write_inputs

ROOT = Path(__file__).resolve().parent.parent
DEMO = demo_dir()
DEMO_FILES = ("mediators", "disputes", "conflicts", "preferences", "appointments")
DEMO_ARGS = [arg for kind in DEMO_FILES for arg in (f"--{kind}", str(DEMO / f"{kind}.csv"))]
STATUSES = {"optimal", "feasible", "infeasible", "timeout"}
SOLVED = ("D001", "D027", "D054")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "matching", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def run_inline(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of ``python -m matching ARGS``, run in this process."""
    with mock.patch.object(sys, "argv", ["matching", *args]), pytest.raises(SystemExit) as exit_info:
        main()
    captured = capsys.readouterr()
    code = exit_info.value.code
    return (0 if code is None else int(code)), captured.out, captured.err


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.fixture(scope="module")
def solved(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    out = tmp_path_factory.mktemp("solve") / "panels.json"
    args = ["solve", "--out", str(out), "--candidates", "3", "--seed", "5", *DEMO_ARGS]
    for did in SOLVED:
        args += ["--dispute", did]
    proc = run(*args)
    assert proc.returncode == 0, proc.stderr
    return proc, json.loads(out.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def bad_inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bad")
    write_inputs(
        folder,
        mediators=[
            mediator_row("M1", nationalities="XXX"),  # row 2: unknown country
            mediator_row("M2", max_cases="-1"),  # row 3: negative capacity
            mediator_row("M1", nationalities="FRA"),  # row 4: duplicate id
        ],
        disputes=[dispute_row("D1", subject_areas="astrology"), dispute_row("D2")],  # row 2: unknown subject
        conflicts=[{"mediator_id": "M9", "dispute_id": "D2", "category": "orange", "waived": "false", "note": ""}],
    )
    return folder


def bad_args(folder: Path) -> list[str]:
    return [
        arg for kind in ("mediators", "disputes", "conflicts") for arg in (f"--{kind}", str(folder / f"{kind}.csv"))
    ]


# --- validate ----------------------------------------------------------------------------------


def test_validate_demo_prints_a_summary() -> None:
    proc = run("validate", *DEMO_ARGS)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("OK: 600 mediators, 80 disputes")


def test_validate_lists_every_problem(bad_inputs: Path) -> None:
    before = listing(bad_inputs)
    proc = run("validate", *bad_args(bad_inputs))
    assert proc.returncode == 2
    assert "OK" not in proc.stdout
    for where in (
        "mediators.csv, row 2, column nationalities",
        "mediators.csv, row 3, column max_cases",
        "mediators.csv, row 4, column mediator_id",
        "disputes.csv, row 2, column subject_areas",
        "conflicts.csv, row 2, column mediator_id",
    ):
        assert where in proc.stderr, (where, proc.stderr)
    assert "5 problems" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert listing(bad_inputs) == before


def test_solve_with_bad_input_writes_nothing(
    bad_inputs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "panels.json"
    code, _, err = run_inline(capsys, "solve", "--out", str(out), *bad_args(bad_inputs))
    assert code == 2
    assert "5 problems" in err
    assert listing(tmp_path) == []


# --- solve: the panels JSON --------------------------------------------------------------------


def is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def test_solve_writes_the_spec_shape(solved: tuple[subprocess.CompletedProcess[str], dict[str, Any]]) -> None:
    proc, doc = solved
    assert "3 disputes: 1 infeasible, 2 optimal" in proc.stdout
    assert set(doc) == {"run", "disputes"}

    run_info = doc["run"]
    assert set(run_info) == {
        "started_at",
        "rule_set",
        "seed",
        "solver",
        "inputs_sha256",
        "wall_seconds",
        "rules",
        "settings",
    }
    datetime.fromisoformat(run_info["started_at"])
    assert run_info["rule_set"] == "iomed"
    assert run_info["seed"] == 5
    assert run_info["rules"]["name"] == "iomed" and run_info["settings"]["command"] == "solve"
    assert re.fullmatch(r"cp-sat 9\.\d+(\.\d+)*", run_info["solver"])
    assert run_info["inputs_sha256"] == {
        f"{kind}.csv": hashlib.sha256((DEMO / f"{kind}.csv").read_bytes()).hexdigest() for kind in DEMO_FILES
    }
    assert is_number(run_info["wall_seconds"]) and run_info["wall_seconds"] >= 0

    assert [d["dispute_id"] for d in doc["disputes"]] == list(SOLVED)
    for d in doc["disputes"]:
        assert set(d) == {"dispute_id", "status", "objective", "best_bound", "panels", "infeasibility"}
        assert d["status"] in STATUSES


def test_feasible_disputes_in_the_json(solved: tuple[subprocess.CompletedProcess[str], dict[str, Any]]) -> None:
    _, doc = solved
    sizes = {row["dispute_id"]: int(row["panel_size"]) for row in read_csv(DEMO / "disputes.csv")}
    orange = {
        (row["dispute_id"], row["mediator_id"])
        for row in read_csv(DEMO / "conflicts.csv")
        if row["category"] == "orange"
    }
    weights = load_rule_set("iomed").weights
    for d in doc["disputes"]:
        if d["dispute_id"] == "D027":
            continue
        did = d["dispute_id"]
        assert d["status"] == "optimal"
        assert d["infeasibility"] is None
        assert is_number(d["objective"]) and is_number(d["best_bound"])
        assert d["best_bound"] >= d["objective"]
        assert d["best_bound"] == pytest.approx(d["objective"], abs=1e-9)
        panels = d["panels"]
        assert [p["rank"] for p in panels] == [1, 2, 3]
        assert panels[0]["objective"] == d["objective"]
        objectives = [p["objective"] for p in panels]
        assert objectives == sorted(objectives, reverse=True)
        sets = [frozenset(m["mediator_id"] for m in p["members"]) for p in panels]
        assert len(set(sets)) == len(sets)
        for p in panels:
            assert set(p) == {"rank", "members", "objective", "scores", "disclosures", "why"}
            assert len(p["members"]) == sizes[did]
            for m in p["members"]:
                assert set(m) == {"mediator_id", "role"}
                assert m["role"] in ("chair", "member")
            assert [m["role"] for m in p["members"]].count("chair") == 1
            assert set(p["scores"]) == set(COMPONENTS)
            assert all(is_number(v) and 0 <= v <= 1.001 for v in p["scores"].values())
            ids = [m["mediator_id"] for m in p["members"]]
            n_orange = sum((did, mid) in orange for mid in ids)
            weighted = sum(weights.of(c) * p["scores"][c] for c in COMPONENTS) - weights.orange_penalty * n_orange
            assert p["objective"] == pytest.approx(weighted, abs=1e-6)
            for disclosure in p["disclosures"]:
                assert set(disclosure) == {"mediator_id", "category", "note"}
                assert disclosure["mediator_id"] in ids
                assert disclosure["category"] == "orange"
            assert p["why"] and all(isinstance(s, str) and s for s in p["why"])
    d054 = next(d for d in doc["disputes"] if d["dispute_id"] == "D054")
    for p in d054["panels"]:  # M0034 is the only possible chair
        assert [m["mediator_id"] for m in p["members"] if m["role"] == "chair"] == ["M0034"]


def test_infeasible_dispute_in_the_json(solved: tuple[subprocess.CompletedProcess[str], dict[str, Any]]) -> None:
    _, doc = solved
    d027 = next(d for d in doc["disputes"] if d["dispute_id"] == "D027")
    assert d027["status"] == "infeasible"
    assert d027["panels"] == []
    assert d027["objective"] is None and d027["best_bound"] is None
    info = d027["infeasibility"]
    assert set(info) == {"conflicting_rules", "suggestions"}
    assert "H4" in info["conflicting_rules"]  # exactly which set: test_diagnosis.py
    assert info["suggestions"] and all(isinstance(s, str) for s in info["suggestions"])
    assert any("(mn)" in s for s in info["suggestions"])


# --- score ---------------------------------------------------------------------------------------


def test_score_agrees_with_solve(
    solved: tuple[subprocess.CompletedProcess[str], dict[str, Any]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, doc = solved
    panels = {d["dispute_id"]: d["panels"] for d in doc["disputes"]}
    best = panels["D001"][0]
    second = panels["D054"][1]
    chair_first = [m["mediator_id"] for m in sorted(second["members"], key=lambda m: m["role"] != "chair")]
    speakers = {row["mediator_id"]: row["languages"].split(";") for row in read_csv(DEMO / "mediators.csv")}
    no_khmer = next(mid for mid in chair_first if "km" not in speakers[mid])
    swapped = [no_khmer, *(mid for mid in chair_first if mid != no_khmer)]  # chair without Khmer
    ethiopian = next(row["mediator_id"] for row in read_csv(DEMO / "mediators.csv") if row["nationalities"] == "ETH")
    proposed = tmp_path / "proposed.csv"
    proposed.write_text(
        "dispute_id,members\n"
        f"D001,{best['members'][0]['mediator_id']}\n"
        f"D054,{';'.join(chair_first)}\n"
        f"D001,{ethiopian}\n"
        f"D054,{';'.join(swapped)}\n",
        encoding="utf-8",
    )
    out = tmp_path / "scored.csv"
    code, stdout, err = run_inline(capsys, "score", "--panels", str(proposed), "--out", str(out), *DEMO_ARGS)
    assert code == 0, err
    assert "4 panels checked: 2 keep every hard rule" in stdout
    rows = read_csv(out)
    assert [r["dispute_id"] for r in rows] == ["D001", "D054", "D001", "D054"]
    for row, panel in ((rows[0], best), (rows[1], second)):
        assert row["feasible"] == "true"
        assert row["violations"] == ""
        assert float(row["objective"]) == pytest.approx(panel["objective"], abs=1e-6)
        for c in COMPONENTS:
            assert float(row[c]) == pytest.approx(panel["scores"][c], abs=1e-4)
    assert rows[2]["feasible"] == "false"
    assert "H1" in rows[2]["violations"].split(";")
    assert rows[2]["objective"] != ""  # scored anyway, for comparison
    assert rows[3]["feasible"] == "false"
    assert rows[3]["violations"] == "H4"


# --- why-not and bad arguments ------------------------------------------------------------------


def test_why_not_names_the_rule(capsys: pytest.CaptureFixture[str]) -> None:
    code, stdout, err = run_inline(capsys, "why-not", "--dispute", "D002", "--mediator", "M0437", *DEMO_ARGS)
    assert code == 0, err
    assert "M0437" in stdout and "(H2)" in stdout


def test_unknown_dispute_exits_2_and_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_inline(capsys, "solve", "--out", str(tmp_path / "panels.json"), "--dispute", "D999", *DEMO_ARGS)
    assert code == 2
    assert "D999" in err
    assert "Traceback" not in err
    assert listing(tmp_path) == []


def test_unknown_mediator_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_inline(capsys, "why-not", "--dispute", "D002", "--mediator", "M9999", *DEMO_ARGS)
    assert code == 2
    assert "M9999" in err


def test_unknown_rule_set_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = str(tmp_path / "panels.json")
    code, _, err = run_inline(capsys, "solve", "--out", out, "--rules", "no-such-rules", *DEMO_ARGS)
    assert code == 2
    assert "no-such-rules" in err
    assert listing(tmp_path) == []


def test_bad_rule_set_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = tmp_path / "mine.toml"
    rules.write_text('name = "mine"\n[hard]\nnationality_rule = "sometimes"\n', encoding="utf-8")
    code, stdout, err = run_inline(capsys, "validate", "--rules", str(rules), *DEMO_ARGS)
    assert code == 2
    assert "mine.toml" in err
    assert "OK" not in stdout


def test_bad_arguments_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run_inline(capsys, "solve", "--out", str(tmp_path / "p.json"), "--candidates", "0", *DEMO_ARGS)
    assert code == 2
    code, _, _ = run_inline(capsys, "solve", *DEMO_ARGS)  # --out is required
    assert code == 2
    code, _, _ = run_inline(capsys, "validate", "--mediators", str(DEMO / "mediators.csv"))  # no --disputes
    assert code == 2
    assert listing(tmp_path) == []


# --- help pages and weight names (issue 14, item 8) ---------------------------------------------


COMMANDS = ("", "validate", "solve", "score", "why-not", "tradeoffs", "demo-data", "batch", "sweep", "lottery")
COMMANDS += ("compose", "report")


@pytest.mark.parametrize("command", COMMANDS)
def test_help_pages_read_cleanly_at_80_columns(command: str) -> None:
    from typer.testing import CliRunner

    from matching.cli.common import app

    result = CliRunner().invoke(app, [*([command] if command else []), "--help"], terminal_width=80)
    assert result.exit_code == 0, result.output
    text = result.output
    assert "<bool>" not in text  # flags take no value: no type shown for them
    assert "`" not in text  # no literal reStructuredText backticks
    assert "…" not in text  # no help line or example cut off by the panel
    assert "--help" in text


def test_report_help_shows_its_example_whole() -> None:
    from typer.testing import CliRunner

    from matching.cli.common import app

    text = CliRunner().invoke(app, ["report", "--help"], terminal_width=80).output
    assert "python -m matching report --out reports --threshold state_share_above=0.15" in text


def test_an_unknown_weight_name_lists_the_valid_ones(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_inline(capsys, "why-not", "--dispute", "D004", "--mediator", "M0001", "--weight", "speed=2")
    assert code == 2
    assert "speed" in err
    for name in [*COMPONENTS, "orange_penalty"]:
        assert name in err


def test_a_weight_without_a_value_lists_the_valid_names(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_inline(capsys, "why-not", "--dispute", "D004", "--mediator", "M0001", "--weight", "speed")
    assert code == 2
    assert "NAME=NUMBER" in err and all(name in err for name in [*COMPONENTS, "orange_penalty"])


def test_demo_data_writes_all_its_files_or_none(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import matching.api

    out = tmp_path / "demo"
    code, _, _ = run_inline(capsys, "demo-data", "--out", str(out), "--mediators", "40", "--disputes", "4")
    assert code == 0 and len(list(out.iterdir())) == 7

    def broken(*args: Any, **kwargs: Any) -> dict[str, Path]:
        raise OSError("disk full")

    monkeypatch.setattr(matching.api, "write_demo_roster", broken, raising=False)
    fresh = tmp_path / "fresh"
    code, _, _ = run_inline(capsys, "demo-data", "--out", str(fresh), "--mediators", "40", "--disputes", "4")
    assert code == 1
    assert not fresh.exists() and [p.name for p in tmp_path.iterdir()] == ["demo"]


def test_an_output_never_replaces_an_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--out naming the data (given or bundled), the rule-set file or score's proposed panels exits 2,
    and the file keeps its bytes."""
    files = write_inputs(tmp_path, mediators=[mediator_row("M1")], disputes=[dispute_row("D1")])
    rules = tmp_path / "rules.toml"
    rules.write_bytes((demo_dir().parent / "rules" / "iomed.toml").read_bytes())
    proposed = tmp_path / "proposed.csv"
    proposed.write_text("dispute_id,members\nD1,M1\n", encoding="utf-8")
    given = ["--mediators", str(files["mediators"]), "--disputes", str(files["disputes"])]
    cases = [
        (files["disputes"], ["solve", *given, "--out", str(files["disputes"])]),
        (rules, ["solve", *given, "--rules", str(rules), "--out", str(rules)]),
        (proposed, ["score", *given, "--panels", str(proposed), "--out", str(proposed)]),
        (demo_dir() / "mediators.csv", ["solve", "--dispute", "D001", "--out", str(demo_dir() / "mediators.csv")]),
        (
            files["mediators"],
            ["batch", *given, "--out", str(tmp_path / "b.json"), "--seats-csv", str(files["mediators"])],
        ),
    ]
    for path, args in cases:
        before = path.read_bytes()
        code, _, err = run_inline(capsys, *args)
        assert code == 2, args
        assert "input files" in err
        assert path.read_bytes() == before
