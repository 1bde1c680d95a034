"""The batch's joint phase: min-cost flow for one-member panels, otherwise column generation (on the
disputes' pools, rebuilt at the prices when they stall) with exact pricing, both at prices ``SMOOTHING`` of the
way from the programme's towards those of the lowest Lagrangian bound so far, and the assignment
over the columns; with the proof (bound and its sources) and, when
the disputes cannot all be staffed together, which global constraints are in the way.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from matching.batch.disputes import (
    MIN_SOLVE_TIME,
    TIGHT_SHARE,
    Candidates,
    Priced,
    Repooled,
    Repriced,
    Runner,
    exact_chunk,
    member_price,
    repool_chunk,
    reprice_chunk,
    share_time,
)
from matching.batch.flow import FlowSolution, max_min_threshold, solve_arcs
from matching.batch.master import (
    LE,
    LP_WORK_PER_SECOND,
    MASTER_TOLERANCE,
    Column,
    ColumnLP,
    ColumnSet,
    GlobalRows,
    LPTimeout,
    MasterResult,
    RowKey,
    greedy_result,
    integer_duals,
    keeps_upper_limits,
    lp_dive,
    price_pools,
    repair_hint,
    solve_master,
    staffed_count,
    starting_assignment,
)
from matching.batch.quotas import GLOBAL_CONSTRAINTS, Quotas, describe, suggestion
from matching.batch.settings import (
    COLUMNS_PER_ROUND,
    DIVE_SHARE,
    DROP_AT,
    EXACT_SHARE,
    FINAL_LP_SHARE,
    LP_SHARE,
    MASTER_SHARE,
    MAX_CG_ROUNDS,
    MAX_EXACT_ROUNDS,
    MAX_REPRICE_ROUNDS,
    METHOD_COLUMNS,
    METHOD_COMPLETE,
    METHOD_FLOW,
    REPRICE_LP_SHARE,
    SLACK_POWER,
    SMOOTHING,
    SOLVE_PASSES,
    BatchConfig,
)
from matching.core.config import SolveConfig
from matching.core.progress import ProgressFactory
from matching.core.status import Status
from matching.rules.kernel import members_total
from matching.rules.scoring import OBJECTIVE_SCALE

# --- the joint phase ----------------------------------------------------------------------------

MASTER_ALL_LIMIT = 60_000  # below this many panels in all, every panel goes into the assignment model
# The assignment model runs only when it could close at least this share of the gap asked for (``--gap``):
# it cannot do better than the linear programme over the same panels.
MODEL_GAIN_SHARE = 0.1
LAGRANGIAN = "Lagrangian (exact pricing)"
LAGRANGIAN_LEFT_OUT = "Lagrangian (exact pricing, disputes left out count zero)"
LAGRANGIAN_BOUNDS = "Lagrangian (mediators' upper bounds at the prices)"
LAGRANGIAN_BOUNDS_LEFT_OUT = "Lagrangian (mediators' upper bounds at the prices, disputes left out count zero)"
LEFT_OUT_SOURCES = (LAGRANGIAN_LEFT_OUT, LAGRANGIAN_BOUNDS_LEFT_OUT)  # the bounds that hold with disputes left out
STALL = 1e-6  # a rise of the programme's value (points) below this: the new panels did not move it


@dataclass
class JointPlan:
    """The joint phase's answer: a panel (roster indices) per dispute of the joint model, and its proof."""

    method: str
    chosen: list[tuple[int, ...] | None]
    objective: int
    bound: float
    bound_sources: dict[str, float]
    proven: bool
    status: Status  # optimal | feasible | timeout (of the assignment)
    diagnosis: dict[str, Any] | None = None
    columns: int = 0
    rounds: int = 0
    exact_rounds: int = 0
    lp_value: float | None = None
    worst: int | None = None
    seconds: dict[str, float] = field(default_factory=dict)


def flow_plan(joint: Sequence[Candidates], rows: GlobalRows, config: BatchConfig) -> JointPlan:
    """One-member panels with capacity and eligibility only: min-cost flow, exact."""
    tails = np.concatenate([np.full(len(c.panels), j, dtype=np.int64) for j, c in enumerate(joint)])
    heads = np.concatenate([c.pool[c.panels.members[:, 0]] for c in joint])
    scores = np.concatenate([c.panels.value for c in joint])
    demand = np.ones(len(joint), dtype=np.int64)

    def run(cap: np.ndarray, min_score: int | None = None) -> FlowSolution:
        return solve_arcs(tails, heads, scores, demand, cap, staff_all=False, min_score=min_score)

    plain = run(rows.cap)
    staffed = int(plain.staffed.sum())
    solution = plain
    if config.fair and staffed:
        t = max_min_threshold(tails, heads, scores, demand, rows.cap, staffed=staffed)
        if t is not None:
            solution = run(rows.cap, t)
    chosen: list[tuple[int, ...] | None] = [None] * len(joint)
    for d, i in zip(solution.dispute.tolist(), solution.mediator.tolist(), strict=True):
        chosen[d] = (i,)
    diagnosis = None
    if staffed < len(joint):
        names = [n for n in ("capacity", "max_per_mediator") if n == "capacity" or n in rows.quotas.active()]
        in_way = []
        for name in names:
            relaxed = GlobalRows(rows.arrays, rows.parties, rows.quotas, len(joint), frozenset({name}))
            if int(run(relaxed.cap).staffed.sum()) == len(joint):
                in_way.append(name)
        diagnosis = _joint_diagnosis(in_way or names, rows.quotas, len(joint) - staffed, proven=True)
    return JointPlan(
        method=METHOD_FLOW,
        chosen=chosen,
        objective=solution.objective,
        bound=float(plain.objective),
        bound_sources={"min-cost flow": float(plain.objective)},
        proven=True,
        status=Status.OPTIMAL,
        diagnosis=diagnosis,
        columns=len(tails),
        worst=int(solution.score.min()) if len(solution.score) else None,
    )


