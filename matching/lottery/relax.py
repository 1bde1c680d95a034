"""Relaxing infeasible roster quotas: the smallest change, within ``min_flex``/``max_flex``, that makes a selection possible.

When no K of the nominees meet every quota of the features file, the Sortition Foundation's tool
proposes how to loosen the quotas, each no further than its flexible limits, and lets the user
decide. ``suggest_relaxation`` does the same, and ``describe_relaxation`` puts the answer in one
plain paragraph for the people who own the quotas.

The model: nominees with the same value in every feature are interchangeable for every quota, so
CP-SAT chooses how many of each such profile to select (an integer bounded by the profile's size),
not which nominees; with thousands of nominees and a handful of features that is a few hundred
variables. For each quota it chooses a new minimum in ``[min_flex, min]`` and a new maximum in
``[max, max_flex]``; a missing flex keeps that side fixed.

The objective weighs each seat of relaxation by the size of the limit it moves: moving a limit
``b`` by one seat costs ``COST_SCALE // (b + 1)``. One seat off a minimum of 12 women changes that
guarantee by about 8 %, while one seat off a minimum of 1 for a small region removes the region's
only guaranteed seat; an unweighted count treats them alike, so it would as readily strip a small
group of its whole guarantee as trim a large one. Weighing by relative change (the Sortition
Foundation also prefers loosening large quotas) keeps small groups' guarantees and exclusions
(a maximum of 0) for last. The ``+ 1`` keeps a maximum of 0 finite (raising it is the costliest
move: it lets in a group the file excluded). Among relaxations of equal cost, the one with the
fewest seats moved wins (a tie-break folded into the same objective).

A problem whose quotas can already be met gets an empty ``Relaxation`` (no changes, total 0), so
that ``None`` means only one thing: even the most flexible limits admit no selection.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
from ortools.sat.python import cp_model

from matching.core.config import limit_work
from matching.core.errors import InternalError

if TYPE_CHECKING:  # only annotations: matching.io.nominees calls this module when quota sums cannot add up
    from matching.io.nominees import ComposeProblem, Quota

COST_SCALE = 27720  # lcm(1..12): the weights of limits up to 11 are exact integers
SEED = 0
MAX_LISTED = 4  # limits named in the "cannot be met even with flex" hint


def seat_weight(bound: int) -> int:
    """The cost of moving a limit of ``bound`` by one seat (see the module docstring)."""
    return max(1, COST_SCALE // (bound + 1))


def relaxation_cost(quota: Quota, new_min: int, new_max: int) -> int:
    """Weighted cost of relaxing ``quota`` to ``new_min..new_max`` (the objective ``suggest_relaxation`` minimises)."""
    return seat_weight(quota.min) * max(0, quota.min - new_min) + seat_weight(quota.max) * max(0, new_max - quota.max)


def flex_floor(quota: Quota) -> int:
    """The lowest minimum the features file allows for ``quota``."""
    return quota.min if quota.min_flex is None else min(quota.min, quota.min_flex)


def flex_ceiling(quota: Quota) -> int:
    """The highest maximum the features file allows for ``quota``."""
    return quota.max if quota.max_flex is None else max(quota.max, quota.max_flex)


@dataclass(frozen=True)
class QuotaChange:
    """One quota whose limits move."""

    feature: str
    value: str
    old_min: int
    old_max: int
    new_min: int
    new_max: int

    @property
    def lowered(self) -> int:
        return self.old_min - self.new_min

    @property
    def raised(self) -> int:
        return self.new_max - self.old_max


@dataclass(frozen=True)
class Relaxation:
    """Changed quotas (in features-file order) that together make a selection possible.

    ``total`` is the seats moved (``min - new_min`` plus ``new_max - max`` over every quota);
    ``cost`` the weighted total that was minimised (``relaxation_cost``); ``optimal`` whether
    CP-SAT proved that no cheaper relaxation (and, at that cost, none with fewer seats) exists.
    No changes means the quotas can already be met.
    """

    changes: tuple[QuotaChange, ...]
    total: int
    cost: int
    optimal: bool

    @property
    def needed(self) -> bool:
        return bool(self.changes)

    def apply(self, problem: ComposeProblem) -> ComposeProblem:
        """``problem`` with the relaxed limits (flexible limits kept as they were)."""
        moved = {(c.feature, c.value): c for c in self.changes}
        quotas = []
        for q in problem.quotas:
            c = moved.get((q.feature, q.value))
            quotas.append(q if c is None else replace(q, min=c.new_min, max=c.new_max))
        return replace(problem, quotas=tuple(quotas))


@dataclass(frozen=True)
class Obstacle:
    """A limit that has to go past its most flexible value before any selection exists."""

    feature: str
    value: str
    side: str  # "minimum" | "maximum"
    flexible: int  # the most flexible value the features file allows
    needed: int  # the value the closest selection needs
    available: int  # nominees holding this value


@dataclass(frozen=True)
class _Slack:
    """How far one quota's minimum may go down and its maximum up: within its flex, and beyond it."""

    within_down: int
    within_up: int
    beyond_down: int = 0
    beyond_up: int = 0

    @property
    def seats(self) -> int:
        return self.within_down + self.within_up + self.beyond_down + self.beyond_up


