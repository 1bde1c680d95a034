"""``panel_bounds``' programme as it runs now (32-bit cells when the values fit, ``_programme_dtype``; each member count
moved over the women, men and alignments it can have, the ``least`` counts held as "at least", ``_moved``) gives the
bounds of the programme before those changes (``_dense_programme`` below: 64-bit cells, every member count moved as one
block, the last spare count saturated), for every kind of pass the lottery asks (plain, a room for flagged members,
``least`` with counts and needs, Lagrangian ``extra``), also with values pushed up to the edge of the 32-bit range."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import matching.panel.bounds
from matching.panel.bounds import (
    FULL_COVERS,
    GROUPS,
    LOW,
    SPAN32,
    _cover,
    _cover_states,
    _finish,
    _groups,
    _programme_dtype,
    _reachable,
    panel_bounds,
)
from matching.rules.encoding import PanelInstance
from matching.rules.kernel import chair_values, group_bits, separable_values, tradition_bits
from tests.strategies import COUNTRIES, Roster, rosters
from tests.test_dispute_lottery_scale import SLOW, _five_member_rosters, _with_party


def _dense_programme(
    inst: PanelInstance,
    pool: np.ndarray,
    value: np.ndarray,
    lean: np.ndarray,
    balanced: bool,
    spare: np.ndarray,
    room: int,
    least: bool = False,
    need: np.ndarray | None = None,
) -> np.ndarray:
    """``_profile_programme`` as it was on 2026-12-07 (main c42202c), the reference: 64-bit cells, the states of one
    to k - 1 - m members shifted by m of a profile as one block, the spare count saturated at the room."""
    k, h = inst.k, inst.k // 2
    others = k - 1
    chair_ok = inst.chair_ok[pool].astype(bool)
    chair = np.where(chair_ok, chair_values(inst)[pool], 0).astype(np.int64)
    cover = (tradition_bits(inst, pool) << len(GROUPS)) | group_bits(inst, pool)
    states = _reachable(cover)
    female, male = inst.female[pool].astype(np.int64), inst.male[pool].astype(np.int64)
    lo = others * min(0, int(lean.min()))
    spans = others * max(0, int(lean.max())) - lo + 1
    dp = np.full((2, k, h + 1, h + 1, spans, room + 1, len(states)), LOW, dtype=np.int64)
    dp[0, 0, 0, 0, -lo, 0, 0] = 0
    keys = np.stack([cover, female, male, lean, chair_ok, spare], axis=1)
    profile = np.unique(keys, axis=0, return_inverse=True)[1].ravel()
    moved: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    base, based = dp[:, :0], -1
    for members in _groups(profile, value):
        top = value[members][:others]
        taken = np.concatenate([[0], np.cumsum(top)])
        after = np.maximum.accumulate((value[members] + chair[members])[::-1])[::-1]
        m0 = members[0]
        if not least and int(spare[m0]) > room:
            continue
        bits = int(cover[m0])
        if bits != based:
            short = dp[:, :others]
            base = _cover(short, bits) if len(states) == FULL_COVERS else _cover_states(short, states, bits, moved)
            based = bits
        cell = int(np.searchsorted(states, bits))
        updates = []
        for m in range(1, len(top) + 1):
            women, men, leaning, more = m * int(female[m0]), m * int(male[m0]), m * int(lean[m0]), m * int(spare[m0])
            if more > room and not least:
                break
            origin = (min(women, h), min(men, h), leaning - lo, min(more, room), cell)
            shifted = None
            if m < others:
                shifted = _dense_shift(base[:, 1 : others - m + 1], women, men, leaning, more, h, least)
                shifted += int(taken[m])
            best = None
            if chair_ok[m0]:
                best = int(chair[members[:m]].max())
                if m < len(members):
                    best = max(best, int(taken[m - 1]) + int(after[m]) - int(taken[m]))
            updates.append((m, origin, shifted, best))
        for update in updates:
            _dense_take(dp, base, int(taken[update[0]]), *update)
    return _finish(
        inst, dp[:, others], states, value, chair, chair_ok, cover, female, male, lean, lo, balanced, spare, need
    )


def _dense_take(
    dp: np.ndarray,
    base: np.ndarray,
    alone: int,
    m: int,
    origin: tuple[int, ...],
    shifted: np.ndarray | None,
    best: int | None,
) -> None:
    others = dp.shape[1] - 1
    for states_of in [dp, base] if m < others else [dp]:
        states_of[(0, m, *origin)] = max(int(states_of[(0, m, *origin)]), alone)
        if best is not None:
            states_of[(1, m, *origin)] = max(int(states_of[(1, m, *origin)]), alone + best)
    if shifted is None:
        return
    np.maximum(dp[:, m + 1 :], shifted, out=dp[:, m + 1 :])
    chaired = None if best is None else shifted[0] + best
    if chaired is not None:
        np.maximum(dp[1, m + 1 :], chaired, out=dp[1, m + 1 :])
    if m + 1 < others:
        np.maximum(base[:, m + 1 :], shifted[:, : others - m - 1], out=base[:, m + 1 :])
        if chaired is not None:
            np.maximum(base[1, m + 1 :], chaired[: others - m - 1], out=base[1, m + 1 :])


def _dense_shift(source: np.ndarray, women: int, men: int, lean: int, spare: int, h: int, least: bool) -> np.ndarray:
    spans, rooms = source.shape[4], source.shape[5]
    out = np.full_like(source, LOW)
    src_lean = slice(max(0, -lean), spans - max(0, lean))
    dst_lean = slice(max(0, lean), spans - max(0, -lean))
    top = rooms - 1
    for f in range(h + 1):
        for g in range(h + 1):
            into = out[:, :, min(f + women, h), min(g + men, h), dst_lean]
            part = source[:, :, f, g, src_lean]
            if not least:
                np.maximum(into[..., spare:, :], part[..., : rooms - spare, :], out=into[..., spare:, :])
                continue
            if spare < top:
                np.maximum(into[..., spare:top, :], part[..., : top - spare, :], out=into[..., spare:top, :])
            last = part[..., max(0, top - spare) :, :].max(axis=-2)
            np.maximum(into[..., top, :], last, out=into[..., top, :])
    return out


def _wide(*args, **kwargs) -> np.ndarray:  # type: ignore[no-untyped-def]
    """``panel_bounds`` with the reference programme (``_dense_programme``)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(matching.panel.bounds, "_profile_programme", _dense_programme)
        return panel_bounds(*args, **kwargs)


