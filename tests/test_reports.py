"""Roster and panel reports against figures computed by hand on the fixture in tests/fixtures/reports.

The fixture (see its README): six mediators and twelve seats.

    mediator  nationality  group        traditions        gender  seats
    M1        KEN          african      common, customary F       4
    M2        FRA (;CHE)   WEOG         civil             M       3
    M3        CHN          asia_pacific civil             M       2
    M4        HKG          asia_pacific common            F       2
    M5        BRA          GRULAC       civil             F       1
    M6        POL          eastern_eur. civil             M       0
                                                         total   12
"""

from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from matching.core.domain import Appointment, Dataset, Mediator, Tradition
from matching.core.errors import UnknownIdError
from matching.core.paths import reference_dir
from matching.io.countries import default_countries
from matching.io.loading import load_dataset
from matching.io.rulesets import load_rule_set
from matching.panel.service import check_panel
from matching.reports.html import render_report
from matching.reports.neutrality import (
    CSV_SCHEMA,
    PanelReport,
    RosterReport,
    ShareRow,
    add_years,
    csv_text,
    gini,
    herfindahl,
    make_table,
    neutral_rule_set,
    panel_report,
    panel_tables,
    repeat_appointments,
    roster_report,
    roster_tables,
    write_tables,
)
from matching.rules.workspace import Workspace

FIXTURES = Path(__file__).parent / "fixtures" / "reports"
APPROX = 1e-12


def load_fixture() -> Dataset:
    return load_dataset(
        mediators=FIXTURES / "mediators.csv",
        disputes=FIXTURES / "disputes.csv",
        conflicts=FIXTURES / "conflicts.csv",
        appointments=FIXTURES / "appointments.csv",
    )


@pytest.fixture(scope="module")
def data() -> Dataset:
    return load_fixture()


@pytest.fixture(scope="module")
def report(data: Dataset) -> RosterReport:
    return roster_report(data)


@pytest.fixture(scope="module")
def ws(data: Dataset) -> Workspace:
    return Workspace(data)


def rows_by_key(rows: Iterable[ShareRow]) -> dict[str, ShareRow]:
    return {r.key: r for r in rows}


# --- roster report: hand-computed figures -----------------------------------------------------------


def test_seats_and_roster(report: RosterReport) -> None:
    assert report.total_seats == 12
    assert report.roster_size == 6
    assert report.mediators_with_seats == 5  # M6 holds none
    assert report.first_on == date(2021, 2, 1)
    assert report.last_on == date(2025, 10, 10)
    assert [(m.mediator_id, m.seats) for m in report.by_mediator] == [
        ("M1", 4),
        ("M2", 3),
        ("M3", 2),
        ("M4", 2),
        ("M5", 1),
        ("M6", 0),
    ]


def test_seats_by_nationality(report: RosterReport) -> None:
    # A seat counts for the effective (first) nationality: M2's three seats are FRA's, none CHE's.
    rows = rows_by_key(report.by_nationality)
    assert set(rows) == {"KEN", "FRA", "CHN", "HKG", "BRA", "POL"}
    expected = {  # key: (seats, seat share, roster share)
        "KEN": (4, 4 / 12, 1 / 6),
        "FRA": (3, 3 / 12, 1 / 6),
        "CHN": (2, 2 / 12, 1 / 6),
        "HKG": (2, 2 / 12, 1 / 6),
        "BRA": (1, 1 / 12, 1 / 6),
        "POL": (0, 0.0, 1 / 6),
    }
    for key, (seats, seat_share, roster_share) in expected.items():
        assert rows[key].seats == seats
        assert rows[key].seat_share == pytest.approx(seat_share, abs=APPROX)
        assert rows[key].roster_share == pytest.approx(roster_share, abs=APPROX)
        assert rows[key].mediators == 1
    # Member-state share: each UN member state is 1/193; Hong Kong is not a member state.
    for key in ("KEN", "FRA", "CHN", "BRA", "POL"):
        assert rows[key].member_state_share == pytest.approx(1 / 193, abs=APPROX)
    assert rows["HKG"].member_state_share is None
    # Most seats first.
    assert [r.key for r in report.by_nationality] == ["KEN", "FRA", "CHN", "HKG", "BRA", "POL"]


