"""Branching on heavy members in the dispute lottery's pricing (``_SearchPricing._split``): weights of any size, past
every count's room, with one mediator as heavy as the heaviest known panel (the tail of D002's leximin levels at 10,000
mediators, where CP-SAT answered unproven). Held to brute force over every panel of small rosters (panels of three and
five), and the lottery priced by it, with CP-SAT out of reach, held to the enumerated one."""

from __future__ import annotations

import math
from dataclasses import fields
from typing import Any

import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import matching.lottery.dispute
from matching.lottery.dispute import _Members, _Roster, _roster, _SearchPricing, dispute_lottery
from matching.rules.encoding import encode
from matching.rules.kernel import clash_matrix
from tests.strategies import DISPUTE_ID, Roster, rosters
from tests.test_dispute_lottery_counted import assert_heaviest, price_with_known
from tests.test_dispute_lottery_exact import _exact_last
from tests.test_dispute_lottery_scale import (
    IOMED,
    SLOW,
    _five_member_rosters,
    _searched,
    assert_same_lottery,
    enumerated_case,
)


def _split_last(patch: pytest.MonkeyPatch) -> None:
    """Pricing reaches the last narrowing before CP-SAT at once: every search, count and Lagrangian narrowing before it
    answers nothing (``_exact_last``, and the exact count too)."""
    _exact_last(patch, scaled=False)
    patch.setattr(_SearchPricing, "_exact", lambda self, w_pool, restriction: None)


def _split_always(patch: pytest.MonkeyPatch) -> None:
    """``_split_last``, with the branching for weights of any size (``EXACT_ROOM`` 0: every goal past it)."""
    _split_last(patch)
    patch.setattr(matching.lottery.dispute, "EXACT_ROOM", 0)


def _no_cpsat(patch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("CP-SAT asked to price")

    patch.setattr(matching.lottery.dispute, "cpsat_best", refuse)


@settings(max_examples=12, **SLOW)  # type: ignore[call-overload]
@given(
    rosters(min_size=9, max_size=13, sizes=(3, 5)) | _five_member_rosters(),
    st.sampled_from([0.0, 0.9, 0.97, 1.0]),
    st.data(),
)
def test_split_pricing_is_exact_against_brute_force(roster: Roster, floor: float, data: st.DataObject) -> None:
    """Priced by the branching alone, with weights up to 1,200 (times a common factor: goals past ``EXACT_ROOM``) and
    one mediator raised to the heaviest known panel's weight without them (so that they alone weigh about as much as
    it), the answer is proven and weighs exactly the most any acceptable panel weighs (brute force); every panel handed
    over is acceptable, whenever the branching applies (a goal past ``EXACT_ROOM`` or one mediator heavier than the
    heaviest known panel: one exactly as heavy is the exact count's case, whose goal is within its room). Before,
    nothing answered those weights but CP-SAT."""
    searched = _searched(roster, floor, data)
    if searched is None:
        return
    inst, _threshold, _expected, agents, by_agent, search = searched
    with pytest.MonkeyPatch.context() as patch:
        _split_last(patch)
        for _ in range(3):
            factor = data.draw(st.sampled_from([1, 3]), label="common factor")
            weights = factor * np.array([data.draw(st.integers(0, 1_200), label="w") for _ in agents], dtype=np.int64)
            known = data.draw(st.sets(st.sampled_from(sorted(by_agent)), min_size=1), label="known panels")
            if data.draw(st.booleans(), label="one as heavy as the heaviest known"):
                heavy = data.draw(st.sampled_from(range(len(agents))), label="heavy")
                weights[heavy] = 0
                weights[heavy] = max(int(weights[list(p)].sum()) for p in known)
            if not weights.any():
                continue
            above, answer = price_with_known(search, known, weights)
            best = max(int(weights[list(p)].sum()) for p in by_agent)
            g = math.gcd(*weights[weights > 0].tolist())
            applies = above // g + 1 > matching.lottery.dispute.EXACT_ROOM or int(weights.max()) > above
            event(f"k={inst.k}, applies: {applies}, known best: {above == best}")
            if applies:
                assert answer is not None
            if answer is not None:
                assert_heaviest(answer, best, weights, by_agent)


@settings(max_examples=8, **SLOW)  # type: ignore[call-overload]
@given(rosters(min_size=9, max_size=12, sizes=(3, 5)), st.sampled_from([0.0, 0.9, 0.97]), st.data())
def test_split_pricing_gives_the_enumerated_lottery_without_cpsat(
    roster: Roster, floor: float, data: st.DataObject
) -> None:
    """Past the enumeration cap, with every pricing call that the other narrowings would answer left to the branching (for
    weights of any size) and CP-SAT out of reach, the lottery's probabilities and least chance are exactly those of the enumerated lottery,
    proven (the leximin levels' duals, of the LP's vertex, as they come)."""
    ws, k, locks, listed = enumerated_case(roster, floor, data)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(matching.lottery.dispute, "ENUMERATION_CAP", 0)
        _split_always(patch)
        _no_cpsat(patch)
        split = dispute_lottery(ws, DISPUTE_ID, IOMED, floor=floor, locks=locks)
    event(f"k={k}, status {listed.status}")
    assert_same_lottery(ws, split, listed, k)


@settings(max_examples=30, **SLOW)  # type: ignore[call-overload]
@given(
    rosters(min_size=6, max_size=13, sizes=(3, 5)) | rosters(min_size=6, max_size=11, sizes=(3, 5), crowded=True),
    st.data(),
)
def test_forced_search_roster_taken_from_the_pool_is_the_fresh_one(roster: Roster, data: st.DataObject) -> None:
    """A forced search's roster (``_split``), its members taken from the pool's ``_Members`` (built once a pool) and its
    clashes read in the pool's matrix, is field for field the roster ``_roster`` builds afresh for those mediators and
    weights (some lifted as ``_forced_search`` lifts the fixed members), the clashes between its positions included:
    the same candidates and bounds, so the same searches."""
    ws = roster.workspace()
    inst = encode(ws, ws.view(ws.dispute(DISPUTE_ID), IOMED))
    if not inst.n:
        return
    pool = np.arange(inst.n, dtype=np.int64)
    members = _Members.of(inst, pool)
    sub = np.asarray(sorted(data.draw(st.sets(st.sampled_from(range(inst.n)), min_size=1), label="sub")))
    weight = np.array([data.draw(st.sampled_from([0, 0, 1, 7, 1_200, 2**40])) for _ in sub], dtype=np.int64)
    fixed = np.array([data.draw(st.booleans(), label="fixed") for _ in sub])
    weight[fixed] += int(np.sort(weight)[::-1][: inst.k].sum()) + 1
    fresh = _roster(inst, pool[sub].tolist(), weight)
    taken = _roster(inst, pool[sub], weight, clash_matrix(inst, pool), members.take(sub), clash_rows=sub)
    event(f"k={inst.k}, alignment classes {len(fresh.align_classes)} of {len(members.align_classes)}")
    for f in fields(_Roster):
        if f.name in ("clash", "clash_pos"):
            continue
        mine, theirs = getattr(taken, f.name), getattr(fresh, f.name)
        if isinstance(theirs, np.ndarray):
            assert mine.dtype == theirs.dtype and mine.shape == theirs.shape, f.name
        assert np.array_equal(mine, theirs), f.name
    at, fresh_at = taken.clash_pos, fresh.clash_pos  # each position's row in its roster's clash matrix
    assert np.array_equal(taken.clash[np.ix_(at, at)], fresh.clash[np.ix_(fresh_at, fresh_at)])
