"""CP-SAT panel model for one dispute: the proven best panel, then further distinct candidates.

The model is built from a ``PanelInstance`` (plain arrays), solved, and read back into plain
``PanelSolution`` objects; no solver object leaves this module.

Before modelling, a dominance reduction keeps the model small without losing any of the top
``candidates`` panels: two mediators with the same nationalities and gender are
interchangeable for every rule and every panel-level score, so a mediator can be dropped when
at least ``candidates`` others of the same nationalities and gender are at least as good in
every respect (languages and traditions as supersets, chair eligibility, member value, chair
value and party ranks). Each of those could replace them in any panel, giving as many
distinct panels at least as good.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from itertools import combinations, permutations

import numpy as np
from ortools.sat.python import cp_model, cp_model_helper

from matching.core.config import Locks, SolveConfig, limit_work
from matching.core.status import Status
from matching.rules.encoding import GROUPS, TRADITIONS, PanelInstance
from matching.rules.kernel import best_diversity, lean_cap, member_values, nationality_groups
from matching.rules.scoring import CHAIR_SHARES, SCORE_SCALE, Scores


@dataclass(frozen=True)
class PanelSolution:
    members: tuple[int, ...]  # indices into the instance, chair first
    chair: int
    scores: Scores


@dataclass
class SolveOutcome:
    status: Status  # optimal | feasible | infeasible | timeout
    panels: list[PanelSolution] = field(default_factory=list)
    objective_int: int | None = None
    bound_int: int | None = None
    model_size: int = 0
    wall_seconds: float = 0.0
    lock_problems: list[str] = field(default_factory=list)


def reduce(
    inst: PanelInstance,
    keep: int,
    pool: Iterable[int],
    protected: Iterable[int] = (),
    values: tuple[np.ndarray, np.ndarray] | None = None,
) -> list[int]:
    """Indices in ``pool`` that survive the dominance reduction (see the module docstring).

    Mediators are compared within groups that agree on everything the panel-level rules and
    scores read except nationality: UN group, gender, bloc alignment with each party and
    co-nationality. Mediator i dominates j when i is at least as good in every respect
    (languages and traditions as supersets, chair eligibility, member and chair value, party
    ranks), ties broken by index. j can go when, whatever the rest of a panel holding j, at
    least ``keep`` dominators could take j's seat: dominators with j's own nationalities can
    always do so (no other member shares them), while a family of dominators with pairwise
    disjoint nationalities loses at most one per nationality held by the other k - 1 members.

    ``values`` replaces the member and chair values (and drops party ranks) for objectives
    other than the rule set's, such as the trade-off explorer's expertise.
    """
    member, chair = member_values(inst) if values is None else values
    pool = np.asarray(list(pool), dtype=np.int64)
    keep_set = {int(i) for i in protected}
    if not len(pool):
        return sorted(keep_set)
    chair_value = np.where(inst.chair_ok[pool], member[pool] + chair[pool], np.iinfo(np.int64).min // 4)
    # Languages and traditions as bits (a dominator's hold a superset), the rest compared as numbers.
    flags = np.hstack([inst.speaks[pool], inst.traditions[pool]]).astype(np.int64)
    parts = [inst.chair_ok[pool].astype(np.int64)[:, None], member[pool][:, None], chair_value[:, None]]
    if flags.shape[1] > 62:  # (too many for one word of bits)
        parts.append(flags)
        flags = flags[:, :0]
    bits = (flags << np.arange(flags.shape[1], dtype=np.int64)).sum(axis=1)
    if values is None:
        parts += [inst.pref_min_coef[pool], inst.pref_mean_coef[pool]]
    # The groups: mediators agreeing on UN group, gender, co-nationality and bloc alignment with each party.
    key = np.column_stack(
        [inst.group[pool], inst.female[pool], inst.male[pool], inst.co_national[pool], inst.alignment[pool]]
    ).astype(np.int64)
    by_key = np.lexsort(key.T[::-1])
    group = np.empty(len(pool), dtype=np.int64)
    group[by_key] = np.concatenate([[0], np.cumsum((np.diff(key[by_key], axis=0) != 0).any(axis=1))])
    # By group, best first within it (so that dominators come before those they dominate), ties by index.
    order = np.lexsort((pool, -chair_value, -member[pool], group))
    # Each mediator's nationalities as one number per distinct set (``sets``), the set made once per spelling.
    sets: list[frozenset[str]] = []
    known: dict[frozenset[str], int] = {}
    spelt: dict[tuple[str, ...], int] = {}
    held: list[int] = []
    for i in pool[order].tolist():
        spelling = inst.mediators[i].nationalities
        j = spelt.get(spelling)
        if j is None:
            s = frozenset(spelling)
            j = spelt[spelling] = known.setdefault(s, len(known))
            if j == len(sets):
                sets.append(s)
        held.append(j)
    max_nats = max((len(s) for s in sets), default=1)
    keep_set.update(
        _undominated(
            np.hstack(parts)[order],
            bits[order],
            group[order],
            pool[order],
            np.array(held, dtype=np.int64),
            sets,
            keep,
            (inst.k - 1) * max_nats,
        )
    )
    return sorted(keep_set)


DOMINANCE_BLOCK = 64  # mediators compared with every better one of their group at once (``_undominated``)


def _undominated(
    f: np.ndarray,
    bits: np.ndarray,
    group: np.ndarray,
    ids: np.ndarray,
    nat: np.ndarray,
    sets: list[frozenset[str]],
    keep: int,
    blocked: int,
) -> list[int]:
    """The mediators ``ids`` that fewer than ``keep`` dominators of their group could always replace (see
    ``reduce``): ``ids`` sorted by ``group``, best first within each; ``f`` their features compared as numbers,
    ``bits`` their languages and traditions (a dominator's a superset), ``nat`` their nationalities (as positions
    in ``sets``). A dominator counts when it has the same nationalities, or beyond ``blocked`` of a family with
    pairwise disjoint ones (taken greedily, best first).

    First each mediator is compared with the better ones of its group holding the same nationalities only (few):
    those with ``keep`` such dominators go. Only the others are then compared with every better one of their group.
    Both passes compare ``DOMINANCE_BLOCK`` mediators at a time (``_dominated``)."""
    n = len(ids)
    columns = [np.ascontiguousarray(f[:, j]) for j in range(f.shape[1])]
    # The first pass, over the mediators regrouped by group and nationalities (the order within each kept).
    regrouped = np.lexsort((np.arange(n), nat, group))
    key = np.column_stack([group, nat])[regrouped]
    subgroup = np.concatenate([[0], np.cumsum((np.diff(key, axis=0) != 0).any(axis=1))]).astype(np.int64)
    moved = [col[regrouped] for col in columns]
    alike_count = np.zeros(n, dtype=np.int64)
    for rows, _lo, dominated in _dominated(moved, bits[regrouped], subgroup, np.arange(n)):
        alike_count[regrouped[rows]] = np.count_nonzero(dominated, axis=1)
    kept: list[int] = []
    for rows, lo, dominated in _dominated(columns, bits, group, np.flatnonzero(alike_count < keep)):
        alike = nat[None, lo : lo + dominated.shape[1]] == nat[rows, None]
        same = np.count_nonzero(dominated & alike, axis=1)
        others = np.count_nonzero(dominated, axis=1) - same
        # With too few other dominators for any family to reach ``keep``, a mediator stays without the greedy pass
        # (so does every one of a group of at most ``keep``).
        stays = (same < keep) & (same + others - blocked < keep)
        kept += ids[rows[stays]].tolist()
        for r in np.flatnonzero(~stays & (same < keep)).tolist():
            taken: set[str] = set()
            disjoint = 0
            enough = False
            for c in np.flatnonzero(dominated[r] & ~alike[r]).tolist():
                held = sets[nat[lo + c]]
                if not (held & taken):
                    taken |= held
                    disjoint += 1
                    if same[r] + disjoint - blocked >= keep:
                        enough = True
                        break
            if not enough:
                kept.append(int(ids[rows[r]]))
    return kept


def _dominated(
    columns: list[np.ndarray], bits: np.ndarray, group: np.ndarray, rows: np.ndarray
) -> Iterator[tuple[np.ndarray, int, np.ndarray]]:
    """For ``rows`` (ascending positions; ``group`` ascending), ``DOMINANCE_BLOCK`` at a time: the block's rows, the
    first position ``lo`` compared and ``dominated[r, c]``: mediator a = lo + c (better: a < b, same group) is at
    least as good as b = rows[r] (every column of ``columns`` at least b's, ``bits`` a superset of b's)."""
    first = np.searchsorted(group, group, side="left")  # where each mediator's group starts
    for start in range(0, len(rows), DOMINANCE_BLOCK):
        block = rows[start : start + DOMINANCE_BLOCK]
        lo, stop = int(first[block[0]]), int(block[-1])
        # Feature by feature into one matrix (a three-dimensional comparison reduced over its short last axis
        # took several times as long).
        dominated = columns[0][None, lo:stop] >= columns[0][block, None]
        for col in columns[1:]:
            dominated &= col[None, lo:stop] >= col[block, None]
        mine = bits[block, None]
        dominated &= (bits[None, lo:stop] & mine) == mine
        dominated &= (np.arange(lo, stop)[None, :] < block[:, None]) & (group[None, lo:stop] == group[block, None])
        yield block, lo, dominated


MAX_RANKED_FOR_ENUMERATION = 40
NEVER_PRUNED = np.iinfo(np.int64).max // 4


def _best_panel_sum(column: np.ndarray, k: int) -> np.ndarray:
    """For each entry, its value plus the k - 1 largest other values (the best panel holding it)."""
    top = np.sort(column)[::-1]
    if len(top) < k:
        return np.full(len(column), top.sum())
    in_top = column >= top[k - 1]
    return np.asarray(np.where(in_top, top[:k].sum(), column + top[: k - 1].sum()))


def _best_others(values: np.ndarray, t: int) -> np.ndarray:
    """For each entry, the sum of the t largest values among the others."""
    if t == 0:
        return np.zeros(len(values), dtype=np.int64)
    top = np.sort(values)[::-1]
    if len(top) <= t:
        return np.asarray(top.sum() - values)
    return np.asarray(np.where(values >= top[t - 1], top[: t + 1].sum() - values, top[:t].sum()))


def upper_bounds(inst: PanelInstance, pool: list[int] | np.ndarray) -> np.ndarray:
    """For each mediator in ``pool``, an upper bound on the objective of any panel holding them.

    Member values and party ranks are bounded together: the other k - 1 seats hold s ranked
    mediators (the best such group, found by enumeration, since ranked names are few) and
    k - 1 - s unranked ones (the best values). Added to that: the best chair bonus, the largest
    diversity any panel reaches, and neutrality less the alignment the mediator alone brings.
    Ranked mediators themselves are never pruned.
    """
    pool = np.asarray(pool, dtype=np.int64)  # once: a list would be converted again by every index below
    member, chair = member_values(inst)
    w = inst.weights
    k = inst.k
    values = member[pool]
    chair_ok = inst.chair_ok[pool]
    if k == 1:  # a sole mediator is the chair
        best_chair = np.where(chair_ok, chair[pool], -NEVER_PRUNED)
    else:
        best_chair = np.full(len(pool), int(chair[pool][chair_ok].max()) if chair_ok.any() else 0)
    diversity = best_diversity(inst)
    neutrality = SCORE_SCALE - inst.neutral_level_coef * inst.alignment[pool].sum(axis=1)
    fixed = best_chair + w["diversity"] * diversity + w["neutrality"] * neutrality

    pmin = inst.pref_min_coef[pool]
    pmean = inst.pref_mean_coef[pool].sum(axis=1)
    is_ranked = (pmin > 0).any(axis=1) | (pmean > 0)
    ranked = np.flatnonzero(is_ranked)
    if not inst.ranking_parties or len(ranked) == 0:
        return np.asarray(values + _best_others(values, k - 1) + fixed)
    if len(ranked) > MAX_RANKED_FOR_ENUMERATION:
        worst = np.min([_best_panel_sum(pmin[:, p], k) for p in range(len(inst.ranking_parties))], axis=0)
        return np.asarray(_best_panel_sum(values, k) + fixed + w["preference"] * (worst + _best_panel_sum(pmean, k)))

    best_group = [0] + [-NEVER_PRUNED] * (k - 1)  # best value + preference of s ranked others
    for size in range(1, min(k - 1, len(ranked)) + 1):
        for subset in combinations(ranked.tolist(), size):
            rows = list(subset)
            gain = int(values[rows].sum()) + w["preference"] * (
                int(pmin[rows].sum(axis=0).min()) + int(pmean[rows].sum())
            )
            best_group[size] = max(best_group[size], gain)
    plain = np.where(is_ranked, np.iinfo(np.int64).min // 8, values)
    others = np.max(
        [best_group[s] + _best_others(plain, k - 1 - s) for s in range(k) if best_group[s] > -NEVER_PRUNED],
        axis=0,
    )
    bounds = values + others + fixed
    bounds[ranked] = NEVER_PRUNED
    return np.asarray(bounds)


@dataclass
class PanelVars:
    """One panel's decision variables and its score components as integer expressions.

    Components are unweighted, on ``SCORE_SCALE``, and equal ``PanelInstance.evaluate`` for the
    panel the variables describe (auxiliary variables are pushed to their true values by any
    objective that rewards the component).
    """

    x: dict[int, cp_model.IntVar]
    c: dict[int, cp_model.IntVar]
    components: dict[str, cp_model.LinearExpr]
    orange: cp_model.LinearExpr
    # At least the panel's lean (most aligned party less least aligned); equal to it under any
    # objective that rewards neutrality or penalises this expression.
    lean: cp_model.LinearExpr

    def weighted(self, inst: PanelInstance) -> cp_model.LinearExpr:
        names = list(self.components)
        return cp_model.LinearExpr.weighted_sum(
            [*(self.components[n] for n in names), self.orange],
            [*(inst.weights[n] for n in names), -inst.orange_weight * SCORE_SCALE],
        )


def _sum(terms: Iterable[cp_model.IntVar]) -> cp_model.LinearExpr:
    """The terms' sum as one flat expression (Python's ``sum`` chains one addition per term)."""
    return cp_model.LinearExpr.sum(list(terms))


def _wsum(terms: Iterable[tuple[cp_model.LinearExprT, int]], constant: int = 0) -> cp_model.LinearExpr:
    pairs = list(terms)
    return cp_model.LinearExpr.weighted_sum([t for t, _ in pairs], [int(w) for _, w in pairs]) + constant


def add_panel(
    m: cp_model.CpModel,
    inst: PanelInstance,
    idx: list[int],
    relaxed: frozenset[str] = frozenset(),
    chair_ok: np.ndarray | None = None,
    name: str = "",
) -> PanelVars:
    """Add one panel of ``inst.k`` members from ``idx`` with every hard rule to the model ``m``.

    ``relaxed`` switches off panel-level rule families (H1, H4, H5, H8) and ``chair_ok`` replaces
    who may chair; both serve the infeasibility diagnosis only. Several panels can share one
    model (the batch run links them through capacity and quotas).
    """
    may_chair = inst.chair_ok if chair_ok is None else chair_ok
    x = {i: m.new_bool_var(f"{name}x{i}") for i in idx}
    c = {i: m.new_bool_var(f"{name}c{i}") for i in idx if may_chair[i]}
    _add_seats(m, inst.k, x, c)
    _add_panel_rules(m, inst, idx, x, relaxed)
    composition = inst.composition_applies and "H5" not in relaxed
    # The auxiliary variables are created in this order: diversity, neutrality, preference.
    diversity = _add_diversity(m, inst, idx, x, composition, name)
    neutrality, lean = _add_neutrality(m, inst, idx, x, name)
    preference = _add_preference(m, inst, idx, x, name)
    components = {
        "expertise": _wsum(
            [(x[i], inst.expertise_coef[i]) for i in idx]
            + [(ci, inst.expertise_coef[i] * CHAIR_SHARES) for i, ci in c.items()]
        ),
        "diversity": diversity,
        "neutrality": neutrality,
        "workload": _wsum((x[i], inst.workload_coef[i]) for i in idx),
        "preference": preference,
    }
    return PanelVars(x, c, components, _wsum((x[i], 1) for i in idx if inst.orange[i]), lean)


def _add_seats(m: cp_model.CpModel, k: int, x: dict[int, cp_model.IntVar], c: dict[int, cp_model.IntVar]) -> None:
    """``k`` members, and exactly one chair among them."""
    m.add(_sum(x.values()) == k)
    m.add_exactly_one(c.values())
    for i, ci in c.items():
        m.add_implication(ci, x[i])


def _add_panel_rules(
    m: cp_model.CpModel, inst: PanelInstance, idx: list[int], x: dict[int, cp_model.IntVar], relaxed: frozenset[str]
) -> None:
    """The panel-level hard rules not ``relaxed``: at most the allowed co-nationals (H1), every
    working language spoken (H4), no two members sharing a nationality (H5), the lean cap (H8)."""
    co = [x[i] for i in idx if inst.co_national[i]]
    if co and "H1" not in relaxed:
        m.add(_sum(co) <= inst.max_co_nationals)
    if "H4" not in relaxed:
        for col, _lang in enumerate(inst.languages):
            m.add(_sum(x[i] for i in idx if inst.speaks[i, col]) >= 1)
    if "H5" not in relaxed:
        for who in nationality_groups(inst, idx):
            m.add_at_most_one(x[i] for i in who)
    cap = lean_cap(inst)
    if cap is not None and "H8" not in relaxed:
        for a, b in permutations(party_alignments(inst, idx, x), 2):
            m.add(a - b <= cap)


def party_alignments(inst: PanelInstance, idx: list[int], x: dict[int, cp_model.IntVar]) -> list[cp_model.LinearExpr]:
    """The panel's alignment with each party, as expressions over the members."""
    return [_wsum((x[i], inst.alignment[i, p]) for i in idx) for p in range(len(inst.parties))]


