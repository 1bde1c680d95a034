"""Trade-off explorer: the exact frontier between expertise and impartiality, and what each step costs.

**Impartiality** is defined once, here: the mean of the panel's neutrality and diversity scores
(``(neutrality + diversity) / 2``, 0..1) for panels of two or more; for a sole mediator, where
diversity means nothing, it is the neutrality score. Both components stay visible in
``scores``. **Expertise** is the ``expertise`` score component, as in ``score`` and ``solve``.

The frontier is computed exactly by the epsilon-constraint method: for a floor ``e`` on
impartiality, the best expertise with impartiality at least ``e``, then the best impartiality
at that expertise (so every point is undominated). A solve at floor ``e`` returning a panel of
impartiality ``I`` proves there is no other frontier point with impartiality in ``[e, I]``;
floors are chosen so that these intervals cover the whole range between the best-expertise and
the most impartial panel. The floors of one round are independent solves and run through a
``concurrent.futures`` executor (threads by default: CP-SAT releases the interpreter lock; a
process pool or a Dask executor works the same way).

Each point carries the expertise given up against the best-expertise panel ("price of
neutrality"), who joins and leaves against its neighbour, and the range of the ratio
``r = impartiality weight / expertise weight`` under which it is the optimum of
``expertise + r * (neutrality + diversity)`` (from the frontier's upper convex hull; points
inside the hull are optimal for no ratio). ``sensitivity`` says how far each weight of the rule
set can move before the best panel changes, and to which panel.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

import numpy as np

from matching.core.config import Budget, Locks, SolveConfig
from matching.core.domain import Role
from matching.core.progress import Advance, CancelToken, ProgressFactory, silent_progress, stop_asked
from matching.core.status import Status
from matching.io.results import Seat, seats_json
from matching.io.rulesets import COMPONENTS, RuleSet
from matching.panel.model import PanelModel, PanelVars, best_chair, locked_indices, order_panel, reduce, solve_instance
from matching.rules.checker import DisputeView
from matching.rules.encoding import PanelInstance, encode
from matching.rules.kernel import members_lean
from matching.rules.recheck import recheck
from matching.rules.scoring import CHAIR_SHARES, SCORE_SCALE, WEIGHT_SCALE, Scores
from matching.rules.workspace import Workspace

IMPARTIALITY_SCALE = 2 * SCORE_SCALE
MAX_ROUNDS = 200  # a frontier has far fewer points; this only guards against a bug looping
# The frontier's budget: rounds of solves (each solve has its own deterministic limit, SolveConfig.time_limit).
FRONTIER_BUDGET = Budget(rounds=MAX_ROUNDS)
STOPPED_BY_USER = "cancelled"  # Frontier.stopped: the user asked to stop
STOPPED_BY_BUDGET = "budget"  # Frontier.stopped: the rounds ran out with levels still uncovered


def impartiality_int(k: int, scores: Scores) -> int:
    """Impartiality on ``IMPARTIALITY_SCALE`` (see the module docstring)."""
    return 2 * scores.neutrality if k == 1 else scores.neutrality + scores.diversity


def impartiality(panel_size: int, components: Mapping[str, float]) -> float:
    """Impartiality (0..1) of any panel from its score components, e.g. ``ProposedPanel.scores``."""
    if panel_size == 1:
        return components["neutrality"]
    return (components["neutrality"] + components["diversity"]) / 2


def _impartiality_expr(k: int, v: PanelVars) -> Any:
    neutrality, diversity = v.components["neutrality"], v.components["diversity"]
    return 2 * neutrality if k == 1 else neutrality + diversity


@dataclass(frozen=True)
class _Raw:
    """A frontier panel as the workers return it: indices and integer values."""

    members: tuple[int, ...]
    chair: int
    expertise: int
    impartiality: int


def _lexicographic(
    inst: PanelInstance, idx: list[int], locks: Locks, floor: int | None, impartial_first: bool, config: SolveConfig
) -> _Raw | None:
    """Best panel for one objective, then the other at that level (two CP-SAT solves)."""

    def expertise(v: PanelVars) -> Any:
        return v.components["expertise"]

    def impartiality(v: PanelVars) -> Any:
        return _impartiality_expr(inst.k, v)

    first, second = (impartiality, expertise) if impartial_first else (expertise, impartiality)
    model = PanelModel(inst, idx, locks, objective=first)
    if floor is not None:
        model.model.add(impartiality(model.vars) >= floor)
    _, sol, objective, _ = model.solve(config)
    if sol is None or objective is None:
        return None
    # The first objective's value is reached by its own best chair; keep it while optimising the second.
    model.model.add(first(model.vars) >= objective)
    model.model.maximize(second(model.vars))
    for i in idx:
        model.model.add_hint(model.x[i], i in sol.members)
    _, sol2, _, _ = model.solve(config)
    final = sol2 or sol
    chair = best_chair(inst, final.members) if not locks.chair else final.chair
    assert chair is not None
    scores = inst.evaluate(final.members, chair)
    return _Raw(
        tuple(order_panel(inst, final.members, chair)), chair, scores.expertise, impartiality_int(inst.k, scores)
    )


@dataclass(frozen=True)
class FrontierPoint:
    members: tuple[Seat, ...]
    axes: dict[str, float]
    scores: dict[str, float]
    objective: float
    price_of_neutrality: float
    joins: list[str]
    leaves: list[str]
    weight_range: tuple[float, float | None] | None

    @property
    def member_ids(self) -> list[str]:
        return [s.mediator_id for s in self.members]

    def as_dict(self) -> dict[str, Any]:
        return {
            "members": seats_json(self.members),
            "axes": self.axes,
            "scores": self.scores,
            "objective": self.objective,
            "price_of_neutrality": self.price_of_neutrality,
            "joins": self.joins,
            "leaves": self.leaves,
            "weight_range": None
            if self.weight_range is None
            else {"min_ratio": self.weight_range[0], "max_ratio": self.weight_range[1]},
        }


@dataclass
class Frontier:
    dispute_id: str
    points: list[FrontierPoint] = field(default_factory=list)
    solves: int = 0
    seconds: float = 0.0
    model_size: int = 0
    # Why the tracing was cut short (STOPPED_BY_USER, STOPPED_BY_BUDGET), None when it covered every level. The
    # points of a stopped frontier are frontier points all the same (each solve proves its own), but there may
    # be others between them that were not looked for.
    stopped: str | None = None
    uncovered: int = 0  # impartiality levels (on IMPARTIALITY_SCALE) not yet covered by a solve when stopped

    def as_dict(self) -> dict[str, Any]:
        return {
            "dispute_id": self.dispute_id,
            "definition": "impartiality = (neutrality + diversity) / 2 (neutrality alone for a sole mediator); "
            "weight_range: ratio of the weight on neutrality and diversity to the weight on expertise",
            "points": [p.as_dict() for p in self.points],
            **({"stopped": self.stopped, "uncovered_levels": self.uncovered} if self.stopped else {}),
        }


def _frontier_pool(inst: PanelInstance, locks: Locks, config: SolveConfig) -> list[int]:
    """The mediators the frontier's solves look at: all but the excluded, thinned by the dominance
    reduction for expertise (exact for every frontier point, and under any lean cap, since the reduction
    keeps mediators of different alignment apart)."""
    by_id = {m.mediator_id: i for i, m in enumerate(inst.mediators)}
    protected = locked_indices(by_id, locks)
    pool = [i for i in range(inst.n) if inst.mediators[i].mediator_id not in locks.exclude]
    return reduce(inst, 1, pool, protected, values=_frontier_values(inst)) if config.reduce else pool


def _frontier_values(inst: PanelInstance) -> tuple[np.ndarray, np.ndarray]:
    expertise = inst.expertise_coef.astype(np.int64)
    return expertise, expertise * CHAIR_SHARES


def _cover(
    run: Callable[[list[int]], list[_Raw | None]],
    low: int,
    high: int,
    workers: int,
    advance: Advance,
    rounds: int = MAX_ROUNDS,
    cancel: CancelToken | None = None,
) -> tuple[list[_Raw], int, list[tuple[int, int]]]:
    """Solve floors until every impartiality level in [low, high] is covered by some solve, for at most
    ``rounds`` rounds or until ``cancel`` asks to stop (checked between rounds); returns the panels, the
    solves and the gaps left."""
    found: list[_Raw] = []
    gaps = [(low, high)] if low <= high else []
    solves = 0
    for _ in range(rounds):
        if not gaps or stop_asked(cancel):
            break
        per_gap = max(1, workers // len(gaps))
        floors: list[int] = []
        for lo, hi in gaps:
            step = max(1, (hi - lo + 1) // per_gap)
            floors.extend(range(lo, hi + 1, step)[:per_gap])
        results = run(floors)
        solves += len(floors)
        reach = dict(zip(floors, results, strict=True))
        new_gaps = []
        for lo, hi in gaps:
            cursor = lo
            for f in sorted(x for x in floors if lo <= x <= hi):
                if f > cursor:
                    new_gaps.append((cursor, f - 1))
                raw = reach[f]
                if raw is None:  # nothing at or above this floor: the rest of the gap is empty
                    cursor = hi + 1
                    break
                found.append(raw)
                cursor = max(cursor, raw.impartiality + 1)
            if cursor <= hi:
                new_gaps.append((cursor, hi))
        advance(sum(hi - lo + 1 for lo, hi in gaps) - sum(hi - lo + 1 for lo, hi in new_gaps))
        gaps = new_gaps
    return found, solves, gaps


def _hull_ranges(values: list[tuple[int, int]]) -> list[tuple[Fraction, Fraction | None] | None]:
    """For points (expertise, impartiality) sorted by expertise descending: the range of the ratio
    r for which each maximises expertise + r * impartiality (None when it never does)."""
    # Upper hull in the (impartiality, expertise) plane, impartiality ascending.
    order = list(range(len(values)))
    hull: list[int] = []
    for i in order:
        while len(hull) >= 2:
            a, b = values[hull[-2]], values[hull[-1]]
            c = values[i]
            # b lies on or below the segment a-c: drop it (cross product in the (I, E) plane)
            cross = (b[1] - a[1]) * (c[0] - a[0]) - (b[0] - a[0]) * (c[1] - a[1])
            if cross >= 0:
                hull.pop()
            else:
                break
        hull.append(i)
    ranges: list[tuple[Fraction, Fraction | None] | None] = [None] * len(values)
    for pos, i in enumerate(hull):
        lo = Fraction(0)
        hi: Fraction | None = None
        if pos > 0:
            p = values[hull[pos - 1]]
            lo = Fraction(p[0] - values[i][0], values[i][1] - p[1])
        if pos + 1 < len(hull):
            q = values[hull[pos + 1]]
            hi = Fraction(values[i][0] - q[0], q[1] - values[i][1])
        ranges[i] = (lo, hi)
    return ranges


def frontier(
    ws: Workspace,
    dispute_id: str,
    rule_set: RuleSet,
    config: SolveConfig | None = None,
    locks: Locks | None = None,
    executor: Executor | None = None,
    extra_load: Mapping[str, int] | None = None,
    progress: ProgressFactory | None = None,
    budget: Budget | None = None,
    cancel: CancelToken | None = None,
) -> Frontier:
    """The exact expertise-impartiality frontier of one dispute, best expertise first.

    ``extra_load`` counts appointments recorded since the input files against capacity;
    ``progress`` counts the impartiality levels between the two ends that the solves have covered.
    The tracing takes at most ``budget.rounds`` rounds of solves (``FRONTIER_BUDGET``), each solve
    within its deterministic limit, and stops between rounds when ``cancel`` asks to: the points
    found so far (at least the two ends) are kept and ``Frontier.stopped`` says why."""
    config = config or SolveConfig()
    locks = locks or Locks()
    started = time.perf_counter()
    view = ws.view(ws.dispute(dispute_id), rule_set, extra_load)
    inst = encode(ws, view)
    idx = _frontier_pool(inst, locks, config)
    result = Frontier(dispute_id, model_size=len(idx))

    best_expertise = _lexicographic(inst, idx, locks, None, False, config)
    most_impartial = _lexicographic(inst, idx, locks, None, True, config)
    result.solves = 4
    if best_expertise is None or most_impartial is None:
        result.seconds = time.perf_counter() - started
        return result

    own = executor or ThreadPoolExecutor(max_workers=2)
    workers = getattr(own, "_max_workers", 2)
    try:

        def run(floors: list[int]) -> list[_Raw | None]:
            futures = [own.submit(_lexicographic, inst, idx, locks, f, False, config) for f in floors]
            return [f.result() for f in futures]

        low, high = best_expertise.impartiality + 1, most_impartial.impartiality - 1
        rounds = (budget or FRONTIER_BUDGET).rounds or MAX_ROUNDS
        with (progress or silent_progress)(max(0, high - low + 1), "Tracing the frontier") as advance:
            middle, solves, gaps = _cover(run, low, high, workers, advance, rounds, cancel)
    finally:
        if executor is None:
            own.shutdown()
    result.solves += 2 * solves
    if gaps:
        result.stopped = STOPPED_BY_USER if stop_asked(cancel) else STOPPED_BY_BUDGET
        result.uncovered = sum(hi - lo + 1 for lo, hi in gaps)

    unique: dict[tuple[int, int], _Raw] = {}
    for raw in [best_expertise, *middle, most_impartial]:
        unique.setdefault((raw.expertise, raw.impartiality), raw)
    raws = sorted(unique.values(), key=lambda r: (-r.expertise, r.impartiality))
    raws = [r for r in raws if not any(_dominates(o, r) for o in raws)]
    ranges = _hull_ranges([(r.expertise, r.impartiality) for r in raws])
    top = raws[0].expertise
    previous: set[str] = set()
    for raw, rng in zip(raws, ranges, strict=True):
        ids = [inst.mediators[i].mediator_id for i in raw.members]
        recheck(view, [inst.mediators[i] for i in raw.members], inst.mediators[raw.chair], "trade-off explorer")
        scores = inst.evaluate(raw.members, raw.chair)
        result.points.append(
            FrontierPoint(
                members=tuple(
                    Seat(mid, Role.CHAIR if i == raw.chair else Role.MEMBER)
                    for mid, i in zip(ids, raw.members, strict=True)
                ),
                axes={"expertise": raw.expertise / SCORE_SCALE, "impartiality": raw.impartiality / IMPARTIALITY_SCALE},
                scores=scores.components(),
                objective=scores.objective,
                price_of_neutrality=(top - raw.expertise) / SCORE_SCALE,
                joins=sorted(set(ids) - previous) if previous else [],
                leaves=sorted(previous - set(ids)) if previous else [],
                weight_range=None if rng is None else (float(rng[0]), None if rng[1] is None else float(rng[1])),
            )
        )
        previous = set(ids)
    result.seconds = time.perf_counter() - started
    return result


def _dominates(a: _Raw, b: _Raw) -> bool:
    return (
        a.expertise >= b.expertise
        and a.impartiality >= b.impartiality
        and (a.expertise, a.impartiality)
        != (
            b.expertise,
            b.impartiality,
        )
    )


def frontier_weights(rule_set: RuleSet, k: int, ratio: float) -> RuleSet:
    """The weights under which the solver's objective is expertise + ratio * impartiality·2."""
    neutrality = 2 * ratio if k == 1 else ratio
    return rule_set.with_weights(
        expertise=1.0,
        neutrality=neutrality,
        diversity=0.0 if k == 1 else ratio,
        workload=0.0,
        preference=0.0,
        orange_penalty=0.0,
    )


