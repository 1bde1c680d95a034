"""The quota oracle's local search with double moves (``QuotaOracle._pair``) against brute force.

On small pools with tight quotas (some held exactly), every selection the search returns must meet the quotas and
weigh more than its start, and, with no limit on the moves it looks at (nor on the roster's size), no selection that differs from it in one or
two members may weigh more: a local optimum for double moves too. Single moves alone stop earlier on such pools (a
test below shows one).
"""

from __future__ import annotations

import tempfile
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import matching.lottery.compose as compose_module
from matching.lottery.compose import QuotaOracle, load_problem
from matching.lottery.engine import Panel


@st.composite
def tight_pools(draw: st.DrawFn) -> tuple[list[tuple[int, int]], int, list[tuple[str, str, int, int]], list[float]]:
    n = draw(st.integers(6, 12))
    seats = draw(st.integers(2, 4))
    people = [(draw(st.integers(0, 1)), draw(st.integers(0, 2))) for _ in range(n)]
    quotas = []
    for name, values, column in (("gender", 2, 0), ("region", 3, 1)):
        for value in range(values):
            available = sum(1 for p in people if p[column] == value)
            low = min(available, draw(st.integers(0, seats)))
            high = draw(st.integers(low, seats))
            quotas.append((name, f"{name}{value}", low, high))
    weights = draw(st.lists(st.floats(0.01, 1.0), min_size=n, max_size=n, unique=True))
    return people, seats, quotas, weights


def problem_of(
    folder: Path, people: list[tuple[int, int]], seats: int, quotas: list[tuple[str, str, int, int]]
) -> QuotaOracle:
    features = folder / "features.csv"
    features.write_text(
        "feature,value,min,max\n" + "".join(f"{f},{v},{lo},{hi}\n" for f, v, lo, hi in quotas), encoding="utf-8"
    )
    nominees = folder / "people.csv"
    rows = [f"p{i},gender{g},region{r}" for i, (g, r) in enumerate(people)]
    nominees.write_text("nationbuilder_id,gender,region\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return QuotaOracle(load_problem(features, nominees, seats), group=False)


def feasible_panels(oracle: QuotaOracle) -> list[Panel]:
    return [p for p in combinations(range(oracle.n), oracle.size) if oracle.problems(p) == []]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tight_pools())
def test_the_search_ends_where_no_single_or_double_move_gains(
    pool: tuple[list[tuple[int, int]], int, list[tuple[str, str, int, int]], list[float]],
) -> None:
    people, seats, quotas, weights = pool
    with tempfile.TemporaryDirectory() as folder:
        try:
            oracle = problem_of(Path(folder), people, seats, quotas)
        except Exception:  # quotas that the reader refuses (no selection can meet them): nothing to search
            return
    panels = feasible_panels(oracle)
    y = np.asarray(weights)
    with pytest.MonkeyPatch.context() as patch:  # no limit binds: every move is looked at
        for name in ("PAIR_FIRST", "PAIR_REPAIRS", "SWAP_ROUNDS", "SWAP_CANDIDATES"):
            patch.setattr(compose_module, name, 10_000)
        patch.setattr(compose_module, "PAIR_SEATS", 0)  # double moves on rosters of any size
        ends = [oracle.improve(y, [start]) for start in panels]
    for start, found in zip(panels, ends, strict=True):
        end = found[0] if found else start
        assert oracle.problems(end) == []
        if found:
            assert y[list(end)].sum() > y[list(start)].sum()
        for other in panels:
            if len(set(other) - set(end)) <= 2:
                assert y[list(other)].sum() <= y[list(end)].sum() + 1e-9, (start, end, other)


def test_a_double_move_passes_a_quota_that_no_single_move_can(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # Two seats, exactly one woman and one man, one from each region: from (woman r0, man r1) the heavier pair
    # (woman r1, man r0) is two moves away and every single move breaks a quota.
    people = [(0, 0), (1, 1), (0, 1), (1, 0)]
    quotas = [
        ("gender", "gender0", 1, 1),
        ("gender", "gender1", 1, 1),
        ("region", "region0", 1, 1),
        ("region", "region1", 1, 1),
        ("region", "region2", 0, 0),
    ]
    oracle = problem_of(tmp_path, people, 2, quotas)
    y = np.array([0.1, 0.2, 0.5, 0.6])
    monkeypatch.setattr(compose_module, "PAIR_SEATS", 2)
    assert oracle.improve(y, [(0, 1)]) == [(2, 3)]
    monkeypatch.setattr(compose_module, "PAIR_FIRST", 0)
    assert oracle.improve(y, [(0, 1)]) == []
