"""The plan's charts and the plain words for its figures, shared by the HTML report and the app's Planning page.

Each figure of ``matching.plan.model.FIGURES`` gets one altair chart (``band_chart``): its value in
every simulated year, one line for the roster as it is ("before") and one with the recommended
recruits ("after"), each with its band (lowest to highest across the years, shaded) and its median
(dashed). The app draws these charts with ``st.altair_chart``; the report renders the very same
specifications to SVG (``matching.reports.charts.chart_svg``). Nothing here imports streamlit;
altair is imported inside the functions (it is slow to import and most commands draw no chart).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from matching.plan.model import FIGURES, Plan, Simulation
from matching.reports.charts import FONT, ROSTER_COLOUR, SEAT_COLOUR
from matching.reports.flags import pct

if TYPE_CHECKING:
    import altair as alt

# Short names (chart titles, table rows) and what each figure measures, in plain words.
FIGURE_NAMES: dict[str, str] = {
    "staffed_share": "Disputes staffed",
    "expertise_kept": "Expertise kept",
    "largest_state_share": "Largest single state's share of seats",
    "host_share": "Host state's share of seats",
    "funder_share": "Main funders' share of seats",
    "largest_group_share": "Largest UN regional group's share of seats",
    "top15_share": "Share of seats held by the 15 busiest mediators",
    "women_share": "Women's share of seats",
    "mean_lean": "Average lean of a panel",
    "worst_lean": "Worst lean of any panel",
}
FIGURE_HELP: dict[str, str] = {
    "staffed_share": "Of the disputes forecast for a year, the share that got a panel keeping every rule.",
    "expertise_kept": "The expertise of the panels chosen for the whole year together, as a share of the best "
    "each staffed dispute could have had on its own (100 % means sharing the roster cost nothing).",
    "largest_state_share": "The share of the year's seats held by nationals of the one state with most seats.",
    "host_share": "The share of the year's seats held by nationals of the host state.",
    "funder_share": "The share of the year's seats held by nationals of the organisation's main funders.",
    "largest_group_share": "The share of the year's seats held by the one UN regional group with most seats.",
    "top15_share": "The share of the year's seats held by the 15 mediators appointed most often: the higher, "
    "the more the work rests on a few people.",
    "women_share": "The share of the year's seats held by women.",
    "mean_lean": "For each panel, how many more political or economic blocs its members share with one party than "
    "with the other (0 = balanced); this is the average over the year's panels.",
    "worst_lean": "The same difference for the most lopsided panel of the year (0 = every panel balanced).",
}
SHARE_FIGURES = frozenset(name for name in FIGURES if name.endswith("_share") or name == "expertise_kept")
LABEL_NAMES = {"before": "the roster as it is", "after": "with the recommended recruits"}
COLOURS = {"before": SEAT_COLOUR, "after": ROSTER_COLOUR}


def figure_text(name: str, value: float) -> str:
    """A figure's value as people read it: shares as percentages, leans as a number of blocs."""
    if name in SHARE_FIGURES:
        return pct(value)
    return f"{value:.2f}"


def _simulations(plan: Plan) -> list[Simulation]:
    return [s for s in (plan.before, plan.after) if s is not None]


def band_chart(plan: Plan, name: str) -> alt.LayerChart:
    """One figure over the simulated years: a line per simulation, its band shaded and its median dashed."""
    import altair as alt

    title = FIGURE_NAMES[name]
    series = [LABEL_NAMES.get(s.label, s.label) for s in _simulations(plan)]
    colours = [COLOURS.get(s.label, "#009E73") for s in _simulations(plan)]
    points: list[dict[str, Any]] = []
    bands: list[dict[str, Any]] = []
    for sim, shown in zip(_simulations(plan), series, strict=True):
        for y in sim.years:
            value = y.figure(name)
            points.append({"year": y.year, "value": value, "series": shown, "text": figure_text(name, value)})
        if sim.years:
            band = sim.bands()[name]
            first, last = sim.years[0].year, sim.years[-1].year
            bands.append(
                {
                    "series": shown,
                    "low": band.low,
                    "median": band.median,
                    "high": band.high,
                    "from": first,
                    "to": last,
                    "text": f"{figure_text(name, band.low)} to {figure_text(name, band.high)}, "
                    f"median {figure_text(name, band.median)}",
                }
            )
    axis = alt.Axis(format=".0%" if name in SHARE_FIGURES else "~g", labelFontSize=10, tickCount=5, grid=True)
    colour = alt.Color(
        "series:N",
        sort=series,
        scale=alt.Scale(domain=series, range=colours),
        legend=alt.Legend(title=None, orient="top", direction="horizontal", labelFontSize=10),
    )
    years = sorted({p["year"] for p in points})
    x_title, x_axis = "simulated year", alt.Axis(values=years, format="d", labelFontSize=10)
    x_scale, y_scale = alt.Scale(zero=False, nice=False), alt.Scale(zero=True)
    year_x = alt.X("year:Q", title=x_title, axis=x_axis, scale=x_scale)
    value_y = alt.Y("value:Q", title=None, axis=axis, scale=y_scale)
    band_data = alt.Data(values=bands)
    shade = (
        alt.Chart(band_data)
        .mark_rect(opacity=0.13)
        .encode(
            x=alt.X("from:Q", title=x_title, axis=x_axis, scale=x_scale),
            x2="to:Q",
            y=alt.Y("low:Q", title=None, axis=axis, scale=y_scale),
            y2="high:Q",
            color=colour,
            tooltip=[alt.Tooltip("series:N", title="simulation"), alt.Tooltip("text:N", title="band")],
        )
    )
    median = (
        alt.Chart(band_data)
        .mark_rule(strokeDash=[4, 3], strokeWidth=1.2)
        .encode(
            x=alt.X("from:Q", title=x_title, axis=x_axis, scale=x_scale),
            x2="to:Q",
            y=alt.Y("median:Q", title=None, axis=axis, scale=y_scale),
            color=colour,
        )
    )
    lines = (
        alt.Chart(alt.Data(values=points))
        .mark_line(point=True, strokeWidth=2)
        .encode(
            x=year_x,
            y=value_y,
            color=colour,
            tooltip=[
                alt.Tooltip("series:N", title="simulation"),
                alt.Tooltip("year:Q", title="year"),
                alt.Tooltip("text:N", title="value"),
            ],
        )
    )
    chart: alt.LayerChart = (
        alt.layer(shade, median, lines)
        .properties(
            title=alt.Title(
                title, subtitle=["shaded: lowest to highest year; dashed: median"], anchor="start", fontSize=12
            ),
            description=title,
            width=300,
            height=150,
        )
        .configure(font=FONT)
        .configure_view(stroke=None)
    )
    return chart


def band_charts(plan: Plan) -> dict[str, alt.LayerChart]:
    """Every figure's chart, by figure name, in the order of ``FIGURES`` (none for a plan without any year)."""
    if not any(s.years for s in _simulations(plan)):
        return {}
    return {name: band_chart(plan, name) for name in FIGURES}
