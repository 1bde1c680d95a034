"""The count narrowing's ceiling descent (``_SearchPricing._ceiling``): when the count's search at its goal passes its cap,
the pass and search at higher goals prove a ceiling or find the heaviest panels. Held to brute force over every panel of
small rosters (panels of three and five), and the lottery priced through it held to the enumerated one."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import matching.lottery.dispute
from matching.lottery.dispute import _SearchPricing, dispute_lottery, programme_cells
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


def _first_search_fails(patch: pytest.MonkeyPatch) -> dict[str, int]:
    """The first bounded search of each pricing call (the count's, at its goal) gives up as past its cap; the later ones
    run. Returns the counter the caller resets before each call."""
    calls = {"n": 0}
    real: Callable[..., Any] = _SearchPricing._searched

    def searched(self: _SearchPricing, *args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        return None if calls["n"] == 1 else real(self, *args, **kwargs)

    patch.setattr(_SearchPricing, "_searched", searched)
    real_best: Callable[..., Any] = _SearchPricing.best

    def best(self: _SearchPricing, *args: Any, **kwargs: Any) -> Any:
        calls["n"] = 0
        return real_best(self, *args, **kwargs)

    patch.setattr(_SearchPricing, "best", best)
    return calls


def _answers_where_the_count_applies(
    k: int, agents: list[int], by_agent: list[tuple[int, ...]], search: _SearchPricing, data: st.DataObject
) -> None:
    """Three draws of weights in {0, 1, 2} (times a common factor) with lighter known panels: wherever the heaviest
    known panel outweighs every single mediator (the count applies) the call answers, and any answer weighs exactly
    the most any acceptable panel weighs (brute force)."""
    for _ in range(3):
        factor = data.draw(st.sampled_from([1, 3]), label="common factor")
        weights = factor * np.array([data.draw(st.integers(0, 2), label="w") for _ in agents], dtype=np.int64)
        best = max(int(weights[list(p)].sum()) for p in by_agent)
        lighter = sorted(p for p in by_agent if int(weights[list(p)].sum()) < best)
        if not lighter:
            continue
        known = data.draw(st.sets(st.sampled_from(lighter), min_size=1), label="known panels")
        above, answer = price_with_known(search, known, weights)
        g = math.gcd(*weights[weights > 0].tolist())
        counts = above // g >= int(weights.max()) // g  # the count applies: no mediator alone outweighs the known
        event(f"k={k}, answered: {answer is not None}, counted: {counts}")
        if counts:
            assert answer is not None
        if answer is None:
            continue
        assert_heaviest(answer, best, weights, by_agent)


@settings(max_examples=12, **SLOW)  # type: ignore[call-overload]
@given(
    rosters(min_size=9, max_size=13, sizes=(3, 5)) | _five_member_rosters(),
    st.sampled_from([0.0, 0.9, 0.97, 1.0]),
    st.data(),
)
def test_ceiling_descent_is_exact_against_brute_force(roster: Roster, floor: float, data: st.DataObject) -> None:
    """Priced by the count narrowing alone with its first search past its cap (weights of few small values times a
    common factor; known panels all lighter than the heaviest, no climb), the answer weighs exactly the most any
    acceptable panel weighs (brute force) whenever it answers, and it answers whenever the heaviest known panel
    outweighs every single mediator: the search at the next goal finds the heavier ones, or proves a ceiling that a
    panel reaches (before the descent the count gave up there); every panel handed over is acceptable."""
    searched = _searched(roster, floor, data)
    if searched is None:
        return
    inst, _threshold, _expected, agents, by_agent, search = searched
    with pytest.MonkeyPatch.context() as patch:
        _counted_only(patch)
        _first_search_fails(patch)
        patch.setattr(_SearchPricing, "_climbed", lambda self, w_pool, above, restriction: above)
        _answers_where_the_count_applies(inst.k, agents, by_agent, search, data)


@settings(max_examples=10, **SLOW)  # type: ignore[call-overload]
@given(rosters(min_size=9, max_size=12, sizes=(3, 5)), st.sampled_from([0.0, 0.9, 0.97]), st.data())
def test_ceiling_descent_gives_the_enumerated_lottery(roster: Roster, floor: float, data: st.DataObject) -> None:
    """Past the enumeration cap, with every pricing call left to the count narrowing whose first search gives up (and
    CP-SAT behind it), the lottery's probabilities and least chance are exactly those of the enumerated lottery,
    proven."""
    ws, k, locks, listed = enumerated_case(roster, floor, data)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(matching.lottery.dispute, "ENUMERATION_CAP", 0)
        _counted_only(patch)
        _first_search_fails(patch)
        got = dispute_lottery(ws, DISPUTE_ID, IOMED, floor=floor, locks=locks)
    event(f"k={k}, status {listed.status}")
    assert_same_lottery(ws, got, listed, k)


@settings(max_examples=15, **SLOW)  # type: ignore[call-overload]
@given(rosters(min_size=9, max_size=13, sizes=(3, 5)) | _five_member_rosters(), st.data())
def test_a_count_pass_is_charged_by_its_programmes_profiles_split_by_units(roster: Roster, data: st.DataObject) -> None:
    """A count pass's charge grows with the programme's profiles split by the members' units (``programme_cells`` with
    ``flags``), which its CPU follows: for a pool with two alike mediators (a copy of one, so one profile), units that
    tell them apart charge more than units that do not (before, the pass was charged by the profiles without units);
    ``programme_cells`` with constant flags is the count without them, and never more than with them."""
    twin = dict(roster.mediators[0], mediator_id="M99", name="Mediator M99")
    searched = _searched(replace(roster, mediators=[*roster.mediators, twin]), 0.0, data)
    if searched is None:
        return
    inst, _threshold, _expected, _agents, _by_agent, search = searched
    pool = list(search.pool)
    ids = [inst.ids[i] for i in pool]
    if "M99" not in ids or roster.mediators[0]["mediator_id"] not in ids:
        return
    units = np.array([data.draw(st.integers(1, 3), label="units") for _ in pool], dtype=np.int64)
    plain = programme_cells(inst, pool)
    assert (
        programme_cells(inst, pool, np.ones(len(pool), dtype=np.int64)) == plain <= programme_cells(inst, pool, units)
    )
    apart = np.ones(len(pool), dtype=np.int64)
    apart[ids.index("M99")] = 2  # the twins counted differently: their profile splits
    assert programme_cells(inst, pool, apart) > plain
    charges = []
    for counts in (np.ones(len(pool), dtype=np.int64), apart):
        search.take_work()
        search._counted_heavier(counts, counts, 3 * inst.k, -1, None)
        charges.append(search.take_work())
    event(f"k={inst.k}")
    assert charges[1] > charges[0] > 0
