"""Stabilised prices (Wentges smoothing): the Lagrangian bound taken by exact pricing at any point between the
stability centre and the programme's prices, with multipliers of either sign on every row, is never below the
best assignment (scipy milp over every panel of small generated batches)."""

from __future__ import annotations

import copy
from functools import cache
from typing import Any
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

import matching.batch.joint as joint_module
from matching.batch.disputes import Candidates, Runner, alone_chunk, make_state
from matching.batch.joint import _exact_round, between
from matching.batch.master import LE, ColumnSet, GlobalRows, RowKey
from matching.batch.quotas import Quotas
from matching.batch.run import solve_batch
from matching.batch.settings import BatchConfig
from matching.core.config import SolveConfig
from matching.core.progress import silent_progress
from tests.test_batch import IOMED, _tiny_generated, milp_batch, pools_of_three

CONFIG = SolveConfig(candidates=1, time_limit=10.0, seed=0, workers=1, presolve=False)
UNIT = 1_000_000  # objective units in one point
QUOTAS = [
    Quotas(),
    Quotas(max_per_mediator=1, min_women_share=0.4),
    Quotas(max_state_share=0.3, max_group_share=0.5, max_same_party=1),
]


@cache
def _alone(seed: int) -> tuple[Any, Any, list[Candidates]]:
    """A tiny generated batch (``_tiny_generated``): its workspace, worker state and the disputes alone on pools
    of three (built once per seed)."""
    ws = _tiny_generated(seed)
    state = make_state(ws, IOMED)
    items = list(enumerate(d.dispute_id for d in ws.data.disputes))
    return ws, state, [c for c in alone_chunk(items, 3, CONFIG, state=state) if c.in_joint_model]


@cache
def _best(seed: int, quotas: int) -> tuple[int, int]:
    """milp's (most disputes staffed together, best total among those) on that batch under ``QUOTAS[quotas]``."""
    return milp_batch(_alone(seed)[0], QUOTAS[quotas])


def _every_row(rows: GlobalRows, n: int) -> list[RowKey]:
    """Every row a multiplier can sit on: each mediator's capacity, the quotas, and same-party rows."""
    keys: list[RowKey] = [("cap", i) for i in range(n)] + rows.eager()
    if rows.same_party is not None:
        keys += [("party", i, p) for i in range(n) for p in sorted({p for ps in rows.parties for p in ps})]
    return keys


def test_between_weighs_the_centre_and_counts_a_missing_row_as_zero() -> None:
    centre = {("cap", 0): 4.0, ("women",): -2.0}
    duals = {("cap", 0): 2.0, ("cap", 1): 8.0}
    assert between(centre, duals, 0.25) == {("cap", 0): 2.5, ("cap", 1): 6.0, ("women",): -0.5}
    assert between(centre, duals, 0.0) == {("cap", 0): 2.0, ("cap", 1): 8.0, ("women",): 0.0}


@settings(max_examples=6, deadline=None)
@given(
    seed=st.integers(1, 6),
    which=st.integers(0, len(QUOTAS) - 1),
    weight=st.floats(0.0, 1.0),
    centre_draws=st.lists(st.integers(-UNIT, 3 * UNIT), min_size=40, max_size=40),
    dual_draws=st.lists(st.integers(-UNIT, 3 * UNIT), min_size=37, max_size=37),
)
def test_the_bound_at_stabilised_prices_is_never_below_the_best_assignment(
    seed: int, which: int, weight: float, centre_draws: list[int], dual_draws: list[int]
) -> None:
    """Exact pricing at prices between a centre and the programme's (each with random multipliers, some of the
    sign a row does not allow, which the bound must clip): both forms of the bound hold against milp."""
    ws, state, built = _alone(seed)
    most, best = _best(seed, which)
    joint = copy.deepcopy(built)  # exact pricing grows the pools
    quotas = QUOTAS[which]
    parties = [state.views[c.dispute_id].dispute.parties for c in joint]
    rows = GlobalRows(state.arrays, parties, quotas, sum(c.k for c in joint))
    keys = _every_row(rows, ws.arrays.n)
    centre = {k: float(centre_draws[n % len(centre_draws)]) for n, k in enumerate(keys)}
    duals = {k: float(dual_draws[n % len(dual_draws)]) for n, k in enumerate(keys)}
    runner = Runner(ws, IOMED, state, 1)
    lagrangian, _, _ = _exact_round(
        joint, parties, rows, between(centre, duals, weight), runner, 3, CONFIG, ColumnSet(len(joint)), silent_progress
    )
    assert best <= lagrangian.some_unstaffed + 1e-6
    if most == len(joint):
        assert best <= lagrangian.every_staffed + 1e-6
    for key, y in lagrangian.multipliers.items():
        assert y >= 0 if rows.rhs(key)[0] == LE else y <= 0


def test_column_generation_with_smoothing_on_keeps_every_lagrangian_bound_valid() -> None:
    """The whole column generation with the bounds taken half way towards the lowest bound so far (pools
    rebuilt and exact pricing at stabilised prices, falling back to the programme's), on a batch whose
    quotas leave disputes out: the prices are stabilised, and every Lagrangian bound reported holds against
    milp (the forms with disputes left out hold for any assignment keeping the upper limits)."""
    seed, which = 1, 1
    ws = _alone(seed)[0]
    most, best = _best(seed, which)
    weights: list[float] = []

    def spy(centre: dict[RowKey, float], duals: dict[RowKey, float], weight: float) -> dict[RowKey, float]:
        weights.append(weight)
        return between(centre, duals, weight)

    with (
        pools_of_three(),
        mock.patch.object(joint_module, "SMOOTHING", 0.5),
        mock.patch.object(joint_module, "between", spy),
    ):
        config = BatchConfig(quotas=QUOTAS[which], time_limit=10, workers=1, enumeration_budget=3, gap=0.0)
        s = solve_batch(ws, IOMED, config).summary
    assert weights and set(weights) == {0.5}
    assert s.staffed == most
    lagrangian = [name for name in s.bound_sources if name.startswith("Lagrangian")]
    assert lagrangian, s.bound_sources
    for name in lagrangian:
        assert best <= round(s.bound_sources[name] * UNIT), s.bound_sources
