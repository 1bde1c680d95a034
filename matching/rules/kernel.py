"""The rules and scoring kernel: one dispute's hard rules and exact objective, computed on arrays.

Everything the library decides about a panel is computed here from the encoder's arrays
(``matching.rules.encoding``): who may sit and why not (one mask per eligibility rule, and the
reasons read from those masks), who may chair, each mediator's value as a member and as chair,
the groups of mediators who share a nationality, every panel-level rule (co-nationals, working
languages, distinct nationalities, traditions and regional groups, the lean cap) and the exact integer
objective of any batch of panels (``PanelInstance.evaluate`` scores one panel with the same
code). The CP-SAT model, the batch's pools, the lottery's enumeration, the diagnosis, ``score``
and ``why-not`` all read these functions. ``matching.rules.checker`` stays the plain, independent
reference: the tests compare the two, and panels leaving the library are re-checked by it
(``matching.rules.recheck``).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import combinations
from typing import TYPE_CHECKING, Any

import numpy as np

from matching.core.domain import ConflictCategory, Mediator, NationalityRule, Tradition, UNGroup
from matching.io.rulesets import COMPONENTS, RuleSet
from matching.rules.checker import Breach, DisputeView
from matching.rules.scoring import CHAIR_SHARES, SCORE_SCALE
from matching.rules.workspace import Workspace

if TYPE_CHECKING:
    from matching.rules.encoding import PanelInstance, RosterArrays

TRADITIONS: tuple[Tradition, ...] = tuple(Tradition)
GROUPS: tuple[UNGroup, ...] = tuple(UNGroup)
POPCOUNT = np.array([bin(v).count("1") for v in range(1 << max(len(TRADITIONS), len(GROUPS)))], dtype=np.int64)

# --- who may sit, and why not (H1 strict, H2, H3, H6, H7) ----------------------------------------


@dataclass(frozen=True)
class Eligibility:
    """Per eligibility rule, which roster mediators break it for one dispute (True = breaks)."""

    party_national: np.ndarray  # H1 under the strict nationality rule
    red_conflict: np.ndarray  # H2: non-waivable red, or waivable red not waived
    unavailable: np.ndarray  # H3
    full: np.ndarray  # H3: available but no capacity left
    struck: np.ndarray  # H6 (when the rule set honours strikes)
    undeclared: np.ndarray  # H7 (when the rule set requires a declaration)

    @property
    def ineligible(self) -> np.ndarray:
        return np.asarray(
            self.party_national | self.red_conflict | self.unavailable | self.full | self.struck | self.undeclared
        )

    def breaches(self, view: DisputeView, i: int, m: Mediator) -> list[Breach]:
        """The reasons mediator ``i`` (``m``) may not sit, read from the masks, in rule order."""
        mid = m.mediator_id
        out: list[Breach] = []
        if self.party_national[i]:
            shared = ", ".join(n for n in m.nationalities if n in view.dispute.parties)
            out.append(Breach("H1", f"holds the nationality of party {shared}", mid))
        if self.red_conflict[i]:
            conflict = view.conflicts[mid]
            note = conflict.note or "no note"
            if conflict.category is ConflictCategory.NON_WAIVABLE_RED:
                out.append(Breach("H2", f"has a non-waivable red conflict ({note})", mid))
            else:
                out.append(Breach("H2", f"has a waivable red conflict not waived by every party ({note})", mid))
        if self.unavailable[i]:
            out.append(Breach("H3", "is not available", mid))
        elif self.full[i]:
            out.append(Breach("H3", f"is at full capacity ({m.max_cases} cases)", mid))
        if self.struck[i]:
            out.append(Breach("H6", f"was struck by {', '.join(view.struck_by[mid])}", mid))
        if self.undeclared[i]:
            out.append(Breach("H7", "has no current signed declaration of independence", mid))
        return out


def eligibility(arrays: RosterArrays, view: DisputeView) -> Eligibility:
    """The eligibility rules of ``view``'s dispute over the whole roster of ``arrays``."""
    n = arrays.n
    rs = view.rule_set
    party_cols = [arrays.country_index[p] for p in view.dispute.parties]
    national = np.zeros(n, dtype=bool)
    if view.nationality_rule is NationalityRule.STRICT:
        national = np.asarray(arrays.nationality[:, party_cols].any(axis=1), dtype=bool)
    red = np.zeros(n, dtype=bool)
    for mid, conflict in view.conflicts.items():
        i = arrays.index.get(mid)
        if i is not None and (
            conflict.category is ConflictCategory.NON_WAIVABLE_RED
            or (conflict.category is ConflictCategory.WAIVABLE_RED and not conflict.waived)
        ):
            red[i] = True
    room = arrays.room(view)
    struck = np.zeros(n, dtype=bool)
    if rs.honour_strikes:
        for mid in view.struck_by:
            i = arrays.index.get(mid)
            if i is not None:
                struck[i] = True
    undeclared = ~arrays.signed if rs.require_declaration else np.zeros(n, dtype=bool)
    return Eligibility(national, red, ~arrays.available, arrays.available & (room < 1), struck, undeclared)


