"""What the app's pages share: the data set in use, the decisions store, plain-word help texts,
and how countries, mediators and problems are shown.

The data set in use is the bundled demo data until someone uploads a clean set on the data page;
an uploaded set lives in this browser session only (``st.session_state``), so one registrar's
upload never changes what another sees. Recorded decisions are shared by everyone: they live in
the decisions store (``matching.records.store``).

Who is signed in: the session token from ``sign_in`` lives in ``st.session_state`` (the database
keeps only its hash); ``check_session`` asks the store who holds it on every run of the page, so
an expired, signed-out or switched-off session goes back to the sign-in page, and a role changed
by an administrator shows at once. What the role allows is checked again by the store inside each
write: hiding a button here is a courtesy, not the protection.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import streamlit as st

from matching.api import (
    Advance,
    AuthError,
    Cancelled,
    CancelToken,
    Dataset,
    DecisionStore,
    Dispute,
    InputError,
    MatchingError,
    Mediator,
    Permission,
    Principal,
    Problem,
    ProgressFactory,
    Workspace,
    database_url,
    default_countries,
    demo_dir,
    load_folder,
    subject_name,
)

if TYPE_CHECKING:
    import pandas as pd  # with pyarrow, about half a second to import

log = logging.getLogger("matching.app")
T = TypeVar("T")

WORKSPACE_KEY = "workspace"  # an uploaded data set (Workspace), when there is one
DATA_LABEL_KEY = "data_label"  # how to name the data set in use
RUNS_KEY = "runs"  # the registrar page's results, per dispute
SESSION_KEY = "session_token"  # the signed-in session's token (the database keeps only its SHA-256)
PRINCIPAL_KEY = "principal"  # who holds it, as the store said on this run of the page
SIGNED_OUT_KEY = "signed_out"  # why the last session ended, said once on the sign-in page

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
    import pandas as pd  # imported when a table is drawn: the first page has none

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
    if exc.total > len(exc.problems):  # a long list is capped; the rest are counted by kind
        kinds = ", ".join(f"{code} {n:,}" for code, n in exc.counts.most_common())
        st.error(f"{intro} {exc.total:,} problems found; the first {len(exc.problems):,} are listed ({kinds}):")
    else:
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
    store = DecisionStore(url)
    store.ensure_demo_accounts()  # only on the default demo database; nothing anywhere else
    return store


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


# --- who is signed in -----------------------------------------------------------------------------


def check_session(store: DecisionStore) -> Principal | None:
    """Who holds this browser session's token now (kept for the pages in ``principal()``), or None:
    not signed in, or the session can no longer be used (the reason is kept for the sign-in page)."""
    token = st.session_state.get(SESSION_KEY)
    st.session_state.pop(PRINCIPAL_KEY, None)
    if not isinstance(token, str) or not token:
        return None
    try:
        who = store.principal(token)
    except AuthError as exc:
        end_session(str(exc))
        return None
    except MatchingError as exc:
        st.error(f"Your session could not be checked: {exc}")
        return None
    st.session_state[PRINCIPAL_KEY] = who
    return who


def start_session(token: str) -> None:
    """After a sign-in: nothing of an earlier session (results, uploads) carries over."""
    end_session(None)
    st.session_state[SESSION_KEY] = token


def end_session(reason: str | None) -> None:
    """Forget everything this browser session holds (stopping its computations), keeping ``reason``."""
    for job in st.session_state.get(JOBS_KEY, {}).values():
        job.token.cancel()
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    if reason:
        st.session_state[SIGNED_OUT_KEY] = reason


def sign_out(store: DecisionStore) -> None:
    """Button callback: end the session in the store and here."""
    token = st.session_state.get(SESSION_KEY)
    if isinstance(token, str) and token:
        try:
            store.sign_out(token)
        except MatchingError:
            log.warning("could not end a session in the store; it ends here and expires there", exc_info=True)
    end_session("You have signed out.")


def principal() -> Principal | None:
    """Who is signed in, as checked at the start of this run of the page."""
    who = st.session_state.get(PRINCIPAL_KEY)
    return who if isinstance(who, Principal) else None


def session_token() -> str:
    """The signed-in session's token, which the store's writes check (empty when signed out)."""
    token = st.session_state.get(SESSION_KEY)
    return token if isinstance(token, str) else ""


def may(permission: Permission) -> bool:
    """Whether the signed-in person's role holds ``permission`` (to decide what to show; the store
    checks again when it writes)."""
    who = principal()
    return who is not None and who.may(permission)


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


def mediator_name(ws: Workspace, mediator_id: str) -> str:
    """``Name (M0042)``: the name a reader knows, with the id in brackets (the id alone if not on the roster)."""
    m = ws.data.mediators_by_id.get(mediator_id)
    return f"{m.name} ({mediator_id})" if m else mediator_id


def mediator_names(ws: Workspace, mediator_ids: Iterable[str]) -> str:
    """``Name (M0042), Other Name (M0007)``."""
    return ", ".join(mediator_name(ws, mid) for mid in mediator_ids)


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
    import pandas as pd  # imported when a table is drawn: the first page has none

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
                "expertise": ", ".join(f"{subject_name(k)} {v}" for k, v in sorted(m.expertise.items())),
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


def streamlit_progress(slot: Any) -> ProgressFactory:
    """The library's progress reports as one Streamlit progress bar in ``slot``, phase after phase."""

    @contextmanager
    def phase(total: int, label: str, /) -> Iterator[Advance]:
        done = 0
        bar = slot.progress(0.0, text=f"{label}…")

        def advance(steps: int = 1, /) -> None:
            nonlocal done
            done += steps
            bar.progress(min(1.0, done / max(total, 1)), text=f"{label}: {min(done, total)} of {total}")

        yield advance
        bar.progress(1.0, text=f"{label}: done")

    return phase


