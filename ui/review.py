"""Neutrality review: who sits on the recorded panels (each panel, and all of them together) by
nationality, UN regional group, legal tradition and gender; each panel's bloc alignment with the
parties, rule checks and flags; the roster-wide report with its flags; and the exports.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from dataclasses import replace
from datetime import date

import pandas as pd
import streamlit as st

from matching.api import (
    Appointment,
    Decision,
    DecisionStore,
    Flag,
    MatchingError,
    NationalityRule,
    PanelReport,
    RosterReport,
    RuleSet,
    Table,
    Workspace,
    all_flags,
    composition_chart,
    flags_table,
    load_rule_set,
    measure_name,
    panel_flags,
    panel_report,
    panel_tables,
    plural,
    render_report,
    roster_charts,
    roster_report,
    roster_tables,
    table_text,
)
from matching.api import standing as find_standing
from ui.cards import score_bars
from ui.common import attempt, current_workspace, data_label, decision_store, group_name
from ui.composition import (
    DIMENSION_HELP,
    DIMENSIONS,
    all_compositions,
    composition,
    members_frame,
    repeat_members,
    seats_of,
)
from ui.integrity import integrity_section

FLAGS_SHOWN = 5
SHARE_COLUMNS = {
    "seat_share": st.column_config.NumberColumn("share of seats", format="percent", help="Seats held / all seats."),
    "roster_share": st.column_config.NumberColumn(
        "share of roster", format="percent", help="Mediators on the roster with this attribute / all mediators."
    ),
    "member_state_share": st.column_config.TextColumn(
        "share of UN members", help="UN member states with this attribute / 193 (empty for gender)."
    ),
    "name": st.column_config.TextColumn("name"),
}


def table_csv(table: Table) -> str:
    """One report table as CSV text: the very text ``report`` writes to its file (one CSV writer)."""
    return table_text(table)


def tables_zip(tables: Sequence[Table]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for table in tables:
            archive.writestr(table.filename, table_csv(table))
    return buffer.getvalue()


def decision_label(d: Decision) -> str:
    status = "" if d.active else " (withdrawn)"
    return f"#{d.id} · {d.dispute_id} · {d.dispute_title[:60]} · recorded by {d.recorded_by} on {d.recorded_at[:10]}{status}"


def recorded_seats(ws: Workspace, decisions: Sequence[Decision]) -> tuple[list[Appointment], int]:
    """Active decisions as one seat per member for the roster report; seats of mediators not on this roster are left out.

    A recorded panel is appointed by the organisation, not by one party, so each seat is an
    organisation seat (``party`` None): it counts in every share and concentration figure, but
    never makes a party's repeat appointment.
    """
    seats, left_out = [], 0
    for d in decisions:
        if not d.active:
            continue
        day = date.fromisoformat(d.recorded_at[:10])
        for s in d.seats:
            if s.mediator_id in ws.data.mediators_by_id:
                seats.append(Appointment(s.mediator_id, d.dispute_id, None, day))
            else:
                left_out += 1
    return seats, left_out


def rule_set_of(d: Decision) -> RuleSet:
    """The rule set the decision was made under, with its weights and nationality rule."""
    rules = load_rule_set(d.rule_set)
    if d.nationality_rule:
        rules = replace(rules, nationality_rule=NationalityRule(d.nationality_rule))
    return rules.with_weights(**d.weights) if d.weights else rules


def show_flags(flags: Sequence[Flag]) -> None:
    if not flags:
        st.success("No flag: no figure crosses a threshold.")
    for f in flags:
        st.warning(f.sentence)


# --- across all decisions -------------------------------------------------------------------------


def all_decisions_section(decisions: Sequence[Decision]) -> None:
    seats = seats_of(decisions)
    c1, c2, c3 = st.columns(3)
    c1.metric(
        "Recorded panels", len(decisions), help="Decisions shown here (withdrawn ones only if you ticked the box)."
    )
    c2.metric("Seats", len(seats), help="One seat per member of each panel.")
    c3.metric(
        "Different mediators",
        len({s.mediator_id for s in seats}),
        help="How many different people hold those seats; fewer means seats are concentrated.",
    )
    for pair in (DIMENSIONS[:2], DIMENSIONS[2:]):
        for column, dimension in zip(st.columns(2), pair, strict=True):
            frame = composition(seats, dimension)
            with column:
                st.altair_chart(composition_chart(frame, dimension), width="stretch")
                st.caption(DIMENSION_HELP[dimension] + (" The 15 largest are shown." if len(frame) > 15 else ""))
    with st.expander("The same counts as a table"):
        st.dataframe(
            all_compositions(seats),
            hide_index=True,
            width="stretch",
            column_config={"share": st.column_config.NumberColumn(format="percent", help="Seats / all seats.")},
        )
    repeats = repeat_members(decisions)
    if len(repeats):
        st.markdown("**Mediators on more than one recorded panel**")
        st.dataframe(repeats, hide_index=True, width="stretch")


# --- one panel ------------------------------------------------------------------------------------


def panel_section(ws: Workspace, decisions: Sequence[Decision]) -> None:
    labels = {d.id: decision_label(d) for d in decisions}
    chosen = st.selectbox("Recorded panel", list(labels), format_func=lambda i: labels[i], index=len(labels) - 1)
    d = next(x for x in decisions if x.id == chosen)
    st.markdown(f"**{d.dispute_id}: {d.dispute_title}**  \nParties: {', '.join(d.parties)}")
    st.dataframe(members_frame(d), hide_index=True, width="stretch")
    st.caption(
        f"Rule set {d.rule_set}, nationality rule {d.nationality_rule or 'default'}; weights "
        + ", ".join(f"{k.replace('_', ' ')} {v:g}" for k, v in sorted(d.weights.items()))
        + (f". Total score {d.objective:.4f}." if d.objective is not None else ".")
    )
    if d.scores:
        score_bars(d.scores)
    if d.note:
        st.markdown(f"Note: {d.note}")
    if not d.active:
        st.info(f"Withdrawn by {d.withdrawn_by} on {(d.withdrawn_at or '')[:10]}. {d.withdrawal_note}")
    for column, dimension in zip(st.columns(len(DIMENSIONS)), DIMENSIONS, strict=True):
        with column:
            st.altair_chart(composition_chart(composition(d.seats, dimension), dimension), width="stretch")
    known = d.dispute_id in ws.data.disputes_by_id and all(mid in ws.data.mediators_by_id for mid in d.member_ids)
    if not known:
        st.info(
            f"The data in use ({data_label()}) does not hold this dispute or all its members, so only the recorded "
            "snapshot is shown. Load the data the decision was made with to see alignment and rule checks."
        )
        return
    rules = attempt("read the decision's rule set", lambda: rule_set_of(d))
    if rules is None:
        return
    report = attempt(
        "describe the panel",
        lambda: panel_report(
            ws, d.dispute_id, d.member_ids, rules, panel_id=f"#{d.id}", source="recorded", compare=False
        ),
    )
    if report is None:
        return
    alignment_section(report)
    st.markdown("**Flags for this panel**")
    show_flags(panel_flags(report))
    if st.button("Compare with the best and the most neutral panel", help="Two searches for this dispute."):
        with st.spinner("Finding the best panel and the most neutral panel…"):
            found = attempt("compare", lambda: find_standing(ws, d.dispute_id, rules))
        if found is not None:
            compared = replace(report, standing=found)
            st.markdown("\n".join(f"- {line}" for line in compared.standing_sentences()))


def alignment_section(report: PanelReport) -> None:
    st.markdown(
        "**Bloc alignment with each party**",
        help="How many political or economic blocs (AU, EU, BRICS, …) each member's nationalities share with each "
        "party. A neutral panel shares few, and the same number with every party.",
    )
    rows = []
    for m in report.members:
        row: dict[str, object] = {"member": f"{m.name} ({m.mediator_id})", "group": group_name(m.un_group)}
        for party in report.parties:
            blocs = m.shared_blocs.get(party, ())
            row[party] = f"{m.alignment.get(party, 0)}" + (f" ({', '.join(blocs)})" if blocs else "")
        rows.append(row)
    rows.append({"member": "panel total", "group": "", **{p: str(report.alignment.get(p, 0)) for p in report.parties}})
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    st.caption(f"Difference between the parties: {report.asymmetry} (0 is perfectly even).")
    broken = [r for r in report.rules if not r.passed]
    if broken:
        st.error("Hard rules broken today: " + "; ".join(f"{r.rule} {r.title}: {', '.join(r.reasons)}" for r in broken))
    else:
        st.caption("Every hard rule (H1 to H7) holds for this panel against the data in use.")


# --- roster-wide report ---------------------------------------------------------------------------


def roster_section(ws: Workspace, decisions: Sequence[Decision]) -> None:
    seats, left_out = recorded_seats(ws, decisions)
    by_organisation = sum(1 for a in ws.data.appointments if a.by_organisation)
    st.caption(
        f"The appointment history of the data in use ({len(ws.data.appointments)} seats) plus {len(seats)} seats from "
        "recorded decisions, against the roster and the UN membership."
        + (
            f" {by_organisation} seat(s) of the history were filled by the organisation itself rather than by a "
            "party; like the recorded decisions, they count in every figure but never as a party's repeat appointment."
            if by_organisation
            else ""
        )
        + (f" {left_out} recorded seat(s) name mediators not on this roster and are left out." if left_out else "")
    )
    report = attempt("build the roster report", lambda: roster_report(ws.data, seats, countries=ws.countries))
    if report is None:
        return
    panels: list[PanelReport] = []
    for d in decisions:
        if (
            d.active
            and d.dispute_id in ws.data.disputes_by_id
            and all(m in ws.data.mediators_by_id for m in d.member_ids)
        ):
            try:
                panels.append(
                    panel_report(
                        ws,
                        d.dispute_id,
                        d.member_ids,
                        rule_set_of(d),
                        panel_id=f"#{d.id}",
                        source="recorded",
                        compare=False,
                    )
                )
            except MatchingError:
                continue
    flags = all_flags(report, panels)
    tables = [*roster_tables(report), flags_table(flags), *panel_tables(panels)]
    by_name = {t.name: t for t in tables}
    downloads(report, panels, flags, tables, ws)
    st.markdown(f"**Flags ({len(flags)})**")
    show_flags(flags[:FLAGS_SHOWN])
    if len(flags) > FLAGS_SHOWN:
        with st.expander(f"The other {len(flags) - FLAGS_SHOWN} flags"):
            show_flags(flags[FLAGS_SHOWN:])
    summary = pd.DataFrame(
        [
            {
                "measure": measure_name(str(r["measure"])),
                "value": summary_value(str(r["measure"]), r["value"]),
                "meaning": str(r["meaning"]),
            }
            for r in by_name["summary"].records()
        ]
    )
    st.dataframe(
        summary, hide_index=True, width="stretch", column_config={"meaning": st.column_config.TextColumn(width="large")}
    )
    roster_chart_section(report)
    for name in ("seats_by_un_group", "seats_by_legal_tradition", "seats_by_gender", "seats_by_nationality"):
        with st.expander(by_name[name].title):
            st.dataframe(share_frame(by_name[name]), hide_index=True, width="stretch", column_config=SHARE_COLUMNS)


def summary_value(measure: str, value: object) -> str:
    """A headline figure as a reader wants it: shares in per cent, indices to three decimals, nothing as a dash."""
    if value is None or value == "":
        return "none"
    if isinstance(value, float):
        return f"{value:.1%}" if measure.endswith("_share") else f"{value:.3f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def share_frame(table: Table) -> pd.DataFrame:
    """A seats-by table for reading: the name rather than the code first, and no empty share shown as "None"."""
    frame = pd.DataFrame(table.records())
    frame = frame[["name", *[c for c in frame.columns if c not in ("key", "name")]]]
    if "member_state_share" in frame:
        frame["member_state_share"] = [
            "" if v is None or pd.isna(v) else f"{float(v):.1%}" for v in frame["member_state_share"]
        ]
    return frame


def roster_chart_section(report: RosterReport) -> None:
    """The roster report's charts: the same builders the HTML report renders to SVG."""
    charts = roster_charts(report)
    st.altair_chart(charts["un_group"], width="stretch")
    st.altair_chart(charts["nationality"], width="stretch")
    for row in (("legal_tradition", "gender"), ("lorenz", "seats_per_year")):
        for column, name in zip(st.columns(2), row, strict=True):
            if name in charts:
                with column:
                    st.altair_chart(charts[name], width="stretch")


