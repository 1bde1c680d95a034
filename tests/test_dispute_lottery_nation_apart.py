"""The first level's proof with the mediators a nationality sets apart (``nation_apart``), held to brute force: no
acceptable panel seats one of them beside one of ``apart``; the proof's weights hold on every acceptable panel, its
bound is never weaker than the two tiers' alone nor below the true maximin, and the lottery priced with it is the
enumerated one. Small rosters have few mediators, so the strongest holders of a nationality (``NATION_STRONG``) are
drawn small for the passes to have something to prove."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import matching.lottery.dispute
from matching.core.config import Locks
from matching.lottery.dispute import (
    BOUND_STEPS,
    _SearchPricing,
    _weakest_apart,
    apart_tiers,
    dispute_lottery,
    nation_apart,
)
from matching.rules.encoding import encode
from tests.strategies import DISPUTE_ID, Roster, dispute_row, person, rosters
from tests.test_dispute_lottery_bound import _maximin
from tests.test_dispute_lottery_first_bound import _apart_subset
from tests.test_dispute_lottery_scale import IOMED, SLOW, _five_member_rosters, _setup

ROSTERS = _five_member_rosters() | rosters(min_size=8, max_size=12, sizes=(3, 5))


@settings(max_examples=40, **SLOW)  # type: ignore[call-overload]
@given(ROSTERS, st.sampled_from([0.0, 0.9, 0.97]), st.integers(1, 5), st.integers(0, 4), st.data())
def test_the_mediators_a_nationality_sets_apart_never_sit_beside_one_of_apart(
    roster: Roster, floor: float, top: int, strong: int, data: st.DataObject
) -> None:
    setup = _setup(roster, floor, data)
    if setup is None:
        return
    inst, pool, threshold, _, expected = setup
    position = {m: j for j, m in enumerate(pool)}
    panels = {tuple(sorted(position[m] for m in panel)) for panel in expected if all(m in position for m in panel)}
    if data.draw(st.booleans(), label="from the two tiers"):
        weak, _, partnered = _weakest_apart(inst, pool, threshold, BOUND_STEPS, lambda: False)
        apart = apart_tiers(inst, pool, threshold, weak, partnered=partnered)[0]
    else:
        drawn = data.draw(st.lists(st.sampled_from(range(len(pool))), unique=True), label="drawn")
        apart = np.asarray(sorted(_apart_subset(drawn, panels)), dtype=np.int64)
    joined, units = nation_apart(inst, pool, threshold, apart, top=top, strong=strong)
    event(f"joined: {min(len(joined), 3)}")
    chosen, added = set(apart.tolist()), set(joined.tolist())
    assert not chosen & added and units >= 0
    assert list(joined) == sorted(added)
    for panel in panels:
        assert not (chosen.intersection(panel) and added.intersection(panel))


@settings(max_examples=30, **SLOW)  # type: ignore[call-overload]
@given(ROSTERS, st.sampled_from([0.0, 0.9, 0.97]), st.integers(0, 3), st.data())
def test_the_proof_with_the_nationalities_holds_on_every_acceptable_panel(
    roster: Roster, floor: float, strong: int, data: st.DataObject
) -> None:
    """Every acceptable panel (brute force, with locks) weighs at most the proof's ``best``; its bound is at most the
    one without the nationalities' passes and at least the true maximin over the agents drawn."""
    setup = _setup(roster, floor, data)
    if setup is None:
        return
    inst, pool, threshold, locks, expected = setup
    agents = sorted(pool, key=lambda i: inst.ids[i])  # the lottery's agent order
    panels = [tuple(sorted(agents.index(i) for i in panel)) for panel in expected if all(i in agents for i in panel)]
    met = sorted({a for panel in panels for a in panel})
    if not met:
        return
    free = data.draw(st.lists(st.sampled_from(met), min_size=1, unique=True), label="free")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(matching.lottery.dispute, "NATION_STRONG", strong)
        patch.setattr(matching.lottery.dispute, "NATION_TOP", inst.n)
        proof = _SearchPricing(inst, agents, threshold, locks, []).first_level_proof(free)
        patch.setattr(matching.lottery.dispute, "NATION_TOP", 0)
        without = _SearchPricing(inst, agents, threshold, locks, []).first_level_bound(free)
    assert proof is not None and without is not None
    weights, best = proof
    assert all(int(weights[list(panel)].sum()) <= best for panel in panels)
    bound = Fraction(best, int(weights[free].sum()))
    event(f"tighter than without: {bound < without}")
    assert bound <= without
    assert bound >= Fraction(_maximin(len(agents), panels, sorted(free))) - Fraction(1, 10**9)


@settings(max_examples=12, **SLOW)  # type: ignore[call-overload]
@given(_five_member_rosters(), st.sampled_from([0.0, 0.9]), st.integers(0, 3))
def test_a_lottery_priced_with_the_nationalities_proof_is_the_enumerated_one(
    roster: Roster, floor: float, strong: int
) -> None:
    ws = roster.workspace()
    enumerated = dispute_lottery(ws, DISPUTE_ID, IOMED, floor=floor)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(matching.lottery.dispute, "ENUMERATION_CAP", 0)
        patch.setattr(matching.lottery.dispute, "NATION_STRONG", strong)
        patch.setattr(matching.lottery.dispute, "NATION_TOP", 14)
        searched = dispute_lottery(ws, DISPUTE_ID, IOMED, floor=floor)
    assert searched.status == enumerated.status
    assert searched.probabilities == enumerated.probabilities
    assert searched.proven == enumerated.proven


def test_the_counting_goes_first_once_it_answered_where_the_lagrangian_narrowing_failed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``_heavier`` past the whole pool's search: the Lagrangian narrowing, then the counting. Once the counting answered
    where the Lagrangian narrowing failed (D011's first level at 10,000 mediators, every late call), the next call
    counts first and runs the Lagrangian narrowing only if the counting fails again. The order changes the cost, not
    the answer: both are exact."""
    roster = Roster(
        [person(f"M{i:02d}", country) for i, country in enumerate(("FRA", "DEU", "BRA", "JPN", "IND", "CAN"), 1)],
        dispute_row(DISPUTE_ID, parties="KEN;RUS", panel_size=3, subject_areas="water"),
    )
    ws = roster.workspace()
    inst = encode(ws, ws.view(ws.dispute(DISPUTE_ID), IOMED))
    search = _SearchPricing(inst, list(range(inst.n)), 0, Locks(), [])
    calls: list[str] = []
    counted: list[np.ndarray | None] = []
    nothing = np.zeros((0, inst.k), dtype=np.int64)

    def lagrangian(*_: object) -> None:
        calls.append("lagrangian")

    def counting(*_: object) -> np.ndarray | None:
        calls.append("counted")
        return counted.pop(0)

    monkeypatch.setattr(search, "_whole", lambda *_: None)
    monkeypatch.setattr(search, "_lagrangian", lagrangian)
    monkeypatch.setattr(search, "_counted", counting)
    weights = np.array([1, 2] * (inst.n // 2), dtype=np.int64)  # two values: no level-by-level narrowing
    counted.extend([nothing, nothing, None, nothing])
    assert search._heavier(weights, 0, None) is nothing
    assert search._heavier(weights, 0, None) is nothing
    assert calls == ["lagrangian", "counted", "counted"]
    calls.clear()
    assert (
        search._heavier(weights, 0, None) is None
    )  # the counting failed: the Lagrangian narrowing again, then nothing
    assert search._heavier(weights, 0, None) is nothing
    assert calls == ["counted", "lagrangian", "lagrangian", "counted"]
