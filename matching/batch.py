"""Joint assignment of a batch of disputes: one panel each, sharing the mediators' capacity.

The batch problem: every dispute gets one panel that keeps every hard rule (H1-H7), the new
appointments of a mediator fit within their remaining capacity (``max_cases - active_cases``)
and an optional per-batch cap, and the optional global quotas of ``matching.quotas`` hold
across the batch. The objective is the total of the panels' objectives (the same integer
objective ``PanelInstance.evaluate`` gives), or, in fairness mode, first the worst-served
dispute's objective and then the total.

How it is solved (``solve_batch``), each step on plain numbers:

1. **Encoding.** ``RosterArrays`` turns the roster into arrays once; ``RosterArrays.encode`` then
   builds each dispute's ``PanelInstance`` with numpy (the same instance ``matching.encoding.encode``
   builds, which the tests check field by field, in a fraction of the time).
2. **Each dispute alone.** Each dispute keeps a *pool* of its most promising mediators (the best
   ``upper_bounds`` of ``matching.solver``, with the best possible chairs and speakers of each
   working language, and every party-ranked name), and every panel of the pool that keeps the hard
   rules is enumerated with its exact objective (``Panels``). When no mediator outside the pool has
   an upper bound above the pool's best panel, that panel is proven the dispute's best; otherwise
   CP-SAT (``PanelModel``) solves the mediators whose bound reaches it, thinned by the solver's
   exact dominance rule. The best objective alone is a proven upper bound for the dispute in any
   joint assignment. A dispute with no panel is reported infeasible with
   ``matching.diagnosis.diagnose`` and left out.
3. **Fast path.** When every panel has one member and no quota couples the disputes, the batch is
   a transportation problem, solved exactly by min-cost flow (``matching.flow``).
4. **Column generation.** Otherwise a linear programme (GLOP) chooses among candidate panels
   ("columns") under the capacity and quota rows; its dual prices are charged to the mediators
   and the best panel of each pool at those prices joins the programme, until no pool has a
   panel worth adding. Then each dispute is priced once more *exactly*, over all its eligible
   mediators (the same proof as in step 2 on the instance with the prices folded into the member
   values, ``priced``), which gives a Lagrangian upper bound on the whole batch:
   ``sum of prices * right-hand sides + sum over disputes of their best priced panel``.
   The proven bound reported is the smaller of that and the sum of the disputes' bounds alone.
5. **Assignment.** CP-SAT chooses one generated panel per dispute (exactly one, capacity, quotas),
   hinted with the rounded linear solution; fairness mode maximises the worst dispute first,
   fixes it and re-solves the total with hints (lexicographic). When the pools are complete
   (small batches), the columns are every panel and the result is proven optimal.

If the capacity or the quotas cannot staff every dispute together, the assignment staffs as
many disputes as possible, and each global constraint is relaxed in turn to say which ones are
in the way.
"""

from __future__ import annotations

import csv
import math
import os
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field, replace
from functools import cache
from itertools import combinations
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import numpy as np
from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from matching.diagnosis import diagnose
from matching.domain import ConflictCategory, Dataset, Mediator, NationalityRule, Role
from matching.encoding import GROUPS, TRADITIONS, PanelInstance, panel_settings
from matching.explain import disclosures, why
from matching.flow import FlowSolution, max_min_threshold, solve_arcs
from matching.quotas import (
    GLOBAL_CONSTRAINTS,
    QuotaReport,
    Quotas,
    SeatFact,
    concentration,
    describe,
    quota_reports,
    suggestion,
)
from matching.results import DisputeResult, ProposedPanel, Seat, now_iso, run_document
from matching.rules import DisputeView, mediator_breaches
from matching.rulesets import RuleSet
from matching.scoring import CHAIR_SHARES, OBJECTIVE_SCALE, REPEAT_FACTOR, SCORE_SCALE, rank_utility
from matching.solver import NEVER_PRUNED, Locks, PanelModel, SolveConfig, best_chair, order_panel, reduce, upper_bounds
from matching.workspace import Workspace

Advance = Callable[[], None]
ProgressFactory = Callable[[int, str], AbstractContextManager[Advance]]

DEFAULT_BATCH_WORKERS = 2  # processes for the per-dispute solves (each, and the joint model, one CP-SAT worker)
DEFAULT_GAP = 0.005
DEFAULT_BATCH_TIME_LIMIT = 60.0  # deterministic seconds for the joint phase (column generation and assignment)
ENUMERATION_LIMIT = 30_000  # most panels enumerated per dispute
MIN_ENUMERATION = 2_000  # fewest panels enumerated per dispute, however large the batch
POOL_CAP = 120  # most mediators in one dispute's pool
MAX_CG_ROUNDS = 60  # column-generation rounds (a deterministic stop)
# Shares of the joint phase's budget (deterministic seconds): each solve of the linear programme,
# exact pricing in all (per process), and the least the assignment model gets.
LP_SHARE = 0.25
EXACT_SHARE = 0.4
MASTER_SHARE = 0.25
MASTER_TOLERANCE = 1e-4  # the assignment stops within this share of the linear programme's value
MIN_SOLVE_TIME = 0.01  # below this many deterministic seconds, no CP-SAT search is started
SOLVE_PASSES = 3  # exact pricing: passes over the disputes whose solve was cut short
COLUMNS_PER_ROUND = 2  # panels added per dispute and round
MAX_EXACT_ROUNDS = 2  # exact pricing rounds over every eligible mediator
PARALLEL_MIN_DISPUTES = 40  # below this, per-dispute solves stay in this process

METHOD_FLOW = "min-cost flow (exact: one-member panels, capacity and eligibility only)"
METHOD_COLUMNS = (
    "column generation over enumerated candidate panels with exact pricing (Lagrangian bound), "
    "then CP-SAT over the generated panels"
)
METHOD_COMPLETE = "CP-SAT over every feasible panel of every dispute (exact)"


# --- encoding: ids to arrays ------------------------------------------------------------------


