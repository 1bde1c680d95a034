"""Min-cost flow for batches with only capacity and eligibility: an exact transportation solver.

Disputes need ``demand[d]`` distinct mediators each, mediator ``i`` takes at most ``capacity[i]``
seats, and a seat of mediator ``i`` on dispute ``d`` is worth ``score[d, i]`` (an integer). The
best assignment is a min-cost flow: dispute nodes supply their demand, each eligible pair is an
arc of capacity 1 and cost ``-score``, and every mediator has an arc to a sink of capacity
``capacity[i]``. OR-Tools' ``SimpleMinCostFlow`` solves it exactly, built from numpy arrays.

Everything here works on arrays of numbers only, so the functions also serve as a test oracle:

* ``solve_arcs``: the flow on an explicit list of arcs (pairs and scores).
* ``solve_transport``: a dense ``disputes x mediators`` score matrix and eligibility mask. Large
  instances keep only each dispute's best ``keep`` arcs, solve, and then *certify* the result:
  node potentials (shortest distances in the residual graph, by Bellman-Ford) give every pruned
  arc a reduced cost, and a pruned arc with a negative reduced cost could improve the flow, so it
  is added back and the flow solved again. The answer is returned only once no pruned arc could
  improve it, so it is the optimum of the whole matrix.
* ``max_min_threshold``: for disputes of demand 1, the largest score ``t`` such that every dispute
  can be staffed with seats worth at least ``t`` (the fairness mode's first stage).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from ortools.graph.python import min_cost_flow

from matching.core.errors import ArgumentError
from matching.core.status import Status

INFEASIBLE = Status.INFEASIBLE
OPTIMAL = Status.OPTIMAL
MAX_POTENTIAL_PASSES = 100_000


@dataclass(frozen=True)
class FlowSolution:
    """An assignment of seats: parallel arrays ``dispute``, ``mediator`` and ``score`` of the seats used.

    ``status`` is ``optimal`` (the best assignment, proven) or ``infeasible`` (the demand cannot
    all be met; with ``staff_all=False`` the seats then staff as many as possible, best first).
    ``staffed[d]`` says whether dispute ``d`` got its whole demand.
    """

    status: Status
    objective: int
    dispute: np.ndarray
    mediator: np.ndarray
    score: np.ndarray
    staffed: np.ndarray
    arcs: int = 0
    rounds: int = 1

    def load(self, n_mediators: int) -> np.ndarray:
        """Seats per mediator."""
        return np.bincount(self.mediator, minlength=n_mediators)


def _check(tails: np.ndarray, heads: np.ndarray, demand: np.ndarray, capacity: np.ndarray) -> None:
    if (demand < 0).any() or (capacity < 0).any():
        raise ArgumentError("demand and capacity must not be negative")
    if len(tails) and (tails.min() < 0 or tails.max() >= len(demand)):
        raise ArgumentError("an arc names a dispute out of range")
    if len(heads) and (heads.min() < 0 or heads.max() >= len(capacity)):
        raise ArgumentError("an arc names a mediator out of range")


@dataclass
class _Network:
    """The flow network of one solve and its optimal flow (kept for the potentials)."""

    n_disputes: int
    n_mediators: int
    tails: np.ndarray
    heads: np.ndarray
    scores: np.ndarray
    capacity: np.ndarray
    flow: np.ndarray  # on the pair arcs
    load: np.ndarray  # flow on each mediator's arc to the sink

    def potentials(self) -> np.ndarray | None:
        """Shortest distances in the residual graph from a virtual root (Bellman-Ford, vectorised).

        Disputes are nodes ``0..D-1``, mediators ``D..D+M-1`` and the sink ``D+M``. Any optimal
        flow has no negative cycle in its residual graph, so the passes end; ``None`` if they do not.
        """
        d, m = self.n_disputes, self.n_mediators
        sink = d + m
        used = self.flow > 0
        free = ~used  # pair arcs have capacity 1
        mediators = np.arange(d, d + m)
        tails = np.concatenate(
            [
                self.tails[free],
                self.heads[used] + d,
                mediators[self.load < self.capacity],
                np.full(int((self.load > 0).sum()), sink),
            ]
        )
        heads = np.concatenate(
            [
                self.heads[free] + d,
                self.tails[used],
                np.full(int((self.load < self.capacity).sum()), sink),
                mediators[self.load > 0],
            ]
        )
        costs = np.concatenate(
            [
                -self.scores[free],
                self.scores[used],
                np.zeros(int((self.load < self.capacity).sum()), dtype=np.int64),
                np.zeros(int((self.load > 0).sum()), dtype=np.int64),
            ]
        )
        dist = np.zeros(d + m + 1, dtype=np.int64)
        for _ in range(MAX_POTENTIAL_PASSES):
            new = dist.copy()
            np.minimum.at(new, heads, dist[tails] + costs)
            if np.array_equal(new, dist):
                return dist
            dist = new
        return None


def _solve_network(
    tails: np.ndarray,
    heads: np.ndarray,
    scores: np.ndarray,
    demand: np.ndarray,
    capacity: np.ndarray,
    staff_all: bool,
) -> tuple[Status, _Network]:
    n_d, n_m = len(demand), len(capacity)
    sink = n_d + n_m
    solver = min_cost_flow.SimpleMinCostFlow()
    if len(tails):
        solver.add_arcs_with_capacity_and_unit_cost(
            tails.astype(np.int32),
            (heads + n_d).astype(np.int32),
            np.ones(len(tails), dtype=np.int64),
            (-scores).astype(np.int64),
        )
    solver.add_arcs_with_capacity_and_unit_cost(
        np.arange(n_d, n_d + n_m, dtype=np.int32),
        np.full(n_m, sink, dtype=np.int32),
        capacity.astype(np.int64),
        np.zeros(n_m, dtype=np.int64),
    )
    supplies = np.zeros(n_d + n_m + 1, dtype=np.int64)
    supplies[:n_d] = demand
    supplies[sink] = -int(demand.sum())
    solver.set_nodes_supplies(np.arange(n_d + n_m + 1, dtype=np.int32), supplies)
    status = solver.solve() if staff_all else solver.solve_max_flow_with_min_cost()
    n_pairs = len(tails)
    if status != solver.OPTIMAL:
        if status in (solver.INFEASIBLE, solver.UNBALANCED):
            empty = np.zeros(n_pairs, dtype=np.int64)
            return INFEASIBLE, _Network(n_d, n_m, tails, heads, scores, capacity, empty, np.zeros(n_m, np.int64))
        raise RuntimeError(f"min-cost flow failed with status {status}")
    flows = solver.flows(np.arange(n_pairs + n_m))
    return OPTIMAL, _Network(
        n_d, n_m, tails, heads, scores, capacity, flows[:n_pairs].astype(np.int64), flows[n_pairs:].astype(np.int64)
    )


def _solution(status: Status, net: _Network, demand: np.ndarray, rounds: int) -> FlowSolution:
    used = net.flow > 0
    dispute, mediator, score = net.tails[used], net.heads[used], net.scores[used]
    got = np.bincount(dispute, minlength=len(demand))
    order = np.lexsort((mediator, dispute))
    return FlowSolution(
        status=status,
        objective=int(score.sum()),
        dispute=dispute[order],
        mediator=mediator[order],
        score=score[order],
        staffed=got >= demand,
        arcs=len(net.tails),
        rounds=rounds,
    )


def solve_arcs(
    tails: np.ndarray,
    heads: np.ndarray,
    scores: np.ndarray,
    demand: np.ndarray,
    capacity: np.ndarray,
    *,
    staff_all: bool = True,
    min_score: int | None = None,
) -> FlowSolution:
    """The best assignment over explicit arcs (dispute ``tails[a]``, mediator ``heads[a]``, ``scores[a]``).

    With ``staff_all`` (the default) every dispute must get its whole demand, or the status is
    ``infeasible`` and no seat is returned. With ``staff_all=False`` the flow is as large as
    possible and, among the largest, the best (for one-member panels: as many disputes staffed as
    possible, then the best total). ``min_score`` drops the arcs worth less.
    """
    tails = np.asarray(tails, dtype=np.int64)
    heads = np.asarray(heads, dtype=np.int64)
    scores = np.asarray(scores, dtype=np.int64)
    demand = np.asarray(demand, dtype=np.int64)
    capacity = np.asarray(capacity, dtype=np.int64)
    _check(tails, heads, demand, capacity)
    if min_score is not None:
        keep = scores >= min_score
        tails, heads, scores = tails[keep], heads[keep], scores[keep]
    status, net = _solve_network(tails, heads, scores, demand, capacity, staff_all)
    solution = _solution(status, net, demand, 1)
    if staff_all or solution.staffed.all():
        return solution
    return replace(solution, status=INFEASIBLE)


def _top_arcs(score: np.ndarray, eligible: np.ndarray, keep: int) -> np.ndarray:
    """Bool [D, M]: each dispute's ``keep`` best eligible arcs."""
    d, m = score.shape
    if keep >= m:
        return eligible.copy()
    masked = np.where(eligible, score, np.iinfo(np.int64).min)
    top = np.argpartition(-masked, keep - 1, axis=1)[:, :keep]
    chosen = np.zeros((d, m), dtype=bool)
    np.put_along_axis(chosen, top, True, axis=1)
    return np.asarray(chosen & eligible)


