"""Batch page: choose many disputes (or upload a list of ids), assign one panel to each at once
with the mediators' capacity shared across the batch (``matching.batch.run.solve_batch``), follow a
progress bar, and download the panels JSON of the data contract and the seats.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from matching.api import (
    BatchConfig,
    BatchError,
    BatchOutcome,
    Cancelled,
    MatchingError,
    Quotas,
    Workspace,
    builtin_names,
    frame_document,
    load_rule_set,
    read_rows,
    seats_csv_text,
    solve_batch,
    status_name,
)
from ui.common import (
    Job,
    attempt,
    current_workspace,
    data_label,
    decision_store,
    follow_job,
    lean_cap_input,
    mediator_names,
    recorded_load,
    start_job,
    with_recorded_load,
)

RESULT_KEY = "batch_result"


def ids_from_upload(name: str, content: bytes, known: set[str]) -> tuple[list[str], list[str]]:
    """Dispute ids listed in an uploaded CSV or Parquet file (column ``dispute_id``): (known, unknown)."""
    with tempfile.TemporaryDirectory(prefix="iomed-batch-") as tmp:
        path = Path(tmp) / Path(name).name
        path.write_bytes(content)
        try:
            header, rows = read_rows(path)
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise MatchingError(f"{name} cannot be read: {exc}") from None
    if "dispute_id" not in header:
        raise MatchingError(f"{name} has no dispute_id column.")
    listed = list(dict.fromkeys(r["dispute_id"].strip() for r in rows if r and r.get("dispute_id", "").strip()))
    return [i for i in listed if i in known], [i for i in listed if i not in known]


def choose(ws: Workspace) -> list[str]:
    """The disputes to run: all, those without a recorded decision, a hand-picked list, or an uploaded list."""
    known = [d.dispute_id for d in ws.data.disputes]
    upload = st.file_uploader(
        "Upload a list of disputes to run (CSV or Parquet with a dispute_id column), or choose below",
        type=["csv", "parquet"],
        help="The disputes themselves come from the data in use; load new disputes on the data page.",
    )
    if upload is not None:
        try:
            found, unknown = ids_from_upload(upload.name, upload.getvalue(), set(known))
        except MatchingError as exc:
            st.error(str(exc))
            return []
        if unknown:
            st.warning(
                f"{len(unknown)} id(s) in {upload.name} are not in the data in use and are left out: "
                f"{', '.join(unknown[:20])}."
            )
        st.caption(f"{len(found)} dispute(s) from {upload.name}.")
        return found
    which = st.radio(
        "Disputes to run",
        ["all", "undecided", "chosen"],
        format_func={
            "all": f"all {len(known)} in the data in use",
            "undecided": "those without a recorded decision",
            "chosen": "let me choose",
        }.get,
        horizontal=True,
    )
    if which == "all":
        return known
    if which == "undecided":
        store = decision_store()
        decided = {d.dispute_id for d in (attempt("read the decisions", store.decisions) or [])} if store else set()
        return [did for did in known if did not in decided]
    titles = {d.dispute_id: f"{d.dispute_id} · {d.title[:50]}" for d in ws.data.disputes}
    return st.multiselect("Choose disputes", known, format_func=lambda did: titles[did])


def optional_share(column: Any, label: str, help_text: str) -> float | None:
    value = column.number_input(label, min_value=0, max_value=100, value=None, step=5, help=help_text)
    return None if value is None else float(value) / 100


def optional_count(column: Any, label: str, help_text: str) -> int | None:
    value = column.number_input(label, min_value=1, max_value=50, value=None, step=1, help=help_text)
    return None if value is None else int(value)


def quotas_form() -> Quotas:
    st.markdown("**Limits across the batch** (leave empty for none)")
    c1, c2, c3, c4, c5 = st.columns(5)
    return Quotas(
        max_per_mediator=optional_count(c1, "Most new cases per mediator", "No mediator gets more panels than this."),
        max_state_share=optional_share(
            c2, "Most seats per state (%)", "Nationals of one state hold at most this share of all seats."
        ),
        max_group_share=optional_share(
            c3, "Most seats per UN group (%)", "One UN regional group holds at most this share of all seats."
        ),
        min_women_share=optional_share(
            c4, "Fewest seats for women (%)", "Women hold at least this share of all seats."
        ),
        max_same_party=optional_count(
            c5, "Most panels with one party", "No mediator sits on more panels involving the same party than this."
        ),
    )


JOB = "batch"


def run(ws: Workspace, ids: list[str], rules_name: str, config: BatchConfig, max_lean: int | None = None) -> None:
    """Start the batch in a worker thread; ``finished`` shows its progress, a Stop button and the outcome."""
    rule_set = attempt("read the rule set", lambda: load_rule_set(rules_name).with_max_lean(max_lean))
    if rule_set is None:
        return
    loaded = with_recorded_load(ws, recorded_load(decision_store()))

    def work(job: Job[BatchOutcome]) -> BatchOutcome:
        return solve_batch(loaded, rule_set, config, ids, progress=job.progress(), cancel=job.token)

    start_job(JOB, f"Running {len(ids)} dispute(s)", work)


def finished() -> BatchOutcome | None:
    """Follow a running batch (progress and Stop); its outcome once it ends, None otherwise or on an error."""
    job = follow_job(JOB)
    if job is None:
        return None
    if isinstance(job.error, Cancelled):
        st.info("Stopped. A batch stopped part-way has no assignment to keep; the earlier result, if any, stays below.")
        return None
    try:
        outcome: BatchOutcome | None = job.outcome()
    except (BatchError, MatchingError) as exc:
        st.error(f"The batch could not run: {exc}")
        return None
    if outcome is not None:
        st.progress(1.0, text=f"Done: {len(outcome.results)} disputes in {outcome.wall_seconds:.1f} s.")
    return outcome


def results_table(ws: Workspace, outcome: BatchOutcome) -> pd.DataFrame:
    rows = []
    for r in outcome.results:
        panel = r.panels[0] if r.panels else None
        rows.append(
            {
                "dispute": r.dispute_id,
                "title": ws.data.dispute(r.dispute_id).title if r.dispute_id in ws.data.disputes_by_id else "",
                "status": status_name(r.status),
                "panel (chair first)": mediator_names(ws, panel.member_ids) if panel else "",
                "total score": panel.objective if panel else None,
                "best on its own": r.best_bound,
                "rules in the way": ", ".join((r.infeasibility or {}).get("conflicting_rules", [])),
            }
        )
    return pd.DataFrame(rows)


def seats_csv(outcome: BatchOutcome) -> str:
    """The seats CSV download: the same text the command line's ``batch --seats-csv`` writes."""
    return seats_csv_text(outcome.seats)


