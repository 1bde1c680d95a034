"""The neutrality report as one self-contained HTML file, to e-mail, open offline and print.

Everything is inline: the style sheet, and the charts as SVG drawn here in Python (no script,
no web font, no image file, no external address). The page prints on A4 with the tables'
headers repeated on each page and no chart cut in two. Every text taken from the data is
escaped.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import fields
from datetime import date

from matching.io.rulesets import COMPONENTS
from matching.reports.flags import Flag, Thresholds, pct
from matching.reports.neutrality import (
    CSV_SCHEMA,
    GENDER_NAMES,
    UN_GROUP_NAMES,
    Cell,
    PanelReport,
    RosterReport,
    ShareRow,
    Table,
)

# Okabe-Ito colours: told apart by colour-blind readers, and distinct in grey print.
SEAT_COLOUR = "#0072B2"
ROSTER_COLOUR = "#E69F00"
MEMBER_COLOUR = "#9a9a9a"
GROUP_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9")
TOP_NATIONALITIES = 15

CSS = """
@page { size: A4; margin: 14mm 12mm; }
* { box-sizing: border-box; }
body { font-family: "Segoe UI", "Helvetica Neue", Arial, sans-serif; font-size: 10.5pt; color: #1a1a1a;
       max-width: 1100px; margin: 0 auto; padding: 16px 24px; line-height: 1.4; }