class RosterArrays:
    """The roster as arrays, built once per batch: mediator ``i`` is ``ws.data.mediators[i]``.

    ``encode`` turns one dispute into the same ``PanelInstance`` as ``matching.encoding.encode``
    (the tests compare them field by field), but with numpy over the whole roster at once.
    """

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        people = ws.data.mediators
        self.mediators: tuple[Mediator, ...] = people
        self.ids = [m.mediator_id for m in people]
        self.index = {mid: i for i, mid in enumerate(self.ids)}
        n = len(people)
        table = ws.countries
        self.country_codes = sorted(table.countries)
        self.country_index = {c: j for j, c in enumerate(self.country_codes)}
        languages = sorted({lang for m in people for lang in m.languages})
        self.language_index = {lang: j for j, lang in enumerate(languages)}
        blocs = sorted({b for c in table.countries.values() for b in c.blocs})
        self.bloc_index = {b: j for j, b in enumerate(blocs)}

        self.nationality = np.zeros((n, len(self.country_codes)), dtype=bool)
        self.speaks = np.zeros((n, len(languages)), dtype=bool)
        self.blocs = np.zeros((n, len(blocs)), dtype=np.int64)
        self.traditions = np.zeros((n, len(TRADITIONS)), dtype=bool)
        self.expertise = np.zeros((n, len(_SUBJECT_INDEX)), dtype=np.int64)
        for i, m in enumerate(people):
            for nat in m.nationalities:
                self.nationality[i, self.country_index[nat]] = True
                for b in table[nat].blocs:
                    self.blocs[i, self.bloc_index[b]] = 1
            for lang in m.languages:
                self.speaks[i, self.language_index[lang]] = True
            for t, tradition in enumerate(TRADITIONS):
                self.traditions[i, t] = tradition in m.legal_traditions
            for area, level in m.expertise.items():
                self.expertise[i, _SUBJECT_INDEX[area]] = level
        self.effective = np.array([self.country_index[m.effective_nationality] for m in people], dtype=np.int64)
        self.group = np.array([GROUPS.index(table[m.effective_nationality].un_group) for m in people], dtype=np.int64)
        self.female = np.array([m.gender == "F" for m in people], dtype=bool)
        self.male = np.array([m.gender == "M" for m in people], dtype=bool)
        self.available = np.array([m.available for m in people], dtype=bool)
        self.signed = np.array([m.declaration_signed for m in people], dtype=bool)
        self.spare = np.array([m.max_cases - m.active_cases for m in people], dtype=np.int64)
        self.text_rows = np.array([ws.text.row(mid) for mid in self.ids], dtype=np.int64)
        self._history: dict[int, tuple[np.ndarray, dict[str, np.ndarray]]] = {}

    @property
    def n(self) -> int:
        return len(self.ids)

    def _history_arrays(self, years: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Recent cases per mediator, and per party the mediators it appointed within ``years``."""
        if years not in self._history:
            history = self.ws.history(years)
            recent = np.array([history.recent(mid) for mid in self.ids], dtype=np.int64)
            by_party: dict[str, np.ndarray] = {}
            for mid, counter in history.by_party.items():
                i = self.index.get(mid)
                if i is None:
                    continue
                for party, count in counter.items():
                    if count > 0:
                        by_party.setdefault(party, np.zeros(self.n, dtype=bool))[i] = True
            self._history[years] = (recent, by_party)
        return self._history[years]

    def eligible_mask(self, view: DisputeView) -> np.ndarray:
        """Mediators who break no rule on their own for this dispute (``mediator_breaches`` is empty)."""
        d = view.dispute
        rs = view.rule_set
        party_cols = [self.country_index[p] for p in d.parties]
        bad = np.zeros(self.n, dtype=bool)
        if view.nationality_rule is NationalityRule.STRICT:
            bad |= self.nationality[:, party_cols].any(axis=1)
        for mid, conflict in view.conflicts.items():
            i = self.index.get(mid)
            if i is None:
                continue
            if conflict.category is ConflictCategory.NON_WAIVABLE_RED or (
                conflict.category is ConflictCategory.WAIVABLE_RED and not conflict.waived
            ):
                bad[i] = True
        spare = self.spare.copy()
        for mid, load in view.extra_load.items():
            i = self.index.get(mid)
            if i is not None:
                spare[i] -= load
        bad |= ~self.available | (spare < 1)
        if rs.honour_strikes:
            for mid in view.struck_by:
                i = self.index.get(mid)
                if i is not None:
                    bad[i] = True
        if rs.require_declaration:
            bad |= ~self.signed
        return ~bad

    def encode(
        self,
        view: DisputeView,
        forbid: Sequence[str] = (),
        include_ineligible: bool = False,
        with_excluded: bool = True,
        only: Sequence[int] | np.ndarray | None = None,
    ) -> PanelInstance:
        """The dispute's ``PanelInstance``, equal to ``matching.encoding.encode(ws, view, forbid, include_ineligible)``.

        ``with_excluded=False`` skips the per-mediator reasons in ``excluded`` (the batch only
        needs the eligible mediators, and the reasons cost a Python call per excluded mediator).
        ``only`` (roster indices) keeps just those mediators: the instance of a known panel.
        """
        d = view.dispute
        rs = view.rule_set
        k = d.panel_size
        eligible = self.eligible_mask(view)
        allowed = np.ones(self.n, dtype=bool)
        for mid in forbid:
            i = self.index.get(mid)
            if i is not None:
                allowed[i] = False
        if only is not None:
            kept = np.zeros(self.n, dtype=bool)
            kept[np.asarray(only, dtype=np.int64)] = True
            allowed &= kept
        chosen = np.flatnonzero(allowed if include_ineligible else allowed & eligible)
        excluded = {}
        if with_excluded:
            for bad in np.flatnonzero(allowed & ~eligible).tolist():
                excluded[self.ids[bad]] = mediator_breaches(view, self.mediators[bad])
        n = len(chosen)

        text = self.ws.text.similarity(d.description)
        if d.subject_areas:
            columns = [_SUBJECT_INDEX[s] for s in d.subject_areas]
            subject = self.expertise[chosen][:, columns].sum(axis=1) / (5 * len(columns))
        else:
            subject = np.zeros(n)
        fit = (1 - rs.text_share) * subject + rs.text_share * (text[self.text_rows[chosen]] if n else np.zeros(0))
        expertise_coef = np.rint(SCORE_SCALE * fit / (k + CHAIR_SHARES)).astype(np.int64)

        recent_all, by_party = self._history_arrays(rs.history_years)
        party_masks = [by_party.get(p) for p in d.parties]
        repeat_any = np.zeros(n, dtype=bool)
        for mask in party_masks:
            if mask is not None:
                repeat_any |= mask[chosen]
        repeat: list[tuple[str, ...]] = [()] * n
        for j in np.flatnonzero(repeat_any):
            i = chosen[j]
            repeat[j] = tuple(p for p, mask in zip(d.parties, party_masks, strict=True) if mask is not None and mask[i])
        recent = recent_all[chosen]
        busy = rs.busy_appointments
        work = (1 - np.minimum(recent, busy) / busy) * np.where(repeat_any, REPEAT_FACTOR, 1.0)
        workload_coef = np.rint(SCORE_SCALE * work / k).astype(np.int64)

        orange_all = np.zeros(self.n, dtype=bool)
        for mid, conflict in view.conflicts.items():
            i = self.index.get(mid)
            if i is not None and conflict.category == "orange":
                orange_all[i] = True
        party_cols = [self.country_index[p] for p in d.parties]
        co_national: np.ndarray = np.asarray(self.nationality[chosen][:, party_cols].any(axis=1), dtype=bool)
        speaks = np.zeros((n, len(d.languages)), dtype=bool)
        for col, lang in enumerate(d.languages):
            column = self.language_index.get(lang)
            if column is not None:
                speaks[:, col] = self.speaks[chosen, column]
        chair_ok: np.ndarray = ~co_national & (speaks[:, 0] if d.languages else np.ones(n, dtype=bool))

        party_blocs = [self.ws.countries[p].blocs for p in d.parties]
        party_vectors = np.zeros((self.blocs.shape[1], len(d.parties)), dtype=np.int64)
        for col, pb in enumerate(party_blocs):
            for b in pb:
                party_vectors[self.bloc_index[b], col] = 1
        alignment = (self.blocs[chosen] @ party_vectors).reshape(n, len(d.parties))
        bloc_cap = max(1, *(len(pb) for pb in party_blocs))

        ranking = tuple(p for p in d.parties if view.ranks.get(p))
        pref_min = np.zeros((n, len(ranking)), dtype=np.int64)
        pref_mean = np.zeros((n, len(ranking)), dtype=np.int64)
        if ranking:
            position = {int(i): j for j, i in enumerate(chosen)}
            for col, party in enumerate(ranking):
                ranks = view.ranks[party]
                for mid, rank in ranks.items():
                    roster_i = self.index.get(mid)
                    row = position.get(roster_i) if roster_i is not None else None
                    if row is None:
                        continue
                    u = rank_utility(rank, len(ranks))
                    pref_min[row, col] = round(SCORE_SCALE * u / (2 * k))
                    pref_mean[row, col] = round(SCORE_SCALE * u / (2 * k * len(ranking)))

        return PanelInstance(
            dispute_id=d.dispute_id,
            k=k,
            mediators=tuple(map(self.mediators.__getitem__, chosen.tolist())),
            fit=fit,
            expertise_coef=expertise_coef,
            workload_coef=workload_coef,
            orange=orange_all[chosen],
            repeat_parties=tuple(repeat),
            recent=recent,
            chair_ok=chair_ok,
            co_national=co_national,
            speaks=speaks,
            traditions=self.traditions[chosen],
            group=self.group[chosen],
            female=self.female[chosen],
            male=self.male[chosen],
            alignment=alignment,
            pref_min_coef=pref_min,
            pref_mean_coef=pref_mean,
            excluded=excluded,
            **panel_settings(view, ranking, bloc_cap),
        )

    def global_index(self, inst: PanelInstance) -> np.ndarray:
        """Roster index of each mediator of an instance."""
        return np.array([self.index[m.mediator_id] for m in inst.mediators], dtype=np.int64)


def _subject_index() -> dict[str, int]:
    from matching.domain import SUBJECTS

    return {s: j for j, s in enumerate(SUBJECTS)}


_SUBJECT_INDEX = _subject_index()


def restrict(inst: PanelInstance, idx: Sequence[int] | np.ndarray) -> PanelInstance:
    """The same dispute over a subset of its mediators (indices into ``inst``), in that order."""
    rows = np.asarray(idx, dtype=np.int64)
    keep = {inst.mediators[i].mediator_id for i in rows}
    return replace(
        inst,
        mediators=tuple(inst.mediators[i] for i in rows),
        fit=inst.fit[rows],
        expertise_coef=inst.expertise_coef[rows],
        workload_coef=inst.workload_coef[rows],
        orange=inst.orange[rows],
        repeat_parties=tuple(inst.repeat_parties[i] for i in rows),
        recent=inst.recent[rows],
        chair_ok=inst.chair_ok[rows],
        co_national=inst.co_national[rows],
        speaks=inst.speaks[rows],
        traditions=inst.traditions[rows],
        group=inst.group[rows],
        female=inst.female[rows],
        male=inst.male[rows],
        alignment=inst.alignment[rows],
        pref_min_coef=inst.pref_min_coef[rows],
        pref_mean_coef=inst.pref_mean_coef[rows],
        excluded={mid: b for mid, b in inst.excluded.items() if mid not in keep},
    )


def priced(inst: PanelInstance, price: np.ndarray) -> PanelInstance:
    """The instance whose objective is the panel's objective less the members' ``price`` (integers).

    The price is folded into the workload term (weight 1, coefficient ``weight * workload - price``),
    which enters the objective member by member, so the solver's pruning bounds and dominance
    rules stay exact for the priced objective.
    """
    weights = dict(inst.weights)
    coef = weights["workload"] * inst.workload_coef - np.asarray(price, dtype=np.int64)
    weights["workload"] = 1
    return replace(inst, workload_coef=coef, weights=weights)


# --- enumerating the panels of a pool ---------------------------------------------------------

_POPCOUNT = np.array([bin(v).count("1") for v in range(32)], dtype=np.int64)


@cache
def _combinations(p: int, k: int) -> np.ndarray:
    if k == 0 or p < k:
        return np.zeros((0, k), dtype=np.int32)
    return np.array(list(combinations(range(p), k)), dtype=np.int32).reshape(-1, k)


def combination_count(p: int, k: int) -> int:
    return math.comb(p, k) if p >= k else 0


@dataclass(frozen=True)
class Panels:
    """Every panel of one dispute's pool that keeps the hard rules, with its exact objective.

    ``members`` holds indices into the instance (rows of ``k``, sorted), ``chair`` the member who
    gives the best objective, ``value`` the objective (``PanelInstance.evaluate`` with that chair).
    """

    members: np.ndarray  # int32 [C, k]
    chair: np.ndarray  # int32 [C]
    value: np.ndarray  # int64 [C]

    def __len__(self) -> int:
        return len(self.value)


def enumerate_panels(inst: PanelInstance, pool: Sequence[int] | np.ndarray) -> Panels:
    """All panels of ``inst.k`` members from ``pool`` (indices into ``inst``) that keep every hard rule.

    Computed column by column over the combinations (``k`` is at most 5), with the separable
    part of the objective summed once per member; the tests hold the values to ``evaluate``.
    """
    pool = np.asarray(sorted(int(i) for i in pool), dtype=np.int64)
    k = inst.k
    combos = _combinations(len(pool), k)
    if len(combos) == 0:
        return _empty(k)
    cols = [combos[:, a] for a in range(k)]

    def any_of(flag: np.ndarray) -> np.ndarray:
        out = flag[cols[0]].copy()
        for c in cols[1:]:
            out |= flag[c]
        return out

    def total(values: np.ndarray) -> np.ndarray:
        out = values[cols[0]].astype(np.int64)
        for c in cols[1:]:
            out = out + values[c]
        return out

    chair_ok = inst.chair_ok[pool]
    ok = any_of(chair_ok)
    co = inst.co_national[pool]
    if co.any():
        ok &= total(co.astype(np.int64)) <= inst.max_co_nationals
    for col in range(len(inst.languages)):
        ok &= any_of(inst.speaks[pool, col])
    if k >= 2:
        clash = _nationality_clash(inst, pool)
        for a, b in combinations(range(k), 2):
            ok &= ~clash[cols[a], cols[b]]
    trad_bits = (inst.traditions[pool].astype(np.int64) << np.arange(len(TRADITIONS))).sum(axis=1)
    group_bits = np.int64(1) << inst.group[pool]
    covered_bits = trad_bits[cols[0]].copy()
    groups_bits = group_bits[cols[0]].copy()
    for c in cols[1:]:
        covered_bits |= trad_bits[c]
        groups_bits |= group_bits[c]
    covered = _POPCOUNT[covered_bits]
    groups = _POPCOUNT[groups_bits]
    if inst.composition_applies:
        ok &= (covered >= inst.min_traditions) & (groups >= inst.min_groups)
    keep = np.flatnonzero(ok)
    cols = [c[keep] for c in cols]
    covered, groups = covered[keep], groups[keep]
    n_panels = len(keep)

    w = inst.weights
    coef = inst.expertise_coef[pool]
    align = inst.alignment[pool]
    member = (
        w["expertise"] * coef
        + w["workload"] * inst.workload_coef[pool]
        - inst.orange_weight * SCORE_SCALE * inst.orange[pool].astype(np.int64)
        - w["neutrality"] * inst.neutral_level_coef * align.sum(axis=1)
    )
    if inst.ranking_parties:
        member = member + w["preference"] * inst.pref_mean_coef[pool].sum(axis=1)
    value = total(member)
    # The chair: the member with the best expertise among those who may chair.
    chair_value = np.where(chair_ok, coef, -1)
    best = cols[0].copy()
    for c in cols[1:]:
        better = chair_value[c] > chair_value[best]
        best[better] = c[better]
    value += w["expertise"] * CHAIR_SHARES * coef[best]
    if k >= 2:
        balance = np.minimum(total(inst.female[pool].astype(np.int64)), total(inst.male[pool].astype(np.int64)))
        value += w["diversity"] * (
            inst.tradition_coef * covered + inst.group_coef * groups + inst.gender_coef * balance
        )
    if align.shape[1]:
        per_party = np.stack([total(align[:, p]) for p in range(align.shape[1])], axis=1)
        spread = per_party.max(axis=1) - per_party.min(axis=1)
    else:
        spread = np.zeros(n_panels, dtype=np.int64)
    value += w["neutrality"] * (SCORE_SCALE - inst.neutral_asym_coef * spread)
    if inst.ranking_parties:
        pref_min = inst.pref_min_coef[pool]
        worst = np.stack([total(pref_min[:, p]) for p in range(pref_min.shape[1])], axis=1).min(axis=1)
        value += w["preference"] * worst
    members = np.stack([pool[c] for c in cols], axis=1).astype(np.int32).reshape(n_panels, k)
    return Panels(members, pool[best].astype(np.int32), value.astype(np.int64))


def _nationality_clash(inst: PanelInstance, pool: np.ndarray) -> np.ndarray:
    """[p, p] True where two pool members share a nationality."""
    p = len(pool)
    clash = np.zeros((p, p), dtype=bool)
    holders: dict[str, list[int]] = defaultdict(list)
    for j, i in enumerate(pool):
        for nat in set(inst.mediators[i].nationalities):
            holders[nat].append(j)
    for who in holders.values():
        if len(who) > 1:
            for a, b in combinations(who, 2):
                clash[a, b] = clash[b, a] = True
    return clash


def dispute_views(ws: Workspace, rule_set: RuleSet, dispute_ids: Sequence[str] | None = None) -> list[DisputeView]:
    """The ``DisputeView`` of each dispute (as ``Workspace.view`` builds it), grouping the files once."""
    data = ws.data
    ids = list(dispute_ids) if dispute_ids is not None else [d.dispute_id for d in data.disputes]
    conflicts: dict[str, dict[str, Any]] = defaultdict(dict)
    for c in data.conflicts:
        conflicts[c.dispute_id][c.mediator_id] = c
    struck: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    ranks: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for p in data.preferences:
        if p.struck:
            struck[p.dispute_id][p.mediator_id].append(p.party)
        elif p.rank is not None:
            ranks[p.dispute_id][p.party][p.mediator_id] = p.rank
    return [
        DisputeView(
            dispute=ws.dispute(did),
            rule_set=rule_set,
            countries=ws.countries,
            conflicts=dict(conflicts.get(did, {})),
            struck_by={k: tuple(v) for k, v in struck.get(did, {}).items()},
            ranks={k: dict(v) for k, v in ranks.get(did, {}).items()},
            extra_load={},
        )
        for did in ids
    ]


# --- settings and plain results ----------------------------------------------------------------


@dataclass(frozen=True)
class BatchConfig:
    """How a batch is solved.

    Every limit is in CP-SAT's (and GLOP's) *deterministic* seconds, a measure of work roughly
    comparable to seconds on this machine: a run stops at the same point whatever the load, so the
    same inputs, settings and seed give the same panels every time. ``time_limit`` is the joint
    phase's budget; ``workers`` the processes for per-dispute solves (every CP-SAT search has one
    seeded worker).
    """

    quotas: Quotas = field(default_factory=Quotas)
    fair: bool = False
    capacity_only: bool = False
    time_limit: float = DEFAULT_BATCH_TIME_LIMIT
    workers: int = DEFAULT_BATCH_WORKERS
    seed: int = 0
    dispute_time_limit: float = 10.0  # deterministic seconds per solve of one dispute
    # Deterministic seconds for solving the disputes one by one, shared equally among them (per
    # process); a dispute whose share is too small to search gets its bound from the mediators'
    # upper bounds instead of a solver (valid, looser).
    dispute_phase_limit: float | None = None
    enumeration_budget: int = 15_000_000  # panels enumerated over the whole batch (memory bound)
    # Stop improving the bound once the candidate panels' best assignment is provably within this
    # share of the optimum (0: use the whole budget).
    gap: float = DEFAULT_GAP


class BatchError(ValueError):
    """The batch cannot be run as asked (bad settings); the message says why in plain words."""


@dataclass
class Candidates:
    """One dispute's work before the joint phase, as plain numbers (sent back from worker processes)."""

    position: int
    dispute_id: str
    k: int
    status: str  # optimal | feasible | infeasible | timeout: the dispute on its own
    upper: int | None  # proven upper bound on the dispute's objective (its best alone, or bound)
    best: int | None  # objective of its best panel found alone
    best_members: tuple[int, ...]  # roster indices of that panel
    eligible: int
    pool: np.ndarray  # roster indices of the pool, sorted
    panels: Panels  # every feasible panel of the pool (members index the pool)
    complete: bool  # the pool holds every eligible mediator: pricing over ``panels`` is exact
    diagnosis: dict[str, list[str]] | None = None
    seconds: float = 0.0
    work: float = 0.0  # CP-SAT's deterministic seconds

    @property
    def in_joint_model(self) -> bool:
        return self.status in ("optimal", "feasible") and len(self.panels) > 0


