"""The neutrality review page's verdict on the record itself (``matching.records.audit``).

On every visit the page checks what is quick: that the decision log's chain is whole and that
the decisions table says what the log says. Replaying every decision from its kept inputs costs
one solve per decision, so it runs on request, in the background, with progress and Stop; its
verdict is kept for the rest of the session.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from matching.api import AuditReport, DecisionStore, plural
from ui.common import Job, attempt, follow_job, job_outcome, start_job

JOB = "audit-replay"
REPORT_KEY = "audit-report"  # the last full audit of this session

WHAT = {
    "edited": "Changed after the event",
    "deleted": "Removed",
    "reordered": "Put out of order",
    "added": "Added outside the application",
    "inputs": "Input files missing",
    "rules": "Breaks a hard rule",
    "score": "Score differs",
    "replay": "Replay differs",
    "choice": "Not the first candidate",
    "batch": "Chosen by a batch",
    "solver": "Other solver version",
    "migrated": "Recorded before the log",
    "head": "Published hash found",
}


def findings_frame(report: AuditReport) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "": "Problem" if f.severity.value == "problem" else "Note",
                "What": WHAT.get(f.what, f.what),
                "Decision": f"#{f.decision_id}" if f.decision_id else "",
                "Log entry": str(f.seq) if f.seq else "",
                "Details": f.message,
            }
            for f in report.findings
        ]
    )


def show_report(report: AuditReport, replayed: bool) -> None:
    if report.ok and (report.replay_done or not replayed):
        checked = (
            f"every one of the {plural(report.decisions, 'decision')} was replayed from its kept input files"
            if replayed
            else "the decisions themselves are replayed when you ask below"
        )
        st.success(
            f"The record holds: the decision log's {plural(report.events, 'entry', 'entries')} are whole and in order, "
            f"the decisions on file say what the log says, and {checked}."
        )
    elif report.ok:
        st.warning(
            f"No problem found so far, but the check was stopped: {report.replayed} of "
            f"{plural(report.decisions, 'decision')} were replayed."
        )
    else:
        st.error(
            f"The record does not hold: {plural(len(report.problems), 'problem')} found. "
            "Each is listed below; tell the registry's administrator at once."
        )
    if report.findings:
        st.dataframe(findings_frame(report), hide_index=True, width="stretch")
    st.caption(
        f"Fingerprint of the log as it stands (its head hash): `{report.head_hash}`. Note it in the minutes: a "
        "later check with this fingerprint proves that nothing written before it was changed."
    )


def integrity_section(store: DecisionStore) -> None:
    """The verdict on the record: quick checks always, the replays on request."""
    with st.expander("Can this record be trusted?", expanded=True):
        st.caption(
            "Every decision and withdrawal is written to a log in which each entry carries a fingerprint of the one "
            "before it, so an entry changed, removed or reordered afterwards is found. Replaying re-makes each "
            "decision from the very input files, rules and settings it was made with."
        )
        quick = attempt("check the decision log", lambda: store.audit(replay=False))
        if quick is None:
            return
        job = follow_job(JOB)
        if job is not None:
            full = job_outcome("replay the decisions", job)
            if full is not None:
                st.session_state[REPORT_KEY] = full
        full = st.session_state.get(REPORT_KEY)
        if isinstance(full, AuditReport) and full.head_hash == quick.head_hash:
            show_report(full, replayed=True)
        else:
            show_report(quick, replayed=False)
        if st.button(
            "Replay every decision now",
            help="One solve per decision: a few seconds for a day of decisions, minutes for years of them. You can stop it; what was checked until then is shown.",
        ):

            def work(job: Job[AuditReport]) -> AuditReport:
                return store.audit(progress=job.progress(), cancel=job.token)

            start_job(JOB, "Replaying the recorded decisions", work)
            st.rerun()