# --- sensitivity of the chosen panel ----------------------------------------------------------

WEIGHT_LIMIT = 5.0  # how far up a weight is explored


@dataclass(frozen=True)
class WeightRange:
    component: str
    weight: float
    lower: float  # the best panel stays the best for weights down to this (0 = all the way)
    upper: float | None  # ... and up to this (None: at least up to weight + WEIGHT_LIMIT)
    panel_below: list[str] | None  # the panel that takes over below ``lower``
    panel_above: list[str] | None  # the panel that takes over above ``upper``

    def as_dict(self) -> dict[str, Any]:
        return {
            "component": self.component,
            "weight": self.weight,
            "lower": self.lower,
            "upper": self.upper,
            "panel_below": self.panel_below,
            "panel_above": self.panel_above,
        }


def _with_weight(inst: PanelInstance, name: str, value: int) -> PanelInstance:
    if name == "orange_penalty":
        return replace(inst, orange_weight=value)
    return replace(inst, weights={**inst.weights, name: value})


def _component(scores: Scores, name: str) -> int:
    return -SCORE_SCALE * scores.orange_members if name == "orange_penalty" else int(getattr(scores, name))


def _objective(inst: PanelInstance, scores: Scores) -> int:
    total = sum(inst.weights[c] * int(getattr(scores, c)) for c in COMPONENTS)
    return total - inst.orange_weight * SCORE_SCALE * scores.orange_members


