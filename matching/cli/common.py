"""What every command shares: the typer app, the input options, loading, rule sets and errors.

Command modules (``main``, ``batch``, ``lottery``, ``reports``) register themselves on ``app``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from typer.core import TyperCommand, TyperGroup, TyperOption

from matching.api import (
    MAX_WEIGHT,
    SOLVER_SEED_MAX,
    Advance,
    Dataset,
    InputError,
    OutputPathError,
    check_output_folder,
    check_outputs,
    combine_input_errors,
    demo_dir,
    find_input,
    load_dataset,
)

if TYPE_CHECKING:
    from matching.api import RuleSet


def _untyped_flags(params: list[Any]) -> list[Any]:
    """A flag (``--fair``, ``--help``) takes no value, so its help line shows no type: typer would print
    ``<bool>`` in the type column; an empty metavar leaves that column blank for flags only."""
    for param in params:
        if isinstance(param, TyperOption) and param.is_flag and param.metavar is None:
            param.metavar = ""
    return params


class _Command(TyperCommand):
    def get_params(self, ctx: Any) -> list[Any]:
        return _untyped_flags(super().get_params(ctx))


class _Group(TyperGroup):
    def get_params(self, ctx: Any) -> list[Any]:
        return _untyped_flags(super().get_params(ctx))


class _App(typer.Typer):
    """The typer app whose commands show flags without a type (see ``_untyped_flags``)."""

    def command(  # type: ignore[override]
        self, name: str | None = None, *, cls: type[TyperCommand] | None = None, **kwargs: Any
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return super().command(name, cls=cls or _Command, **kwargs)


app = _App(
    help="Mediator panel matcher: validate inputs, propose panels, score proposed panels.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=_Group,
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

    def files(self) -> list[Path]:
        """The input files this command reads: those given, or the bundled demo files."""
        given = [self.mediators, self.disputes, self.conflicts, self.preferences, self.appointments]
        if self.mediators is None and self.disputes is None:
            given += [p for p in demo_dir().iterdir() if p.is_file()]
        return [p for p in given if p is not None]

    def refuse_overwrite(self, other_inputs: Sequence[str | Path], writes: Sequence[Path | None]) -> None:
        """Exit 2 when an output would replace one of the inputs (the data, a rule-set file, …)."""
        reads = {Path(p).resolve() for p in [*self.files(), *other_inputs] if Path(p).suffix}
        for out in writes:
            if out is not None and out.resolve() in reads:
                fail_usage(f"--out {out} names one of this command's input files; choose another file")

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

    def load_with_rules(
        self,
        rules: str,
        weights: list[str] | None = None,
        writes: Sequence[Path | None] = (),
        max_lean: int | None = None,
    ) -> tuple[RuleSet, Dataset]:
        """The rule set (with any ``--weight`` overrides and the ``--max-lean`` cap) and the data set; the
        problems of both are listed together in one ``InputError``. ``writes`` are the command's output
        files: naming one of the input files among them is refused (exit 2) before anything is read."""
        self.refuse_overwrite([rules], writes)
        errors: list[InputError] = []
        rule_set: RuleSet | None = None
        try:
            rule_set = rule_set_option(rules, weights).with_max_lean(max_lean)
        except InputError as exc:
            errors.append(exc)
        try:
            data = self.load()
        except InputError as exc:
            errors.append(exc)
        if errors or rule_set is None:
            raise combine_input_errors(errors)
        return rule_set, data


def err(message: str) -> None:
    typer.echo(message, err=True)


def fail_usage(message: str) -> NoReturn:
    err(f"Error: {message}")
    raise typer.Exit(EXIT_BAD_INPUT)


def check_out(*files: Path | None, folder: Path | None = None) -> None:
    """Refuse bad output paths before any work: exit 2, nothing written (``matching.io.out_paths``).

    ``files`` are output files (None skipped; no two the same), ``folder`` an output folder.
    """
    try:
        check_outputs(*files)
        if folder is not None:
            check_output_folder(folder)
    except OutputPathError as exc:
        fail_usage(str(exc))


def rule_set_option(name: str, weights: list[str] | None = None) -> RuleSet:
    """The rule set ``--rules`` names with the ``--weight`` overrides; ``InputError`` lists the problems of both."""
    from matching.api import WEIGHT_NAMES, load_rule_set, weight_problems

    overrides: dict[str, float] = {}
    for item in weights or []:
        key, sep, value = item.partition("=")
        usage = f"--weight takes NAME=NUMBER, got {item!r}; NAME is one of {', '.join(WEIGHT_NAMES)}"
        try:
            overrides[key.strip()] = float(value)
        except ValueError:
            fail_usage(usage)
        if not sep:
            fail_usage(usage)
    errors: list[InputError] = []
    try:
        rule_set = load_rule_set(name)
    except InputError as exc:
        errors.append(exc)
    problems = weight_problems(overrides, "--weight")
    if problems:
        errors.append(InputError(problems))
    if errors:
        raise combine_input_errors(errors)
    return rule_set.with_weights(**overrides) if overrides else rule_set


WeightOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--weight", help=f"Override a weight, e.g. --weight neutrality=1.5 (repeatable; 0 to {MAX_WEIGHT:g})."
    ),
]


MaxLeanOpt = Annotated[
    int | None,
    typer.Option(
        "--max-lean",
        min=0,
        max=100,
        help="Lean cap H8 for this run: a panel's bloc alignment with one party may exceed that with another by "
        "at most this (0 to 100; replaces the rule set's max_lean).",
    ),
]


# CP-SAT takes a 32-bit seed; numpy's generators (the lottery's public draw, the demo data) any
# whole number from 0, bounded here to 64 bits. A seed outside its range is a usage error (exit 2).
DRAW_SEED_MAX = 2**63 - 1


SeedOpt = Annotated[
    int,
    typer.Option(
        "--seed", min=0, max=SOLVER_SEED_MAX, help="Solver seed: the same seed gives the same panels (0 to 2**31-1)."
    ),
]


TimeOpt = Annotated[
    float,
    typer.Option(
        "--time-limit", min=0.01, help="Solver limit per solve, in deterministic seconds (about wall seconds)."
    ),
]


@contextmanager
def progress_bar(total: int, label: str, /) -> Iterator[Advance]:
    """The library's progress reports as a rich bar on stderr."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=False) as bar:
        task = bar.add_task(label, total=total)

        def advance(steps: int = 1, /) -> None:
            bar.advance(task, steps)

        yield advance