@dataclass(frozen=True)
class _Vars:
    """The slack variables of every quota, in ``quotas`` order."""

    within_down: list[cp_model.IntVar]
    within_up: list[cp_model.IntVar]
    beyond_down: list[cp_model.IntVar]
    beyond_up: list[cp_model.IntVar]

    def seats(self) -> cp_model.LinearExpr:
        return cp_model.LinearExpr.sum([*self.within_down, *self.within_up, *self.beyond_down, *self.beyond_up])


@dataclass(frozen=True)
class _Solved:
    new_min: list[int]
    new_max: list[int]
    optimal: bool


def _profiles(problem: ComposeProblem) -> tuple[list[int], list[list[int]]]:
    """How many nominees share each distinct profile (values in every feature), and for each quota the
    profiles it counts."""
    quota_of = problem.quota_index(problem.profiles)
    members = [[int(p) for p in np.flatnonzero((quota_of == j).any(axis=1))] for j in range(len(problem.quotas))]
    return [len(c) for c in problem.profiles], members


def _weighted(
    problem: ComposeProblem, down: Sequence[cp_model.IntVar], up: Sequence[cp_model.IntVar]
) -> cp_model.LinearExpr:
    """Weighted seats of ``down`` (moving minimums) and ``up`` (moving maximums), both in ``quotas`` order."""
    weights = [seat_weight(q.min) for q in problem.quotas] + [seat_weight(q.max) for q in problem.quotas]
    return cp_model.LinearExpr.weighted_sum([*down, *up], weights)


def _solve(
    problem: ComposeProblem,
    slacks: Sequence[_Slack],
    cost: Callable[[_Vars], cp_model.LinearExpr],
    time_limit: float,
) -> _Solved | None:
    """K nominees (as counts per profile) and each quota's slack, minimising ``cost``, then the seats
    moved among the cheapest. None when no solution was found (proven or not)."""
    sizes, members = _profiles(problem)
    model = cp_model.CpModel()
    take = [model.new_int_var(0, min(n, problem.size), f"take{p}") for p, n in enumerate(sizes)]
    model.add(sum(take) == problem.size)
    v = _Vars(
        [model.new_int_var(0, s.within_down, f"wd{j}") for j, s in enumerate(slacks)],
        [model.new_int_var(0, s.within_up, f"wu{j}") for j, s in enumerate(slacks)],
        [model.new_int_var(0, s.beyond_down, f"bd{j}") for j, s in enumerate(slacks)],
        [model.new_int_var(0, s.beyond_up, f"bu{j}") for j, s in enumerate(slacks)],
    )
    for j, q in enumerate(problem.quotas):
        count = cp_model.LinearExpr.sum([take[p] for p in members[j]])
        model.add(count + v.within_down[j] + v.beyond_down[j] >= q.min)
        model.add(count - v.within_up[j] - v.beyond_up[j] <= q.max)
    # Lexicographic in one solve: the seats can never outweigh one unit of cost. Measured on pools of
    # 2,000 with 20 quotas, this is about twice as fast as two solves (cost, then seats at that cost).
    tie_break = sum(s.seats for s in slacks) + 1
    model.minimize(cost(v) * tie_break + v.seats())
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.num_workers = 1
    params.random_seed = SEED
    # Presolve costs more than it saves on this small model (measured: 2-4 times slower with it).
    params.cp_model_presolve = False
    limit_work(params, time_limit)
    status = solver.solve(model)
    if status == cp_model.MODEL_INVALID:
        raise InternalError(f"invalid relaxation model: {model.validate()}")
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    new_min = [
        q.min - solver.value(v.within_down[j]) - solver.value(v.beyond_down[j]) for j, q in enumerate(problem.quotas)
    ]
    new_max = [
        q.max + solver.value(v.within_up[j]) + solver.value(v.beyond_up[j]) for j, q in enumerate(problem.quotas)
    ]
    return _Solved(new_min, new_max, status == cp_model.OPTIMAL)


def _room_up(quota: Quota, ceiling: int, size: int) -> int:
    """Seats a maximum can usefully rise towards ``ceiling``: never past K, where it no longer binds."""
    return max(0, min(ceiling, size) - quota.max)


