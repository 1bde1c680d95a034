"""Command line for the fair lotteries: ``lottery`` (one dispute's panel) and ``compose`` (the roster).

Registered on ``matching.cli.main.app``; exit status as everywhere: 0 when the run completed, 2 for
bad input or arguments (every problem listed, nothing written), 1 otherwise.

* ``python -m matching lottery --dispute D --out lottery.json [--floor 0.95] [--seed S]
  [--tickets M] [--method leximin|maximin|nash]`` plus the usual input options.
* ``python -m matching compose --features F.csv --nominees N.csv --size K --out probs.csv
  [--method leximin|maximin|nash] [--id-column nationbuilder_id]``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from matching.api import (
    COMPOSE_TIME_LIMIT,
    DEFAULT_FLOOR,
    DEFAULT_ID_COLUMN,
    DEFAULT_RULE_SET,
    DEFAULT_TICKETS,
    DEFAULT_TIME_LIMIT,
    SOLVER_SEED_MAX,
    InputError,
    MatchingError,
    SolveConfig,
)
from matching.cli.common import (
    DRAW_SEED_MAX,
    EXIT_BAD_INPUT,
    AppointmentsOpt,
    ConflictsOpt,
    DisputesOpt,
    Inputs,
    MaxLeanOpt,
    MediatorsOpt,
    PreferencesOpt,
    RulesOpt,
    TimeOpt,
    WeightOpt,
    app,
    check_out,
    err,
    progress_bar,
)


class Method(StrEnum):
    LEXIMIN = "leximin"
    MAXIMIN = "maximin"
    NASH = "nash"


MethodOpt = Annotated[
    Method, typer.Option("--method", help="leximin (default), maximin or nash (the last two for comparison).")
]


@contextmanager
def _exit_on_bad_input() -> Iterator[None]:
    """Bad input or an unknown id: print the whole list and exit 2 (also when called without ``main``)."""
    try:
        yield
    except InputError as exc:
        err(str(exc))
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except MatchingError as exc:
        err(f"Error: {exc}")
        raise typer.Exit(EXIT_BAD_INPUT) from None


@app.command("lottery")
def lottery_command(
    dispute: Annotated[str, typer.Option("--dispute", help="Dispute id.")],
    out: Annotated[Path, typer.Option("--out", help="Where to write the lottery JSON.")],
    mediators: MediatorsOpt = None,
    disputes: DisputesOpt = None,
    conflicts: ConflictsOpt = None,
    preferences: PreferencesOpt = None,
    appointments: AppointmentsOpt = None,
    rules: RulesOpt = DEFAULT_RULE_SET,
    floor: Annotated[
        float,
        typer.Option(
            "--floor", min=0.0, max=1.0, help="Acceptable panels score at least optimum - (1 - floor) * |optimum|."
        ),
    ] = DEFAULT_FLOOR,
    seed: Annotated[
        int,
        typer.Option(
            "--seed",
            min=0,
            max=DRAW_SEED_MAX,
            help="Seed of the public draw (0 to 2**63-1). The ticket list does not depend on it, so it can be "
            "published first.",
        ),
    ] = 0,
    tickets: Annotated[
        int, typer.Option("--tickets", min=1, max=1_000_000, help="Equally likely tickets the lottery is rounded to.")
    ] = DEFAULT_TICKETS,
    method: MethodOpt = Method.LEXIMIN,
    time_limit: TimeOpt = DEFAULT_TIME_LIMIT,
    weight: WeightOpt = None,
    max_lean: MaxLeanOpt = None,
) -> None:
    """A fair lottery over every panel that keeps the hard rules and scores near the optimum, and a seeded draw."""
    from matching.api import Workspace, dispute_lottery, now_iso, write_json

    check_out(out)
    started, clock = now_iso(), time.perf_counter()
    with _exit_on_bad_input():
        rule_set, data = Inputs(mediators, disputes, conflicts, preferences, appointments).load_with_rules(
            rules, weight, writes=(out,), max_lean=max_lean
        )
        ws = Workspace(data)
        ws.dispute(dispute)
        # The solver's own seed stays fixed: the ticket list must not depend on the public seed.
        config = SolveConfig(candidates=1, time_limit=time_limit, seed=0)
        result = dispute_lottery(
            ws, dispute, rule_set, floor, seed, tickets, method.value, config, progress=progress_bar
        )
    elapsed = time.perf_counter() - clock
    document = result.document(rule_set, data.inputs_sha256, started, elapsed, time_limit, config.seed)
    with _exit_on_bad_input():
        write_json(document, out)
    if result.drawn is None:
        typer.echo(f"{dispute}: {result.status}, no acceptable panel: nothing to draw. Wrote {out}.")
        return
    chair, *rest = result.drawn.member_ids
    typer.echo(
        f"{dispute}: {method.value} lottery over {len(result.panels)} panels; {result.in_some_panel} of "
        f"{result.eligible} eligible mediators have a chance, the least {float(result.minimum or 0):.4f}. "
        f"Seed {seed} drew ticket {result.drawn_ticket} of {tickets}: chair {chair}"
        + (f", members {', '.join(rest)}" if rest else "")
        + f". Wrote {out}."
    )
    if result.stop_note is not None:
        err(f"Warning: {result.stop_note}")


@app.command("compose")
def compose_command(
    features: Annotated[
        Path,
        typer.Option(
            "--features",
            help="Quotas (CSV): the columns feature, value, min and max, and optionally min_flex and max_flex.",
        ),
    ],
    nominees: Annotated[Path, typer.Option("--nominees", help="Nominees: an id column and one column per feature.")],
    size: Annotated[int, typer.Option("--size", min=1, help="How many nominees to select (K).")],
    out: Annotated[Path, typer.Option("--out", help="Where to write id,probability for every nominee.")],
    method: MethodOpt = Method.LEXIMIN,
    id_column: Annotated[str, typer.Option("--id-column", help="The nominees' id column.")] = DEFAULT_ID_COLUMN,
    seed: Annotated[int, typer.Option("--seed", min=0, max=SOLVER_SEED_MAX, help="Solver seed (0 to 2**31-1).")] = 0,
    time_limit: Annotated[
        float, typer.Option("--time-limit", min=0.01, help="Limit per pricing solve, in deterministic seconds.")
    ] = COMPOSE_TIME_LIMIT,
) -> None:
    """Fair selection of the roster: each nominee's probability of being among the K chosen under the quotas."""
    from matching.api import compose, load_problem, write_probabilities

    check_out(out)
    with _exit_on_bad_input():
        problem = load_problem(features, nominees, size, id_column)
        result = compose(problem, method.value, seed=seed, time_limit=time_limit, progress=progress_bar)
    with _exit_on_bad_input():
        write_probabilities(out, result)
    if result.unreachable:
        err(
            f"Warning: {len(result.unreachable)} nominee(s) are in no selection that meets the quotas and get "
            f"probability 0: {', '.join(result.unreachable)}"
        )
    lottery = result.lottery
    note = "" if lottery.proven else " (a pricing problem hit its time limit: optimality not proven)"
    typer.echo(
        f"{method.value}: {len(problem.nominees)} nominees, {size} seats; smallest probability among the "
        f"{len(result.reachable)} who can be selected: {float(lottery.minimum):.6f}{note}. Wrote {out}."
    )