def _joint_diagnosis(names: Sequence[str], quotas: Quotas, unstaffed: int, proven: bool) -> dict[str, Any]:
    ids = ["H3" if n == "capacity" else n for n in names]
    where = "" if proven else " among the candidate panels considered"
    lines = [
        f"The batch cannot staff every dispute together{where}: {unstaffed} dispute(s) left without a panel. "
        + ("Relaxing any one of these would make room: " if len(names) > 1 else "In the way: ")
        + "; ".join(describe(n, quotas) for n in names)
        + "."
    ]
    lines += [suggestion(n, quotas) for n in names]
    return {"conflicting_rules": ids, "suggestions": lines, "proven": proven}


@dataclass
class _Generation:
    """What column generation leaves: the programme's value and solution (the assignment's hint),
    the rounds of each kind and the deterministic seconds spent; nothing when it was not run."""

    lp_value: float | None = None
    weights: np.ndarray | None = None
    rounds: int = 0
    exact_rounds: int = 0
    used: float = 0.0  # per process, for the work spread over processes


def _pool_column(j: int, cand: Candidates, r: int) -> Column:
    """Panel ``r`` of dispute ``j``'s pool as a column (roster indices)."""
    return Column(j, tuple(sorted(int(cand.pool[i]) for i in cand.panels.members[r])), int(cand.panels.value[r]))


def _first_columns(joint: Sequence[Candidates]) -> ColumnSet:
    """The columns to start from: each dispute's best panel and its pool's three best panels."""
    columns = ColumnSet(len(joint))
    for j, c in enumerate(joint):
        if c.best_members and c.best is not None:
            columns.add(Column(j, c.best_members, c.best))
        for r in np.argsort(-c.panels.value, kind="stable")[:3]:
            columns.add(_pool_column(j, c, int(r)))
    return columns


def _add_every_panel(joint: Sequence[Candidates], columns: ColumnSet) -> None:
    """Every panel of every pool as a column (the batch is small enough to assign over them all)."""
    for j, c in enumerate(joint):
        for r in range(len(c.panels)):
            columns.add(_pool_column(j, c, r))


def _starting_hint(
    columns: ColumnSet,
    rows: GlobalRows,
    joint: list[Candidates],
    weights: np.ndarray | None,
    runner: Runner,
    limit: int,
    bar: ProgressFactory,
    partial: list[int | None] | None = None,
) -> list[int | None]:
    """The assignment's starting point: the greedy assignment (or ``partial``, an assignment with
    disputes left out), with the disputes it leaves out staffed where possible (also from fresh pools
    without the mediators whose seats are gone)."""

    def repool(left: list[int], full: np.ndarray) -> list[Repooled]:
        with bar(len(left), "Joint model: fresh pools for the disputes left out") as advance:
            items = [(j, joint[j].dispute_id) for j in left]
            return runner.map(repool_chunk, items, (limit, full), advance)

    def repair(hint: list[int | None]) -> list[int | None]:
        return hint if all(c is not None for c in hint) else repair_hint(columns, rows, joint, hint, repool)

    if partial is not None:
        return repair(partial)
    return starting_assignment(columns, rows, len(joint), weights, repair)


def _lp_work(share: float, budget: float) -> float:
    """The programme's work units for ``share`` of the budget (deterministic seconds), never less than a
    minimal solve's."""
    return max(MIN_SOLVE_TIME, share * budget) * LP_WORK_PER_SECOND


def _dive(
    lp: ColumnLP,
    columns: ColumnSet,
    rows: GlobalRows,
    joint: list[Candidates],
    runner: Runner,
    limit: int,
    bar: ProgressFactory,
    budget: float,
) -> list[int | None]:
    """The dive from the linear programme (``lp_dive``, its solves with ``DIVE_SHARE`` of the budget),
    with the disputes it leaves out placed by the repair (the programme is changed: panels fixed)."""
    lp.work_budget = lp.work_used + _lp_work(DIVE_SHARE, budget)
    return _starting_hint(columns, rows, joint, None, runner, limit, bar, lp_dive(lp))


def _better_start(columns: ColumnSet, rows: GlobalRows, dive: list[int | None], hint: list[int | None]) -> bool:
    """Whether the dive's assignment is the better start: it keeps every row, and staffs more disputes than
    the greedy ``hint`` or as many for more worth (or ``hint`` misses a lower limit)."""
    if greedy_result(columns, rows, dive) is None or not keeps_upper_limits(columns, rows, dive):
        return False

    def rank(chosen: list[int | None]) -> tuple[int, int]:
        return sum(c is not None for c in chosen), sum(columns.columns[c].value for c in chosen if c is not None)

    return greedy_result(columns, rows, hint) is None or rank(dive) > rank(hint)


def _near_programme(lp_value: float, gap: float, bound: float) -> int:
    """The worth from which a start is kept without the assignment model: the programme's value (objective
    units) less ``MODEL_GAIN_SHARE`` of the gap asked for, as a share of the proven ``bound``."""
    return math.ceil(lp_value * OBJECTIVE_SCALE - MODEL_GAIN_SHARE * gap * bound - 1e-6)


