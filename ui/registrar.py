"""Registrar's page: candidate panels for one dispute, why each was proposed, what it costs."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from matching.panels import propose
from matching.paths import demo_dir
from matching.rulesets import COMPONENTS, builtin_names, load_rule_set
from matching.solver import Locks, SolveConfig
from ui.common import COMPONENT_HELP, dispute_label, load_or_report


def main() -> None:
    st.title("Candidate panels")
    ws = load_or_report(str(demo_dir()))
    if ws is None:
        return
    data = ws.data
    dispute_id = st.selectbox(
        "Dispute", [d.dispute_id for d in data.disputes], format_func=lambda did: dispute_label(data, did)
    )
    d = data.dispute(dispute_id)
    cols = st.columns(4)
    cols[0].metric("Parties", " v ".join(d.parties))
    cols[1].metric("Panel size", d.panel_size)
    cols[2].metric("Languages", ", ".join(d.languages))
    cols[3].metric("Subjects", ", ".join(d.subject_areas) or "none")
    st.caption(d.description)

    with st.form("solve"):
        left, right = st.columns(2)
        rules = left.selectbox("Rule set", builtin_names(), index=builtin_names().index("iomed"))
        candidates = right.slider("Candidate panels", 1, 10, 5)
        rule_set = load_rule_set(rules)
        weights = {}
        wcols = st.columns(len(COMPONENTS))
        for col, name in zip(wcols, COMPONENTS, strict=True):
            weights[name] = col.number_input(name, 0.0, 5.0, rule_set.weights.of(name), 0.1, help=COMPONENT_HELP[name])
        ids = [m.mediator_id for m in data.mediators]
        include = st.multiselect("Must sit on the panel", ids)
        exclude = st.multiselect("Must not sit on the panel", ids)
        submitted = st.form_submit_button("Find panels", type="primary")
    if not submitted:
        st.info("Adjust the settings if needed, then press **Find panels**.")
        return
    with st.spinner("Searching for the best panels and proving they are the best…"):
        result = propose(
            ws,
            dispute_id,
            rule_set.with_weights(**weights),
            SolveConfig(candidates=candidates),
            Locks(include=frozenset(include), exclude=frozenset(exclude)),
        )
    if not result.panels:
        st.error("No panel keeps every rule for this dispute.")
        if result.infeasibility:
            st.write("Rules that together leave no panel: " + ", ".join(result.infeasibility["conflicting_rules"]))
            for line in result.infeasibility["suggestions"]:
                st.markdown(f"- {line}")
        return
    gap = result.gap or 0.0
    st.success(
        f"{len(result.panels)} panel(s) found in {result.seconds:.2f} s. "
        + (
            "The first is proven the best possible."
            if result.status == "optimal"
            else f"Proof incomplete: gap {gap:.4f}."
        )
    )
    for panel in result.panels:
        with st.container(border=True):
            st.subheader(f"Panel {panel.rank} · objective {panel.objective:.4f}")
            rows = []
            for seat in panel.members:
                m = data.mediator(seat.mediator_id)
                rows.append(
                    {
                        "role": seat.role.value,
                        "id": m.mediator_id,
                        "name": m.name,
                        "nationalities": ", ".join(m.nationalities),
                        "languages": ", ".join(sorted(m.languages)),
                        "traditions": ", ".join(sorted(t.value for t in m.legal_traditions)),
                    }
                )
            st.dataframe(pd.DataFrame(rows), hide_index=True, use_container_width=True)
            score_cols = st.columns(len(COMPONENTS))
            for col, name in zip(score_cols, COMPONENTS, strict=True):
                col.metric(name, f"{panel.scores[name]:.2f}", help=COMPONENT_HELP[name])
            for line in panel.why:
                st.markdown(f"- {line}")
            for disclosure in panel.disclosures:
                st.warning(f"Disclosure ({disclosure.category}) for {disclosure.mediator_id}: {disclosure.note}")


main()
