"""The roster's nominees and quotas: the Sortition Foundation's CSV files, read as they are.

Users of its ``sortition-algorithms`` can switch without changing their files:

* features: ``feature, value, min, max`` with optional ``min_flex, max_flex`` (the older headers
  ``category, name`` are accepted too). Every row is a quota: between ``min`` and ``max`` of the K
  selected hold that value of that feature. Names and values match case-insensitively, with
  surrounding spaces ignored. ``min_flex``/``max_flex`` are checked (``min_flex <= min``,
  ``max_flex >= max``); they are used only to suggest a relaxation when the quotas cannot be met
  (``matching.lottery.relax``: here when a feature's minimums add up to more than K or its maximums
  to fewer, in ``compose`` when no selection meets them), never to relax a quota silently.
* nominees: an id column (``nationbuilder_id`` by default) and one column per feature; other
  columns (names, addresses, ...) are ignored.

Every problem in either file is collected and raised together as one ``InputError`` (file, row
as a spreadsheet numbers it, column, value, message, code).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from matching.core.errors import Problem
from matching.io.loading import parse_whole_number, read_table

FEATURE_HEADERS = (("feature", "category"), ("value", "name"))


@dataclass(frozen=True)
class Quota:
    feature: str
    value: str
    min: int
    max: int
    min_flex: int | None = None
    max_flex: int | None = None


@dataclass(frozen=True)
class Nominee:
    nominee_id: str
    values: tuple[
        str, ...
    ]  # one value per feature, in ``ComposeProblem.features`` order (as the features file spells it)
    row: int


@dataclass(frozen=True)
class ComposeProblem:
    """K of the nominees under the quotas, with everything already validated."""

    size: int
    features: tuple[str, ...]
    quotas: tuple[Quota, ...]
    nominees: tuple[Nominee, ...]
    features_file: str = "features.csv"

    def members_of(self, quota: Quota) -> list[int]:
        f = self.features.index(quota.feature)
        return [i for i, nom in enumerate(self.nominees) if nom.values[f] == quota.value]

    @cached_property
    def profiles(self) -> tuple[tuple[int, ...], ...]:
        """Nominees (file indices) grouped by their value in every feature, in order of each group's first
        nominee: nominees of one profile are interchangeable for every quota."""
        groups: dict[tuple[str, ...], list[int]] = {}
        for i, nominee in enumerate(self.nominees):
            groups.setdefault(nominee.values, []).append(i)
        return tuple(tuple(members) for members in groups.values())

    def quota_index(self, classes: Sequence[Sequence[int]]) -> np.ndarray:
        """[classes, features]: the quota (index into ``quotas``) each class counts towards in every feature;
        each class lies within one profile, so its first nominee speaks for all."""
        index = {(q.feature, q.value): j for j, q in enumerate(self.quotas)}
        return np.array(
            [[index[pair] for pair in zip(self.features, self.nominees[c[0]].values, strict=True)] for c in classes],
            dtype=np.int64,
        ).reshape(len(classes), len(self.features))

    @cached_property
    def _groups(self) -> tuple[frozenset[int], ...]:
        """``members_of`` every quota, in ``quotas`` order (computed once: checks run on every support panel)."""
        return tuple(frozenset(self.members_of(q)) for q in self.quotas)

    def quota_problems(self, chosen: Sequence[int]) -> list[str]:
        """Quotas a selection (indices into ``nominees``) breaks, in plain words."""
        out = []
        if len(set(chosen)) != len(chosen) or len(chosen) != self.size:
            out.append(f"the selection has {len(set(chosen))} distinct nominees; {self.size} are wanted")
        picked = set(chosen)
        for q, group in zip(self.quotas, self._groups, strict=True):
            count = len(group & picked)
            if not q.min <= count <= q.max:
                out.append(f"{q.feature}={q.value}: {count} selected, quota {q.min}..{q.max}")
        return out


def _norm(text: str) -> str:
    return text.strip().casefold()


def _int_cell(
    value: str, file: str, row: int, column: str, problems: list[Problem], required: bool = True
) -> int | None:
    text = value.strip()
    if text == "":
        if required:
            problems.append(Problem(file, row, column, value, f"{column} is empty; a whole number is needed", "empty"))
        return None
    number = parse_whole_number(text)  # ASCII digits only: int() would also take '٣' and '1_0'
    if number is None:
        problems.append(Problem(file, row, column, value, f"{column} must be a whole number", "not_an_integer"))
        return None
    if number < 0:
        problems.append(Problem(file, row, column, value, f"{column} must not be negative", "negative"))
        return None
    return number


def _column(header: list[str], names: Sequence[str]) -> str | None:
    lowered = {_norm(h): h for h in header}
    for name in names:
        if name in lowered:
            return lowered[name]
    return None


def _read(path: Path, problems: list[Problem]) -> tuple[list[str], list[dict[str, str]]] | None:
    """The file's header and rows, or None when it cannot be read; problems are appended (``read_table``)."""
    return read_table(path, problems)


