"""Every flag fires exactly when its threshold is crossed: at the threshold, just below and just above.

"Above" thresholds are strict (a share equal to the threshold raises nothing), "below" thresholds
are strict, "at least" thresholds include the value. Figures come from the fixture in
tests/fixtures/reports (hand computations in tests/test_reports.py) and from small histories
built here whose shares are exact fractions.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from pathlib import Path

import pytest

from matching.core.domain import Appointment, Dataset, Mediator, Tradition
from matching.io.loading import load_dataset
from matching.io.rulesets import load_rule_set
from matching.reports.flags import (
    Flag,
    ThresholdError,
    Thresholds,
    all_flags,
    flags_table,
    panel_flags,
    pct,
    roster_flags,
)
from matching.reports.neutrality import PanelReport, RosterReport, panel_report, roster_report
from matching.rules.workspace import Workspace

FIXTURES = Path(__file__).parent / "fixtures" / "reports"


@pytest.fixture(scope="module")
def data() -> Dataset:
    return load_dataset(
        mediators=FIXTURES / "mediators.csv",
        disputes=FIXTURES / "disputes.csv",
        conflicts=FIXTURES / "conflicts.csv",
        appointments=FIXTURES / "appointments.csv",
    )


@pytest.fixture(scope="module")
def report(data: Dataset) -> RosterReport:
    return roster_report(data)


@pytest.fixture(scope="module")
def leaning(data: Dataset) -> PanelReport:
    # Alignment RUS 3 (CHN 2 + BRA 1), USA 0: asymmetry 3.
    return panel_report(Workspace(data), "D1", ["M3", "M5", "M1"], load_rule_set("iomed"), compare=False)


def codes(flags: list[Flag], code: str) -> list[str]:
    return [f.subject for f in flags if f.code == code]


def below(x: float) -> float:
    return math.nextafter(x, -math.inf)


def above(x: float) -> float:
    return math.nextafter(x, math.inf)


def test_default_flags_on_the_fixture(report: RosterReport) -> None:
    flags = roster_flags(report)
    # States above 10 %: KEN 4/12, FRA 3/12, CHN 2/12, HKG 2/12 (BRA 1/12 is not).
    assert codes(flags, "state_share") == ["KEN", "FRA", "CHN", "HKG"]
    # Groups: african 4/12 and asia_pacific 4/12 are 33.3 %, under 35 %.
    assert codes(flags, "un_group_share") == []
    # Women hold 7/12.
    assert codes(flags, "women_share") == []
    assert codes(flags, "repeat_appointment") == ["M1 / ETH", "M3 / PAK"]
    assert codes(flags, "top_share") == ["top 15"]
    assert codes(flags, "host_share") == ["CHN;HKG"]
    assert codes(flags, "funder_share") == ["CHN"]
    assert len(flags) == 9


def test_sentences_give_the_numbers(report: RosterReport) -> None:
    flags = {(f.code, f.subject): f for f in roster_flags(report)}
    ken = flags[("state_share", "KEN")]
    assert ken.sentence == (
        "Nationals of Kenya (KEN) hold 33.3 % of seats (4 of 12), above the threshold of 10.0 % for any one state "
        "(they are 16.7 % of the roster)."
    )
    assert ken.value == pytest.approx(4 / 12) and ken.threshold == 0.10 and ken.comparison == "above"
    repeat = flags[("repeat_appointment", "M1 / ETH")].sentence
    assert "appointed 2 times by ETH within 3 years" in repeat
    assert "2021-02-01 to 2023-01-10" in repeat and "H01, H02" in repeat
    host = flags[("host_share", "CHN;HKG")].sentence
    assert "CHN, HKG" in host and "33.3 %" in host and "(4 of 12)" in host
    assert "assumption" in flags[("funder_share", "CHN")].sentence


# --- share thresholds: the flag fires exactly when the share is strictly above (or below) ----------------


SHARE_CASES = [
    # (threshold name, flag code, subject, the share in the fixture)
    ("state_share_above", "state_share", "KEN", 4 / 12),
    ("un_group_share_above", "un_group_share", "african", 4 / 12),
    ("top_share_above", "top_share", "top 15", 1.0),
    ("host_share_above", "host_share", "CHN;HKG", 4 / 12),
    ("funder_share_above", "funder_share", "CHN", 2 / 12),
]


@pytest.mark.parametrize(("name", "code", "subject", "share"), SHARE_CASES)
def test_above_thresholds_are_strict(report: RosterReport, name: str, code: str, subject: str, share: float) -> None:
    def fires(threshold: float) -> bool:
        return subject in codes(roster_flags(report, Thresholds().with_overrides({name: threshold})), code)

    assert not fires(share)  # at the threshold: no flag
    assert fires(below(share))  # threshold just below the share: flag
    if share < 1:  # a share threshold cannot exceed 1
        assert not fires(above(share))  # threshold just above the share: no flag


def test_women_threshold_is_strict(report: RosterReport) -> None:
    share = 7 / 12

    def fires(threshold: float) -> bool:
        return bool(codes(roster_flags(report, Thresholds(women_share_below=threshold)), "women_share"))

    assert not fires(share)
    assert fires(above(share))
    assert not fires(below(share))


def test_repeat_threshold_counts_at_least(report: RosterReport) -> None:
    def fired(threshold: int) -> list[str]:
        return codes(roster_flags(report, Thresholds(repeat_appointments_at_least=threshold)), "repeat_appointment")

    assert fired(2) == ["M1 / ETH", "M3 / PAK"]  # at: two appointments, threshold two
    assert fired(3) == []  # above the count


def test_panel_lean_counts_at_least(leaning: PanelReport) -> None:
    def fires(threshold: int) -> bool:
        return bool(codes(panel_flags(leaning, Thresholds(panel_lean_at_least=threshold)), "panel_lean"))

    assert leaning.asymmetry == 3
    assert fires(3)  # at
    assert fires(2)  # threshold below the asymmetry
    assert not fires(4)  # threshold above
    (flag,) = panel_flags(leaning)
    assert flag.sentence == (
        "Panel P1 for D1 (Li Wei (M3), Ana Souza (M5), Amina Odhiambo (M1)) leans towards Russian Federation "
        "(RUS): its members share 3 bloc "
        "membership(s) with RUS and 0 with USA, a difference of 3; the threshold is 2."
    )


def test_balanced_panel_raises_nothing(data: Dataset) -> None:
    balanced = panel_report(Workspace(data), "D1", ["M2", "M1", "M5"], load_rule_set("iomed"), compare=False)
    assert balanced.asymmetry == 0
    assert panel_flags(balanced, Thresholds(panel_lean_at_least=1)) == []


def test_panel_breaking_a_rule_is_flagged(data: Dataset) -> None:
    broken = panel_report(Workspace(data), "D2", ["M3", "M1", "M5"], load_rule_set("iomed"), compare=False)
    flags = panel_flags(broken)
    assert [f.code for f in flags] == ["panel_breaks_rule"]
    assert "H1" in flags[0].sentence and "M3" in flags[0].sentence


# --- exact fractions at the default thresholds ------------------------------------------------------------


def _person(mid: str, nationality: str, gender: str) -> Mediator:
    return Mediator(
        mediator_id=mid,
        name=f"Mediator {mid}",
        nationalities=(nationality,),
        gender=gender,
        languages=frozenset({"en"}),
        legal_traditions=frozenset({Tradition.CIVIL}),
        expertise={},
    )


def _history(seats: dict[str, int], people: list[Mediator]) -> RosterReport:
    """Seats per mediator, one party each time and five years apart, so that nothing repeats."""
    rows = []
    start = date(2000, 1, 1)
    for mid, count in seats.items():
        for i in range(count):
            rows.append(Appointment(mid, f"{mid}-{i}", "ARG", start + timedelta(days=4 * 365 * i)))
    return roster_report(Dataset(mediators=tuple(people), disputes=(), appointments=tuple(rows)))


NATIONS = ["KEN", "FRA", "BRA", "POL", "IND", "ETH", "DEU", "MEX", "JPN", "NGA"]


@pytest.mark.parametrize(("seats", "fires"), [(9, False), (10, False), (11, True)])
def test_state_share_at_ten_percent_exactly(seats: int, fires: bool) -> None:
    # One KEN national holds `seats` of 100 seats; the other 100 - seats are spread over 30 other mediators
    # of nine other nationalities, each well under 10 %.
    people = [_person("K", "KEN", "F")] + [_person(f"O{i}", NATIONS[1 + i % 9], "F") for i in range(30)]
    rest = 100 - seats
    spread = {f"O{i}": rest // 30 + (1 if i < rest % 30 else 0) for i in range(30)}
    report = _history({"K": seats, **spread}, people)
    assert report.total_seats == 100
    assert ("KEN" in codes(roster_flags(report), "state_share")) is fires


@pytest.mark.parametrize(("women", "fires"), [(29, True), (30, False), (31, False)])
def test_women_share_at_thirty_percent_exactly(women: int, fires: bool) -> None:
    people = [_person("W", "KEN", "F"), _person("M", "FRA", "M")]
    report = _history({"W": women, "M": 100 - women}, people)
    assert ("F" in codes(roster_flags(report), "women_share")) is fires


@pytest.mark.parametrize(("seats", "fires"), [(34, False), (35, False), (36, True)])
def test_un_group_share_at_35_percent_exactly(seats: int, fires: bool) -> None:
    # African Group: `seats` of 100; the rest shared by four other groups.
    people = [
        _person("A", "KEN", "F"),
        _person("B", "FRA", "F"),
        _person("C", "BRA", "F"),
        _person("D", "POL", "F"),
        _person("E", "JPN", "F"),
    ]
    rest = 100 - seats
    report = _history({"A": seats, "B": rest // 4, "C": rest // 4, "D": rest // 4, "E": rest - 3 * (rest // 4)}, people)
    assert ("african" in codes(roster_flags(report), "un_group_share")) is fires


def test_no_seats_no_flags() -> None:
    report = roster_report(Dataset(mediators=(_person("W", "KEN", "F"),), disputes=()))
    assert roster_flags(report) == []


# --- thresholds themselves -----------------------------------------------------------------------------------


def test_threshold_defaults_and_overrides() -> None:
    t = Thresholds()
    assert (t.state_share_above, t.un_group_share_above, t.women_share_below) == (0.10, 0.35, 0.30)
    assert (t.repeat_appointments_at_least, t.panel_lean_at_least, t.top_share_above) == (2, 2, 0.50)
    changed = t.with_overrides({"state_share_above": "0.15", "panel_lean_at_least": "3"})
    assert changed.state_share_above == 0.15 and changed.panel_lean_at_least == 3
    for bad in (
        {"nonsense": "1"},
        {"state_share_above": "ten"},
        {"state_share_above": "1.5"},
        {"panel_lean_at_least": "2.5"},
        {"repeat_appointments_at_least": "1"},
    ):
        with pytest.raises(ThresholdError):
            t.with_overrides(bad)


def test_pct_never_shows_a_crossed_value_as_equal() -> None:
    assert pct(0.1) == "10.0 %"
    assert pct(0.1004, 0.10) == "10.04 %"
    assert pct(1 / 3) == "33.3 %"


def test_flags_table_and_order(report: RosterReport, leaning: PanelReport) -> None:
    flags = all_flags(report, [leaning])
    assert [f.scope for f in flags][-1] == "panel"
    table = flags_table(flags)
    assert table.columns == ("scope", "code", "subject", "value", "comparison", "threshold", "sentence")
    assert len(table.rows) == len(flags) == 10
