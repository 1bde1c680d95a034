"""Neutrality reports: what a reviewer checks about one panel and about the roster's appointments.

Two reports, both plain data (frozen dataclasses and ``Table`` objects, no app code):

* ``panel_report`` describes one panel (proposed by the solver, recorded, or proposed by someone
  else and checked): each member's nationalities, UN regional group, legal traditions, gender,
  languages and bloc alignment with each party; the panel's alignment asymmetry; the conflicts it
  must disclose; every hard rule checked; and how far it stands from the best panel the solver
  finds and from the most neutral panel reachable.
* ``roster_report`` describes the appointment history (``appointments.csv`` plus any decisions
  recorded since): seat shares by nationality, UN regional group, legal tradition and gender,
  each against the roster and the UN membership; concentration of seats; repeat appointments by
  one party; the shares of host-state and funder nationals; seats per year.

Definitions
-----------

* A **seat** is one row of the history. A seat counts for the mediator's **effective
  nationality** (the first one listed), and for every legal tradition the mediator holds (a
  mediator from a mixed system counts once in each, so tradition shares can add up to more
  than 100 %). A seat filled by the organisation itself (no appointing party, ``party`` empty
  in ``appointments.csv``) counts like any other seat in every share and concentration figure.
* A mediator's **bloc alignment** with a party is the number of blocs (AU, EU, BRICS, ...) that
  any of the mediator's nationalities shares with the party (the union over all nationalities,
  as the solver counts it). The panel's alignment with a party is the sum over its members; its
  **alignment asymmetry** is the largest minus the smallest of those sums.
* **Member-state share**: for a UN regional group, the number of UN member states in the group
  divided by 193; for a legal tradition, the member states whose legal system includes it,
  divided by 193; for a nationality, 1/193 for every UN member state (each state counts once)
  and empty for the five non-members in the reference table (HKG, MAC, TWN, PSE, VAT). Gender
  has no member-state share.
* **Herfindahl index (HHI)**: the sum over mediators of the square of each one's share of seats;
  1/N when N mediators hold equal numbers of seats, 1 when one mediator holds them all.
* **Gini coefficient**: over every mediator on the roster, including those with no seat; 0 when
  everyone holds the same number of seats, close to 1 when one mediator holds them all.
* **Top-15 share**: the share of seats held by the 15 mediators with most seats.
* **Repeat appointment** (IBA Guidelines, Orange List 3.1.3): one mediator appointed two or more
  times by the same party within three years. Two appointments are "within three years" when
  the later one falls before the same calendar day three years after the earlier one (exactly
  three years apart does not count; 29 February counts from 28 February). Two rows for the
  same dispute count once. The report lists, for each mediator and party, the three-year span
  holding most appointments. A seat filled by the organisation itself is no party's
  appointment: it never makes a repeat appointment.
* **Host state**: nationals of CHN and HKG by default (Hong Kong hosts the organisation).
  **Largest funder**: CHN by default. This is an assumption, not a published figure: pass the
  funder when the budget contributions are known. Both count effective nationalities.
* With no seats at all, every share and concentration figure is 0.

CSV files
---------

One table per file, UTF-8 with a header row. Numbers use a dot as decimal sign; shares are
between 0 and 1 with six decimals; lists are ``;``-separated; a text cell that starts with
= + - or @ gets a leading quote so that a spreadsheet never runs it as a formula (numbers, such
as a negative gap, are written as numbers); yes/no columns hold true or false; an empty cell
means "not applicable".

| file | columns |
| --- | --- |
| seats_by_nationality.csv | key (country code), seats, seat_share, roster_share, member_state_share, mediators, name |
| seats_by_un_group.csv | key (african, asia_pacific, eastern_european, latin_american_caribbean, western_european_others), seats, seat_share, roster_share, member_state_share, mediators, name |
| seats_by_legal_tradition.csv | key (civil, common, customary, muslim), seats, seat_share, roster_share, member_state_share, mediators, name |
| seats_by_gender.csv | key (F, M, X, unstated), seats, seat_share, roster_share, member_state_share (always empty), mediators, name |
| seats_by_mediator.csv | mediator_id, name, nationality, un_group, gender, seats, seat_share |
| repeat_appointments.csv | mediator_id, name, party, appointments, first_on, last_on, dispute_ids |
| seats_by_year.csv | year, key (UN regional group), seats, seat_share (of that year's seats) |
| summary.csv | measure, value, meaning |
| flags.csv | scope, code, subject, value, comparison, threshold, sentence |
| panels.csv | panel_id, dispute_id, source, members, feasible, broken_rules, alignment, alignment_asymmetry, disclosures, objective, best_objective, objective_gap, neutrality, best_neutrality, neutrality_gap, neutral_objective, best_neutral_objective, neutral_gap, best_panel, most_neutral_panel, most_neutral_panel_objective |
| panel_members.csv | panel_id, dispute_id, mediator_id, name, role, nationalities, un_group, legal_traditions, gender, languages, alignment, shared_blocs |
| panel_rules.csv | panel_id, dispute_id, rule, title, passed, reasons |
| panel_disclosures.csv | panel_id, dispute_id, mediator_id, category, note |

The four ``seats_by_*`` share tables start with exactly ``key, seats, seat_share,
roster_share``. ``CSV_SCHEMA`` below holds the meaning of every column; the HTML report prints it
as an appendix.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from matching.core.config import SolveConfig
from matching.core.defaults import DEFAULT_FUNDER, DEFAULT_HOST
from matching.core.domain import Appointment, ConflictCategory, Dataset, Mediator, Tradition, UNGroup
from matching.core.errors import UnknownIdError
from matching.core.status import Status
from matching.io.countries import CountryTable, default_countries
from matching.io.csv_out import csv_document, safe_cell
from matching.io.out_paths import write_folder
from matching.io.results import Disclosure, ProposedPanel
from matching.io.rulesets import RuleSet
from matching.panel.service import check_panel, propose
from matching.rules.checker import HARD_RULES, panel_breaches, rule_sentence
from matching.rules.workspace import Workspace

UN_MEMBER_STATES = 193
NON_MEMBERS: frozenset[str] = frozenset({"HKG", "MAC", "TWN", "PSE", "VAT"})
REPEAT_YEARS = 3
TOP_N = 15

UN_GROUP_NAMES: dict[str, str] = {
    UNGroup.AFRICAN: "African Group",
    UNGroup.ASIA_PACIFIC: "Asia-Pacific Group",
    UNGroup.EASTERN_EUROPEAN: "Eastern European Group",
    UNGroup.LATIN_AMERICAN_CARIBBEAN: "Latin American and Caribbean Group",
    UNGroup.WESTERN_EUROPEAN_OTHERS: "Western European and Others Group",
}
TRADITION_NAMES: dict[str, str] = {
    Tradition.CIVIL: "Civil law",
    Tradition.COMMON: "Common law",
    Tradition.CUSTOMARY: "Customary law",
    Tradition.MUSLIM: "Muslim law",
}
GENDER_NAMES: dict[str, str] = {"F": "Women", "M": "Men", "X": "Another gender (X)", "unstated": "Not stated"}

Cell = str | int | float | bool | None

_SHARE_COLUMNS: dict[str, str] = {
    "key": "",
    "seats": "Seats held (rows of the history).",
    "seat_share": "seats divided by all seats.",
    "roster_share": "",
    "member_state_share": "",
    "mediators": "",
    "name": "",
}


def _share_schema(key: str, roster: str, member: str, mediators: str, name: str) -> dict[str, str]:
    return {
        **_SHARE_COLUMNS,
        "key": key,
        "roster_share": roster,
        "member_state_share": member,
        "mediators": mediators,
        "name": name,
    }


CSV_SCHEMA: dict[str, dict[str, str]] = {
    "seats_by_nationality": _share_schema(
        "ISO 3166-1 alpha-3 code of the effective (first) nationality.",
        "Mediators on the roster with this effective nationality, divided by the roster size.",
        "1/193 for a UN member state (each state counts once); empty for a non-member (HKG, MAC, TWN, PSE, VAT).",
        "Mediators on the roster with this effective nationality.",
        "Name of the country.",
    ),
    "seats_by_un_group": _share_schema(
        "UN regional group of the effective nationality.",
        "Mediators on the roster whose effective nationality is in the group, divided by the roster size.",
        "UN member states in the group, divided by 193.",
        "Mediators on the roster in the group.",
        "Name of the group.",
    ),
    "seats_by_legal_tradition": _share_schema(
        "Legal tradition; a seat counts once for every tradition its mediator holds (shares may add up to more than 1).",
        "Mediators on the roster who hold the tradition, divided by the roster size.",
        "UN member states whose legal system includes the tradition, divided by 193.",
        "Mediators on the roster who hold the tradition.",
        "Name of the tradition.",
    ),
    "seats_by_gender": _share_schema(
        "F, M, X, or unstated.",
        "Mediators on the roster of this gender, divided by the roster size.",
        "Always empty (not applicable).",
        "Mediators on the roster of this gender.",
        "Plain name.",
    ),
    "seats_by_mediator": {
        "mediator_id": "Mediator id (every mediator on the roster, most seats first).",
        "name": "Name.",
        "nationality": "Effective (first) nationality.",
        "un_group": "UN regional group of the effective nationality.",
        "gender": "F, M, X or empty.",
        "seats": "Seats held.",
        "seat_share": "seats divided by all seats.",
    },
    "repeat_appointments": {
        "mediator_id": "Mediator appointed two or more times by one party within three years.",
        "name": "Name.",
        "party": "Country code of the appointing party (seats filled by the organisation itself never count here).",
        "appointments": "Most appointments by this party within any three-year span.",
        "first_on": "Date of the first appointment in that span.",
        "last_on": "Date of the last appointment in that span.",
        "dispute_ids": "Disputes of the appointments in that span.",
    },
    "seats_by_year": {
        "year": "Calendar year of appointment.",
        "key": "UN regional group of the effective nationality.",
        "seats": "Seats held by the group that year.",
        "seat_share": "seats divided by all seats that year.",
    },
    "summary": {
        "measure": "Name of the figure.",
        "value": "The figure.",
        "meaning": "What it means, in plain words.",
    },
    "flags": {
        "scope": "roster or panel.",
        "code": "Kind of flag (state_share, un_group_share, women_share, repeat_appointment, top_share, host_share, funder_share, panel_lean, panel_breaks_rule).",
        "subject": "What the flag is about (a country code, a group, a mediator and party, a panel).",
        "value": "The figure that crossed the threshold.",
        "comparison": "above (strictly greater), below (strictly less) or at least.",
        "threshold": "The threshold in force.",
        "sentence": "Why the flag was raised, in plain words.",
    },
    "panels": {
        "panel_id": "P1, P2, ... in the order of the report.",
        "dispute_id": "Dispute id.",
        "source": "Where the panel comes from: solver (the best panel), proposed (a file of proposed panels) or recorded.",
        "members": "Mediator ids, chair first.",
        "feasible": "true when the panel keeps every hard rule.",
        "broken_rules": "Ids of the hard rules the panel breaks.",
        "alignment": "Per party, PARTY:n, the blocs shared by the members with that party, summed over the members.",
        "alignment_asymmetry": "Largest minus smallest of the per-party alignments.",
        "disclosures": "Number of disclosures (orange conflicts and repeat appointments by a party).",
        "objective": "The panel's objective under the rule set (the solver's scale).",
        "best_objective": "Objective of the best panel the solver finds.",
        "objective_gap": "best_objective minus objective.",
        "neutrality": "The panel's neutrality score (0 to 1).",
        "best_neutrality": "Neutrality score of the most neutral panel reachable (the best panel when only neutrality and diversity count).",
        "neutrality_gap": "best_neutrality minus neutrality; negative when the most neutral panel gives up some neutrality for diversity.",
        "neutral_objective": "The panel's objective when only neutrality and diversity count.",
        "best_neutral_objective": "The most neutral panel's objective when only neutrality and diversity count.",
        "neutral_gap": "best_neutral_objective minus neutral_objective.",
        "best_panel": "Members of the best panel, chair first.",
        "most_neutral_panel": "Members of the most neutral panel, chair first.",
        "most_neutral_panel_objective": "The most neutral panel's objective under the rule set.",
    },
    "panel_members": {
        "panel_id": "Panel id (see panels.csv).",
        "dispute_id": "Dispute id.",
        "mediator_id": "Mediator id.",
        "name": "Name.",
        "role": "chair or member.",
        "nationalities": "Every nationality held, effective nationality first.",
        "un_group": "UN regional group of the effective nationality.",
        "legal_traditions": "Legal traditions held.",
        "gender": "F, M, X or empty.",
        "languages": "Languages spoken (ISO 639-1).",
        "alignment": "Per party, PARTY:n, the number of blocs shared with that party.",
        "shared_blocs": "Per party, PARTY:BLOC/BLOC, the blocs shared.",
    },
    "panel_rules": {
        "panel_id": "Panel id.",
        "dispute_id": "Dispute id.",
        "rule": "Hard rule id, H1 to H7.",
        "title": "Short name of the rule.",
        "passed": "true when the panel keeps the rule.",
        "reasons": "Why the rule is broken, when it is.",
    },
    "panel_disclosures": {
        "panel_id": "Panel id.",
        "dispute_id": "Dispute id.",
        "mediator_id": "Mediator who must disclose.",
        "category": "orange.",
        "note": "What must be disclosed.",
    },
}


# --- tables and CSV ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """One exported table: its file stem, a title for people, its columns and its rows."""

    name: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    def records(self) -> list[dict[str, Cell]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


def make_table(name: str, title: str, rows: Iterable[Sequence[Cell]]) -> Table:
    columns = tuple(CSV_SCHEMA[name])
    built = tuple(tuple(r) for r in rows)
    for r in built:
        if len(r) != len(columns):
            raise ValueError(f"{name}: a row has {len(r)} cells for {len(columns)} columns")
    return Table(name, title, columns, built)


def csv_text(value: Cell) -> str:
    """The text of one CSV cell: shares with six decimals, booleans as true/false, formulas defused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.6f}"
    return safe_cell(str(value))


