"""Later leximin levels that end at a first-order point (``_Master.points``), and the final vertex from such a
point (``_Master.settle``), against the brute-force leximin and the runs with a vertex at every level.

With ``FIRST_ORDER_ROWS`` lowered, every solve of a small model goes through PDLP: the levels after the first then
end without crossover, their proofs come from the point's duals (or, when those do not prove the level, from the
vertex that crossover makes of it), and the final LP's vertex comes from ``settle``. The levels, the agents fixed
at them and the exact marginals must not change: certified and proven.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

import matching.lottery.engine as lottery_module
from matching.lottery.compose import compose, load_problem
from matching.lottery.engine import Panel, _Master, leximin
from tests.test_lottery import reference_leximin
from tests.test_lottery_engine import SwappingOracle, assert_levels_match, pools, write_pool


def record_solves(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, bool, bool]]:
    """Every master solve as (agents fixed, whether a point was allowed, whether it ended at a vertex)."""
    solves: list[tuple[int, bool, bool]] = []
    real = _Master.solve

    def recording(self: _Master) -> tuple[np.ndarray, np.ndarray, float]:
        points = self.points
        result = real(self)
        solves.append((len(self.fixed), points, self.vertex))
        return result

    monkeypatch.setattr(_Master, "solve", recording)
    return solves


def record_crossings(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Every ``_Master.cross`` call's answer (True: crossover from the point the model still held)."""
    crossed: list[bool] = []
    real = _Master.cross

    def recording(self: _Master) -> bool:
        crossed.append(real(self))
        return crossed[-1]

    monkeypatch.setattr(_Master, "cross", recording)
    return crossed


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools())
def test_levels_ending_at_first_order_points_keep_the_leximin(pool: tuple[int, list[Panel], list[int]]) -> None:
    n, panels, _ = pool
    oracle = SwappingOracle(n, len(panels[0]), panels)
    expected = reference_leximin(n, oracle.panels)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(lottery_module, "FIRST_ORDER_ROWS", 0)
        lottery = leximin(oracle)
    assert_levels_match(lottery, expected)


