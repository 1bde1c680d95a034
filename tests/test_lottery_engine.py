"""The lottery engine's fast parts against slow, obvious references.

The warm-started master LP (one HiGHS model, panels added as rows, agents fixed in place) must
reach the same optimum as a fresh solve over the same panels (and as scipy's ``linprog`` from
scratch); the exact solver (float refinement, rational reconstruction, exact check) must return
the exact rational solution or nothing; the quota oracle's local search must only return
selections that meet the quotas and weigh more than their start; and a generated pool of 150
nominees must come out certified, proven and the same on every run.
"""

from __future__ import annotations

import math
from fractions import Fraction
from itertools import combinations
from pathlib import Path

import highspy
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

import matching.lottery.engine as lottery_module
from matching.lottery.compose import QuotaOracle, compose, load_problem
from matching.lottery.engine import (
    EnumeratedOracle,
    Lottery,
    Panel,
    _Master,
    _panel_weights,
    _solve_exactly,
    _widest_dual,
    leximin,
)
from tests.test_lottery import reference_leximin

F = Fraction


@st.composite
def pools(draw: st.DrawFn) -> tuple[int, list[Panel], list[int]]:
    n = draw(st.integers(3, 8))
    k = draw(st.integers(1, min(3, n - 1)))
    every = list(combinations(range(n), k))
    chosen = draw(st.lists(st.sampled_from(every), min_size=1, max_size=len(every), unique=True))
    order = draw(st.permutations(range(n)))
    return n, chosen, list(order)


def fixed_level_by_linprog(n: int, panels: list[Panel], agents: list[int], fixed: dict[int, float]) -> float:
    """max z s.t. p_i >= z (free), p_j >= f_j (fixed), Σλ = 1, from scratch."""
    m = len(panels)
    c = np.zeros(m + 1)
    c[m] = -1.0
    rows, rhs = [], []
    for a in agents:
        row = np.zeros(m + 1)
        for j, p in enumerate(panels):
            if a in p:
                row[j] = -1.0
        if a in fixed:
            rhs.append(-fixed[a])
        else:
            row[m] = 1.0
            rhs.append(0.0)
        rows.append(row)
    eq = np.concatenate([np.ones(m), [0.0]]).reshape(1, -1)
    res = linprog(c, A_ub=np.array(rows), b_ub=rhs, A_eq=eq, b_eq=[1.0], bounds=[(0, None)] * m + [(None, None)])
    assert res.status == 0, res.message
    return float(-res.fun)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools())
def test_warm_started_master_matches_fresh_solves(pool: tuple[int, list[Panel], list[int]]) -> None:
    n, panels, order = pool
    agents = sorted({a for p in panels for a in p})
    warm = _Master(agents, n)
    for start in range(0, len(panels), 2):  # panels arrive two at a time, as column generation adds them
        warm.add(panels[start : start + 2])
        _, lam, value = warm.solve()
        fresh = _Master(agents, n)
        fresh.add(panels[: start + 2])
        assert value == pytest.approx(fresh.solve()[2], abs=1e-9)
        assert value == pytest.approx(fixed_level_by_linprog(n, panels[: start + 2], agents, {}), abs=1e-9)
        assert lam.min() >= -1e-9 and lam.sum() == pytest.approx(1.0, abs=1e-9)
    # Fix the agents one by one at what they get now, in a random order: the level never drops below
    # what a fresh model with the same fixings reaches, and every distribution stays a distribution.
    _, lam, value = warm.solve()
    marginals = np.zeros(n)
    for j, p in enumerate(panels):
        marginals[list(p)] += lam[j]
    fixed: dict[int, float] = {}
    for a in [a for a in order if a in agents][:-1]:
        fixed[a] = float(marginals[a]) - 1e-12
        warm.fix(a, fixed[a])
        _, lam, value = warm.solve()
        fresh = _Master(agents, n)
        fresh.add(panels)
        for b, f in fixed.items():
            fresh.fix(b, f)
        assert value == pytest.approx(fresh.solve()[2], abs=1e-8)
        assert value == pytest.approx(fixed_level_by_linprog(n, panels, agents, fixed), abs=1e-8)
        assert lam.sum() == pytest.approx(1.0, abs=1e-9)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools())
