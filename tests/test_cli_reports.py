"""``python -m matching report``: the files it writes, their schema, the HTML, and the exit codes.

The command lives in ``matching.cli.reports`` and registers itself on ``matching.cli.main.app`` when
imported. Usage errors are checked in-process with typer's runner; errors that ``main()`` turns
into exit codes (bad input files, unknown ids) run in a subprocess.
"""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import matching.cli.reports  # noqa: F401  (registers the command)
from matching.cli.common import app
from matching.cli.main import main
from matching.reports.neutrality import CSV_SCHEMA

FIXTURES = Path(__file__).parent / "fixtures" / "reports"
INPUTS = [
    "--mediators",
    str(FIXTURES / "mediators.csv"),
    "--disputes",
    str(FIXTURES / "disputes.csv"),
    "--conflicts",
    str(FIXTURES / "conflicts.csv"),
    "--appointments",
    str(FIXTURES / "appointments.csv"),
]
EXTERNAL = re.compile(r"""(?:src|href|url)\s*[=(]\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)
ROOT = Path(__file__).resolve().parent.parent


def run_main(*args: str) -> subprocess.CompletedProcess[str]:
    code = "import matching.cli.reports; from matching.cli.main import main; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT, timeout=300, check=False
    )


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def header(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as fh:
        return next(csv.reader(fh))


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report") / "out"
    result = CliRunner().invoke(
        app,
        ["report", "--out", str(folder), *INPUTS, "--panels", str(FIXTURES / "proposed.csv"), "--dispute", "D1"],
    )
    assert result.exit_code == 0, result.output
    assert "12 seats, 3 panel(s)" in result.output
    return folder


def test_every_table_is_written_with_its_schema(out: Path) -> None:
    assert {p.name for p in out.iterdir()} == {f"{name}.csv" for name in CSV_SCHEMA} | {"report.html"}
    for name, columns in CSV_SCHEMA.items():
        assert header(out / f"{name}.csv") == list(columns), name
    for name in ("seats_by_un_group", "seats_by_nationality"):
        assert header(out / f"{name}.csv")[:4] == ["key", "seats", "seat_share", "roster_share"]


def test_figures_in_the_csv_files(out: Path) -> None:
    groups = {r["key"]: r for r in read(out / "seats_by_un_group.csv")}
    assert (groups["african"]["seats"], groups["african"]["seat_share"]) == ("4", "0.333333")
    assert groups["asia_pacific"]["roster_share"] == "0.333333"
    assert groups["eastern_european"]["member_state_share"] == f"{23 / 193:.6f}"
    nations = {r["key"]: r for r in read(out / "seats_by_nationality.csv")}
    assert nations["FRA"]["seats"] == "3" and "CHE" not in nations
    assert nations["HKG"]["member_state_share"] == ""
    summary = {r["measure"]: r["value"] for r in read(out / "summary.csv")}
    assert summary["hhi"] == f"{34 / 144:.6f}"
    assert summary["gini"] == f"{26 / 72:.6f}"
    assert summary["top15_share"] == "1.000000"
    assert summary["host_share"] == f"{4 / 12:.6f}"
    repeats = read(out / "repeat_appointments.csv")
    assert [(r["mediator_id"], r["party"], r["dispute_ids"]) for r in repeats] == [
        ("M1", "ETH", "H01;H02"),
        ("M3", "PAK", "H02;H07"),
    ]


def test_formula_cells_are_escaped(out: Path) -> None:
    names = {r["mediator_id"]: r["name"] for r in read(out / "seats_by_mediator.csv")}
    assert names["M4"] == "'=SUM(1+1) Chan"
    for path in out.glob("*.csv"):
        for row in read(path):
            for column, value in row.items():
                if value[:1] in ("=", "+", "@") or (value[:1] == "-" and not _is_number(value)):
                    pytest.fail(f"{path.name} {column}: unescaped formula cell {value!r}")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_panels_and_flags(out: Path) -> None:
    panels = read(out / "panels.csv")
    assert [(p["panel_id"], p["source"], p["members"]) for p in panels[1:]] == [
        ("P2", "proposed", "M2;M1;M5"),
        ("P3", "proposed", "M3;M5;M1"),
    ]
    assert panels[0]["source"] == "solver" and panels[0]["objective_gap"] == "0.000000"
    lean = {p["panel_id"]: p for p in panels}["P3"]
    assert (lean["alignment"], lean["alignment_asymmetry"], lean["feasible"]) == ("RUS:3;USA:0", "3", "true")
    assert float(lean["objective_gap"]) >= 0 and float(lean["neutral_gap"]) > 0
    flags = read(out / "flags.csv")
    assert sorted({f["code"] for f in flags}) == [
        "funder_share",
        "host_share",
        "panel_lean",
        "repeat_appointment",
        "state_share",
        "top_share",
    ]
    assert [f["subject"] for f in flags if f["code"] == "panel_lean"] == ["P3 (D1)"]
    rules = read(out / "panel_rules.csv")
    assert len(rules) == 3 * 8 and all(r["passed"] == "true" for r in rules)
    disclosures = read(out / "panel_disclosures.csv")
    assert {(d["panel_id"], d["mediator_id"]) for d in disclosures} >= {("P2", "M1"), ("P2", "M2")}


def test_html_is_self_contained_and_holds_every_table(out: Path) -> None:
    page = (out / "report.html").read_text(encoding="utf-8")
    assert not EXTERNAL.search(page)
    assert "http://" not in page and "https://" not in page
    assert "<script" not in page and "<link" not in page and "<img" not in page
    for name in CSV_SCHEMA:
        assert f'data-table="{name}"' in page, name
    assert "<svg" in page and "<style>" in page


def test_same_inputs_same_tables(out: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    result = CliRunner().invoke(
        app,
        ["report", "--out", str(again), *INPUTS, "--panels", str(FIXTURES / "proposed.csv"), "--dispute", "D1"],
    )
    assert result.exit_code == 0, result.output
    for name in CSV_SCHEMA:
        assert (again / f"{name}.csv").read_bytes() == (out / f"{name}.csv").read_bytes(), name


def test_host_funder_and_threshold_options(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "report",
            "--out",
            str(tmp_path),
            *INPUTS,
            "--host",
            "HKG",
            "--funder",
            "FRA,KEN",
            "--threshold",
            "state_share_above=0.30",
            "--no-compare",
        ],
    )
    assert result.exit_code == 0, result.output
    summary = {r["measure"]: r["value"] for r in read(tmp_path / "summary.csv")}
    assert summary["host_share"] == f"{2 / 12:.6f}"
    assert summary["funder_share"] == f"{7 / 12:.6f}"
    flags = read(tmp_path / "flags.csv")
    assert [f["subject"] for f in flags if f["code"] == "state_share"] == ["KEN"]  # only KEN is above 30 %
    assert [f["subject"] for f in flags if f["code"] == "funder_share"] == ["FRA;KEN"]


@pytest.mark.parametrize(
    "extra",
    [
        ["--host", "XXX"],
        ["--funder", "ZZZ"],
        ["--threshold", "state_share_above=lots"],
        ["--threshold", "state_share_above"],
        ["--threshold", "nonsense=1"],
    ],
)
def test_bad_options_exit_2_and_write_nothing(tmp_path: Path, extra: list[str]) -> None:
    folder = tmp_path / "out"
    result = CliRunner().invoke(app, ["report", "--out", str(folder), *INPUTS, *extra])
    assert result.exit_code == 2, result.output
    assert not folder.exists()


def test_mediators_without_disputes_exit_2(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    result = CliRunner().invoke(app, ["report", "--out", str(folder), "--mediators", str(FIXTURES / "mediators.csv")])
    assert result.exit_code == 2
    assert not folder.exists()


def test_out_must_be_a_folder(tmp_path: Path) -> None:
    target = tmp_path / "a_file"
    target.write_text("keep me", encoding="utf-8")
    result = CliRunner().invoke(app, ["report", "--out", str(target), *INPUTS])
    assert result.exit_code == 2
    assert target.read_text(encoding="utf-8") == "keep me"


def test_bad_input_files_exit_2_and_write_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    bad = [*INPUTS]
    bad[1] = str(FIXTURES / "bad_mediators.csv")
    result = run_main("report", "--out", str(folder), *bad)
    assert result.returncode == 2, result.stderr
    assert "unknown country code" in result.stderr and "bad_mediators.csv, row 2" in result.stderr
    assert "is negative" in result.stderr
    assert not folder.exists()


def run_in_process(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    """``main()`` as the console runs it, in this process: the exit status it ends with."""
    monkeypatch.setattr(sys, "argv", ["matching", *args])
    with pytest.raises(SystemExit) as ended:
        main()
    code = ended.value.code
    return code if isinstance(code, int) else 1


def test_unknown_dispute_and_unknown_panel_member_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "out"
    assert run_in_process(monkeypatch, "report", "--out", str(folder), *INPUTS, "--dispute", "D9") == 2
    assert "D9" in capsys.readouterr().err
    proposed = tmp_path / "proposed.csv"
    proposed.write_text("dispute_id,members\nD1,M2;NOBODY;M5\nD7,M1;M2;M5\n", encoding="utf-8")
    assert run_in_process(monkeypatch, "report", "--out", str(folder), *INPUTS, "--panels", str(proposed)) == 2
    err = capsys.readouterr().err
    assert "proposed.csv, row 2, column members" in err and "NOBODY" in err
    assert "proposed.csv, row 3, column dispute_id" in err
    assert not folder.exists()


def test_success_through_main_exits_0(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "out"
    assert run_in_process(monkeypatch, "report", "--out", str(folder), *INPUTS, "--no-compare") == 0
    assert (folder / "report.html").exists() and (folder / "seats_by_un_group.csv").exists()
