"""The ``plan`` command: a small real plan on a generated roster (every file written, ``plan.json`` valid against
docs/schemas/plan.schema.json, the same seed giving the same plan), the schema rejecting typical mistakes, and
bad input refused with exit 2 and nothing written."""

from __future__ import annotations

import copy
import csv
import json
import os
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

REPO = Path(__file__).resolve().parent.parent
SCHEMA = REPO / "docs" / "schemas" / "plan.schema.json"
FILES = {
    "plan.json",
    "years.csv",
    "bands.csv",
    "unstaffed.csv",
    "recruits.csv",
    "scarce.csv",
    "oversupplied.csv",
    "report.html",
}
FIGURES = (
    "staffed_share",
    "expertise_kept",
    "largest_state_share",
    "host_share",
    "funder_share",
    "largest_group_share",
    "top15_share",
    "women_share",
    "mean_lean",
    "worst_lean",
)
Json = dict[str, Any]


def run_cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "matching", *map(str, args)],
        cwd=REPO,
        env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def inputs(folder: Path) -> list[str]:
    kinds = ("mediators", "disputes", "conflicts", "preferences", "appointments")
    return [arg for kind in kinds for arg in (f"--{kind}", str(folder / f"{kind}.csv"))]


@pytest.fixture(scope="module")
def roster(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated roster of 120 mediators with 40 disputes on file."""
    folder = tmp_path_factory.mktemp("roster") / "data"
    done = run_cli("demo-data", "--mediators", "120", "--disputes", "40", "--seed", "3", "--out", folder)
    assert done.returncode == 0, done.stderr
    return folder


@pytest.fixture(scope="module")
def plans(roster: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The same two-year plan made twice, at the same time, into two folders."""
    base = tmp_path_factory.mktemp("plans")
    folders = (base / "first", base / "second")
    args = ["plan", "--years", "2", "--seed", "4", "--jobs", "1", *inputs(roster)]
    with ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(lambda folder: run_cli(*args, "--out", folder), folders))
    for done in runs:
        assert done.returncode == 0, done.stderr[-3000:]
        assert "Plan for 2 years" in done.stdout and "Wrote 8 files" in done.stdout
    return folders


def document(folder: Path) -> Json:
    loaded: Json = json.loads((folder / "plan.json").read_text(encoding="utf-8"))
    return loaded


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def test_the_plan_folder_holds_every_file(plans: tuple[Path, Path]) -> None:
    folder = plans[0]
    assert {p.name for p in folder.iterdir()} == FILES
    doc = document(folder)
    simulations = [doc["before"], *([doc["after"]] if doc["after"] else [])]
    with (folder / "years.csv").open(encoding="utf-8", newline="") as fh:
        years = list(csv.DictReader(fh))
    assert [(r["label"], r["year"]) for r in years] == [(s["label"], str(y)) for s in simulations for y in (1, 2)]
    assert list(years[0])[2:12] == list(FIGURES)
    with (folder / "bands.csv").open(encoding="utf-8", newline="") as fh:
        assert len(list(csv.DictReader(fh))) == len(simulations) * len(FIGURES)
    with (folder / "unstaffed.csv").open(encoding="utf-8", newline="") as fh:
        unstaffed = list(csv.DictReader(fh))
    assert len(unstaffed) == sum(len(y["unstaffed"]) for s in simulations for y in s["years"])
    assert all(r["blocked_by"] for r in unstaffed)
    with (folder / "recruits.csv").open(encoding="utf-8", newline="") as fh:
        assert sum(int(r["count"]) for r in csv.DictReader(fh)) == sum(r["count"] for r in doc["recruits"])
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.count("<svg") == len(FIGURES)
    assert "<script" not in page and "http://" not in page and "https://" not in page


def test_plan_json_matches_its_schema_and_says_how_it_was_made(
    plans: tuple[Path, Path], validator: Draft202012Validator
) -> None:
    doc = document(plans[0])
    problems = [f"{e.json_path}: {e.message[:200]}" for e in validator.iter_errors(doc)]
    assert not problems, "\n".join(problems[:20])
    settings = doc["settings"]
    assert settings["years"] == 2 and settings["seed"] == 4 and settings["verify"] is True
    assert settings["scenario"]["years"] == 2 and settings["scenario"]["disputes_per_year"] >= 40
    assert settings["rule_set"]["name"] == "iomed" and settings["executor"] == "a process pool"
    assert set(settings["inputs_sha256"]) >= {"mediators.csv", "disputes.csv"}
    assert [y["year"] for y in doc["before"]["years"]] == [1, 2] and not doc["before"]["stopped"]


