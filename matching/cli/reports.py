"""Command line: ``python -m matching report --out DIR`` writes the neutrality reports.

The folder receives one CSV file per table (the schema is in ``matching.reports.neutrality``) and
``report.html``, a single self-contained page to e-mail and print. The roster and appointment
report is always written; panels are added with ``--panels proposed.csv`` (panels proposed by
someone else, as for ``score``) and ``--dispute ID`` (the solver's best panel for that dispute,
repeatable). Every input is checked before anything is written: bad input exits with status 2
and leaves the folder untouched.

The command registers itself on ``matching.cli.main.app`` when this module is imported.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from matching.api import (
    DEFAULT_FUNDER,
    DEFAULT_HOST,
    DEFAULT_RULE_SET,
    DEFAULT_TIME_LIMIT,
    SolveConfig,
    default_countries,
    write_folder,
)
from matching.cli.common import (
    AppointmentsOpt,
    ConflictsOpt,
    DisputesOpt,
    Inputs,
    MaxLeanOpt,
    MediatorsOpt,
    PreferencesOpt,
    RulesOpt,
    SeedOpt,
    TimeOpt,
    WeightOpt,
    app,
    check_out,
    err,
    fail_usage,
    progress_bar,
)

if TYPE_CHECKING:
    from matching.api import Thresholds

REPORT_FILE = "report.html"


def country_codes(values: list[str] | None, default: tuple[str, ...], option: str) -> tuple[str, ...]:
    """Codes from a repeatable option that also takes comma- or semicolon-separated lists."""
    if not values:
        return default
    codes = [part.strip().upper() for v in values for part in v.replace(";", ",").split(",") if part.strip()]
    ref = default_countries()
    unknown = [c for c in codes if c not in ref]
    if unknown:
        fail_usage(f"{option} has unknown country code(s) {', '.join(unknown)} (ISO 3166-1 alpha-3 expected).")
    if not codes:
        fail_usage(f"{option} needs at least one country code.")
    return tuple(dict.fromkeys(codes))


def parse_thresholds(items: list[str] | None) -> Thresholds:
    from matching.api import ThresholdError, Thresholds

    overrides: dict[str, str] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep:
            fail_usage(f"--threshold takes NAME=NUMBER, got {item!r}")
        overrides[name.strip()] = value.strip()
    try:
        return Thresholds().with_overrides(overrides)
    except ThresholdError as exc:
        fail_usage(f"--threshold: {exc}")


@app.command(
    "report",
    epilog="Example, flagging any state with more than 15% of the seats:\n\n"
    "python -m matching report --out reports --threshold state_share_above=0.15",
)
def report(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the CSV tables and report.html into.")],
    mediators: MediatorsOpt = None,
    disputes: DisputesOpt = None,
    conflicts: ConflictsOpt = None,
    preferences: PreferencesOpt = None,
    appointments: AppointmentsOpt = None,
    rules: RulesOpt = DEFAULT_RULE_SET,
    host: Annotated[
        list[str] | None,
        typer.Option("--host", help="Host state(s) whose nationals' share of seats is reported (default: CHN, HKG)."),
    ] = None,
    funder: Annotated[
        list[str] | None,
        typer.Option(
            "--funder", help="Largest funder(s) whose nationals' share of seats is reported (default, assumed: CHN)."
        ),
    ] = None,
    panels: Annotated[
        Path | None,
        typer.Option("--panels", help="proposed.csv: dispute_id, members (chair first, ;-separated) to report on."),
    ] = None,
    dispute: Annotated[
        list[str] | None,
        typer.Option("--dispute", help="Report the solver's best panel for this dispute (repeatable)."),
    ] = None,
    compare: Annotated[
        bool,
        typer.Option(
            "--compare/--no-compare",
            help="Compare each panel with the best and the most neutral panels (two solver runs per dispute).",
        ),
    ] = True,
    threshold: Annotated[
        list[str] | None,
        typer.Option("--threshold", help="Change a flag threshold: NAME=NUMBER (repeatable; an example is below)."),
    ] = None,
    time_limit: TimeOpt = DEFAULT_TIME_LIMIT,
    seed: SeedOpt = 0,
    weight: WeightOpt = None,
    max_lean: MaxLeanOpt = None,
) -> None:
    """Write the neutrality reports: roster and appointment tables, panels, flags, and report.html."""
    from matching.api import (
        PanelReport,
        Standing,
        Workspace,
        all_flags,
        chair_first,
        flags_table,
        panel_report,
        panel_tables,
        propose,
        read_proposed,
        render_report,
        roster_report,
        roster_tables,
        standing,
        table_files,
    )

    thresholds = parse_thresholds(threshold)
    host_codes = country_codes(host, DEFAULT_HOST, "--host")
    funder_codes = country_codes(funder, DEFAULT_FUNDER, "--funder")
    check_out(folder=out)  # a file, a link or an unwritable place: exit 2 before any work
    rule_set, data = Inputs(mediators, disputes, conflicts, preferences, appointments).load_with_rules(
        rules, weight, max_lean=max_lean
    )
    ws = Workspace(data)
    solver_ids = list(dict.fromkeys(dispute or []))
    for did in solver_ids:
        ws.dispute(did)  # an unknown id stops the run before any work
    proposed: list[tuple[str, list[str]]] = []
    if panels is not None:
        proposed = read_proposed(panels, {d.dispute_id for d in data.disputes}, set(data.mediators_by_id))

    roster = roster_report(data, host=host_codes, funder=funder_codes, countries=ws.countries)
    config = SolveConfig(candidates=1, time_limit=time_limit, seed=seed)
    standings: dict[str, Standing] = {}

    def compared(did: str) -> Standing | bool:
        if not compare:
            return False
        if did not in standings:
            standings[did] = standing(ws, did, rule_set, config)
        return standings[did]

    reports: list[PanelReport] = []
    notes: list[str] = []
    work = len(solver_ids) + len(proposed)
    if work:
        with progress_bar(work, "Reporting on panels") as advance:
            for did in solver_ids:
                result = propose(ws, did, rule_set, config)
                if result.panels:
                    reports.append(
                        panel_report(
                            ws,
                            did,
                            chair_first(result.panels[0]),
                            rule_set,
                            panel_id=f"P{len(reports) + 1}",
                            source="solver",
                            compare=compared(did),
                        )
                    )
                else:
                    rules_in_way = ", ".join((result.infeasibility or {}).get("conflicting_rules", []))
                    notes.append(
                        f"{did}: the solver finds no panel that keeps every hard rule"
                        + (f" (rules in the way: {rules_in_way})." if rules_in_way else ".")
                    )
                advance()
            for did, members in proposed:
                reports.append(
                    panel_report(
                        ws,
                        did,
                        members,
                        rule_set,
                        panel_id=f"P{len(reports) + 1}",
                        source="proposed",
                        compare=compared(did),
                    )
                )
                advance()

    flags = all_flags(roster, reports, thresholds)
    tables = [*roster_tables(roster), flags_table(flags), *panel_tables(reports)]
    page = render_report(
        roster,
        reports,
        flags,
        tables,
        thresholds=thresholds,
        prepared_on=date.today(),
        rule_set=rule_set.name,
        inputs=data.inputs_sha256,
        notes=notes,
    )

    files = table_files(tables)
    write_folder(out, {**files, REPORT_FILE: page})  # every table and the page, or nothing
    for note in notes:
        err(note)
    typer.echo(
        f"{roster.total_seats} seats, {len(reports)} panel(s), {len(flags)} flag(s). "
        f"Wrote {len(files)} CSV files and {REPORT_FILE} to {out}."
    )
