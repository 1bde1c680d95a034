"""The trade-off chart: every panel that no other panel beats on both expertise and impartiality
(the frontier), with the solver's candidate panels highlighted, and how far each weight can move
before the best panel changes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

import altair as alt
import pandas as pd
import streamlit as st

from matching.api import (
    WEIGHT_NAMES,
    Frontier,
    FrontierPoint,
    LeanPrices,
    ProposedPanel,
    RuleSet,
    SolveConfig,
    WeightRange,
    Workspace,
    frontier,
    lean_prices,
    sensitivity,
)
from ui.common import Job, decision_store, follow_job, job_outcome, mediator_names, recorded_load, start_job
from ui.state import Run

T = TypeVar("T")

AXES_HELP = (
    "Each dot is a panel that no other panel beats on both counts. Expertise (across) is the panel's expertise "
    "score; impartiality (up) is the mean of its neutrality and diversity scores (neutrality alone for a sole "
    "mediator). Both run from 0 to 1. Moving up the line buys impartiality with expertise."
)


def ratio_text(weight_range: tuple[float, float | None] | None, best: bool = False) -> str:
    """The weight ratios under which a frontier panel is the best on expertise and impartiality, in words.

    No range means that on those two scores alone a neighbour wins at every ratio of their weights; the panel
    can still be the best overall, since workload and party preferences count too (``best``: it is now).
    """
    if weight_range is None:
        if best:
            return (
                "the best panel now, thanks to workload or party preferences; on expertise and impartiality alone "
                "a neighbour on the line wins at every ratio of their weights"
            )
        return (
            "on expertise and impartiality alone, a neighbour on the line wins at every ratio of their weights; "
            "workload or party preferences can still make it the best"
        )
    low, high = weight_range
    if high is None:
        return f"best when impartiality weighs at least {low:.2f}× expertise"
    if low <= 0:
        return f"best when impartiality weighs at most {high:.2f}× expertise"
    return f"best when impartiality weighs between {low:.2f}× and {high:.2f}× expertise"


def _names(ws: Workspace, point: FrontierPoint) -> str:
    parts = []
    for seat in point.members:
        m = ws.data.mediator(seat.mediator_id)
        parts.append(f"{m.name} ({m.mediator_id}{', chair' if seat.role.value == 'chair' else ''})")
    return "; ".join(parts)


def frontier_frame(ws: Workspace, points: Sequence[FrontierPoint], candidates: Sequence[ProposedPanel]) -> pd.DataFrame:
    """One row per frontier point, with the rank of the candidate panel that has the same members."""
    rank_of = {frozenset(p.member_ids): p.rank for p in candidates}
    rows = []
    for i, point in enumerate(points, start=1):
        rank = rank_of.get(frozenset(point.member_ids))
        rows.append(
            {
                "point": i,
                "expertise": point.axes["expertise"],
                "impartiality": point.axes["impartiality"],
                "members": _names(ws, point),
                "candidate": f"Panel {rank}" if rank else "",
                "kind": f"candidate panel {rank}" if rank else "other frontier panel",
                "price of neutrality": point.price_of_neutrality,
                "weights": ratio_text(point.weight_range, best=rank == 1),
                "joins": mediator_names(ws, point.joins) or "-",
                "leaves": mediator_names(ws, point.leaves) or "-",
                "total score": point.objective,
            }
        )
    return pd.DataFrame(rows)


def frontier_chart(frame: pd.DataFrame) -> alt.LayerChart:
    """Altair scatter: the frontier as a line, candidate panels large and labelled, tooltips on each dot."""
    tooltip = [
        alt.Tooltip("members:N", title="Members (chair marked)"),
        alt.Tooltip("candidate:N", title="Candidate"),
        alt.Tooltip("expertise:Q", format=".3f"),
        alt.Tooltip("impartiality:Q", format=".3f"),
        alt.Tooltip("price of neutrality:Q", format=".3f", title="Expertise given up vs the most expert panel"),
        alt.Tooltip("weights:N", title="Weights"),
        alt.Tooltip("joins:N", title="Joins (vs previous dot)"),
        alt.Tooltip("leaves:N", title="Leaves (vs previous dot)"),
    ]
    x = alt.X("expertise:Q", title="Expertise (0 to 1)", scale=alt.Scale(zero=False, padding=20))
    y = alt.Y("impartiality:Q", title="Impartiality (0 to 1)", scale=alt.Scale(zero=False, padding=20))
    base = alt.Chart(frame).encode(x=x, y=y)
    line = base.mark_line(color="#9aa5b1", strokeDash=[4, 3]).encode(order="expertise:Q")
    dots = base.mark_circle(opacity=0.9).encode(
        size=alt.condition(alt.datum.candidate != "", alt.value(260), alt.value(80)),
        color=alt.Color(
            "kind:N",
            title=None,
            legend=alt.Legend(orient="bottom"),
            scale=alt.Scale(scheme="tableau10"),
            sort="descending",
        ),
        tooltip=tooltip,
    )
    labels = (
        base.transform_filter(alt.datum.candidate != "")
        .mark_text(align="left", dx=10, dy=-8, fontSize=12, fontWeight="bold")
        .encode(text="candidate:N")
    )
    chart: alt.LayerChart = (line + dots + labels).properties(height=380)
    return chart


def sensitivity_frame(ranges: Sequence[WeightRange]) -> pd.DataFrame:
    rows = []
    for r in ranges:
        rows.append(
            {
                "weight": r.component.replace("_", " "),
                "now": r.weight,
                "lowest": r.lower,
                "highest": "no limit found" if r.upper is None else f"{r.upper:.2f}",
                "below, the best panel becomes": ", ".join(r.panel_below) if r.panel_below else "-",
                "above, the best panel becomes": ", ".join(r.panel_above) if r.panel_above else "-",
            }
        )
    return pd.DataFrame(rows)


def job_name(run: Run) -> str:
    return f"frontier-{run.dispute_id}"


def _start(run: Run, name: str, label: str, compute: Callable[[RuleSet, dict[str, int], Job[T]], T]) -> None:
    """Run ``compute(rule_set, recorded load, job)`` for the run's rule set in a worker thread, with
    progress and a Stop button (``ui.common.follow_job``); nothing before the first search."""
    rule_set = run.rule_set
    if rule_set is None:
        return
    load = recorded_load(decision_store())
    start_job(name, label, lambda job: compute(rule_set, load, job))


def _compute(ws: Workspace, run: Run) -> None:
    """Trace the frontier in the background."""

    def work(rule_set: RuleSet, load: dict[str, int], job: Job[Frontier]) -> Frontier:
        return frontier(
            ws,
            run.dispute_id,
            rule_set,
            SolveConfig(),
            run.locks,
            extra_load=load,
            progress=job.progress(),
            cancel=job.token,
        )

    _start(run, job_name(run), "Tracing the frontier: a few exact solves", work)


def trace_again(run: Run) -> None:
    run.frontier = None


def want_frontier(run: Run) -> None:
    run.want_frontier = True


def tradeoff_section(ws: Workspace, run: Run) -> None:
    """The trade-off tab of the registrar page (drawn on request: it takes a few solves)."""
    st.caption(AXES_HELP)
    if not run.want_frontier:
        st.button(
            "Draw the trade-off chart",
            key=f"frontier-{run.dispute_id}",
            type="primary",
            on_click=want_frontier,
            args=(run,),
            help="A few exact searches, usually a second or two. The chart is redrawn after each new search.",
        )
        return
    if run.frontier is None:
        job = follow_job(job_name(run))  # a tracing started by an earlier run of the page, if any
        if job is None:
            _compute(ws, run)
            job = follow_job(job_name(run))
        if job is not None:
            run.frontier = job_outcome("trace the trade-offs", job)
    result: Frontier | None = run.frontier
    if result is None:
        return
    if result.stopped is not None:
        why = "you stopped it" if result.stopped == "cancelled" else "it reached its limit of rounds of solves"
        st.warning(
            f"The tracing stopped before its end because {why}. The {len(result.points)} panel(s) shown are on the "
            "frontier (each search proves its own), but other frontier panels between them were not looked for."
        )
        st.button("Trace the whole frontier", key=f"frontier-again-{run.dispute_id}", on_click=trace_again, args=(run,))
    if not result.points:
        st.info("No panel keeps every rule with these locks, so there is no trade-off to show.")
        return
    candidates = run.result.panels if run.result else []
    frame = frontier_frame(ws, result.points, candidates)
    st.altair_chart(frontier_chart(frame), width="stretch")
    on = sorted(int(c.split()[1]) for c in frame["candidate"] if c)
    off = [p.rank for p in candidates if p.rank not in on]
    words = f"{len(result.points)} panel(s) on the frontier, found with {result.solves} exact solves in {result.seconds:.1f} s."
    if off:
        words += (
            f" Candidate panel(s) {', '.join(map(str, off))} are not on it: another panel beats each of them on both "
            "expertise and impartiality, and they rank high because of workload or party preferences."
        )
    st.caption(words)
    st.dataframe(
        frame.drop(columns=["kind"]),
        hide_index=True,
        width="stretch",
        column_config={
            "price of neutrality": st.column_config.NumberColumn(
                format="%.3f", help="Expertise given up against the most expert panel on the frontier (0 to 1)."
            ),
            "expertise": st.column_config.NumberColumn(format="%.3f", help="The expertise score (0 to 1)."),
            "impartiality": st.column_config.NumberColumn(
                format="%.3f", help="Mean of neutrality and diversity (neutrality alone for a sole mediator), 0 to 1."
            ),
            "total score": st.column_config.NumberColumn(
                format="%.4f", help="The panel's total score under the current weights."
            ),
            "weights": st.column_config.TextColumn(
                help="The ratios of the weight on impartiality to the weight on expertise for which this panel is the best "
                "on those two scores alone (workload and party preferences left aside)."
            ),
        },
    )
    with st.expander("How far can each weight move before the best panel changes?"):
        sensitivity_section(ws, run)
    with st.expander("What would a lean cap cost?"):
        lean_section(ws, run)


def _compute_sensitivity(ws: Workspace, run: Run) -> None:
    """Move each weight in turn in the background."""

    def work(rule_set: RuleSet, load: dict[str, int], job: Job[list[WeightRange]]) -> list[WeightRange]:
        return sensitivity(
            ws, run.dispute_id, rule_set, SolveConfig(), run.locks, load, progress=job.progress(), cancel=job.token
        )

    _start(run, f"sensitivity-{run.dispute_id}", "Moving each weight in turn", work)


def sensitivity_section(ws: Workspace, run: Run) -> None:
    """The weight ranges, worked out on request; a stop keeps the weights already done."""
    name = f"sensitivity-{run.dispute_id}"
    if st.button("Work it out", key=name):
        run.sensitivity = None
        _compute_sensitivity(ws, run)
    job = follow_job(name)
    if job is not None:
        run.sensitivity = job_outcome("work out the weight ranges", job)
    ranges: list[WeightRange] | None = run.sensitivity
    if ranges is None:
        return
    if len(ranges) < len(WEIGHT_NAMES):
        st.warning(
            f"Stopped after {len(ranges)} of {len(WEIGHT_NAMES)} weights; the ranges shown are exact, the others "
            "were not worked out."
        )
    st.dataframe(
        sensitivity_frame(ranges),
        hide_index=True,
        width="stretch",
        column_config={
            "now": st.column_config.NumberColumn(help="The weight used now."),
            "lowest": st.column_config.NumberColumn(
                format="%.2f", help="The best panel stays the best down to this weight (others fixed)."
            ),
            "highest": st.column_config.TextColumn(
                help="... and up to this weight (others fixed); 'no limit found' means up to 5 more."
            ),
        },
    )


LEAN_HELP = (
    "A panel's lean is how many more bloc memberships (AU, EU, BRICS, ...) its members share with one party "
    "than with the other. For each cap, the most expert panel whose lean is at most that cap, and the expertise "
    "it gives up against the most expert panel with no cap. Each figure is proven by the solver; other rules, "
    "locks and recorded decisions are as above."
)


def lean_frame(ws: Workspace, prices: LeanPrices) -> pd.DataFrame:
    rows = []
    for p in prices.points:
        rows.append(
            {
                "lean cap": p.cap,
                "expertise given up": p.price,
                "expertise": p.expertise,
                "the panel's own lean": p.lean,
                "total score": p.objective,
                "panel (chair first)": mediator_names(ws, [s.mediator_id for s in p.members]),
                "in force": "yes" if prices.cap_in_force == p.cap else "",
            }
        )
    return pd.DataFrame(rows)


def lean_chart(frame: pd.DataFrame) -> alt.Chart:
    """Expertise given up against each lean cap: a bar per cap, the cap in force in another colour."""
    chart: alt.Chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("lean cap:O", title="Lean cap (most bloc memberships more with one party than the other)"),
            y=alt.Y("expertise given up:Q", title="Expertise given up (0 to 1)"),
            color=alt.condition(alt.datum["in force"] == "yes", alt.value("#d62728"), alt.value("#1f77b4")),
            tooltip=["lean cap", alt.Tooltip("expertise given up:Q", format=".3f"), "panel (chair first)"],
        )
        .properties(height=220)
    )
    return chart


def _compute_lean(ws: Workspace, run: Run) -> None:
    """Price each lean cap in the background."""

    def work(rule_set: RuleSet, load: dict[str, int], job: Job[LeanPrices]) -> LeanPrices:
        return lean_prices(
            ws, run.dispute_id, rule_set, SolveConfig(), run.locks, load, progress=job.progress(), cancel=job.token
        )

    _start(run, f"lean-{run.dispute_id}", "Pricing each lean cap", work)


def lean_section(ws: Workspace, run: Run) -> None:
    """The price of each lean cap, worked out on request; a stop keeps the caps already priced."""
    st.caption(LEAN_HELP)
    name = f"lean-{run.dispute_id}"
    if st.button("Price the caps", key=name):
        run.lean_prices = None
        _compute_lean(ws, run)
    job = follow_job(name)
    if job is not None:
        run.lean_prices = job_outcome("price the lean caps", job)
    prices: LeanPrices | None = run.lean_prices
    if prices is None:
        return
    if prices.least_lean is None:
        st.info("No panel keeps every rule with these locks, so no cap can be priced.")
        return
    if prices.stopped is not None:
        st.warning(
            f"Stopped after {len(prices.points)} cap(s); the prices shown are exact, the others were not worked out."
        )
    st.markdown(
        f"No panel can have a lean below **{prices.least_lean}**; the most expert panel without a cap has a lean of "
        f"**{prices.free_lean}**, so any cap of {prices.free_lean} or more costs nothing."
    )
    frame = lean_frame(ws, prices)
    if not frame.empty:
        st.altair_chart(lean_chart(frame), width="stretch")
        st.dataframe(
            frame,
            hide_index=True,
            width="stretch",
            column_config={
                "expertise given up": st.column_config.NumberColumn(
                    format="%.3f", help="Against the most expert panel with no cap (0 to 1)."
                ),
                "expertise": st.column_config.NumberColumn(format="%.3f", help="The panel's expertise score (0 to 1)."),
                "total score": st.column_config.NumberColumn(
                    format="%.4f", help="The panel's total score under the current weights."
                ),
            },
        )
