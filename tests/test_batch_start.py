"""The batch's start: the dive (an assignment rounded from the linear programme over the candidate panels,
checked against scipy's exact solvers on small programmes, capacity rows only), and when the start is kept
without running the assignment model."""

from __future__ import annotations

from collections import Counter
from typing import Any
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings

import matching.batch.joint as joint_module
from matching.batch.master import Column, ColumnLP, ColumnSet, MasterResult, lp_dive
from matching.batch.settings import BatchConfig
from matching.core.status import Status
from tests.test_batch import CAPACITIES, _add_panels, _capacity_rows, _full_lp_value, _panel_lists


def _milp_value(columns: ColumnSet, cap: np.ndarray, n_disputes: int) -> float:
    """``scipy.optimize.milp``: the best assignment of at most one column per dispute within capacity."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    a = np.zeros((n_disputes + len(cap), len(columns)))
    for c, col in enumerate(columns.columns):
        a[col.dispute, c] = 1
        a[n_disputes + np.array(col.members), c] = 1
    value = np.array([col.value / 1_000_000 for col in columns.columns])
    upper = np.concatenate([np.ones(n_disputes), cap])
    out = milp(
        -value, constraints=LinearConstraint(a, 0, upper), integrality=np.ones(len(columns)), bounds=Bounds(0, 1)
    )
    assert out.status == 0
    return float(-out.fun)


def _check_assignment(columns: ColumnSet, cap: np.ndarray, chosen: list[int | None]) -> float:
    """Each dispute on one of its own columns, every mediator within capacity; the assignment's value."""
    seats: Counter[int] = Counter()
    for j, c in enumerate(chosen):
        if c is not None:
            assert columns.columns[c].dispute == j
            seats.update(columns.columns[c].members)
    assert all(seats[i] <= cap[i] for i in seats)
    return sum(columns.columns[c].value for c in chosen if c is not None) / 1_000_000


@settings(max_examples=60, deadline=None)
@given(capacity=CAPACITIES, panels=_panel_lists(min_size=1))
def test_the_dive_keeps_capacity_and_takes_a_whole_solution_of_the_programme_as_it_is(
    capacity: list[int], panels: list[tuple[int, set[int], int]]
) -> None:
    """The dive's assignment keeps every capacity and is worth at most the best assignment (scipy milp);
    when the programme's solution is already whole (and staffs only real panels), the dive returns it:
    worth the programme's value, hence the optimum."""
    cap = np.array(capacity, dtype=np.int64)
    columns = ColumnSet(4)
    _add_panels(columns, panels)
    lp = ColumnLP(4, _capacity_rows(cap), columns)
    value = lp.solve()
    assert value == _full_lp_value(columns, cap, 4) or abs(value - _full_lp_value(columns, cap, 4)) < 1e-6
    z = lp.values()
    whole = bool(np.all((z < 1e-9) | (z > 1 - 1e-9))) and lp.artificial() < 1e-9
    chosen = lp_dive(lp)
    got = _check_assignment(columns, cap, chosen)
    assert got <= _milp_value(columns, cap, 4) + 1e-9
    if whole:
        assert [c for c in chosen if c is not None] == sorted(
            np.flatnonzero(z > 0.5).tolist(), key=lambda c: columns.columns[c].dispute
        )
        assert abs(got - value) < 1e-6


def test_the_dive_rounds_a_fractional_programme_to_the_best_assignment() -> None:
    """Three disputes, each with a pair of mediators 0-2 (worth 9; any two pairs share a member, one seat
    each) and a single of its own (worth 1): the programme takes every pair and every single at one half
    (15); the dive fixes one pair, the programme then staffs the other two by their singles: 11, the
    best assignment (scipy milp)."""
    cap = np.ones(6, dtype=np.int64)
    columns = ColumnSet(3)
    for j, pair in enumerate(((0, 1), (1, 2), (0, 2))):
        _add_panels(columns, [(j, set(pair), 9), (j, {3 + j}, 1)])
    lp = ColumnLP(3, _capacity_rows(cap), columns)
    assert abs(lp.solve() - 15) < 1e-6
    chosen = lp_dive(lp)
    assert all(c is not None for c in chosen)
    assert abs(_check_assignment(columns, cap, chosen) - 11) < 1e-9
    assert abs(_milp_value(columns, cap, 3) - 11) < 1e-9


