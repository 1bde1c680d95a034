"""The neutrality report as one self-contained HTML file, to e-mail, open offline and print.

This module prepares the data; the page itself is written by the Jinja2 templates in
``matching/reports/templates`` (``report.html.j2`` and the parts it includes), with autoescape on,
so every text taken from the data is escaped. The charts are the app's altair charts
(``matching.reports.charts``) rendered to static SVG by vl-convert and inlined.

Everything is inline: the style sheet and the charts (no script, no web font, no image file, no
external address). The page prints on A4 with the tables' headers repeated on each page and no
chart cut in two.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from matching.io.rulesets import COMPONENTS
from matching.reports.flags import Flag, Thresholds, pct
from matching.reports.neutrality import (
    CSV_SCHEMA,
    GENDER_NAMES,
    UN_GROUP_NAMES,
    Cell,
    PanelReport,
    RosterReport,
    Table,
)

if TYPE_CHECKING:
    import jinja2

TEMPLATE = "report.html.j2"
PANEL_COLUMNS = (
    "panel_id",
    "dispute_id",
    "source",
    "members",
    "broken_rules",
    "alignment",
    "alignment_asymmetry",
    "disclosures",
    "objective_gap",
    "neutrality_gap",
)


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The templates' environment: autoescape on, and an undefined name is an error rather than an empty text."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("matching.reports", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "j2"), default_for_string=True, default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _num(value: float, decimals: int = 4) -> str:
    return f"{value:.{decimals}f}"


def cell_text(column: str, value: Cell) -> tuple[str, bool]:
    """A table cell's text for people (not yet escaped), and whether it is a number (right-aligned)."""
    if value is None or value == "":
        return "—", False
    if isinstance(value, bool):
        return ("yes" if value else "no"), False
    if isinstance(value, int):
        return str(value), True
    if isinstance(value, float):
        if column.endswith("share"):
            return pct(value), True
        return _num(value), True
    return str(value).replace(";", "; "), False


@dataclass(frozen=True)
class TableView:
    """A table as the template draws it: ``name`` goes to ``data-table`` (the CSV file it matches)."""

    name: str
    columns: tuple[str, ...]
    numeric: tuple[bool, ...]
    rows: tuple[tuple[str, ...], ...]


def table_view(
    table: Table, rows: Sequence[Sequence[Cell]] | None = None, columns: Sequence[str] | None = None
) -> TableView:
    """(Some of) a table's rows and columns as text; a column holding any number is right-aligned."""
    use_rows = table.rows if rows is None else rows
    use_cols = tuple(columns or table.columns)
    index = [table.columns.index(c) for c in use_cols]
    sample = [[row[i] for i in index] for row in use_rows]
    numeric = tuple(
        any(isinstance(r[j], (int, float)) and not isinstance(r[j], bool) for r in sample) for j in range(len(index))
    )
    texts = tuple(tuple(cell_text(c, v)[0] for c, v in zip(use_cols, row, strict=True)) for row in sample)
    return TableView(table.name, use_cols, numeric, texts)


@dataclass(frozen=True)
class Figure:
    svg: str  # static SVG from charts.chart_svg, inlined as it is
    caption: str


def _figures(report: RosterReport, thresholds: Thresholds) -> dict[str, Figure]:
    """The roster charts (the ones the app shows) as SVG, each with its caption."""
    from markupsafe import Markup

    from matching.reports.charts import chart_svg, roster_charts, top_nationalities

    shown = len(top_nationalities(report))
    captions = {
        "un_group": "Each group's share of seats, against its share of the roster and of the 193 UN member states.",
        "nationality": f"The {shown} nationalities with most seats. Each UN member state is 1/193 = {pct(1 / 193)} "
        "of the membership; the table lists every nationality on the roster or in the history.",
        "legal_tradition": "A mediator from a mixed legal system counts in each of their traditions, so shares add up "
        "to more than 100 %.",
        "gender": "Share of seats held by women and men, against their share of the roster.",
        "lorenz": "The further the curve sags below the diagonal, the more the seats are concentrated on few mediators "
        f"(Gini coefficient {_num(report.gini, 3)}).",
        "seats_per_year": "Seats per calendar year; the number above each column is the year's total. The first and "
        f"last years may be partial: the history runs from {report.first_on} to {report.last_on}.",
    }
    return {
        name: Figure(Markup(chart_svg(chart)), captions[name])  # vl-convert SVG, checked script-free
        for name, chart in roster_charts(report, thresholds).items()
    }


