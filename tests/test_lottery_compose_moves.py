"""The quota oracle's local search counts broken quotas by matrix products (``_stuck``, ``_breaks``) and picks its
double moves' first halves without a full sort (``_first_smallest``): each must give exactly what the plain
computation gives (every seat against every class, quota by quota; a full stable sort), so the search reaches the
same selections as before, only sooner."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.lottery.compose import _breaks, _first_smallest, _stuck


@st.composite
def moves(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    quotas = draw(st.integers(1, 6))
    counts = np.array(draw(st.lists(st.integers(0, 6), min_size=quotas, max_size=quotas)))
    low = np.array(draw(st.lists(st.integers(0, 6), min_size=quotas, max_size=quotas)))
    high = low + np.array(draw(st.lists(st.integers(0, 3), min_size=quotas, max_size=quotas)))
    rows = st.lists(st.integers(0, 1), min_size=quotas, max_size=quotas)
    out = np.array(draw(st.lists(rows, min_size=1, max_size=5)), dtype=float)
    into = np.array(draw(st.lists(rows, min_size=1, max_size=5)), dtype=float)
    return counts, low, high, out, into


@settings(max_examples=150, deadline=None)
@given(moves())
def test_the_broken_quotas_after_two_moves_are_counted_exactly(
    move: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray],
) -> None:
    counts, low, high, out, into = move
    for i in range(len(out)):
        for k in range(len(into)):
            after = counts - out[i] + into[k]
            assert _breaks(counts, low, high, out, into)[i, k] == int(((after < low) | (after > high)).sum())


@settings(max_examples=150, deadline=None)
@given(moves())
def test_the_quotas_a_single_move_cannot_move_are_counted_exactly(
    move: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray],
) -> None:
    counts, low, high, out, into = move
    for i in range(len(out)):
        for k in range(len(into)):
            seat_only = (out[i] == 1) & (into[k] == 0) & (counts - 1 < low)
            class_only = (out[i] == 0) & (into[k] == 1) & (counts + 1 > high)
            assert _stuck(counts, low, high, out, into)[i, k] == int((seat_only | class_only).sum())


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(-3, 3), max_size=40), st.integers(1, 20))
def test_the_first_smallest_are_those_of_a_stable_sort(keys: list[int], count: int) -> None:
    values = np.array(keys, dtype=float)
    assert _first_smallest(values, count).tolist() == np.argsort(values, kind="stable")[:count].tolist()
