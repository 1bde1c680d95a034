"""Plain results of a run and their JSON form (the panels JSON of docs/outputs.md)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from matching.core.config import Locks, SolveConfig
from matching.core.domain import Role
from matching.core.status import Status
from matching.io.out_paths import write_file
from matching.io.rulesets import RuleSet


@dataclass(frozen=True)
class Seat:
    mediator_id: str
    role: Role


def seats_json(seats: Sequence[Seat]) -> list[dict[str, str]]:
    """A panel's seats as the panels JSON writes them, chair first."""
    return [{"mediator_id": s.mediator_id, "role": s.role.value} for s in seats]


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
            "members": seats_json(self.members),
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
    # What produced the panels, so a recorded decision can be replayed: the solver settings, the
    # registrar's locks and the recorded appointments counted as cases taken.
    config: SolveConfig | None = field(default=None, compare=False)
    locks: Locks | None = field(default=None, compare=False)
    extra_load: dict[str, int] = field(default_factory=dict, compare=False)

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
    """The solver and its version, as the run block names it."""
    return f"cp-sat {version('ortools')}"


def lottery_solver_label() -> str:
    """The lottery's solvers: CP-SAT for pricing, HiGHS for the linear programmes."""
    return f"{solver_label()} + HiGHS (highspy)"


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def rule_set_record(rule_set: RuleSet) -> dict[str, Any]:
    """The effective rule set, weight and lean-cap overrides included, in the shape of a rule-set
    file: saved as TOML it can be passed back with ``--rules`` to repeat the run. ``max_lean`` is
    present only when the cap H8 is on (TOML has no null)."""
    hard: dict[str, Any] = {
        "nationality_rule": rule_set.nationality_rule.value,
        "min_traditions": rule_set.min_traditions,
        "min_un_groups": rule_set.min_un_groups,
        "min_size_for_composition": rule_set.min_size_for_composition,
        "honour_strikes": rule_set.honour_strikes,
        "require_declaration": rule_set.require_declaration,
    }
    if rule_set.max_lean is not None:
        hard["max_lean"] = rule_set.max_lean
    return {
        "name": rule_set.name,
        "description": rule_set.description,
        "hard": hard,
        "weights": rule_set.weights.as_dict(),
        "scoring": {
            "text_share": rule_set.text_share,
            "history_years": rule_set.history_years,
            "busy_appointments": rule_set.busy_appointments,
        },
    }


def run_block(
    rule_set: RuleSet,
    seed: int,
    inputs_sha256: Mapping[str, str],
    started_at: str,
    wall_seconds: float,
    settings: Mapping[str, Any],
    solver: str | None = None,
) -> dict[str, Any]:
    """How a document was produced: enough to run it again from the document alone (the input
    files by their hashes, the full effective rule set, the command's settings and the seed)."""
    return {
        "started_at": started_at,
        "rule_set": rule_set.name,
        "seed": seed,
        "solver": solver or solver_label(),
        "inputs_sha256": dict(inputs_sha256),
        "wall_seconds": round(wall_seconds, 3),
        "rules": rule_set_record(rule_set),
        "settings": dict(settings),
    }


def run_document(results: list[DisputeResult], run: dict[str, Any]) -> dict[str, Any]:
    """The panels JSON: the run block (``run_block``) and one entry per dispute."""
    return {"run": run, "disputes": [r.as_dict() for r in results]}


def json_text(document: dict[str, Any]) -> str:
    """The text of a JSON output: UTF-8, indented, with a final line break."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def write_json(document: dict[str, Any], path: Path) -> None:
    """Write atomically (``matching.io.out_paths``): a reader never sees half a file.

    The path is checked first: a folder, a symbolic link or a device is refused (``OutputPathError``).
    """
    write_file(path, json_text(document))
