"""What the app's pages share: the cached workspace, the problem table, plain-word help texts."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from matching.countries import default_countries
from matching.domain import Dataset
from matching.errors import InputError
from matching.loading import load_folder
from matching.workspace import Workspace

COMPONENT_HELP = {
    "expertise": "Subject levels and text similarity of profiles to the dispute (0 to 1; the chair counts twice).",
    "diversity": "Legal traditions, UN regional groups and gender balance covered by the panel (0 to 1).",
    "neutrality": "1 means no member shares a political or economic bloc with any party, and alignment is equal across parties.",
    "workload": "1 means members have no recent appointments; halved for a repeat appointment by the same party.",
    "preference": "How well the panel matches the names the parties ranked, balanced between parties (0 if nobody ranked).",
}


@st.cache_resource(show_spinner="Loading and checking the data…")
def workspace(folder: str) -> Workspace:
    return Workspace(load_folder(Path(folder)))


def load_or_report(folder: str) -> Workspace | None:
    try:
        return workspace(folder)
    except InputError as exc:
        st.error(f"The data in {folder} has {len(exc.problems)} problem(s); nothing was loaded.")
        st.dataframe(
            pd.DataFrame(
                [
                    {"file": p.file, "row": p.row, "column": p.column, "value": p.value, "problem": p.message}
                    for p in exc.problems
                ]
            ),
            hide_index=True,
        )
        return None


def mediator_table(data: Dataset) -> pd.DataFrame:
    countries = default_countries()
    return pd.DataFrame(
        [
            {
                "id": m.mediator_id,
                "name": m.name,
                "nationalities": ", ".join(m.nationalities),
                "UN group": countries[m.effective_nationality].un_group.value.replace("_", " "),
                "gender": m.gender or "",
                "languages": ", ".join(sorted(m.languages)),
                "legal traditions": ", ".join(sorted(t.value for t in m.legal_traditions)),
                "expertise": ", ".join(f"{k} {v}" for k, v in sorted(m.expertise.items())),
                "years": m.years_experience,
                "cases": f"{m.active_cases}/{m.max_cases}",
                "available": m.available,
                "declaration": m.declaration_signed,
            }
            for m in data.mediators
        ]
    )


def dispute_label(data: Dataset, dispute_id: str) -> str:
    d = data.dispute(dispute_id)
    return f"{d.dispute_id} · {d.title} ({' v '.join(d.parties)})"