def test_leximin_levels_equal_the_from_scratch_reference(pool: tuple[int, list[Panel], list[int]]) -> None:
    n, panels, _ = pool
    oracle = EnumeratedOracle(n, len(panels[0]), panels)
    lottery = leximin(oracle)
    expected = reference_leximin(n, oracle.panels)
    assert np.allclose(sorted(lottery.marginal_floats()), sorted(expected), atol=1e-7)
    assert lottery.certified and lottery.proven


def test_exact_solve_recovers_rational_solutions() -> None:
    rng = np.random.default_rng(5)
    for size in (1, 3, 10, 40, 120):
        while True:
            matrix = (rng.random((size + 5, size)) < 0.3).astype(int)
            if np.linalg.matrix_rank(matrix) == size:
                break
        truth = [F(int(rng.integers(0, 50)), int(rng.integers(1, 40))) for _ in range(size)]
        rows = [{c: F(int(v)) for c, v in enumerate(row) if v} for row in matrix]
        rhs = [sum((F(int(v)) * truth[c] for c, v in enumerate(row)), F(0)) for row in matrix]
        assert _solve_exactly(rows, rhs, size) == truth


def test_exact_solve_with_a_large_denominator() -> None:
    # A lower triangular system with 2 on the diagonal: the solution has denominators up to 2^60.
    size = 60
    rows = [{c: F(1) for c in range(r)} | {r: F(2)} for r in range(size)]
    rhs = [F(1)] * size
    solution = _solve_exactly(rows, rhs, size)
    assert solution is not None
    assert all(sum((v * solution[c] for c, v in row.items()), F(0)) == 1 for row in rows)
    assert max(x.denominator for x in solution) > 2**40


