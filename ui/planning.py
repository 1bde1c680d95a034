"""Planning page (registrars and administrators): will the roster staff the coming years' disputes neutrally,
and whom should the organisation recruit if not?

The secretariat chooses how many years to simulate, the seed, the rule set, the limits every year's
panels must keep and whether to prove the recruits by re-running the years with them; the plan
(``matching.plan.planner.make_plan``) runs in the background with a progress bar and a Stop button (a
stop keeps the years already simulated). The page then shows the headline figures before and after,
the bands over the years (the report's own charts), the recruits, the disputes left without a panel
with the rule that blocked each in words, the scarce mediators and the over-supplied profiles, and
offers every file of the command line's plan folder for download.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from matching.api import (
    FIGURE_HELP,
    FIGURE_NAMES,
    PLAN_FIGURES,
    SOLVER_SEED_MAX,
    Plan,
    Quotas,
    Simulation,
    Workspace,
    band_charts,
    blocked_words,
    builtin_names,
    figure_text,
    headlines,
    load_rule_set,
    make_plan,
    plan_files,
    plural,
    profile_words,
    scenario_from_data,
)
from ui.common import (
    Job,
    attempt,
    current_workspace,
    data_label,
    decision_store,
    follow_job,
    job_outcome,
    lean_cap_input,
    recorded_load,
    start_job,
    with_recorded_load,
)

JOB = "plan"
RESULT_KEY = "plan_result"  # (Plan, its files name -> text), kept for this browser session
SIMULATION_NAMES = {"before": "the roster as it is", "after": "with the recruits"}
FILE_HELP = {
    "plan.json": "Everything in one document (see docs/outputs.md).",
    "report.html": "The plan as one page to print or e-mail: charts, tables and what every number means.",
}


def _optional_share(column: Any, label: str, help_text: str, key: str) -> float | None:
    value = column.number_input(label, min_value=0, max_value=100, value=None, step=5, help=help_text, key=key)
    return None if value is None else float(value) / 100


def _optional_count(column: Any, label: str, help_text: str, key: str) -> int | None:
    value = column.number_input(label, min_value=1, max_value=50, value=None, step=1, help=help_text, key=key)
    return None if value is None else int(value)


def quotas_form() -> Quotas:
    """The limits every simulated year's panels keep, as the batch page asks for them."""
    st.markdown("**Limits on every year's panels** (leave empty for none)")
    c1, c2, c3, c4, c5 = st.columns(5)
    return Quotas(
        max_per_mediator=_optional_count(
            c1, "Most new cases per mediator", "No mediator gets more panels than this in a year.", "plan-per-mediator"
        ),
        max_state_share=_optional_share(
            c2,
            "Most seats per state (%)",
            "Nationals of one state hold at most this share of a year's seats.",
            "plan-state",
        ),
        max_group_share=_optional_share(
            c3,
            "Most seats per UN group (%)",
            "One UN regional group holds at most this share of a year's seats.",
            "plan-group",
        ),
        min_women_share=_optional_share(
            c4, "Fewest seats for women (%)", "Women hold at least this share of a year's seats.", "plan-women"
        ),
        max_same_party=_optional_count(
            c5,
            "Most panels with one party",
            "No mediator sits on more panels involving the same party than this in a year.",
            "plan-same-party",
        ),
    )


def run(
    ws: Workspace, years: int, seed: int, rules_name: str, quotas: Quotas, verify: bool, max_lean: int | None = None
) -> None:
    """Start the plan in a worker thread; ``finished`` follows it (progress, Stop) and keeps the result."""
    rule_set = attempt("read the rule set", lambda: load_rule_set(rules_name).with_max_lean(max_lean))
    if rule_set is None:
        return
    loaded = with_recorded_load(ws, recorded_load(decision_store()))

    def work(job: Job[tuple[Plan, dict[str, str]]]) -> tuple[Plan, dict[str, str]]:
        scenario = scenario_from_data(loaded.data, loaded.countries, years=years)
        plan = make_plan(
            loaded.data,
            rule_set,
            scenario,
            quotas=quotas,
            seed=seed,
            progress=job.progress(),
            cancel=job.token,
            verify=verify,
        )
        return plan, plan_files(plan)

    start_job(JOB, f"Planning {plural(years, 'year')}", work)


