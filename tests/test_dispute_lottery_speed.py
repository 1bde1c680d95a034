"""Speed-only changes to the dispute lottery held to what they replace: ``_unique_rows`` to ``np.unique`` over
rows, the master LP's columns (``_sparse_columns``) to one ``np.unique`` per panel, the weak-duality bound summed
per fixed value to the sum per agent, and ``panel_bounds`` (whose programme moves fewer member counts) pinned to
the answers of the programme before (main 098dacb) on a seeded demo roster, for each kind of pass pricing makes."""

from __future__ import annotations

import hashlib
import tempfile
from fractions import Fraction
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from matching.demo.generate import write_demo_data
from matching.io.loading import load_folder
from matching.io.rulesets import load_rule_set
from matching.lottery.dispute import _unique_rows
from matching.lottery.engine import _Engine, _sparse_columns
from matching.panel.bounds import panel_bounds
from matching.rules.encoding import PanelInstance, encode
from matching.rules.workspace import Workspace


@settings(max_examples=200, deadline=None)
@given(arrays(np.int64, st.tuples(st.integers(1, 60), st.integers(1, 6)), elements=st.integers(-3, 3)))
def test_unique_rows_are_numpys(rows: np.ndarray) -> None:
    distinct, inverse = _unique_rows(rows)
    expected, expected_inverse = np.unique(rows, axis=0, return_inverse=True)
    assert np.array_equal(distinct, expected)
    assert np.array_equal(inverse, expected_inverse.ravel())
    assert np.array_equal(distinct[inverse], rows)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 10), st.data())
def test_sparse_columns_are_one_unique_per_panel(n: int, data: st.DataObject) -> None:
    agents = sorted(data.draw(st.sets(st.integers(0, n - 1)), label="agents"))
    row_of = np.full(n + 1, -1, dtype=np.int64)  # as _Master's: agent -> row, n the padding
    row_of[agents] = np.arange(1, len(agents) + 1)
    member = st.integers(0, n)
    panels = data.draw(st.lists(st.lists(member, min_size=1, max_size=6).map(tuple), min_size=1, max_size=6))
    starts: list[int] = []
    index: list[int] = []
    values: list[float] = []
    for panel in panels:  # the formula before: one np.unique per panel
        starts.append(len(index))
        rows, counts = np.unique(row_of[list(panel)], return_counts=True)
        keep = rows >= 0
        index.extend([0, *(int(r) for r in rows[keep])])
        values.extend([1.0, *(float(c) for c in counts[keep])])
    got = _sparse_columns(row_of, panels)
    assert [a.tolist() for a in got] == [starts, index, values]
    assert [a.dtype for a in got] == [np.int32, np.int32, np.float64]


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 30), st.data())
def test_level_bound_summed_per_value_is_the_sum_per_agent(n: int, data: st.DataObject) -> None:
    weights = np.asarray(data.draw(st.lists(st.integers(0, 2**40), min_size=n, max_size=n)), dtype=np.int64)
    mult = np.asarray(data.draw(st.lists(st.integers(1, 4), min_size=n, max_size=n)), dtype=np.int64)
    values = st.sampled_from([0.0, 1.0, 1 / 3, 1 / 2995, 0.1]) | st.floats(0, 1)
    fixed = data.draw(st.dictionaries(st.integers(0, n - 1), values), label="fixed")
    free = [a for a in range(n) if a not in fixed]
    best = data.draw(st.integers(0, 2**45), label="best")
    got = _Engine.level_bound(SimpleNamespace(mult=mult), weights, best, fixed, free)  # type: ignore[arg-type]
    total = int((weights[free] * mult[free]).sum())
    if total <= 0:
        assert got is None
        return
    held = sum((Fraction(int(weights[j]) * int(mult[j])) * Fraction(f) for j, f in fixed.items()), Fraction(0))
    assert got == (Fraction(best) - held) / total


# sha256 of every answer below, by main 098dacb's programme (before it moved only the states of one or more members).
PINNED = "94cbce02fda1b581f4c48b4b5ea4893a08dd7cda1b66328337ebb9877f6672c3"


@pytest.fixture(scope="module")
def demo_instance() -> PanelInstance:
    with tempfile.TemporaryDirectory() as tmp:
        write_demo_data(Path(tmp), seed=11, mediators=400, disputes=20)
        ws = Workspace(load_folder(Path(tmp)))
    dispute = next(d for d in ws.data.disputes if d.panel_size == 5)
    return encode(ws, ws.view(dispute, load_rule_set("iomed")))


def test_panel_bounds_answers_are_pinned(demo_instance: PanelInstance) -> None:
    """Plain, with room, ``least`` with room 1 and 2, counted with ``need``, and with ``extra``: the same numbers."""
    inst = demo_instance
    rng = np.random.default_rng(7)
    pool = sorted(rng.choice(inst.n, size=min(inst.n, 150), replace=False).tolist())
    flags = rng.random(len(pool)) < 0.3
    counts = rng.integers(0, 3, size=len(pool))
    extra = rng.integers(0, 50_000, size=len(pool))
    answers = [
        panel_bounds(inst, pool),
        panel_bounds(inst, pool, flags, 1),
        panel_bounds(inst, pool, flags, 2),
        panel_bounds(inst, pool, flags, 1, least=True),
        panel_bounds(inst, pool, flags, 2, least=True),
        panel_bounds(inst, pool, counts, 4, least=True, need=4 - counts),
        panel_bounds(inst, pool, counts, 3, least=True, need=np.maximum(0, 3 - counts)),
        panel_bounds(inst, pool, extra=extra),
    ]
    digest = hashlib.sha256(b"".join(np.asarray(a, dtype=np.int64).tobytes() for a in answers)).hexdigest()
    assert digest == PINNED
