"""Fair selection of the roster: the Sortition Foundation's file format, quotas, and the CP-SAT oracle
against brute force."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.core.errors import InputError
from matching.io.nominees import ComposeProblem
from matching.lottery.compose import compose, load_problem, write_probabilities
from matching.lottery.engine import EnumeratedOracle, leximin
from tests.test_lottery import reference_leximin

FIXTURES = Path(__file__).parent / "fixtures" / "lottery"
F = Fraction


def write(path: Path, text: str) -> Path:
    path.write_text(text.strip() + "\n", encoding="utf-8")
    return path


def problem_from(
    tmp_path: Path, features: str, nominees: str, size: int, id_column: str = "nationbuilder_id"
) -> ComposeProblem:
    return load_problem(write(tmp_path / "f.csv", features), write(tmp_path / "n.csv", nominees), size, id_column)


def brute_force(problem: ComposeProblem) -> EnumeratedOracle:
    n = len(problem.nominees)
    return EnumeratedOracle.from_predicate(n, problem.size, lambda p: not problem.quota_problems(list(p)))


def test_reads_the_sortition_foundation_format() -> None:
    problem = load_problem(FIXTURES / "features.csv", FIXTURES / "nominees.csv", 4)
    assert problem.features == ("region", "gender")
    assert len(problem.quotas) == 7 and problem.quotas[0].min_flex == 0 and problem.quotas[0].max_flex == 4
    assert [n.nominee_id for n in problem.nominees][:3] == ["N01", "N02", "N03"]
    # Values match case-insensitively and take the features file's spelling.
    assert problem.nominees[2].values == ("African", "Female")


def test_old_headers_and_no_flex_columns(tmp_path: Path) -> None:
    problem = problem_from(
        tmp_path,
        "category,name,min,max\nside,left,1,1\nside,right,1,1",
        "id,side,other\na,left,x\nb,right,y\nc,Right,z",
        2,
        id_column="id",
    )
    assert problem.quotas[0].min_flex is None
    result = compose(problem)
    assert result.marginals == [F(1), F(1, 2), F(1, 2)]


def test_four_people_one_pair_impossible_is_exact(tmp_path: Path) -> None:
    problem = problem_from(
        tmp_path,
        "feature,value,min,max\ngender,F,0,1\ngender,M,0,2",
        "nationbuilder_id,gender\nA,F\nB,F\nC,M\nD,M",
        2,
    )
    result = compose(problem)
    assert result.marginals == [F(1, 2)] * 4
    assert result.lottery.certified
    assert result.probabilities == [0.5] * 4


def test_mandatory_group_and_a_nominee_in_no_selection(tmp_path: Path) -> None:
    problem = problem_from(
        tmp_path,
        "feature,value,min,max\nregion,north,1,1\nregion,south,1,1\nage,young,0,0\nage,old,2,2",
        "nationbuilder_id,region,age\nA,north,old\nB,south,old\nC,south,old\nD,south,old\nE,south,young",
        2,
    )
    for method in ("leximin", "maximin", "nash"):
        result = compose(problem, method)
        assert result.unreachable == ["E"]
        assert result.marginals[4] == 0
        assert sum(result.marginals, F(0)) == 2
        if method != "nash":
            assert result.marginals == [F(1), F(1, 3), F(1, 3), F(1, 3), F(0)]


def test_every_support_panel_meets_the_quotas_and_probabilities_sum_to_k() -> None:
    problem = load_problem(FIXTURES / "features.csv", FIXTURES / "nominees.csv", 4)
    for method in ("leximin", "maximin", "nash"):
        result = compose(problem, method)
        assert sum(result.lottery.probabilities, F(0)) == 1
        assert sum(result.marginals, F(0)) == 4
        for selection, _ in result.selections():
            assert problem.quota_problems(selection) == []
        assert result.unreachable == ["N11"]  # gender Other has max 0


def test_leximin_minimum_equals_maximin_minimum_on_a_larger_pool(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    regions, genders = ["a", "b", "c", "d"], ["f", "m"]
    rows = [f"P{i:02d},{rng.choice(regions, p=[0.4, 0.3, 0.2, 0.1])},{rng.choice(genders)}" for i in range(40)]
    features = "feature,value,min,max\n" + "\n".join(
        [f"region,{r},1,3" for r in regions] + ["gender,f,4,4", "gender,m,4,4"]
    )
    problem = problem_from(tmp_path, features, "nationbuilder_id,region,gender\n" + "\n".join(rows), 8)
    lex, mx = compose(problem, "leximin").lottery, compose(problem, "maximin").lottery
    assert lex.minimum == mx.minimum
    assert lex.upper_bound == lex.minimum  # certified exactly
    assert lex.proven and mx.proven


def test_classes_of_interchangeable_nominees_give_the_same_probabilities(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    rows = [f"P{i:02d},{rng.choice(['a', 'b', 'c'], p=[0.5, 0.3, 0.2])},{rng.choice(['f', 'm'])}" for i in range(30)]
    features = "feature,value,min,max\nregion,a,1,2\nregion,b,1,3\nregion,c,2,3\ngender,f,3,3\ngender,m,3,3"
    problem = problem_from(tmp_path, features, "nationbuilder_id,region,gender\n" + "\n".join(rows), 6)
    for method in ("leximin", "maximin", "nash"):
        grouped, single = compose(problem, method), compose(problem, method, group=False)
        assert grouped.lottery.n == 6 < single.lottery.n == 30  # one agent per (region, gender)
        assert list(grouped.lottery.multiplicity) == [len(c) for c in grouped.classes]
        assert sum(grouped.marginals, F(0)) == 6 == sum(single.marginals, F(0))
        if method == "leximin":  # leximin and Nash welfare have unique probabilities; maximin only its minimum
            assert grouped.marginals == single.marginals
        if method == "nash":
            assert np.allclose(grouped.probabilities, single.probabilities, atol=1e-3)
        else:
            assert grouped.lottery.minimum == single.lottery.minimum
            assert grouped.lottery.certified and single.lottery.certified
        for selection, _ in grouped.selections():
            assert problem.quota_problems(selection) == []


def test_determinism() -> None:
    problem = load_problem(FIXTURES / "features.csv", FIXTURES / "nominees.csv", 4)
    first, second = compose(problem), compose(problem)
    assert first.lottery.panels == second.lottery.panels
    assert first.lottery.probabilities == second.lottery.probabilities
    assert first.probabilities == second.probabilities


def test_writes_id_and_probability_for_every_nominee(tmp_path: Path) -> None:
    problem = load_problem(FIXTURES / "features.csv", FIXTURES / "nominees.csv", 4)
    result = compose(problem)
    out = tmp_path / "probs.csv"
    write_probabilities(out, result)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "id,probability"
    assert [line.split(",")[0] for line in lines[1:]] == [n.nominee_id for n in problem.nominees]
    assert abs(sum(float(line.split(",")[1]) for line in lines[1:]) - 4) < 1e-9


def test_bad_files_list_every_problem() -> None:
    with pytest.raises(InputError) as info:
        load_problem(FIXTURES / "bad_features.csv", FIXTURES / "bad_nominees.csv", 4)
    problems = info.value.problems
    text = str(info.value)
    codes = sorted(p.code for p in problems)
    assert "min_gt_max" in codes and "not_an_integer" in codes and "duplicate" in codes and "negative" in codes
    assert "empty" in codes  # the empty value of gender, and the empty id
    assert any(p.file == "bad_nominees.csv" and p.code == "unknown_value" and p.value == "Antarctica" for p in problems)
    assert any(p.file == "bad_nominees.csv" and p.code == "duplicate" and p.value == "N01" for p in problems)
    assert all(p.row is None or p.row >= 1 for p in problems)
    assert "bad_features.csv, row 2" in text


def test_missing_columns_and_impossible_sizes(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        problem_from(tmp_path, "feature,value,min\nx,y,1", "nationbuilder_id,x\na,y", 1)
    assert [p.code for p in info.value.problems] == ["missing_column"]
    with pytest.raises(InputError) as info:
        problem_from(tmp_path, "feature,value,min,max\nx,y,0,5", "nationbuilder_id\na", 1)
    assert any(p.column == "x" and p.code == "missing_column" for p in info.value.problems)
    with pytest.raises(InputError) as info:
        problem_from(tmp_path, "feature,value,min,max\nx,y,0,5", "nationbuilder_id,x\na,y", 3)
    assert [p.code for p in info.value.problems] == ["size"]
    with pytest.raises(InputError) as info:
        problem_from(tmp_path, "feature,value,min,max\nx,y,3,5\nx,z,0,0", "nationbuilder_id,x\na,y\nb,y", 2)
    assert [p.code for p in info.value.problems] == ["quota_sum"]


def test_infeasible_quotas_are_bad_input(tmp_path: Path) -> None:
    problem = problem_from(
        tmp_path,
        "feature,value,min,max\nx,y,2,2\nx,z,0,2",
        "nationbuilder_id,x\na,y\nb,z\nc,z",
        2,
    )
    with pytest.raises(InputError) as info:
        compose(problem)
    assert [p.code for p in info.value.problems] == ["infeasible_quotas"]
    assert "not even after relaxing every quota as far as the flexible limits" in str(info.value)


def test_quota_sums_that_cannot_add_up_come_with_the_relaxation_the_flex_allows(tmp_path: Path) -> None:
    nominees = "nationbuilder_id,x\na,y\nb,y\nc,z"
    with pytest.raises(InputError) as info:
        problem_from(tmp_path, "feature,value,min,max,min_flex,max_flex\nx,y,3,3,1,3\nx,z,0,2,0,2", nominees, 2)
    assert [p.code for p in info.value.problems] == ["quota_sum"]
    assert "the minimums of x add up to 3, more than 2 seats" in str(info.value)
    assert "Lowering the minimum for x = y from 3 to 2" in str(info.value)
    with pytest.raises(InputError) as info:  # no flex: nothing to suggest
        problem_from(tmp_path, "feature,value,min,max\nx,y,3,3\nx,z,0,2", nominees, 2)
    assert [p.code for p in info.value.problems] == ["quota_sum"]
    assert "Lowering" not in str(info.value)


def test_infeasible_quotas_come_with_the_relaxation_the_flex_allows(tmp_path: Path) -> None:
    problem = problem_from(
        tmp_path,
        "feature,value,min,max,min_flex,max_flex\nx,y,2,2,1,2\nx,z,0,2,0,2",
        "nationbuilder_id,x\na,y\nb,z\nc,z",
        2,
    )
    with pytest.raises(InputError) as info:
        compose(problem)
    assert [p.code for p in info.value.problems] == ["infeasible_quotas"]
    assert "Lowering the minimum for x = y from 2 to 1" in str(info.value)


@st.composite
def quota_pools(draw: st.DrawFn) -> tuple[str, str, int]:
    n = draw(st.integers(4, 9))
    k = draw(st.integers(1, 3))
    colours = ["red", "green", "blue"][: draw(st.integers(1, 3))]
    sizes = ["s", "l"]
    people = [(draw(st.sampled_from(colours)), draw(st.sampled_from(sizes))) for _ in range(n)]
    lines = ["feature,value,min,max"]
    for feature, values in (("colour", colours), ("size", sizes)):
        for v in values:
            lo = draw(st.integers(0, 1))
            hi = draw(st.integers(lo, k))
            lines.append(f"{feature},{v},{lo},{hi}")
    nominees = ["nationbuilder_id,colour,size"] + [f"n{i},{c},{s}" for i, (c, s) in enumerate(people)]
    return "\n".join(lines), "\n".join(nominees), k


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(quota_pools())
def test_against_brute_force(tmp_path: Path, pool: tuple[str, str, int]) -> None:
    features, nominees, k = pool
    try:
        problem = problem_from(tmp_path, features, nominees, k)
    except InputError:
        return  # quotas that cannot add up to k: rejected before solving
    oracle = brute_force(problem)
    if not oracle.panels:
        with pytest.raises(InputError):
            compose(problem)
        return
    expected = reference_leximin(len(problem.nominees), oracle.panels)
    covered = sorted({a for p in oracle.panels for a in p})
    for group in (True, False):
        result = compose(problem, group=group)
        lottery = result.lottery
        assert result.reachable == covered
        assert abs(float(lottery.minimum) - min(expected[a] for a in covered)) <= 1e-7
        assert np.allclose(result.probabilities, expected, atol=1e-6)
        assert lottery.minimum == leximin(oracle).minimum
        for selection, _ in result.selections():
            assert tuple(selection) in oracle.panels
        assert sum(result.marginals, F(0)) == k
