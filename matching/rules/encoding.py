"""The encoder: the roster turned into arrays once, and each dispute into a ``PanelInstance``.

``RosterArrays`` (one per ``Workspace``: ``Workspace.arrays``) holds the roster as numpy arrays;
``RosterArrays.encode`` builds a dispute's ``PanelInstance`` (numbers, index sets and integer
coefficients) from them, and ``encode`` is the same call through the workspace. Mediators who
break an eligibility rule (H1 strict, H2, H3, H6, H7) are left out; ``excluded`` says why, from the
kernel's per-rule masks (``matching.rules.kernel.eligibility``). The solver, the batch, the lottery
and ``evaluate`` all read these arrays, so the objective has one definition. ``restrict`` keeps
some mediators of an instance; ``priced`` folds per-mediator prices into the member values (the
batch's pricing problems).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from matching.core.domain import SUBJECTS, Mediator, capacity_left
from matching.io.rulesets import COMPONENTS
from matching.rules.checker import Breach, DisputeView
from matching.rules.kernel import GROUPS, TRADITIONS, chair_mask, eligibility, panel_components
from matching.rules.scoring import CHAIR_SHARES, REPEAT_FACTOR, SCORE_SCALE, Scores, int_weight, rank_utility
from matching.rules.workspace import Workspace

__all__ = ["GROUPS", "TRADITIONS", "PanelInstance", "RosterArrays", "encode", "priced", "restrict"]

_SUBJECT_INDEX = {s: j for j, s in enumerate(SUBJECTS)}


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
    max_lean: int | None  # H8: the panel's alignment with one party less its alignment with another, at most this
    excluded: dict[str, list[Breach]] = field(default_factory=dict)
    # Each mediator's index in the roster it was encoded from (``RosterArrays.encode``), None for hand-built instances.
    roster_rows: np.ndarray | None = None

    @property
    def n(self) -> int:
        return len(self.mediators)

    @property
    def ids(self) -> list[str]:
        return [m.mediator_id for m in self.mediators]

    def index_of(self, mediator_id: str) -> int | None:
        for i, m in enumerate(self.mediators):
            if m.mediator_id == mediator_id:
                return i
        return None

    def evaluate(self, members: Sequence[int], chair: int) -> Scores:
        """Integer score components of a panel (indices into this instance), rules kept or not;
        computed by the kernel's batch scorer (``matching.rules.kernel.panel_components``)."""
        values, orange, total = panel_components(self, members, chair)
        return Scores(**values, orange_members=orange, objective_int=total)