def table_text(table: Table) -> str:
    """One table as CSV text, through the project's one CSV writer (``matching.io.csv_out``)."""
    return csv_document(table.columns, ([csv_text(v) for v in row] for row in table.rows))


def table_files(tables: Iterable[Table]) -> dict[str, str]:
    """File name (``<name>.csv``) → CSV text, for every table."""
    return {table.filename: table_text(table) for table in tables}


def write_tables(tables: Iterable[Table], folder: Path) -> list[Path]:
    """Write each table as ``folder/<name>.csv``, all or none (``matching.io.out_paths.write_folder``)."""
    return write_folder(folder, table_files(tables))


# --- roster and appointment report -----------------------------------------------------------


@dataclass(frozen=True)
class ShareRow:
    """Seats held by one nationality, group, tradition or gender, against the roster and the UN."""

    key: str
    name: str
    seats: int
    seat_share: float
    roster_share: float
    member_state_share: float | None
    mediators: int


@dataclass(frozen=True)
class MediatorSeats:
    mediator_id: str
    name: str
    nationality: str
    un_group: str
    gender: str | None
    seats: int
    seat_share: float


@dataclass(frozen=True)
class RepeatAppointment:
    """A mediator appointed two or more times by one party within the window (IBA Orange List)."""

    mediator_id: str
    name: str
    nationality: str
    party: str
    appointments: int
    first_on: date
    last_on: date
    dispute_ids: tuple[str, ...]


