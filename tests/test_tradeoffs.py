"""Trade-off explorer: the frontier equals brute force, weight ranges and sensitivity are consistent."""

from __future__ import annotations

import math
from concurrent.futures import ProcessPoolExecutor

import pytest
from hypothesis import HealthCheck, given, settings

from matching.core.config import SolveConfig
from matching.core.paths import demo_dir
from matching.io.loading import load_folder
from matching.io.rulesets import load_rule_set
from matching.panel.model import solve_instance
from matching.panel.service import propose
from matching.panel.tradeoffs import (
    IMPARTIALITY_SCALE,
    Frontier,
    frontier,
    frontier_weights,
    impartiality_int,
    sensitivity,
)
from matching.rules.encoding import encode
from matching.rules.scoring import SCORE_SCALE
from matching.rules.workspace import Workspace
from tests.strategies import DISPUTE_ID, Roster, brute_force, rosters

IOMED = load_rule_set("iomed")


def axes_int(front: Frontier) -> list[tuple[int, int]]:
    return [
        (round(p.axes["expertise"] * SCORE_SCALE), round(p.axes["impartiality"] * IMPARTIALITY_SCALE))
        for p in front.points
    ]


def brute_frontier(ws: Workspace, k: int) -> list[tuple[int, int]]:
    """Non-dominated (best expertise over chairs, impartiality) pairs of every feasible panel."""
    values = set()
    for chairs in brute_force(ws, IOMED).values():
        any_scores = next(iter(chairs.values()))
        values.add((max(s.expertise for s in chairs.values()), impartiality_int(k, any_scores)))
    front = [v for v in values if not any(o != v and o[0] >= v[0] and o[1] >= v[1] for o in values)]
    return sorted(front, key=lambda v: (-v[0], v[1]))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(roster=rosters(min_size=6, max_size=11, sizes=(1, 2, 3)))
def test_frontier_equals_the_brute_force_non_dominated_set(roster: Roster) -> None:
    ws = roster.workspace()
    k = ws.dispute(DISPUTE_ID).panel_size
    expected = brute_frontier(ws, k)
    for reduce in (True, False):
        front = frontier(ws, DISPUTE_ID, IOMED, SolveConfig(reduce=reduce))
        assert axes_int(front) == expected
        for point in front.points:
            check_members = point.member_ids
            assert len(check_members) == k and point.members[0].role.value == "chair"
    if expected:
        assert front.points[0].price_of_neutrality == 0.0
        assert all(
            a.price_of_neutrality <= b.price_of_neutrality for a, b in zip(front.points, front.points[1:], strict=False)
        )


def ratio_inside(low: float, high: float | None) -> float | None:
    """A weight with two decimals strictly inside (low, high), as rule sets take hundredths."""
    candidate = math.floor(low * 100 + 1) / 100
    if high is None:
        return candidate
    return candidate if candidate < high - 1e-9 else None


@pytest.fixture(scope="module")
def demo() -> Workspace:
    return Workspace(load_folder(demo_dir()))


@pytest.mark.parametrize("dispute_id", ["D002", "D005", "D062", "D057"])
def test_weight_ranges_name_the_panel_that_solve_returns(demo: Workspace, dispute_id: str) -> None:
    front = frontier(demo, dispute_id, IOMED)
    k = demo.dispute(dispute_id).panel_size
    assert len(front.points) >= 2
    supported = [p for p in front.points if p.weight_range is not None]
    assert supported[0] is front.points[0] and supported[-1] is front.points[-1]
    checked = 0
    for point in supported:
        assert point.weight_range is not None
        ratio = ratio_inside(*point.weight_range)
        if ratio is None:
            continue
        result = propose(demo, dispute_id, frontier_weights(IOMED, k, ratio), SolveConfig(candidates=1))
        best = result.panels[0]
        e = round(best.scores["expertise"] * SCORE_SCALE)
        i = round(best.scores["neutrality"] * SCORE_SCALE) * (2 if k == 1 else 1)
        if k > 1:
            i += round(best.scores["diversity"] * SCORE_SCALE)
        assert (e, i) == (
            round(point.axes["expertise"] * SCORE_SCALE),
            round(point.axes["impartiality"] * IMPARTIALITY_SCALE),
        ), (ratio, point.weight_range)
        checked += 1
    assert checked >= 2


def test_frontier_runs_through_a_process_pool(demo: Workspace) -> None:
    threads = frontier(demo, "D005", IOMED)
    with ProcessPoolExecutor(max_workers=2) as pool:
        processes = frontier(demo, "D005", IOMED, executor=pool)
    assert axes_int(processes) == axes_int(threads)


def test_neighbours_differ_by_who_joins_and_leaves(demo: Workspace) -> None:
    front = frontier(demo, "D002", IOMED)
    for before, after in zip(front.points, front.points[1:], strict=False):
        assert set(after.member_ids) == (set(before.member_ids) - set(after.leaves)) | set(after.joins)
        assert after.joins and len(after.joins) == len(after.leaves)


@pytest.mark.parametrize("dispute_id", ["D002", "D003"])
def test_sensitivity_edges_are_where_the_best_panel_changes(demo: Workspace, dispute_id: str) -> None:
    ranges = sensitivity(demo, dispute_id, IOMED)
    inst = encode(demo, demo.view(demo.dispute(dispute_id), IOMED))
    base = solve_instance(inst, SolveConfig(candidates=1)).panels[0]
    moved = 0
    for r in ranges:
        assert r.lower <= r.weight and (r.upper is None or r.upper >= r.weight)
        if r.upper is None or r.panel_above is None:
            continue
        inside = math.floor(r.upper * 100 - 1e-9) / 100
        beyond = math.floor(r.upper * 100) / 100 + 0.01
        for weight, same in ((inside, True), (beyond, False)):
            if weight < r.weight:
                continue
            rule_set = IOMED.with_weights(**{r.component: weight})
            trial = encode(demo, demo.view(demo.dispute(dispute_id), rule_set))
            best = solve_instance(trial, SolveConfig(candidates=1)).panels[0]
            ours = trial.evaluate(base.members, base.chair).objective_int
            if same:
                assert best.scores.objective_int == ours
            else:
                assert best.scores.objective_int > ours
        moved += 1
    assert moved >= 1
