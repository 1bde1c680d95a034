"""Command line: ``python -m matching COMMAND``.

Every command reads the same input options. Exit status: 0 when the run completed (an
infeasible dispute is a result), 2 for bad input or bad arguments, 1 for anything else.
Without ``--mediators`` and ``--disputes`` the bundled demo data is used.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer

from matching.api import DEFAULT_RULE_SET, DEFAULT_TIME_LIMIT, InputError, InternalError, MatchingError, SolveConfig
from matching.cli.common import (
    DRAW_SEED_MAX,
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
    TimeOpt,
    WeightOpt,
    app,
    check_out,
    err,
    progress_bar,
)

log = logging.getLogger(__name__)
_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


@app.command()
def validate(
    mediators: MediatorsOpt = None,
    disputes: DisputesOpt = None,
    conflicts: ConflictsOpt = None,
    preferences: PreferencesOpt = None,
    appointments: AppointmentsOpt = None,
    rules: RulesOpt = DEFAULT_RULE_SET,
) -> None:
    """Load the files and report every problem (exit 2), or print a one-line summary."""
    _, data = Inputs(mediators, disputes, conflicts, preferences, appointments).load_with_rules(rules)
    typer.echo(
        f"OK: {len(data.mediators)} mediators, {len(data.disputes)} disputes, "
        f"{len(data.conflicts)} conflicts, {len(data.preferences)} preferences, "
        f"{len(data.appointments)} past appointments."
    )


@app.command()
def solve(
    out: Annotated[Path, typer.Option("--out", help="Where to write the panels JSON.")],
    mediators: MediatorsOpt = None,
    disputes: DisputesOpt = None,
    conflicts: ConflictsOpt = None,
    preferences: PreferencesOpt = None,
    appointments: AppointmentsOpt = None,
    rules: RulesOpt = DEFAULT_RULE_SET,
    candidates: Annotated[int, typer.Option("--candidates", min=1, max=50, help="Distinct panels per dispute.")] = 5,
    time_limit: TimeOpt = DEFAULT_TIME_LIMIT,
    seed: SeedOpt = 0,
    dispute: Annotated[list[str] | None, typer.Option("--dispute", help="Only these disputes (repeatable).")] = None,
    weight: WeightOpt = None,
    max_lean: MaxLeanOpt = None,
) -> None:
    """Propose up to N distinct candidate panels for each dispute, each on its own."""
    from matching.api import Workspace, now_iso, propose, run_block, run_document, write_json

    check_out(out)
    started, clock = now_iso(), time.perf_counter()
    rule_set, data = Inputs(mediators, disputes, conflicts, preferences, appointments).load_with_rules(
        rules, weight, writes=(out,), max_lean=max_lean
    )
    ws = Workspace(data)
    ids = dispute or [d.dispute_id for d in data.disputes]
    for did in ids:
        ws.dispute(did)  # unknown ids fail before any work
    config = SolveConfig(candidates=candidates, time_limit=time_limit, seed=seed)
    results = []
    with progress_bar(len(ids), "Solving disputes") as advance:
        for did in ids:
            results.append(propose(ws, did, rule_set, config))
            advance()
    settings = {"command": "solve", "disputes": ids, "candidates": candidates, "time_limit": time_limit}
    run = run_block(rule_set, seed, data.inputs_sha256, started, time.perf_counter() - clock, settings)
    write_json(run_document(results, run), out)
    counts = Counter(r.status for r in results)
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    typer.echo(f"{len(results)} disputes: {summary}. Wrote {out}.")


@app.command()
def score(
    panels: Annotated[
        Path, typer.Option("--panels", help="proposed.csv: dispute_id, members (chair first, ;-separated).")
    ],
    out: Annotated[Path, typer.Option("--out", help="Where to write scored.csv.")],
    mediators: MediatorsOpt = None,
    disputes: DisputesOpt = None,
    conflicts: ConflictsOpt = None,
    preferences: PreferencesOpt = None,
    appointments: AppointmentsOpt = None,
    rules: RulesOpt = DEFAULT_RULE_SET,
    weight: WeightOpt = None,
    max_lean: MaxLeanOpt = None,
) -> None:
    """Check panels proposed by someone else against the rules and score them like the solver."""
    from matching.api import Workspace, check_panel, read_proposed, scored_row, write_scored

    check_out(out)
    inputs = Inputs(mediators, disputes, conflicts, preferences, appointments)
    inputs.refuse_overwrite([panels], [out])
    rule_set, data = inputs.load_with_rules(rules, weight, writes=(out,), max_lean=max_lean)
    proposed = read_proposed(panels, set(data.disputes_by_id), set(data.mediators_by_id))
    ws = Workspace(data)
    rows = [scored_row(check_panel(ws, did, members, rule_set)) for did, members in proposed]
    write_scored(rows, out)
    ok = sum(1 for r in rows if r["feasible"] == "true")
    typer.echo(f"{len(rows)} panels checked: {ok} keep every hard rule. Wrote {out}.")


@app.command("why-not")
def why_not_command(
    dispute: Annotated[str, typer.Option("--dispute", help="Dispute id.")],
    mediator: Annotated[str, typer.Option("--mediator", help="Mediator id.")],
    mediators: MediatorsOpt = None,
    disputes: DisputesOpt = None,
    conflicts: ConflictsOpt = None,
    preferences: PreferencesOpt = None,
    appointments: AppointmentsOpt = None,
    rules: RulesOpt = DEFAULT_RULE_SET,
    time_limit: TimeOpt = DEFAULT_TIME_LIMIT,
    seed: SeedOpt = 0,
    weight: WeightOpt = None,
    max_lean: MaxLeanOpt = None,
) -> None:
    """Why a mediator is not on the best panel: the rules they break, or what including them costs."""
    from matching.api import Workspace, why_not

    rule_set, data = Inputs(mediators, disputes, conflicts, preferences, appointments).load_with_rules(
        rules, weight, max_lean=max_lean
    )
    answer = why_not(Workspace(data), dispute, mediator, rule_set, SolveConfig(time_limit=time_limit, seed=seed))
    for line in answer.sentences():
        typer.echo(line)


@app.command()
def tradeoffs(
    dispute: Annotated[str, typer.Option("--dispute", help="Dispute id.")],
    out: Annotated[Path, typer.Option("--out", help="Where to write the frontier JSON.")],
    mediators: MediatorsOpt = None,
    disputes: DisputesOpt = None,
    conflicts: ConflictsOpt = None,
    preferences: PreferencesOpt = None,
    appointments: AppointmentsOpt = None,
    rules: RulesOpt = DEFAULT_RULE_SET,
    time_limit: TimeOpt = DEFAULT_TIME_LIMIT,
    seed: SeedOpt = 0,
    weight: WeightOpt = None,
    max_lean: MaxLeanOpt = None,
    with_sensitivity: Annotated[
        bool, typer.Option("--sensitivity/--no-sensitivity", help="Also say how far each weight can move.")
    ] = True,
    with_lean: Annotated[
        bool,
        typer.Option("--lean-prices/--no-lean-prices", help="Also price each lean cap H8 in expertise."),
    ] = True,
) -> None:
    """The exact frontier between expertise and impartiality for one dispute, with what each step costs."""
    from matching.api import Workspace, frontier, lean_prices, now_iso, run_block, sensitivity, write_json

    check_out(out)
    started, clock = now_iso(), time.perf_counter()
    rule_set, data = Inputs(mediators, disputes, conflicts, preferences, appointments).load_with_rules(
        rules, weight, writes=(out,), max_lean=max_lean
    )
    ws = Workspace(data)
    ws.dispute(dispute)
    config = SolveConfig(time_limit=time_limit, seed=seed)
    front = frontier(ws, dispute, rule_set, config, progress=progress_bar)
    document = front.as_dict()
    if with_sensitivity:
        document["sensitivity"] = [w.as_dict() for w in sensitivity(ws, dispute, rule_set, config)]
    if with_lean:
        document["lean_cap"] = lean_prices(ws, dispute, rule_set, config, progress=progress_bar).as_dict()
    settings = {
        "command": "tradeoffs",
        "dispute": dispute,
        "time_limit": time_limit,
        "sensitivity": with_sensitivity,
        "lean_prices": with_lean,
    }
    run = run_block(rule_set, seed, data.inputs_sha256, started, time.perf_counter() - clock, settings)
    write_json({"run": run, **document}, out)
    typer.echo(
        f"{len(front.points)} frontier panels for {dispute} ({front.solves} solves, {front.seconds:.2f} s). Wrote {out}."
    )


@app.command("demo-data")
def demo_data(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the CSV files into.")],
    seed: Annotated[
        int,
        typer.Option(
            "--seed", min=0, max=DRAW_SEED_MAX, help="Random seed (0 to 2**63-1): the same seed gives the same files."
        ),
    ] = 2025,
    mediators: Annotated[int, typer.Option("--mediators", min=1, help="Roster size.")] = 600,
    disputes: Annotated[int, typer.Option("--disputes", min=1, help="Number of disputes.")] = 80,
) -> None:
    """Write a realistic, seeded demo data set (roster, disputes, conflicts, preferences, history, and the
    nominees and quotas of a roster selection for the compose command)."""
    from matching.api import DEFAULT_ROSTER_SIZE, write_demo_data, write_demo_roster, write_folder

    check_out(folder=out)
    # Generated in a private folder first, then written into ``out`` all or none.
    with tempfile.TemporaryDirectory() as tmp:
        staged = write_demo_data(Path(tmp), seed=seed, mediators=mediators, disputes=disputes)
        staged |= write_demo_roster(Path(tmp), size=min(DEFAULT_ROSTER_SIZE, mediators))
        write_folder(out, {path.name: path.read_bytes() for path in staged.values()})
    for name, path in staged.items():
        typer.echo(f"wrote {name}: {out / path.name}")


def main() -> None:
    """Run the command line; typer handles usage errors (exit 2), this handles the rest.

    ``MATCHING_LOG_LEVEL`` (for example ``INFO`` or ``DEBUG``) shows the library's log on stderr;
    at ``DEBUG`` an unexpected error also shows its traceback.
    """
    level = os.environ.get("MATCHING_LOG_LEVEL", "WARNING").upper()
    logging.basicConfig(level=level if level in _LEVELS else "WARNING", format="%(levelname)s %(name)s: %(message)s")
    try:
        app()
    except InputError as exc:
        err(str(exc))
        sys.exit(EXIT_BAD_INPUT)
    except InternalError as exc:
        log.debug("internal error", exc_info=True)
        err(f"Internal error ({exc.code}): {exc}. Nothing was written; please report this message.")
        sys.exit(EXIT_FAILURE)
    except MatchingError as exc:
        err(f"Error: {exc}")
        sys.exit(EXIT_BAD_INPUT)
    except Exception as exc:  # the last line of defence: no stack trace for users
        log.debug("unexpected error", exc_info=True)
        err(f"Unexpected error: {type(exc).__name__}: {exc}")
        sys.exit(EXIT_FAILURE)


# The other command modules register their commands on ``app`` when imported, after this module's own
# (typer lists commands in the order they were registered).
from matching.cli import batch, lottery, plan, records, reports, users  # noqa: E402, F401