def _dive_wanted(
    columns: ColumnSet, rows: GlobalRows, hint: list[int | None], lp_value: float, gap: float, bound: float
) -> bool:
    """Whether to dive for a start: unless the greedy start ``hint`` is at the programme's value already (within
    ``MASTER_TOLERANCE``; or within a tenth of the ``gap`` asked for below it, ``_near_programme``, when that is
    closer), a start rounded from the programme may be closer (and is a better hint either way). Since the dive's
    solves are of the disputes left free (``lp_dive``) it is cheap (at 5,000 x 10,000 about 3 s of CPU), and there
    a greedy start 5 points below the programme had been kept without it (within a tenth of the gap asked for)."""
    near = max(
        _near_programme(lp_value, gap, bound),
        math.ceil(lp_value * OBJECTIVE_SCALE * (1 - MASTER_TOLERANCE) - 1e-6),
    )
    return start_within_target(columns, rows, hint, near) is None


def _assign_every_dispute(
    columns: ColumnSet,
    rows: GlobalRows,
    config: BatchConfig,
    time_limit: float,
    hint: list[int | None],
    lp_value: float | None,
    bound: float = math.inf,
) -> tuple[MasterResult, str]:
    """The assignment that staffs every dispute, and a note for the method when the greedy one
    stands in (the model found none in its time, but the greedy assignment staffs them all).

    The search stops at the first assignment within a hair of the programme's value (which bounds any
    assignment of these columns: closing the last 0.01 % can take the model most of its time, for
    nothing visible), or within ``config.gap`` of ``bound`` (proven for the whole batch). It is not run
    at all when the start staffs every dispute, keeps every row and is within ``MODEL_GAIN_SHARE`` of
    the gap asked for (a share of ``bound``) below the programme's value: the most the model could add
    (measured at 5,000 disputes: 180 s for nothing, the start 0.03 % below the programme)."""
    n = len(hint)
    targets = [bound * (1 - config.gap)] if config.gap > 0 and math.isfinite(bound) else []
    if lp_value is not None:
        targets.append(lp_value * OBJECTIVE_SCALE * (1 - MASTER_TOLERANCE))
    stop_at = math.ceil(min(targets) - 1e-6) if targets else None
    start = None if config.fair else start_within_target(columns, rows, hint, stop_at)
    if start is not None:
        return start, "; the greedy start (already within the target: the assignment model was not needed)"
    if not config.fair and lp_value is not None and math.isfinite(bound):
        # The assignment over these columns is worth at most about the programme's value: when the start
        # is closer to it than a tenth of the gap asked for, the model cannot move the gap noticeably.
        start = start_within_target(columns, rows, hint, _near_programme(lp_value, config.gap, bound))
        if start is not None:
            return start, (
                "; the start (within a tenth of the gap asked for of the linear programme's value, which no "
                "assignment of these panels can pass by much: the assignment model was not run)"
            )
    master = solve_master(
        columns, rows, n, fair=config.fair, require_all=True, time_limit=time_limit,
        seed=config.seed, hint=hint, stop_at=stop_at,
    )  # fmt: skip
    if master.status == Status.TIMEOUT and staffed_count(master) == 0:
        greedy = greedy_result(columns, rows, hint)
        if greedy is not None and staffed_count(greedy) == n:
            return greedy, "; the greedy assignment (the assignment model found none in its time)"
    return master, ""


def start_within_target(
    columns: ColumnSet, rows: GlobalRows, hint: list[int | None], stop_at: int | None
) -> MasterResult | None:
    """The starting assignment as the result when it staffs every dispute, keeps every row and already
    reaches ``stop_at`` (the assignment model would only confirm it, and a large model takes a while
    to load); otherwise ``None``."""
    if stop_at is None or any(c is None for c in hint):
        return None
    start = greedy_result(columns, rows, hint)
    if start is None or start.objective < stop_at or not keeps_upper_limits(columns, rows, hint):
        return None
    return start


def _staff_most_disputes(
    columns: ColumnSet,
    rows: GlobalRows,
    config: BatchConfig,
    time_limit: float,
    hint: list[int | None],
    infeasible: bool,
    every_panel: bool,
) -> tuple[MasterResult, str, dict[str, Any]]:
    """When no assignment staffing every dispute was found: the one staffing as many as possible
    (the greedy one if it staffs more), a note for the method, and the diagnosis: the global
    constraints in the way when the model showed it ``infeasible`` (proven when the columns are
    ``every_panel`` of the pools), else a time-out."""
    n = len(hint)
    in_way = _relax_one_at_a_time(columns, rows, n, config) if infeasible else []
    master = solve_master(
        columns, rows, n, fair=config.fair, require_all=False, time_limit=time_limit,
        seed=config.seed, hint=hint,
    )  # fmt: skip
    note = ""
    greedy = greedy_result(columns, rows, hint)
    if greedy is not None and staffed_count(greedy) > staffed_count(master):
        master = greedy
        note = "; the greedy assignment (the assignment model found no better one in its time)"
    unstaffed = sum(1 for c in master.chosen if c is None)
    if not in_way:  # not shown impossible, only not found in time
        return master, note, _timeout_diagnosis(unstaffed)
    return master, note, _joint_diagnosis(in_way, rows.quotas, unstaffed, every_panel and infeasible)


def _timeout_diagnosis(unstaffed: int) -> dict[str, Any]:
    """The joint diagnosis when no assignment staffing every dispute was found in time."""
    return {
        "conflicting_rules": [],
        "suggestions": [
            f"No assignment staffing every dispute was found within the time limit ({unstaffed} left without "
            "a panel); raise --time-limit."
        ],
        "proven": False,
        "timeout": True,
    }


