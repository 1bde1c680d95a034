"""The panel service on the demo data: proposed panels keep every hard rule, score like the checker,
honour the registrar's locks, disclose orange conflicts and come out the same every run."""

from __future__ import annotations

import pytest

from matching.core.config import Locks, SolveConfig
from matching.core.errors import UnknownIdError
from matching.core.paths import demo_dir
from matching.io.loading import load_folder
from matching.io.results import DisputeResult
from matching.io.rulesets import load_rule_set
from matching.panel.service import check_panel, propose, why_not
from matching.rules.checker import chair_breaches, mediator_breaches, panel_breaches
from matching.rules.workspace import Workspace
from tests.factories import dispute_row
from tests.strategies import build_workspace, person

RULE_SETS = ("iomed", "icsid", "uncitral-list")
# Panels of 1, 2, 3 and 5; strict, majority and consent; ranked names; orange conflicts; three parties.
SAMPLE = ("D001", "D005", "D006", "D019", "D020", "D028", "D033", "D043", "D054", "D068")
CONFIG = SolveConfig(candidates=3)


@pytest.fixture(scope="module")
def ws() -> Workspace:
    return Workspace(load_folder(demo_dir()))


@pytest.fixture(scope="module")
def d030(ws: Workspace) -> DisputeResult:
    result = propose(ws, "D030", load_rule_set("iomed"), CONFIG)
    assert result.status == "optimal" and len(result.panels) == 3
    return result


def assert_well_formed(result: DisputeResult, k: int, candidates: int = 3) -> None:
    assert result.status == "optimal"
    assert result.objective is not None and result.best_bound is not None
    assert result.best_bound == pytest.approx(result.objective, abs=1e-9)  # proven: no gap
    assert result.infeasibility is None
    assert [p.rank for p in result.panels] == list(range(1, candidates + 1))
    assert result.panels[0].objective == result.objective
    objectives = [p.objective for p in result.panels]
    assert objectives == sorted(objectives, reverse=True)
    sets = [frozenset(p.member_ids) for p in result.panels]
    assert len(set(sets)) == len(sets)
    for p in result.panels:
        assert len(p.member_ids) == len(set(p.member_ids)) == k
        assert [s.role.value for s in p.members].count("chair") == 1
        assert p.member_ids[0] == p.chair_id
        assert p.why


@pytest.mark.parametrize("rule_name", RULE_SETS)
@pytest.mark.parametrize("dispute_id", SAMPLE)
def test_every_proposed_panel_keeps_every_hard_rule(ws: Workspace, dispute_id: str, rule_name: str) -> None:
    rule_set = load_rule_set(rule_name)
    result = propose(ws, dispute_id, rule_set, CONFIG)
    dispute = ws.dispute(dispute_id)
    view = ws.view(dispute, rule_set)
    assert_well_formed(result, dispute.panel_size)
    for p in result.panels:
        people = [ws.data.mediator(mid) for mid in p.member_ids]
        assert panel_breaches(view, people, ws.data.mediator(p.chair_id)) == [], (dispute_id, p.member_ids)

        # Scoring the panel from outside gives the solver's numbers exactly.
        check = check_panel(ws, dispute_id, p.member_ids, rule_set)
        assert check.feasible and check.violations == []
        assert check.scores is not None
        assert check.scores.objective == p.objective
        assert check.scores.components() == p.scores

        # Orange conflicts of members are disclosed, with their note.
        for mid in p.member_ids:
            conflict = view.conflicts.get(mid)
            if conflict is not None and conflict.category == "orange":
                assert any(d.mediator_id == mid and d.category == "orange" for d in p.disclosures), (dispute_id, mid)
        for d in p.disclosures:
            assert d.mediator_id in p.member_ids and d.category == "orange"


@pytest.mark.parametrize("dispute_id", ["D005", "D020", "D068"])
def test_the_chair_is_the_best_chair(ws: Workspace, dispute_id: str) -> None:
    rule_set = load_rule_set("iomed")
    result = propose(ws, dispute_id, rule_set, CONFIG)
    for p in result.panels:
        for other in p.member_ids[1:]:
            seated = [other, *(m for m in p.member_ids if m != other)]
            check = check_panel(ws, dispute_id, seated, rule_set)
            assert not check.feasible or check.scores is None or check.scores.objective <= p.objective


