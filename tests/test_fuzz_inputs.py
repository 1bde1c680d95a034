"""Fuzzing the inputs (issue 14): Hypothesis mutates a slice of the demo CSV files and a rule set.

Cells are replaced, inserted and deleted; rows dropped or repeated; odd Unicode, NUL characters,
huge, negative and malformed numbers, wrong booleans and stray bytes are injected; rule-set values
are swapped for out-of-range, wrongly typed or non-finite ones and unknown keys are added. Whatever
comes out, ``validate`` and ``solve`` exit with 0 or 2 (never 1), never print a traceback or an
"unexpected error", and on exit 2 write nothing.

The command runs in this process (``matching.cli.main.main``), on a slice of the demo data small
enough that a valid mutation also solves quickly; the whole test takes well under a minute. The run
is derandomised (the same 30 cases every time); ``MATCHING_FUZZ_EXAMPLES=N`` draws N fresh ones.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import sys
import tempfile
from pathlib import Path
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.cli.main import main
from matching.core.paths import demo_dir, rules_dir

KINDS = ("mediators", "disputes", "conflicts", "preferences", "appointments")
MEDIATORS = 60
DISPUTES = 3


def _read(kind: str) -> list[list[str]]:
    with (demo_dir() / f"{kind}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def _slice() -> dict[str, list[list[str]]]:
    """The first mediators and disputes of the demo data, with the rows of the other files that name them."""
    tables = {kind: _read(kind) for kind in KINDS}
    mediators = tables["mediators"][: MEDIATORS + 1]
    disputes = tables["disputes"][: DISPUTES + 1]
    mids = {row[0] for row in mediators[1:]}
    dids = {row[0] for row in disputes[1:]}
    out = {"mediators": mediators, "disputes": disputes}
    for kind in ("conflicts", "preferences", "appointments"):
        header, *rows = tables[kind]
        m, d = header.index("mediator_id"), header.index("dispute_id")
        keep = [r for r in rows if r[m] in mids and (kind == "appointments" or r[d] in dids)]
        out[kind] = [header, *keep]
    return out


BASE = _slice()
FIRST_DISPUTE = BASE["disputes"][1][0]
RULES = (rules_dir() / "iomed.toml").read_text(encoding="utf-8")
RULE_KEYS = re.findall(r"^(\w+) *=", RULES, flags=re.M)

ODD_VALUES = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "٣",
    "1_0",
    "３",
    "-1",
    "-5",
    "0",
    "9" * 25,
    "1e308",
    "nan",
    "inf",
    "2.7",
    "maybe",
    "TRUE ",
    "yes;no",
    "\ufeff",
    "\u202e",
    "İ",
    "x" * 300,
    ";;;",
    "water:9",
    "trade:٣",
    "non_waivable_red",
    "true",
    "ETH;ETH",
    "2025-13-01",
    '"',
    ",",
    "\n",
]
cell_values = st.one_of(
    st.sampled_from(ODD_VALUES),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=12),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)


@st.composite
def csv_mutation(draw: st.DrawFn) -> tuple[str, str, int, int, str]:
    kind = draw(st.sampled_from(KINDS))
    action = draw(st.sampled_from(["replace", "replace", "replace", "insert", "delete", "drop_row", "repeat_row"]))
    rows = BASE[kind]
    row = draw(st.integers(0, len(rows) - 1)) if len(rows) > 1 else 0
    col = draw(st.integers(0, len(rows[0]) - 1))
    return kind, action, row, col, draw(cell_values)


def _apply(tables: dict[str, list[list[str]]], mutation: tuple[str, str, int, int, str]) -> None:
    kind, action, row, col, value = mutation
    rows = tables[kind]
    if not rows:
        return
    target = rows[row % len(rows)]
    col = min(col, max(len(target) - 1, 0))
    if action == "replace" and target:
        target[col] = value
    elif action == "insert":
        target.insert(col, value)
    elif action == "delete" and target:
        del target[col]
    elif action == "drop_row":
        del rows[row % len(rows)]
    elif action == "repeat_row":
        rows.append(list(target))


def _csv_bytes(rows: list[list[str]], raw: tuple[int, bytes] | None) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    data = buffer.getvalue().encode("utf-8")
    if raw is not None:  # a stray byte, an unquoted comma or quote, a line break, anywhere
        at = raw[0] % (len(data) + 1)
        data = data[:at] + raw[1] + data[at:]
    return data


TOML_VALUES = [
    "-1",
    "-5",
    "0",
    "2.7",
    "100",
    "101",
    "1e300",
    "nan",
    "inf",
    "-inf",
    "true",
    '""',
    '"false"',
    '"strict"',
    '"sometimes"',
    "99999999999999999999",
    "[1, 2]",
    "{ a = 1 }",
    "1979-05-27",
]


@st.composite
def toml_mutation(draw: st.DrawFn) -> str:
    lines = RULES.splitlines()
    for _ in range(draw(st.integers(0, 3))):
        key = draw(st.sampled_from(RULE_KEYS))
        value = draw(st.one_of(st.sampled_from(TOML_VALUES), st.floats().map(repr), st.integers().map(str)))
        lines = [f"{key} = {value}" if re.match(rf"{key} *=", line) else line for line in lines]
    if draw(st.booleans()):
        lines.insert(draw(st.integers(0, len(lines))), f"{draw(st.sampled_from(['extra', 'fairness']))} = 1")
    if draw(st.integers(0, 9)) == 0:
        lines.append("[hard")  # not TOML at all
    return "\n".join(lines) + "\n"


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with (
        mock.patch.object(sys, "argv", ["matching", *args]),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = 0 if exc.code is None else int(exc.code)
    return code, out.getvalue(), err.getvalue()


@settings(
    max_examples=int(os.environ.get("MATCHING_FUZZ_EXAMPLES", "30")),  # a longer hunt: MATCHING_FUZZ_EXAMPLES=1000
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize="MATCHING_FUZZ_EXAMPLES" not in os.environ,
    database=None,
)
@given(
    mutations=st.lists(csv_mutation(), min_size=1, max_size=4),
    raw=st.one_of(
        st.none(),
        st.tuples(
            st.sampled_from(KINDS), st.integers(0, 10**6), st.sampled_from([b"\xff", b",", b'"', b"\r", b"\x00"])
        ),
    ),
    rules=st.one_of(st.just(RULES), toml_mutation()),
)
def test_mutated_inputs_exit_0_or_2_and_never_crash(
    mutations: list[tuple[str, str, int, int, str]], raw: tuple[str, int, bytes] | None, rules: str
) -> None:
    tables = {kind: [list(r) for r in rows] for kind, rows in BASE.items()}
    for mutation in mutations:
        _apply(tables, mutation)
    with tempfile.TemporaryDirectory(prefix="fuzz-") as tmp:
        folder = Path(tmp)
        args: list[str] = []
        for kind, rows in tables.items():
            path = folder / f"{kind}.csv"
            path.write_bytes(_csv_bytes(rows, raw[1:] if raw is not None and raw[0] == kind else None))
            args += [f"--{kind}", str(path)]
        rule_file = folder / "rules.toml"
        rule_file.write_text(rules, encoding="utf-8")
        args += ["--rules", str(rule_file)]

        code, stdout, err = run("validate", *args)
        assert code in (0, 2), err
        assert "Traceback" not in err and "Unexpected error" not in err and "Internal error" not in err
        assert (code == 0) == stdout.startswith("OK:"), (code, stdout, err)

        out = folder / "panels.json"
        solve = ["solve", "--out", str(out), "--candidates", "1", "--time-limit", "1", "--dispute", FIRST_DISPUTE]
        code, _, err = run(*solve, *args)
        assert code in (0, 2), err
        assert "Traceback" not in err and "Unexpected error" not in err and "Internal error" not in err
        assert out.exists() == (code == 0), err
