"""Encoder: one dispute and its eligible mediators turned into integer arrays, and back.

The solver sees only a ``PanelInstance`` (numbers, index sets and integer coefficients), and
``evaluate`` computes a panel's integer scores from the same arrays, so the model's objective
and the checker's are one definition. Mediators who break an eligibility rule (H1 strict,
H2, H3, H6, H7) are left out here; ``excluded`` records why.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from matching.core.domain import Mediator, Tradition, UNGroup
from matching.io.rulesets import COMPONENTS
from matching.rules.checker import Breach, DisputeView, chair_breaches, mediator_breaches
from matching.rules.scoring import (
    CHAIR_SHARES,
    SCORE_SCALE,
    Scores,
    int_weight,
    rank_utility,
    subject_fit,
    workload_fit,
)
from matching.rules.workspace import Workspace

TRADITIONS: tuple[Tradition, ...] = tuple(Tradition)
GROUPS: tuple[UNGroup, ...] = tuple(UNGroup)


@dataclass(frozen=True)
class PanelInstance:
    """Plain data for one dispute's panel model over its n eligible mediators."""

    dispute_id: str
    k: int
    mediators: tuple[Mediator, ...]
    # per-mediator facts
    fit: np.ndarray  # expertise fit 0..1 (for explanations)
    expertise_coef: np.ndarray  # int, per seat (member, and again as chair)
    workload_coef: np.ndarray  # int
    orange: np.ndarray  # bool
    repeat_parties: tuple[tuple[str, ...], ...]
    recent: np.ndarray  # int
    chair_ok: np.ndarray  # bool
    co_national: np.ndarray  # bool: holds a party nationality (allowed as member under majority/consent)
    speaks: np.ndarray  # bool [n, L] for the dispute's languages
    traditions: np.ndarray  # bool [n, 4]
    group: np.ndarray  # int index into GROUPS
    female: np.ndarray  # bool
    male: np.ndarray  # bool
    alignment: np.ndarray  # int [n, P]
    pref_min_coef: np.ndarray  # int [n, R] for the R parties that ranked names
    pref_mean_coef: np.ndarray  # int [n, R]
    # panel-level settings
    languages: tuple[str, ...]
    parties: tuple[str, ...]
    ranking_parties: tuple[str, ...]
    max_co_nationals: int
    composition_applies: bool
    min_traditions: int
    min_groups: int
    tradition_coef: int
    group_coef: int
    gender_coef: int
    neutral_level_coef: int
    neutral_asym_coef: int
    weights: dict[str, int]
    orange_weight: int
    excluded: dict[str, list[Breach]] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.mediators)

    @property
    def ids(self) -> list[str]:
        return [m.mediator_id for m in self.mediators]

    def nationality_holders(self) -> dict[str, list[int]]:
        holders: dict[str, list[int]] = {}
        for i, m in enumerate(self.mediators):
            for nat in set(m.nationalities):
                holders.setdefault(nat, []).append(i)
        return holders

    def index_of(self, mediator_id: str) -> int | None:
        for i, m in enumerate(self.mediators):
            if m.mediator_id == mediator_id:
                return i
        return None

    def evaluate(self, members: Sequence[int], chair: int) -> Scores:
        """Integer score components of a panel (indices into this instance)."""
        idx = np.asarray(members, dtype=int)
        expertise = int(self.expertise_coef[idx].sum() + self.expertise_coef[chair] * CHAIR_SHARES)
        workload = int(self.workload_coef[idx].sum())
        diversity = 0
        if self.k >= 2:
            covered = int(self.traditions[idx].any(axis=0).sum())
            groups = len(set(self.group[idx].tolist()))
            balance = min(int(self.female[idx].sum()), int(self.male[idx].sum()))
            diversity = self.tradition_coef * covered + self.group_coef * groups + self.gender_coef * balance
        per_party = self.alignment[idx].sum(axis=0)
        neutrality = SCORE_SCALE - self.neutral_level_coef * int(per_party.sum())
        neutrality -= self.neutral_asym_coef * int(per_party.max() - per_party.min())
        preference = 0
        if self.ranking_parties:
            preference = int(self.pref_min_coef[idx].sum(axis=0).min()) + int(self.pref_mean_coef[idx].sum())
        orange = int(self.orange[idx].sum())
        values = {
            "expertise": expertise,
            "diversity": diversity,
            "neutrality": neutrality,
            "workload": workload,
            "preference": preference,
        }
        objective = sum(self.weights[c] * values[c] for c in COMPONENTS)
        objective -= self.orange_weight * SCORE_SCALE * orange
        return Scores(**values, orange_members=orange, objective_int=objective)


