"""The panel service: propose panels for a dispute, check proposed panels, answer "why not X".

This is the library's front door for the command line and the app; it ties together encoding,
the solver, the rule checker, explanations and the diagnosis, and returns plain results.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from matching.core.config import Locks, SolveConfig
from matching.core.domain import Role
from matching.core.status import Status
from matching.io.results import DisputeResult, ProposedPanel, Seat
from matching.io.rulesets import COMPONENTS, RuleSet
from matching.panel.diagnosis import diagnose
from matching.panel.explain import disclosures, why
from matching.panel.model import PanelSolution, solve_instance
from matching.rules.checker import Breach, DisputeView, panel_breaches, rule_ids
from matching.rules.encoding import PanelInstance, encode
from matching.rules.recheck import recheck
from matching.rules.scoring import OBJECTIVE_SCALE, Scores
from matching.rules.workspace import Workspace

log = logging.getLogger(__name__)


def _panel(
    view: DisputeView, inst: PanelInstance, sol: PanelSolution, rank: int, best: Scores | None, proven: bool
) -> ProposedPanel:
    seats = tuple(
        Seat(inst.mediators[i].mediator_id, Role.CHAIR if i == sol.chair else Role.MEMBER) for i in sol.members
    )
    return ProposedPanel(
        rank=rank,
        members=seats,
        objective=sol.scores.objective,
        scores=sol.scores.components(),
        disclosures=tuple(disclosures(view, inst, sol.members)),
        why=tuple(why(view, inst, sol.members, sol.chair, sol.scores, best, rank, proven)),
    )


def propose(
    ws: Workspace,
    dispute_id: str,
    rule_set: RuleSet,
    config: SolveConfig | None = None,
    locks: Locks | None = None,
    extra_load: Mapping[str, int] | None = None,
) -> DisputeResult:
    """Ranked candidate panels for one dispute, with proof status, explanations and diagnosis."""
    config = config or SolveConfig()
    locks = locks or Locks()
    for mid in [*locks.include, *locks.exclude, *([locks.chair] if locks.chair else [])]:
        ws.check_mediator(mid)
    view = ws.view(ws.dispute(dispute_id), rule_set, extra_load)
    inst = encode(ws, view)
    outcome = solve_instance(inst, config, locks)
    for sol in outcome.panels:
        recheck(view, [inst.mediators[i] for i in sol.members], inst.mediators[sol.chair], "solver")
    result = DisputeResult(
        dispute_id=dispute_id,
        status=outcome.status,
        objective=None if outcome.objective_int is None else outcome.objective_int / OBJECTIVE_SCALE,
        best_bound=None if outcome.bound_int is None else outcome.bound_int / OBJECTIVE_SCALE,
        eligible=inst.n,
        model_size=outcome.model_size,
        seconds=outcome.wall_seconds,
        config=config,
        locks=locks,
        extra_load={mid: n for mid, n in (extra_load or {}).items() if n},
    )
    best = outcome.panels[0].scores if outcome.panels else None
    proven = outcome.status == Status.OPTIMAL
    result.panels = [_panel(view, inst, sol, r, best, proven) for r, sol in enumerate(outcome.panels, start=1)]
    if outcome.status == Status.INFEASIBLE:
        result.infeasibility = diagnose(ws, view, locks, config).as_dict()
    log.info(
        "%s: %s, %d panel(s), objective %s, bound %s, %d of %d mediators modelled, %.2f s",
        dispute_id, result.status, len(result.panels), result.objective, result.best_bound,
        outcome.model_size, inst.n, outcome.wall_seconds,
    )  # fmt: skip
    return result


@dataclass
class PanelCheck:
    """A proposed panel checked against the hard rules and scored on the solver's scale."""

    dispute_id: str
    members: list[str]
    breaches: list[Breach] = field(default_factory=list)
    scores: Scores | None = None

    @property
    def feasible(self) -> bool:
        return not self.breaches

    @property
    def violations(self) -> list[str]:
        return rule_ids(self.breaches)


def check_panel(
    ws: Workspace,
    dispute_id: str,
    members: Sequence[str],
    rule_set: RuleSet,
    extra_load: Mapping[str, int] | None = None,
) -> PanelCheck:
    """Check a panel (chair first) against every hard rule and score it like the solver would."""
    view = ws.view(ws.dispute(dispute_id), rule_set, extra_load)
    check = PanelCheck(dispute_id, list(members))
    unknown = [mid for mid in members if mid not in ws.data.mediators_by_id]
    if unknown:
        check.breaches = [Breach("H5", f"{mid} is not on the roster", mid) for mid in unknown]
        return check
    people = [ws.data.mediator(mid) for mid in members]
    chair = people[0] if people else None
    check.breaches = panel_breaches(view, people, chair)
    if len(members) == view.dispute.panel_size and len(set(members)) == len(members):
        arrays = ws.arrays
        only = [arrays.index[mid] for mid in members]
        inst = arrays.encode(view, include_ineligible=True, with_excluded=False, only=only)
        index = {m.mediator_id: i for i, m in enumerate(inst.mediators)}
        idx = [index[mid] for mid in members]
        check.scores = inst.evaluate(idx, idx[0])  # scored even when it breaks a rule, for comparison
    return check