@dataclass(frozen=True)
class _QuotaColumns:
    """Where each field of a quota row is in a features file (the flex columns are optional)."""

    feature: str
    value: str
    min: str
    max: str
    min_flex: str | None
    max_flex: str | None


def read_quotas(path: Path, size: int, problems: list[Problem]) -> list[Quota]:
    """The quotas of a features file; problems are appended to ``problems``."""
    file = path.name
    table = _read(path, problems)
    if table is None:
        return []
    header, rows = table
    columns = _quota_columns(header, file, problems)
    if columns is None:
        return []
    quotas: list[Quota] = []
    seen: dict[tuple[str, str], int] = {}
    for number, row in enumerate(rows, start=2):
        if row:
            quota = _quota_row(row, number, columns, file, seen, problems)
            if quota is not None:
                quotas.append(quota)
    # Canonical feature names: as first spelt in the file.
    names: dict[str, str] = {}
    for q in quotas:
        names.setdefault(_norm(q.feature), q.feature)
    quotas = [Quota(names[_norm(q.feature)], q.value, q.min, q.max, q.min_flex, q.max_flex) for q in quotas]
    if not quotas and not problems:
        problems.append(Problem(file, None, None, "", "the file lists no feature", "empty_file"))
    for name in names.values():
        _check_sums(name, [q for q in quotas if q.feature == name], size, file, problems)
    return quotas


def _quota_columns(header: list[str], file: str, problems: list[Problem]) -> _QuotaColumns | None:
    """The columns of a features file, or None (with the problems listed) when one is missing."""
    feature_col = _column(header, FEATURE_HEADERS[0])
    value_col = _column(header, FEATURE_HEADERS[1])
    min_col, max_col = _column(header, ("min",)), _column(header, ("max",))
    min_flex_col, max_flex_col = _column(header, ("min_flex",)), _column(header, ("max_flex",))
    missing = [
        name
        for name, col in (("feature", feature_col), ("value", value_col), ("min", min_col), ("max", max_col))
        if col is None
    ]
    for name in missing:
        problems.append(
            Problem(
                file, 1, name, "", f"missing column {name!r} (the header has: {', '.join(header)})", "missing_column"
            )
        )
    if (min_flex_col is None) != (max_flex_col is None):
        name = "max_flex" if max_flex_col is None else "min_flex"
        problems.append(Problem(file, 1, name, "", "min_flex and max_flex go together: give both or neither", "flex"))
    if feature_col is None or value_col is None or min_col is None or max_col is None:
        return None
    if min_flex_col is None or max_flex_col is None:
        min_flex_col = max_flex_col = None
    return _QuotaColumns(feature_col, value_col, min_col, max_col, min_flex_col, max_flex_col)


def _quota_row(
    row: dict[str, str],
    number: int,
    cols: _QuotaColumns,
    file: str,
    seen: dict[tuple[str, str], int],
    problems: list[Problem],
) -> Quota | None:
    """One row of a features file as a quota, or None (with its problems listed)."""
    feature, value = row.get(cols.feature, "").strip(), row.get(cols.value, "").strip()
    if feature == "":
        problems.append(Problem(file, number, cols.feature, "", "the feature name is empty", "empty"))
        return None
    if value == "":
        problems.append(Problem(file, number, cols.value, "", f"the value of feature {feature} is empty", "empty"))
        return None
    key = (_norm(feature), _norm(value))
    if key in seen:
        problems.append(
            Problem(
                file, number, cols.value, value, f"{feature}={value} is listed again (row {seen[key]})", "duplicate"
            )
        )
        return None
    seen[key] = number
    lo = _int_cell(row.get(cols.min, ""), file, number, "min", problems)
    hi = _int_cell(row.get(cols.max, ""), file, number, "max", problems)
    lo_flex = hi_flex = None
    if cols.min_flex and cols.max_flex:
        lo_flex = _int_cell(row.get(cols.min_flex, ""), file, number, "min_flex", problems, required=False)
        hi_flex = _int_cell(row.get(cols.max_flex, ""), file, number, "max_flex", problems, required=False)
    if lo is None or hi is None:
        return None
    if lo > hi:
        problems.append(Problem(file, number, "min", str(lo), f"min ({lo}) is greater than max ({hi})", "min_gt_max"))
    if lo_flex is not None and lo_flex > lo:
        problems.append(
            Problem(file, number, "min_flex", str(lo_flex), f"min_flex ({lo_flex}) is above min ({lo})", "flex")
        )
    if hi_flex is not None and hi_flex < hi:
        problems.append(
            Problem(file, number, "max_flex", str(hi_flex), f"max_flex ({hi_flex}) is below max ({hi})", "flex")
        )
    return Quota(feature, value, lo, hi, lo_flex, hi_flex)


