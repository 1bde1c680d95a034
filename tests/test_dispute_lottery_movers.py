"""The first level's columns built with its proof (``_SearchPricing._mover_panels``: each mediator outside the set
apart paired with partners ``panel_bounds`` leaves able to share a panel with them, completed greedily) and handed to
the engine's first LP (``DisputePanelOracle.first_level_columns``, ``_Engine.first_columns``). Held to brute force:
they are acceptable and hold one of the set apart at most; they are handed over once, all of them known; and the
lottery priced with them is the enumerated one."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import matching.lottery.dispute
from matching.lottery.dispute import DisputePanelOracle, _SearchPricing, dispute_lottery, weakest_apart
from matching.lottery.engine import EnumeratedOracle, leximin
from tests.strategies import DISPUTE_ID, Roster
from tests.test_dispute_lottery_scale import IOMED, SETUP_CASES, SLOW, _five_member_rosters, _setup


@settings(max_examples=25, **SLOW)  # type: ignore[call-overload]
@given(*SETUP_CASES, st.integers(1, 6), st.integers(0, 2))
def test_the_mover_panels_are_acceptable_and_hold_one_set_apart_at_most(
    roster: Roster, floor: float, data: st.DataObject, partners: int, skip: int
) -> None:
    """Every panel ``_mover_panels`` builds is acceptable (brute force, with locks), holds at most one of the mediators
    set apart (``weakest_apart``) and at least one outside them (its start), whatever the partners' cap."""
    setup = _setup(roster, floor, data)
    if setup is None:
        return
    inst, pool, threshold, locks, expected = setup
    agents = sorted(pool, key=lambda i: inst.ids[i])
    search = _SearchPricing(inst, agents, threshold, locks, [])
    weak, _ = weakest_apart(inst, search.pool, threshold)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(matching.lottery.dispute, "MOVER_PARTNERS", partners)
        patch.setattr(matching.lottery.dispute, "MOVER_SKIP", skip)
        patch.setattr(matching.lottery.dispute, "MOVER_SHARE", 10**6)  # small rosters set most apart: build anyway
        found = search._mover_panels(weak)
    apart = {search.pool[int(j)] for j in weak}
    event(f"k={inst.k}, set apart {min(len(apart), 4)}, panels {min(len(found), 4)}")
    assert len({tuple(row) for row in found.tolist()}) <= len(search.pool) * partners
    for row in found.tolist():
        assert tuple(sorted(row)) in expected
        assert len(apart & set(row)) <= 1
        assert set(row) - apart


@settings(max_examples=25, **SLOW)  # type: ignore[call-overload]
@given(*SETUP_CASES, st.sampled_from([0, 10**6]))
def test_the_first_level_columns_are_the_known_panels_handed_over_once(
    roster: Roster, floor: float, data: st.DataObject, share: int
) -> None:
    """After ``first_level_proof`` the search hands the engine every panel it knows (acceptable, by brute force),
    those ``_mover_panels`` built among them, once (a second ask gets none); none when it built no mover panels, as
    when the others are too few beside those set apart (``MOVER_SHARE``: 0 builds none)."""
    setup = _setup(roster, floor, data)
    if setup is None:
        return
    inst, pool, threshold, locks, expected = setup
    agents = sorted(pool, key=lambda i: inst.ids[i])
    panels = {tuple(sorted(agents.index(i) for i in panel)) for panel in expected}
    met = sorted({a for panel in panels for a in panel})
    if not met:
        return
    search = _SearchPricing(inst, agents, threshold, locks, [])
    oracle = object.__new__(DisputePanelOracle)
    oracle.search = search
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(matching.lottery.dispute, "MOVER_SKIP", 0)
        patch.setattr(matching.lottery.dispute, "MOVER_SHARE", share)
        assert search.first_level_proof(met) is not None
        built = np.zeros((0, inst.k), dtype=np.int64)
        if search.apart is not None:
            built = search._mover_panels(np.asarray(search.apart, dtype=np.int64))
    known = {tuple(int(a) for a in row) for row in search.known.tolist()}
    handed = set(oracle.first_level_columns())
    event(f"k={inst.k}, share {share}, handed {min(len(handed), 5)}, built {min(len(built), 5)}")
    assert handed <= panels
    assert oracle.first_level_columns() == []
    if share == 0 and search.apart is not None and len(search.apart):
        assert not len(built)
    if len(built):
        assert handed == known
        assert {tuple(sorted(int(search.agent[m]) for m in row)) for row in built.tolist()} <= handed
    else:
        assert not handed


class _Columns(EnumeratedOracle):
    """An enumerated oracle that hands the engine some of its panels as first-level columns, once."""

    def __init__(self, n: int, size: int, panels: Sequence[Sequence[int]], first: Sequence[Sequence[int]]) -> None:
        super().__init__(n, size, panels)
        self.first = [tuple(p) for p in first]
        self.asked = 0

    def first_level_columns(self) -> list[tuple[int, ...]]:
        self.asked += 1
        first, self.first = self.first, []
        return first


@settings(max_examples=60, deadline=None)
@given(st.integers(4, 8), st.integers(2, 3), st.data())
def test_the_first_level_columns_leave_the_leximin_distribution_unchanged(n: int, k: int, data: st.DataObject) -> None:
    """Columns handed to the first LP (``first_level_columns``) are only columns: the leximin marginals are those
    without them, the first level asks for them once, and they are in the LP from its first solve."""
    from itertools import combinations

    every = list(combinations(range(n), k))
    panels = data.draw(st.lists(st.sampled_from(every), min_size=1, unique=True), label="panels")
    first = data.draw(st.lists(st.sampled_from(panels), unique=True), label="first")
    plain = leximin(EnumeratedOracle(n, k, panels))
    oracle = _Columns(n, k, panels, first)
    given_first = leximin(oracle)
    assert oracle.asked == 1
    assert sorted(given_first.marginals) == sorted(plain.marginals)
    assert given_first.minimum == plain.minimum
    assert given_first.stats.columns >= len(first)


@settings(max_examples=12, **SLOW)  # type: ignore[call-overload]
@given(_five_member_rosters(), st.sampled_from([0.0, 0.9]), st.integers(1, 4))
def test_a_lottery_priced_with_the_first_level_columns_is_the_enumerated_one(
    roster: Roster, floor: float, partners: int
) -> None:
    ws = roster.workspace()
    enumerated = dispute_lottery(ws, DISPUTE_ID, IOMED, floor=floor)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(matching.lottery.dispute, "ENUMERATION_CAP", 0)
        patch.setattr(matching.lottery.dispute, "MOVER_PARTNERS", partners)
        patch.setattr(matching.lottery.dispute, "MOVER_SKIP", 0)
        patch.setattr(matching.lottery.dispute, "MOVER_SHARE", 10**6)
        searched = dispute_lottery(ws, DISPUTE_ID, IOMED, floor=floor)
    assert searched.status == enumerated.status
    assert searched.probabilities == enumerated.probabilities
    assert searched.proven == enumerated.proven