def _two_disputes() -> tuple[ColumnSet, list[int | None], np.ndarray]:
    """Two disputes, each with a panel of its own worth 1,000 (millionths 1e9), and the start taking both."""
    columns = ColumnSet(2)
    start: list[int | None] = [columns.add(Column(0, (0,), 1_000_000_000)), columns.add(Column(1, (1,), 1_000_000_000))]
    return columns, start, np.ones(2, dtype=np.int64)


@pytest.mark.parametrize(
    ("lp_above_start", "gap", "model_runs"),
    [(4.0, 0.005, False), (6.0, 0.005, True), (0.5, 0.0, True), (0.0, 0.0, False)],
)
def test_the_assignment_model_is_skipped_only_when_it_could_close_under_a_tenth_of_the_gap(
    lp_above_start: float, gap: float, model_runs: bool
) -> None:
    """The start (2,000, every dispute staffed, capacity kept) against a bound of 11,000 (gap asked for
    0.5 %: 55, a tenth 5.5): with the programme's value 4 above the start the model is not run and the
    start is the answer; 6 above, or with no gap asked for, the model runs. A start at the programme's
    value itself is always kept (the model cannot pass it)."""
    columns, start, cap = _two_disputes()
    rows = _capacity_rows(np.concatenate([cap, np.zeros(2, dtype=np.int64)]))
    called: list[bool] = []

    def fake_master(*args: object, **kwargs: object) -> MasterResult:
        called.append(True)
        return MasterResult(Status.FEASIBLE, list(start), 2_000_000_000, None)

    config = BatchConfig(gap=gap)
    lp_value = 2_000 + lp_above_start
    with mock.patch.object(joint_module, "solve_master", fake_master):
        result, note = joint_module._assign_every_dispute(columns, rows, config, 10.0, start, lp_value, 11_000e6)
    assert bool(called) == model_runs
    assert result.chosen == start and result.objective == 2_000_000_000
    if not model_runs:
        assert "not run" in note or "not needed" in note


def test_a_dived_start_keeps_every_rule_and_the_bound_still_holds() -> None:
    """40 demo disputes with pools of three, no start ever near enough to the programme to skip the model
    (so the dive runs): whichever start is kept, the batch keeps every rule, and its objective is at most
    the proven bound."""
    from matching.batch.run import solve_batch
    from matching.core.paths import demo_dir
    from matching.io.loading import load_folder
    from matching.io.rulesets import load_rule_set
    from matching.rules.workspace import Workspace
    from tests.test_batch import assert_every_rule_kept, pools_of_three

    ws = Workspace(load_folder(demo_dir()))
    ids = [d.dispute_id for d in ws.data.disputes[:40]]
    dives: list[list[int | None]] = []

    def spy(lp: ColumnLP) -> list[int | None]:
        dives.append(lp_dive(lp))
        return dives[-1]

    with (
        pools_of_three(),
        mock.patch.object(joint_module, "lp_dive", spy),
        mock.patch.object(joint_module, "_near_programme", lambda *_: 2**62),
    ):
        out = solve_batch(
            ws, load_rule_set("iomed"), BatchConfig(time_limit=10, workers=1, enumeration_budget=3, gap=0.0), ids
        )
    s = out.summary
    feasible = s.disputes - len(s.infeasible_alone)  # one demo dispute has no panel even alone
    assert dives and all(len(d) == feasible for d in dives)
    assert s.staffed == feasible and s.objective <= s.bound + 1e-9
    assert_every_rule_kept(ws, out.config.quotas, out)


