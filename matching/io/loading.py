"""Loading and validating the input files (CSV or Parquet) into domain objects.

Loading is all or nothing: every file is read, every cell checked, every cross-reference
resolved, and either a whole ``Dataset`` comes back or one ``InputError`` listing every
problem (file, row, column, value, what is wrong). Nothing is half-loaded.

Reading is strict: only regular files are opened (never a folder, named pipe or device); a file must
be UTF-8; a row with more non-empty cells than the header, a NUL character, a cell longer than
``MAX_CELL_CHARS`` and a number written with anything but ASCII digits are all problems, each named
with its file, row and column. The list stops growing after ``MAX_LISTED`` problems (the rest are
counted by kind), so even a large garbage file is answered in seconds.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
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
from matching.core.errors import InputError, MatchingError, Problem, ProblemList
from matching.io.countries import CountryTable, default_countries

log = logging.getLogger(__name__)

FILE_NAMES = ("mediators", "disputes", "conflicts", "preferences", "appointments")
FIRST_RECORD_ROW = 2  # the header is row 1, as a spreadsheet shows it
STOP_AFTER = 10_000  # problems in one file after which its remaining rows are not checked
MAX_CELL_CHARS = 100_000  # a longer cell is a problem (a profile is a few paragraphs at most)
MAX_YEARS = 100  # years_experience
MAX_CASES = 10_000  # max_cases and active_cases
MAX_RANK = 1_000_000  # a party's rank of a mediator
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")  # ASCII digits only: int() would also take '٣' and '1_0'
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class CellError(MatchingError, ValueError):
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
        level = parse_whole_number(level_text)
        if level is None:
            raise CellError(f"level in {item!r} is not a whole number")
        if not 1 <= level <= MAX_EXPERTISE_LEVEL:
            raise CellError(f"level in {item!r} is not between 1 and {MAX_EXPERTISE_LEVEL}")
        if area in result:
            raise CellError(f"lists subject {area!r} twice")
        result[area] = level
    return result


def parse_whole_number(cell: str) -> int | None:
    """The whole number written in ``cell`` with ASCII digits (and an optional sign), else None.

    ``int()`` alone would accept other scripts' digits (``'٣'``), underscores (``'1_0'``) and
    thousands of digits; none of them belongs in these files."""
    text = cell.strip()
    if len(text) > 20 or not _WHOLE_NUMBER.fullmatch(text):
        return None
    return int(text)


def _not_a_number(cell: str, maximum: int) -> CellError:
    """Why ``parse_whole_number`` gave None: too many digits, or not digits at all."""
    if _WHOLE_NUMBER.fullmatch(cell.strip()):
        return CellError(f"is far too large (at most {maximum:,})")
    return CellError("is not a whole number (digits 0-9 only)")


def whole_number(minimum: int, maximum: int, default: int | None = None) -> Parser:
    """A whole number from ``minimum`` to ``maximum``; an empty cell gives ``default`` (None: required)."""

    def parse(cell: str, _: CountryTable) -> int:
        if not cell.strip() and default is not None:
            return default
        if not cell.strip():
            raise CellError("is empty but required")
        value = parse_whole_number(cell)
        if value is None:
            raise _not_a_number(cell, maximum)
        if value < 0 <= minimum:
            raise CellError("is negative")
        if not minimum <= value <= maximum:
            raise CellError(f"is not between {minimum} and {maximum:,}")
        return value

    return parse


def positive_int_or_none(cell: str, _: CountryTable) -> int | None:
    if not cell.strip():
        return None
    value = parse_whole_number(cell)
    if value is None:
        raise _not_a_number(cell, MAX_RANK)
    if value < 1:
        raise CellError("must be 1 or more")
    if value > MAX_RANK:
        raise CellError(f"is above {MAX_RANK:,}")
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
    value = parse_whole_number(cell)
    if value is None:
        raise _not_a_number(cell, max(PANEL_SIZES))
    if value not in PANEL_SIZES:
        raise CellError(f"is not one of {', '.join(map(str, PANEL_SIZES))}")
    return value


def iso_date(cell: str, _: CountryTable) -> date:
    if not _ISO_DATE.fullmatch(cell.strip()):  # fromisoformat also takes 20250301 and other forms
        raise CellError("is not a date in the form YYYY-MM-DD")
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
        Column("years_experience", whole_number(0, MAX_YEARS, default=0), required=False),
        Column("max_cases", whole_number(0, MAX_CASES)),
        Column("active_cases", whole_number(0, MAX_CASES, default=0), required=False),
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
        # An empty party is a seat filled by the organisation itself (the column must still be there).
        Column("party", optional_country),
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


def file_problem(path: Path) -> Problem | None:
    """Why ``path`` cannot be read as an input file, if it cannot: missing, or not a regular file.

    A named pipe is never opened (reading one would wait for a writer forever), nor a device."""
    label = path.name or str(path)
    try:
        if path.is_file():
            return None
        if not path.exists():
            return Problem(label, None, None, str(path), "file not found", "missing_file")
        kind = "a folder" if path.is_dir() else "not a regular file (a named pipe, device or socket)"
        return Problem(label, None, None, str(path), f"is {kind}; a file is needed", "not_a_file")
    except OSError as exc:  # a name too long, a loop of links, no permission to look
        return Problem(label, None, None, str(path), f"cannot be read: {exc.strerror or exc}", "unreadable")


def decode_utf8(data: bytes, label: str) -> str | Problem:
    """The text of a file's bytes (a byte-order mark is dropped), or the problem naming the line that is not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        bad = data[exc.start : exc.start + 4].hex(" ")
        return Problem(
            label,
            line,
            None,
            "",
            f"is not UTF-8 text (bytes {bad} at byte {exc.start:,}); save it as UTF-8",
            "not_utf8",
        )


