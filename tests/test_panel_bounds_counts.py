"""``panel_bounds``' programme moves the women and men counts of a member count as one block (``_counted_up``): each
count raised by the profile's, those past h merged into h by their best. Held to the count-by-count moves it replaced."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.panel.bounds import _counted_up


@settings(max_examples=200, deadline=None)
@given(
    st.integers(0, 3),  # h
    st.integers(1, 4),  # counts in the block
    st.integers(0, 6),  # counts added
    st.sampled_from([1, 2]),  # axis
    st.integers(0, 2**31 - 1),  # seed
)
def test_counted_up_is_the_count_by_count_move(h: int, size: int, more: int, axis: int, seed: int) -> None:
    """Each target count (from the slice returned) holds the best of the block's counts that reach it (count + more,
    at most h), and no target count is left out or added."""
    size = min(size, h + 1)
    shape = [2, 3, 3, 4]
    shape[axis] = size
    block = np.random.default_rng(seed).integers(-(2**30), 2**27, size=shape).astype(np.int32)
    moved, into = _counted_up(block, axis, more, h)
    expected: dict[int, np.ndarray] = {}
    for count in range(size):
        target = min(count + more, h)
        part = np.take(block, [count], axis=axis)
        expected[target] = part if target not in expected else np.maximum(expected[target], part)
    assert list(range(h + 1))[into] == sorted(expected)
    for offset, target in enumerate(sorted(expected)):
        assert np.array_equal(np.take(moved, [offset], axis=axis), expected[target])