def test_seats_by_un_group(report: RosterReport) -> None:
    rows = rows_by_key(report.by_un_group)
    # african: M1 4; asia_pacific: M3 2 + M4 2 = 4; WEOG: M2 3; GRULAC: M5 1; eastern_european: 0.
    # Roster: one mediator in each group except asia_pacific (M3, M4).
    # Member states (reference README): African 54, Asia-Pacific 54, Eastern European 23, GRULAC 33, WEOG 29.
    expected = {
        "african": (4, 4 / 12, 1 / 6, 54 / 193),
        "asia_pacific": (4, 4 / 12, 2 / 6, 54 / 193),
        "eastern_european": (0, 0.0, 1 / 6, 23 / 193),
        "latin_american_caribbean": (1, 1 / 12, 1 / 6, 33 / 193),
        "western_european_others": (3, 3 / 12, 1 / 6, 29 / 193),
    }
    assert [r.key for r in report.by_un_group] == list(expected)
    for key, (seats, seat_share, roster_share, member_share) in expected.items():
        assert rows[key].seats == seats
        assert rows[key].seat_share == pytest.approx(seat_share, abs=APPROX)
        assert rows[key].roster_share == pytest.approx(roster_share, abs=APPROX)
        assert rows[key].member_state_share == pytest.approx(member_share, abs=APPROX)
    assert sum(r.member_state_share or 0 for r in report.by_un_group) == pytest.approx(1.0)


def test_seats_by_legal_tradition(report: RosterReport) -> None:
    rows = rows_by_key(report.by_legal_tradition)
    # civil: M2 3 + M3 2 + M5 1 = 6; common: M1 4 + M4 2 = 6; customary: M1 4; muslim: 0.
    # Roster: civil M2 M3 M5 M6 (4 of 6), common M1 M4 (2), customary M1 (1), muslim none.
    expected = {
        "civil": (6, 6 / 12, 4 / 6),
        "common": (6, 6 / 12, 2 / 6),
        "customary": (4, 4 / 12, 1 / 6),
        "muslim": (0, 0.0, 0.0),
    }
    for key, (seats, seat_share, roster_share) in expected.items():
        assert rows[key].seats == seats
        assert rows[key].seat_share == pytest.approx(seat_share, abs=APPROX)
        assert rows[key].roster_share == pytest.approx(roster_share, abs=APPROX)
    # Member-state share counted independently from the reference file.
    with (reference_dir() / "countries.csv").open(encoding="utf-8") as fh:
        members = [r for r in csv.DictReader(fh) if r["iso3"] not in {"HKG", "MAC", "TWN", "PSE", "VAT"}]
    assert len(members) == 193
    for t in Tradition:
        count = sum(1 for r in members if t.value in r["legal_traditions"].split(";"))
        assert rows[t.value].member_state_share == pytest.approx(count / 193, abs=APPROX)


def test_seats_by_gender(report: RosterReport) -> None:
    rows = rows_by_key(report.by_gender)
    # Women: M1 4 + M4 2 + M5 1 = 7 of 12; men: M2 3 + M3 2 = 5. Roster: 3 women, 3 men.
    assert list(rows) == ["F", "M"]
    assert (rows["F"].seats, rows["M"].seats) == (7, 5)
    assert rows["F"].seat_share == pytest.approx(7 / 12, abs=APPROX)
    assert rows["F"].roster_share == pytest.approx(0.5, abs=APPROX)
    assert rows["F"].member_state_share is None
    assert report.women_share == pytest.approx(7 / 12, abs=APPROX)


def test_concentration(report: RosterReport) -> None:
    # HHI = (4^2 + 3^2 + 2^2 + 2^2 + 1^2 + 0^2) / 12^2 = 34 / 144.
    assert report.hhi == pytest.approx(34 / 144, abs=APPROX)
    # Gini over the whole roster, M6's zero included: sorted 0 1 2 2 3 4, n = 6, total 12.
    # Sum of |xi - xj| over unordered pairs = 26, so G = 2 * 26 / (2 * 6^2 * 2) = 26 / 72.
    # (Check: 2 * (1*0 + 2*1 + 3*2 + 4*2 + 5*3 + 6*4) / (6 * 12) - 7/6 = 110/72 - 84/72 = 26/72.)
    assert report.gini == pytest.approx(26 / 72, abs=APPROX)
    # The 15 most appointed: the whole roster here, so all 12 seats.
    assert report.top_n == 15
    assert report.top_share == pytest.approx(1.0, abs=APPROX)


