"""Pricing the dispute lottery past the enumeration cap without CP-SAT: ``panel_bounds`` with a limit on the
members of weight 0 (``outside``, ``room``), and ``_SearchPricing`` narrowed by it (``_narrowed``), held to
brute force over every panel of small rosters (panels of three and five, lean caps, H5's minimums, locks)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import matching.lottery.dispute
from matching.lottery.dispute import _roster, _search, _SearchPricing
from matching.lottery.engine import Restriction
from matching.panel.bounds import panel_bounds
from tests.strategies import COUNTRIES, Roster, best_of, brute_force, rosters
from tests.test_dispute_lottery_scale import SLOW, _five_member_rosters, _setup, _with_party


def _check_room(roster: Roster, cap: int | None, third: str | None, data: st.DataObject) -> None:
    rules, ws, inst = _with_party(roster, cap, third)
    panels = best_of(brute_force(ws, rules, via_check_panel=False))
    flagged = {mid for mid in inst.ids if data.draw(st.booleans(), label=f"outside {mid}")}
    room = data.draw(st.integers(0, inst.k), label="room")
    outside = np.array([mid in flagged for mid in inst.ids], dtype=bool)
    bounds = panel_bounds(inst, list(range(inst.n)), outside, room)
    best: dict[str, int] = {}
    for members, value in panels.items():
        if len(members & flagged) <= room:
            for mid in members:
                best[mid] = max(best.get(mid, value), value)
    event(f"k={inst.k}, room={room}, in some panel within the room: {min(len(best), 5)}")
    for i, mid in enumerate(inst.ids):
        if mid in best:
            assert bounds[i] >= best[mid], (mid, int(bounds[i]), best[mid], room)
        if mid in flagged and room == 0:
            assert bounds[i] < -(2**50)  # no panel has room for them: provably in none
    if best:
        event(f"tight for some mediator: {min(int(bounds[inst.ids.index(m)]) - v for m, v in best.items()) == 0}")


@settings(max_examples=100, **SLOW)  # type: ignore[call-overload]
@given(
    rosters(min_size=6, max_size=11, sizes=(2, 3, 5), crowded=True) | rosters(min_size=6, max_size=11, sizes=(3, 5)),
    st.sampled_from([None, 0, 1, 2, 4]),
    st.sampled_from([None, *COUNTRIES[:4]]),
    st.data(),
)
def test_panel_bounds_with_room_bound_the_best_panel_within_the_room(
    roster: Roster, cap: int | None, third: str | None, data: st.DataObject
) -> None:
    """With at most ``room`` flagged members allowed, each mediator's bound is at least the objective of the
    best panel holding them with at most ``room`` flagged members (brute force, lean caps, two or three
    parties): a mediator below the floor is provably in no acceptable panel with that many weighted members."""
    _check_room(roster, cap, third, data)


@settings(max_examples=25, **SLOW)  # type: ignore[call-overload]
@given(_five_member_rosters(), st.sampled_from([None, 0, 1, 3]), st.data())
def test_panel_bounds_with_room_hold_for_five_member_panels(
    roster: Roster, cap: int | None, data: st.DataObject
) -> None:
    """The same for five-member panels, where most drawn rosters have many panels."""
    _check_room(roster, cap, None, data)


def _narrowed_only(patch: pytest.MonkeyPatch) -> None:
    """Every pricing call goes through the levels of ``_narrowed`` (no search of the whole pool first, every
    room allowed), and the greedy shortcut runs on every weight pattern."""
    patch.setattr(matching.lottery.dispute, "NARROW_FROM", 0)
    patch.setattr(matching.lottery.dispute, "NARROW_ROOM", 5)
    patch.setattr(matching.lottery.dispute, "FULL_WEIGHT_FROM", 0)
    patch.setattr(matching.lottery.dispute, "NARROW_VALUES", 10**6)


@settings(max_examples=30, **SLOW)  # type: ignore[call-overload]
@given(
    rosters(min_size=9, max_size=13, sizes=(3, 5)) | _five_member_rosters(),
    st.sampled_from([0.0, 0.9, 0.97, 1.0]),
    st.data(),
)
def test_narrowed_pricing_is_exact_against_brute_force(roster: Roster, floor: float, data: st.DataObject) -> None:
    """Priced level by level on pools narrowed by ``panel_bounds`` (with greedy panels that end a level when
    they weigh the most it allows), the answer weighs exactly the most any acceptable panel weighs (brute
    force), for 0/1, few-valued and dense weights, with and without a restriction and locks; every panel
    handed over is acceptable."""
    with pytest.MonkeyPatch.context() as patch:
        _narrowed_only(patch)
        if data.draw(st.booleans(), label="without the greedy panels among the heaviest"):
            patch.setattr(matching.lottery.dispute, "FULL_WEIGHT_FROM", 10**9)
        _check_narrowed(roster, floor, data)


def _check_narrowed(roster: Roster, floor: float, data: st.DataObject) -> None:
    setup = _setup(roster, floor, data)
    if setup is None:
        return
    inst, pool, threshold, locks, expected = setup
    agents = sorted(pool, key=lambda i: inst.ids[i])
    search = _SearchPricing(inst, agents, threshold, locks, [])  # no seeds: few known panels
    by_agent = [tuple(sorted(agents.index(i) for i in panel)) for panel in expected]
    weights = np.zeros(len(agents), dtype=np.int64)
    for _ in range(4):
        # "more": the last weights with more mediators weighted (a level proven empty for the fewer must
        # not be taken as proven for them).
        kind = data.draw(st.sampled_from(["binary", "few", "dense", "more", "one"]), label="weights")
        if kind == "more":
            weights = np.array([max(int(w > 0), data.draw(st.integers(0, 1), label="w")) for w in weights])
        elif kind == "one":
            weights = (np.arange(len(agents)) == data.draw(st.integers(0, len(agents) - 1), label="one")).astype(int)
        else:
            top = {"binary": 1, "few": 3, "dense": 1_000}[kind]
            weights = np.array([data.draw(st.integers(0, top), label="w") for _ in agents], dtype=np.int64)
        restriction = None
        if data.draw(st.booleans(), label="restricted") and by_agent:
            other = np.array([data.draw(st.integers(0, 50), label="r") for _ in agents], dtype=np.int64)
            sums = sorted(int(other[list(p)].sum()) for p in by_agent)
            restriction = Restriction(other, sums[len(sums) // 2])
        allowed = [
            p
            for p in by_agent
            if restriction is None or int(restriction.weights[list(p)].sum()) >= restriction.at_least
        ]
        before = search.narrowed
        answer = search.best(weights, restriction)
        assert answer is not None and answer.proven
        if not allowed:
            assert answer.panel is None
            continue
        best = max(int(weights[list(p)].sum()) for p in allowed)
        event(f"{kind}, narrowed: {search.narrowed > before}, best {'=' if best == 0 else '>'} 0")
        assert answer.panel is not None
        assert answer.value == best
        assert int(weights[list(answer.panel)].sum()) == answer.value
        assert tuple(sorted(answer.panel)) in set(allowed)
        assert {tuple(sorted(p)) for p in answer.others} <= set(by_agent)


def _check_extra(roster: Roster, cap: int | None, data: st.DataObject) -> None:
    rules, ws, inst = _with_party(roster, cap, None)
    panels = best_of(brute_force(ws, rules, via_check_panel=False))
    extra = np.array([data.draw(st.integers(0, 300_000), label=f"extra {mid}") for mid in inst.ids], dtype=np.int64)
    bounds = panel_bounds(inst, list(range(inst.n)), extra=extra)
    index = {mid: i for i, mid in enumerate(inst.ids)}
    event(f"k={inst.k}, panels: {min(len(panels), 5)}")
    for members, value in panels.items():
        total = value + int(sum(extra[index[m]] for m in members))
        for mid in members:
            assert bounds[index[mid]] >= total, (mid, int(bounds[index[mid]]), total)


@settings(max_examples=60, **SLOW)  # type: ignore[call-overload]
@given(
    rosters(min_size=6, max_size=11, sizes=(2, 3, 5), crowded=True) | _five_member_rosters(),
    st.sampled_from([None, 0, 1, 3]),
    st.data(),
)
def test_panel_bounds_with_extra_values_bound_objective_plus_extra(
    roster: Roster, cap: int | None, data: st.DataObject
) -> None:
    """With ``extra`` per mediator, each mediator's bound is at least the objective plus the members' extra of
    every panel holding them (brute force; three- and five-member panels, lean caps, H5's minimums)."""
    _check_extra(roster, cap, data)


@settings(max_examples=40, **SLOW)  # type: ignore[call-overload]
@given(
    rosters(min_size=9, max_size=13, sizes=(3, 5)) | _five_member_rosters(),
    st.sampled_from([0.0, 0.9, 0.97, 1.0]),
    st.data(),
)
def test_lagrangian_bounds_bound_every_acceptable_panel(roster: Roster, floor: float, data: st.DataObject) -> None:
    """Each mediator's Lagrangian bound is at least the weight of every acceptable panel holding them (brute
    force, with the floor), for any weights and multipliers; with ``above`` the passes may stop early, but
    only once fewer than k mediators are left above it, and no acceptable panel is heavier than ``above``."""
    setup = _setup(roster, floor, data)
    if setup is None:
        return
    inst, pool, threshold, _locks, expected = setup
    expected = {p for p in expected if all(i in pool for i in p)}
    top = data.draw(st.sampled_from([1, 3, 1_000, 2**40]), label="top weight")
    weights = np.array([data.draw(st.integers(0, top), label="w") for _ in pool], dtype=np.int64)
    weight_of = dict(zip(pool, weights.tolist(), strict=True))
    sums = sorted({sum(weight_of[i] for i in p) for p in expected}) or [0]
    shares = data.draw(
        st.lists(st.fractions(min_value=0, max_value=8, max_denominator=64), min_size=1, max_size=3), label="shares"
    )
    above = data.draw(st.sampled_from([None, *sums]), label="above")
    bound, passes = matching.lottery.dispute.lagrangian_bounds(inst, pool, weights, threshold, shares, above)
    assert passes <= len(shares)
    event(f"k={inst.k}, acceptable panels: {min(len(expected), 3)}, passes {passes}")
    # With every weight 0 no pass runs (every panel weighs 0, below any bound): that is not an early stop.
    stopped_early = above is not None and weights.any() and passes < len([s for s in shares if s > 0])
    for panel in expected:
        weight = sum(weight_of[i] for i in panel)
        if stopped_early:
            assert (bound > above).sum() < inst.k and weight <= above  # stopped early: proven none heavier
            continue
        for i in panel:
            assert bound[pool.index(i)] >= weight, (i, panel, int(bound[pool.index(i)]), weight)


@settings(max_examples=30, **SLOW)  # type: ignore[call-overload]
@given(
    rosters(min_size=9, max_size=13, sizes=(3, 5)) | _five_member_rosters(),
    st.sampled_from([0.0, 0.9, 0.97, 1.0]),
    st.data(),
)
def test_lagrangian_pricing_is_exact_against_brute_force(roster: Roster, floor: float, data: st.DataObject) -> None:
    """Priced on pools narrowed by ``lagrangian_bounds`` (never the level-by-level narrowing, the whole pool's
    search only when the narrowed one gives up), the answer weighs exactly the most any acceptable panel
    weighs (brute force), for 0/1, few-valued and dense weights, with and without a restriction and locks."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(matching.lottery.dispute, "NARROW_FROM", 0)
        patch.setattr(matching.lottery.dispute, "NARROW_VALUES", 0)
        patch.setattr(matching.lottery.dispute, "FULL_WEIGHT_FROM", 10**9)
        if data.draw(st.booleans(), label="narrowed search capped at once"):
            patch.setattr(matching.lottery.dispute, "NARROWED_CAP", 0)
        patch.setattr(matching.lottery.dispute, "LAGRANGE_FIRST", data.draw(st.sampled_from([0, 1, 3, 64])))
        _check_narrowed(roster, floor, data)


@settings(max_examples=8, **SLOW)  # type: ignore[call-overload]
@given(rosters(min_size=7, max_size=10, sizes=(3, 5)), st.data())
def test_reaching_under_a_proven_ceiling_finds_the_heaviest(roster: Roster, data: st.DataObject) -> None:
    """``_reaching`` with bounds that prove nothing (every mediator's far above any panel) but a ceiling no acceptable
    panel exceeds (the heaviest's weight, by brute force) looks for panels reaching the ceiling: over the whole pool it
    finds the heaviest, and without the ceiling it finds none; whatever it returns is acceptable and no heavier."""
    setup = _setup(roster, 0.9, data)
    if setup is None:
        return
    inst, pool, threshold, locks, expected = setup
    agents = sorted(pool, key=lambda i: inst.ids[i])
    search = _SearchPricing(inst, agents, threshold, locks, [])
    weights = np.array([data.draw(st.integers(0, 3), label="w") for _ in agents], dtype=np.int64)
    w_pool = weights[search.agent[np.asarray(search.pool, dtype=np.int64)]]
    heaviest = max((int(weights[[agents.index(i) for i in panel]].sum()) for panel in expected), default=None)
    if heaviest is None:
        return
    kept = np.arange(len(search.pool))
    loose = np.full(len(kept), 10 * inst.k * 3 + 1, dtype=np.int64)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(matching.lottery.dispute, "REACH_SIZES", (len(kept),))
        assert search._reaching(kept, loose, w_pool, None) is None
        rows = search._reaching(kept, loose, w_pool, None, heaviest)
    assert rows is not None and len(rows)
    acceptable = {tuple(sorted(panel)) for panel in expected}
    assert {tuple(sorted(int(i) for i in row)) for row in rows} <= acceptable
    weighs = w_pool[np.searchsorted(search.pool, rows)].sum(axis=1)
    assert int(weighs.max()) == heaviest


@settings(max_examples=20, **SLOW)  # type: ignore[call-overload]
@given(_five_member_rosters() | rosters(min_size=8, max_size=12, sizes=(3, 5)), st.data())
def test_a_depth_abandoned_at_its_cap_is_charged_for_its_parents_only(roster: Roster, data: st.DataObject) -> None:
    """``_search``'s meter (the work charged to the lottery's budget) grows by the partial panels a depth looks
    at, but a depth past the cap is never looked at: it costs its parents. With cap 0 the first depth (one parent,
    the empty panel) is abandoned, so the meter reads 1; with no cap it reads every partial panel of every depth."""
    setup = _setup(roster, 0.9, data)
    if setup is None:
        return
    inst, pool, threshold, _, expected = setup
    roster_sorted = _roster(inst, pool)
    meter = [0]
    full = _search(inst, roster_sorted, threshold, 10**7, meter=meter)
    assert full is not None
    looked_at = meter[0]
    meter = [0]
    abandoned = _search(inst, roster_sorted, threshold, 0, meter=meter)
    event(f"k={inst.k}, acceptable: {min(len(expected), 3)}")
    if abandoned is None:
        assert meter == [1]
        assert looked_at > 1
    else:  # nothing to look at: no candidate for the first seat
        assert len(abandoned) == 0 and len(expected) == 0


def _check_least(roster: Roster, cap: int | None, third: str | None, data: st.DataObject) -> None:
    rules, ws, inst = _with_party(roster, cap, third)
    panels = best_of(brute_force(ws, rules, via_check_panel=False))
    flagged = {mid for mid in inst.ids if data.draw(st.booleans(), label=f"flagged {mid}")}
    room = data.draw(st.integers(0, inst.k), label="room")
    outside = np.array([mid in flagged for mid in inst.ids], dtype=bool)
    pool = list(range(inst.n))
    bounds = panel_bounds(inst, pool, outside, room, least=True)
    best: dict[str, int] = {}
    for members, value in panels.items():
        for mid in members:
            if len((members - {mid}) & flagged) >= room:
                best[mid] = max(best.get(mid, value), value)
    event(f"k={inst.k}, room={room}, in some panel with that many flagged others: {min(len(best), 5)}")
    for i, mid in enumerate(inst.ids):
        if mid in best:
            assert bounds[i] >= best[mid], (mid, int(bounds[i]), best[mid], room)
    if room >= inst.k:  # k - 1 others never hold k flagged members
        assert (bounds < -(2**50)).all()
    elif inst.k >= 2 and room > 0:
        # The same programme as "at most k - 1 - room of the others unflagged", counted the other way round.
        other_way = [panel_bounds(inst, pool, ~outside, inst.k - room - int(f)) for f in (True, False)]
        assert np.array_equal(bounds[outside], other_way[0][outside])
        assert np.array_equal(bounds[~outside], other_way[1][~outside])


@settings(max_examples=60, **SLOW)  # type: ignore[call-overload]
@given(
    rosters(min_size=6, max_size=11, sizes=(2, 3, 5), crowded=True) | rosters(min_size=6, max_size=11, sizes=(3, 5)),
    st.sampled_from([None, 0, 1, 2, 4]),
    st.sampled_from([None, *COUNTRIES[:4]]),
    st.data(),
)
def test_panel_bounds_with_flagged_others_at_least_bound_those_panels(
    roster: Roster, cap: int | None, third: str | None, data: st.DataObject
) -> None:
    """With ``least`` (others holding at least ``room`` flagged members, as ``weakest_apart`` asks), each mediator's
    bound is at least the objective of the best such panel holding them (brute force, lean caps, two or three
    parties), and equal to the bound with at most the complementary room of the unflagged ones."""
    _check_least(roster, cap, third, data)


@settings(max_examples=25, **SLOW)  # type: ignore[call-overload]
@given(_five_member_rosters(), st.sampled_from([None, 0, 1, 3]), st.data())
def test_panel_bounds_with_flagged_others_at_least_hold_for_five_member_panels(
    roster: Roster, cap: int | None, data: st.DataObject
) -> None:
    """The same for five-member panels, where most drawn rosters have many panels."""
    _check_least(roster, cap, None, data)
