"""The coming years' caseload: a scenario (how many disputes a year, of which kinds, subjects, parties,
languages and panel sizes) and a seeded generator of plausible disputes that follow it.

A ``Scenario`` comes from a TOML file (``load_scenario``, checked strictly: every problem is listed
with its key and value) or from the data on file (``scenario_from_data``: the mix of the disputes on
file). ``forecast(scenario, year, seed)`` draws one year's disputes; the same scenario, year and seed
always give the same disputes, whatever else is drawn and wherever it runs. docs/planning.md
("How the forecast draws") explains every step in plain words.

Scenario file (TOML)::

    years = 10                 # simulated years (1 to 50)
    disputes_per_year = 800    # disputes in year 1
    growth = 0.03              # yearly growth of the count (-0.9 to 1): year y has
                               # disputes_per_year * (1 + growth) ** (y - 1), rounded
    case_years = 1             # years an appointment keeps its mediator busy (1 to 10)
    second_language = 0.25     # share of disputes with a second working language (see [second_languages])
    same_region = 0.3          # share of disputes whose other parties come from the first party's group
    third_party = 0.05         # share of interstate disputes with a third state party

    [kinds]                    # interstate, investor_state, commercial
    interstate = 0.45
    investor_state = 0.35
    commercial = 0.2

    [subjects]                 # the main (first) subject of a dispute
    investment = 0.35
    trade = 0.15
    energy = 0.1

    [subject_counts]           # how many subjects a dispute lists (1 to 3); default 45 % / 40 % / 15 %
    1 = 0.45
    2 = 0.40
    3 = 0.15

    [regions]                  # UN regional group of the PARTIES
    african = 0.3
    asia_pacific = 0.4
    western_european_others = 0.3

    [party_weights]            # optional: how often a state is a party, against the others of its group
    CHN = 3.0
    IND = 2.0

    [languages]                # the first working language (ISO 639-1)
    en = 0.85
    fr = 0.1
    ar = 0.05

    [second_languages]         # optional: the second working language, where there is one; without
    en = 0.6                   # this table it is drawn from [languages] (never the first one again)
    fr = 0.4

    [panel_sizes]              # 1, 2, 3 or 5 members
    1 = 0.2
    3 = 0.6
    5 = 0.2

The values of a table are weights: each is divided by the table's total, so shares, percentages and
plain counts all work. Every dispute leaves the nationality rule to the rule set.
"""

from __future__ import annotations

import math
import tomllib
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from matching.core.domain import PANEL_SIZES, SUBJECTS, Dataset, Dispute, DisputeKind, UNGroup
from matching.core.errors import ArgumentError, InputError, Problem
from matching.demo.tables import generator_tables
from matching.io.countries import CountryTable, default_countries
from matching.io.loading import decode_utf8, file_problem

MAX_YEARS = 50
MAX_DISPUTES = 100_000  # disputes in one year (year 1, and any year after growth)
MAX_WEIGHT = 1_000_000.0
MAX_SUBJECTS = 3
DEFAULT_SUBJECT_COUNTS: dict[int, float] = {1: 0.45, 2: 0.40, 3: 0.15}  # as the demo data has them
_SHARE_TABLES = (
    "kinds",
    "subjects",
    "subject_counts",
    "regions",
    "party_weights",
    "languages",
    "second_languages",
    "panel_sizes",
)
_REQUIRED_TABLES = ("kinds", "subjects", "regions", "languages", "panel_sizes")

Share = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
Weight = Annotated[float, Field(ge=0, le=MAX_WEIGHT, allow_inf_nan=False)]


class ScenarioFileError(InputError):
    """A scenario file has problems; each names its key and value."""

    code = "bad_scenario"


def _int_keys(value: Any) -> Any:
    """TOML keys are text: ``3 = 0.5`` under ``[panel_sizes]`` arrives as ``"3"``."""
    if isinstance(value, dict):
        return {int(k) if isinstance(k, str) and k.isascii() and k.isdigit() else k: v for k, v in value.items()}
    return value


