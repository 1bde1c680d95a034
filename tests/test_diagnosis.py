"""Infeasibility diagnosis: the minimal set of rule families in the way, and concrete suggestions.

Hand-made disputes whose cause is known, the demo's D027 and D054, and a property: on random
rosters, the families named rule out every panel together, and dropping any one of them lets a
panel through (checked by enumerating panels through the checker).
"""

from __future__ import annotations

from itertools import combinations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import matching.panel.diagnosis as diagnosis_module
from matching.core.config import Locks, SolveConfig
from matching.core.paths import demo_dir
from matching.core.status import Status
from matching.io.loading import load_folder
from matching.io.rulesets import load_rule_set
from matching.panel.diagnosis import diagnose, panel_exists
from matching.panel.model import PanelModel
from matching.panel.service import propose
from matching.rules.checker import HARD_RULES, panel_breaches, rule_ids
from matching.rules.encoding import PanelInstance, encode
from matching.rules.workspace import Workspace
from tests.factories import dispute_row
from tests.strategies import DISPUTE_ID, Roster, build_workspace, person, rosters

IOMED = load_rule_set("iomed")
ROSTER = [
    person("A", "KEN", "en", gender="F"),
    person("B", "FRA", "en;fr", gender="M"),
    person("C", "IND", "en", gender="F"),
    person("D", "BRA", "en;es", gender="M"),
    person("E", "GBR", "en", gender="M"),
]


def diagnosed(
    mediators: list[dict[str, str]],
    locks: Locks | None = None,
    conflicts: list[dict[str, str]] | None = None,
    preferences: list[dict[str, str]] | None = None,
    **dispute: object,
) -> tuple[list[str], list[str]]:
    """Conflicting rules and suggestions, as ``propose`` reports them for an infeasible dispute."""
    fields: dict[str, object] = {"parties": "ETH;SDN", "languages": "en", "panel_size": 1, "nationality_rule": ""}
    fields.update(dispute)
    ws = build_workspace(mediators, [dispute_row("D1", **fields)], conflicts=conflicts, preferences=preferences)
    result = propose(ws, "D1", IOMED, locks=locks)
    assert result.status == "infeasible"
    assert result.panels == []
    assert result.infeasibility is not None
    assert set(result.infeasibility) == {"conflicting_rules", "suggestions"}
    direct = diagnose(ws, ws.view(ws.dispute("D1"), IOMED), locks)
    assert direct.as_dict() == result.infeasibility
    return result.infeasibility["conflicting_rules"], result.infeasibility["suggestions"]


def mentions(suggestions: list[str], *words: str) -> bool:
    return any(all(w.lower() in s.lower() for w in words) for s in suggestions)


def struck(mid: str, party: str = "ETH") -> dict[str, str]:
    return {"dispute_id": "D1", "party": party, "mediator_id": mid, "struck": "true", "rank": ""}


def test_nobody_speaks_the_working_language() -> None:
    rules, tips = diagnosed(ROSTER, languages="ar")
    assert rules == ["H4"]
    assert mentions(tips, "(ar)")


def test_nobody_speaks_the_second_working_language() -> None:
    rules, tips = diagnosed(ROSTER, languages="en;ar", panel_size=3)
    assert rules == ["H4"]
    assert mentions(tips, "(ar)")
    assert not mentions(tips, "(en)")


@pytest.mark.parametrize("rule", ["strict", "majority", "consent"])
def test_only_co_nationals(rule: str) -> None:
    people = [person("X", "ETH"), person("Y", "SDN"), person("Z", "KEN;SDN")]
    rules, tips = diagnosed(people, nationality_rule=rule)
    assert rules == ["H1"]  # even under consent: a sole mediator chairs, and a chair is never a co-national
    assert mentions(tips, "consent")


def test_everyone_struck() -> None:
    rules, tips = diagnosed(
        ROSTER, preferences=[struck(m["mediator_id"], p) for m, p in zip(ROSTER, ["ETH", "SDN"] * 3, strict=False)]
    )
    assert rules == ["H6"]
    assert mentions(tips, "5 mediator(s)", "struck")


def test_everyone_with_a_red_conflict() -> None:
    conflicts = [
        {"mediator_id": m["mediator_id"], "dispute_id": "D1", "category": "waivable_red", "waived": "false", "note": ""}
        for m in ROSTER
    ]
    rules, tips = diagnosed(ROSTER, conflicts=conflicts)
    assert rules == ["H2"]
    assert mentions(tips, "waiver")


