"""Writing outputs: the one CSV writer (formulas neutralised, line breaks quoted) and the output path rules.

* ``matching.io.csv_out``: the cell rule (``=1+2``, ``-1+2``, ``+1``, ``@SUM``, tab and carriage
  return get a leading quote; ``-0.5`` stays a number) and the row rule (a bare carriage return
  inside a note does not split the row).
* ``matching.io.out_paths``: a folder, a path under a file, a device, a FIFO or a symbolic link is
  refused by every command that writes, with exit status 2, before any work and without leaving
  a file or a temporary file behind; ``/dev/null`` and the link's target stay untouched; a group
  of files is written all or none.
* Injected ids and names come out neutralised in every CSV the project writes: ``score``,
  ``batch --seats-csv``, ``report``, ``sweep``, ``compose`` run on a small roster, and the app's
  downloads through the functions that build them.
"""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import sys
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from matching.batch.run import solve_batch
from matching.batch.settings import BatchConfig
from matching.cli.main import main
from matching.core.config import SolveConfig
from matching.io import out_paths
from matching.io.csv_out import cell_text, csv_document, frame_document, is_plain_number, safe_cell, write_csv
from matching.io.loading import load_dataset
from matching.io.out_paths import (
    OutputPathError,
    check_output,
    check_output_folder,
    write_file,
    write_files,
    write_folder,
)
from matching.io.rulesets import load_rule_set
from matching.lottery.dispute import dispute_lottery
from matching.records.store import DecisionStore, NewDecision, SeatRecord
from matching.records.users import CommandLine
from matching.reports.neutrality import panel_report, panel_tables, roster_report, roster_tables
from matching.rules.workspace import Workspace
from tests.factories import dispute_row, mediator_row, write_inputs
from tests.factories import write_csv as write_input_csv

BATCH = Path(__file__).parent / "fixtures" / "batch"
INJECTED_IDS = ('=HYPERLINK("http://evil.example","x")', "@SUM(A1)", "+1", "-1+2", "a\rb", "M6", "M7")
INJECTED_NAMES = ('=HYPERLINK("http://evil.example","y")', "@SUM(B1)", "+2", "-2+3", "c\rd", "\t=cmd", "Plain Name")
NATIONALITIES = ("KEN", "FRA", "BRA", "IND", "CAN", "JPN", "GHA")
LEADING = ("=", "+", "@", "\t", "\r")


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """Exit status and stderr of ``python -m matching ARGS``, run in this process through ``main``."""
    with mock.patch.object(sys, "argv", ["matching", *args]), pytest.raises(SystemExit) as info:
        main()
    code = info.value.code
    return (0 if code is None else int(code)), capsys.readouterr().err


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def unsafe_cells(text: str) -> list[str]:
    """Cells a spreadsheet could run: a formula start, or a minus that does not begin a plain number."""
    return [
        cell
        for row in rows_of(text)
        for cell in row
        if cell.startswith(LEADING) or (cell.startswith("-") and not is_plain_number(cell))
    ]


def read_text(path: Path) -> str:
    with path.open(encoding="utf-8", newline="") as fh:
        return fh.read()


def snapshot(folder: Path) -> dict[str, str]:
    """Every entry under ``folder``: its kind, and a regular file's content or a link's target."""
    out = {}
    for p in sorted(folder.rglob("*")):
        key = str(p.relative_to(folder))
        if p.is_symlink():
            out[key] = f"link -> {os.readlink(p)}"
        elif p.is_dir():
            out[key] = "folder"
        elif stat.S_ISFIFO(p.lstat().st_mode):
            out[key] = "fifo"
        else:
            out[key] = p.read_text(encoding="utf-8", errors="replace")
    return out


# --- the cell and row rules -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+2", "'=1+2"),
        ("-1+2", "'-1+2"),
        ("+1", "'+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-A1", "'-A1"),
        ("-inf", "'-inf"),
        ("-0.5", "-0.5"),
        ("-12", "-12"),
        ("-1e-07", "-1e-07"),
        ("0.25", "0.25"),
        ("Plain = text", "Plain = text"),
        ("", ""),
    ],
)
def test_safe_cell_neutralises_formulas_and_keeps_numbers(value: str, written: str) -> None:
    assert safe_cell(value) == written
    assert safe_cell(safe_cell(value)) == written  # applying it twice changes nothing