def _known(table: Mapping[Any, float], allowed: Sequence[Any], what: str) -> None:
    unknown = [str(k) for k in table if k not in allowed]
    if unknown:
        raise ValueError(f"has unknown {what} {', '.join(unknown)} (known: {', '.join(str(a) for a in allowed)})")


def _some(table: Mapping[Any, float]) -> None:
    if not table or sum(table.values()) <= 0:
        raise ValueError("needs at least one entry with a weight above 0")


class Scenario(BaseModel):
    """The coming years' caseload: how many disputes a year and their mix (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    years: Annotated[int, Field(ge=1, le=MAX_YEARS)] = 10
    disputes_per_year: Annotated[int, Field(ge=1, le=MAX_DISPUTES)]
    growth: Annotated[float, Field(ge=-0.9, le=1.0, allow_inf_nan=False)] = 0.0
    case_years: Annotated[int, Field(ge=1, le=10)] = 1
    kinds: dict[str, Weight]
    subjects: dict[str, Weight]
    subject_counts: dict[int, Weight] = Field(default_factory=lambda: dict(DEFAULT_SUBJECT_COUNTS))
    regions: dict[str, Weight]
    party_weights: dict[str, Weight] = Field(default_factory=dict)
    languages: dict[str, Weight]
    second_languages: dict[str, Weight] = Field(default_factory=dict)
    panel_sizes: dict[int, Weight]
    second_language: Share = 0.0
    same_region: Share = 0.0
    third_party: Share = 0.0

    @field_validator("subject_counts", "panel_sizes", mode="before")
    @classmethod
    def _numbered(cls, value: Any) -> Any:
        return _int_keys(value)

    @field_validator("kinds")
    @classmethod
    def _kinds(cls, value: dict[str, float]) -> dict[str, float]:
        _known(value, [k.value for k in DisputeKind], "kind(s)")
        _some(value)
        return value

    @field_validator("subjects")
    @classmethod
    def _subjects(cls, value: dict[str, float]) -> dict[str, float]:
        _known(value, SUBJECTS, "subject(s)")
        _some(value)
        return value

    @field_validator("subject_counts")
    @classmethod
    def _subject_counts(cls, value: dict[int, float]) -> dict[int, float]:
        _known(value, range(1, MAX_SUBJECTS + 1), "number(s) of subjects")
        _some(value)
        return value

    @field_validator("regions")
    @classmethod
    def _regions(cls, value: dict[str, float]) -> dict[str, float]:
        _known(value, [g.value for g in UNGroup], "UN regional group(s)")
        _some(value)
        return value

    @field_validator("party_weights")
    @classmethod
    def _party_weights(cls, value: dict[str, float]) -> dict[str, float]:
        _known(value, sorted(default_countries().countries), "country code(s)")
        return value

    @field_validator("languages", "second_languages")
    @classmethod
    def _languages(cls, value: dict[str, float], info: ValidationInfo) -> dict[str, float]:
        ref = default_countries()
        unknown = [k for k in value if not ref.is_language(k)]
        if unknown:
            raise ValueError(f"has unknown ISO 639-1 language code(s) {', '.join(unknown)}")
        if info.field_name == "languages":
            _some(value)
        return value

    @field_validator("panel_sizes")
    @classmethod
    def _panel_sizes(cls, value: dict[int, float]) -> dict[int, float]:
        _known(value, PANEL_SIZES, "panel size(s)")
        _some(value)
        return value

    def disputes_in(self, year: int) -> int:
        """Disputes forecast for ``year`` (1 = the first simulated year): growth compounds yearly."""
        count = self.disputes_per_year * (1.0 + self.growth) ** (year - 1)
        return max(1, min(MAX_DISPUTES, math.floor(count + 0.5)))

    def toml(self) -> str:
        """The scenario as a scenario file (``load_scenario`` reads it back to an equal scenario)."""
        lines = [
            f"{key} = {_toml_value(getattr(self, key))}" for key in type(self).model_fields if key not in _SHARE_TABLES
        ]
        for table in _SHARE_TABLES:
            values: dict[Any, float] = getattr(self, table)
            lines += ["", f"[{table}]", *(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in values.items())]
        return "\n".join(lines) + "\n"


def _toml_key(key: Any) -> str:
    return f'"{key}"' if isinstance(key, int) else str(key)


def _toml_value(value: Any) -> str:
    return repr(float(value)) if isinstance(value, float) else str(value)


# --- reading a scenario file -------------------------------------------------------------------------


def _message(error: Mapping[str, Any]) -> str:
    """Pydantic's error in plain words."""
    kind = error["type"]
    if kind == "missing":
        return "is missing; it is required"
    if kind == "extra_forbidden":
        return f"is not a known key (known: {', '.join(Scenario.model_fields)})"
    if kind in ("dict_type", "model_type"):
        return "must be a table, e.g. [kinds] followed by lines like interstate = 0.5"
    if kind in ("int_type", "int_from_float", "int_parsing"):
        return "must be a whole number"
    if kind in ("float_type", "float_parsing"):
        return "must be a number"
    if kind == "finite_number":
        return "must be a finite number (not nan or inf)"
    if kind in ("greater_than_equal", "less_than_equal"):
        ctx = error.get("ctx", {})
        return f"is out of range ({'at least ' + str(ctx['ge']) if 'ge' in ctx else 'at most ' + str(ctx['le'])})"
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    return str(error["msg"])