def test_the_last_solve_of_the_programme_has_a_reserve_so_its_value_still_caps_the_assignment() -> None:
    """The programme's share of the budget spent before column generation ends (no share, and every
    simplex iteration charged as if large): the last solve, over every panel found, still finishes on its
    reserve, so the batch reports the programme's value (at least the assignment's worth, at most the
    proven bound) and does not run the assignment model when the start already reaches that value."""
    from matching.batch.run import solve_batch
    from matching.core.paths import demo_dir
    from matching.io.loading import load_folder
    from matching.io.rulesets import load_rule_set
    from matching.rules.workspace import Workspace
    from tests.test_batch import assert_every_rule_kept, pools_of_three

    ws = Workspace(load_folder(demo_dir()))
    ids = [d.dispute_id for d in ws.data.disputes[:40]]
    models: list[bool] = []
    real_master = joint_module.solve_master

    def spy(*args: Any, **kwargs: Any) -> MasterResult:
        models.append(True)
        return real_master(*args, **kwargs)

    with (
        pools_of_three(),
        mock.patch.object(joint_module, "LP_SHARE", 0.0),
        mock.patch.object(ColumnLP, "_iteration_cost", lambda self: 10.0),
        mock.patch.object(joint_module, "solve_master", spy),
    ):
        out = solve_batch(
            ws, load_rule_set("iomed"), BatchConfig(time_limit=10, workers=1, enumeration_budget=3, gap=0.0), ids
        )
    s = out.summary
    assert "stopped at its share of the budget" in s.method  # the reserve is what finished it
    assert s.lp_value is not None
    assert s.objective <= s.lp_value + 1e-6 <= s.bound + 2e-6
    assert not models and "not needed" in s.method
    assert_every_rule_kept(ws, out.config.quotas, out)


def _triangle_and_singles(n_alone: int) -> tuple[ColumnSet, np.ndarray]:
    """The three disputes of the fractional triangle (see above) and ``n_alone`` more disputes, each with a panel
    of one mediator of its own (worth 5): the programme takes those whole and the triangle at one half."""
    n = 3 + n_alone
    cap = np.ones(6 + n_alone, dtype=np.int64)
    columns = ColumnSet(n)
    for j, pair in enumerate(((0, 1), (1, 2), (0, 2))):
        _add_panels(columns, [(j, set(pair), 9), (j, {3 + j}, 1)])
    _add_panels(columns, [(3 + k, {6 + k}, 5) for k in range(n_alone)])
    return columns, cap


def _rows_for(cap: np.ndarray, n: int) -> Any:
    from types import SimpleNamespace

    from matching.batch.master import GlobalRows
    from matching.batch.quotas import Quotas

    return GlobalRows(SimpleNamespace(capacity=cap, n=len(cap)), [("A", "B")] * n, Quotas(), n)  # type: ignore[arg-type]


def test_the_dive_solves_a_programme_of_the_disputes_left_free_and_leaves_the_programme_as_it_was() -> None:
    """After its first round (every whole panel, then a quarter of the fractional disputes fixed) the dive solves a
    programme over the disputes still free alone, within the seats left: the triangle is rounded to the best
    assignment (11 + 5 per other dispute, scipy milp), and the whole programme is not changed (no panel fixed in
    it: solved again it gives its value, by no iteration)."""
    columns, cap = _triangle_and_singles(20)
    lp = ColumnLP(23, _rows_for(cap, 23), columns)
    value = lp.solve()
    assert abs(value - (15 + 100)) < 1e-6
    chosen = lp_dive(lp)
    assert all(c is not None for c in chosen)
    assert abs(_check_assignment(columns, cap, chosen) - 111) < 1e-9
    assert abs(_milp_value(columns, cap, 23) - 111) < 1e-9
    lower = np.asarray(lp.h.getLp().col_lower_, dtype=np.float64)
    assert not lower.any()
    before = lp.iterations
    assert abs(lp.solve() - value) < 1e-6 and lp.iterations == before


