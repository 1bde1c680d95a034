"""Every JSON output carries enough to run it again: the input files' hashes, the full effective
rule set (weight overrides included) in the shape of a rule-set file, the command's settings and
the seed. Each test re-runs a command from its own output alone and gets the same result."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from matching.core.paths import demo_dir
from matching.io.loading import load_folder


def toml_text(record: dict[str, Any]) -> str:
    """A rule-set record written back as TOML (strings, numbers, booleans and one level of tables)."""

    def value(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, str):
            return json.dumps(v)
        return repr(v)

    lines = [f"{k} = {value(v)}" for k, v in record.items() if not isinstance(v, dict)]
    for table, items in record.items():
        if isinstance(items, dict):
            lines += ["", f"[{table}]", *(f"{k} = {value(v)}" for k, v in items.items())]
    return "\n".join(lines) + "\n"


def run(*args: str) -> None:
    done = subprocess.run([sys.executable, "-m", "matching", *args], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr


def again(document: dict[str, Any], tmp_path: Path) -> tuple[Path, list[str]]:
    """The rule-set file and the options that repeat the run described by ``document["run"]``."""
    header = document["run"]
    assert header["inputs_sha256"] == load_folder(demo_dir()).inputs_sha256  # the same files, by content
    rules = tmp_path / "rules.toml"
    rules.write_text(toml_text(header["rules"]), encoding="utf-8")
    return rules, ["--rules", str(rules), "--seed", str(header["seed"])]


def test_solve_runs_again_from_its_own_output(tmp_path: Path) -> None:
    first = tmp_path / "first.json"
    run("solve", "--out", str(first), "--rules", "icsid", "--weight", "neutrality=1.5", "--weight", "workload=0",
        "--candidates", "2", "--seed", "3", "--dispute", "D002", "--dispute", "D010")  # fmt: skip
    document = json.loads(first.read_text())
    assert document["run"]["rules"]["weights"]["neutrality"] == 1.5
    assert document["run"]["rules"]["hard"]["nationality_rule"] == "majority"
    _, options = again(document, tmp_path)
    settings = document["run"]["settings"]
    disputes = [arg for did in settings["disputes"] for arg in ("--dispute", did)]
    second = tmp_path / "second.json"
    run("solve", "--out", str(second), *options, "--candidates", str(settings["candidates"]),
        "--time-limit", str(settings["time_limit"]), *disputes)  # fmt: skip
    assert json.loads(second.read_text())["disputes"] == document["disputes"]


def test_tradeoffs_and_lottery_run_again_from_their_own_output(tmp_path: Path) -> None:
    first = tmp_path / "front.json"
    run("tradeoffs", "--dispute", "D005", "--out", str(first), "--weight", "diversity=0.9", "--no-sensitivity")
    document = json.loads(first.read_text())
    _, options = again(document, tmp_path)
    settings = document["run"]["settings"]
    second = tmp_path / "front2.json"
    run("tradeoffs", "--dispute", settings["dispute"], "--out", str(second), *options, "--no-sensitivity")
    assert json.loads(second.read_text())["points"] == document["points"]

    first = tmp_path / "lottery.json"
    run("lottery", "--dispute", "D003", "--out", str(first), "--seed", "9", "--floor", "0.9", "--tickets", "50")
    document = json.loads(first.read_text())
    _, options = again(document, tmp_path)
    s = document["run"]["settings"]
    second = tmp_path / "lottery2.json"
    run("lottery", "--dispute", s["dispute"], "--out", str(second), *options, "--floor", str(s["floor"]),
        "--tickets", str(s["tickets"]), "--method", s["method"])  # fmt: skip
    repeated = json.loads(second.read_text())
    assert {k: v for k, v in repeated.items() if k != "run"} == {k: v for k, v in document.items() if k != "run"}
