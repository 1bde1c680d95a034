"""The normal-equations interior point method (``matching.lottery.interior``) and where the engine uses it: the vertex
of a rough level with few agents free (``_Master.interior_vertex``) and the level its distribution reaches, the later
levels' skipped fine PDLP run (``_Master.interior_first``), and the searches before a later level bounded by its free
agents (``SPREAD_PER_FREE``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import highspy
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import sparse

import matching.lottery.engine as lottery_module
from matching.lottery import interior
from matching.lottery.compose import compose, load_problem
from matching.lottery.engine import Panel, _Master
from tests.test_lottery_engine import write_pool
from tests.test_lottery_engine_points import make_rough


def level_master(n: int, k: int, seed: int, fixed_count: int, panel_count: int) -> tuple[_Master, list[Panel]]:
    """A level's master LP over random panels of ``k`` of ``n`` agents, the first ``fixed_count`` agents fixed at
    nine tenths of their chance in the uniform distribution over the panels (so that the level is feasible)."""
    rng = np.random.default_rng(seed)
    panels = sorted({tuple(sorted(int(a) for a in rng.choice(n, k, replace=False))) for _ in range(panel_count)})
    chance = np.zeros(n)
    for panel in panels:
        chance[list(panel)] += 1.0 / len(panels)
    master = _Master(list(range(n)), n)
    master.add(panels)
    for a in range(fixed_count):
        master.fix(a, 0.9 * float(chance[a]))
    return master, panels


def simplex_level(master: _Master) -> float:
    """The level's optimum by primal simplex from scratch on a copy of the master's model."""
    h = lottery_module._new_highs()
    lottery_module._primal_simplex(h)
    h.passModel(master.h.getLp())
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return float(h.getSolution().col_value[0])


def level_lps(test: Callable[..., None]) -> Callable[..., None]:
    """The hypothesis settings and strategies of the tests over random level LPs: agents, panel size, seed, share of
    agents fixed, panels."""
    cases = given(
        st.integers(8, 30), st.integers(2, 6), st.integers(0, 10_000), st.floats(0.0, 0.95), st.integers(5, 60)
    )
    return settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])(cases(test))


@level_lps
def test_the_interior_point_reaches_the_simplex_optimum(
    n: int, k: int, seed: int, share_fixed: float, panel_count: int
) -> None:
    # Any level LP (random panels, some agents fixed at feasible values): the method's point is optimal within its
    # tolerance, its duals are >= 0 on the agents' rows and its panel weights >= 0 (up to rounding), as HiGHS's
    # simplex says.
    k = min(k, n - 1)
    master, _ = level_master(n, k, seed, int(share_fixed * n), panel_count)
    point = interior.solve(*level_lp(master), floor=-1.0)
    assert point is not None and point.accuracy <= interior.TOLERANCE
    assert point.col_value[0] == pytest.approx(simplex_level(master), abs=1e-6)
    assert point.col_value[1:].min() >= -1e-9 and point.row_dual[1:].min() >= -1e-9


def test_a_rough_level_with_few_agents_free_takes_its_vertex_from_the_interior_point(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 32 of 40 agents fixed below the level's ceiling, the level rough (PDLP stopped at its limit at the model's
    # tolerances), the model counted as large: its vertex comes from the interior point and crossover, with no PDLP run at PDLP_TOL, and it is the
    # simplex optimum.
    monkeypatch.setattr(lottery_module, "FIRST_ORDER_ROWS", 10)  # a large model
    master, _ = level_master(40, 7, 3, 32, 80)
    expected = simplex_level(master)
    master.h.setOptionValue("simplex_iteration_limit", lottery_module.COLD_ITERATIONS)
    master.rough = True
    master.ceiling = expected + 0.01
    assert not master.roomy and master.first_order() and master.vertex and not master.settled
    assert master.rough_iterations == 0 and master.start is None  # no PDLP at PDLP_TOL
    assert master.h.getSolution().col_value[0] == pytest.approx(expected, abs=1e-9)


def test_after_a_rough_level_with_few_agents_free_the_later_levels_skip_the_fine_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PDLP cut at 30 iterations at the model's tolerances and every later level counted as having few agents free: the
    # first later level's fine run stops at its limit, and no later level runs it again; the leximin does not change.
    problem = load_problem(*write_pool(tmp_path, 100, 20, 1), 20)
    plain = compose(problem, "leximin", group=False).lottery
    make_rough(monkeypatch, 2.0)
    fine: list[int] = []  # agents fixed at each fine PDLP run of a later level
    real = _Master.fine_run

    def recording(self: _Master) -> bool:
        if self.fixed:
            fine.append(len(self.fixed))
        return real(self)

    monkeypatch.setattr(_Master, "fine_run", recording)
    rough = compose(problem, "leximin", group=False).lottery
    assert len(rough.levels) >= 3
    assert len(fine) == 1  # the second level's first solve only
    assert rough.marginals == plain.marginals and [level.agents for level in rough.levels] == [
        level.agents for level in plain.levels
    ]
    assert rough.certified and rough.proven


def test_the_searches_before_a_later_level_are_bounded_by_its_free_agents(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every later level's searches (spread_level) number at most SPREAD_PER_FREE per free agent; the leximin is the
    # same as with the searches of the first level's bound (one per agent).
    problem = load_problem(*write_pool(tmp_path, 100, 20, 1), 20)
    searches: list[tuple[int, int]] = []  # (free agents, searches) before each later level
    real = lottery_module._Engine.spread_level

    def recording(self: lottery_module._Engine, covered: list[int], fixed: dict[int, float]) -> None:
        improve = self.improve
        calls = [0]

        def counted(weights: np.ndarray, starts: Sequence[Panel]) -> list[Panel]:
            calls[0] += 1
            assert improve is not None
            return improve(weights, starts)

        self.improve = counted
        try:
            real(self, covered, fixed)
        finally:
            self.improve = improve
        if fixed and len(fixed) < len(covered):
            searches.append((len(covered) - len(fixed), calls[0]))

    monkeypatch.setattr(lottery_module._Engine, "spread_level", recording)
    bounded = compose(problem, "leximin", group=False).lottery
    per_free = lottery_module.SPREAD_PER_FREE
    assert any(free * per_free < 100 for free, _ in searches)  # a level where the bound counts
    assert all(count <= free * per_free for free, count in searches)
    monkeypatch.setattr(lottery_module, "SPREAD_PER_FREE", 10**9)
    monkeypatch.setattr(lottery_module._Engine, "spread_level", real)
    unbounded = compose(problem, "leximin", group=False).lottery
    assert bounded.certified and bounded.proven and unbounded.certified and unbounded.proven
    assert bounded.marginals == unbounded.marginals


def test_a_vertex_from_the_interior_point_gives_the_level_its_distribution_reaches(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A vertex made by crossover from the interior point whose z lies above what its distribution seats (within HiGHS's
    # tolerances): the level is the least chance of that distribution, as for a first-order point, not z.
    n, k = 12, 3
    panels = [tuple(sorted((i + j) % n for j in range(k))) for i in range(n)]
    engine = lottery_module._Engine(lottery_module.EnumeratedOracle(n, k, panels))
    for panel in panels:
        engine.columns.add(panel)
    real = _Master.solve

    def inflated(self: _Master) -> tuple[np.ndarray, np.ndarray, float]:
        y, lam, z = real(self)
        self.from_interior = True
        return y, lam, z + 1e-9

    monkeypatch.setattr(_Master, "solve", inflated)
    _, _, value = engine.dual(list(range(n)), {})
    assert value == pytest.approx(k / n, abs=1e-12)


def level_lp(master: _Master) -> tuple[sparse.csc_matrix, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The master's model as (matrix, row lower, row upper, cost, column lower, column upper)."""
    lp = master.h.getLp()
    a = lp.a_matrix_
    matrix = sparse.csc_matrix(
        (np.asarray(a.value_), np.asarray(a.index_), np.asarray(a.start_)), shape=(lp.num_row_, lp.num_col_)
    )
    return (
        matrix,
        np.asarray(lp.row_lower_),
        np.asarray(lp.row_upper_),
        np.asarray(lp.col_cost_),
        np.asarray(lp.col_lower_),
        np.asarray(lp.col_upper_),
    )