def _edge(
    inst: PanelInstance, best: Sequence[int], name: str, direction: int, config: SolveConfig, locks: Locks
) -> tuple[Fraction | None, list[int] | None]:
    """Where, moving one weight (in hundredths) in ``direction``, another panel becomes better."""
    chair = best[0] if locks.chair else best_chair(inst, best)  # panels come chair first
    assert chair is not None
    ours = inst.evaluate(best, chair)
    current = inst.weights[name] if name != "orange_penalty" else inst.orange_weight
    limit = 0 if direction < 0 else current + round(WEIGHT_LIMIT * WEIGHT_SCALE)
    if limit == current:
        return None, None
    probe = limit
    rival: list[int] | None = None
    crossing: Fraction | None = None
    for _ in range(12):
        trial = _with_weight(inst, name, probe)
        out = solve_instance(trial, replace(config, candidates=1), locks)
        if not out.panels:
            break
        sol = out.panels[0]
        if set(sol.members) == set(best) or _objective(trial, sol.scores) <= _objective(trial, ours):
            break  # our panel is (still) a best panel at the probe
        slope = _component(sol.scores, name) - _component(ours, name)
        if slope * direction <= 0:
            break
        margin = _objective(inst, ours) - _objective(inst, sol.scores)
        point = Fraction(current) + Fraction(margin, slope)
        if crossing is not None and (point - crossing) * direction >= 0:
            break  # no earlier crossing than the one we have
        crossing, rival = point, list(sol.members)
        nxt = int(np.ceil(float(point))) if direction > 0 else int(np.floor(float(point)))
        if nxt == probe:
            break
        probe = nxt
    return crossing, rival


