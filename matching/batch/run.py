"""Joint assignment of a batch of disputes: one panel each, sharing the mediators' capacity.

The batch problem: every dispute gets one panel that keeps every hard rule (H1-H7), the new
appointments of a mediator fit within their remaining capacity (``max_cases - active_cases``)
and an optional per-batch cap, and the optional global quotas of ``matching.batch.quotas`` hold
across the batch. The objective is the total of the panels' objectives (the same integer
objective ``PanelInstance.evaluate`` gives), or, in fairness mode, first the worst-served
dispute's objective and then the total.

How it is solved (``solve_batch``), each step on plain numbers:

1. **Encoding** (``matching.rules.encoding``). ``RosterArrays`` (the workspace's ``arrays``) turns the
   roster into arrays once; ``RosterArrays.encode`` then builds each dispute's ``PanelInstance`` with
   numpy, and the rules and the objective are the kernel's (``matching.rules.kernel``).
2. **Each dispute alone** (``matching.batch.disputes``, ``matching.rules.kernel``). Each dispute keeps a *pool* of its most promising mediators (the best
   ``upper_bounds`` of ``matching.panel.model``, with the best possible chairs and speakers of each
   working language, and every party-ranked name), and every panel of the pool that keeps the hard
   rules is enumerated with its exact objective (``Panels``). When no mediator outside the pool has
   an upper bound above the pool's best panel, that panel is proven the dispute's best; otherwise
   CP-SAT (``PanelModel``) solves the mediators whose bound reaches it, thinned by the solver's
   exact dominance rule. The best objective alone is a proven upper bound for the dispute in any
   joint assignment. A dispute with no panel is reported infeasible with
   ``matching.panel.diagnosis.diagnose`` and left out.
3. **Fast path.** When every panel has one member and no quota couples the disputes, the batch is
   a transportation problem, solved exactly by min-cost flow (``matching.batch.flow``).
4. **Column generation** (``matching.batch.joint``, ``matching.batch.master``). Otherwise a linear programme (HiGHS, one model changed in place and re-solved from its last basis) chooses among candidate panels
   ("columns") under the capacity and quota rows, starting from the greedy assignment's panels (so its
   first prices are real ones), re-solved afresh by interior point and crossover after many new columns
   (simplex from the last basis stalls on this degenerate programme); its dual prices are charged to the mediators
   and the best panel of each pool at those prices joins the programme, until no pool has a
   panel worth adding. Then each dispute is priced once more *exactly*, over all its eligible
   mediators (the same proof as in step 2 on the instance with the prices folded into the member
   values, ``priced``), which gives a Lagrangian upper bound on the whole batch:
   ``sum of prices * right-hand sides + sum over disputes of their best priced panel``
   (when disputes are left out, a variant that holds then: the upper limits' prices only, and
   each dispute's best priced panel only where it is worth more than nothing).
   The proven bound reported is the smallest valid one of those and the sum of the disputes' bounds
   alone. Bound improvement stops once the candidate panels are proven within ``BatchConfig.gap``,
   and the assignment stops once within that share of the proven bound.
5. **Assignment.** CP-SAT chooses one generated panel per dispute (exactly one, capacity, quotas),
   hinted with a greedy assignment (disputes it leaves out get the best panel that still fits from
   their pool, or from fresh pools without the mediators already seated, or by moving the disputes
   holding the mediators whose seats are gone to other panels of their own; while some stay out, two
   other greedy orders are tried and the start staffing most is kept; a start that already staffs every
   dispute within the gap of the proven bound is kept as it is); fairness mode maximises the worst dispute first,
   fixes it and re-solves the total with hints (lexicographic). When the pools are complete
   (small batches), the columns are every panel and the result is proven optimal.

If the capacity or the quotas cannot staff every dispute together, the assignment staffs as
many disputes as possible, and each global constraint is relaxed in turn to say which ones are
in the way.

**Reproducible.** Every stop is deterministic: CP-SAT deterministic time, simplex iteration limits, round counts,
equal shares of the budget; every CP-SAT search has one seeded worker. The same inputs, settings
and seed give the same panels however loaded the machine (``tests/test_batch.py`` runs a batch on
a clock that crawls and compares).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import asdict, dataclass, field
from typing import Any

from matching.batch.disputes import (
    ENUMERATION_LIMIT,
    MIN_ENUMERATION,
    Candidates,
    Runner,
    WorkerState,
    alone_chunk,
    make_state,
    share_time,
)
from matching.batch.joint import JointPlan, column_plan, flow_plan
from matching.batch.master import GlobalRows
from matching.batch.quotas import QuotaReport, SeatFact, concentration, quota_reports
from matching.batch.settings import BatchConfig, BatchError
from matching.core.config import SolveConfig
from matching.core.domain import Mediator, Role
from matching.core.progress import CancelToken, ProgressFactory, cancellable
from matching.core.status import Status
from matching.io.csv_out import csv_document
from matching.io.out_paths import write_file
from matching.io.results import DisputeResult, ProposedPanel, Seat, now_iso, run_block, run_document
from matching.io.rulesets import RuleSet
from matching.panel.explain import disclosures, why
from matching.panel.model import best_chair, order_panel
from matching.rules.checker import DisputeView
from matching.rules.recheck import recheck, recheck_loads
from matching.rules.scoring import OBJECTIVE_SCALE
from matching.rules.workspace import Workspace

log = logging.getLogger(__name__)

# --- the run: solve_batch and its outcome ---------------------------------------------------------


@dataclass
class BatchSummary:
    """Run-level facts: how many disputes were staffed, the objective, the proven bound and the gap."""

    method: str
    disputes: int
    staffed: int
    infeasible_alone: list[str]
    unstaffed: list[str]
    objective: float
    bound: float
    proven_optimal: bool
    bound_sources: dict[str, float]
    worst_objective: float | None
    worst_dispute: str | None
    worst_bound: float | None
    quotas: list[QuotaReport]
    concentration_top15: float
    joint_infeasibility: dict[str, Any] | None
    columns: int
    rounds: int
    exact_rounds: int
    lp_value: float | None
    seconds: dict[str, float]
    fair: bool = False
    timeouts: list[str] = field(default_factory=list)

    @property
    def gap(self) -> float:
        return max(0.0, self.bound - self.objective)

    @property
    def relative_gap(self) -> float:
        return self.gap / abs(self.bound) if self.bound else 0.0

    def gap_text(self) -> str:
        """The gap in words: never ``0.00%`` for a batch that is not proven best (a share too small to show at
        two decimals reads ``under 0.01%``)."""
        share = self.relative_gap
        shown = "0%" if self.gap == 0 else f"{share:.2%}" if share >= 0.0001 else "under 0.01%"
        if self.proven_optimal:
            return f"gap {self.gap:.4f} ({shown}), proven optimal"
        return f"gap {self.gap:.4f} ({shown}), not proven optimal: the best possible total is at most that much higher"

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "fair": self.fair,
            "disputes": self.disputes,
            "staffed": self.staffed,
            "infeasible_alone": self.infeasible_alone,
            "unstaffed": self.unstaffed,
            "timeouts": self.timeouts,
            "objective": round(self.objective, 6),
            "best_bound": round(self.bound, 6),
            "gap": round(self.gap, 6),
            "relative_gap": round(self.relative_gap, 8),
            "proven_optimal": self.proven_optimal,
            "bound_sources": {k: round(v, 6) for k, v in self.bound_sources.items()},
            "worst_dispute": self.worst_dispute,
            "worst_objective": self.worst_objective,
            "worst_bound": self.worst_bound,
            "quotas": [q.as_dict() for q in self.quotas],
            "seat_share_top15": round(self.concentration_top15, 6),
            "joint_infeasibility": self.joint_infeasibility,
            "candidate_panels": self.columns,
            "pricing_rounds": self.rounds,
            "exact_pricing_rounds": self.exact_rounds,
            "lp_value": None if self.lp_value is None else round(self.lp_value, 6),
            "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
        }

    def line(self) -> str:
        """The one-line summary the command line prints."""
        parts = [f"{self.staffed} of {self.disputes} disputes staffed"]
        if self.infeasible_alone:
            parts.append(f"{len(self.infeasible_alone)} infeasible on their own ({', '.join(self.infeasible_alone)})")
        if self.unstaffed:
            why = (
                "not placed within the time limit"
                if (self.joint_infeasibility or {}).get(Status.TIMEOUT)
                else "left out by capacity or quotas"
            )
            shown = ", ".join(self.unstaffed[:10]) + ("…" if len(self.unstaffed) > 10 else "")
            parts.append(f"{len(self.unstaffed)} {why} ({shown})")
        if self.timeouts:
            parts.append(f"{len(self.timeouts)} without a panel within the time limit ({', '.join(self.timeouts)})")
        parts.append(f"objective {self.objective:.4f}, bound {self.bound:.4f}, {self.gap_text()}")
        parts.append(f"{sum(v for k, v in self.seconds.items() if ':' not in k):.1f} s")
        return "; ".join(parts) + "."


@dataclass
class BatchOutcome:
    """Everything a batch run produced: one result per dispute (the panels JSON), the seats, the summary."""

    results: list[DisputeResult]
    seats: list[SeatFact]
    summary: BatchSummary
    rule_set: RuleSet
    config: BatchConfig
    seed: int
    inputs_sha256: dict[str, str]
    started_at: str
    wall_seconds: float

    def document(self) -> dict[str, Any]:
        """The panels JSON of docs/outputs.md, with the run-level summary under ``batch``."""
        settings = {"command": "batch", **asdict(self.config)}
        run = run_block(self.rule_set, self.seed, self.inputs_sha256, self.started_at, self.wall_seconds, settings)
        doc = run_document(self.results, run)
        doc["batch"] = self.summary.as_dict()
        return doc

    def diagnoses(self) -> list[str]:
        """One line per dispute without a panel, with the rules in the way."""
        out = []
        for r in self.results:
            if r.infeasibility is not None and r.status == "infeasible":
                rules = ", ".join(r.infeasibility.get("conflicting_rules", [])) or "no single rule"
                hint = (r.infeasibility.get("suggestions") or [""])[0]
                out.append(f"{r.dispute_id}: infeasible ({rules}). {hint}".strip())
        return out


SEAT_COLUMNS = ("dispute_id", "mediator_id", "role", "nationality", "un_group", "gender")


def seats_csv_text(seats: Sequence[SeatFact]) -> str:
    """The seats CSV (``SEAT_COLUMNS``) as text, through the project's one CSV writer (the app downloads it)."""
    return csv_document(
        SEAT_COLUMNS, ([s.dispute_id, s.mediator_id, s.role, s.nationality, s.un_group, s.gender] for s in seats)
    )