def _where(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc if str(p) != "[key]"]
    return ".".join(parts) if len(parts) < 2 else f"[{parts[0]}] {'.'.join(parts[1:])}"


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    return "" if value is None else str(value)


def scenario_problems(exc: ValidationError, source: str) -> list[Problem]:
    """Each of pydantic's errors as a ``Problem`` naming the key (``growth``, ``[kinds] war``) and value."""
    return [
        Problem(source, None, _where(e["loc"]), _shown(e.get("input")), _message(e), "bad_scenario", "key")
        for e in exc.errors()
    ]


def parse_scenario(data: Mapping[str, Any], source: str = "scenario") -> Scenario:
    """A scenario from a TOML file's contents; ``ScenarioFileError`` lists every problem."""
    try:
        return Scenario.model_validate(dict(data))
    except ValidationError as exc:
        raise ScenarioFileError(scenario_problems(exc, source)) from None


def load_scenario(path: Path) -> Scenario:
    """Read and check a scenario file (TOML); ``ScenarioFileError`` (an ``InputError``) lists every problem."""
    trouble = file_problem(path)
    if trouble is not None:
        raise ScenarioFileError([trouble])
    label = path.name
    try:
        text = decode_utf8(path.read_bytes(), label)
    except OSError as exc:
        raise ScenarioFileError([Problem(label, None, None, "", f"cannot be read: {exc}", "unreadable")]) from None
    if isinstance(text, Problem):
        raise ScenarioFileError([text])
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioFileError([Problem(label, None, None, "", f"is not valid TOML: {exc}", "bad_toml")]) from None
    return parse_scenario(data, label)


# --- the mix on file ----------------------------------------------------------------------------------


def _shares(counter: Mapping[Any, int]) -> dict[Any, float]:
    total = sum(counter.values())
    return {k: round(v / total, 6) for k, v in sorted(counter.items()) if v}


def history_pace(data: Dataset) -> int:
    """Disputes a year in the appointment history: the mean number of distinct disputes first appointed
    in each whole year (365 days back from the latest appointment) the history covers; 0 with less
    than one whole year."""
    first: dict[str, date] = {}
    for a in data.appointments:
        if a.dispute_id not in first or a.appointed_on < first[a.dispute_id]:
            first[a.dispute_id] = a.appointed_on
    if not first:
        return 0
    last, earliest = max(first.values()), min(first.values())
    whole = (last - earliest).days // 365
    if whole < 1:
        return 0
    start = last - timedelta(days=365 * whole)
    counted = sum(1 for day in first.values() if day > start)
    return math.floor(counted / whole + 0.5)