def test_exact_solve_of_a_large_tight_system_needing_many_refinement_steps() -> None:
    # Shaped like the final vertex of a maximin over distinct nominees: each of `size` agents is at the
    # unknown level (seats minus level = 0), the probabilities sum to 1, plus a redundant row (sum of two
    # agents' rows). The solution's denominators run to some 2,000 bits, about a hundred refinement
    # steps whose residuals jump up and down; the old "residual grew fourfold" stall test gave up here.
    size, seats = 1200, 30
    rng = np.random.default_rng(0)
    rows: list[dict[int, F]] = [{size: F(-1)} for _ in range(size)]
    for j in range(size):
        for agent in rng.choice(size, seats, replace=False):
            rows[int(agent)][j] = F(1)
    rows.append({j: F(1) for j in range(size)})
    rows.append({c: rows[0].get(c, F(0)) + rows[1].get(c, F(0)) for c in rows[0].keys() | rows[1].keys()})
    rhs = [F(0)] * size + [F(1), F(0)]
    dense = np.zeros((len(rows), size + 1))
    for r, row in enumerate(rows):
        for c, v in row.items():
            dense[r, c] = float(v)
    sign, logdet = np.linalg.slogdet(dense[: size + 1])
    assert sign != 0 and logdet > 100  # the agents' and the sum's rows alone fix the solution (LU, not a slow SVD)
    solution = _solve_exactly(rows, rhs, size + 1)
    assert solution is not None
    common = math.lcm(*(x.denominator for x in solution))  # checked exactly, over a common denominator
    scaled = [x.numerator * (common // x.denominator) for x in solution]
    for row, b in zip(rows, rhs, strict=True):
        assert sum(int(v) * scaled[c] for c, v in row.items()) == b * common
    assert common > 2**1000


def test_exact_solve_refuses_inconsistent_and_rank_deficient_systems() -> None:
    rows = [{0: F(1)}, {1: F(1)}, {0: F(1), 1: F(1)}]
    assert _solve_exactly(rows, [F(1, 3), F(1, 5), F(8, 15)], 2) == [F(1, 3), F(1, 5)]
    assert _solve_exactly(rows, [F(1, 3), F(1, 5), F(1, 2)], 2) is None  # inconsistent
    assert _solve_exactly([{0: F(1), 1: F(1)}, {0: F(2), 1: F(2)}], [F(1), F(2)], 2) is None  # rank 1
    assert _solve_exactly([{0: F(1)}], [F(1)], 2) is None  # fewer rows than unknowns


def write_pool(folder: Path, n: int, seats: int, seed: int) -> tuple[Path, Path]:
    """A pool over three features with quotas around the proportional share (as the benchmark makes them)."""
    rng = np.random.default_rng(seed)
    features = {
        "gender": (["f", "m", "x"], [0.5, 0.47, 0.03]),
        "age": (["young", "middle", "old"], [0.2, 0.45, 0.35]),
        "region": (["r0", "r1", "r2", "r3", "r4"], [0.35, 0.25, 0.2, 0.12, 0.08]),
    }
    people = {name: rng.choice(len(values), size=n, p=shares) for name, (values, shares) in features.items()}
    lines = ["feature,value,min,max"]
    for name, (values, shares) in features.items():
        for j, value in enumerate(values):
            available = int((people[name] == j).sum())
            lo = min(available, int(seats * shares[j] * 0.8))
            lines.append(f"{name},{value},{lo},{max(lo, int(seats * shares[j] * 1.2) + 1)}")
    features_path, people_path = folder / "features.csv", folder / "people.csv"
    features_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows = ["nationbuilder_id," + ",".join(features)]
    rows += [f"p{i}," + ",".join(features[f][0][people[f][i]] for f in features) for i in range(n)]
    people_path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return features_path, people_path


def test_quota_local_search_keeps_the_quotas_and_improves(tmp_path: Path) -> None:
    problem = load_problem(*write_pool(tmp_path, 60, 12, 2), 12)
    oracle = QuotaOracle(problem)
    rng = np.random.default_rng(0)
    start = oracle.best(np.zeros(oracle.n, dtype=np.int64)).panel
    assert start is not None
    for _ in range(20):
        y = rng.random(oracle.n) * (rng.random(oracle.n) < 0.5)
        for panel in oracle.improve(y, [start]):
            assert problem.quota_problems(oracle.nominees(panel)) == [] == oracle.problems(panel)
            assert y[list(panel)].sum() > y[list(start)].sum()
            # A local optimum for single swaps is never better than the exact optimum.
            best = oracle.best(np.rint(y * 2**20).astype(np.int64))
            assert best.proven and best.value >= np.rint(y * 2**20)[list(panel)].sum()


@pytest.mark.slow
def test_generated_pool_is_certified_proven_and_reproducible(tmp_path: Path) -> None:
    problem = load_problem(*write_pool(tmp_path, 150, 20, 7), 20)
    lex, mx = compose(problem, "leximin").lottery, compose(problem, "maximin").lottery
    assert lex.certified and mx.certified
    assert lex.proven and mx.proven
    assert lex.minimum == mx.minimum == lex.upper_bound
    again = compose(problem, "leximin").lottery
    assert (again.panels, again.probabilities, again.levels) == (lex.panels, lex.probabilities, lex.levels)


def test_master_runs_after_another_highs_user_started_its_thread_pool() -> None:
    # A HiGHS model solved earlier in the process with a different thread count (as sortition-algorithms
    # does) must not make the lottery's LP refuse to run.
    other = highspy.Highs()
    other.silent()
    other.setOptionValue("threads", 2)
    other.addVar(0.0, 1.0)
    other.run()
    lottery = leximin(EnumeratedOracle(4, 2, [(0, 1), (2, 3), (0, 2)]))
    assert lottery.marginals == (F(1, 2),) * 4


@pytest.mark.parametrize("first_order_rows", [None, 0])
def test_a_stalled_warm_start_is_restarted_from_scratch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, first_order_rows: int | None
) -> None:
    # With no iterations allowed from the previous basis, every warm start that has work to do stops at
    # the limit and is solved again from scratch (by simplex, or by PDLP and crossover as a large model
    # would be): the result must not change.
    problem = load_problem(*write_pool(tmp_path, 60, 12, 2), 12)
    normal = compose(problem, "leximin").lottery
    restarts = []
    if first_order_rows is not None:
        monkeypatch.setattr(lottery_module, "FIRST_ORDER_ROWS", first_order_rows)
    # Keep the warm starts after the panels sought before each level (a model this "large" would otherwise
    # start each level afresh, see _Master.restart, and no warm start would be left to stall).
    monkeypatch.setattr(lottery_module, "RESTART_SHARE", math.inf)
    monkeypatch.setattr(lottery_module, "WARM_ITERATIONS", 0)
    monkeypatch.setattr(lottery_module, "WARM_ITERATIONS_PER_ROW", 0)
    real_run = lottery_module._Master.solve

    def counting(self: lottery_module._Master) -> tuple[np.ndarray, np.ndarray, float]:
        result = real_run(self)
        limit = self.h.getOptionValue("simplex_iteration_limit")  # (status, value) in some highspy versions
        restarts.append((limit[-1] if isinstance(limit, tuple) else limit) == lottery_module.COLD_ITERATIONS)
        return result

    monkeypatch.setattr(lottery_module._Master, "solve", counting)
    cold = compose(problem, "leximin").lottery
    assert any(restarts)
    assert cold.marginals == normal.marginals
    assert cold.minimum == normal.minimum and cold.certified


def _master_fixing(pool: tuple[int, list[Panel], list[int]], part: int) -> tuple[_Master, list[int], dict[int, float]]:
    """The master LP over the pool's panels with the first ``1/part`` of its agents (in the pool's order)
    fixed just below their probability at its first optimum (so the fixed LP stays feasible)."""
    n, panels, order = pool
    agents = sorted({a for p in panels for a in p})
    master = _Master(agents, n)
    master.add(panels)
    _, lam, _ = master.solve()
    marginals = np.zeros(n)
    for j, p in enumerate(panels):
        marginals[list(p)] += lam[j]
    fixed = {a: float(marginals[a]) - 1e-12 for a in [a for a in order if a in agents][: len(agents) // part]}
    for a, f in fixed.items():
        master.fix(a, f)
    return master, agents, fixed


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools())
def test_master_duals_are_a_feasible_dual_with_the_same_value(pool: tuple[int, list[Panel], list[int]]) -> None:
    # The primal master's row duals must price every known panel at most at the level's cap and reach the
    # level by strong duality: y >= 0, Σ_free y = 1, and max_P y(P) - Σ_fixed f_j y_j = the level.
    n, panels, _ = pool
    master, agents, fixed = _master_fixing(pool, 2)
    y, _, value = master.solve()
    weight = dict(zip(agents, y, strict=True))
    free = [a for a in agents if a not in fixed]
    assert min(y) >= -1e-9
    assert sum(weight[a] for a in free) == pytest.approx(1.0, abs=1e-9)
    cap = max(sum(weight[a] for a in p) for p in panels)
    assert cap - sum(f * weight[a] for a, f in fixed.items()) == pytest.approx(value, abs=1e-8)
    assert value == pytest.approx(fixed_level_by_linprog(n, panels, agents, fixed), abs=1e-8)


def test_distinct_nominees_maximin_equals_an_lp_over_every_feasible_selection(tmp_path: Path) -> None:
    # One agent per nominee (nobody shares a profile as far as the engine knows): the certified minimum
    # must equal the maximin LP over every selection that meets the quotas, enumerated and solved by linprog.
    seats = 4
    problem = load_problem(*write_pool(tmp_path, 13, seats, 5), seats)
    lottery = compose(problem, "leximin", group=False).lottery
    feasible = [c for c in combinations(range(13), seats) if not problem.quota_problems(c)]
    reachable = sorted({i for c in feasible for i in c})
    m = len(feasible)
    a_ub = np.zeros((len(reachable), m + 1))
    for j, c in enumerate(feasible):
        for i in c:
            a_ub[reachable.index(i), j] = -1.0
    a_ub[:, m] = 1.0
    objective = np.zeros(m + 1)
    objective[m] = -1.0
    eq = np.append(np.ones(m), 0.0).reshape(1, -1)
    res = linprog(objective, A_ub=a_ub, b_ub=np.zeros(len(reachable)), A_eq=eq, b_eq=[1.0])
    assert res.status == 0
    assert float(lottery.minimum) == pytest.approx(-res.fun, abs=1e-9)
    assert lottery.certified and lottery.proven
    assert sorted(lottery.covered) == reachable
    for panel in lottery.panels:
        assert problem.quota_problems(panel) == []


def test_exact_vertex_pins_a_level_that_the_support_leaves_free() -> None:
    # Two disjoint panels: the two levels (not simple fractions) can slide together along λ0 + λ1 = 1, so the
    # tight system is one short of full rank; one level is pinned to a nearby fraction and the other follows.
    v = 0.3141592653
    floors = {0: v, 1: v, 2: 1 - v, 3: 1 - v}
    probs = lottery_module._exact_vertex([(0, 1), (2, 3)], [v, 1 - v], 4, floors, [1, 1, 1, 1])
    assert probs is not None
    assert sum(probs) == 1 and min(probs) >= 0
    assert abs(float(probs[0]) - v) <= 1e-8
    assert probs[0].denominator <= lottery_module.FREE_LEVEL_DENOMINATOR


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools())
def test_dropping_panels_from_the_master_never_changes_the_leximin(
    pool: tuple[int, list[Panel], list[int]],
) -> None:
    # Drop every panel the moment it is nonbasic and priced below the cap: the levels must still equal the
    # from-scratch reference over every feasible panel, certified, and dropped panels must really leave the LP.
    n, panels, _ = pool
    oracle = EnumeratedOracle(n, len(panels[0]), panels)
    dropped: list[int] = []
    real_drop = lottery_module._Master.drop

    def counting(self: lottery_module._Master, positions: np.ndarray) -> None:
        dropped.append(len(positions))
        real_drop(self, positions)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(lottery_module, "DROP_ABOVE", 0)
        patch.setattr(lottery_module, "DROP_AGE", 1)
        patch.setattr(lottery_module, "DROP_SLACK", 0.0)
        patch.setattr(lottery_module._Master, "drop", counting)
        lottery = leximin(oracle)
    expected = reference_leximin(n, oracle.panels)
    assert np.allclose(sorted(lottery.marginal_floats()), sorted(expected), atol=1e-7)
    assert lottery.certified and lottery.proven


def test_dropped_panels_come_back_and_the_minimum_matches_every_selection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Distinct nominees under quotas with aggressive dropping: the certified minimum must still be the
    # maximin LP over every feasible selection (a dropped panel that is needed again is brought back).
    monkeypatch.setattr(lottery_module, "DROP_ABOVE", 0)
    monkeypatch.setattr(lottery_module, "DROP_AGE", 1)
    monkeypatch.setattr(lottery_module, "DROP_SLACK", 0.0)
    dropped: list[int] = []
    real_drop = lottery_module._Master.drop

    def counting(self: lottery_module._Master, positions: np.ndarray) -> None:
        dropped.append(len(positions))
        real_drop(self, positions)

    monkeypatch.setattr(lottery_module._Master, "drop", counting)
    test_distinct_nominees_maximin_equals_an_lp_over_every_feasible_selection(tmp_path)
    assert sum(dropped) > 0


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(n=st.integers(12, 60), seats=st.integers(3, 10), seed=st.integers(0, 10**6), group=st.booleans())
def test_panels_found_before_the_first_lp_keep_every_quota(
    tmp_path_factory: pytest.TempPathFactory, n: int, seats: int, seed: int, group: bool
) -> None:
    folder = tmp_path_factory.mktemp("pool")
    try:
        problem = load_problem(*write_pool(folder, n, seats, seed), seats)
    except Exception:  # quotas the generator made inconsistent: nothing to check
        return
    oracle = QuotaOracle(problem, group=group)
    if oracle.best(np.zeros(oracle.n, dtype=np.int64)).panel is None:
        return
    engine = lottery_module._Engine(oracle)
    covered = engine.cover()
    before = len(engine.columns.panels)
    engine.spread(covered)
    for panel in engine.columns.panels:
        assert oracle.problems(panel) == []
        assert problem.quota_problems(oracle.nominees(panel)) == []
        assert len(panel) == seats
    assert len(engine.columns.panels) >= before
    # Every agent the cheap covering met is in some feasible selection (the CP-SAT model agrees).
    for a in covered:
        weights = np.zeros(oracle.n, dtype=np.int64)
        weights[a] = 1
        assert oracle.best(weights).value >= 1


@pytest.mark.parametrize("fine", [None, 1])
def test_first_large_solve_by_a_first_order_method_reaches_the_simplex_optimum(
    monkeypatch: pytest.MonkeyPatch, fine: int | None
) -> None:
    # fine=1: PDLP at the model's tolerances stops at once (PDLP_FINE_ITERATIONS), so the run at PDLP_TOL and its
    # crossover must reach the same optimal vertex.
    if fine is not None:
        monkeypatch.setattr(lottery_module, "PDLP_FINE_ITERATIONS", fine)
    rough = []
    real_tolerances = lottery_module._tolerances

    def tolerances(h: highspy.Highs, tolerance: float) -> None:
        rough.append(tolerance == lottery_module.PDLP_TOL)
        real_tolerances(h, tolerance)

    monkeypatch.setattr(lottery_module, "_tolerances", tolerances)
    rng = np.random.default_rng(3)
    n = 40
    panels = sorted({tuple(sorted(int(a) for a in rng.choice(n, 7, replace=False))) for _ in range(300)})
    simplex = _Master(list(range(n)), n)
    simplex.add(panels)
    _, _, expected = simplex.solve()
    monkeypatch.setattr(lottery_module, "FIRST_ORDER_ROWS", 0)
    ran = []
    real = _Master.first_order

    def recording(self: _Master) -> bool:
        ran.append(real(self))
        return ran[-1]

    monkeypatch.setattr(_Master, "first_order", recording)
    first = _Master(list(range(n)), n)
    first.add(panels)
    y, lam, value = first.solve()
    assert ran == [True]  # PDLP and crossover ended at an optimal vertex (no simplex from scratch)
    assert value == pytest.approx(expected, abs=1e-9)
    assert lam.min() >= -1e-9 and lam.sum() == pytest.approx(1.0, abs=1e-9)
    assert (lam > 1e-9).sum() <= n + 1  # a vertex: at most one panel per row in the basis
    cap = max(float(y[list(p)].sum()) for p in panels)
    assert cap == pytest.approx(value, abs=1e-8)  # a vertex dual with the level's value
    assert y.min() >= -1e-9 and y.sum() == pytest.approx(1.0, abs=1e-8)
    first.add([tuple(range(7))])  # the next solve starts from the crossover's basis
    assert first.solve()[2] >= value - 1e-9
    assert ran == [True]
    assert any(rough) == (fine is not None)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools())
