"""The progress protocol: every long operation reports its steps, and they add up to the whole.

Each test runs a real operation with a recording ``ProgressFactory`` and checks that a report was
opened, that its steps never exceed its total, and that a finished operation reports all of them.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest

from matching.batch.sweep import read_scenarios, run_sweep
from matching.core.config import SolveConfig
from matching.core.paths import demo_dir
from matching.core.progress import Advance, silent_progress
from matching.io.loading import load_folder
from matching.io.rulesets import load_rule_set
from matching.lottery.compose import compose, load_problem
from matching.lottery.dispute import dispute_lottery
from matching.panel.tradeoffs import frontier
from matching.rules.workspace import Workspace
from tests.test_compose import FIXTURES
from tests.test_sweep import SCENARIOS

IOMED = load_rule_set("iomed")


@dataclass
class Recorder:
    """A ``ProgressFactory`` that remembers every report: its label, total and the steps advanced."""

    reports: list[tuple[str, int, list[int]]] = field(default_factory=list)

    @contextmanager
    def __call__(self, total: int, label: str, /) -> Iterator[Advance]:
        steps: list[int] = []
        self.reports.append((label, total, steps))

        def advance(n: int = 1, /) -> None:
            assert n >= 0
            steps.append(n)
            assert sum(steps) <= total, f"{label}: {sum(steps)} steps reported of {total}"

        yield advance

    def finished(self, label: str) -> bool:
        return any(lab == label and sum(steps) == total for lab, total, steps in self.reports)


@pytest.fixture(scope="module")
def demo() -> Workspace:
    return Workspace(load_folder(demo_dir()))


def test_silent_progress_accepts_any_steps() -> None:
    with silent_progress(3, "nothing") as advance:
        advance()
        advance(2)


def test_the_dispute_lottery_reports_each_chance_it_fixes(demo: Workspace) -> None:
    recorder = Recorder()
    dispute_lottery(demo, "D001", IOMED, seed=3, progress=recorder)
    assert recorder.finished("Fixing each chance")


def test_roster_composition_reports_each_chance_it_fixes() -> None:
    recorder = Recorder()
    compose(load_problem(FIXTURES / "features.csv", FIXTURES / "nominees.csv", 4), progress=recorder)
    assert recorder.finished("Fixing each chance")


def test_the_frontier_reports_the_impartiality_levels_it_covers(demo: Workspace) -> None:
    recorder = Recorder()
    front = frontier(demo, "D002", IOMED, SolveConfig(), progress=recorder)
    assert len(front.points) >= 2
    assert recorder.finished("Tracing the frontier")


def test_a_sweep_reports_each_scenario() -> None:
    runs = read_scenarios(SCENARIOS)[:2]
    recorder = Recorder()
    with ThreadPoolExecutor(max_workers=2) as pool:
        rows = run_sweep(runs, pool, recorder)
    assert len(rows) == 2 and recorder.finished("Scenarios")