def without_timings(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: without_timings(v) for k, v in value.items() if k != "seconds"}
    if isinstance(value, list):
        return [without_timings(v) for v in value]
    return value


def test_the_same_seed_gives_the_same_plan(plans: tuple[Path, Path]) -> None:
    first, second = (document(folder) for folder in plans)
    assert without_timings(first) == without_timings(second)
    assert "seconds" in first["before"]["years"][0]  # the only thing left out
    for name in FILES - {"plan.json", "years.csv"}:
        assert (plans[0] / name).read_bytes() == (plans[1] / name).read_bytes(), name


Mutation = Callable[[Json], None]


def _first_year(doc: Json) -> Json:
    year: Json = doc["before"]["years"][0]
    return year


def _with_unstaffed(doc: Json) -> Json:
    year = _first_year(doc)
    if not year["unstaffed"]:
        year["unstaffed"].append(
            {
                "year": 1,
                "dispute_id": "Y01-D0001",
                "kind": "interstate",
                "parties": ["EGY", "SAU"],
                "languages": ["ar"],
                "subjects": ["trade"],
                "panel_size": 3,
                "rules": ["H4"],
                "reason": "Nobody speaks Arabic.",
            }
        )
    unstaffed: Json = year["unstaffed"][0]
    return unstaffed


MISTAKES: dict[str, Mutation] = {
    "a share as a percentage": lambda d: _first_year(d).update(staffed_share=85.0),
    "a negative lean": lambda d: _first_year(d).update(worst_lean=-1.0),
    "a year without its figure": lambda d: _first_year(d).pop("women_share"),
    "a year numbered 0": lambda d: _first_year(d).update(year=0),
    "an unknown blocking rule": lambda d: _with_unstaffed(d).update(rules=["H9"]),
    "a rule code alone, without the reason": lambda d: _with_unstaffed(d).pop("reason"),
    "before labelled after": lambda d: d["before"].update(label="after"),
    "a band missing": lambda d: d["before"]["bands"].pop("worst_lean"),
    "a band without its median": lambda d: d["before"]["bands"]["staffed_share"].pop("median"),
    "no settings": lambda d: d.pop("settings"),
    "a seed as text": lambda d: d["settings"].update(seed="4"),
    "a quota share above one": lambda d: d["settings"]["quotas"].update(max_state_share=5),
    "an unknown quota": lambda d: d["settings"]["quotas"].update(max_lean=2),
    "an extra key": lambda d: d.update(started_at="2026-01-01T00:00:00+00:00"),
    "a recruit of nobody": lambda d: d["recruits"].append({**(d["recruits"] or [{}])[0], "count": 0}),
    "notes as text": lambda d: d.update(notes="stopped"),
}


@pytest.mark.parametrize("mistake", list(MISTAKES))
def test_the_schema_rejects_a_typical_mistake(
    plans: tuple[Path, Path], validator: Draft202012Validator, mistake: str
) -> None:
    doc = copy.deepcopy(document(plans[0]))
    assert validator.is_valid(doc)
    MISTAKES[mistake](doc)
    assert not validator.is_valid(doc), f"plan.schema.json accepts: {mistake}"


def test_a_bad_scenario_file_lists_every_problem_and_writes_nothing(roster: Path, tmp_path: Path) -> None:
    scenario = tmp_path / "bad.toml"
    scenario.write_text(
        'years = 0\ndisputes_per_year = -5\ngrowth = "fast"\n[kinds]\ninterstate = 1\n', encoding="utf-8"
    )
    out = tmp_path / "plan"
    done = run_cli("plan", "--scenario", scenario, "--seed", "1", *inputs(roster), "--out", out)
    assert done.returncode == 2, done.stderr
    for key in ("years", "disputes_per_year", "growth", "languages"):
        assert key in done.stderr, key
    assert "Traceback" not in done.stderr and not out.exists()
    not_toml = tmp_path / "not.toml"
    not_toml.write_text("years = [unclosed\n", encoding="utf-8")
    done = run_cli("plan", "--scenario", not_toml, *inputs(roster), "--out", out)
    assert done.returncode == 2 and "TOML" in done.stderr and not out.exists()


def test_a_bad_output_folder_exits_2_and_writes_nothing(roster: Path, tmp_path: Path) -> None:
    taken = tmp_path / "a-file"
    taken.write_text("mine", encoding="utf-8")
    for out in (taken, taken / "plan"):
        done = run_cli("plan", "--years", "1", *inputs(roster), "--out", out)
        assert done.returncode == 2 and "Error" in done.stderr, done.stderr
        assert "Simulated" not in done.stderr  # refused before any work
    assert taken.read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]