def column_plan(
    joint: list[Candidates],
    parties: Sequence[tuple[str, ...]],
    rows: GlobalRows,
    config: BatchConfig,
    runner: Runner,
    limit: int,
    solve_config: SolveConfig,
    bar: ProgressFactory,
) -> JointPlan:
    """The joint plan over candidate panels: every pool panel when the batch is small and its pools
    complete, otherwise columns generated with exact pricing; then the assignment over them."""
    budget = config.time_limit
    n = len(joint)
    columns = _first_columns(joint)
    sources: dict[str, float] = {"disputes alone": float(sum(c.upper or 0 for c in joint))}
    complete = all(c.complete for c in joint) and sum(len(c.panels) for c in joint) <= MASTER_ALL_LIMIT
    method = METHOD_COMPLETE if complete else METHOD_COLUMNS
    timing: dict[str, float] = {}
    generation = _Generation()
    lp: ColumnLP | None = None
    if complete:
        _add_every_panel(joint, columns)
    else:
        # A whole assignment among the columns first (the greedy start, repaired): the programme then
        # begins with every dispute staffed, so its first prices are real ones rather than the
        # artificial columns' penalty, and pricing does not spend its rounds escaping them.
        _starting_hint(columns, rows, joint, None, runner, limit, bar)
        lp = ColumnLP(n, rows, columns)
        lp_value, weights, rounds, exact_rounds, used = _generate_columns(
            lp, joint, parties, rows, runner, limit, solve_config, columns, bar, sources, timing, budget, config.gap
        )
        generation = _Generation(lp_value, weights, rounds, exact_rounds, used)
        if lp.exhausted:
            method += (
                "; the linear programme stopped at its share of the budget (a larger --time-limit tightens the bound)"
            )

    remaining = max(MASTER_SHARE * budget, budget - generation.used)
    mark = time.perf_counter()
    hint = _starting_hint(columns, rows, joint, generation.weights, runner, limit, bar)
    bound = math.inf if complete else min(sources.values())
    lp_value = generation.lp_value
    if (
        lp is not None
        and lp_value is not None
        and not config.fair
        and _dive_wanted(columns, rows, hint, lp_value, config.gap, bound)
    ):
        dive = _dive(lp, columns, rows, joint, runner, limit, bar, budget)
        if _better_start(columns, rows, dive, hint):
            hint = dive
            method += "; the start rounded from the linear programme by diving"
    master, note = _assign_every_dispute(columns, rows, config, remaining, hint, generation.lp_value, bound)
    method += note
    diagnosis = None
    if master.status in (Status.INFEASIBLE, Status.TIMEOUT) and staffed_count(master) == 0:
        infeasible = master.status == Status.INFEASIBLE
        master, note, diagnosis = _staff_most_disputes(
            columns, rows, config, max(1.0, 0.5 * remaining), hint, infeasible, complete
        )
        method += note
        # Bounds that assume every dispute staffed no longer hold; those allowing disputes left out do.
        sources = {
            "disputes alone": float(sum(max(0, c.upper or 0) for c in joint)),
            **{k: v for k, v in sources.items() if k in LEFT_OUT_SOURCES},
        }
    else:
        for key in LEFT_OUT_SOURCES:
            sources.pop(key, None)  # never tighter than the bound with every dispute staffed
        if complete and master.bound is not None and not config.fair:
            sources["assignment over every panel"] = float(master.bound)
    chosen = [None if c is None else columns.columns[c].members for c in master.chosen]
    bound = min(sources.values())
    if master.status == Status.OPTIMAL and complete and not config.fair:
        bound = min(bound, float(master.objective))
    return JointPlan(
        method=method,
        chosen=chosen,
        objective=master.objective,
        bound=bound,
        bound_sources=sources,
        proven=bound <= master.objective + 1e-9,
        status=master.status,
        diagnosis=diagnosis,
        columns=len(columns),
        rounds=generation.rounds,
        exact_rounds=generation.exact_rounds,
        lp_value=None if generation.lp_value is None else generation.lp_value * OBJECTIVE_SCALE,
        worst=master.worst,
        seconds={**timing, "assignment": time.perf_counter() - mark},
    )