@dataclass
class Priced:
    """A dispute priced exactly (over every eligible mediator) at the joint model's prices."""

    position: int
    bound: int  # proven: no panel of the dispute is worth more than this after its price
    members: tuple[int, ...]  # roster indices of the best priced panel (empty if none)
    value: int  # its objective (unpriced)
    pool: np.ndarray | None = None  # grown pool, when the panel had mediators outside the old one
    panels: Panels | None = None
    work: float = 0.0  # CP-SAT's deterministic seconds
    proven: bool = True  # the bound is the priced optimum (not cut short by the time limit)


# --- per-dispute work (in this process or in worker processes) ----------------------------------


@dataclass
class _State:
    ws: Workspace
    rule_set: RuleSet
    arrays: RosterArrays
    views: dict[str, DisputeView]


_STATE: _State | None = None


def _make_state(ws: Workspace, rule_set: RuleSet) -> _State:
    return _State(ws, rule_set, RosterArrays(ws), {v.dispute.dispute_id: v for v in dispute_views(ws, rule_set)})


def _init_worker(data: Dataset, countries: Any, rule_set: RuleSet) -> None:
    global _STATE
    _STATE = _make_state(Workspace(data, countries), rule_set)


def pool_size(k: int, limit: int) -> int:
    """The largest pool whose panels of ``k`` number at most ``limit`` (at least ``k``)."""
    p = k
    while p < POOL_CAP and combination_count(p + 1, k) <= limit:
        p += 1
    return p


@dataclass(frozen=True)
class _Best:
    """The best panel of one (possibly priced) instance: status, proven bound, value and members."""

    status: str  # optimal | feasible | infeasible | timeout
    bound: int | None
    value: int | None
    members: tuple[int, ...]  # indices into the instance, sorted
    work: float = 0.0  # CP-SAT's deterministic seconds