def write_seats_csv(seats: Sequence[SeatFact], path: os.PathLike[str] | str) -> None:
    """The seats as CSV (dispute_id, mediator_id, role, nationality, un_group, gender), written atomically."""
    write_file(path, seats_csv_text(seats))


def check_config(ws: Workspace, config: BatchConfig, dispute_ids: Sequence[str]) -> None:
    """Raise ``BatchError`` (plain words) for settings that cannot run; unknown ids raise ``UnknownIdError``."""
    problems = config.quotas.problems()
    if config.workers < 1:
        problems.append(f"--workers must be 1 or more, got {config.workers}.")
    if config.time_limit <= 0:
        problems.append("--time-limit must be positive.")
    if not 0 <= config.gap < 1:
        problems.append(f"--gap must be at least 0 and below 1 (a share: 0.005 is 0.5 %), got {config.gap}.")
    if len(set(dispute_ids)) != len(dispute_ids):
        problems.append("A dispute is listed twice.")
    for did in dispute_ids:
        ws.dispute(did)
    if config.capacity_only:
        larger = [did for did in dispute_ids if ws.dispute(did).panel_size > 1]
        if larger:
            problems.append(
                f"--capacity-only needs every panel to have one member, but {len(larger)} dispute(s) need more "
                f"({', '.join(larger[:5])}{'…' if len(larger) > 5 else ''}): the flow keeps capacity and eligibility "
                "only, and larger panels have rules on their composition (H4, H5). Drop --capacity-only to solve them."
            )
        if config.quotas.couples_disputes:
            problems.append(
                "--capacity-only cannot keep the state, group, women or same-party quotas; drop one or the other."
            )
    if problems:
        raise BatchError(" ".join(problems))


