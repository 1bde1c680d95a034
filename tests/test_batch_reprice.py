"""Pools rebuilt at the joint model's prices (``reprice_chunk``): every eligible mediator is looked at, so
pricing finds panels the old pools never offered, and the upper bounds give each dispute a proven bound
at the prices without a solver (brute force over every panel on small rosters), hence a Lagrangian bound
on the batch that an exact solver (scipy milp over every panel) never beats."""

from __future__ import annotations

import copy
import itertools
import math
from collections.abc import Iterator
from dataclasses import replace
from typing import Any, cast
from unittest import mock

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import matching.batch.disputes as disputes_module
import matching.batch.joint as joint_module
from matching.batch.disputes import (
    TIGHT_SHARE,
    Candidates,
    Priced,
    WorkerState,
    alone_chunk,
    exact_chunk,
    make_state,
    member_price,
    reprice_chunk,
)
from matching.batch.joint import (
    LAGRANGIAN,
    LAGRANGIAN_BOUNDS,
    LAGRANGIAN_BOUNDS_LEFT_OUT,
    LAGRANGIAN_LEFT_OUT,
    _price_disputes,
    profile_allowance,
    spread_by_slack,
)
from matching.batch.quotas import Quotas
from matching.batch.run import solve_batch
from matching.batch.settings import BatchConfig
from matching.core.config import SolveConfig
from matching.core.progress import silent_progress
from matching.core.status import Status
from matching.panel.model import PanelSolution
from matching.rules.encoding import restrict
from matching.rules.kernel import dispute_views, enumerate_panels
from matching.rules.workspace import Workspace
from tests.test_batch import IOMED, _tiny_generated, milp_batch, pools_of_three

CONFIG = SolveConfig(candidates=1, time_limit=10.0, seed=0, workers=1, presolve=False)
UNIT = 1_000_000  # objective units in one point