def show(ws: Workspace, outcome: BatchOutcome) -> None:
    summary = outcome.summary
    st.success(summary.line())
    st.caption(
        "Objective: the sum of the panels' total scores. Bound: a proven ceiling on that sum, so the gap says how far "
        "the batch can at most be from the best possible (0 means proven best). In the table, 'proven best' means the "
        "dispute got a panel as good as its best on its own; 'found, not proven best' means it may have given up "
        "some score so that the batch as a whole does better under shared capacity; 'no panel keeps every rule' "
        "means what it says."
    )
    frame = results_table(ws, outcome)
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        column_config={
            "total score": st.column_config.NumberColumn(
                format="%.4f", help="Each score component (0 to 1) times its weight, added up, less orange penalties."
            ),
            "best on its own": st.column_config.NumberColumn(
                format="%.4f", help="The best total score this dispute could reach on its own (a proven ceiling)."
            ),
        },
    )
    problems = outcome.diagnoses()
    if problems:
        with st.expander(f"Disputes without a panel ({len(problems)})"):
            st.markdown("\n".join(f"- {line}" for line in problems))
    c1, c2, c3 = st.columns(3)
    c1.download_button(
        "Download the panels (JSON)",
        json_text(outcome.document()),
        "panels.json",
        "application/json",
        type="primary",
        on_click="ignore",
        help="The panels JSON of the data contract, with the batch summary under 'batch'.",
    )
    c2.download_button(
        "Download the seats (CSV)",
        seats_csv(outcome),
        "seats.csv",
        "text/csv",
        on_click="ignore",
        help="One row per seat: dispute, mediator, role, nationality, UN regional group, gender.",
    )
    c3.download_button("Download this table (CSV)", frame_document(frame), "batch.csv", "text/csv", on_click="ignore")


def json_text(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False)


def main() -> None:
    st.title("Batch run")
    ws = current_workspace()
    if ws is None:
        return
    st.caption(
        f"Data in use: {data_label()}. One panel per dispute, chosen for all of them at once so that no mediator goes "
        "over capacity across the batch; decisions recorded so far count as cases already taken. Nothing is recorded "
        "by a batch run."
    )
    ids = choose(ws)
    with st.form("batch"):
        left, middle, right = st.columns(3)
        names = builtin_names()
        rules_name = left.selectbox("Rule set", names, index=names.index("iomed") if "iomed" in names else 0)
        max_lean = lean_cap_input(left, key="batch-lean-cap")
        seconds = middle.slider(
            "Time for the joint search (seconds)",
            10,
            300,
            60,
            step=10,
            help="The budget of the phase that shares capacity between disputes; the result says whether the "
            "assignment was proven best within it.",
        )
        fair = right.toggle(
            "Serve the worst-off dispute first",
            help="First make the lowest panel score as high as possible, then the total.",
        )
        quotas = quotas_form()
        go = st.form_submit_button(f"Run {len(ids)} dispute(s)", type="primary", disabled=not ids)
    if go and ids:
        config = BatchConfig(quotas=quotas, fair=fair, time_limit=float(seconds), workers=1)
        run(ws, ids, rules_name, config, max_lean)
    done = finished()
    if done is not None:
        st.session_state[RESULT_KEY] = done
    outcome = st.session_state.get(RESULT_KEY)
    if isinstance(outcome, BatchOutcome):
        show(ws, outcome)


# Streamlit runs a page as "__main__"; importing it (its helpers, in the tests) draws nothing.
if __name__ == "__main__":
    main()