def test_cell_text_writes_numbers_as_numbers() -> None:
    assert cell_text(-0.5) == "-0.5" and cell_text(-3) == "-3" and cell_text(2.0) == "2.0"
    assert cell_text(None) == "" and cell_text(float("nan")) == ""
    assert cell_text(True) == "True" and cell_text(False) == "False"
    assert cell_text("=x") == "'=x"


def test_a_bare_carriage_return_in_a_note_does_not_split_the_row(tmp_path: Path) -> None:
    rows = [["1", "first\rline"], ["2", "a\nb"], ["3", "a\r\nb"], ["4", "plain"]]
    text = csv_document(("id", "note"), rows)
    assert text.endswith("\r\n") and text.startswith("id,note\r\n")
    assert rows_of(text) == [["id", "note"], *rows]
    path = write_csv(tmp_path / "notes.csv", ("id", "note"), rows)
    with path.open(encoding="utf-8", newline="") as fh:
        assert len(list(csv.DictReader(fh))) == 4
    assert path.read_bytes() == text.encode("utf-8")


def test_a_row_of_the_wrong_width_is_refused() -> None:
    with pytest.raises(ValueError, match="2 cells for 3 columns"):
        csv_document(("a", "b", "c"), [["1", "2"]])


def test_frame_document_writes_native_values() -> None:
    import numpy as np
    import pandas as pd

    frame = pd.DataFrame({"id": ["=x", "-0.5"], "p": [np.float64(0.25), np.nan], "ok": [True, False]})
    assert frame_document(frame) == "id,p,ok\r\n'=x,0.25,True\r\n-0.5,,False\r\n"


# --- the path rules -------------------------------------------------------------------------------


def bad_file_path(kind: str, folder: Path) -> Path:
    """A file output path of the given bad kind, set up inside ``folder``."""
    target = folder / "target.txt"
    target.write_text("keep me", encoding="utf-8")
    if kind == "folder":
        (folder / "existing").mkdir()
        return folder / "existing"
    if kind == "under_file":
        return target / "out.csv"
    if kind == "device":
        return Path(os.devnull)
    if kind == "link":
        (folder / "link").symlink_to(target)
        return folder / "link"
    if kind == "dangling_link":
        (folder / "dangling").symlink_to(folder / "nowhere")
        return folder / "dangling"
    if kind == "fifo":
        os.mkfifo(folder / "pipe")
        return folder / "pipe"
    raise AssertionError(kind)


def bad_folder_path(kind: str, folder: Path) -> Path:
    """A folder output path of the given bad kind, set up inside ``folder``."""
    target = folder / "target.txt"
    target.write_text("keep me", encoding="utf-8")
    (folder / "real").mkdir()
    (folder / "real" / "other.txt").write_text("mine", encoding="utf-8")
    if kind == "file":
        return target
    if kind == "under_file":
        return target / "out"
    if kind == "device":
        return Path(os.devnull)
    if kind == "link":
        (folder / "link").symlink_to(folder / "real")
        return folder / "link"
    if kind == "link_to_file":
        (folder / "link").symlink_to(target)
        return folder / "link"
    raise AssertionError(kind)


FILE_KINDS = ("folder", "under_file", "device", "link", "dangling_link", "fifo")
FOLDER_KINDS = ("file", "under_file", "device", "link", "link_to_file")


@pytest.mark.parametrize("kind", FILE_KINDS)
def test_check_output_refuses_what_is_not_a_new_or_regular_file(kind: str, tmp_path: Path) -> None:
    path = bad_file_path(kind, tmp_path)
    with pytest.raises(OutputPathError):
        check_output(path)
    before = snapshot(tmp_path)
    with pytest.raises(OutputPathError):
        write_file(path, "new")
    assert snapshot(tmp_path) == before
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