def chair_mask(co_national: np.ndarray, speaks: np.ndarray, rules: Iterable[str] = ("H1", "H4")) -> np.ndarray:
    """Who may chair: no party nationality (H1) and speaks the first working language (H4).

    ``rules`` leaves a family out when the diagnosis switches it off."""
    active = set(rules)
    mask = np.ones(len(co_national), dtype=bool)
    if "H1" in active:
        mask &= ~co_national
    if "H4" in active and speaks.shape[1]:
        mask &= speaks[:, 0]
    return mask


# --- each mediator's value ---------------------------------------------------------------------


def member_values(inst: PanelInstance) -> tuple[np.ndarray, np.ndarray]:
    """Weighted value of each mediator as a member (expertise, workload, orange penalty) and the
    extra value as chair: the parts of the objective that depend on the member alone, before the
    party alignment and ranks."""
    w = inst.weights
    member = (
        w["expertise"] * inst.expertise_coef
        + w["workload"] * inst.workload_coef
        - inst.orange_weight * SCORE_SCALE * inst.orange.astype(np.int64)
    )
    return member, chair_values(inst)


def chair_values(inst: PanelInstance) -> np.ndarray:
    """Extra value of each mediator as chair (the chair's fit counts ``CHAIR_SHARES`` more times)."""
    return inst.weights["expertise"] * inst.expertise_coef * CHAIR_SHARES


def separable_values(inst: PanelInstance, pool: np.ndarray) -> np.ndarray:
    """The part of the objective each mediator of ``pool`` adds on their own: the member value less
    their alignment (neutrality level) plus their mean party rank; the rest is panel-level."""
    w = inst.weights
    member = member_values(inst)[0][pool] - w["neutrality"] * inst.neutral_level_coef * inst.alignment[pool].sum(axis=1)
    if inst.ranking_parties:
        member = member + w["preference"] * inst.pref_mean_coef[pool].sum(axis=1)
    return np.asarray(member, dtype=np.int64)


# --- panel-level facts -------------------------------------------------------------------------


def nationality_groups(inst: PanelInstance, idx: Iterable[int]) -> list[list[int]]:
    """Groups of two or more mediators of ``idx`` who share a nationality (H5: at most one per group), in an order
    that depends on the data alone: the CP-SAT models add one constraint per group in this order, and a string
    set's order changes from process to process (hash randomisation), which changed their searches' answers."""
    holders: dict[str, list[int]] = defaultdict(list)
    for i in idx:
        for nat in sorted(set(inst.mediators[i].nationalities)):
            holders[nat].append(i)
    return [who for who in holders.values() if len(who) > 1]


def clash_matrix(inst: PanelInstance, pool: Sequence[int] | np.ndarray) -> np.ndarray:
    """[p, p] True where two members of ``pool`` (indices into ``inst``) share a nationality."""
    position = {int(i): j for j, i in enumerate(pool)}
    clash = np.zeros((len(position), len(position)), dtype=bool)
    for who in nationality_groups(inst, position):
        rows = [position[i] for i in who]
        for a in rows:
            clash[a, rows] = True
    np.fill_diagonal(clash, False)
    return clash


def tradition_bits(inst: PanelInstance, pool: np.ndarray) -> np.ndarray:
    """Each member's legal traditions as a bit set."""
    return np.asarray((inst.traditions[pool].astype(np.int64) << np.arange(len(TRADITIONS))).sum(axis=1))


def group_bits(inst: PanelInstance, pool: np.ndarray) -> np.ndarray:
    """Each member's UN regional group as a bit set."""
    return np.asarray(np.int64(1) << inst.group[pool].astype(np.int64))


def best_diversity(inst: PanelInstance) -> int:
    """The largest diversity score any panel of the dispute can reach."""
    k = inst.k
    return inst.tradition_coef * len(TRADITIONS) + inst.group_coef * min(k, len(GROUPS)) + inst.gender_coef * (k // 2)


# --- batches of panels: rules and exact objective ----------------------------------------------


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


def members_total(values: np.ndarray, members: np.ndarray) -> np.ndarray:
    """Per row of ``members`` (panels as rows of indices into ``values``), the sum of ``values`` over it, added
    column by column: the same sums as ``values[members].sum(axis=1)`` (a row's few terms in the same order),
    several times faster, since a reduction over a short last axis pays its loop set-up once per row."""
    out = values[members[:, 0]]
    for c in range(1, members.shape[1]):
        out = out + values[members[:, c]]
    return np.asarray(out)


def empty_panels(k: int) -> Panels:
    """No panels (of size ``k``)."""
    return Panels(np.zeros((0, k), dtype=np.int32), np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int64))