def test_top_share_with_a_smaller_top(data: Dataset) -> None:
    # The two most appointed: M1 4 + M2 3 = 7 of 12.
    assert roster_report(data, top_n=2).top_share == pytest.approx(7 / 12, abs=APPROX)
    # Ties at the cut do not matter: the 3rd and 4th hold 2 each, so the top 3 hold 4 + 3 + 2 = 9.
    assert roster_report(data, top_n=3).top_share == pytest.approx(9 / 12, abs=APPROX)


def test_host_and_funder(data: Dataset, report: RosterReport) -> None:
    # Host CHN + HKG: M3 2 + M4 2 = 4 of 12. Funder CHN: 2 of 12.
    assert report.host.codes == ("CHN", "HKG")
    assert (report.host.seats, report.host.share) == (4, pytest.approx(4 / 12, abs=APPROX))
    assert report.funder.codes == ("CHN",)
    assert (report.funder.seats, report.funder.share) == (2, pytest.approx(2 / 12, abs=APPROX))
    other = roster_report(data, host=["fra"], funder=["KEN", "BRA"])
    assert (other.host.seats, other.funder.seats) == (3, 5)
    with pytest.raises(UnknownIdError):
        roster_report(data, host=["XXX"])


def test_repeat_appointments_in_the_fixture(report: RosterReport) -> None:
    # M1 by ETH on 2021-02-01 and 2023-01-10 (under three years apart); M3 by PAK twice in April 2022.
    # M2 by EGY on 2021-03-01 and 2024-03-01 is exactly three years apart: not a repeat.
    found = {(r.mediator_id, r.party): r for r in report.repeats}
    assert set(found) == {("M1", "ETH"), ("M3", "PAK")}
    assert found[("M1", "ETH")].appointments == 2
    assert found[("M1", "ETH")].first_on == date(2021, 2, 1)
    assert found[("M1", "ETH")].last_on == date(2023, 1, 10)
    assert found[("M1", "ETH")].dispute_ids == ("H01", "H02")


def _person(mid: str, nationality: str = "KEN", gender: str | None = "F") -> Mediator:
    return Mediator(
        mediator_id=mid,
        name=f"Mediator {mid}",
        nationalities=(nationality,),
        gender=gender,
        languages=frozenset({"en"}),
        legal_traditions=frozenset({Tradition.COMMON}),
        expertise={},
    )


def _seat(mid: str, day: date, party: str = "ETH", dispute: str | None = None) -> Appointment:
    return Appointment(mid, dispute or f"H-{day.isoformat()}", party, day)


@pytest.mark.parametrize(
    ("second", "counted"),
    [
        (date(2024, 2, 29), True),  # one day short of three years
        (date(2024, 3, 1), False),  # exactly three years: no longer "within"
        (date(2024, 3, 2), False),  # one day more
    ],
)
def test_repeat_window_boundary(second: date, counted: bool) -> None:
    people = {"M1": _person("M1")}
    found = repeat_appointments([_seat("M1", date(2021, 3, 1)), _seat("M1", second)], people, years=3)
    assert bool(found) is counted


def test_repeat_window_from_29_february() -> None:
    assert add_years(date(2020, 2, 29), 3) == date(2023, 2, 28)
    people = {"M1": _person("M1")}
    assert repeat_appointments([_seat("M1", date(2020, 2, 29)), _seat("M1", date(2023, 2, 27))], people)
    assert not repeat_appointments([_seat("M1", date(2020, 2, 29)), _seat("M1", date(2023, 2, 28))], people)


def test_repeat_counts_the_busiest_window_and_each_dispute_once() -> None:
    people = {"M1": _person("M1")}
    seats = [
        _seat("M1", date(2020, 1, 1)),
        _seat("M1", date(2024, 1, 1)),
        _seat("M1", date(2024, 6, 1)),
        _seat("M1", date(2025, 1, 1)),
        _seat("M1", date(2025, 2, 1), dispute="H-2025-01-01"),  # the same dispute again: counts once
        _seat("M1", date(2025, 1, 1), party="SDN"),  # another party
    ]
    (found,) = repeat_appointments(seats, people)
    assert (found.party, found.appointments) == ("ETH", 3)
    assert (found.first_on, found.last_on) == (date(2024, 1, 1), date(2025, 1, 1))


