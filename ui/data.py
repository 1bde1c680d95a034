"""Data page: upload a new set of input files (checked whole before anything is replaced), and
browse and filter the roster and the disputes in use.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Protocol

import pandas as pd
import streamlit as st

from matching.api import (
    SUBJECTS,
    AccessRole,
    InputError,
    MatchingError,
    Tradition,
    Workspace,
    capacity_left,
    default_countries,
    load_dataset,
    plural,
    subject_name,
)
from ui.common import (
    GROUP_NAMES,
    ROSTER_COLUMNS,
    WORKSPACE_KEY,
    current_workspace,
    data_label,
    decision_store,
    mediator_group,
    mediator_table,
    principal,
    recorded_load,
    show_problems,
    use_workspace,
)

UPLOADS = {
    "mediators": ("Roster (mediators)", True),
    "disputes": ("Disputes", True),
    "conflicts": ("Conflicts of interest", False),
    "preferences": ("Party strikes and ranks", False),
    "appointments": ("Appointment history", False),
}


class Upload(Protocol):
    """What an uploaded file offers (``st.file_uploader`` returns these)."""

    name: str

    def getvalue(self) -> bytes: ...


def load_uploads(files: Mapping[str, Upload]) -> Workspace:
    """Check the uploaded files together; a whole new data set, or ``InputError`` with every problem.

    Each file is written to its own temporary folder under its own name (so problems name the
    file the user chose) and removed afterwards; nothing else is written anywhere.
    """
    with tempfile.TemporaryDirectory(prefix="iomed-upload-") as tmp:
        paths: dict[str, Path] = {}
        for kind, upload in files.items():
            folder = Path(tmp) / kind
            folder.mkdir()
            path = folder / Path(upload.name).name
            path.write_bytes(upload.getvalue())
            paths[kind] = path
        data = load_dataset(
            mediators=paths["mediators"],
            disputes=paths["disputes"],
            conflicts=paths.get("conflicts"),
            preferences=paths.get("preferences"),
            appointments=paths.get("appointments"),
        )
    return Workspace(data)


def upload_section() -> None:
    st.subheader("Upload new data")
    st.caption(
        "CSV (UTF-8 with a header row; lists separated by ;) or Parquet, with the columns the data contract "
        "describes. Every file is checked together with the others; the data in use is replaced only when "
        "there is no problem at all. An upload is yours alone: other users keep their own data."
    )
    with st.form("upload", clear_on_submit=False):
        cols = st.columns(len(UPLOADS))
        chosen: dict[str, Upload | None] = {}
        for col, (kind, (label, required)) in zip(cols, UPLOADS.items(), strict=True):
            chosen[kind] = col.file_uploader(
                f"{label}{' (required)' if required else ' (optional)'}",
                type=["csv", "parquet"],
                key=f"upload-{kind}",
                help=f"{kind}.csv or {kind}.parquet",
            )
        submitted = st.form_submit_button("Check and use these files", type="primary")
    if not submitted:
        return
    missing = [UPLOADS[k][0].lower() for k in ("mediators", "disputes") if chosen[k] is None]
    if missing:
        st.error(f"Please choose the {' and the '.join(missing)} file{'s' if len(missing) > 1 else ''}.")
        return
    files = {kind: f for kind, f in chosen.items() if f is not None}
    try:
        ws = load_uploads(files)
    except InputError as exc:
        show_problems(exc, f"Nothing was replaced: you are still using {data_label()}.")
        return
    except MatchingError as exc:
        st.error(f"Nothing was replaced: {exc}")
        return
    names = ", ".join(f.name for f in files.values())
    use_workspace(ws, f"your upload of {datetime.now():%d %b %Y %H:%M} ({names})")
    st.success(
        f"All files are clean and now in use: {plural(len(ws.data.mediators), 'mediator')} and "
        f"{plural(len(ws.data.disputes), 'dispute')}."
    )


def roster_section(ws: Workspace) -> None:
    st.subheader("Roster")
    load = recorded_load(decision_store())
    table = mediator_table(ws, load)
    countries = default_countries()
    with st.container(border=True):
        c1, c2, c3, c4 = st.columns(4)
        query = c1.text_input("Search", placeholder="name, id or words in the profile")
        groups = c2.multiselect("UN regional group", list(GROUP_NAMES.values()))
        traditions = c3.multiselect("Legal tradition", [t.value for t in Tradition])
        subject = c4.selectbox(
            "Expertise in", ["", *SUBJECTS], format_func=lambda s: subject_name(s) if s else "any subject"
        )
        c5, c6, c7, c8 = st.columns(4)
        nationality = c5.multiselect(
            "Nationality",
            sorted({n for m in ws.data.mediators for n in m.nationalities}),
            format_func=lambda c: f"{c} {countries[c].name}" if c in countries else c,
        )
        language = c6.multiselect("Speaks", sorted({code for m in ws.data.mediators for code in m.languages}))
        gender = c7.multiselect("Gender", ["F", "M", "X"])
        with c8:
            can_take = st.checkbox(
                "Can take a case",
                help="Available, with a signed declaration, and with room under their maximum number of cases "
                "(counting decisions recorded here).",
            )
            min_level = st.slider("Lowest level in that subject", 1, 5, 1, disabled=not subject)
    keep = []
    room = capacity_left(ws.data, load)
    for m in ws.data.mediators:
        if query and not any(query.lower() in s.lower() for s in (m.name, m.mediator_id, m.profile)):
            continue
        if groups and mediator_group(ws, m) not in groups:
            continue
        if traditions and not {t.value for t in m.legal_traditions} & set(traditions):
            continue
        if subject and m.expertise.get(subject, 0) < min_level:
            continue
        if nationality and not set(m.nationalities) & set(nationality):
            continue
        if language and not m.languages & set(language):
            continue
        if gender and (m.gender or "") not in gender:
            continue
        if can_take and not (m.declaration_signed and room[m.mediator_id] >= 1):
            continue
        keep.append(m.mediator_id)
    shown = table[table["id"].isin(keep)]
    st.caption(f"{len(shown)} of {len(table)} mediators match.")
    st.dataframe(shown, hide_index=True, width="stretch", column_config=ROSTER_COLUMNS)


def disputes_section(ws: Workspace) -> None:
    st.subheader("Disputes")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "id": d.dispute_id,
                    "title": d.title,
                    "kind": d.kind.value.replace("_", "-"),
                    "parties": ", ".join(d.parties),
                    "subjects": ", ".join(subject_name(s) for s in d.subject_areas),
                    "languages": ", ".join(d.languages),
                    "panel size": d.panel_size,
                    "nationality rule": d.nationality_rule.value if d.nationality_rule else "rule set's",
                }
                for d in ws.data.disputes
            ]
        ),
        hide_index=True,
        width="stretch",
        column_config={
            "languages": st.column_config.TextColumn(
                help="The first is the working language; the chair must speak it."
            ),
            "nationality rule": st.column_config.TextColumn(
                help="strict: no party nationals; majority: most members are not party nationals; consent: the "
                "parties agreed to co-nationals. Empty in the file means the rule set decides."
            ),
        },
    )


def main() -> None:
    st.title("Roster and disputes")
    who = principal()
    if who is not None and who.role is not AccessRole.REVIEWER:  # reviewers read, and change nothing
        upload_section()
    if WORKSPACE_KEY in st.session_state and st.button(
        "Go back to the bundled demo data", help="Drops your upload; nothing is written anywhere."
    ):
        use_workspace(None, "")
        st.rerun()
    ws = current_workspace()
    if ws is None:
        return
    data = ws.data
    st.info(
        f"In use: {data_label()}. {plural(len(data.mediators), 'mediator')}, {plural(len(data.disputes), 'dispute')}, "
        f"{plural(len(data.conflicts), 'declared conflict')}, {plural(len(data.preferences), 'party strike or rank', 'party strikes and ranks')}, "
        f"{plural(len(data.appointments), 'past appointment')}. Every file was checked."
    )
    roster_section(ws)
    disputes_section(ws)


# Streamlit runs a page as "__main__"; importing it (its helpers, in the tests) draws nothing.
if __name__ == "__main__":
    main()