def test_the_rows_left_to_the_free_disputes_are_the_limits_less_what_the_fixed_panels_use() -> None:
    """``ResidualRows``: each limit less the fixed panels' use (capacity too), the free disputes renumbered 0, 1, ...
    with their own parties."""
    from types import SimpleNamespace

    from matching.batch.master import GlobalRows, ResidualRows
    from matching.batch.quotas import Quotas

    cap = np.array([2, 1, 3], dtype=np.int64)
    parties = [("A", "B"), ("C", "D"), ("E", "F")]
    rows = GlobalRows(SimpleNamespace(capacity=cap, n=3), parties, Quotas(max_same_party=1), 3)  # type: ignore[arg-type]
    used = Counter({("cap", 0): 1, ("cap", 1): 1, ("party", 0, "A"): 1})
    left = ResidualRows(rows, used, [2, 0])
    assert left.rhs(("cap", 0)) == ("<=", 1) and left.rhs(("cap", 1)) == ("<=", 0) and left.rhs(("cap", 2)) == ("<=", 3)
    assert left.rhs(("party", 0, "A")) == ("<=", 0) and left.rhs(("party", 0, "B")) == ("<=", 1)
    assert set(left.coefficients(0, (2,))) == {("cap", 2), ("party", 2, "E"), ("party", 2, "F")}
    assert set(left.coefficients(1, (0,))) == {("cap", 0), ("party", 0, "A"), ("party", 0, "B")}
    assert not left.fits(left.coefficients(1, (0,)), {})  # party A's limit is used up


def test_capacity_rows_joining_with_new_columns_leave_the_next_solve_to_primal_simplex() -> None:
    """A capacity row added because new columns make its mediator's disputes outnumber the seats is kept by the
    last solution (which never breaks a missing row): the basis stays primal feasible, and the next solve
    (new columns: primal feasible, not dual) is by primal simplex from it, not dual simplex."""
    from matching.batch.master import SIMPLEX_PRIMAL

    cap = np.ones(6, dtype=np.int64)
    columns = ColumnSet(4)
    _add_panels(columns, [(j, {j}, 5) for j in range(4)])
    lp = ColumnLP(4, _capacity_rows(cap), columns)
    lp.solve()
    assert ("cap", 0) not in lp.cons
    _add_panels(columns, [(1, {0}, 7), (2, {4}, 6)])
    strategies: list[Any] = []

    class Spy:
        def __init__(self, h: Any) -> None:
            self.h = h

        def __getattr__(self, name: str) -> Any:
            return getattr(self.h, name)

        def setOptionValue(self, name: str, value: Any) -> Any:
            if name == "simplex_strategy":
                strategies.append(value)
            return self.h.setOptionValue(name, value)

    lp.h = Spy(lp.h)  # type: ignore[assignment]
    value = lp.solve()
    assert ("cap", 0) in lp.cons
    assert strategies and strategies[0] == SIMPLEX_PRIMAL
    assert abs(value - 21) < 1e-6  # each dispute on its own mediator (5, 5, 5) and dispute 2's new panel (6)


@pytest.mark.parametrize(
    ("lp_above_start", "gap", "dives"), [(4.0, 0.005, True), (0.1, 0.005, False), (0.5, 0.0, True)]
)
def test_the_dive_runs_unless_the_start_is_at_the_programmes_value(
    lp_above_start: float, gap: float, dives: bool
) -> None:
    """The start (2,000) against a bound of 11,000 (a tenth of the 0.5 % gap: 5.5): 4 below the programme it is
    close enough to skip the assignment model but not the dive (cheap, and its start may be closer); 0.1 below
    (0.005 %, within ``MASTER_TOLERANCE``) it skips both; with no gap asked for, any shortfall dives."""
    columns, start, cap = _two_disputes()
    rows = _capacity_rows(np.concatenate([cap, np.zeros(2, dtype=np.int64)]))
    assert joint_module._dive_wanted(columns, rows, start, 2_000 + lp_above_start, gap, 11_000e6) == dives