def assert_exact_optimum(master: _Master, point: interior.Point) -> None:
    """``point`` is an optimal primal-dual pair of the master's LP to the model's tolerances: feasible, dual feasible,
    no gap, and its level the simplex optimum."""
    matrix, row_lower, _, cost, _, _ = level_lp(master)
    x, y = point.col_value, point.row_dual
    assert x[0] == pytest.approx(simplex_level(master), abs=1e-9)
    activity = matrix @ x - row_lower
    assert abs(activity[0]) <= 1e-12 and activity[1:].min() >= -1e-12 and x[1:].min() >= -1e-12
    reduced = cost - matrix.T @ y
    assert abs(reduced[0]) <= 1e-12 and reduced[1:].min() >= -1e-12 and y[1:].min() >= -1e-12
    assert abs(float(cost @ x) - float(row_lower @ y)) <= 1e-12


@level_lps
def test_purify_turns_the_interior_point_into_an_exact_optimal_pair(
    n: int, k: int, seed: int, share_fixed: float, panel_count: int
) -> None:
    # Any level LP: the projection of the method's point onto the face it names is optimal to 1e-12 (200 of 200 such
    # LPs offline, 2026-12-07), where the point itself is only within 1e-9.
    k = min(k, n - 1)
    master, _ = level_master(n, k, seed, int(share_fixed * n), panel_count)
    matrix, row_lower, row_upper, cost, col_lower, col_upper = level_lp(master)
    point = interior.solve(matrix, row_lower, row_upper, cost, col_lower, col_upper, floor=-1.0)
    assert point is not None
    exact = interior.purify(matrix, row_lower, row_upper, cost, col_lower, point)
    assert exact is not None and exact.accuracy <= interior.EXACT
    assert_exact_optimum(master, exact)


