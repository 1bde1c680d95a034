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
from matching.core.config import Locks
from matching.lottery.dispute import (
    _Members,
    _Roster,
    _roster,
    _SearchPricing,
    dispute_lottery,
    objective_threshold,
)
from matching.rules.encoding import encode
from matching.rules.kernel import clash_matrix
from tests.factories import dispute_row
from tests.strategies import DISPUTE_ID, Roster, best_of, person, roster_panels, rosters
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


def _assert_split_is_exact(roster: Roster, floor: float, data: st.DataObject) -> None:
    """Priced by the branching alone, with weights up to 1,200 (times a common factor: goals past ``EXACT_ROOM``) and
    one mediator raised to the heaviest known panel's weight without them, the answer is proven and weighs exactly the
    most any acceptable panel weighs (brute force) whenever the branching applies."""
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


# The draws of the split's brute-force tests: a roster, a floor and the weights drawn inside.
_SPLIT_CASES = (
    rosters(min_size=9, max_size=13, sizes=(3, 5)) | _five_member_rosters(),
    st.sampled_from([0.0, 0.9, 0.97, 1.0]),
    st.data(),
)


@settings(max_examples=12, **SLOW)  # type: ignore[call-overload]
@given(*_SPLIT_CASES)
def test_split_pricing_is_exact_against_brute_force(roster: Roster, floor: float, data: st.DataObject) -> None:
    """Priced by the branching alone (``_assert_split_is_exact``), the answer is proven and weighs exactly the most any
    acceptable panel weighs (brute force); every panel handed over is acceptable, whenever the branching applies (a goal
    past ``EXACT_ROOM`` or one mediator heavier than the heaviest known panel: one exactly as heavy is the exact
    count's case, whose goal is within its room). Before, nothing answered those weights but CP-SAT."""
    _assert_split_is_exact(roster, floor, data)


@settings(max_examples=12, **SLOW)  # type: ignore[call-overload]
@given(*_SPLIT_CASES)
def test_split_pricing_with_every_branch_peeled_is_exact_against_brute_force(
    roster: Roster, floor: float, data: st.DataObject
) -> None:
    """The same with no branch listed or searched before its last seat (``SPLIT_LISTED`` and ``SPLIT_LEAF`` 0): every
    branch below the first is peeled (``_peeled``: its others kept only while ``GroupBounds`` of the fixed members and
    them leaves them at the floor with enough weight), at every depth, and the answer is still exact."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(matching.lottery.dispute, "SPLIT_LISTED", 0)
        patch.setattr(matching.lottery.dispute, "SPLIT_LEAF", 0)
        _assert_split_is_exact(roster, floor, data)


@settings(max_examples=12, **SLOW)  # type: ignore[call-overload]
@given(*_SPLIT_CASES)
def test_split_pricing_branches_on_where_a_search_passes_its_cap(
    roster: Roster, floor: float, data: st.DataObject
) -> None:
    """With every search of a branch that has seats and weight left to branch on past its cap (``_forced_search``
    answering None for it, as one did on D011's level 24 at 10,000 mediators), the split branches on those branches
    instead, and the answer is still exact (``_assert_split_is_exact``). Before, the first such search ended the call
    unproven."""
    real = _SearchPricing._forced_search

    def capped(self: _SearchPricing, w_pool: Any, fixed: tuple[int, ...], within: Any, above: int, *args: Any) -> Any:
        wanted = int(w_pool[list(fixed)].sum()) <= above  # some weight still wanted: the branch may branch on
        if len(fixed) < self.inst.k - 1 and wanted:
            return None
        return real(self, w_pool, fixed, within, above, *args)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_SearchPricing, "_forced_search", capped)
        patch.setattr(matching.lottery.dispute, "SPLIT_LISTED", 0)
        _assert_split_is_exact(roster, floor, data)


def test_the_peeling_ends_a_branch_the_partners_alone_left_to_search() -> None:
    """Seven mediators, panels of three at the floor 1.0 (two acceptable panels), weights 1,000 or 1,001 and the
    heaviest known panel the heaviest there is (2,001; found by a random search over such rosters, 2026-12-08).
    Branched to the last seat (``SPLIT_LISTED`` and ``SPLIT_LEAF`` 0), the split searched two branches before the
    peeling (``_peeled``) and searches one now: the other's last seat has no mediator whom ``GroupBounds`` leaves at the
    floor with both fixed members, though each is a ``pair_bounds`` partner of both. Either way the split proves that
    no panel is heavier."""
    rows = [
        ("M01", "DEU", "M", "muslim;civil", 0, ""),
        ("M02", "MEX", "M", "customary;muslim", 30, "water:5"),
        ("M03", "MEX", "M", "muslim;civil", 25, ""),
        ("M04", "MEX", "F", "", 25, "water:2;trade:4"),
        ("M05", "DEU", "X", "common;civil", 25, "trade:3"),
        ("M06", "MEX", "X", "", 15, "water:5"),
        ("M07", "CAN", "F", "", 0, "water:2;trade:4"),
    ]
    people = [
        person(mid, nation, gender=gender, legal_traditions=traditions, expertise=expertise, years_experience=years)
        for mid, nation, gender, traditions, years, expertise in rows
    ]
    roster = Roster(people, dispute_row(DISPUTE_ID, parties="KEN;CHN", panel_size=3, subject_areas="water"))
    ws = roster.workspace()
    found = best_of(roster_panels(roster, IOMED))
    threshold = objective_threshold(max(found.values()), 1.0)
    inst = encode(ws, ws.view(ws.dispute(DISPUTE_ID), IOMED))
    agents = sorted(range(inst.n), key=lambda i: inst.ids[i])
    by_agent = {
        tuple(sorted(agents.index(inst.ids.index(m)) for m in members))
        for members, value in found.items()
        if value >= threshold
    }
    weights = np.array([1001, 0, 1000, 1001, 1000, 0, 1000], dtype=np.int64)
    searched = []
    with pytest.MonkeyPatch.context() as patch:
        _split_last(patch)
        patch.setattr(matching.lottery.dispute, "SPLIT_LISTED", 0)
        patch.setattr(matching.lottery.dispute, "SPLIT_LEAF", 0)
        real = _SearchPricing._forced_search

        def counted(self: _SearchPricing, *args: Any) -> Any:
            searched.append(args[1])
            return real(self, *args)

        patch.setattr(_SearchPricing, "_forced_search", counted)
        search = _SearchPricing(inst, agents, threshold, Locks(), [])
        above, answer = price_with_known(search, {(0, 1, 6)}, weights)
    best = max(int(weights[list(p)].sum()) for p in by_agent)
    assert len(by_agent) == 2 and above == best == 2001
    assert answer is not None
    assert_heaviest(answer, best, weights, by_agent)
    assert search.split == 1 and len(searched) == 1


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
