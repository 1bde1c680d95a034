"""A pricing answer's swap neighbourhood (``_SearchPricing.neighbours``), held to brute force over every panel of small
rosters: after a CP-SAT answer heavier than every known panel, the answer's candidate columns hold every acceptable
panel one swap away (a weighted mediator in) that is heavier than those known before, and only acceptable panels;
and the lottery priced that way is the enumerated one."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import matching.lottery.dispute
from matching.core.config import SolveConfig
from matching.lottery.dispute import DisputePanelOracle, _SearchPricing, dispute_lottery
from tests.strategies import DISPUTE_ID, Roster, rosters
from tests.test_dispute_lottery_local import CAPS, FLOORS, acceptable_panels, draw_case
from tests.test_dispute_lottery_scale import SLOW, _five_member_rosters


def _no_search(self: _SearchPricing, weights: np.ndarray, restriction: object) -> None:
    """The search past its cap: every pricing call goes to CP-SAT, with the search's known panels beside it."""
    return None


@settings(max_examples=40, **SLOW)  # type: ignore[call-overload]
@given(_five_member_rosters() | rosters(min_size=9, max_size=13, sizes=(3, 5)), FLOORS, CAPS, st.data())
def test_a_cpsat_answer_brings_its_heavier_neighbours(
    roster: Roster, floor: float, cap: int | None, data: st.DataObject
) -> None:
    case = draw_case(roster, cap, data)
    ws, rules, k, locks = case.ws, case.rules, case.k, case.locks
    drawn = acceptable_panels(case, floor)
    if drawn is None:
        return
    inst, pool, threshold, acceptable = drawn.inst, drawn.pool, drawn.threshold, drawn.panels
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(matching.lottery.dispute, "ENUMERATION_CAP", 0)
        patch.setattr(_SearchPricing, "best", _no_search)
        view = ws.view(ws.dispute(DISPUTE_ID), rules)
        oracle = DisputePanelOracle(inst, view, pool, threshold, SolveConfig(candidates=1, seed=0), locks)
        assert oracle.search is not None and oracle.enumerated is None
        gained = 0
        for _ in range(3):
            weights = np.array([data.draw(st.integers(0, 3)) for _ in pool], dtype=np.int64)
            known = {tuple(int(a) for a in row) for row in oracle.search.known}
            above = max((int(weights[list(p)].sum()) for p in known), default=-1)
            answer = oracle.best(weights)
            assert answer.panel is not None and answer.proven
            columns = {answer.panel, *answer.others}
            assert columns <= acceptable
            if answer.value <= above:
                continue
            panel = set(answer.panel)
            wanted = {
                p
                for p in acceptable
                if len(panel & set(p)) == k - 1
                and int(weights[list(set(p) - panel)].sum()) > 0
                and int(weights[list(p)].sum()) > above
            }
            assert wanted <= columns
            gained += len(wanted - known)
    event(f"k={k}, neighbours gained: {min(gained, 3)}")


@settings(max_examples=12, **SLOW)  # type: ignore[call-overload]
@given(_five_member_rosters() | rosters(min_size=9, max_size=12, sizes=(3, 5)), FLOORS, CAPS, st.data())
def test_the_lottery_priced_by_cpsat_with_neighbours_is_the_enumerated_one(
    roster: Roster, floor: float, cap: int | None, data: st.DataObject
) -> None:
    case = draw_case(roster, cap, data)
    ws, rules, k, locks = case.ws, case.rules, case.k, case.locks
    listed = dispute_lottery(ws, DISPUTE_ID, rules, floor=floor, locks=locks)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(matching.lottery.dispute, "ENUMERATION_CAP", 0)
        patch.setattr(_SearchPricing, "best", _no_search)
        priced = dispute_lottery(ws, DISPUTE_ID, rules, floor=floor, locks=locks)
    event(f"k={k}, status {listed.status}")
    assert priced.status == listed.status and priced.threshold == listed.threshold
    assert priced.probabilities == listed.probabilities and priced.minimum == listed.minimum
    assert priced.proven == listed.proven