@dataclass(frozen=True)
class YearRow:
    year: int
    key: str
    seats: int
    seat_share: float


@dataclass(frozen=True)
class GroupShare:
    """Seats held by nationals of a set of states (the host state, the largest funder)."""

    codes: tuple[str, ...]
    seats: int
    share: float


@dataclass(frozen=True)
class RosterReport:
    total_seats: int
    roster_size: int
    mediators_with_seats: int
    first_on: date | None
    last_on: date | None
    by_nationality: tuple[ShareRow, ...]
    by_un_group: tuple[ShareRow, ...]
    by_legal_tradition: tuple[ShareRow, ...]
    by_gender: tuple[ShareRow, ...]
    by_mediator: tuple[MediatorSeats, ...]
    hhi: float
    gini: float
    top_n: int
    top_share: float
    repeats: tuple[RepeatAppointment, ...]
    repeat_years: int
    host: GroupShare
    funder: GroupShare
    by_year: tuple[YearRow, ...]
    extra_seats: int = 0
    organisation_seats: int = 0  # seats filled by the organisation itself (counted in every figure above)

    @property
    def women_share(self) -> float:
        return next((r.seat_share for r in self.by_gender if r.key == "F"), 0.0)

    @property
    def women_seats(self) -> int:
        return next((r.seats for r in self.by_gender if r.key == "F"), 0)

    @property
    def top_seats(self) -> int:
        return sum(m.seats for m in self.by_mediator[: self.top_n])

    @property
    def years(self) -> list[int]:
        return sorted({r.year for r in self.by_year})


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def herfindahl(seats: Sequence[int]) -> float:
    """Sum of squared seat shares; 0 when there are no seats."""
    total = sum(seats)
    return sum((s / total) ** 2 for s in seats) if total else 0.0


