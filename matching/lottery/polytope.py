"""Leximin level proofs from the quota polytope: the LP relaxation of the roster's selections.

A selection is a seat count ``x_t`` per class of interchangeable nominees (``matching.lottery.compose``): integer,
``0 <= x_t <= m_t``, ``Σ x_t = K`` and ``lo_j <= Σ_{t holds j} x_t <= hi_j`` for every quota ``j``. These rows
and boxes without integrality make a polytope ``Q`` that holds every selection, so for any weights ``w``
``max_P w(P) <= max_{x in Q} w·x``, a linear programme over the classes (milliseconds on the assembly-shaped pool's
1,324 classes, no CP-SAT). ``QuotaPolytope.level_proof`` solves the leximin level over ``Q`` itself (maximise
``z`` with ``x_t >= m_t z`` for the free classes and ``x_t >= m_t f_t`` for the fixed ones), takes its row duals
as the level's weights (integers of ``PROOF_BITS`` bits) and proves ``max_{x in Q} w·x <= best`` exactly by weak
duality: for any multipliers ``α, β >= 0`` of the quota rows' upper and lower sides and ``π_0`` of ``Σ x = K``,
``w·x <= Σ_j (hi_j α_j - lo_j β_j) + K π_0 + Σ_t m_t max(0, w_t - (Hᵀ(α - β))_t - π_0)`` on ``Q``; the LP's
duals (as exact fractions, the floats they are) make it tight up to rounding, and ``best`` is its floor (a
selection's weight is an integer). The engine ends a level on that proof once the known panels reach it
(``matching.lottery.engine._Engine.oracle_reached``); when ``Q``'s level is above the true one the proof never
is reached and the level ends as before, on an exact pricing proof.

Measured 2026-12-07 on the assembly-shaped pool (benchmarks/bench_lottery.py ``--assembly``, 1,700 respondents,
110 seats): the leximin over ``Q`` (21 levels, 0.5 s of CPU in all) has the true value at every level the engine
proved, 2/83, 0.0244755, 10/289, 0.0701688, 0.0758030, 0.0856174 and 0.0894220 for the first seven: there ``Q`` is
as good as the selections' hull, and each proof's weights are 0 or 1 (a group of classes, and the most seats any
selection gives it). ``Q``'s vertices are not integral (20 fractional seat counts at a vertex of its first face), so
the proof's face (``Face``) is read off the duals rather than from a vertex.

The face also guides the search for panels: where ``Q`` is tight at a level, every distribution that keeps it takes
its selections from the face of its proof (complementary slackness), here a few quotas held at one of their bounds
(and classes seated whole); the faces of the levels proven so far (``QuotaPolytope.track``) are met, and the quota
oracle's local search and face pricing keep to them (``matching.lottery.compose.QuotaOracle.on_face``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

PROOF_BITS = 40  # the largest proof weight; the weights' rounding moves the bound by about K / 2**PROOF_BITS
FLOOR_SLACK = 1e-12  # how far the fixed agents' floors are lowered in the level's LP over Q (see level)
FACE_TOL = 1e-7  # multipliers below this share of the largest are taken as 0 (face_of)
FACE_REACHED = 1e-9  # a level reached Q's value when its agents were fixed this close to it (track)
SNAP_DENOMINATOR = 10**7  # duals are tried as fractions with denominators up to this (snapped_scale)
SNAP_TOL = 1e-12  # how close such fractions must be
TARGET_TOL = 1e-9  # fixed agents this close to their targets keep the targets computed before (targets)
SOLVE_TOL = 1e-10  # HiGHS's primal and dual feasibility tolerances for the level's LP over Q


def snapped_scale(duals: np.ndarray) -> int | None:
    """The common denominator of ``duals`` when they are all fractions with denominators up to ``SNAP_DENOMINATOR``
    (within ``SNAP_TOL``) and it keeps them below ``2**PROOF_BITS``: LP vertex duals share one (the basis
    determinant), and exact weights make the bound the level's exact value (the first level's certificate,
    ``matching.lottery.engine.Lottery.certified``). None otherwise."""
    top = float(duals.max())
    values = sorted((float(v) for v in duals if v > 0), reverse=True)
    return common_denominator(values, lambda q: q * top <= 2**PROOF_BITS)


def common_denominator(values: Iterable[float], fits: Callable[[int], bool]) -> int | None:
    """The least common denominator of ``values`` (taken in their order, largest first) when each is a fraction with a
    denominator up to ``SNAP_DENOMINATOR`` (within ``SNAP_TOL``) and each partial common denominator ``fits``; None
    otherwise. Shared by ``snapped_scale`` and the engine's integer weights."""
    q = 1
    for value in values:
        if abs(value * q - round(value * q)) <= SNAP_TOL * q:
            continue
        rational = Fraction(value).limit_denominator(SNAP_DENOMINATOR)
        if abs(float(rational) - value) > SNAP_TOL:
            return None
        q = math.lcm(q, rational.denominator)
        if not fits(q):
            return None
    return q


