"""The uniform weights' bound on a later leximin level (``_Engine.share``) against slow references.

Every panel has ``k`` seats, so the weights 1 on every agent bound a level by ``(k - Σ_fixed m_j f_j) / Σ_free m_i``
without a pricing call: no LP over every panel (scipy's ``linprog``) may exceed it, and a level that reaches it is
proven by it, so the last level (its agents share the seats left) needs no pricing call; the leximin stays the
brute-force reference's, certified and proven.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import matching.lottery.engine as lottery_module
from matching.lottery.engine import EnumeratedOracle, Panel, _Engine, leximin
from tests.test_lottery import reference_leximin
from tests.test_lottery_engine import assert_levels_match, fixed_level_by_linprog, pools


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools(), st.data())
def test_no_distribution_beats_the_share_of_the_seats_left(
    pool: tuple[int, list[Panel], list[int]], data: st.DataObject
) -> None:
    # Some agents fixed at their leximin chances (exact marginals of a distribution, which meets them all): an LP over
    # every panel reaches at most the share, which is exactly the seats the fixed agents leave, shared out.
    n, panels, order = pool
    agents = sorted({a for p in panels for a in p})
    expected = leximin(EnumeratedOracle(n, len(panels[0]), panels)).marginals
    count = data.draw(st.integers(1, len(agents) - 1)) if len(agents) > 1 else 0
    fixed = {a: float(expected[a]) for a in [a for a in order if a in agents][:count]}
    free = [a for a in agents if a not in fixed]
    engine = _Engine(EnumeratedOracle(n, len(panels[0]), panels))
    share = engine.share(free, fixed)
    held = sum((Fraction(f) for f in fixed.values()), Fraction(0))
    assert share == (len(panels[0]) - held) / len(free)
    assert fixed_level_by_linprog(n, panels, agents, fixed) <= float(share) + 1e-8


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools())
def test_levels_proven_by_the_uniform_weights_keep_the_leximin(pool: tuple[int, list[Panel], list[int]]) -> None:
    # The brute-force leximin, every level's agents at exactly its value, certified and proven, and no more pricing
    # calls than without the uniform proof.
    n, panels, _ = pool
    oracle = EnumeratedOracle(n, len(panels[0]), panels)
    expected = reference_leximin(n, oracle.panels)
    lottery = leximin(oracle)
    assert_levels_match(lottery, np.asarray(expected))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(lottery_module._Engine, "uniform_proof", lambda self, free, fixed, value: None)
        without = leximin(oracle)
    assert without.marginals == lottery.marginals
    assert lottery.stats.pricing_calls <= without.stats.pricing_calls


def test_the_last_level_needs_no_pricing_call(monkeypatch: pytest.MonkeyPatch) -> None:
    # Panels {0,1} and {0,2}: the first level fixes 1 and 2 at 1/2; agent 0 is then on every panel, its share of the
    # seats left is 1, which the known panels reach: that level ends on the uniform weights, with no pricing call.
    oracle = EnumeratedOracle(3, 2, [(0, 1), (0, 2)])
    calls: list[int] = []
    real = EnumeratedOracle.best

    def counting(self: EnumeratedOracle, weights: np.ndarray, restriction: object = None) -> lottery_module.Pricing:
        calls.append(len(calls))
        return real(self, weights, restriction)  # type: ignore[arg-type]

    monkeypatch.setattr(EnumeratedOracle, "best", counting)
    lottery = leximin(oracle)
    assert [(level.value, level.agents) for level in lottery.levels] == [(0.5, (1, 2)), (1.0, (0,))]
    assert lottery.marginals == (Fraction(1), Fraction(1, 2), Fraction(1, 2))
    assert lottery.certified and lottery.proven
    first = len(calls)
    monkeypatch.setattr(lottery_module._Engine, "uniform_proof", lambda self, free, fixed, value: None)
    assert leximin(oracle).marginals == lottery.marginals
    assert len(calls) - first > first  # without the uniform proof the last level needs a pricing call of its own
