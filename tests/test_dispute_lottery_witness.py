"""A panel at a proven ceiling found by the truncated search (``_SearchPricing._witness_search``, ``_search``'s
``truncate``): when the count narrowing proves a ceiling but neither the greedy pairs nor ``_reaching`` find a panel
weighing it, the bounded search cut to its first partial panels does; and the exact count's ceiling descent climbs
``EXACT_CEILING_STEPS`` goals. Held to brute force over every panel of small rosters (panels of three and five)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from matching.lottery.dispute import _roster, _search, _SearchPricing
from tests.strategies import Roster, rosters
from tests.test_dispute_lottery_ceiling import _answers_where_the_count_applies, _first_search_fails
from tests.test_dispute_lottery_counted import _counted_only, assert_heaviest, price_with_known
from tests.test_dispute_lottery_exact import _exact_last, _searches_fail
from tests.test_dispute_lottery_scale import SLOW, _five_member_rosters, _searched, _setup


@settings(max_examples=12, **SLOW)  # type: ignore[call-overload]
@given(
    rosters(min_size=9, max_size=13, sizes=(3, 5)) | _five_member_rosters(),
    st.sampled_from([0.0, 0.9, 0.97, 1.0]),
    st.data(),
)
def test_a_proven_ceiling_is_reached_without_greedy_pairs_or_reaching(
    roster: Roster, floor: float, data: st.DataObject
) -> None:
    """Priced by the count narrowing alone with its first search past its cap and the ceiling's other witnesses
    (greedy pairs, ``_reaching``) finding nothing, the answer still comes whenever the heaviest known panel outweighs
    every single mediator, and weighs exactly the most any acceptable panel weighs (brute force); every panel handed
    over is acceptable. Before the truncated search the count gave up wherever it proved a ceiling no known panel
    reached (D003 at 10,000 mediators then asked CP-SAT)."""
    searched = _searched(roster, floor, data)
    if searched is None:
        return
    inst, _threshold, _expected, agents, by_agent, search = searched
    with pytest.MonkeyPatch.context() as patch:
        _counted_only(patch)
        _first_search_fails(patch)
        patch.setattr(_SearchPricing, "_climbed", lambda self, w_pool, above, restriction: above)
        patch.setattr(_SearchPricing, "_started", lambda self, *args: np.zeros((0, inst.k), dtype=np.int64))
        patch.setattr(_SearchPricing, "_reaching", lambda self, *args: None)
        _answers_where_the_count_applies(inst.k, agents, by_agent, search, data)


@settings(max_examples=25, **SLOW)  # type: ignore[call-overload]
@given(rosters(min_size=9, max_size=13, sizes=(3, 5)) | _five_member_rosters(), st.data())
def test_the_truncated_search_keeps_a_prefix_of_the_full_one(roster: Roster, data: st.DataObject) -> None:
    """``_search`` with ``truncate`` and a small cap returns rows the full search returns (never a panel it would not
    look at), at most ``cap`` of them; with a cap past every depth's width it returns exactly the full search's rows."""
    setup = _setup(roster, data.draw(st.sampled_from([0.0, 0.9, 1.0]), label="floor"), data)
    if setup is None:
        return
    inst, pool, threshold, _locks, _expected = setup
    weights = np.array([data.draw(st.integers(0, 2), label="w") for _ in pool], dtype=np.int64)
    roster_w = _roster(inst, sorted(pool), weights)
    above = data.draw(st.integers(-1, 3), label="above")
    full = _search(inst, roster_w, threshold, 10**7, above=above)
    assert full is not None
    cap = data.draw(st.integers(1, 12), label="cap")
    cut = _search(inst, roster_w, threshold, cap, above=above, truncate=True)
    assert cut is not None and len(cut) <= cap
    event(f"k={inst.k}, full {min(len(full), 20)}, cut {len(cut)}")
    assert {tuple(r) for r in cut.tolist()} <= {tuple(r) for r in full.tolist()}
    whole = _search(inst, roster_w, threshold, 10**7, above=above, truncate=True)
    assert whole is not None and sorted(map(tuple, whole.tolist())) == sorted(map(tuple, full.tolist()))


@settings(max_examples=10, **SLOW)  # type: ignore[call-overload]
@given(
    rosters(min_size=9, max_size=13, sizes=(3, 5)) | _five_member_rosters(),
    st.sampled_from([0.0, 0.9, 0.97, 1.0]),
    st.data(),
)
def test_the_exact_counts_descent_climbs_past_four_failed_searches(
    roster: Roster, floor: float, data: st.DataObject
) -> None:
    """Priced by the exact count alone with its search at the goal and at the next three goals past their cap, the
    answer comes whenever the heaviest acceptable panel outweighs what the fourth higher goal proves and the goal is at
    most ``EXACT_CEILING_GOAL`` (32) (``_exact``'s descent climbs ``EXACT_CEILING_STEPS`` goals there; two before, after
    which D011's level 17 at 10,000 mediators went to CP-SAT), and it weighs exactly the most any acceptable panel
    weighs (brute force)."""
    searched = _searched(roster, floor, data)
    if searched is None:
        return
    inst, _threshold, _expected, agents, by_agent, search = searched
    with pytest.MonkeyPatch.context() as patch:
        _exact_last(patch, scaled=False)
        _searches_fail(patch, {1, 2, 3, 4})
        for _ in range(3):
            factor = data.draw(st.sampled_from([1, 3]), label="common factor")
            weights = factor * np.array([data.draw(st.integers(0, 6), label="w") for _ in agents], dtype=np.int64)
            if not weights.any():
                continue
            known = data.draw(st.sets(st.sampled_from(sorted(by_agent)), min_size=1), label="known panels")
            above, answer = price_with_known(search, known, weights)
            best = max(int(weights[list(p)].sum()) for p in by_agent)
            g = math.gcd(*weights[weights > 0].tolist())
            fourth = above // g + 5  # the goal after the four whose searches fail
            goal = above // g + 1
            must = above >= int(weights.max()) and goal <= 32 and fourth <= 128 and best > (fourth - 1) * g
            event(f"k={inst.k}, answered: {answer is not None}, must: {must}")
            if must:
                assert answer is not None
            if answer is None:
                continue
            assert_heaviest(answer, best, weights, by_agent)
