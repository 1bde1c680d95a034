"""The panel lottery for one dispute: a fair, verifiable draw among all acceptable panels.

A deterministic optimum is predictable, so it can be lobbied for, and the same few mediators
win every close call. The lottery instead gives every acceptable panel a probability:

* **acceptable** panels keep every hard rule and score at least
  ``optimum - (1 - floor) * |optimum|`` on the solver's integer objective (``floor`` 0.95 by
  default; 1 keeps only the optimal panels, among which the lottery then spreads the chances);
* the distribution is **leximin** over the eligible mediators (those who pass the individual
  rules for the dispute): the smallest selection probability as large as possible, then the
  next, and so on (``matching.lottery``); eligible mediators in no acceptable panel get 0;
* it is rounded to M equally likely **tickets** (1,000 by default), listed in canonical order,
  and a seeded draw picks one: ``numpy.random.default_rng(seed).integers(0, M)`` (see
  ``matching.lottery.DRAW_RULE``). The ticket list depends on the inputs only, so it can be
  published before the seed is chosen (for example from a public dice roll), and anyone
  re-running with the same inputs and seed gets the same panel.

The registrar's **locks** (``matching.solver.Locks``) narrow the lottery to the panels that keep
them: the optimum behind the floor is the optimum under the locks (``solve_instance`` with the
same locks, as a locked solver run), the pricing model carries the same locks, excluded mediators
stay listed with probability 0, and a locked-in mediator (or locked chair) sits on every panel, so
their probability is 1. Locks that leave no panel give the ``infeasible`` status, as for a dispute
without any panel. The locks that applied are written into ``DisputeLottery.as_dict``.

The pricing oracle is the solver's own CP-SAT panel model (``matching.solver.PanelModel``) with
the objective floor and the locks added as constraints, over the mediators whose upper bound
(``matching.solver.upper_bounds``) reaches the floor (locked-in mediators are always kept, excluded
ones never); every panel in the support is checked again with the independent checker
``matching.rules.panel_breaches``, against the locks one by one, and rescored with
``PanelInstance.evaluate``. Each panel's chair is the locked chair if there is one, otherwise its
best chair (``matching.solver.best_chair``).
``dispute_lottery`` returns plain data for the command line and the app.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from matching.domain import Role
from matching.encoding import PanelInstance, encode
from matching.lottery import (
    DRAW_RULE,
    METHODS,
    Lottery,
    Panel,
    Pricing,
    Restriction,
    Tickets,
    cpsat_best,
    draw_ticket,
    round_to_tickets,
    solve,
)
from matching.results import Seat
from matching.rules import DisputeView, panel_breaches
from matching.rulesets import RuleSet
from matching.scoring import OBJECTIVE_SCALE
from matching.solver import (
    DEFAULT_TIME_LIMIT,
    Locks,
    PanelModel,
    SolveConfig,
    best_chair,
    locked_indices,
    order_panel,
    solve_instance,
    upper_bounds,
)
from matching.workspace import Workspace

DEFAULT_FLOOR = 0.95
DEFAULT_TICKETS = 1000
LINEARIZATION: int | None = 2


def objective_threshold(optimum: int, floor: float) -> int:
    """The smallest integer objective at least ``optimum - (1 - floor) * |optimum|``, computed exactly
    (``floor`` is read as the decimal it prints as, so 0.95 means 19/20)."""
    share = Fraction(repr(float(floor)))
    return math.ceil(optimum - (1 - share) * abs(optimum))


class DisputePanelOracle:
    """Pricing oracle over the acceptable panels of one dispute.

    Agents ``0..n-1`` are the mediators ``pool`` (indices into the instance), in mediator-id order.
    Every panel the model can give keeps ``locks``; ``problems`` checks them again on its own.
    """

    def __init__(
        self,
        inst: PanelInstance,
        view: DisputeView,
        pool: list[int],
        threshold: int,
        config: SolveConfig,
        locks: Locks | None = None,
    ) -> None:
        self.inst = inst
        self.view = view
        self.pool = pool
        self.threshold = threshold
        self.config = config
        self.locks = locks or Locks()
        self.panel_model = PanelModel(inst, sorted(pool), self.locks, objective=lambda v: 0)
        self.panel_model.model.add(self.panel_model.vars.weighted(inst) >= threshold)
        self.x = [self.panel_model.x[i] for i in pool]

    @property
    def n(self) -> int:
        return len(self.pool)

    @property
    def size(self) -> int:
        return self.inst.k

    def best(self, weights: np.ndarray, restriction: Restriction | None = None) -> Pricing:
        return cpsat_best(
            self.panel_model.model,
            self.x,
            weights,
            restriction,
            seed=self.config.seed,
            time_limit=self.config.time_limit,
            linearization_level=LINEARIZATION,
        )

    def restrict(self, agents: list[int]) -> None:
        """Fix everybody outside ``agents`` to 0: the engine proved they are in no acceptable panel, and
        the pricing problems get smaller (measured on the demo dispute D002: about 30% less CP-SAT time)."""
        keep = set(agents)
        for a, var in enumerate(self.x):
            if a not in keep:
                self.panel_model.model.add(var == 0)

    def members(self, panel: Panel) -> list[int]:
        return [self.pool[a] for a in panel]

    def chair(self, idx: list[int]) -> int | None:
        """The panel's chair: the locked chair when there is one and it may chair, otherwise the best."""
        if self.locks.chair is None:
            return best_chair(self.inst, idx)
        locked = next((i for i in idx if self.inst.mediators[i].mediator_id == self.locks.chair), None)
        return locked if locked is not None and self.inst.chair_ok[locked] else None

    def problems(self, panel: Panel) -> list[str]:
        idx = self.members(panel)
        ids = {self.inst.mediators[i].mediator_id for i in idx}
        out = [f"locks: {mid} is locked in but not on the panel" for mid in sorted(self.locks.include - ids)]
        out += [f"locks: {mid} is excluded but on the panel" for mid in sorted(self.locks.exclude & ids)]
        chair = self.chair(idx)
        if chair is None:
            locked = self.locks.chair
            out.append(f"locks: the locked chair {locked} cannot chair this panel" if locked else "no member may chair")
            return out
        people = [self.inst.mediators[i] for i in idx]
        out += [f"{b.rule}: {b.reason}" for b in panel_breaches(self.view, people, self.inst.mediators[chair])]
        score = self.inst.evaluate(idx, chair).objective_int
        if score < self.threshold:
            out.append(f"objective {score} is below the floor {self.threshold}")
        return out


