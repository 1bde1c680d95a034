"""Factory helpers: small valid input rows and files, to be bent into the case under test."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from matching.io.loading import SCHEMAS


def mediator_row(mediator_id: str = "M1", /, **overrides: Any) -> dict[str, str]:
    row = {
        "mediator_id": mediator_id,
        "name": f"Mediator {mediator_id}",
        "nationalities": "KEN",
        "gender": "F",
        "languages": "en;sw",
        "legal_traditions": "",
        "expertise": "water:4;trade:2",
        "years_experience": "12",
        "max_cases": "4",
        "active_cases": "1",
        "available": "true",
        "declaration_signed": "true",
        "nominated_by": "KEN",
        "profile": "Former legal adviser on transboundary watercourses.",
    }
    row.update({k: str(v) for k, v in overrides.items()})
    return row


def dispute_row(dispute_id: str = "D1", /, **overrides: Any) -> dict[str, str]:
    row = {
        "dispute_id": dispute_id,
        "title": "Water allocation on a shared river",
        "kind": "interstate",
        "parties": "ETH;SDN",
        "subject_areas": "water",
        "languages": "en",
        "panel_size": "3",
        "description": "Allocation of the flow of a transboundary watercourse.",
        "nationality_rule": "",
    }
    row.update({k: str(v) for k, v in overrides.items()})
    return row


def write_csv(path: Path, rows: list[dict[str, str]], header: list[str] | None = None) -> Path:
    columns = header or (list(rows[0]) if rows else [])
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
    return path


def write_inputs(folder: Path, **tables: list[dict[str, str]]) -> dict[str, Path]:
    """Write each named table (mediators, disputes, ...) as ``folder/<name>.csv``."""
    paths = {}
    for kind, rows in tables.items():
        header = [c.name for c in SCHEMAS[kind]] if not rows else None
        paths[kind] = write_csv(folder / f"{kind}.csv", rows, header)
    return paths
