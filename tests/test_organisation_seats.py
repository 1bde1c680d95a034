"""Seats filled by the organisation itself: an empty ``party`` in ``appointments.csv`` (issue 15).

Such a seat (``Appointment.party`` None) counts for the mediator's workload and in every figure
of the roster report, exactly as a seat filled by a party does, but it is no party's appointment:
it never makes a repeat appointment (no halved workload score, no disclosure, no row in the
report's repeat appointments, no flag). Each test sets an organisation seat against the same seat
filled by a party, so that it fails if the two are told apart where they must not be, or mixed
up where they must be told apart.
"""

from __future__ import annotations

from dataclasses import replace
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.core.domain import Dataset
from matching.core.errors import InputError
from matching.io.loading import load_dataset
from matching.io.rulesets import load_rule_set
from matching.reports.flags import all_flags, flags_table, roster_flags
from matching.reports.html import render_report
from matching.reports.neutrality import RosterReport, panel_report, roster_report, roster_tables
from matching.rules.checker import panel_breaches
from matching.rules.encoding import encode
from matching.rules.kernel import score_panels
from matching.rules.workspace import Workspace
from tests.factories import dispute_row, mediator_row, write_inputs
from tests.strategies import DISPUTE_ID, Roster, rosters
from tests.test_kernel import RULE_SETS, check_against_plain, plain_scores


def seat(mid: str, dispute: str, party: str, day: str) -> dict[str, str]:
    return {"mediator_id": mid, "dispute_id": dispute, "party": party, "appointed_on": day}


def load(folder: Path, appointments: list[dict[str, str]], mediators: list[dict[str, str]] | None = None) -> Dataset:
    paths = write_inputs(
        folder,
        mediators=mediators or [mediator_row(f"M{i}") for i in range(1, 5)],
        disputes=[dispute_row("D1", parties="ETH;SDN")],
        appointments=appointments,
    )
    return load_dataset(**paths)


# Dispute D1 is between ETH and SDN. Every mediator is a KEN national with the same profile, so only
# their history tells them apart:
#   M1: two seats filled by the organisation within three years;
#   M2: two seats filled by ETH (a party to D1) within three years: a repeat appointment;
#   M3: no seat;
#   M4: two seats filled by FRA (not a party to D1): as much recent load as M1, no repeat for D1.
HISTORY = [
    seat("M1", "H1", "", "2024-01-10"),
    seat("M1", "H2", "", "2025-01-10"),
    seat("M2", "H3", "ETH", "2024-01-10"),
    seat("M2", "H4", "ETH", "2025-01-10"),
    seat("M4", "H5", "FRA", "2024-01-10"),
    seat("M4", "H6", "FRA", "2025-01-10"),
]


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace(load(tmp_path, HISTORY))


# --- loading ---------------------------------------------------------------------------------------


def test_an_empty_party_loads_as_a_seat_filled_by_the_organisation(tmp_path: Path) -> None:
    data = load(
        tmp_path,
        [
            seat("M1", "H1", "", "2024-01-10"),
            seat("M1", "H2", "   ", "2024-02-10"),  # blanks only: empty too
            seat("M2", "H3", "eth", "2024-03-10"),  # a code is still read in capitals
        ],
    )
    assert [a.party for a in data.appointments] == [None, None, "ETH"]
    assert [a.by_organisation for a in data.appointments] == [True, True, False]


def test_an_empty_party_loads_from_parquet_too(tmp_path: Path) -> None:
    load(tmp_path, [seat("M1", "H0", "ETH", "2024-01-01")])  # the other files, as CSV
    frame = pd.DataFrame(
        {
            "mediator_id": ["M1", "M2"],
            "dispute_id": ["H1", "H2"],
            "party": [None, "SDN"],
            "appointed_on": ["2024-01-10", "2024-02-10"],
        }
    )
    frame.to_parquet(tmp_path / "appointments.parquet")
    data = load_dataset(
        mediators=tmp_path / "mediators.csv",
        disputes=tmp_path / "disputes.csv",
        appointments=tmp_path / "appointments.parquet",
    )
    assert [(a.mediator_id, a.party) for a in data.appointments] == [("M1", None), ("M2", "SDN")]