def _check_sums(name: str, group: list[Quota], size: int, file: str, problems: list[Problem]) -> None:
    """A feature's minimums must fit in the seats, and its maximums must fill them."""
    low, high = sum(q.min for q in group), sum(q.max for q in group)
    if low > size:
        problems.append(
            Problem(
                file,
                None,
                "min",
                str(low),
                f"the minimums of {name} add up to {low}, more than {size} seats",
                "quota_sum",
            )
        )
    if high < size:
        problems.append(
            Problem(
                file,
                None,
                "max",
                str(high),
                f"the maximums of {name} add up to {high}, fewer than {size} seats",
                "quota_sum",
            )
        )


def read_nominees(
    path: Path, features: Sequence[str], quotas: Sequence[Quota], id_column: str, problems: list[Problem]
) -> list[Nominee]:
    """The nominees, each with a value for every feature."""
    file = path.name
    table = _read(path, problems)
    if table is None:
        return []
    header, rows = table
    found = _nominee_columns(header, features, id_column, file, problems)
    if found is None:
        return []
    id_col, columns = found
    allowed = {name: {_norm(q.value): q.value for q in quotas if q.feature == name} for name in features}
    nominees: list[Nominee] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows, start=2):
        if not row:
            continue
        nid = _nominee_id(row, id_col, number, file, seen, problems)
        if nid is None:
            continue
        values = [_feature_value(row, col, name, allowed[name], number, file, problems) for name, col in columns]
        if all(v is not None for v in values):
            nominees.append(Nominee(nid, tuple(v for v in values if v is not None), number))
    if not nominees and not problems:
        problems.append(Problem(file, None, None, "", "the file lists no nominee", "empty_file"))
    return nominees


def _nominee_columns(
    header: list[str], features: Sequence[str], id_column: str, file: str, problems: list[Problem]
) -> tuple[str, list[tuple[str, str]]] | None:
    """The id column and each feature's column, or None (with the problems listed) when one is missing."""
    id_col = _column(header, (_norm(id_column),))
    if id_col is None:
        message = f"missing id column {id_column!r} (the header has: {', '.join(header)})"
        problems.append(Problem(file, 1, id_column, "", message, "missing_column"))
    columns: list[tuple[str, str]] = []
    for name in features:
        col = _column(header, (_norm(name),))
        if col is None:
            problems.append(Problem(file, 1, name, "", f"missing column for feature {name!r}", "missing_column"))
        else:
            columns.append((name, col))
    if id_col is None or len(columns) < len(features):
        return None
    return id_col, columns


def _nominee_id(
    row: dict[str, str], id_col: str, number: int, file: str, seen: dict[str, int], problems: list[Problem]
) -> str | None:
    """A row's nominee id, or None (with the problem listed) when it is empty or seen before."""
    nid = row.get(id_col, "").strip()
    if nid == "":
        problems.append(Problem(file, number, id_col, "", "the id is empty", "empty"))
        return None
    if nid in seen:
        problems.append(Problem(file, number, id_col, nid, f"duplicate id (first on row {seen[nid]})", "duplicate"))
        return None
    seen[nid] = number
    return nid


def _feature_value(
    row: dict[str, str],
    col: str,
    name: str,
    allowed: dict[str, str],
    number: int,
    file: str,
    problems: list[Problem],
) -> str | None:
    """A row's value of one feature, spelt as in the features file, or None (with the problem listed)."""
    raw = row.get(col, "")
    value = allowed.get(_norm(raw))
    if value is None:
        choices = ", ".join(sorted(allowed.values()))
        message = f"not a value of feature {name} (one of: {choices})"
        problems.append(Problem(file, number, col, raw, message, "unknown_value"))
    return value