def _generate_columns(
    lp: ColumnLP,
    joint: list[Candidates],
    parties: Sequence[tuple[str, ...]],
    rows: GlobalRows,
    runner: Runner,
    limit: int,
    solve_config: SolveConfig,
    columns: ColumnSet,
    bar: ProgressFactory,
    sources: dict[str, float],
    timing: dict[str, float],
    budget: float,
    gap: float = 0.0,
) -> tuple[float | None, np.ndarray | None, int, int, float]:
    """Column generation on the pools (rebuilt at the programme's prices when they stall: ``_Pricing.pool_rounds``),
    then exact pricing (the Lagrangian bound), within the budget.

    Returns the programme's value over every panel found (none when even its last solve ran out of
    work), its solution (the assignment's hint; none before the first optimum), the rounds of each
    kind and the deterministic seconds spent. Every stop is deterministic: round counts, the programme's work budget (``LP_SHARE`` of
    the budget for every solve together, as weighted simplex iterations, and ``FINAL_LP_SHARE`` more for
    the last solve over every panel found, whose value is returned) and CP-SAT's deterministic
    seconds for exact pricing (``EXACT_SHARE`` of the budget in all, spread over the processes).
    Exact pricing only runs once the pools have nothing more to add at the programme's prices (before
    that, the prices are far from the optimum's and their bound of no use). Another exact round is
    only worth it while the programme's value is more than ``gap`` (a share) below the proven bound.
    Each exact round prices at the stabilised prices (``_Pricing.stabilised``); when its panels do not move
    the programme, the next one prices at the programme's own.
    """
    lp.work_budget = _lp_work(LP_SHARE, budget)
    p = _Pricing(lp, joint, parties, rows, runner, limit, columns, bar, sources, timing, EXACT_SHARE * budget, gap)
    exact_rounds = 0
    out_of_work = False
    for _ in range(MAX_EXACT_ROUNDS):
        mark = time.perf_counter()
        converged = False
        try:
            converged = p.pool_rounds()
            p.solve()
        except LPTimeout:
            out_of_work = True
        _tick(timing, "pricing rounds", mark)
        if p.duals is None or not converged:
            # Prices the pools could still improve on give a bound far above the optimum (valid but of
            # no use) for the cost of pricing every dispute: the bound of the disputes alone stands.
            break
        mark = time.perf_counter()
        # (Towards the lowest bound of either kind: at 5,000 disputes the first exact round, half way to the
        # lowest bound from the mediators' upper bounds, bounded 23 points lower than at the programme's prices.)
        at, smoothed = p.stabilised((LAGRANGIAN, LAGRANGIAN_BOUNDS))
        lagrangian, new, work = _exact_round(
            joint, parties, rows, at, runner, limit, solve_config, columns, bar, p.budget - p.used, lp.revive
        )
        p.used += work
        _tick(timing, "exact pricing", mark)
        exact_rounds += 1
        p.record(LAGRANGIAN, LAGRANGIAN_LEFT_OUT, lagrangian)
        if out_of_work or p.used >= p.budget:
            break
        if not new:
            if not smoothed or p.within_gap():
                break
            p.mispriced()  # nothing new at the stabilised prices: the next round prices at the programme's
            continue
        before = p.lp_value
        try:
            p.solve()  # with the exact round's panels
        except LPTimeout:
            out_of_work = True
            break
        if smoothed and before is not None and p.lp_value is not None and p.lp_value <= before + STALL:
            p.mispriced()  # the panels found at the stabilised prices do not move the programme
        if p.within_gap():
            break
    # The last solve, over every panel found, gets a reserve of its own: its value is what the assignment is
    # measured against (without it the assignment model runs to its limit).
    lp.work_budget = max(lp.work_budget, lp.work_used) + _lp_work(FINAL_LP_SHARE, budget)
    try:
        p.solve()
        final = p.lp_value
    except LPTimeout:
        final = None  # cut short, the last value leaves out the latest panels: no longer a cap on their assignment
    return final, p.weights, p.rounds, exact_rounds, p.used + p.reprice_used


@dataclass
class _Pricing:
    """Column generation's state: its inputs, the programme's last solution and prices, the rounds and the
    deterministic seconds spent per process on pricing over every eligible mediator (within ``budget``)."""

    lp: ColumnLP
    joint: list[Candidates]
    parties: Sequence[tuple[str, ...]]
    rows: GlobalRows
    runner: Runner
    limit: int
    columns: ColumnSet
    bar: ProgressFactory
    sources: dict[str, float]
    timing: dict[str, float]
    budget: float
    gap: float
    lp_value: float | None = None
    weights: np.ndarray | None = None
    duals: Mapping[RowKey, float] | None = None
    mu: np.ndarray | None = None
    rounds: int = 0
    repriced: int = 0
    used: float = 0.0  # by exact pricing
    reprice_used: float = 0.0  # by rebuilding the pools at the prices (not drawn from ``budget``)
    fresh: bool = True  # panels added since the pools were last rebuilt at the prices
    # The stability centres: per kind of Lagrangian bound, the lowest so far and its whole-unit multipliers; and
    # the centre's weight in the prices the next bound is taken at (``stabilised``).
    centres: dict[str, tuple[float, dict[RowKey, float]]] = field(default_factory=dict)
    weight: float = field(default_factory=lambda: SMOOTHING)
    smoothed: bool = False  # whether the pools were last rebuilt at prices other than the programme's

    def solve(self) -> None:
        """The programme solved (``LPTimeout`` past its work budget): its value, solution and prices kept."""
        self.lp_value, self.weights, self.duals, self.mu = _lp_solve(self.lp)

    def within_gap(self) -> bool:
        """Whether the programme's value is within ``gap`` (a share) of the proven bound."""
        bound = min(self.sources.values())
        return self.lp_value is not None and bound - self.lp_value * OBJECTIVE_SCALE <= self.gap * abs(bound)

    def record(self, every_staffed: str, left_out: str, lagrangian: Lagrangian) -> bool:
        """Keep a Lagrangian bound among the sources (the lowest of each kind), and its multipliers as the
        stability centre of its kind when it is the lowest of its kind so far; whether it is."""
        self.sources[every_staffed] = min(self.sources.get(every_staffed, math.inf), lagrangian.every_staffed)
        self.sources[left_out] = min(self.sources.get(left_out, math.inf), lagrangian.some_unstaffed)
        if lagrangian.every_staffed >= self.centres.get(every_staffed, (math.inf, {}))[0]:
            return False
        self.centres[every_staffed] = (lagrangian.every_staffed, dict(lagrangian.multipliers))
        return True

    def stabilised(self, kinds: Sequence[str]) -> tuple[Mapping[RowKey, float], bool]:
        """The prices to take the next bound at (Wentges smoothing): ``weight`` of the way from the programme's
        prices to the centre (the lowest bound so far among ``kinds``), and whether they differ from the
        programme's. Any multipliers with the sign each row allows give a valid bound, and both ends have it,
        so every point between does too; near the centre the bound moves less from round to round than at
        the programme's own prices, which swing from one vertex to another while the columns are few."""
        assert self.duals is not None
        centres = [self.centres[k] for k in kinds if k in self.centres]
        if not centres or self.weight <= 0:
            return self.duals, False
        return between(min(centres, key=lambda c: c[0])[1], self.duals, self.weight), True

    def mispriced(self) -> None:
        """Pricing at the stabilised prices gave the programme nothing: the next pricing is at its own prices."""
        self.weight = 0.0

    def pool_rounds(self) -> bool:
        """Pricing rounds on the pools until they add nothing at the programme's prices; then the pools are
        rebuilt at those prices (over every eligible mediator, no solver: which also bounds every dispute)
        and the rounds go on, while the rebuilt pools add panels, at most ``MAX_REPRICE_ROUNDS`` times and
        while the programme has used at most ``REPRICE_LP_SHARE`` of its work. Returns whether the rounds
        settled (rather than stopped at ``MAX_CG_ROUNDS``). Raises ``LPTimeout``."""
        lp, rounds = self.lp, 0
        while rounds < MAX_CG_ROUNDS:
            self.solve()
            assert self.duals is not None
            self.rounds += 1
            rounds += 1
            price, party_price = self.rows.prices(self.duals)
            added, _ = price_pools(
                self.joint, self.parties, price, party_price, self.mu, self.columns, COLUMNS_PER_ROUND, lp.revive
            )
            if lp.n_cols > DROP_AT * len(self.joint):
                lp.drop()
            if added:
                self.fresh = True
                self.weight = SMOOTHING
                continue
            if not self.fresh and self.smoothed:
                # The pools rebuilt at the stabilised prices offer nothing at the programme's: rebuild them at these.
                self.mispriced()
                self.fresh = True
            if (
                not self.fresh
                or self.repriced >= MAX_REPRICE_ROUNDS
                or lp.work_used > REPRICE_LP_SHARE * lp.work_budget
            ):
                # (The rounds on rebuilt pools are the programme's dearest: past that share of its work, the rest
                # is kept for settling before exact pricing, which needs settled prices.)
                return True
            mark = time.perf_counter()
            at, self.smoothed = self.stabilised((LAGRANGIAN, LAGRANGIAN_BOUNDS))
            cheap, work = _reprice_round(
                self.joint, self.parties, self.rows, at, self.runner, self.limit, self.columns, self.bar
            )
            _tick(self.timing, "pools at the prices", mark)
            self.timing["pricing rounds"] = self.timing.get("pricing rounds", 0.0) - (time.perf_counter() - mark)
            self.reprice_used += work
            self.repriced += 1
            self.fresh = False
            rounds = 0
            self.record(LAGRANGIAN_BOUNDS, LAGRANGIAN_BOUNDS_LEFT_OUT, cheap)
            # (No stop here when the bound is within the gap: exact pricing's panels still improve the assignment.)
        return False