@dataclass
class WhyNot:
    """Why a mediator is not on the best panel, under the registrar's locks.

    ``best_objective`` is the total score of the best panel under the same locks (the first candidate
    panel ``propose`` shows with them); ``forced_objective`` that of the best panel with the mediator
    added to the locks. ``names`` maps the ids the answer mentions to the mediators' names.
    """

    mediator_id: str
    dispute_id: str
    breaches: list[Breach] = field(default_factory=list)
    on_best_panel: bool = False
    best_objective: float | None = None
    forced_objective: float | None = None
    replaces: list[str] = field(default_factory=list)
    forced_panel: list[str] = field(default_factory=list)
    diagnosis: dict[str, list[str]] | None = None
    locks: Locks = field(default_factory=Locks)
    names: dict[str, str] = field(default_factory=dict)

    @property
    def excluded_by_lock(self) -> bool:
        return self.mediator_id in self.locks.exclude

    @property
    def locked_in(self) -> bool:
        return self.mediator_id in self.locks.include

    @property
    def drop(self) -> float | None:
        if self.best_objective is None or self.forced_objective is None:
            return None
        return self.best_objective - self.forced_objective

    def who(self, mediator_id: str) -> str:
        """``Name (M0042)``, or the id alone when the name is not known."""
        name = self.names.get(mediator_id)
        return f"{name} ({mediator_id})" if name else mediator_id

    def sentences(self) -> list[str]:
        who = self.who(self.mediator_id)
        if self.excluded_by_lock:
            return [
                f"{who} is excluded by your lock, so no panel for {self.dispute_id} includes them. "
                "Release the lock to see what including them would cost."
            ]
        if self.breaches:
            short = self.names.get(self.mediator_id, self.mediator_id)
            return [f"{who} cannot sit on {self.dispute_id}: {short} {b.reason} ({b.rule})." for b in self.breaches]
        with_locks = " with your locks" if self.locks.any else ""
        if self.locked_in:
            return [f"{who} is locked onto every panel for {self.dispute_id}, so they sit on the best panel."]
        if self.on_best_panel:
            return [f"{who} is on the best panel for {self.dispute_id}{with_locks}."]
        if self.forced_objective is None:
            lines = [f"{who} meets every rule alone, but no panel{with_locks} that includes them keeps all the rules."]
            if self.diagnosis:
                lines.append("Rules in the way: " + ", ".join(self.diagnosis["conflicting_rules"]) + ".")
                lines.extend(self.diagnosis["suggestions"])
            return lines
        best = "the best panel" + (" with your locks" if self.locks.any else "") + " (panel 1 on the cards)"
        return [
            f"The best panel{with_locks} that includes {who} has a total score of {self.forced_objective:.4f}, "
            f"against {self.best_objective:.4f} for {best}: {self.drop:.4f} lower.",
            f"{who} would replace {', '.join(self.who(m) for m in self.replaces)}; that panel would be "
            f"{', '.join(self.who(m) for m in self.forced_panel)} (chair first).",
        ]


def why_not(
    ws: Workspace,
    dispute_id: str,
    mediator_id: str,
    rule_set: RuleSet,
    config: SolveConfig | None = None,
    extra_load: Mapping[str, int] | None = None,
    locks: Locks | None = None,
) -> WhyNot:
    """The rules the mediator breaks for this dispute, or what including them would cost.

    ``locks`` are the registrar's: a mediator they exclude is said to be excluded by the lock, and the
    cost is measured against the best panel under the same locks (the one ``propose`` shows first).
    """
    config = config or SolveConfig()
    locks = locks or Locks()
    for mid in [mediator_id, *locks.include, *locks.exclude, *([locks.chair] if locks.chair else [])]:
        ws.check_mediator(mid)
    view = ws.view(ws.dispute(dispute_id), rule_set, extra_load)
    answer = WhyNot(mediator_id, dispute_id, breaches=ws.arrays.breaches(view, mediator_id), locks=locks)
    answer.names[mediator_id] = ws.data.mediator(mediator_id).name
    if answer.excluded_by_lock or answer.breaches:
        return answer
    single = SolveConfig(candidates=1, time_limit=config.time_limit, seed=config.seed, workers=config.workers)
    inst = encode(ws, view)
    best = solve_instance(inst, single, locks)
    best_ids: list[str] = []
    if best.panels:
        best_ids = [inst.mediators[i].mediator_id for i in best.panels[0].members]
        answer.best_objective = best.panels[0].scores.objective
        if mediator_id in best_ids:
            answer.on_best_panel = True
            return answer
    if answer.locked_in:  # locked in, yet no panel keeps the locks: the diagnosis below says why
        answer.on_best_panel = bool(best.panels)
        if best.panels:
            return answer
    with_mediator = Locks(include=locks.include | {mediator_id}, exclude=locks.exclude, chair=locks.chair)
    forced = solve_instance(inst, single, with_mediator)
    if forced.panels:
        forced_ids = [inst.mediators[i].mediator_id for i in forced.panels[0].members]
        answer.forced_objective = forced.panels[0].scores.objective
        answer.forced_panel = forced_ids
        answer.replaces = [mid for mid in best_ids if mid not in forced_ids]
        answer.names |= {mid: ws.data.mediator(mid).name for mid in [*best_ids, *forced_ids]}
    else:
        answer.diagnosis = diagnose(ws, view, with_mediator, single).as_dict()
        own = inst.index_of(mediator_id)
        if own is not None and not inst.chair_ok[own] and inst.k == 1:
            answer.diagnosis["suggestions"].insert(
                0, f"{answer.who(mediator_id)} cannot chair, and a sole mediator must."
            )
    return answer


def scored_row(check: PanelCheck) -> dict[str, str]:
    row = {
        "dispute_id": check.dispute_id,
        "members": ";".join(check.members),
        "feasible": "true" if check.feasible else "false",
        "violations": ";".join(check.violations),
        "objective": "" if check.scores is None else f"{check.scores.objective:.6f}",
        "reasons": " | ".join(
            f"{b.rule}: {b.mediator_id + ' ' if b.mediator_id else ''}{b.reason}" for b in check.breaches
        ),
    }
    components = check.scores.components() if check.scores else {}
    for c in COMPONENTS:
        row[c] = f"{components[c]:.4f}" if c in components else ""
    return row