@settings(max_examples=60, **SLOW)  # type: ignore[call-overload]
@given(
    _five_member_rosters() | rosters(min_size=6, max_size=11, sizes=(2, 3, 5), crowded=True),
    st.sampled_from([None, 0, 2]),
    st.sampled_from([None, *COUNTRIES[:4]]),
    st.sampled_from(["plain", "room", "least", "need", "need", "need", "extra", "edge"]),
    st.data(),
)
def test_the_programme_gives_the_reference_bounds(
    roster: Roster, cap: int | None, third: str | None, kind: str, data: st.DataObject
) -> None:
    _, _, inst = _with_party(roster, cap, third)
    pool = list(range(inst.n))
    counts = np.array([data.draw(st.integers(0, 3), label=f"count {i}") for i in pool], dtype=np.int64)
    room = data.draw(st.integers(0, 3 * inst.k), label="room")
    args: dict[str, object] = {}
    if kind == "room":
        args = {"outside": counts > 0, "room": min(room, inst.k)}
    elif kind in ("least", "need"):
        args = {"outside": counts, "room": room, "least": True}
        if kind == "need":
            args["need"] = np.array([data.draw(st.integers(0, room), label=f"need {i}") for i in pool])
    elif kind in ("extra", "edge"):
        extra = counts * data.draw(st.integers(0, 50_000), label="multiplier")
        if kind == "edge":  # the largest values the 32-bit cells take (a chain adds k + 2 values and a chair bonus)
            top = int(separable_values(inst, np.asarray(pool)).max()) + int(chair_values(inst).max())
            extra = extra * 0 + (SPAN32 - 1) // (inst.k + 2) - top - data.draw(st.integers(0, 3), label="under")
        args = {"extra": extra}
    narrow = panel_bounds(inst, pool, **args)  # type: ignore[arg-type]
    wide = _wide(inst, pool, **args)
    event(f"k={inst.k}, kind={kind}, some bound: {bool((wide > matching.panel.bounds.LOW // 2).any())}")
    assert np.array_equal(narrow, wide)


def test_values_past_the_32_bit_span_take_64_bit_cells() -> None:
    chair = np.array([10, 0], dtype=np.int64)
    k = 5
    edge = (SPAN32 - 1) // (k + 2) - 10
    assert _programme_dtype(np.array([edge, -3], dtype=np.int64), chair, k) == np.int32
    assert _programme_dtype(np.array([edge + 1, 0], dtype=np.int64), chair, k) == np.int64
    assert _programme_dtype(np.array([0, -edge - 1], dtype=np.int64), chair, k) == np.int64