@pytest.mark.parametrize("kind", FOLDER_KINDS)
def test_check_output_folder_refuses_what_is_not_a_folder(kind: str, tmp_path: Path) -> None:
    path = bad_folder_path(kind, tmp_path)
    with pytest.raises(OutputPathError):
        check_output_folder(path)
    before = snapshot(tmp_path)
    with pytest.raises(OutputPathError):
        write_folder(path, {"a.csv": "x"})
    assert snapshot(tmp_path) == before


def test_good_paths_pass_and_missing_folders_are_created(tmp_path: Path) -> None:
    assert check_output(tmp_path / "new.json") == tmp_path / "new.json"
    (tmp_path / "old.json").write_text("old", encoding="utf-8")
    check_output(tmp_path / "old.json")
    check_output_folder(tmp_path)
    check_output_folder(tmp_path / "a" / "b")
    write_file(tmp_path / "x" / "y" / "z.json", "{}")
    assert (tmp_path / "x" / "y" / "z.json").read_text(encoding="utf-8") == "{}"
    write_file(tmp_path / "old.json", "new")
    assert (tmp_path / "old.json").read_text(encoding="utf-8") == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.json", "x"]


def test_two_outputs_may_not_be_the_same_file(tmp_path: Path) -> None:
    with pytest.raises(OutputPathError, match="two outputs"):
        write_files([(tmp_path / "a.csv", "1"), (tmp_path / "." / "a.csv", "2")])
    assert not list(tmp_path.iterdir())


def test_a_failing_second_file_leaves_the_first_unwritten(tmp_path: Path) -> None:
    first, second = tmp_path / "panels.json", tmp_path / "seats.csv"
    real_stage = out_paths._stage
    calls = 0

    def failing_stage(target: Path, content: str | bytes) -> Path:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise OSError("disk full")
        return real_stage(target, content)

    with mock.patch.object(out_paths, "_stage", failing_stage), pytest.raises(OSError, match="disk full"):
        write_files([(first, "new panels"), (second, "new seats")])
    assert not list(tmp_path.iterdir())  # neither file, no temporary file


