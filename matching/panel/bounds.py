"""A tight upper bound on the best panel holding each mediator: ``panel_bounds``, a dynamic programme over the
mediators' profiles, exact on the panel-level terms (diversity, chair bonus, neutrality balance, H5's minimums,
the H8 lean cap) and relaxed only where the relaxation is cheap to state (see its docstring).

It sits in the panel layer so that everything that prices panels can share it: the dispute lottery narrows its
pricing with it (``matching.lottery.dispute``) and the batch may bound each dispute's best priced panel with it,
through the ``extra`` values (a price per member, negated). Tests hold it to brute force."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from matching.panel.model import upper_bounds
from matching.rules.encoding import GROUPS, TRADITIONS, PanelInstance
from matching.rules.kernel import (
    POPCOUNT,
    chair_values,
    group_bits,
    lean_cap,
    separable_values,
    tradition_bits,
)
from matching.rules.scoring import SCORE_SCALE

LOW = -(2**60)  # an unreachable state of ``panel_bounds``' programme (a mediator in no panel gets it)
# The programme in 32 bits (``_programme_dtype``): its unreachable state, and the most a chain of updates may add.
LOW32 = -(2**30)
SPAN32 = 2**27
FULL_COVERS = 1 << (len(TRADITIONS) + len(GROUPS))  # every set of legal traditions and UN groups
BOUND_CHUNK = 4_000_000  # cells of ``_pair_finish``'s others' states united with covered sets at once (bounds memory)
GROUP_CELLS = 250_000  # groups times columns ``GroupBounds`` answers at once (bounds memory)


def panel_bounds(
    inst: PanelInstance,
    pool: Sequence[int],
    outside: np.ndarray | None = None,
    room: int = 0,
    extra: np.ndarray | None = None,
    least: bool = False,
    need: np.ndarray | None = None,
) -> np.ndarray:
    """For each mediator of ``pool`` (indices into ``inst``), an upper bound on the objective of any panel
    of ``pool`` holding them that keeps the rules H5 (composition) and H8 (lean cap) and has a chair; with
    ``outside`` (a flag per mediator of ``pool``), only panels with at most ``room`` flagged members count
    (a mediator in no such panel gets ``LOW``). Pricing asks it which mediators can sit on a panel with
    more than ``k - room - 1`` members of positive weight (``_SearchPricing``).

    One dynamic programme over the pool finds, for every *state* of the other k - 1 members (the legal
    traditions and UN groups they cover, as bit sets; how many women and men, counted up to k // 2; how
    many members; whether one of them is the designated chair; their alignment with one party less that
    with another), the best sum of their separable values (``separable_values``) plus the designated
    chair's bonus. Mediators with the same state-relevant attributes are one *profile*: taking m of a
    profile takes its m best values, so the programme runs over profiles, not people. Each mediator's
    bound is then their value plus the best state's total with the exact panel-level terms of that
    state united with the mediator (diversity, neutrality balance, the chair bonus, H5 minimums, H8).

    It stays an upper bound because it relaxes, never tightens: nationalities may repeat (H5's distinct
    rule), the co-national limit (H1) and working languages (H4) are not asked for, a mediator may be
    counted among their own others, the worst-off party's preference is bounded by its mean over the
    ranking parties (rounded up, per member), and with three parties or more each pair of parties gives
    a bound (the spread is at least that pair's difference) and the least is kept. Women and men counted
    up to k // 2 only can make the gender balance larger, never smaller. The flagged members are counted
    exactly (one more state: how many of the others are flagged, up to ``room``). Tests hold it to brute force.

    With ``extra`` (an integer per mediator of ``pool``) each member's value counts ``extra`` more: the bound is
    then on the objective plus the members' ``extra`` summed (pricing's Lagrangian narrowing, ``_lagrangian``).

    With ``least`` only panels whose *other* members (the mediator excluded) hold at least ``room`` flagged ones
    count: the programme then counts flagged others up to ``room`` and no further (``weakest_apart`` asks whether
    a flagged mediator has a flagged partner, room 1: two counts where "at most k - 2 of the others" needs k - 1).
    A flag may be a larger count (a member then counts that many times). With ``need`` too (an integer from 0 to
    ``room`` per mediator) each mediator's others must hold at least their own ``need`` instead of ``room``: one
    programme answers every count up to ``room`` (pricing's count narrowing, ``_SearchPricing._counted``)."""
    pool_arr = np.asarray(pool, dtype=np.int64)
    k = inst.k
    if least and (outside is None or room <= 0):  # at least none: no limit
        outside, room, least, need = None, 0, False, None
    most = (k - 1) * max(1, int(np.max(outside, initial=0))) if outside is not None else 0  # others can hold
    if least and room > most:
        if need is None:
            return np.full(len(pool_arr), LOW, dtype=np.int64)
        room = most  # a need past it is met by nobody
    if not least and (outside is None or room >= k):  # room for every member: no limit
        outside, room = np.zeros(len(pool_arr), dtype=bool), 0
    spare = np.asarray(outside, dtype=np.int64)
    more = np.zeros(len(pool_arr), dtype=np.int64) if extra is None else np.asarray(extra, dtype=np.int64)
    wanted = None if not least else np.full(len(pool_arr), room) if need is None else np.asarray(need, dtype=np.int64)
    if k < 2 or len(pool_arr) == 0:
        alone = upper_bounds(inst, [int(i) for i in pool_arr]) + more
        return np.where(spare > room, LOW, alone) if wanted is None else np.where(wanted > 0, LOW, alone)
    value = _member_values(inst, pool_arr) + more
    bound = np.full(len(pool_arr), np.iinfo(np.int64).max, dtype=np.int64)
    for lean, balanced in _party_leans(inst, pool_arr):
        bound = np.minimum(bound, _profile_programme(inst, pool_arr, value, lean, balanced, spare, room, least, wanted))
    return bound


def _party_leans(inst: PanelInstance, pool: np.ndarray) -> list[tuple[np.ndarray, bool]]:
    """Each pair of parties' lean of every member of ``pool`` (alignment with the first less that with the second)
    with True, or one lean of 0 with False when there is no pair: the programme runs once per pair and the least
    bound is kept (``panel_bounds``, ``pair_bounds``)."""
    parties = inst.alignment.shape[1]
    align = inst.alignment[pool].astype(np.int64)
    pairs = [(p, q) for p in range(parties) for q in range(p + 1, parties)]
    return [(align[:, p] - align[:, q], True) for p, q in pairs] or [(np.zeros(len(pool), dtype=np.int64), False)]


@dataclass(frozen=True)
class PlainProgramme:
    """``panel_bounds``' programme over ``pool`` with no member flagged, run once per pair of parties
    (``_party_leans``): ``lean``, ``balanced``, then ``_programme``'s ``dp``, ``states`` and ``lo`` in each of ``runs``.
    ``panel_bounds(inst, pool)`` reads its states of k - 1 others and ``pair_bounds`` its states of k - 2, so one
    run serves both (``plain_bounds``, ``pair_bounds``' ``programme``): the dispute lottery's first level asks for both
    over the same pool (``matching.lottery.dispute._SearchPricing.first_level_proof``)."""

    pool: np.ndarray
    value: np.ndarray
    runs: tuple[tuple[np.ndarray, bool, np.ndarray, np.ndarray, int], ...]


def plain_programme(inst: PanelInstance, pool: Sequence[int]) -> PlainProgramme:
    """The programme ``panel_bounds(inst, pool)`` and ``pair_bounds(inst, pool, ...)`` run, run once (none for panels
    of fewer than two members or an empty pool, where neither runs one)."""
    pool_arr = np.asarray(pool, dtype=np.int64)
    value = _member_values(inst, pool_arr)
    if inst.k < 2 or len(pool_arr) == 0:
        return PlainProgramme(pool_arr, value, ())
    none = np.zeros(len(pool_arr), dtype=np.int64)
    runs = tuple(
        (lean, balanced, *_programme(inst, pool_arr, value, lean, none, 0))
        for lean, balanced in _party_leans(inst, pool_arr)
    )
    return PlainProgramme(pool_arr, value, runs)


def plain_bounds(inst: PanelInstance, programme: PlainProgramme) -> np.ndarray:
    """``panel_bounds(inst, programme.pool)`` read off ``programme`` (``plain_programme``): the same numbers, without
    running the programme again."""
    pool = programme.pool
    if not programme.runs:
        return panel_bounds(inst, pool.tolist())
    chair_ok, chair, cover, female, male = _attributes(inst, pool)
    spare = np.zeros(len(pool), dtype=np.int64)
    bound = np.full(len(pool), np.iinfo(np.int64).max, dtype=np.int64)
    for lean, balanced, dp, states, lo in programme.runs:
        final = _widened(dp[:, inst.k - 1])
        found = _finish(
            inst, final, states, programme.value, chair, chair_ok, cover, female, male, lean, lo, balanced, spare
        )
        bound = np.minimum(bound, found)
    return bound


def pair_bounds(
    inst: PanelInstance,
    pool: Sequence[int],
    rows: np.ndarray,
    cols: np.ndarray,
    programme: PlainProgramme | None = None,
) -> np.ndarray:
    """For each mediator of ``rows`` and each of ``cols`` (positions in ``pool``, indices into ``inst``), an upper
    bound on the objective of any panel of ``pool`` holding both that keeps the rules H5 (composition) and H8 (lean
    cap) and has a chair (``LOW`` when there is none): a ``[len(rows), len(cols)]`` array. A mediator paired with
    themselves gets a bound on no panel in particular.

    ``panel_bounds``' programme over the pool gives, at k - 2 members, the best value of the other members' states
    (covered traditions and UN groups, women, men, lean, a designated chair); each pair's bound is their two values
    plus the best state's total with the exact panel-level terms of the state united with both of them. The pairs
    differ only by their united attributes, few of them: the covered set's terms are reduced once per united set,
    then the counts' and lean's per united attributes. The same relaxations as ``panel_bounds`` (nationalities may
    repeat, H1 and H4 are not asked for, a member may be counted among the others, the worst-off party's preference
    bounded by its mean, the least bound over each pair of parties), so it is an upper bound; one programme instead
    of a flagged ``panel_bounds`` pass per group of ``rows`` (``matching.lottery.dispute._SearchPricing._mover_panels``).
    ``programme``: ``plain_programme(inst, pool)`` when run before (for ``plain_bounds``), read instead of running it
    again. Tests hold it to brute force."""
    pool_arr = np.asarray(pool, dtype=np.int64)
    rows, cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
    k = inst.k
    if k < 2 or len(rows) == 0 or len(cols) == 0:
        return np.full((len(rows), len(cols)), LOW, dtype=np.int64)
    if programme is None:
        programme = plain_programme(inst, pool)
    elif not np.array_equal(programme.pool, pool_arr):
        raise ValueError("pair_bounds: the programme was run over another pool")
    value = programme.value
    chair_ok, chair, cover, female, male = _attributes(inst, pool_arr)
    own = np.where(chair_ok, chair, LOW)
    bound = np.full((len(rows), len(cols)), np.iinfo(np.int64).max, dtype=np.int64)
    for lean, balanced, dp, states, lo in programme.runs:
        keys = np.stack([cover, female, male, lean], axis=1)
        others = _widened(dp[:, k - 2, :, :, :, 0])
        best = _pair_finish(inst, others, states, lo, balanced, (keys[rows], own[rows]), (keys[cols], own[cols]))
        bound = np.minimum(bound, best)
    return np.where(bound > LOW // 2, value[rows][:, None] + value[cols][None, :] + bound, LOW)


class GroupBounds:
    """For groups of members (rows of m distinct positions in ``programme.pool``, 1 <= m <= k - 1) and each of some
    columns (positions there too), an upper bound on the objective of any panel of the pool holding a whole group and
    that one that keeps H5 and H8 and has a chair (``LOW`` when there is none): ``pair_bounds`` for groups of one; for
    more, a group is one member of their united attributes (covered set, women, men, lean, the better chair) and
    summed values, and the programme's states of k - 1 - m others complete it (the same relaxations, so an upper
    bound; a column inside its group gets a bound on no panel in particular). Built once over a programme and asked
    many times: per pair of parties, count m and covered set met, the best the others reach with each count of women
    and men and each lean the group and column bring, with and without a chair among the others, is a table kept
    between calls, so that a call only reads it. The dispute lottery's split on heavy members
    (``matching.lottery.dispute._SearchPricing._peeled``) keeps only the mediators this leaves at the floor with the
    fixed members. Tests hold it to brute force."""

    def __init__(self, inst: PanelInstance, programme: PlainProgramme) -> None:
        if not programme.runs:
            raise ValueError("GroupBounds: no programme (panels of fewer than two members or an empty pool)")
        self.inst, self.programme = inst, programme
        chair_ok, chair, cover, female, male = _attributes(inst, programme.pool)
        self.cover, self.female, self.male = cover, female, male
        self.own = np.where(chair_ok, chair, LOW)
        # Per pair of parties: the lowest lean k members can bring, and the tables by covered set (sorted) so far.
        self._lean_lo = [inst.k * min(0, int(lean.min())) for lean, *_ in programme.runs]
        self._spans = [
            inst.k * max(0, int(lean.max())) - lo + 1
            for (lean, *_), lo in zip(programme.runs, self._lean_lo, strict=True)
        ]
        self._tables: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}

    def __call__(self, groups: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """A ``[len(groups), len(cols)]`` array of the bounds."""
        groups, cols = np.asarray(groups, dtype=np.int64), np.asarray(cols, dtype=np.int64)
        k = self.inst.k
        if groups.ndim != 2 or not 0 < groups.shape[1] < k:
            raise ValueError("GroupBounds: rows of 1 to k - 1 members")
        if len(groups) == 0 or len(cols) == 0:
            return np.full((len(groups), len(cols)), LOW, dtype=np.int64)
        step = max(1, GROUP_CELLS // len(cols))
        if len(groups) > step:  # a few rows at a time: each array below is as large as the answer
            return np.vstack([self(groups[start : start + step], cols) for start in range(0, len(groups), step)])
        m = groups.shape[1]
        cover = np.bitwise_or.reduce(self.cover[groups], axis=1)[:, None] | self.cover[cols][None, :]
        women = self.female[groups].sum(axis=1)[:, None] + self.female[cols][None, :]
        men = self.male[groups].sum(axis=1)[:, None] + self.male[cols][None, :]
        mine = np.maximum(self.own[groups].max(axis=1)[:, None], self.own[cols][None, :])  # the best chair among them
        bound = np.full((len(groups), len(cols)), np.iinfo(np.int64).max, dtype=np.int64)
        for run, (lean, *_) in enumerate(self.programme.runs):
            both = lean[groups].sum(axis=1)[:, None] + lean[cols][None, :] - self._lean_lo[run]
            table, at = self._table(run, m, cover)
            with_chair, without = table[at, 1, women, men, both], table[at, 0, women, men, both]
            best = np.where(
                (without > LOW // 2) & (mine > LOW // 2), np.maximum(with_chair, without + mine), with_chair
            )
            bound = np.minimum(bound, np.where(best > LOW // 2, best, LOW))
        value = self.programme.value
        return np.where(bound > LOW // 2, value[groups].sum(axis=1)[:, None] + value[cols][None, :] + bound, LOW)

    def _table(self, run: int, m: int, cover: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The tables of the covered sets met so far for ``run`` and groups of ``m`` (``[set, chair among the others,
        women, men, lean - lo]``: the best the others' states reach with the panel-level terms, ``LOW`` where none does;
        sets in order) and where each set of ``cover`` is among them (sets not met before are added)."""
        sets, table = self._tables.get((run, m), (np.zeros(0, dtype=np.int64), np.zeros((0, 1, 1, 1, 1), np.int64)))
        at = np.searchsorted(sets, cover)
        met = at < len(sets)
        met[met] = sets[at[met]] == cover[met]
        if not met.all():
            fresh = np.unique(cover[~met])
            sets = np.concatenate([sets, fresh])
            table = np.concatenate([table, self._filled(run, m, fresh)]) if len(table) else self._filled(run, m, fresh)
            order = np.argsort(sets, kind="stable")
            sets, table = sets[order], table[order]
            self._tables[run, m] = (sets, table)
            at = np.searchsorted(sets, cover)
        return table, at

    def _filled(self, run: int, m: int, fresh: np.ndarray) -> np.ndarray:
        """``_table``'s rows for the covered sets ``fresh``: ``_pair_finish``'s terms for every count of women and men
        and every lean a group and a column can bring."""
        inst, k, h = self.inst, self.inst.k, self.inst.k // 2
        w = inst.weights
        _, balanced, dp, states, lo = self.programme.runs[run]
        others = _widened(dp[:, k - 1 - m, :, :, :, 0])  # [chair designated, women, men, lean - lo, covered set]
        spans = others.shape[3]
        counts = np.arange(h + 1)
        brought = np.arange(k + 1)
        # [women brought, men brought, others' women, others' men]
        balance = np.minimum(
            (counts[None, :] + brought[:, None])[:, None, :, None],
            (counts[None, :] + brought[:, None])[None, :, None, :],
        )
        balance = (w["diversity"] * inst.gender_coef * balance).astype(np.int64)
        # [lean brought - its lowest, others' lean - lo]
        spread = np.abs(np.arange(self._spans[run])[:, None] + self._lean_lo[run] + np.arange(spans)[None, :] + lo)
        asymmetry = inst.neutral_asym_coef * spread if balanced else np.zeros_like(spread)
        neutral = np.asarray(w["neutrality"] * (SCORE_SCALE - asymmetry), dtype=np.int64)
        cap = lean_cap(inst)
        if cap is not None and balanced:
            neutral = np.where(spread <= cap, neutral, LOW)
        rows = np.empty((len(fresh), 2, k + 1, k + 1, self._spans[run]), dtype=np.int64)
        chunk = max(1, BOUND_CHUNK // max(1, others.size * (k + 1) ** 2))
        for start in range(0, len(fresh), chunk):
            bits = fresh[start : start + chunk]
            joined = states[None, :] | bits[:, None]
            trads, groups = POPCOUNT[joined >> len(GROUPS)], POPCOUNT[joined & ((1 << len(GROUPS)) - 1)]
            term = w["diversity"] * (inst.tradition_coef * trads + inst.group_coef * groups)
            if inst.composition_applies:
                term = np.where((trads >= inst.min_traditions) & (groups >= inst.min_groups), term, LOW)
            term = np.asarray(term, dtype=np.int64)[:, None, None, None, None, :]
            reduced = (others[None] + term).max(axis=-1)  # [set, chair, others' women, others' men, lean - lo]
            # [set, chair, women brought, men brought, others' lean]: the best over the others' women and men
            gendered = (reduced[:, :, None, None] + balance[None, None, :, :, :, :, None]).max(axis=(4, 5))
            # then over the others' lean, with the neutrality of the lean brought with theirs
            rows[start : start + chunk] = (gendered[:, :, :, :, None, :] + neutral[None, None, None, None]).max(axis=-1)
        return rows


def _pair_finish(
    inst: PanelInstance,
    others: np.ndarray,
    states: np.ndarray,
    lo: int,
    balanced: bool,
    rows: tuple[np.ndarray, np.ndarray],
    cols: tuple[np.ndarray, np.ndarray],
) -> np.ndarray:
    """``pair_bounds`` for one pair of parties, less the pair's two values: ``others`` the programme's states of the
    other members (chair designated, women, men, lean - ``lo``, covered set); ``rows`` and ``cols`` each side's
    attributes (rows of covered set, women, men, lean) and chair bonus (``LOW``: may not chair)."""
    w, h = inst.weights, inst.k // 2
    spans = others.shape[3]
    # Each side's attributes, then each pair of distinct attributes' united ones.
    row_keys, row_of = np.unique(rows[0], axis=0, return_inverse=True)
    col_keys, col_of = np.unique(cols[0], axis=0, return_inverse=True)
    united = np.stack(
        [
            row_keys[:, None, 0] | col_keys[None, :, 0],
            row_keys[:, None, 1] + col_keys[None, :, 1],
            row_keys[:, None, 2] + col_keys[None, :, 2],
            row_keys[:, None, 3] + col_keys[None, :, 3],
        ],
        axis=-1,
    ).reshape(-1, 4)
    combos, combo_of = np.unique(united, axis=0, return_inverse=True)
    cap = lean_cap(inst)
    counts = np.arange(h + 1)
    # Per covered set of the combos: the best of the others' states (chair designated among them or not, women, men,
    # lean), with the diversity and composition terms of that set united with theirs. A chunk of sets at a time.
    bits, bits_of = np.unique(combos[:, 0], return_inverse=True)
    reduced = np.empty((len(bits), *others.shape[:-1]), dtype=np.int64)
    chunk = max(1, BOUND_CHUNK // max(1, others.size))
    for start in range(0, len(bits), chunk):
        joined = states[None, :] | bits[start : start + chunk, None]
        trads, groups = POPCOUNT[joined >> len(GROUPS)], POPCOUNT[joined & ((1 << len(GROUPS)) - 1)]
        term = w["diversity"] * (inst.tradition_coef * trads + inst.group_coef * groups)
        if inst.composition_applies:
            term = np.where((trads >= inst.min_traditions) & (groups >= inst.min_groups), term, LOW)
        term = np.asarray(term, dtype=np.int64)[:, None, None, None, None, :]
        reduced[start : start + chunk] = (others[None] + term).max(axis=-1)
    # Then per combo at once: the gender balance and neutrality of its women, men and lean with the others'.
    fem, man, both = (combos[:, j] for j in (1, 2, 3))
    balance = np.minimum((counts[None, :] + fem[:, None])[:, :, None], (counts[None, :] + man[:, None])[:, None, :])
    balance = w["diversity"] * inst.gender_coef * balance
    spread = np.abs(np.arange(spans)[None, :] + lo + both[:, None])
    neutral = w["neutrality"] * (SCORE_SCALE - (inst.neutral_asym_coef * spread if balanced else 0))
    total = (
        reduced[bits_of.ravel()]
        + np.asarray(balance)[:, None, :, :, None]
        + np.asarray(neutral)[:, None, None, None, :]
    )
    if cap is not None and balanced:
        total = np.where((spread <= cap)[:, None, None, None, :], total, LOW)
    # Per combo: the best of the others' states with a chair designated among them, and with none.
    with_chair = total[:, 1].reshape(len(combos), -1).max(axis=1)
    without = total[:, 0].reshape(len(combos), -1).max(axis=1)
    at = combo_of.ravel().reshape(len(row_keys), len(col_keys))[row_of.ravel()][:, col_of.ravel()]
    mine = np.maximum(rows[1][:, None], cols[1][None, :])  # the better chair of the two (LOW: neither may)
    best = with_chair[at]
    chosen = (without[at] > LOW // 2) & (mine > LOW // 2)
    best = np.where(chosen, np.maximum(best, without[at] + mine), best)
    return np.where(best > LOW // 2, best, LOW)


def _member_values(inst: PanelInstance, pool: np.ndarray) -> np.ndarray:
    """Each member's value in ``panel_bounds``' programme: their separable value, the worst-off party's preference
    bounded by its mean over the ranking parties (rounded up, per member)."""
    value = separable_values(inst, pool)
    w = inst.weights
    if inst.ranking_parties and w["preference"] > 0:
        ranked = w["preference"] * inst.pref_min_coef[pool].sum(axis=1).astype(np.int64)
        value = value - (-ranked // len(inst.ranking_parties))  # rounded up
    return value


def _attributes(inst: PanelInstance, pool: np.ndarray) -> tuple[np.ndarray, ...]:
    """The programme's attributes of each member of ``pool``: may chair, the chair bonus (0 if not), the traditions
    and UN groups covered (one bit set over both), woman, man."""
    chair_ok = inst.chair_ok[pool].astype(bool)
    chair = np.where(chair_ok, chair_values(inst)[pool], 0).astype(np.int64)
    cover = (tradition_bits(inst, pool) << len(GROUPS)) | group_bits(inst, pool)
    return chair_ok, chair, cover, inst.female[pool].astype(np.int64), inst.male[pool].astype(np.int64)


def _profile_programme(
    inst: PanelInstance,
    pool: np.ndarray,
    value: np.ndarray,
    lean: np.ndarray,
    balanced: bool,
    spare: np.ndarray,
    room: int,
    least: bool = False,
    need: np.ndarray | None = None,
) -> np.ndarray:
    """``panel_bounds`` for one pair of parties (``lean``: each member's alignment with the first less
    that with the second; ``balanced``: the pair exists, so the spread is at least the panel's |lean|;
    ``spare``: 1 for a member counted against ``room``, 0 otherwise)."""
    dp, states, lo = _programme(inst, pool, value, lean, spare, room, least)
    chair_ok, chair, cover, female, male = _attributes(inst, pool)
    final = _widened(dp[:, inst.k - 1])
    return _finish(inst, final, states, value, chair, chair_ok, cover, female, male, lean, lo, balanced, spare, need)


def _programme(
    inst: PanelInstance,
    pool: np.ndarray,
    value: np.ndarray,
    lean: np.ndarray,
    spare: np.ndarray,
    room: int,
    least: bool = False,
) -> tuple[np.ndarray, np.ndarray, int]:
    """``_profile_programme``'s dynamic programme: ``(dp, states, lo)``, ``dp`` the best value of the states of every
    count of others from 0 to k - 1 (axes: chair designated, members, women, men, lean - ``lo``, spare members, covered
    set as an index into ``states``, ``_reachable``)."""
    k, h = inst.k, inst.k // 2
    others = k - 1
    chair_ok, chair, cover, female, male = _attributes(inst, pool)
    states = _reachable(cover)
    covers = len(states)
    lo = others * min(0, int(lean.min()))
    spans = others * max(0, int(lean.max())) - lo + 1
    # dp[chair designated, members, women, men, lean - lo, spare members, covered]
    dtype = _programme_dtype(value, chair, k)
    dp = np.full((2, k, h + 1, h + 1, spans, room + 1, covers), _low(dtype), dtype=dtype)
    dp[0, 0, 0, 0, -lo, 0, 0] = 0  # states[0] == 0: nothing covered
    keys = np.stack([cover, female, male, lean, chair_ok, spare], axis=1)
    _, profile = np.unique(keys, axis=0, return_inverse=True)
    profile = profile.ravel()
    moved: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}  # ``_cover_states``' moves, by bit set
    # ``base`` is the states of fewer than k - 1 members (only they take more; the last count is the programme's
    # answer) with ``based`` united to their covered sets. Uniting is idempotent and commutes with adding members
    # and with the maximum, so while the profiles (in ``_groups``' order, by covered set) bring the same bits,
    # ``base`` takes the same updates as ``dp`` instead of being moved again: the same numbers, far fewer moves.
    base, based = dp[:, :0], -1  # of one to k - 2 members
    # The women and men (each counted up to h: the first ``box[j]`` counts of each) and the alignments (a slice of
    # the lean axis) j members can have.
    box = {j: min(j, h) + 1 for j in range(k)}
    low_lean, high_lean = int(lean.min()), int(lean.max())
    reach = {j: slice(j * low_lean - lo, j * high_lean - lo + 1) for j in range(k)}
    for members in _groups(profile, value):
        m0 = members[0]
        if not least and int(spare[m0]) > room:  # past the room: in no panel counted
            continue
        bits = int(cover[m0])
        if bits != based:
            short = dp[:, 1:others]  # ``base[:, j - 1]``: the states of j members, 1 to k - 2
            base = _cover(short, bits) if covers == FULL_COVERS else _cover_states(short, states, bits, moved)
            based = bits
        attributes = (int(female[m0]), int(male[m0]), int(lean[m0]), int(spare[m0]), bool(chair_ok[m0]))
        plan, taken = _profile_plan(value[members], chair[members], attributes, others, room, least)
        cell = int(np.searchsorted(states, bits))
        _take_profile(dp, base, plan, taken, box, reach, (lo, cell, room, least))
    return dp, states, lo


def _profile_plan(
    value: np.ndarray,
    chair: np.ndarray,
    attributes: tuple[int, int, int, int, bool],
    others: int,
    room: int,
    least: bool,
) -> tuple[list[tuple[int, int, int, int, int, int | None]], list[int]]:
    """For m = 1 to k - 1 of one profile (its members' ``value`` best first, their ``chair`` bonuses; ``attributes``:
    woman, man, lean, spare count, may chair): the women, men, lean and spare members m of them bring and what
    designating the chair among them adds (None if none may chair), and their best values summed (``taken[m]``)."""
    woman, man, lean, spare, chair_ok = attributes
    top = value[:others]
    taken = [0, *(int(t) for t in np.cumsum(top))]
    # The best m of the profile with one of them as chair: a chair among the m best, or the best chair after them with
    # the m - 1 best.
    after = np.maximum.accumulate((value + chair)[::-1])[::-1]
    plan: list[tuple[int, int, int, int, int, int | None]] = []
    for m in range(1, len(top) + 1):
        if m * spare > room and not least:  # past the room: dropped
            break
        best: int | None = None
        if chair_ok:
            best = int(chair[:m].max())
            if m < len(value):
                best = max(best, taken[m - 1] + int(after[m]) - taken[m])
        plan.append((m, m * woman, m * man, m * lean, m * spare, best))
    return plan, taken


def _take_profile(
    dp: np.ndarray,
    base: np.ndarray,
    plan: list[tuple[int, int, int, int, int, int | None]],
    taken: list[int],
    box: dict[int, int],
    reach: dict[int, slice],
    where: tuple[int, int, int, bool],
) -> None:
    """``_profile_programme``'s update for one profile (``_profile_plan``'s ``plan`` and ``taken``) into ``dp`` and
    ``base`` (the states of one to k - 2 members, united with the profile's covered set, at ``cell`` of ``where``).

    The state of no members (nothing but the profile's bits covered, no chair designated, value 0: ``dp`` never updates
    its states of no members) gives the states of m members as one cell (the origin; ``base`` leaves it out), and only
    ``base``'s states of one or more members are moved (``_moved``), each member count j only over the women and men
    (the first ``box[j]`` counts of each) and alignments (``reach``) j members can have, all its women and men counts as
    one block (``_counted_up``: the counts past h merged into h). Sources are taken from the most members down and the
    origins last, so a state is read before any of this profile's members reach it (the moves only raise member counts).
    With ``least`` the spare counts are held as "at least" (``_moved``). The same bounds: only states no panel reaches
    (below half the type's low, which ``_finish`` reads as none) may hold other values, and a chain of moves adds no
    more to them than before (each move still adds members). On D002 at 10,000 mediators the
    passes of levels 14 to 24 take 0.46 of their CPU before (58 passes, 11.1 s against 24.0) and those of levels 30 to
    35, with rooms of 7 to 37 counts, 0.24 (89 passes, 24.7 s against 104.2; 2026-12-07, replayed side by side with the
    64-bit programme that moved the member counts as one block); moving the women and men counts as one block (where
    each pair of counts was moved alone) took about 0.83 of the CPU (12 count, pair and room passes over D002's pool at
    level 26, four alternating runs at load 3: 2.15 to 2.50 s against 2.59 to 3.00 s; the same bounds), a fifth of the
    moves."""
    lo, cell, room, least = where
    others, h = dp.shape[1] - 1, dp.shape[2] - 1
    for j in range(others - 1, 0, -1):
        counts = box[j]
        for m, women, men, leaning, more, best in plan:
            if j + m > others:
                break
            targets = [dp[:, j + m], base[:, j + m - 1]] if j + m < others else [dp[:, j + m]]
            block = base[:, j - 1, :counts, :counts, reach[j]] + taken[m]
            block, into_f = _counted_up(block, 1, women, h)
            block, into_g = _counted_up(block, 2, men, h)
            chaired = None if best is None else block[0] + best
            into = (into_f, into_g, slice(reach[j].start + leaning, reach[j].stop + leaning))
            for target in targets:
                _moved(target[(slice(None), *into)], block, more, least)
                if chaired is not None:
                    _moved(target[(1, *into)], chaired, more, least)
    for m, women, men, leaning, more, best in plan:
        origin = (min(women, h), min(men, h), leaning - lo)
        counts_of = slice(0, min(more, room) + 1) if least else slice(more, more + 1)
        for states_of, layer in [(dp, m), (base, m - 1)] if m < others else [(dp, m)]:
            for chaired_by, gain in [(0, 0)] if best is None else [(0, 0), (1, best)]:
                view = states_of[(chaired_by, layer, *origin, counts_of, cell)]
                np.maximum(view, taken[m] + gain, out=view)


def _counted_up(block: np.ndarray, axis: int, more: int, h: int) -> tuple[np.ndarray, slice]:
    """``block`` (counts 0, 1, ... on ``axis``) with ``more`` added to each count, counted up to ``h``: the block to move
    and the slice of target counts it goes to (the counts past ``h`` merged into ``h``, the best of them)."""
    size = block.shape[axis]
    if more + size - 1 <= h:
        return block, slice(more, more + size)
    below = max(0, h - more)  # counts that stay under h
    lead = (slice(None),) * axis
    top = block[(*lead, slice(below, size))].max(axis=axis, keepdims=True)
    if not below:
        return top, slice(h, h + 1)
    return np.concatenate([block[(*lead, slice(0, below))], top], axis=axis), slice(more, h + 1)


def _programme_dtype(value: np.ndarray, chair: np.ndarray, k: int) -> type[np.signedinteger]:
    """The programme's integer type: 32 bits when every state's total stays within ``SPAN32`` of 0 (a reachable state)
    or of ``LOW32`` (an unreachable one, which the updates of one chain raise by at most k + 2 values and a chair bonus), else 64.
    The programme's passes are bound by memory traffic, which half-width cells halve: the same numbers, and on D002
    at 10,000 mediators (values up to about 2e5, chair bonuses 1.4e5) the 58 passes of levels 14 to 24 took 0.56 of
    their CPU in 64 bits (2026-12-07, replayed side by side: 14.7 s against 26.2)."""
    top = int(np.abs(value).max(initial=0)) + int(np.abs(chair).max(initial=0))
    return np.int32 if (k + 2) * top < SPAN32 else np.int64


def _low(dtype: type[np.signedinteger] | np.dtype[np.signedinteger]) -> int:
    """The unreachable state of a programme of ``dtype`` (``LOW`` in 64 bits, ``LOW32`` in 32)."""
    return LOW if np.dtype(dtype) == np.int64 else LOW32


def _widened(final: np.ndarray) -> np.ndarray:
    """The programme's last states in 64 bits, unreachable ones (below half the type's ``_low``) at ``LOW``."""
    if final.dtype == np.int64:
        return final
    return np.where(final < LOW32 // 2, LOW, final.astype(np.int64))


def _groups(profile: np.ndarray, value: np.ndarray) -> list[np.ndarray]:
    """The members of each profile, best value first."""
    order = np.lexsort((-value, profile))
    bounds = np.flatnonzero(np.diff(profile[order])) + 1
    return np.split(order, bounds)


def _reachable(cover: np.ndarray) -> np.ndarray:
    """The covered bit sets some members of the pool can unite to (``cover``: one per member), sorted, the empty
    one first: the programme's last axis. A small pool reaches few of the ``FULL_COVERS`` sets, and the programme's
    size (so its time) shrinks with them; the set is closed under uniting with any member's bits."""
    states = np.zeros(1, dtype=np.int64)
    for bits in np.unique(cover).tolist():
        states = np.union1d(states, states | bits)
    return states


def _cover_states(
    dp: np.ndarray, states: np.ndarray, bits: int, moved: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]]
) -> np.ndarray:
    """``_cover`` over the reachable sets ``states`` (``_reachable``, the last axis of ``dp``): each state's best
    moved to its set united with ``bits`` (the best of those that unite to the same set). ``moved`` keeps the
    moves of each bit set met (sources in target order, where each target's run starts, the targets)."""
    if bits not in moved:
        target = np.searchsorted(states, states | bits)
        order = np.argsort(target, kind="stable")
        ends = target[order]
        starts = np.flatnonzero(np.r_[True, ends[1:] != ends[:-1]])
        moved[bits] = (order, starts, ends[starts])
    order, starts, targets = moved[bits]
    out = np.full_like(dp, _low(dp.dtype))
    out[..., targets] = np.maximum.reduceat(dp[..., order], starts, axis=-1)
    return out


def _cover(dp: np.ndarray, bits: int) -> np.ndarray:
    """``dp`` with the covered bit set united with ``bits`` (a new array: one copy, then in place)."""
    out = dp.copy()
    for beta in range(bits.bit_length()):
        if bits >> beta & 1:
            view = out.reshape(*out.shape[:-1], -1, 2, 1 << beta)
            np.maximum(view[..., 0, :], view[..., 1, :], out=view[..., 1, :])
            view[..., 0, :] = _low(out.dtype)
    return out


def _moved(target: np.ndarray, block: np.ndarray, more: int, least: bool) -> None:
    """States of ``block`` (spare counts on its second last axis) into ``target`` with ``more`` spare members more: past
    the room dropped, or with ``least``, where the programme holds each count as the best of it and every larger one
    ("at least"), the count c reached from c - more, or from none (0) below ``more``; the room's count is then the
    best of every count from it on, as the saturated count was, and ``_finish`` reads the counts that way."""
    rooms = block.shape[-2]
    if more < rooms:
        np.maximum(target[..., more:, :], block[..., : rooms - more, :], out=target[..., more:, :])
    if least and more > 0:
        upto = min(more, rooms)
        np.maximum(target[..., :upto, :], block[..., :1, :], out=target[..., :upto, :])


def _finish(
    inst: PanelInstance,
    final: np.ndarray,
    states: np.ndarray,
    value: np.ndarray,
    chair: np.ndarray,
    chair_ok: np.ndarray,
    cover: np.ndarray,
    female: np.ndarray,
    male: np.ndarray,
    lean: np.ndarray,
    lo: int,
    balanced: bool,
    spare: np.ndarray,
    need: np.ndarray | None = None,
) -> np.ndarray:
    """Each member's bound from ``final`` (dp at k - 1 others): their value, plus the best state's total
    with the exact panel-level terms of the state united with them (and room left for them if spare; with
    ``need``, the ``least`` programme's, others holding at least the member's need of spare members, whoever
    the member is; a need past the room, which ``panel_bounds`` lowers to what k - 1 others can hold, by none)."""
    w, h = inst.weights, inst.k // 2
    _, _, _, spans, rooms, covers = final.shape
    # Per member count of spare others allowed: the best over the spare counts up to the room left.
    allowed = np.maximum.accumulate(final, axis=4)
    if need is not None:  # counts up to the room, the last saturated: at least c is the best from count c up
        allowed = np.maximum.accumulate(final[:, :, :, :, ::-1], axis=4)  # at ``rooms - 1 - c``
        spare = np.maximum(np.asarray(need, dtype=np.int64), 0)  # read below at ``rooms - 1 - spare``
    counts = np.arange(h + 1)
    cap = lean_cap(inst)
    out = np.empty(len(value), dtype=np.int64)
    keys = np.stack([cover, female, male, lean, spare], axis=1)
    uniq, inverse = np.unique(keys, axis=0, return_inverse=True)
    for u, (bits, fem, man, own, mine_spare) in enumerate(uniq.tolist()):
        rows = np.flatnonzero(inverse.ravel() == u)
        if mine_spare >= rooms:
            out[rows] = LOW
            continue
        others = allowed[:, :, :, :, rooms - 1 - mine_spare]
        joined = states | bits
        trads, groups = POPCOUNT[joined >> len(GROUPS)], POPCOUNT[joined & ((1 << len(GROUPS)) - 1)]
        term = w["diversity"] * (inst.tradition_coef * trads + inst.group_coef * groups)[None, None, None, :]
        balance = np.minimum((counts + fem)[:, None], (counts + man)[None, :])
        term = term + (w["diversity"] * inst.gender_coef * balance)[:, :, None, None]
        spread = np.abs(np.arange(spans) + lo + own)
        neutral = w["neutrality"] * (SCORE_SCALE - (inst.neutral_asym_coef * spread if balanced else 0))
        term = term + np.asarray(neutral)[None, None, :, None]
        ok = np.ones((h + 1, h + 1, spans, covers), dtype=bool)
        if inst.composition_applies:
            ok &= ((trads >= inst.min_traditions) & (groups >= inst.min_groups))[None, None, None, :]
        if cap is not None and balanced:
            ok &= (spread <= cap)[None, None, :, None]
        term = np.where(ok, term, LOW)
        others_chair = int((others[1] + term).max())
        own_chair = int((others[0] + term).max())
        best = np.full(len(rows), others_chair, dtype=np.int64)
        mine = chair_ok[rows] & (own_chair > LOW // 2)
        best[mine] = np.maximum(best[mine], own_chair + chair[rows][mine])
        out[rows] = np.where(best > LOW // 2, value[rows] + best, LOW)
    return out