def downloads(
    report: RosterReport, panels: Sequence[PanelReport], flags: Sequence[Flag], tables: Sequence[Table], ws: Workspace
) -> None:
    by_name = {t.name: t for t in tables}

    def html() -> str:
        """Written only when the button is pressed: rendering the charts to SVG takes a second or two."""
        return render_report(
            report,
            panels,
            flags,
            tables,
            prepared_on=date.today(),
            inputs=ws.data.inputs_sha256,
            notes=[f"Recorded decisions from the decisions store: {len(panels)} panel(s)."],
        )

    c1, c2, c3 = st.columns(3)
    c1.download_button(
        "Download the report (HTML)", html, "neutrality-report.html", "text/html", type="primary", on_click="ignore"
    )
    c2.download_button(
        "Download the flags (CSV)", table_csv(by_name["flags"]), "flags.csv", "text/csv", on_click="ignore"
    )
    c3.download_button(
        "Download every table (ZIP of CSV)",
        tables_zip(tables),
        "neutrality-tables.zip",
        "application/zip",
        on_click="ignore",
    )


def withdrawal_text(d: Decision) -> str:
    """``#1 for D004 (title), recorded by A on 2025-03-01, withdrawn by B on 2025-03-02: reason.``"""
    reason = f": {d.withdrawal_note.strip().rstrip('.')}" if d.withdrawal_note.strip() else " (no reason given)"
    return (
        f"#{d.id} for {d.dispute_id} ({d.dispute_title[:60]}), recorded by {d.recorded_by} on {d.recorded_at[:10]}, "
        f"withdrawn by {d.withdrawn_by or 'someone unnamed'} on {(d.withdrawn_at or '')[:10]}{reason}."
    )


