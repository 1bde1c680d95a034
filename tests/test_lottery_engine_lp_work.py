"""The master LP's work counts against the budget, and a warm solve that stalls goes on from its basis.

The master LP's solves are charged to the run's deterministic work (``_Master.charge``: simplex iterations by the
model's size, PDLP's by its nonzeros), so a budget stops a run whose LP work alone passes it, at the same point on
every run; before, only the pricing's work counted and the tail levels of a large dispute spent minutes of LP CPU
that no budget saw. A warm primal solve that stops at its iteration limit marks the level ``stalled`` (its later
warm solves run dual simplex until the next agent is fixed) and still ends at the LP's optimum.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import matching.lottery.engine as lottery_module
from matching.core.config import Budget
from matching.lottery.engine import STOPPED_BY_BUDGET, EnumeratedOracle, Panel, _Master, leximin


def _pool(n: int, k: int, seed: int, count: int) -> list[Panel]:
    rng = np.random.default_rng(seed)
    every = list(combinations(range(n), k))
    chosen = rng.choice(len(every), size=min(count, len(every)), replace=False)
    return [every[int(j)] for j in sorted(chosen)]


def test_the_lp_work_alone_runs_out_a_budget() -> None:
    oracle = EnumeratedOracle(12, 3, combinations(range(12), 3))  # its pricing charges no work at all
    assert leximin(oracle).proven
    stopped = leximin(oracle, budget=Budget(work=1e-9))
    assert stopped.stopped == STOPPED_BY_BUDGET
    assert not stopped.proven


@settings(max_examples=15, deadline=None)
@given(st.integers(6, 14), st.integers(2, 4), st.integers(0, 10_000))
def test_the_charged_lp_work_is_positive_and_the_same_on_every_run(n: int, k: int, seed: int) -> None:
    panels = _pool(n, k, seed, 3 * n)
    works = []
    for _ in range(2):
        master = _Master(list(range(n)), n)
        master.add(panels[:n])
        master.solve()
        first = master.take_work()
        master.add(panels[n:])
        master.solve()
        works.append((first, master.take_work()))
        assert master.take_work() == 0.0  # taken once
    assert works[0] == works[1]
    assert works[0][0] > 0.0


def test_a_stalled_warm_solve_ends_at_the_optimum_and_the_next_fix_resets_it(monkeypatch: pytest.MonkeyPatch) -> None:
    n = 10
    panels = _pool(n, 3, 7, 40)
    fresh = _Master(list(range(n)), n)
    fresh.add(panels)
    _, _, best = fresh.solve()
    master = _Master(list(range(n)), n)
    master.add(panels[:5])
    master.solve()
    master.add(panels[5:])
    # No warm iteration allowed: the primal run stops at its limit, then the dual one, then the cold start ends it.
    monkeypatch.setattr(lottery_module, "WARM_ITERATIONS", 0)
    monkeypatch.setattr(lottery_module, "WARM_ITERATIONS_PER_ROW", 0)
    _, _, value = master.solve()
    assert master.stalled
    assert value == pytest.approx(best, abs=1e-9)
    master.fix(0, 0.0)
    assert not master.stalled
