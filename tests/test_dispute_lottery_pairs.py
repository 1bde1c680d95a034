"""Pair pricing (``_SearchPricing._paired``): once the first level's proof has set mediators apart, a pricing call whose
weighted mediators no acceptable panel holds three of makes every acceptable panel holding two of them known, and
prices later weights on them from the known panels alone. Held to brute force, with locks."""

from __future__ import annotations

import numpy as np
from hypothesis import event, given, settings
from hypothesis import strategies as st

from matching.panel.bounds import panel_bounds
from tests.strategies import Roster
from tests.test_dispute_lottery_scale import SETUP_CASES, SLOW, _searched


@settings(max_examples=20, **SLOW)  # type: ignore[call-overload]
@given(*SETUP_CASES)
def test_pair_pricing_knows_every_panel_holding_two_weighted_and_prices_exactly_without_a_search(
    roster: Roster, floor: float, data: st.DataObject
) -> None:
    """With mediators set apart (``apart``, as the first level's proof leaves it) and weights of a few values on a
    drawn set, the answer weighs exactly the most any acceptable panel weighs (brute force). When the profile
    programme proves that no acceptable panel holds three of them (as the pairing asks it): every acceptable panel
    holding two of them is known afterwards; a second call with weights on some of them is answered exactly, without
    the search (``_heavier``) whenever a known panel weighs as much as the heaviest mediator; and grown by a few more
    mediators, the pairs of the larger set are all known after a third call. Otherwise only the exact answer is
    claimed."""
    searched_setup = _searched(roster, floor, data)
    if searched_setup is None:
        return
    inst, threshold, _, agents, by_agent, search = searched_setup
    search.apart = np.zeros(0, dtype=np.int64)
    values = data.draw(st.lists(st.integers(1, 5), min_size=1, max_size=3), label="values")
    chosen = data.draw(st.lists(st.sampled_from(range(len(agents))), min_size=1, max_size=4, unique=True), label="set")
    weights = np.zeros(len(agents), dtype=np.int64)
    weights[chosen] = [data.draw(st.sampled_from(values)) for _ in chosen]
    answer = search.best(weights, None)
    assert answer is not None and answer.proven
    assert answer.value == max(int(weights[list(p)].sum()) for p in by_agent)
    weighted = set(np.flatnonzero(weights > 0).tolist())
    most = max(len(weighted & set(p)) for p in by_agent)
    known = {tuple(int(a) for a in row) for row in search.known.tolist()}
    flags = weights[search.agent[np.asarray(search.pool, dtype=np.int64)]] > 0
    # What the pairing asks of the profile programme: none of them has two weighted others in a panel.
    proven = flags.any() and not (panel_bounds(inst, search.pool, flags, 2, least=True)[flags] >= threshold).any()
    event(f"k={inst.k}, most weighted in a panel {min(most, 3)}, three proven impossible {proven}")
    if not proven:
        return
    assert most <= 2
    assert {p for p in by_agent if len(weighted & set(p)) == 2} <= known
    second = np.where(weights > 0, np.array([data.draw(st.integers(0, 9)) for _ in agents]), 0).astype(np.int64)
    reached = max(int(second[list(p)].sum()) for p in search.known.tolist())
    searched: list[int] = []
    heavier = search._heavier

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        searched.append(1)
        return heavier(*args, **kwargs)

    search._heavier = spy  # type: ignore[method-assign]
    again = search.best(second, None)
    assert again is not None and again.proven
    assert again.value == max(int(second[list(p)].sum()) for p in by_agent)
    if reached >= int(second.max()):
        assert not searched
    # Grown by more weighted mediators: the pairs of the larger set are all known once it is proven to hold no three.
    more = data.draw(st.lists(st.sampled_from(range(len(agents))), max_size=3, unique=True), label="more")
    third = weights.copy()
    third[more] = 1 + third[more]
    grown = set(np.flatnonzero(third > 0).tolist())
    assert search.best(third, None).value == max(int(third[list(p)].sum()) for p in by_agent)  # type: ignore[union-attr]
    flags = third[search.agent[np.asarray(search.pool, dtype=np.int64)]] > 0
    if not (panel_bounds(inst, search.pool, flags, 2, least=True)[flags] >= threshold).any():
        known = {tuple(int(a) for a in row) for row in search.known.tolist()}
        assert {p for p in by_agent if len(grown & set(p)) == 2} <= known
