"""``panel_bounds``' programme in 32-bit cells (``_programme_dtype``): the same bounds as in 64 bits, for every kind of
pass the lottery asks (plain, a room for flagged members, ``least`` with counts and needs, Lagrangian ``extra``), also
with values pushed up to the edge of the 32-bit range, and 64 bits past it."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import matching.panel.bounds
from matching.panel.bounds import SPAN32, _programme_dtype, panel_bounds
from matching.rules.kernel import chair_values, separable_values
from tests.strategies import COUNTRIES, Roster, rosters
from tests.test_dispute_lottery_scale import SLOW, _five_member_rosters, _with_party


def _wide(*args, **kwargs) -> np.ndarray:  # type: ignore[no-untyped-def]
    """``panel_bounds`` with the programme held to 64-bit cells (the formula before the 32-bit one)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(matching.panel.bounds, "SPAN32", 0)
        return panel_bounds(*args, **kwargs)


@settings(max_examples=40, **SLOW)  # type: ignore[call-overload]
@given(
    _five_member_rosters() | rosters(min_size=6, max_size=11, sizes=(2, 3, 5), crowded=True),
    st.sampled_from([None, 0, 2]),
    st.sampled_from([None, *COUNTRIES[:4]]),
    st.sampled_from(["plain", "room", "least", "need", "extra", "edge"]),
    st.data(),
)
def test_the_32_bit_programme_gives_the_64_bit_bounds(
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