def test_widest_dual_is_an_optimal_dual_at_least_as_wide_as_the_vertex_dual(
    pool: tuple[int, list[Panel], list[int]],
) -> None:
    # The small LP behind "fixing many agents per level" must return a dual of the level's LP over the same
    # panels (y >= 0, Σ_free y = 1) whose value max_P y(P) - Σ_fixed f y is the level, with
    # its objective Σ_free min(y_i / WIDEN_TARGET, 1) at least as high as the master's vertex dual's.
    n, panels, _ = pool
    master, agents, fixed = _master_fixing(pool, 3)
    vertex, _, value = master.solve()
    free = [a for a in agents if a not in fixed]
    y = _widest_dual(agents, n, np.ones(n), fixed, value, panels)
    assert y is not None
    assert y.min() >= 0 and y[free].sum() == pytest.approx(1.0, abs=1e-9)
    dual_value = max(y[list(p)].sum() for p in panels) - sum(f * y[a] for a, f in fixed.items())
    assert dual_value == pytest.approx(value, abs=1e-8)
    # The vertex dual is one of the duals that LP chooses among, so the widest one weighs at least as much.
    target = lottery_module.WIDEN_TARGET
    weight = dict(zip(agents, vertex, strict=True))
    widest = sum(min(float(y[a]) / target, 1.0) for a in free)
    assert widest >= sum(min(max(weight[a], 0.0) / target, 1.0) for a in free) - 1e-4
    assert widest <= len(free) + 1e-9


