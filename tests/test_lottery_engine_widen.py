"""Widening a leximin level (fixing every agent some optimal dual can prove) within deterministic limits.

The lifting LP (``_Master.lift``) must reach what a from-scratch ``linprog`` of the same problem reaches and
keep every level; with the widening LPs' iteration limits forced to nothing the levels and marginals must
still be the brute-force leximin (only the number of levels may grow); and the lifting LP must spare the
small LP where it shows that nobody else can be fixed.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from scipy.optimize import linprog

import matching.lottery.engine as lottery_module
from matching.lottery.engine import EnumeratedOracle, Panel, _widest_dual, leximin
from tests.test_lottery import reference_leximin
from tests.test_lottery_engine import _master_fixing, assert_levels_match, count_widest_duals, pools

LIFTED_BEFORE_WIDENING = (5, 2, [(0, 4), (1, 2), (2, 3), (3, 4)])  # levels (0, 1, 3) at 1/3, then (2, 4) at 1/2


def most_lift_by_linprog(
    n: int, panels: list[Panel], agents: list[int], fixed: dict[int, float], value: float, lifted: list[int]
) -> float:
    """max Σ_{a in lifted} s_a with s_a <= p_a - value, 0 <= s_a <= WIDEN_LIFT, p >= value (free), p >= f (fixed)."""
    m, q = len(panels), len(lifted)
    incidence = np.zeros((n, m))
    for j, p in enumerate(panels):
        incidence[list(p), j] = 1.0
    rows, rhs = [], []
    for a in agents:
        floor = fixed.get(a, value)
        rows.append(np.concatenate([-incidence[a], np.zeros(q)]))
        rhs.append(-floor + 1e-9)
    for i, a in enumerate(lifted):
        slack = np.zeros(q)
        slack[i] = 1.0
        rows.append(np.concatenate([-incidence[a], slack]))
        rhs.append(-value + 1e-9)
    cost = np.concatenate([np.zeros(m), -np.ones(q)])
    eq = np.concatenate([np.ones(m), np.zeros(q)]).reshape(1, -1)
    bounds = [(0, None)] * m + [(0, lottery_module.WIDEN_LIFT)] * q
    res = linprog(cost, A_ub=np.array(rows), b_ub=rhs, A_eq=eq, b_eq=[1.0], bounds=bounds)
    assert res.status == 0, res.message
    return float(-res.fun)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools())
def test_the_lifting_lp_keeps_the_level_and_lifts_as_much_as_linprog(
    pool: tuple[int, list[Panel], list[int]],
) -> None:
    # Its distribution must be one (λ >= 0, Σ λ = 1) keeping every free agent at the level and every fixed one at
    # its value, and raise the chosen agents above the level by as much in all (each counted up to WIDEN_LIFT)
    # as a from-scratch LP over the same panels.
    n, panels, _ = pool
    master, agents, fixed = _master_fixing(pool, 3)
    _, _, value = master.solve()
    free = [a for a in agents if a not in fixed]
    lifted = free[::2]
    lam = master.lift(lifted, value)
    assert lam is not None
    assert lam.min() >= -1e-9 and lam.sum() == pytest.approx(1.0, abs=1e-9)
    chance = np.zeros(n)
    for j, p in enumerate(panels):
        chance[list(p)] += lam[j]
    assert all(chance[a] >= value - 1e-9 for a in free)
    assert all(chance[a] >= f - 1e-9 for a, f in fixed.items())
    reached = sum(min(max(chance[a] - value, 0.0), lottery_module.WIDEN_LIFT) for a in lifted)
    assert reached == pytest.approx(most_lift_by_linprog(n, panels, agents, fixed, value, lifted), abs=1e-8)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools())
def test_widening_stopped_at_once_by_its_iteration_limits_keeps_the_leximin(
    pool: tuple[int, list[Panel], list[int]],
) -> None:
    # Both widening LPs stopped before their first iteration: the lifting LP's start (the master's solution) is
    # all it has, the small LP gives up, so only agents with a proof are fixed. The marginals and every level's
    # value must still be the brute-force leximin's, certified and proven, and equal to the uncapped run's.
    n, panels, _ = pool
    oracle = EnumeratedOracle(n, len(panels[0]), panels)
    expected = reference_leximin(n, oracle.panels)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(lottery_module, "WIDEN_ITERATIONS", 0)
        patch.setattr(lottery_module, "WIDEN_ITERATIONS_PER_ROW", 0)
        capped = leximin(oracle)
    assert_levels_match(capped, expected)
    assert capped.marginals == leximin(oracle).marginals


def test_a_small_lp_stopped_by_its_limit_fixes_only_the_proven_agents(monkeypatch: pytest.MonkeyPatch) -> None:
    # Two disjoint panels: everybody gets 1/2, and only the small LP finds the dual weighing all four. Stopped by
    # its iteration limit it returns nothing, and the leximin takes two levels instead of one, with the same
    # certified result.
    oracle = EnumeratedOracle(4, 2, [(0, 3), (1, 2)])
    assert [level.agents for level in leximin(oracle).levels] == [(0, 1, 2, 3)]
    monkeypatch.setattr(lottery_module, "WIDEN_ITERATIONS", 0)
    monkeypatch.setattr(lottery_module, "WIDEN_ITERATIONS_PER_ROW", 0)
    assert _widest_dual([0, 1, 2, 3], 4, np.ones(4), {}, 0.5, [(0, 3), (1, 2)]) is None
    capped = leximin(oracle)
    assert len(capped.levels) == 2 and sorted(a for level in capped.levels for a in level.agents) == [0, 1, 2, 3]
    assert capped.minimum == lottery_module.Fraction(1, 2) and capped.certified and capped.proven
    assert all(level.value == pytest.approx(0.5) for level in capped.levels)


def test_the_lifting_lp_spares_the_small_lp_when_nobody_else_can_be_fixed(monkeypatch: pytest.MonkeyPatch) -> None:
    # Panels {0,4}, {1,2}, {2,3}, {3,4}: the first level is 1/3 for 0, 1 and 3. The master's vertex puts 2 or 4
    # at the level too, so the master's own solution cannot rule them out; the lifting LP raises both above it
    # (λ({2,3}) and λ({3,4}) share the third of 3), so no small LP is solved, with the same levels as with it.
    n, k, panels = LIFTED_BEFORE_WIDENING
    oracle = EnumeratedOracle(n, k, panels)
    calls = count_widest_duals(monkeypatch)
    lottery = leximin(oracle)
    assert [level.agents for level in lottery.levels] == [(0, 1, 3), (2, 4)]
    assert lottery.marginals == tuple(lottery_module.Fraction(x, 6) for x in (2, 2, 3, 2, 3)) and lottery.certified
    assert calls == []
    monkeypatch.setattr(lottery_module._Master, "lift", lambda self, agents, value: None)
    without = leximin(oracle)
    assert calls == [1]
    assert [level.agents for level in without.levels] == [(0, 1, 3), (2, 4)]
    assert without.marginals == lottery.marginals


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools())
def test_widening_stops_at_its_first_unproven_pricing_answer(pool: tuple[int, list[Panel], list[int]]) -> None:
    # An oracle that cannot prove the widening's weights (CP-SAT at its limit on 28-bit weights, D003 at 10,000
    # mediators: three such calls of 11.5 units each) is asked once per widening, not once per small LP; the levels'
    # own pricing stays exact, so the lottery is still the brute-force leximin.
    n, panels, _ = pool
    widening = [False]
    asked: list[int] = []
    handed: set[Panel] = set()

    class GivingUp(EnumeratedOracle):
        def best(
            self, weights: np.ndarray, restriction: lottery_module.Restriction | None = None
        ) -> lottery_module.Pricing:
            exact = super().best(weights, restriction)
            if not widening[0]:
                return exact
            asked[-1] += 1
            # A feasible panel not handed out before (so that the widening has new panels to try again with) and a
            # valid but loose bound: what a solver stopped at its limit gives.
            fresh = [p for p in self.panels if p not in handed] or [exact.panel]
            panel = max(fresh, key=lambda p: int(weights[list(p)].sum()))
            handed.add(panel)
            return lottery_module.Pricing(panel, int(weights[list(panel)].sum()), False, exact.value + 10**6)

    real = lottery_module._Engine.widen

    def spy(self: lottery_module._Engine, *args: object) -> tuple[np.ndarray, int]:
        widening[0] = True
        asked.append(0)
        try:
            return real(self, *args)  # type: ignore[arg-type]
        finally:
            widening[0] = False

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(lottery_module._Engine, "widen", spy)
        lottery = leximin(GivingUp(n, len(panels[0]), panels))
    assert all(calls <= 1 for calls in asked)
    expected = reference_leximin(n, EnumeratedOracle(n, len(panels[0]), panels).panels)
    assert np.allclose(lottery.marginal_floats(), expected, atol=1e-7)