def _add_covers(m: cp_model.CpModel, label: str, members: list[list[cp_model.IntVar]]) -> list[cp_model.IntVar]:
    """One flag per category (legal tradition, regional group), true only if a member is in it."""
    covers = []
    for t, who in enumerate(members):
        y = m.new_bool_var(f"{label}{t}")
        m.add(y <= _sum(who))
        covers.append(y)
    return covers


def _add_diversity(
    m: cp_model.CpModel,
    inst: PanelInstance,
    idx: list[int],
    x: dict[int, cp_model.IntVar],
    composition: bool,
    name: str,
) -> cp_model.LinearExpr:
    """The diversity score (legal traditions and regional groups covered, gender balance); with
    ``composition``, also the H5 minimums of traditions and groups."""
    terms: list[tuple[cp_model.LinearExprT, int]] = []
    if composition or inst.tradition_coef:
        by_tradition = [[x[i] for i in idx if inst.traditions[i, t]] for t in range(len(TRADITIONS))]
        covers = _add_covers(m, f"{name}trad", by_tradition)
        if composition:
            m.add(_sum(covers) >= inst.min_traditions)
        terms += [(y, inst.tradition_coef) for y in covers]
    if composition or inst.group_coef:
        by_group = [[x[i] for i in idx if inst.group[i] == g] for g in range(len(GROUPS))]
        covers = _add_covers(m, f"{name}group", by_group)
        if composition:
            m.add(_sum(covers) >= inst.min_groups)
        terms += [(z, inst.group_coef) for z in covers]
    if inst.gender_coef:
        balance = m.new_int_var(0, inst.k // 2, f"{name}gender_balance")
        m.add(balance <= _sum(x[i] for i in idx if inst.female[i]))
        m.add(balance <= _sum(x[i] for i in idx if inst.male[i]))
        terms.append((balance, inst.gender_coef))
    return _wsum(terms)


def _add_neutrality(
    m: cp_model.CpModel, inst: PanelInstance, idx: list[int], x: dict[int, cp_model.IntVar], name: str
) -> tuple[cp_model.LinearExpr, cp_model.LinearExpr]:
    """The neutrality score: full less the panel's alignment with the parties, and less the gap
    between the most and the least aligned party; and that gap (the lean) on its own."""
    per_party = party_alignments(inst, idx, x)
    top = int(inst.alignment.max()) * inst.k if inst.n else 0
    hi = m.new_int_var(0, top, f"{name}align_hi")
    lo = m.new_int_var(0, top, f"{name}align_lo")
    for a in per_party:
        m.add(hi >= a)
        m.add(lo <= a)
    score = _wsum(
        [(a, -inst.neutral_level_coef) for a in per_party]
        + [(hi, -inst.neutral_asym_coef), (lo, inst.neutral_asym_coef)],
        SCORE_SCALE,
    )
    return score, _wsum([(hi, 1), (lo, -1)])


def _add_preference(
    m: cp_model.CpModel, inst: PanelInstance, idx: list[int], x: dict[int, cp_model.IntVar], name: str
) -> cp_model.LinearExpr:
    """The preference score: the worst-off ranking party's utility plus the mean (zero when no party ranked names)."""
    if not inst.ranking_parties:
        return _wsum([])
    worst = m.new_int_var(0, SCORE_SCALE, f"{name}pref_worst")
    for p in range(len(inst.ranking_parties)):
        m.add(worst <= _wsum((x[i], inst.pref_min_coef[i, p]) for i in idx))
    return _wsum([(worst, 1)] + [(x[i], inst.pref_mean_coef[i].sum()) for i in idx])


class _Model(cp_model.CpModel):
    """A CP-SAT model without the pre-PEP 8 aliases ``CpModel`` makes of its methods for every model (a loop over
    all its attributes, about a millisecond a model; nothing here uses those names). The same proto."""

    def _add_pre_pep8_methods(self) -> None:
        """Make no aliases (``CpModel.__init__`` calls this hook)."""


def _maximize(m: cp_model.CpModel, objective: cp_model.LinearExprT) -> None:
    """``m.maximize(objective)``, an integer expression's terms written to the proto in one go (``maximize``
    appends them one by one): the same proto."""
    if not isinstance(objective, cp_model.LinearExpr) or not objective.is_integer():
        m.maximize(objective)
        return
    flat = cp_model_helper.FlatIntExpr(objective)
    m.clear_objective()
    proto = m.proto.objective
    proto.vars.extend([var.index for var in flat.vars])
    proto.coeffs.extend([-c for c in flat.coeffs])
    proto.scaling_factor = -1.0
    proto.offset = -flat.offset


class PanelModel:
    """The CP-SAT model of one dispute's panel over a subset of the instance's mediators."""

    def __init__(
        self,
        inst: PanelInstance,
        idx: list[int],
        locks: Locks,
        relaxed: frozenset[str] = frozenset(),
        chair_ok: np.ndarray | None = None,
        objective: Callable[[PanelVars], cp_model.LinearExprT] | None = None,
    ) -> None:
        """``objective`` replaces the rule set's weighted sum (the trade-off explorer uses it)."""
        self.inst = inst
        self.idx = idx
        self.model = _Model()
        self.vars = add_panel(self.model, inst, idx, relaxed, chair_ok)
        self.x, self.c = self.vars.x, self.vars.c
        self.lock_problems = self._apply_locks(locks)
        self.deterministic_time = 0.0  # CP-SAT's deterministic seconds over every solve of this model
        # The last solve's proven bound on the objective, also when it stopped before any solution (None when
        # infeasible, not solved yet, or stopped where CP-SAT's bound proves nothing).
        self.best_bound: int | None = None
        _maximize(self.model, objective(self.vars) if objective else self.vars.weighted(inst))

    def _apply_locks(self, locks: Locks) -> list[str]:
        problems = []
        by_id = {self.inst.mediators[i].mediator_id: i for i in self.idx}
        for mid in sorted(locks.include):
            if mid in by_id:
                self.model.add(self.x[by_id[mid]] == 1)
            else:
                problems.append(mid)
        if locks.chair is not None:
            i = by_id.get(locks.chair)
            if i is None or i not in self.c:
                problems.append(locks.chair)
            else:
                self.model.add(self.c[i] == 1)
        if problems:
            self.model.add_bool_or([])  # a lock that cannot be honoured makes the model infeasible
        return problems

    def hint(self, members: Iterable[int], chair: int) -> None:
        """Start the search from a known panel (``members`` and ``chair``, instance indices): its objective is then
        the incumbent from the outset. Members outside the model are left out of the hint."""
        on = set(members)
        # Written to the model's proto in one go: the same hint as ``add_hint`` per variable (the variables are
        # plain ones, never negated), at a fraction of the cost on models of hundreds of mediators.
        hint = self.model.proto.solution_hint
        hint.vars.extend([x.index for x in self.x.values()] + [c.index for c in self.c.values()])
        hint.values.extend([int(i in on) for i in self.x] + [int(i == chair) for i in self.c])

    def forbid(self, members: Iterable[int]) -> None:
        chosen = list(members)
        self.model.add(sum(self.x[i] for i in chosen) <= len(chosen) - 1)

    def _solver(self, config: SolveConfig) -> cp_model.CpSolver:
        solver = cp_model.CpSolver()
        params = solver.parameters
        params.num_workers = config.workers
        params.random_seed = config.seed
        limit_work(params, config.time_limit)
        # Cuts from the full linear relaxation prove these models 2-4x faster (benchmarks/).
        params.linearization_level = 2
        params.cp_model_presolve = config.presolve
        return solver

    def feasibility(self, config: SolveConfig) -> Status:
        """``feasible``, ``infeasible`` or ``timeout``, stopping at the first panel found."""
        solver = self._solver(config)
        solver.parameters.stop_after_first_solution = True
        status = solver.solve(self.model)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return Status.FEASIBLE
        return Status.INFEASIBLE if status == cp_model.INFEASIBLE else Status.TIMEOUT

    def solve(self, config: SolveConfig) -> tuple[Status, PanelSolution | None, int | None, int | None]:
        solver = self._solver(config)
        status = solver.solve(self.model)
        self.deterministic_time += solver.deterministic_time
        # Stopped inside presolve, CP-SAT reports a bound of 0, which proves nothing; a search of the model as
        # written starts from the objective's own range, so without presolve a stopped search's bound holds.
        searched = status in (cp_model.OPTIMAL, cp_model.FEASIBLE) or (
            status == cp_model.UNKNOWN and not config.presolve
        )
        self.best_bound = round(solver.best_objective_bound) if searched else None
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            members = [i for i in self.idx if solver.boolean_value(self.x[i])]
            chair = next(i for i, ci in self.c.items() if solver.boolean_value(ci))
            objective = round(solver.objective_value)
            bound = round(solver.best_objective_bound)
            name = Status.OPTIMAL if status == cp_model.OPTIMAL and bound == objective else Status.FEASIBLE
            sol = PanelSolution(
                tuple(order_panel(self.inst, members, chair)), chair, self.inst.evaluate(members, chair)
            )
            return name, sol, objective, bound
        if status == cp_model.INFEASIBLE:
            return Status.INFEASIBLE, None, None, None
        if status == cp_model.MODEL_INVALID:
            raise RuntimeError(f"invalid panel model: {self.model.validate()}")
        return Status.TIMEOUT, None, None, None


def order_panel(inst: PanelInstance, members: Iterable[int], chair: int) -> list[int]:
    """Chair first, then members by expertise fit (best first), then by id for ties."""
    rest = sorted((i for i in members if i != chair), key=lambda i: (-inst.fit[i], inst.mediators[i].mediator_id))
    return [chair, *rest]


def best_chair(inst: PanelInstance, members: Iterable[int]) -> int | None:
    """The member the objective prefers as chair; ties go to experience, then to the id."""
    eligible = [i for i in members if inst.chair_ok[i]]
    if not eligible:
        return None
    return min(
        eligible,
        key=lambda i: (
            -int(inst.expertise_coef[i]),
            -inst.mediators[i].years_experience,
            inst.mediators[i].mediator_id,
        ),
    )


def locked_indices(by_id: dict[str, int], locks: Locks) -> list[int]:
    """Mediators the locks put on the panel; never pruned. A name also excluded is left out, so
    that contradictory locks make the model infeasible instead of being half-honoured."""
    named = [*locks.include, *([locks.chair] if locks.chair else [])]
    return [by_id[mid] for mid in named if mid in by_id and mid not in locks.exclude]


CORE_SIZES = (80, 400)  # mediators in the quick first solves that give the pruning bound


def _solve_candidates(
    inst: PanelInstance, idx: list[int], locks: Locks, config: SolveConfig, outcome: SolveOutcome | None
) -> SolveOutcome:
    model = PanelModel(inst, idx, locks)
    result = outcome or SolveOutcome(status=Status.INFEASIBLE)
    result.model_size = len(idx)
    result.lock_problems = model.lock_problems
    result.panels = []
    for rank in range(max(1, config.candidates)):
        status, sol, objective, bound = model.solve(config)
        if sol is None:
            if rank == 0:
                result.status = status
            break
        if rank == 0:
            result.status, result.objective_int, result.bound_int = status, objective, bound
        chair = sol.chair if locks.chair else best_chair(inst, sol.members)
        assert chair is not None
        result.panels.append(
            PanelSolution(tuple(order_panel(inst, sol.members, chair)), chair, inst.evaluate(sol.members, chair))
        )
        model.forbid(sol.members)
    return result


def prune(inst: PanelInstance, pool: list[int], locks: Locks, config: SolveConfig, protected: list[int]) -> list[int]:
    """The mediators that can be on one of the best ``config.candidates`` panels.

    A quick solve over the most promising mediators gives ``candidates`` panels; the worst of
    them is a lower bound on the candidates' objective, and every mediator whose upper bound
    falls below it is dropped. The dominance reduction then thins what is left. Both steps are
    exact: the top panels of the reduced model are the top panels of the full one.
    """
    keep = max(1, config.candidates)
    if len(pool) > CORE_SIZES[0]:
        bounds = upper_bounds(inst, pool)
        order = np.argsort(-bounds, kind="stable")
        for size in CORE_SIZES:
            if size >= len(pool):
                break
            core = sorted({pool[j] for j in order[:size]} | set(protected))
            trial = _solve_candidates(inst, core, locks, replace(config, time_limit=min(config.time_limit, 2.0)), None)
            if len(trial.panels) == keep:
                lower = min(p.scores.objective_int for p in trial.panels)
                pool = sorted({pool[j] for j in np.flatnonzero(bounds >= lower)} | set(protected))
                break
    return reduce(inst, keep, pool, protected)


def solve_instance(inst: PanelInstance, config: SolveConfig | None = None, locks: Locks | None = None) -> SolveOutcome:
    """Best panel with its proof, then up to ``config.candidates - 1`` further distinct panels."""
    config = config or SolveConfig()
    locks = locks or Locks()
    started = time.perf_counter()
    by_id = {m.mediator_id: i for i, m in enumerate(inst.mediators)}
    protected = locked_indices(by_id, locks)
    idx = [i for i in range(inst.n) if inst.mediators[i].mediator_id not in locks.exclude]
    if config.reduce and len(idx) >= inst.k:
        idx = prune(inst, idx, locks, config, protected)
    outcome = _solve_candidates(inst, idx, locks, config, None)
    outcome.wall_seconds = time.perf_counter() - started
    return outcome