@pytest.mark.parametrize("seed", range(4))
def test_purify_settles_rows_that_agree_only_up_to_rounding(seed: int) -> None:
    # Agents 0 and 1 are seated together in every panel and fixed at values 1e-11 apart (as values read off float
    # distributions are): their rows are dependent and the face's equations inconsistent at that scale, the case of the
    # assembly-shaped pool's later levels. The pair is still exact, with agent 1's row (the higher value) the tight one.
    rng = np.random.default_rng(seed)
    n, k = 24, 5
    panels: set[tuple[int, ...]] = set()
    while len(panels) < 50:
        members = {int(a) for a in rng.choice(np.arange(1, n), k - 1, replace=False)}
        panels.add(tuple(sorted(members | {0} if 1 in members else members)))
    chosen = sorted(panels)
    chance = np.zeros(n)
    for panel in chosen:
        chance[list(panel)] += 1.0 / len(chosen)
    master = _Master(list(range(n)), n)
    master.add(chosen)
    master.fix(0, 0.9 * float(chance[0]))
    master.fix(1, 0.9 * float(chance[0]) + 1e-11)
    for a in range(2, 18):
        master.fix(a, 0.9 * float(chance[a]))
    matrix, row_lower, row_upper, cost, col_lower, col_upper = level_lp(master)
    point = interior.solve(matrix, row_lower, row_upper, cost, col_lower, col_upper, floor=-1.0)
    assert point is not None
    exact = interior.purify(matrix, row_lower, row_upper, cost, col_lower, point)
    assert exact is not None
    assert_exact_optimum(master, exact)


def test_a_later_level_with_few_agents_free_ends_at_the_exact_interior_point(monkeypatch: pytest.MonkeyPatch) -> None:
    # As above, but a later level's solve that may end at a point (points): the purified interior point is its answer,
    # with no crossover and no basis, and it is the simplex optimum.
    monkeypatch.setattr(lottery_module, "FIRST_ORDER_ROWS", 10)
    master, _ = level_master(40, 7, 3, 32, 80)
    expected = simplex_level(master)
    master.rough = True
    master.points = True
    master.ceiling = expected + 0.01

    def no_crossover(self: _Master, solution: highspy.HighsSolution) -> bool:
        raise AssertionError("crossover")

    monkeypatch.setattr(_Master, "cross_from", no_crossover)
    y, lam, z = master.solve()
    assert master.pointed and not master.vertex
    assert z == pytest.approx(expected, abs=1e-9)
    assert lam.min() >= 0.0 and y.min() >= 0.0 and abs(lam.sum() - 1.0) <= 1e-12


def test_later_levels_with_few_agents_free_end_at_exact_interior_points(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every later level rough and counted as having few agents free, none settled at its ceiling: a solve ends at a
    # purified interior point (the last level's, proven by its duals), and the leximin is the one warm simplex finds.
    problem = load_problem(*write_pool(tmp_path, 100, 20, 1), 20)
    plain = compose(problem, "leximin", group=False).lottery
    make_rough(monkeypatch, 2.0)
    monkeypatch.setattr(lottery_module, "CEILING_NEAR", -1.0)  # no level settled at its ceiling (settle_level)
    exact: list[bool] = []
    real = interior.purify

    def recording(*args: object, **kwargs: object) -> interior.Point | None:
        found = real(*args, **kwargs)  # type: ignore[arg-type]
        exact.append(found is not None)
        return found

    monkeypatch.setattr(interior, "purify", recording)
    rough = compose(problem, "leximin", group=False).lottery
    assert any(exact)
    assert rough.marginals == plain.marginals and [level.agents for level in rough.levels] == [
        level.agents for level in plain.levels
    ]
    assert rough.certified and rough.proven
