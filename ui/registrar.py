"""Registrar's page: choose a dispute, set the weights, see candidate panels as cards, lock or
exclude names and search again, ask why a mediator is not proposed, see the trade-offs, run the
fair lottery among the near-best panels, and record the chosen panel as the decision.
"""

from __future__ import annotations

import streamlit as st

from matching.api import (
    COMPONENTS,
    Decision,
    DecisionStore,
    Dispute,
    MatchingError,
    NationalityRule,
    Permission,
    RuleSet,
    Status,
    Workspace,
    builtin_names,
    component_name,
    load_rule_set,
    plural,
    subject_name,
)
from ui.cards import panel_card
from ui.common import (
    COMPONENT_HELP,
    ORANGE_HELP,
    attempt,
    country_label,
    current_workspace,
    data_label,
    decision_store,
    dispute_label,
    dispute_matches,
    group_name,
    language_label,
    may,
    mediator_label,
    mediator_name,
    mediator_names,
    recorded_load,
    session_token,
)
from ui.state import Run, Settings, clear_locks, flash, runs, set_locks, solve, take_flash

RULE_HELP = {
    "strict": "strict: no member holds a nationality of any party",
    "majority": "majority: most members hold no party nationality (ICSID Art. 39)",
    "consent": "consent: the parties agreed to co-nationals",
}


def choose_dispute(ws: Workspace) -> Dispute | None:
    left, right = st.columns([1, 2])
    query = left.text_input(
        "Search disputes",
        placeholder="id, title or party",
        help="Matches the id, the title, or a party's code or name.",
        key="dispute_search",
    )
    ids = [d.dispute_id for d in ws.data.disputes if dispute_matches(d, query)]
    if not ids:
        right.info("No dispute matches that search.")
        return None
    dispute_id = right.selectbox(
        f"Dispute ({len(ids)} of {len(ws.data.disputes)})",
        ids,
        key="dispute_id",
        format_func=lambda did: dispute_label(ws.data, did),
    )
    return ws.data.dispute(dispute_id) if dispute_id else None


def show_dispute(ws: Workspace, d: Dispute) -> None:
    with st.container(border=True):
        st.markdown(f"### {d.title}")
        cols = st.columns(4)
        cols[0].markdown(
            "**Parties**  \n"
            + "  \n".join(f"{country_label(p)} · {group_name(ws.countries[p].un_group.value)}" for p in d.parties)
        )
        cols[1].markdown("**Subjects**  \n" + (", ".join(subject_name(s) for s in d.subject_areas) or "none given"))
        cols[2].markdown(
            "**Languages**  \n"
            + "  \n".join(
                language_label(ws, code) + (" · working language" if i == 0 else "")
                for i, code in enumerate(d.languages)
            )
        )
        cols[3].markdown(
            f"**Panel**  \n{d.panel_size} mediator{'s' if d.panel_size > 1 else ''} · {d.kind.value.replace('_', '-')}"
        )
        if d.description:
            st.caption(d.description)


def rules_in_force(d: Dispute, run: Run) -> None:
    """One line saying which rule set, weights and nationality rule the panels below were found with."""
    rules = run.rule_set
    if rules is None:
        return
    if d.nationality_rule:
        source = "set by this dispute's own file"
    elif run.settings.nationality_rule:
        source = "your choice for this search"
    else:
        source = f"the {rules.name} rule set's default"
    own = attempt("read the rule set", lambda: load_rule_set(rules.name))
    parts, changed = [], False
    for name in WEIGHT_NAMES:
        value = rules.weights.of(name)
        if own is not None and value != own.weights.of(name):
            changed = True
            parts.append(f"**{component_name(name)} {value:g}** (the rule set's: {own.weights.of(name):g})")
        else:
            parts.append(f"{component_name(name)} {value:g}")
    note = (
        " Weights in bold were changed for this dispute only; another dispute starts from the rule set's own."
        if changed
        else " These are the rule set's own weights."
    )
    cap = "no lean cap" if rules.max_lean is None else f"lean cap **{rules.max_lean}**"
    if own is not None and rules.max_lean != own.max_lean:
        cap += " (your choice for this search)"
    st.caption(
        f"Panels found with the **{rules.name}** rule set; nationality rule "
        f"**{(d.nationality_rule or rules.nationality_rule).value}** ({source}); {cap}; "
        f"weights {', '.join(parts)}.{note}"
    )


