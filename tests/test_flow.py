"""The min-cost-flow transportation solver against an independent exact solver (HiGHS through scipy).

Random small instances: disputes needing several distinct mediators, capacities, an eligibility
mask and integer scores. The flow's optimum must equal ``scipy.optimize.milp``'s, with and
without the pruning that keeps only each dispute's best arcs (certified by reduced costs), and the
assignment it returns must keep demand, capacity, eligibility and distinctness.
"""

from __future__ import annotations

from itertools import product

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from matching.batch.flow import INFEASIBLE, OPTIMAL, max_min_threshold, solve_arcs, solve_transport


def milp_optimum(score: np.ndarray, eligible: np.ndarray, demand: np.ndarray, capacity: np.ndarray) -> int | None:
    """The best total by HiGHS (x[d, i] binary), or None when the demand cannot be met."""
    d, m = score.shape
    rows, cols = np.nonzero(eligible)
    n = len(rows)
    if n == 0:
        return 0 if demand.sum() == 0 else None
    a_d = np.zeros((d, n))
    a_d[rows, np.arange(n)] = 1
    a_m = np.zeros((m, n))
    a_m[cols, np.arange(n)] = 1
    res = milp(
        -score[rows, cols].astype(float),
        constraints=[LinearConstraint(a_d, demand, demand), LinearConstraint(a_m, 0, capacity)],
        integrality=np.ones(n),
        bounds=Bounds(0, 1),
    )
    if res.status != 0:
        return None
    return round(-res.fun)


@st.composite
def instances(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    d = draw(st.integers(1, 6))
    m = draw(st.integers(1, 9))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    score = rng.integers(-20, 100, size=(d, m))
    eligible = rng.random((d, m)) < draw(st.sampled_from([0.5, 0.8, 1.0]))
    demand = rng.integers(0, 4, size=d)
    capacity = rng.integers(0, 4, size=m)
    return score, eligible, demand, capacity


def check_assignment(sol, score, eligible, demand, capacity) -> None:  # type: ignore[no-untyped-def]
    pairs = list(zip(sol.dispute.tolist(), sol.mediator.tolist(), strict=True))
    assert len(set(pairs)) == len(pairs), "a mediator twice on one panel"
    assert all(eligible[d, i] for d, i in pairs)
    assert (np.bincount(sol.dispute, minlength=len(demand)) == demand).all()
    assert (np.bincount(sol.mediator, minlength=len(capacity)) <= capacity).all()
    assert sol.objective == sum(int(score[d, i]) for d, i in pairs)


@settings(max_examples=60, deadline=None)
@given(instances())
def test_flow_equals_milp(inst: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]) -> None:
    score, eligible, demand, capacity = inst
    expected = milp_optimum(score, eligible, demand, capacity)
    for keep in (None, 1, 2):
        sol = solve_transport(score, eligible, demand, capacity, keep=keep)
        if expected is None:
            assert sol.status == INFEASIBLE
            continue
        assert sol.status == OPTIMAL, keep
        assert sol.objective == expected, keep
        check_assignment(sol, score, eligible, demand, capacity)


def test_pruned_and_full_agree_on_a_larger_instance() -> None:
    rng = np.random.default_rng(7)
    d, m = 60, 90
    score = rng.integers(0, 1000, size=(d, m))
    eligible = rng.random((d, m)) < 0.9
    demand = np.full(d, 3)
    capacity = np.full(m, 2)
    full = solve_transport(score, eligible, demand, capacity, keep=None)
    pruned = solve_transport(score, eligible, demand, capacity, keep=8)
    assert full.status == pruned.status == OPTIMAL
    assert full.objective == pruned.objective == milp_optimum(score, eligible, demand, capacity)
    assert pruned.arcs < full.arcs
    check_assignment(pruned, score, eligible, demand, capacity)


def test_staff_as_many_as_possible_when_capacity_runs_out() -> None:
    # Three one-seat disputes, two mediators with one seat each: two disputes can be staffed.
    tails = np.array([0, 0, 1, 2])
    heads = np.array([0, 1, 0, 0])
    scores = np.array([5, 1, 9, 7])
    demand = np.ones(3, dtype=int)
    capacity = np.ones(2, dtype=int)
    strict = solve_arcs(tails, heads, scores, demand, capacity)
    assert strict.status == INFEASIBLE and len(strict.dispute) == 0
    most = solve_arcs(tails, heads, scores, demand, capacity, staff_all=False)
    assert most.status == INFEASIBLE
    assert int(most.staffed.sum()) == 2
    assert most.objective == 9 + 1  # dispute 1 takes mediator 0, dispute 0 takes mediator 1


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**31 - 1), st.integers(1, 4), st.integers(1, 5))
def test_max_min_threshold_matches_brute_force(seed: int, d: int, m: int) -> None:
    rng = np.random.default_rng(seed)
    score = rng.integers(0, 50, size=(d, m))
    eligible = rng.random((d, m)) < 0.8
    capacity = rng.integers(1, 3, size=m)
    tails, heads = np.nonzero(eligible)
    best: int | None = None
    for choice in product(range(m), repeat=d):
        if all(eligible[j, i] for j, i in enumerate(choice)) and all(choice.count(i) <= capacity[i] for i in range(m)):
            worst = min(int(score[j, i]) for j, i in enumerate(choice))
            best = worst if best is None else max(best, worst)
    got = max_min_threshold(tails, heads, score[tails, heads], np.ones(d, dtype=int), capacity)
    assert got == best


def test_bad_shapes_and_values_are_refused() -> None:
    with pytest.raises(ValueError):
        solve_transport(np.zeros((2, 3)), np.ones((3, 2), dtype=bool), np.ones(2), np.ones(3))
    with pytest.raises(ValueError):
        solve_arcs(np.array([0]), np.array([5]), np.array([1]), np.ones(1), np.ones(2))