def nothing_in_force(store: DecisionStore) -> str | None:
    """When no decision is in force but some were withdrawn: what happened to them, in words (None otherwise)."""
    every = attempt("read the decisions", lambda: store.decisions(include_withdrawn=True)) or []
    withdrawn = [d for d in every if not d.active]
    if not withdrawn:
        return None
    shown = withdrawn[-5:]
    more = f" ({len(withdrawn) - len(shown)} earlier ones are not listed here.)" if len(withdrawn) > len(shown) else ""
    return (
        f"No decision is in force: {plural(len(withdrawn), 'decision was', 'decisions were')} recorded and then "
        "withdrawn. Tick **Include withdrawn decisions** above to review them.\n\n"
        + "\n".join(f"- {withdrawal_text(d)}" for d in shown)
        + more
    )


def main() -> None:
    st.title("Neutrality review")
    st.caption(
        "Who sits on the panels registrars recorded, by nationality, UN regional group, legal tradition and gender; "
        "each panel's alignment with the parties; the roster-wide report and its flags."
    )
    store = decision_store()
    ws = current_workspace()
    if store is None or ws is None:
        return
    integrity_section(store)
    include_withdrawn = st.checkbox("Include withdrawn decisions", help="Withdrawn decisions no longer count anywhere.")
    decisions = attempt("read the decisions", lambda: store.decisions(include_withdrawn=include_withdrawn))
    if decisions is None:
        return
    export = attempt("export the decisions", lambda: store.export_csv(include_withdrawn=True))
    if export is not None:
        st.download_button(
            "Download all decisions (CSV)",
            export,
            "decisions.csv",
            "text/csv",
            on_click="ignore",
            help="Every recorded decision, withdrawn ones included, one row each: members chair first, rule set, "
            "weights, scores, who recorded it and when, and the hash of each input file.",
        )
    empty = None if decisions else nothing_in_force(store)
    all_tab, panel_tab, roster_tab = st.tabs(["All recorded panels", "One panel", "Roster-wide report"])
    with all_tab:
        if decisions:
            all_decisions_section(decisions)
        else:
            st.info(empty or "No decision has been recorded yet. Record one on the Candidate panels page.")
    with panel_tab:
        if decisions:
            panel_section(ws, decisions)
        else:
            st.info(empty or "No decision has been recorded yet.")
    with roster_tab:
        roster_section(ws, decisions)


# Streamlit runs a page as "__main__"; importing it (its helpers, in the tests) draws nothing.
if __name__ == "__main__":
    main()