def assert_levels_match(lottery: Lottery, expected: np.ndarray) -> None:
    """The brute-force leximin's marginals, every level's agents at exactly the level's value there, certified
    and proven (no agent fixed below or above its leximin value)."""
    assert np.allclose(lottery.marginal_floats(), expected, atol=1e-7)
    for level in lottery.levels:
        assert all(abs(expected[a] - level.value) <= 1e-7 for a in level.agents)
    assert lottery.certified and lottery.proven


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools())
def test_widened_fixing_fixes_every_agent_at_its_leximin_value(pool: tuple[int, list[Panel], list[int]]) -> None:
    # Fixing more agents per level must never fix one below (or above) its leximin value: every level's
    # agents have exactly the level's value in the from-scratch reference, the result is certified and
    # proven, and the marginals are those of the vertex duals' fixing alone.
    n, panels, _ = pool
    oracle = EnumeratedOracle(n, len(panels[0]), panels)
    expected = reference_leximin(n, oracle.panels)
    lottery = leximin(oracle)
    assert_levels_match(lottery, expected)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(lottery_module, "WIDEN_ROUNDS", 0)
        narrow = leximin(oracle)
    assert narrow.marginals == lottery.marginals


def test_one_level_fixes_everybody_when_a_wider_dual_proves_it(monkeypatch: pytest.MonkeyPatch) -> None:
    # Two disjoint panels: everybody gets 1/2. The master's vertex dual weighs one member of each panel, so
    # without widening the leximin needs two levels; the widest dual weighs all four and one level fixes them.
    oracle = EnumeratedOracle(4, 2, [(0, 3), (1, 2)])
    lottery = leximin(oracle)
    assert [level.agents for level in lottery.levels] == [(0, 1, 2, 3)]
    assert lottery.minimum == F(1, 2) and lottery.certified and lottery.proven
    monkeypatch.setattr(lottery_module, "WIDEN_ROUNDS", 0)
    assert len(leximin(oracle).levels) == 2


