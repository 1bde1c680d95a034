"""Loading reads strictly (issue 14, part 3 and the end of part 5): every cell that would be read too
kindly, and every file that is not a readable UTF-8 file, is a listed problem with its file, row,
column and value; a long list is capped, and a large garbage file is answered in seconds.
"""

from __future__ import annotations

import os
import random
import time
from pathlib import Path

import pytest

from matching.core.errors import MAX_LISTED, InputError, Problem, ProblemList
from matching.io.loading import MAX_CELL_CHARS, STOP_AFTER, load_dataset
from tests.factories import dispute_row, mediator_row, write_csv, write_inputs

HEADER = list(mediator_row("M1"))


def problems_of(tmp_path: Path, **tables: list[dict[str, str]]) -> list[Problem]:
    tables.setdefault("mediators", [mediator_row("M1"), mediator_row("M2", nationalities="FRA")])
    tables.setdefault("disputes", [dispute_row("D1")])
    paths = write_inputs(tmp_path, **tables)
    with pytest.raises(InputError) as info:
        load_dataset(**paths)
    return info.value.problems


def load_raw_mediators(tmp_path: Path, text: str | bytes) -> list[Problem]:
    """Problems of a mediators file written byte for byte (with a valid disputes file)."""
    path = tmp_path / "mediators.csv"
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8", newline="")
    else:
        path.write_bytes(text)
    disputes = write_csv(tmp_path / "disputes.csv", [dispute_row("D1")])
    with pytest.raises(InputError) as info:
        load_dataset(mediators=path, disputes=disputes)
    return info.value.problems


def csv_line(row: dict[str, str]) -> str:
    return ",".join(f'"{row[c]}"' if "," in row[c] else row[c] for c in HEADER)


def test_a_row_with_more_cells_than_the_header_is_refused(tmp_path: Path) -> None:
    # An unquoted comma in a profile: the rest of the text used to be cut silently.
    good = csv_line(mediator_row("M1"))
    cut = csv_line(mediator_row("M2", nationalities="FRA", profile="Trade law")) + ", energy and water"
    (p,) = load_raw_mediators(tmp_path, "\n".join([",".join(HEADER), good, cut]) + "\n")
    assert (p.file, p.row, p.code) == ("mediators.csv", 3, "extra_cells")
    assert p.value == " energy and water"
    assert "15 cells" in p.message and "14" in p.message


def test_empty_trailing_cells_are_harmless(tmp_path: Path) -> None:
    text = "\n".join([",".join(HEADER), csv_line(mediator_row("M1")) + ",,"]) + "\n"
    path = tmp_path / "mediators.csv"
    path.write_text(text, encoding="utf-8")
    data = load_dataset(mediators=path, disputes=write_csv(tmp_path / "disputes.csv", [dispute_row("D1")]))
    assert [m.mediator_id for m in data.mediators] == ["M1"]


def test_a_nul_character_is_refused(tmp_path: Path) -> None:
    (p,) = problems_of(tmp_path, mediators=[mediator_row("M1"), mediator_row("M2", profile="Trade\x00law")])
    assert (p.file, p.row, p.column, p.value, p.code) == (
        "mediators.csv",
        3,
        "profile",
        "Trade\x00law",
        "nul_character",
    )


@pytest.mark.parametrize("value", ["٣", "1_0", "３", "²", " 4 5", "0x4", "4.0", "1e3"])
def test_whole_numbers_take_ascii_digits_only(tmp_path: Path, value: str) -> None:
    (p,) = problems_of(tmp_path, mediators=[mediator_row("M1"), mediator_row("M2", max_cases=value)])
    assert (p.file, p.row, p.column, p.value) == ("mediators.csv", 3, "max_cases", value)
    assert "whole number" in p.message


@pytest.mark.parametrize(
    ("table", "column", "value"),
    [
        ("mediators", "expertise", "water:٣"),
        ("mediators", "years_experience", "1_0"),
        ("mediators", "active_cases", "١"),
        ("disputes", "panel_size", "٣"),
        ("preferences", "rank", "1_0"),
        ("appointments", "appointed_on", "٢٠٢٥-٠٣-٠١"),
        ("appointments", "appointed_on", "20250301"),
    ],
)
def test_other_number_cells_take_ascii_digits_only(tmp_path: Path, table: str, column: str, value: str) -> None:
    rows = {
        "mediators": [mediator_row("M1"), mediator_row("M2", nationalities="FRA")],
        "disputes": [dispute_row("D1")],
        "preferences": [{"dispute_id": "D1", "party": "ETH", "mediator_id": "M2", "struck": "", "rank": "1"}],
        "appointments": [{"mediator_id": "M1", "dispute_id": "H1", "party": "ETH", "appointed_on": "2025-03-01"}],
    }
    rows[table][-1][column] = value
    problems = problems_of(tmp_path, **rows)
    (p,) = [p for p in problems if p.code == "bad_value"]  # (the others: rows naming the refused one)
    assert (p.file, p.column, p.value) == (f"{table}.csv", column, value)