def finished() -> None:
    """Follow a running plan; once it ends keep its result (a stopped plan keeps the years it finished)."""
    job = follow_job(JOB)
    if job is None:
        return
    done = job_outcome("make the plan", job)
    if done is not None:
        st.session_state[RESULT_KEY] = done


def _delta(name: str, before: float | None, after: float | None) -> str | None:
    if before is None or after is None:
        return None
    change = after - before
    if name in ("worst_lean", "mean_lean"):
        return f"{change:+.2f}"
    return f"{100 * change:+.1f} points"


def show_headlines(plan: Plan) -> None:
    columns = st.columns(len(headlines(plan)))
    for column, h in zip(columns, headlines(plan), strict=True):
        column.metric(f"{h.name}, before", h.text(h.before), help=h.meaning)
        if plan.after is not None:
            column.metric(
                f"{h.name}, after",
                h.text(h.after),
                delta=_delta(h.figure, h.before, h.after),
                delta_color="inverse" if h.figure.endswith("lean") else "normal",
                help=h.meaning,
            )


def comparison_frame(plan: Plan) -> pd.DataFrame:
    """Figure by figure, the band before and after, in words."""
    rows = []
    for name in PLAN_FIGURES:
        row = {"figure": FIGURE_NAMES[name]}
        for label, sim in (("before", plan.before), ("after", plan.after)):
            band = sim.bands()[name] if sim is not None and sim.years else None
            for point in ("low", "median", "high"):
                row[f"{label}: {point}"] = figure_text(name, getattr(band, point)) if band is not None else ""
        row["what it measures"] = FIGURE_HELP[name]
        rows.append(row)
    return pd.DataFrame(rows)


def recruits_frame(plan: Plan) -> pd.DataFrame:
    rows = [
        {
            "profile": profile_words(r.profile),
            "how many": r.count,
            "seats a year it covers": r.covers,
            "why": r.why,
        }
        for r in plan.recruits
    ]
    return pd.DataFrame(rows)


def unstaffed_frame(sim: Simulation) -> pd.DataFrame:
    rows = [
        {
            "year": u.year,
            "dispute": u.dispute_id,
            "parties": " v ".join(u.parties),
            "languages": ", ".join(u.languages),
            "panel size": u.panel_size,
            "blocked by": blocked_words(u.rules),
            "why": u.reason,
        }
        for u in sim.unstaffed()
    ]
    return pd.DataFrame(rows)


def show_tables(plan: Plan) -> None:
    st.subheader("Mediators to recruit")
    if plan.recruits:
        st.caption("Each row is a kind of mediator, described only by what the rules and the caseload look at.")
        st.dataframe(recruits_frame(plan), hide_index=True, width="stretch")
    else:
        st.info("The plan recommends no recruitment.")
    st.subheader("Disputes left without a panel")
    st.caption(
        "Each forecast dispute that got no panel, with the rules that together left none: switching off any one of "
        "them would have allowed a panel."
    )
    for sim in (plan.before, plan.after):
        if sim is None:
            continue
        frame = unstaffed_frame(sim)
        if frame.empty:
            st.success(f"With {SIMULATION_NAMES.get(sim.label, sim.label)}, every forecast dispute got a panel.")
        else:
            st.markdown(f"With {SIMULATION_NAMES.get(sim.label, sim.label)}: {plural(len(frame), 'dispute')}")
            st.dataframe(frame, hide_index=True, width="stretch")
    left, right = st.columns(2)
    with left:
        st.subheader("Scarce mediators")
        st.caption("Current mediators the forecast leans on: sought for more seats a year than they can take on.")
        scarce = [
            {
                "mediator": f"{s.name} ({s.mediator_id})",
                "seats a year sought": s.demand,
                "capacity": s.capacity,
                "why": s.why,
            }
            for s in plan.scarce
        ]
        if scarce:
            st.dataframe(pd.DataFrame(scarce), hide_index=True, width="stretch")
        else:
            st.caption("None.")
    with right:
        st.subheader("Over-supplied profiles")
        st.caption("Kinds of mediator the roster holds more of than the forecast ever uses.")
        over = [
            {"profile": o.profile, "mediators": o.mediators, "seats a year used": o.seats_per_year, "why": o.why}
            for o in plan.oversupplied
        ]
        if over:
            st.dataframe(pd.DataFrame(over), hide_index=True, width="stretch")
        else:
            st.caption("None.")