def suggest_relaxation(problem: ComposeProblem, *, time_limit: float = 10.0) -> Relaxation | None:
    """The cheapest relaxation of the quotas, each within its flexible limits, that admits a selection of K.

    An empty ``Relaxation`` when the quotas can already be met; None when even the most flexible
    limits admit no selection (or, with a tiny ``time_limit``, when none was found in time).
    ``time_limit`` is in deterministic seconds.
    """
    k = problem.size
    slacks = [_Slack(q.min - flex_floor(q), _room_up(q, flex_ceiling(q), k)) for q in problem.quotas]
    solved = _solve(problem, slacks, lambda v: _weighted(problem, v.within_down, v.within_up), time_limit)
    if solved is None:
        return None
    changes = tuple(
        QuotaChange(q.feature, q.value, q.min, q.max, lo, hi)
        for q, lo, hi in zip(problem.quotas, solved.new_min, solved.new_max, strict=True)
        if (lo, hi) != (q.min, q.max)
    )
    total = sum(c.lowered + c.raised for c in changes)
    cost = sum(
        relaxation_cost(q, lo, hi) for q, lo, hi in zip(problem.quotas, solved.new_min, solved.new_max, strict=True)
    )
    return Relaxation(changes, total, cost, solved.optimal)


def obstacles(problem: ComposeProblem, *, time_limit: float = 10.0) -> list[Obstacle]:
    """The limits that stand in the way when even the flexible quotas admit no selection.

    The relaxation model again, with every limit free to move past its flex (minimums down to 0,
    maximums up to K), minimising the weighted seats beyond the flex: the limits that still have
    to go beyond are the tightest. Empty when the flexible quotas admit a selection (or nothing was
    found in time).
    """
    k = problem.size
    slacks = [
        _Slack(
            q.min - flex_floor(q),
            _room_up(q, flex_ceiling(q), k),
            flex_floor(q),
            max(0, k - flex_ceiling(q)),
        )
        for q in problem.quotas
    ]
    solved = _solve(problem, slacks, lambda v: _weighted(problem, v.beyond_down, v.beyond_up), time_limit)
    if solved is None:
        return []
    found = []
    for j, q in enumerate(problem.quotas):
        available = len(problem.members_of(q))
        if solved.new_min[j] < flex_floor(q):
            found.append(Obstacle(q.feature, q.value, "minimum", flex_floor(q), solved.new_min[j], available))
        if solved.new_max[j] > flex_ceiling(q):
            found.append(Obstacle(q.feature, q.value, "maximum", flex_ceiling(q), solved.new_max[j], available))
    return found


def _join(parts: Sequence[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _change_phrases(change: QuotaChange) -> list[str]:
    name = f"{change.feature} = {change.value}"
    phrases = []
    if change.new_min < change.old_min:
        phrases.append(f"lowering the minimum for {name} from {change.old_min} to {change.new_min}")
    if change.new_max > change.old_max:
        phrases.append(f"raising the maximum for {name} from {change.old_max} to {change.new_max}")
    return phrases


def _obstacle_phrase(obstacle: Obstacle) -> str:
    name = f"{obstacle.feature} = {obstacle.value}"
    if obstacle.side == "maximum":
        return f"the maximum for {name} raised from {obstacle.flexible} to {obstacle.needed}"
    text = f"the minimum for {name} lowered from {obstacle.flexible} to {obstacle.needed}"
    if obstacle.available < obstacle.flexible:
        have = "nominee has" if obstacle.available == 1 else "nominees have"
        text += f" (only {obstacle.available} {have} that value)"
    return text


def describe_relaxation(relaxation: Relaxation | None, problem: ComposeProblem | None = None) -> str:
    """One plain paragraph on ``relaxation``, for the people who set the quotas.

    For None, pass ``problem`` to name the tightest limits (``obstacles``); without it the
    paragraph only says that even the flexible limits cannot be met.
    """
    if relaxation is not None and not relaxation.changes:
        return "Every quota can already be met; no relaxation is needed."
    if relaxation is None:
        text = (
            "The quotas cannot all be met, not even after relaxing every quota as far as the flexible limits "
            "(min_flex and max_flex) in the features file allow."
        )
        found = obstacles(problem) if problem is not None else []
        if found:
            shown = found if len(found) <= MAX_LISTED + 1 else found[:MAX_LISTED]
            listed = [_obstacle_phrase(o) for o in shown]
            if len(shown) < len(found):
                listed.append(f"{len(found) - len(shown)} more limits moved past their flexible values")
            text += (
                " The tightest limits: starting from the most flexible values, a selection would only become "
                f"possible with {_join(listed)}."
            )
        return text + " The features file or the list of nominees has to change before a selection can be made."
    phrases = [p for c in relaxation.changes for p in _change_phrases(c)]
    within = {1: "within", 2: "both within"}.get(len(phrases), "all within")
    sentence = _join(phrases)
    text = (
        f"The quotas cannot all be met. {sentence[0].upper()}{sentence[1:]} ({within} the flexibility in the "
        "features file) would make a selection possible."
    )
    if not relaxation.optimal:
        text += " This is the smallest such change found within the time limit; a smaller one may exist."
    return text