def test_everyone_at_capacity() -> None:
    people = [person(m["mediator_id"], m["nationalities"], max_cases=2, active_cases=2) for m in ROSTER]
    rules, tips = diagnosed(people)
    assert rules == ["H3"]
    assert mentions(tips, "capacity")


def test_nobody_signed_a_declaration() -> None:
    people = [person(m["mediator_id"], m["nationalities"], declaration_signed="false") for m in ROSTER]
    rules, tips = diagnosed(people)
    assert rules == ["H7"]
    assert mentions(tips, "declaration")


def test_one_regional_group_for_three_seats() -> None:
    people = [person("A", "KEN"), person("G", "GHA"), person("N", "NGA"), person("Z", "ZAF")]
    rules, tips = diagnosed(people, panel_size=3)
    assert rules == ["H5"]
    assert mentions(tips, "1 UN regional group", "african")


def test_two_rules_needed_together_are_both_named() -> None:
    # One co-national and one struck name for a sole mediator: either rule alone would leave one.
    rules, tips = diagnosed([person("X", "SDN"), person("Y", "MEX")], preferences=[struck("Y")])
    assert rules == ["H1", "H6"]
    assert mentions(tips, "consent") and mentions(tips, "strikes")


def test_capacity_and_declaration_together() -> None:
    people = [person("X", "MEX", available="false"), person("Y", "CHN", declaration_signed="false")]
    rules, _ = diagnosed(people)
    assert rules == ["H3", "H7"]


def test_language_and_nationality_together() -> None:
    # Only a co-national speaks the working language: the chair would have to be a co-national.
    people = [person("X", "SDN", "ar"), person("Y", "MEX", "en;es")]
    rules, _ = diagnosed(people, languages="ar", nationality_rule="consent")
    assert rules == ["H1", "H4"]


def test_a_lock_on_an_ineligible_mediator() -> None:
    rules, tips = diagnosed(ROSTER, locks=Locks(include=frozenset({"A"})), preferences=[struck("A")], panel_size=3)
    assert rules == ["H6", "locks"]
    assert mentions(tips, "Release the locks", "(A)")


def test_excluding_everyone_who_could_sit() -> None:
    rules, tips = diagnosed(ROSTER, locks=Locks(exclude=frozenset("ABC")), panel_size=3)
    assert rules == ["locks"]
    assert mentions(tips, "Release the locks")


def test_a_chair_lock_on_someone_who_cannot_chair() -> None:
    rules, _ = diagnosed(ROSTER, locks=Locks(chair="A"), languages="fr;en", panel_size=3)
    assert rules == ["H4", "locks"]


def test_roster_smaller_than_the_panel() -> None:
    rules, tips = diagnosed(ROSTER[:2], panel_size=3)
    assert rules == []
    assert mentions(tips, "fewer than 3")


# --- demo data --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_ws() -> Workspace:
    return Workspace(load_folder(demo_dir()))


def test_demo_d027_mongolian_working_language(demo_ws: Workspace) -> None:
    result = propose(demo_ws, "D027", IOMED)
    assert result.status == "infeasible"
    assert result.infeasibility is not None
    speakers = [m for m in demo_ws.data.mediators if "mn" in m.languages]
    parties = set(demo_ws.dispute("D027").parties)
    assert all(parties & set(m.nationalities) for m in speakers), "a neutral Mongolian speaker would make D027 feasible"
    # With no Mongolian speaker at all (the bundled roster) the language rule alone is in the way;
    # with only co-national speakers, it takes the nationality rule too (the chair may not be one).
    expected = ["H1", "H4"] if speakers else ["H4"]
    assert result.infeasibility["conflicting_rules"] == expected
    assert mentions(result.infeasibility["suggestions"], "Mongolian (mn)")


def test_demo_d054_without_its_only_possible_chair(demo_ws: Workspace) -> None:
    result = propose(demo_ws, "D054", IOMED, locks=Locks(exclude=frozenset({"M0034"})))
    assert result.status == "infeasible"
    assert result.infeasibility is not None
    rules = result.infeasibility["conflicting_rules"]
    assert "locks" in rules and "H4" in rules
    assert mentions(result.infeasibility["suggestions"], "km")
    assert propose(demo_ws, "D054", IOMED).status == "optimal"