def gini(seats: Sequence[int]) -> float:
    """Gini coefficient of the seat counts (every mediator, zeros included); 0 when there are no seats.

    ``G = sum_i sum_j |x_i - x_j| / (2 n^2 mean)``, computed from the sorted counts as
    ``2 sum_i i x_(i) / (n sum x) - (n + 1) / n`` with i = 1..n in increasing order.
    """
    n, total = len(seats), sum(seats)
    if not n or not total:
        return 0.0
    ordered = sorted(seats)
    weighted = sum(i * x for i, x in enumerate(ordered, start=1))
    return 2 * weighted / (n * total) - (n + 1) / n


def add_years(day: date, years: int) -> date:
    """The same calendar day ``years`` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def repeat_appointments(
    appointments: Iterable[Appointment],
    mediators: Mapping[str, Mediator],
    years: int = REPEAT_YEARS,
    at_least: int = 2,
) -> list[RepeatAppointment]:
    """Each (mediator, party) pair with ``at_least`` appointments within some ``years``-year span.

    Appointments to the same dispute count once. The span reported is the one holding most
    appointments (the earliest such span on a tie). A seat filled by the organisation itself
    (``party`` None) is no party's appointment and never counts here.
    """
    by_pair: dict[tuple[str, str], dict[str, date]] = defaultdict(dict)
    for a in appointments:
        if a.party is None:
            continue
        seen = by_pair[(a.mediator_id, a.party)]
        if a.dispute_id not in seen or a.appointed_on < seen[a.dispute_id]:
            seen[a.dispute_id] = a.appointed_on
    out: list[RepeatAppointment] = []
    for (mid, party), disputes in by_pair.items():
        dated = sorted((day, did) for did, day in disputes.items())
        best: list[tuple[date, str]] = []
        for i, (start, _) in enumerate(dated):
            end = add_years(start, years)
            window = [item for item in dated[i:] if item[0] < end]
            if len(window) > len(best):
                best = window
        if len(best) >= at_least:
            m = mediators[mid]
            out.append(
                RepeatAppointment(
                    mediator_id=mid,
                    name=m.name,
                    nationality=m.effective_nationality,
                    party=party,
                    appointments=len(best),
                    first_on=best[0][0],
                    last_on=best[-1][0],
                    dispute_ids=tuple(did for _, did in best),
                )
            )
    out.sort(key=lambda r: (-r.appointments, r.mediator_id, r.party))
    return out


def _member_states(countries: CountryTable) -> list[str]:
    return [code for code in countries.countries if code not in NON_MEMBERS]


def _share_rows(
    keys: Sequence[str],
    names: Mapping[str, str],
    seat_counts: Mapping[str, int],
    roster_counts: Mapping[str, int],
    member_counts: Mapping[str, int] | None,
    total_seats: int,
    roster_size: int,
    members_total: int,
) -> tuple[ShareRow, ...]:
    return tuple(
        ShareRow(
            key=k,
            name=names.get(k, k),
            seats=seat_counts.get(k, 0),
            seat_share=_share(seat_counts.get(k, 0), total_seats),
            roster_share=_share(roster_counts.get(k, 0), roster_size),
            member_state_share=None
            if member_counts is None or k not in member_counts
            else _share(member_counts[k], members_total),
            mediators=roster_counts.get(k, 0),
        )
        for k in keys
    )


def _codes(codes: Iterable[str], countries: CountryTable, what: str) -> tuple[str, ...]:
    out = tuple(dict.fromkeys(c.strip().upper() for c in codes if c.strip()))
    for c in out:
        if c not in countries:
            raise UnknownIdError(f"country code for the {what}", c)
    return out


def roster_report(
    data: Dataset,
    extra: Iterable[Appointment] = (),
    *,
    countries: CountryTable | None = None,
    host: Iterable[str] = DEFAULT_HOST,
    funder: Iterable[str] = DEFAULT_FUNDER,
    repeat_years: int = REPEAT_YEARS,
    top_n: int = TOP_N,
) -> RosterReport:
    """Seat shares, concentration, repeat appointments, host and funder shares, and trends.

    ``extra`` adds decisions recorded since the history file was written (one seat each). An
    appointment naming a mediator who is not on the roster raises ``UnknownIdError``. Seats
    filled by the organisation itself count in every share and concentration figure, but never
    in the repeat appointments.
    """
    ref = countries or default_countries()
    host_codes, funder_codes = _codes(host, ref, "host state"), _codes(funder, ref, "largest funder")
    roster = data.mediators_by_id
    extra_list = list(extra)
    seats_rows = [*data.appointments, *extra_list]
    for a in extra_list:
        if a.mediator_id not in roster:
            raise UnknownIdError("mediator", a.mediator_id)
    total = len(seats_rows)
    n = len(data.mediators)
    per_mediator = Counter(a.mediator_id for a in seats_rows)

    def group_of(m: Mediator) -> str:
        return ref[m.effective_nationality].un_group.value

    def gender_of(m: Mediator) -> str:
        return m.gender or "unstated"

    seat_nat: Counter[str] = Counter()
    seat_group: Counter[str] = Counter()
    seat_trad: Counter[str] = Counter()
    seat_gender: Counter[str] = Counter()
    for mid, count in per_mediator.items():
        m = roster[mid]
        seat_nat[m.effective_nationality] += count
        seat_group[group_of(m)] += count
        seat_gender[gender_of(m)] += count
        for t in m.legal_traditions:
            seat_trad[t.value] += count
    roster_nat = Counter(m.effective_nationality for m in data.mediators)
    roster_group = Counter(group_of(m) for m in data.mediators)
    roster_trad = Counter(t.value for m in data.mediators for t in m.legal_traditions)
    roster_gender = Counter(gender_of(m) for m in data.mediators)

    members = _member_states(ref)
    member_group = Counter(ref[c].un_group.value for c in members)
    member_trad = Counter(t.value for c in members for t in ref[c].legal_traditions)
    member_nat = dict.fromkeys(members, 1)

    nat_keys = sorted(set(seat_nat) | set(roster_nat), key=lambda c: (-seat_nat[c], -roster_nat[c], c))
    gender_keys = ["F", "M"] + [g for g in ("X", "unstated") if seat_gender[g] or roster_gender[g]]

    by_mediator = sorted(
        (
            MediatorSeats(
                mediator_id=m.mediator_id,
                name=m.name,
                nationality=m.effective_nationality,
                un_group=group_of(m),
                gender=m.gender,
                seats=per_mediator[m.mediator_id],
                seat_share=_share(per_mediator[m.mediator_id], total),
            )
            for m in data.mediators
        ),
        key=lambda r: (-r.seats, r.mediator_id),
    )
    counts = [r.seats for r in by_mediator]

    def national_share(codes: tuple[str, ...]) -> GroupShare:
        seats = sum(seat_nat[c] for c in codes)
        return GroupShare(codes, seats, _share(seats, total))

    years = sorted({a.appointed_on.year for a in seats_rows})
    per_year: dict[int, Counter[str]] = {y: Counter() for y in range(years[0], years[-1] + 1)} if years else {}
    for a in seats_rows:
        per_year[a.appointed_on.year][group_of(roster[a.mediator_id])] += 1
    by_year = tuple(
        YearRow(year, g.value, per_year[year][g.value], _share(per_year[year][g.value], sum(per_year[year].values())))
        for year in sorted(per_year)
        for g in UNGroup
    )

    dates = [a.appointed_on for a in seats_rows]
    return RosterReport(
        total_seats=total,
        roster_size=n,
        mediators_with_seats=sum(1 for c in counts if c),
        first_on=min(dates) if dates else None,
        last_on=max(dates) if dates else None,
        by_nationality=_share_rows(
            nat_keys,
            {c: ref[c].name for c in nat_keys},
            seat_nat,
            roster_nat,
            member_nat,
            total,
            n,
            UN_MEMBER_STATES,
        ),
        by_un_group=_share_rows(
            [g.value for g in UNGroup],
            UN_GROUP_NAMES,
            seat_group,
            roster_group,
            member_group,
            total,
            n,
            UN_MEMBER_STATES,
        ),
        by_legal_tradition=_share_rows(
            [t.value for t in Tradition],
            TRADITION_NAMES,
            seat_trad,
            roster_trad,
            member_trad,
            total,
            n,
            UN_MEMBER_STATES,
        ),
        by_gender=_share_rows(gender_keys, GENDER_NAMES, seat_gender, roster_gender, None, total, n, 1),
        by_mediator=tuple(by_mediator),
        hhi=herfindahl(counts),
        gini=gini(counts),
        top_n=top_n,
        top_share=_share(sum(counts[:top_n]), total),
        repeats=tuple(repeat_appointments(seats_rows, roster, repeat_years)),
        repeat_years=repeat_years,
        host=national_share(host_codes),
        funder=national_share(funder_codes),
        by_year=by_year,
        extra_seats=len(extra_list),
        organisation_seats=sum(1 for a in seats_rows if a.by_organisation),
    )


def _share_table(name: str, title: str, rows: Sequence[ShareRow]) -> Table:
    return make_table(
        name,
        title,
        [(r.key, r.seats, r.seat_share, r.roster_share, r.member_state_share, r.mediators, r.name) for r in rows],
    )


def summary_rows(report: RosterReport) -> list[tuple[str, Cell, str]]:
    """The headline figures, each with a sentence saying what it means."""
    equivalent = f"{1 / report.hhi:.1f}" if report.hhi else "no"
    return [
        ("seats", report.total_seats, "Seats in the history (one row each), including recorded decisions."),
        ("recorded_decisions", report.extra_seats, "Seats added from decisions recorded after the history file."),
        ("roster_mediators", report.roster_size, "Mediators on the roster."),
        ("mediators_with_seats", report.mediators_with_seats, "Mediators holding at least one seat."),
        ("first_appointment", report.first_on.isoformat() if report.first_on else None, "Earliest appointment."),
        ("last_appointment", report.last_on.isoformat() if report.last_on else None, "Latest appointment."),
        (
            "hhi",
            report.hhi,
            f"Herfindahl index of seats over mediators: as concentrated as {equivalent} mediators sharing the seats equally.",
        ),
        (
            "gini",
            report.gini,
            "Gini coefficient of seats per mediator over the whole roster (0 = even, 1 = one holds all).",
        ),
        (
            f"top{report.top_n}_share",
            report.top_share,
            f"Share of seats held by the {report.top_n} most appointed mediators.",
        ),
        ("women_share", report.women_share, "Share of seats held by women."),
        (
            "host_share",
            report.host.share,
            f"Share of seats held by nationals of the host state ({', '.join(report.host.codes)}).",
        ),
        (
            "funder_share",
            report.funder.share,
            f"Share of seats held by nationals of the largest funder ({', '.join(report.funder.codes)}; an assumption).",
        ),
        (
            "repeat_pairs",
            len(report.repeats),
            f"Mediator and party pairs with two or more appointments within {report.repeat_years} years.",
        ),
    ]


def roster_tables(report: RosterReport) -> list[Table]:
    """The roster report as exportable tables (see the module docstring for the schema)."""
    return [
        make_table("summary", "Summary", summary_rows(report)),
        _share_table("seats_by_un_group", "Seats by UN regional group", report.by_un_group),
        _share_table("seats_by_nationality", "Seats by nationality", report.by_nationality),
        _share_table("seats_by_legal_tradition", "Seats by legal tradition", report.by_legal_tradition),
        _share_table("seats_by_gender", "Seats by gender", report.by_gender),
        make_table(
            "seats_by_mediator",
            "Seats by mediator",
            [
                (m.mediator_id, m.name, m.nationality, m.un_group, m.gender, m.seats, m.seat_share)
                for m in report.by_mediator
            ],
        ),
        make_table(
            "repeat_appointments",
            f"Repeat appointments by one party within {report.repeat_years} years",
            [
                (
                    r.mediator_id,
                    r.name,
                    r.party,
                    r.appointments,
                    r.first_on.isoformat(),
                    r.last_on.isoformat(),
                    ";".join(r.dispute_ids),
                )
                for r in report.repeats
            ],
        ),
        make_table(
            "seats_by_year",
            "Seats per year by UN regional group",
            [(r.year, r.key, r.seats, r.seat_share) for r in report.by_year],
        ),
    ]


# --- panel report -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PanelMember:
    mediator_id: str
    name: str
    role: str
    nationalities: tuple[str, ...]
    un_group: str
    legal_traditions: tuple[str, ...]
    gender: str | None
    languages: tuple[str, ...]
    alignment: dict[str, int]
    shared_blocs: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class RuleCheck:
    """One hard rule checked on the panel: passed, or broken and why."""

    rule: str
    title: str
    sentence: str
    passed: bool
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Standing:
    """The best panel the solver finds and the most neutral panel reachable, for one dispute.

    The most neutral panel comes from a solve in which only neutrality and diversity count
    (expertise, workload, preference and the orange penalty weigh 0).
    """

    dispute_id: str
    best_status: Status
    best_members: tuple[str, ...] | None
    best_objective: float | None
    neutral_status: Status
    neutral_members: tuple[str, ...] | None
    neutral_objective: float | None
    neutral_neutrality: float | None
    neutral_panel_objective: float | None


@dataclass(frozen=True)
class PanelReport:
    dispute_id: str
    title: str
    parties: tuple[str, ...]
    panel_id: str
    source: str
    members: tuple[PanelMember, ...]
    rules: tuple[RuleCheck, ...]
    disclosures: tuple[Disclosure, ...]
    objective: float | None
    scores: dict[str, float] | None
    neutral_objective: float | None
    standing: Standing | None = None
    party_names: dict[str, str] = field(default_factory=dict)

    @property
    def member_ids(self) -> list[str]:
        return [m.mediator_id for m in self.members]

    @property
    def alignment(self) -> dict[str, int]:
        """The panel's total alignment with each party (blocs shared, summed over the members)."""
        return {p: sum(m.alignment[p] for m in self.members) for p in self.parties}

    @property
    def asymmetry(self) -> int:
        totals = list(self.alignment.values())
        return max(totals) - min(totals) if totals else 0

    @property
    def feasible(self) -> bool:
        return all(r.passed for r in self.rules)

    @property
    def broken_rules(self) -> list[str]:
        return [r.rule for r in self.rules if not r.passed]

    @property
    def neutrality(self) -> float | None:
        return None if self.scores is None else self.scores["neutrality"]

    @property
    def objective_gap(self) -> float | None:
        s = self.standing
        if s is None or s.best_objective is None or self.objective is None:
            return None
        return s.best_objective - self.objective

    @property
    def neutrality_gap(self) -> float | None:
        s = self.standing
        if s is None or s.neutral_neutrality is None or self.neutrality is None:
            return None
        return s.neutral_neutrality - self.neutrality

    @property
    def neutral_gap(self) -> float | None:
        s = self.standing
        if s is None or s.neutral_objective is None or self.neutral_objective is None:
            return None
        return s.neutral_objective - self.neutral_objective

    def standing_sentences(self) -> list[str]:
        """Where the panel stands against the best and the most neutral panels, in plain words."""
        s = self.standing
        if s is None:
            return ["The panel was not compared with the best panels."]
        lines: list[str] = []
        if s.best_objective is None:
            lines.append("The solver finds no panel that keeps every hard rule for this dispute.")
        elif self.objective is None:
            lines.append("The panel could not be scored (wrong number of members).")
        else:
            gap = s.best_objective - self.objective
            lines.append(
                f"This panel scores {self.objective:.4f} on the rule set's objective; the best panel the solver finds "
                f"({', '.join(s.best_members or ())}) scores {s.best_objective:.4f}, "
                + (
                    "the same."
                    if abs(gap) < 5e-7
                    else f"{gap:.4f} more."
                    if gap > 0
                    else f"{-gap:.4f} less (this panel breaks a hard rule)."
                )
            )
        if s.neutral_neutrality is not None and self.neutrality is not None:
            gap = s.neutral_neutrality - self.neutrality
            line = (
                f"Its neutrality is {self.neutrality:.4f} (0 to 1); the most neutral panel reachable "
                f"({', '.join(s.neutral_members or ())}) has {s.neutral_neutrality:.4f}"
            )
            if abs(gap) < 5e-7:
                line += ", the same."
            else:
                line += (
                    f" ({gap:.4f} more)."
                    if gap > 0
                    else f" ({-gap:.4f} less: that panel gives up some neutrality for diversity)."
                )
            if s.neutral_panel_objective is not None and s.best_objective is not None:
                line += (
                    f" That panel would score {s.neutral_panel_objective:.4f} on the rule set's objective, "
                    f"{s.best_objective - s.neutral_panel_objective:.4f} below the best panel."
                )
            lines.append(line)
        return lines