class SwappingOracle(EnumeratedOracle):
    """An enumerated oracle with a local search (as the quota oracle has one): from each start, the known
    panel of largest float weight one swap away, while that improves."""

    def improve(self, weights: np.ndarray, starts: list[Panel]) -> list[Panel]:
        found: list[Panel] = []
        for start in starts:
            current, value = tuple(start), float(weights[list(start)].sum())
            while True:
                near = [p for p in self.panels if len(set(p) & set(current)) == self.size - 1]
                better = [p for p in near if float(weights[list(p)].sum()) > value + 1e-12]
                if not better:
                    break
                current = max(better, key=lambda p: (float(weights[list(p)].sum()), [-a for a in p]))
                value = float(weights[list(current)].sum())
            if current != tuple(start) and current not in found:
                found.append(current)
        return found


def test_an_unproven_level_reports_the_least_bound_its_pricing_proved(monkeypatch: pytest.MonkeyPatch) -> None:
    # Pricing that never proves its optimum and whose bounds loosen with every call: the first level's gap and
    # the lottery's upper bound must be the least bound seen in that level, not the last (looser) one.
    rng = np.random.default_rng(5)
    n = 9
    panels = sorted({tuple(sorted(int(a) for a in rng.choice(n, 3, replace=False))) for _ in range(40)})
    calls = [0]

    class Loosening(EnumeratedOracle):
        def best(
            self, weights: np.ndarray, restriction: lottery_module.Restriction | None = None
        ) -> lottery_module.Pricing:
            calls[0] += 1
            exact = super().best(weights, restriction)
            return lottery_module.Pricing(exact.panel, exact.value, False, exact.value + 1000 * calls[0])

    seen: list[Fraction] = []
    real = lottery_module._Engine.see_bound

    def spy(self: lottery_module._Engine, bound: Fraction | None) -> None:
        if bound is not None and self.master is not None and not self.master.fixed:  # the first level
            seen.append(bound)
        real(self, bound)

    monkeypatch.setattr(lottery_module._Engine, "see_bound", spy)
    lottery = leximin(Loosening(n, 3, panels))
    assert not lottery.proven
    assert len(seen) >= 2 and min(seen) < max(seen)
    assert lottery.upper_bound == min(seen)
    assert lottery.levels[0].gap == pytest.approx(float(min(seen)) - lottery.levels[0].value)