def show_decision(store: DecisionStore, decision: Decision) -> None:
    with st.container(border=True):
        members = ", ".join(
            f"{s.name} ({s.mediator_id}{', chair' if s.role == 'chair' else ''})" for s in decision.seats
        )
        st.success(
            f"**Decision #{decision.id} is recorded** for this dispute by {decision.recorded_by} "
            f"on {decision.recorded_at.replace('T', ' at ')[:22]} UTC: {members}."
            + (f"  \nNote: {decision.note}" if decision.note else "")
        )
        if not may(Permission.WITHDRAW):
            return
        with st.expander("Withdraw this decision (frees the members' capacity; the record is kept)"):
            with st.form(f"withdraw-{decision.id}"):
                reason = st.text_input(
                    "Reason for withdrawing",
                    key=f"withdraw-reason-{decision.id}",
                    help="Required: it is kept in the record and in the decision log.",
                )
                pressed = st.form_submit_button("Withdraw decision")
            if pressed:
                done = attempt(
                    "withdraw the decision",
                    lambda: store.withdraw(decision.id, session=session_token(), reason=reason),
                )
                if done is not None:
                    flash(
                        f"Decision #{decision.id} was withdrawn; you can record another panel for {decision.dispute_id}."
                    )
                    st.rerun()


WEIGHT_NAMES = [*COMPONENTS, "orange_penalty"]
MAX_LEAN_CHOICE = 10  # the largest cap offered in the form (a panel's lean is rarely above a dozen)
WEIGHTS_FOR_KEY = "weights_for"  # (dispute id, rule set) whose weights the settings form shows


def weight_key(rules_name: str, name: str) -> str:
    return f"w-{rules_name}-{name}"


def show_weights(d: Dispute, rules: RuleSet, current: Settings | None) -> None:
    """Fill the weight fields for this dispute: the weights last submitted for it, or the rule set's own.

    Weights belong to one dispute: moving to another dispute (or another rule set) refills the fields,
    so weights chosen for one dispute never carry over silently to the next.
    """
    shown_for = (d.dispute_id, rules.name)
    submitted = current.weights if current and current.rule_set == rules.name else {}
    for name in WEIGHT_NAMES:
        key = weight_key(rules.name, name)
        if st.session_state.get(WEIGHTS_FOR_KEY) != shown_for or key not in st.session_state:
            st.session_state[key] = float(submitted.get(name, rules.weights.of(name)))
    st.session_state[WEIGHTS_FOR_KEY] = shown_for


def reset_weights(rules: RuleSet) -> None:
    """Button callback: the rule set's own weights back in the form (searched with on the next Find panels)."""
    for name in WEIGHT_NAMES:
        st.session_state[weight_key(rules.name, name)] = rules.weights.of(name)