def roster_context(report: RosterReport, tables: Mapping[str, Table], thresholds: Thresholds) -> dict[str, Any]:
    """Figures, charts and tables about the appointment history."""
    if report.first_on and report.last_on:
        period = f"from {report.first_on.isoformat()} to {report.last_on.isoformat()}"
    else:
        period = "no appointment recorded"
    cards = [
        (_num(report.hhi, 3), "Herfindahl index of seats over mediators"),
        (_num(report.gini, 3), "Gini coefficient of seats per mediator (whole roster)"),
        (pct(report.top_share), f"seats held by the {report.top_n} most appointed"),
        (pct(report.women_share), "seats held by women"),
        (pct(report.host.share), f"seats held by host-state nationals ({', '.join(report.host.codes)})"),
        (pct(report.funder.share), f"seats held by nationals of the largest funder ({', '.join(report.funder.codes)})"),
        (str(len(report.repeats)), f"repeat appointments by one party within {report.repeat_years} years"),
    ]
    everyone = tables["seats_by_mediator"].rows
    listed = {
        m.mediator_id for rank, m in enumerate(report.by_mediator) if m.seats >= 2 or (rank < report.top_n and m.seats)
    }
    shown = [row for row in everyone if row[0] in listed]
    names = (
        "seats_by_un_group",
        "seats_by_nationality",
        "seats_by_legal_tradition",
        "seats_by_gender",
        "repeat_appointments",
        "seats_by_year",
        "summary",
    )
    return {
        "report": report,
        "period": period,
        "extra": f", of which {report.extra_seats} recorded after the history file" if report.extra_seats else "",
        "organisation": (
            f"; {report.organisation_seats} of them filled by the organisation itself rather than by a party "
            "(they count in every figure below, but never as a repeat appointment)"
            if report.organisation_seats
            else ""
        ),
        "cards": cards,
        "figures": _figures(report, thresholds),
        "tables": {name: table_view(tables[name]) for name in names},
        "mediators": table_view(tables["seats_by_mediator"], rows=shown),
        "hidden": len(everyone) - len(shown),
        "one_seat": sum(1 for m in report.by_mediator if m.seats == 1),
        "no_seat": sum(1 for m in report.by_mediator if not m.seats),
    }


def _party_list(panel: PanelReport) -> str:
    names = [f"{panel.party_names.get(p, p)} ({p})" for p in panel.parties]
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else "".join(names)


def _balance(panel: PanelReport) -> str:
    totals = panel.alignment
    if panel.asymmetry == 0:
        return "The panel's alignment is equal across the parties (asymmetry 0)."
    high = max(totals, key=lambda p: totals[p])
    low = min(totals, key=lambda p: totals[p])
    shares = " and ".join(f"{totals[p]} with {p}" for p in panel.parties)
    return (
        f"Alignment asymmetry {panel.asymmetry}: the members share bloc memberships {shares}, so the panel leans "
        f"towards {panel.party_names.get(high, high)} ({high}) by {panel.asymmetry} compared with "
        f"{panel.party_names.get(low, low)} ({low})."
    )


def panel_context(panel: PanelReport, tables: Mapping[str, Table]) -> dict[str, Any]:
    """One panel: members and alignment, disclosures, the hard rules, and its place against the best."""
    disc_rows = [row for row in tables["panel_disclosures"].rows if row[0] == panel.panel_id]
    members = [
        {
            "member": m,
            "group": UN_GROUP_NAMES.get(m.un_group, m.un_group),
            "gender": GENDER_NAMES.get(m.gender or "unstated", ""),
        }
        for m in panel.members
    ]
    return {
        "panel": panel,
        "parties": _party_list(panel),
        "members": members,
        "balance": _balance(panel),
        "disclosure_table": table_view(tables["panel_disclosures"], rows=disc_rows) if disc_rows else None,
        "scores": [(c, f"{panel.scores[c]:.4f}") for c in COMPONENTS] if panel.scores is not None else None,
        "objective": f"{panel.objective:.4f}" if panel.objective is not None else "—",
        "standing": panel.standing_sentences(),
    }


def appendix_context(thresholds: Thresholds) -> dict[str, Any]:
    """Thresholds in force against their defaults, and the schema of every CSV file."""
    defaults = Thresholds()
    return {
        "thresholds": [(f.name, getattr(thresholds, f.name), getattr(defaults, f.name)) for f in fields(Thresholds)],
        "schema": CSV_SCHEMA,
    }


def render_report(
    roster: RosterReport | None,
    panels: Sequence[PanelReport],
    flags: Sequence[Flag],
    tables: Sequence[Table],
    *,
    thresholds: Thresholds | None = None,
    title: str = "Neutrality report",
    prepared_on: date | None = None,
    rule_set: str = "",
    inputs: Mapping[str, str] | None = None,
    notes: Sequence[str] = (),
) -> str:
    """The whole report as one HTML document (a string)."""
    t = thresholds or Thresholds()
    by_name = {table.name: table for table in tables}
    meta = [("Organisation", "IOMed, International Organization for Mediation (Hong Kong)")]
    if prepared_on is not None:
        meta.append(("Prepared on", prepared_on.isoformat()))
    if rule_set:
        meta.append(("Rule set", rule_set))
    if roster is not None:
        meta.append(("Host state", ", ".join(roster.host.codes)))
        meta.append(("Largest funder (assumed)", ", ".join(roster.funder.codes)))
    for name, digest in (inputs or {}).items():
        meta.append((f"Input {name}", f"SHA-256 {digest[:16]}…"))
    has_panels = "panels" in by_name
    page = (
        environment()
        .get_template(TEMPLATE)
        .render(
            title=title,
            meta=meta,
            flags=flags,
            roster=roster_context(roster, by_name, t) if roster is not None else None,
            has_panels=has_panels,
            panels=[panel_context(p, by_name) for p in panels] if has_panels else [],
            panels_table=table_view(by_name["panels"], columns=PANEL_COLUMNS) if has_panels and panels else None,
            notes=notes,
            appendix=appendix_context(t),
        )
    )
    return _named_entities(page)


def _named_entities(page: str) -> str:
    """Quotes escaped as the report always wrote them (``&quot;``, ``&#x27;``), not markupsafe's ``&#34;``, ``&#39;``.

    The same characters either way; a literal ``&#34;`` in the data was escaped to ``&amp;#34;``
    and is left alone.
    """
    return page.replace("&#34;", "&quot;").replace("&#39;", "&#x27;")
