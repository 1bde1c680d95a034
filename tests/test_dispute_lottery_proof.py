"""An oracle's own proof of the first leximin level (``first_level_proof``: integer weights and a proven bound on
every panel's weight) ends that level as soon as the known panels reach its bound, and fixes the agents it weighs
(``_Engine.level``). Held to brute force: the leximin distribution is the one reached without the proof, a proof
the panels reach saves the level's pricing calls, and the dispute oracle's proof holds on every acceptable panel."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from fractions import Fraction
from itertools import combinations

import numpy as np
from hypothesis import event, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from matching.core.config import Locks
from matching.lottery.dispute import _greedy, _SearchPricing, apart_tiers, weakest_apart
from matching.lottery.engine import EnumeratedOracle, Pricing, Restriction, leximin
from matching.rules.encoding import PanelInstance, encode
from tests.strategies import DISPUTE_ID, Roster, rosters
from tests.test_dispute_lottery_bound import _maximin
from tests.test_dispute_lottery_scale import IOMED, SETUP_CASES, SLOW, _five_member_rosters, _searched, _setup


class _Proving(EnumeratedOracle):
    """An enumerated oracle that also proves the first level: the LP's optimal dual weights over every panel
    (scipy), made integer, with their exact heaviest panel; it counts its pricing calls."""

    def __init__(self, n: int, size: int, panels: Sequence[Sequence[int]], denominator: int) -> None:
        super().__init__(n, size, panels)
        self.denominator = denominator
        self.calls = 0
        self.proofs = 0

    def best(self, weights: np.ndarray, restriction: Restriction | None = None) -> Pricing:
        self.calls += 1
        return super().best(weights, restriction)

    def first_level_proof(self, free: Sequence[int], stop: Callable[[], bool]) -> tuple[np.ndarray, int] | None:
        self.proofs += 1
        y = _optimal_dual(self.n, self.panels, list(free))
        weights = np.array([Fraction(v).limit_denominator(self.denominator) * self.denominator for v in y])
        weights = np.floor(weights.astype(float) + 1e-9).astype(np.int64)
        best = max(int(weights[list(p)].sum()) for p in self.panels)
        return weights, best


def _optimal_dual(n: int, panels: Sequence[Sequence[int]], free: list[int]) -> list[float]:
    """min t s.t. y(P) <= t for every panel, y >= 0 on the free agents (0 elsewhere), their sum 1."""
    a_ub = np.zeros((len(panels), n + 1))
    for row, panel in enumerate(panels):
        a_ub[row, list(panel)] = 1.0
        a_ub[row, n] = -1.0
    a_eq = np.zeros((1, n + 1))
    a_eq[0, free] = 1.0
    c = np.zeros(n + 1)
    c[n] = 1.0
    bounds = [(0.0, None if i in free else 0.0) for i in range(n)] + [(None, None)]
    result = linprog(c, A_ub=a_ub, b_ub=np.zeros(len(panels)), A_eq=a_eq, b_eq=[1.0], bounds=bounds)
    assert result.status == 0
    return [max(0.0, float(v)) for v in result.x[:n]]


def _sorted(marginals: Sequence[Fraction]) -> list[float]:
    return sorted(float(p) for p in marginals)


def _search_with_panels(
    inst: PanelInstance, pool: list[int], threshold: int, locks: Locks, expected: Iterable[tuple[int, ...]]
) -> tuple[_SearchPricing, list[set[int]]]:
    """The search over ``pool`` (agents in id order) and the acceptable panels (brute force) as sets of its positions."""
    search = _SearchPricing(inst, sorted(pool, key=lambda i: inst.ids[i]), threshold, locks, [])
    position = {m: j for j, m in enumerate(search.pool)}
    return search, [{position[m] for m in panel} for panel in expected if all(m in position for m in panel)]


@settings(max_examples=80, deadline=None)
@given(st.integers(5, 9), st.integers(2, 3), st.sampled_from([1, 7, 1_000]), st.data())
def test_the_oracles_proof_leaves_the_leximin_distribution_unchanged(
    n: int, k: int, denominator: int, data: st.DataObject
) -> None:
    """With the oracle's proof (exact, or rounded down so that it may be loose) the leximin marginals are those
    reached without it, level by level, and proven; a loose proof is simply never reached."""
    every = list(combinations(range(n), k))
    panels = data.draw(st.lists(st.sampled_from(every), min_size=2, max_size=14, unique=True), label="panels")
    plain = leximin(EnumeratedOracle(n, k, panels))
    oracle = _Proving(n, k, panels, denominator)
    proved = leximin(oracle)
    covered = sorted({i for p in panels for i in p})
    assert oracle.proofs == 1
    assert proved.proven and plain.proven
    assert np.allclose(_sorted(proved.marginals), _sorted(plain.marginals), atol=1e-8)
    assert np.allclose([float(p) for p in proved.marginals], [float(p) for p in plain.marginals], atol=1e-8)
    assert abs(float(proved.levels[0].value) - _maximin(n, panels, covered)) <= 1e-8
    event(f"calls with the proof {'<' if oracle.calls < plain.stats.pricing_calls else '>='} without")


def test_a_proof_the_covering_panels_reach_ends_the_first_level_without_pricing() -> None:
    """Six agents, pairs: the covering phase finds a perfect matching (each agent at 1/3), and the proof (weight 1
    on everybody, every pair weighs 2: at most 2/6) is reached by the first LP, so the first level takes no pricing
    call; without the proof it takes one. Everybody is fixed at 1/3 in one level either way."""
    panels = [(0, 1), (2, 3), (4, 5)]
    plain = EnumeratedOracle(6, 2, panels)
    without = leximin(plain)

    class Counted(EnumeratedOracle):
        calls = 0

        def best(self, weights: np.ndarray, restriction: Restriction | None = None) -> Pricing:
            Counted.calls += 1
            return super().best(weights, restriction)

        def first_level_proof(self, free: Sequence[int], stop: Callable[[], bool]) -> tuple[np.ndarray, int]:
            weights = np.zeros(self.n, dtype=np.int64)
            weights[list(free)] = 1
            return weights, 2

    with_proof = leximin(Counted(6, 2, panels))
    assert [level.value for level in with_proof.levels] == [level.value for level in without.levels]
    assert with_proof.marginals == without.marginals == (Fraction(1, 3),) * 6
    assert with_proof.proven
    assert Counted.calls == with_proof.stats.pricing_calls < without.stats.pricing_calls


@settings(max_examples=25, **SLOW)  # type: ignore[call-overload]
@given(*SETUP_CASES)
def test_the_dispute_oracles_proof_holds_on_every_acceptable_panel(
    roster: Roster, floor: float, data: st.DataObject
) -> None:
    """``first_level_proof``: nonnegative integer weights, 0 outside ``free``, every acceptable panel (brute force,
    with locks) weighs at most its bound, which gives ``first_level_bound``."""
    setup = _setup(roster, floor, data)
    if setup is None:
        return
    inst, pool, threshold, locks, expected = setup
    agents = sorted(pool, key=lambda i: inst.ids[i])
    panels = [tuple(sorted(agents.index(i) for i in panel)) for panel in expected]
    met = sorted({a for panel in panels for a in panel})
    if not met:
        return
    free = data.draw(st.lists(st.sampled_from(met), min_size=1, unique=True), label="free")
    search = _SearchPricing(inst, agents, threshold, locks, [])
    proof = search.first_level_proof(free)
    assert proof is not None
    weights, best = proof
    outside = np.ones(len(agents), dtype=bool)
    outside[free] = False
    assert (weights >= 0).all() and not weights[outside].any()
    assert all(int(weights[list(p)].sum()) <= best for p in panels)
    assert search.first_level_bound(free) == Fraction(best, int(weights.sum()))
    event(f"k={inst.k}, weights on {min(int((weights > 0).sum()), 5)}, bound 1/W: {best == 1}")


@settings(max_examples=25, **SLOW)  # type: ignore[call-overload]
@given(*SETUP_CASES)
def test_the_panels_found_with_the_proof_hold_exactly_one_mediator_set_apart(
    roster: Roster, floor: float, data: st.DataObject
) -> None:
    """The panels ``first_level_proof`` adds to the known ones (``_apart_panels``) are acceptable (brute force,
    with locks) and each holds exactly one of the mediators set apart, as a lottery reaching the bound needs."""
    setup = _setup(roster, floor, data)
    if setup is None:
        return
    inst, pool, threshold, locks, expected = setup
    agents = sorted(pool, key=lambda i: inst.ids[i])
    search = _SearchPricing(inst, agents, threshold, locks, [])
    weak, _ = weakest_apart(inst, search.pool, threshold)
    found = search._apart_panels(weak)
    apart = {search.pool[int(j)] for j in weak}
    event(f"k={inst.k}, set apart {min(len(apart), 4)}, panels {min(len(found), 4)}")
    for row in found.tolist():
        assert tuple(sorted(row)) in expected
        assert len(apart & set(row)) == 1


@settings(max_examples=40, **SLOW)  # type: ignore[call-overload]
@given(_five_member_rosters() | rosters(min_size=6, max_size=12, sizes=(2, 3, 5)), st.data())
def test_greedy_panels_from_given_starts_keep_their_start_and_room(roster: Roster, data: st.DataObject) -> None:
    """``_greedy`` with ``starts``: each panel it completes holds its start's members, k distinct mediators of the
    pool and at most ``room`` flagged ones (those of the start included); without starts it is one per mediator."""
    ws = roster.workspace()
    inst = encode(ws, ws.view(ws.dispute(DISPUTE_ID), IOMED))
    k, pool = inst.k, list(range(inst.n))
    if inst.n < k:
        return
    flagged = np.array(data.draw(st.lists(st.booleans(), min_size=inst.n, max_size=inst.n), label="flagged"))
    room = data.draw(st.integers(0, k), label="room")
    width = data.draw(st.integers(1, min(k, inst.n)), label="width")
    starts = np.array(
        [data.draw(st.permutations(pool), label="start")[:width] for _ in range(data.draw(st.integers(0, 6)))],
        dtype=np.int64,
    ).reshape(-1, width)
    rows = _greedy(inst, pool, flagged, room, starts)
    assert len(rows) <= len(starts)
    for row in rows.tolist():
        assert len(set(row)) == k == len(row)
        assert int(flagged[row].sum()) <= room
        assert any(set(start) <= set(row) for start in starts.tolist())
    assert len(_greedy(inst, pool)) <= inst.n


@settings(max_examples=25, **SLOW)  # type: ignore[call-overload]
@given(*SETUP_CASES)
def test_the_panels_found_for_the_second_tier_keep_to_it(roster: Roster, floor: float, data: st.DataObject) -> None:
    """The panels ``first_level_proof`` adds for the second tier (``_tier_panels``, from any set no acceptable panel
    holds two of, drawn and thinned by brute force, and its ``apart_tiers``) are acceptable (brute force, with
    locks), hold none of the mediators set apart and from two up to ``c`` of the tier."""
    setup = _setup(roster, floor, data)
    if setup is None:
        return
    inst, pool, threshold, locks, expected = setup
    search, panels = _search_with_panels(inst, pool, threshold, locks, expected)
    drawn = data.draw(st.lists(st.sampled_from(range(len(search.pool))), unique=True), label="drawn")
    weak: list[int] = []
    for m in drawn:
        if not any(m in panel and panel & set(weak) for panel in panels):
            weak.append(m)
    apart, tier, c, _ = apart_tiers(inst, search.pool, threshold, np.asarray(sorted(weak), dtype=np.int64))
    found = search._tier_panels(apart, tier, c)
    chosen, tiered = {search.pool[int(j)] for j in apart}, {search.pool[int(j)] for j in tier}
    event(f"k={inst.k}, tier {min(len(tiered), 4)}, c={c}, panels {min(len(found), 4)}")
    for row in found.tolist():
        assert tuple(sorted(row)) in expected
        assert not chosen & set(row) and 2 <= len(tiered & set(row)) <= c


@settings(max_examples=30, **SLOW)  # type: ignore[call-overload]
@given(_five_member_rosters() | rosters(min_size=6, max_size=12, sizes=(2, 3, 5)), st.data())
def test_greedy_panels_keep_counted_flags_within_the_room(roster: Roster, data: st.DataObject) -> None:
    """``_greedy`` with flags counted (0, 1 or more per mediator, as ``_tier_panels`` weighs those set apart past the
    room): each panel's flags sum to at most ``room``, with its start's members and k distinct mediators."""
    ws = roster.workspace()
    inst = encode(ws, ws.view(ws.dispute(DISPUTE_ID), IOMED))
    k, pool = inst.k, list(range(inst.n))
    if inst.n < k:
        return
    flags = np.array(data.draw(st.lists(st.integers(0, 3), min_size=inst.n, max_size=inst.n), label="flags"))
    room = data.draw(st.integers(0, k), label="room")
    starts = np.array(
        [data.draw(st.permutations(pool), label="start")[:2] for _ in range(data.draw(st.integers(0, 6)))],
        dtype=np.int64,
    ).reshape(-1, 2)
    rows = _greedy(inst, pool, flags, room, starts)
    event(f"panels {min(len(rows), 3)}")
    for row in rows.tolist():
        assert len(set(row)) == k == len(row)
        assert int(flags[row].sum()) <= room
        assert any(set(start) <= set(row) for start in starts.tolist())


@settings(max_examples=25, **SLOW)  # type: ignore[call-overload]
@given(*SETUP_CASES)
def test_pricing_after_the_proof_stays_exact_and_its_pair_panels_hold_two_weighted(
    roster: Roster, floor: float, data: st.DataObject
) -> None:
    """Once mediators are set apart (``apart``, as ``first_level_proof`` sets it: here any set no acceptable panel
    holds two of, drawn and thinned by brute force), a pricing call with weights of one or two values still weighs
    exactly the most any acceptable panel (brute force, with locks) weighs and hands over only acceptable panels,
    and the panels built for it (``_pair_panels``) are acceptable and hold exactly two weighted mediators, one of
    them not set apart."""
    searched_setup = _searched(roster, floor, data)
    if searched_setup is None:
        return
    inst, _, expected, agents, by_agent, search = searched_setup
    position = {m: j for j, m in enumerate(search.pool)}
    panels = [{position[m] for m in panel} for panel in expected if all(m in position for m in panel)]
    drawn = data.draw(st.lists(st.sampled_from(range(len(search.pool))), unique=True), label="drawn")
    weak: list[int] = []
    for m in drawn:
        if not any(m in panel and panel & set(weak) for panel in panels):
            weak.append(m)
    search.apart = np.asarray(sorted(weak), dtype=np.int64)
    values = data.draw(st.lists(st.integers(1, 5), min_size=1, max_size=2), label="values")
    weights = np.array([data.draw(st.sampled_from([0, *values])) for _ in agents], dtype=np.int64)
    answer = search.best(weights, None)
    assert answer is not None and answer.proven and answer.panel is not None
    assert answer.value == max(int(weights[list(p)].sum()) for p in by_agent)
    assert {tuple(sorted(p)) for p in (answer.panel, *answer.others)} <= by_agent
    w_pool = weights[search.agent[np.asarray(search.pool, dtype=np.int64)]]
    found = search._pair_panels(w_pool > 0)
    apart = {search.pool[j] for j in weak}
    weighted = {search.pool[int(j)] for j in np.flatnonzero(w_pool > 0)}
    event(f"k={inst.k}, set apart {min(len(apart), 3)}, pair panels {min(len(found), 3)}")
    for row in found.tolist():
        assert tuple(sorted(row)) in expected
        assert len(weighted & set(row)) == 2 and (weighted - apart) & set(row)


@settings(max_examples=12, **SLOW)  # type: ignore[call-overload]
@given(*SETUP_CASES)
def test_the_packed_tier_finds_every_panel_holding_two_of_it_and_weighs_each_within_its_scale(
    roster: Roster, floor: float, data: st.DataObject
) -> None:
    """``_packed_tier`` for any set of mediators (drawn), with ``c`` the most of them an acceptable panel holds (brute
    force, with locks; at least 2): its panels are exactly the acceptable ones holding two or more of the set, each
    weight lies between 0 and ``scale``, every acceptable panel weighs at most ``scale`` over the set, and with ``c``
    2 (a graph: the packing is half-integral) the weights sum to at least the two tiers' ``scale / c`` each."""
    setup = _setup(roster, floor, data)
    if setup is None:
        return
    inst, pool, threshold, locks, expected = setup
    search, panels = _search_with_panels(inst, pool, threshold, locks, expected)
    tier = sorted(data.draw(st.lists(st.sampled_from(range(len(search.pool))), unique=True), label="tier"))
    if len(tier) < 2 or not panels:
        return
    c = max(2, max(len(panel & set(tier)) for panel in panels))
    holding = {tuple(sorted(search.pool[j] for j in panel)) for panel in panels if len(panel & set(tier)) >= 2}
    packed = search._packed_tier(np.asarray(tier, dtype=np.int64), c)
    event(f"k={inst.k}, c={c}, panels holding two: {min(len(holding), 4)}")
    if not holding:
        assert packed is None
        return
    assert packed is not None
    scale, weights, rows = packed
    assert scale == 2 * c
    assert {tuple(row) for row in rows.tolist()} == holding
    assert (weights >= 0).all() and (weights <= scale).all()
    weight = dict(zip(tier, weights.tolist(), strict=True))
    assert all(sum(weight.get(j, 0) for j in panel) <= scale for panel in panels)
    if c == 2:
        assert Fraction(int(weights.sum()), scale) >= Fraction(len(tier), c)