def test_trends_by_year(report: RosterReport) -> None:
    # 2021: M1 african, M2 WEOG; 2022: M3 x2 asia_pacific; 2023: M1, M4; 2024: M1, M2, M4; 2025: M1, M2, M5.
    table = {(r.year, r.key): r.seats for r in report.by_year}
    assert report.years == [2021, 2022, 2023, 2024, 2025]
    assert len(report.by_year) == 5 * 5  # every year, every group, zeros included
    assert table[(2021, "african")] == 1 and table[(2021, "western_european_others")] == 1
    assert table[(2022, "asia_pacific")] == 2
    assert table[(2024, "asia_pacific")] == 1
    assert table[(2025, "latin_american_caribbean")] == 1
    assert sum(table.values()) == 12
    share = {(r.year, r.key): r.seat_share for r in report.by_year}
    assert share[(2024, "african")] == pytest.approx(1 / 3, abs=APPROX)


def test_extra_recorded_decisions_add_seats(data: Dataset) -> None:
    extra = [Appointment("M6", "NEW1", "ARG", date(2026, 1, 5))]
    report = roster_report(data, extra)
    assert report.total_seats == 13
    assert report.extra_seats == 1
    assert rows_by_key(report.by_nationality)["POL"].seats == 1
    assert rows_by_key(report.by_un_group)["eastern_european"].seat_share == pytest.approx(1 / 13, abs=APPROX)
    assert report.years[-1] == 2026
    with pytest.raises(UnknownIdError):
        roster_report(data, [Appointment("NOBODY", "X", "ARG", date(2026, 1, 5))])


def test_no_seats_gives_zeros() -> None:
    data = Dataset(mediators=(_person("M1"), _person("M2", "FRA", "M")), disputes=())
    report = roster_report(data)
    assert report.total_seats == 0
    assert (report.hhi, report.gini, report.top_share, report.women_share) == (0.0, 0.0, 0.0, 0.0)
    assert report.by_year == ()
    assert report.repeats == ()


def test_herfindahl_and_gini_extremes() -> None:
    assert herfindahl([3, 3, 3]) == pytest.approx(1 / 3)
    assert herfindahl([5, 0, 0]) == pytest.approx(1.0)
    assert gini([2, 2, 2, 2]) == pytest.approx(0.0)
    assert gini([0, 0, 0, 4]) == pytest.approx(3 / 4)  # (n - 1) / n when one holds everything
    assert gini([]) == 0.0


# --- panel report --------------------------------------------------------------------------------------


def test_panel_members_alignment_and_disclosures(ws: Workspace) -> None:
    rules = load_rule_set("iomed")
    panel = panel_report(ws, "D1", ["M2", "M1", "M5"], rules, compare=False)
    m2, m1, m5 = panel.members
    assert (m2.role, m1.role, m5.role) == ("chair", "member", "member")
    assert m2.nationalities == ("FRA", "CHE")
    assert m2.un_group == "western_european_others"
    assert m1.legal_traditions == ("common", "customary")
    assert m5.languages == ("en", "pt")
    # RUS: SCO BRICS CIS EAEU; USA: NATO. FRA: EU NATO (CHE none); KEN: AU Commonwealth; BRA: BRICS Mercosur.
    assert m2.alignment == {"RUS": 0, "USA": 1}
    assert m2.shared_blocs["USA"] == ("NATO",)
    assert m1.alignment == {"RUS": 0, "USA": 0}
    assert m5.alignment == {"RUS": 1, "USA": 0}
    assert panel.alignment == {"RUS": 1, "USA": 1}
    assert panel.asymmetry == 0
    # The orange conflict of M1 on D1, and M2's appointment by USA within the last three years.
    notes = {(d.mediator_id, d.category): d.note for d in panel.disclosures}
    assert notes[("M1", "orange")].startswith("Co-authored a paper")
    assert "already appointed by USA" in notes[("M2", "orange")]
    assert len(panel.disclosures) == 2
    assert panel.feasible
    assert [r.rule for r in panel.rules] == ["H1", "H2", "H3", "H4", "H5", "H6", "H7", "H8"]
    assert panel.standing is None
    assert panel.objective_gap is None


