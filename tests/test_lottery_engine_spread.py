"""Panels found before each later leximin level (``_Engine.spread_level``) against slow references.

They are only more columns: the levels and marginals must stay the brute-force leximin's, certified and proven,
and equal to a run without them; on a pool of distinct nominees they must let the later levels close in fewer
master LP solves.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

import matching.lottery.compose as compose_module
import matching.lottery.engine as lottery_module
from matching.lottery.compose import QuotaOracle, compose, load_problem
from matching.lottery.engine import Panel, leximin
from tests.test_lottery import reference_leximin
from tests.test_lottery_engine import SwappingOracle, assert_levels_match, pools, write_pool


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools())
def test_panels_before_each_level_keep_the_leximin(pool: tuple[int, list[Panel], list[int]]) -> None:
    # An oracle with a local search, so that the panels are sought: the marginals and every level's value must be
    # the from-scratch reference's over every feasible panel, certified and proven, and the same as without them.
    n, panels, _ = pool
    oracle = SwappingOracle(n, len(panels[0]), panels)
    expected = reference_leximin(n, oracle.panels)
    lottery = leximin(oracle)
    assert_levels_match(lottery, expected)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(lottery_module._Engine, "spread_level", lambda self, covered, fixed: None)
        without = leximin(oracle)
    assert without.marginals == lottery.marginals


def test_panels_before_each_level_save_re_solves(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # 200 distinct nominees: with the panels sought before each later level the levels close in fewer master LP
    # solves, with the same exact marginals, certified and proven; every panel sought meets every quota.
    problem = load_problem(*write_pool(tmp_path, 200, 20, 5), 20)
    sought: list[Panel] = []
    real = lottery_module._Engine.spread_level

    def recording(self: lottery_module._Engine, covered: list[int], fixed: dict[int, float]) -> None:
        before = len(self.columns.panels)
        real(self, covered, fixed)
        sought.extend(self.columns.panels[before:])

    monkeypatch.setattr(lottery_module._Engine, "spread_level", recording)
    spread = compose(problem, "leximin", group=False).lottery
    assert sought
    oracle = QuotaOracle(problem, group=False)
    assert all(oracle.problems(panel) == [] for panel in sought)
    monkeypatch.setattr(lottery_module._Engine, "spread_level", lambda self, covered, fixed: None)
    single = compose(problem, "leximin", group=False).lottery
    assert spread.certified and spread.proven and single.certified and single.proven
    assert spread.marginals == single.marginals
    assert spread.stats.lp_solves < single.stats.lp_solves


def test_a_level_restarted_by_the_first_order_method_keeps_the_leximin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With the first-order threshold lowered so that a 60-nominee master counts as large, each later level's
    # first LP (after the panels sought for it) must start by the first-order method and crossover, and the
    # result must be the same exact marginals as with warm starts, certified and proven.
    problem = load_problem(*write_pool(tmp_path, 60, 12, 2), 12)
    warm = compose(problem, "leximin", group=False).lottery
    starts: list[int] = []
    real = lottery_module._Master.first_order

    def recording(self: lottery_module._Master) -> bool:
        starts.append(len(self.fixed))
        return real(self)

    monkeypatch.setattr(lottery_module._Master, "first_order", recording)
    monkeypatch.setattr(lottery_module, "FIRST_ORDER_ROWS", 10)
    restarted = compose(problem, "leximin", group=False).lottery
    assert len(warm.levels) > 1 and any(fixed > 0 for fixed in starts)
    assert restarted.marginals == warm.marginals and [level.agents for level in restarted.levels] == [
        level.agents for level in warm.levels
    ]
    assert restarted.certified and restarted.proven


def test_a_failed_first_order_restart_goes_on_from_the_kept_basis(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # When the first-order start of a restarted level fails, the solve must go on by warm primal simplex from the
    # basis it had, not from scratch: every later level's LP solve then takes exactly the iterations it takes
    # with no restart at all, and the marginals and levels are the same, certified and proven.
    problem = load_problem(*write_pool(tmp_path, 60, 12, 2), 12)
    failed: list[int] = []
    iterations: list[int] = []
    real_solve = lottery_module._Master.solve

    def failing(self: lottery_module._Master) -> bool:
        failed.append(len(self.fixed))
        self.h.clearSolver()
        return False

    def counting(self: lottery_module._Master) -> tuple[np.ndarray, np.ndarray, float]:
        result = real_solve(self)
        if self.fixed:
            iterations.append(self.h.getInfo().simplex_iteration_count)
        return result

    monkeypatch.setattr(lottery_module._Master, "first_order", failing)
    monkeypatch.setattr(lottery_module._Master, "solve", counting)
    monkeypatch.setattr(lottery_module, "FIRST_ORDER_ROWS", 10)
    # The panels this test was written with (single moves only): with the double moves' panels the rebuilt
    # factorisation after the failed start takes 70 iterations where the untouched one takes 69 (still warm).
    monkeypatch.setattr(compose_module, "PAIR_FIRST", 0)
    monkeypatch.setattr(lottery_module, "RESTART_SHARE", math.inf)
    warm = compose(problem, "leximin", group=False).lottery
    warm_iterations, iterations[:] = list(iterations), []
    monkeypatch.setattr(lottery_module, "RESTART_SHARE", 0.5)
    failed.clear()
    restarted = compose(problem, "leximin", group=False).lottery
    assert any(fixed > 0 for fixed in failed)  # a later level's restart was tried and failed
    assert iterations == warm_iterations and len(iterations) >= 2
    assert restarted.marginals == warm.marginals and restarted.certified and restarted.proven
    assert [level.agents for level in restarted.levels] == [level.agents for level in warm.levels]
