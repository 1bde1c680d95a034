"""Rule-set files and weight overrides are checked against one schema (issue 14, parts 1 and 2).

Every key's type and range and every unknown key is a problem listed with its key and value, in the
same list as the problems of the CSV files; ``--weight`` goes through the same check. The weights'
documented range keeps the solver's integer objective far from overflowing: the worst case is
computed here, and a model built at the largest weights is checked against CP-SAT's limits.
"""

from __future__ import annotations

import sys
from pathlib import Path
from unittest import mock

import pytest

from matching.cli.main import main
from matching.core.config import Locks, SolveConfig
from matching.core.domain import PANEL_SIZES
from matching.core.errors import InputError
from matching.core.paths import demo_dir, rules_dir
from matching.io.loading import load_folder
from matching.io.rulesets import MAX_WEIGHT, WEIGHT_NAMES, RuleSetError, load_rule_set
from matching.panel.model import PanelModel
from matching.panel.service import propose
from matching.rules.encoding import encode
from matching.rules.scoring import SCORE_SCALE, int_weight
from matching.rules.workspace import Workspace
from tests.factories import mediator_row, write_inputs

DEMO = demo_dir()
DEMO_ARGS = [arg for kind in ("mediators", "disputes") for arg in (f"--{kind}", str(DEMO / f"{kind}.csv"))]
FLOAT_EXACT = 2**53  # CP-SAT keeps the objective in a double too: stay where every integer is exact