def test_leaning_panel(ws: Workspace) -> None:
    # CHN: SCO BRICS (2 with RUS); BRA: BRICS (1); KEN: 0. With USA: 0. Asymmetry 3.
    panel = panel_report(ws, "D1", ["M3", "M5", "M1"], load_rule_set("iomed"), compare=False)
    assert panel.alignment == {"RUS": 3, "USA": 0}
    assert panel.asymmetry == 3


def test_alignment_uses_every_nationality(ws: Workspace) -> None:
    # M2 is FRA;CHE; against CHN and IND nobody in the EU or NATO shares anything, but the union is used.
    panel = panel_report(ws, "D2", ["M2", "M1", "M5"], load_rule_set("iomed"), compare=False)
    ref = default_countries()
    blocs = ref["FRA"].blocs | ref["CHE"].blocs
    assert panel.members[0].alignment == {p: len(blocs & ref[p].blocs) for p in ("CHN", "IND")}


def test_rules_broken_are_named(ws: Workspace) -> None:
    # M3 is a Chinese national on a dispute with China: H1, and he cannot chair.
    panel = panel_report(ws, "D2", ["M3", "M1", "M5"], load_rule_set("iomed"), compare=False)
    assert not panel.feasible
    assert panel.broken_rules == ["H1"]
    h1 = next(r for r in panel.rules if r.rule == "H1")
    assert any("M3" in reason and "CHN" in reason for reason in h1.reasons)
    assert all(r.passed for r in panel.rules if r.rule != "H1")


def test_unknown_ids_raise(ws: Workspace) -> None:
    with pytest.raises(UnknownIdError):
        panel_report(ws, "D1", ["M2", "NOBODY", "M5"], load_rule_set("iomed"), compare=False)
    with pytest.raises(UnknownIdError):
        panel_report(ws, "D9", ["M2", "M1", "M5"], load_rule_set("iomed"), compare=False)


def _best_by_brute_force(ws: Workspace, dispute_id: str, rules_name: str, neutral: bool) -> float:
    rules = load_rule_set(rules_name)
    if neutral:
        rules = neutral_rule_set(rules)
    best = float("-inf")
    ids = [m.mediator_id for m in ws.data.mediators]
    for trio in itertools.permutations(ids, 3):
        check = check_panel(ws, dispute_id, list(trio), rules)
        if check.feasible and check.scores is not None:
            best = max(best, check.scores.objective)
    return best


def test_standing_against_the_best_panels(ws: Workspace) -> None:
    rules = load_rule_set("iomed")
    panel = panel_report(ws, "D1", ["M3", "M5", "M1"], rules)
    s = panel.standing
    assert s is not None and s.best_status == "optimal" and s.neutral_status == "optimal"
    # The solver's best equals the brute-force best over every ordered trio (chair first).
    assert s.best_objective == pytest.approx(_best_by_brute_force(ws, "D1", "iomed", neutral=False), abs=1e-9)
    assert s.neutral_objective == pytest.approx(_best_by_brute_force(ws, "D1", "iomed", neutral=True), abs=1e-9)
    # The reported gaps are the differences, on the same scales.
    assert panel.objective == pytest.approx(check_panel(ws, "D1", ["M3", "M5", "M1"], rules).scores.objective)  # type: ignore[union-attr]
    assert panel.objective_gap == pytest.approx(s.best_objective - panel.objective)  # type: ignore[operator]
    assert panel.neutral_gap == pytest.approx(s.neutral_objective - panel.neutral_objective)  # type: ignore[operator]
    assert panel.objective_gap is not None and panel.objective_gap >= -1e-9
    assert panel.neutral_gap is not None and panel.neutral_gap > 0  # a panel leaning by 3 blocs is not the most neutral
    assert panel.neutrality_gap == pytest.approx(s.neutral_neutrality - panel.neutrality)  # type: ignore[operator]
    assert s.neutral_members is not None and s.neutral_panel_objective is not None
    assert s.neutral_panel_objective <= s.best_objective + 1e-9  # type: ignore[operator]
    assert any("most neutral panel" in line for line in panel.standing_sentences())
    # A Standing already computed is reused as is.
    again = panel_report(ws, "D1", ["M2", "M1", "M5"], rules, compare=s)
    assert again.standing is s


# --- tables and CSV ----------------------------------------------------------------------------------------


