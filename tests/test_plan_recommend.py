"""Recruitment recommended by the planner, on rosters where the missing profile is known by construction,
and proven by re-running the simulation with the recruits."""

from __future__ import annotations

from pathlib import Path

import pytest

from matching.batch.quotas import Quotas
from matching.core.domain import Dataset, UNGroup
from matching.io.countries import default_countries
from matching.io.loading import load_folder
from matching.io.rulesets import RuleSet, load_rule_set
from matching.plan.forecast import Scenario, forecast
from matching.plan.model import Recruit, Simulation, Unstaffed, YearFigures
from matching.plan.recommend import recommend, recommendation, with_recruits
from matching.plan.simulate import simulate
from tests.factories import mediator_row, write_inputs

# Nationals of states outside Africa, none of them Arabic-speaking, with both traditions among them.
OUTSIDE_AFRICA = ("FRA", "DEU", "BRA", "ARG", "JPN", "IND", "POL", "CZE", "USA", "CAN", "MEX", "CHL")
AFRICA = ("KEN", "NGA", "GHA", "SEN", "TZA", "UGA", "ZAF", "ETH", "CMR", "ZMB", "RWA", "MOZ")
TRADITIONS = ("civil", "common")
# At most 4 new seats a mediator a year: with room for 8 cases, a recruit keeps room for 4 seats each year
# however the year before booked them (a seat stays an active case the next year).
QUOTAS = Quotas(max_per_mediator=4)


def _roster(folder: Path, rows: list[dict[str, str]]) -> Dataset:
    folder.mkdir(parents=True, exist_ok=True)
    write_inputs(folder, mediators=rows, disputes=[])
    return load_folder(folder)


