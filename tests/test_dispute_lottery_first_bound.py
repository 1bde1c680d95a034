"""The first leximin level's bound proven without pricing (``weakest_apart``, ``apart_tiers``,
``_SearchPricing.first_level_bound``), held to brute force: no acceptable panel holds two of the mediators
it sets apart, and its bound is never below the true maximin (scipy's LP over every acceptable panel)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import matching.lottery.dispute
from matching.core.config import Budget, Locks
from matching.lottery.dispute import (
    BOUND_STEPS,
    _SearchPricing,
    _weakest_apart,
    apart_tiers,
    dispute_lottery,
    programme_cells,
    weakest_apart,
)
from matching.rules.encoding import encode
from tests.strategies import DISPUTE_ID, Roster, best_of, roster_panels, rosters
from tests.test_dispute_lottery_bound import _maximin
from tests.test_dispute_lottery_scale import IOMED, SETUP_CASES, SLOW, _five_member_rosters, _setup


@settings(max_examples=30, **SLOW)  # type: ignore[call-overload]
@given(
    _five_member_rosters() | rosters(min_size=8, max_size=12, sizes=(2, 3, 5)),
    st.sampled_from([0.0, 0.9, 0.97, 1.0]),
    st.integers(1, 8),
    st.data(),
)
def test_the_mediators_set_apart_never_share_an_acceptable_panel(
    roster: Roster, floor: float, steps: int, data: st.DataObject
) -> None:
    setup = _setup(roster, floor, data)
    if setup is None:
        return
    inst, pool, threshold, _, expected = setup
    apart, passes = weakest_apart(inst, pool, threshold, steps)
    chosen = {pool[int(j)] for j in apart}
    event(f"k={inst.k}, set apart: {min(len(chosen), 4)}, of {len(pool)}")
    assert passes <= steps + 1
    assert all(len(chosen & set(panel)) <= 1 for panel in expected)


@settings(max_examples=20, **SLOW)  # type: ignore[call-overload]
@given(_five_member_rosters(), st.sampled_from([0.0, 0.9, 0.97]), st.integers(0, 4), st.data())
def test_a_stop_ends_the_halvings_with_a_set_still_apart(
    roster: Roster, floor: float, allowed: int, data: st.DataObject
) -> None:
    """A cancelled run stops the halvings at the next pass (``stop`` asked before each); what is returned is
    still a set no acceptable panel holds two of."""
    setup = _setup(roster, floor, data)
    if setup is None:
        return
    inst, pool, threshold, _, expected = setup
    asked = 0

    def stop() -> bool:
        nonlocal asked
        asked += 1
        return asked > allowed

    apart, passes = weakest_apart(inst, pool, threshold, 8, stop)
    chosen = {pool[int(j)] for j in apart}
    assert passes <= allowed + 1
    assert all(len(chosen & set(panel)) <= 1 for panel in expected)


@settings(max_examples=20, **SLOW)  # type: ignore[call-overload]
@given(*SETUP_CASES)
def test_the_first_level_bound_is_never_below_the_true_maximin(
    roster: Roster, floor: float, data: st.DataObject
) -> None:
    """For any set of agents (those met in some acceptable panel, or a part of them), the bound is at least the
    largest least chance over them that any lottery over the acceptable panels (brute force, with locks) gives."""
    setup = _setup(roster, floor, data)
    if setup is None:
        return
    inst, pool, threshold, locks, expected = setup
    agents = sorted(pool, key=lambda i: inst.ids[i])  # the lottery's agent order
    panels = [tuple(sorted(agents.index(i) for i in panel)) for panel in expected]
    met = sorted({a for panel in panels for a in panel})
    if not met:
        return
    free = data.draw(st.lists(st.sampled_from(met), min_size=1, unique=True), label="free") if met else []
    search = _SearchPricing(inst, agents, threshold, locks, [])
    bound = search.first_level_bound(free)
    assert bound is not None
    best = _maximin(len(agents), panels, sorted(free))
    event(f"k={inst.k}, tight: {abs(float(bound) - best) < 1e-9}")
    assert bound >= Fraction(best) - Fraction(1, 10**9)
    assert search.take_work() > 0  # the programme's passes are charged to the lottery's budget


@settings(max_examples=15, **SLOW)  # type: ignore[call-overload]
@given(_five_member_rosters() | rosters(min_size=9, max_size=12, sizes=(3, 5)), st.sampled_from([0.0, 0.9]))
def test_a_search_priced_lottery_stopped_at_once_keeps_a_bound(roster: Roster, floor: float) -> None:
    """A lottery past the enumeration cap stopped by its budget before any pricing call of the first level still
    reports a proven bound on the least chance (the engine asks the oracle's ``first_level_proof``), never below
    the true maximin over the mediators in some acceptable panel, nor below the least chance it reached."""
    ws = roster.workspace()
    found = best_of(roster_panels(roster, IOMED))
    if not found:
        return
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(matching.lottery.dispute, "ENUMERATION_CAP", 0)
        stopped = dispute_lottery(ws, DISPUTE_ID, IOMED, floor=floor, budget=Budget(rounds=0))
    if stopped.threshold is None or stopped.minimum is None:
        return
    threshold = round(stopped.threshold * matching.lottery.dispute.OBJECTIVE_SCALE)
    acceptable = [members for members, value in found.items() if value >= threshold]
    ids = sorted({mid for members in acceptable for mid in members})
    panels = [tuple(sorted(ids.index(m) for m in members)) for members in acceptable]
    event(f"stopped: {stopped.stopped}, in some panel: {min(stopped.in_some_panel, 5)}")
    assert stopped.upper_bound is not None
    assert stopped.upper_bound >= stopped.minimum
    assert stopped.upper_bound >= Fraction(_maximin(len(ids), panels, list(range(len(ids))))) - Fraction(1, 10**9)


def _apart_subset(drawn: list[int], panels: set[tuple[int, ...]]) -> list[int]:
    """The drawn mediators, in order, each kept only if no acceptable panel holds them and one kept before."""
    kept: list[int] = []
    for m in drawn:
        if not any(m in panel and any(j in panel for j in kept) for panel in panels):
            kept.append(m)
    return kept


@settings(max_examples=40, **SLOW)  # type: ignore[call-overload]
@given(
    _five_member_rosters() | rosters(min_size=8, max_size=12, sizes=(2, 3, 5)),
    st.sampled_from([0.0, 0.9, 0.97, 1.0]),
    st.data(),
)
def test_the_two_tiers_hold_on_every_acceptable_panel(roster: Roster, floor: float, data: st.DataObject) -> None:
    """``apart_tiers`` from any set no acceptable panel holds two of (drawn, then thinned by brute force, or the
    one ``weakest_apart`` proves): it keeps that set inside ``apart``; no acceptable panel (brute force) holds two
    of ``apart``, one of ``apart`` and one of ``tier``, or more than ``c`` of ``tier``; so with weight ``c`` on
    ``apart`` and 1 on ``tier`` every acceptable panel weighs at most ``c``."""
    setup = _setup(roster, floor, data)
    if setup is None:
        return
    inst, pool, threshold, _, expected = setup
    position = {m: j for j, m in enumerate(pool)}
    panels = {tuple(sorted(position[m] for m in panel)) for panel in expected if all(m in position for m in panel)}
    tiers = None
    if data.draw(st.booleans(), label="from weakest_apart"):
        weak, _, partnered = _weakest_apart(inst, pool, threshold, BOUND_STEPS, lambda: False)
        assert np.array_equal(weak, weakest_apart(inst, pool, threshold)[0])
        if partnered is not None:  # its proving pass, handed on, saves apart_tiers' first pass and changes nothing
            reused = apart_tiers(inst, pool, threshold, weak, partnered=partnered)
            tiers = apart_tiers(inst, pool, threshold, weak)
            assert all(np.array_equal(a, b) for a, b in zip(reused[:3], tiers[:3], strict=True))
            assert reused[3] == tiers[3] - 2
    else:
        drawn = data.draw(st.lists(st.sampled_from(range(len(pool))), unique=True), label="drawn")
        weak = np.asarray(sorted(_apart_subset(drawn, panels)), dtype=np.int64)
    apart, tier, c, units = apart_tiers(inst, pool, threshold, weak) if tiers is None else tiers
    chosen, tiered = set(apart.tolist()), set(tier.tolist())
    event(f"k={inst.k}, weak {min(len(weak), 3)}, apart +{min(len(chosen) - len(weak), 3)}, tier {min(len(tiered), 3)}")
    event(f"c={c}")
    assert set(weak.tolist()) <= chosen and not chosen & tiered
    assert 1 <= c <= inst.k and (tiered or c == 1) and units >= 0
    for panel in panels:
        held, in_tier = len(chosen.intersection(panel)), len(tiered.intersection(panel))
        assert held <= 1 and (held == 0 or in_tier == 0) and in_tier <= c
        assert c * held + in_tier <= c


@settings(max_examples=30, **SLOW)  # type: ignore[call-overload]
@given(_five_member_rosters() | rosters(min_size=8, max_size=12, sizes=(3, 5)), st.sampled_from([0.0, 0.9, 0.97]))
def test_the_two_tier_bound_is_never_above_the_one_of_the_set_apart(roster: Roster, floor: float) -> None:
    """Over every agent, the proof's bound is at most ``1 / |weakest_apart|`` (the bound before the tiers), at most
    ``k / n`` and at most ``c / (c |apart| + |tier|)`` (the tiers; the packing of the second tier, ``_packed_tier``,
    may prove less), and never below the true maximin (brute force)."""
    ws = roster.workspace()
    found = best_of(roster_panels(roster, IOMED))
    if not found:
        return
    threshold = matching.lottery.dispute.objective_threshold(max(found.values()), floor)
    inst = encode(ws, ws.view(ws.dispute(DISPUTE_ID), IOMED))
    agents = list(range(inst.n))
    search = _SearchPricing(inst, agents, threshold, Locks(), [])
    bound = search.first_level_bound(agents)
    if bound is None:
        return
    weak, _ = weakest_apart(inst, agents, threshold)
    apart, tier, c, _ = apart_tiers(inst, agents, threshold, weak)
    assert bound <= Fraction(inst.k, inst.n)
    if len(weak):
        assert bound <= Fraction(1, len(weak))
        tiered = Fraction(c, c * len(apart) + len(tier))
        assert bound <= min(tiered, Fraction(inst.k, inst.n))
        event(f"tighter than 1/|W|: {bound < Fraction(1, len(weak))}")
        event(f"packing below the tiers: {bound < min(tiered, Fraction(inst.k, inst.n))}")
    index = {mid: i for i, mid in enumerate(inst.ids)}
    panels = [tuple(sorted(index[m] for m in members)) for members, value in found.items() if value >= threshold]
    assert bound >= Fraction(_maximin(inst.n, panels, agents)) - Fraction(1, 10**9)


@settings(max_examples=30, **SLOW)  # type: ignore[call-overload]
@given(_five_member_rosters() | rosters(min_size=6, max_size=12, sizes=(2, 3, 5)), st.data())
def test_the_narrowing_is_charged_by_the_programmes_size_not_by_head_count(roster: Roster, data: st.DataObject) -> None:
    """``programme_cells`` (what a ``panel_bounds`` pass is charged by): positive on any mediator, never more for a
    part of a pool than for the pool, unchanged when mediators of profiles already there are added (a pool of many
    alike mediators is cheap, as its passes are), and at most the pool's size times its alignment spans."""
    ws = roster.workspace()
    inst = encode(ws, ws.view(ws.dispute(DISPUTE_ID), IOMED))
    pool = list(range(inst.n))
    if not pool:
        return
    part = sorted(data.draw(st.lists(st.sampled_from(pool), min_size=1, unique=True), label="part"))
    whole = programme_cells(inst, pool)
    assert 0 < programme_cells(inst, part) <= whole
    assert programme_cells(inst, part + part) == programme_cells(inst, part)
    parties = inst.alignment.shape[1]
    pairs = max(1, parties * (parties - 1) // 2)
    spread = int(inst.alignment.max()) - int(inst.alignment.min()) if inst.alignment.size else 0
    assert whole <= pairs * inst.n * ((inst.k - 1) * 2 * spread + 1)
    assert programme_cells(inst, []) == 0
