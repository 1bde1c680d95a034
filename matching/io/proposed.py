"""Panels proposed by others (``score --panels proposed.csv``): reading them, writing the scores.

``proposed.csv`` has ``dispute_id`` and ``members`` (``;``-separated, chair first). The scored
file repeats them with ``feasible``, ``violations``, ``objective`` and one column per score
component, on the solver's scale.
"""

from __future__ import annotations

import csv
from pathlib import Path

from matching.core.errors import InputError, Problem
from matching.io.csv_out import safe_cell
from matching.io.loading import read_rows, split_list
from matching.io.rulesets import COMPONENTS

SCORED_COLUMNS = ("dispute_id", "members", "feasible", "violations", "objective", *COMPONENTS, "reasons")


def read_proposed(path: Path, dispute_ids: set[str], mediator_ids: set[str]) -> list[tuple[str, list[str]]]:
    """The proposed panels; raises ``InputError`` naming every unknown dispute or mediator."""
    label = path.name
    try:
        header, rows = read_rows(path)
    except FileNotFoundError:
        raise InputError([Problem(label, None, None, str(path), "file not found", "missing_file")]) from None
    problems = [
        Problem(label, 1, col, "", "required column is missing", "missing_column")
        for col in ("dispute_id", "members")
        if col not in header
    ]
    if problems:
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
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=SCORED_COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow(
                {k: safe_cell(row[k]) if k in ("dispute_id", "members", "reasons") else row[k] for k in SCORED_COLUMNS}
            )
    tmp.replace(path)
