"""A candidate panel drawn as a card: who sits (chair first), their scores as small bars, the
disclosures, the reasons it was proposed, buttons to lock or exclude a member, and the form that
records the panel as the decision.
"""

from __future__ import annotations

import streamlit as st

from matching.api import (
    COMPONENTS,
    CapacityError,
    DecisionStore,
    MatchingError,
    Permission,
    ProposedPanel,
    Workspace,
    capacity_left,
    decision_from_panel,
    subject_name,
)
from ui.common import (
    COMPONENT_HELP,
    OBJECTIVE_HELP,
    country_label,
    language_label,
    may,
    mediator_group,
    mediator_name,
    mediator_names,
    principal,
    session_token,
)
from ui.state import Run, flash, keep_off, keep_on, make_chair, mark_others_stale, release


def score_bars(scores: dict[str, float]) -> None:
    """The score components as small bars (0 to 1), each explained in its column tooltip."""
    import pandas as pd  # imported when a table is drawn: after a search

    frame = pd.DataFrame([{name: scores.get(name, 0.0) for name in COMPONENTS}])
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        column_config={
            name: st.column_config.ProgressColumn(
                name, help=COMPONENT_HELP[name], min_value=0.0, max_value=1.0, format="%.2f"
            )
            for name in COMPONENTS
        },
    )


def _member_line(ws: Workspace, mediator_id: str, chair: bool, run: Run) -> str:
    m = ws.data.mediator(mediator_id)
    role = "★ Chair" if chair else "Member"
    locks = run.locks
    marks = []
    if mediator_id == locks.chair:
        marks.append("chair locked")
    elif mediator_id in locks.include:
        marks.append("locked in")
    mark = f" · :blue[{', '.join(marks)}]" if marks else ""
    working = ws.dispute(run.dispute_id).working_language
    if working not in m.languages:
        mark += f" · :orange[does not speak {ws.countries.language_names.get(working, working)}, the working language]"
    nationalities = ", ".join(country_label(c) for c in m.nationalities)
    traditions = ", ".join(sorted(t.value for t in m.legal_traditions))
    languages = ", ".join(language_label(ws, code) for code in sorted(m.languages))
    expertise = ", ".join(
        f"{subject_name(area)} {level}/5" for area, level in sorted(m.expertise.items(), key=lambda kv: -kv[1])
    )
    return (
        f"**{role}: {m.name}** ({m.mediator_id}){mark}  \n"
        f"{nationalities} · {mediator_group(ws, m)} group · {m.gender or 'gender not given'}  \n"
        f":gray[Legal traditions: {traditions} · Languages: {languages} · {m.years_experience} years · "
        f"Expertise: {expertise or 'none listed'}]"
    )


def _member_row(ws: Workspace, panel: ProposedPanel, mediator_id: str, chair: bool, run: Run) -> None:
    text, keep, drop, lead = st.columns([8, 1.1, 1.1, 1.1], vertical_alignment="center")
    text.markdown(_member_line(ws, mediator_id, chair, run))
    key = f"{run.dispute_id}-{panel.rank}-{mediator_id}"
    locked = mediator_id in run.locks.include
    if locked:
        keep.button(
            "Unlock",
            key=f"unlock-{key}",
            help="Stop forcing this mediator onto the panels, and find panels again.",
            on_click=release,
            args=(run, mediator_id),
            width="stretch",
        )
    else:
        keep.button(
            "Lock in",
            key=f"keep-{key}",
            help="Keep this mediator on every panel, and find panels again.",
            on_click=keep_on,
            args=(run, mediator_id),
            width="stretch",
        )
    drop.button(
        "Exclude",
        key=f"drop-{key}",
        help="Keep this mediator off every panel, and find panels again.",
        on_click=keep_off,
        args=(run, mediator_id),
        width="stretch",
    )
    if len(panel.members) == 1:
        return  # a sole mediator is the chair: locking them in is enough
    lead.button(
        "Chair",
        key=f"chair-{key}",
        help="Make this mediator the chair of every panel, and find panels again.",
        on_click=make_chair,
        args=(run, mediator_id),
        disabled=run.locks.chair == mediator_id,
        width="stretch",
    )


def _record_form(ws: Workspace, store: DecisionStore, panel: ProposedPanel, run: Run) -> None:
    with st.expander("Record this panel as the decision"), st.form(f"record-{run.dispute_id}-{panel.rank}"):
        who = principal()
        name = who.name if who is not None else "you"
        st.caption(f"Recorded by **{name}** (signed in), with today's date and time.")
        reason = ""
        if panel.rank != 1:
            reason = st.text_area(
                "Reason for choosing this panel over the first",
                key=f"reason-{run.dispute_id}-{panel.rank}",
                placeholder="For example: a party objected to a member of panel 1 at the hearing of 3 March.",
                help="Required for any panel but the first: it is kept with the decision.",
            )
        note = st.text_area(
            "Note for the record",
            key=f"note-{run.dispute_id}-{panel.rank}",
            placeholder="For example: the parties agreed to this panel at the hearing of 3 March.",
        )
        if not st.form_submit_button("Record decision", type="primary"):
            return
    assert run.rule_set is not None
    try:
        new = decision_from_panel(
            ws,
            run.dispute_id,
            panel,
            run.rule_set,
            result=run.result,
            note=note,
            reason=reason,
            locks=run.locks,
        )
        decision = store.record(new, capacity_left(ws.data), session=session_token())
    except CapacityError as exc:
        run.stale = True
        run.notice = f"The panel was not recorded. {exc} The panels below were found again just now."
        st.rerun()
    except MatchingError as exc:
        st.error(f"The panel was not recorded: {exc}")
        return
    mark_others_stale(run.dispute_id)
    flash(
        f"Recorded decision #{decision.id} for {decision.dispute_id}: {mediator_names(ws, decision.member_ids)} "
        f"(chair {mediator_name(ws, decision.chair_id)}). It now counts against these mediators' capacity in every "
        "later search."
    )
    st.rerun()


def panel_card(ws: Workspace, store: DecisionStore | None, panel: ProposedPanel, run: Run, can_record: bool) -> None:
    """One candidate panel as a bordered card."""
    with st.container(border=True, key=f"card-{panel.rank}"):
        best = " (the best panel found)" if panel.rank == 1 else ""
        st.subheader(f"Panel {panel.rank}{best} · total score {panel.objective:.4f}", help=OBJECTIVE_HELP)
        for seat in panel.members:
            _member_row(ws, panel, seat.mediator_id, seat.mediator_id == panel.chair_id, run)
        st.caption("Score components, each from 0 to 1 (hover over a name for its meaning):")
        score_bars(panel.scores)
        if panel.disclosures:
            st.warning(
                "**To be disclosed to the parties:**\n"
                + "\n".join(
                    f"- {ws.data.mediator(d.mediator_id).name} ({d.mediator_id}), {d.category}: {d.note}"
                    for d in panel.disclosures
                )
            )
        st.markdown("**Why this panel**\n" + "\n".join(f"- {line}" for line in panel.why))
        if can_record and store is not None and may(Permission.RECORD):
            _record_form(ws, store, panel, run)