def solve_transport(
    score: np.ndarray,
    eligible: np.ndarray,
    demand: np.ndarray,
    capacity: np.ndarray,
    *,
    keep: int | None = 40,
    min_score: int | None = None,
) -> FlowSolution:
    """The best assignment of a dense ``[disputes, mediators]`` integer score matrix, proven optimal.

    ``keep`` (default 40) starts from each dispute's best ``keep`` eligible arcs and certifies the
    result against every pruned arc (see the module docstring); ``None`` uses every arc at once.
    The answer is the same either way. ``min_score`` makes arcs worth less ineligible.
    """
    score = np.asarray(score, dtype=np.int64)
    eligible = np.asarray(eligible, dtype=bool)
    demand = np.asarray(demand, dtype=np.int64)
    capacity = np.asarray(capacity, dtype=np.int64)
    if score.shape != eligible.shape or score.shape != (len(demand), len(capacity)):
        raise ArgumentError("score and eligible must be [disputes, mediators], matching demand and capacity")
    if min_score is not None:
        eligible = eligible & (score >= min_score)
    if keep is None or keep >= score.shape[1]:
        tails, heads = np.nonzero(eligible)
        return solve_arcs(tails, heads, score[tails, heads], demand, capacity)

    width = max(keep, int(demand.max(initial=0)) * 2)
    chosen = _top_arcs(score, eligible, width)
    rounds = 0
    while True:
        rounds += 1
        tails, heads = np.nonzero(chosen)
        status, net = _solve_network(tails, heads, score[tails, heads], demand, capacity, True)
        if status != OPTIMAL:
            if chosen.sum() == eligible.sum():
                return _solution(INFEASIBLE, net, demand, rounds)
            width *= 2  # too few arcs kept to staff everyone: keep more
            chosen = _top_arcs(score, eligible, width) | chosen
            continue
        dist = net.potentials()
        if dist is None:  # cannot certify: solve on every arc
            tails, heads = np.nonzero(eligible)
            return solve_arcs(tails, heads, score[tails, heads], demand, capacity)
        n_d = len(demand)
        reduced = -score + dist[:n_d, None] - dist[None, n_d : n_d + len(capacity)]
        improving = eligible & ~chosen & (reduced < 0)
        if not improving.any():
            return _solution(OPTIMAL, net, demand, rounds)
        chosen |= improving


