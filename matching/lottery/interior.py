"""An interior-point method on the normal equations for the master LP of a leximin level with few agents free.

The level LP (``matching.lottery.engine._Master``) has a row per agent (1,325 on the assembly-shaped pool) and thousands
of panel columns of about 100 nonzeros. Once nearly every agent is fixed, PDLP no longer converges at the model's
tolerances and takes 60 to 130 s of CPU at ``PDLP_TOL``; HiGHS's own interior point (IPX) 60 to 70 s, at 2.2 s an
iteration. Here each iteration forms ``A D Aᵀ`` (a dense matrix with a row per agent, 98 % of it nonzero, from the
sparse panels: 0.1 s) and factors it by a dense Cholesky (0.05 s): about 0.2 s an iteration on that pool, 20 to 26
iterations (Mehrotra's predictor-corrector) to a relative accuracy of 3e-10 to 7e-9. Crossover (HiGHS) then turned the
point into an optimal vertex in 1.5 to 2 s (offline on the eighth and ninth levels' LPs, 2026-12-07: 5.5 + 1.6 s and
3.8 + 1.7 s of CPU), but it takes longer from a point on a large optimal face and may fail (the engine falls back):
1,386 iterations and 32 s where the point's support held 2,817 panels on 1,325 rows. Where a later level's solve may
end at a point (``_Master.points``), ``purify`` makes the point exact instead, with no vertex: it projects the point
onto the optimal face it names, in 0.8 to 2 s of CPU on those LPs (five of six ended optimal to 1e-13, 2026-12-07).

Numbers: each solve of the normal equations is refined by a few steps of conjugate gradients preconditioned by the
factor (they grow ill-conditioned as the point nears the optimal face); the iterate with the least of the largest
relative gap and infeasibilities is kept, and the method stops when that reaches the tolerance, after
``STALL_ITERATIONS`` iterations in a row without a better one, or at its iteration limit. Deterministic: the same
LP gives the same iterates. Dense linear algebra runs on one BLAS thread: with two threads on a loaded machine the
same solve took nine times the CPU (36 s against 4 s), and the last bits of the point depended on the thread count.
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np
import scipy.linalg as sl
from scipy import sparse
from threadpoolctl import threadpool_limits

TOLERANCE = 1e-9  # relative duality gap and infeasibilities at which the method stops
ACCEPTED = 1e-6  # ... and the most its best point may have when it stops otherwise (crossover's start)
ITERATIONS = 80  # the method stops here (the assembly-shaped pool's levels took 19 to 26)
STALL_ITERATIONS = 3  # ... or after this many iterations in a row with no better point, once one is ACCEPTED
REFINE_STEPS = 3  # conjugate-gradient steps refining each solve of the normal equations
REGULARISATION = 1e-14  # added to the diagonal of A D Aᵀ, relative to its largest entry (more if Cholesky fails)
STEP_SHARE = 0.995  # how far towards the boundary a step goes
EXACT = 1e-12  # purify: the largest relative infeasibility and gap its point may keep
RANK_SHARE = 1e-9  # purify: singular values below this share of the largest count as zero
PURIFY_PASSES = 2  # purify: projections tried (a second from the first's point, with the rows it left short)


@dataclass
class Point:
    """An approximately optimal primal-dual point: column values, row duals (HiGHS's signs, minimising) and the
    largest of its relative duality gap and infeasibilities."""

    col_value: np.ndarray
    row_dual: np.ndarray
    accuracy: float


def solve(
    a: sparse.csc_matrix,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
    cost: np.ndarray,
    col_lower: np.ndarray,
    col_upper: np.ndarray,
    floor: float,
    tolerance: float = TOLERANCE,
    accepted: float = ACCEPTED,
) -> Point | None:
    """Minimise ``cost·x`` over ``row_lower <= a x <= row_upper`` and the column bounds, by Mehrotra's
    predictor-corrector method on the normal equations. Each row must be an equation or have no upper bound; each
    column a finite lower bound (a column with none gets ``floor``, which the caller knows no optimum goes below) and
    no upper one. The method stops at ``tolerance`` (or when it no longer gains, at its iteration limit); None when the
    LP is not of that form or its best point is further than ``accepted`` from optimal."""
    columns = a.shape[1]
    equation = row_lower == row_upper
    if np.any(~equation & np.isfinite(row_upper)) or np.any(np.isfinite(col_upper)) or np.any(np.isinf(row_lower)):
        return None
    shift = np.where(np.isfinite(col_lower), col_lower, floor)
    b = row_lower - a @ shift
    with threadpool_limits(limits=1):
        found = _mehrotra(a.tocsr(), b, cost.astype(float), np.flatnonzero(~equation), tolerance, accepted)
    if found is None:
        return None
    x, y, accuracy = found
    return Point(x[:columns] + shift, y, accuracy)


class _System:
    """``A_full = [A, -E]`` (``E`` the unit columns of the surplus rows) and its normal equations."""

    def __init__(self, a: sparse.csr_matrix, surplus_rows: np.ndarray) -> None:
        self.a = a
        self.at = a.T.tocsr()
        self.surplus_rows = surplus_rows
        self.columns = a.shape[1]

    def times(self, v: np.ndarray) -> np.ndarray:
        """``A_full v``."""
        out = np.asarray(self.a @ v[: self.columns])
        out[self.surplus_rows] -= v[self.columns :]
        return out

    def transposed(self, w: np.ndarray) -> np.ndarray:
        """``A_fullᵀ w``."""
        return np.concatenate([self.at @ w, -w[self.surplus_rows]])

    def factor(self, d: np.ndarray) -> tuple[np.ndarray, bool] | None:
        """The Cholesky factor of ``A_full diag(d) A_fullᵀ`` (regularised more when it fails), or None."""
        m = (self.a @ sparse.diags(d[: self.columns]) @ self.at).toarray()
        m[self.surplus_rows, self.surplus_rows] += d[self.columns :]
        diagonal = np.diag_indices_from(m)
        scale = 1.0 + float(np.abs(m[diagonal]).max())
        for power in range(6):
            regularised = m.copy()
            regularised[diagonal] += REGULARISATION * 100.0**power * scale
            try:
                return sl.cho_factor(regularised, lower=True, check_finite=False)  # type: ignore[no-any-return]
            except np.linalg.LinAlgError:
                continue
        return None

    def solve(self, f: tuple[np.ndarray, bool], d: np.ndarray, rhs: np.ndarray) -> np.ndarray:
        """``(A_full diag(d) A_fullᵀ)⁻¹ rhs``: by the factor, then conjugate gradients preconditioned by it."""
        dy = sl.cho_solve(f, rhs, check_finite=False)
        r = rhs - self.times(d * self.transposed(dy))
        z = sl.cho_solve(f, r, check_finite=False)
        p = z.copy()
        rz = float(r @ z)
        limit = 1e-15 * (1.0 + float(np.abs(rhs).max()))
        for _ in range(REFINE_STEPS):
            if float(np.abs(r).max()) <= limit or rz <= 0.0:
                break
            q = self.times(d * self.transposed(p))
            alpha = rz / float(p @ q)
            dy = dy + alpha * p
            r = r - alpha * q
            z = sl.cho_solve(f, r, check_finite=False)
            following = float(r @ z)
            p = z + (following / rz) * p
            rz = following
        return np.asarray(dy)

    def start(self, b: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """Mehrotra's starting point: least-norm x and y, shifted into the positive orthant; (x, y, s) or None."""
        f = self.factor(np.ones(len(c)))
        if f is None:
            return None
        x = self.transposed(sl.cho_solve(f, b, check_finite=False))
        y = sl.cho_solve(f, self.times(c), check_finite=False)
        s = c - self.transposed(y)
        x += max(-1.5 * float(x.min()), 0.0)
        s += max(-1.5 * float(s.min()), 0.0)
        if float(x @ s) <= 0.0:
            x += 1.0
            s += 1.0
        xs = float(x @ s)
        return x + 0.5 * xs / float(s.sum()), y, s + 0.5 * xs / float(x.sum())


def _mehrotra(
    a: sparse.csr_matrix,
    b: np.ndarray,
    cost: np.ndarray,
    surplus_rows: np.ndarray,
    tolerance: float,
    accepted: float,
) -> tuple[np.ndarray, np.ndarray, float] | None:
    """The method on ``min c·x, A x - E s = b, x, s >= 0`` (x and the surplus s together as one vector, also called
    x here; the dual slacks are s); (x, y, accuracy) or None."""
    system = _System(a, surplus_rows)
    c = np.concatenate([cost, np.zeros(len(surplus_rows))])
    n = len(c)
    begun = system.start(b, c)
    if begun is None:
        return None
    x, y, s = begun
    b_norm = 1.0 + float(np.abs(b).max())
    c_norm = 1.0 + float(np.abs(c).max())
    best: tuple[float, np.ndarray, np.ndarray] = (np.inf, x, y)
    stalled = 0
    for _ in range(ITERATIONS):
        rp = b - system.times(x)
        rd = c - system.transposed(y) - s
        primal, dual = float(c @ x), float(b @ y)
        accuracy = max(
            abs(primal - dual) / (1.0 + abs(primal)), float(np.abs(rp).max()) / b_norm, float(np.abs(rd).max()) / c_norm
        )
        if accuracy < best[0]:
            best, stalled = (accuracy, x.copy(), y.copy()), 0
        else:
            stalled += 1
        if accuracy <= tolerance or (stalled >= STALL_ITERATIONS and best[0] <= accepted):
            break
        d = x / s
        f = system.factor(d)
        if f is None:
            break
        mu = float(x @ s) / n

        def direction(
            rc: np.ndarray,
            f: tuple[np.ndarray, bool],
            d: np.ndarray,
            rp: np.ndarray,
            rd: np.ndarray,
            x: np.ndarray,
            s: np.ndarray,
        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            # The Newton step with complementarity right-hand side rc: (dx, dy, ds).
            dy = system.solve(f, d, rp - system.times((rc - x * rd) / s))
            ds = rd - system.transposed(dy)
            return (rc - x * ds) / s, dy, ds

        dx_a, _, ds_a = direction(-x * s, f, d, rp, rd, x, s)
        affine = float((x + _step(x, dx_a, 1.0) * dx_a) @ (s + _step(s, ds_a, 1.0) * ds_a)) / n
        sigma = (affine / mu) ** 3
        dx, dy, ds = direction(-x * s - dx_a * ds_a + sigma * mu, f, d, rp, rd, x, s)
        step_p, step_d = _step(x, dx, STEP_SHARE), _step(s, ds, STEP_SHARE)
        x = x + step_p * dx
        y = y + step_d * dy
        s = s + step_d * ds
    accuracy, x, y = best
    if accuracy > accepted:
        return None
    return x, y, accuracy


def purify(
    a: sparse.csc_matrix,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
    cost: np.ndarray,
    col_lower: np.ndarray,
    point: Point,
) -> Point | None:
    """An optimal primal-dual pair (to ``EXACT``) from the method's point, without simplex steps: the point names the
    columns positive in the optimal face (``x_j`` above its dual slack) and the rows tight in it (their dual above
    their surplus); the pair is then the projection of the point onto those equations (least-norm corrections by the
    singular value decomposition of the face's matrix: tight rows by positive columns, dense). Where those rows are
    dependent (on the assembly-shaped pool, 1 to 8 of about 1,290: classes always seated together, fixed at values
    that agree only to 1e-10) the equations are inconsistent at that scale, and the duals along the dependence are
    chosen by a small LP (one variable per dependence: the best dual objective keeping the duals and reduced costs
    >= 0); its own duals are the slack that the rows it leaves at zero dual get and the columns that join the face.
    That LP's objective is the rows' disagreement (about 1e-9) and it runs at HiGHS's default tolerances; with the
    objective scaled to 1 it ended unbounded (the face's equations have no exact solution) and no LP of those below
    gave a pair, so it only steers the choice: the pair counts only when the check at the end finds it optimal to
    ``EXACT`` (200 of 200 random level LPs did).
    Each column must have a finite lower bound or none, each row no upper bound or be an equation (as ``solve``).
    None when the result is not optimal to ``EXACT`` (a wrongly named face): the caller goes on by crossover. On the
    eighth and ninth levels' LPs of that pool: 1.2 to 2.8 s of CPU, where crossover took 1.6 to 32 s."""
    equation = row_lower == row_upper
    free = ~np.isfinite(col_lower)
    lower = np.where(free, 0.0, col_lower)
    x, y = point.col_value.astype(float), point.row_dual.astype(float)
    b_norm = 1.0 + float(np.abs(row_lower[np.isfinite(row_lower)]).max(initial=0.0))
    c_norm = 1.0 + float(np.abs(cost).max(initial=0.0))
    with threadpool_limits(limits=1):
        for _ in range(PURIFY_PASSES):
            found = _project(a, row_lower, cost, lower, free, equation, x, y)
            if found is None:
                return None
            x, y = found
            activity = a @ x - row_lower
            slack = cost - a.T @ y
            accuracy = max(
                float(np.abs(activity[equation]).max(initial=0.0)) / b_norm,
                float(np.clip(-activity[~equation], 0.0, None).max(initial=0.0)) / b_norm,
                float(np.clip(lower[~free] - x[~free], 0.0, None).max(initial=0.0)) / b_norm,
                float(np.clip(-y[~equation], 0.0, None).max(initial=0.0)) / c_norm,
                float(np.clip(-slack[~free], 0.0, None).max(initial=0.0)) / c_norm,
                float(np.abs(slack[free]).max(initial=0.0)) / c_norm,
                abs(float(cost @ x) - float(row_lower @ y) - float(lower @ slack)) / (1.0 + abs(float(cost @ x))),
            )
            if accuracy <= EXACT:
                return Point(x, y, accuracy)
    return None


def _project(
    a: sparse.csc_matrix,
    row_lower: np.ndarray,
    cost: np.ndarray,
    lower: np.ndarray,
    free: np.ndarray,
    equation: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
) -> tuple[np.ndarray, np.ndarray] | None:
    """One projection of ``purify``: (x, y) on the face the point names, or None."""
    slack = cost - a.T @ y
    surplus = a @ x - row_lower
    positive = np.flatnonzero(free | (x - lower > slack))
    tight = np.flatnonzero(equation | (y > surplus))
    if len(positive) == 0 or len(tight) == 0:
        return None
    rows = a[tight]
    face = rows[:, positive].toarray()
    try:
        u, sigma, vt = np.linalg.svd(face, full_matrices=len(tight) > len(positive))
    except np.linalg.LinAlgError:
        return None
    rank = int((sigma > RANK_SHARE * sigma[0]).sum()) if len(sigma) else 0
    if rank == 0:
        return None
    ur, vr, sr = u[:, :rank], vt[:rank].T, sigma[:rank]
    duals = y[tight] + ur @ ((vr.T @ (cost[positive] - face.T @ y[tight])) / sr)
    target = row_lower[tight].copy()
    x_new = lower.copy()
    null = u[:, rank:]
    if null.shape[1]:
        # The duals along the dependence: maximise row_lower·y keeping y >= 0 (inequality rows) and the other columns'
        # reduced costs >= 0; the LP's own duals say which rows keep slack and which columns join, and how much.
        others = np.flatnonzero(~free)
        others = np.setdiff1d(others, positive)
        inequality = np.flatnonzero(~equation[tight])
        across = rows[:, others].toarray()
        h = new_highs()
        h.setOptionValue("random_seed", 0)
        k = null.shape[1]
        inf = highspy.kHighsInf
        h.addVars(k, np.full(k, -inf), np.full(k, inf))
        h.changeColsCost(k, np.arange(k, dtype=np.int32), -(null.T @ row_lower[tight]))
        for block, low in (
            (null[inequality], -duals[inequality]),
            (-(across.T @ null), -(cost[others] - across.T @ duals)),
        ):
            m = sparse.csr_matrix(block)
            h.addRows(len(low), low, np.full(len(low), inf), m.nnz, m.indptr[:-1], m.indices, m.data)
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        solution = h.getSolution()
        duals = duals + null @ np.asarray(solution.col_value, dtype=float)
        share = np.clip(np.asarray(solution.row_dual, dtype=float), 0.0, None)
        target[inequality] += share[: len(inequality)]
        x_new[others] += share[len(inequality) :]
        target -= across @ share[len(inequality) :]
    values = x[positive].copy()
    for _ in range(3):
        values += vr @ ((ur.T @ (target - face @ values)) / sr)
    x_new[positive] = values
    y_new = np.zeros_like(y)
    y_new[tight] = duals
    return x_new, y_new


def new_highs() -> highspy.Highs:
    """A silent HiGHS instance. The raw binding is used where it exists: the wrapper class prints a banner on stdout
    when first created, before any option can silence it."""
    factory = getattr(highspy, "_Highs", highspy.Highs)
    h = factory()
    h.setOptionValue("output_flag", False)
    return h


def _step(v: np.ndarray, dv: np.ndarray, share: float) -> float:
    """The longest step in [0, 1] along ``dv`` keeping ``v`` positive, times ``share``."""
    falling = dv < 0
    if not falling.any():
        return 1.0
    return min(1.0, share * float((-v[falling] / dv[falling]).min()))