def _best_panel(
    inst: PanelInstance,
    bounds: np.ndarray,
    pool: np.ndarray,
    panels: Panels,
    config: SolveConfig,
) -> _Best:
    """The instance's best panel, given every panel of ``pool`` (indices into ``inst``) and their values.

    No panel holding a mediator is worth more than that mediator's upper bound, so when no
    mediator outside the pool has a bound above the pool's best panel, that panel is the best
    (proven without a solver). Otherwise CP-SAT solves the mediators whose bound reaches the
    pool's best, thinned by the solver's exact dominance rule (``reduce``), as ``solve_instance`` does.
    With less than ``MIN_SOLVE_TIME`` deterministic seconds to spend, no solver runs and the bound is
    the largest upper bound of a mediator outside the pool (valid, looser).
    """
    best_value: int | None = None
    best_members: tuple[int, ...] = ()
    if len(panels):
        r = int(np.argmax(panels.value))
        best_value = int(panels.value[r])
        best_members = tuple(sorted(int(i) for i in panels.members[r]))
    outside = np.ones(inst.n, dtype=bool)
    outside[pool] = False
    if best_value is not None and (not outside.any() or int(bounds[outside].max()) <= best_value):
        return _Best("optimal", best_value, best_value, best_members)
    if not outside.any():
        return _Best("infeasible", None, None, ())
    if best_value is not None and config.time_limit < MIN_SOLVE_TIME:
        return _Best("feasible", int(bounds[outside].max()), best_value, best_members)
    candidates = list(range(inst.n)) if best_value is None else np.flatnonzero(bounds >= best_value).tolist()
    idx = reduce(inst, 1, candidates)
    if len(idx) < inst.k:
        return (
            _Best("infeasible", None, None, ())
            if best_value is None
            else _Best("optimal", best_value, best_value, best_members)
        )
    model = PanelModel(inst, idx, Locks())
    status, sol, objective, bound = model.solve(config)
    work = model.deterministic_time
    if sol is None:
        if status == "infeasible":
            # ``idx`` holds every panel worth at least the pool's best, so the pool's best is the best.
            if best_value is None:
                return _Best("infeasible", None, None, (), work)
            return _Best("optimal", best_value, best_value, best_members, work)
        if best_value is None:
            return _Best("timeout", None, None, (), work)
        # Any better panel holds a mediator outside the pool (party-ranked names are all inside).
        return _Best("feasible", max(best_value, int(bounds[outside].max())), best_value, best_members, work)
    assert objective is not None and bound is not None
    if best_value is not None and best_value >= objective:
        return _Best(status, max(bound, best_value), best_value, best_members, work)
    return _Best(status, bound, objective, tuple(sorted(sol.members)), work)


POOL_ROLE_SEATS = 3  # in each pool, at least this many of the best possible chairs and speakers of each language


def choose_pool(inst: PanelInstance, bounds: np.ndarray, size: int, required: Iterable[int] = ()) -> np.ndarray:
    """A dispute's pool (indices into ``inst``, sorted): ``required``, then the best possible chairs and
    speakers of each working language, then the best upper bounds, ``size`` in all."""
    order = np.argsort(-bounds, kind="stable")
    chosen: dict[int, None] = dict.fromkeys(int(i) for i in required)
    for i in np.flatnonzero(bounds >= NEVER_PRUNED):  # party-ranked names have no finite bound: keep them
        chosen.setdefault(int(i), None)
    for mask in (inst.chair_ok, *(inst.speaks[:, col] for col in range(len(inst.languages)))):
        for i in order[mask[order]][:POOL_ROLE_SEATS]:
            chosen.setdefault(int(i), None)
    for i in order:
        if len(chosen) >= size:
            break
        chosen.setdefault(int(i), None)
    return np.array(sorted(chosen), dtype=np.int64)


def _alone(state: _State, position: int, dispute_id: str, limit: int, config: SolveConfig) -> Candidates:
    started = time.perf_counter()
    view = state.views[dispute_id]
    inst = state.arrays.encode(view, with_excluded=False)
    k = inst.k
    roster = state.arrays.global_index(inst)
    complete = k == 1 or combination_count(inst.n, k) <= limit
    size = pool_size(k, limit)
    if complete:
        pool = np.arange(inst.n)
        bounds = np.zeros(inst.n, dtype=np.int64)
    else:
        bounds = upper_bounds(inst, list(range(inst.n)))
        pool = choose_pool(inst, bounds, size)
    panels = enumerate_panels(inst, pool)
    best = _best_panel(inst, bounds, pool, panels, config)
    if best.members and not set(best.members) <= set(pool.tolist()):
        # The best panel lies partly outside the pool: make room for it.
        pool = choose_pool(inst, bounds, size, best.members)
        panels = enumerate_panels(inst, pool)
    # Panels index the pool from here on (the joint phase works in roster indices).
    position_in_pool = {int(i): j for j, i in enumerate(pool)}
    local = Panels(
        np.vectorize(position_in_pool.__getitem__, otypes=[np.int32])(panels.members).reshape(len(panels), k)
        if len(panels)
        else panels.members,
        panels.chair,
        panels.value,
    )
    cand = Candidates(
        position,
        dispute_id,
        k,
        best.status,
        best.bound,
        best.value,
        tuple(sorted(int(roster[i]) for i in best.members)),
        inst.n,
        roster[pool],
        local,
        complete,
        work=best.work,
    )
    if best.status == "infeasible":
        cand.diagnosis = diagnose(state.ws, view, None, replace(config, candidates=1)).as_dict()
    cand.seconds = time.perf_counter() - started
    return cand


def _empty(k: int) -> Panels:
    return Panels(np.zeros((0, k), dtype=np.int32), np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int64))


def _exact(
    state: _State,
    position: int,
    dispute_id: str,
    price: np.ndarray,
    party_price: Mapping[str, tuple[np.ndarray, np.ndarray]],
    pool: np.ndarray,
    pool_best: int,
    limit: int,
    config: SolveConfig,
) -> Priced:
    """Price one dispute exactly: the best priced panel over every eligible mediator, proven.

    ``pool_best`` is the best priced worth among the pool's panels (the parent knows them all).
    With less than ``MIN_SOLVE_TIME`` deterministic seconds to spend, no solver runs: the bound is then
    the largest upper bound of a mediator outside the pool (still valid, only looser).
    """
    view = state.views[dispute_id]
    inst = state.arrays.encode(view, with_excluded=False)
    roster = state.arrays.global_index(inst)
    local_price = _member_price(roster, price, party_price, view.dispute.parties)
    cheap = priced(inst, np.rint(local_price).astype(np.int64))
    bounds = upper_bounds(cheap, list(range(cheap.n)))
    in_pool = np.flatnonzero(np.isin(roster, pool))
    outside = np.ones(inst.n, dtype=bool)
    outside[in_pool] = False
    if not outside.any() or int(bounds[outside].max()) <= pool_best:
        return Priced(position, pool_best, (), 0)
    if config.time_limit < MIN_SOLVE_TIME:
        return Priced(position, int(bounds[outside].max()), (), 0, proven=False)
    # Seed the search with a panel worth ``pool_best``: the mediators able to beat it, and dominance.
    idx = reduce(cheap, 1, np.flatnonzero(bounds >= pool_best).tolist())
    if len(idx) < inst.k:
        return Priced(position, pool_best, (), 0)
    model = PanelModel(cheap, idx, Locks())
    status, sol, objective, bound = model.solve(config)
    work = model.deterministic_time
    if sol is None:
        if status == "infeasible":
            return Priced(position, pool_best, (), 0, work=work)
        return Priced(position, int(bounds[outside].max()), (), 0, work=work, proven=False)
    assert objective is not None and bound is not None
    members = sorted(sol.members)
    chair = best_chair(inst, members)
    value = inst.evaluate(members, chair if chair is not None else sol.chair).objective_int
    result = Priced(
        position,
        max(pool_best, bound),
        tuple(int(roster[i]) for i in members),
        value,
        work=work,
        proven=status == "optimal",
    )
    grown = np.union1d(in_pool, members)
    if len(grown) > len(in_pool) and combination_count(len(grown), inst.k) <= limit:
        panels = enumerate_panels(inst, grown)
        position_in_pool = {int(i): j for j, i in enumerate(grown)}
        result.pool = roster[grown]
        result.panels = Panels(
            np.vectorize(position_in_pool.__getitem__, otypes=[np.int32])(panels.members).reshape(len(panels), inst.k)
            if len(panels)
            else panels.members,
            panels.chair,
            panels.value,
        )
    return result


def _member_price(
    roster: np.ndarray,
    price: np.ndarray,
    party_price: Mapping[str, tuple[np.ndarray, np.ndarray]],
    parties: Iterable[str],
) -> np.ndarray:
    """Each mediator's price for this dispute: the roster price plus the same-party prices of its parties."""
    local = price[roster].astype(np.float64)
    for party in parties:
        if party not in party_price:
            continue
        who, value = party_price[party]
        pos = np.searchsorted(roster, who)
        ok = pos < len(roster)
        ok[ok] &= roster[pos[ok]] == who[ok]
        np.add.at(local, pos[ok], value[ok])
    return local


def _alone_chunk(
    items: list[tuple[int, str]], limit: int, config: SolveConfig, state: _State | None = None
) -> list[Candidates]:
    state = state or _STATE
    assert state is not None
    return [_alone(state, p, did, limit, config) for p, did in items]


def _exact_chunk(
    items: list[tuple[int, str, np.ndarray, int]],
    price: np.ndarray,
    party_price: Mapping[str, tuple[np.ndarray, np.ndarray]],
    limit: int,
    config: SolveConfig,
    state: _State | None = None,
) -> list[Priced]:
    state = state or _STATE
    assert state is not None
    return [_exact(state, p, did, price, party_price, pool, best, limit, config) for p, did, pool, best in items]