def neutral_rule_set(rule_set: RuleSet) -> RuleSet:
    """The rule set with only neutrality and diversity weighing in the objective."""
    return rule_set.with_weights(expertise=0, workload=0, preference=0, orange_penalty=0)


def standing(ws: Workspace, dispute_id: str, rule_set: RuleSet, config: SolveConfig | None = None) -> Standing:
    """Solve twice for one dispute: the best panel, and the most neutral panel (two solver runs)."""
    base = config or SolveConfig()
    single = SolveConfig(candidates=1, time_limit=base.time_limit, seed=base.seed, workers=base.workers)
    best = propose(ws, dispute_id, rule_set, single)
    neutral = propose(ws, dispute_id, neutral_rule_set(rule_set), single)
    best_panel = best.panels[0] if best.panels else None
    neutral_panel = neutral.panels[0] if neutral.panels else None
    neutral_full: float | None = None
    if neutral_panel is not None:
        check = check_panel(ws, dispute_id, chair_first(neutral_panel), rule_set)
        neutral_full = check.scores.objective if check.scores else None
    return Standing(
        dispute_id=dispute_id,
        best_status=best.status,
        best_members=tuple(chair_first(best_panel)) if best_panel else None,
        best_objective=best_panel.objective if best_panel else None,
        neutral_status=neutral.status,
        neutral_members=tuple(chair_first(neutral_panel)) if neutral_panel else None,
        neutral_objective=neutral_panel.objective if neutral_panel else None,
        neutral_neutrality=neutral_panel.scores["neutrality"] if neutral_panel else None,
        neutral_panel_objective=neutral_full,
    )