@pytest.mark.parametrize(
    ("column", "value", "fragment"),
    [
        ("max_cases", "10001", "between 0 and 10,000"),
        ("years_experience", "101", "between 0 and 100"),
        ("max_cases", "9" * 30, "far too large"),
    ],
)
def test_counts_have_a_documented_ceiling(tmp_path: Path, column: str, value: str, fragment: str) -> None:
    (p,) = problems_of(tmp_path, mediators=[mediator_row("M1"), mediator_row("M2", **{column: value})])
    assert (p.column, p.value) == (column, value) and fragment in p.message


def test_a_non_waivable_conflict_cannot_be_waived(tmp_path: Path) -> None:
    conflict = {"mediator_id": "M1", "dispute_id": "D1", "category": "non_waivable_red", "waived": "yes", "note": ""}
    (p,) = problems_of(tmp_path, conflicts=[conflict])
    assert (p.file, p.row, p.column, p.code) == ("conflicts.csv", 2, "waived", "waived_non_waivable")
    waivable = {**conflict, "category": "waivable_red"}
    paths = write_inputs(tmp_path, mediators=[mediator_row("M1")], disputes=[dispute_row("D1")], conflicts=[waivable])
    assert load_dataset(**paths).conflicts[0].waived


def test_a_cell_over_the_csv_field_limit_is_named(tmp_path: Path) -> None:
    # Python's csv refuses a field over 131,072 characters with an error naming no file or row.
    huge = "x" * 200_000
    (p,) = problems_of(tmp_path, mediators=[mediator_row("M1"), mediator_row("M2", nationalities="FRA", profile=huge)])
    assert (p.file, p.row, p.column, p.code) == ("mediators.csv", 3, "profile", "cell_too_long")
    assert f"{MAX_CELL_CHARS:,}" in p.message
    assert len(str(p)) < 300  # the value is shortened in the message


def test_a_file_that_is_not_utf8_names_its_line(tmp_path: Path) -> None:
    text = (",".join(HEADER) + "\n" + csv_line(mediator_row("M1")) + "\n").encode() + b"M2,Jos\xe9\n"
    (p,) = load_raw_mediators(tmp_path, text)
    assert (p.file, p.row, p.code) == ("mediators.csv", 3, "not_utf8")


def test_a_folder_is_not_an_input_file(tmp_path: Path) -> None:
    (tmp_path / "mediators.csv").mkdir()
    disputes = write_csv(tmp_path / "disputes.csv", [dispute_row("D1")])
    with pytest.raises(InputError) as info:
        load_dataset(mediators=tmp_path / "mediators.csv", disputes=disputes)
    (p,) = info.value.problems
    assert (p.file, p.code) == ("mediators.csv", "not_a_file") and "folder" in p.message


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need POSIX")
def test_a_named_pipe_is_never_opened(tmp_path: Path) -> None:
    fifo = tmp_path / "mediators.csv"
    os.mkfifo(fifo)
    disputes = write_csv(tmp_path / "disputes.csv", [dispute_row("D1")])
    with pytest.raises(InputError) as info:  # opening it would wait for a writer forever
        load_dataset(mediators=fifo, disputes=disputes)
    (p,) = info.value.problems
    assert (p.file, p.code) == ("mediators.csv", "not_a_file") and "named pipe" in p.message


def test_the_list_is_capped_and_counted_by_kind() -> None:
    found = ProblemList()
    for row in range(2, 1002):
        found.append(Problem("m.csv", row, "max_cases", "x", "is not a whole number", "bad_value"))
        found.append(Problem("m.csv", row, None, "y", "has 15 cells", "extra_cells"))
    error = InputError(found)
    assert error.total == 2000 and len(error.problems) == MAX_LISTED
    assert error.counts == {"bad_value": 1000, "extra_cells": 1000}
    message = str(error)
    assert message.startswith("2,000 problems in the input; the first 300 are listed")
    assert "bad_value 1,000" in message and "extra_cells 1,000" in message
    assert message.count("\n  - ") == MAX_LISTED


def garbage(path: Path, size: int, seed: int = 0) -> Path:
    """``size`` bytes of random text with commas, quotes and line breaks, under a mediators header."""
    rng = random.Random(seed)
    alphabet = 'abcdefXYZ0123456789 ;:,,"\n-٣é\t'
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(HEADER) + "\n")
        written = 0
        while written < size:
            chunk = "".join(rng.choices(alphabet, k=4096))
            fh.write(chunk)
            written += len(chunk)
    return path


def test_a_large_garbage_file_is_answered_in_seconds(tmp_path: Path) -> None:
    # A 50 MB garbage file used to give 5.4 million problems and 541 MB of messages in 153 s.
    path = garbage(tmp_path / "mediators.csv", 5_000_000)
    disputes = write_csv(tmp_path / "disputes.csv", [dispute_row("D1")])
    started = time.perf_counter()
    with pytest.raises(InputError) as info:
        load_dataset(mediators=path, disputes=disputes)
    seconds = time.perf_counter() - started
    error = info.value
    assert seconds < 10, seconds
    assert len(str(error)) < 100_000
    assert len(error.problems) <= MAX_LISTED + 1
    assert error.total >= STOP_AFTER
    stopped = [p for p in error.problems if p.code == "checking_stopped"]
    assert len(stopped) == 1 and "not checked" in stopped[0].message
