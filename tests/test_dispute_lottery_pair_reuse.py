"""Pair pricing after a first pairing (``_SearchPricing._paired``): the panels known to hold two of the paired set are
not searched for again, also for a set holding only some of it. Held to brute force."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import matching.lottery.dispute
from tests.strategies import Roster
from tests.test_dispute_lottery_scale import SETUP_CASES, SLOW, _searched


@settings(max_examples=30, **SLOW)  # type: ignore[call-overload]
@given(*SETUP_CASES)
def test_a_set_holding_some_of_the_paired_one_searches_only_its_new_pairs(
    roster: Roster, floor: float, data: st.DataObject
) -> None:
    """After a set is paired, a pricing call on another set (0/1 weights) is exact (brute force), and the pair search it
    runs weighs the mediators of the paired set (their pairs are known) 1 at most, whichever set it tries, and the new
    ones k (above k: a panel of old ones alone is not looked at); every acceptable panel holding two of a set paired
    then is known."""
    setup = _searched(roster, floor, data)
    if setup is None:
        return
    inst, _, _, agents, by_agent, search = setup
    search.apart = np.zeros(0, dtype=np.int64)
    rosters: list[tuple[np.ndarray, np.ndarray | None]] = []
    build, pairing, in_pairing = matching.lottery.dispute._roster, search._paired, [False]

    def spy(inst_, pool, weight, clash):  # type: ignore[no-untyped-def]
        if in_pairing[0]:
            rosters.append((np.asarray(weight).copy(), None if search.paired is None else search.paired.copy()))
        return build(inst_, pool, weight, clash)

    def paired(w_pool: np.ndarray) -> bool:
        in_pairing[0] = True
        try:
            return pairing(w_pool)
        finally:
            in_pairing[0] = False

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(matching.lottery.dispute, "_roster", spy)
        patch.setattr(search, "_paired", paired)
        for label in ("first", "second", "third"):
            chosen = data.draw(
                st.lists(st.sampled_from(range(len(agents))), min_size=1, max_size=5, unique=True), label=label
            )
            weights = np.zeros(len(agents), dtype=np.int64)
            weights[chosen] = 1
            rosters.clear()
            answer = search.best(weights, None)
            assert answer is not None and answer.proven
            assert answer.value == max(int(weights[list(p)].sum()) for p in by_agent)
            for weight, before in rosters:
                if before is not None:
                    event(f"a pair search after a pairing, old ends in it: {bool((weight[before] > 0).any())}")
                    assert (weight[before] <= 1).all()
                    assert set(weight[~before].tolist()) <= {0, inst.k}  # a panel of old ends alone is not above k
            if search.paired is not None:
                held = set(np.flatnonzero(search.paired).tolist())
                pool_agent = search.agent[np.asarray(search.pool, dtype=np.int64)]
                members = {int(pool_agent[i]) for i in held}
                assert {p for p in by_agent if len(members & set(p)) == 2} <= {
                    tuple(int(a) for a in row) for row in search.known.tolist()
                }