def chair_first(panel: ProposedPanel) -> list[str]:
    """A proposed panel's member ids with the chair first."""
    chair = panel.chair_id
    return [chair, *(mid for mid in panel.member_ids if mid != chair)]


def blocs_of(countries: CountryTable, m: Mediator) -> frozenset[str]:
    """Blocs of any of the mediator's nationalities (the union; the solver's convention)."""
    return frozenset().union(*(countries[n].blocs for n in m.nationalities))


def panel_report(
    ws: Workspace,
    dispute_id: str,
    members: Sequence[str],
    rule_set: RuleSet,
    *,
    panel_id: str = "P1",
    source: str = "proposed",
    compare: bool | Standing = True,
    config: SolveConfig | None = None,
) -> PanelReport:
    """Describe one panel (member ids, chair first) for one dispute.

    ``compare`` runs the two comparison solves (``True``), reuses a ``Standing`` already
    computed for the dispute, or skips the comparison (``False``). Unknown ids raise
    ``UnknownIdError``.
    """
    dispute = ws.dispute(dispute_id)
    for mid in members:
        ws.check_mediator(mid)
    view = ws.view(dispute, rule_set)
    people = [ws.data.mediator(mid) for mid in members]
    chair = people[0] if people else None
    breaches = panel_breaches(view, people, chair)
    rules = tuple(
        RuleCheck(
            rule=r.id,
            title=r.title,
            sentence=rule_sentence(view, r),
            passed=not any(b.rule == r.id for b in breaches),
            reasons=tuple(
                f"{b.mediator_id} {b.reason}" if b.mediator_id else b.reason for b in breaches if b.rule == r.id
            ),
        )
        for r in HARD_RULES.values()
    )
    ref = ws.countries
    party_blocs = {p: ref[p].blocs for p in dispute.parties}
    history = ws.history(rule_set.history_years)
    rows: list[PanelMember] = []
    disclosed: list[Disclosure] = []
    for i, m in enumerate(people):
        mine = blocs_of(ref, m)
        shared = {p: tuple(sorted(mine & party_blocs[p])) for p in dispute.parties}
        rows.append(
            PanelMember(
                mediator_id=m.mediator_id,
                name=m.name,
                role="chair" if i == 0 else "member",
                nationalities=m.nationalities,
                un_group=ref[m.effective_nationality].un_group.value,
                legal_traditions=tuple(sorted(t.value for t in m.legal_traditions)),
                gender=m.gender,
                languages=tuple(sorted(m.languages)),
                alignment={p: len(b) for p, b in shared.items()},
                shared_blocs=shared,
            )
        )
        conflict = view.conflicts.get(m.mediator_id)
        if conflict is not None and conflict.category is ConflictCategory.ORANGE:
            disclosed.append(Disclosure(m.mediator_id, "orange", conflict.note or "orange-list circumstance"))
        for party in dispute.parties:
            if history.appointed_by(m.mediator_id, party) > 0:
                disclosed.append(
                    Disclosure(
                        m.mediator_id,
                        "orange",
                        f"already appointed by {party} within the last {rule_set.history_years} years "
                        "(IBA Orange List: repeat appointment)",
                    )
                )
    check = check_panel(ws, dispute_id, list(members), rule_set)
    neutral_check = check_panel(ws, dispute_id, list(members), neutral_rule_set(rule_set))
    if isinstance(compare, Standing):
        found: Standing | None = compare
    elif compare:
        found = standing(ws, dispute_id, rule_set, config)
    else:
        found = None
    return PanelReport(
        dispute_id=dispute_id,
        title=dispute.title,
        parties=dispute.parties,
        panel_id=panel_id,
        source=source,
        members=tuple(rows),
        rules=rules,
        disclosures=tuple(disclosed),
        objective=check.scores.objective if check.scores else None,
        scores=check.scores.components() if check.scores else None,
        neutral_objective=neutral_check.scores.objective if neutral_check.scores else None,
        standing=found,
        party_names={p: ref[p].name for p in dispute.parties},
    )