def between(centre: Mapping[RowKey, float], duals: Mapping[RowKey, float], weight: float) -> dict[RowKey, float]:
    """The prices ``weight`` of the way from ``duals`` to ``centre`` (a row missing from either counts 0 there)."""
    keys = dict.fromkeys([*duals, *centre])
    return {k: weight * centre.get(k, 0.0) + (1 - weight) * duals.get(k, 0.0) for k in keys}


def _lp_solve(lp: ColumnLP) -> tuple[float, np.ndarray, dict[RowKey, float], np.ndarray]:
    """The programme solved: its value, solution, the global rows' prices and the disputes' prices."""
    value = lp.solve()
    duals, mu = lp.duals()
    return value, lp.values(), duals, mu


def _tick(timing: dict[str, float], label: str, since: float) -> None:
    timing[label] = timing.get(label, 0.0) + time.perf_counter() - since


def _relax_one_at_a_time(columns: ColumnSet, rows: GlobalRows, n: int, config: BatchConfig) -> list[str]:
    """Which global constraints stand in the way: each one switched off in turn, is there an assignment?

    Returns those whose relaxation alone staffs every dispute; when none does alone, all of them
    (they are in the way together).
    """
    active = ["capacity", *[q for q in GLOBAL_CONSTRAINTS if q in rows.quotas.active()]]
    in_way = []
    for name in active:
        relaxed = GlobalRows(rows.arrays, rows.parties, rows.quotas, rows.seats, rows.relaxed | {name})
        result = solve_master(
            columns, relaxed, n, fair=False, require_all=True, time_limit=max(1.0, config.time_limit / 10),
            seed=config.seed, feasibility_only=True,
        )  # fmt: skip
        if result.status == "feasible":
            in_way.append(name)
    return in_way or active


#: A dispute to price exactly: position, dispute id, pool, and its pool's best priced worth (rounded).
_PricingItem = tuple[int, str, np.ndarray, int]


def _exact_round(
    joint: list[Candidates],
    parties: Sequence[tuple[str, ...]],
    rows: GlobalRows,
    duals: Mapping[RowKey, float],
    runner: Runner,
    limit: int,
    solve_config: SolveConfig,
    columns: ColumnSet,
    bar: ProgressFactory,
    budget: float = math.inf,
    revive: Callable[[int], bool] | None = None,
) -> tuple[Lagrangian, int, float]:
    """Price every dispute exactly at whole-unit dual prices: the Lagrangian bound, and new columns.

    First every dispute is bounded without a solver (the mediators' priced upper bounds, which
    usually prove the pool's best panel is still the best); the disputes left unproven then share
    ``budget`` deterministic seconds per process by their slack (``spread_by_slack``, at most the usual
    per-dispute limit). A dispute whose share is too small keeps the looser, still valid bound of the first pass.
    Returns the bound, the number of new columns and the deterministic seconds spent per process.
    """
    m = _Multipliers.of(duals, rows)
    _, worth = price_pools(joint, parties, m.price, m.party_price, None, columns, 0)
    negative = bool((m.price < 0).any()) or any((v < 0).any() for _, v in m.party_price.values())
    items, bound_of = _disputes_to_price(joint, parties, m.price, m.party_price, worth, negative)
    added, work = 0, 0.0
    if items:
        best, work = _price_disputes(items, m.price, m.party_price, runner, limit, solve_config, bar, budget)
        added = _take_priced(joint, columns, [best[item[0]] for item in items], bound_of, revive)
    return m.bound(bound_of), added, work