def count_widest_duals(patch: pytest.MonkeyPatch) -> list[int]:
    """Patch widening's small LP (``_widest_dual``) to count its solves: the list grows by one per solve."""
    calls: list[int] = []
    real = lottery_module._widest_dual

    def counting(*args: object) -> np.ndarray | None:
        calls.append(1)
        return real(*args)  # type: ignore[arg-type]

    patch.setattr(lottery_module, "_widest_dual", counting)
    return calls


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools())
def test_widening_is_skipped_only_when_it_cannot_fix_anybody_more(pool: tuple[int, list[Panel], list[int]]) -> None:
    # Skipping the small LP when every free agent at the level already has proof weight must not change the
    # levels or the marginals (the from-scratch reference), and never costs more small LPs than without it.
    n, panels, _ = pool
    oracle = EnumeratedOracle(n, len(panels[0]), panels)
    with pytest.MonkeyPatch.context() as patch:
        calls = count_widest_duals(patch)
        lottery = leximin(oracle)
        skipping = len(calls)
        patch.setattr(lottery_module, "WIDEN_TIGHT", math.inf)
        calls.clear()
        every = leximin(oracle)
    assert np.allclose(lottery.marginal_floats(), reference_leximin(n, oracle.panels), atol=1e-7)
    assert lottery.marginals == every.marginals and lottery.certified and lottery.proven
    assert [level.agents for level in lottery.levels] == [level.agents for level in every.levels]
    assert skipping <= len(calls)