def _mediators(prefix: str, nationalities: tuple[str, ...], n: int, **overrides: str) -> list[dict[str, str]]:
    return [
        mediator_row(
            f"{prefix}{i:02d}",
            nationalities=nationalities[i % len(nationalities)],
            legal_traditions=TRADITIONS[(i // len(nationalities)) % 2],
            languages="en;fr",
            expertise="trade:4;water:3",
            max_cases=8,
            active_cases=0,
            nominated_by="",
            **overrides,
        )
        for i in range(n)
    ]


def _scenario(**changes: object) -> Scenario:
    fields: dict[str, object] = {
        "years": 2,
        "disputes_per_year": 12,
        "kinds": {"interstate": 1.0},
        "subjects": {"trade": 1.0},
        "subject_counts": {1: 1.0},
        "regions": {"african": 1.0, "asia_pacific": 1.0},
        "languages": {"en": 2.0, "ar": 1.0},
        "panel_sizes": {3: 1.0},
    }
    fields.update(changes)
    return Scenario.model_validate(fields)


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return load_rule_set()


@pytest.fixture(scope="module")
def arabic(tmp_path_factory: pytest.TempPathFactory, rules: RuleSet) -> tuple[Dataset, Scenario, Simulation]:
    """Nobody speaks Arabic, while about a third of the forecast disputes need it as working language."""
    data = _roster(tmp_path_factory.mktemp("arabic"), _mediators("M", OUTSIDE_AFRICA, 36))
    scenario = _scenario()
    return data, scenario, simulate(data, rules, scenario, quotas=QUOTAS, seed=1)


@pytest.fixture(scope="module")
def african(tmp_path_factory: pytest.TempPathFactory, rules: RuleSet) -> tuple[Dataset, Scenario, Simulation]:
    """Disputes between African Union members and no mediator from outside Africa, so no panel of three
    covers two UN regional groups (H5), nor has a chair from outside the parties' region."""
    data = _roster(tmp_path_factory.mktemp("african"), _mediators("A", AFRICA, 36))
    scenario = _scenario(regions={"african": 1.0}, languages={"en": 1.0})
    return data, scenario, simulate(data, rules, scenario, quotas=QUOTAS, seed=2)


def _arabic_disputes(unstaffed: list[Unstaffed]) -> list[Unstaffed]:
    return [u for u in unstaffed if "ar" in u.languages]


def test_recruits_arabic_speakers_and_the_after_run_staffs_their_disputes(
    arabic: tuple[Dataset, Scenario, Simulation], rules: RuleSet
) -> None:
    data, scenario, before = arabic
    needing = [d for y in (1, 2) for d in forecast(scenario, y, 1) if d.working_language == "ar"]
    assert needing, "the scenario should draw Arabic disputes"
    assert {u.dispute_id for u in _arabic_disputes(before.unstaffed())} == {d.dispute_id for d in needing}

    recruits, _, _ = recommend(data, rules, scenario, before, quotas=QUOTAS, seed=1)
    assert recruits
    assert all("ar" in r.profile.languages and r.profile.chair_eligible for r in recruits)
    assert all(r.profile.languages[0] == "ar" for r in recruits)
    assert sum(r.covers for r in recruits) >= len(needing) // 2 - 1  # seats a year, both years together

    after_data = with_recruits(data, recruits)
    added = after_data.mediators[len(data.mediators) :]
    assert len(added) == sum(r.count for r in recruits)
    assert all("ar" in m.languages for m in added)
    after = simulate(after_data, rules, scenario, quotas=QUOTAS, seed=1, label="after")
    assert _arabic_disputes(after.unstaffed()) == []
    assert sum(y.staffed for y in after.years) > sum(y.staffed for y in before.years)


def test_recruits_chairs_from_outside_africa_for_african_union_disputes(
    african: tuple[Dataset, Scenario, Simulation], rules: RuleSet
) -> None:
    data, scenario, before = african
    assert before.unstaffed(), "no panel of three can cover two regional groups"
    assert all("H5" in u.rules for u in before.unstaffed())

    recruits, _, _ = recommend(data, rules, scenario, before, quotas=QUOTAS, seed=2)
    assert recruits
    assert all(r.profile.un_group != UNGroup.AFRICAN.value for r in recruits)
    assert all(r.profile.chair_eligible and r.profile.languages == ("en",) for r in recruits)

    after_data = with_recruits(data, recruits)
    countries = default_countries()
    added = after_data.mediators[len(data.mediators) :]
    assert all(countries[m.effective_nationality].un_group is not UNGroup.AFRICAN for m in added)
    # Neutral nationalities: none shares the African Union with the parties.
    assert all("AU" not in countries[m.effective_nationality].blocs for m in added)
    after = simulate(after_data, rules, scenario, quotas=QUOTAS, seed=2, label="after")
    assert after.unstaffed() == []


def test_the_same_seed_gives_the_same_recommendation(
    arabic: tuple[Dataset, Scenario, Simulation], rules: RuleSet
) -> None:
    data, scenario, before = arabic
    first = recommend(data, rules, scenario, before, quotas=QUOTAS, seed=1)
    again = recommend(data, rules, scenario, before, quotas=QUOTAS, seed=1)
    assert first == again
    assert with_recruits(data, first[0]).mediators == with_recruits(data, again[0]).mediators


def test_a_roster_that_staffs_everything_gets_no_recruits(
    arabic: tuple[Dataset, Scenario, Simulation], rules: RuleSet
) -> None:
    data, _, _ = arabic
    scenario = _scenario(languages={"en": 1.0}, years=1)
    before = simulate(data, rules, scenario, quotas=QUOTAS, seed=1)
    assert before.unstaffed() == []
    recruits, _, _ = recommend(data, rules, scenario, before, quotas=QUOTAS, seed=1)
    assert recruits == ()
    assert with_recruits(data, recruits) == data


def test_a_binding_limit_on_recruits_is_reported(tmp_path: Path, rules: RuleSet) -> None:
    data = _roster(tmp_path / "r", _mediators("M", OUTSIDE_AFRICA, 24))
    scenario = _scenario(languages={"en": 1.0}, disputes_per_year=10)
    before = _blocked(scenario, 0, ("capacity",), "en")
    free = recommendation(data, rules, scenario, before, quotas=QUOTAS, seed=0)
    assert not free.cap_binds and free.uncovered_seats == 0 and not free.notes
    needed = sum(r.count for r in free.recruits)
    assert needed >= 2

    capped = recommendation(data, rules, scenario, before, quotas=QUOTAS, seed=0, max_recruits=needed - 1)
    assert capped.cap_binds and capped.uncovered_seats > 0
    assert sum(r.count for r in capped.recruits) == needed - 1
    assert any("limit of" in note for note in capped.notes)
    assert all("limit of" in r.why for r in capped.recruits)
    assert recommend(data, rules, scenario, before, quotas=QUOTAS, seed=0, max_recruits=needed - 1) == (
        capped.recruits,
        capped.scarce,
        capped.oversupplied,
    )


def _year(year: int, unstaffed: tuple[Unstaffed, ...], disputes: int) -> YearFigures:
    zero = 0.0
    return YearFigures(
        year, disputes, disputes - len(unstaffed), zero, zero, "", zero, zero, zero, "", zero, zero, zero, zero,
        zero, zero, zero, zero, zero, unstaffed,
    )  # fmt: skip


def _blocked(scenario: Scenario, seed: int, rules: tuple[str, ...], which: str) -> Simulation:
    """A simulation (without running one) in which the disputes of working language ``which`` had no panel."""
    years = []
    for y in range(1, scenario.years + 1):
        disputes = forecast(scenario, y, seed)
        blocked = tuple(
            Unstaffed(y, d.dispute_id, d.kind.value, d.parties, d.languages, d.subject_areas, d.panel_size, rules, "")
            for d in disputes
            if d.working_language == which
        )
        years.append(_year(y, blocked, len(disputes)))
    return Simulation("before", tuple(years))


def test_the_count_is_the_smallest_that_covers_the_seats(tmp_path: Path, rules: RuleSet) -> None:
    """Disputes short of capacity need all their seats; one recruit takes ``max_cases // 2`` new seats a year."""
    data = _roster(tmp_path / "r", _mediators("M", OUTSIDE_AFRICA, 24))
    scenario = _scenario(languages={"en": 1.0}, disputes_per_year=10)
    before = _blocked(scenario, 0, ("capacity",), "en")
    seats_a_year = max(sum(u.panel_size for u in before.unstaffed() if u.year == y) for y in (1, 2))
    recruits, _, _ = recommend(data, rules, scenario, before, quotas=QUOTAS, seed=0)
    per_recruit = 8 // 2  # max_cases 8, shared with last year's cases (case_years 1)
    assert sum(r.count for r in recruits) == -(-seats_a_year // per_recruit)


def test_scarce_mediators_and_over_supplied_profiles(tmp_path: Path, rules: RuleSet) -> None:
    """The one Arabic speaker with room for one case is the scarcest; maritime experts nobody needs are spare."""
    rows = _mediators("M", OUTSIDE_AFRICA, 24)
    rows.append(
        mediator_row(
            "S01", nationalities="CAN", languages="ar;en", legal_traditions="common", max_cases=2, nominated_by=""
        )
    )
    rows += [
        mediator_row(
            f"P{i:02d}",
            nationalities=("POL", "CZE", "HUN", "ROU", "BGR", "SVK")[i],
            languages="ru",
            legal_traditions="civil",
            expertise="maritime:5",
            max_cases=8,
            active_cases=0,
            nominated_by="",
        )
        for i in range(6)
    ]
    data = _roster(tmp_path / "r", rows)
    scenario = _scenario(disputes_per_year=30)
    before = _blocked(scenario, 0, ("capacity",), "none")
    _, scarce, spare = recommend(data, rules, scenario, before, quotas=QUOTAS, seed=0)
    assert scarce and scarce[0].mediator_id == "S01"
    assert scarce[0].demand > scarce[0].capacity
    assert "chair" in scarce[0].why
    assert any("Eastern European" in o.profile and "Russian" in o.profile for o in spare)
    assert all(o.mediators >= 5 for o in spare)


def test_with_recruits_adds_synthetic_mediators_and_keeps_the_rest(tmp_path: Path) -> None:
    data = _roster(tmp_path / "r", _mediators("M", OUTSIDE_AFRICA, 5))
    recruits, _, _ = recommend(
        data, load_rule_set(), _scenario(), _blocked(_scenario(), 0, ("H4",), "ar"), seed=0, max_recruits=3
    )
    assert recruits
    out = with_recruits(data, (*recruits, Recruit(recruits[0].profile, 2, 0, "")))
    assert out.mediators[: len(data.mediators)] == data.mediators
    assert out.inputs_sha256 == data.inputs_sha256 and out.sources.keys() == data.sources.keys()
    added = out.mediators[len(data.mediators) :]
    assert [m.mediator_id for m in added] == [f"R{i:04d}" for i in range(1, len(added) + 1)]
    assert all(m.name.startswith("Recruit ") and m.available and m.declaration_signed for m in added)
    assert all(m.active_cases == 0 and m.max_cases == 8 for m in added)
    assert all(set(m.expertise.values()) == {5} for m in added)
    same_profile = [m for m in added if m.languages == frozenset(recruits[0].profile.languages)]
    assert len({m.nationalities for m in same_profile}) == len(same_profile)  # each a different nationality
