"""The lottery engine against hand-computed cases and an LP over every panel enumerated by brute force.

``EnumeratedOracle`` prices over an explicit list of feasible panels, so the engine's column
generation, level fixing, exact rationalisation, ticket rounding and draw are tested without a
CP-SAT model; the reference leximin (``reference_leximin``) solves one LP over all panels per
level and decides who is fixed by asking, agent by agent, whether they can get more.
"""

from __future__ import annotations

import math
from fractions import Fraction
from itertools import combinations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from matching.lottery.engine import (
    EnumeratedOracle,
    Lottery,
    LotteryError,
    Panel,
    draw_ticket,
    leximin,
    maximin,
    nash,
    round_to_tickets,
    solve,
)

F = Fraction


def reference_leximin(n: int, panels: list[Panel]) -> list[float]:
    """Leximin marginals by repeated LPs over every panel (agents in no panel get 0)."""
    covered = sorted({a for p in panels for a in p})
    a_mat = np.zeros((n, len(panels)))
    for j, p in enumerate(panels):
        a_mat[list(p), j] = 1
    fixed: dict[int, float] = {}

    def lp(objective_agent: int | None, floor: float | None) -> tuple[float, np.ndarray]:
        # variables: lambda (P), z; constraints p_i >= f_i (fixed), p_i >= z or >= floor (free)
        m = len(panels)
        c = np.zeros(m + 1)
        if objective_agent is None:
            c[m] = -1.0
        else:
            c[:m] = -a_mat[objective_agent]
        rows, rhs = [], []
        for i in covered:
            row = np.zeros(m + 1)
            row[:m] = -a_mat[i]
            if i in fixed:
                rhs.append(-fixed[i] + 1e-9)
            elif floor is None:
                row[m] = 1.0
                rhs.append(0.0)
            else:
                rhs.append(-floor + 1e-9)
            rows.append(row)
        eq = np.concatenate([np.ones(m), [0.0]]).reshape(1, -1)
        res = linprog(
            c,
            A_ub=np.array(rows),
            b_ub=np.array(rhs),
            A_eq=eq,
            b_eq=[1.0],
            bounds=[(0, None)] * m + [(None, None)],
            method="highs",
        )
        assert res.status == 0, res.message
        return -res.fun, res.x

    while len(fixed) < len(covered):
        z, _ = lp(None, None)
        free = [i for i in covered if i not in fixed]
        stuck = [i for i in free if lp(i, z)[0] <= z + 1e-7]
        for i in stuck or free:
            fixed[i] = z
    out = [0.0] * n
    for i, v in fixed.items():
        out[i] = v
    return out


def assert_valid(lottery: Lottery, oracle: EnumeratedOracle) -> None:
    assert sum(lottery.probabilities, F(0)) == 1
    assert all(p > 0 for p in lottery.probabilities)
    assert sum(lottery.marginals, F(0)) == oracle.size
    assert lottery.panels == tuple(sorted(lottery.panels)), "support not in canonical order"
    for panel in lottery.panels:
        assert oracle.problems(panel) == [], panel
    recomputed = [F(0)] * oracle.n
    for panel, prob in zip(lottery.panels, lottery.probabilities, strict=True):
        for a in panel:
            recomputed[a] += prob
    assert recomputed == list(lottery.marginals)
    for a in range(oracle.n):
        if a not in lottery.covered:
            assert lottery.marginals[a] == 0


# Five agents A..E; feasible pairs AB AC AD AE BC: D and E only ever sit with A.
FIVE = EnumeratedOracle(5, 2, [(0, 1), (0, 2), (0, 3), (0, 4), (1, 2)])


def test_hand_computed_leximin_is_exact() -> None:
    lottery = leximin(FIVE)
    assert lottery.marginals == (F(2, 3), F(1, 3), F(1, 3), F(1, 3), F(1, 3))
    assert lottery.minimum == F(1, 3)
    assert lottery.upper_bound == F(1, 3) and lottery.certified
    assert lottery.proven
    assert_valid(lottery, FIVE)


def test_four_people_one_pair_impossible() -> None:
    # Panels of 2 from A B C D without the pair AB: everybody can have exactly 1/2.
    oracle = EnumeratedOracle.from_predicate(4, 2, lambda p: p != (0, 1))
    lottery = leximin(oracle)
    assert lottery.marginals == (F(1, 2),) * 4
    assert lottery.certified
    assert_valid(lottery, oracle)


def test_mandatory_member() -> None:
    # Every panel holds agent 0: 0 gets 1, the three others 1/3 each.
    oracle = EnumeratedOracle(4, 2, [(0, 1), (0, 2), (0, 3)])
    assert leximin(oracle).marginals == (F(1), F(1, 3), F(1, 3), F(1, 3))


def test_agent_in_no_panel_gets_zero_and_others_are_unaffected() -> None:
    oracle = EnumeratedOracle(6, 2, [(0, 1), (0, 2), (1, 2), (3, 4)])  # agent 5 in no panel
    lottery = leximin(oracle)
    assert lottery.uncovered == [5]
    assert lottery.marginals[5] == 0
    # The pair 34 gets t, the triangle 012 the rest: t = 2 (1 - t) / 3, so everybody who can sit gets 2/5;
    # the minimum is over them.
    assert lottery.marginals == (F(2, 5),) * 5 + (F(0),)
    assert lottery.minimum == F(2, 5)
    assert_valid(lottery, oracle)


def test_no_panel_at_all_is_an_error() -> None:
    with pytest.raises(LotteryError):
        leximin(EnumeratedOracle(3, 2, []))