def scenario_from_data(data: Dataset, countries: CountryTable | None = None, years: int = 10) -> Scenario:
    """The scenario the data on file suggest: the disputes on file give the mix, the larger of their
    number and the appointment history's yearly pace gives the yearly count; no growth."""
    ref = countries or default_countries()
    disputes = data.disputes
    if not disputes:
        raise ArgumentError("There are no disputes on file to take the caseload's mix from; give a scenario file.")
    group_of = {d.dispute_id: [ref[p].un_group.value for p in d.parties] for d in disputes}
    regions = Counter(g for groups in group_of.values() for g in groups)
    interstate = [d for d in disputes if d.kind is DisputeKind.INTERSTATE]
    return Scenario(
        years=years,
        disputes_per_year=max(len(disputes), history_pace(data)),
        growth=0.0,
        kinds=_shares(Counter(d.kind.value for d in disputes)),
        subjects=_shares(Counter(d.subject_areas[0] for d in disputes if d.subject_areas)) or {"investment": 1.0},
        subject_counts=_shares(Counter(min(MAX_SUBJECTS, max(1, len(d.subject_areas))) for d in disputes)),
        regions=_shares(regions),
        party_weights=_shares(Counter(p for d in disputes for p in d.parties)),
        languages=_shares(Counter(d.languages[0] for d in disputes)),
        second_languages=_shares(Counter(d.languages[1] for d in disputes if len(d.languages) > 1)),
        panel_sizes=_shares(Counter(d.panel_size for d in disputes)),
        second_language=round(sum(1 for d in disputes if len(d.languages) > 1) / len(disputes), 6),
        same_region=_same_region(list(group_of.values()), regions),
        third_party=round(sum(1 for d in interstate if len(d.parties) > 2) / len(interstate), 6) if interstate else 0.0,
    )


def _same_region(groups: list[list[str]], regions: Counter[str]) -> float:
    """The share that, drawn as ``forecast`` draws (the other parties from the first party's group with
    this chance, else by the regional shares, which may land in the same group too), gives the data's
    share of disputes whose second party shares the first one's group."""
    pairs = [g for g in groups if len(g) > 1]
    if not pairs:
        return 0.0
    observed = sum(1 for g in pairs if g[0] == g[1]) / len(pairs)
    total = sum(regions.values())
    by_chance = sum((n / total) ** 2 for n in regions.values())
    if by_chance >= 1:
        return 0.0
    return round(min(1.0, max(0.0, (observed - by_chance) / (1 - by_chance))), 6)


# --- drawing one year ---------------------------------------------------------------------------------

KIND_WORDS = {
    "interstate": "Interstate dispute",
    "investor_state": "Investor-state dispute",
    "commercial": "Commercial dispute",
}


def _draw(rng: np.random.Generator, table: Mapping[Any, float], exclude: Sequence[Any] = ()) -> Any:
    """One key of ``table``, by its weights (keys in sorted order, so the file's order does not matter)."""
    keys = [k for k in sorted(table) if table[k] > 0 and k not in exclude]
    if not keys:
        return None
    weights = np.array([table[k] for k in keys], dtype=float)
    return keys[int(rng.choice(len(keys), p=weights / weights.sum()))]


