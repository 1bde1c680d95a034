"""The dispute oracle's switches of the engine past the enumeration cap (no widening, ``WIDENING``; cheap pricing from
its known panels, ``STORED``), held to the enumerated lottery on small rosters (brute force behind it): the same
probabilities, least chance and proof either way."""

from __future__ import annotations

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import matching.lottery.dispute
import matching.lottery.engine
from matching.core.config import SolveConfig
from matching.lottery.dispute import DisputePanelOracle, dispute_lottery
from tests.strategies import DISPUTE_ID, Roster, rosters
from tests.test_dispute_lottery_local import CAPS, FLOORS, acceptable_panels, draw_case
from tests.test_dispute_lottery_scale import SLOW, _five_member_rosters, assert_same_lottery


@settings(max_examples=6, **SLOW)  # type: ignore[call-overload]
@given(_five_member_rosters() | rosters(min_size=9, max_size=12, sizes=(3, 5)), FLOORS, CAPS, st.data())
def test_the_lottery_past_the_cap_is_the_enumerated_one_with_either_switch(
    roster: Roster, floor: float, cap: int | None, data: st.DataObject
) -> None:
    """Priced past the enumeration cap with and without the widening, with and without the stored panels, the
    lottery's probabilities, least chance and proof are exactly those of the enumerated lottery."""
    case = draw_case(roster, cap, data)
    ws, rules, k, locks = case.ws, case.rules, case.k, case.locks
    listed = dispute_lottery(ws, DISPUTE_ID, rules, floor=floor, locks=locks)
    widening = data.draw(st.booleans(), label="widening")
    stored = data.draw(st.booleans(), label="stored")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(matching.lottery.dispute, "ENUMERATION_CAP", 0)
        patch.setattr(matching.lottery.dispute, "WIDENING", widening)
        patch.setattr(matching.lottery.dispute, "STORED", stored)
        searched = dispute_lottery(ws, DISPUTE_ID, rules, floor=floor, locks=locks)
    event(f"k={k}, status {listed.status}, widening {widening}, stored {stored}")
    assert_same_lottery(ws, searched, listed, k)


@settings(max_examples=3, **SLOW)  # type: ignore[call-overload]
@given(rosters(min_size=6, max_size=10, sizes=(3, 5)), FLOORS, CAPS, st.data())
def test_past_the_cap_the_oracle_turns_the_widening_off(
    roster: Roster, floor: float, cap: int | None, data: st.DataObject
) -> None:
    """Past the enumeration cap the dispute oracle turns the engine's widening off (``WIDENING`` false); with its
    panels enumerated it keeps it."""
    case = draw_case(roster, cap, data)
    drawn = acceptable_panels(case, floor)
    if drawn is None:
        return
    view = case.ws.view(case.ws.dispute(DISPUTE_ID), case.rules)
    config = SolveConfig(candidates=1, seed=0)
    listed = DisputePanelOracle(drawn.inst, view, drawn.pool, drawn.threshold, config, case.locks)
    assert listed.enumerated is not None
    assert matching.lottery.engine._Engine(listed).widening
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(matching.lottery.dispute, "ENUMERATION_CAP", 0)
        searched = DisputePanelOracle(drawn.inst, view, drawn.pool, drawn.threshold, config, case.locks)
    assert searched.search is not None
    assert not matching.lottery.engine._Engine(searched).widening
