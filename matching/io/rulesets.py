"""Rule sets: named, documented configurations of the hard rules and the objective's weights.

A rule set is a TOML file (see ``data/rules/``); the bundled ones are ``iomed`` (the default),
``icsid`` and ``uncitral-list``. Users copy one, edit it and pass its path. Weights can also be
overridden per run.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from matching.core.domain import NationalityRule
from matching.core.errors import MatchingError, UnknownIdError
from matching.core.paths import rules_dir

DEFAULT_RULE_SET = "iomed"
COMPONENTS: tuple[str, ...] = ("expertise", "diversity", "neutrality", "workload", "preference")


class RuleSetError(MatchingError):
    code = "bad_rule_set"


@dataclass(frozen=True)
class Weights:
    """Weight of each score component in the objective; each component is on a 0..1 scale."""

    expertise: float = 1.0
    diversity: float = 0.4
    neutrality: float = 0.8
    workload: float = 0.3
    preference: float = 0.5
    orange_penalty: float = 0.3

    def as_dict(self) -> dict[str, float]:
        return {
            "expertise": self.expertise,
            "diversity": self.diversity,
            "neutrality": self.neutrality,
            "workload": self.workload,
            "preference": self.preference,
            "orange_penalty": self.orange_penalty,
        }

    def of(self, component: str) -> float:
        return float(getattr(self, component))


@dataclass(frozen=True)
class RuleSet:
    name: str = DEFAULT_RULE_SET
    description: str = ""
    nationality_rule: NationalityRule = NationalityRule.STRICT
    min_traditions: int = 2
    min_un_groups: int = 2
    min_size_for_composition: int = 3
    honour_strikes: bool = True
    require_declaration: bool = True
    weights: Weights = field(default_factory=Weights)
    text_share: float = 0.35
    history_years: int = 3
    busy_appointments: int = 6

    def with_weights(self, **overrides: float) -> RuleSet:
        """The same rule set with some weights replaced (per-run overrides)."""
        unknown = set(overrides) - set(Weights().as_dict())
        if unknown:
            raise RuleSetError(f"unknown weight(s): {', '.join(sorted(unknown))}")
        for name, value in overrides.items():
            if value < 0:
                raise RuleSetError(f"weight {name} must not be negative (got {value})")
        return replace(self, weights=replace(self.weights, **overrides))


def _section(data: dict[str, Any], name: str) -> dict[str, Any]:
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise RuleSetError(f"[{name}] must be a table")
    return value


def parse_rule_set(data: dict[str, Any], source: str) -> RuleSet:
    hard = _section(data, "hard")
    weights = _section(data, "weights")
    scoring = _section(data, "scoring")
    known = {"name", "description", "hard", "weights", "scoring"}
    unknown = set(data) - known
    if unknown:
        raise RuleSetError(f"{source}: unknown key(s) {', '.join(sorted(unknown))}")
    try:
        rule_set = RuleSet(
            name=str(data.get("name", Path(source).stem)),
            description=str(data.get("description", "")),
            nationality_rule=NationalityRule(hard.pop("nationality_rule", "strict")),
            min_traditions=int(hard.pop("min_traditions", 2)),
            min_un_groups=int(hard.pop("min_un_groups", 2)),
            min_size_for_composition=int(hard.pop("min_size_for_composition", 3)),
            honour_strikes=bool(hard.pop("honour_strikes", True)),
            require_declaration=bool(hard.pop("require_declaration", True)),
            weights=Weights(**{k: float(v) for k, v in weights.items()}),
            text_share=float(scoring.pop("text_share", 0.35)),
            history_years=int(scoring.pop("history_years", 3)),
            busy_appointments=int(scoring.pop("busy_appointments", 6)),
        )
    except (TypeError, ValueError) as exc:
        raise RuleSetError(f"{source}: {exc}") from None
    leftovers = [f"[hard] {k}" for k in hard] + [f"[scoring] {k}" for k in scoring]
    if leftovers:
        raise RuleSetError(f"{source}: unknown key(s) {', '.join(leftovers)}")
    if not 0 <= rule_set.text_share <= 1:
        raise RuleSetError(f"{source}: text_share must be between 0 and 1")
    if rule_set.busy_appointments < 1 or rule_set.history_years < 1:
        raise RuleSetError(f"{source}: busy_appointments and history_years must be at least 1")
    return rule_set.with_weights()


def builtin_names() -> list[str]:
    return sorted(p.stem for p in rules_dir().glob("*.toml"))


def load_rule_set(name_or_path: str = DEFAULT_RULE_SET) -> RuleSet:
    """A bundled rule set by name, or a TOML file by path."""
    path = Path(name_or_path)
    if not path.suffix:
        path = rules_dir() / f"{name_or_path}.toml"
        if not path.exists():
            raise UnknownIdError("rule set", name_or_path, builtin_names())
    if not path.exists():
        raise RuleSetError(f"rule set file not found: {path}")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise RuleSetError(f"{path}: not valid TOML ({exc})") from None
    return parse_rule_set(data, str(path))