def _priced_worths(ws: Workspace, dispute_id: str, price: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every feasible panel of the dispute over its whole roster (roster indices, sorted) and its worth at
    ``price`` (objective less the members' prices), by the kernel's enumeration."""
    arrays = ws.arrays
    view = next(v for v in dispute_views(ws, IOMED) if v.dispute.dispute_id == dispute_id)
    inst = arrays.encode(view, with_excluded=False)
    roster = arrays.global_index(inst)
    panels = enumerate_panels(inst, list(range(inst.n)))
    local = member_price(roster, price, {}, view.dispute.parties)
    return roster[panels.members], panels.value - local[panels.members].sum(axis=1)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(1, 6),
    prices=st.lists(st.integers(0, 3 * UNIT), min_size=14, max_size=14),
    limit=st.sampled_from([3, 4, 20]),
)
def test_the_bound_at_the_prices_is_never_below_the_best_priced_panel_and_the_pool_lists_its_panels(
    seed: int, prices: list[int], limit: int
) -> None:
    """Each dispute's bound at random whole-unit prices is at least its best priced panel over the whole
    roster (brute force), and the rebuilt pool lists exactly the feasible panels of its members."""
    ws = _tiny_generated(seed)
    state = make_state(ws, IOMED)
    price = np.array(prices[: ws.arrays.n], dtype=np.float64)
    alone = [
        c
        for c in alone_chunk(list(enumerate(d.dispute_id for d in ws.data.disputes)), limit, CONFIG, state=state)
        if c.in_joint_model
    ]
    items = []
    for c in alone:
        old_worth = c.panels.value - price[c.pool][c.panels.members].sum(axis=1)
        items.append((c.position, c.dispute_id, c.pool[c.panels.members[int(np.argmax(old_worth))]]))
    for c, r in zip(alone, reprice_chunk(items, price, {}, limit, state=state), strict=True):
        members, worth = _priced_worths(ws, c.dispute_id, price)
        assert r.bound >= int(worth.max())
        new_worth = r.panels.value - price[r.pool][r.panels.members].sum(axis=1)
        assert new_worth.max() >= (c.panels.value - price[c.pool][c.panels.members].sum(axis=1)).max()
        in_pool = np.isin(members, r.pool).all(axis=1)
        expected = {tuple(row) for row in members[in_pool].tolist()}
        listed = {tuple(sorted(int(r.pool[i]) for i in row)) for row in r.panels.members}
        assert listed == expected


def test_pools_rebuilt_at_the_prices_find_a_panel_the_old_pool_missed() -> None:
    """The old pool's mediators priced out: the rebuilt pool offers a panel worth more at these prices
    than any panel of the old pool, and its bound is still at least the best priced panel (brute force)."""
    ws = _tiny_generated(2)
    state = make_state(ws, IOMED)
    ids = [d.dispute_id for d in ws.data.disputes if d.panel_size == 3]
    alone = alone_chunk(list(enumerate(ids)), 10, CONFIG, state=state)  # pools of five
    cand = next(c for c in alone if not c.complete and len(c.panels))
    dispute_id = cand.dispute_id
    price = np.zeros(ws.arrays.n)
    price[cand.pool] = 5 * UNIT  # five points a seat: the old pool is out of reach
    old_best = (cand.panels.value - price[cand.pool][cand.panels.members].sum(axis=1)).max()
    keep = cand.pool[cand.panels.members[0]]
    (r,) = reprice_chunk([(0, dispute_id, keep)], price, {}, 10, state=state)
    new_worth = r.panels.value - price[r.pool][r.panels.members].sum(axis=1)
    assert new_worth.max() > old_best
    _, worth = _priced_worths(ws, dispute_id, price)
    assert r.bound >= worth.max()


@pytest.mark.parametrize(
    ("seed", "quotas"),
    [
        (1, Quotas(max_per_mediator=1)),
        (2, Quotas(max_per_mediator=1, max_state_share=0.15, min_women_share=0.4)),
        (3, Quotas(max_group_share=0.4, min_women_share=0.5, max_same_party=1)),
        (5, Quotas(max_per_mediator=2, min_women_share=0.6)),
        (6, Quotas()),
    ],
)
def test_the_lagrangian_bound_from_the_mediators_bounds_holds_against_an_exact_solver(
    seed: int, quotas: Quotas
) -> None:
    """Column generation on tiny pools: the Lagrangian bound from the rebuilt pools' upper bounds (reported
    among the bound's sources) is never below the exact optimum (scipy milp over every panel)."""
    ws = _tiny_generated(seed)
    most, best_total = milp_batch(ws, quotas)
    with pools_of_three():
        config = BatchConfig(quotas=quotas, time_limit=10, workers=1, enumeration_budget=3, gap=0.0)
        s = solve_batch(ws, IOMED, config).summary
    key = LAGRANGIAN_BOUNDS if s.staffed == most == len(ws.data.disputes) else LAGRANGIAN_BOUNDS_LEFT_OUT
    assert key in s.bound_sources or LAGRANGIAN_BOUNDS in s.bound_sources, s.bound_sources
    for name in (LAGRANGIAN_BOUNDS, LAGRANGIAN_BOUNDS_LEFT_OUT):
        if name in s.bound_sources:
            assert best_total <= round(s.bound_sources[name] * UNIT), s.bound_sources


def test_global_index_finds_each_mediator_of_this_roster_or_of_a_copy_by_id() -> None:
    """The roster index of each instance's mediator is their place in the roster, whether the instance came
    from this roster (its encoded rows), from a copy of it, or holds copies of the mediators (found by id)."""
    ws = _tiny_generated(3)
    arrays = ws.arrays
    twin = copy.deepcopy(arrays)  # its mediators are copies: the original's rows are not trusted for them
    for view in dispute_views(ws, IOMED):
        inst = arrays.encode(view, with_excluded=False, include_ineligible=bool(len(view.dispute.parties) % 2))
        expected = np.array([arrays.ids.index(m.mediator_id) for m in inst.mediators], dtype=np.int64)
        assert expected.size
        np.testing.assert_array_equal(arrays.global_index(inst), expected)
        np.testing.assert_array_equal(arrays.global_index(copy.deepcopy(inst)), expected)
        np.testing.assert_array_equal(twin.global_index(inst), expected)
        np.testing.assert_array_equal(
            twin.global_index(twin.encode(view, with_excluded=False)),
            arrays.global_index(arrays.encode(view, with_excluded=False)),
        )
        some = restrict(inst, list(range(0, inst.n, 2)))
        np.testing.assert_array_equal(arrays.global_index(some), expected[::2])


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(1, 6),
    prices=st.lists(st.integers(0, 3 * UNIT), min_size=14, max_size=14),
    party=st.lists(st.integers(0, 2 * UNIT), min_size=14, max_size=14),
    cap=st.integers(1, 14),
    allowance=st.one_of(st.just(math.inf), st.floats(0, 0.02)),
    limit=st.sampled_from([3, 4, 20]),
)
def test_the_profile_bound_at_the_prices_is_never_below_the_best_priced_panel(
    seed: int, prices: list[int], party: list[int], cap: int, allowance: float, limit: int
) -> None:
    """Each dispute bounded at random whole-unit prices (and a same-party price for one party) by the profile
    programme over at most ``cap`` mediators (fewer if its ``allowance`` pays for fewer): never below its best
    priced panel over the whole roster (brute force), never above the mediators' upper bounds' bound, never
    charged more than the allowance, and a dispute it proves has the pool's best as its best."""
    ws = _tiny_generated(seed)
    state = make_state(ws, IOMED)
    n = ws.arrays.n
    price = np.array(prices[:n], dtype=np.float64)
    some_party = ws.data.disputes[0].parties[0]
    party_price = {some_party: (np.arange(n, dtype=np.int64), np.array(party[:n], dtype=np.float64))}
    alone = [
        c
        for c in alone_chunk(list(enumerate(d.dispute_id for d in ws.data.disputes)), limit, CONFIG, state=state)
        if c.in_joint_model
    ]
    no_search = replace(CONFIG, time_limit=0.0)
    for c in alone:
        parties = next(d.parties for d in ws.data.disputes if d.dispute_id == c.dispute_id)
        local = np.rint(member_price(c.pool, price, party_price, parties)).astype(np.int64)
        pool_best = int((c.panels.value - local[c.panels.members].sum(axis=1)).max())
        item = [(c.position, c.dispute_id, c.pool, pool_best)]
        (loose,) = exact_chunk(item, price, party_price, limit, no_search, state=state)
        with mock.patch.object(disputes_module, "TIGHT_CAP", cap), mock.patch.object(disputes_module, "TIGHT_MIN", 1):
            (tight,) = exact_chunk(item, price, party_price, limit, no_search, allowance, state=state)
        members, values = _priced_worths(ws, c.dispute_id, np.zeros(n))
        worth = values - np.rint(member_price(np.arange(n), price, party_price, parties))[members].sum(axis=1)
        best = int(worth.max())
        assert max(best, pool_best) <= tight.bound <= loose.bound
        assert tight.overhead - loose.overhead <= allowance + 1e-12
        if tight.proven:
            assert tight.bound == pool_best >= best


@pytest.mark.parametrize(
    ("seed", "quotas"),
    [
        (1, Quotas(max_per_mediator=1)),
        (3, Quotas(max_group_share=0.4, min_women_share=0.5, max_same_party=1)),
        (5, Quotas(max_per_mediator=2, min_women_share=0.6)),
        (6, Quotas()),
    ],
)
@pytest.mark.parametrize("cap", [2, 5, 300])
def test_the_exact_pricing_bound_with_the_profile_programme_holds_against_an_exact_solver(
    seed: int, quotas: Quotas, cap: int
) -> None:
    """Exact pricing with the profile programme first (at most ``cap`` mediators in it) and searches cut to
    nothing (so every bound it reports comes from the programme or the upper bounds): the Lagrangian bound of
    exact pricing is never below the exact optimum (scipy milp over every panel)."""
    ws = _tiny_generated(seed)
    most, best_total = milp_batch(ws, quotas)
    with (
        pools_of_three(),
        mock.patch.object(disputes_module, "TIGHT_CAP", cap),
        mock.patch.object(disputes_module, "TIGHT_MIN", 1),
        mock.patch.object(joint_module, "SOLVE_PASSES", 0),
        mock.patch.object(joint_module, "TIGHT_SHARE", 0.25),  # (the batch's default gives the programme none)
    ):
        config = BatchConfig(quotas=quotas, time_limit=10, workers=1, enumeration_budget=3, gap=0.0)
        s = solve_batch(ws, IOMED, config).summary
    assert LAGRANGIAN in s.bound_sources or LAGRANGIAN_LEFT_OUT in s.bound_sources or s.staffed < most, s.bound_sources
    for name in (LAGRANGIAN, LAGRANGIAN_LEFT_OUT):
        if name in s.bound_sources:
            assert best_total <= round(s.bound_sources[name] * UNIT), s.bound_sources


@given(budget=st.floats(0, 1e4, allow_subnormal=False), width=st.integers(1, 8), disputes=st.integers(0, 10_000))
def test_the_profile_programme_takes_at_most_its_share_of_exact_pricing(
    budget: float, width: int, disputes: int
) -> None:
    """The programme's work allowed per dispute: none for no dispute, and never so much that the disputes'
    programmes together pass ``TIGHT_SHARE`` of the budget (each stays within it: see the bound's test)."""
    for share in (TIGHT_SHARE, 0.25):
        with mock.patch.object(joint_module, "TIGHT_SHARE", share):
            allowance = profile_allowance(budget, width, disputes)
        assert allowance >= 0
        assert disputes or allowance == 0
        assert allowance * disputes <= share * budget * width * (1 + 1e-9)


def test_narrowed_exact_pricing_finds_the_best_priced_panel_and_proves_some_disputes_unsearched() -> None:
    """Each dispute priced with a search at random whole-unit prices, the profile programme first keeping only the
    mediators on some panel better than the pool's best (``_narrow``): proven, with the best priced panel's worth
    over the whole roster (brute force) or the pool's best as its bound; and some disputes the mediators' upper
    bounds leave open are proven by the programme alone, with no search at all."""
    unsearched = 0
    for seed in (1, 2, 3):
        for state, c, parties, members, values in _joint_disputes(seed):
            n = state.arrays.n
            for draw in range(3):
                price = np.random.default_rng(10 * seed + draw).integers(0, 3 * UNIT, n).astype(np.float64)
                pool_best = _pool_best(c, price, parties)
                item = [(c.position, c.dispute_id, c.pool, pool_best)]
                (loose,) = exact_chunk(item, price, {}, 3, replace(CONFIG, time_limit=0.0), state=state)
                with mock.patch.object(disputes_module, "TIGHT_MIN", 1):
                    (priced,) = exact_chunk(item, price, {}, 3, CONFIG, 0.0, True, state=state)
                worth = values - np.rint(member_price(np.arange(n), price, {}, parties))[members].sum(axis=1)
                assert priced.proven
                assert priced.bound == max(int(worth.max()), pool_best)
                unsearched += loose.bound > pool_best and priced.work == 0
    assert unsearched > 0


def test_a_search_cut_short_before_a_better_panel_keeps_cp_sats_own_bound() -> None:
    """Exact pricing whose search stops before it finds a panel better than the pool's (simulated: the search runs
    to the end, then reports a timeout with CP-SAT's bound kept): the bound is CP-SAT's, the best priced panel's
    worth over the whole roster (brute force) or the pool's best, not the looser mediators' upper bounds; and
    where the search ends, a panel it finds is worth more than the pool's best."""

    class CutShort(disputes_module.PanelModel):
        def solve(self, config: SolveConfig) -> tuple[Status, PanelSolution | None, int | None, int | None]:
            out = super().solve(config)
            return out if out[0] == Status.INFEASIBLE else (Status.TIMEOUT, None, None, None)

    tighter = 0
    for seed in (1, 2, 3):
        for state, c, parties, members, values in _joint_disputes(seed):
            price = np.random.default_rng(seed).integers(0, 3 * UNIT, state.arrays.n).astype(np.float64)
            pool_best = _pool_best(c, price, parties)
            item = [(c.position, c.dispute_id, c.pool, pool_best)]
            best = max(pool_best, int((values - local_worth(price, parties, members)).max()))
            (loose,) = exact_chunk(item, price, {}, 3, replace(CONFIG, time_limit=0.0), state=state)
            (searched,) = exact_chunk(item, price, {}, 3, CONFIG, state=state)
            assert searched.proven and searched.bound == best
            if searched.members:
                worth = searched.value - local_worth(price, parties, np.array([searched.members]))[0]
                assert worth > pool_best
            with mock.patch.object(disputes_module, "PanelModel", CutShort):
                (cut,) = exact_chunk(item, price, {}, 3, CONFIG, state=state)
            if not cut.proven:  # (a search ran and found a better panel)
                assert cut.bound == best <= loose.bound
                tighter += best < loose.bound
            for work in (1e-4, 1e-3):  # searches really cut short: still never below the best
                (short,) = exact_chunk(item, price, {}, 3, replace(CONFIG, time_limit=work), state=state)
                assert best <= short.bound <= loose.bound
    assert tighter > 0


def local_worth(price: np.ndarray, parties: tuple[str, ...], members: np.ndarray) -> np.ndarray:
    """The price of each panel (rows of roster indices) at whole-unit prices."""
    return np.rint(member_price(np.arange(len(price)), price, {}, parties))[members].sum(axis=1)


def _joint_disputes(seed: int) -> Iterator[tuple[WorkerState, Candidates, tuple[str, ...], np.ndarray, np.ndarray]]:
    """The disputes of the tiny generated roster ``seed`` that enter the joint model (pools of three): the batch
    state, the dispute's pool, its parties, and every feasible panel over its whole roster with its unpriced worth
    (``_priced_worths`` at zero prices)."""
    ws = _tiny_generated(seed)
    state = make_state(ws, IOMED)
    items = list(enumerate(d.dispute_id for d in ws.data.disputes))
    for c in alone_chunk(items, 3, CONFIG, state=state):
        if c.in_joint_model:
            parties = next(d.parties for d in ws.data.disputes if d.dispute_id == c.dispute_id)
            members, values = _priced_worths(ws, c.dispute_id, np.zeros(ws.arrays.n))
            yield state, c, parties, members, values


def _pool_best(c: Candidates, price: np.ndarray, parties: tuple[str, ...]) -> int:
    """The best worth at whole-unit ``price`` among the panels of the pool of ``c``."""
    local = np.rint(member_price(c.pool, price, {}, parties)).astype(np.int64)
    return int((c.panels.value - local[c.panels.members].sum(axis=1)).max())


@settings(max_examples=60, deadline=None)
@given(
    slack=st.lists(st.integers(1, 10**8), max_size=30),
    total=st.floats(0, 60, allow_subnormal=False),
    cap=st.floats(0.01, 2, allow_subnormal=False),
    power=st.sampled_from([0.0, 0.5, 1.0, 2.0]),
)
# Weights of very different sizes (slack 10^8 squared beside ones of 1): once summed with the largest and taken off
# again, the small ones' total was lost.
@example(slack=[1] * 11 + [2, 96980996], total=3.0, cap=2.0, power=2.0)
@example(slack=[1, 1, 1, 1, 1, 42742, 94906256], total=1.0, cap=1.0, power=2.0)
@example(slack=[1, 164470], total=1.0, cap=2.0, power=2.0)
def test_exact_pricing_shares_follow_the_slack_within_the_cap_and_spend_what_they_can(
    slack: list[int], total: float, cap: float, power: float
) -> None:
    """Each unproven dispute's share (``spread_by_slack``): at most the cap, all of the budget where the caps allow
    (the whole cap each otherwise), never less for a larger slack, and in proportion to slack to the power
    ``SLACK_POWER`` among the shares below the cap."""
    with mock.patch.object(joint_module, "SLACK_POWER", power):
        shares = spread_by_slack([float(s) for s in slack], total, cap)
    assert len(shares) == len(slack)
    assert all(0 <= s <= cap * (1 + 1e-9) for s in shares)
    assert math.isclose(sum(shares), min(total, cap * len(slack)), rel_tol=1e-9, abs_tol=1e-9)
    order = np.argsort(slack, kind="stable")
    assert all(shares[a] <= shares[b] * (1 + 1e-9) for a, b in itertools.pairwise(order))
    free = [i for i, s in enumerate(shares) if s < cap * (1 - 1e-9)]
    ratios = [shares[i] / float(slack[i]) ** power for i in free]
    assert all(math.isclose(r, ratios[0], rel_tol=1e-6) for r in ratios)


def test_exact_pricing_spreads_its_budget_over_the_unproven_disputes_by_their_slack() -> None:
    """Four disputes the bounds without a search leave open, 1, 2, 3 and 10 points above their pools' best: their
    searches get 0.1, 0.2, 0.3 and 1.0 of a 1.6 s budget (not 0.4 each), and the budget is spent."""
    slack_of = {0: 1, 1: 2, 2: 3, 3: 10}
    limits: list[dict[int, float]] = []

    class Recording:
        def width(self, n_items: int) -> int:
            return 1

        def map(self, fn: object, items: list[Any], args: tuple[Any, ...], advance: object) -> list[Priced]:
            given = args[-1] if isinstance(args[-1], dict) else {j: args[3].time_limit for j, *_ in items}
            if limits or args[3].time_limit > 0:
                limits.append(given)
            return [Priced(j, best + slack_of[j] * UNIT, (), 0, work=given[j], proven=False) for j, _, _, best in items]

    items = [(j, f"D{j}", np.arange(3), 5 * UNIT) for j in slack_of]
    runner = cast(Any, Recording())
    _, work = _price_disputes(items, np.zeros(3), {}, runner, 3, CONFIG, silent_progress, 1.6)
    assert limits and limits[0] == pytest.approx({0: 0.1, 1: 0.2, 2: 0.3, 3: 1.0})
    assert work == pytest.approx(1.6)


def test_exact_pricing_shares_a_pass_over_the_processes_its_chosen_disputes_run_on() -> None:
    """Two of four unproven disputes get a share too small to search (slack 1 beside 1,000) and are left out; the
    other two then run in this process alone (fewer than the runner spreads), so they share one process's 0.0205 s
    (0.01025 each) rather than two processes' (0.0205 each, twice the budget spent)."""
    slack_of = {0: 1, 1: 1, 2: 1000, 3: 1000}
    limits: list[dict[int, float]] = []

    class Recording:
        def width(self, n_items: int) -> int:
            return 2 if n_items >= 4 else 1

        def map(self, fn: object, items: list[Any], args: tuple[Any, ...], advance: object) -> list[Priced]:
            given = args[-1] if isinstance(args[-1], dict) else {j: 0.0 for j, *_ in items}
            if isinstance(args[-1], dict):
                limits.append(given)
            return [Priced(j, best + slack_of[j] * UNIT, (), 0, work=given[j], proven=False) for j, _, _, best in items]

    items = [(j, f"D{j}", np.arange(3), 5 * UNIT) for j in slack_of]
    _, work = _price_disputes(items, np.zeros(3), {}, cast(Any, Recording()), 3, CONFIG, silent_progress, 0.0205)
    assert limits[0] == pytest.approx({2: 0.01025, 3: 0.01025})
    assert work == pytest.approx(0.0205)


def test_every_exact_pricing_pass_narrows_its_searches_first() -> None:
    """Every pass of exact searches (the first too) asks the profile programme to narrow each search first where its
    share pays for it (``FILTER_SHARE``): it costs less CPU than the searches it cuts short."""
    narrowed: list[bool] = []

    class Recording:
        def width(self, n_items: int) -> int:
            return 1

        def map(self, fn: object, items: list[Any], args: tuple[Any, ...], advance: object) -> list[Priced]:
            given = args[-1] if isinstance(args[-1], dict) else {j: 0.0 for j, *_ in items}
            if isinstance(args[-1], dict):
                narrowed.append(args[5])
            return [Priced(j, best + UNIT, (), 0, work=given[j], proven=False) for j, _, _, best in items]

    items = [(j, f"D{j}", np.arange(3), 5 * UNIT) for j in range(4)]
    _price_disputes(items, np.zeros(3), {}, cast(Any, Recording()), 3, CONFIG, silent_progress, 100.0)
    assert narrowed == [True, True, True]  # three passes (each search cut short at its share of 10 s)
