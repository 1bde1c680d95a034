"""The ``batch`` and ``sweep`` commands: files written, summary lines, exit statuses."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import matching.cli.batch  # noqa: F401  (registers the commands on the app)
from matching.batch.run import SEAT_COLUMNS
from matching.batch.sweep import COLUMNS
from matching.cli.common import app

FIXTURES = Path(__file__).parent / "fixtures" / "batch"
INPUTS = [
    *("--mediators", str(FIXTURES / "mediators.csv")),
    *("--disputes", str(FIXTURES / "disputes.csv")),
    *("--conflicts", str(FIXTURES / "conflicts.csv")),
    *("--preferences", str(FIXTURES / "preferences.csv")),
    *("--appointments", str(FIXTURES / "appointments.csv")),
]
runner = CliRunner()


def test_batch_writes_one_panel_per_dispute_and_the_seats(tmp_path: Path) -> None:
    out, seats = tmp_path / "panels.json", tmp_path / "seats.csv"
    args = ["batch", "--out", str(out), "--seats-csv", str(seats), "--workers", "1", "--time-limit", "5"]
    result = runner.invoke(app, [*args, *INPUTS, "--max-per-mediator", "1", "--min-women-share", "0.3"])
    assert result.exit_code == 0, result.output
    assert "8 of 8 disputes staffed" in result.output and "bound" in result.output and "gap" in result.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert set(doc["run"]) == {
        "started_at",
        "rule_set",
        "seed",
        "solver",
        "inputs_sha256",
        "wall_seconds",
        "rules",
        "settings",
    }
    assert doc["run"]["settings"]["command"] == "batch"
    assert doc["run"]["settings"]["quotas"]["max_per_mediator"] == 1
    assert len(doc["disputes"]) == 8
    for d in doc["disputes"]:
        assert d["status"] in ("optimal", "feasible") and len(d["panels"]) == 1
        assert d["best_bound"] >= d["objective"]
        assert sum(m["role"] == "chair" for m in d["panels"][0]["members"]) == 1
    batch = doc["batch"]
    assert batch["best_bound"] >= batch["objective"] and batch["staffed"] == 8 and batch["method"]
    assert {q["quota"] for q in batch["quotas"]} == {"max_per_mediator", "min_women_share"}
    assert all(q["kept"] for q in batch["quotas"])
    with seats.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert tuple(rows[0]) == SEAT_COLUMNS
    assert len(rows) == sum(len(d["panels"][0]["members"]) for d in doc["disputes"])
    assert len({r["mediator_id"] for r in rows}) == len(rows)  # at most one new case each


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--max-state-share", "1.5"], ""),  # typer's range check
        (["--capacity-only"], "one member"),
        (["--workers", "0"], ""),
    ],
)
def test_bad_arguments_exit_2(tmp_path: Path, extra: list[str], message: str) -> None:
    result = runner.invoke(app, ["batch", "--out", str(tmp_path / "x.json"), *INPUTS, *extra])
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
    assert not (tmp_path / "x.json").exists()


def test_unknown_dispute_and_bad_input_exit_2_through_main(tmp_path: Path) -> None:
    code = "import matching.cli.batch; from matching.cli.main import main; main()"
    unknown = subprocess.run(
        [sys.executable, "-c", code, "batch", "--out", str(tmp_path / "x.json"), *INPUTS, "--dispute", "D999"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert unknown.returncode == 2 and "D999" in unknown.stderr
    broken = tmp_path / "mediators.csv"
    broken.write_text("mediator_id,name\nM1,\n", encoding="utf-8")
    bad = subprocess.run(
        [sys.executable, "-c", code, "batch", "--out", str(tmp_path / "x.json"), "--mediators", str(broken),
         "--disputes", str(FIXTURES / "disputes.csv")],
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip
    assert bad.returncode == 2 and "problem" in bad.stderr
    assert not (tmp_path / "x.json").exists()


def test_sweep_writes_the_results_table(tmp_path: Path) -> None:
    out = tmp_path / "results.csv"
    result = runner.invoke(
        app, ["sweep", "--scenarios", str(FIXTURES / "scenarios.toml"), "--out", str(out), "--jobs", "2"]
    )
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert tuple(rows[0]) == COLUMNS
    assert [r["scenario"] for r in rows] == ["baseline", "busy roster", "busy roster", "more cases, quotas"]
    assert all(r["error"] == "" for r in rows)
    assert "4 run(s), 0 failed" in result.output


def test_sweep_with_a_bad_scenarios_file_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[[scenario]]\nseed = 1\n", encoding="utf-8")
    result = runner.invoke(app, ["sweep", "--scenarios", str(bad), "--out", str(tmp_path / "r.csv")])
    assert result.exit_code == 2 and "needs a name" in result.output
    assert not (tmp_path / "r.csv").exists()


@pytest.mark.slow
def test_sweep_on_a_dask_cluster_by_address(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    out = tmp_path / "results.csv"
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        result = runner.invoke(
            app,
            [
                "sweep",
                "--scenarios",
                str(FIXTURES / "scenarios.toml"),
                "--out",
                str(out),
                "--scheduler",
                cluster.scheduler_address,
            ],
        )
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8", newline="") as fh:
        assert len(list(csv.DictReader(fh))) == 4


def test_batch_gap_0_never_prints_a_zero_gap_for_an_unproven_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--gap 0`` asks for a proof; when the batch stops without one, a gap too small for two decimals reads
    ``under 0.01%`` and the line says it is not proven, never ``0.00%``."""
    from dataclasses import replace

    import matching.api
    import matching.cli.batch as command

    args = ["batch", "--out", str(tmp_path / "panels.json"), "--workers", "1", "--time-limit", "5", "--gap", "0"]
    proven = runner.invoke(app, [*args, *INPUTS])
    assert proven.exit_code == 0, proven.output
    assert "(0%), proven optimal" in proven.output and "0.00%" not in proven.output

    library = matching.api.solve_batch

    def unproven(*a: object, **k: object):  # type: ignore[no-untyped-def]
        outcome = library(*a, **k)  # type: ignore[arg-type]
        summary = outcome.summary
        outcome.summary = replace(summary, bound=summary.objective + 1e-5, proven_optimal=False)
        return outcome

    monkeypatch.setattr(matching.api, "solve_batch", unproven)
    monkeypatch.setattr(command, "solve_batch", unproven, raising=False)  # imported at the top, or lazily
    result = runner.invoke(app, [*args, *INPUTS])
    assert result.exit_code == 0, result.output
    assert "0.00%" not in result.output
    assert "(under 0.01%), not proven optimal" in result.output
