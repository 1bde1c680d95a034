"""Data page: the validated roster and disputes."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from matching.paths import demo_dir
from ui.common import load_or_report, mediator_table


def main() -> None:
    st.title("Roster and disputes")
    ws = load_or_report(str(demo_dir()))
    if ws is None:
        return
    data = ws.data
    st.caption(
        f"{len(data.mediators)} mediators, {len(data.disputes)} disputes, {len(data.conflicts)} declared conflicts, "
        f"{len(data.preferences)} party strikes and ranks, {len(data.appointments)} past appointments. All checked."
    )
    st.subheader("Mediators")
    st.dataframe(mediator_table(data), hide_index=True, use_container_width=True)
    st.subheader("Disputes")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "id": d.dispute_id,
                    "title": d.title,
                    "kind": d.kind.value,
                    "parties": ", ".join(d.parties),
                    "subjects": ", ".join(d.subject_areas),
                    "languages": ", ".join(d.languages),
                    "panel size": d.panel_size,
                }
                for d in data.disputes
            ]
        ),
        hide_index=True,
        use_container_width=True,
    )


main()
