"""Level proofs from the quota polytope's LP relaxation (``matching.lottery.polytope``) against brute force.

On small rosters every selection is enumerated: the relaxation's proven bound must be at least the heaviest
selection's weight (for random weights, and for each level proof's own weights), and a leximin whose levels may end
on the relaxation's proofs must give the same chances as the enumerated oracle alone.
"""

from __future__ import annotations

import tempfile
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import matching.lottery.compose as compose_module
import matching.lottery.engine as engine_module
from matching.core.errors import InputError
from matching.lottery.compose import QuotaOracle, load_problem
from matching.lottery.engine import EnumeratedOracle, Panel, leximin
from tests.test_lottery import reference_leximin
from tests.test_lottery_engine import SwappingOracle
from tests.test_lottery_engine import pools as engine_pools

FEATURES = (("a", 2), ("b", 3), ("c", 2))
Pool = tuple[list[list[int]], int, list[tuple[str, str, int, int]]]


@st.composite
def pools(draw: st.DrawFn) -> Pool:
    n = draw(st.integers(6, 11))
    seats = draw(st.integers(2, 4))
    people = [[draw(st.integers(0, values - 1)) for _, values in FEATURES] for _ in range(n)]
    quotas = []
    for column, (name, values) in enumerate(FEATURES):
        for value in range(values):
            available = sum(1 for p in people if p[column] == value)
            low = min(available, draw(st.integers(0, 1)))
            high = draw(st.integers(max(low, 1), seats))
            quotas.append((name, f"{name}{value}", low, high))
    return people, seats, quotas


def oracle_of(
    folder: Path, people: list[list[int]], seats: int, quotas: list[tuple[str, str, int, int]]
) -> QuotaOracle:
    features = folder / "features.csv"
    features.write_text(
        "feature,value,min,max\n" + "".join(f"{f},{v},{lo},{hi}\n" for f, v, lo, hi in quotas), encoding="utf-8"
    )
    nominees = folder / "people.csv"
    rows = [f"p{i}," + ",".join(f"{name}{p[c]}" for c, (name, _) in enumerate(FEATURES)) for i, p in enumerate(people)]
    nominees.write_text("nationbuilder_id,a,b,c\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return QuotaOracle(load_problem(features, nominees, seats), group=False)


def drawn(pool: Pool) -> tuple[QuotaOracle, list[Panel]] | None:
    """The pool's oracle (one agent per nominee) and every selection, or None when the reader refuses the quotas
    or no selection meets them."""
    with tempfile.TemporaryDirectory() as folder:
        try:
            oracle = oracle_of(Path(folder), *pool)
        except InputError:
            return None
    panels = [p for p in combinations(range(oracle.n), oracle.size) if oracle.problems(p) == []]
    return (oracle, panels) if panels else None


class Hooked(EnumeratedOracle):
    """The enumerated oracle, with the quota polytope's level proofs."""

    def __init__(self, quota: QuotaOracle, panels: list[Panel]) -> None:
        super().__init__(quota.n, quota.size, panels)
        self.quota = quota
        self.later = 0  # proofs asked for after the first level

    def level_proof(self, free: list[int], fixed: dict[int, float]) -> tuple[np.ndarray, int] | None:
        self.later += bool(fixed)
        return self.quota.level_proof(free, fixed)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools(), st.lists(st.integers(0, 30), min_size=11, max_size=11), st.integers(0, 2**16))
def test_the_bound_holds_every_selection(pool: Pool, raw: list[int], seed: int) -> None:
    found = drawn(pool)
    if found is None:
        return
    oracle, panels = found
    weights = np.asarray(raw[: oracle.n], dtype=np.int64)
    heaviest = max(int(weights[list(p)].sum()) for p in panels)
    bound = oracle.polytope.weight_bound(weights)
    assert bound is not None and bound >= heaviest
    # A level proof's own weights, for a random split into free and fixed agents at random floors.
    fixed = some_fixed(oracle.n, seed)
    free = [a for a in range(oracle.n) if a not in fixed]
    proof = oracle.level_proof(free, fixed)
    if proof is not None:
        proof_weights, best = proof
        assert (proof_weights >= 0).all()
        assert best >= max(int(proof_weights[list(p)].sum()) for p in panels)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools())
