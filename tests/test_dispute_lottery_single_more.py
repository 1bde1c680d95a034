"""What the pairing's knowledge (``_SearchPricing._paired``: every acceptable panel holding two of ``paired`` known, none
holding three) prices beyond ``_single_paired`` on the whole pool: the counting's and the Lagrangian narrowing's
searches hold one of ``paired`` at most, and so does a restricted call's search; and the greedy panels holding two
weighted mediators (``pair_columns``) follow a CP-SAT answer as they follow a search's. Held to brute force, with
locks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import matching.lottery.dispute
from matching.core.config import SolveConfig
from matching.lottery.dispute import DisputePanelOracle, _SearchPricing
from matching.lottery.engine import Restriction
from tests.strategies import DISPUTE_ID, Roster
from tests.test_dispute_lottery_scale import IOMED, SETUP_CASES, SLOW, _setup
from tests.test_dispute_lottery_single import count_calls, priced_set


def _paired_search(roster: Roster, floor: float, data: st.DataObject):  # type: ignore[no-untyped-def]
    """``_searched`` after a pricing call with 0/1 weights on a drawn set (the first level's proof leaving none apart);
    None when no acceptable panel exists or the set was not paired."""
    # Small sets, which the programme proves to be held two at most more often (it may count a mediator twice).
    priced = priced_set(roster, floor, data, 3)
    if priced is None:
        return None
    agents, by_agent, search = priced
    event(f"paired {search.paired is not None}")
    if search.paired is None or not search.paired.any():
        return None
    return agents, by_agent, search


def _spied(search: _SearchPricing, patch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each bounded search run from now on was told to hold one of a flagged set at most (``single``)."""
    told: list[bool] = []
    real = matching.lottery.dispute._search

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        told.append(kwargs.get("single") is not None)
        return real(*args, **kwargs)

    patch.setattr(matching.lottery.dispute, "_search", spy)
    return told


@settings(max_examples=12, **SLOW)  # type: ignore[call-overload]
@given(*SETUP_CASES)
def test_counting_and_lagrangian_searches_after_the_pairing_hold_one_of_paired_and_miss_nothing(
    roster: Roster, floor: float, data: st.DataObject
) -> None:
    """After a pairing, the counting (``_counted``) and the Lagrangian narrowing (``_lagrangian``) with weights of a few
    values on everybody return every acceptable panel (brute force) heavier than the heaviest known one, and their
    searches are told to hold one of ``paired`` at most."""
    paired_setup = _paired_search(roster, floor, data)
    if paired_setup is None:
        return
    agents, by_agent, search = paired_setup
    second = np.array([data.draw(st.sampled_from([0, 1, 2, 3])) for _ in agents], dtype=np.int64)
    w_pool = second[search.agent[np.asarray(search.pool, dtype=np.int64)]]
    with pytest.MonkeyPatch.context() as patch:
        told = _spied(search, patch)
        for label, price in (
            ("counted", lambda: search._counted(w_pool, None)),
            (
                "lagrangian",
                lambda: search._lagrangian(w_pool, int((search.incidence(len(agents)) @ second).max()), None),
            ),
        ):
            told.clear()
            rows = price()
            event(f"{label}: answered {rows is not None}, searched {bool(told)}")
            # The counting's search, and the Lagrangian narrowing's first (``_reaching``'s, past its cap, is not told).
            assert all(told) if label == "counted" else not told or told[0]
            if rows is None:
                continue
            above = int((search.incidence(len(agents)) @ second).max())
            found = {tuple(sorted(int(a) for a in search.agent[row])) for row in np.asarray(rows)}
            assert {p for p in by_agent if int(second[list(p)].sum()) > above} <= found


@settings(max_examples=12, **SLOW)  # type: ignore[call-overload]
@given(*SETUP_CASES)
def test_a_restricted_call_after_the_pairing_holds_one_of_paired_and_is_exact(
    roster: Roster, floor: float, data: st.DataObject
) -> None:
    """After a pairing, a pricing call with a restriction (the fine stage of ``exact``) tries the search holding one of
    ``paired`` at most (``_single_paired``) first, and its answer is the heaviest acceptable panel meeting the
    restriction (brute force)."""
    paired_setup = _paired_search(roster, floor, data)
    if paired_setup is None:
        return
    agents, by_agent, search = paired_setup
    second = np.array([data.draw(st.sampled_from([0, 1, 3, 8])) for _ in agents], dtype=np.int64)
    other = np.array([data.draw(st.integers(0, 3)) for _ in agents], dtype=np.int64)
    sums = sorted(int(other[list(p)].sum()) for p in by_agent)
    restriction = Restriction(other, data.draw(st.sampled_from(sums), label="at least"))
    meeting = [p for p in by_agent if int(other[list(p)].sum()) >= restriction.at_least]
    called = count_calls(search, "_single_paired")
    answer = search.best(second, restriction)
    assert answer is not None and answer.proven and answer.panel is not None
    assert answer.value == max(int(second[list(p)].sum()) for p in meeting)
    assert int(other[list(answer.panel)].sum()) >= restriction.at_least
    event(f"single search asked {bool(called)}")
    assert called


@settings(max_examples=8, **SLOW)  # type: ignore[call-overload]
@given(*SETUP_CASES)
def test_a_cp_sat_answer_brings_the_panels_holding_two_weighted_mediators_too(
    roster: Roster, floor: float, data: st.DataObject
) -> None:
    """When the search gives up and CP-SAT prices 0/1 weights whose heaviest acceptable panel holds two weighted
    mediators or more, greedy panels holding two of them join the known panels (``pair_columns``), as after a search's
    answer; the answer is exact (brute force) and its further columns acceptable."""
    setup = _setup(roster, floor, data)
    if setup is None:
        return
    inst, pool, threshold, locks, expected = setup
    agents = sorted(pool, key=lambda i: inst.ids[i])
    by_agent = {tuple(sorted(agents.index(i) for i in panel)) for panel in expected}
    if not by_agent:
        return
    ws = roster.workspace()
    view = ws.view(ws.dispute(DISPUTE_ID), IOMED)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(matching.lottery.dispute, "ENUMERATION_CAP", 0)
        oracle = DisputePanelOracle(inst, view, agents, threshold, SolveConfig(candidates=1, seed=0), locks)
    search = oracle.search
    assert search is not None
    search.apart = np.zeros(0, dtype=np.int64)
    chosen = data.draw(st.lists(st.sampled_from(range(len(agents))), min_size=2, max_size=6, unique=True), label="set")
    weights = np.zeros(len(agents), dtype=np.int64)
    weights[chosen] = 1
    pairs: list[int] = []
    real = search._pair_panels

    def spy(weighted: np.ndarray) -> np.ndarray:
        pairs.append(1)
        return real(weighted)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "best", lambda weights, restriction: None)  # the search gives up: CP-SAT prices
        patch.setattr(search, "_pair_panels", spy)
        answer = oracle.best(weights)
    heaviest = max(int(weights[list(p)].sum()) for p in by_agent)
    event(f"heaviest {min(heaviest, 3)}")
    assert oracle.solved == 1 and answer.proven and answer.value == heaviest
    assert all(tuple(sorted(p)) in by_agent for p in answer.others)
    assert bool(pairs) == (heaviest >= 2)