def encode(
    ws: Workspace,
    view: DisputeView,
    forbid: Sequence[str] = (),
    include_ineligible: bool = False,
) -> PanelInstance:
    """Build the instance for one dispute. ``forbid`` removes mediators (an exclusion lock).

    With ``include_ineligible`` every mediator is encoded (``excluded`` still says who breaks
    which rule), which the infeasibility diagnosis needs to relax rules one family at a time.
    """
    d = view.dispute
    rs = view.rule_set
    k = d.panel_size
    text = ws.text.similarity(d.description)
    history = ws.history(rs.history_years)

    chosen: list[Mediator] = []
    excluded: dict[str, list[Breach]] = {}
    forbidden = set(forbid)
    for m in ws.data.mediators:
        if m.mediator_id in forbidden:
            continue
        breaches = mediator_breaches(view, m)
        if breaches:
            excluded[m.mediator_id] = breaches
        if include_ineligible or not breaches:
            chosen.append(m)

    n = len(chosen)
    rows = np.array([ws.text.row(m.mediator_id) for m in chosen], dtype=int)
    subject = np.array([subject_fit(m.expertise, d.subject_areas) for m in chosen])
    fit = (1 - rs.text_share) * subject + rs.text_share * (text[rows] if n else np.zeros(0))
    expertise_coef = np.rint(SCORE_SCALE * fit / (k + CHAIR_SHARES)).astype(np.int64)

    repeat = tuple(tuple(p for p in d.parties if history.appointed_by(m.mediator_id, p) > 0) for m in chosen)
    recent = np.array([history.recent(m.mediator_id) for m in chosen], dtype=np.int64)
    work = np.array([workload_fit(int(recent[i]), rs.busy_appointments, bool(repeat[i])) for i in range(n)])
    workload_coef = np.rint(SCORE_SCALE * work / k).astype(np.int64)

    orange = np.array(
        [m.mediator_id in view.conflicts and view.conflicts[m.mediator_id].category == "orange" for m in chosen],
        dtype=bool,
    )
    chair_ok = np.array([not chair_breaches(view, m) for m in chosen], dtype=bool)
    co_national = np.array([bool(view.party_nationals(m)) for m in chosen], dtype=bool)
    speaks = np.array([[lang in m.languages for lang in d.languages] for m in chosen], dtype=bool).reshape(
        n, len(d.languages)
    )
    traditions = np.array([[t in m.legal_traditions for t in TRADITIONS] for m in chosen], dtype=bool).reshape(n, 4)
    group = np.array([GROUPS.index(view.un_group(m)) for m in chosen], dtype=np.int64)
    female = np.array([m.gender == "F" for m in chosen], dtype=bool)
    male = np.array([m.gender == "M" for m in chosen], dtype=bool)

    party_blocs = [ws.countries[p].blocs for p in d.parties]
    alignment = np.array([[len(_blocs_of(ws, m) & pb) for pb in party_blocs] for m in chosen], dtype=np.int64).reshape(
        n, len(d.parties)
    )
    bloc_cap = max(1, *(len(pb) for pb in party_blocs))

    ranking = tuple(p for p in d.parties if view.ranks.get(p))
    pref_min = np.zeros((n, len(ranking)), dtype=np.int64)
    pref_mean = np.zeros((n, len(ranking)), dtype=np.int64)
    for j, party in enumerate(ranking):
        ranks = view.ranks[party]
        for i, m in enumerate(chosen):
            if m.mediator_id in ranks:
                u = rank_utility(ranks[m.mediator_id], len(ranks))
                pref_min[i, j] = round(SCORE_SCALE * u / (2 * k))
                pref_mean[i, j] = round(SCORE_SCALE * u / (2 * k * len(ranking)))

    return PanelInstance(
        dispute_id=d.dispute_id,
        k=k,
        mediators=tuple(chosen),
        fit=fit,
        expertise_coef=expertise_coef,
        workload_coef=workload_coef,
        orange=orange,
        repeat_parties=repeat,
        recent=recent,
        chair_ok=chair_ok,
        co_national=co_national,
        speaks=speaks,
        traditions=traditions,
        group=group,
        female=female,
        male=male,
        alignment=alignment,
        pref_min_coef=pref_min,
        pref_mean_coef=pref_mean,
        excluded=excluded,
        **panel_settings(view, ranking, bloc_cap),
    )


def panel_settings(view: DisputeView, ranking: tuple[str, ...], bloc_cap: int) -> dict[str, Any]:
    """The panel-level fields of a ``PanelInstance``: the dispute's settings and the integer
    coefficients of the panel-level scores (one definition for every encoder)."""
    d = view.dispute
    rs = view.rule_set
    k = d.panel_size
    return {
        "languages": d.languages,
        "parties": d.parties,
        "ranking_parties": ranking,
        "max_co_nationals": view.max_co_nationals,
        "composition_applies": view.composition_applies,
        "min_traditions": rs.min_traditions,
        "min_groups": rs.min_un_groups,
        # Floors, so that a perfectly diverse panel scores at most 1.
        "tradition_coef": SCORE_SCALE // (3 * len(TRADITIONS)) if k >= 2 else 0,
        "group_coef": SCORE_SCALE // (3 * min(k, len(GROUPS))) if k >= 2 else 0,
        "gender_coef": SCORE_SCALE // (3 * (k // 2)) if k >= 2 else 0,
        "neutral_level_coef": round(SCORE_SCALE / (3 * len(d.parties) * k * bloc_cap)),
        "neutral_asym_coef": round(2 * SCORE_SCALE / (3 * k * bloc_cap)),
        "weights": {c: int_weight(rs.weights.of(c)) for c in COMPONENTS},
        "orange_weight": int_weight(rs.weights.orange_penalty),
    }


def _blocs_of(ws: Workspace, m: Mediator) -> frozenset[str]:
    return frozenset().union(*(ws.countries[n].blocs for n in m.nationalities))


def weights_of(instance: PanelInstance) -> Mapping[str, int]:
    return instance.weights
