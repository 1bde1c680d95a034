"""Count narrowing of the dispute lottery's pricing (``_SearchPricing._counted``): ``panel_bounds`` with members
flagged by a count (their weight in units) and others needing at least a count of their own (``least``, ``need``),
and the pricing it narrows, held to brute force over every panel of small rosters (panels of three and five)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import matching.lottery.dispute
from matching.lottery.dispute import _SearchPricing
from matching.lottery.engine import Pricing
from matching.panel.bounds import panel_bounds
from tests.strategies import COUNTRIES, Roster, best_of, brute_force, rosters
from tests.test_dispute_lottery_scale import SLOW, _five_member_rosters, _searched, _with_party


def _check_counts(roster: Roster, cap: int | None, third: str | None, data: st.DataObject) -> None:
    rules, ws, inst = _with_party(roster, cap, third)
    panels = best_of(brute_force(ws, rules, via_check_panel=False))
    counts = np.array([data.draw(st.integers(0, 3), label=f"count {mid}") for mid in inst.ids], dtype=np.int64)
    room = data.draw(st.integers(0, 3 * inst.k), label="room")
    need = None
    if data.draw(st.booleans(), label="a need per mediator"):
        need = np.array([data.draw(st.integers(0, room), label=f"need {mid}") for mid in inst.ids])
    bounds = panel_bounds(inst, list(range(inst.n)), counts, room, least=True, need=need)
    index = {mid: i for i, mid in enumerate(inst.ids)}
    wanted = np.full(inst.n, room) if need is None else need
    best: dict[str, int] = {}
    for members, value in panels.items():
        for mid in members:
            others = sum(int(counts[index[m]]) for m in members - {mid})
            if others >= wanted[index[mid]]:
                best[mid] = max(best.get(mid, value), value)
    event(f"k={inst.k}, room past k: {room >= inst.k}, needs: {need is not None}, counted: {min(len(best), 3)}")
    for mid, value in best.items():
        assert bounds[index[mid]] >= value, (mid, int(bounds[index[mid]]), value, room)


@settings(max_examples=30, **SLOW)  # type: ignore[call-overload]
@given(
    rosters(min_size=6, max_size=11, sizes=(2, 3, 5), crowded=True) | rosters(min_size=6, max_size=11, sizes=(3, 5)),
    st.sampled_from([None, 0, 2]),
    st.sampled_from([None, *COUNTRIES[:4]]),
    st.data(),
)
def test_panel_bounds_with_counted_others_at_least_bound_those_panels(
    roster: Roster, cap: int | None, third: str | None, data: st.DataObject
) -> None:
    """With members flagged by counts of 0 to 3 and ``least`` (others counting at least ``room``, or each mediator's
    own ``need``), each mediator's bound is at least the objective of the best such panel holding them (brute force;
    rooms past k included, which counts larger than 1 can reach)."""
    _check_counts(roster, cap, third, data)


@settings(max_examples=6, **SLOW)  # type: ignore[call-overload]
@given(_five_member_rosters(), st.data())
def test_panel_bounds_with_counted_others_hold_for_five_member_panels(roster: Roster, data: st.DataObject) -> None:
    """The same for five-member panels, where most drawn rosters have many panels."""
    _check_counts(roster, None, None, data)


def _counted_only(patch: pytest.MonkeyPatch) -> None:
    """Pricing reaches ``_counted`` at once: no search of the whole pool, no level-by-level or Lagrangian
    narrowing, no greedy panels among the heaviest."""
    patch.setattr(matching.lottery.dispute, "NARROW_FROM", 0)
    patch.setattr(matching.lottery.dispute, "NARROW_VALUES", 0)
    patch.setattr(matching.lottery.dispute, "FULL_WEIGHT_FROM", 10**9)
    patch.setattr(_SearchPricing, "_lagrangian", lambda self, w_pool, above, restriction: None)
    patch.setattr(_SearchPricing, "_whole", lambda self, w_pool, above: None)


@settings(max_examples=15, **SLOW)  # type: ignore[call-overload]
@given(
    rosters(min_size=9, max_size=13, sizes=(3, 5)) | _five_member_rosters(),
    st.sampled_from([0.0, 0.9, 0.97, 1.0]),
    st.data(),
)
def test_counted_pricing_is_exact_against_brute_force(roster: Roster, floor: float, data: st.DataObject) -> None:
    """Priced by ``_counted`` alone (weights of few small values, as the later leximin levels have them, times a
    common factor), the answer weighs exactly the most any acceptable panel weighs (brute force) whenever the count
    narrowing answers, also when the heaviest panel is known already (then it proves it without a panel); every
    panel handed over is acceptable."""
    searched = _searched(roster, floor, data)
    if searched is None:
        return
    inst, _threshold, _expected, agents, by_agent, search = searched
    with pytest.MonkeyPatch.context() as patch:
        _counted_only(patch)
        for _ in range(3):
            factor = data.draw(st.sampled_from([1, 3]), label="common factor")
            weights = factor * np.array([data.draw(st.integers(0, 2), label="w") for _ in agents], dtype=np.int64)
            if data.draw(st.booleans(), label="every acceptable panel known"):
                search.learn(search.pool_rows(np.asarray(sorted(by_agent), dtype=np.int64)))
            before = search.counted
            answer = search.best(weights, None)
            best = max(int(weights[list(p)].sum()) for p in by_agent)
            event(f"k={inst.k}, answered: {answer is not None}, counted: {search.counted > before}")
            if answer is None:
                continue  # the count narrowing gave up (a panel past COUNT_ROOM units, or a search past its cap)
            assert_heaviest(answer, best, weights, by_agent)


def price_with_known(
    search: _SearchPricing, known: set[tuple[int, ...]], weights: np.ndarray
) -> tuple[int, Pricing | None]:
    """``search`` asked for ``weights``' heaviest panel with ``known`` (rows of agents) as its known panels: the
    heaviest known weight before the call, and the answer."""
    search.known = np.asarray(sorted(known), dtype=np.int64)
    search._incidence = None
    above = int((search.incidence(len(weights)) @ weights).max())
    return above, search.best(weights, None)


def assert_heaviest(answer: Pricing, best: int, weights: np.ndarray, by_agent: set[tuple[int, ...]]) -> None:
    """A proven answer of weight ``best`` (the heaviest acceptable panel's, by brute force): its panel and its further
    columns are acceptable panels (``by_agent``)."""
    assert answer.proven and answer.panel is not None
    assert answer.value == best == int(weights[list(answer.panel)].sum())
    assert tuple(sorted(answer.panel)) in by_agent
    assert {tuple(sorted(p)) for p in answer.others} <= by_agent


@settings(max_examples=50, deadline=None)
@given(
    st.integers(1, 5),
    st.lists(st.lists(st.lists(st.integers(0, 30), min_size=5, max_size=5), max_size=20), min_size=1, max_size=6),
)
def test_known_panels_stay_unique_in_lexicographic_order(k: int, batches: list[list[list[int]]]) -> None:
    # _add keeps the known panels as np.unique(axis=0) would, batch after batch (rows of instance indices mapped to
    # agents, each row's members sorted), whatever repeats the batches hold.
    search = SimpleNamespace(agent=np.arange(31, dtype=np.int64)[::-1].copy(), inst=SimpleNamespace(k=k))
    search.known = np.zeros((0, k), dtype=np.int64)
    added = [search.known]
    for batch in batches:
        rows = np.asarray([row[:k] for row in batch], dtype=np.int64).reshape(-1, k)
        _SearchPricing._add(search, rows)  # type: ignore[arg-type]
        added.append(np.sort(search.agent[rows], axis=1))
        assert np.array_equal(search.known, np.unique(np.vstack(added), axis=0))