def test_widening_is_skipped_when_the_vertex_dual_already_weighs_every_agent_at_the_level(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Two panels sharing agents 2 and 3: the level-1 agents 0 and 1 (1/2 each) both carry the vertex dual's
    # weight, and 2 and 3 (chance 1) are far above the level: no small LP is needed for that level.
    oracle = EnumeratedOracle(4, 3, [(0, 2, 3), (1, 2, 3)])
    calls = count_widest_duals(monkeypatch)
    lottery = leximin(oracle)
    assert [level.agents for level in lottery.levels] == [(0, 1), (2, 3)]
    assert lottery.minimum == F(1, 2) and lottery.certified
    assert len(calls) < 2
    monkeypatch.setattr(lottery_module, "WIDEN_TIGHT", math.inf)
    # The second level seats everybody left (the uniform weights prove it and fix both, see _Engine.share); without
    # that proof its vertex dual weighs one of them, and with no skipping the small LP runs there too.
    monkeypatch.setattr(lottery_module._Engine, "uniform_proof", lambda self, free, fixed, value: None)
    calls.clear()
    leximin(oracle)
    assert len(calls) == 2


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**31 - 1), st.integers(0, 40), st.booleans())
def test_panel_weights_are_the_per_panel_sums(seed: int, count: int, mixed: bool) -> None:
    """``_panel_weights`` gives each panel's ``y[list(P)].sum()``, the same floats (the engine compares them with the
    cap at EPS), for panels of one size (at once) and of several (one by one)."""
    rng = np.random.default_rng(seed)
    y = rng.random(30) * rng.choice([1e-9, 1e-3, 1.0, 1e6], size=30)
    panels = [
        tuple(sorted(rng.choice(30, size=int(rng.integers(1, 5)) if mixed else 4, replace=False).tolist()))
        for _ in range(count)
    ]
    assert _panel_weights(y, panels).tolist() == [float(y[list(p)].sum()) for p in panels]