def test_csv_text_escapes_formulas_but_not_numbers() -> None:
    assert csv_text("=SUM(A1:A3)") == "'=SUM(A1:A3)"
    assert csv_text("+44 20") == "'+44 20"
    assert csv_text("-rf") == "'-rf"
    assert csv_text("@cmd") == "'@cmd"
    assert csv_text("plain") == "plain"
    assert csv_text(-0.25) == "-0.250000"  # a number is written as a number
    assert csv_text(None) == ""
    assert csv_text(True) == "true"
    assert csv_text(3) == "3"


def test_tables_follow_the_schema(report: RosterReport, ws: Workspace, tmp_path: Path) -> None:
    panel = panel_report(ws, "D1", ["M2", "M1", "M5"], load_rule_set("iomed"), compare=False)
    tables = [*roster_tables(report), *panel_tables([panel])]
    for table in tables:
        assert table.columns == tuple(CSV_SCHEMA[table.name]), table.name
    written = write_tables(tables, tmp_path)
    assert {p.name for p in written} == {f"{name}.csv" for name in CSV_SCHEMA} - {"flags.csv"}
    for name in ("seats_by_un_group", "seats_by_nationality", "seats_by_legal_tradition", "seats_by_gender"):
        with (tmp_path / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
            header = next(csv.reader(fh))
        assert header[:4] == ["key", "seats", "seat_share", "roster_share"]
    with (tmp_path / "seats_by_mediator.csv").open(encoding="utf-8", newline="") as fh:
        names = {r["mediator_id"]: r["name"] for r in csv.DictReader(fh)}
    assert names["M4"] == "'=SUM(1+1) Chan"
    with (tmp_path / "seats_by_un_group.csv").open(encoding="utf-8", newline="") as fh:
        groups = {r["key"]: r for r in csv.DictReader(fh)}
    assert groups["african"]["seats"] == "4"
    assert groups["african"]["seat_share"] == "0.333333"
    assert groups["african"]["roster_share"] == "0.166667"
    assert not list(tmp_path.glob("*.tmp"))


def test_schema_is_documented_in_the_module_docstring() -> None:
    import matching.reports.neutrality as reports

    doc = reports.__doc__ or ""
    for name, columns in CSV_SCHEMA.items():
        line = next((ln for ln in doc.splitlines() if ln.startswith(f"| {name}.csv |")), None)
        assert line is not None, f"{name}.csv missing from the docstring table"
        for column in columns:
            assert column in line, f"{name}.csv: column {column} missing from the docstring"


def test_make_table_rejects_a_short_row() -> None:
    with pytest.raises(ValueError):
        make_table("summary", "Summary", [("seats", 1)])


# --- HTML -------------------------------------------------------------------------------------------------


def _html(report: RosterReport, panels: list[PanelReport]) -> str:
    from matching.reports.flags import all_flags, flags_table

    flags = all_flags(report, panels)
    tables = [*roster_tables(report), flags_table(flags), *panel_tables(panels)]
    return render_report(report, panels, flags, tables, rule_set="iomed")


def test_html_escapes_text_from_the_data() -> None:
    evil = replace(_person("M1"), name='<script>alert("x")</script>')
    data = Dataset(mediators=(evil,), disputes=(), appointments=(_seat("M1", date(2024, 1, 1)),))
    page = _html(roster_report(data), [])
    assert "<script" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


EXTERNAL = re.compile(r"""(?:src|href|url)\s*[=(]\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)


def test_html_is_self_contained_and_holds_every_table(report: RosterReport, ws: Workspace) -> None:
    rules = load_rule_set("iomed")
    panels = [
        panel_report(ws, "D1", ["M2", "M1", "M5"], rules, compare=False),
        panel_report(ws, "D1", ["M3", "M5", "M1"], rules, panel_id="P2", compare=False),
    ]
    page = _html(report, panels)
    assert page.startswith("<!DOCTYPE html>")
    assert not EXTERNAL.search(page)
    assert "http://" not in page and "https://" not in page
    for tag in ("<script", "<link", "<img", "<iframe", "@import"):
        assert tag not in page
    for name in CSV_SCHEMA:
        assert f'data-table="{name}"' in page, name
    assert page.count("<svg") >= 5  # regional groups, nationalities, traditions, gender, concentration, years
    assert "=SUM(1+1) Chan" in page
    assert "leans towards Russian Federation (RUS)" in page
    assert "Co-authored a paper with counsel for the United States" in page
    assert "@media print" in page
