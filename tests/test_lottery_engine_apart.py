"""Widening skipped where the oracle's own relaxation already puts everybody else above the level (``_Engine.apart``).

An oracle with ``level_proof`` and ``targets`` (the quota oracle: its relaxation's proofs and leximin) ends a level on
its own proof; when its targets put every free agent the proof does not weigh above the level, ``widen`` runs no
lifting LP. The marginals must stay the brute-force leximin's whatever the targets say (a wrong target can only cost
a level), and with the true leximin as targets the levels must be those of the run without them.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

import matching.lottery.engine as lottery_module
from matching.lottery.engine import EnumeratedOracle, Panel, leximin
from tests.test_lottery import reference_leximin
from tests.test_lottery_engine import pools
from tests.test_lottery_engine_widen import LIFTED_BEFORE_WIDENING


class Relaxed(EnumeratedOracle):
    """An enumerated oracle that proves each level itself (the LP over every panel, its duals snapped to fractions
    and priced by enumeration: a valid proof whatever the rounding) and hands over the given targets."""

    def __init__(self, n: int, size: int, panels: list[Panel], goal: list[float]) -> None:
        super().__init__(n, size, panels)
        self.goal = np.asarray(goal, dtype=float)

    def level_proof(self, free: list[int], fixed: dict[int, float]) -> tuple[np.ndarray, int] | None:
        agents = [*free, *fixed]
        m = len(self.panels)
        # Variables λ (one per panel) and z: maximise z with p_i >= z (free), p_j >= f_j (fixed), Σ λ = 1.
        rows = np.zeros((len(agents), m + 1))
        for r, a in enumerate(agents):
            rows[r, :m] = -self._matrix[:, a]
            if a not in fixed:
                rows[r, m] = 1.0
        rhs = [-fixed[a] + 1e-12 if a in fixed else 0.0 for a in agents]
        cost = np.zeros(m + 1)
        cost[m] = -1.0
        eq = np.concatenate([np.ones(m), [0.0]])[None, :]
        result = linprog(cost, A_ub=rows, b_ub=rhs, A_eq=eq, b_eq=[1.0], bounds=[(0, None)] * (m + 1), method="highs")
        if result.status != 0:
            return None
        duals = [Fraction(float(-v)).limit_denominator(1000) for v in result.ineqlin.marginals]
        scale = math.lcm(*(d.denominator for d in duals))
        weights = np.zeros(self.n, dtype=np.int64)
        for a, d in zip(agents, duals, strict=True):
            weights[a] = max(0, int(d * scale))
        if int(weights[free].sum()) <= 0:
            return None
        return weights, int((self._matrix @ weights).max())

    def targets(self, free: list[int], fixed: dict[int, float]) -> np.ndarray:
        return self.goal


def count_lifts(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = lottery_module._Master.lift

    def spy(self: lottery_module._Master, agents: list[int], value: float) -> np.ndarray | None:
        calls.append(len(agents))
        return real(self, agents, value)

    monkeypatch.setattr(lottery_module._Master, "lift", spy)
    return calls


def test_no_lifting_lp_where_the_targets_put_everybody_else_above_the_level(monkeypatch: pytest.MonkeyPatch) -> None:
    # Panels {0,4}, {1,2}, {2,3}, {3,4}: the first level is 1/3 for 0, 1 and 3, which the oracle's proof (1 on each)
    # shows; the master's vertex puts 2 or 4 at the level too, so without targets the lifting LP runs. With the true
    # leximin as targets (2 and 4 at 1/2) it does not, and the levels and marginals are the same.
    n, k, panels = LIFTED_BEFORE_WIDENING
    lifts = count_lifts(monkeypatch)
    plain = leximin(EnumeratedOracle(n, k, panels))
    assert lifts == [2]
    lifts.clear()
    relaxed = leximin(Relaxed(n, k, panels, [1 / 3, 1 / 3, 1 / 2, 1 / 3, 1 / 2]))
    assert lifts == []
    assert [level.agents for level in relaxed.levels] == [(0, 1, 3), (2, 4)]
    assert relaxed.marginals == plain.marginals and relaxed.certified and relaxed.proven


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools(), st.data())
def test_any_targets_keep_the_leximin_and_true_ones_keep_the_levels(
    pool: tuple[int, list[Panel], list[int]], data: st.DataObject
) -> None:
    # Wrong targets may leave an agent of the level free (it is then fixed by a later level at the same value): the
    # marginals stay the brute-force leximin's. The true leximin as targets never does: the same levels.
    n, panels, _ = pool
    k = len(panels[0])
    expected = reference_leximin(n, EnumeratedOracle(n, k, panels).panels)
    goal = data.draw(st.lists(st.floats(0.0, 1.0), min_size=n, max_size=n))
    wrong = leximin(Relaxed(n, k, panels, goal))
    assert np.allclose(wrong.marginal_floats(), expected, atol=1e-7)
    assert wrong.proven
    plain = leximin(Relaxed(n, k, panels, [0.0] * n))  # no target above any level: widening as without targets
    true = leximin(Relaxed(n, k, panels, [float(x) for x in expected]))
    assert [level.agents for level in true.levels] == [level.agents for level in plain.levels]
    assert true.marginals == plain.marginals
