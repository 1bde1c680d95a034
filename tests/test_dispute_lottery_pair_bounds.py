"""``pair_bounds``: for two mediators, an upper bound on the best panel holding both, from one programme over the pool
(the first level's mover panels screen each mediator's partners with it, ``_SearchPricing._mover_panels``). Held to
brute force over every panel of small rosters (three- and five-member panels, lean caps, two or three parties)."""

from __future__ import annotations

import numpy as np
from hypothesis import event, given, settings
from hypothesis import strategies as st

from matching.panel.bounds import pair_bounds
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