@pytest.mark.parametrize("method", ["leximin", "maximin", "nash"])
def test_every_method_gives_a_valid_exact_distribution(method: str) -> None:
    lottery = solve(FIVE, method)
    assert lottery.method == method
    assert_valid(lottery, FIVE)


def test_leximin_minimum_equals_maximin_minimum_and_nash_is_close() -> None:
    oracle = EnumeratedOracle.from_predicate(7, 3, lambda p: sum(p) % 3 != 0 or 6 in p)
    lex, mx, nw = leximin(oracle), maximin(oracle), nash(oracle)
    assert lex.minimum == mx.minimum
    assert lex.upper_bound == mx.upper_bound == lex.minimum
    assert nw.nash_gap is not None and nw.nash_gap <= 1e-4 * len(nw.covered)
    welfare = [sum(math.log(float(p)) for p in x.marginals) for x in (lex, nw)]
    assert welfare[1] >= welfare[0] - 1e-3  # Nash maximises the log-welfare


def test_determinism() -> None:
    oracle = EnumeratedOracle.from_predicate(8, 3, lambda p: (p[0] + p[1] * p[2]) % 4 != 1)
    first, second = leximin(oracle), leximin(oracle)
    assert (first.panels, first.probabilities, first.marginals, first.levels) == (
        second.panels,
        second.probabilities,
        second.marginals,
        second.levels,
    )
    assert round_to_tickets(first, 100) == round_to_tickets(second, 100)


def test_leximin_levels_match_the_reference() -> None:
    oracle = EnumeratedOracle(6, 2, [(0, 1), (0, 2), (0, 3), (1, 2), (3, 4), (4, 5), (2, 5)])
    lottery = leximin(oracle)
    expected = reference_leximin(6, oracle.panels)
    assert np.allclose(lottery.marginal_floats(), expected, atol=1e-7)


@st.composite
def pools(draw: st.DrawFn) -> tuple[int, int, list[Panel]]:
    n = draw(st.integers(3, 8))
    k = draw(st.integers(1, min(3, n - 1)))
    every = list(combinations(range(n), k))
    chosen = draw(st.lists(st.sampled_from(every), min_size=1, max_size=len(every), unique=True))
    return n, k, chosen


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools())
def test_against_brute_force_lp_over_all_panels(pool: tuple[int, int, list[Panel]]) -> None:
    n, k, panels = pool
    oracle = EnumeratedOracle(n, k, panels)
    lex = leximin(oracle)
    mx = maximin(oracle)
    expected = reference_leximin(n, oracle.panels)
    covered = sorted({a for p in oracle.panels for a in p})
    assert sorted(lex.covered) == covered
    assert abs(float(lex.minimum) - min(expected[a] for a in covered)) <= 1e-7
    assert lex.minimum == mx.minimum or abs(float(lex.minimum - mx.minimum)) <= 1e-9
    assert np.allclose(sorted(lex.marginal_floats()), sorted(expected), atol=1e-6)
    assert lex.upper_bound is not None and float(lex.upper_bound) >= float(lex.minimum) - 1e-12
    assert float(lex.upper_bound) <= float(lex.minimum) + 1e-9
    assert_valid(lex, oracle)
    assert_valid(mx, oracle)


# --- tickets ----------------------------------------------------------------------------------------


def assert_tickets(lottery: Lottery, m: int) -> None:
    tickets = round_to_tickets(lottery, m)
    assert tickets.m == m
    assert sum(tickets.marginals, F(0)) == lottery.size  # every ticket seats k people
    for prob, count in zip(lottery.probabilities, tickets.counts, strict=True):
        assert count in (math.floor(prob * m), math.ceil(prob * m))
    assert max(tickets.deviations(lottery.marginals)) <= tickets.bound == F(lottery.size, m)


@pytest.mark.parametrize("m", [1, 3, 10, 97, 1000])
def test_ticket_rounding_keeps_the_sum_and_the_bound(m: int) -> None:
    oracle = EnumeratedOracle.from_predicate(9, 3, lambda p: (p[0] * 7 + p[1] * 3 + p[2]) % 5 != 0)
    assert_tickets(leximin(oracle), m)
    assert_tickets(nash(oracle), m)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools(), st.integers(1, 60))
def test_ticket_rounding_on_random_pools(pool: tuple[int, int, list[Panel]], m: int) -> None:
    n, k, panels = pool
    assert_tickets(leximin(EnumeratedOracle(n, k, panels)), m)


def test_ticket_rounding_of_a_spread_distribution() -> None:
    # Many panels with small probabilities: the rounding has to drop most of them.
    oracle = EnumeratedOracle.from_predicate(10, 4, lambda p: True)
    lottery = nash(oracle)
    assert_tickets(lottery, 7)
    assert_tickets(lottery, 50)


def test_draw_is_reproducible_and_in_range() -> None:
    lottery = leximin(FIVE)
    tickets = round_to_tickets(lottery, 1000)
    picks = [draw_ticket(1000, seed) for seed in range(20)]
    assert picks == [draw_ticket(1000, seed) for seed in range(20)]
    assert all(0 <= t < 1000 for t in picks)
    assert len(set(picks)) > 1
    assert draw_ticket(1000, 0) == int(np.random.default_rng(0).integers(0, 1000))
    # Tickets run along the panels in order.
    owner = [tickets.panel_of(t) for t in range(1000)]
    assert owner == sorted(owner)
    assert [owner.count(j) for j in range(len(tickets.panels))] == list(tickets.counts)
    with pytest.raises(ValueError):
        tickets.panel_of(1000)