@pytest.mark.parametrize("hard_links", [True, False])
def test_a_failing_second_move_puts_the_first_file_back(
    hard_links: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not hard_links:  # a file system without hard links: the previous version is kept as a copy
        monkeypatch.setattr(os, "link", mock.Mock(side_effect=PermissionError("no links here")))
    first, second = tmp_path / "panels.json", tmp_path / "seats.csv"
    first.write_text("old panels", encoding="utf-8")
    real_replace = os.replace
    calls = 0

    def failing_replace(src: Any, dst: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise OSError("device gone")
        real_replace(src, dst)

    with mock.patch.object(os, "replace", failing_replace), pytest.raises(OSError, match="device gone"):
        write_files([(first, "new panels"), (second, "new seats")])
    assert first.read_text(encoding="utf-8") == "old panels"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["panels.json"]


def test_a_new_folder_appears_whole_or_not_at_all(tmp_path: Path) -> None:
    folder = tmp_path / "report"
    failing_fsync = mock.patch.object(os, "fsync", side_effect=[None, OSError("disk full")])
    with failing_fsync, pytest.raises(OSError, match="disk full"):
        write_folder(folder, {"a.csv": "1", "b.csv": "2"})
    assert not list(tmp_path.iterdir())
    write_folder(folder, {"a.csv": "1", "b.csv": "2"})
    assert sorted(p.name for p in folder.iterdir()) == ["a.csv", "b.csv"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]


def test_an_existing_folder_keeps_its_other_files(tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("mine", encoding="utf-8")
    (tmp_path / "a.csv").write_text("old", encoding="utf-8")
    write_folder(tmp_path, {"a.csv": "new", "b.csv": "2"})
    assert {p.name: p.read_text(encoding="utf-8") for p in tmp_path.iterdir()} == {
        "mine.txt": "mine",
        "a.csv": "new",
        "b.csv": "2",
    }


def test_written_files_are_readable_like_any_other(tmp_path: Path) -> None:
    path = write_file(tmp_path / "a.json", "{}")
    assert stat.S_IMODE(path.stat().st_mode) == out_paths.FILE_MODE


# --- every command that writes -------------------------------------------------------------------


@pytest.fixture(scope="module")
def roster(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A small valid roster whose ids and names are formulas, and the files every command needs."""
    folder = tmp_path_factory.mktemp("roster")
    mediators = [
        mediator_row(mid, name=name, nationalities=nat, max_cases="6", active_cases="0")
        for mid, name, nat in zip(INJECTED_IDS, INJECTED_NAMES, NATIONALITIES, strict=True)
    ]
    disputes = [dispute_row("=D1", panel_size="3"), dispute_row("@D2", panel_size="1", title="=2+3 title")]
    paths = write_inputs(folder, mediators=mediators, disputes=disputes)
    paths["panels"] = write_input_csv(
        folder / "proposed.csv",
        [{"dispute_id": "=D1", "members": ";".join(INJECTED_IDS[:3])}, {"dispute_id": "@D2", "members": "a\rb"}],
    )
    nominees = [
        {"nationbuilder_id": nid, "region": region}
        for nid, region in zip(INJECTED_IDS, ("A", "B", "A", "B", "A", "B", "A"), strict=True)
    ]
    paths["nominees"] = write_input_csv(folder / "nominees.csv", nominees)
    paths["features"] = write_input_csv(
        folder / "features.csv",
        [
            {"feature": "region", "value": "A", "min": "1", "max": "2"},
            {"feature": "region", "value": "B", "min": "1", "max": "2"},
        ],
    )
    scenarios = folder / "scenarios.toml"
    scenarios.write_text(
        '[defaults]\nmediators = "mediators.csv"\ndisputes = "disputes.csv"\ntime_limit = 5\n\n'
        "[[scenario]]\nname = \"=cmd|' /C calc'!A0\"\n",
        encoding="utf-8",
    )
    paths["scenarios"] = scenarios
    return paths


def inputs(roster: dict[str, Path]) -> list[str]:
    return ["--mediators", str(roster["mediators"]), "--disputes", str(roster["disputes"])]


# Each command that writes, as the arguments of a run writing to OUT (a file, or a folder for report and demo-data).
COMMANDS: dict[str, Callable[[dict[str, Path], str], list[str]]] = {
    "solve": lambda r, out: ["solve", "--out", out, "--time-limit", "1", *inputs(r)],
    "batch": lambda r, out: ["batch", "--out", out, "--workers", "1", "--time-limit", "1", *inputs(r)],
    "batch --seats-csv": lambda r, out: [
        *("batch", "--out", str(r["scratch"] / "never.json"), "--seats-csv", out),
        *("--workers", "1", "--time-limit", "1", *inputs(r)),
    ],
    "score": lambda r, out: ["score", "--panels", str(r["panels"]), "--out", out, *inputs(r)],
    "tradeoffs": lambda r, out: ["tradeoffs", "--dispute", "=D1", "--out", out, "--time-limit", "1", *inputs(r)],
    "lottery": lambda r, out: ["lottery", "--dispute", "=D1", "--out", out, "--time-limit", "1", *inputs(r)],
    "compose": lambda r, out: [
        *("compose", "--features", str(r["features"]), "--nominees", str(r["nominees"])),
        *("--size", "3", "--out", out),
    ],
    "sweep": lambda r, out: ["sweep", "--scenarios", str(r["scenarios"]), "--out", out, "--jobs", "1"],
}
FOLDER_COMMANDS: dict[str, Callable[[dict[str, Path], str], list[str]]] = {
    "report": lambda r, out: ["report", "--out", out, "--no-compare", *inputs(r)],
    "demo-data": lambda r, out: ["demo-data", "--out", out, "--mediators", "20", "--disputes", "3"],
}


@pytest.mark.parametrize("kind", FILE_KINDS)
@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_command_refuses_a_bad_out_file_with_exit_2_and_writes_nothing(
    command: str, kind: str, roster: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    out = bad_file_path(kind, work)
    before = snapshot(tmp_path)
    code, err = run_cli(capsys, *COMMANDS[command]({**roster, "scratch": work}, str(out)))
    assert code == 2, err
    assert "cannot write" in err and "Nothing was written" in err
    assert snapshot(tmp_path) == before  # nothing new, no temporary file, the link and its target untouched
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


@pytest.mark.parametrize("kind", FOLDER_KINDS)
@pytest.mark.parametrize("command", list(FOLDER_COMMANDS))
def test_every_folder_command_refuses_a_bad_out_with_exit_2_and_writes_nothing(
    command: str, kind: str, roster: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    out = bad_folder_path(kind, work)
    before = snapshot(tmp_path)
    code, err = run_cli(capsys, *FOLDER_COMMANDS[command](roster, str(out)))
    assert code == 2, err
    assert "cannot write" in err
    assert snapshot(tmp_path) == before
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


def test_batch_refuses_the_same_file_for_both_outputs(
    roster: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = str(tmp_path / "both")
    code, err = run_cli(capsys, "batch", "--out", out, "--seats-csv", out, "--workers", "1", *inputs(roster))
    assert code == 2 and "two outputs" in err
    assert not list(tmp_path.iterdir())


# --- injected ids and names come out neutralised --------------------------------------------------


def assert_neutralised(text: str, expected_rows: int | None = None) -> None:
    assert not unsafe_cells(text), unsafe_cells(text)
    if expected_rows is not None:
        assert len(rows_of(text)) == expected_rows + 1  # the header


def test_score_neutralises_ids(roster: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "scored.csv"
    code, err = run_cli(capsys, "score", "--panels", str(roster["panels"]), "--out", str(out), *inputs(roster))
    assert code == 0, err
    text = read_text(out)
    assert_neutralised(text, expected_rows=2)
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert rows[0]["dispute_id"] == "'=D1" and rows[0]["members"].startswith("'=HYPERLINK")
    assert rows[1]["members"] == "a\rb"


def test_batch_writes_both_files_with_neutralised_seats(
    roster: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, seats = tmp_path / "panels.json", tmp_path / "seats.csv"
    args = ["batch", "--out", str(out), "--seats-csv", str(seats), "--workers", "1", "--time-limit", "2"]
    code, err = run_cli(capsys, *args, *inputs(roster))
    assert code == 0, err
    document = json.loads(out.read_text(encoding="utf-8"))
    members = [s["mediator_id"] for d in document["disputes"] for p in d["panels"] for s in p["members"]]
    assert members
    text = read_text(seats)
    assert_neutralised(text, expected_rows=len(members))
    written = [r["mediator_id"] for r in csv.DictReader(io.StringIO(text, newline=""))]
    assert written == [safe_cell(m) for m in members]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["panels.json", "seats.csv"]


def test_report_tables_are_neutralised_and_written_together(
    roster: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "report"
    args = ["report", "--out", str(folder), "--panels", str(roster["panels"]), "--no-compare", *inputs(roster)]
    code, err = run_cli(capsys, *args)
    assert code == 0, err
    names = sorted(p.name for p in folder.iterdir())
    assert "report.html" in names and "panel_members.csv" in names
    for path in folder.glob("*.csv"):
        assert_neutralised(read_text(path))
    members = list(csv.DictReader(io.StringIO(read_text(folder / "panel_members.csv"), newline="")))
    assert {r["name"] for r in members} >= {'\'=HYPERLINK("http://evil.example","y")', "'@SUM(B1)", "'+2", "c\rd"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]  # no staging folder left behind


def test_report_into_an_existing_folder_keeps_other_files(
    roster: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    code, err = run_cli(capsys, "report", "--out", str(tmp_path), "--no-compare", *inputs(roster))
    assert code == 0, err
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert (tmp_path / "report.html").is_file()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_compose_neutralises_nominee_ids(
    roster: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "probabilities.csv"
    code, err = run_cli(capsys, *COMMANDS["compose"](roster, str(out)))
    assert code == 0, err
    text = read_text(out)
    assert_neutralised(text, expected_rows=len(INJECTED_IDS))
    ids = [r["id"] for r in csv.DictReader(io.StringIO(text, newline=""))]
    assert ids == [safe_cell(i) for i in INJECTED_IDS]


def test_sweep_neutralises_the_scenario_name(
    roster: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sweep.csv"
    code, err = run_cli(capsys, *COMMANDS["sweep"](roster, str(out)))
    assert code in (0, 1), err  # 1 only if a run failed; the table is written either way
    text = read_text(out)
    assert_neutralised(text, expected_rows=1)
    assert next(csv.DictReader(io.StringIO(text, newline="")))["scenario"].startswith("'=cmd")


# --- the app's downloads -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def workspace(roster: dict[str, Path]) -> Workspace:
    return Workspace(load_dataset(mediators=roster["mediators"], disputes=roster["disputes"]))


def test_app_batch_downloads_are_neutralised(workspace: Workspace) -> None:
    from ui.batch import results_table, seats_csv

    outcome = solve_batch(workspace, load_rule_set("iomed"), BatchConfig(workers=1, time_limit=2))
    seats = seats_csv(outcome)
    assert_neutralised(seats, expected_rows=len(outcome.seats))
    assert "'=HYPERLINK" in seats or "'@SUM(A1)" in seats or "'+1" in seats
    table = frame_document(results_table(workspace, outcome))
    assert_neutralised(table, expected_rows=2)
    assert "'=D1" in table and "'=2+3 title" in table


def test_app_lottery_download_is_neutralised(workspace: Workspace) -> None:
    from ui.lottery import probability_frame

    lottery = dispute_lottery(workspace, "=D1", load_rule_set("iomed"), config=SolveConfig(candidates=1, time_limit=2))
    frame = probability_frame(workspace, lottery)
    text = frame_document(frame)
    assert_neutralised(text, expected_rows=len(frame))
    assert "'=HYPERLINK" in text and "c\rd" in text


def test_app_review_tables_are_neutralised(workspace: Workspace) -> None:
    from ui.review import table_csv, tables_zip

    rule_set = load_rule_set("iomed")
    report = roster_report(workspace.data, countries=workspace.countries)
    panel = panel_report(workspace, "=D1", list(INJECTED_IDS[:3]), rule_set, compare=False)
    tables = [*roster_tables(report), *panel_tables([panel])]
    for table in tables:
        assert_neutralised(table_csv(table), expected_rows=len(table.rows))
    with zipfile.ZipFile(io.BytesIO(tables_zip(tables))) as archive:
        members = archive.read("panel_members.csv").decode("utf-8")
        by_mediator = archive.read("seats_by_mediator.csv").decode("utf-8")
    assert "'=HYPERLINK" in members and "'@SUM(A1)" in members and ",'+1," in members
    assert "'-1+2" in by_mediator and "'-2+3" in by_mediator


@pytest.fixture
def store(tmp_path: Path) -> Iterator[DecisionStore]:
    s = DecisionStore(f"sqlite:///{tmp_path / 'decisions.sqlite'}")
    yield s
    s.close()


def test_decisions_export_neutralises_text_and_keeps_rows_whole(store: DecisionStore) -> None:
    seats = (SeatRecord("M1", "chair", name='=HYPERLINK("http://x")'), SeatRecord("M2", "member", name="+1"))
    store.add_user("-someone", "registrar", "correct horse battery staple", by=CommandLine("tests"))
    session = store.sign_in("-someone", "correct horse battery staple").token
    store.record(
        NewDecision(
            dispute_id="@D1",
            seats=seats,
            rule_set="iomed",
            nationality_rule="strict",
            weights={"expertise": 1.0},
            scores={"expertise": 0.5},
            objective=-0.5,
            inputs_sha256={"mediators.csv": "abc"},
            note="first\rsecond\n=third",
            parties=("ETH", "SDN"),
        ),
        {"M1": 1, "M2": 1},
        session,
    )
    text = store.export_csv()
    assert_neutralised(text, expected_rows=1)
    row = next(csv.DictReader(io.StringIO(text, newline="")))
    assert row["note"] == "first\rsecond\n=third"  # quoted, not split; the formula is not at the start
    assert row["dispute_id"] == "'@D1" and row["recorded_by"] == "'-someone"
    assert row["member_names"] == '\'=HYPERLINK("http://x");+1'
    assert row["objective"] == "-0.500000"  # a negative number stays a number
