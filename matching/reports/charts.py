"""The neutrality charts, each defined once as an altair chart and drawn by both the app and the report.

The app's review page shows these charts with ``st.altair_chart``; the HTML report renders the
very same chart specifications to static SVG with vl-convert (``chart_svg``) and inlines them, so
the report stays one script-free file. Builders take the report data objects
(``RosterReport``, ``ShareRow``) and return altair charts; nothing here imports streamlit.

altair and vl-convert are imported inside the functions: both take a noticeable time to import,
and most commands of the command line never draw a chart.

Colours are Okabe-Ito: told apart by colour-blind readers, and distinct in grey print.
"""

from __future__ import annotations

import hashlib
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from matching.reports.flags import Thresholds, pct
from matching.reports.neutrality import UN_GROUP_NAMES, RosterReport, ShareRow

if TYPE_CHECKING:
    import altair as alt
    import pandas as pd

SEAT_COLOUR = "#0072B2"
ROSTER_COLOUR = "#E69F00"
MEMBER_COLOUR = "#9a9a9a"
THRESHOLD_COLOUR = "#c0392b"
GROUP_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9")
TOP_NATIONALITIES = 15
SHARE_WIDTH = 420  # plot width of the share charts, labels not counted
BAR_STEP = 12  # height of one bar in a group of bars
FONT = "Helvetica Neue, Arial, Liberation Sans, sans-serif"

SEATS, ROSTER, MEMBERS = "share of seats", "share of the roster", "share of UN member states"


def _short(name: str, key: str, width: int = 24) -> str:
    shown = name if len(name) <= width else name[: width - 1].rstrip() + "…"
    return f"{shown} ({key})"


def share_chart(
    title: str,
    rows: Sequence[ShareRow],
    *,
    member: bool,
    threshold: tuple[float, str] | None = None,
) -> alt.LayerChart:
    """Horizontal grouped bars of shares (0..1): one group per row, one bar per series, a dashed threshold line.

    The series are the share of seats, of the roster and (when ``member``) of the UN member
    states; each bar carries its value as a label. The threshold, when given as (value, label),
    is a dashed red line, named in the subtitle.
    """
    import altair as alt

    series = [SEATS, ROSTER, *([MEMBERS] if member else [])]
    colours = [SEAT_COLOUR, ROSTER_COLOUR, MEMBER_COLOUR][: len(series)]
    values: list[dict[str, Any]] = []
    for r in rows:
        for name, share in zip(series, (r.seat_share, r.roster_share, r.member_state_share), strict=False):
            if share is not None:
                values.append({"label": r.name, "series": name, "share": share, "text": pct(share)})
    labels = [r.name for r in rows]
    y = alt.Y(
        "label:N",
        sort=labels,
        title=None,
        axis=alt.Axis(labelLimit=230, labelFontSize=11, ticks=False),
        scale=alt.Scale(paddingInner=0.3, paddingOuter=0.15),
    )
    y_offset = alt.YOffset("series:N", sort=series, scale=alt.Scale(paddingInner=0.08))
    x = alt.X(
        "share:Q",
        title=None,
        axis=alt.Axis(format=".0%", grid=True, tickCount=5, labelFontSize=10),
        scale=alt.Scale(domainMin=0, nice=True),
    )
    base = alt.Chart(alt.Data(values=values)).encode(y=y, yOffset=y_offset, x=x)
    bars = base.mark_bar().encode(
        color=alt.Color(
            "series:N",
            sort=series,
            scale=alt.Scale(domain=series, range=colours),
            legend=alt.Legend(title=None, orient="top", direction="horizontal", labelFontSize=11),
        ),
        tooltip=[
            alt.Tooltip("label:N", title="of"),
            alt.Tooltip("series:N", title="share"),
            alt.Tooltip("share:Q", title="value", format=".1%"),
        ],
    )
    text = base.mark_text(align="left", baseline="middle", dx=3, fontSize=9, color="#333").encode(text="text:N")
    layers: list[alt.Chart] = [bars, text]
    subtitle: list[str] = []
    if threshold is not None:
        value, label = threshold
        rule = (
            alt.Chart(alt.Data(values=[{"share": value, "label": label}]))
            .mark_rule(color=THRESHOLD_COLOUR, strokeDash=[5, 3], strokeWidth=1.5)
            .encode(x=alt.X("share:Q"), tooltip=alt.Tooltip("label:N", title="threshold"))
        )
        layers.append(rule)
        subtitle = [f"dashed red line: {label}"]
    chart: alt.LayerChart = (
        alt.layer(*layers)
        .properties(
            title=alt.Title(title, subtitle=subtitle, anchor="start", fontSize=13, subtitleFontSize=10),
            description=title,
            width=SHARE_WIDTH,
            height=alt.Step(BAR_STEP),  # one bar's height: vega-lite steps the offset scale
        )
        .configure(font=FONT)
        .configure_view(stroke=None)
    )
    return chart