def show_downloads(files: dict[str, str]) -> None:
    st.subheader("Downloads")
    st.caption("The same files as the command line's plan folder (python -m matching plan).")
    columns = st.columns(4)
    for i, (name, text) in enumerate(files.items()):
        mime = "application/json" if name.endswith(".json") else "text/html" if name.endswith(".html") else "text/csv"
        columns[i % 4].download_button(
            f"Download {name}",
            text,
            name,
            mime,
            key=f"plan-download-{name}",
            on_click="ignore",
            type="primary" if name == "report.html" else "secondary",
            help=FILE_HELP.get(name, "One table of the plan, as CSV."),
        )


def show(plan: Plan, files: dict[str, str]) -> None:
    for note in plan.notes:
        st.info(note)
    for sim in (plan.before, plan.after):
        if sim is not None and sim.stopped:
            st.warning(
                f"The simulation with {SIMULATION_NAMES.get(sim.label, sim.label)} was stopped after "
                f"{plural(len(sim.years), 'year')}: the figures cover only those."
            )
    st.subheader("The answer in brief")
    st.caption(
        "Disputes staffed and expertise kept are shown for the median year (half the years did at least as well); "
        "the worst lean for the worst year. 'After' runs exactly the same forecast disputes with the recruits on the "
        "roster, so any difference comes from the recruits alone."
    )
    show_headlines(plan)
    st.subheader("Before and after, figure by figure")
    st.caption(
        "A band is what a figure did across the simulated years: its lowest year, its median year and its highest "
        "year. A narrow band means the figure is steady; a wide one that it depends on the year's caseload."
    )
    st.dataframe(comparison_frame(plan), hide_index=True, width="stretch")
    charts = band_charts(plan)
    if charts:
        with st.expander("Each figure over the years (charts)", expanded=True):
            st.caption("One line per simulation, one point per year; shaded: lowest to highest year; dashed: median.")
            columns = st.columns(2)
            for i, chart in enumerate(charts.values()):
                columns[i % 2].altair_chart(chart, width="stretch")
    show_tables(plan)
    show_downloads(files)


def main() -> None:
    st.title("Planning")
    ws = current_workspace()
    if ws is None:
        return
    st.caption(
        f"Data in use: {data_label()}. Can this roster staff the coming years' disputes neutrally, and whom should we "
        "recruit if not? The caseload of each year is forecast from the disputes and appointments on file, every year "
        "is given panels the way a batch run does, and each year's appointments count in the next. Nothing is recorded."
    )
    with st.form("plan"):
        left, middle, right = st.columns(3)
        years = left.number_input("Years to simulate", min_value=1, max_value=20, value=10, step=1, key="plan-years")
        seed = middle.number_input(
            "Seed",
            min_value=0,
            max_value=SOLVER_SEED_MAX,
            value=0,
            step=1,
            key="plan-seed",
            help="The same seed, data and settings give the same plan.",
        )
        names = builtin_names()
        rules_name = right.selectbox(
            "Rule set", names, index=names.index("iomed") if "iomed" in names else 0, key="plan-rules"
        )
        max_lean = lean_cap_input(right, key="plan-lean-cap")
        quotas = quotas_form()
        verify = st.toggle(
            "Prove the recruits: run the years again with them (before and after)",
            value=True,
            key="plan-verify",
            help="Takes about as long again as the first simulation.",
        )
        go = st.form_submit_button("Make the plan", type="primary")
    if go:
        run(ws, int(years), int(seed), rules_name, quotas, verify, max_lean)
    finished()
    kept = st.session_state.get(RESULT_KEY)
    if isinstance(kept, tuple) and len(kept) == 2 and isinstance(kept[0], Plan):
        show(kept[0], kept[1])


# Streamlit runs a page as "__main__"; importing it (its helpers, in the tests) draws nothing.
if __name__ == "__main__":
    main()