def sensitivity(
    ws: Workspace,
    dispute_id: str,
    rule_set: RuleSet,
    config: SolveConfig | None = None,
    locks: Locks | None = None,
    extra_load: Mapping[str, int] | None = None,
    progress: ProgressFactory | None = None,
    cancel: CancelToken | None = None,
) -> list[WeightRange]:
    """For each weight, how far it can move (others fixed) before the best panel changes.

    ``progress`` counts the weights done; when ``cancel`` asks to stop (checked between weights),
    the ranges of the weights done so far are returned, each of them exact."""
    config = config or SolveConfig()
    locks = locks or Locks()
    view = ws.view(ws.dispute(dispute_id), rule_set, extra_load)
    inst = encode(ws, view)
    base = solve_instance(inst, replace(config, candidates=1), locks)
    if not base.panels:
        return []
    best = list(base.panels[0].members)
    names = (*COMPONENTS, "orange_penalty")
    with (progress or silent_progress)(len(names), "Moving each weight in turn") as advance:
        out = []
        for name in names:
            if stop_asked(cancel):
                break
            out.append(_weight_range(view, inst, best, rule_set, name, config, locks))
            advance()
    return out


def _weight_range(
    view: DisputeView,
    inst: PanelInstance,
    best: list[int],
    rule_set: RuleSet,
    name: str,
    config: SolveConfig,
    locks: Locks,
) -> WeightRange:
    """How far one weight can move, down and up, before ``best`` stops being the best panel."""
    down, below = _edge(inst, best, name, -1, config, locks)
    up, above = _edge(inst, best, name, +1, config, locks)
    for panel in (below, above):
        if panel is not None:
            chair = best_chair(inst, panel)
            seated = [inst.mediators[i] for i in panel]
            recheck(view, seated, inst.mediators[panel[0] if chair is None else chair], "trade-off explorer")
    return WeightRange(
        component=name,
        weight=rule_set.weights.of(name),
        lower=0.0 if down is None else max(0.0, float(down) / WEIGHT_SCALE),
        upper=None if up is None else float(up) / WEIGHT_SCALE,
        panel_below=_panel_ids(inst, below),
        panel_above=_panel_ids(inst, above),
    )