@dataclass(frozen=True)
class LotteryPanel:
    members: tuple[Seat, ...]  # chair first
    probability: Fraction
    objective: float
    tickets: int
    first_ticket: int

    @property
    def member_ids(self) -> list[str]:
        return [s.mediator_id for s in self.members]

    def as_dict(self) -> dict[str, Any]:
        return {
            "members": [{"mediator_id": s.mediator_id, "role": s.role.value} for s in self.members],
            "probability": float(self.probability),
            "probability_exact": str(self.probability),
            "objective": self.objective,
            "tickets": self.tickets,
            "first_ticket": self.first_ticket,
        }


@dataclass
class DisputeLottery:
    """A dispute's panel lottery as plain data (see the module docstring)."""

    dispute_id: str
    status: str  # of the optimum: optimal | feasible | infeasible | timeout
    method: str
    floor: float
    seed: int
    tickets: int
    optimum: float | None = None
    threshold: float | None = None
    probabilities: dict[str, Fraction] = field(default_factory=dict)  # every eligible mediator
    panels: list[LotteryPanel] = field(default_factory=list)  # canonical order, as the tickets run
    drawn_ticket: int | None = None
    drawn: LotteryPanel | None = None
    minimum: Fraction | None = None  # smallest probability among mediators in some acceptable panel
    upper_bound: Fraction | None = None  # certified upper bound on that minimum
    max_ticket_deviation: Fraction | None = None
    proven: bool = True
    in_some_panel: int = 0
    seconds: float = 0.0
    locks: Locks = field(default_factory=Locks)  # the registrar's locks every panel keeps

    @property
    def eligible(self) -> int:
        return len(self.probabilities)

    def as_dict(self) -> dict[str, Any]:
        return {
            "dispute_id": self.dispute_id,
            "status": self.status,
            "method": self.method,
            "floor": self.floor,
            "optimum": self.optimum,
            "threshold": self.threshold,
            "eligible": self.eligible,
            "in_some_panel": self.in_some_panel,
            "probabilities": {mid: float(p) for mid, p in self.probabilities.items()},
            "minimum_probability": None if self.minimum is None else float(self.minimum),
            "minimum_probability_exact": None if self.minimum is None else str(self.minimum),
            "certified_upper_bound": None if self.upper_bound is None else str(self.upper_bound),
            "proven": self.proven,
            "panels": [p.as_dict() for p in self.panels],
            "tickets": self.tickets,
            "max_ticket_deviation": None if self.max_ticket_deviation is None else float(self.max_ticket_deviation),
            "seed": self.seed,
            "draw_rule": DRAW_RULE,
            "drawn": None if self.drawn is None else {"ticket": self.drawn_ticket, **self.drawn.as_dict()},
            # The form a recorded decision stores its locks in (matching.store.decision_from_panel).
            "locks": {
                "include": sorted(self.locks.include),
                "exclude": sorted(self.locks.exclude),
                "chair": self.locks.chair,
            },
        }


