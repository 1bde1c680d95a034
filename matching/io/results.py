"""Plain results of a run and their JSON form (the panels JSON of SPEC.md)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from matching.core.domain import Role
from matching.core.status import Status


@dataclass(frozen=True)
class Seat:
    mediator_id: str
    role: Role


@dataclass(frozen=True)
class Disclosure:
    mediator_id: str
    category: str
    note: str


@dataclass(frozen=True)
class ProposedPanel:
    rank: int
    members: tuple[Seat, ...]
    objective: float
    scores: dict[str, float]
    disclosures: tuple[Disclosure, ...] = ()
    why: tuple[str, ...] = ()

    @property
    def member_ids(self) -> list[str]:
        return [s.mediator_id for s in self.members]

    @property
    def chair_id(self) -> str:
        return next(s.mediator_id for s in self.members if s.role is Role.CHAIR)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "members": [{"mediator_id": s.mediator_id, "role": s.role.value} for s in self.members],
            "objective": self.objective,
            "scores": self.scores,
            "disclosures": [
                {"mediator_id": d.mediator_id, "category": d.category, "note": d.note} for d in self.disclosures
            ],
            "why": list(self.why),
        }


@dataclass
class DisputeResult:
    dispute_id: str
    status: Status
    objective: float | None
    best_bound: float | None
    panels: list[ProposedPanel] = field(default_factory=list)
    infeasibility: dict[str, list[str]] | None = None
    eligible: int = 0
    model_size: int = 0
    seconds: float = 0.0

    @property
    def gap(self) -> float | None:
        if self.objective is None or self.best_bound is None:
            return None
        return self.best_bound - self.objective

    def as_dict(self) -> dict[str, Any]:
        return {
            "dispute_id": self.dispute_id,
            "status": self.status,
            "objective": self.objective,
            "best_bound": self.best_bound,
            "panels": [p.as_dict() for p in self.panels],
            "infeasibility": self.infeasibility,
        }


def solver_label() -> str:
    return f"cp-sat {version('ortools')}"


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def run_document(
    results: list[DisputeResult],
    rule_set: str,
    seed: int,
    inputs_sha256: dict[str, str],
    started_at: str,
    wall_seconds: float,
) -> dict[str, Any]:
    return {
        "run": {
            "started_at": started_at,
            "rule_set": rule_set,
            "seed": seed,
            "solver": solver_label(),
            "inputs_sha256": inputs_sha256,
            "wall_seconds": round(wall_seconds, 3),
        },
        "disputes": [r.as_dict() for r in results],
    }


def write_json(document: dict[str, Any], path: Path) -> None:
    """Write atomically: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)