class _Parties:
    """Who can be a party: each group's states and their weights (the scenario's, else equal)."""

    def __init__(self, scenario: Scenario, ref: CountryTable) -> None:
        self.regions = {g: w for g, w in scenario.regions.items() if w > 0}
        self.states: dict[str, dict[str, float]] = {}
        for iso in sorted(ref.countries):
            group = ref[iso].un_group.value
            self.states.setdefault(group, {})[iso] = scenario.party_weights.get(iso, 0.0)
        for group, states in self.states.items():
            if not any(states.values()):  # no state of the group listed: every state alike
                self.states[group] = dict.fromkeys(states, 1.0)

    def draw(self, rng: np.random.Generator, used: list[str], group: str | None) -> str:
        """A state not yet ``used``: of ``group`` when given and possible, else of a group drawn by the shares."""
        if group is not None:
            iso = _draw(rng, self.states.get(group, {}), used)
            if iso is not None:
                return str(iso)
        iso = _draw(rng, self.states.get(str(_draw(rng, self.regions)), {}), used)
        if iso is None:  # that group has no state left: any state of any group
            everyone = {c: 1.0 for states in self.states.values() for c in states}
            iso = _draw(rng, everyone, used)
        return str(iso)


def _subjects(rng: np.random.Generator, scenario: Scenario) -> list[str]:
    """The main subject by the shares, then further ones among the subjects related to it."""
    subjects = [str(_draw(rng, scenario.subjects))]
    count = int(_draw(rng, scenario.subject_counts))
    related = generator_tables().related.get(subjects[0], ())
    while len(subjects) < count:
        options = [s for s in related if s not in subjects]
        if not options:
            break
        weights = {s: scenario.subjects.get(s, 0.0) for s in options}
        if not any(weights.values()):
            weights = dict.fromkeys(options, 1.0)
        subjects.append(str(_draw(rng, weights)))
    return subjects


def _description(rng: np.random.Generator, kind: str, names: list[str], subjects: list[str]) -> str:
    """A sentence in the words mediators' profiles use, so that the text part of expertise means something."""
    phrases = generator_tables().phrases
    picked = [phrases[s][int(rng.integers(len(phrases[s])))] for s in subjects if phrases.get(s)]
    between = ", ".join(names[:-1]) + f" and {names[-1]}"
    about = "; ".join(picked) if picked else ", ".join(subjects)
    return f"{KIND_WORDS[kind]} between {between} concerning {about}."


def forecast(scenario: Scenario, year: int, seed: int, countries: CountryTable | None = None) -> tuple[Dispute, ...]:
    """The disputes of one simulated ``year`` (1, 2, ...), drawn from ``numpy.random.default_rng`` seeded with
    ``(seed, year)``: each year on its own, the same every time. Ids ``Y{year:02d}-D{n:04d}``."""
    if year < 1 or seed < 0:
        raise ArgumentError(f"The year counts from 1 and the seed is 0 or more (got year {year}, seed {seed}).")
    ref = countries or default_countries()
    rng = np.random.default_rng([seed, year])
    parties = _Parties(scenario, ref)
    out: list[Dispute] = []
    for n in range(1, scenario.disputes_in(year) + 1):
        kind = str(_draw(rng, scenario.kinds))
        size = int(_draw(rng, scenario.panel_sizes))
        subjects = _subjects(rng, scenario)
        count = 3 if kind == DisputeKind.INTERSTATE.value and rng.random() < scenario.third_party else 2
        chosen = [parties.draw(rng, [], None)]
        for _ in range(count - 1):
            same = rng.random() < scenario.same_region
            chosen.append(parties.draw(rng, chosen, ref[chosen[0]].un_group.value if same else None))
        languages = [str(_draw(rng, scenario.languages))]
        if rng.random() < scenario.second_language:
            second = _draw(rng, scenario.second_languages or scenario.languages, languages)
            if second is not None:
                languages.append(str(second))
        names = [ref[p].name for p in chosen]
        dispute_id = f"Y{year:02d}-D{n:04d}"
        out.append(
            Dispute(
                dispute_id=dispute_id,
                title=f"{KIND_WORDS[kind]} on {subjects[0].replace('_', ' ')}: {' v. '.join(names)} (forecast)",
                kind=DisputeKind(kind),
                parties=tuple(chosen),
                subject_areas=tuple(subjects),
                languages=tuple(languages),
                panel_size=size,
                description=_description(rng, kind, names, subjects),
                nationality_rule=None,
            )
        )
    return tuple(out)
