"""What the app's pages share: the data set in use, the decisions store, plain-word help texts,
and how countries, mediators and problems are shown.

The data set in use is the bundled demo data until someone uploads a clean set on the data page;
an uploaded set lives in this browser session only (``st.session_state``), so one registrar's
upload never changes what another sees. Recorded decisions are shared by everyone: they live in
the decisions store (``matching.records.store``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

import pandas as pd
import streamlit as st

from matching.api import (
    Dataset,
    DecisionStore,
    Dispute,
    InputError,
    MatchingError,
    Mediator,
    Problem,
    Workspace,
    database_url,
    default_countries,
    demo_dir,
    load_folder,
)

log = logging.getLogger("matching.app")
T = TypeVar("T")

WORKSPACE_KEY = "workspace"  # an uploaded data set (Workspace), when there is one
DATA_LABEL_KEY = "data_label"  # how to name the data set in use
RUNS_KEY = "runs"  # the registrar page's results, per dispute
NAME_KEY = "registrar_name"  # who records decisions (the sidebar field)

COMPONENT_HELP = {
    "expertise": "Subject levels and text similarity of profiles to the dispute (0 to 1; the chair counts twice).",
    "diversity": "Legal traditions, UN regional groups and gender balance covered by the panel (0 to 1).",
    "neutrality": "1 means no member shares a political or economic bloc with any party, and alignment is equal across parties.",
    "workload": "1 means members have no recent appointments; halved for a repeat appointment by the same party.",
    "preference": "How well the panel matches the names the parties ranked, balanced between parties (0 if nobody ranked).",
}
OBJECTIVE_HELP = (
    "The panel's total score: each component (0 to 1) times its weight, added up, less the orange-conflict "
    "penalty for each member with a disclosed conflict. Higher is better; compare it only between panels "
    "found with the same weights."
)
ORANGE_HELP = "Subtracted from the total score for each member with an orange (disclosable) conflict."
GROUP_NAMES = {
    "african": "African",
    "asia_pacific": "Asia-Pacific",
    "eastern_european": "Eastern European",
    "latin_american_caribbean": "Latin American and Caribbean",
    "western_european_others": "Western European and others",
}


# --- the data set in use ------------------------------------------------------------------------


@st.cache_resource(show_spinner="Loading and checking the data…")
def _folder_workspace(folder: str) -> Workspace:
    return Workspace(load_folder(Path(folder)))


def problem_table(problems: Iterable[Problem]) -> pd.DataFrame:
    """Problems as a table a registrar can read: file, row, column, value and what is wrong."""
    return pd.DataFrame(
        [
            {
                "file": p.file,
                "row": "" if p.row is None else str(p.row),
                "column": p.column or "",
                "value": p.value,
                "problem": p.message,
            }
            for p in problems
        ],
        columns=["file", "row", "column", "value", "problem"],
    )


def show_problems(exc: InputError, intro: str) -> None:
    st.error(f"{intro} {len(exc.problems)} problem(s) found:")
    st.dataframe(problem_table(exc.problems), hide_index=True, width="stretch")


def current_workspace() -> Workspace | None:
    """The uploaded data set of this session, or the bundled demo data."""
    uploaded = st.session_state.get(WORKSPACE_KEY)
    if isinstance(uploaded, Workspace):
        return uploaded
    try:
        return _folder_workspace(str(demo_dir()))
    except InputError as exc:
        show_problems(exc, f"The bundled data in {demo_dir()} cannot be used; nothing was loaded.")
        return None


def data_label() -> str:
    return str(st.session_state.get(DATA_LABEL_KEY, "the bundled demo data"))


def use_workspace(ws: Workspace | None, label: str) -> None:
    """Swap the data set in use (None: back to the demo data); results of the old one are dropped."""
    if ws is None:
        st.session_state.pop(WORKSPACE_KEY, None)
        st.session_state.pop(DATA_LABEL_KEY, None)
    else:
        st.session_state[WORKSPACE_KEY] = ws
        st.session_state[DATA_LABEL_KEY] = label
    st.session_state.pop(RUNS_KEY, None)


# --- the decisions store ------------------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def _store(url: str) -> DecisionStore:
    return DecisionStore(url)


def decision_store() -> DecisionStore | None:
    """The shared decisions store, or None (with the reason shown) when it cannot be opened."""
    try:
        return _store(database_url())
    except MatchingError as exc:
        st.error(f"The decisions store cannot be opened: {exc}")
        return None


def recorded_load(store: DecisionStore | None) -> dict[str, int]:
    """Cases recorded in the store per mediator; empty (with a warning) if the store is unreadable."""
    if store is None:
        return {}
    try:
        return store.recorded_load()
    except MatchingError as exc:
        st.warning(f"Recorded decisions could not be read, so they are not counted: {exc}")
        return {}


def registrar_name() -> str:
    return str(st.session_state.get(NAME_KEY, "")).strip()


def with_recorded_load(ws: Workspace, load: dict[str, int]) -> Workspace:
    """The same data with each mediator's recorded appointments added to their active cases.

    ``solve_batch`` reads remaining capacity as ``max_cases - active_cases``; counting the
    decisions recorded in the store as active cases makes every batch respect them.
    """
    if not any(load.get(m.mediator_id) for m in ws.data.mediators):
        return ws
    mediators = tuple(
        replace(m, active_cases=m.active_cases + load[m.mediator_id]) if load.get(m.mediator_id) else m
        for m in ws.data.mediators
    )
    data: Dataset = replace(ws.data, mediators=mediators)
    return Workspace(data, ws.countries)


# --- errors in plain words ----------------------------------------------------------------------


def attempt(action: str, work: Callable[[], T]) -> T | None:
    """Run ``work``; on a library error show it in plain words and return None."""
    try:
        return work()
    except InputError as exc:
        show_problems(exc, f"Could not {action}.")
    except MatchingError as exc:
        st.error(f"Could not {action}: {exc}")
    return None


# --- how things are shown -----------------------------------------------------------------------


def group_name(code: str) -> str:
    return GROUP_NAMES.get(code, code.replace("_", " "))


def country_name(code: str) -> str:
    countries = default_countries()
    return countries[code].name if code in countries else code


def country_label(code: str) -> str:
    """``ETH Ethiopia``."""
    return f"{code} {country_name(code)}"


def mediator_group(ws: Workspace, m: Mediator) -> str:
    return group_name(ws.countries[m.effective_nationality].un_group.value)


def mediator_label(m: Mediator) -> str:
    """``M0042 · Name (KEN/GBR)``."""
    return f"{m.mediator_id} · {m.name} ({'/'.join(m.nationalities)})"


def language_label(ws: Workspace, code: str) -> str:
    return f"{ws.countries.language_names.get(code, code)} ({code})"


def dispute_label(data: Dataset, dispute_id: str) -> str:
    d = data.dispute(dispute_id)
    return f"{d.dispute_id} · {d.title} ({' v '.join(d.parties)})"


def dispute_matches(d: Dispute, query: str) -> bool:
    """Search by id, title, party code or party name (case does not matter)."""
    q = query.strip().lower()
    if not q:
        return True
    words = [d.dispute_id, d.title, *d.parties, *(country_name(p) for p in d.parties)]
    return any(q in w.lower() for w in words)


def mediator_table(ws: Workspace, load: dict[str, int] | None = None) -> pd.DataFrame:
    """The roster as a table; ``cases`` counts active cases plus those recorded in the store."""
    load = load or {}
    return pd.DataFrame(
        [
            {
                "id": m.mediator_id,
                "name": m.name,
                "nationalities": ", ".join(m.nationalities),
                "UN group": mediator_group(ws, m),
                "gender": m.gender or "",
                "languages": ", ".join(sorted(m.languages)),
                "legal traditions": ", ".join(sorted(t.value for t in m.legal_traditions)),
                "expertise": ", ".join(f"{k} {v}" for k, v in sorted(m.expertise.items())),
                "years": m.years_experience,
                "cases": m.active_cases + load.get(m.mediator_id, 0),
                "max cases": m.max_cases,
                "available": m.available,
                "declaration": m.declaration_signed,
            }
            for m in ws.data.mediators
        ]
    )


ROSTER_COLUMNS = {
    "years": st.column_config.NumberColumn("years", help="Years of experience."),
    "cases": st.column_config.NumberColumn(
        "cases", help="Active cases in the roster file plus appointments recorded in this app."
    ),
    "max cases": st.column_config.NumberColumn("max cases", help="The most cases this mediator may hold at once."),
    "expertise": st.column_config.TextColumn(
        "expertise", help="Subject areas with a level from 1 (some) to 5 (leading)."
    ),
    "available": st.column_config.CheckboxColumn("available", help="Unavailable mediators are never proposed."),
    "declaration": st.column_config.CheckboxColumn(
        "declaration", help="A current signed declaration of independence; without one a mediator is never proposed."
    ),
}