def _best_priced(cand: Candidates, parties: tuple[str, ...], m: _Multipliers) -> np.ndarray:
    """The members (roster indices) of the pool's best panel at the prices."""
    local = member_price(cand.pool, m.price, m.party_price, parties)
    r = int(np.argmax(cand.panels.value - members_total(local, cand.panels.members)))
    return np.asarray(cand.pool[cand.panels.members[r]], dtype=np.int64)


@dataclass(frozen=True)
class _Multipliers:
    """The global rows' prices rounded to whole units with the sign each row allows (valid multipliers),
    as per-mediator prices, and their constant in the Lagrangian bound (``constant``: every row;
    ``upper_constant``: the upper limits only)."""

    price: np.ndarray
    party_price: dict[str, tuple[np.ndarray, np.ndarray]]
    constant: float
    upper_constant: float
    y: dict[RowKey, float]  # each row's multiplier

    @staticmethod
    def of(duals: Mapping[RowKey, float], rows: GlobalRows) -> _Multipliers:
        y = integer_duals(duals, rows)
        price, party_price = rows.prices(y)
        constant = sum(v * rows.rhs(key)[1] for key, v in y.items())
        # A lower limit's multiplier (at most 0) only lowers the constant: without it, the bound also holds
        # for assignments that miss the lower limit (leaving disputes out can).
        upper_constant = sum(v * rows.rhs(key)[1] for key, v in y.items() if rows.rhs(key)[0] == LE)
        return _Multipliers(price, party_price, constant, upper_constant, y)

    def bound(self, bound_of: Sequence[float]) -> Lagrangian:
        """The Lagrangian bound given an upper bound on each dispute's best priced panel at these prices."""
        return Lagrangian(
            self.constant + sum(bound_of), self.upper_constant + sum(max(0.0, b) for b in bound_of), self.y
        )


def _reprice_round(
    joint: list[Candidates],
    parties: Sequence[tuple[str, ...]],
    rows: GlobalRows,
    duals: Mapping[RowKey, float],
    runner: Runner,
    limit: int,
    columns: ColumnSet,
    bar: ProgressFactory,
) -> tuple[Lagrangian, float]:
    """Every pool rebuilt from the mediators with the best upper bounds at the prices ``duals`` (whole
    units), over every eligible mediator and without a solver, so that pricing on the pools follows the
    prices; and the Lagrangian bound those upper bounds prove. Returns the bound and the deterministic
    seconds spent per process (charged by size)."""
    m = _Multipliers.of(duals, rows)
    _, bound_of = price_pools(joint, parties, m.price, m.party_price, None, columns, 0)  # exact for complete pools
    items = [(j, c.dispute_id, _best_priced(c, parties[j], m)) for j, c in enumerate(joint) if not c.complete]
    with bar(len(items), "Joint model: pools at the prices") as advance:
        repriced: list[Repriced] = runner.map(reprice_chunk, items, (m.price, m.party_price, limit), advance)
    for r in repriced:
        joint[r.position].pool, joint[r.position].panels = r.pool, r.panels
        bound_of[r.position] = float(r.bound)
    return m.bound(bound_of), sum(r.overhead for r in repriced) / runner.width(len(items))


@dataclass(frozen=True)
class Lagrangian:
    """The Lagrangian bound at one set of prices: ``prices x right-hand sides`` plus each dispute's best
    priced panel (``every_staffed``: valid when every dispute gets a panel and every row holds), or the
    upper limits' part of the constant plus each dispute's best priced panel where it is positive
    (``some_unstaffed``: valid for any assignment keeping the upper limits, since a dispute left out
    adds nothing and a lower limit's price only adds worth to panels)."""

    every_staffed: float
    some_unstaffed: float
    multipliers: Mapping[RowKey, float]  # the rows' multipliers it was taken at (whole units, valid signs)


def _disputes_to_price(
    joint: list[Candidates],
    parties: Sequence[tuple[str, ...]],
    price: np.ndarray,
    party_price: Mapping[str, tuple[np.ndarray, np.ndarray]],
    worth: list[float],
    negative: bool,
) -> tuple[list[_PricingItem], list[float]]:
    """The disputes whose bound at these prices takes pricing, and every dispute's bound so far: its
    pool's best priced worth (exact for complete pools), or its best panel's value when that panel is
    the dispute's best and costs nothing (with no negative price, nothing can do better)."""
    items: list[_PricingItem] = []
    bound_of = list(worth)
    for j, c in enumerate(joint):
        if c.complete:
            continue
        if not negative:
            local = member_price(np.array(c.best_members, dtype=np.int64), price, party_price, parties[j])
            if c.best == c.upper and not local.any():
                bound_of[j] = float(c.upper or 0)  # its best panel alone costs nothing: still the best
                continue
        items.append((j, c.dispute_id, c.pool, round(worth[j])))
    return items, bound_of


