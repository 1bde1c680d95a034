"""Panels proposed by others (``score --panels proposed.csv``): reading them, writing the scores.

``proposed.csv`` has ``dispute_id`` and ``members`` (``;``-separated, chair first). The scored
file repeats them with ``feasible``, ``violations``, ``objective`` and one column per score
component, on the solver's scale.
"""

from __future__ import annotations

from pathlib import Path

from matching.core.errors import InputError, Problem, ProblemList
from matching.io.csv_out import write_csv
from matching.io.loading import read_table, split_list
from matching.io.rulesets import COMPONENTS

SCORED_COLUMNS = ("dispute_id", "members", "feasible", "violations", "objective", *COMPONENTS, "reasons")


def read_proposed(path: Path, dispute_ids: set[str], mediator_ids: set[str]) -> list[tuple[str, list[str]]]:
    """The proposed panels; raises ``InputError`` naming every unknown dispute or mediator."""
    label = path.name
    problems = ProblemList()
    table = read_table(path, problems)
    if table is None:
        raise InputError(problems)
    header, rows = table
    problems.extend(
        Problem(label, 1, col, "", "required column is missing", "missing_column")
        for col in ("dispute_id", "members")
        if col not in header
    )
    if "dispute_id" not in header or "members" not in header:
        raise InputError(problems)
    out = []
    for offset, row in enumerate(rows):
        if not row:
            continue
        number = offset + 2
        did = row.get("dispute_id", "").strip()
        members = split_list(row.get("members", ""))
        if did not in dispute_ids:
            problems.append(
                Problem(
                    label,
                    number,
                    "dispute_id",
                    did,
                    "names a dispute that is not in the disputes file",
                    "unknown_dispute",
                )
            )
        if not members:
            problems.append(Problem(label, number, "members", "", "lists no members", "bad_value"))
        for mid in members:
            if mid not in mediator_ids:
                problems.append(
                    Problem(
                        label, number, "members", mid, "names a mediator who is not in the roster", "unknown_mediator"
                    )
                )
        out.append((did, members))
    if problems:
        raise InputError(problems)
    return out


def write_scored(rows: list[dict[str, str]], path: Path) -> None:
    """The scored CSV (``SCORED_COLUMNS``), through the project's one CSV writer, written atomically."""
    write_csv(path, SCORED_COLUMNS, ([row[k] for k in SCORED_COLUMNS] for row in rows))
