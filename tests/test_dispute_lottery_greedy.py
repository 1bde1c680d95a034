"""The dispute lottery's greedy panels (``_greedy``: witness and candidate columns) held to a plain per-panel
version of the rule its docstring states: each open seat goes to the candidate who adds the most to the objective
(value, chair bonus, diversity, neutrality balance), among the ``GREEDY_PER_PROFILE`` best-valued of each profile,
never one who is on the panel, shares a nationality with it or passes the room for flagged members; and one greedy
seat (``_greedy_step``: the first ``GREEDY_LEAD`` candidates of each state's orders, the rest in full) held to the
plain argmax over every candidate."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import matching.lottery.dispute as dispute_module
from matching.lottery.dispute import _NO_CHAIR, GREEDY_PER_PROFILE, _greedy, _greedy_step
from matching.rules.encoding import PanelInstance, encode
from matching.rules.kernel import POPCOUNT, chair_values, group_bits, separable_values, tradition_bits
from tests.strategies import DISPUTE_ID, Roster, rosters
from tests.test_dispute_lottery_scale import IOMED, SLOW, _five_member_rosters


def _reference(
    inst: PanelInstance, pool: list[int], outside: list[int] | None, room: int, starts: list[list[int]] | None
) -> list[tuple[int, ...]]:
    k, people = inst.k, np.asarray(pool, dtype=np.int64)
    spare = [0] * len(pool) if outside is None else list(outside)
    room = k if outside is None else room
    value = separable_values(inst, people).tolist()
    chair_ok = inst.chair_ok[people].tolist()
    chair = [int(c) if ok else _NO_CHAIR for c, ok in zip(chair_values(inst)[people].tolist(), chair_ok, strict=True)]
    trads, groups = tradition_bits(inst, people).tolist(), group_bits(inst, people).tolist()
    female, male = inst.female[people].astype(int).tolist(), inst.male[people].astype(int).tolist()
    align = inst.alignment[people].astype(int).tolist()
    nats = [set(inst.mediators[i].nationalities) for i in pool]
    cost = inst.weights["neutrality"] * inst.neutral_asym_coef

    def key(j: int) -> tuple[int, ...]:
        return (trads[j], groups[j], female[j], male[j], int(chair_ok[j]), *align[j], spare[j])

    ranked = sorted(range(len(pool)), key=lambda j: (key(j), -value[j], pool[j]))
    cand = [j for n, j in enumerate(ranked) if sum(key(i) == key(j) for i in ranked[:n]) < GREEDY_PER_PROFILE]

    def terms(members: list[int]) -> int:
        """The panel-level terms but the chair bonus, of the members so far."""
        t = g = 0
        for j in members:
            t, g = t | trads[j], g | groups[j]
        f, m = sum(female[j] for j in members), sum(male[j] for j in members)
        out = inst.weights["diversity"] * (
            inst.tradition_coef * int(POPCOUNT[t]) + inst.group_coef * int(POPCOUNT[g]) + inst.gender_coef * min(f, m)
        )
        sums = [sum(align[j][p] for j in members) for p in range(len(align[0]))] if align and align[0] else []
        return out - cost * (max(sums) - min(sums)) if sums else out

    out = []
    for row in [[j] for j in range(len(pool))] if starts is None else starts:
        members = list(row)
        while len(members) < k:
            best_chair = max(chair[j] for j in members)
            now = best_chair + terms(members)
            gains = [
                (value[c] + max(best_chair, chair[c]) + terms([*members, c]) - now, -n, c)
                for n, c in enumerate(cand)
                if c not in members
                and not any(nats[c] & nats[j] for j in members)
                and not (spare[c] > 0 and sum(spare[j] for j in members) + spare[c] > room)
            ]
            if not gains:
                break
            members.append(max(gains)[2])
        if len(members) == k and sum(spare[j] for j in members) <= room:
            out.append(tuple(sorted(pool[j] for j in members)))
    return out


@settings(max_examples=20, **SLOW)  # type: ignore[call-overload]
@given(_five_member_rosters() | rosters(min_size=6, max_size=12, sizes=(3, 5)), st.data())
def test_greedy_panels_follow_the_greedy_rule(roster: Roster, data: st.DataObject) -> None:
    """From each mediator, or from drawn starts of one or two members, with or without flagged members and a room
    for them, ``_greedy`` gives exactly the panels (in order) of the per-panel rule."""
    _follows_the_rule(roster, data)


@settings(max_examples=20, **SLOW)  # type: ignore[call-overload]
@given(_five_member_rosters() | rosters(min_size=6, max_size=12, sizes=(3, 5)), st.data())
def test_greedy_panels_follow_the_greedy_rule_from_a_short_lead(roster: Roster, data: st.DataObject) -> None:
    """The same with ``GREEDY_LEAD`` of 1 to 3 and few cells a block: these rosters' candidates outnumber it, so
    the seats come from the states' leading candidates, from blocks of groups, and (a lead all barred) in full."""
    lead = data.draw(st.integers(1, 3), label="lead")
    cells = data.draw(st.sampled_from([1, 7, 4_000_000]), label="cells")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(dispute_module, "GREEDY_LEAD", lead)
        patch.setattr(dispute_module, "GREEDY_CELLS", cells)
        _follows_the_rule(roster, data)


