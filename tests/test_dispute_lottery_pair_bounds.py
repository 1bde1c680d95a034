"""``pair_bounds``: for two mediators, an upper bound on the best panel holding both, from one programme over the pool
(the first level's mover panels screen each mediator's partners with it, ``_SearchPricing._mover_panels``); and
``GroupBounds``, the same for a group of members and one more (the split on heavy members keeps only the partners it
leaves at the floor with every fixed member at once, ``_SearchPricing._branch``). Held to brute force over every panel
of small rosters (three- and five-member panels, lean caps, two or three parties)."""

from __future__ import annotations

import numpy as np
from hypothesis import event, given, settings
from hypothesis import strategies as st

from matching.panel.bounds import GroupBounds, pair_bounds, plain_programme
from tests.strategies import COUNTRIES, Roster, best_of, brute_force, rosters
from tests.test_dispute_lottery_scale import SLOW, _five_member_rosters, _with_party


def _check_pairs(roster: Roster, cap: int | None, third: str | None, data: st.DataObject) -> None:
    rules, ws, inst = _with_party(roster, cap, third)
    panels = best_of(brute_force(ws, rules, via_check_panel=False))
    everyone = np.arange(inst.n)
    if not inst.n:
        return
    rows = np.asarray(
        sorted(data.draw(st.sets(st.sampled_from(everyone.tolist()), min_size=1), label="rows")), dtype=np.int64
    )
    bounds = pair_bounds(inst, everyone.tolist(), rows, everyone)
    assert bounds.shape == (len(rows), inst.n)
    best: dict[tuple[int, int], int] = {}
    place = {mid: i for i, mid in enumerate(inst.ids)}
    for members, value in panels.items():
        held = sorted(place[mid] for mid in members)
        for a in held:
            for b in held:
                if a != b:
                    best[a, b] = max(best.get((a, b), value), value)
    event(f"k={inst.k}, parties={inst.alignment.shape[1]}, pairs in some panel: {min(len(best), 5)}")
    slack = []
    for i, a in enumerate(rows.tolist()):
        for b in range(inst.n):
            if (a, b) in best:
                assert bounds[i, b] >= best[a, b], (a, b, int(bounds[i, b]), best[a, b])
                slack.append(int(bounds[i, b]) - best[a, b])
    if slack:
        event(f"tight for some pair: {min(slack) == 0}")


@settings(max_examples=60, **SLOW)  # type: ignore[call-overload]
@given(
    rosters(min_size=6, max_size=11, sizes=(2, 3, 5), crowded=True) | rosters(min_size=6, max_size=11, sizes=(3, 5)),
    st.sampled_from([None, 0, 1, 2, 4]),
    st.sampled_from([None, *COUNTRIES[:4]]),
    st.data(),
)
def test_pair_bounds_bound_the_best_panel_holding_both(
    roster: Roster, cap: int | None, third: str | None, data: st.DataObject
) -> None:
    """Each pair's bound is at least the objective of the best panel holding both (brute force, lean caps, two or
    three parties): a pair under the floor shares no acceptable panel."""
    _check_pairs(roster, cap, third, data)


@settings(max_examples=15, **SLOW)  # type: ignore[call-overload]
@given(_five_member_rosters(), st.sampled_from([None, 0, 1, 3]), st.data())
def test_pair_bounds_hold_for_five_member_panels(roster: Roster, cap: int | None, data: st.DataObject) -> None:
    """The same for five-member panels, where most drawn rosters have many panels."""
    _check_pairs(roster, cap, None, data)


def _check_groups(roster: Roster, cap: int | None, third: str | None, data: st.DataObject) -> None:
    rules, ws, inst = _with_party(roster, cap, third)
    if inst.n < inst.k or inst.k < 2:
        return
    panels = best_of(brute_force(ws, rules, via_check_panel=False))
    place = {mid: i for i, mid in enumerate(inst.ids)}
    held = {frozenset(place[mid] for mid in members): value for members, value in panels.items()}
    everyone = list(range(inst.n))
    bound = GroupBounds(inst, plain_programme(inst, everyone))
    size = data.draw(st.integers(1, inst.k - 1), label="group size")
    if held and data.draw(st.booleans(), label="group from a panel"):
        group = sorted(data.draw(st.sampled_from(sorted(map(sorted, held))), label="panel"))[:size]
    else:
        group = sorted(data.draw(st.sets(st.sampled_from(everyone), min_size=size, max_size=size), label="group"))
    cols = np.asarray([i for i in everyone if i not in group], dtype=np.int64)
    bounds = bound(np.asarray([group], dtype=np.int64), cols)[0]
    assert bounds.shape == (len(cols),)
    if size == 1:
        assert np.array_equal(bounds, pair_bounds(inst, everyone, np.asarray(group), cols)[0])
    slack = []
    for c, b in zip(cols.tolist(), bounds.tolist(), strict=True):
        best = max((v for members, v in held.items() if c in members and members.issuperset(group)), default=None)
        if best is not None:
            assert b >= best, (group, c, b, best)
            slack.append(b - best)
    event(f"k={inst.k}, group of {size}, some panel holds one: {bool(slack)}, tight: {bool(slack) and min(slack) == 0}")


@settings(max_examples=60, **SLOW)  # type: ignore[call-overload]
@given(
    rosters(min_size=6, max_size=11, sizes=(2, 3, 5), crowded=True) | rosters(min_size=6, max_size=11, sizes=(3, 5)),
    st.sampled_from([None, 0, 1, 2, 4]),
    st.sampled_from([None, *COUNTRIES[:4]]),
    st.data(),
)
def test_group_bounds_bound_the_best_panel_holding_the_group_and_one_more(
    roster: Roster, cap: int | None, third: str | None, data: st.DataObject
) -> None:
    """For a group of 1 to k - 1 mediators (often part of an acceptable panel), each other mediator's bound is at least
    the objective of the best panel holding the group and them (brute force, lean caps, two or three parties); for a
    group of one it is ``pair_bounds``."""
    _check_groups(roster, cap, third, data)


@settings(max_examples=15, **SLOW)  # type: ignore[call-overload]
@given(_five_member_rosters(), st.sampled_from([None, 0, 1, 3]), st.data())
def test_group_bounds_hold_for_five_member_panels(roster: Roster, cap: int | None, data: st.DataObject) -> None:
    """The same for five-member panels."""
    _check_groups(roster, cap, None, data)