def test_levels_ended_on_the_relaxation_give_the_enumerated_leximin(pool: Pool) -> None:
    found = drawn(pool)
    if found is None:
        return
    oracle, panels = found
    relaxed = Hooked(oracle, panels)
    hooked = leximin(relaxed)
    plain = leximin(EnumeratedOracle(oracle.n, oracle.size, panels))
    assert relaxed.later > 0 or len(hooked.levels) == 1
    assert hooked.proven
    assert np.allclose(hooked.marginal_floats(), plain.marginal_floats(), atol=1e-8)
    assert np.allclose(hooked.marginal_floats(), reference_leximin(oracle.n, panels), atol=1e-6)


def later_levels_pool() -> tuple[QuotaOracle, list[Panel]]:
    """A pool (found by a random search) whose second and third levels end on the relaxation's proof: its oracle
    and every selection."""
    quotas = [
        ("a", "a0", 1, 1),
        ("a", "a1", 0, 2),
        ("b", "b0", 0, 3),
        ("b", "b1", 1, 2),
        ("b", "b2", 1, 3),
        ("c", "c0", 1, 2),
        ("c", "c1", 1, 2),
    ]
    people = [[1, 1, 0], [0, 2, 0], [0, 0, 0], [1, 2, 1], [0, 1, 1], [1, 0, 1], [0, 0, 0], [1, 0, 0], [0, 1, 0]]
    found = drawn((people, 3, quotas))
    assert found is not None
    return found


def test_a_later_level_ends_on_the_relaxation_proof() -> None:
    """``later_levels_pool``'s second and third levels end on the relaxation's proof, with the enumerated oracle's
    leximin."""
    oracle, panels = later_levels_pool()
    ended: list[int] = []
    reached = engine_module._Engine.oracle_reached

    def spy(
        self: engine_module._Engine, fixed: dict[int, float], free: list[int], value: float
    ) -> tuple[np.ndarray, float, object] | None:
        answer = reached(self, fixed, free, value)
        if answer is not None:
            ended.append(len(fixed))
        return answer

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(engine_module._Engine, "oracle_reached", spy)
        hooked = leximin(Hooked(oracle, panels))
    assert len([n for n in ended if n > 0]) >= 2
    plain = leximin(EnumeratedOracle(oracle.n, oracle.size, panels))
    assert hooked.marginals == plain.marginals
    assert [level.value for level in hooked.levels][-1] == pytest.approx(plain.levels[-1].value)


TIGHT = 1e-9  # the relaxation's bound within this share of the weights' total of the heaviest selection is tight


def some_fixed(n: int, seed: int) -> dict[int, float]:
    """About 40 % of ``n`` agents, each fixed at a chance drawn from [0, 0.3) (seeded)."""
    rng = np.random.default_rng(seed)
    return {a: float(rng.uniform(0.0, 0.3)) for a in range(n) if rng.random() < 0.4}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools(), st.integers(0, 2**16))