def enumerate_panels(inst: PanelInstance, pool: Sequence[int] | np.ndarray) -> Panels:
    """All panels of ``inst.k`` members from ``pool`` (indices into ``inst``) that keep every hard rule.

    Computed column by column over the combinations (``k`` is at most 5); the tests hold the
    values to the checker and to brute force.
    """
    pool = np.sort(np.asarray(pool, dtype=np.int64))  # (a whole roster's indices when every panel is enumerated)
    return _best_chairs(inst, pool, _combinations(len(pool), inst.k))


def score_panels(inst: PanelInstance, members: np.ndarray) -> Panels:
    """The given panels (rows of ``inst.k`` distinct indices into ``inst``, each row sorted) that keep
    every hard rule, in the given order, scored as ``enumerate_panels`` scores them."""
    members = np.asarray(members, dtype=np.int64).reshape(-1, inst.k)
    pool = np.unique(members)
    return _best_chairs(inst, pool, np.searchsorted(pool, members).astype(np.int32))


class _Columns:
    """Panels as ``k`` columns of positions in a pool, with sums and unions over the members."""

    def __init__(self, pool: np.ndarray, cols: list[np.ndarray]) -> None:
        self.pool = pool
        self.cols = cols

    def total(self, values: np.ndarray) -> np.ndarray:
        """Per panel, the sum of ``values`` (one per pool member) over its members."""
        out = values[self.cols[0]].astype(np.int64)
        for c in self.cols[1:]:
            out = out + values[c]
        return np.asarray(out)

    def any_of(self, flag: np.ndarray) -> np.ndarray:
        out = flag[self.cols[0]].copy()
        for c in self.cols[1:]:
            out |= flag[c]
        return np.asarray(out)

    def union(self, bits: np.ndarray) -> np.ndarray:
        out = bits[self.cols[0]].copy()
        for c in self.cols[1:]:
            out |= bits[c]
        return np.asarray(out)

    def keep(self, rows: np.ndarray) -> _Columns:
        return _Columns(self.pool, [c[rows] for c in self.cols])