def _read_parquet(path: Path, label: str, problems: list[Problem]) -> tuple[list[str], Iterator[list[str]]] | None:
    import pandas as pd

    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises many kinds on a damaged file
        problems.append(Problem(label, None, None, "", f"cannot be read as Parquet: {exc}", "unreadable"))
        return None
    header = [str(c) for c in frame.columns]
    return header, ([_cell_to_text(v) for v in record] for record in frame.itertuples(index=False, name=None))


def _read_csv(path: Path, label: str, problems: list[Problem]) -> tuple[list[str], Iterator[list[str]]] | None:
    text = decode_utf8(path.read_bytes(), label)
    if isinstance(text, Problem):
        problems.append(text)
        return None
    # The cell length is checked below, with the row and column; csv's own limit would only say "field larger".
    if csv.field_size_limit() < len(text):
        csv.field_size_limit(len(text))
    records = _csv_records(csv.reader(io.StringIO(text, newline="")), label, problems)
    header = next(records, [])
    return [h.strip() for h in header], records


def _csv_records(reader: Iterator[list[str]], label: str, problems: list[Problem]) -> Iterator[list[str]]:
    """The reader's records; a record csv cannot read is a problem, and an empty record in its place."""
    row = 0
    while True:
        row += 1
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            problems.append(Problem(label, row, None, "", f"cannot be read as CSV: {exc}", "bad_csv"))
            yield []


def read_table(path: Path, problems: list[Problem]) -> tuple[list[str], list[dict[str, str]]] | None:
    """Header and rows of a CSV or Parquet file, every cell as text; None when the file cannot be read.

    File-level and row-level problems are appended to ``problems``: not a readable regular file, not
    UTF-8, a row with more non-empty cells than the header, a NUL character, a cell longer than
    ``MAX_CELL_CHARS``. Such a row comes back empty (``{}``), like a blank line, to keep the row
    numbering; so does a blank line."""
    table = iter_table(path, problems)
    return None if table is None else (table[0], list(table[1]))


def iter_table(path: Path, problems: list[Problem]) -> tuple[list[str], Iterator[dict[str, str]]] | None:
    """As ``read_table``, but the rows are checked as they are taken, so that a caller can stop early."""
    label = path.name
    trouble = file_problem(path)
    if trouble is not None:
        problems.append(trouble)
        return None
    parquet = path.suffix.lower() in (".parquet", ".pq")
    try:
        table = _read_parquet(path, label, problems) if parquet else _read_csv(path, label, problems)
    except OSError as exc:
        problems.append(Problem(label, None, None, "", f"cannot be read: {exc.strerror or exc}", "unreadable"))
        return None
    if table is None:
        return None
    header, records = table
    for col, name in enumerate(header, start=1):
        if "\x00" in name or len(name) > MAX_CELL_CHARS:
            problems.append(Problem(label, 1, f"#{col}", name, "is not a column name", "bad_header"))
    rows = (_row(record, header, label, FIRST_RECORD_ROW + n, problems) for n, record in enumerate(records))
    return header, rows


