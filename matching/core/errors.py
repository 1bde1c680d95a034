"""Errors the library raises, each carrying a code and the offending values.

``InputError`` gathers every problem found while loading, so that a user sees the whole list at
once; each ``Problem`` names the file, the row (as a spreadsheet numbers it: the header is row 1,
the first record row 2), the column and the value. A list can be very long (a garbage file gives a
problem per cell): ``ProblemList`` keeps the first ``MAX_LISTED`` and counts every problem by kind,
and ``InputError`` lists those first ones and the counts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

MAX_LISTED = 300  # problems kept and listed; beyond them, only the count of each kind
MAX_SHOWN_VALUE = 80  # characters of a value shown in a message
ALWAYS_LISTED = frozenset({"checking_stopped"})  # kinds listed even beyond MAX_LISTED


def shorten(value: str, limit: int = MAX_SHOWN_VALUE) -> str:
    """``value`` cut to ``limit`` characters (with an ellipsis and the full length when cut)."""
    if len(value) <= limit:
        return value
    return f"{value[:limit]}… ({len(value):,} characters)"


@dataclass(frozen=True)
class Problem:
    """One thing wrong in one input file: a cell (``column``) or, in a rule set, a ``key``."""

    file: str
    row: int | None
    column: str | None
    value: str
    message: str
    code: str
    label: str = "column"  # what ``column`` names: a CSV "column", a rule set's "key", or "" for an option's item

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", {self.label} {self.column}" if self.label else f" {self.column}"
        shown = f" (value: {shorten(self.value)!r})" if self.value != "" else ""
        return f"{where}: {self.message}{shown}"


class ProblemList(list[Problem]):
    """A list of problems that keeps the first ``limit`` and counts every one by kind (``Problem.code``).

    Loading a garbage file finds a problem in nearly every cell; keeping millions of them would cost
    memory and time and help nobody, so the list stops growing and only counts."""

    def __init__(self, problems: Iterable[Problem] = (), limit: int = MAX_LISTED) -> None:
        super().__init__()
        self.limit = limit
        self.counts: Counter[str] = Counter()
        self.extend(problems)

    def append(self, problem: Problem) -> None:
        self.counts[problem.code] += 1
        if len(self) < self.limit or problem.code in ALWAYS_LISTED:
            super().append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        for problem in problems:
            self.append(problem)

    @property
    def total(self) -> int:
        """How many problems were found, kept or not."""
        return sum(self.counts.values())

    def sorted_by(self, key: Callable[[Problem], Any]) -> ProblemList:
        """The kept problems in the order of ``key``, with the same counts."""
        out = ProblemList(limit=self.limit)
        list.extend(out, sorted(self, key=key))
        out.counts = Counter(self.counts)
        return out


class MatchingError(Exception):
    """Base class: every error the library raises on purpose has a code."""

    code = "error"


class InputError(MatchingError):
    """The input files have problems; none of them was loaded."""

    code = "bad_input"

    def __init__(self, problems: Iterable[Problem]) -> None:
        found = problems if isinstance(problems, ProblemList) else ProblemList(problems)
        self.problems: list[Problem] = list(found)
        self.counts: Counter[str] = Counter(found.counts)
        self.total = found.total
        lines = "\n".join(f"  - {p}" for p in self.problems)
        head = f"{self.total:,} problem{'s' if self.total != 1 else ''} in the input"
        if self.total <= len(self.problems):
            super().__init__(f"{head}:\n{lines}")
            return
        kinds = ", ".join(f"{code} {n:,}" for code, n in self.counts.most_common())
        super().__init__(
            f"{head}; the first {len(self.problems):,} are listed:\n{lines}\n"
            f"  … and {self.total - len(self.problems):,} more. Problems of each kind: {kinds}."
        )


def combine_input_errors(errors: Iterable[InputError]) -> InputError:
    """One ``InputError`` listing the problems of several (a rule set's and the input files'), counts added up."""
    merged = ProblemList()
    for error in errors:
        for problem in error.problems:
            if len(merged) < merged.limit or problem.code in ALWAYS_LISTED:
                list.append(merged, problem)
        merged.counts.update(error.counts)
    return InputError(merged)


class UnknownIdError(MatchingError):
    """A command named a dispute, mediator or rule set that does not exist."""

    code = "unknown_id"

    def __init__(self, kind: str, value: str, known: list[str] | None = None) -> None:
        self.kind = kind
        self.value = value
        hint = ""
        if known:
            hint = f" Known: {', '.join(known[:10])}{'…' if len(known) > 10 else ''}."
        super().__init__(f"No {kind} called {value!r}.{hint}")


class ArgumentError(MatchingError, ValueError):
    """A setting passed to the library is out of its range (a floor above 1, no tickets, an unknown method)."""

    code = "bad_argument"


class InternalError(MatchingError):
    """Something the library guarantees did not hold (an invalid model, two checks that disagree).

    Never the user's fault: the command line exits with status 1 and the app shows a plain apology;
    the message names what disagreed so that it can be reported.
    """

    code = "internal"


class Cancelled(MatchingError):
    """The user stopped a long computation (``matching.core.progress.CancelToken``) before it had
    anything usable to return; an operation that has a best result so far returns that instead."""

    code = "cancelled"

    def __init__(self, message: str = "stopped before any result was found") -> None:
        super().__init__(message)
