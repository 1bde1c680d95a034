"""Scaled count narrowing of the dispute lottery's pricing (``_SearchPricing._scaled``): weights past the plain count's
room (``COUNT_ROOM`` units of their common divisor, as the later leximin levels' duals have them), counted in rounded-up
units, held to brute force over every panel of small rosters (panels of three and five), and the lottery priced by it
held to the enumerated one."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import matching.lottery.dispute
from matching.lottery.dispute import COUNT_ROOM, _SearchPricing, dispute_lottery
from tests.strategies import DISPUTE_ID, Roster, rosters
from tests.test_dispute_lottery_counted import _counted_only, assert_heaviest
from tests.test_dispute_lottery_scale import (
    IOMED,
    SLOW,
    _five_member_rosters,
    _searched,
    assert_same_lottery,
    enumerated_case,
)


def _scaled_only(patch: pytest.MonkeyPatch) -> None:
    """Pricing reaches ``_scaled`` at once: no search of the whole pool, no level-by-level, Lagrangian or plain count
    narrowing, no greedy panels among the heaviest."""
    _counted_only(patch)
    patch.setattr(_SearchPricing, "_counted", lambda self, w_pool, restriction: None)


@settings(max_examples=15, **SLOW)  # type: ignore[call-overload]
@given(
    rosters(min_size=9, max_size=13, sizes=(3, 5)) | _five_member_rosters(),
    st.sampled_from([0.0, 0.9, 0.97, 1.0]),
    st.sampled_from([None, 2]),
    st.data(),
)
def test_scaled_pricing_is_exact_against_brute_force(
    roster: Roster, floor: float, room: int | None, data: st.DataObject
) -> None:
    """Priced by ``_scaled`` alone (weights of up to 30 units, past the plain count's room, times a common factor;
    with ``SCALE_ROOM`` 2 too, so that each weight is scaled down and rounded up), the answer weighs exactly the most any
    acceptable panel weighs (brute force) whenever it answers, and it answers whenever every acceptable panel is known
    and the heaviest outweighs every single mediator (then it proves it); every panel handed over is acceptable."""
    searched = _searched(roster, floor, data)
    if searched is None:
        return
    inst, _threshold, _expected, agents, by_agent, search = searched
    with pytest.MonkeyPatch.context() as patch:
        _scaled_only(patch)
        if room is not None:
            patch.setattr(matching.lottery.dispute, "SCALE_ROOM", room)
        for _ in range(3):
            factor = data.draw(st.sampled_from([1, 3]), label="common factor")
            weights = factor * np.array([data.draw(st.integers(0, 30), label="w") for _ in agents], dtype=np.int64)
            known = data.draw(st.booleans(), label="every acceptable panel known")
            if known:
                search.learn(search.pool_rows(np.asarray(sorted(by_agent), dtype=np.int64)))
            before = getattr(search, "scaled", 0)  # getattr: main, without it, fails on the answer below
            answer = search.best(weights, None)
            best = max(int(weights[list(p)].sum()) for p in by_agent)
            positive = weights[weights > 0]
            g = math.gcd(*positive.tolist()) if len(positive) else 0
            past_count = bool(g) and (int(positive.max()) // g >= COUNT_ROOM or best // g >= COUNT_ROOM)
            scaled = getattr(search, "scaled", 0) > before
            event(f"k={inst.k}, answered: {answer is not None}, scaled: {scaled}, past: {past_count}")
            if known and past_count and best >= int(weights.max()):
                assert answer is not None  # the count proves the heaviest known panel the heaviest
            if answer is None:
                continue
            assert_heaviest(answer, best, weights, by_agent)


@settings(max_examples=10, **SLOW)  # type: ignore[call-overload]
@given(rosters(min_size=9, max_size=12, sizes=(3, 5)), st.sampled_from([0.0, 0.9, 0.97]), st.data())
def test_scaled_pricing_gives_the_enumerated_lottery(roster: Roster, floor: float, data: st.DataObject) -> None:
    """Past the enumeration cap, with every pricing call that the other narrowings would answer left to ``_scaled``
    (the plain count's room 1 and ``SCALE_ROOM`` 3, so that the leximin duals are scaled and rounded up) and CP-SAT
    behind it, the lottery's probabilities and least chance are exactly those of the enumerated lottery, proven."""
    ws, k, locks, listed = enumerated_case(roster, floor, data)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(matching.lottery.dispute, "ENUMERATION_CAP", 0)
        _scaled_only(patch)
        patch.setattr(matching.lottery.dispute, "COUNT_ROOM", 1)
        patch.setattr(matching.lottery.dispute, "SCALE_ROOM", 3)
        scaled = dispute_lottery(ws, DISPUTE_ID, IOMED, floor=floor, locks=locks)
    event(f"k={k}, status {listed.status}")
    assert_same_lottery(ws, scaled, listed, k)