def max_min_threshold(
    tails: np.ndarray,
    heads: np.ndarray,
    scores: np.ndarray,
    demand: np.ndarray,
    capacity: np.ndarray,
    *,
    staffed: int | None = None,
) -> int | None:
    """The largest ``t`` such that the arcs worth at least ``t`` still staff ``staffed`` disputes.

    For disputes of demand 1 (one seat each) ``t`` is the best possible worst seat. ``staffed``
    defaults to every dispute with a positive demand; ``None`` when that many cannot be staffed.
    """
    tails = np.asarray(tails, dtype=np.int64)
    heads = np.asarray(heads, dtype=np.int64)
    scores = np.asarray(scores, dtype=np.int64)
    demand = np.asarray(demand, dtype=np.int64)
    capacity = np.asarray(capacity, dtype=np.int64)
    target = int((demand > 0).sum()) if staffed is None else staffed

    def enough(t: int) -> bool:
        sol = solve_arcs(tails, heads, scores, demand, capacity, staff_all=False, min_score=t)
        return int(sol.staffed[demand > 0].sum()) >= target

    values = np.unique(scores)
    if len(values) == 0 or not enough(int(values[0])):
        return None
    lo, hi = 0, len(values) - 1  # enough(values[lo]) holds
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if enough(int(values[mid])):
            lo = mid
        else:
            hi = mid - 1
    return int(values[lo])