def _panel_ids(inst: PanelInstance, panel: list[int] | None) -> list[str] | None:
    """A rival panel's mediator ids, chair first (None when there is no rival)."""
    if panel is None:
        return None
    return [inst.mediators[i].mediator_id for i in order_panel(inst, panel, best_chair(inst, panel) or panel[0])]


# --- the price of a lean cap (H8) ---------------------------------------------------------------

MAX_LEAN_STEPS = 30  # caps priced at most; a panel's lean is rarely above a dozen


@dataclass(frozen=True)
class LeanPrice:
    """The best-expertise panel under one lean cap, and the expertise it gives up against no cap."""

    cap: int
    members: tuple[Seat, ...]
    lean: int
    expertise: float
    objective: float
    price: float  # expertise given up against the best panel without a cap

    def as_dict(self) -> dict[str, Any]:
        return {
            "cap": self.cap,
            "members": seats_json(self.members),
            "lean": self.lean,
            "expertise": self.expertise,
            "objective": self.objective,
            "price": self.price,
        }


@dataclass
class LeanPrices:
    """What each lean cap costs one dispute in expertise, from the smallest cap that leaves a panel to
    the lean of the best-expertise panel without a cap (any larger cap costs nothing)."""

    dispute_id: str
    cap_in_force: int | None
    least_lean: int | None = None  # the smallest cap under which a panel exists (None: no panel at all)
    free_lean: int | None = None  # the lean of the best-expertise panel when no cap is set
    points: list[LeanPrice] = field(default_factory=list)
    solves: int = 0
    seconds: float = 0.0
    stopped: str | None = None  # STOPPED_BY_USER when the pricing was cut short

    def as_dict(self) -> dict[str, Any]:
        return {
            "dispute_id": self.dispute_id,
            "definition": "lean = the panel's bloc alignment with the party it is closest to less that with the party "
            "it is furthest from; price = expertise given up against the best-expertise panel without a cap",
            "cap_in_force": self.cap_in_force,
            "least_lean": self.least_lean,
            "free_lean": self.free_lean,
            "points": [p.as_dict() for p in self.points],
            **({"stopped": self.stopped} if self.stopped else {}),
        }


