"""The ``lottery`` and ``compose`` commands: exit codes, files written, warnings, bad input that writes nothing."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

import matching.cli.lottery  # noqa: F401  (registers the commands on the app)
from matching.cli.common import app
from matching.core.paths import demo_dir

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "lottery"
DEMO = demo_dir()
DEMO_ARGS = [
    arg
    for kind in ("mediators", "disputes", "conflicts", "preferences", "appointments")
    for arg in (f"--{kind}", str(DEMO / f"{kind}.csv"))
]
runner = CliRunner()


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_lottery_writes_the_document(tmp_path: Path) -> None:
    out = tmp_path / "lottery.json"
    result = runner.invoke(app, ["lottery", "--dispute", "D001", "--out", str(out), "--seed", "11", *DEMO_ARGS])
    assert result.exit_code == 0, result.output
    assert "drew ticket" in result.stdout
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["dispute_id"] == "D001" and document["seed"] == 11 and document["run"]["seed"] == 11
    assert document["drawn"]["members"][0]["role"] == "chair"
    assert abs(sum(document["probabilities"].values()) - 1) < 1e-12  # a sole mediator: panel size 1
    assert abs(sum(p["probability"] for p in document["panels"]) - 1) < 1e-12
    assert sum(p["tickets"] for p in document["panels"]) == document["tickets"] == 1000
    again = tmp_path / "again.json"
    assert (
        runner.invoke(app, ["lottery", "--dispute", "D001", "--out", str(again), "--seed", "11", *DEMO_ARGS]).exit_code
        == 0
    )
    second = json.loads(again.read_text(encoding="utf-8"))
    for doc in (document, second):
        doc.pop("run")
    assert document == second


def test_the_ticket_list_does_not_depend_on_the_public_seed(tmp_path: Path) -> None:
    """The ticket list can be published before the seed is chosen: another seed only picks another ticket."""
    docs = []
    for seed in ("0", "987"):
        out = tmp_path / f"lottery-{seed}.json"
        args = ["lottery", "--dispute", "D043", "--out", str(out), "--seed", seed, *DEMO_ARGS]
        assert runner.invoke(app, args).exit_code == 0
        docs.append(json.loads(out.read_text(encoding="utf-8")))
    first, second = docs
    assert len(first["panels"]) > 1
    assert first["panels"] == second["panels"] and first["probabilities"] == second["probabilities"]
    assert (first["seed"], second["seed"]) == (0, 987)


def test_lottery_bad_arguments_exit_2_and_write_nothing(tmp_path: Path) -> None:
    out = tmp_path / "lottery.json"
    unknown = runner.invoke(app, ["lottery", "--dispute", "D999", "--out", str(out), *DEMO_ARGS])
    assert unknown.exit_code == 2 and "D999" in unknown.stderr
    bad_floor = runner.invoke(app, ["lottery", "--dispute", "D001", "--out", str(out), "--floor", "1.5", *DEMO_ARGS])
    assert bad_floor.exit_code == 2
    bad_method = runner.invoke(app, ["lottery", "--dispute", "D001", "--out", str(out), "--method", "best", *DEMO_ARGS])
    assert bad_method.exit_code == 2
    assert not out.exists()


def test_compose_writes_every_nominee_and_warns_about_the_unreachable(tmp_path: Path) -> None:
    out = tmp_path / "probs.csv"
    args = ["compose", "--features", str(FIXTURES / "features.csv"), "--nominees", str(FIXTURES / "nominees.csv")]
    result = runner.invoke(app, [*args, "--size", "4", "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = read_csv(out)
    assert list(rows[0]) == ["id", "probability"]
    assert [r["id"] for r in rows] == [f"N{i:02d}" for i in range(1, 13)]
    assert abs(sum(float(r["probability"]) for r in rows) - 4) < 1e-9
    assert next(float(r["probability"]) for r in rows if r["id"] == "N11") == 0.0
    assert "Warning" in result.stderr and "N11" in result.stderr
    for method in ("maximin", "nash"):
        other = tmp_path / f"{method}.csv"
        assert runner.invoke(app, [*args, "--size", "4", "--out", str(other), "--method", method]).exit_code == 0
        assert abs(sum(float(r["probability"]) for r in read_csv(other)) - 4) < 1e-6


def test_compose_bad_files_list_every_problem_and_write_nothing(tmp_path: Path) -> None:
    out = tmp_path / "probs.csv"
    result = runner.invoke(
        app,
        [
            "compose",
            "--features",
            str(FIXTURES / "bad_features.csv"),
            "--nominees",
            str(FIXTURES / "bad_nominees.csv"),
            "--size",
            "4",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 2
    for where in ("bad_features.csv, row 2", "bad_features.csv, row 3", "bad_nominees.csv, row 3", "Antarctica"):
        assert where in result.stderr, (where, result.stderr)
    assert "Traceback" not in result.stderr
    assert not out.exists()


def test_compose_in_a_fresh_interpreter(tmp_path: Path) -> None:
    """As users run it: ``main`` maps errors to exit codes."""
    code = "import matching.cli.lottery; from matching.cli.main import main; main()"
    out = tmp_path / "probs.csv"
    bad = subprocess.run(
        [sys.executable, "-c", code, "compose", "--features", str(FIXTURES / "features.csv"), "--nominees",
         str(FIXTURES / "bad_nominees.csv"), "--size", "4", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert bad.returncode == 2 and "problems in the input" in bad.stderr
    assert not out.exists()
    good = subprocess.run(
        [sys.executable, "-c", code, "compose", "--features", str(FIXTURES / "features.csv"), "--nominees",
         str(FIXTURES / "nominees.csv"), "--size", "4", "--out", str(out), "--method", "maximin"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert good.returncode == 0, good.stderr
    assert len(read_csv(out)) == 12
