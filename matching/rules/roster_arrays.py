"""Each dispute's ``PanelInstance`` built from arrays of the whole roster, fast enough for batches.

``RosterArrays`` turns the roster into arrays once; ``RosterArrays.encode`` then builds a dispute's
instance with numpy: the same instance ``matching.rules.encoding.encode`` builds (tests compare them field
by field) in a fraction of the time. ``restrict`` keeps some mediators of an instance; ``priced``
folds per-mediator prices into the member values (the batch's pricing problems).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from matching.core.domain import ConflictCategory, Mediator, NationalityRule
from matching.rules.checker import DisputeView, mediator_breaches
from matching.rules.encoding import GROUPS, TRADITIONS, PanelInstance, panel_settings
from matching.rules.scoring import CHAIR_SHARES, REPEAT_FACTOR, SCORE_SCALE, rank_utility
from matching.rules.workspace import Workspace

# --- encoding: ids to arrays ------------------------------------------------------------------


class RosterArrays:
    """The roster as arrays, built once per batch: mediator ``i`` is ``ws.data.mediators[i]``.

    ``encode`` turns one dispute into the same ``PanelInstance`` as ``matching.rules.encoding.encode``
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
        """The dispute's ``PanelInstance``, equal to ``matching.rules.encoding.encode(ws, view, forbid, include_ineligible)``.

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
    from matching.core.domain import SUBJECTS

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