def _row(record: list[str], header: list[str], label: str, number: int, problems: list[Problem]) -> dict[str, str]:
    """One record as {column: cell}, or {} for a blank line or a row with a problem (appended)."""
    if not any(cell.strip() for cell in record):
        return {}
    ok = True
    extra = [cell for cell in record[len(header) :] if cell.strip()]
    if extra:
        shown = ",".join(extra)
        message = f"has {len(record)} cells but the header has {len(header)} (a comma inside a cell needs quotes)"
        problems.append(Problem(label, number, None, shown, message, "extra_cells"))
        ok = False
    for name, cell in zip(header, record, strict=False):
        if "\x00" in cell:
            problems.append(Problem(label, number, name, cell, "contains a NUL character", "nul_character"))
            ok = False
        elif len(cell) > MAX_CELL_CHARS:
            message = f"is longer than {MAX_CELL_CHARS:,} characters"
            problems.append(Problem(label, number, name, cell, message, "cell_too_long"))
            ok = False
    if not ok:
        return {}
    padded = record + [""] * (len(header) - len(record))
    return dict(zip(header, padded, strict=False))


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows of a CSV or Parquet file, every cell as text; ``InputError`` on any problem."""
    problems = ProblemList()
    table = read_table(path, problems)
    if problems or table is None:
        raise InputError(problems)
    return table


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
    table = iter_table(path, problems)
    if table is None:
        return _Table(kind, label, [])
    header, rows = table
    found_before = _count(problems)
    if not _header_ok(header, schema, label, problems):
        return _Table(kind, label, [])
    records: list[tuple[int, dict[str, Any]]] = []
    partial: list[tuple[int, dict[str, Any]]] = []
    for offset, row in enumerate(rows):
        row_number = FIRST_RECORD_ROW + offset
        found = _count(problems) - found_before
        if found >= STOP_AFTER:
            message = f"checking stopped at this row after {found:,} problems in this file; the rest was not checked"
            problems.append(Problem(label, row_number, None, "", message, "checking_stopped"))
            break
        if not row:
            continue
        values, ok = _parse_row(row, schema, ref, label, row_number, problems)
        partial.append((row_number, values))
        if ok:
            records.append((row_number, values))
    return _Table(kind, label, records, partial)


def _count(problems: list[Problem]) -> int:
    """Problems found so far, including those a capped list no longer keeps."""
    return problems.total if isinstance(problems, ProblemList) else len(problems)


def _header_ok(header: list[str], schema: Sequence[Column], label: str, problems: list[Problem]) -> bool:
    """List the header's problems; False when a required column is missing (no row can be read)."""
    known = {c.name for c in schema}
    present = set(header)
    missing = [col.name for col in schema if col.required and col.name not in present]
    for name in missing:
        problems.append(Problem(label, 1, name, "", "required column is missing", "missing_column"))
    for name in header:
        if name not in known:
            problems.append(Problem(label, 1, name, name, "unknown column", "unknown_column"))
    if len(set(header)) != len(header):
        problems.append(Problem(label, 1, None, "", "a column name appears twice", "duplicate_column"))
    return not missing


def _parse_row(
    row: dict[str, str], schema: Sequence[Column], ref: CountryTable, label: str, number: int, problems: list[Problem]
) -> tuple[dict[str, Any], bool]:
    """Every cell of one row parsed by its column; False when a cell has a problem (listed)."""
    values: dict[str, Any] = {}
    ok = True
    for col in schema:
        cell = row.get(col.name, "")
        try:
            values[col.name] = col.parse(cell, ref)
        except CellError as exc:
            problems.append(Problem(label, number, col.name, cell, str(exc), "bad_value"))
            ok = False
    return values, ok


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


def _check_conflicts(table: _Table, problems: list[Problem]) -> None:
    for row, values in table.records:
        if values["waived"] and values["category"] is ConflictCategory.NON_WAIVABLE_RED:
            message = "a non_waivable_red conflict cannot be waived (only a waivable_red one can)"
            problems.append(Problem(table.label, row, "waived", "true", message, "waived_non_waivable"))


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
    problems = ProblemList()
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
        _check_conflicts(tables["conflicts"], problems)
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
        raise InputError(problems.sorted_by(lambda p: (order.get(p.file, 0), p.row or 0)))

    sources = {kind: (p.name, p.read_bytes()) for kind, p in paths.items() if p is not None}
    log.info("loaded %s", ", ".join(f"{len(t.records)} rows of {t.label}" for t in tables.values()))
    return Dataset(
        mediators=tuple(_mediator(v, ref) for _, v in tables["mediators"].records),
        disputes=tuple(Dispute(**v) for _, v in tables["disputes"].records),
        conflicts=tuple(Conflict(**v) for _, v in _records(tables, "conflicts")),
        preferences=tuple(Preference(**v) for _, v in _records(tables, "preferences")),
        appointments=tuple(Appointment(**v) for _, v in _records(tables, "appointments")),
        inputs_sha256={name: hashlib.sha256(content).hexdigest() for name, content in sources.values()},
        sources=sources,
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