def un_group_chart(report: RosterReport, thresholds: Thresholds | None = None) -> alt.LayerChart:
    """Each UN regional group's share of seats, against its share of the roster and of the member states."""
    t = thresholds or Thresholds()
    return share_chart(
        "Seats by UN regional group",
        report.by_un_group,
        member=True,
        threshold=(t.un_group_share_above, f"flag above {pct(t.un_group_share_above)}"),
    )


def top_nationalities(report: RosterReport, top: int = TOP_NATIONALITIES) -> list[ShareRow]:
    """The nationalities with most seats, labelled with a shortened name and the country code."""
    rows = sorted(report.by_nationality, key=lambda r: (-r.seats, r.key))[:top]
    return [ShareRow(r.key, _short(r.name, r.key), r.seats, r.seat_share, r.roster_share, None, 0) for r in rows]


def nationality_chart(report: RosterReport, thresholds: Thresholds | None = None) -> alt.LayerChart:
    """The nationalities with most seats: their share of seats against their share of the roster."""
    t = thresholds or Thresholds()
    rows = top_nationalities(report)
    return share_chart(
        f"The {len(rows)} nationalities with most seats",
        rows,
        member=False,
        threshold=(t.state_share_above, f"flag above {pct(t.state_share_above)}"),
    )


def legal_tradition_chart(report: RosterReport) -> alt.LayerChart:
    """Each legal tradition's share of seats, against its share of the roster and of the member states."""
    return share_chart("Seats by legal tradition", report.by_legal_tradition, member=True)


def gender_chart(report: RosterReport, thresholds: Thresholds | None = None) -> alt.LayerChart:
    """Women's and men's share of seats against their share of the roster."""
    t = thresholds or Thresholds()
    return share_chart(
        "Seats by gender",
        report.by_gender,
        member=False,
        threshold=(t.women_share_below, f"flag for women below {pct(t.women_share_below)}"),
    )


def lorenz_chart(report: RosterReport) -> alt.LayerChart:
    """Share of seats held by the least appointed x % of the roster; the dashed diagonal is an even spread."""
    import altair as alt

    title = "Concentration of seats (Lorenz curve)"
    ordered = sorted(m.seats for m in report.by_mediator)
    total = sum(ordered) or 1
    n = len(ordered) or 1
    points = [{"mediators": 0.0, "seats": 0.0}]
    running = 0
    for i, s in enumerate(ordered, start=1):
        running += s
        points.append({"mediators": i / n, "seats": running / total})
    axis = alt.Axis(format=".0%", values=[0, 0.25, 0.5, 0.75, 1], labelFontSize=10, titleFontSize=10)
    x = alt.X("mediators:Q", title="mediators on the roster, least appointed first", axis=axis)
    y = alt.Y("seats:Q", title="share of seats", axis=axis)
    curve = alt.Chart(alt.Data(values=points)).encode(x=x, y=y)
    area = curve.mark_area(color=SEAT_COLOUR, opacity=0.15)
    line = curve.mark_line(color=SEAT_COLOUR, strokeWidth=2).encode(
        tooltip=[
            alt.Tooltip("mediators:Q", title="least appointed mediators", format=".1%"),
            alt.Tooltip("seats:Q", title="their share of seats", format=".1%"),
        ]
    )
    even = (
        alt.Chart(alt.Data(values=[{"mediators": 0.0, "seats": 0.0}, {"mediators": 1.0, "seats": 1.0}]))
        .mark_line(color="#999", strokeDash=[4, 3])
        .encode(x=x, y=y)
    )
    chart: alt.LayerChart = (
        alt.layer(area, even, line)
        .properties(
            title=alt.Title(title, subtitle=[f"Gini coefficient {report.gini:.3f}"], anchor="start", fontSize=13),
            description=title,
            width=240,
            height=240,
        )
        .configure(font=FONT)
    )
    return chart


def seats_per_year_chart(report: RosterReport) -> alt.LayerChart:
    """Seats per calendar year, one column per year stacked by UN regional group, the year's total on top."""
    import altair as alt

    title = "Seats per year by UN regional group"
    groups = list(UN_GROUP_NAMES.values())
    order = {name: i for i, name in enumerate(groups)}
    values = [
        {"year": str(r.year), "group": UN_GROUP_NAMES.get(r.key, r.key), "seats": r.seats, "order": order.get(r.key, 9)}
        for r in report.by_year
        if r.seats
    ]
    totals: dict[int, int] = {year: 0 for year in report.years}
    for r in report.by_year:
        totals[r.year] = totals.get(r.year, 0) + r.seats
    years = [str(y) for y in sorted(totals)]
    x = alt.X("year:O", sort=years, title=None, axis=alt.Axis(labelAngle=0, labelFontSize=10))
    columns = (
        alt.Chart(alt.Data(values=values))
        .mark_bar()
        .encode(
            x=x,
            y=alt.Y("seats:Q", stack="zero", title="seats", axis=alt.Axis(tickMinStep=1, labelFontSize=10)),
            color=alt.Color(
                "group:N",
                sort=groups,
                scale=alt.Scale(domain=groups, range=list(GROUP_COLOURS)),
                legend=alt.Legend(title=None, labelFontSize=10, labelLimit=240),
            ),
            order=alt.Order("order:Q"),
            tooltip=[
                alt.Tooltip("year:O", title="year"),
                alt.Tooltip("group:N", title="UN regional group"),
                alt.Tooltip("seats:Q", title="seats"),
            ],
        )
    )
    labels = (
        alt.Chart(alt.Data(values=[{"year": str(y), "seats": n} for y, n in sorted(totals.items())]))
        .mark_text(baseline="bottom", dy=-2, fontSize=9, color="#333")
        .encode(x=x, y=alt.Y("seats:Q"), text=alt.Text("seats:Q"))
    )
    chart: alt.LayerChart = (
        alt.layer(columns, labels)
        .properties(
            title=alt.Title(title, anchor="start", fontSize=13),
            description=title,
            width=alt.Step(48),
            height=200,
        )
        .configure(font=FONT)
        .configure_view(stroke=None)
    )
    return chart


