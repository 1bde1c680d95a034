"""The dispute panel lottery: acceptable panels, exact probabilities, the independent checker, the draw,
and brute force over small random rosters."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from matching.encoding import encode
from matching.loading import load_folder
from matching.lottery import EnumeratedOracle, leximin
from matching.panel_lottery import DisputeLottery, dispute_lottery, objective_threshold
from matching.paths import demo_dir
from matching.rules import panel_breaches
from matching.rulesets import load_rule_set
from matching.scoring import OBJECTIVE_SCALE
from matching.workspace import Workspace
from tests.factories import dispute_row
from tests.strategies import DISPUTE_ID, Roster, best_of, brute_force, build_workspace, person, rosters

IOMED = load_rule_set("iomed")


@pytest.fixture(scope="module")
def demo() -> Workspace:
    return Workspace(load_folder(demo_dir()))


def assert_consistent(ws: Workspace, result: DisputeLottery, k: int) -> None:
    """Probabilities sum to k exactly; every support panel keeps every rule and meets the floor."""
    view = ws.view(ws.dispute(result.dispute_id), IOMED)
    inst = encode(ws, view)
    assert set(result.probabilities) == set(inst.ids)  # every eligible mediator, 0 or not
    assert sum(result.probabilities.values(), Fraction(0)) == (k if result.panels else 0)
    assert sum((p.probability for p in result.panels), Fraction(0)) == (1 if result.panels else 0)
    per_mediator: dict[str, Fraction] = {}
    assert result.threshold is not None or not result.panels
    for panel in result.panels:
        people = [ws.data.mediator(mid) for mid in panel.member_ids]
        chair = ws.data.mediator(panel.member_ids[0])
        assert panel.members[0].role.value == "chair" and all(s.role.value == "member" for s in panel.members[1:])
        assert panel_breaches(view, people, chair) == []
        assert result.threshold is not None and panel.objective >= result.threshold - 1e-12
        for mid in panel.member_ids:
            per_mediator[mid] = per_mediator.get(mid, Fraction(0)) + panel.probability
    for mid, p in result.probabilities.items():
        assert per_mediator.get(mid, Fraction(0)) == p
    assert sum(p.tickets for p in result.panels) == (result.tickets if result.panels else 0)


def test_objective_threshold_is_exact() -> None:
    assert objective_threshold(1000, 0.95) == 950
    assert objective_threshold(-1000, 0.95) == -1050
    assert objective_threshold(999, 0.9) == 900  # 899.1 rounds up
    assert objective_threshold(12345, 1.0) == 12345
    assert objective_threshold(12345, 0.0) == 0


def test_demo_dispute(demo: Workspace) -> None:
    result = dispute_lottery(demo, "D001", IOMED, seed=3)
    assert result.status == "optimal" and result.proven
    assert_consistent(demo, result, demo.dispute("D001").panel_size)
    assert result.minimum is not None and result.minimum > 0
    assert result.upper_bound == result.minimum  # certified exactly
    assert result.drawn is not None and result.drawn_ticket is not None
    first = result.drawn.first_ticket
    assert first <= result.drawn_ticket < first + result.drawn.tickets
    document = result.as_dict()
    for key in ("probabilities", "panels", "seed", "drawn", "draw_rule", "tickets"):
        assert key in document
    assert document["drawn"]["ticket"] == int(np.random.default_rng(3).integers(0, result.tickets))
    again = dispute_lottery(demo, "D001", IOMED, seed=3)
    assert again.as_dict() == document  # the same inputs and seed give the same panel
    other = dispute_lottery(demo, "D001", IOMED, seed=4)
    assert [p.as_dict() for p in other.panels] == document["panels"]  # the ticket list does not depend on the seed


def small_roster() -> Workspace:
    mediators = [
        person("M01", "KEN", gender="F", legal_traditions="common"),
        person("M02", "FRA", gender="M", legal_traditions="civil"),
        person("M03", "BRA", gender="F", legal_traditions="civil"),
        person("M04", "IND", gender="M", legal_traditions="common"),
        person("M05", "CHN", gender="F", legal_traditions="civil"),
        person("M06", "MEX", gender="M", legal_traditions="civil"),
        person("M07", "GBR", gender="F", legal_traditions="common", available="false"),
    ]
    return build_workspace(mediators, [dispute_row(DISPUTE_ID, parties="EGY;RUS", panel_size=3)])


def test_floor_one_keeps_only_optimal_panels() -> None:
    ws = small_roster()
    result = dispute_lottery(ws, DISPUTE_ID, IOMED, floor=1.0)
    assert result.optimum is not None
    assert all(p.objective == result.optimum for p in result.panels)
    assert_consistent(ws, result, 3)
    assert "M07" not in result.probabilities  # unavailable: not eligible


def test_lower_floor_spreads_the_chances() -> None:
    ws = small_roster()
    tight = dispute_lottery(ws, DISPUTE_ID, IOMED, floor=1.0)
    loose = dispute_lottery(ws, DISPUTE_ID, IOMED, floor=0.0)
    assert_consistent(ws, loose, 3)
    assert loose.in_some_panel >= tight.in_some_panel
    assert loose.minimum is not None and loose.minimum > 0


def test_infeasible_dispute_has_no_lottery() -> None:
    mediators = [person(f"M0{i}", "KEN") for i in range(1, 5)]  # all share a nationality: no panel of 2
    ws = build_workspace(mediators, [dispute_row(DISPUTE_ID, parties="EGY;RUS", panel_size=2)])
    result = dispute_lottery(ws, DISPUTE_ID, IOMED)
    assert result.status == "infeasible"
    assert result.panels == [] and result.drawn is None
    assert set(result.probabilities.values()) == {Fraction(0)}
    assert result.as_dict()["drawn"] is None


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(rosters(min_size=5, max_size=8, sizes=(1, 2, 3)))
def test_against_brute_force(roster: Roster) -> None:
    ws = roster.workspace()
    found = brute_force(ws, IOMED)
    result = dispute_lottery(ws, DISPUTE_ID, IOMED, floor=0.9)
    if not found:
        assert result.status == "infeasible" and not result.panels
        return
    best = best_of(found)
    optimum = max(best.values())
    assert result.optimum == optimum / OBJECTIVE_SCALE
    threshold = objective_threshold(optimum, 0.9)
    acceptable = [members for members, value in best.items() if value >= threshold]
    ids = sorted(result.probabilities)
    index = {mid: i for i, mid in enumerate(ids)}
    k = ws.dispute(DISPUTE_ID).panel_size
    reference = leximin(EnumeratedOracle(len(ids), k, [tuple(sorted(index[m] for m in s)) for s in acceptable]))
    assert result.minimum == reference.minimum
    for mid in ids:
        assert abs(float(result.probabilities[mid]) - float(reference.marginals[index[mid]])) <= 1e-7, mid
    assert {frozenset(p.member_ids) for p in result.panels} <= set(acceptable)
    assert_consistent(ws, result, k)