def _keeps_rules(inst: PanelInstance, panels: _Columns, covered: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Per panel, whether it keeps every panel-level rule: someone may chair, the co-national limit
    (H1), every working language spoken (H4), distinct nationalities and the composition (H5), and
    the lean cap (H8)."""
    pool = panels.pool
    ok = panels.any_of(inst.chair_ok[pool])
    co = inst.co_national[pool]
    if co.any():
        ok &= panels.total(co.astype(np.int64)) <= inst.max_co_nationals
    for col in range(len(inst.languages)):
        ok &= panels.any_of(inst.speaks[pool, col])
    if len(panels.cols) >= 2:
        clash = clash_matrix(inst, pool)
        if clash.any():
            for a, b in combinations(range(len(panels.cols)), 2):
                ok &= ~clash[panels.cols[a], panels.cols[b]]
    if inst.composition_applies:
        ok &= (covered >= inst.min_traditions) & (groups >= inst.min_groups)
    cap = lean_cap(inst)
    if cap is not None:
        ok &= panel_lean(inst, panels) <= cap
    return ok


def lean_cap(inst: PanelInstance) -> int | None:
    """The lean cap H8 when it binds this dispute (a cap is set and there are two parties or more)."""
    return inst.max_lean if inst.alignment.shape[1] >= 2 else None


def _per_party(inst: PanelInstance, panels: _Columns) -> np.ndarray:
    """[panels, parties] each panel's alignment with each party (blocs shared, summed over the members)."""
    align = inst.alignment[panels.pool]
    return np.stack([panels.total(align[:, p]) for p in range(align.shape[1])], axis=1)


def members_lean(inst: PanelInstance, members: Sequence[int]) -> int:
    """One panel's lean (``members``: indices into ``inst``), as ``panel_lean`` computes it."""
    pool = np.asarray(members, dtype=np.int64)
    return int(panel_lean(inst, _Columns(pool, [np.array([a]) for a in range(len(pool))]))[0])


def panel_lean(inst: PanelInstance, panels: _Columns) -> np.ndarray:
    """Per panel, its lean: the alignment with the party it is closest to less that with the party it
    is furthest from (0 for a dispute with fewer than two parties)."""
    if inst.alignment.shape[1] < 2:
        return np.zeros(len(panels.cols[0]), dtype=np.int64)
    per_party = _per_party(inst, panels)
    return np.asarray(per_party.max(axis=1) - per_party.min(axis=1))


def _components(
    inst: PanelInstance, panels: _Columns, chair: np.ndarray, covered: np.ndarray, groups: np.ndarray
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Per panel, its integer score components (unweighted, on ``SCORE_SCALE``) and orange members,
    with ``chair`` (positions in the pool) as chair. The definitions are ``matching.rules.scoring``'s."""
    pool = panels.pool
    n_panels = len(chair)
    zero = np.zeros(n_panels, dtype=np.int64)
    expertise = panels.total(inst.expertise_coef[pool]) + CHAIR_SHARES * inst.expertise_coef[pool][chair]
    diversity = zero
    if inst.k >= 2:
        balance = np.minimum(panels.total(inst.female[pool]), panels.total(inst.male[pool]))
        diversity = inst.tradition_coef * covered + inst.group_coef * groups + inst.gender_coef * balance
    if inst.alignment.shape[1]:
        per_party = _per_party(inst, panels)
        level = per_party.sum(axis=1)
        spread = per_party.max(axis=1) - per_party.min(axis=1)
    else:
        level, spread = zero, zero
    neutrality = SCORE_SCALE - inst.neutral_level_coef * level - inst.neutral_asym_coef * spread
    preference = zero
    if inst.ranking_parties:
        pref_min = inst.pref_min_coef[pool]
        worst = np.stack([panels.total(pref_min[:, p]) for p in range(pref_min.shape[1])], axis=1).min(axis=1)
        preference = worst + panels.total(inst.pref_mean_coef[pool].sum(axis=1))
    values = {
        "expertise": expertise,
        "diversity": diversity,
        "neutrality": neutrality,
        "workload": panels.total(inst.workload_coef[pool]),
        "preference": preference,
    }
    return values, panels.total(inst.orange[pool])


def objective(inst: PanelInstance, values: dict[str, np.ndarray], orange: np.ndarray) -> np.ndarray:
    """The exact integer objective from the score components: weighted sum less the orange penalty."""
    out = -inst.orange_weight * SCORE_SCALE * orange
    for c in COMPONENTS:
        out = out + inst.weights[c] * values[c]
    return np.asarray(out, dtype=np.int64)


def _coverage(inst: PanelInstance, panels: _Columns) -> tuple[np.ndarray, np.ndarray]:
    """Per panel, the legal traditions and the UN regional groups its members cover."""
    return (
        POPCOUNT[panels.union(tradition_bits(inst, panels.pool))],
        POPCOUNT[panels.union(group_bits(inst, panels.pool))],
    )


def _best_chairs(inst: PanelInstance, pool: np.ndarray, combos: np.ndarray) -> Panels:
    """The rows of ``combos`` (positions in ``pool``) that keep every hard rule, with best chair and value."""
    k = inst.k
    if len(combos) == 0:
        return empty_panels(k)
    panels = _Columns(pool, [combos[:, a] for a in range(k)])
    covered, groups = _coverage(inst, panels)
    keep = np.flatnonzero(_keeps_rules(inst, panels, covered, groups))
    panels = panels.keep(keep)
    # The chair: the member with the best expertise among those who may chair (the first on ties).
    chair_value = np.where(inst.chair_ok[pool], inst.expertise_coef[pool], -1)
    best = panels.cols[0].copy()
    for c in panels.cols[1:]:
        better = chair_value[c] > chair_value[best]
        best[better] = c[better]
    values, orange = _components(inst, panels, best, covered[keep], groups[keep])
    members = np.stack([pool[c] for c in panels.cols], axis=1).astype(np.int32).reshape(len(keep), k)
    return Panels(members, pool[best].astype(np.int32), objective(inst, values, orange))


def panel_components(inst: PanelInstance, members: Sequence[int], chair: int) -> tuple[dict[str, int], int, int]:
    """One panel's score components, orange members and objective (``PanelInstance.evaluate``),
    whether or not it keeps the rules; ``members`` and ``chair`` index into ``inst``."""
    pool = np.asarray([*members, chair], dtype=np.int64)
    panels = _Columns(pool, [np.array([a]) for a in range(len(members))])
    covered, groups = _coverage(inst, panels)
    values, orange = _components(inst, panels, np.array([len(members)]), covered, groups)
    total = objective(inst, values, orange)
    return {c: int(v[0]) for c, v in values.items()}, int(orange[0]), int(total[0])


# --- the dispute views a batch works on ------------------------------------------------------------


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