def roster_charts(report: RosterReport, thresholds: Thresholds | None = None) -> dict[str, alt.LayerChart]:
    """Every chart of the roster report, by name, in the order the report shows them."""
    charts = {
        "un_group": un_group_chart(report, thresholds),
        "nationality": nationality_chart(report, thresholds),
        "legal_tradition": legal_tradition_chart(report),
        "gender": gender_chart(report, thresholds),
        "lorenz": lorenz_chart(report),
    }
    if report.years:
        charts["seats_per_year"] = seats_per_year_chart(report)
    return charts


def composition_chart(frame: pd.DataFrame, title: str, top: int = 15) -> alt.Chart:
    """Seats on recorded panels per value of one dimension (a frame of value, seats, share): most seats on top."""
    import altair as alt

    shown = frame.head(top)
    chart: alt.Chart = (
        alt.Chart(shown)
        .mark_bar(color=SEAT_COLOUR)
        .encode(
            x=alt.X("seats:Q", title="seats", axis=alt.Axis(tickMinStep=1)),
            y=alt.Y("value:N", sort="-x", title=None, axis=alt.Axis(labelOverlap=False, labelLimit=200)),
            tooltip=[
                alt.Tooltip("value:N", title=title),
                alt.Tooltip("seats:Q", title="seats"),
                alt.Tooltip("share:Q", title="share of seats", format=".1%"),
            ],
        )
        .properties(title=title, description=title, height=alt.Step(24))
    )
    return chart


# --- static SVG for the report ----------------------------------------------------------------------------

SVG_NS = "{http://www.w3.org/2000/svg}"
FORBIDDEN_ELEMENTS = frozenset({"script", "foreignObject", "iframe", "object", "embed", "image", "use", "a"})
_ID = re.compile(r'\bid="([^"]+)"')


class UnsafeSvgError(ValueError):
    """The SVG drawn for a chart holds something that could run or fetch: it is never inlined."""


def _check_safe(svg: str) -> None:
    """Refuse an SVG with a script, an embedded document, a link, an event handler or an external reference."""
    root = ET.fromstring(svg)
    for element in root.iter():
        tag = element.tag.removeprefix(SVG_NS) if isinstance(element.tag, str) else ""
        if tag in FORBIDDEN_ELEMENTS:
            raise UnsafeSvgError(f"chart SVG holds a <{tag}> element")
        for name, value in element.attrib.items():
            local = name.rsplit("}", 1)[-1].lower()
            if local.startswith("on") or local == "href" or "javascript:" in value.lower():
                raise UnsafeSvgError(f"chart SVG holds the attribute {local}")


def spec_of(chart: alt.TopLevelMixin, *, validate: bool = True) -> dict[str, Any]:
    """The chart's Vega-Lite specification, as the app and the report both hand it on.

    ``validate=False`` skips altair's check against the Vega-Lite schema (the same dictionary,
    half a second sooner for the report's six charts); the tests draw every chart validated.
    """
    return chart.to_dict(validate=validate)


def _label(spec: Mapping[str, Any]) -> str:
    title = spec.get("title")
    if isinstance(title, Mapping):
        title = title.get("text")
    return str(spec.get("description") or title or "chart")


def chart_svg(chart: alt.TopLevelMixin) -> str:
    """The chart as static SVG to inline in HTML: no script, ids unique to this chart, titled for screen readers.

    The namespace declarations are dropped (an SVG inlined in HTML needs none); the root gets
    ``role="img"``, an ``aria-label`` and a ``<title>`` naming the chart.
    """
    import vl_convert

    spec = spec_of(chart, validate=False)
    svg = vl_convert.vegalite_to_svg(spec)
    _check_safe(svg)
    prefix = "c" + hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:8]
    ids = set(_ID.findall(svg))
    if ids:
        svg = _ID.sub(lambda m: f'id="{prefix}-{m.group(1)}"', svg)
        svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}-{m.group(1)})" if m.group(1) in ids else m[0], svg)
    head, _, rest = svg.partition(">")
    head = re.sub(r'\s+xmlns(?::\w+)?="[^"]*"', "", head)
    head = re.sub(r'\s+(?:role|aria-label)="[^"]*"', "", head)
    label = _escape(_label(spec))
    return f'{head} role="img" aria-label="{label}"><title>{label}</title>{rest}'


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
