"""A lottery stopped by its budget in the first leximin level keeps the weak-duality bound of every exact
pricing answer of that level (``Lottery.upper_bound``), held to the true maximin (scipy's LP over every panel)."""

from __future__ import annotations

from fractions import Fraction
from itertools import combinations

import numpy as np
from hypothesis import event, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from matching.core.config import Budget
from matching.lottery.engine import EnumeratedOracle, solve


def _maximin(n: int, panels: list[tuple[int, ...]], covered: list[int]) -> float:
    """max z s.t. sum_P lambda_P [i in P] >= z for the covered agents, sum lambda = 1 (scipy HiGHS)."""
    m = len(panels)
    a_ub = np.zeros((len(covered), m + 1))
    for row, i in enumerate(covered):
        a_ub[row, :m] = [-(i in p) for p in panels]
        a_ub[row, m] = 1.0
    a_eq = np.zeros((1, m + 1))
    a_eq[0, :m] = 1.0
    c = np.zeros(m + 1)
    c[m] = -1.0
    result = linprog(c, A_ub=a_ub, b_ub=np.zeros(len(covered)), A_eq=a_eq, b_eq=[1.0], bounds=[(0, None)] * (m + 1))
    assert result.status == 0
    return float(-result.fun)


@settings(max_examples=60, deadline=None)
@given(st.integers(6, 9), st.integers(2, 3), st.data())
def test_a_stopped_first_level_keeps_a_valid_bound(n: int, k: int, data: st.DataObject) -> None:
    every = list(combinations(range(n), k))
    panels = data.draw(st.lists(st.sampled_from(every), min_size=2, max_size=12, unique=True), label="panels")
    covered = sorted({i for p in panels for i in p})
    rounds = data.draw(st.integers(1, 12), label="rounds")
    lottery = solve(EnumeratedOracle(n, k, panels), "leximin", budget=Budget(rounds=rounds))
    best = _maximin(n, panels, covered)
    event(f"stopped: {lottery.stopped is not None}, bound: {lottery.upper_bound is not None}")
    if lottery.upper_bound is not None:
        assert lottery.upper_bound >= Fraction(best) - Fraction(1, 10**9)
        assert lottery.minimum <= lottery.upper_bound
    if lottery.stopped is None:
        assert lottery.proven and lottery.upper_bound is not None
