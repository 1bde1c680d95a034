"""Every long computation ends within a deterministic budget, and stops at a safe point when asked to.

When the budget ends or a stop is asked for, the answer is the best result so far with an honest
status: a lottery is still a valid lottery (probabilities summing exactly, every panel in its support
keeping every rule and the floor), marked as stopped and not proven, with the levels it fixed and the
least chance it proves; a frontier keeps the points it found; a batch, which has nothing worth keeping
part-way, raises ``Cancelled``. Budgets count rounds and deterministic solver work, never seconds, so
the same budget stops at the same point on every run.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from fractions import Fraction

import numpy as np
import pytest
from ortools.sat.python import cp_model

import matching.lottery.engine
from matching.batch.run import solve_batch
from matching.batch.settings import BatchConfig
from matching.batch.sweep import read_scenarios, run_sweep
from matching.core.config import Budget, SolveConfig, limit_work
from matching.core.errors import Cancelled
from matching.core.paths import demo_dir
from matching.core.progress import Advance, CancelToken, cancellable, silent_progress
from matching.io.loading import load_folder
from matching.io.rulesets import load_rule_set
from matching.lottery.compose import compose, load_problem
from matching.lottery.dispute import dispute_lottery
from matching.lottery.engine import STOPPED_BY_BUDGET, STOPPED_BY_USER, EnumeratedOracle, leximin, nash
from matching.panel.tradeoffs import frontier
from matching.rules.workspace import Workspace
from tests.test_compose import FIXTURES
from tests.test_panel_lottery import assert_consistent
from tests.test_sweep import SCENARIOS

IOMED = load_rule_set("iomed")
FIVE = "D002"  # five members; the default lottery takes 74 rounds


@pytest.fixture(scope="module")
def demo() -> Workspace:
    return Workspace(load_folder(demo_dir()))


# --- the cancel token and the progress wrapper ---------------------------------------------------------


def test_a_cancel_token_raises_only_once_cancelled() -> None:
    token = CancelToken()
    token.check()
    assert not token.cancelled
    token.cancel()
    assert token.cancelled
    with pytest.raises(Cancelled):
        token.check()


def test_cancellable_progress_stops_at_the_next_step() -> None:
    token = CancelToken()
    seen: list[int] = []

    @contextmanager
    def recording(total: int, label: str, /) -> Iterator[Advance]:
        def advance(steps: int = 1, /) -> None:
            seen.append(steps)

        yield advance

    factory = cancellable(recording, token)
    with factory(3, "steps") as advance:
        advance(1)
        token.cancel()
        with pytest.raises(Cancelled):
            advance(1)
    assert seen == [1, 1]  # the step is reported, then the stop
    with pytest.raises(Cancelled), factory(1, "again"):
        pass
    assert cancellable(None, None) is silent_progress


# --- the engine ------------------------------------------------------------------------------------------


def ring(n: int = 9, k: int = 3) -> EnumeratedOracle:
    """Panels of k consecutive agents around a ring of n: the leximin lottery gives everybody k / n."""
    return EnumeratedOracle(n, k, [tuple(sorted((s + j) % n for j in range(k))) for s in range(n)])


@pytest.mark.parametrize("rounds", [0, 1, 2, 4])
def test_leximin_within_a_tiny_budget_is_a_valid_lottery_marked_as_stopped(rounds: int) -> None:
    full = leximin(ring())
    assert full.stopped is None and full.proven and full.minimum == Fraction(1, 3)
    cut = leximin(ring(), budget=Budget(rounds=rounds))
    assert cut.stopped == STOPPED_BY_BUDGET and not cut.proven
    assert sum(cut.probabilities, Fraction(0)) == 1
    assert sum(cut.marginals, Fraction(0)) == 3
    assert cut.minimum == min(cut.marginals[a] for a in cut.covered)
    assert cut.covered <= full.covered
    if cut.covered == full.covered:  # once everybody was met, the least chance cannot beat the leximin one
        assert cut.minimum <= full.minimum
    if cut.upper_bound is not None:  # a proven bound on the least chance stays a bound on the true one
        assert cut.upper_bound >= full.minimum


def test_the_same_budget_stops_at_the_same_point() -> None:
    first = leximin(ring(12, 4), budget=Budget(rounds=3))
    again = leximin(ring(12, 4), budget=Budget(rounds=3))
    assert first.panels == again.panels and first.probabilities == again.probabilities


def test_nash_within_a_tiny_budget_is_a_valid_lottery() -> None:
    cut = nash(ring(), budget=Budget(rounds=1))
    assert cut.stopped == STOPPED_BY_BUDGET and not cut.proven
    assert sum(cut.probabilities, Fraction(0)) == 1


# --- the dispute lottery -----------------------------------------------------------------------------------


@pytest.mark.parametrize("rounds", [0, 5, 40])
def test_a_dispute_lottery_within_a_tiny_budget_keeps_a_checked_lottery(demo: Workspace, rounds: int) -> None:
    result = dispute_lottery(demo, FIVE, IOMED, budget=Budget(rounds=rounds))
    assert result.status == "feasible" and not result.proven and result.stopped == STOPPED_BY_BUDGET
    assert_consistent(demo, result, 5)  # sums exact, every panel passes the independent checker and the floor
    assert result.drawn is not None
    assert result.fixed <= result.in_some_panel
    document = result.as_dict()
    assert document["stopped"] == "budget" and document["levels_fixed"] == result.levels
    note = result.stop_note
    assert note is not None and "budget" in note and "not proven" in note


def test_a_budget_counts_rounds_not_seconds(demo: Workspace) -> None:
    full = dispute_lottery(demo, FIVE, IOMED)
    assert full.stopped is None and full.proven and "stopped" not in full.as_dict()
    partial = dispute_lottery(demo, FIVE, IOMED, budget=Budget(rounds=40))
    again = dispute_lottery(demo, FIVE, IOMED, budget=Budget(rounds=40))
    assert partial.as_dict() == again.as_dict()
    # Forty rounds fix the first levels: the least chance is the proven one already.
    assert partial.levels >= 1 and partial.minimum == full.minimum and partial.upper_bound == full.upper_bound
    assert dispute_lottery(demo, FIVE, IOMED, budget=Budget(rounds=10_000)).as_dict() == full.as_dict()


def test_a_stop_asked_for_during_the_lottery_keeps_the_levels_fixed(demo: Workspace) -> None:
    token = CancelToken()
    levels: list[int] = []

    @contextmanager
    def stop_after_a_level(total: int, label: str, /) -> Iterator[Advance]:
        def advance(steps: int = 1, /) -> None:
            levels.append(steps)
            token.cancel()  # as the Stop button does, from the app's thread

        yield advance

    result = dispute_lottery(demo, FIVE, IOMED, progress=stop_after_a_level, cancel=token)
    assert result.stopped == STOPPED_BY_USER and not result.proven and result.status == "feasible"
    assert result.levels == len(levels) == 1 and result.fixed == levels[0]
    assert_consistent(demo, result, 5)
    assert result.minimum is not None and result.upper_bound is not None and result.minimum <= result.upper_bound
    assert result.stop_note is not None and "you stopped it" in result.stop_note


def test_a_stop_before_the_optimum_is_known_raises_cancelled(demo: Workspace) -> None:
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        dispute_lottery(demo, FIVE, IOMED, cancel=token)


# --- roster composition, the frontier, the batch -------------------------------------------------------------


def test_composition_within_a_tiny_budget_is_a_valid_distribution() -> None:
    problem = load_problem(FIXTURES / "features.csv", FIXTURES / "nominees.csv", 4)
    full = compose(problem)
    cut = compose(problem, budget=Budget(rounds=1))
    assert full.lottery.stopped is None and cut.lottery.stopped == STOPPED_BY_BUDGET and not cut.lottery.proven
    assert sum(cut.lottery.probabilities, Fraction(0)) == 1
    assert abs(sum(cut.probabilities) - 4) < 1e-9
    assert cut.lottery.minimum <= full.lottery.minimum


def test_a_stopped_frontier_keeps_the_points_it_found(demo: Workspace) -> None:
    full = frontier(demo, FIVE, IOMED, SolveConfig())
    assert full.stopped is None and "stopped" not in full.as_dict()
    token = CancelToken()
    token.cancel()
    cut = frontier(demo, FIVE, IOMED, SolveConfig(), cancel=token)
    assert cut.stopped == "cancelled" and cut.uncovered > 0 and cut.as_dict()["stopped"] == "cancelled"
    assert len(cut.points) >= 2
    exact = {(p.axes["expertise"], p.axes["impartiality"]) for p in full.points}
    assert {(p.axes["expertise"], p.axes["impartiality"]) for p in cut.points} <= exact
    one = frontier(demo, FIVE, IOMED, SolveConfig(), budget=Budget(rounds=1))
    assert one.stopped == "budget" and len(cut.points) <= len(one.points) <= len(full.points)


def test_a_stopped_batch_raises_cancelled(demo: Workspace) -> None:
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        solve_batch(demo, IOMED, BatchConfig(workers=1), ["D001", "D002", "D003"], cancel=token)


def test_a_stopped_sweep_returns_the_scenarios_it_finished() -> None:
    runs = read_scenarios(SCENARIOS)
    assert len(runs) >= 3
    token = CancelToken()
    token.cancel()
    with ThreadPoolExecutor(max_workers=1) as pool:
        rows = run_sweep(runs, pool, cancel=token)
    assert 1 <= len(rows) < len(runs)  # the one already running finishes; the rest are withdrawn
    assert all(not row.get("error") for row in rows)


def test_the_wall_clock_net_of_every_cp_sat_search_lies_far_beyond_its_deterministic_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A search stops at its deterministic limit, never at the wall-clock safety net: on a loaded 2-core machine a
    ten-second pricing call ran past the old net of 60 s and answered differently. The lottery's CP-SAT pricing
    takes its limits from ``limit_work`` too."""
    for work in (0.5, 10.0, 60.0):
        params = cp_model.CpSolver().parameters
        limit_work(params, work)
        assert params.max_deterministic_time == work
        assert params.max_time_in_seconds >= max(600.0, 60 * work)
    seen: list[float] = []

    def spy(params: object, work: float) -> None:
        seen.append(work)
        limit_work(params, work)

    monkeypatch.setattr(matching.lottery.engine, "limit_work", spy)
    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x{j}") for j in range(3)]
    model.add(sum(x) == 2)
    answer = matching.lottery.engine.cpsat_best(model, x, np.array([3, 1, 2]), None, seed=0, time_limit=7.0)
    assert answer.value == 5 and seen == [7.0]
