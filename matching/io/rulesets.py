"""Rule sets: named, documented configurations of the hard rules and the objective's weights.

A rule set is a TOML file (see ``data/rules/``); the bundled ones are ``iomed`` (the default),
``icsid`` and ``uncitral-list``. Users copy one, edit it and pass its path. Weights can also be
overridden per run.

A file is checked against a schema (``RuleSetFile``, pydantic, strict): every key's type and range,
and no unknown key. Every problem is listed, with its key and value, as a ``Problem`` of a
``RuleSetError`` (an ``InputError``), so that the command line can list them with the problems of
the CSV files. Weight overrides go through the same check. The ranges are documented in
``docs/rules.md``; the weights' range (0 to ``MAX_WEIGHT``) keeps the solver's integer objective
far from overflowing (``tests/test_rule_set_schema.py`` computes the worst case).
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from matching.core.defaults import DEFAULT_RULE_SET, MAX_WEIGHT
from matching.core.domain import NationalityRule
from matching.core.errors import InputError, Problem, UnknownIdError
from matching.core.paths import rules_dir
from matching.io.loading import decode_utf8, file_problem

MAX_LEAN = 100  # the largest lean cap a rule set or --max-lean accepts
COMPONENTS: tuple[str, ...] = ("expertise", "diversity", "neutrality", "workload", "preference")
WEIGHT_NAMES: tuple[str, ...] = (*COMPONENTS, "orange_penalty")


class RuleSetError(InputError):
    """A rule-set file or a weight override has problems; each names its key and value."""

    code = "bad_rule_set"


# --- the schema of a rule-set file ---------------------------------------------------------------

Weight = Annotated[float, Field(ge=0, le=MAX_WEIGHT, allow_inf_nan=False)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class HardSection(_Strict):
    """``[hard]``: the forms and thresholds of the hard rules."""

    nationality_rule: Literal["strict", "majority", "consent"] = "strict"
    min_traditions: Annotated[int, Field(ge=1, le=4)] = 2  # there are 4 legal traditions
    min_un_groups: Annotated[int, Field(ge=1, le=5)] = 2  # there are 5 UN regional groups
    min_size_for_composition: Annotated[int, Field(ge=1, le=5)] = 3  # the largest panel has 5 members
    honour_strikes: bool = True
    require_declaration: bool = True
    # H8, off when absent. A member shares at most a few dozen blocs with a party and a panel has at
    # most 5 members, so 100 already means "no cap"; the bound keeps the solver's numbers small.
    max_lean: Annotated[int, Field(ge=0, le=MAX_LEAN)] | None = None


class WeightsSection(_Strict):
    """``[weights]``: each from 0 to ``MAX_WEIGHT``."""

    expertise: Weight = 1.0
    diversity: Weight = 0.4
    neutrality: Weight = 0.8
    workload: Weight = 0.3
    preference: Weight = 0.5
    orange_penalty: Weight = 0.3


class ScoringSection(_Strict):
    """``[scoring]``: how the components are computed."""

    text_share: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)] = 0.35
    history_years: Annotated[int, Field(ge=1, le=100)] = 3
    busy_appointments: Annotated[int, Field(ge=1, le=1000)] = 6


class RuleSetFile(_Strict):
    """A whole rule-set file."""

    name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    description: Annotated[str, Field(max_length=2000)] = ""
    hard: HardSection = HardSection()
    weights: WeightsSection = WeightsSection()
    scoring: ScoringSection = ScoringSection()


_SECTIONS: dict[str, type[BaseModel]] = {"hard": HardSection, "weights": WeightsSection, "scoring": ScoringSection}


def _shown(value: Any) -> str:
    """A value as it would be written in TOML (strings quoted, so that an empty string shows)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        return "a table"
    return str(value)


def _bounds(model: type[BaseModel], key: str) -> tuple[Any, Any]:
    lo = hi = None
    for meta in model.model_fields[key].metadata:
        lo = getattr(meta, "ge", lo)
        hi = getattr(meta, "le", hi)
    return lo, hi


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _message(error: Mapping[str, Any], model: type[BaseModel], key: str) -> str:
    """Pydantic's error in the words of the documentation."""
    kind = error["type"]
    if kind == "extra_forbidden":
        return f"is not a known key (known: {', '.join(model.model_fields)})"
    if kind in ("model_type", "dict_type"):
        return "must be a table"
    if kind == "bool_type":
        return "must be true or false, written without quotes"
    if kind in ("int_type", "int_from_float", "int_parsing"):
        return "must be a whole number"
    if kind in ("float_type", "float_parsing"):
        return "must be a number"
    if kind == "finite_number":
        return "must be a finite number (not nan or inf)"
    if kind in ("greater_than_equal", "less_than_equal"):
        lo, hi = _bounds(model, key)
        return f"must be between {_number(lo)} and {_number(hi)}"
    if kind == "literal_error":
        return f"must be one of {error['ctx']['expected']}"
    if kind == "string_type":
        return "must be text, in quotes"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long":
        return f"must be at most {error['ctx']['max_length']} characters"
    return str(error["msg"])