class RosterArrays:
    """The roster as arrays, built once per workspace (``Workspace.arrays``): mediator ``i`` is
    ``ws.data.mediators[i]``. ``encode`` turns one dispute into its ``PanelInstance`` with numpy over
    the whole roster at once."""

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
        self.capacity = np.array([capacity_left(m) for m in people], dtype=np.int64)
        self.text_rows = np.array([ws.text.row(mid) for mid in self.ids], dtype=np.int64)
        self._history: dict[int, tuple[np.ndarray, dict[str, np.ndarray]]] = {}
        self._alignments: dict[str, np.ndarray] = {}  # party -> its alignment with each mediator (``_alignment``)

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

    def room(self, view: DisputeView) -> np.ndarray:
        """Each mediator's capacity left for this dispute, after the view's recorded appointments."""
        if not view.extra_load:
            return self.capacity
        room = self.capacity.copy()
        for mid, load in view.extra_load.items():
            i = self.index.get(mid)
            if i is not None:
                room[i] = capacity_left(self.mediators[i], load)
        return room

    def eligible_mask(self, view: DisputeView) -> np.ndarray:
        """Mediators who break no eligibility rule for this dispute (the kernel's masks)."""
        return ~eligibility(self, view).ineligible

    def breaches(self, view: DisputeView, mediator_id: str) -> list[Breach]:
        """The eligibility rules a mediator breaks for this dispute, with the reasons (``why-not``)."""
        i = self.index[mediator_id]
        return eligibility(self, view).breaches(view, i, self.mediators[i])

    def encode(
        self,
        view: DisputeView,
        forbid: Sequence[str] = (),
        include_ineligible: bool = False,
        with_excluded: bool = True,
        only: Sequence[int] | np.ndarray | None = None,
    ) -> PanelInstance:
        """The dispute's ``PanelInstance``; ``forbid`` removes mediators (an exclusion lock) and
        ``include_ineligible`` keeps those who break an eligibility rule (the diagnosis relaxes rules).

        ``with_excluded=False`` skips the per-mediator reasons in ``excluded`` (the batch only
        needs the eligible mediators, and the reasons cost a Python call per excluded mediator).
        ``only`` (roster indices) keeps just those mediators: the instance of a known panel.
        """
        d = view.dispute
        k = d.panel_size
        rules = eligibility(self, view)
        eligible = ~rules.ineligible
        allowed = self._allowed(forbid, only)
        chosen = np.flatnonzero(allowed if include_ineligible else allowed & eligible)
        excluded: dict[str, list[Breach]] = {}
        if with_excluded:
            for bad in np.flatnonzero(allowed & ~eligible).tolist():
                excluded[self.ids[bad]] = rules.breaches(view, bad, self.mediators[bad])

        fit = self._fit(view, chosen)
        repeat, recent, workload_coef = self._workload(view, chosen)
        party_cols = [self.country_index[p] for p in d.parties]
        co_national: np.ndarray = np.asarray(self.nationality[chosen][:, party_cols].any(axis=1), dtype=bool)
        speaks = self._speakers(d.languages, chosen)
        alignment, bloc_cap = self._alignment(d.parties, chosen)
        ranking, pref_min, pref_mean = self._preferences(view, chosen)

        return PanelInstance(
            dispute_id=d.dispute_id,
            k=k,
            mediators=tuple(map(self.mediators.__getitem__, chosen.tolist())),
            fit=fit,
            expertise_coef=np.rint(SCORE_SCALE * fit / (k + CHAIR_SHARES)).astype(np.int64),
            workload_coef=workload_coef,
            orange=self._orange(view)[chosen],
            repeat_parties=tuple(repeat),
            recent=recent,
            chair_ok=chair_mask(co_national, speaks),
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
            roster_rows=chosen,
            **panel_settings(view, ranking, bloc_cap),
        )

    def _allowed(self, forbid: Sequence[str], only: Sequence[int] | np.ndarray | None) -> np.ndarray:
        """Mediators (whole roster) not removed by an exclusion lock and, when ``only`` is given, among those."""
        allowed = np.ones(self.n, dtype=bool)
        for mid in forbid:
            i = self.index.get(mid)
            if i is not None:
                allowed[i] = False
        if only is not None:
            kept = np.zeros(self.n, dtype=bool)
            kept[np.asarray(only, dtype=np.int64)] = True
            allowed &= kept
        return allowed

    def _fit(self, view: DisputeView, chosen: np.ndarray) -> np.ndarray:
        """Each chosen mediator's expertise fit (0..1): their levels in the dispute's subjects, blended
        with the similarity of their profile to its description (the rule set's ``text_share``)."""
        d = view.dispute
        rs = view.rule_set
        n = len(chosen)
        text = self.ws.text.similarity(d.description)
        if d.subject_areas:
            columns = [_SUBJECT_INDEX[s] for s in d.subject_areas]
            subject = self.expertise[chosen][:, columns].sum(axis=1) / (5 * len(columns))
        else:
            subject = np.zeros(n)
        return np.asarray(
            (1 - rs.text_share) * subject + rs.text_share * (text[self.text_rows[chosen]] if n else np.zeros(0))
        )

    def _workload(self, view: DisputeView, chosen: np.ndarray) -> tuple[list[tuple[str, ...]], np.ndarray, np.ndarray]:
        """Per chosen mediator: the parties that appointed them within the history window, their
        recent cases, and the workload coefficient (fewer recent cases score higher, a repeat
        appointment by a party counts ``REPEAT_FACTOR``)."""
        rs = view.rule_set
        recent_all, by_party = self._history_arrays(rs.history_years)
        repeat_any, repeat = _repeat_parties(view.dispute.parties, by_party, chosen)
        recent = recent_all[chosen]
        busy = rs.busy_appointments
        work = (1 - np.minimum(recent, busy) / busy) * np.where(repeat_any, REPEAT_FACTOR, 1.0)
        workload_coef = np.rint(SCORE_SCALE * work / view.dispute.panel_size).astype(np.int64)
        return repeat, recent, workload_coef

    def _orange(self, view: DisputeView) -> np.ndarray:
        """Mediators (whole roster) with an orange conflict in the dispute."""
        orange_all = np.zeros(self.n, dtype=bool)
        for mid, conflict in view.conflicts.items():
            i = self.index.get(mid)
            if i is not None and conflict.category == "orange":
                orange_all[i] = True
        return orange_all

    def _speakers(self, languages: Sequence[str], chosen: np.ndarray) -> np.ndarray:
        """Whether each chosen mediator speaks each of the dispute's languages (chosen x languages)."""
        speaks = np.zeros((len(chosen), len(languages)), dtype=bool)
        for col, lang in enumerate(languages):
            column = self.language_index.get(lang)
            if column is not None:
                speaks[:, col] = self.speaks[chosen, column]
        return speaks

    def _alignment(self, parties: Sequence[str], chosen: np.ndarray) -> tuple[np.ndarray, int]:
        """Blocs each chosen mediator shares with each party (chosen x parties), and the most blocs a
        party belongs to (at least 1; it scales the neutrality coefficients)."""
        party_blocs = [self.ws.countries[p].blocs for p in parties]
        alignment = np.zeros((len(chosen), len(parties)), dtype=np.int64)
        for col, party in enumerate(parties):
            alignment[:, col] = self._party_alignment(party)[chosen]
        return alignment, max(1, *(len(pb) for pb in party_blocs))

    def _party_alignment(self, party: str) -> np.ndarray:
        """Blocs each mediator of the roster shares with the party, computed once per party (parties recur
        across a batch's disputes)."""
        found = self._alignments.get(party)
        if found is None:
            vector = np.zeros(self.blocs.shape[1], dtype=np.int64)
            for b in self.ws.countries[party].blocs:
                vector[self.bloc_index[b]] = 1
            found = self._alignments[party] = (self.blocs @ vector).astype(np.int32)  # (a few blocs at most)
        return found

    def _preferences(self, view: DisputeView, chosen: np.ndarray) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
        """The parties that ranked names, and per chosen mediator and such party the integer
        coefficients of the rank utility: for the worst-off party's total, and for the mean."""
        k = view.dispute.panel_size
        ranking = tuple(p for p in view.dispute.parties if view.ranks.get(p))
        pref_min = np.zeros((len(chosen), len(ranking)), dtype=np.int64)
        pref_mean = np.zeros((len(chosen), len(ranking)), dtype=np.int64)
        if not ranking:
            return ranking, pref_min, pref_mean
        for col, party in enumerate(ranking):
            ranks = view.ranks[party]
            for mid, rank in ranks.items():
                row = self._position(chosen, self.index.get(mid))
                if row is None:
                    continue
                u = rank_utility(rank, len(ranks))
                pref_min[row, col] = round(SCORE_SCALE * u / (2 * k))
                pref_mean[row, col] = round(SCORE_SCALE * u / (2 * k * len(ranking)))
        return ranking, pref_min, pref_mean

    @staticmethod
    def _position(chosen: np.ndarray, roster_i: int | None) -> int | None:
        """Where roster index ``roster_i`` is in ``chosen`` (sorted), if it is there (ranks name few mediators:
        a search each is cheaper than a map of every chosen one)."""
        if roster_i is None:
            return None
        at = int(np.searchsorted(chosen, roster_i))
        return at if at < len(chosen) and int(chosen[at]) == roster_i else None

    def global_index(self, inst: PanelInstance) -> np.ndarray:
        """Roster index of each mediator of an instance: the rows it was encoded from when they are this
        roster's (the batch asks for every dispute many times), else looked up by mediator id."""
        rows = inst.roster_rows
        if rows is not None and _same_objects(self.mediators, inst.mediators, rows):
            return rows
        return np.array([self.index[m.mediator_id] for m in inst.mediators], dtype=np.int64)