@settings(max_examples=12, **SLOW)  # type: ignore[call-overload]
@given(*SETUP_CASES)
def test_later_levels_weights_are_priced_exactly_without_the_pair_columns(
    roster: Roster, floor: float, data: st.DataObject
) -> None:
    """After a pairing, weights of a few values on mediators outside ``paired`` (``_counts_first``: the later leximin
    levels' duals, here with ``COUNT_FIRST_FROM`` at 1) build no greedy panels holding two weighted mediators
    (``pair_columns``), by the search or after a CP-SAT answer; the answer is still the heaviest acceptable panel (brute
    force) and its further columns acceptable."""
    paired_setup = _paired_search(roster, floor, data)
    if paired_setup is None:
        return
    agents, by_agent, search = paired_setup
    assert search.paired is not None
    second = np.array([data.draw(st.sampled_from([0, 1, 2, 3])) for _ in agents], dtype=np.int64)
    w_pool = second[search.agent[np.asarray(search.pool, dtype=np.int64)]]
    if not (w_pool[~search.paired] > 0).any() or len(np.unique(w_pool[w_pool > 0])) < 2:
        return  # not the later levels' weights
    heaviest = max(int(second[list(p)].sum()) for p in by_agent)
    event(f"heaviest past the largest weight {heaviest > int(second.max())}")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(matching.lottery.dispute, "COUNT_FIRST_FROM", 1)
        built = count_calls(search, "_pair_panels")
        answer = search.best(second, None)
        assert answer is not None and answer.proven and answer.value == heaviest
        assert all(tuple(sorted(p)) in by_agent for p in (answer.panel, *answer.others))
        search.pair_columns(w_pool, heaviest, None)  # as after a CP-SAT answer
    assert not built
