"""Every feasible panel of a small pool of mediators, enumerated with numpy, with its best chair and
exact objective (``Panels``); and the dispute views a batch works on.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from itertools import combinations
from typing import Any

import numpy as np

from matching.io.rulesets import RuleSet
from matching.rules.checker import DisputeView
from matching.rules.encoding import TRADITIONS, PanelInstance
from matching.rules.scoring import CHAIR_SHARES, SCORE_SCALE
from matching.rules.workspace import Workspace

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


def empty_panels(k: int) -> Panels:
    """No panels (of size ``k``)."""
    return Panels(np.zeros((0, k), dtype=np.int32), np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int64))


def enumerate_panels(inst: PanelInstance, pool: Sequence[int] | np.ndarray) -> Panels:
    """All panels of ``inst.k`` members from ``pool`` (indices into ``inst``) that keep every hard rule.

    Computed column by column over the combinations (``k`` is at most 5), with the separable
    part of the objective summed once per member; the tests hold the values to ``evaluate``.
    """
    pool = np.asarray(sorted(int(i) for i in pool), dtype=np.int64)
    return _score(inst, pool, _combinations(len(pool), inst.k))


def score_panels(inst: PanelInstance, members: np.ndarray) -> Panels:
    """The given panels (rows of ``inst.k`` distinct indices into ``inst``, each row sorted) that keep
    every hard rule, in the given order, scored as ``enumerate_panels`` scores them."""
    members = np.asarray(members, dtype=np.int64).reshape(-1, inst.k)
    pool = np.unique(members)
    return _score(inst, pool, np.searchsorted(pool, members).astype(np.int32))


def _score(inst: PanelInstance, pool: np.ndarray, combos: np.ndarray) -> Panels:
    """The rows of ``combos`` (positions in ``pool``) that keep every hard rule, with best chair and value."""
    k = inst.k
    if len(combos) == 0:
        return empty_panels(k)
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