# --- long computations: a worker thread, a progress bar and a Stop button ------------------------

JOBS_KEY = "jobs"  # name -> Job, the long computations of this session (running or finished, not yet shown)
POLL_SECONDS = 0.25  # how often the page redraws the progress bar of a running computation


@dataclass
class Job(Generic[T]):
    """A long library call running in a worker thread, with its stop request and its progress.

    The worker never calls Streamlit (it has no script context); it only writes plain fields, which
    the page reads while it polls. The job lives in ``st.session_state``: the rerun that a click on
    **Stop** (or on anything else) starts finds it again, still running, and keeps polling it.
    """

    label: str
    token: CancelToken = field(default_factory=CancelToken)
    phase: str = ""
    done: int = 0
    total: int = 0
    result: T | None = None
    error: BaseException | None = None
    finished: threading.Event = field(default_factory=threading.Event)

    def progress(self) -> ProgressFactory:
        """The progress factory the library reports to: it records phase and steps in the job."""

        @contextmanager
        def phase(total: int, label: str, /) -> Iterator[Advance]:
            self.phase, self.done, self.total = label, 0, total

            def advance(steps: int = 1, /) -> None:
                self.done += steps

            yield advance

        return phase

    @property
    def stop_asked(self) -> bool:
        return self.token.cancelled

    def outcome(self) -> T | None:
        """The result, or the worker's error raised again (in the script thread, where it can be shown)."""
        if self.error is not None:
            raise self.error
        return self.result


def _jobs() -> dict[str, Job[Any]]:
    jobs: dict[str, Job[Any]] = st.session_state.setdefault(JOBS_KEY, {})
    return jobs


def start_job(name: str, label: str, work: Callable[[Job[T]], T]) -> Job[T]:
    """Run ``work(job)`` in a worker thread under ``name`` (a running job of that name is stopped first)."""
    old = _jobs().get(name)
    if old is not None and not old.finished.is_set():
        old.token.cancel()
    job: Job[T] = Job(label)

    def run() -> None:
        try:
            job.result = work(job)
        except BaseException as exc:  # handed to the script thread, which shows it
            job.error = exc
        finally:
            job.finished.set()

    _jobs()[name] = job
    threading.Thread(target=run, name=f"matching-{name}", daemon=True).start()
    return job


def follow_job(name: str) -> Job[Any] | None:
    """While the job ``name`` runs: a progress bar and a **Stop** button, redrawn until it ends; then the
    finished job (taken out of the session), or None when there is no such job.

    Stop asks the library to stop at its next safe point; it then returns its best result so far (or
    raises ``Cancelled`` when it has none yet). Each redraw is a Streamlit call, so a click anywhere
    starts a new run of the page, which comes back here and goes on following the same job.
    """
    job = _jobs().get(name)
    if job is None:
        return None
    if not job.finished.is_set():
        slot, stop = st.empty(), st.empty()
        stop.button(
            "Stop",
            key=f"stop-{name}",
            on_click=job.token.cancel,
            help="Stop the computation at its next safe point and keep the best result found so far.",
        )
        while not job.finished.wait(POLL_SECONDS):
            share = min(1.0, job.done / job.total) if job.total else 0.0
            if job.stop_asked:
                text = f"{job.label}: stopping at the next safe point and keeping the best result so far…"
            elif job.phase:
                text = f"{job.label}. {job.phase}: {min(job.done, job.total)} of {job.total}"
            else:
                text = f"{job.label}…"
            slot.progress(share, text=text)
        slot.empty()
        stop.empty()
    _jobs().pop(name, None)
    return job


def job_outcome(action: str, job: Job[T]) -> T | None:
    """The finished job's result; a library error shown in plain words (None); a stop with nothing kept
    said plainly (None)."""
    if isinstance(job.error, Cancelled):
        st.info(f"Stopped. Nothing was kept: there was no usable result yet when you stopped it ({action}).")
        return None
    return attempt(action, job.outcome)


LEAN_CAP_HELP = (
    "A panel's lean is how many more bloc memberships (AU, EU, BRICS, ...) its members share with one party than "
    "with the other. Leave empty for the rule set's own cap (none in the bundled rule sets); 0 asks for panels tied "
    "equally to every party. A cap is a hard rule: a dispute no panel can meet it for is left without one, and "
    "the reason says which cap would do."
)


def lean_cap_input(column: Any, key: str | None = None) -> int | None:
    """An optional lean cap (H8) for one run: None keeps the rule set's."""
    value = column.number_input(
        "Lean cap (H8)", min_value=0, max_value=10, value=None, step=1, help=LEAN_CAP_HELP, key=key
    )
    return None if value is None else int(value)
