"""Golden outputs: ``solve``, ``batch``, ``lottery`` and ``tradeoffs`` on the bundled demo data give the
same panels and scores as when the fixtures in ``tests/fixtures/golden/`` were recorded.

This guards refactors that must not change behaviour. Each run goes through ``python -m matching`` in a
subprocess, so the test does not depend on where things live inside the package. Only what must not
change is compared (statuses, objectives, bounds, members and roles, scores, disclosures, lottery
probabilities and tickets, frontier points); timestamps, wall seconds and the solver's version string
are dropped, and floats are rounded to nine decimals so that only a real change shows.

The fixtures are regenerated only when behaviour is meant to change: see
``tests/fixtures/golden/README.md``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "golden"
REGENERATE = os.environ.get("MATCHING_GOLDEN_REGENERATE") == "1"
FLOAT_DECIMALS = 9
# Every sole-mediator dispute of the demo data: the capacity-only batch (min-cost flow) takes only those.
SOLE_MEDIATOR_DISPUTES = (
    "D001",
    "D017",
    "D019",
    "D021",
    "D053",
    "D055",
    "D058",
    "D059",
    "D060",
    "D062",
    "D064",
    "D070",
    "D072",
    "D075",
    "D078",
    "D079",
    "D080",
)


@dataclass(frozen=True)
class GoldenRun:
    """One command line (without ``--out``) and the fixture its reduced output must equal."""

    name: str
    args: tuple[str, ...]

    @property
    def command(self) -> str:
        return self.args[0]

    @property
    def fixture(self) -> Path:
        return FIXTURES / f"{self.name}.json"


def _disputes(*ids: str) -> tuple[str, ...]:
    return tuple(arg for did in ids for arg in ("--dispute", did))


RUNS = (
    GoldenRun("solve_all", ("solve", "--candidates", "3", "--seed", "0")),
    GoldenRun(
        "solve_icsid_weighted",
        (
            "solve",
            "--rules",
            "icsid",
            "--weight",
            "neutrality=1.5",
            "--candidates",
            "2",
            "--seed",
            "5",
            *_disputes("D002", "D004", "D010", "D013", "D027"),
        ),
    ),
    GoldenRun("batch_default", ("batch",)),
    GoldenRun(
        "batch_quotas_fair",
        (
            "batch",
            "--max-per-mediator",
            "1",
            "--max-state-share",
            "0.05",
            "--min-women-share",
            "0.4",
            "--max-same-party",
            "1",
            "--fair",
        ),
    ),
    GoldenRun(
        "batch_capacity_only",
        ("batch", "--capacity-only", "--max-per-mediator", "1", *_disputes(*SOLE_MEDIATOR_DISPUTES)),
    ),
    GoldenRun("lottery_D003", ("lottery", "--dispute", "D003", "--seed", "7")),
    GoldenRun("lottery_D002", ("lottery", "--dispute", "D002", "--seed", "7")),
    GoldenRun("tradeoffs_D002", ("tradeoffs", "--dispute", "D002")),
    GoldenRun("tradeoffs_D005", ("tradeoffs", "--dispute", "D005")),
)


def rounded(value: Any) -> Any:
    """The same JSON value with every float rounded, so that noise in the last bits does not count."""
    if isinstance(value, float):
        return round(value, FLOAT_DECIMALS)
    if isinstance(value, dict):
        return {key: rounded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [rounded(item) for item in value]
    return value


def _run_header(document: dict[str, Any]) -> dict[str, Any]:
    """What the ``run`` block says about the inputs: the rule set, the seed and the demo files' hashes."""
    run = document["run"]
    return {"rule_set": run["rule_set"], "seed": run["seed"], "inputs": run["inputs_sha256"]}


def _panel(panel: dict[str, Any]) -> dict[str, Any]:
    return {key: panel[key] for key in ("rank", "members", "objective", "scores", "disclosures")}


def _dispute(dispute: dict[str, Any]) -> dict[str, Any]:
    infeasibility = dispute["infeasibility"]
    return {
        **{key: dispute[key] for key in ("dispute_id", "status", "objective", "best_bound")},
        "panels": [_panel(p) for p in dispute["panels"]],
        "conflicting_rules": None if infeasibility is None else infeasibility["conflicting_rules"],
    }


def reduce_document(command: str, document: dict[str, Any]) -> dict[str, Any]:
    """What must not change in the JSON a command wrote."""
    if command == "solve":
        reduced = {**_run_header(document), "disputes": [_dispute(d) for d in document["disputes"]]}
    elif command == "batch":
        summary = {key: value for key, value in document["batch"].items() if key != "seconds"}
        reduced = {
            **_run_header(document),
            "disputes": [_dispute(d) for d in document["disputes"]],
            "batch": summary,
        }
    elif command == "lottery":
        reduced = {**_run_header(document), **{key: v for key, v in document.items() if key != "run"}}
    elif command == "tradeoffs":
        # The run block (added later) holds timings; the frontier itself must not change.
        reduced = {key: v for key, v in document.items() if key != "run"}
    else:
        raise ValueError(f"no reduction for {command!r}")
    result: dict[str, Any] = rounded(reduced)
    return result


def first_difference(expected: Any, actual: Any, where: str = "$") -> str | None:
    """Where two JSON values first differ, as a readable path, or None when they are equal."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in expected.keys() | actual.keys():
            if key not in actual:
                return f"{where}.{key}: missing (expected {expected[key]!r})"
            if key not in expected:
                return f"{where}.{key}: unexpected {actual[key]!r}"
        for key in expected:
            found = first_difference(expected[key], actual[key], f"{where}.{key}")
            if found:
                return found
        return None
    if isinstance(expected, list) and isinstance(actual, list):
        for index, (left, right) in enumerate(zip(expected, actual, strict=False)):
            found = first_difference(left, right, f"{where}[{index}]")
            if found:
                return found
        if len(expected) != len(actual):
            return f"{where}: {len(actual)} items, expected {len(expected)}"
        return None
    if expected != actual or type(expected) is not type(actual):
        return f"{where}: got {actual!r}, expected {expected!r}"
    return None


def run_cli(run: GoldenRun, folder: Path) -> dict[str, Any]:
    out = folder / f"{run.name}.json"
    completed = subprocess.run(
        [sys.executable, "-m", "matching", *run.args, "--out", str(out)],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, f"{run.name} exited {completed.returncode}:\n{completed.stderr}"
    document: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return document


@pytest.mark.parametrize("run", RUNS, ids=[r.name for r in RUNS])
def test_golden(run: GoldenRun, tmp_path: Path) -> None:
    reduced = reduce_document(run.command, run_cli(run, tmp_path))
    if REGENERATE:
        FIXTURES.mkdir(parents=True, exist_ok=True)
        run.fixture.write_text(json.dumps(reduced, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        pytest.skip(f"regenerated {run.fixture.name}")
    expected = json.loads(run.fixture.read_text(encoding="utf-8"))
    if "inputs" in expected:
        assert reduced.get("inputs") == expected["inputs"], (
            "the demo data differs from the data the fixture was made on"
        )
    assert first_difference(expected, reduced) is None, f"{run.name}: {first_difference(expected, reduced)}"
    assert reduced == expected
