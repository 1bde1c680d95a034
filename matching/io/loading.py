"""Loading and validating the input files (CSV or Parquet) into domain objects.

Loading is all or nothing: every file is read, every cell checked, every cross-reference
resolved, and either a whole ``Dataset`` comes back or one ``InputError`` listing every
problem (file, row, column, value, what is wrong). Nothing is half-loaded.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from matching.core.domain import (
    GENDERS,
    MAX_EXPERTISE_LEVEL,
    PANEL_SIZES,
    SUBJECTS,
    Appointment,
    Conflict,
    ConflictCategory,
    Dataset,
    Dispute,
    DisputeKind,
    Mediator,
    NationalityRule,
    Preference,
    Tradition,
)
from matching.core.errors import InputError, Problem
from matching.io.countries import CountryTable, default_countries

FILE_NAMES = ("mediators", "disputes", "conflicts", "preferences", "appointments")
FIRST_RECORD_ROW = 2  # the header is row 1, as a spreadsheet shows it


class CellError(ValueError):
    """A cell could not be read; the message says why in plain words."""


Parser = Callable[[str, CountryTable], Any]


@dataclass(frozen=True)
class Column:
    name: str
    parse: Parser
    required: bool = True


# --- cell parsers -------------------------------------------------------------------------


def split_list(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(";") if part.strip()]


def text(cell: str, _: CountryTable) -> str:
    return cell.strip()


def required_text(cell: str, _: CountryTable) -> str:
    if not cell.strip():
        raise CellError("is empty but required")
    return cell.strip()


def country(cell: str, ref: CountryTable) -> str:
    code = cell.strip().upper()
    if code not in ref:
        raise CellError("is an unknown country code (ISO 3166-1 alpha-3 expected)")
    return code


def optional_country(cell: str, ref: CountryTable) -> str | None:
    return country(cell, ref) if cell.strip() else None


def country_list(minimum: int) -> Parser:
    def parse(cell: str, ref: CountryTable) -> tuple[str, ...]:
        codes = [c.upper() for c in split_list(cell)]
        unknown = [c for c in codes if c not in ref]
        if unknown:
            raise CellError(f"has unknown country code(s) {', '.join(unknown)}")
        if len(set(codes)) != len(codes):
            raise CellError("lists the same country twice")
        if len(codes) < minimum:
            raise CellError(f"needs at least {minimum} country code(s)")
        return tuple(codes)

    return parse


def language_list(cell: str, ref: CountryTable) -> tuple[str, ...]:
    codes = [c.lower() for c in split_list(cell)]
    unknown = [c for c in codes if not ref.is_language(c)]
    if unknown:
        raise CellError(f"has unknown ISO 639-1 language code(s) {', '.join(unknown)}")
    if not codes:
        raise CellError("needs at least one language code")
    if len(set(codes)) != len(codes):
        raise CellError("lists the same language twice")
    return tuple(codes)


def traditions(cell: str, _: CountryTable) -> frozenset[Tradition]:
    values = [v.lower() for v in split_list(cell)]
    allowed = {t.value for t in Tradition}
    bad = [v for v in values if v not in allowed]
    if bad:
        raise CellError(f"has unknown legal tradition(s) {', '.join(bad)} (allowed: civil, common, customary, muslim)")
    return frozenset(Tradition(v) for v in values)


def subjects(cell: str, _: CountryTable) -> tuple[str, ...]:
    values = [v.lower() for v in split_list(cell)]
    bad = [v for v in values if v not in SUBJECTS]
    if bad:
        raise CellError(f"has unknown subject(s) {', '.join(bad)} (allowed: {', '.join(SUBJECTS)})")
    if len(set(values)) != len(values):
        raise CellError("lists the same subject twice")
    return tuple(values)


def expertise(cell: str, _: CountryTable) -> dict[str, int]:
    result: dict[str, int] = {}
    for item in split_list(cell):
        area, sep, level_text = item.partition(":")
        area = area.strip().lower()
        if not sep:
            raise CellError(f"item {item!r} is not of the form area:level")
        if area not in SUBJECTS:
            raise CellError(f"has unknown subject {area!r} (allowed: {', '.join(SUBJECTS)})")
        try:
            level = int(level_text.strip())
        except ValueError:
            raise CellError(f"level in {item!r} is not a whole number") from None
        if not 1 <= level <= MAX_EXPERTISE_LEVEL:
            raise CellError(f"level in {item!r} is not between 1 and {MAX_EXPERTISE_LEVEL}")
        if area in result:
            raise CellError(f"lists subject {area!r} twice")
        result[area] = level
    return result


def non_negative_int(cell: str, _: CountryTable) -> int:
    try:
        value = int(cell.strip())
    except ValueError:
        raise CellError("is not a whole number") from None
    if value < 0:
        raise CellError("is negative")
    return value


def optional_non_negative_int(cell: str, ref: CountryTable) -> int:
    return non_negative_int(cell, ref) if cell.strip() else 0


def positive_int_or_none(cell: str, _: CountryTable) -> int | None:
    if not cell.strip():
        return None
    try:
        value = int(cell.strip())
    except ValueError:
        raise CellError("is not a whole number") from None
    if value < 1:
        raise CellError("must be 1 or more")
    return value


def boolean(default: bool) -> Parser:
    def parse(cell: str, _: CountryTable) -> bool:
        value = cell.strip().lower()
        if value == "":
            return default
        if value in ("true", "1", "yes"):
            return True
        if value in ("false", "0", "no"):
            return False
        raise CellError("is not true or false")

    return parse


def gender(cell: str, _: CountryTable) -> str | None:
    value = cell.strip().upper()
    if value == "":
        return None
    if value not in GENDERS:
        raise CellError("is not F, M, X or empty")
    return value


def choice(enum: type[Any], required: bool = True) -> Parser:
    def parse(cell: str, _: CountryTable) -> Any:
        value = cell.strip().lower()
        if value == "" and not required:
            return None
        try:
            return enum(value)
        except ValueError:
            allowed = ", ".join(e.value for e in enum)
            raise CellError(f"is not one of {allowed}") from None

    return parse


def panel_size(cell: str, ref: CountryTable) -> int:
    try:
        value = int(cell.strip())
    except ValueError:
        raise CellError("is not a whole number") from None
    if value not in PANEL_SIZES:
        raise CellError(f"is not one of {', '.join(map(str, PANEL_SIZES))}")
    return value


def iso_date(cell: str, _: CountryTable) -> date:
    try:
        return date.fromisoformat(cell.strip())
    except ValueError:
        raise CellError("is not a date in the form YYYY-MM-DD") from None


SCHEMAS: dict[str, tuple[Column, ...]] = {
    "mediators": (
        Column("mediator_id", required_text),
        Column("name", required_text),
        Column("nationalities", country_list(1)),
        Column("gender", gender, required=False),
        Column("languages", language_list),
        Column("legal_traditions", traditions, required=False),
        Column("expertise", expertise, required=False),
        Column("years_experience", optional_non_negative_int, required=False),
        Column("max_cases", non_negative_int),
        Column("active_cases", optional_non_negative_int, required=False),
        Column("available", boolean(True), required=False),
        Column("declaration_signed", boolean(True), required=False),
        Column("nominated_by", optional_country, required=False),
        Column("profile", text, required=False),
    ),
    "disputes": (
        Column("dispute_id", required_text),
        Column("title", text, required=False),
        Column("kind", choice(DisputeKind)),
        Column("parties", country_list(2)),
        Column("subject_areas", subjects, required=False),
        Column("languages", language_list),
        Column("panel_size", panel_size),
        Column("description", text, required=False),
        Column("nationality_rule", choice(NationalityRule, required=False), required=False),
    ),
    "conflicts": (
        Column("mediator_id", required_text),
        Column("dispute_id", required_text),
        Column("category", choice(ConflictCategory)),
        Column("waived", boolean(False), required=False),
        Column("note", text, required=False),
    ),
    "preferences": (
        Column("dispute_id", required_text),
        Column("party", country),
        Column("mediator_id", required_text),
        Column("struck", boolean(False), required=False),
        Column("rank", positive_int_or_none, required=False),
    ),
    "appointments": (
        Column("mediator_id", required_text),
        Column("dispute_id", required_text),
        Column("party", country),
        Column("appointed_on", iso_date),
    ),
}


# --- reading tables -------------------------------------------------------------------------


def _cell_to_text(value: Any) -> str:
    """Parquet cells arrive typed; bring them to the CSV's text form so one validator serves."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, (list, tuple)) or type(value).__name__ == "ndarray":
        return ";".join(_cell_to_text(v) for v in value)
    if isinstance(value, date):
        return value.isoformat()[:10]
    return str(value)


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows of a CSV or Parquet file, every cell as text."""
    if path.suffix.lower() in (".parquet", ".pq"):
        import pandas as pd

        frame = pd.read_parquet(path)
        header = [str(c) for c in frame.columns]
        rows = [
            {col: _cell_to_text(val) for col, val in zip(header, record, strict=True)}
            for record in frame.itertuples(index=False, name=None)
        ]
        return header, rows
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = [h.strip() for h in next(reader, [])]
        rows = []
        for record in reader:
            if not any(cell.strip() for cell in record):
                rows.append({})  # keep row numbering; blank lines are skipped below
                continue
            padded = record + [""] * (len(header) - len(record))
            rows.append(dict(zip(header, padded, strict=False)))
        return header, rows


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class _Table:
    kind: str
    label: str
    records: list[tuple[int, dict[str, Any]]]  # rows whose every cell is valid
    partial: list[tuple[int, dict[str, Any]]] | None = None  # every row, with the cells that are valid

    @property
    def all_rows(self) -> list[tuple[int, dict[str, Any]]]:
        return self.partial if self.partial is not None else self.records


def _parse_table(kind: str, path: Path, ref: CountryTable, problems: list[Problem]) -> _Table:
    label = path.name
    schema = SCHEMAS[kind]
    try:
        header, rows = read_rows(path)
    except FileNotFoundError:
        problems.append(Problem(label, None, None, str(path), "file not found", "missing_file"))
        return _Table(kind, label, [])
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        problems.append(Problem(label, None, None, "", f"cannot be read: {exc}", "unreadable"))
        return _Table(kind, label, [])

    known = {c.name for c in schema}
    present = set(header)
    for col in schema:
        if col.required and col.name not in present:
            problems.append(Problem(label, 1, col.name, "", "required column is missing", "missing_column"))
    for name in header:
        if name not in known:
            problems.append(Problem(label, 1, name, name, "unknown column", "unknown_column"))
    if len(set(header)) != len(header):
        problems.append(Problem(label, 1, None, "", "a column name appears twice", "duplicate_column"))
    if any(p.file == label and p.row == 1 and p.code == "missing_column" for p in problems):
        return _Table(kind, label, [])

    records: list[tuple[int, dict[str, Any]]] = []
    partial: list[tuple[int, dict[str, Any]]] = []
    for offset, row in enumerate(rows):
        row_number = FIRST_RECORD_ROW + offset
        if not row:
            continue
        if None in row:
            problems.append(Problem(label, row_number, None, "", "has more cells than the header", "extra_cells"))
            continue
        values: dict[str, Any] = {}
        ok = True
        for col in schema:
            cell = row.get(col.name, "")
            try:
                values[col.name] = col.parse(cell, ref)
            except CellError as exc:
                problems.append(Problem(label, row_number, col.name, cell, str(exc), "bad_value"))
                ok = False
        partial.append((row_number, values))
        if ok:
            records.append((row_number, values))
    return _Table(kind, label, records, partial)


def _unique(table: _Table, key: Callable[[dict[str, Any]], Any], column: str, problems: list[Problem]) -> None:
    seen: dict[Any, int] = {}
    for row, values in table.all_rows:
        try:
            k = key(values)
        except KeyError:  # the key cell itself is invalid and already reported
            continue
        if k in seen:
            shown = k if isinstance(k, str) else " / ".join(map(str, k))
            problems.append(Problem(table.label, row, column, shown, f"duplicate of row {seen[k]}", "duplicate_id"))
        else:
            seen[k] = row


# --- building domain objects ----------------------------------------------------------------


def _mediator(values: dict[str, Any], ref: CountryTable) -> Mediator:
    nationalities = values["nationalities"]
    own = values["legal_traditions"] or ref[nationalities[0]].legal_traditions
    return Mediator(
        mediator_id=values["mediator_id"],
        name=values["name"],
        nationalities=nationalities,
        gender=values["gender"],
        languages=frozenset(values["languages"]),
        legal_traditions=frozenset(own),
        expertise=values["expertise"],
        years_experience=values["years_experience"],
        max_cases=values["max_cases"],
        active_cases=values["active_cases"],
        available=values["available"],
        declaration_signed=values["declaration_signed"],
        nominated_by=values["nominated_by"],
        profile=values["profile"],
    )


def _check_mediators(table: _Table, problems: list[Problem]) -> None:
    for row, values in table.records:
        if values["active_cases"] > values["max_cases"]:
            problems.append(
                Problem(
                    table.label,
                    row,
                    "active_cases",
                    str(values["active_cases"]),
                    f"is above max_cases ({values['max_cases']})",
                    "over_capacity",
                )
            )


def _check_references(
    table: _Table,
    mediator_ids: set[str],
    disputes: dict[str, dict[str, Any]] | None,
    problems: list[Problem],
) -> None:
    for row, values in table.records:
        if values["mediator_id"] not in mediator_ids:
            problems.append(
                Problem(
                    table.label,
                    row,
                    "mediator_id",
                    values["mediator_id"],
                    "names a mediator who is not in the roster",
                    "unknown_mediator",
                )
            )
        if disputes is None:
            continue
        dispute = disputes.get(values["dispute_id"])
        if dispute is None:
            problems.append(
                Problem(
                    table.label,
                    row,
                    "dispute_id",
                    values["dispute_id"],
                    "names a dispute that is not in the disputes file",
                    "unknown_dispute",
                )
            )
        elif "party" in values and values["party"] not in dispute["parties"]:
            problems.append(
                Problem(
                    table.label,
                    row,
                    "party",
                    values["party"],
                    f"is not a party to dispute {values['dispute_id']}",
                    "not_a_party",
                )
            )


def _check_preferences(table: _Table, problems: list[Problem]) -> None:
    for row, values in table.records:
        if values["struck"] and values["rank"] is not None:
            problems.append(
                Problem(
                    table.label,
                    row,
                    "rank",
                    str(values["rank"]),
                    "a struck name cannot also be ranked",
                    "struck_and_ranked",
                )
            )


def load_dataset(
    mediators: Path,
    disputes: Path,
    conflicts: Path | None = None,
    preferences: Path | None = None,
    appointments: Path | None = None,
    countries: CountryTable | None = None,
) -> Dataset:
    """Read and validate the input files; raise ``InputError`` listing every problem found."""
    ref = countries or default_countries()
    problems: list[Problem] = []
    paths: dict[str, Path | None] = {
        "mediators": Path(mediators),
        "disputes": Path(disputes),
        "conflicts": Path(conflicts) if conflicts else None,
        "preferences": Path(preferences) if preferences else None,
        "appointments": Path(appointments) if appointments else None,
    }
    tables = {kind: _parse_table(kind, p, ref, problems) for kind, p in paths.items() if p is not None}

    _unique(tables["mediators"], lambda v: v["mediator_id"], "mediator_id", problems)
    _unique(tables["disputes"], lambda v: v["dispute_id"], "dispute_id", problems)
    _check_mediators(tables["mediators"], problems)
    mediator_ids = {v["mediator_id"] for _, v in tables["mediators"].records}
    dispute_rows = {v["dispute_id"]: v for _, v in tables["disputes"].records}
    if "conflicts" in tables:
        _unique(tables["conflicts"], lambda v: (v["mediator_id"], v["dispute_id"]), "mediator_id", problems)
        _check_references(tables["conflicts"], mediator_ids, dispute_rows, problems)
    if "preferences" in tables:
        _unique(
            tables["preferences"], lambda v: (v["dispute_id"], v["party"], v["mediator_id"]), "mediator_id", problems
        )
        _check_references(tables["preferences"], mediator_ids, dispute_rows, problems)
        _check_preferences(tables["preferences"], problems)
    if "appointments" in tables:
        # Past appointments name past disputes, so only the mediator is checked.
        _check_references(tables["appointments"], mediator_ids, None, problems)

    if problems:
        order = {t.label: i for i, t in enumerate(tables.values())}
        raise InputError(sorted(problems, key=lambda p: (order.get(p.file, 0), p.row or 0)))

    return Dataset(
        mediators=tuple(_mediator(v, ref) for _, v in tables["mediators"].records),
        disputes=tuple(Dispute(**v) for _, v in tables["disputes"].records),
        conflicts=tuple(Conflict(**v) for _, v in _records(tables, "conflicts")),
        preferences=tuple(Preference(**v) for _, v in _records(tables, "preferences")),
        appointments=tuple(Appointment(**v) for _, v in _records(tables, "appointments")),
        inputs_sha256={p.name: sha256_of(p) for p in paths.values() if p is not None},
    )


def _records(tables: dict[str, _Table], kind: str) -> Iterable[tuple[int, dict[str, Any]]]:
    return tables[kind].records if kind in tables else ()


def find_input(folder: Path, kind: str) -> Path | None:
    """The file for ``kind`` in ``folder`` (``kind.csv`` or ``kind.parquet``), if there is one."""
    for suffix in (".csv", ".parquet"):
        candidate = folder / f"{kind}{suffix}"
        if candidate.exists():
            return candidate
    return None


def load_folder(folder: Path, countries: CountryTable | None = None) -> Dataset:
    """Load the standard file names from one folder (the demo data, or an uploaded set)."""
    found = {kind: find_input(folder, kind) for kind in FILE_NAMES}
    return load_dataset(
        mediators=found["mediators"] or folder / "mediators.csv",
        disputes=found["disputes"] or folder / "disputes.csv",
        conflicts=found["conflicts"],
        preferences=found["preferences"],
        appointments=found["appointments"],
        countries=countries,
    )