# --- locks -------------------------------------------------------------------------------------


def test_include_lock_forces_the_member_in(ws: Workspace, d030: DisputeResult) -> None:
    best = set(d030.panels[0].member_ids)
    outsider = next(mid for p in d030.panels[1:] for mid in p.member_ids if mid not in best)
    result = propose(ws, "D030", load_rule_set("iomed"), CONFIG, Locks(include=frozenset({outsider})))
    assert_well_formed(result, 3)
    assert all(outsider in p.member_ids for p in result.panels)
    assert result.objective is not None and d030.objective is not None
    assert result.objective <= d030.objective


def test_exclude_lock_keeps_members_out(ws: Workspace, d030: DisputeResult) -> None:
    out = frozenset(d030.panels[0].member_ids[:2])
    result = propose(ws, "D030", load_rule_set("iomed"), CONFIG, Locks(exclude=out))
    assert_well_formed(result, 3)
    assert all(not out & set(p.member_ids) for p in result.panels)
    assert result.objective is not None and d030.objective is not None
    assert result.objective < d030.objective


def test_chair_lock_fixes_the_chair(ws: Workspace, d030: DisputeResult) -> None:
    rule_set = load_rule_set("iomed")
    view = ws.view(ws.dispute("D030"), rule_set)
    best = d030.panels[0]
    chair = next(mid for mid in best.member_ids[1:] if not chair_breaches(view, ws.data.mediator(mid)))
    result = propose(ws, "D030", rule_set, CONFIG, Locks(chair=chair))
    assert_well_formed(result, 3)
    assert all(p.chair_id == chair and p.member_ids[0] == chair for p in result.panels)
    check = check_panel(ws, "D030", result.panels[0].member_ids, rule_set)
    assert check.feasible and check.scores is not None
    assert check.scores.objective == result.objective


def test_lock_of_an_ineligible_mediator_is_infeasible(ws: Workspace) -> None:
    # M0437 has a non-waivable red conflict in D002.
    result = propose(ws, "D002", load_rule_set("iomed"), CONFIG, Locks(include=frozenset({"M0437"})))
    assert result.status == "infeasible"
    assert result.panels == []
    assert result.infeasibility is not None
    assert "locks" in result.infeasibility["conflicting_rules"]
    assert "H2" in result.infeasibility["conflicting_rules"]


def test_chair_lock_on_someone_who_cannot_chair_is_infeasible(ws: Workspace) -> None:
    rule_set = load_rule_set("iomed")
    view = ws.view(ws.dispute("D054"), rule_set)
    # D054 works in Khmer: a mediator without Khmer may sit but may not chair.
    sitter = next(
        m.mediator_id for m in ws.data.mediators if not mediator_breaches(view, m) and "km" not in m.languages
    )
    result = propose(ws, "D054", rule_set, CONFIG, Locks(chair=sitter))
    assert result.status == "infeasible"
    assert result.infeasibility is not None
    assert "locks" in result.infeasibility["conflicting_rules"]


def test_contradictory_locks_propose_nobody_excluded(ws: Workspace, d030: DisputeResult) -> None:
    """Regression: a name both locked in and locked out used to be proposed (reduce=True)."""
    mid = d030.panels[0].member_ids[0]
    locks = Locks(include=frozenset({mid}), exclude=frozenset({mid}))
    result = propose(ws, "D030", load_rule_set("iomed"), CONFIG, locks)
    assert all(mid not in p.member_ids for p in result.panels)
    assert result.status == "infeasible"
    assert result.infeasibility is not None
    assert result.infeasibility["conflicting_rules"] == ["locks"]


def test_lock_of_an_unknown_mediator_is_refused(ws: Workspace) -> None:
    with pytest.raises(UnknownIdError):
        propose(ws, "D030", load_rule_set("iomed"), CONFIG, Locks(include=frozenset({"M9999"})))


# --- disclosure, determinism, why-not -----------------------------------------------------------