def schema_problems(exc: ValidationError, source: str, top: type[BaseModel], label: str = "key") -> list[Problem]:
    """Pydantic's errors as problems: the key (``[hard] min_traditions``), the value, what is wrong."""
    problems = []
    for error in exc.errors():
        loc = [str(part) for part in error["loc"] if not str(part).startswith("function-")]
        model: type[BaseModel] = top
        if len(loc) >= 2 and loc[0] in _SECTIONS and top is RuleSetFile:
            model, key, where = _SECTIONS[loc[0]], loc[1], f"[{loc[0]}] {loc[1]}"
        else:
            key = loc[0] if loc else ""
            where = f"[{key}]" if key in _SECTIONS and top is RuleSetFile else key
        shown = _shown(error.get("input"))
        problems.append(Problem(source, None, where, shown, _message(error, model, key), "bad_rule_set", label))
    return problems


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
    max_lean: int | None = None  # H8: off when None
    weights: Weights = field(default_factory=Weights)
    text_share: float = 0.35
    history_years: int = 3
    busy_appointments: int = 6

    def with_weights(self, **overrides: float) -> RuleSet:
        """The same rule set with some weights replaced (per-run overrides), checked like a file's."""
        problems = weight_problems(overrides, "weights")
        if problems:
            raise RuleSetError(problems)
        return replace(self, weights=replace(self.weights, **{k: float(v) for k, v in overrides.items()}))

    def with_max_lean(self, max_lean: int | None) -> RuleSet:
        """The same rule set with the lean cap H8 set for one run (``--max-lean``); ``None`` keeps the file's."""
        if max_lean is None:
            return self
        if isinstance(max_lean, bool) or not isinstance(max_lean, int) or not 0 <= max_lean <= MAX_LEAN:
            problem = Problem(
                "--max-lean",
                None,
                "max_lean",
                str(max_lean),
                f"must be a whole number from 0 to {MAX_LEAN}",
                "bad_rule_set",
                "",
            )
            raise RuleSetError([problem])
        return replace(self, max_lean=max_lean)


def weight_problems(overrides: Mapping[str, Any], source: str) -> list[Problem]:
    """What is wrong with weight overrides (unknown name, not a number, out of 0..``MAX_WEIGHT``)."""
    try:
        WeightsSection.model_validate(dict(overrides))
    except ValidationError as exc:
        return schema_problems(exc, source, WeightsSection, label="")
    return []


def parse_rule_set(data: dict[str, Any], source: str) -> RuleSet:
    """A rule set from a TOML file's contents; ``RuleSetError`` lists every problem (``source``: the file)."""
    label = Path(source).name
    try:
        checked = RuleSetFile.model_validate(data)
    except ValidationError as exc:
        raise RuleSetError(schema_problems(exc, label, RuleSetFile)) from None
    hard, scoring = checked.hard, checked.scoring
    return RuleSet(
        name=checked.name if checked.name is not None else Path(source).stem,
        description=checked.description,
        nationality_rule=NationalityRule(hard.nationality_rule),
        min_traditions=hard.min_traditions,
        min_un_groups=hard.min_un_groups,
        min_size_for_composition=hard.min_size_for_composition,
        honour_strikes=hard.honour_strikes,
        require_declaration=hard.require_declaration,
        max_lean=hard.max_lean,
        weights=Weights(**checked.weights.model_dump()),
        text_share=scoring.text_share,
        history_years=scoring.history_years,
        busy_appointments=scoring.busy_appointments,
    )


def builtin_names() -> list[str]:
    return sorted(p.stem for p in rules_dir().glob("*.toml"))


def load_rule_set(name_or_path: str = DEFAULT_RULE_SET) -> RuleSet:
    """A bundled rule set by name, or a TOML file by path (a value with an extension or a folder separator)."""
    path = Path(name_or_path)
    if not path.suffix and "/" not in name_or_path and "\\" not in name_or_path:
        path = rules_dir() / f"{name_or_path}.toml"
        if not path.is_file():
            raise UnknownIdError("rule set", name_or_path, builtin_names())
    trouble = file_problem(path)
    if trouble is not None:
        raise RuleSetError([replace(trouble, message=f"rule set {trouble.message}")])
    try:
        text = decode_utf8(path.read_bytes(), path.name)
    except OSError as exc:
        raise RuleSetError([Problem(path.name, None, None, "", f"cannot be read: {exc}", "unreadable")]) from None
    if isinstance(text, Problem):
        raise RuleSetError([text])
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RuleSetError([Problem(path.name, None, None, "", f"is not valid TOML: {exc}", "bad_toml")]) from None
    return parse_rule_set(data, str(path))