@dataclass(frozen=True)
class Face:
    """Selections of largest weight under a level's proof: every quota within ``low..high`` (the proof's tight
    quotas at their bound) and the classes ``full`` seated whole (complementary slackness with the LP's duals)."""

    low: tuple[int, ...]
    high: tuple[int, ...]
    full: tuple[int, ...]

    def meet(self, other: Face | None) -> Face:
        """The selections on both faces."""
        if other is None:
            return self
        return Face(
            tuple(max(a, b) for a, b in zip(self.low, other.low, strict=True)),
            tuple(min(a, b) for a, b in zip(self.high, other.high, strict=True)),
            tuple(sorted(set(self.full) | set(other.full))),
        )


class QuotaPolytope:
    """The relaxation ``Q`` of a roster's selections over ``n`` classes (see the module docstring).

    ``holds[j, t]``: whether class ``t`` counts towards quota ``j`` (``low[j]..high[j]``); ``multiplicity[t]``:
    the nominees of class ``t``; ``size``: the seats ``K``."""

    def __init__(self, holds: np.ndarray, low: np.ndarray, high: np.ndarray, multiplicity: np.ndarray, size: int):
        self.holds = sparse.csr_matrix(holds.astype(float))
        self.low = np.asarray(low, dtype=np.int64)
        self.high = np.asarray(high, dtype=np.int64)
        self.multiplicity = np.asarray(multiplicity, dtype=np.int64)
        self.size = int(size)
        self.n = len(self.multiplicity)
        # Each class's quotas, for the exact bound (a class holds one quota per feature).
        self.members = [np.flatnonzero(column).tolist() for column in np.asarray(holds, dtype=bool).T]
        # The faces of the levels proven on Q (``kept``), and the current level's with its value (``track``).
        self.kept: Face | None = None
        self.pending: tuple[float, Face, frozenset[int]] | None = None
        self.face: Face | None = None
        self.chances: np.ndarray | None = None  # the leximin chances over Q last computed (``targets``)

    def face_of(self, duals: np.ndarray, pi: np.ndarray, pi0: float) -> Face:
        """The face of ``Q`` where the level's weights ``duals`` are largest, read off the LP's multipliers: quotas
        with ``pi > 0`` at their maximum, ``pi < 0`` at their minimum, classes of positive excess whole."""
        tol = FACE_TOL * max(float(np.abs(duals).max()), float(np.abs(pi).max(initial=0.0)), 1e-300)
        low = np.where(pi > tol, self.high, self.low)
        high = np.where(pi < -tol, self.low, self.high)
        excess = duals - self.holds.T @ pi - pi0
        return Face(
            tuple(int(v) for v in low), tuple(int(v) for v in high), tuple(int(t) for t in np.flatnonzero(excess > tol))
        )

    def track(self, fixed: Mapping[int, float], value: float, duals: np.ndarray, pi: np.ndarray, pi0: float) -> None:
        """Keep the previous level's face when its agents were fixed at ``Q``'s value (the relaxation was tight
        there, so every distribution keeping that level uses selections of that face only); ``face`` is then the
        faces kept met with the current level's (a guess: right when this level turns out tight too)."""
        if not fixed:
            self.kept = None
        elif self.pending is not None:
            before, face, agents = self.pending
            new = [f for a, f in fixed.items() if a not in agents]
            if new and min(new) >= before - FACE_REACHED:
                self.kept = face.meet(self.kept)
        current = self.face_of(duals, pi, pi0)
        self.pending = (value, current, frozenset(fixed))
        self.face = current.meet(self.kept)

    def level(
        self, free: Sequence[int], fixed: Mapping[int, float]
    ) -> tuple[float, np.ndarray, np.ndarray, float] | None:
        """The level over ``Q``: (its value ``z``, the row duals per class (0 for classes in neither ``free`` nor
        ``fixed``, which no selection seats), the quota duals ``α - β`` and ``π_0``), or None when HiGHS fails."""
        n, q = self.n, len(self.low)
        rows = list(free) + list(fixed)
        count = len(rows)
        m = self.multiplicity.astype(float)
        # Rows x_t - m_t z >= 0 (free) and x_t >= m_t f_t (fixed), as <= rows of the minimisation of -z.
        z_column = np.concatenate([m[list(free)], np.zeros(len(fixed))])
        head = sparse.csr_matrix(
            (
                np.concatenate([-np.ones(count), z_column]),
                (np.concatenate([np.arange(count), np.arange(count)]), np.concatenate([rows, np.full(count, n)])),
            ),
            shape=(count, n + 1),
        )
        quota = sparse.hstack([self.holds, sparse.csr_matrix((q, 1))])
        a_ub = sparse.vstack([head, quota, -quota]).tocsr()
        # The floors a little lower (FLOOR_SLACK): values the known panels reach only up to rounding stay feasible.
        # Any weights make a valid proof, and the engine computes theirs at the true floors.
        floors = [-float(m[t]) * max(0.0, float(f) - FLOOR_SLACK) for t, f in fixed.items()]
        b_ub = np.concatenate([np.zeros(len(free)), floors, self.high.astype(float), -self.low.astype(float)])
        a_eq = sparse.csr_matrix(np.concatenate([np.ones(n), [0.0]])[None, :])
        upper = np.zeros(n + 1)
        upper[rows] = m[rows]  # a class in no selection (neither free nor fixed) keeps x_t = 0
        upper[n] = 1.0
        cost = np.zeros(n + 1)
        cost[n] = -1.0
        result = linprog(
            cost,
            A_ub=a_ub,
            b_ub=b_ub,
            A_eq=a_eq,
            b_eq=[float(self.size)],
            bounds=np.column_stack([np.zeros(n + 1), upper]),
            method="highs-ds",
            options={"primal_feasibility_tolerance": SOLVE_TOL, "dual_feasibility_tolerance": SOLVE_TOL},
        )
        if result.status != 0:
            return None
        marginals = -np.asarray(result.ineqlin.marginals, dtype=float)  # >= 0: duals of the maximisation
        duals = np.zeros(n)
        duals[rows] = np.clip(marginals[:count], 0.0, None)
        alpha, beta = marginals[count : count + q], marginals[count + q :]
        return float(result.x[n]), duals, alpha - beta, float(-result.eqlin.marginals[0])

    def bound(self, weights: np.ndarray, pi: np.ndarray, pi0: Fraction, seated: Sequence[int]) -> Fraction:
        """An exact upper bound on ``max_{x in Q} weights·x`` from any multipliers ``pi`` (quota rows) and ``pi0``
        (``Σ x = K``), with ``x_t = 0`` for the classes not ``seated`` (in no selection): weak duality, see the
        module docstring."""
        exact = [Fraction(float(v)) for v in pi]
        total = sum(
            (Fraction(int(self.high[j])) * v if v > 0 else Fraction(int(self.low[j])) * v for j, v in enumerate(exact)),
            Fraction(0),
        )
        total += self.size * pi0
        for t in seated:
            w = int(weights[t])
            excess = w - sum((exact[j] for j in self.members[t]), Fraction(0)) - pi0
            if excess > 0:
                total += int(self.multiplicity[t]) * excess
        return total

    def weight_bound(self, weights: np.ndarray, seated: Sequence[int] | None = None) -> int | None:
        """A proven upper bound on every selection's total ``weights`` (one int per class; classes not ``seated``,
        default none, are in no selection): the floor of ``bound`` at the duals of ``max_{x in Q} weights·x``, or
        None when HiGHS fails."""
        seated = list(range(self.n)) if seated is None else list(seated)
        q = len(self.low)
        top = max(1, int(np.abs(weights).max()))
        upper = np.zeros(self.n)
        upper[seated] = self.multiplicity[seated]
        result = linprog(
            -np.asarray(weights, dtype=float) / top,
            A_ub=sparse.vstack([self.holds, -self.holds]).tocsr(),
            b_ub=np.concatenate([self.high, -self.low]).astype(float),
            A_eq=sparse.csr_matrix(np.ones((1, self.n))),
            b_eq=[float(self.size)],
            bounds=np.column_stack([np.zeros(self.n), upper]),
            method="highs-ds",
            options={"primal_feasibility_tolerance": SOLVE_TOL, "dual_feasibility_tolerance": SOLVE_TOL},
        )
        if result.status != 0:
            return None
        marginals = -np.asarray(result.ineqlin.marginals, dtype=float) * top
        pi = marginals[:q] - marginals[q:]
        return int(self.bound(weights, pi, Fraction(float(-result.eqlin.marginals[0])) * top, seated).__floor__())

    def targets(self, free: Sequence[int], fixed: Mapping[int, float]) -> np.ndarray | None:
        """Every class's chance in the leximin over ``Q`` that keeps ``fixed`` (levels of LPs over ``Q``, each
        fixing the free classes of positive dual at its value; 0 for classes in neither set), or None when an LP
        fails. Where ``Q`` is tight at every level these are the leximin chances themselves: targets for the
        panels sought before a level (``matching.lottery.engine._Engine.spread_level``). Computed once and reused
        while the fixed agents keep their targets."""
        cached = self.chances
        if cached is not None and all(abs(cached[a] - f) <= TARGET_TOL for a, f in fixed.items()):
            return cached
        chances = np.zeros(self.n)
        floors = dict(fixed)
        left = list(free)
        for a, f in fixed.items():
            chances[a] = f
        while left:
            solved = self.level(left, floors)
            if solved is None:
                return None
            value, duals, _, _ = solved
            top = float(duals[left].max())
            chosen = [a for a in left if duals[a] >= FACE_TOL * top] if top > 0 else list(left)
            for a in chosen:
                floors[a] = value
                chances[a] = value
            chosen_set = set(chosen)
            left = [a for a in left if a not in chosen_set]
        self.chances = chances
        return chances

    def level_proof(self, free: Sequence[int], fixed: Mapping[int, float]) -> tuple[np.ndarray, int] | None:
        """Integer weights ``w >= 0`` (one per class) from the level's LP over ``Q`` and a proven ``best >=
        max_P w(P)`` over all selections; None when the LP fails or weighs nobody free. The bound it gives the
        level is ``Q``'s level (up to the weights' rounding), which is the true one only when ``Q`` is tight there.
        ``best`` is the floor of ``level_bound``'s (a selection's weight is an integer), so it can be below ``Q``'s
        bound: equal to the heaviest selection's weight where ``Q`` is not tight."""
        proved = self.level_bound(free, fixed)
        if proved is None:
            return None
        weights, bound = proved
        return weights, int(bound.__floor__())

    def level_bound(self, free: Sequence[int], fixed: Mapping[int, float]) -> tuple[np.ndarray, Fraction] | None:
        """``level_proof``'s weights ``w`` and its exact bound on ``max_{x in Q} w·x`` before the floor (``Q``'s
        bound up to the rounding of the LP's multipliers and of the weights); None as ``level_proof``. Sets the
        level's face (``track``)."""
        if not free:
            return None
        solved = self.level(free, fixed)
        if solved is None:
            return None
        value, duals, pi, pi0 = solved
        self.track(fixed, value, duals, pi, pi0)
        top = float(duals.max())
        if top <= 0.0 or float(duals[list(free)].max()) <= 0.0:
            return None
        scale = snapped_scale(duals) or 2.0**PROOF_BITS / top
        weights = np.round(duals * scale).astype(np.int64)
        if int(weights[list(free)].sum()) <= 0:
            return None
        # The multipliers scaled alike: tight for the unrounded weights, off by the rounding only (``bound``'s
        # excess term absorbs it).
        return weights, self.bound(weights, pi * scale, Fraction(pi0) * Fraction(scale), [*free, *fixed])