def test_a_pool_of_distinct_nominees_ends_its_later_levels_at_points(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 60 distinct nominees, every solve "large": the first level ends at a vertex (its exact weights certify the
    # minimum), a later level at a point with no basis, and the final LP at a vertex again (settle); the same
    # exact marginals and the same agents at each level as with warm simplex throughout.
    problem = load_problem(*write_pool(tmp_path, 60, 12, 2), 12)
    warm = compose(problem, "leximin", group=False).lottery
    settled: list[bool] = []
    real_settle = _Master.settle

    def settling(self: _Master) -> None:
        real_settle(self)
        settled.append(self.vertex)

    monkeypatch.setattr(_Master, "settle", settling)
    monkeypatch.setattr(lottery_module, "FIRST_ORDER_ROWS", 10)
    solves = record_solves(monkeypatch)
    pointed = compose(problem, "leximin", group=False).lottery
    assert len(warm.levels) > 1
    assert all(vertex for fixed, _, vertex in solves if fixed == 0)
    assert any(not vertex for fixed, _, vertex in solves if fixed > 0)
    assert settled == [True]
    assert pointed.marginals == warm.marginals and pointed.certified and pointed.proven
    assert [level.agents for level in pointed.levels] == [level.agents for level in warm.levels]
    assert [level.value for level in pointed.levels] == pytest.approx([level.value for level in warm.levels], abs=1e-9)


def test_a_point_whose_duals_prove_nothing_falls_back_to_its_vertex(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A rough point, as PDLP at a loose tolerance would give: every level value read from a point is taken 1e-6
    # lower, so no proof is within EPS of it; the level is then solved again to a vertex (crossover) and proven by
    # that one. Same result as warm simplex, certified and proven.
    problem = load_problem(*write_pool(tmp_path, 60, 12, 2), 12)
    warm = compose(problem, "leximin", group=False).lottery
    real = lottery_module._Engine.dual

    def short(
        self: lottery_module._Engine, agents: list[int], fixed: dict[int, float]
    ) -> tuple[np.ndarray, float, float]:
        y, cap, value = real(self, agents, fixed)
        assert self.master is not None
        return y, cap, value if self.master.vertex else value - 1e-6

    monkeypatch.setattr(lottery_module._Engine, "dual", short)
    # The precise second try cannot prove such a point's level either: spare its CP-SAT time.
    monkeypatch.setattr(lottery_module._Engine, "precise_proof", lambda self, y, cap, fixed, free, w, b: (w, b))
    monkeypatch.setattr(lottery_module, "FIRST_ORDER_ROWS", 10)
    solves = record_solves(monkeypatch)
    crossed = record_crossings(monkeypatch)
    fallen = compose(problem, "leximin", group=False).lottery
    assert any(crossed)  # the vertex came from the point by crossover, not from PDLP run again
    later = [(fixed, points, vertex) for fixed, points, vertex in solves if fixed > 0]
    assert any(
        first[1] and not first[2] and not second[1] and second[2] and first[0] == second[0]
        for first, second in itertools.pairwise(later)
    )
    assert fallen.marginals == warm.marginals and fallen.certified and fallen.proven
    assert [level.agents for level in fallen.levels] == [level.agents for level in warm.levels]


def test_settle_reaches_a_vertex_of_the_final_lp_with_its_optimum() -> None:
    # The final LP from a model holding only a first-order point: settle and the solve after it must end at a
    # vertex (at most one panel per row) with the same optimum t as primal simplex from scratch.
    rng = np.random.default_rng(5)
    n = 30
    panels = sorted({tuple(sorted(int(a) for a in rng.choice(n, 6, replace=False))) for _ in range(250)})
    floors = {a: 0.1 for a in range(n)}
    simplex = _Master(list(range(n)), n)
    simplex.add(panels)
    simplex.release(floors)
    _, _, expected = simplex.solve()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(lottery_module, "FIRST_ORDER_ROWS", 0)
        master = _Master(list(range(n)), n)
        master.add(panels)
        master.points = True
        master.solve()
        assert not master.vertex
        master.release(floors)
        master.points = False
        master.settle()
        assert master.vertex
        _, lam, value = master.solve()
    assert master.vertex and value == pytest.approx(expected, abs=1e-9)
    assert lam.min() >= -1e-9 and lam.sum() == pytest.approx(1.0, abs=1e-9)
    assert (lam > 1e-9).sum() <= n + 1


def test_a_point_that_misses_a_fixed_value_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A point whose distribution seats a fixed agent less than its value (here: the panels holding the first fixed
    # agent taken out of it) must not give the level's value: the level is solved again to a vertex at once.
    problem = load_problem(*write_pool(tmp_path, 60, 12, 2), 12)
    warm = compose(problem, "leximin", group=False).lottery
    real = _Master.solve

    def missing(self: _Master) -> tuple[np.ndarray, np.ndarray, float]:
        y, lam, value = real(self)
        if self.vertex or not self.fixed:
            return y, lam, value
        agent = min(self.fixed)
        row = self.row_of[agent]
        model = self.h.getLp().a_matrix_
        holds = [j - 1 for j in range(1, self.rows + 1) if row in model.index_[model.start_[j] : model.start_[j + 1]]]
        lam = lam.copy()
        lam[holds] = 0.0
        return y, lam, value

    monkeypatch.setattr(_Master, "solve", missing)
    monkeypatch.setattr(lottery_module, "FIRST_ORDER_ROWS", 10)
    solves = record_solves(monkeypatch)
    real_price = lottery_module._Engine.price

    def pricing(
        self: lottery_module._Engine, weights: np.ndarray, restriction: lottery_module.Restriction | None = None
    ) -> lottery_module.Pricing:
        solves.append((-1, False, False))  # a pricing call, between the solves
        return real_price(self, weights, restriction)

    monkeypatch.setattr(lottery_module._Engine, "price", pricing)
    crossed = record_crossings(monkeypatch)
    guarded = compose(problem, "leximin", group=False).lottery
    assert any(crossed)
    # The point is followed by its vertex's solve with no pricing call in between: it was never priced.
    assert any(
        first[0] > 0 and first[1] and not first[2] and not second[1] and second[2] and first[0] == second[0]
        for first, second in itertools.pairwise(solves)
    )
    assert guarded.marginals == warm.marginals and guarded.certified and guarded.proven
    assert [level.agents for level in guarded.levels] == [level.agents for level in warm.levels]


def test_points_where_pdlp_stops_at_its_iteration_limit_keep_the_leximin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PDLP stopped after 30 iterations: its last iterate is taken as a point, checked, and (too rough here) replaced
    # by a vertex; the run neither fails nor changes.
    problem = load_problem(*write_pool(tmp_path, 60, 12, 2), 12)
    warm = compose(problem, "leximin", group=False).lottery
    monkeypatch.setattr(lottery_module, "FIRST_ORDER_ROWS", 10)
    monkeypatch.setattr(lottery_module, "PDLP_FINE_ITERATIONS", 30)
    solves = record_solves(monkeypatch)
    rough = compose(problem, "leximin", group=False).lottery
    assert any(fixed > 0 and points and not vertex for fixed, points, vertex in solves)
    assert rough.marginals == warm.marginals and rough.certified and rough.proven
    assert [level.agents for level in rough.levels] == [level.agents for level in warm.levels]


def test_pdlp_at_pdlp_tol_goes_on_from_the_levels_last_point(monkeypatch: pytest.MonkeyPatch) -> None:
    # In a level where PDLP stopped at its limit at the model's tolerances (rough) with few agents free, the next
    # first-order solve after new panels runs PDLP at PDLP_TOL from the last point: the same optimal vertex in fewer
    # iterations.
    monkeypatch.setattr(lottery_module, "SIMPLEX_FREE_SHARE", 2.0)  # never enough agents free for crossover at once
    rng = np.random.default_rng(3)
    n = 40
    panels = sorted({tuple(sorted(int(a) for a in rng.choice(n, 7, replace=False))) for _ in range(300)})

    def level(start: tuple[list[int], np.ndarray, np.ndarray] | None) -> _Master:
        master = _Master(list(range(n)), n)
        master.add(panels[:150])
        for a in range(10):
            master.fix(a, 0.9 * 7 / n)
        master.rough = True
        master.start = start
        if start is not None:
            master.add(panels[150:])
        assert master.first_order() and master.vertex
        return master

    first = level(None)
    assert first.start is not None
    _, _, before = first.solve()
    cold, warm = level(None), level(first.start)
    cold.add(panels[150:])
    cold.start = None
    cold.h.clearSolver()
    assert cold.first_order()
    _, _, expected = cold.solve()
    _, _, value = warm.solve()
    assert value == pytest.approx(expected, abs=1e-9) and value > before + 1e-3  # the new panels raise the level
    assert 0 < warm.rough_iterations < cold.rough_iterations


def make_rough(monkeypatch: pytest.MonkeyPatch, share: float) -> None:
    """Every LP over 10 agents starts first-order with PDLP cut at 30 iterations at the model's tolerances (so later
    levels are rough), and levels count as roomy from ``share`` of their agents free."""
    monkeypatch.setattr(lottery_module, "FIRST_ORDER_ROWS", 10)
    monkeypatch.setattr(lottery_module, "PDLP_FINE_ITERATIONS", 30)
    monkeypatch.setattr(lottery_module, "SIMPLEX_FREE_SHARE", share)


@pytest.mark.parametrize("share", [lottery_module.SIMPLEX_FREE_SHARE, 2.0])
def test_a_level_where_pdlp_stops_at_its_limit_skips_that_run_afterwards(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, share: float
) -> None:
    # PDLP stopped after 30 iterations at the model's tolerances: the level's later first-order solves run from the
    # level's last point, with no run at the model's tolerances; with few agents free (share 2: always), every solve
    # of that level is a first-order one (never warm simplex through the dense basis). The leximin does not change.
    problem = load_problem(*write_pool(tmp_path, 60, 12, 2), 12)
    warm = compose(problem, "leximin", group=False).lottery
    make_rough(monkeypatch, share)
    calls: list[tuple[int, bool, bool]] = []  # (agents fixed, rough before, a start held before)
    solves: list[tuple[bool, bool]] = []  # per solve of a level that was rough before it: (afresh, basis held)
    real_first_order, real_solve = _Master.first_order, _Master.solve

    def first_order(self: _Master) -> bool:
        calls.append((len(self.fixed), self.rough, self.start is not None or self.last is not None))
        return real_first_order(self)

    def solve(self: _Master) -> tuple[np.ndarray, np.ndarray, float]:
        if self.fixed and self.rough and self.rows > len(self.agents):
            solves.append((self.afresh, self.vertex))
        return real_solve(self)

    monkeypatch.setattr(_Master, "first_order", first_order)
    monkeypatch.setattr(_Master, "solve", solve)
    rough = compose(problem, "leximin", group=False).lottery
    assert any(fixed > 0 and was_rough and started for fixed, was_rough, started in calls)
    if share > 1:  # (on this pool the level ends in one round: only the solve right after its point is seen)
        assert solves and all(afresh or not held for afresh, held in solves)
    assert rough.marginals == warm.marginals and rough.certified and rough.proven
    assert [level.agents for level in rough.levels] == [level.agents for level in warm.levels]


@pytest.mark.parametrize("fixing", [5, 35])
def test_a_rough_level_with_many_agents_free_crosses_over_from_pdlps_last_iterate(
    monkeypatch: pytest.MonkeyPatch, fixing: int
) -> None:
    # PDLP stopped after 50 iterations at the model's tolerances: with most agents free, crossover from that iterate
    # (no PDLP at PDLP_TOL); with few free, PDLP at PDLP_TOL from it. Either way the simplex optimum, at a vertex.
    monkeypatch.setattr(lottery_module, "PDLP_FINE_ITERATIONS", 50)
    rng = np.random.default_rng(3)
    n = 40
    panels = sorted({tuple(sorted(int(a) for a in rng.choice(n, 7, replace=False))) for _ in range(300)})
    masters = [_Master(list(range(n)), n) for _ in range(2)]
    for master in masters:
        master.add(panels)
        for a in range(fixing):
            master.fix(a, 0.9 * 7 / n)
    simplex, first = masters
    _, _, expected = simplex.solve()
    assert first.first_order() and first.rough and first.vertex
    assert first.roomy == (fixing == 5)
    assert (first.rough_iterations == 0) == first.roomy  # PDLP at PDLP_TOL ran only with few agents free
    assert first.h.getSolution().col_value[0] == pytest.approx(expected, abs=1e-9)