def _same_objects(roster: Sequence[Mediator], mediators: Sequence[Mediator], rows: np.ndarray) -> bool:
    """Whether ``rows`` point at ``mediators`` in ``roster`` (the first and last checked: an instance encoded
    from another roster holds other objects)."""
    if len(rows) != len(mediators) or (len(rows) and int(rows.max()) >= len(roster)):
        return False
    return not len(rows) or (roster[int(rows[0])] is mediators[0] and roster[int(rows[-1])] is mediators[-1])


def _repeat_parties(
    parties: Sequence[str], by_party: dict[str, np.ndarray], chosen: np.ndarray
) -> tuple[np.ndarray, list[tuple[str, ...]]]:
    """Which chosen mediators a party of the dispute appointed before (``by_party``), and which parties did."""
    party_masks = [by_party.get(p) for p in parties]
    repeat_any = np.zeros(len(chosen), dtype=bool)
    for mask in party_masks:
        if mask is not None:
            repeat_any |= mask[chosen]
    repeat: list[tuple[str, ...]] = [()] * len(chosen)
    for j in np.flatnonzero(repeat_any):
        i = chosen[j]
        repeat[j] = tuple(p for p, mask in zip(parties, party_masks, strict=True) if mask is not None and mask[i])
    return repeat_any, repeat


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
    return ws.arrays.encode(view, forbid, include_ineligible)


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
        "max_lean": view.max_lean,
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
        roster_rows=None if inst.roster_rows is None else inst.roster_rows[rows],
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