def _price_disputes(
    items: list[_PricingItem],
    price: np.ndarray,
    party_price: Mapping[str, tuple[np.ndarray, np.ndarray]],
    runner: Runner,
    limit: int,
    solve_config: SolveConfig,
    bar: ProgressFactory,
    budget: float,
) -> tuple[dict[int, Priced], float]:
    """Each dispute priced: first bounded without a solver (the mediators' upper bounds, and where they leave
    it unproven the profile programme over the best of them, as many as ``TIGHT_SHARE`` of the budget allows:
    ``profile_allowance``), then the unproven ones solved in up to ``SOLVE_PASSES`` passes, each a share of the budget
    left by the dispute's slack, its bound less its pool's best (``_share_out``, ``spread_by_slack``; a solve cut short keeps the
    lower of its bound and the programme's: both hold; in every pass the programme narrows each search first where
    its share pays for that: ``FILTER_SHARE``). The best answer
    per dispute position, and the deterministic seconds spent per process: CP-SAT's own count plus the encoding,
    bounding, programme and model building around it, charged by size (``Priced.overhead``)."""
    allowance = profile_allowance(budget, runner.width(len(items)), len(items))
    with bar(len(items), "Joint model: bounds at the prices") as advance:
        cheap = runner.map(
            exact_chunk, items, (price, party_price, limit, share_time(solve_config, 0.0), allowance), advance
        )
    unproven = [item for item, p in zip(items, cheap, strict=True) if p.bound > item[3]]
    best: dict[int, Priced] = {p.position: p for p in cheap}
    work = sum(p.overhead for p in cheap) / runner.width(len(items))
    # Most solves take a small fraction of their share: disputes that hit it try again with a share of what is
    # left (each pass deterministic).
    for _ in range(SOLVE_PASSES):
        if not unproven or budget - work < MIN_SOLVE_TIME:
            break
        chosen = _share_out(unproven, best, budget - work, runner, solve_config.time_limit)
        if not chosen:
            break
        share_of = {item[0]: share for item, share in chosen}
        with bar(len(chosen), "Joint model: exact prices") as advance:
            solved = runner.map(
                exact_chunk,
                [item for item, _ in chosen],
                (price, party_price, limit, solve_config, 0.0, True, share_of),
                advance,
            )
        work += sum(p.work + p.overhead for p in solved) / runner.width(len(chosen))
        cut_short = {p.position for p in solved if p.before + p.work >= share_of[p.position] - 1e-9 and not p.proven}
        for p in solved:
            if not p.proven:
                p.bound = min(p.bound, best[p.position].bound)
            if p.proven or p.bound < best[p.position].bound:
                best[p.position] = p
        unproven = [item for item in unproven if item[0] in cut_short or item[0] not in share_of]
    return best, work


def _share_out(
    unproven: list[_PricingItem], best: Mapping[int, Priced], left: float, runner: Runner, cap: float
) -> list[tuple[_PricingItem, float]]:
    """The disputes a pass searches and each one's share: ``left`` deterministic seconds per process spread by
    slack (``spread_by_slack``) over the processes the chosen ones run on (the pass is charged over that many);
    a dispute whose share is below ``MIN_SOLVE_TIME`` is left out, and the others share again over the processes
    they run on until every share is kept (each round leaves some out, so it ends)."""
    chosen = list(unproven)
    while chosen:
        slack = [float(best[item[0]].bound - item[3]) for item in chosen]
        shares = spread_by_slack(slack, left * runner.width(len(chosen)), cap)
        kept = [(item, share) for item, share in zip(chosen, shares, strict=True) if share >= MIN_SOLVE_TIME]
        if len(kept) == len(chosen):
            return kept
        chosen = [item for item, _ in kept]
    return []


def spread_by_slack(slack: Sequence[float], total: float, cap: float) -> list[float]:
    """Shares of ``total`` deterministic seconds, each at most ``cap``, in proportion to ``slack`` to the power
    ``SLACK_POWER`` (0: equal shares) where the cap allows; all of ``total`` when the caps allow."""
    if not slack:
        return []
    weight = np.asarray(slack, dtype=np.float64) ** SLACK_POWER
    if cap * len(weight) <= total:
        return [cap] * len(weight)
    order = np.argsort(-weight, kind="stable")
    heavy = weight[order]
    # Each tail's weight summed from its smallest end up, so that a slack of 10^8 beside ones of 1 loses none of them.
    rest = np.cumsum(heavy[::-1])[::-1]
    shares = np.zeros(len(weight))
    for capped in range(len(heavy)):
        if rest[capped] <= 0:
            break
        ratio = (total - cap * capped) / rest[capped]  # the share of a unit of weight once the heaviest are capped
        if heavy[capped] * ratio <= cap:
            shares[order[capped:]] = heavy[capped:] * ratio
            break
        shares[order[capped]] = cap
    return [float(s) for s in shares]


def profile_allowance(budget: float, width: int, disputes: int) -> float:
    """The work each dispute's profile programme may take when pricing ``disputes`` (deterministic seconds; the
    programme then holds as many mediators as that pays for, ``_tight_bound``): an equal part of ``TIGHT_SHARE``
    of the ``budget`` (per process, over ``width`` processes)."""
    if disputes == 0:
        return 0.0
    if not math.isfinite(budget):
        return math.inf
    return TIGHT_SHARE * max(0.0, budget) * width / disputes


def _take_priced(
    joint: list[Candidates],
    columns: ColumnSet,
    priced: list[Priced],
    bound_of: list[float],
    revive: Callable[[int], bool] | None = None,
) -> int:
    """Record each priced dispute's bound, add its best priced panel as a column and keep its grown
    pool; the number of new columns."""
    added = 0
    for p in priced:
        j = p.position
        bound_of[j] = float(p.bound)
        if (p.members and columns.add(Column(j, p.members, p.value)) is not None) or (
            p.members and revive is not None and revive(columns.index_of(j, p.members))
        ):
            added += 1
        if p.pool is not None and p.panels is not None:
            joint[j].pool, joint[j].panels = p.pool, p.panels
    return added
