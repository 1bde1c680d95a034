"""Errors the library raises, each carrying a code and the offending values.

``InputError`` gathers every problem found while loading, so that a user sees the whole list at
once; each ``Problem`` names the file, the row (as a spreadsheet numbers it: the header is row 1,
the first record row 2), the column and the value.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong in one input file."""

    file: str
    row: int | None
    column: str | None
    value: str
    message: str
    code: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column}"
        shown = f" (value: {self.value!r})" if self.value != "" else ""
        return f"{where}: {self.message}{shown}"


class MatchingError(Exception):
    """Base class: every error the library raises on purpose has a code."""

    code = "error"


class InputError(MatchingError):
    """The input files have problems; none of them was loaded."""

    code = "bad_input"

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} in the input:\n{lines}")


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