h1 { font-size: 20pt; margin: 0 0 4px; }
h2 { font-size: 14pt; border-bottom: 2px solid #0072B2; padding-bottom: 3px; margin-top: 28px; }
h3 { font-size: 12pt; margin: 18px 0 6px; }
p.lead { color: #444; margin-top: 0; }
table { border-collapse: collapse; margin: 6px 0 14px; width: 100%; font-size: 9.5pt; }
th, td { border: 1px solid #c8c8c8; padding: 3px 6px; text-align: left; vertical-align: top; overflow-wrap: break-word; }
th { background: #eef3f8; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
.meta td:first-child { width: 28%; font-weight: 600; background: #fafafa; }
.cards { display: flex; flex-wrap: wrap; gap: 8px; margin: 8px 0 12px; }
.card { border: 1px solid #c8c8c8; border-radius: 4px; padding: 6px 10px; min-width: 150px; flex: 1 1 150px; }
.card .v { font-size: 15pt; font-weight: 600; }
.card .l { font-size: 8.5pt; color: #444; }
table.flags td { background: #fdecea; border-color: #e7b3ad; }
table.flags td:first-child { border-left: 5px solid #c0392b; }
table.flags td.code { font-weight: 600; font-size: 8.5pt; text-transform: uppercase; color: #8e2a20; white-space: nowrap; }
.ok { border-left: 5px solid #009E73; background: #e8f6f1; padding: 5px 9px; }
.orange { border-left: 5px solid #E69F00; background: #fff4e0; padding: 5px 9px; margin: 4px 0; }
.pass { color: #00684a; font-weight: 600; }
.fail { color: #b02a1c; font-weight: 600; }
.panel { border: 1px solid #b8c7d6; border-radius: 4px; padding: 4px 14px 10px; margin: 14px 0; }
figure { margin: 10px 0 16px; break-inside: avoid; }
figcaption { font-size: 9pt; color: #444; margin-top: 2px; }
.charts { display: flex; flex-wrap: wrap; gap: 12px 28px; }
.note { font-size: 9pt; color: #444; }
svg text { font-family: "Segoe UI", "Helvetica Neue", Arial, sans-serif; }
@media print {
  body { max-width: none; padding: 0; font-size: 9.5pt; }
  h2 { break-after: avoid; }
  h3 { break-after: avoid; }
  .panel { break-inside: avoid-page; }
  a { color: inherit; text-decoration: none; }
}
"""


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _num(value: float, decimals: int = 4) -> str:
    return f"{value:.{decimals}f}"


def cell_html(column: str, value: Cell) -> tuple[str, bool]:
    """A table cell's text for people, and whether it is a number (right-aligned)."""
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
    return esc(str(value).replace(";", "; ")), False


def table_html(table: Table, rows: Sequence[Sequence[Cell]] | None = None, columns: Sequence[str] | None = None) -> str:
    """An HTML table of (some of) a table's rows and columns; ``data-table`` names the CSV file."""
    use_rows = table.rows if rows is None else rows
    use_cols = list(columns or table.columns)
    index = [table.columns.index(c) for c in use_cols]
    sample = [[row[i] for i in index] for row in use_rows]
    numeric = [
        any(isinstance(r[j], (int, float)) and not isinstance(r[j], bool) for r in sample) for j in range(len(index))
    ]
    head = "".join(
        f'<th class="num">{esc(c)}</th>' if numeric[j] else f"<th>{esc(c)}</th>" for j, c in enumerate(use_cols)
    )
    body = []
    for row in sample:
        cells = []
        for j, (col, value) in enumerate(zip(use_cols, row, strict=True)):
            text, _ = cell_html(col, value)
            cells.append(f'<td class="num">{text}</td>' if numeric[j] else f"<td>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    if not body:
        body.append(f'<tr><td colspan="{len(use_cols)}">None.</td></tr>')
    return f'<table data-table="{esc(table.name)}"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


# --- charts (inline SVG) ------------------------------------------------------------------------


NICE_SCALES: tuple[tuple[float, float], ...] = (
    (0.05, 0.01),
    (0.1, 0.02),
    (0.2, 0.05),
    (0.3, 0.05),
    (0.4, 0.1),
    (0.5, 0.1),
    (0.6, 0.1),
    (0.8, 0.2),
    (1.0, 0.2),
)


def _scale(value: float) -> tuple[float, float]:
    """The axis maximum and tick step for shares up to ``value``."""
    for top, step in NICE_SCALES:
        if value <= top + 1e-12:
            return top, step
    return 1.0, 0.2


def hbar_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, str, Sequence[float | None]]],
    threshold: tuple[float, str] | None = None,
    width: int = 720,
) -> str:
    """Horizontal grouped bars of shares (0..1): one group of bars per label, one bar per series."""
    label_w, right_pad, bar_h, gap = 220, 50, 11, 9
    plot_w = width - label_w - right_pad
    n_series = len(series)
    group_h = n_series * bar_h + gap
    legend_h, axis_h = 24, 22
    height = legend_h + len(labels) * group_h + axis_h
    values = [v for _, _, vs in series for v in vs if v is not None]
    top, step = _scale(max([*values, threshold[0] if threshold else 0.0, 0.01]))

    def x(v: float) -> float:
        return label_w + plot_w * v / top

    parts = [
        f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{esc(title)}"><title>{esc(title)}</title>'
    ]
    lx: float = 10
    for name, colour, _ in series:
        parts.append(f'<rect x="{lx:.0f}" y="5" width="11" height="11" fill="{colour}"/>')
        parts.append(f'<text x="{lx + 15:.0f}" y="14" font-size="10">{esc(name)}</text>')
        lx += 30 + 5.6 * len(name)
    if threshold is not None:
        parts.append(
            f'<line x1="{lx:.0f}" y1="10" x2="{lx + 16:.0f}" y2="10" stroke="#c0392b" stroke-width="1.5" '
            f'stroke-dasharray="4 3"/><text x="{lx + 20:.0f}" y="14" font-size="10">{esc(threshold[1])}</text>'
        )
    ticks = round(top / step)
    for i in range(ticks + 1):
        tick = step * i
        parts.append(
            f'<line x1="{x(tick):.1f}" y1="{legend_h}" x2="{x(tick):.1f}" y2="{height - axis_h}" stroke="#e2e2e2"/>'
            f'<text x="{x(tick):.1f}" y="{height - 8}" font-size="9" text-anchor="middle">{100 * tick:.0f} %</text>'
        )
    if threshold is not None:
        tv = threshold[0]
        parts.append(
            f'<line x1="{x(tv):.1f}" y1="{legend_h}" x2="{x(tv):.1f}" y2="{height - axis_h}" stroke="#c0392b" '
            f'stroke-width="1.5" stroke-dasharray="4 3"/>'
        )
    for i, label in enumerate(labels):
        y0 = legend_h + i * group_h + gap / 2
        parts.append(
            f'<text x="{label_w - 6}" y="{y0 + n_series * bar_h / 2 + 4:.1f}" font-size="10" '
            f'text-anchor="end">{esc(label)}</text>'
        )
        for j, (name, colour, vs) in enumerate(series):
            v = vs[i]
            if v is None:
                continue
            y = y0 + j * bar_h
            parts.append(
                f'<rect x="{label_w}" y="{y:.1f}" width="{max(0.0, x(v) - label_w):.1f}" height="{bar_h - 1}" '
                f'fill="{colour}"><title>{esc(label)}, {esc(name)}: {pct(v)}</title></rect>'
            )
            parts.append(f'<text x="{x(v) + 3:.1f}" y="{y + bar_h - 2:.1f}" font-size="8.5">{pct(v)}</text>')
    parts.append(f'<line x1="{label_w}" y1="{legend_h}" x2="{label_w}" y2="{height - axis_h}" stroke="#555"/>')
    parts.append("</svg>")
    return "".join(parts)


def stacked_columns(
    title: str, years: Sequence[int], groups: Sequence[tuple[str, str]], counts: Mapping[tuple[int, str], int]
) -> str:
    """Seats per year, one column per year stacked by group (``groups`` are (key, label))."""
    width, left, bottom, top_pad = 560, 40, 24, 12
    legend_w = 200
    plot_w = width - left - legend_w - 10
    height = 230
    plot_h = height - bottom - top_pad
    totals = [sum(counts.get((y, g), 0) for g, _ in groups) for y in years]
    peak = max([*totals, 1])
    step = (
        next(s for s in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000) if peak / s <= 6)
        if peak <= 6000
        else peak // 5
    )
    scale_top = step * (-(-peak // step))
    col_w = plot_w / max(1, len(years))
    parts = [
        f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{esc(title)}"><title>{esc(title)}</title>'
    ]
    for v in range(0, scale_top + 1, step):
        y = top_pad + plot_h * (1 - v / scale_top)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#e2e2e2"/>'
            f'<text x="{left - 4}" y="{y + 3:.1f}" font-size="9" text-anchor="end">{v}</text>'
        )
    for i, year in enumerate(years):
        x0 = left + i * col_w + col_w * 0.15
        base: float = top_pad + plot_h
        for (g, label), colour in zip(groups, GROUP_COLOURS, strict=False):
            n = counts.get((year, g), 0)
            if not n:
                continue
            h = plot_h * n / scale_top
            base -= h
            parts.append(
                f'<rect x="{x0:.1f}" y="{base:.1f}" width="{col_w * 0.7:.1f}" height="{h:.1f}" fill="{colour}">'
                f"<title>{year}, {esc(label)}: {n}</title></rect>"
            )
        parts.append(
            f'<text x="{x0 + col_w * 0.35:.1f}" y="{height - 8}" font-size="9.5" text-anchor="middle">{year}</text>'
            f'<text x="{x0 + col_w * 0.35:.1f}" y="{base - 3:.1f}" font-size="8.5" text-anchor="middle">{totals[i]}</text>'
        )
    for k, ((_, label), colour) in enumerate(zip(groups, GROUP_COLOURS, strict=False)):
        ly = top_pad + 4 + k * 16
        parts.append(
            f'<rect x="{width - legend_w}" y="{ly}" width="11" height="11" fill="{colour}"/>'
            f'<text x="{width - legend_w + 15}" y="{ly + 9}" font-size="9.5">{esc(label)}</text>'
        )
    parts.append(
        f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{left + plot_w}" y2="{top_pad + plot_h}" stroke="#555"/>'
    )
    parts.append("</svg>")
    return "".join(parts)


def lorenz_curve(title: str, seats: Sequence[int]) -> str:
    """Share of seats held by the least appointed x % of the roster; the diagonal is an even spread."""
    size, pad = 250, 34
    plot = size - 2 * pad + 10
    ordered = sorted(seats)
    total = sum(ordered) or 1
    n = len(ordered) or 1
    points = [(0.0, 0.0)]
    running = 0
    for i, s in enumerate(ordered, start=1):
        running += s
        points.append((i / n, running / total))

    def px(x: float, y: float) -> str:
        return f"{pad + plot * x:.1f},{pad - 14 + plot * (1 - y):.1f}"

    line = " ".join(px(x, y) for x, y in points)
    area = line + " " + px(1, 0)
    parts = [
        f'<svg width="{size + 30}" height="{size}" viewBox="0 0 {size + 30} {size}" role="img" '
        f'aria-label="{esc(title)}"><title>{esc(title)}</title>',
        f'<rect x="{pad}" y="{pad - 14}" width="{plot}" height="{plot}" fill="none" stroke="#555"/>',
        f'<polygon points="{area}" fill="#0072B2" fill-opacity="0.15"/>',
        f'<polyline points="{px(0, 0)} {px(1, 1)}" fill="none" stroke="#999" stroke-dasharray="4 3"/>',
        f'<polyline points="{line}" fill="none" stroke="#0072B2" stroke-width="2"/>',
    ]
    for v in (0, 0.5, 1):
        parts.append(
            f'<text x="{pad + plot * v:.1f}" y="{pad + plot + 0}" font-size="9" text-anchor="middle">{100 * v:.0f} %</text>'
            f'<text x="{pad - 4}" y="{pad - 14 + plot * (1 - v) + 3:.1f}" font-size="9" text-anchor="end">{100 * v:.0f} %</text>'
        )
    parts.append(
        f'<text x="{pad + plot / 2:.1f}" y="{size - 4}" font-size="9" text-anchor="middle">'
        "mediators on the roster, least appointed first</text>"
    )
    parts.append("</svg>")
    return "".join(parts)


# --- sections ----------------------------------------------------------------------------------------


def _figure(svg: str, caption: str) -> str:
    return f"<figure>{svg}<figcaption>{esc(caption)}</figcaption></figure>"


def _share_chart(title: str, rows: Sequence[ShareRow], member: bool, threshold: tuple[float, str] | None) -> str:
    series: list[tuple[str, str, Sequence[float | None]]] = [
        ("share of seats", SEAT_COLOUR, [r.seat_share for r in rows]),
        ("share of the roster", ROSTER_COLOUR, [r.roster_share for r in rows]),
    ]
    if member:
        series.append(("share of UN member states", MEMBER_COLOUR, [r.member_state_share for r in rows]))
    return hbar_chart(title, [r.name for r in rows], series, threshold)


def _short(name: str, key: str, width: int = 24) -> str:
    shown = name if len(name) <= width else name[: width - 1].rstrip() + "…"
    return f"{shown} ({key})"


def _card(value: str, label: str) -> str:
    return f'<div class="card"><div class="v">{value}</div><div class="l">{esc(label)}</div></div>'


def flags_html(flags: Sequence[Flag]) -> str:
    """The flags as one table (the rows of flags.csv), each with its sentence."""
    if not flags:
        return (
            '<p class="ok">No flag was raised: every figure is within its threshold.</p>'
            '<table data-table="flags" class="flags"><tbody><tr><td>None.</td></tr></tbody></table>'
        )
    rows = "".join(
        f'<tr><td class="code">{esc(f.code.replace("_", " "))}</td><td>{esc(f.subject.replace(";", ", "))}</td>'
        f"<td>{esc(f.sentence)}</td></tr>"
        for f in flags
    )
    return (
        '<table data-table="flags" class="flags"><thead><tr><th>flag</th><th>about</th><th>why it was raised</th>'
        f"</tr></thead><tbody>{rows}</tbody></table>"
    )


def roster_html(report: RosterReport, tables: Mapping[str, Table], thresholds: Thresholds) -> str:
    """Figures, charts and tables about the appointment history."""
    t = thresholds
    if report.first_on and report.last_on:
        period = f"from {report.first_on.isoformat()} to {report.last_on.isoformat()}"
    else:
        period = "no appointment recorded"
    extra = f", of which {report.extra_seats} recorded after the history file" if report.extra_seats else ""
    out = [
        '<section id="roster"><h2>Roster and appointments</h2>',
        f'<p class="lead">{report.total_seats} seats{esc(extra)} ({esc(period)}) held by '
        f"{report.mediators_with_seats} of the {report.roster_size} mediators on the roster. A seat is one "
        "appointment in the history and counts for the mediator's effective (first-listed) nationality.</p>",
        '<div class="cards">',
        _card(_num(report.hhi, 3), "Herfindahl index of seats over mediators"),
        _card(_num(report.gini, 3), "Gini coefficient of seats per mediator (whole roster)"),
        _card(pct(report.top_share), f"seats held by the {report.top_n} most appointed"),
        _card(pct(report.women_share), "seats held by women"),
        _card(pct(report.host.share), f"seats held by host-state nationals ({', '.join(report.host.codes)})"),
        _card(
            pct(report.funder.share),
            f"seats held by nationals of the largest funder ({', '.join(report.funder.codes)})",
        ),
        _card(str(len(report.repeats)), f"repeat appointments by one party within {report.repeat_years} years"),
        "</div>",
        '<h3>Seats by UN regional group</h3><div class="charts">',
        _figure(
            _share_chart(
                "Seats by UN regional group",
                report.by_un_group,
                True,
                (t.un_group_share_above, f"flag above {pct(t.un_group_share_above)}"),
            ),
            "Each group's share of seats, against its share of the roster and of the 193 UN member states.",
        ),
        "</div>",
        table_html(tables["seats_by_un_group"]),
    ]
    top = sorted(report.by_nationality, key=lambda r: (-r.seats, r.key))[:TOP_NATIONALITIES]
    top_rows = [ShareRow(r.key, _short(r.name, r.key), r.seats, r.seat_share, r.roster_share, None, 0) for r in top]
    out += [
        "<h3>Seats by nationality</h3>",
        _figure(
            _share_chart(
                f"The {len(top)} nationalities with most seats",
                top_rows,
                False,
                (t.state_share_above, f"flag above {pct(t.state_share_above)}"),
            ),
            f"The {len(top)} nationalities with most seats. Each UN member state is 1/193 = {pct(1 / 193)} of the "
            "membership; the table lists every nationality on the roster or in the history.",
        ),
        table_html(tables["seats_by_nationality"]),
        "<h3>Seats by legal tradition and by gender</h3>",
        '<div class="charts">',
        _figure(
            _share_chart("Seats by legal tradition", report.by_legal_tradition, True, None),
            "A mediator from a mixed legal system counts in each of their traditions, so shares add up to more than 100 %.",
        ),
        _figure(
            _share_chart(
                "Seats by gender",
                report.by_gender,
                False,
                (t.women_share_below, f"flag for women below {pct(t.women_share_below)}"),
            ),
            "Share of seats held by women and men, against their share of the roster.",
        ),
        "</div>",
        table_html(tables["seats_by_legal_tradition"]),
        table_html(tables["seats_by_gender"]),
        "<h3>Concentration of seats</h3>",
        '<div class="charts">',
        _figure(
            lorenz_curve("Concentration of seats (Lorenz curve)", [m.seats for m in report.by_mediator]),
            f"The further the curve sags below the diagonal, the more the seats are concentrated on few mediators "
            f"(Gini coefficient {_num(report.gini, 3)}).",
        ),
        "</div>",
    ]
    everyone = tables["seats_by_mediator"].rows
    listed = {
        m.mediator_id for rank, m in enumerate(report.by_mediator) if m.seats >= 2 or (rank < report.top_n and m.seats)
    }
    shown = [row for row in everyone if row[0] in listed]
    one = sum(1 for m in report.by_mediator if m.seats == 1)
    none = sum(1 for m in report.by_mediator if not m.seats)
    hidden = len(everyone) - len(shown)
    out.append(
        f'<p class="note">Mediators holding two seats or more (and at least the {report.top_n} most appointed), most '
        f"seats first. Not listed here: {hidden} mediator(s), of whom {one} hold one seat and {none} none; "
        "seats_by_mediator.csv lists everyone on the roster.</p>"
    )
    out.append(table_html(tables["seats_by_mediator"], rows=shown))
    out.append(f"<h3>Repeat appointments by one party within {report.repeat_years} years</h3>")
    out.append(
        '<p class="note">IBA Guidelines on Conflicts of Interest, Orange List 3.1.3: appointed two or more times by '
        "one of the parties within the past three years. Each row shows the three-year span with most "
        "appointments.</p>"
    )
    out.append(table_html(tables["repeat_appointments"]))
    groups = [(g, UN_GROUP_NAMES[g]) for g in UN_GROUP_NAMES]
    counts = {(r.year, r.key): r.seats for r in report.by_year}
    out.append("<h3>Seats per year by UN regional group</h3>")
    if report.years:
        out.append(
            _figure(
                stacked_columns("Seats per year by UN regional group", report.years, groups, counts),
                "Seats per calendar year; the number above each column is the year's total. The first and last "
                f"years may be partial: the history runs from {report.first_on} to {report.last_on}.",
            )
        )
    out.append(table_html(tables["seats_by_year"]))
    out.append("<h3>Summary figures</h3>")
    out.append(table_html(tables["summary"]))
    out.append("</section>")
    return "".join(out)


def _party_list(panel: PanelReport) -> str:
    names = [f"{panel.party_names.get(p, p)} ({p})" for p in panel.parties]
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else "".join(names)


def panel_html(panel: PanelReport, tables: Mapping[str, Table]) -> str:
    """One panel: members and alignment, disclosures, the hard rules, and its place against the best."""
    parties = panel.parties
    status = (
        '<span class="pass">keeps every hard rule</span>'
        if panel.feasible
        else f'<span class="fail">breaks {esc(", ".join(panel.broken_rules))}</span>'
    )
    head = "".join(f'<th class="num">blocs shared with {esc(p)}</th>' for p in parties)
    rows = []
    for m in panel.members:
        shared = "".join(
            f'<td class="num">{m.alignment[p]}'
            + (f' <span class="note">({esc(", ".join(m.shared_blocs[p]))})</span>' if m.shared_blocs[p] else "")
            + "</td>"
            for p in parties
        )
        rows.append(
            f"<tr><td>{esc(m.role)}</td><td>{esc(m.mediator_id)}</td><td>{esc(m.name)}</td>"
            f"<td>{esc(', '.join(m.nationalities))}</td><td>{esc(UN_GROUP_NAMES.get(m.un_group, m.un_group))}</td>"
            f"<td>{esc(', '.join(m.legal_traditions))}</td><td>{esc(GENDER_NAMES.get(m.gender or 'unstated', ''))}</td>"
            f"<td>{esc(', '.join(m.languages))}</td>{shared}</tr>"
        )
    totals = panel.alignment
    total_cells = "".join(f'<td class="num"><b>{totals[p]}</b></td>' for p in parties)
    rows.append(f'<tr><td colspan="8"><b>Panel total</b></td>{total_cells}</tr>')
    if panel.asymmetry == 0:
        balance = "The panel's alignment is equal across the parties (asymmetry 0)."
    else:
        high = max(totals, key=lambda p: totals[p])
        low = min(totals, key=lambda p: totals[p])
        shares = " and ".join(f"{totals[p]} with {p}" for p in parties)
        balance = (
            f"Alignment asymmetry {panel.asymmetry}: the members share bloc memberships {shares}, so the panel leans "
            f"towards {panel.party_names.get(high, high)} ({high}) by {panel.asymmetry} compared with "
            f"{panel.party_names.get(low, low)} ({low})."
        )
    members_table = (
        '<table data-table="panel_members"><thead><tr><th>role</th><th>id</th><th>name</th><th>nationalities</th>'
        "<th>UN regional group</th><th>legal traditions</th><th>gender</th><th>languages</th>"
        f"{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )
    if panel.disclosures:
        disclosures = "".join(
            f'<div class="orange"><b>{esc(d.mediator_id)}</b> must disclose ({esc(d.category)}): {esc(d.note)}</div>'
            for d in panel.disclosures
        )
    else:
        disclosures = '<p class="ok">No conflict or repeat appointment to disclose.</p>'
    rules_rows = "".join(
        f"<tr><td>{esc(r.rule)}</td><td>{esc(r.title)}</td><td>{esc(r.sentence)}</td>"
        + (
            '<td><span class="pass">kept</span></td>'
            if r.passed
            else f'<td><span class="fail">broken</span>: {esc("; ".join(r.reasons))}</td>'
        )
        + "</tr>"
        for r in panel.rules
    )
    rules_table = (
        '<table data-table="panel_rules"><thead><tr><th>rule</th><th>name</th><th>what it requires</th>'
        f"<th>result</th></tr></thead><tbody>{rules_rows}</tbody></table>"
    )
    disc_rows = [row for row in tables["panel_disclosures"].rows if row[0] == panel.panel_id]
    scores = ""
    if panel.scores is not None:
        cells = "".join(f'<td class="num">{panel.scores[c]:.4f}</td>' for c in COMPONENTS)
        objective = f"{panel.objective:.4f}" if panel.objective is not None else "—"
        scores = (
            "<table><thead><tr>"
            + "".join(f'<th class="num">{esc(c)}</th>' for c in COMPONENTS)
            + f'<th class="num">objective</th></tr></thead><tbody><tr>{cells}<td class="num">{objective}</td></tr></tbody></table>'
        )
    standing = "".join(f"<p>{esc(line)}</p>" for line in panel.standing_sentences())
    return (
        f'<div class="panel" id="panel-{esc(panel.panel_id)}"><h3>{esc(panel.panel_id)} · {esc(panel.dispute_id)}: '
        f"{esc(panel.title)}</h3>"
        f"<p>Parties: {esc(_party_list(panel))}. Source: {esc(panel.source)}. Members: "
        f"{esc(', '.join(panel.member_ids))} (chair first). The panel {status}.</p>"
        f"{members_table}<p>{esc(balance)}</p>"
        f"<h4>Disclosures</h4>{disclosures}"
        + (table_html(tables["panel_disclosures"], rows=disc_rows) if disc_rows else "")
        + f"<h4>Hard rules checked</h4>{rules_table}"
        f"<h4>Against the best panels</h4>{scores}{standing}</div>"
    )


def panels_html(panels: Sequence[PanelReport], tables: Mapping[str, Table], notes: Sequence[str]) -> str:
    out = ['<section id="panels"><h2>Panels</h2>']
    if not panels:
        out.append(
            '<p class="note">No panel is reported in this run. Add panels with --panels proposed.csv, or the '
            "solver's best panel for a dispute with --dispute ID.</p>"
        )
    else:
        out.append(
            '<p class="lead">A member\'s alignment with a party is the number of political or economic blocs '
            "(AU, EU, BRICS, …) that any of the member's nationalities shares with that party. Neutrality asks "
            "that the panel's total alignment be low and, above all, equal across the parties.</p>"
        )
        out.append(
            table_html(
                tables["panels"],
                columns=(
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
                ),
            )
        )
    out.extend(f'<p class="note">{esc(n)}</p>' for n in notes)
    out.extend(panel_html(p, tables) for p in panels)
    out.append("</section>")
    return "".join(out)


def appendix_html(thresholds: Thresholds) -> str:
    """Definitions, thresholds in force, and the schema of every CSV file."""
    defaults = Thresholds()
    rows = "".join(
        f"<tr><td>{esc(f.name)}</td><td class='num'>{esc(getattr(thresholds, f.name))}</td>"
        f"<td class='num'>{esc(getattr(defaults, f.name))}</td></tr>"
        for f in fields(Thresholds)
    )
    schema = []
    for name, columns in CSV_SCHEMA.items():
        body = "".join(
            f"<tr><td><code>{esc(c)}</code></td><td>{esc(meaning)}</td></tr>" for c, meaning in columns.items()
        )
        schema.append(
            f'<h4>{esc(name)}.csv</h4><table class="schema"><thead><tr><th>column</th><th>meaning</th></tr></thead>'
            f"<tbody>{body}</tbody></table>"
        )
    return (
        '<section id="appendix"><h2>Appendix</h2>'
        "<h3>Definitions</h3><ul>"
        "<li><b>Seat</b>: one row of the appointment history. A seat counts for the mediator's effective nationality "
        "(the first one listed) and for every legal tradition the mediator holds.</li>"
        "<li><b>Share of UN member states</b>: for a regional group, the member states in the group out of 193; for a "
        "legal tradition, the member states whose legal system includes it out of 193; for a nationality, 1/193 for each "
        "member state (empty for Hong Kong, Macao, Taiwan, the State of Palestine and the Holy See, which are not "
        "members).</li>"
        "<li><b>Herfindahl index</b>: the sum of the squares of each mediator's share of seats: 1 when one mediator "
        "holds every seat; 1/N when N mediators hold equal numbers.</li>"
        "<li><b>Gini coefficient</b>: how unevenly seats are spread over the whole roster, counting mediators with no "
        "seat: 0 when all hold the same number, near 1 when one holds them all.</li>"
        "<li><b>Repeat appointment</b>: one party appointing the same mediator two or more times within three years "
        "(IBA Orange List 3.1.3); exactly three years apart does not count.</li>"
        "<li><b>Host state</b>: China and Hong Kong by default, Hong Kong being the seat of the organisation. "
        "<b>Largest funder</b>: China by default; this is an assumption, not a published figure.</li>"
        "<li><b>Bloc alignment</b>: blocs shared by any of a member's nationalities with a party; the panel's "
        "asymmetry is the largest minus the smallest of its per-party totals.</li>"
        "<li><b>Best panel</b>: the solver's best panel under the rule set. <b>Most neutral panel</b>: the solver's "
        "best panel when only neutrality and diversity count.</li>"
        "</ul>"
        "<h3>Thresholds in force</h3>"
        "<p class='note'>A flag is raised when a share is strictly above an “above” threshold or strictly below a "
        "“below” threshold; “at least” thresholds include the value itself.</p>"
        "<table><thead><tr><th>threshold</th><th class='num'>in force</th><th class='num'>default</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
        "<h3>Exported files (CSV)</h3>"
        "<p class='note'>UTF-8, one header row, a dot as decimal sign, shares between 0 and 1, lists separated by ';'. "
        "A text cell that starts with =, +, - or @ is preceded by a quote so that a spreadsheet never runs it.</p>"
        + "".join(schema)
        + "</section>"
    )


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
    meta_rows = "".join(f"<tr><td>{esc(k)}</td><td>{esc(v)}</td></tr>" for k, v in meta)
    body = [
        f"<header><h1>{esc(title)}</h1>",
        '<p class="lead">Impartiality and diversity of panels and of appointments from the roster. Figures are '
        "computed from the input files named below; definitions and the layout of the exported files are in the "
        "appendix.</p>",
        f'<table class="meta">{meta_rows}</table></header>',
        f'<section id="flags"><h2>Flags ({len(flags)})</h2>{flags_html(flags)}</section>',
    ]
    if roster is not None:
        body.append(roster_html(roster, by_name, t))
    if "panels" in by_name:
        body.append(panels_html(panels, by_name, notes))
    body.append(appendix_html(t))
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head><body>" + "".join(body) + "</body></html>\n"
    )
