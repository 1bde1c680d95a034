"""The demo roster selection: bundled files match their generator, the quotas follow the policy and admit
a selection, and the fair lottery cannot give every nominee the same chance."""

from __future__ import annotations

import csv
from fractions import Fraction
from pathlib import Path

import pytest

from matching.core.paths import demo_dir
from matching.demo.roster import DEFAULT_SIZE, FEATURES, policy, write_demo_roster
from matching.lottery.compose import compose, load_problem


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_bundled_files_are_what_the_generator_writes(tmp_path: Path) -> None:
    written = write_demo_roster(demo_dir(), tmp_path)
    for name, path in written.items():
        assert path.read_bytes() == (demo_dir() / name).read_bytes(), name


def test_every_mediator_is_a_nominee_and_quotas_follow_the_policy() -> None:
    nominees = rows(demo_dir() / "roster_nominees.csv")
    mediators = rows(demo_dir() / "mediators.csv")
    assert [n["nationbuilder_id"] for n in nominees] == [m["mediator_id"] for m in mediators]
    for quota in rows(demo_dir() / "roster_features.csv"):
        held = sum(1 for n in nominees if n[quota["feature"]] == quota["value"])
        low, high = int(quota["min"]), int(quota["max"])
        low_share, high_share = policy(quota["feature"], quota["value"])
        assert low <= high <= held
        assert low >= min(held, round(low_share * DEFAULT_SIZE)) and high <= round(high_share * DEFAULT_SIZE)
        assert int(quota["min_flex"]) <= low and int(quota["max_flex"]) >= high
    assert {q["feature"] for q in rows(demo_dir() / "roster_features.csv")} == set(FEATURES)


@pytest.mark.slow
def test_the_demo_roster_has_a_fair_lottery_with_unequal_chances() -> None:
    problem = load_problem(demo_dir() / "roster_features.csv", demo_dir() / "roster_nominees.csv", DEFAULT_SIZE)
    result = compose(problem, "maximin")
    assert result.lottery.certified and result.lottery.proven
    assert sum(result.marginals, Fraction(0)) == DEFAULT_SIZE
    assert not result.unreachable
    # The regional quotas are equal while the nominees are not: the best minimum is below K/N.
    assert result.lottery.minimum < Fraction(DEFAULT_SIZE, len(problem.nominees))
