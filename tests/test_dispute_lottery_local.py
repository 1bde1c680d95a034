"""The dispute oracle's local search (``DisputePanelOracle.improve``, past the enumeration cap), held to brute
force over every panel of small rosters: each panel it returns is acceptable (the plain checker's panels,
the floor, the locks, the lean cap) and heavier than its start, a start it leaves is a local optimum, and the
lotteries with and without it are the enumerated one."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import matching.lottery.dispute
from matching.core.config import Locks, SolveConfig
from matching.io.rulesets import RuleSet
from matching.lottery.dispute import DisputePanelOracle, dispute_lottery, objective_threshold
from matching.rules.encoding import PanelInstance, encode
from matching.rules.workspace import Workspace
from tests.strategies import DISPUTE_ID, Roster, best_of, brute_force, rosters
from tests.test_dispute_lottery_scale import IOMED, SLOW, _five_member_rosters
from tests.test_panel_lottery import assert_consistent, draw_locks

CAPS = st.sampled_from([None, None, 1, 2])
FLOORS = st.sampled_from([0.0, 0.9, 0.97, 1.0])


@dataclass(frozen=True)
class Drawn:
    """A drawn roster's dispute under the drawn lean cap (``k`` members), with locks drawn over its panels."""

    ws: Workspace
    rules: RuleSet
    k: int
    locks: Locks


def draw_case(roster: Roster, cap: int | None, data: st.DataObject) -> Drawn:
    rules = IOMED if cap is None else IOMED.with_max_lean(cap)
    ws = roster.workspace()
    ids = [row["mediator_id"] for row in roster.mediators]
    k = ws.dispute(DISPUTE_ID).panel_size
    return Drawn(ws, rules, k, draw_locks(data, ids, brute_force(ws, rules, via_check_panel=False), k))


@dataclass(frozen=True)
class Acceptable:
    """The oracle's instance and pool (the mediators the locks leave in, by id) for a drawn case, the floor's
    objective threshold and the acceptable panels (sorted tuples of agent indices into the pool, by brute force)."""

    inst: PanelInstance
    pool: list[int]
    threshold: int
    panels: set[tuple[int, ...]]


def acceptable_panels(case: Drawn, floor: float) -> Acceptable | None:
    """None when no panel keeps the locks or none reaches the floor."""
    found = best_of(brute_force(case.ws, case.rules, case.locks, via_check_panel=False))
    if not found:
        return None
    threshold = objective_threshold(max(found.values()), floor)
    inst = encode(case.ws, case.ws.view(case.ws.dispute(DISPUTE_ID), case.rules))
    pool = sorted((i for i in range(inst.n) if inst.ids[i] not in case.locks.exclude), key=lambda i: inst.ids[i])
    agent = {inst.ids[i]: a for a, i in enumerate(pool)}
    panels = {tuple(sorted(agent[m] for m in members)) for members, value in found.items() if value >= threshold}
    return Acceptable(inst, pool, threshold, panels) if panels else None


@settings(max_examples=40, **SLOW)  # type: ignore[call-overload]
@given(_five_member_rosters() | rosters(min_size=9, max_size=13, sizes=(3, 5)), FLOORS, CAPS, st.data())
def test_local_search_returns_heavier_acceptable_panels(
    roster: Roster, floor: float, cap: int | None, data: st.DataObject
) -> None:
    """From each acceptable start, ``improve`` returns the panels of its climb, each one swap from the one
    before, acceptable by brute force (the plain checker) and heavier than the one before; when it returns
    nothing, no acceptable panel one swap away weighs more (every mediator of positive weight is a candidate
    on these rosters)."""
    case = draw_case(roster, cap, data)
    ws, rules, k, locks = case.ws, case.rules, case.k, case.locks
    drawn = acceptable_panels(case, floor)
    if drawn is None:
        return
    inst, pool, threshold, acceptable = drawn.inst, drawn.pool, drawn.threshold, drawn.panels
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(matching.lottery.dispute, "ENUMERATION_CAP", 0)
        patch.setattr(matching.lottery.dispute, "LOCAL_SEARCH", True)
        view = ws.view(ws.dispute(DISPUTE_ID), rules)
        oracle = DisputePanelOracle(inst, view, pool, threshold, SolveConfig(candidates=1, seed=0), locks)
    assert oracle.improve is not None and oracle.enumerated is None
    starts = sorted(acceptable)
    moved = 0
    for _ in range(4):
        dense = data.draw(st.booleans(), label="dense")
        y = np.array(
            [data.draw(st.integers(0, 1_000 if dense else 2)) / 7 for _ in pool],
            dtype=float,
        )
        start = data.draw(st.sampled_from(starts), label="start")
        answer = oracle.improve(y, [start])
        if answer:
            moved += 1
            weights = [float(y[list(start)].sum())] + [float(y[list(p)].sum()) for p in answer]
            assert all(a < b for a, b in itertools.pairwise(weights))  # each swap is heavier
            for before, panel in zip([start, *answer], answer, strict=False):
                assert tuple(sorted(panel)) == panel and panel in acceptable
                assert len(set(before) & set(panel)) == k - 1  # one swap
                assert not oracle.problems(panel)
        else:
            neighbours = [p for p in acceptable if len(set(p) & set(start)) == k - 1]
            assert all(float(y[list(p)].sum()) <= float(y[list(start)].sum()) + 1e-9 for p in neighbours)
        both = oracle.improve(y, starts[:3])
        assert len(set(both)) == len(both) and set(both) <= acceptable
    event(f"k={k}, moved {min(moved, 2)} of 4")


@settings(max_examples=15, **SLOW)  # type: ignore[call-overload]
@given(_five_member_rosters() | rosters(min_size=9, max_size=12, sizes=(3, 5)), FLOORS, CAPS, st.data())
def test_the_lottery_is_the_same_with_and_without_the_local_search(
    roster: Roster, floor: float, cap: int | None, data: st.DataObject
) -> None:
    """Priced past the enumeration cap with the local search and without it, the lottery's probabilities,
    least chance and proof are exactly those of the enumerated lottery."""
    case = draw_case(roster, cap, data)
    ws, rules, k, locks = case.ws, case.rules, case.k, case.locks
    listed = dispute_lottery(ws, DISPUTE_ID, rules, floor=floor, locks=locks)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(matching.lottery.dispute, "ENUMERATION_CAP", 0)
        patch.setattr(matching.lottery.dispute, "LOCAL_SEARCH", True)
        local = dispute_lottery(ws, DISPUTE_ID, rules, floor=floor, locks=locks)
        patch.setattr(matching.lottery.dispute, "LOCAL_SEARCH", False)
        plain = dispute_lottery(ws, DISPUTE_ID, rules, floor=floor, locks=locks)
    event(f"k={k}, status {listed.status}")
    for other in (local, plain):
        assert other.status == listed.status and other.threshold == listed.threshold
        assert other.probabilities == listed.probabilities and other.minimum == listed.minimum
        assert other.proven == listed.proven
    if local.panels:
        assert_consistent(ws, local, k)
