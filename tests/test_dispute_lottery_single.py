"""The search holding at most one of a flagged set (``_search``'s ``single``) and the pricing it gives once the pairing
has made every acceptable panel holding two of ``paired`` known (``_SearchPricing._single_paired``): held to brute
force, with locks."""

from __future__ import annotations

import numpy as np
from hypothesis import event, given, settings
from hypothesis import strategies as st

from matching.lottery.dispute import _roster, _search, _SearchPricing
from tests.strategies import Roster
from tests.test_dispute_lottery_scale import SETUP_CASES, SLOW, _searched, _setup


def count_calls(search: _SearchPricing, name: str) -> list[int]:
    """Wraps the search's method ``name``: the list returned gains an entry each time it is called."""
    real = getattr(search, name)
    calls: list[int] = []

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(*args, **kwargs)

    setattr(search, name, spy)
    return calls


@settings(max_examples=20, **SLOW)  # type: ignore[call-overload]
@given(*SETUP_CASES)
def test_search_holding_one_flagged_misses_no_acceptable_panel_it_wants(
    roster: Roster, floor: float, data: st.DataObject
) -> None:
    """With drawn flags, weights and ``above``, the rows hold at most one flagged mediator each and include every
    acceptable panel (brute force) holding at most one of them that weighs more than ``above``."""
    setup = _setup(roster, floor, data)
    if setup is None:
        return
    inst, pool, threshold, _, expected = setup
    pool = sorted(pool)
    flags = np.array([data.draw(st.booleans()) for _ in pool])
    weights = np.array([data.draw(st.sampled_from([0, 1, 3, 8])) for _ in pool], dtype=np.int64)
    above = data.draw(st.integers(-1, 12), label="above")
    position = {m: i for i, m in enumerate(pool)}
    board = _roster(inst, pool, weights)
    seats = _search(inst, board, threshold, 10**6, above=above, single=flags[board.clash_pos])
    assert seats is not None
    rows = {tuple(sorted(int(m) for m in row)) for row in board.people[seats]}
    flagged = {m for m in pool if flags[position[m]]}
    assert all(len(flagged & set(row)) <= 1 for row in rows)
    wanted = {p for p in expected if len(flagged & set(p)) <= 1 and sum(int(weights[position[m]]) for m in p) > above}
    event(
        f"k={inst.k}, wanted {min(len(wanted), 5)}, acceptable holding two flagged {any(len(flagged & set(p)) > 1 for p in expected)}"
    )
    assert wanted <= rows


def priced_set(roster: Roster, floor: float, data: st.DataObject, most: int):  # type: ignore[no-untyped-def]
    """``_searched`` after a pricing call with 0/1 weights on a drawn set of at most ``most`` mediators (the first
    level's proof leaving none apart), its answer checked by brute force: ``(agents, by_agent, search)``, or None
    when no acceptable panel exists."""
    setup = _searched(roster, floor, data)
    if setup is None:
        return None
    _, _, _, agents, by_agent, search = setup
    search.apart = np.zeros(0, dtype=np.int64)
    chosen = data.draw(
        st.lists(st.sampled_from(range(len(agents))), min_size=1, max_size=most, unique=True), label="set"
    )
    weights = np.zeros(len(agents), dtype=np.int64)
    weights[chosen] = 1
    answer = search.best(weights, None)
    assert answer is not None and answer.value == max(int(weights[list(p)].sum()) for p in by_agent)
    return agents, by_agent, search


@settings(max_examples=15, **SLOW)  # type: ignore[call-overload]
@given(*SETUP_CASES)
def test_pricing_after_the_pairing_takes_one_of_paired_and_is_exact(
    roster: Roster, floor: float, data: st.DataObject
) -> None:
    """Once a pricing call has paired a set (every acceptable panel holding two of it known, none holding three), a
    call weighing mediators outside it too is answered exactly (brute force) by the search taking one of the set at
    most, not by ``_heavier``."""
    priced = priced_set(roster, floor, data, 4)
    if priced is None:
        return
    agents, by_agent, search = priced
    second = np.array([data.draw(st.sampled_from([0, 1, 2, 7])) for _ in agents], dtype=np.int64)
    searched = count_calls(search, "_heavier")
    paired = search.paired is not None
    again = search.best(second, None)
    event(f"paired {paired}, searched {bool(searched)}")
    assert again is not None and again.proven
    assert again.value == max(int(second[list(p)].sum()) for p in by_agent)
    if paired:
        assert not searched