def _follows_the_rule(roster: Roster, data: st.DataObject) -> None:
    ws = roster.workspace()
    inst = encode(ws, ws.view(ws.dispute(DISPUTE_ID), IOMED))
    assume(inst.n >= inst.k)
    pool = sorted(data.draw(st.sets(st.sampled_from(range(inst.n)), min_size=min(inst.n, inst.k)), label="pool"))
    outside = room = None
    if data.draw(st.booleans(), label="flagged"):
        outside = [data.draw(st.integers(0, 2), label="flag") for _ in pool]
        room = data.draw(st.integers(0, inst.k), label="room")
    starts = None
    if data.draw(st.booleans(), label="starts") and len(pool) >= 2:
        size = data.draw(st.integers(1, min(2, inst.k)), label="start size")
        rows = st.lists(st.sampled_from(range(len(pool))), min_size=size, max_size=size, unique=True)
        starts = data.draw(st.lists(rows, max_size=6), label="starts")
    found = _greedy(
        inst,
        pool,
        None if outside is None else np.asarray(outside, dtype=np.int64),
        room or 0,
        None if starts is None else np.asarray(starts, dtype=np.int64).reshape(-1, len(starts[0]) if starts else 1),
    )
    expected = _reference(inst, pool, outside, room or 0, starts)
    assert [tuple(int(i) for i in row) for row in found] == expected


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_greedy_step_is_the_argmax_over_every_candidate(data: st.DataObject) -> None:
    """``_greedy_step`` on drawn gains (few values, so ties are common), chair bonuses (some who may not chair), bars,
    flags and rooms left, with a drawn ``GREEDY_LEAD`` and block size: each row gets the first candidate of largest
    ``base[at, c] + max(best_chair, chair[c])`` among those it may take (none barred by a member, none flagged past the
    room left), or none (index 0, not ok) when it may take none."""
    n = data.draw(st.integers(1, 9), label="candidates")
    states = data.draw(st.integers(1, 3), label="states")
    rows = data.draw(st.integers(1, 8), label="rows")
    people = data.draw(st.integers(1, 6), label="people")
    width = data.draw(st.integers(1, 3), label="seats")
    small = st.integers(-3, 3)
    base = np.array(data.draw(st.lists(st.lists(small, min_size=n, max_size=n), min_size=states, max_size=states)))
    chair = np.array(data.draw(st.lists(small | st.just(_NO_CHAIR), min_size=n, max_size=n), label="chair"))
    best_chair = np.array(data.draw(st.lists(small | st.just(_NO_CHAIR), min_size=rows, max_size=rows)))
    at = np.array(data.draw(st.lists(st.integers(0, states - 1), min_size=rows, max_size=rows), label="at"))
    seats = np.array(
        data.draw(
            st.lists(st.lists(st.integers(0, people - 1), min_size=width, max_size=width), min_size=rows, max_size=rows)
        )
    )
    barred = np.array(
        data.draw(st.lists(st.lists(st.booleans(), min_size=n, max_size=n), min_size=people, max_size=people)),
        dtype=bool,
    )
    spare = np.array(data.draw(st.lists(st.integers(0, 2), min_size=n, max_size=n), label="spare"), dtype=np.int64)
    left = np.array(data.draw(st.lists(st.integers(-2, 3), min_size=rows, max_size=rows), label="left"), dtype=np.int64)
    lead = data.draw(st.integers(1, 10), label="lead")
    cells = data.draw(st.sampled_from([1, 5, 4_000_000]), label="cells")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(dispute_module, "GREEDY_LEAD", lead)
        patch.setattr(dispute_module, "GREEDY_CELLS", cells)
        best, ok = _greedy_step(base, chair, best_chair, at, seats, barred, spare, left)
    for r in range(rows):
        gains = [
            (int(base[at[r], c]) + max(int(best_chair[r]), int(chair[c])), -c)
            for c in range(n)
            if not barred[seats[r], c].any() and not (spare[c] > 0 and spare[c] > left[r])
        ]
        if gains:
            assert (int(best[r]), bool(ok[r])) == (-max(gains)[1], True)
        else:
            assert (int(best[r]), bool(ok[r])) == (0, False)
