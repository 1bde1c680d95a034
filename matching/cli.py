"""Command line: ``python -m matching COMMAND``.

Every command reads the same input options. Exit status: 0 when the run completed (an
infeasible dispute is a result), 2 for bad input or bad arguments, 1 for anything else.
Without ``--mediators`` and ``--disputes`` the bundled demo data is used.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from matching.domain import Dataset
from matching.errors import InputError, MatchingError
from matching.loading import find_input, load_dataset
from matching.paths import demo_dir

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
RulesOpt = Annotated[str, typer.Option("--rules", help="Rule set name or path to a TOML file.")]


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


@app.command()
def validate(
    mediators: MediatorsOpt = None,
    disputes: DisputesOpt = None,
    conflicts: ConflictsOpt = None,
    preferences: PreferencesOpt = None,
    appointments: AppointmentsOpt = None,
    rules: RulesOpt = "iomed",
) -> None:
    """Load the files and report every problem (exit 2), or print a one-line summary."""
    data = Inputs(mediators, disputes, conflicts, preferences, appointments).load()
    typer.echo(
        f"OK: {len(data.mediators)} mediators, {len(data.disputes)} disputes, "
        f"{len(data.conflicts)} conflicts, {len(data.preferences)} preferences, "
        f"{len(data.appointments)} past appointments."
    )


@app.command("demo-data")
def demo_data(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the CSV files into.")],
    seed: Annotated[int, typer.Option("--seed", help="Random seed: the same seed gives the same files.")] = 2025,
    mediators: Annotated[int, typer.Option("--mediators", min=1, help="Roster size.")] = 600,
    disputes: Annotated[int, typer.Option("--disputes", min=1, help="Number of disputes.")] = 80,
) -> None:
    """Write a realistic, seeded demo data set (roster, disputes, conflicts, preferences, history)."""
    from matching.demo import write_demo_data

    written = write_demo_data(out, seed=seed, mediators=mediators, disputes=disputes)
    for name, path in written.items():
        typer.echo(f"wrote {name}: {path}")


def main() -> None:
    """Run the command line; typer handles usage errors (exit 2), this handles the rest."""
    try:
        app()
    except InputError as exc:
        err(str(exc))
        sys.exit(EXIT_BAD_INPUT)
    except MatchingError as exc:
        err(f"Error: {exc}")
        sys.exit(EXIT_BAD_INPUT)
    except Exception as exc:  # the last line of defence: no stack trace for users
        err(f"Unexpected error: {type(exc).__name__}: {exc}")
        sys.exit(EXIT_FAILURE)
