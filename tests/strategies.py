"""Hypothesis strategies and small builders for the solver, checker and diagnosis tests.

A drawn ``Roster`` holds the rows of every input file for one small dispute ("D1"), is written
with ``tests.factories.write_inputs`` and read back with the real loader, so every case the tests
see is one the loader accepts.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import combinations
from pathlib import Path

from hypothesis import strategies as st

from matching.core.config import Locks
from matching.io.loading import load_dataset
from matching.io.rulesets import RuleSet
from matching.panel.service import check_panel
from matching.rules.checker import mediator_breaches, panel_breaches, rule_ids
from matching.rules.encoding import encode
from matching.rules.scoring import Scores
from matching.rules.workspace import Workspace
from tests.factories import dispute_row, mediator_row, write_inputs

# Nine countries over the five UN regional groups, with every legal tradition among them.
COUNTRIES = ("KEN", "EGY", "IND", "CHN", "BRA", "MEX", "FRA", "GBR", "RUS")
LANGUAGES = ("en", "fr", "es", "ar")
TRADITIONS = ("civil", "common", "customary", "muslim")
SUBJECTS = ("water", "trade", "energy", "boundary", "investment")
CATEGORIES = ("non_waivable_red", "waivable_red", "orange", "green")
PROFILES = (
    "Former legal adviser on transboundary watercourses and river basin commissions.",
    "Arbitrator in bilateral investment treaty claims and energy concessions.",
    "Trade negotiator on rules of origin, customs valuation and WTO dispute settlement.",
    "Boundary expert: colonial-era treaties, maps and demarcation commissions.",
    "Mediator in commercial construction and infrastructure disputes.",
    "",
)
DESCRIPTIONS = (
    "Allocation of the flow of a transboundary watercourse and its river basin commission.",
    "Customs valuation and rules of origin under a regional trade agreement.",
    "An investment treaty claim over an energy concession.",
    "Demarcation of a land boundary drawn by colonial-era treaties.",
)
DISPUTE_ID = "D1"
# Crowded rosters: many mediators from countries of one UN group with the same blocs, so that the
# solver's dominance reduction (which compares mediators of equal group, gender and alignment) bites.
CROWDED = ("FRA", "ITA", "ESP", "NLD", "BEL", "PRT", "CHL", "COL", "PER", "CZE", "HUN", "ROU")
CROWDED_PARTIES = ("KEN", "TUR", "CHN", "ESP", "CZE")


@dataclass
class Roster:
    mediators: list[dict[str, str]]
    dispute: dict[str, str]
    conflicts: list[dict[str, str]] = field(default_factory=list)
    preferences: list[dict[str, str]] = field(default_factory=list)
    appointments: list[dict[str, str]] = field(default_factory=list)

    def workspace(self) -> Workspace:
        return build_workspace(
            self.mediators,
            [self.dispute],
            conflicts=self.conflicts,
            preferences=self.preferences,
            appointments=self.appointments,
        )


def build_workspace(
    mediators: list[dict[str, str]],
    disputes: list[dict[str, str]],
    *,
    conflicts: list[dict[str, str]] | None = None,
    preferences: list[dict[str, str]] | None = None,
    appointments: list[dict[str, str]] | None = None,
) -> Workspace:
    """Write the rows as CSV files, load them with the real loader and make a workspace."""
    with tempfile.TemporaryDirectory() as folder:
        paths = write_inputs(
            Path(folder),
            mediators=mediators,
            disputes=disputes,
            conflicts=conflicts or [],
            preferences=preferences or [],
            appointments=appointments or [],
        )
        return Workspace(load_dataset(**paths))


def person(mid: str, nationalities: str, languages: str = "en", **overrides: object) -> dict[str, str]:
    """A mediator row who breaks nothing by default: available, declaration signed, room for cases."""
    base: dict[str, object] = {
        "nationalities": nationalities,
        "languages": languages,
        "nominated_by": "",
        "max_cases": 4,
        "active_cases": 0,
    }
    base.update(overrides)
    return mediator_row(mid, **base)


def maybe(draw: st.DrawFn, chance: int) -> bool:
    """True with probability about ``chance`` percent (and shrinking towards False)."""
    return draw(st.integers(0, 99)) >= 100 - chance


@st.composite
def mediator_rows(
    draw: st.DrawFn, mid: str, harsh: bool = False, countries: tuple[str, ...] = COUNTRIES, genders: str = "FMX"
) -> dict[str, str]:
    nationalities = [draw(st.sampled_from(countries))]
    if maybe(draw, 25):  # a dual national
        nationalities.append(draw(st.sampled_from([c for c in countries if c != nationalities[0]])))
    languages = ["en"] if not maybe(draw, 25) else []
    languages += draw(st.lists(st.sampled_from(LANGUAGES[1:]), min_size=0 if languages else 1, max_size=2, unique=True))
    traditions = draw(st.lists(st.sampled_from(TRADITIONS), max_size=2, unique=True)) if maybe(draw, 30) else []
    expertise = draw(st.dictionaries(st.sampled_from(SUBJECTS), st.integers(1, 5), max_size=3))
    max_cases = draw(st.integers(1, 4))
    active = draw(st.integers(0, max_cases))
    odds = 40 if harsh else 8
    return mediator_row(
        mid,
        nationalities=";".join(nationalities),
        gender=draw(st.sampled_from([*genders, ""] if "X" in genders else list(genders))),
        languages=";".join(languages),
        legal_traditions=";".join(traditions),
        expertise=";".join(f"{a}:{lvl}" for a, lvl in expertise.items()),
        years_experience=draw(st.integers(0, 30)),
        max_cases=max_cases,
        active_cases=active if maybe(draw, odds * 2) else min(active, max_cases - 1),
        available=str(not maybe(draw, odds)).lower(),
        declaration_signed=str(not maybe(draw, odds)).lower(),
        nominated_by="",
        profile=draw(st.sampled_from(PROFILES)),
    )


@st.composite
def dispute_rows(
    draw: st.DrawFn, sizes: tuple[int, ...] = (1, 2, 3), countries: tuple[str, ...] = COUNTRIES
) -> dict[str, str]:
    parties = draw(st.lists(st.sampled_from(countries), min_size=2, max_size=2, unique=True))
    languages = ["en"] if not maybe(draw, 30) else [draw(st.sampled_from(LANGUAGES[1:]))]
    if maybe(draw, 30):
        languages.append(draw(st.sampled_from([lang for lang in LANGUAGES if lang != languages[0]])))
    subjects = draw(st.lists(st.sampled_from(SUBJECTS), min_size=0, max_size=2, unique=True))
    return dispute_row(
        DISPUTE_ID,
        parties=";".join(parties),
        languages=";".join(languages),
        subject_areas=";".join(subjects),
        panel_size=draw(st.sampled_from(sizes)),
        nationality_rule=draw(st.sampled_from(["", "strict", "majority", "consent"])),
        description=draw(st.sampled_from(DESCRIPTIONS)),
    )


@st.composite
def rosters(
    draw: st.DrawFn,
    min_size: int = 6,
    max_size: int = 12,
    sizes: tuple[int, ...] = (1, 2, 3),
    harsh: bool = False,
    crowded: bool = False,
) -> Roster:
    n = draw(st.integers(min_size, max_size))
    ids = [f"M{i:02d}" for i in range(1, n + 1)]
    countries, genders = (CROWDED, "FM") if crowded else (COUNTRIES, "FMX")
    mediators = [draw(mediator_rows(mid, harsh, countries, genders)) for mid in ids]
    dispute = draw(dispute_rows(sizes, CROWDED_PARTIES if crowded else COUNTRIES))
    parties = dispute["parties"].split(";")

    conflicts = []
    for mid in draw(st.lists(st.sampled_from(ids), max_size=4 if harsh else 3, unique=True)):
        category = draw(st.sampled_from(CATEGORIES))
        waived = draw(st.booleans()) and category != "non_waivable_red"  # the loader refuses that waiver
        conflicts.append(
            {
                "mediator_id": mid,
                "dispute_id": DISPUTE_ID,
                "category": category,
                "waived": str(waived).lower(),
                "note": f"note on {mid}",
            }
        )

    preferences = []
    for party in parties:
        chosen = draw(st.lists(st.sampled_from(ids), max_size=4, unique=True))
        ranks = draw(st.permutations(range(1, len(chosen) + 1)))
        for mid, rank in zip(chosen, ranks, strict=True):
            struck = maybe(draw, 50 if harsh else 20)
            preferences.append(
                {
                    "dispute_id": DISPUTE_ID,
                    "party": party,
                    "mediator_id": mid,
                    "struck": str(struck).lower(),
                    "rank": "" if struck else str(rank),
                }
            )

    appointments = []
    start = date(2023, 1, 1)
    for number in range(draw(st.integers(0, 8))):
        appointments.append(
            {
                "mediator_id": draw(st.sampled_from(ids)),
                "dispute_id": f"H{number:03d}",
                "party": draw(st.sampled_from((*parties, *COUNTRIES))),
                "appointed_on": (start + timedelta(days=draw(st.integers(0, 1200)))).isoformat(),
            }
        )
    return Roster(mediators, dispute, conflicts, preferences, appointments)


# --- brute force ------------------------------------------------------------------------------


def eligible_alone(ws: Workspace, rule_set: RuleSet, dispute_id: str = DISPUTE_ID) -> dict[str, list[str]]:
    """Rule ids each mediator breaks on their own (the checker's ``mediator_breaches``)."""
    view = ws.view(ws.dispute(dispute_id), rule_set)
    return {m.mediator_id: rule_ids(mediator_breaches(view, m)) for m in ws.data.mediators}


def brute_force(
    ws: Workspace,
    rule_set: RuleSet,
    locks: Locks | None = None,
    dispute_id: str = DISPUTE_ID,
    via_check_panel: bool = True,
) -> dict[frozenset[str], dict[str, Scores]]:
    """Every feasible panel by enumeration: member set -> chair -> scores.

    With ``via_check_panel`` each panel goes through ``check_panel``; without, through what it
    does inside (``panel_breaches`` and the scores of the instance that encodes everyone), which
    is many times faster. Sets holding a mediator who breaks a rule on their own are skipped (the
    checker counts every member's own breaches, so they cannot be feasible); ``check_panel`` is
    asked about one such panel per mediator to keep that shortcut honest.
    """
    locks = locks or Locks()
    k = ws.dispute(dispute_id).panel_size
    alone = eligible_alone(ws, rule_set, dispute_id)
    ids = sorted(alone)
    for mid, rules in alone.items():
        if rules:
            others = [o for o in ids if o != mid][: k - 1]
            check = check_panel(ws, dispute_id, [mid, *others], rule_set)
            assert not check.feasible, (mid, rules)
            assert set(rules) <= set(check.violations), (mid, rules, check.violations)
    view = ws.view(ws.dispute(dispute_id), rule_set)
    everyone = encode(ws, view, include_ineligible=True)
    found: dict[frozenset[str], dict[str, Scores]] = {}
    for combo in combinations([mid for mid in ids if not alone[mid]], k):
        members = frozenset(combo)
        if not locks.include <= members or locks.exclude & members:
            continue
        for chair in combo:
            if locks.chair is not None and chair != locks.chair:
                continue
            seated = [chair, *(m for m in combo if m != chair)]
            if via_check_panel:
                check = check_panel(ws, dispute_id, seated, rule_set)
                feasible, scores = check.feasible, check.scores
            else:
                people = [ws.data.mediator(mid) for mid in seated]
                feasible = not panel_breaches(view, people, people[0])
                scores = None
                if feasible:  # scoring is most of the cost, and only feasible panels are kept
                    scores = everyone.evaluate([everyone.index_of(mid) for mid in seated], everyone.index_of(chair))
            if feasible:
                assert scores is not None
                found.setdefault(members, {})[chair] = scores
    return found


_FOUND: dict[tuple[str, str], dict[frozenset[str], dict[str, Scores]]] = {}
_FOUND_KEPT = 32


def roster_panels(roster: Roster, rule_set: RuleSet) -> dict[frozenset[str], dict[str, Scores]]:
    """``brute_force(roster.workspace(), rule_set, via_check_panel=False)``, remembered for the last few rosters:
    hypothesis runs a drawn roster again and again while it varies what is drawn after it, and the enumeration
    is most of a small property test's time. The answer is shared: callers must not change it."""
    key = (repr(roster), repr(rule_set))
    if key not in _FOUND:
        if len(_FOUND) >= _FOUND_KEPT:
            del _FOUND[next(iter(_FOUND))]
        _FOUND[key] = brute_force(roster.workspace(), rule_set, via_check_panel=False)
    return _FOUND[key]


def locked(found: dict[frozenset[str], dict[str, Scores]], locks: Locks) -> dict[frozenset[str], dict[str, Scores]]:
    """``brute_force`` with ``locks`` from its answer without them: the panels holding every included mediator
    and no excluded one, each with the locked chair only (when there is one). The same as enumerating again."""
    kept: dict[frozenset[str], dict[str, Scores]] = {}
    for members, chairs in found.items():
        if not locks.include <= members or locks.exclude & members:
            continue
        seats = {chair: scores for chair, scores in chairs.items() if locks.chair is None or chair == locks.chair}
        if seats:
            kept[members] = seats
    return kept


def best_of(found: dict[frozenset[str], dict[str, Scores]]) -> dict[frozenset[str], int]:
    """Each feasible member set's objective with its best chair."""
    return {members: max(s.objective_int for s in chairs.values()) for members, chairs in found.items()}