def _pairs(values: Mapping[str, object]) -> str:
    return ";".join(f"{k}:{v}" for k, v in values.items())


def panel_tables(panels: Sequence[PanelReport]) -> list[Table]:
    """The panel reports as exportable tables (see the module docstring for the schema)."""
    summary = []
    for p in panels:
        s = p.standing
        summary.append(
            (
                p.panel_id,
                p.dispute_id,
                p.source,
                ";".join(p.member_ids),
                p.feasible,
                ";".join(p.broken_rules),
                _pairs(p.alignment),
                p.asymmetry,
                len(p.disclosures),
                p.objective,
                s.best_objective if s else None,
                p.objective_gap,
                p.neutrality,
                s.neutral_neutrality if s else None,
                p.neutrality_gap,
                p.neutral_objective,
                s.neutral_objective if s else None,
                p.neutral_gap,
                ";".join(s.best_members) if s and s.best_members else None,
                ";".join(s.neutral_members) if s and s.neutral_members else None,
                s.neutral_panel_objective if s else None,
            )
        )
    members = [
        (
            p.panel_id,
            p.dispute_id,
            m.mediator_id,
            m.name,
            m.role,
            ";".join(m.nationalities),
            m.un_group,
            ";".join(m.legal_traditions),
            m.gender,
            ";".join(m.languages),
            _pairs(m.alignment),
            ";".join(f"{party}:{'/'.join(blocs)}" for party, blocs in m.shared_blocs.items() if blocs),
        )
        for p in panels
        for m in p.members
    ]
    rules = [
        (p.panel_id, p.dispute_id, r.rule, r.title, r.passed, " | ".join(r.reasons)) for p in panels for r in p.rules
    ]
    disclosures = [(p.panel_id, p.dispute_id, d.mediator_id, d.category, d.note) for p in panels for d in p.disclosures]
    return [
        make_table("panels", "Panels", summary),
        make_table("panel_members", "Panel members", members),
        make_table("panel_rules", "Hard rules checked", rules),
        make_table("panel_disclosures", "Disclosures", disclosures),
    ]
