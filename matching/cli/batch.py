"""Command line for batches: ``python -m matching batch`` and ``python -m matching sweep``.

``batch`` assigns one panel to every dispute at once (see ``matching.batch.run``), its per-dispute work on
a process pool or, with ``--scheduler tcp://HOST:8786``, on a Dask cluster (the same panels either way);
``sweep`` runs many independent batches from a scenarios file (see ``matching.batch.sweep``) on a process
pool, or on a Dask cluster with ``--scheduler``. Exit status: 0 when the run completed (infeasible
disputes are results), 2 for bad input or arguments (an unreachable scheduler too), 1 otherwise.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing import get_context
from pathlib import Path
from typing import Annotated

import typer

from matching.api import (
    DEFAULT_BATCH_TIME_LIMIT,
    DEFAULT_BATCH_WORKERS,
    DEFAULT_GAP,
    DEFAULT_RULE_SET,
    BatchConfig,
    BatchError,
    Quotas,
    write_files,
)
from matching.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_FAILURE,
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
    err,
    fail_usage,
    progress_bar,
)


@app.command("batch")
def batch(
    out: Annotated[Path, typer.Option("--out", help="Where to write the panels JSON (one panel per dispute).")],
    mediators: MediatorsOpt = None,
    disputes: DisputesOpt = None,
    conflicts: ConflictsOpt = None,
    preferences: PreferencesOpt = None,
    appointments: AppointmentsOpt = None,
    rules: RulesOpt = DEFAULT_RULE_SET,
    time_limit: Annotated[
        float,
        typer.Option(
            "--time-limit",
            min=0.1,
            help="Budget of the joint assignment (after each dispute is solved alone), in the solvers' deterministic "
            "seconds: roughly seconds, but the same work on every run, so results are reproducible.",
        ),
    ] = DEFAULT_BATCH_TIME_LIMIT,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            help="Disputes solved at the same time: processes here, or worker processes on the cluster with "
            "--scheduler (every CP-SAT search uses one seeded worker, so the same inputs, settings, seed and "
            "--workers give the same panels wherever they run).",
        ),
    ] = DEFAULT_BATCH_WORKERS,
    seed: SeedOpt = 0,
    gap: Annotated[
        float,
        typer.Option(
            "--gap",
            min=0.0,
            max=0.99,
            help="Stop improving once the batch is proven within this share of the best possible total "
            "(0.005 = 0.5 %; 0 spends the whole time limit).",
        ),
    ] = DEFAULT_GAP,
    max_per_mediator: Annotated[
        int | None,
        typer.Option("--max-per-mediator", min=1, help="At most N new appointments per mediator in this batch."),
    ] = None,
    max_state_share: Annotated[
        float | None,
        typer.Option(
            "--max-state-share", min=0.0, max=1.0, help="At most this share of the seats for nationals of one state."
        ),
    ] = None,
    max_group_share: Annotated[
        float | None,
        typer.Option(
            "--max-group-share", min=0.0, max=1.0, help="At most this share of the seats for one UN regional group."
        ),
    ] = None,
    min_women_share: Annotated[
        float | None,
        typer.Option("--min-women-share", min=0.0, max=1.0, help="At least this share of the seats held by women."),
    ] = None,
    max_same_party: Annotated[
        int | None,
        typer.Option("--max-same-party", min=1, help="No mediator on more than N panels with the same party."),
    ] = None,
    fair: Annotated[
        bool, typer.Option("--fair", help="First make the worst-served dispute as good as possible, then the total.")
    ] = False,
    capacity_only: Annotated[
        bool,
        typer.Option(
            "--capacity-only",
            help="Require the exact min-cost-flow path (one-member panels, capacity and eligibility only); "
            "refused when the batch needs more.",
        ),
    ] = False,
    alone_limit: Annotated[
        float | None,
        typer.Option(
            "--alone-limit",
            min=0.0,
            help="Deterministic seconds for solving the disputes one by one (for very large batches), shared equally; "
            "a dispute whose share is too small gets its bound from the mediators' upper bounds instead of a solver "
            "(still valid, looser).",
        ),
    ] = None,
    seats_csv: Annotated[
        Path | None, typer.Option("--seats-csv", help="Also write the seats as CSV (one row per member).")
    ] = None,
    dispute: Annotated[list[str] | None, typer.Option("--dispute", help="Only these disputes (repeatable).")] = None,
    weight: WeightOpt = None,
    max_lean: MaxLeanOpt = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="Solve the disputes one by one on a Dask cluster, e.g. tcp://HOST:8786 (see docs/cluster.md); "
            "set --workers to the cluster's worker processes.",
        ),
    ] = None,
) -> None:
    """Assign one panel to every dispute at once, sharing the mediators' capacity, under optional quotas."""
    from matching.api import Workspace, json_text, seats_csv_text, solve_batch, write_json

    check_out(out, seats_csv)
    rule_set, data = Inputs(mediators, disputes, conflicts, preferences, appointments).load_with_rules(
        rules, weight, writes=(out, seats_csv), max_lean=max_lean
    )
    ws = Workspace(data)
    config = BatchConfig(
        quotas=Quotas(max_per_mediator, max_state_share, max_group_share, min_women_share, max_same_party),
        fair=fair,
        capacity_only=capacity_only,
        time_limit=time_limit,
        workers=workers,
        seed=seed,
        gap=gap,
        dispute_phase_limit=alone_limit,
    )
    try:
        if scheduler is None:
            outcome = solve_batch(ws, rule_set, config, dispute, progress=progress_bar)
        else:
            with _executor(scheduler, workers, slots=workers) as executor:
                outcome = solve_batch(ws, rule_set, config, dispute, progress=progress_bar, executor=executor)
    except BatchError as exc:
        fail_usage(str(exc))
    if seats_csv is None:
        write_json(outcome.document(), out)
    else:  # both files or neither
        write_files([(out, json_text(outcome.document())), (seats_csv, seats_csv_text(outcome.seats))])
    summary = outcome.summary
    typer.echo(summary.line())
    for line in outcome.diagnoses():
        typer.echo(f"  {line}")
    if summary.joint_infeasibility:
        for line in summary.joint_infeasibility.get("suggestions", []):
            typer.echo(f"  {line}")
    for quota in summary.quotas:
        typer.echo(f"  {quota.sentence()}")
    typer.echo(f"Method: {summary.method}. Wrote {out}" + (f" and {seats_csv}." if seats_csv else "."))