@example(  # one selection (3, 4) and the fixed 1 and 2 in none: Q's bound 1/2, its floor 0 the selection's weight
    (
        [[0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 1, 1], [1, 1, 0], [1, 0, 1]],
        2,
        [
            ("a", "a0", 0, 1),
            ("a", "a1", 0, 1),
            ("b", "b0", 0, 1),
            ("b", "b1", 0, 2),
            ("b", "b2", 0, 1),
            ("c", "c0", 0, 1),
            ("c", "c1", 0, 1),
        ],
    ),
    0,
)
def test_the_heaviest_selections_lie_on_the_proofs_face(pool: Pool, seed: int) -> None:
    """Where the relaxation is tight (its bound is the heaviest selection's weight), every selection of largest
    weight under the level proof meets the face's quotas and seats its whole classes.

    The relaxation's bound is the one before ``level_proof``'s floor (``level_bound``), up to the float rounding of
    the LP's multipliers (``TIGHT`` of the weights' total): the floor can meet the heaviest selection's weight where
    ``Q``'s bound is up to 1 above it, and ``Q``'s face then need not hold that selection (the ``example``)."""
    found = drawn(pool)
    if found is None:
        return
    oracle, panels = found
    fixed = some_fixed(oracle.n, seed)
    free = [a for a in range(oracle.n) if a not in fixed]
    proof = oracle.polytope.level_bound(free, fixed)
    face = oracle.polytope.face
    if proof is None or face is None:
        return
    weights, bound = proof
    heaviest = max(int(weights[list(p)].sum()) for p in panels)
    if float(bound - heaviest) > TIGHT * max(1, int(weights.sum())):
        return
    for panel in panels:
        if int(weights[list(panel)].sum()) == heaviest:
            counts = oracle.seat_counts @ np.bincount(np.asarray(panel), minlength=oracle.n)
            assert (counts >= np.asarray(face.low)).all() and (counts <= np.asarray(face.high)).all()
            assert all(t in panel for t in face.full)
    answer = oracle.face_best(weights)
    assert answer is not None and answer.value == heaviest


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools(), st.integers(0, 2**16))
def test_the_local_search_stays_on_the_face(pool: Pool, seed: int) -> None:
    """From a selection on the face of the current level proof, every selection the local search (single and
    double moves) reaches lies on that face too."""
    found = drawn(pool)
    if found is None:
        return
    oracle, panels = found
    rng = np.random.default_rng(seed)  # the fixed agents, then the local search's weights
    fixed = {a: float(rng.uniform(0.0, 0.3)) for a in range(oracle.n) if rng.random() < 0.4}
    if oracle.level_proof([a for a in range(oracle.n) if a not in fixed], fixed) is None:
        return
    face = oracle.polytope.face
    assert face is not None
    low, high = np.asarray(face.low), np.asarray(face.high)

    def on_face(panel: Panel) -> bool:
        counts = oracle.seat_counts @ np.bincount(np.asarray(panel), minlength=oracle.n)
        return bool((counts >= low).all() and (counts <= high).all() and all(t in panel for t in face.full))

    starts = [p for p in panels if on_face(p)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(compose_module, "PAIR_SEATS", 0)  # double moves on rosters of any size
        for start in starts:
            for panel in oracle.improve(rng.random(oracle.n), [start]):
                assert oracle.problems(panel) == []
                assert on_face(panel)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(engine_pools())
def test_panels_sought_before_a_level_keep_to_the_oracles_face_and_targets(
    pool: tuple[int, list[Panel], list[int]],
) -> None:
    """An oracle's ``on_face`` and ``targets`` steer the panels sought before each later level
    (``_Engine.spread_level``): none off its face joins there, the targets are asked for, and the leximin is the
    reference's (they are only columns)."""
    n, panels, order = pool
    banned = order[0]  # the "face": panels without this agent

    class Steered(SwappingOracle):
        asked = 0

        def on_face(self, panel: Panel) -> bool:
            return banned not in panel

        def targets(self, free: list[int], fixed: dict[int, float]) -> np.ndarray:
            Steered.asked += 1
            return np.linspace(0.1, 0.9, n)

    oracle = Steered(n, len(panels[0]), panels)
    sought: list[Panel] = []
    real = engine_module._Engine.spread_level

    def recording(self: engine_module._Engine, covered: list[int], fixed: dict[int, float]) -> None:
        before = len(self.columns.panels)
        real(self, covered, fixed)
        sought.extend(self.columns.panels[before:])

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(engine_module._Engine, "spread_level", recording)
        lottery = leximin(oracle)
    assert all(banned not in p for p in sought)
    assert Steered.asked > 0 or len(lottery.levels) == 1
    assert np.allclose(lottery.marginal_floats(), reference_leximin(n, oracle.panels), atol=1e-6)
    assert lottery.proven


def test_a_later_level_asks_the_oracle_for_its_targets() -> None:
    """Two disjoint pairs and a lone agent in every panel: the later level's search asks for the targets."""
    asked: list[int] = []

    class Targeted(SwappingOracle):
        def targets(self, free: list[int], fixed: dict[int, float]) -> np.ndarray:
            asked.append(len(fixed))
            return np.full(self.n, 0.5)

    panels = [(0, 1), (0, 2), (1, 3), (2, 3), (0, 4)]
    lottery = leximin(Targeted(5, 2, panels))
    assert np.allclose(lottery.marginal_floats(), reference_leximin(5, panels), atol=1e-6)
    if len(lottery.levels) > 1:
        assert asked and all(f > 0 for f in asked)


class Trimmed(Hooked):
    """``Hooked`` with the quota oracle's proven faces (``on_proven_face``)."""

    def on_proven_face(self, panel: Panel) -> bool:
        return self.quota.on_proven_face(panel)


def counting_drops(patch: pytest.MonkeyPatch) -> list[int]:
    """Every master LP's panels dropped at a later level (``_Master.drop``), counted as they go."""
    drops: list[int] = []
    real = engine_module._Master.drop

    def drop(self: engine_module._Master, positions: np.ndarray) -> None:
        if self.fixed:
            drops.append(len(positions))
        real(self, positions)

    patch.setattr(engine_module._Master, "drop", drop)
    patch.setattr(engine_module, "DROP_ABOVE", 0)  # small pools: the master LP is trimmed whatever its size
    return drops


def test_panels_off_the_proven_faces_leave_the_master() -> None:
    """The pool whose later levels end on the relaxation's proofs: panels off those levels' faces leave the master
    LP at the next level (``_Engine.trim_to_face``), and the leximin is the enumerated oracle's."""
    oracle, panels = later_levels_pool()
    with pytest.MonkeyPatch.context() as patch:
        drops = counting_drops(patch)
        trimmed = leximin(Trimmed(oracle, panels))
    assert sum(drops) > 0
    plain = leximin(EnumeratedOracle(oracle.n, oracle.size, panels))
    assert trimmed.proven
    assert trimmed.marginals == plain.marginals


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools())
def test_trimming_to_the_proven_faces_keeps_the_leximin(pool: Pool) -> None:
    """With every master LP trimmed to the relaxation's proven faces, the leximin is still the enumerated one and
    every level proven."""
    found = drawn(pool)
    if found is None:
        return
    oracle, panels = found
    with pytest.MonkeyPatch.context() as patch:
        counting_drops(patch)
        trimmed = leximin(Trimmed(oracle, panels))
    assert trimmed.proven
    assert np.allclose(trimmed.marginal_floats(), reference_leximin(oracle.n, panels), atol=1e-6)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(engine_pools())
def test_a_wrong_proven_face_costs_no_exactness(pool: tuple[int, list[Panel], list[int]]) -> None:
    """An oracle whose ``on_proven_face`` is wrong (it bars every panel seating one agent) only trims columns:
    panels it bars come back when they price above the cap, and the leximin is the reference's, every level proven."""
    n, panels, order = pool
    banned = order[0]

    class Barring(SwappingOracle):
        def on_proven_face(self, panel: Panel) -> bool:
            return banned not in panel

    with pytest.MonkeyPatch.context() as patch:
        counting_drops(patch)
        lottery = leximin(Barring(n, len(panels[0]), panels))
    assert lottery.proven
    assert np.allclose(lottery.marginal_floats(), reference_leximin(n, panels), atol=1e-6)
