"""The checker, rule by rule: one small hand-made case for each way of breaking H1-H7.

Every case asserts the exact set of rule ids broken, so a panel that breaks one rule is never
reported under another, and a compliant panel next to it has no breach at all.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from matching.io.rulesets import RuleSet, load_rule_set
from matching.rules.checker import HARD_RULES, DisputeView, chair_breaches, mediator_breaches, panel_breaches, rule_ids
from matching.rules.workspace import Workspace
from tests.factories import dispute_row
from tests.strategies import build_workspace, person

# Parties ETH and SDN; these five break nothing and any three of A, B, C, D, E form a valid panel
# (distinct nationalities, several traditions and UN groups, everyone speaks en).
BASE = [
    person("A", "KEN", "en", gender="F"),  # african; common, customary, muslim
    person("B", "FRA", "en;fr", gender="M"),  # western_european_others; civil
    person("C", "IND", "en", gender="F"),  # asia_pacific; common, customary, muslim
    person("D", "BRA", "en;es", gender="M"),  # latin_american_caribbean; civil
    person("E", "GBR", "en", gender="M"),  # western_european_others; common
]


def setup(
    extra: list[dict[str, str]] | None = None,
    rule_set: RuleSet | str = "iomed",
    conflicts: list[dict[str, str]] | None = None,
    preferences: list[dict[str, str]] | None = None,
    extra_load: dict[str, int] | None = None,
    **dispute: object,
) -> tuple[Workspace, DisputeView]:
    fields: dict[str, object] = {"parties": "ETH;SDN", "languages": "en", "panel_size": 3, "nationality_rule": ""}
    fields.update(dispute)
    ws = build_workspace(
        [*BASE, *(extra or [])],
        [dispute_row("D1", **fields)],
        conflicts=conflicts,
        preferences=preferences,
    )
    rs = load_rule_set(rule_set) if isinstance(rule_set, str) else rule_set
    return ws, ws.view(ws.dispute("D1"), rs, extra_load)


def broken(ws: Workspace, view: DisputeView, *ids: str) -> list[str]:
    """Rule ids the panel breaks; the first id is the chair."""
    people = [ws.data.mediator(mid) for mid in ids]
    return rule_ids(panel_breaches(view, people, people[0]))


def alone(ws: Workspace, view: DisputeView, mid: str) -> list[str]:
    return rule_ids(mediator_breaches(view, ws.data.mediator(mid)))


def test_the_eight_hard_rules_are_named() -> None:
    assert list(HARD_RULES) == ["H1", "H2", "H3", "H4", "H5", "H6", "H7", "H8"]
    for rule in HARD_RULES.values():
        assert rule.title and rule.sentence


@pytest.mark.parametrize("rule_set", ["iomed", "icsid", "uncitral-list"])
@pytest.mark.parametrize("size", [1, 2, 3, 5])
def test_a_compliant_panel_breaks_nothing(rule_set: str, size: int) -> None:
    ws, view = setup(rule_set=rule_set, panel_size=size)
    assert broken(ws, view, *"ABCDE"[:size]) == []
    for mid in "ABCDE":
        assert alone(ws, view, mid) == []


# --- H1 party nationality -----------------------------------------------------------------------


@pytest.mark.parametrize("nationalities", ["SDN", "ETH", "KEN;ETH", "ETH;SDN"])
def test_h1_strict_excludes_any_party_national_including_dual(nationalities: str) -> None:
    ws, view = setup([person("X", nationalities)], nationality_rule="strict")
    assert alone(ws, view, "X") == ["H1"]
    others = "BC" if "KEN" in nationalities else "AB"
    assert broken(ws, view, others[0], others[1], "X") == ["H1"]
    assert broken(ws, view, "A", "B", "C") == []


def test_h1_strict_names_the_mediator_and_the_party() -> None:
    ws, view = setup([person("X", "KEN;SDN")], nationality_rule="strict")
    (breach,) = mediator_breaches(view, ws.data.mediator("X"))
    assert breach.mediator_id == "X"
    assert "SDN" in breach.reason


def test_h1_majority_allows_a_minority_of_co_nationals_but_never_as_chair() -> None:
    ws, view = setup([person("X", "SDN"), person("Y", "ETH")], nationality_rule="majority")
    assert alone(ws, view, "X") == []  # a co-national may sit ...
    assert broken(ws, view, "A", "B", "X") == []  # ... as one of three
    assert broken(ws, view, "B", "X", "Y") == ["H1"]  # two of three is no majority
    assert broken(ws, view, "X", "A", "B") == ["H1"]  # and never chairs
    assert rule_ids(chair_breaches(view, ws.data.mediator("X"))) == ["H1"]


def test_h1_majority_of_two_allows_no_co_national() -> None:
    ws, view = setup([person("X", "SDN")], nationality_rule="majority", panel_size=2)
    assert broken(ws, view, "A", "X") == ["H1"]
    assert broken(ws, view, "A", "B") == []


def test_h1_consent_allows_co_nationals_but_never_as_chair() -> None:
    ws, view = setup([person("X", "SDN"), person("Y", "ETH")], nationality_rule="consent")
    assert broken(ws, view, "B", "X", "Y") == []
    assert broken(ws, view, "X", "B", "Y") == ["H1"]
    assert broken(ws, view, "Y", "X", "B") == ["H1"]


def test_h1_dispute_rule_overrides_the_rule_set() -> None:
    ws, view = setup([person("X", "SDN")], rule_set="icsid", nationality_rule="strict")
    assert broken(ws, view, "A", "B", "X") == ["H1"]
    ws, view = setup([person("X", "SDN")], rule_set="icsid")  # icsid's own default: majority
    assert broken(ws, view, "A", "B", "X") == []
    ws, view = setup([person("X", "SDN")], rule_set="iomed", nationality_rule="majority")
    assert broken(ws, view, "A", "B", "X") == []


# --- H2 conflicts of interest -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("category", "waived", "expected"),
    [
        ("non_waivable_red", "false", ["H2"]),
        ("waivable_red", "false", ["H2"]),
        ("waivable_red", "true", []),
        ("orange", "false", []),  # disclosed and penalised, not excluded
        ("green", "false", []),
    ],
)
def test_h2_conflict_categories(category: str, waived: str, expected: list[str]) -> None:
    conflict = {"mediator_id": "X", "dispute_id": "D1", "category": category, "waived": waived, "note": "n"}
    ws, view = setup([person("X", "MEX")], conflicts=[conflict])
    assert alone(ws, view, "X") == expected
    assert broken(ws, view, "A", "B", "X") == expected


def test_h2_a_waiver_does_not_lift_a_non_waivable_red() -> None:
    # The loader refuses such a waiver (tests/test_loading_strict.py); data built in code can still hold one.
    conflict = {"mediator_id": "X", "dispute_id": "D1", "category": "non_waivable_red", "waived": "false", "note": ""}
    loaded, _ = setup([person("X", "MEX")], conflicts=[conflict])
    waived = replace(loaded.data, conflicts=tuple(replace(c, waived=True) for c in loaded.data.conflicts))
    ws = Workspace(waived)
    view = ws.view(ws.dispute("D1"), load_rule_set("iomed"))
    assert ws.data.conflicts[0].waived
    assert alone(ws, view, "X") == ["H2"]
    assert broken(ws, view, "A", "B", "X") == ["H2"]


# --- H3 capacity ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"available": "false"}, ["H3"]),
        ({"max_cases": 2, "active_cases": 2}, ["H3"]),
        ({"max_cases": 0, "active_cases": 0}, ["H3"]),
        ({"max_cases": 2, "active_cases": 1}, []),
    ],
)
def test_h3_capacity_and_availability(fields: dict[str, object], expected: list[str]) -> None:
    ws, view = setup([person("X", "MEX", **fields)])
    assert alone(ws, view, "X") == expected
    assert broken(ws, view, "A", "B", "X") == expected


def test_h3_counts_new_appointments_of_the_same_run() -> None:
    ws, view = setup([person("X", "MEX", max_cases=2, active_cases=1)], extra_load={"X": 1})
    assert alone(ws, view, "X") == ["H3"]


# --- H4 language ------------------------------------------------------------------------------


def test_h4_every_working_language_is_spoken() -> None:
    ws, view = setup(languages="en;fr")
    assert broken(ws, view, "A", "C", "E") == ["H4"]  # nobody speaks fr
    assert broken(ws, view, "A", "B", "C") == []  # B does


def test_h4_chair_speaks_the_first_working_language() -> None:
    ws, view = setup(languages="fr;en")
    assert broken(ws, view, "A", "B", "C") == ["H4"]  # A chairs without French
    assert rule_ids(chair_breaches(view, ws.data.mediator("A"))) == ["H4"]
    assert broken(ws, view, "B", "A", "C") == []


def test_h4_a_panel_needs_a_chair_among_its_members() -> None:
    ws, view = setup()
    people = [ws.data.mediator(mid) for mid in "ABC"]
    assert rule_ids(panel_breaches(view, people, None)) == ["H4"]
    assert rule_ids(panel_breaches(view, people, ws.data.mediator("D"))) == ["H4"]


def test_h4_sole_mediator_must_speak_the_working_language() -> None:
    ws, view = setup(panel_size=1, languages="es")
    assert broken(ws, view, "A") == ["H4"]
    assert broken(ws, view, "D") == []


# --- H5 composition ---------------------------------------------------------------------------


@pytest.mark.parametrize("size", [2, 3])
def test_h5_no_two_members_share_a_nationality_including_dual(size: int) -> None:
    ws, view = setup([person("Z", "MEX;KEN")], panel_size=size)  # effective MEX, also KEN like A
    assert broken(ws, view, *"AZB"[:size]) == ["H5"]
    assert broken(ws, view, *"BZC"[:size]) == []


def test_h5_three_members_cover_two_legal_traditions() -> None:
    # France, Brazil and Russia are civil law only, from three different UN groups.
    ws, view = setup([person("R", "RUS")])
    assert broken(ws, view, "B", "D", "R") == ["H5"]
    assert broken(ws, view, "B", "D", "E") == []  # GBR brings common law


def test_h5_declared_legal_traditions_replace_the_countrys() -> None:
    ws, view = setup([person("K", "KEN", legal_traditions="civil"), person("R", "RUS")])
    assert broken(ws, view, "K", "B", "R") == ["H5"]  # KEN's traditions would have been enough


def test_h5_three_members_span_two_un_groups() -> None:
    ws, view = setup([person("G", "GHA"), person("N", "NGA")])  # A (KEN), G, N: all African
    assert broken(ws, view, "A", "G", "N") == ["H5"]
    assert broken(ws, view, "A", "G", "B") == []


def test_h5_composition_does_not_apply_to_two_members() -> None:
    ws, view = setup([person("G", "GHA"), person("R", "RUS")], panel_size=2)
    assert broken(ws, view, "A", "G") == []  # one UN group
    assert broken(ws, view, "B", "R") == []  # one legal tradition


def test_h5_a_panel_has_the_dispute_size() -> None:
    ws, view = setup()
    assert broken(ws, view, "A", "B") == ["H5"]
    assert broken(ws, view, "A", "B", "C", "D") == ["H5"]


# --- H6 list procedure, H7 disclosure --------------------------------------------------------


def test_h6_a_struck_name_is_never_proposed() -> None:
    prefs = [
        {"dispute_id": "D1", "party": "ETH", "mediator_id": "X", "struck": "true", "rank": ""},
        {"dispute_id": "D1", "party": "SDN", "mediator_id": "Y", "struck": "false", "rank": "1"},
    ]
    ws, view = setup([person("X", "MEX"), person("Y", "CHN")], preferences=prefs)
    assert alone(ws, view, "X") == ["H6"]
    assert broken(ws, view, "A", "B", "X") == ["H6"]
    assert alone(ws, view, "Y") == []  # ranked, not struck

    lenient = replace(load_rule_set("iomed"), honour_strikes=False)
    ws, view = setup([person("X", "MEX")], rule_set=lenient, preferences=prefs[:1])
    assert alone(ws, view, "X") == []


def test_h7_a_signed_declaration_is_required() -> None:
    ws, view = setup([person("X", "MEX", declaration_signed="false")])
    assert alone(ws, view, "X") == ["H7"]
    assert broken(ws, view, "A", "B", "X") == ["H7"]

    lenient = replace(load_rule_set("iomed"), require_declaration=False)
    ws, view = setup([person("X", "MEX", declaration_signed="false")], rule_set=lenient)
    assert alone(ws, view, "X") == []


def test_several_rules_are_all_reported() -> None:
    ws, view = setup(
        [person("X", "SDN", available="false", declaration_signed="false"), person("Z", "MEX;KEN", languages="es")],
        languages="en;ar",
    )
    # X: H1, H3, H7; Z chairs without en (H4) and shares KEN with A (H5); nobody speaks ar (H4).
    assert broken(ws, view, "Z", "A", "X") == ["H1", "H3", "H4", "H5", "H7"]
