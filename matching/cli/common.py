"""What every command shares: the typer app, the input options, loading, rule sets and errors.

Command modules (``main``, ``batch``, ``lottery``, ``reports``) register themselves on ``app``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from matching.api import Dataset, RuleSet, demo_dir, find_input, load_dataset, load_rule_set

app = typer.Typer(
    help="Mediator panel matcher: validate inputs, propose panels, score proposed panels.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


EXIT_BAD_INPUT = 2


EXIT_FAILURE = 1


MediatorsOpt = Annotated[Path | None, typer.Option("--mediators", help="Roster: mediators.csv or .parquet.")]


DisputesOpt = Annotated[Path | None, typer.Option("--disputes", help="Disputes: disputes.csv or .parquet.")]


ConflictsOpt = Annotated[Path | None, typer.Option("--conflicts", help="Conflicts of interest (optional).")]


PreferencesOpt = Annotated[Path | None, typer.Option("--preferences", help="Party strikes and ranks (optional).")]


AppointmentsOpt = Annotated[Path | None, typer.Option("--appointments", help="Appointment history (optional).")]


RulesOpt = Annotated[
    str, typer.Option("--rules", help="Rule set: iomed, icsid, uncitral-list, or the path of a TOML file.")
]


@dataclass(frozen=True)
class Inputs:
    mediators: Path | None
    disputes: Path | None
    conflicts: Path | None
    preferences: Path | None
    appointments: Path | None

    def load(self) -> Dataset:
        if self.mediators is None and self.disputes is None:
            folder = demo_dir()
            err(f"No --mediators/--disputes given: using the bundled demo data in {folder}.")
            return load_dataset(
                mediators=folder / "mediators.csv",
                disputes=folder / "disputes.csv",
                conflicts=self.conflicts or find_input(folder, "conflicts"),
                preferences=self.preferences or find_input(folder, "preferences"),
                appointments=self.appointments or find_input(folder, "appointments"),
            )
        if self.mediators is None or self.disputes is None:
            fail_usage("--mediators and --disputes go together: give both, or neither for the demo data.")
        return load_dataset(
            mediators=self.mediators,
            disputes=self.disputes,
            conflicts=self.conflicts,
            preferences=self.preferences,
            appointments=self.appointments,
        )


def err(message: str) -> None:
    typer.echo(message, err=True)


def fail_usage(message: str) -> NoReturn:
    err(f"Error: {message}")
    raise typer.Exit(EXIT_BAD_INPUT)


def rule_set_option(name: str, weights: list[str] | None = None) -> RuleSet:
    rule_set = load_rule_set(name)
    overrides: dict[str, float] = {}
    for item in weights or []:
        key, sep, value = item.partition("=")
        try:
            overrides[key.strip()] = float(value)
        except ValueError:
            fail_usage(f"--weight takes NAME=NUMBER, got {item!r}")
        if not sep:
            fail_usage(f"--weight takes NAME=NUMBER, got {item!r}")
    return rule_set.with_weights(**overrides) if overrides else rule_set


WeightOpt = Annotated[
    list[str] | None,
    typer.Option("--weight", help="Override a weight, e.g. --weight neutrality=1.5 (repeatable)."),
]


SeedOpt = Annotated[int, typer.Option("--seed", help="Solver seed: the same seed gives the same panels.")]


TimeOpt = Annotated[
    float,
    typer.Option(
        "--time-limit", min=0.01, help="Solver limit per solve, in deterministic seconds (about wall seconds)."
    ),
]