def solve_batch(
    ws: Workspace,
    rule_set: RuleSet,
    config: BatchConfig | None = None,
    dispute_ids: Sequence[str] | None = None,
    progress: ProgressFactory | None = None,
    cancel: CancelToken | None = None,
    executor: Executor | None = None,
) -> BatchOutcome:
    """Assign one panel to every dispute at once (see the module docstring for the method).

    Every solve has its deterministic budget (``BatchConfig``). ``cancel`` is looked at whenever a step
    is reported: a batch stopped part-way has no assignment worth keeping, so it raises ``Cancelled``.
    The per-dispute work of a large enough batch runs on ``config.workers`` processes at a time: a process
    pool made for the run, or ``executor`` when one is given (a Dask cluster's, ``Client.get_executor()``;
    left running). Where it runs does not change the result: the budgets are shared by ``config.workers``."""
    config = config or BatchConfig()
    ids = list(dispute_ids) if dispute_ids is not None else [d.dispute_id for d in ws.data.disputes]
    check_config(ws, config, ids)
    bar = cancellable(progress, cancel)
    started_at, clock = now_iso(), time.perf_counter()
    seconds: dict[str, float] = {}
    state = make_state(ws, rule_set)
    limit = max(MIN_ENUMERATION, min(ENUMERATION_LIMIT, config.enumeration_budget // max(1, len(ids))))
    solve_config = SolveConfig(
        candidates=1, time_limit=config.dispute_time_limit, seed=config.seed, workers=1, presolve=False
    )
    runner = Runner(ws, rule_set, state, config.workers, executor)
    alone_config = solve_config
    if config.dispute_phase_limit is not None and ids:
        alone_config = share_time(solve_config, config.dispute_phase_limit * runner.width(len(ids)) / len(ids))
    try:
        with bar(len(ids), "Disputes on their own") as advance:
            candidates: list[Candidates] = runner.map(alone_chunk, list(enumerate(ids)), (limit, alone_config), advance)
        candidates.sort(key=lambda c: c.position)
        seconds["disputes alone"] = time.perf_counter() - clock
        joint = [c for c in candidates if c.in_joint_model]
        parties = [state.views[c.dispute_id].dispute.parties for c in joint]
        rows = GlobalRows(state.arrays, parties, config.quotas, sum(c.k for c in joint))
        mark = time.perf_counter()
        if not joint:
            plan = JointPlan("none (no dispute can be staffed)", [], 0, 0.0, {}, True, Status.OPTIMAL)
        elif all(c.k == 1 for c in joint) and not config.quotas.couples_disputes:
            plan = flow_plan(joint, rows, config)
        else:
            plan = column_plan(joint, parties, rows, config, runner, limit, solve_config, bar)
        seconds["joint phase"] = time.perf_counter() - mark
        seconds.update({f"joint phase: {k}": v for k, v in plan.seconds.items()})
    finally:
        runner.close()
    mark = time.perf_counter()
    outcome = _outcome(ws, state, rule_set, config, candidates, joint, plan, started_at, clock, seconds)
    outcome.summary.seconds["results"] = time.perf_counter() - mark
    outcome.wall_seconds = time.perf_counter() - clock
    return outcome


def _outcome(
    ws: Workspace,
    state: WorkerState,
    rule_set: RuleSet,
    config: BatchConfig,
    candidates: list[Candidates],
    joint: list[Candidates],
    plan: JointPlan,
    started_at: str,
    clock: float,
    seconds: dict[str, float],
) -> BatchOutcome:
    chosen_of = {c.position: plan.chosen[j] for j, c in enumerate(joint)}
    others = len(joint) - 1
    results: list[DisputeResult] = []
    seats: list[SeatFact] = []
    assigned: list[tuple[DisputeView, Sequence[Mediator]]] = []
    worst: tuple[int, str, int] | None = None
    for cand in candidates:
        view = state.views[cand.dispute_id]
        if cand.status in (Status.INFEASIBLE, Status.TIMEOUT) or not cand.in_joint_model:
            results.append(
                DisputeResult(
                    cand.dispute_id,
                    cand.status if cand.status in (Status.INFEASIBLE, Status.TIMEOUT) else Status.INFEASIBLE,
                    None,
                    None,
                    infeasibility=cand.diagnosis,
                    eligible=cand.eligible,
                    seconds=cand.seconds,
                )
            )
            continue
        members = chosen_of.get(cand.position)
        upper = cand.upper if cand.upper is not None else 0
        if members is None:
            diag = dict(plan.diagnosis or {})
            diag.pop("proven", None)
            timed_out = bool(diag.pop(Status.TIMEOUT, False))
            results.append(
                DisputeResult(
                    cand.dispute_id,
                    Status.TIMEOUT if timed_out else Status.INFEASIBLE,
                    None,
                    upper / OBJECTIVE_SCALE,
                    infeasibility={k: list(v) for k, v in diag.items()} or None,
                    eligible=cand.eligible,
                    model_size=len(cand.pool),
                    seconds=cand.seconds,
                )
            )
            continue
        inst = state.arrays.encode(view, with_excluded=False, only=members)
        idx = list(range(inst.n))
        chair = best_chair(inst, idx)
        assert chair is not None
        recheck(view, inst.mediators, inst.mediators[chair], "batch")
        assigned.append((view, inst.mediators))
        ordered = order_panel(inst, idx, chair)
        scores = inst.evaluate(ordered, chair)
        value = scores.objective_int
        if worst is None or (value, cand.dispute_id) < (worst[0], worst[1]):
            worst = (value, cand.dispute_id, upper)
        sentence = (
            f"Chosen jointly with the {others} other dispute(s) of the batch: objective {value / OBJECTIVE_SCALE:.4f}"
            + (
                ", the best this dispute could have even on its own."
                if value >= upper
                else f", against {upper / OBJECTIVE_SCALE:.4f} for its best panel on its own (capacity and quotas are shared)."
            )
        )
        panel = ProposedPanel(
            rank=1,
            members=tuple(
                Seat(inst.mediators[i].mediator_id, Role.CHAIR if i == chair else Role.MEMBER) for i in ordered
            ),
            objective=scores.objective,
            scores=scores.components(),
            disclosures=tuple(disclosures(view, inst, ordered)),
            why=(sentence, *why(view, inst, ordered, chair, scores, None, 2, False)),
        )
        results.append(
            DisputeResult(
                cand.dispute_id,
                Status.OPTIMAL if value >= upper else Status.FEASIBLE,
                value / OBJECTIVE_SCALE,
                upper / OBJECTIVE_SCALE,
                panels=[panel],
                eligible=cand.eligible,
                model_size=len(cand.pool),
                seconds=cand.seconds,
            )
        )
        for i in ordered:
            m = inst.mediators[i]
            seats.append(
                SeatFact(
                    cand.dispute_id,
                    m.mediator_id,
                    (Role.CHAIR if i == chair else Role.MEMBER).value,
                    m.effective_nationality,
                    ws.countries[m.effective_nationality].un_group.value,
                    m.gender or "",
                    view.dispute.parties,
                )
            )
    recheck_loads(assigned, "batch")
    staffed = sum(1 for r in results if r.panels)
    summary = BatchSummary(
        method=plan.method,
        disputes=len(candidates),
        staffed=staffed,
        infeasible_alone=[c.dispute_id for c in candidates if c.status == Status.INFEASIBLE],
        unstaffed=[c.dispute_id for j, c in enumerate(joint) if plan.chosen[j] is None],
        objective=plan.objective / OBJECTIVE_SCALE,
        bound=plan.bound / OBJECTIVE_SCALE,
        proven_optimal=plan.proven,
        bound_sources={k: v / OBJECTIVE_SCALE for k, v in plan.bound_sources.items()},
        worst_objective=None if worst is None else worst[0] / OBJECTIVE_SCALE,
        worst_dispute=None if worst is None else worst[1],
        worst_bound=None if not joint else min(c.upper or 0 for c in joint) / OBJECTIVE_SCALE,
        quotas=quota_reports(seats, config.quotas),
        concentration_top15=concentration(seats, 15),
        joint_infeasibility=plan.diagnosis,
        columns=plan.columns,
        rounds=plan.rounds,
        exact_rounds=plan.exact_rounds,
        lp_value=None if plan.lp_value is None else plan.lp_value / OBJECTIVE_SCALE,
        seconds=seconds,
        fair=config.fair,
        timeouts=[c.dispute_id for c in candidates if c.status == Status.TIMEOUT],
    )
    log.info(
        "batch of %d disputes: %d staffed, objective %s, bound %s, %.1f s",
        len(results), sum(1 for r in results if r.panels), summary.objective, summary.bound, time.perf_counter() - clock,
    )  # fmt: skip
    return BatchOutcome(
        results=results,
        seats=seats,
        summary=summary,
        rule_set=rule_set,
        config=config,
        seed=config.seed,
        inputs_sha256=dict(ws.data.inputs_sha256),
        started_at=started_at,
        wall_seconds=time.perf_counter() - clock,
    )
