"""Command line for the planner: ``python -m matching plan``.

Forecasts the coming years' disputes (from a scenario file, or from the disputes and appointment history
on file), simulates the years with the roster as it is, recommends the mediators to recruit and re-runs
the years with them (see ``matching.plan.planner``), then writes the plan folder: ``plan.json``, the CSV
tables and ``report.html``, all or none. The years run on a process pool, or on a Dask cluster with
``--scheduler tcp://HOST:8786``. Exit status: 0 when the plan was made, 2 for bad input or arguments.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from matching.api import DEFAULT_RULE_SET, Quotas
from matching.cli.batch import _executor
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
    WeightOpt,
    app,
    check_out,
    progress_bar,
)


@app.command("plan")
def plan(
    out: Annotated[
        Path, typer.Option("--out", help="Folder to write the plan into (plan.json, CSV tables, report.html).")
    ],
    years: Annotated[
        int | None,
        typer.Option(
            "--years", min=1, max=50, help="Years to simulate (default: the scenario file's, or 10 without one)."
        ),
    ] = None,
    seed: SeedOpt = 0,
    scenario: Annotated[
        Path | None,
        typer.Option(
            "--scenario",
            help="Scenario file (TOML) describing the caseload to forecast; see docs/planning.md. Without it the "
            "caseload is drawn like the disputes and appointment history on file.",
        ),
    ] = None,
    mediators: MediatorsOpt = None,
    disputes: DisputesOpt = None,
    conflicts: ConflictsOpt = None,
    preferences: PreferencesOpt = None,
    appointments: AppointmentsOpt = None,
    rules: RulesOpt = DEFAULT_RULE_SET,
    weight: WeightOpt = None,
    max_lean: MaxLeanOpt = None,
    max_per_mediator: Annotated[
        int | None,
        typer.Option("--max-per-mediator", min=1, help="At most N new appointments per mediator in a year."),
    ] = None,
    max_state_share: Annotated[
        float | None,
        typer.Option(
            "--max-state-share",
            min=0.0,
            max=1.0,
            help="At most this share of a year's seats for nationals of one state.",
        ),
    ] = None,
    max_group_share: Annotated[
        float | None,
        typer.Option(
            "--max-group-share",
            min=0.0,
            max=1.0,
            help="At most this share of a year's seats for one UN regional group.",
        ),
    ] = None,
    min_women_share: Annotated[
        float | None,
        typer.Option(
            "--min-women-share", min=0.0, max=1.0, help="At least this share of a year's seats held by women."
        ),
    ] = None,
    max_same_party: Annotated[
        int | None,
        typer.Option(
            "--max-same-party", min=1, help="No mediator on more than N panels with the same party in a year."
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="Run on a Dask cluster, e.g. tcp://HOST:8786 (needs dask[distributed])."),
    ] = None,
    jobs: Annotated[
        int | None, typer.Option("--jobs", min=1, help="Processes on this machine (default: one per CPU core).")
    ] = None,
    verify: Annotated[
        bool,
        typer.Option(
            "--verify/--no-verify", help="Re-run the years with the recommended recruits to show before and after."
        ),
    ] = True,
) -> None:
    """Forecast the coming years, simulate them against the roster, recommend whom to recruit and prove it."""
    from matching.api import (
        InputError,
        combine_input_errors,
        headlines,
        load_scenario,
        make_plan,
        plural,
        scenario_from_data,
        write_plan,
    )

    check_out(folder=out)
    inputs = Inputs(mediators, disputes, conflicts, preferences, appointments)
    inputs.refuse_overwrite([scenario] if scenario else [], [out])
    # Every problem of the scenario file, the rule set and the data files is listed together (exit 2).
    errors: list[InputError] = []
    chosen = None
    try:
        chosen = load_scenario(scenario) if scenario is not None else None
    except InputError as exc:
        errors.append(exc)
    try:
        rule_set, data = inputs.load_with_rules(rules, weight, writes=(out,), max_lean=max_lean)
    except InputError as exc:
        errors.append(exc)
    if errors:
        raise combine_input_errors(errors)
    if chosen is None:
        chosen = scenario_from_data(data, years=years or 10)
    elif years is not None and years != chosen.years:
        chosen = chosen.model_copy(update={"years": years})
    quotas = Quotas(max_per_mediator, max_state_share, max_group_share, min_women_share, max_same_party)
    with _executor(scheduler, jobs or os.cpu_count() or 1) as executor:
        made = make_plan(data, rule_set, chosen, quotas=quotas, seed=seed, executor=executor, progress=progress_bar)
    written = write_plan(made, out, prepared_on=date.today())
    recruits = sum(r.count for r in made.recruits)
    typer.echo(
        f"Plan for {plural(chosen.years, 'year')}: recruit {plural(recruits, 'mediator')} "
        f"of {plural(len(made.recruits), 'profile')}."
    )
    for h in headlines(made):
        after = f", after {h.text(h.after)}" if made.after is not None else ""
        typer.echo(f"  {h.name} ({h.meaning.split(':')[0]}): before {h.text(h.before)}{after}")
    for note in made.notes:
        typer.echo(f"  {note}")
    typer.echo(f"Wrote {len(written)} files into {out}.")
