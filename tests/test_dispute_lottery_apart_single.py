"""What the first level's proof knows before any pairing (``_SearchPricing.apart``: no acceptable panel holds two of
those mediators) prices: the counting's and the Lagrangian narrowing's searches hold one of them at most
(``_single_flags``), and the counting's search may then look further (``APART_SCAN``). Held to brute force, with
locks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import matching.lottery.dispute
from matching.lottery.dispute import _SearchPricing
from tests.strategies import Roster
from tests.test_dispute_lottery_scale import SETUP_CASES, SLOW, _setup


def _apart_search(roster: Roster, floor: float, data: st.DataObject):  # type: ignore[no-untyped-def]
    """A search over the drawn roster with ``apart`` a drawn set no acceptable panel (brute force) holds two of, as the
    first level's proof leaves it, and no pairing: ``(agents, by_agent, search)``, or None without such a set."""
    setup = _setup(roster, floor, data)
    if setup is None:
        return None
    inst, pool, threshold, locks, expected = setup
    agents = sorted(pool, key=lambda i: inst.ids[i])
    by_agent = [tuple(sorted(agents.index(i) for i in panel)) for panel in expected]
    if not by_agent:
        return None
    order = data.draw(st.permutations(range(len(agents))), label="order")
    apart: list[int] = []
    for a in order:  # greedily: each joins when no acceptable panel holds it beside one already chosen
        if not any(a in p and any(b in p for b in apart) for p in by_agent):
            apart.append(a)
    search = _SearchPricing(inst, agents, threshold, locks, [])
    positions = np.flatnonzero(np.isin(search.agent[np.asarray(search.pool, dtype=np.int64)], apart))
    if len(positions) < 2:
        return None
    search.apart = positions
    return agents, by_agent, search


@settings(max_examples=25, **SLOW)  # type: ignore[call-overload]
@given(*SETUP_CASES)
def test_counting_and_lagrangian_searches_before_the_pairing_hold_one_of_apart_and_miss_nothing(
    roster: Roster, floor: float, data: st.DataObject
) -> None:
    """With mediators set apart and no pairing, the counting (``_counted``) and the Lagrangian narrowing
    (``_lagrangian``) with weights of a few values return every acceptable panel (brute force) heavier than the heaviest
    known one, and their searches are told to hold one of ``apart`` at most."""
    setup = _apart_search(roster, floor, data)
    if setup is None:
        return
    agents, by_agent, search = setup
    weights = np.array([data.draw(st.sampled_from([0, 1, 2, 3])) for _ in agents], dtype=np.int64)
    w_pool = weights[search.agent[np.asarray(search.pool, dtype=np.int64)]]

    def heaviest_known() -> int:
        return int((search.incidence(len(agents)) @ weights).max()) if len(search.known) else -1

    told: list[bool] = []
    real = matching.lottery.dispute._search

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        told.append(kwargs.get("single") is not None)
        return real(*args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(matching.lottery.dispute, "_search", spy)
        for label, price in (
            ("counted", lambda: search._counted(w_pool, None)),
            ("lagrangian", lambda: search._lagrangian(w_pool, heaviest_known(), None)),
        ):
            told.clear()
            rows = price()
            event(f"{label}: answered {rows is not None}, searched {bool(told)}")
            # The counting's search, and the Lagrangian narrowing's first (``_reaching``'s, past its cap, is not told).
            assert all(told) if label == "counted" else not told or told[0]
            if rows is None:
                continue
            above = heaviest_known()
            found = {tuple(sorted(int(a) for a in search.agent[row])) for row in np.asarray(rows)}
            assert {p for p in by_agent if int(weights[list(p)].sum()) > above} <= found


@settings(max_examples=25, **SLOW)  # type: ignore[call-overload]
@given(*SETUP_CASES)
def test_pricing_with_mediators_set_apart_is_exact(roster: Roster, floor: float, data: st.DataObject) -> None:
    """With mediators set apart and no pairing, pricing calls with weights of a few values (the first level's duals)
    are answered exactly (brute force)."""
    setup = _apart_search(roster, floor, data)
    if setup is None:
        return
    agents, by_agent, search = setup
    for _ in range(2):
        weights = np.array([data.draw(st.sampled_from([0, 1, 2])) for _ in agents], dtype=np.int64)
        answer = search.best(weights, None)
        assert answer is not None and answer.proven
        assert answer.value == max(int(weights[list(p)].sum()) for p in by_agent)