def run_inline(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with mock.patch.object(sys, "argv", ["matching", *args]), pytest.raises(SystemExit) as exit_info:
        main()
    captured = capsys.readouterr()
    code = exit_info.value.code
    return (0 if code is None else int(code)), captured.out, captured.err


def problems_of_toml(tmp_path: Path, text: str) -> list[tuple[str | None, str, str]]:
    path = tmp_path / "mine.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RuleSetError) as info:
        load_rule_set(str(path))
    assert all(p.file == "mine.toml" for p in info.value.problems)
    return [(p.column, p.value, p.message) for p in info.value.problems]


@pytest.mark.parametrize(
    ("text", "key", "value", "fragment"),
    [
        ("[weights]\nexpertise = -1.0", "[weights] expertise", "-1.0", "between 0 and 100"),
        ('[hard]\nhonour_strikes = ""', "[hard] honour_strikes", '""', "true or false"),
        ('[hard]\nhonour_strikes = "false"', "[hard] honour_strikes", '"false"', "without quotes"),
        ("[hard]\nmin_traditions = -5", "[hard] min_traditions", "-5", "between 1 and 4"),
        ("[hard]\nmin_traditions = 2.7", "[hard] min_traditions", "2.7", "whole number"),
        ("[hard]\nmin_traditions = true", "[hard] min_traditions", "true", "whole number"),
        ("[hard]\nmin_traditions = 100", "[hard] min_traditions", "100", "between 1 and 4"),
        ("[hard]\nmin_size_for_composition = -1", "[hard] min_size_for_composition", "-1", "between 1 and 5"),
        ("[hard]\nmin_un_groups = 6", "[hard] min_un_groups", "6", "between 1 and 5"),
        ('[hard]\nnationality_rule = "sometimes"', "[hard] nationality_rule", '"sometimes"', "strict"),
        ("[weights]\nneutrality = nan", "[weights] neutrality", "nan", "finite"),
        ("[weights]\nneutrality = inf", "[weights] neutrality", "inf", "finite"),
        ("[weights]\nneutrality = 1e300", "[weights] neutrality", "1e+300", "between 0 and 100"),
        ("[weights]\nneutrality = true", "[weights] neutrality", "true", "a number"),
        ("[weights]\nfairness = 1.0", "[weights] fairness", "1.0", "not a known key"),
        ("[scoring]\ntext_share = 1.5", "[scoring] text_share", "1.5", "between 0 and 1"),
        ("[scoring]\nhistory_years = 0", "[scoring] history_years", "0", "between 1 and 100"),
        ("[scoring]\nbusy_appointments = 3.0", "[scoring] busy_appointments", "3.0", "whole number"),
        ("colour = 1", "colour", "1", "not a known key"),
        ("hard = 1", "[hard]", "1", "must be a table"),
        ("name = 3", "name", "3", "text"),
    ],
)
def test_each_bad_key_is_named_with_its_value(tmp_path: Path, text: str, key: str, value: str, fragment: str) -> None:
    ((column, shown, message),) = problems_of_toml(tmp_path, text + "\n")
    assert (column, shown) == (key, value)
    assert fragment in message


def test_every_problem_of_a_rule_set_is_listed(tmp_path: Path) -> None:
    text = (
        '[hard]\nhonour_strikes = ""\nmin_traditions = 2.7\nmin_size_for_composition = -1\n'
        "[weights]\nexpertise = -1\nneutrality = nan\n[scoring]\ntext_share = 2\n"
    )
    assert len(problems_of_toml(tmp_path, text)) == 6


@pytest.mark.parametrize("name", ["iomed", "icsid", "uncitral-list"])
def test_the_bundled_rule_sets_keep_the_schema(name: str) -> None:
    rule_set = load_rule_set(name)
    assert rule_set.name == name
    assert all(0 <= rule_set.weights.of(w) <= MAX_WEIGHT for w in WEIGHT_NAMES)
    assert (rules_dir() / f"{name}.toml").is_file()


def test_a_rule_set_that_is_not_utf8_or_a_folder_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "latin1.toml"
    bad.write_bytes(b'name = "caf\xe9"\n')
    code, _, err = run_inline(capsys, "validate", "--rules", str(bad), *DEMO_ARGS)
    assert code == 2 and "latin1.toml" in err and "UTF-8" in err
    folder = tmp_path / "rules.toml"
    folder.mkdir()
    code, _, err = run_inline(capsys, "validate", "--rules", str(folder), *DEMO_ARGS)
    assert code == 2 and "folder" in err
    code, _, err = run_inline(capsys, "validate", "--rules", str(tmp_path), *DEMO_ARGS)  # no extension
    assert code == 2 and "folder" in err


@pytest.mark.parametrize("value", ["-1", "1e15", "1e12", "nan", "inf", "100.5"])
def test_weight_overrides_are_checked_like_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    out = tmp_path / "panels.json"
    args = ["solve", "--out", str(out), "--dispute", "D001", "--candidates", "1", "--weight", f"expertise={value}"]
    code, stdout, err = run_inline(capsys, *args, *DEMO_ARGS)
    assert code == 2, err
    assert "--weight expertise" in err
    assert "Traceback" not in err and "#Bound" not in err and "presolve" not in err.lower()
    assert not out.exists() and stdout == ""


def test_an_unknown_weight_is_a_listed_problem(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run_inline(capsys, "solve", "--out", str(tmp_path / "p.json"), "--weight", "fairness=1", *DEMO_ARGS)
    assert code == 2 and "--weight fairness" in err


def test_a_bad_rule_set_and_bad_csv_files_are_listed_together(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = write_inputs(tmp_path, mediators=[mediator_row("M1", max_cases="-1")], disputes=[])
    rules = tmp_path / "mine.toml"
    rules.write_text("[hard]\nmin_traditions = 9\n", encoding="utf-8")
    out = tmp_path / "panels.json"
    args = ["solve", "--out", str(out), "--rules", str(rules), "--weight", "neutrality=-2"]
    code, stdout, err = run_inline(
        capsys, *args, "--mediators", str(paths["mediators"]), "--disputes", str(paths["disputes"])
    )
    assert code == 2
    assert err.startswith("3 problems in the input:")
    assert "mine.toml, key [hard] min_traditions" in err
    assert "--weight neutrality" in err
    assert "mediators.csv, row 2, column max_cases" in err
    assert not out.exists() and stdout == ""


def test_validate_lists_rule_set_and_csv_problems_together(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paths = write_inputs(tmp_path, mediators=[mediator_row("M1", nationalities="XXX")], disputes=[])
    rules = tmp_path / "mine.toml"
    rules.write_text('[hard]\nhonour_strikes = "false"\n', encoding="utf-8")
    code, _, err = run_inline(
        capsys,
        "validate",
        "--rules",
        str(rules),
        "--mediators",
        str(paths["mediators"]),
        "--disputes",
        str(paths["disputes"]),
    )
    assert code == 2 and "2 problems" in err and "honour_strikes" in err and "nationalities" in err


def test_the_objective_cannot_overflow_whatever_the_inputs() -> None:
    """The worst case, term by term, at the largest weight.

    Each of the five components is at most ``SCORE_SCALE`` in absolute value (neutrality, the only
    one with negative terms, lies in 0..SCORE_SCALE; two are counted with slack for rounding), and
    the orange penalty costs ``SCORE_SCALE`` per member, for at most the largest panel's members. A
    CP-SAT model's objective is a sum over every mediator's variables, so its sum of absolute
    coefficients grows with the roster: bound it for ten million mediators and a batch of a million
    disputes, far beyond anything the tool loads."""
    weight = int_weight(MAX_WEIGHT)
    k = max(PANEL_SIZES)
    components = 5
    slack = 2  # rounding of per-member coefficients, and the chair counted twice in expertise
    per_panel = components * weight * SCORE_SCALE * slack + weight * SCORE_SCALE * k
    assert per_panel <= 2 * 10**9
    batch = per_panel * 10**6  # a batch of a million disputes
    assert batch < 2**62 // 1000  # int64 with a thousandfold margin
    # The sum of absolute coefficients of one panel's objective over a roster of N mediators: every
    # mediator has a member and a chair variable, each weighted by at most every weight times SCORE_SCALE.
    roster = 10**7
    coefficients = roster * 2 * (components + 1) * weight * SCORE_SCALE
    assert coefficients < 2**62
    assert per_panel * 1000 < FLOAT_EXACT  # the reported objective stays exact in a double


def test_a_model_at_the_largest_weights_is_within_cp_sat_limits() -> None:
    """The real model for one demo dispute, every weight at its maximum, over the whole roster."""
    ws = Workspace(load_folder(DEMO))
    rule_set = load_rule_set("iomed").with_weights(**dict.fromkeys(WEIGHT_NAMES, MAX_WEIGHT))
    inst = encode(ws, ws.view(ws.dispute("D001"), rule_set))
    model = PanelModel(inst, list(range(inst.n)), Locks())
    proto = model.model.proto
    assert model.model.validate() == ""
    worst = abs(proto.objective.offset)
    for var, coef in zip(proto.objective.vars, proto.objective.coeffs, strict=True):
        domain = proto.variables[var].domain
        worst += abs(coef) * max(abs(domain[0]), abs(domain[-1]))
    assert worst < FLOAT_EXACT, worst


def test_the_largest_weights_solve_cleanly(capfd: pytest.CaptureFixture[str]) -> None:
    ws = Workspace(load_folder(DEMO))
    rule_set = load_rule_set("iomed").with_weights(**dict.fromkeys(WEIGHT_NAMES, MAX_WEIGHT))
    result = propose(ws, "D001", rule_set, SolveConfig(candidates=1, seed=0))
    assert result.status == "optimal"
    out, err = capfd.readouterr()
    assert "#Bound" not in out + err and "Starting CP-SAT" not in out + err


def test_with_weights_refuses_out_of_range_values() -> None:
    rule_set = load_rule_set("iomed")
    with pytest.raises(InputError) as info:
        rule_set.with_weights(expertise=float("nan"), diversity=-1, neutrality=MAX_WEIGHT * 2)
    assert {p.column for p in info.value.problems} == {"expertise", "diversity", "neutrality"}
    assert rule_set.with_weights(expertise=MAX_WEIGHT).weights.expertise == MAX_WEIGHT