def settings_form(d: Dispute, current: Settings | None) -> Settings | None:
    """The rule set, its overrides and the number of panels; returns the settings when submitted."""
    names = builtin_names()
    start = current.rule_set if current else "iomed"
    rules_name = st.selectbox(
        "Rule set",
        names,
        index=names.index(start) if start in names else 0,
        help="iomed is the organisation's default; icsid allows a minority of party nationals; uncitral-list "
        "weighs the parties' ranked names as much as expertise. Choosing one fills in its weights below.",
    )
    rules = attempt("read the rule set", lambda: load_rule_set(rules_name))
    if rules is None:
        return None
    show_weights(d, rules, current)
    with st.form("settings"):
        rule_options = ["", *(r.value for r in NationalityRule)]
        own = d.nationality_rule.value if d.nationality_rule else None
        chosen_rule = st.radio(
            "Nationality rule",
            rule_options,
            index=rule_options.index(current.nationality_rule or "")
            if current and current.rule_set == rules_name
            else 0,
            format_func=lambda v: f"as the rule set says ({rules.nationality_rule.value})" if not v else RULE_HELP[v],
            horizontal=True,
            disabled=own is not None,
            help="Who may hold a party's nationality. The chair never may.",
        )
        if own:
            st.caption(
                f"This dispute's own file sets the nationality rule to **{own}**; that wins over any choice here."
            )
        st.markdown("**Weights** (how much each score component counts; 0 ignores it)")
        st.caption(
            "Each dispute keeps its own weights: a dispute you have not searched yet starts from the rule set's "
            "weights, and the weights you submit here apply to this dispute only."
        )
        cols = st.columns(len(WEIGHT_NAMES))
        weights: dict[str, float] = {}
        for col, name in zip(cols, WEIGHT_NAMES, strict=True):
            weights[name] = col.number_input(
                component_name(name),
                min_value=0.0,
                max_value=5.0,
                step=0.05,
                key=weight_key(rules_name, name),
                help=COMPONENT_HELP.get(name, ORANGE_HELP),
            )
        cap_options: list[int | None] = [None, *range(0, MAX_LEAN_CHOICE + 1)]
        own_cap = "no cap" if rules.max_lean is None else f"at most {rules.max_lean}"
        max_lean = st.selectbox(
            "Lean cap (H8)",
            cap_options,
            index=cap_options.index(current.max_lean)
            if current and current.rule_set == rules_name and current.max_lean in cap_options
            else 0,
            format_func=lambda v: f"as the rule set says ({own_cap})" if v is None else f"at most {v}",
            help="A panel's lean is how many more bloc memberships (AU, EU, BRICS, ...) its members share with one "
            "party than with the other. A cap is a hard rule: no panel above it is proposed. 0 asks for panels "
            "tied equally to every party. The trade-off tab shows what each cap costs in expertise.",
        )
        candidates = st.slider(
            "Candidate panels to show",
            1,
            10,
            current.candidates if current else 5,
            help="Each has a different set of members, best first.",
        )
        pressed = st.form_submit_button("Find panels", type="primary")
    changed = [
        f"{component_name(name)} {value:g} (the rule set's: {rules.weights.of(name):g})"
        for name, value in weights.items()
        if value != rules.weights.of(name)
    ]
    if changed:
        left, right = st.columns([5, 2], vertical_alignment="center")
        left.caption("Weights changed for this dispute: " + ", ".join(changed) + ".")
        right.button(
            "Back to the rule set's weights",
            on_click=reset_weights,
            args=(rules,),
            help="Put the rule set's own weights back in the form; press Find panels to search with them.",
        )
    if not pressed:
        return None
    return Settings(rules_name, chosen_rule or None, weights, candidates, max_lean)


def locks_bar(ws: Workspace, run: Run) -> None:
    """The current locks, and a form to lock or exclude anyone on the roster."""
    locks = run.locks
    if locks.any:
        parts = []
        if locks.chair:
            parts.append(f"chair: **{mediator_name(ws, locks.chair)}**")
        if locks.include - {locks.chair}:
            parts.append("locked in: **" + mediator_names(ws, sorted(locks.include - {locks.chair})) + "**")
        if locks.exclude:
            parts.append("excluded: **" + mediator_names(ws, sorted(locks.exclude)) + "**")
        left, right = st.columns([5, 1], vertical_alignment="center")
        left.info("Locks in force: " + "; ".join(parts) + ".")
        right.button("Clear all locks", on_click=clear_locks, args=(run,), help="Remove every lock and search again.")
    with st.expander("Lock or exclude anyone on the roster"):
        ids = [m.mediator_id for m in ws.data.mediators]
        label = {m.mediator_id: mediator_label(m) for m in ws.data.mediators}
        version = f"{run.dispute_id}-{run.lock_version}"
        with st.form(f"locks-{version}"):
            include = st.multiselect(
                "Must sit on the panel", ids, default=sorted(locks.include), format_func=lambda mid: label[mid]
            )
            exclude = st.multiselect(
                "Must not sit on the panel", ids, default=sorted(locks.exclude), format_func=lambda mid: label[mid]
            )
            chair_options = ["", *ids]
            chair = st.selectbox(
                "Chair",
                chair_options,
                index=chair_options.index(locks.chair) if locks.chair else 0,
                format_func=lambda mid: label[mid] if mid else "the best chair among the members",
            )
            if st.form_submit_button("Apply locks and search again"):
                set_locks(run, include, exclude, chair or None)
                st.rerun()


