"""Integer proof weights in the ratios of the LP's duals (``matching.lottery.engine._ratio_weights``): duals that are
simple fractions of one another but share no common denominator within ``SNAP_DENOMINATOR`` (D002's level 36 at 10,000
mediators: eighteenths of an irrational-looking largest weight) are priced as those small integers, exactly in their
ratios, instead of scaled and rounded to ``WEIGHT_BITS`` bits (which only approximates the ratios, so that the bound
they prove misses the level by the rounding)."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.lottery.engine import WEIGHT_BITS, EnumeratedOracle, _Engine


def _engine(n: int) -> _Engine:
    return _Engine(EnumeratedOracle(n, 2, [(a, (a + 1) % n) for a in range(n)]))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 36), min_size=3, max_size=40).filter(lambda units: len(set(units) - {0}) >= 3),
    st.sampled_from([math.sqrt(2) / 1_000, math.pi / 20_000, 1 / 63.72, math.e / 7_777]),
)
def test_duals_in_simple_ratios_give_integers_in_exactly_those_ratios(units: list[int], scale: float) -> None:
    """Duals ``scale * u`` (``u`` small integers, ``scale`` with no small denominator) give integer weights exactly
    proportional to ``u`` and within ``WEIGHT_BITS`` bits; agents of dual 0 weigh 0."""
    u = np.asarray(units, dtype=np.int64)
    y = scale * u.astype(float)
    weights = _engine(len(u)).integer_weights(y, list(range(len(u))))
    assert int(weights.max()) <= 2**WEIGHT_BITS
    top = int(np.argmax(u))
    # weights[a] / weights[top] == u[a] / u[top], exactly, for every agent
    assert (weights * int(u[top]) == u * int(weights[top])).all()


def test_duals_in_no_simple_ratio_are_scaled_as_before() -> None:
    # Ratios that are no fraction with a small denominator: the weights are the duals scaled to WEIGHT_BITS bits.
    y = np.array([1.0, math.sqrt(2) / 3, math.pi / 7, 0.0])
    engine = _engine(len(y))
    assert np.array_equal(engine.integer_weights(y, list(range(len(y)))), engine.scaled(y)[0])
