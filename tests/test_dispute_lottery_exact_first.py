"""The exact count right after a scaled count whose search passed its cap (``_SearchPricing._heavier``): it answers over
the mediators that count kept before the Lagrangian narrowing runs (on D002's tail at 10,000 mediators the Lagrangian's
18 to 23 ``panel_bounds`` passes a call, for the same answers). Held to brute force over every panel of small rosters."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import matching.lottery.dispute
from matching.lottery.dispute import _SearchPricing
from tests.strategies import Roster, rosters
from tests.test_dispute_lottery_counted import assert_heaviest, price_with_known
from tests.test_dispute_lottery_exact import _exact_last, _searches_fail
from tests.test_dispute_lottery_scale import SLOW, _five_member_rosters, _searched


@settings(max_examples=10, **SLOW)  # type: ignore[call-overload]
@given(
    rosters(min_size=9, max_size=13, sizes=(3, 5)) | _five_member_rosters(),
    st.sampled_from([0.0, 0.9, 0.97, 1.0]),
    st.data(),
)
def test_the_exact_count_answers_before_the_lagrangian_after_a_failed_scaled_count(
    roster: Roster, floor: float, data: st.DataObject
) -> None:
    """With the scaled count's search giving up, the answer weighs exactly the most any acceptable panel weighs (brute
    force) and the Lagrangian narrowing is never asked whenever the exact count applies (the heaviest known panel
    outweighs every single mediator and its goal is within ``EXACT_ROOM``)."""
    searched = _searched(roster, floor, data)
    if searched is None:
        return
    inst, _threshold, _expected, agents, by_agent, search = searched
    asked = {"n": 0}

    def lagrangian(self: _SearchPricing, *args: Any) -> None:
        asked["n"] += 1
        return None

    with pytest.MonkeyPatch.context() as patch:
        _exact_last(patch, scaled=True)
        patch.setattr(_SearchPricing, "_lagrangian", lagrangian)
        _searches_fail(patch, {1})  # the scaled count's search
        seated = sorted({a for panel in by_agent for a in panel})
        for _ in range(3):
            factor = data.draw(st.sampled_from([1, 3]), label="common factor")
            weights = np.zeros(len(agents), dtype=np.int64)
            weights[seated] = factor * np.array([data.draw(st.integers(0, 30), label="w") for _ in seated])
            if not weights.any():
                continue
            # A known panel holds the heaviest mediator, so no mediator alone outweighs the heaviest known panel.
            top = min(p for p in by_agent if int(np.argmax(weights)) in p)
            known = {top} | data.draw(st.sets(st.sampled_from(sorted(by_agent))), label="known panels")
            asked["n"] = 0
            scaled_before = search.scaled
            above, answer = price_with_known(search, known, weights)
            g = math.gcd(*weights[weights > 0].tolist())
            failed_scaled = search.scaled > scaled_before and search._count_kept is not None
            applies = failed_scaled and above // g + 1 <= matching.lottery.dispute.EXACT_ROOM
            event(f"k={inst.k}, scaled count ran: {failed_scaled}, answered: {answer is not None}")
            if applies and answer is not None:
                assert asked["n"] == 0
            if answer is None:
                continue
            best = max(int(weights[list(p)].sum()) for p in by_agent)
            assert_heaviest(answer, best, weights, by_agent)