def test_orange_conflict_is_disclosed_and_penalised() -> None:
    mediators = [person("X", "MEX", "en"), person("Y", "CHN", "en", expertise="")]
    dispute = dispute_row("D1", parties="ETH;SDN", languages="en", panel_size=1, description="")
    note = "Sat with counsel for Sudan in 2022"
    orange = [{"mediator_id": "X", "dispute_id": "D1", "category": "orange", "waived": "false", "note": note}]
    rule_set = load_rule_set("iomed")
    plain = build_workspace(mediators, [dispute])
    flagged = build_workspace(mediators, [dispute], conflicts=orange)

    before = check_panel(plain, "D1", ["X"], rule_set)
    after = check_panel(flagged, "D1", ["X"], rule_set)
    assert after.feasible
    assert before.scores is not None and after.scores is not None
    assert after.scores.orange_members == 1
    penalty = rule_set.weights.orange_penalty
    assert before.scores.objective - after.scores.objective == pytest.approx(penalty, abs=1e-9)

    result = propose(flagged, "D1", rule_set, SolveConfig(candidates=2))
    panel = next(p for p in result.panels if p.member_ids == ["X"])
    assert [(d.mediator_id, d.category, d.note) for d in panel.disclosures] == [("X", "orange", note)]
    assert panel.objective == after.scores.objective


def test_same_seed_same_proposals(ws: Workspace) -> None:
    def run(workspace: Workspace) -> list[tuple[object, ...]]:
        result = propose(workspace, "D028", load_rule_set("uncitral-list"), SolveConfig(candidates=4, seed=3))
        return [(p.member_ids, p.chair_id, p.objective, p.scores, p.why, p.disclosures) for p in result.panels]

    first = run(ws)
    assert len(first) == 4
    assert run(ws) == first
    assert run(Workspace(load_folder(demo_dir()))) == first


def test_why_not_names_the_rule_an_ineligible_mediator_breaks(ws: Workspace) -> None:
    answer = why_not(ws, "D002", "M0437", load_rule_set("iomed"))
    assert [b.rule for b in answer.breaches] == ["H2"]
    assert any("(H2)" in line and "M0437" in line for line in answer.sentences())


def test_why_not_prices_an_eligible_mediator(ws: Workspace, d030: DisputeResult) -> None:
    rule_set = load_rule_set("iomed")
    on_best = why_not(ws, "D030", d030.panels[0].member_ids[1], rule_set)
    assert on_best.on_best_panel

    best = set(d030.panels[0].member_ids)
    outsider = next(mid for p in d030.panels[1:] for mid in p.member_ids if mid not in best)
    answer = why_not(ws, "D030", outsider, rule_set)
    assert answer.breaches == [] and not answer.on_best_panel
    assert answer.best_objective == d030.objective
    assert answer.forced_objective is not None and answer.drop is not None
    assert answer.drop >= 0
    assert outsider in answer.forced_panel
    assert answer.replaces and not set(answer.replaces) & set(answer.forced_panel)


def test_why_not_honours_the_registrars_locks(ws: Workspace, d030: DisputeResult) -> None:
    rule_set = load_rule_set("iomed")
    best = d030.panels[0].member_ids
    out = best[1]
    excluded = why_not(ws, "D030", out, rule_set, locks=Locks(exclude=frozenset({out})))
    assert excluded.excluded_by_lock and excluded.forced_objective is None
    name = ws.data.mediator(out).name
    assert excluded.sentences()[0].startswith(f"{name} ({out}) is excluded by your lock")

    # The cost is measured against the best panel under the same locks: the first card the registrar sees.
    kept = best[2]
    locks = Locks(include=frozenset({kept}), exclude=frozenset({out}))
    shown = propose(ws, "D030", rule_set, CONFIG, locks)
    outsider = next(
        m.mediator_id
        for m in ws.data.mediators
        if m.mediator_id not in {*best, *shown.panels[0].member_ids}
        and not why_not(ws, "D030", m.mediator_id, rule_set).breaches
    )
    answer = why_not(ws, "D030", outsider, rule_set, locks=locks)
    assert answer.best_objective == shown.panels[0].objective
    assert kept in answer.forced_panel and out not in answer.forced_panel and outsider in answer.forced_panel
    assert kept not in answer.replaces and out not in answer.replaces
    text = " ".join(answer.sentences())
    assert f"{shown.panels[0].objective:.4f}" in text and "with your locks" in text
    assert f"({out})" not in text  # the excluded mediator is never named as part of a panel
    assert f"{ws.data.mediator(outsider).name} ({outsider})" in text

    locked = why_not(ws, "D030", kept, rule_set, locks=locks)
    assert locked.on_best_panel and "locked onto every panel" in locked.sentences()[0]