def test_a_bad_party_code_is_still_refused_with_its_row_and_column(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        load(tmp_path, [seat("M1", "H1", "", "2024-01-10"), seat("M2", "H2", "XXX", "2024-02-10")])
    (p,) = info.value.problems
    assert (p.file, p.row, p.column, p.value, p.code) == ("appointments.csv", 3, "party", "XXX", "bad_value")
    assert "unknown country code" in p.message
    assert "appointments.csv, row 3, column party" in str(info.value)


def test_the_party_column_itself_is_still_required(tmp_path: Path) -> None:
    rows = [{"mediator_id": "M1", "dispute_id": "H1", "appointed_on": "2024-01-10"}]
    with pytest.raises(InputError) as info:
        load(tmp_path, rows)
    (p,) = info.value.problems
    assert (p.file, p.column, p.code) == ("appointments.csv", "party", "missing_column")


# --- workload and repeat appointments --------------------------------------------------------------


def test_organisation_seats_count_in_the_recent_load_but_not_by_party(ws: Workspace) -> None:
    history = ws.history(3)
    assert [history.recent(m) for m in ("M1", "M2", "M3", "M4")] == [2, 2, 0, 2]
    assert "M1" not in history.by_party
    assert None not in {p for counter in history.by_party.values() for p in counter}
    assert history.appointed_by("M2", "ETH") == 2
    assert history.appointed_by("M4", "FRA") == 2


def test_organisation_seats_weigh_on_the_workload_score_exactly_as_party_seats(ws: Workspace) -> None:
    rule_set = load_rule_set("iomed")
    view = ws.view(ws.dispute("D1"), rule_set)
    inst = encode(ws, view)
    at = {m.mediator_id: i for i, m in enumerate(inst.mediators)}
    m1, m2, m3, m4 = (at[m] for m in ("M1", "M2", "M3", "M4"))
    assert inst.recent[m1] == inst.recent[m4] == 2
    # The same load as two seats filled by a party that is not in this dispute, and less room
    # in the workload score than no seat at all.
    assert inst.workload_coef[m1] == inst.workload_coef[m4] < inst.workload_coef[m3]
    # Two seats by ETH, a party to D1, halve the score on top: the repeat-appointment penalty.
    assert inst.repeat_parties[m2] == ("ETH",)
    assert inst.repeat_parties[m1] == () and inst.repeat_parties[m4] == ()
    assert inst.workload_coef[m2] < inst.workload_coef[m1]
    # History never takes capacity (active cases do): the same room for every one of them.
    room = ws.arrays.room(view)
    ids = [m.mediator_id for m in ws.data.mediators]
    assert len({int(room[ids.index(m)]) for m in ("M1", "M2", "M3", "M4")}) == 1
    # At busy_appointments organisation seats, the workload score is spent, as with party seats.
    busy = replace(rule_set, busy_appointments=2)
    busy_inst = encode(ws, ws.view(ws.dispute("D1"), busy))
    assert busy_inst.workload_coef[m1] == busy_inst.workload_coef[m4] == 0
    assert busy_inst.workload_coef[m3] > 0


def test_two_organisation_seats_are_no_repeat_appointment_but_two_party_seats_are(ws: Workspace) -> None:
    report = roster_report(ws.data, countries=ws.countries)
    assert [(r.mediator_id, r.party, r.appointments) for r in report.repeats] == [
        ("M2", "ETH", 2),
        ("M4", "FRA", 2),
    ]
    flagged = [f.subject for f in roster_flags(report) if f.code == "repeat_appointment"]
    assert flagged == ["M2 / ETH", "M4 / FRA"]
    (table,) = [t for t in roster_tables(report) if t.name == "repeat_appointments"]
    assert [row[0] for row in table.rows] == ["M2", "M4"]
    # A panel with M1 and M2: only M2 discloses a repeat appointment by a party of the dispute.
    panel = panel_report(ws, "D1", ["M3", "M1", "M2"], load_rule_set("iomed"), compare=False)
    assert [(d.mediator_id, "ETH" in d.note) for d in panel.disclosures] == [("M2", True)]


# --- kernel against the plain checker -------------------------------------------------------------


@pytest.mark.parametrize("rules", RULE_SETS)
def test_kernel_and_plain_checker_agree_with_organisation_seats(ws: Workspace, rules: str) -> None:
    view = ws.view(ws.dispute("D1"), load_rule_set(rules))
    check_against_plain(ws, view)
    check_against_plain(ws, view, forbid=["M2"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rosters(min_size=4, max_size=8, sizes=(1, 2, 3), harsh=True), st.sampled_from(RULE_SETS), st.data())
def test_kernel_and_plain_checker_agree_on_generated_rosters_with_organisation_seats(
    roster: Roster, rules: str, data: st.DataObject
) -> None:
    ids = [m["mediator_id"] for m in roster.mediators]
    parties = roster.dispute["parties"].split(";")
    # Each drawn seat may be filled by the organisation instead, and a few more are added that
    # name the same mediators and dates as party seats would.
    appointments = [{**a, "party": ""} if data.draw(st.booleans()) else a for a in roster.appointments]
    for number in range(data.draw(st.integers(1, 4))):
        mid = data.draw(st.sampled_from(ids))
        day = f"2024-0{data.draw(st.integers(1, 9))}-15"
        appointments.append(seat(mid, f"ORG{number}", "", day))
        if data.draw(st.booleans()):
            appointments.append(seat(mid, f"PTY{number}", data.draw(st.sampled_from(parties)), day))
    ws = replace(roster, appointments=appointments).workspace()
    assert sum(a.by_organisation for a in ws.data.appointments) >= 1
    view = ws.view(ws.dispute(DISPUTE_ID), load_rule_set(rules))
    check_against_plain(ws, view)
    # Every panel of the eligible mediators: the kernel's best objective against the plain sums.
    inst = encode(ws, view)
    rows = np.array(list(combinations(range(inst.n), inst.k)), dtype=np.int64).reshape(-1, inst.k)
    scored = score_panels(inst, rows)
    found = {tuple(int(i) for i in m): int(v) for m, v in zip(scored.members, scored.value, strict=True)}
    for row in rows.tolist():
        people = [inst.mediators[i] for i in row]
        values = [
            plain_scores(inst, row, chair).objective_int
            for chair in row
            if not panel_breaches(view, people, inst.mediators[chair])
        ]
        assert found.get(tuple(row)) == (max(values) if values else None), row


# --- the roster report -------------------------------------------------------------------------------


def test_the_roster_report_counts_organisation_seats_in_every_share(tmp_path: Path) -> None:
    people = [mediator_row("M1", nationalities="KEN", gender="F"), mediator_row("M2", nationalities="FRA", gender="M")]
    org = [
        seat("M1", "H1", "", "2024-01-10"),
        seat("M1", "H2", "", "2025-01-10"),
        seat("M2", "H3", "ETH", "2025-02-10"),
    ]
    (tmp_path / "org").mkdir()
    (tmp_path / "party").mkdir()
    with_org = roster_report(load(tmp_path / "org", org, people))
    # The same seats, M1's filled by SDN: every figure but the repeat appointments is the same.
    by_party = roster_report(load(tmp_path / "party", [{**a, "party": a["party"] or "SDN"} for a in org], people))

    assert with_org.total_seats == 3 and with_org.organisation_seats == 2
    nationality = {r.key: r for r in with_org.by_nationality}
    assert (nationality["KEN"].seats, nationality["KEN"].seat_share) == (2, pytest.approx(2 / 3))
    assert nationality["FRA"].seat_share == pytest.approx(1 / 3)
    assert with_org.women_share == pytest.approx(2 / 3)
    assert with_org.hhi == pytest.approx(5 / 9)
    assert [(m.mediator_id, m.seats) for m in with_org.by_mediator] == [("M1", 2), ("M2", 1)]
    for name in ("total_seats", "by_nationality", "by_un_group", "by_legal_tradition", "by_gender", "by_mediator"):
        assert getattr(with_org, name) == getattr(by_party, name), name
    for name in ("hhi", "gini", "top_share", "by_year", "host", "funder"):
        assert getattr(with_org, name) == getattr(by_party, name), name
    assert by_party.organisation_seats == 0
    assert with_org.repeats == ()
    assert [(r.mediator_id, r.party) for r in by_party.repeats] == [("M1", "SDN")]

    def page(report: RosterReport) -> str:
        flags = all_flags(report, [])
        return render_report(report, [], flags, [*roster_tables(report), flags_table(flags)])

    assert "2 of them filled by the organisation itself" in page(with_org)
    assert "of them filled by the organisation itself" not in page(by_party)