@app.command("sweep")
def sweep(
    scenarios: Annotated[Path, typer.Option("--scenarios", help="Scenarios file (TOML); see docs/inputs.md.")],
    out: Annotated[Path, typer.Option("--out", help="Where to write the results table (CSV).")],
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="Run on a Dask cluster, e.g. tcp://HOST:8786 (needs dask[distributed])."),
    ] = None,
    jobs: Annotated[
        int | None, typer.Option("--jobs", min=1, help="Processes on this machine (default: one per CPU core).")
    ] = None,
) -> None:
    """Run many independent batches (seeds, caseload draws, roster or rule variants) and tabulate them."""
    from matching.api import ScenarioError, read_scenarios, run_sweep, write_rows

    check_out(out)
    try:
        runs = read_scenarios(scenarios)
    except ScenarioError as exc:
        err(str(exc))
        raise typer.Exit(EXIT_BAD_INPUT) from None
    with _executor(scheduler, jobs or os.cpu_count() or 1) as executor:
        rows = run_sweep(runs, executor, progress_bar)
    write_rows(rows, out)
    failed = [r for r in rows if r.get("error")]
    staffed = [float(r["staffing_rate"]) for r in rows if r.get("staffing_rate") != ""]
    typer.echo(
        f"{len(rows)} run(s), {len(failed)} failed; staffing rate "
        + (f"{min(staffed):.1%} to {max(staffed):.1%}" if staffed else "n/a")
        + f". Wrote {out}."
    )
    for r in failed:
        err(f"  {r['scenario']} (seed {r['seed']}): {r['error']}")
    if failed:
        raise typer.Exit(EXIT_FAILURE)


@contextmanager
def _executor(scheduler: str | None, jobs: int, slots: int | None = None) -> Iterator[Executor]:
    """A process pool of ``jobs`` here, or a Dask cluster's executor when a scheduler address is given (a note
    when the cluster runs more or fewer tasks at a time than the ``slots`` the caller will use)."""
    if scheduler is None:
        # Fresh interpreters (spawn): safe whatever threads this process runs; one CP-SAT worker each.
        with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn")) as pool:
            yield pool
        return
    try:
        from dask import config as dask_config
        from distributed import Client
    except ImportError:
        fail_usage("--scheduler needs Dask: pip install 'dask[distributed]>=2024.8'.")
    try:
        # The wait for the scheduler is Dask's connect timeout (30 s unless DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT).
        client = Client(scheduler)
    except (OSError, ValueError, TypeError) as exc:  # unreachable, malformed, tls:// without certificates
        fail_usage(f"cannot reach the Dask scheduler at {scheduler!r}: {' '.join(str(exc).split())}")
    try:
        try:
            client.wait_for_workers(1, timeout=_connect_timeout())
        except TimeoutError:
            fail_usage(f"the Dask scheduler at {scheduler!r} has no workers; start some with: dask worker {scheduler}")
        threads = sum(client.nthreads().values())
        if slots is not None and threads < slots:
            err(f"Note: the cluster runs {threads} task(s) at a time; --workers {slots} asks for more, so some wait.")
        elif slots is not None and threads > slots:
            err(f"Note: the cluster runs {threads} task(s) at a time; --workers {slots} uses {slots} of them.")
        # A batch sends its inputs with a worker's first task (once per worker process), a plan or sweep each
        # job's: on purpose, so Dask's warning about large task graphs would only alarm the operator.
        with dask_config.set({"distributed.admin.large-graph-warning-threshold": "4GB"}):
            yield client.get_executor()
    finally:
        client.close()


def _connect_timeout() -> float:
    from dask.config import get
    from dask.utils import parse_timedelta

    seconds = parse_timedelta(get("distributed.comm.timeouts.connect"), default="seconds")
    return float(seconds) if seconds is not None else 30.0