def dispute_lottery(
    ws: Workspace,
    dispute_id: str,
    rule_set: RuleSet,
    floor: float = DEFAULT_FLOOR,
    seed: int = 0,
    tickets: int = DEFAULT_TICKETS,
    method: str = "leximin",
    config: SolveConfig | None = None,
    locks: Locks | None = None,
) -> DisputeLottery:
    """The fair lottery over the acceptable panels of one dispute that keep ``locks``, its tickets and
    the seeded draw. A lock naming a mediator not on the roster raises ``UnknownIdError``; locks that
    leave no panel give the ``infeasible`` status."""
    if not 0 <= floor <= 1:
        raise ValueError("floor must be between 0 and 1")
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; one of {', '.join(METHODS)}")
    if tickets < 1:
        raise ValueError("tickets must be at least 1")
    locks = locks or Locks()
    for mid in sorted(locks.include | locks.exclude | ({locks.chair} if locks.chair else set())):
        ws.check_mediator(mid)
    started = time.perf_counter()
    config = config or SolveConfig(candidates=1, time_limit=DEFAULT_TIME_LIMIT, seed=0)
    view = ws.view(ws.dispute(dispute_id), rule_set)
    inst = encode(ws, view)
    ids = inst.ids
    result = DisputeLottery(dispute_id, "infeasible", method, floor, seed, tickets, locks=locks)
    result.probabilities = {mid: Fraction(0) for mid in sorted(ids)}
    best = solve_instance(inst, SolveConfig(candidates=1, time_limit=config.time_limit, seed=config.seed), locks)
    result.status = best.status
    if best.objective_int is None or not best.panels:
        result.seconds = time.perf_counter() - started
        return result
    threshold = objective_threshold(best.objective_int, floor)
    result.optimum = best.objective_int / OBJECTIVE_SCALE
    result.threshold = threshold / OBJECTIVE_SCALE
    everyone = [i for i in range(inst.n) if ids[i] not in locks.exclude]
    bounds = upper_bounds(inst, everyone) if everyone else np.zeros(0)
    # The bounds ignore the locks, so they stay valid under them; locked-in mediators are kept anyway.
    reach = {i for i, bound in zip(everyone, bounds, strict=True) if bound >= threshold}
    protected = locked_indices({mid: i for i, mid in enumerate(ids)}, locks)
    pool = sorted(reach | set(protected), key=lambda i: ids[i])
    oracle = DisputePanelOracle(inst, view, pool, threshold, config, locks)
    lottery = solve(oracle, method)
    ticket_list = round_to_tickets(lottery, tickets)
    result.proven = lottery.proven and best.status == "optimal"
    result.minimum, result.upper_bound = lottery.minimum, lottery.upper_bound
    result.in_some_panel = len(lottery.covered)
    result.max_ticket_deviation = max(ticket_list.deviations(lottery.marginals), default=Fraction(0))
    for a, p in enumerate(lottery.marginals):
        result.probabilities[ids[pool[a]]] = p
    result.panels = _panels(inst, oracle, lottery, ticket_list)
    result.drawn_ticket = draw_ticket(ticket_list.m, seed)
    result.drawn = result.panels[ticket_list.panel_of(result.drawn_ticket)]
    result.seconds = time.perf_counter() - started
    return result


def _panels(inst: PanelInstance, oracle: DisputePanelOracle, lottery: Lottery, tickets: Tickets) -> list[LotteryPanel]:
    out = []
    for j, (panel, prob) in enumerate(zip(lottery.panels, lottery.probabilities, strict=True)):
        idx = oracle.members(panel)
        chair = oracle.chair(idx)
        assert chair is not None  # checked by the oracle's problems()
        seats = tuple(
            Seat(inst.mediators[i].mediator_id, Role.CHAIR if i == chair else Role.MEMBER)
            for i in order_panel(inst, idx, chair)
        )
        out.append(
            LotteryPanel(
                members=seats,
                probability=prob,
                objective=inst.evaluate(idx, chair).objective,
                tickets=tickets.counts[j],
                first_ticket=tickets.first_ticket(j),
            )
        )
    return out
