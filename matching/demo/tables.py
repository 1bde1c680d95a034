"""The made-up tables the demo-data generator draws from, read from ``data/demo/generator/``.

Names per culture, the culture of each country, nationality weights, subject phrases, profile
roles, interstate pairs and scenarios, investor-state and commercial templates, closings and
conflict notes. ``data/demo/README.md`` describes each file; none of it is real data.
:func:`generator_tables` reads them once and keeps them (they never change during a run).
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from matching.core.domain import SUBJECTS, UNGroup
from matching.core.paths import generator_dir

#: An interstate scenario: (title topic, opening sentence with {A} and {B}, indices of two of the
#: subject's phrases, needs a common border).
Scenario = tuple[str, str, tuple[int, int], bool]
#: A commercial template: (state entities, foreign firm, contract, title topic, sentence).
Commercial = tuple[tuple[str, ...], str, str, str, str]


@dataclass(frozen=True)
class GeneratorTables:
    """Every table of ``data/demo/generator/``, in the shapes the generator uses."""

    # countries.json
    signatories: tuple[str, ...]
    signatory_weights: dict[str, float]
    other_weights: dict[str, float]
    default_weight: float
    no_nationals: frozenset[str]
    no_dual: frozenset[str]
    dual_hubs: tuple[str, ...]
    maghreb: frozenset[str]
    post_soviet: frozenset[str]
    with_article: frozenset[str]
    short_names: dict[str, str]
    group_culture: dict[UNGroup, str]
    investor_homes: tuple[tuple[str, float], ...]
    contractor_states: tuple[str, ...]
    # names.csv: culture -> (female first names, male first names, last names, family name first?)
    names: dict[str, tuple[str, str, str, bool]]
    # cultures.csv
    culture_of: dict[str, str]
    # subjects.json, in the order of SUBJECTS
    phrases: dict[str, tuple[str, ...]]
    subject_label: dict[str, str]
    subject_weights: tuple[float, ...]
    related: dict[str, tuple[str, ...]]
    area_roles: dict[str, tuple[str, ...]]
    # profiles.json
    senior_roles: tuple[str, ...]
    junior_roles: tuple[str, ...]
    profile_verbs: tuple[str, ...]
    profile_extras: tuple[str, ...]
    # pairs.csv, interstate.csv, investor_state.csv, commercial.csv, closings.csv
    pairs: tuple[tuple[str, str, tuple[str, ...]], ...]
    interstate: dict[str, tuple[Scenario, ...]]
    investor: dict[str, tuple[str, str]]
    sectors: dict[str, tuple[str, ...]]
    commercial: dict[str, Commercial]
    closings: dict[str, tuple[str, ...]]
    # conflicts.json: category -> notes, and the share of each category (same order)
    conflict_notes: dict[str, tuple[str, ...]]
    conflict_shares: tuple[float, ...]


def _rows(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _json(folder: Path, name: str) -> Any:
    return json.loads((folder / name).read_text(encoding="utf-8"))


def _split(cell: str) -> tuple[str, ...]:
    return tuple(part for part in cell.split(";") if part)


def _flag(cell: str) -> bool:
    if cell not in ("true", "false"):
        raise ValueError(f"expected true or false, got {cell!r}")
    return cell == "true"


def read_generator_tables(folder: Path) -> GeneratorTables:
    """Reads the tables from a folder laid out like ``data/demo/generator/``."""
    countries = _json(folder, "countries.json")
    subjects = _json(folder, "subjects.json")
    if list(subjects) != list(SUBJECTS):
        raise ValueError(f"{folder / 'subjects.json'}: the subjects must be {', '.join(SUBJECTS)}, in that order")
    profiles = _json(folder, "profiles.json")
    conflicts = _json(folder, "conflicts.json")

    interstate: dict[str, list[Scenario]] = {}
    for row in _rows(folder, "interstate.csv"):
        picks = (int(row["phrase_1"]), int(row["phrase_2"]))
        scenario = (row["topic"], row["opening"], picks, _flag(row["common_border"]))
        interstate.setdefault(row["subject"], []).append(scenario)
    closings: dict[str, list[str]] = {}
    for row in _rows(folder, "closings.csv"):
        closings.setdefault(row["kind"], []).append(row["sentence"])
    investor_rows = _rows(folder, "investor_state.csv")

    return GeneratorTables(
        signatories=tuple(countries["signatories"]),
        signatory_weights=dict(countries["signatory_weights"]),
        other_weights=dict(countries["other_weights"]),
        default_weight=float(countries["default_weight"]),
        no_nationals=frozenset(countries["no_nationals"]),
        no_dual=frozenset(countries["no_dual"]),
        dual_hubs=tuple(countries["dual_hubs"]),
        maghreb=frozenset(countries["maghreb"]),
        post_soviet=frozenset(countries["post_soviet"]),
        with_article=frozenset(countries["with_article"]),
        short_names=dict(countries["short_names"]),
        group_culture={UNGroup(group): culture for group, culture in countries["group_culture"].items()},
        investor_homes=tuple((iso, float(w)) for iso, w in countries["investor_homes"].items()),
        contractor_states=tuple(countries["contractor_states"]),
        names={
            row["culture"]: (row["female"], row["male"], row["last"], _flag(row["family_name_first"]))
            for row in _rows(folder, "names.csv")
        },
        culture_of={row["country"]: row["culture"] for row in _rows(folder, "cultures.csv")},
        phrases={s: tuple(v["phrases"]) for s, v in subjects.items()},
        subject_label={s: v["label"] for s, v in subjects.items()},
        subject_weights=tuple(float(v["weight"]) for v in subjects.values()),
        related={s: tuple(v["related"]) for s, v in subjects.items()},
        area_roles={s: tuple(v["roles"]) for s, v in subjects.items()},
        senior_roles=tuple(profiles["senior_roles"]),
        junior_roles=tuple(profiles["junior_roles"]),
        profile_verbs=tuple(profiles["verbs"]),
        profile_extras=tuple(profiles["extras"]),
        pairs=tuple((row["state_a"], row["state_b"], _split(row["subjects"])) for row in _rows(folder, "pairs.csv")),
        interstate={s: tuple(v) for s, v in interstate.items()},
        investor={row["subject"]: (row["topic"], row["sentence"]) for row in investor_rows},
        sectors={row["subject"]: _split(row["sectors"]) for row in investor_rows},
        commercial={
            row["subject"]: (
                _split(row["state_entities"]),
                row["foreign_firm"],
                row["contract"],
                row["topic"],
                row["sentence"],
            )
            for row in _rows(folder, "commercial.csv")
        },
        closings={k: tuple(v) for k, v in closings.items()},
        conflict_notes={c: tuple(v["notes"]) for c, v in conflicts.items()},
        conflict_shares=tuple(float(v["share"]) for v in conflicts.values()),
    )


@cache
def generator_tables() -> GeneratorTables:
    """The bundled tables (``matching.data``, ``demo/generator/``), read once."""
    return read_generator_tables(generator_dir())