def why_not_section(ws: Workspace, run: Run) -> None:
    from matching.api import why_not  # the solver stack: imported on the first question

    st.caption(
        "Pick anyone on the roster to see which rule or lock keeps them out, or what including them would cost. "
        "Your locks apply. Scores in the answer are total scores (each component times its weight, added up), "
        "as on the panel cards: the best panel is panel 1."
    )
    with st.form(f"why-not-{run.dispute_id}"):
        mediators = {m.mediator_id: mediator_label(m) for m in ws.data.mediators}
        mid = st.selectbox(
            "Mediator", list(mediators), format_func=lambda i: mediators[i], key=f"why-not-{run.dispute_id}"
        )
        asked = st.form_submit_button("Explain")
    if asked and mid and run.rule_set is not None:
        rule_set = run.rule_set
        with st.spinner("Checking the rules and solving with this mediator on the panel…"):
            load = recorded_load(decision_store())
            answer = attempt(
                "explain", lambda: why_not(ws, run.dispute_id, mid, rule_set, extra_load=load, locks=run.locks)
            )
        if answer is not None:
            run.why_not = [(mid, answer.sentences()), *[(m, s) for m, s in run.why_not if m != mid]][:5]
    for mid_, sentences in run.why_not:
        with st.container(border=True):
            st.markdown(f"**{mediators.get(mid_, mid_)}**\n" + "\n".join(f"- {s}" for s in sentences))


def show_result(ws: Workspace, store: DecisionStore | None, run: Run, decided: bool) -> None:
    result = run.result
    if result is None:
        return
    if not result.panels:
        if result.status == "timeout":
            st.warning("The search ran out of time before finding a panel. Try again, or lift a lock.")
            return
        st.error("No panel keeps every rule for this dispute" + (" with these locks." if run.locks.any else "."))
        if result.infeasibility:
            st.markdown(
                "Rules that together leave no panel: **" + ", ".join(result.infeasibility["conflicting_rules"]) + "**"
            )
            st.markdown("\n".join(f"- {line}" for line in result.infeasibility["suggestions"]))
        return
    proof = (
        "The first is proven the best possible."
        if result.status == Status.OPTIMAL
        else f"The search stopped before proving the first is the best (it could be up to {result.gap or 0:.4f} better)."
    )
    st.success(f"{plural(len(result.panels), 'panel')} found in {result.seconds:.2f} s. {proof}")
    st.caption(
        f"{result.eligible} mediators meet every rule for this dispute on their own; the others are excluded by a hard "
        "rule (nationality, conflict, capacity, strikes or declaration). Recorded decisions count against capacity."
    )
    if decided:
        st.caption("This dispute already has a recorded decision, so the panels below cannot be recorded.")
    for panel in result.panels:
        panel_card(ws, store, panel, run, can_record=not decided)


def main() -> None:
    st.title("Candidate panels")
    message = take_flash()
    if message:
        st.success(message)
    ws = current_workspace()
    if ws is None:
        return
    st.caption(f"Data in use: {data_label()}. Change it on the data page.")
    store = decision_store()
    d = choose_dispute(ws)
    if d is None:
        return
    show_dispute(ws, d)
    decision = None
    if store is not None:
        try:
            decision = store.for_dispute(d.dispute_id)
        except MatchingError as exc:
            st.warning(f"Recorded decisions could not be read: {exc}")
    if decision is not None and store is not None:
        show_decision(store, decision)
    all_runs = runs()
    run = all_runs.get(d.dispute_id)
    with st.expander("Settings: rule set, weights, nationality rule", expanded=run is None):
        submitted = settings_form(d, run.settings if run else None)
    if submitted is not None:
        if run is None:
            run = all_runs[d.dispute_id] = Run(d.dispute_id, submitted)
        run.settings, run.stale, run.why_not = submitted, True, []  # answers under the old weights are gone
    if run is None:
        st.info("Adjust the settings if needed, then press **Find panels**.")
        return
    if run.stale:
        with st.spinner("Searching for the best panels and proving they are the best…"):
            solve(run, ws, store)
    if run.notice:
        st.error(run.notice)
        run.notice = None
    rules_in_force(d, run)
    locks_bar(ws, run)
    # Imported once there are panels: these sections bring in the solvers and the charts, which the first
    # page, drawn before any search, does without (it appears in about half the time).
    from ui.lottery import lottery_section
    from ui.tradeoff import tradeoff_section

    panels_tab, tradeoff_tab, why_tab, lottery_tab = st.tabs(
        ["Candidate panels", "Trade-offs", "Why not…?", "Fair lottery"]
    )
    with panels_tab:
        show_result(ws, store, run, decided=decision is not None)
    with tradeoff_tab:
        tradeoff_section(ws, run)
    with why_tab:
        why_not_section(ws, run)
    with lottery_tab:
        lottery_section(ws, run)


# Streamlit runs a page as "__main__"; importing it (its helpers, in the tests) draws nothing.
if __name__ == "__main__":
    main()
