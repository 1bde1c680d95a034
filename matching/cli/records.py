"""Commands on the decision record: ``record`` commits a reviewed run's panels as decisions;
``audit`` checks the decision log, replays every decision, and writes or reads the auditor's export.

Both open the decisions database at ``--database`` (any SQLAlchemy URL), else ``DATABASE_URL``,
else the project's SQLite file. ``record`` signs in as ``--user``: the password comes from the
environment variable ``MATCHING_PASSWORD`` when set (for scripts), otherwise from a hidden prompt.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from matching.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_FAILURE,
    AppointmentsOpt,
    ConflictsOpt,
    DisputesOpt,
    Inputs,
    MediatorsOpt,
    PreferencesOpt,
    app,
    check_out,
    err,
    fail_usage,
    progress_bar,
)

if TYPE_CHECKING:
    from matching.api import AuditReport, DecisionStore

PASSWORD_VARIABLE = "MATCHING_PASSWORD"
MAX_PANELS_FILE = 200 * 1024 * 1024  # bytes: a year's batch output is a few MB

DatabaseOpt = Annotated[
    str | None,
    typer.Option("--database", help="Decisions database URL (default: DATABASE_URL, else var/decisions.sqlite)."),
]


def open_store(database: str | None) -> DecisionStore:
    from matching.api import DecisionStore

    return DecisionStore(database)


def password_for(user: str) -> str:
    """The password from ``MATCHING_PASSWORD``, or asked for without echo."""
    given = os.environ.get(PASSWORD_VARIABLE)
    if given is not None:
        return given
    return str(typer.prompt(f"Password for {user}", hide_input=True))


def _read_json(path: Path) -> object:
    try:
        if path.stat().st_size > MAX_PANELS_FILE:
            fail_usage(f"--panels {path} is larger than {MAX_PANELS_FILE // (1024 * 1024)} MB")
        return json.loads(path.read_bytes())
    except OSError as exc:
        fail_usage(f"--panels {path} cannot be read: {exc.strerror or exc}")
    except (ValueError, RecursionError):
        fail_usage(f"--panels {path} is not a JSON document (the output of solve or batch)")


@app.command()
def record(
    panels: Annotated[Path, typer.Option("--panels", help="The JSON written by solve or batch, reviewed.")],
    user: Annotated[str, typer.Option("--user", help="Your user name (a registrar).")],
    reason: Annotated[str, typer.Option("--reason", help="Why these panels are recorded (kept in the log).")] = "",
    database: DatabaseOpt = None,
    mediators: MediatorsOpt = None,
    disputes: DisputesOpt = None,
    conflicts: ConflictsOpt = None,
    preferences: PreferencesOpt = None,
    appointments: AppointmentsOpt = None,
) -> None:
    """Record the first panel of each dispute in a reviewed solve or batch output as the decision."""
    from matching.api import Permission, Workspace, input_mismatches, read_panels, record_panels

    document = _read_json(panels)
    checked = read_panels(document, panels.name)
    data = Inputs(mediators, disputes, conflicts, preferences, appointments).load()
    ws = Workspace(data)
    different = input_mismatches(checked.run, ws)
    if different:
        fail_usage(
            "the input files are not those the panels were made from: "
            + "; ".join(different)
            + ". Give the same --mediators, --disputes and optional files as the run."
        )
    store = open_store(database)
    session = store.sign_in(user, password_for(user))
    if not session.principal.may(Permission.RECORD):
        store.sign_out(session.token)
        err(f"Error: {session.principal.name} is a {session.principal.role.value}: only registrars record decisions.")
        raise typer.Exit(EXIT_FAILURE)  # the store would refuse each write anyway; this says so once
    try:
        outcomes = record_panels(store, ws, checked, session.token, reason, progress_bar)
    finally:
        store.sign_out(session.token)
    refused = [o for o in outcomes if o.decision is None]
    for o in outcomes:
        if o.decision is not None:
            typer.echo(f"{o.dispute_id}: recorded as decision #{o.decision.id} ({', '.join(o.decision.member_ids)}).")
        else:
            err(f"{o.dispute_id}: not recorded: {o.error}")
    typer.echo(f"{len(outcomes) - len(refused)} of {len(outcomes)} dispute(s) recorded by {user} in {store.location}.")
    if refused:
        raise typer.Exit(EXIT_FAILURE)


def _show(report: AuditReport) -> None:
    for finding in report.findings:
        mark = "PROBLEM" if finding.severity.value == "problem" else "note"
        typer.echo(f"{mark} [{finding.what}] {finding.message}")
    typer.echo(report.summary())


@app.command()
def audit(
    database: DatabaseOpt = None,
    file: Annotated[
        Path | None, typer.Option("--file", help="Audit an export (JSON lines) instead of the database.")
    ] = None,
    export: Annotated[
        Path | None, typer.Option("--export", help="Also write the auditor's export (JSON lines) to this file.")
    ] = None,
    expect_head: Annotated[
        str | None, typer.Option("--expect-head", help="A head hash published earlier: it must still be in the log.")
    ] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the findings as JSON to this file.")] = None,
) -> None:
    """Check the decision log's chain, replay every decision; exit 0 when all holds, 1 otherwise."""
    from matching.api import ExportError, audit_export, write_file, write_json

    if file is not None and (database is not None or export is not None):
        fail_usage("--file audits an export on its own: it takes no --database or --export")
    if expect_head is not None and (len(expect_head) != 64 or any(c not in "0123456789abcdef" for c in expect_head)):
        fail_usage("--expect-head takes the 64 hexadecimal digits that audit printed as the head hash")
    check_out(export, json_out)
    try:
        if file is not None:
            report = audit_export(file, expect_head, progress_bar)
        else:
            store = open_store(database)
            report = store.audit(expect_head, progress_bar)
            if export is not None:
                write_file(export, "".join(line + "\n" for line in store.export_log()))
                typer.echo(f"Export written to {export}; its head hash is {report.head_hash}.")
    except ExportError as exc:
        err(f"Error: {exc}")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    if json_out is not None:
        write_json(report.as_dict(), json_out)
    _show(report)
    if not report.ok:
        raise typer.Exit(EXIT_FAILURE)