def lean_prices(
    ws: Workspace,
    dispute_id: str,
    rule_set: RuleSet,
    config: SolveConfig | None = None,
    locks: Locks | None = None,
    extra_load: Mapping[str, int] | None = None,
    progress: ProgressFactory | None = None,
    cancel: CancelToken | None = None,
) -> LeanPrices:
    """The price in expertise of each lean cap for one dispute (every other rule of ``rule_set`` in force).

    The smallest possible lean is found by one solve, the best-expertise panel without a cap by
    another; each cap in between is one lexicographic solve (best expertise, then impartiality), so
    each price is proven like a frontier point. ``cancel`` is checked between caps; the caps priced
    so far are kept."""
    config = config or SolveConfig()
    locks = locks or Locks()
    started = time.perf_counter()
    free_rules = replace(rule_set, max_lean=None)
    view = ws.view(ws.dispute(dispute_id), free_rules, extra_load)
    inst = encode(ws, view)
    result = LeanPrices(dispute_id, rule_set.max_lean)
    idx = _frontier_pool(inst, locks, config)
    free = _lexicographic(inst, idx, locks, None, False, config)
    model = PanelModel(inst, idx, locks, objective=lambda v: -v.lean)
    status, _, least, _ = model.solve(config)
    result.solves = 3
    if free is None or least is None or status is not Status.OPTIMAL:
        result.seconds = time.perf_counter() - started
        return result
    result.least_lean, result.free_lean = -least, members_lean(inst, free.members)
    caps = list(range(result.least_lean, result.free_lean + 1))[:MAX_LEAN_STEPS]
    with (progress or silent_progress)(len(caps), "Pricing each lean cap") as advance:
        for cap in caps:
            if stop_asked(cancel):
                result.stopped = STOPPED_BY_USER
                break
            capped = replace(inst, max_lean=cap)
            raw = free if cap == result.free_lean else _lexicographic(capped, idx, locks, None, False, config)
            result.solves += 0 if raw is free else 2
            advance()
            if raw is None:
                continue
            capped_view = replace(view, rule_set=replace(rule_set, max_lean=cap))
            recheck(capped_view, [inst.mediators[i] for i in raw.members], inst.mediators[raw.chair], "lean pricing")
            scores = inst.evaluate(raw.members, raw.chair)
            result.points.append(
                LeanPrice(
                    cap=cap,
                    members=tuple(
                        Seat(inst.mediators[i].mediator_id, Role.CHAIR if i == raw.chair else Role.MEMBER)
                        for i in raw.members
                    ),
                    lean=members_lean(inst, raw.members),
                    expertise=raw.expertise / SCORE_SCALE,
                    objective=scores.objective,
                    price=(free.expertise - raw.expertise) / SCORE_SCALE,
                )
            )
    result.seconds = time.perf_counter() - started
    return result