# --- property: the families named are a minimal explanation ------------------------------------


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(roster=rosters(min_size=4, max_size=8, harsh=True), data=st.data())
def test_diagnosis_is_minimal(roster: Roster, data: st.DataObject) -> None:
    ws = roster.workspace()
    view = ws.view(ws.dispute(DISPUTE_ID), IOMED)
    ids = [row["mediator_id"] for row in roster.mediators]
    locks = Locks()
    if data.draw(st.booleans(), label="with locks"):
        locks = Locks(
            include=data.draw(st.frozensets(st.sampled_from(ids), max_size=1), label="include"),
            exclude=data.draw(st.frozensets(st.sampled_from(ids), max_size=2), label="exclude"),
            chair=data.draw(st.none() | st.sampled_from(ids), label="chair"),
        )
    k = view.dispute.panel_size

    # Every panel with the rule families it breaks ("locks" when it goes against a lock).
    panels: list[set[str]] = []
    for combo in combinations(ids, k):
        for chair in combo:
            people = [ws.data.mediator(mid) for mid in (chair, *(m for m in combo if m != chair))]
            rules = set(rule_ids(panel_breaches(view, people, people[0])))
            if not locks.include <= set(combo) or locks.exclude & set(combo) or locks.chair not in (None, chair):
                rules.add("locks")
            panels.append(rules)

    diagnosis = diagnose(ws, view, locks)
    if any(not rules for rules in panels):
        assert diagnosis.conflicting_rules == []
        return
    core = set(diagnosis.conflicting_rules)
    assert core, "an infeasible dispute with enough mediators must name a rule"
    assert diagnosis.conflicting_rules == sorted(core, key=["H1", "H2", "H3", "H4", "H5", "H6", "H7", "locks"].index)
    assert len(diagnosis.suggestions) >= len(core)
    blocked = [rules for rules in panels if not rules & core]
    assert not blocked, f"{sorted(core)} do not rule out every panel"
    for family in core:
        assert any(not rules & (core - {family}) for rules in panels), f"{family} is not needed in {sorted(core)}"
    result = propose(ws, DISPUTE_ID, IOMED, locks=locks)
    assert result.status == "infeasible"
    assert result.infeasibility == diagnosis.as_dict()


# --- the feasibility checks behind the diagnosis --------------------------------------------------


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(roster=rosters(min_size=3, max_size=6, harsh=True), copies=st.integers(2, 4), data=st.data())
def test_thinning_the_roster_never_changes_whether_a_panel_exists(
    roster: Roster, copies: int, data: st.DataObject
) -> None:
    """Each mediator is repeated under new ids, so that the thinning to k of each kind really drops
    people; with any rule families switched off, the answer equals the answer on the whole roster."""
    repeated = [
        {**row, "mediator_id": f"{row['mediator_id']}x{c}", "name": f"{row['name']} {c}"}
        for row in roster.mediators
        for c in range(copies)
    ]
    ws = Roster(repeated, roster.dispute).workspace()
    view = ws.view(ws.dispute(DISPUTE_ID), IOMED)
    inst = encode(ws, view, include_ineligible=True)
    active = frozenset(data.draw(st.sets(st.sampled_from(sorted(HARD_RULES))), label="active"))
    config = SolveConfig(time_limit=30.0)
    thinned = panel_exists(inst, active, Locks(), config)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(diagnosis_module, "_thin", lambda inst, idx, protected: idx)
        whole = panel_exists(inst, active, Locks(), config)
    assert thinned == whole
    assert thinned is not Status.TIMEOUT


def test_a_solver_that_cannot_decide_is_not_read_as_no_panel(monkeypatch: pytest.MonkeyPatch) -> None:
    """A timeout in a feasibility check must never turn into "the roster is too small" or a rule
    named without proof: the diagnosis says plainly that it could not isolate the rules."""
    monkeypatch.setattr(PanelModel, "feasibility", lambda self, config: Status.TIMEOUT)
    rules, notes = diagnosed(ROSTER, parties="KEN;FRA", panel_size=3, languages="sw")
    assert rules == []
    assert mentions(notes, "could not isolate") and not mentions(notes, "fewer than")


def test_checks_that_time_out_while_isolating_are_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    real = diagnosis_module.panel_exists
    every_rule = frozenset(HARD_RULES) - {"H8"}  # no lean cap is set, so H8 is not one of the families here

    def flaky(inst: PanelInstance, active: frozenset[str], locks: Locks, config: SolveConfig) -> Status:
        # The check with every rule on is answered; the checks with a rule switched off time out.
        return real(inst, active, locks, config) if active == every_rule else Status.TIMEOUT

    monkeypatch.setattr(diagnosis_module, "panel_exists", flaky)
    rules, notes = diagnosed(ROSTER, parties="KEN;FRA", panel_size=3, languages="sw")
    assert rules and mentions(notes, "could not decide every check")
