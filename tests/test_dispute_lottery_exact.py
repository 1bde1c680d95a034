"""Exact count narrowing of the dispute lottery's pricing (``_SearchPricing._exact``): weights past the plain count's room
counted in units of their common divisor, not rounded, after the scaled count failed (over the mediators that count
kept) or did not apply (over the whole pool), with its ceiling descent when its search passes its cap. Held to brute
force over every panel of small rosters (panels of three and five), and the lottery priced by it held to the enumerated
one."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import matching.lottery.dispute
from matching.lottery.dispute import _SearchPricing, dispute_lottery
from tests.strategies import DISPUTE_ID, Roster, rosters
from tests.test_dispute_lottery_counted import _counted_only, assert_heaviest, price_with_known
from tests.test_dispute_lottery_scale import (
    IOMED,
    SLOW,
    _five_member_rosters,
    _searched,
    assert_same_lottery,
    enumerated_case,
)


def _searches_fail(patch: pytest.MonkeyPatch, failing: set[int]) -> None:
    """The bounded searches of each pricing call numbered in ``failing`` (from 1) give up as past their cap."""
    calls = {"n": 0}
    real: Callable[..., Any] = _SearchPricing._searched

    def searched(self: _SearchPricing, *args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        return None if calls["n"] in failing else real(self, *args, **kwargs)

    patch.setattr(_SearchPricing, "_searched", searched)
    real_best: Callable[..., Any] = _SearchPricing.best

    def best(self: _SearchPricing, *args: Any, **kwargs: Any) -> Any:
        calls["n"] = 0
        return real_best(self, *args, **kwargs)

    patch.setattr(_SearchPricing, "best", best)


def _exact_last(patch: pytest.MonkeyPatch, scaled: bool) -> None:
    """Pricing reaches the count narrowings at once (no search of the whole pool, no level-by-level, Lagrangian or plain
    count narrowing, no greedy panels among the heaviest), the scaled count first when ``scaled`` (its room 2: every
    weight rounded), otherwise the exact one alone."""
    _counted_only(patch)
    patch.setattr(_SearchPricing, "_counted", lambda self, w_pool, restriction: None)
    patch.setattr(matching.lottery.dispute, "COUNT_ROOM", 1)  # every weight past the plain count's room
    patch.setattr(_SearchPricing, "_climbed", lambda self, w_pool, above, restriction: above)
    if scaled:
        patch.setattr(matching.lottery.dispute, "SCALE_ROOM", 2)
    else:
        patch.setattr(_SearchPricing, "_scaled", lambda self, w_pool, restriction: None)


@settings(max_examples=10, **SLOW)  # type: ignore[call-overload]
@given(
    rosters(min_size=9, max_size=13, sizes=(3, 5)) | _five_member_rosters(),
    st.sampled_from([0.0, 0.9, 0.97, 1.0]),
    st.booleans(),
    st.sampled_from([frozenset(), frozenset({1}), frozenset({1, 2}), frozenset({2})]),
    st.data(),
)
def test_exact_pricing_is_exact_against_brute_force(
    roster: Roster, floor: float, scaled: bool, failing: frozenset[int], data: st.DataObject
) -> None:
    """Priced by the exact count (after the scaled count, whose search gives up when the first search fails, or alone;
    its own first search giving up too when the second fails: the ceiling descent), with weights of up to 30 units
    times a common factor and known panels drawn among the acceptable ones, the answer weighs exactly the most any
    acceptable panel weighs (brute force) whenever it answers, and it answers whenever no search gives up and the
    heaviest known panel outweighs every single mediator (before, those weights were left to CP-SAT); every panel
    handed over is acceptable."""
    searched = _searched(roster, floor, data)
    if searched is None:
        return
    inst, _threshold, _expected, agents, by_agent, search = searched
    with pytest.MonkeyPatch.context() as patch:
        _exact_last(patch, scaled)
        _searches_fail(patch, set(failing))
        for _ in range(3):
            factor = data.draw(st.sampled_from([1, 3]), label="common factor")
            weights = factor * np.array([data.draw(st.integers(0, 30), label="w") for _ in agents], dtype=np.int64)
            if not weights.any():
                continue
            known = data.draw(st.sets(st.sampled_from(sorted(by_agent)), min_size=1), label="known panels")
            above, answer = price_with_known(search, known, weights)
            best = max(int(weights[list(p)].sum()) for p in by_agent)
            g = math.gcd(*weights[weights > 0].tolist())
            room = getattr(matching.lottery.dispute, "EXACT_ROOM", 128)  # main has none
            applies = above >= int(weights.max()) and above // g + 1 <= room
            event(f"k={inst.k}, answered: {answer is not None}, applies: {applies}, scaled first: {scaled}")
            if applies and not failing:
                assert answer is not None
            if answer is None:
                continue
            assert_heaviest(answer, best, weights, by_agent)


@settings(max_examples=10, **SLOW)  # type: ignore[call-overload]
@given(rosters(min_size=9, max_size=12, sizes=(3, 5)), st.sampled_from([0.0, 0.9, 0.97]), st.data())
def test_exact_pricing_gives_the_enumerated_lottery(roster: Roster, floor: float, data: st.DataObject) -> None:
    """Past the enumeration cap, with every pricing call that the other narrowings would answer left to the exact count
    (and CP-SAT behind it), the lottery's probabilities and least chance are exactly those of the enumerated lottery,
    proven."""
    ws, k, locks, listed = enumerated_case(roster, floor, data)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(matching.lottery.dispute, "ENUMERATION_CAP", 0)
        _exact_last(patch, scaled=False)
        exact = dispute_lottery(ws, DISPUTE_ID, IOMED, floor=floor, locks=locks)
    event(f"k={k}, status {listed.status}")
    assert_same_lottery(ws, exact, listed, k)
