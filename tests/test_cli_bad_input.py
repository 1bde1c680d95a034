"""Exits that must be 2, with a message and nothing written (issue 14, part 5): seeds out of range,
``score --panels`` given a folder or a file that is not UTF-8, an input that is a named pipe, and a
large garbage file (answered in seconds, with a capped list).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

import pytest

from matching.cli.main import main
from matching.core.paths import demo_dir
from tests.test_loading_strict import garbage

ROOT = Path(__file__).resolve().parent.parent
DEMO = demo_dir()
DEMO_ARGS = [arg for kind in ("mediators", "disputes") for arg in (f"--{kind}", str(DEMO / f"{kind}.csv"))]
HUGE = str(2**64 + 1)


def run_inline(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with mock.patch.object(sys, "argv", ["matching", *args]), pytest.raises(SystemExit) as exit_info:
        main()
    captured = capsys.readouterr()
    code = exit_info.value.code
    return (0 if code is None else int(code)), captured.out, captured.err


@pytest.mark.parametrize(
    "args",
    [
        ["solve", "--dispute", "D001", "--seed", HUGE],
        ["solve", "--dispute", "D001", "--seed", str(2**31)],  # CP-SAT's seed is 32 bits
        ["solve", "--dispute", "D001", "--seed", "-1"],
        ["why-not", "--dispute", "D001", "--mediator", "M0001", "--seed", HUGE],
        ["lottery", "--dispute", "D001", "--seed", HUGE],
        ["lottery", "--dispute", "D001", "--seed", "-3"],
        ["batch", "--seed", HUGE],
        ["demo-data", "--seed", HUGE],
    ],
)
def test_a_seed_out_of_range_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    out = tmp_path / "out"
    extra = ([] if args[0] == "why-not" else ["--out", str(out)]) + ([] if args[0] == "demo-data" else DEMO_ARGS)
    code, _, err = run_inline(capsys, *args, *extra)
    assert code == 2, err
    assert "--seed" in err and "Traceback" not in err
    assert not out.exists()


def test_a_64_bit_seed_is_fine_for_the_public_draw_and_demo_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_inline(
        capsys, "demo-data", "--out", str(tmp_path), "--seed", str(2**63 - 1), "--mediators", "20", "--disputes", "3"
    )
    assert code == 0, err


def test_score_panels_given_a_folder_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "scored.csv"
    folder = tmp_path / "proposed.csv"
    folder.mkdir()
    code, _, err = run_inline(capsys, "score", "--panels", str(folder), "--out", str(out), *DEMO_ARGS)
    assert code == 2 and "proposed.csv" in err and "folder" in err
    assert not out.exists()


def test_score_panels_not_utf8_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "scored.csv"
    proposed = tmp_path / "proposed.csv"
    proposed.write_bytes(b"dispute_id,members\nD001,M0001;Jos\xe9\n")
    code, _, err = run_inline(capsys, "score", "--panels", str(proposed), "--out", str(out), *DEMO_ARGS)
    assert code == 2 and "proposed.csv, row 2" in err and "UTF-8" in err
    assert not out.exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need POSIX")
@pytest.mark.parametrize("option", ["--mediators", "--panels", "--rules"])
def test_a_named_pipe_as_input_exits_2_without_waiting(tmp_path: Path, option: str) -> None:
    fifo = tmp_path / ("pipe.toml" if option == "--rules" else "pipe.csv")
    os.mkfifo(fifo)
    out = tmp_path / "scored.csv"
    inputs = {"--mediators": str(DEMO / "mediators.csv"), "--disputes": str(DEMO / "disputes.csv")}
    if option == "--mediators":
        inputs["--mediators"] = str(fifo)
    args = ["score", "--panels", str(fifo if option == "--panels" else DEMO / "mediators.csv"), "--out", str(out)]
    if option == "--rules":
        args += ["--rules", str(fifo)]
    args += [arg for pair in inputs.items() for arg in pair]
    proc = subprocess.run(
        [sys.executable, "-m", "matching", *args], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 2, proc.stderr
    assert "named pipe" in proc.stderr and "Traceback" not in proc.stderr
    assert not out.exists()


def test_a_garbage_file_is_answered_in_seconds_with_a_capped_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = garbage(tmp_path / "mediators.csv", 5_000_000, seed=1)
    out = tmp_path / "panels.json"
    started = time.perf_counter()
    code, stdout, err = run_inline(
        capsys, "solve", "--out", str(out), "--mediators", str(path), "--disputes", str(DEMO / "disputes.csv")
    )
    assert code == 2
    assert time.perf_counter() - started < 15
    assert len(err) < 100_000
    assert "are listed" in err and "Problems of each kind:" in err and "checking stopped" in err
    assert not out.exists() and stdout == ""