class _Runner:
    """Runs per-dispute work here or on a process pool (each process: one CP-SAT worker, plain data in and out)."""

    def __init__(self, ws: Workspace, rule_set: RuleSet, state: _State, processes: int) -> None:
        self.ws, self.rule_set, self.state, self.processes = ws, rule_set, state, processes
        self._pool: Executor | None = None

    def _executor(self) -> Executor | None:
        if self.processes <= 1:
            return None
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.processes,
                mp_context=get_context("spawn"),
                initializer=_init_worker,
                initargs=(self.ws.data, self.ws.countries, self.rule_set),
            )
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def width(self, n_items: int) -> int:
        """How many processes ``map`` spreads ``n_items`` over."""
        return self.processes if n_items >= PARALLEL_MIN_DISPUTES and self.processes > 1 else 1

    def map(
        self, chunk_fn: Callable[..., list[Any]], items: list[Any], args: tuple[Any, ...], advance: Advance
    ) -> list[Any]:
        executor = self._executor() if self.width(len(items)) > 1 else None
        out: list[Any] = []
        if executor is None:  # here: the state is passed along (thread-safe, no global)
            for item in items:
                out.extend(chunk_fn([item], *args, state=self.state))
                advance()
            return out
        size = max(1, min(50, len(items) // (self.processes * 6) or 1))
        futures = [executor.submit(chunk_fn, items[i : i + size], *args) for i in range(0, len(items), size)]
        for future in futures:
            part = future.result()
            out.extend(part)
            for _ in part:
                advance()
        return out


# --- the global rows: capacity and quotas --------------------------------------------------------

RowKey = tuple[Any, ...]
LE, GE = "<=", ">="


class GlobalRows:
    """The rows that link disputes, as keys with a sense and a right-hand side.

    ``("cap", i)``: seats of mediator ``i`` (roster index) within their capacity and the per-batch
    cap; ``("state", s)``, ``("group", g)``: seats per state / UN group within the share;
    ``("women",)``: seats held by women at least the share; ``("party", i, p)``: panels of mediator
    ``i`` with party ``p`` at most the limit. ``relaxed`` switches constraints off (diagnosis).
    """

    def __init__(
        self,
        arrays: RosterArrays,
        parties: Sequence[tuple[str, ...]],
        quotas: Quotas,
        seats: int,
        relaxed: frozenset[str] = frozenset(),
    ) -> None:
        self.arrays = arrays
        self.parties = parties
        self.quotas = quotas
        self.seats = seats
        self.relaxed = relaxed
        cap = np.maximum(arrays.spare, 0).astype(np.int64)
        if "capacity" in relaxed:
            cap = np.full(arrays.n, seats, dtype=np.int64)
        if quotas.max_per_mediator is not None and "max_per_mediator" not in relaxed:
            cap = np.minimum(cap, quotas.max_per_mediator)
        self.cap = cap
        self.state_limit = None if "max_state_share" in relaxed else quotas.state_limit(seats)
        self.group_limit = None if "max_group_share" in relaxed else quotas.group_limit(seats)
        self.women_min = None if "min_women_share" in relaxed else quotas.women_minimum(seats)
        self.same_party = None if "max_same_party" in relaxed else quotas.max_same_party

    def coefficients(self, dispute: int, members: Sequence[int]) -> dict[RowKey, int]:
        """Each row's coefficient on a panel of ``dispute`` (position in the joint model) with ``members``."""
        out: dict[RowKey, int] = {}
        a = self.arrays
        for i in members:
            out[("cap", i)] = 1
            if self.state_limit is not None:
                key = ("state", int(a.effective[i]))
                out[key] = out.get(key, 0) + 1
            if self.group_limit is not None:
                key = ("group", int(a.group[i]))
                out[key] = out.get(key, 0) + 1
            if self.women_min is not None and a.female[i]:
                out[("women",)] = out.get(("women",), 0) + 1
            if self.same_party is not None:
                for p in self.parties[dispute]:
                    out[("party", i, p)] = 1
        return out

    def rhs(self, key: RowKey) -> tuple[str, int]:
        kind = key[0]
        if kind == "cap":
            return LE, int(self.cap[key[1]])
        if kind == "state":
            assert self.state_limit is not None
            return LE, self.state_limit
        if kind == "group":
            assert self.group_limit is not None
            return LE, self.group_limit
        if kind == "women":
            assert self.women_min is not None
            return GE, self.women_min
        assert self.same_party is not None
        return LE, self.same_party

    def eager(self) -> list[RowKey]:
        """Rows always present in the linear programme (few): state, group, women."""
        keys: list[RowKey] = []
        if self.state_limit is not None:
            keys += [("state", s) for s in sorted(set(self.arrays.effective.tolist()))]
        if self.group_limit is not None:
            keys += [("group", g) for g in range(len(GROUPS))]
        if self.women_min is not None:
            keys.append(("women",))
        return keys

    def prices(self, duals: Mapping[RowKey, float]) -> tuple[np.ndarray, dict[str, tuple[np.ndarray, np.ndarray]]]:
        """Per roster mediator, the price of one seat; and per party, extra prices of some mediators."""
        a = self.arrays
        price = np.zeros(a.n, dtype=np.float64)
        state = np.zeros(len(a.country_codes), dtype=np.float64)
        group = np.zeros(len(GROUPS), dtype=np.float64)
        party: dict[str, dict[int, float]] = defaultdict(dict)
        for key, y in duals.items():
            if y == 0:
                continue
            kind = key[0]
            if kind == "cap":
                price[key[1]] += y
            elif kind == "state":
                state[key[1]] += y
            elif kind == "group":
                group[key[1]] += y
            elif kind == "women":
                price[a.female] += y
            elif kind == "party":
                party[key[2]][key[1]] = party[key[2]].get(key[1], 0.0) + y
        price += state[a.effective] + group[a.group]
        by_party = {
            p: (np.array(sorted(v), dtype=np.int64), np.array([v[i] for i in sorted(v)], dtype=np.float64))
            for p, v in party.items()
        }
        return price, by_party


# --- columns, the linear programme and pricing ----------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A candidate panel of one dispute: its position in the joint model, members (roster indices) and objective."""

    dispute: int
    members: tuple[int, ...]
    value: int


class ColumnSet:
    """Candidate panels per dispute, without repeats, with an index by mediator."""

    def __init__(self, n_disputes: int) -> None:
        self.columns: list[Column] = []
        self.seen: list[set[tuple[int, ...]]] = [set() for _ in range(n_disputes)]
        self.by_mediator: dict[int, list[int]] = defaultdict(list)

    def add(self, column: Column) -> int | None:
        if column.members in self.seen[column.dispute]:
            return None
        self.seen[column.dispute].add(column.members)
        self.columns.append(column)
        c = len(self.columns) - 1
        for i in column.members:
            self.by_mediator[i].append(c)
        return c

    def __len__(self) -> int:
        return len(self.columns)


class LPTimeout(Exception):
    """The linear programme ran out of its time limit."""


class ColumnLP:
    """The linear programme over the columns (GLOP): one panel per dispute, the global rows.

    Each dispute's row has an artificial column of large negative worth, so the programme is
    always feasible; capacity and same-party rows join when a solution breaks them.
    """

    BIG = 100.0  # objective units (a panel is worth about 1 to 3)

    def __init__(self, n_disputes: int, rows: GlobalRows, columns: ColumnSet, keys: Iterable[RowKey] = ()) -> None:
        self.n_disputes = n_disputes
        self.rows = rows
        self.columns = columns
        self.solver = pywraplp.Solver.CreateSolver("GLOP")
        s = self.solver
        self.objective = s.Objective()
        self.objective.SetMaximization()
        self.assign = []
        self.art = []
        for j in range(n_disputes):
            con = s.Constraint(1.0, 1.0)
            art = s.NumVar(0.0, 1.0, f"a{j}")
            con.SetCoefficient(art, 1.0)
            self.objective.SetCoefficient(art, -self.BIG)
            self.assign.append(con)
            self.art.append(art)
        self.vars: list[Any] = []
        self.cons: dict[RowKey, Any] = {}
        self._reach: dict[RowKey, set[int]] = {}  # disputes with a column holding the row's mediator
        self._pending: set[RowKey] = set()
        self.work_limit: float | None = None  # GLOP's deterministic seconds per solve
        for key in dict.fromkeys([*rows.eager(), *keys]):
            self._add_row(key)

    def rebuilt(self) -> ColumnLP:
        """The same programme built afresh (GLOP occasionally gives up on a long incremental run)."""
        fresh = ColumnLP(self.n_disputes, self.rows, self.columns, list(self.cons))
        fresh.work_limit = self.work_limit
        fresh.sync()
        return fresh

    def _add_row(self, key: RowKey) -> None:
        sense, rhs = self.rows.rhs(key)
        s = self.solver
        con = s.Constraint(-s.infinity(), float(rhs)) if sense == LE else s.Constraint(float(rhs), s.infinity())
        if sense == GE:  # a shortfall column keeps the programme feasible
            slack = s.NumVar(0.0, s.infinity(), f"short{len(self.cons)}")
            con.SetCoefficient(slack, 1.0)
            self.objective.SetCoefficient(slack, -self.BIG)
        self.cons[key] = con
        touched = self.columns.by_mediator.get(key[1], []) if key[0] in ("cap", "party") else range(len(self.vars))
        for c in touched:
            if c < len(self.vars):
                col = self.columns.columns[c]
                coef = self.rows.coefficients(col.dispute, col.members).get(key, 0)
                if coef:
                    con.SetCoefficient(self.vars[c], float(coef))

    def sync(self) -> None:
        """Give the programme a variable for every column added since the last call, and a row for
        every capacity or same-party limit that the columns could now break (more disputes than
        the limit have a column holding the mediator)."""
        start = len(self.vars)
        for c in range(start, len(self.columns)):
            col = self.columns.columns[c]
            var = self.solver.NumVar(0.0, self.solver.infinity(), f"z{c}")
            self.objective.SetCoefficient(var, col.value / OBJECTIVE_SCALE)
            self.assign[col.dispute].SetCoefficient(var, 1.0)
            for key, coef in self.rows.coefficients(col.dispute, col.members).items():
                con = self.cons.get(key)
                if con is not None:
                    con.SetCoefficient(var, float(coef))
                elif key[0] in ("cap", "party"):
                    reach = self._reach.setdefault(key, set())
                    reach.add(col.dispute)
                    if len(reach) > self.rows.rhs(key)[1]:
                        self._pending.add(key)
            self.vars.append(var)
        for key in sorted(self._pending, key=repr):
            if key not in self.cons:
                self._add_row(key)
        self._pending.clear()

    def solve(self) -> float:
        """Solve, adding every capacity or same-party row the solution breaks, until none is broken.

        Raises ``LPTimeout`` past ``work_limit`` (deterministic, so a run stops at the same point every time).
        """
        while True:
            self.sync()
            if self.work_limit is not None:
                self.solver.SetSolverSpecificParametersAsString(f"max_deterministic_time: {self.work_limit:.6f}")
            status = self.solver.Solve()
            if status == pywraplp.Solver.NOT_SOLVED or (
                status == pywraplp.Solver.FEASIBLE and self.work_limit is not None
            ):
                raise LPTimeout
            if status != pywraplp.Solver.OPTIMAL:  # start again from scratch, without the previous basis
                fresh = self.rebuilt()
                self.solver, self.objective, self.assign, self.art = (
                    fresh.solver,
                    fresh.objective,
                    fresh.assign,
                    fresh.art,
                )
                self.vars, self.cons = fresh.vars, fresh.cons
                status = self.solver.Solve()
            if status != pywraplp.Solver.OPTIMAL:
                raise RuntimeError(f"the linear programme failed (status {status})")
            activity: dict[RowKey, float] = defaultdict(float)
            for c, var in enumerate(self.vars):
                z = var.solution_value()
                if z <= 1e-9:
                    continue
                col = self.columns.columns[c]
                for key, coef in self.rows.coefficients(col.dispute, col.members).items():
                    if key[0] in ("cap", "party") and key not in self.cons:
                        activity[key] += coef * z
            broken = [key for key, act in activity.items() if act > self.rows.rhs(key)[1] + 1e-7]
            if not broken:
                return float(self.objective.Value())
            for key in sorted(broken, key=repr):
                self._add_row(key)

    def values(self) -> np.ndarray:
        return np.array([v.solution_value() for v in self.vars], dtype=np.float64)

    def artificial(self) -> float:
        """How much of the disputes' rows the artificial columns still cover (0 when all are staffed)."""
        return float(sum(a.solution_value() for a in self.art))

    def duals(self) -> tuple[dict[RowKey, float], np.ndarray]:
        """Dual prices in objective units (integers' scale): global rows, and one per dispute row."""
        rows = {key: con.dual_value() * OBJECTIVE_SCALE for key, con in self.cons.items()}
        mu = np.array([con.dual_value() * OBJECTIVE_SCALE for con in self.assign], dtype=np.float64)
        return rows, mu


def _integer_duals(duals: Mapping[RowKey, float], rows: GlobalRows) -> dict[RowKey, float]:
    """Dual prices rounded to whole objective units, with the sign each row allows (a valid multiplier)."""
    out: dict[RowKey, float] = {}
    for key, y in duals.items():
        sense, _ = rows.rhs(key)
        v = float(round(y))
        out[key] = max(0.0, v) if sense == LE else min(0.0, v)
    return out


def _price_pools(
    joint: Sequence[Candidates],
    parties: Sequence[tuple[str, ...]],
    price: np.ndarray,
    party_price: Mapping[str, tuple[np.ndarray, np.ndarray]],
    mu: np.ndarray | None,
    columns: ColumnSet,
    per_dispute: int,
) -> tuple[int, list[float]]:
    """Add each dispute's best-priced pool panels that improve the programme; also each pool's best priced worth."""
    added = 0
    best_worth: list[float] = []
    for j, cand in enumerate(joint):
        local = _member_price(cand.pool, price, party_price, parties[j])
        worth = cand.panels.value - local[cand.panels.members].sum(axis=1)
        best_worth.append(float(worth.max()))
        if mu is None:
            continue
        reduced = worth - mu[j]
        count = min(per_dispute, len(reduced))
        top = np.argpartition(-reduced, count - 1)[:count] if count < len(reduced) else np.arange(len(reduced))
        for r in top[np.argsort(-reduced[top], kind="stable")]:
            if reduced[r] <= 1.0:  # one millionth of an objective point: nothing to gain
                break
            members = tuple(sorted(int(cand.pool[i]) for i in cand.panels.members[r]))
            if columns.add(Column(j, members, int(cand.panels.value[r]))) is not None:
                added += 1
    return added, best_worth


@dataclass
class MasterResult:
    """The assignment chosen among the columns: a column per dispute position (``None`` = not staffed)."""

    status: str  # optimal | feasible | infeasible | timeout
    chosen: list[int | None]
    objective: int
    bound: float | None
    worst: int | None = None
    work: float = 0.0  # CP-SAT's deterministic seconds over every stage


def _limit(params: Any, work: float) -> None:
    """Stop a CP-SAT search after ``work`` deterministic seconds (the same point on every run, however
    loaded the machine); the wall-clock limit is only a safety net."""
    params.max_deterministic_time = max(MIN_SOLVE_TIME, work)
    params.max_time_in_seconds = max(30.0, 5 * work)


def _hint(columns: ColumnSet, rows: GlobalRows, n_disputes: int, weights: np.ndarray | None) -> list[int | None]:
    """A greedy assignment to start the search: disputes with the fewest candidate panels first, each
    taking its best panel (by the programme's solution, else by objective) that still fits."""
    values = np.array([c.value for c in columns.columns], dtype=np.float64)
    key = weights if weights is not None and len(weights) == len(values) else values
    by_dispute: list[list[int]] = [[] for _ in range(n_disputes)]
    for c, col in enumerate(columns.columns):
        by_dispute[col.dispute].append(c)
    order = sorted(range(n_disputes), key=lambda j: (len(by_dispute[j]), j))
    used: Counter[RowKey] = Counter()
    chosen: list[int | None] = [None] * n_disputes
    for j in order:
        for c in sorted(by_dispute[j], key=lambda c: (-key[c], -values[c], c)):
            col = columns.columns[c]
            coefs = rows.coefficients(col.dispute, col.members)
            if all(rows.rhs(k)[0] == GE or used[k] + v <= rows.rhs(k)[1] for k, v in coefs.items()):
                chosen[j] = c
                used.update(coefs)
                break
    return chosen


def _staffed(result: MasterResult) -> int:
    return sum(1 for c in result.chosen if c is not None)


def _greedy(columns: ColumnSet, rows: GlobalRows, hint: Sequence[int | None]) -> MasterResult | None:
    """The greedy assignment as a result, when it keeps every row (it always keeps the upper limits);
    the fallback when the assignment model finds nothing in its time on a very large batch."""
    used: Counter[RowKey] = Counter()
    for c in hint:
        if c is not None:
            col = columns.columns[c]
            used.update(rows.coefficients(col.dispute, col.members))
    if any(rows.rhs(key)[0] == GE and used[key] < rows.rhs(key)[1] for key in rows.eager()):
        return None
    objective = sum(columns.columns[c].value for c in hint if c is not None)
    return MasterResult("feasible", list(hint), int(objective), None)


def _solve_master(
    columns: ColumnSet,
    rows: GlobalRows,
    n_disputes: int,
    *,
    fair: bool,
    require_all: bool,
    time_limit: float,
    seed: int,
    hint: Sequence[int | None] = (),
    feasibility_only: bool = False,
    stop_at: int | None = None,
) -> MasterResult:
    """CP-SAT over the columns: one per dispute (or at most one, staffing as many as possible first).

    ``time_limit`` is in deterministic seconds, shared by the stages; one seeded worker, so the
    result is the same on every run.
    """
    model = cp_model.CpModel()
    cols = columns.columns
    z = [model.new_bool_var(f"z{c}") for c in range(len(cols))]
    by_dispute: list[list[int]] = [[] for _ in range(n_disputes)]
    for c, col in enumerate(cols):
        by_dispute[col.dispute].append(c)
    staffed = []
    for j, cs in enumerate(by_dispute):
        if require_all:
            if not cs:
                return MasterResult("infeasible", [None] * n_disputes, 0, None)
            model.add_exactly_one(z[c] for c in cs)
        else:
            s = model.new_bool_var(f"s{j}")
            model.add(sum(z[c] for c in cs) == s)
            staffed.append(s)
    terms: dict[RowKey, list[tuple[int, int]]] = defaultdict(list)
    for c, col in enumerate(cols):
        for key, coef in rows.coefficients(col.dispute, col.members).items():
            terms[key].append((c, coef))
    for key, pairs in terms.items():
        sense, rhs = rows.rhs(key)
        if sense == LE:
            most: dict[int, int] = {}
            for c, coef in pairs:
                most[cols[c].dispute] = max(most.get(cols[c].dispute, 0), coef)
            if sum(most.values()) <= rhs:
                continue  # can never bind
            model.add(cp_model.LinearExpr.weighted_sum([z[c] for c, _ in pairs], [v for _, v in pairs]) <= rhs)
        else:
            model.add(cp_model.LinearExpr.weighted_sum([z[c] for c, _ in pairs], [v for _, v in pairs]) >= rhs)
    if rows.women_min and ("women",) not in terms:
        model.add_bool_or([])  # women are required but no candidate panel has one

    for hinted in hint:
        if hinted is not None:
            model.add_hint(z[hinted], True)
    solver = cp_model.CpSolver()
    p = solver.parameters
    p.num_workers = 1
    p.random_seed = seed
    p.linearization_level = 2
    _limit(p, time_limit)
    if feasibility_only:
        p.stop_after_first_solution = True
        status = solver.solve(model)
        name = "feasible" if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else _status(status)
        return MasterResult(name, [None] * n_disputes, 0, None, work=solver.deterministic_time)

    value = [col.value for col in cols]
    disputes_value = [cp_model.LinearExpr.weighted_sum([z[c] for c in cs], [value[c] for c in cs]) for cs in by_dispute]
    total = cp_model.LinearExpr.weighted_sum(z, value)
    stages: list[tuple[str, Any]] = []
    top = max((abs(v) for v in value), default=1) + 1
    if not require_all:
        stages.append(("staffed", sum(staffed)))
    worst_var = None
    if fair:
        low = min(value, default=0)
        worst_var = model.new_int_var(min(0, low), top, "worst")
        for j, expr in enumerate(disputes_value):
            if require_all:
                model.add(expr >= worst_var)
            elif by_dispute[j]:  # only the staffed disputes count
                model.add(expr + top * (1 - staffed[j]) >= worst_var)
        stages.append(("worst", worst_var))
    stages.append(("total", total))

    result = MasterResult("timeout", [None] * n_disputes, 0, None)
    bound: float | None = None
    used = 0.0
    for n_stage, (label, objective) in enumerate(stages):
        remaining = time_limit - used
        _limit(p, remaining / (len(stages) - n_stage) if label != "total" else remaining)
        model.clear_objective()
        model.maximize(objective)
        callback = _StopAt(stop_at) if label == "total" and stop_at is not None and not fair else None
        status = solver.solve(model, callback)
        used += solver.deterministic_time
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            if n_stage == 0:
                return MasterResult(_status(status), [None] * n_disputes, 0, None, work=used)
            break
        chosen: list[int | None] = [None] * n_disputes
        for c, var in enumerate(z):
            if solver.boolean_value(var):
                chosen[cols[c].dispute] = c
        optimal = status == cp_model.OPTIMAL
        result = MasterResult(
            "optimal" if optimal and result.status in ("timeout", "optimal") else "feasible",
            chosen,
            int(sum(value[c] for c in chosen if c is not None)),
            None,
            None if worst_var is None else int(solver.value(worst_var)),
            used,
        )
        if label == "total":
            bound = solver.best_objective_bound
        # Keep what this stage reached and hint the next stage with it (lexicographic).
        reached = round(solver.objective_value)
        model.add(objective >= reached)
        model.clear_hints()
        for var in z:
            model.add_hint(var, solver.boolean_value(var))
    result.bound, result.work = bound, used
    return result


class _StopAt(cp_model.CpSolverSolutionCallback):
    """Stops the search once a solution reaches a known upper bound (the linear programme's value)."""

    def __init__(self, target: int) -> None:
        super().__init__()
        self.target = target

    def on_solution_callback(self) -> None:
        if self.objective_value >= self.target:
            self.stop_search()


def _status(status: Any) -> str:
    if status == cp_model.INFEASIBLE:
        return "infeasible"
    if status == cp_model.MODEL_INVALID:
        raise RuntimeError("invalid assignment model")
    return "timeout"


# --- the joint phase ----------------------------------------------------------------------------

MASTER_ALL_LIMIT = 60_000  # below this many panels in all, every panel goes into the assignment model


@dataclass
class JointPlan:
    """The joint phase's answer: a panel (roster indices) per dispute of the joint model, and its proof."""

    method: str
    chosen: list[tuple[int, ...] | None]
    objective: int
    bound: float
    bound_sources: dict[str, float]
    proven: bool
    status: str  # optimal | feasible | timeout (of the assignment)
    diagnosis: dict[str, Any] | None = None
    columns: int = 0
    rounds: int = 0
    exact_rounds: int = 0
    lp_value: float | None = None
    worst: int | None = None
    seconds: dict[str, float] = field(default_factory=dict)


def _flow_plan(joint: Sequence[Candidates], rows: GlobalRows, config: BatchConfig) -> JointPlan:
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
        status="optimal",
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


def _column_plan(
    joint: list[Candidates],
    parties: Sequence[tuple[str, ...]],
    rows: GlobalRows,
    config: BatchConfig,
    runner: _Runner,
    limit: int,
    solve_config: SolveConfig,
    bar: ProgressFactory,
) -> JointPlan:
    budget = config.time_limit
    n = len(joint)
    columns = ColumnSet(n)
    for j, c in enumerate(joint):
        if c.best_members and c.best is not None:
            columns.add(Column(j, c.best_members, c.best))
        for r in np.argsort(-c.panels.value, kind="stable")[:3]:
            columns.add(Column(j, tuple(sorted(int(c.pool[i]) for i in c.panels.members[r])), int(c.panels.value[r])))
    upper_sum = float(sum(c.upper or 0 for c in joint))
    sources: dict[str, float] = {"disputes alone": upper_sum}
    complete = all(c.complete for c in joint) and sum(len(c.panels) for c in joint) <= MASTER_ALL_LIMIT
    rounds = exact_rounds = 0
    lp_value: float | None = None
    weights: np.ndarray | None = None
    method = METHOD_COMPLETE if complete else METHOD_COLUMNS
    timing: dict[str, float] = {}
    used = 0.0  # deterministic seconds spent so far (per process, for the work spread over processes)

    if complete:
        for j, c in enumerate(joint):
            for r in range(len(c.panels)):
                columns.add(
                    Column(j, tuple(sorted(int(c.pool[i]) for i in c.panels.members[r])), int(c.panels.value[r]))
                )
    else:
        lp = ColumnLP(n, rows, columns)
        try:
            lp_value, weights, rounds, exact_rounds, used = _generate_columns(
                lp, joint, parties, rows, runner, limit, solve_config, columns, bar, sources, timing, budget, config.gap
            )
        except LPTimeout:
            lp_value, weights = None, None  # no time left for the linear programme: assign what there is

    remaining = max(MASTER_SHARE * budget, budget - used)
    mark = time.perf_counter()
    hint = _hint(columns, rows, n, weights)
    # The programme's value bounds any assignment of these columns: stop once within a hair of it
    # (closing the last 0.01 % can take the assignment model most of its time, for nothing visible).
    stop_at = None if lp_value is None else math.floor(lp_value * OBJECTIVE_SCALE * (1 - MASTER_TOLERANCE) + 1e-6)
    master = _solve_master(
        columns, rows, n, fair=config.fair, require_all=True, time_limit=remaining,
        seed=config.seed, hint=hint, stop_at=stop_at,
    )  # fmt: skip
    diagnosis = None
    if master.status == "timeout" and _staffed(master) == 0:
        greedy = _greedy(columns, rows, hint)
        if greedy is not None and _staffed(greedy) == n:
            master = greedy
            method += "; the greedy assignment (the assignment model found none in its time)"
    if master.status in ("infeasible", "timeout") and _staffed(master) == 0:
        infeasible_proven = complete and master.status == "infeasible"
        in_way = _relax_one_at_a_time(columns, rows, n, config) if master.status == "infeasible" else []
        master = _solve_master(
            columns, rows, n, fair=config.fair, require_all=False, time_limit=max(1.0, 0.5 * remaining),
            seed=config.seed, hint=hint,
        )  # fmt: skip
        greedy = _greedy(columns, rows, hint)
        if greedy is not None and _staffed(greedy) > _staffed(master):
            master = greedy
            method += "; the greedy assignment (the assignment model found no better one in its time)"
        unstaffed = sum(1 for c in master.chosen if c is None)
        if in_way:
            diagnosis = _joint_diagnosis(in_way, rows.quotas, unstaffed, infeasible_proven)
        else:  # not shown impossible, only not found in time
            diagnosis = {
                "conflicting_rules": [],
                "suggestions": [
                    f"No assignment staffing every dispute was found within the time limit ({unstaffed} left without "
                    "a panel); raise --time-limit."
                ],
                "proven": False,
                "timeout": True,
            }
        upper_sum = float(sum(max(0, c.upper or 0) for c in joint))
        sources = {"disputes alone": upper_sum}
    elif complete and master.bound is not None and not config.fair:
        sources["assignment over every panel"] = float(master.bound)
    chosen = [None if c is None else columns.columns[c].members for c in master.chosen]
    bound = min(sources.values())
    if master.status == "optimal" and complete and not config.fair:
        bound = min(bound, float(master.objective))
    proven = bound <= master.objective + 1e-9
    return JointPlan(
        method=method,
        chosen=chosen,
        objective=master.objective,
        bound=bound,
        bound_sources=sources,
        proven=proven,
        status=master.status,
        diagnosis=diagnosis,
        columns=len(columns),
        rounds=rounds,
        exact_rounds=exact_rounds,
        lp_value=None if lp_value is None else lp_value * OBJECTIVE_SCALE,
        worst=master.worst,
        seconds={**timing, "assignment": time.perf_counter() - mark},
    )


def _generate_columns(
    lp: ColumnLP,
    joint: list[Candidates],
    parties: Sequence[tuple[str, ...]],
    rows: GlobalRows,
    runner: _Runner,
    limit: int,
    solve_config: SolveConfig,
    columns: ColumnSet,
    bar: ProgressFactory,
    sources: dict[str, float],
    timing: dict[str, float],
    budget: float,
    gap: float = 0.0,
) -> tuple[float | None, np.ndarray | None, int, int, float]:
    """Column generation on the pools, then exact pricing (the Lagrangian bound), within the budget.

    Returns the programme's value, its solution (the assignment's hint), the rounds of each kind and
    the deterministic seconds spent. Every stop is deterministic: round counts, GLOP's deterministic
    limit (``LP_SHARE`` of the budget per solve) and CP-SAT's deterministic seconds for exact pricing
    (``EXACT_SHARE`` of the budget in all, spread over the processes). Another exact round is only
    worth it while the programme's value is more than ``gap`` (a share) below the proven bound.
    """
    lp.work_limit = max(MIN_SOLVE_TIME, LP_SHARE * budget)
    rounds = exact_rounds = 0
    used = 0.0
    lp_value: float | None = None
    for _ in range(MAX_EXACT_ROUNDS):
        mark = time.perf_counter()
        for _ in range(MAX_CG_ROUNDS):
            lp_value = lp.solve()
            rounds += 1
            duals, mu = lp.duals()
            price, party_price = rows.prices(duals)
            added, _ = _price_pools(joint, parties, price, party_price, mu, columns, COLUMNS_PER_ROUND)
            if not added:
                break
        lp_value = lp.solve()
        duals, mu = lp.duals()
        _tick(timing, "pricing rounds", mark)
        if lp.artificial() > 1e-6:
            break  # not every dispute can be staffed by the candidates: no Lagrangian bound
        mark = time.perf_counter()
        left = EXACT_SHARE * budget - used
        lagrangian, new, work = _exact_round(
            joint, parties, rows, duals, runner, limit, solve_config, columns, bar, left
        )
        used += work
        _tick(timing, "exact pricing", mark)
        exact_rounds += 1
        sources["Lagrangian (exact pricing)"] = min(sources.get("Lagrangian (exact pricing)", math.inf), lagrangian)
        if not new or used >= EXACT_SHARE * budget:
            break
        lp_value = lp.solve()  # with the exact round's panels
        bound = min(sources.values())
        if bound - lp_value * OBJECTIVE_SCALE <= gap * abs(bound):
            break
    lp_value = lp.solve()
    return lp_value, lp.values(), rounds, exact_rounds, used


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
        result = _solve_master(
            columns, relaxed, n, fair=False, require_all=True, time_limit=max(1.0, config.time_limit / 10),
            seed=config.seed, feasibility_only=True,
        )  # fmt: skip
        if result.status == "feasible":
            in_way.append(name)
    return in_way or active


def _exact_round(
    joint: list[Candidates],
    parties: Sequence[tuple[str, ...]],
    rows: GlobalRows,
    duals: Mapping[RowKey, float],
    runner: _Runner,
    limit: int,
    solve_config: SolveConfig,
    columns: ColumnSet,
    bar: ProgressFactory,
    budget: float = math.inf,
) -> tuple[float, int, float]:
    """Price every dispute exactly at whole-unit dual prices: the Lagrangian bound, and new columns.

    First every dispute is bounded without a solver (the mediators' priced upper bounds, which
    usually prove the pool's best panel is still the best); the disputes left unproven then share
    ``budget`` deterministic seconds per process equally (at most the usual per-dispute limit). A
    dispute whose share is too small keeps the looser, still valid bound of the first pass.
    Returns the bound, the number of new columns and the deterministic seconds spent per process.
    """
    y = _integer_duals(duals, rows)
    price, party_price = rows.prices(y)
    constant = sum(v * rows.rhs(key)[1] for key, v in y.items())
    _, worth = _price_pools(joint, parties, price, party_price, None, columns, 0)
    negative = bool((price < 0).any()) or any((v < 0).any() for _, v in party_price.values())
    items: list[tuple[int, str, np.ndarray, int]] = []
    bound_of = list(worth)
    for j, c in enumerate(joint):
        if c.complete:
            continue
        if not negative:
            local = _member_price(np.array(c.best_members, dtype=np.int64), price, party_price, parties[j])
            if c.best == c.upper and not local.any():
                bound_of[j] = float(c.upper or 0)  # its best panel alone costs nothing: still the best
                continue
        items.append((j, c.dispute_id, c.pool, round(worth[j])))
    added = 0
    work = 0.0
    if items:
        with bar(len(items), "Joint model: bounds at the prices") as advance:
            cheap = runner.map(_exact_chunk, items, (price, party_price, limit, _share(solve_config, 0.0)), advance)
        unproven = [item for item, p in zip(items, cheap, strict=True) if p.bound > item[3]]
        best: dict[int, Priced] = {p.position: p for p in cheap}
        # Most solves take a small fraction of an equal share: disputes that hit their share try
        # again with an equal share of what is left (each pass deterministic).
        for _ in range(SOLVE_PASSES):
            if not unproven or budget - work < MIN_SOLVE_TIME:
                break
            width = runner.width(len(unproven))
            config = _share(solve_config, (budget - work) * width / len(unproven))
            if config.time_limit < MIN_SOLVE_TIME:
                break
            with bar(len(unproven), "Joint model: exact prices") as advance:
                solved = runner.map(_exact_chunk, unproven, (price, party_price, limit, config), advance)
            work += sum(p.work for p in solved) / width
            cut_short = {p.position for p in solved if p.work >= config.time_limit and not p.proven}
            for p in solved:
                if p.proven or p.bound < best[p.position].bound:
                    best[p.position] = p
            unproven = [item for item in unproven if item[0] in cut_short]
        priced_list = [best[item[0]] for item in items]
        for p in priced_list:
            j = p.position
            bound_of[j] = float(p.bound)
            if p.members and columns.add(Column(j, p.members, p.value)) is not None:
                added += 1
            if p.pool is not None and p.panels is not None:
                joint[j].pool, joint[j].panels = p.pool, p.panels
    return constant + sum(bound_of), added, work


def _share(config: SolveConfig, work: float) -> SolveConfig:
    """``config`` with at most ``work`` deterministic seconds per solve."""
    return replace(config, time_limit=max(0.0, min(config.time_limit, work)))


# --- the run: solve_batch and its outcome ---------------------------------------------------------


@contextmanager
def silent_progress(total: int, label: str) -> Iterator[Advance]:
    """A progress factory that shows nothing (the library's default)."""
    yield lambda: None


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
                if (self.joint_infeasibility or {}).get("timeout")
                else "left out by capacity or quotas"
            )
            shown = ", ".join(self.unstaffed[:10]) + ("…" if len(self.unstaffed) > 10 else "")
            parts.append(f"{len(self.unstaffed)} {why} ({shown})")
        if self.timeouts:
            parts.append(f"{len(self.timeouts)} without a panel within the time limit ({', '.join(self.timeouts)})")
        parts.append(
            f"objective {self.objective:.4f}, bound {self.bound:.4f}, gap {self.gap:.4f} ({self.relative_gap:.2%})"
            + (", proven optimal" if self.proven_optimal else "")
        )
        parts.append(f"{sum(v for k, v in self.seconds.items() if ':' not in k):.1f} s")
        return "; ".join(parts) + "."


@dataclass
class BatchOutcome:
    """Everything a batch run produced: one result per dispute (SPEC JSON), the seats, the summary."""

    results: list[DisputeResult]
    seats: list[SeatFact]
    summary: BatchSummary
    rule_set: str
    seed: int
    inputs_sha256: dict[str, str]
    started_at: str
    wall_seconds: float

    def document(self) -> dict[str, Any]:
        """The panels JSON of SPEC.md, with the run-level summary under ``batch``."""
        doc = run_document(
            self.results, self.rule_set, self.seed, self.inputs_sha256, self.started_at, self.wall_seconds
        )
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


def write_seats_csv(seats: Sequence[SeatFact], path: os.PathLike[str] | str) -> None:
    """The seats as CSV (dispute_id, mediator_id, role, nationality, un_group, gender), written atomically."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(target.suffix + ".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(SEAT_COLUMNS)
        for s in seats:
            writer.writerow([s.dispute_id, s.mediator_id, s.role, s.nationality, s.un_group, s.gender])
    tmp.replace(target)


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
) -> BatchOutcome:
    """Assign one panel to every dispute at once (see the module docstring for the method)."""
    config = config or BatchConfig()
    ids = list(dispute_ids) if dispute_ids is not None else [d.dispute_id for d in ws.data.disputes]
    check_config(ws, config, ids)
    bar = progress or silent_progress
    started_at, clock = now_iso(), time.perf_counter()
    seconds: dict[str, float] = {}
    state = _make_state(ws, rule_set)
    limit = max(MIN_ENUMERATION, min(ENUMERATION_LIMIT, config.enumeration_budget // max(1, len(ids))))
    solve_config = SolveConfig(
        candidates=1, time_limit=config.dispute_time_limit, seed=config.seed, workers=1, presolve=False
    )
    runner = _Runner(ws, rule_set, state, config.workers)
    alone_config = solve_config
    if config.dispute_phase_limit is not None and ids:
        alone_config = _share(solve_config, config.dispute_phase_limit * runner.width(len(ids)) / len(ids))
    try:
        with bar(len(ids), "Disputes on their own") as advance:
            candidates: list[Candidates] = runner.map(
                _alone_chunk, list(enumerate(ids)), (limit, alone_config), advance
            )
        candidates.sort(key=lambda c: c.position)
        seconds["disputes alone"] = time.perf_counter() - clock
        joint = [c for c in candidates if c.in_joint_model]
        parties = [state.views[c.dispute_id].dispute.parties for c in joint]
        rows = GlobalRows(state.arrays, parties, config.quotas, sum(c.k for c in joint))
        mark = time.perf_counter()
        if not joint:
            plan = JointPlan("none (no dispute can be staffed)", [], 0, 0.0, {}, True, "optimal")
        elif all(c.k == 1 for c in joint) and not config.quotas.couples_disputes:
            plan = _flow_plan(joint, rows, config)
        else:
            plan = _column_plan(joint, parties, rows, config, runner, limit, solve_config, bar)
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
    state: _State,
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
    worst: tuple[int, str, int] | None = None
    for cand in candidates:
        view = state.views[cand.dispute_id]
        if cand.status in ("infeasible", "timeout") or not cand.in_joint_model:
            results.append(
                DisputeResult(
                    cand.dispute_id,
                    cand.status if cand.status in ("infeasible", "timeout") else "infeasible",
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
            timed_out = bool(diag.pop("timeout", False))
            results.append(
                DisputeResult(
                    cand.dispute_id,
                    "timeout" if timed_out else "infeasible",
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
                "optimal" if value >= upper else "feasible",
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
    staffed = sum(1 for r in results if r.panels)
    summary = BatchSummary(
        method=plan.method,
        disputes=len(candidates),
        staffed=staffed,
        infeasible_alone=[c.dispute_id for c in candidates if c.status == "infeasible"],
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
        timeouts=[c.dispute_id for c in candidates if c.status == "timeout"],
    )
    return BatchOutcome(
        results=results,
        seats=seats,
        summary=summary,
        rule_set=rule_set.name,
        seed=config.seed,
        inputs_sha256=dict(ws.data.inputs_sha256),
        started_at=started_at,
        wall_seconds=time.perf_counter() - clock,
    )
