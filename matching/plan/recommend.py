"""Whom to recruit: the smallest set of mediator profiles that staffs the forecast disputes the roster could not,
the current mediators the forecast leans on hardest, and the profiles it hardly uses.

**What each unstaffed dispute needs.** The forecast disputes that the "before" simulation left without a panel
are drawn again (``forecast`` is deterministic for the scenario, year and seed). A recruit for one of them has
the best profile for it: they speak its first working language (so they may chair, H4) and every working
language no one on the roster who may sit speaks, hold no party's nationality (H1), and come from a UN regional
group and legal tradition of our choosing. For a dispute blocked by a hard rule, with ``s`` such recruits on a
panel of ``k`` the other ``k - s`` members come from the roster: mediators who may sit at all (available, a
signed declaration, some capacity; under the strict nationality rule no party national), one per nationality
(H5), no more party nationals than the nationality rule allows (H1), covering with the recruits the minimum
numbers of legal traditions and UN regional groups (H5). ``s`` is the smallest number for which such a panel
exists (``_recruits_needed``); for ``s = 1`` the acceptable (group, tradition) pairs of the recruit are worked
out exactly (a pair is acceptable when roster members complete the panel with it); for ``s >= 2`` any pair is
taken, the recruits' mutual diversity left to the re-run. A dispute left unstaffed because shared capacity or a
quota left no room needs all its ``k`` seats from new capacity; one whose own search ran out of time is left
out (recruits would not help). One of a dispute's recruits speaks the languages; the others only add seats.
The roster check looks at kinds of mediators (group, traditions, party nationality) one per nationality, and
counts a mediator with several nationalities under each, which is its only approximation.

**The covering model.** Candidate profiles are (languages, UN group, a legal tradition held in some country of
the group). In CP-SAT, ``x[p]`` recruits of profile ``p`` each take at most ``cap`` new seats a year
(``recruit_seats``), and each year the unmet seats are shared among the profiles that may take them
(``z[u, p]``: a transportation problem; every unmet seat goes to a profile that speaks what the seat needs and
whose (group, tradition) is acceptable, no profile takes more than ``cap * x[p]`` seats that year, no dispute
gets two seats from one recruit). It minimises the seats left without a recruit (non-zero only when
``max_recruits`` binds), then the number of recruits; profiles that fit the same disputes are merged for this
solve, which removes the model's symmetry. A second solve, the first's optimum fixed, prefers recruits whose
nationality shares the fewest blocs with the parties they would sit between (neutrality), then groups and
traditions less present on the roster. The model is exact for the demand it models: a recruitment that
staffs every unmet dispute (beside the roster members found above) meets its constraints, and every solution
gives each unmet dispute the seats and the speakers its panel needs. It does not model the roster's own
capacity beside the recruits, the quotas, or the batch giving recruits other seats: the "after" simulation
checks those, which is why the plan re-runs the years. Solves are deterministic (one worker, the seed,
deterministic time limits).

**Scarce and over-supplied.** Each forecast dispute's member seats are spread over the mediators who may sit
on it, its chair seat over those who may chair it, in proportion to their expertise in its subjects: a
mediator whom few others can replace, or whom many disputes want, collects a large share. ``Scarce`` lists
the 15 mediators whose expected seats a year exceed their room by the most; ``OverSupplied`` the profiles (UN
group, language, tradition) of five mediators or more whose expected seats fill less than half as much of
their room as the roster's do.
"""

from __future__ import annotations

import logging
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from itertools import count

import numpy as np
from ortools.sat.python import cp_model

from matching.batch.quotas import Quotas
from matching.core.config import limit_work
from matching.core.domain import (
    MAX_EXPERTISE_LEVEL,
    SUBJECTS,
    Dataset,
    Dispute,
    DisputeKind,
    Mediator,
    NationalityRule,
    Tradition,
    UNGroup,
)
from matching.core.labels import plural, subject_name
from matching.io.countries import CountryTable, default_countries
from matching.io.rulesets import RuleSet
from matching.plan.forecast import Scenario, forecast
from matching.plan.model import OverSupplied, Profile, Recruit, Scarce, Simulation, Unstaffed
from matching.reports.neutrality import NON_MEMBERS, TRADITION_NAMES, UN_GROUP_NAMES
from matching.rules.checker import HARD_RULES, DisputeView
from matching.rules.kernel import GROUPS, TRADITIONS, eligibility
from matching.rules.workspace import Workspace

log = logging.getLogger(__name__)

TOP_SCARCE = 15
TOP_OVERSUPPLIED = 10
MIN_OVERSUPPLIED = 5  # a profile with fewer mediators than this is never called over-supplied
FLOOR = 0.2  # the least share of a seat's weight a mediator with no expertise in the subjects draws
FEW_CHAIRS = 10  # "one of few who may chair": this many or fewer
SOLVE_WORK = 20.0  # deterministic seconds per solve of the covering model
# Hard rules a recruit's profile can lift; any other reason (shared capacity, H3 alone, a quota) needs seats.
STRUCTURAL_RULES = frozenset(HARD_RULES) - {"H3"}
TIME_LIMIT = "time_limit"  # the search for the dispute's own panel ran out of time: recruits do not help
RECRUIT_PREFIX = "R"
NO_QUOTAS = Quotas()
_ALL_PAIRS: frozenset[tuple[int, int]] = frozenset((g, t) for g in range(len(GROUPS)) for t in range(len(TRADITIONS)))


@dataclass(frozen=True)
class Need:
    """One unstaffed forecast dispute: the new seats it needs and who may take them."""

    year: int
    dispute: Dispute
    seats: int  # seats that only recruits (new capacity) can fill
    languages: frozenset[str]  # the recruit speaks these: the first working language, and any nobody may sit speaks
    pairs: frozenset[tuple[int, int]]  # acceptable (index in GROUPS, index in TRADITIONS) of a recruit
    reason: str  # plain words: why it had no panel
    capacity: bool = False  # True when shared capacity, not a rule, left it without a panel


@dataclass(frozen=True)
class Recommendation:
    """What ``recommend`` returns, with the notes a plan shows beside it."""

    recruits: tuple[Recruit, ...]
    scarce: tuple[Scarce, ...]
    oversupplied: tuple[OverSupplied, ...]
    uncovered_seats: int = 0  # unmet seats (all years) no recruit could take within ``max_recruits``
    cap_binds: bool = False
    notes: tuple[str, ...] = field(default=())


def recommend(
    data: Dataset,
    rule_set: RuleSet,
    scenario: Scenario,
    before: Simulation,
    *,
    seed: int = 0,
    quotas: Quotas = NO_QUOTAS,
    max_recruits: int = 50,
) -> tuple[tuple[Recruit, ...], tuple[Scarce, ...], tuple[OverSupplied, ...]]:
    """The smallest set of profiles to recruit so that the disputes ``before`` left unstaffed get a panel,
    the scarcest current mediators and the over-supplied profiles (see the module docstring).

    When ``max_recruits`` binds, each recruit's ``why`` says so; ``recommendation`` returns the same with notes.
    """
    r = recommendation(data, rule_set, scenario, before, seed=seed, quotas=quotas, max_recruits=max_recruits)
    return r.recruits, r.scarce, r.oversupplied


def recommendation(
    data: Dataset,
    rule_set: RuleSet,
    scenario: Scenario,
    before: Simulation,
    *,
    seed: int = 0,
    quotas: Quotas = NO_QUOTAS,
    max_recruits: int = 50,
    countries: CountryTable | None = None,
) -> Recommendation:
    """``recommend`` with its notes: whether ``max_recruits`` binds and the seats left uncovered."""
    table = countries or default_countries()
    years = len(before.years)
    disputes = {y: forecast(scenario, y, seed, table) for y in range(1, years + 1)}
    ws = Workspace(data, table)
    case_years = max(1, int(scenario.case_years))
    scarce, oversupplied = _pressure(ws, rule_set, disputes, case_years)
    needs, impossible = _needs(ws, rule_set, before.unstaffed(), disputes)
    notes: list[str] = []
    if impossible:
        notes.append(
            f"{plural(impossible, 'forecast dispute')} cannot be staffed by any recruit under this rule set "
            "(its panels are too small for the composition rule); they are left out of the recruitment."
        )
    if not needs:
        return Recommendation((), scarce, oversupplied, notes=tuple(notes))
    cap = recruit_seats(data, case_years, quotas)
    recruits, uncovered, proven = _cover(ws, needs, years, cap, max(0, max_recruits), quotas, seed)
    cap_binds = uncovered > 0
    if not proven:
        notes.append(
            "The search for the smallest recruitment ran out of its time budget: the number of recruits is the "
            "smallest found, not proven the smallest."
        )
    if cap_binds:
        note = (
            f"The limit of {plural(max_recruits, 'recruit')} was reached: about {uncovered / max(1, years):.1f} "
            "forecast seats a year stay without a recruit who could fill them."
        )
        notes.append(note)
        recruits = tuple(replace(r, why=f"{r.why} {note}") for r in recruits)
    return Recommendation(recruits, scarce, oversupplied, uncovered, cap_binds, tuple(notes))


def recruit_seats(data: Dataset, case_years: int, quotas: Quotas = NO_QUOTAS) -> int:
    """New seats a year one recruit can be counted on for, at least 1.

    The simulation counts a seat as an active case in the ``case_years`` years after its own, so a recruit's
    ``max_cases`` (the roster's median) holds the seats of ``case_years + 1`` years. The yearly batch may give
    a recruit any seats it likes, not only those of the disputes they were recruited for: with a per-mediator
    limit ``q`` (``max_per_mediator``) a recruit has room for ``min(q, max_cases - case_years * q)`` seats in
    any year, however the batch used them before; without one, the even share ``max_cases // (case_years + 1)``
    is taken, which a batch that books the recruits fully one year can undercut the next."""
    typical = typical_max_cases(data)
    q = quotas.max_per_mediator
    if q is not None and typical - case_years * q >= 1:
        return min(q, typical - case_years * q)
    return max(1, typical // (case_years + 1))


def typical_max_cases(data: Dataset) -> int:
    """The roster's median ``max_cases`` (the recruits' capacity); 4 for an empty roster."""
    values = [m.max_cases for m in data.mediators if m.max_cases > 0]
    return int(statistics.median_low(values)) if values else 4


# --- what each unstaffed dispute needs -----------------------------------------------------------


@dataclass(frozen=True)
class _Bucket:
    """Roster mediators alike for the composition rules: same nationalities, group and traditions."""

    nationalities: frozenset[str]
    effective: str
    group: int
    traditions: int  # bit set over TRADITIONS


def _buckets(data: Dataset, rule_set: RuleSet, table: CountryTable) -> list[_Bucket]:
    """The kinds of mediators who may ever sit (available, declaration signed if required, some capacity)."""
    out: set[_Bucket] = set()
    for m in data.mediators:
        if not m.available or m.max_cases < 1 or (rule_set.require_declaration and not m.declaration_signed):
            continue
        bits = sum(1 << t for t, tradition in enumerate(TRADITIONS) if tradition in m.legal_traditions)
        group = GROUPS.index(table[m.effective_nationality].un_group)
        out.add(_Bucket(frozenset(m.nationalities), m.effective_nationality, group, bits))
    return sorted(out, key=lambda b: (b.effective, sorted(b.nationalities), b.traditions))


@dataclass(frozen=True)
class _Roster:
    """For one dispute: what the roster can put beside the recruits."""

    free: int  # distinct nationalities among those who may sit and hold no party nationality
    co: int  # distinct nationalities among party nationals who may sit (0 under the strict rule)
    max_co: int
    states: dict[tuple[int, int, int], int]  # (groups, traditions, party nationals) -> fewest members to cover them

    def members(self, r: int) -> bool:
        """Whether ``r`` members with distinct nationalities can be found."""
        return self.free + min(self.co, self.max_co) >= r

    def covers(self, r: int, groups: int, traditions: int, g: int | None = None, t: int | None = None) -> bool:
        """Whether ``r`` members can cover ``groups`` UN groups other than ``g`` and ``traditions`` other than ``t``."""
        if not self.members(r):
            return False
        if groups <= 0 and traditions <= 0:
            return True
        g_mask = ~(1 << g) if g is not None else -1
        t_mask = ~(1 << t) if t is not None else -1
        return any(
            size <= r
            and co <= self.max_co
            and bin(gs & g_mask).count("1") >= groups
            and bin(ts & t_mask).count("1") >= traditions
            for (gs, ts, co), size in self.states.items()
        )


def _max_co_nationals(rule: NationalityRule, k: int) -> int:
    if rule is NationalityRule.STRICT:
        return 0
    if rule is NationalityRule.MAJORITY:
        return (k - 1) // 2
    return k - 1


def _roster_for(buckets: Sequence[_Bucket], dispute: Dispute, rule: NationalityRule, width: int) -> _Roster:
    """The roster beside the recruits of one dispute; ``width`` bounds the members looked at together."""
    parties = set(dispute.parties)
    strict = rule is NationalityRule.STRICT
    free: set[str] = set()
    co: set[str] = set()
    kinds: set[tuple[int, int, int]] = set()
    for b in buckets:
        national = bool(b.nationalities & parties)
        if national and strict:
            continue
        (co if national else free).add(b.effective)
        kinds.add((1 << b.group, b.traditions, int(national)))
    max_co = _max_co_nationals(rule, dispute.panel_size)
    # Fewest members covering each (groups, traditions, party nationals): one member per kind at most,
    # since a second member of the same kind adds no group or tradition.
    states: dict[tuple[int, int, int], int] = {(0, 0, 0): 0}
    for gb, tb, c in sorted(kinds):
        if c and not max_co:
            continue
        for (gs, ts, cs), size in list(states.items()):
            if size >= width or cs + c > max_co:
                continue
            key = (gs | gb, ts | tb, cs + c)
            if states.get(key, width + 1) > size + 1:
                states[key] = size + 1
    return _Roster(len(free), len(co), max_co, states)


def _needs(
    ws: Workspace, rule_set: RuleSet, unstaffed: Iterable[Unstaffed], forecasts: dict[int, tuple[Dispute, ...]]
) -> tuple[list[Need], int]:
    """Each unstaffed dispute's need for recruits; and how many no recruit can help."""
    by_id = {(y, d.dispute_id): d for y, ds in forecasts.items() for d in ds}
    buckets = _buckets(ws.data, rule_set, ws.countries)
    speakers = _speakers(ws.data, rule_set)
    needs: list[Need] = []
    impossible = 0
    for u in unstaffed:
        if u.rules == (TIME_LIMIT,):
            continue
        dispute = by_id.get((u.year, u.dispute_id)) or _dispute_of(u)
        rule = dispute.nationality_rule or rule_set.nationality_rule
        languages = _languages_needed(speakers, dispute, rule)
        capacity = not set(u.rules) & STRUCTURAL_RULES
        found = (dispute.panel_size, _ALL_PAIRS) if capacity else _recruits_needed(buckets, dispute, rule_set)
        if found is None:
            impossible += 1
            continue
        seats, pairs = found
        # One recruit speaks the languages and may chair; any others only add seats.
        needs.append(Need(u.year, dispute, 1, languages, pairs, u.reason, capacity))
        if seats > 1:
            needs.append(Need(u.year, dispute, seats - 1, frozenset(), pairs, u.reason, capacity))
    return needs, impossible


def _speakers(data: Dataset, rule_set: RuleSet) -> dict[str, list[frozenset[str]]]:
    """Per language, the nationalities of each mediator who speaks it and may ever sit."""
    out: dict[str, list[frozenset[str]]] = defaultdict(list)
    for m in data.mediators:
        if m.available and m.max_cases > 0 and (m.declaration_signed or not rule_set.require_declaration):
            for lang in m.languages:
                out[lang].append(frozenset(m.nationalities))
    return out


def _languages_needed(
    speakers: dict[str, list[frozenset[str]]], dispute: Dispute, rule: NationalityRule
) -> frozenset[str]:
    """What a recruit for the dispute speaks: its first working language (so they may chair), and every
    working language no mediator who may sit on it speaks (H4)."""
    parties = set(dispute.parties)
    strict = rule is NationalityRule.STRICT
    missing = {
        lang
        for lang in dispute.languages[1:]
        if not any(not strict or not (nats & parties) for nats in speakers.get(lang, ()))
    }
    return frozenset({dispute.working_language, *missing})


def _recruits_needed(
    buckets: Sequence[_Bucket], dispute: Dispute, rule_set: RuleSet
) -> tuple[int, frozenset[tuple[int, int]]] | None:
    """The fewest recruits (at least one) that make a panel possible, and the (group, tradition) pairs the
    recruit may have (every pair when two or more are needed); None when no number of recruits can."""
    k = dispute.panel_size
    rule = dispute.nationality_rule or rule_set.nationality_rule
    composition = k >= rule_set.min_size_for_composition
    min_g = rule_set.min_un_groups if composition else 0
    min_t = rule_set.min_traditions if composition else 0
    roster = _roster_for(buckets, dispute, rule, k - 1)
    pairs = frozenset(p for p in _ALL_PAIRS if roster.covers(k - 1, min_g - 1, min_t - 1, *p))
    if pairs:
        return 1, pairs
    for s in range(2, k + 1):
        if roster.covers(k - s, min_g - s, min_t - s):
            return s, _ALL_PAIRS
    return None


def _dispute_of(u: Unstaffed) -> Dispute:
    """The dispute as the simulation reported it, when the forecast no longer holds it."""
    return Dispute(
        dispute_id=u.dispute_id,
        title=u.dispute_id,
        kind=DisputeKind(u.kind),
        parties=u.parties,
        subject_areas=u.subjects,
        languages=u.languages,
        panel_size=u.panel_size,
    )


# --- neutrality of a recruit's nationality -------------------------------------------------------


def nationality_order(group: str, countries: CountryTable, data: Dataset, tradition: str | None = None) -> list[str]:
    """The nationalities recruits of a UN group are given, in order: states whose law follows ``tradition``
    before the others, UN member states before the others, those in the fewest blocs (they share the fewest
    with any party), then the least represented on the roster, then by code."""
    on_roster = Counter(m.effective_nationality for m in data.mediators)
    members = [c for c in countries.countries.values() if c.un_group == group]
    return [
        c.iso3
        for c in sorted(
            members,
            key=lambda c: (
                tradition is not None and tradition not in c.legal_traditions,
                c.iso3 in NON_MEMBERS,
                len(c.blocs),
                on_roster[c.iso3],
                c.iso3,
            ),
        )
    ]


def _lean(countries: CountryTable, nationality: str, parties: Sequence[str]) -> int:
    """How far a national of ``nationality`` leans to the parties: blocs shared, the gap counted twice."""
    shared = [countries.alignment(nationality, p) for p in parties]
    return sum(shared) + 2 * (max(shared) - min(shared)) if shared else 0


def _group_lean(countries: CountryTable, order: Sequence[str], parties: Sequence[str]) -> int:
    """The lean of the first recruit of a group (its first nationality that no party holds)."""
    for iso3 in order:
        if iso3 not in parties:
            return _lean(countries, iso3, parties)
    return 99


# --- the covering model --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Unit:
    """Unmet disputes of one year with the same need, modelled together."""

    year: int
    seats: int  # per dispute
    languages: frozenset[str]
    pairs: frozenset[tuple[int, int]]
    needs: tuple[Need, ...]

    @property
    def disputes(self) -> int:
        return len(self.needs)


def _units(needs: Sequence[Need]) -> list[_Unit]:
    groups: dict[tuple[int, int, frozenset[str], frozenset[tuple[int, int]]], list[Need]] = defaultdict(list)
    for n in needs:
        groups[(n.year, n.seats, n.languages, n.pairs)].append(n)
    return [
        _Unit(y, s, langs, pairs, tuple(ns))
        for (y, s, langs, pairs), ns in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1], sorted(kv[0][2])))
    ]


@dataclass(frozen=True)
class _Candidate:
    languages: frozenset[str]
    group: int
    tradition: int


def _cover(
    ws: Workspace, needs: Sequence[Need], years: int, cap: int, max_recruits: int, quotas: Quotas, seed: int
) -> tuple[tuple[Recruit, ...], int, bool]:
    """Solve the covering model: the recruits, the unmet seats no recruit took, and whether the count is proven
    the smallest."""
    units = _units(needs)
    language_sets = sorted({u.languages for u in units}, key=lambda s: (len(s), sorted(s)))
    held = {
        (GROUPS.index(c.un_group), TRADITIONS.index(t))
        for c in ws.countries.countries.values()
        for t in c.legal_traditions
    }
    candidates = [
        _Candidate(langs, g, t)
        for langs in language_sets
        for g, t in sorted(held)
        if any(u.languages <= langs and (g, t) in u.pairs for u in units)
    ]
    fits = {
        (i, j)
        for i, u in enumerate(units)
        for j, c in enumerate(candidates)
        if u.languages <= c.languages and (c.group, c.tradition) in u.pairs
    }
    orders = {(g, t): nationality_order(GROUPS[g], ws.countries, ws.data, TRADITIONS[t].value) for g, t in sorted(held)}
    lean = {
        (i, g, t): sum(_group_lean(ws.countries, orders[g, t], n.dispute.parties) for n in u.needs) * 10 // u.disputes
        for i, u in enumerate(units)
        for g, t in sorted(held)
    }
    tie = _tie_breaks(ws.data, ws.countries)

    # First solve: profiles that fit the same disputes are alike for the count, so it runs on those classes.
    classes: dict[tuple[frozenset[str], frozenset[int]], list[int]] = defaultdict(list)
    for j, c in enumerate(candidates):
        classes[(c.languages, frozenset(i for i, jj in fits if jj == j))].append(j)
    members = list(classes.values())
    class_fits = {(i, k) for k, js in enumerate(members) for i, jj in fits if jj == js[0]}
    first = _Covering(units, len(members), class_fits, cap, max_recruits)
    first.model.minimize(first.short * (max_recruits + 1) + first.recruits)
    solver = _solver(seed)
    status = solver.solve(first.model)
    log.info(
        "recommend: %d units, %d profiles in %d classes: %s in %.1f s",
        len(units),
        len(candidates),
        len(members),
        solver.status_name(status),
        solver.wall_time,
    )
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return (), sum(u.seats * u.disputes for u in units), False
    proven = status == cp_model.OPTIMAL
    short, count = int(solver.value(first.short)), int(solver.value(first.recruits))
    # Second solve: the same seats and number of recruits, the most neutral groups, then the least represented.
    second = _Covering(units, len(candidates), fits, cap, max_recruits)
    second.model.add(second.short == short)
    second.model.add(second.recruits == count)
    for k, js in enumerate(members):
        second.model.add_hint(second.x[js[0]], solver.value(first.x[k]))
        for j in js[1:]:
            second.model.add_hint(second.x[j], 0)
    weight = 1 + max(tie.values(), default=0) * max(1, max_recruits)
    second.model.minimize(
        sum(weight * lean[i, candidates[j].group, candidates[j].tradition] * v for (i, j), v in second.z.items())
        + sum(tie[c.group, c.tradition] * second.x[j] for j, c in enumerate(candidates))
    )
    polish = _solver(seed)
    status = polish.solve(second.model)
    log.info("recommend, neutrality: %s in %.1f s", polish.status_name(status), polish.wall_time)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        counts = [int(polish.value(v)) for v in second.x]
        taken = {key: int(polish.value(v)) for key, v in second.z.items()}
    else:  # not expected (the first solution is feasible): keep it, on each class's first profile
        counts = [0] * len(candidates)
        for k, js in enumerate(members):
            counts[js[0]] = int(solver.value(first.x[k]))
        taken = {(i, members[k][0]): int(solver.value(v)) for (i, k), v in first.z.items()}
    recruits = [
        _recruit(c, counts[j], [(units[i], n) for (i, jj), n in taken.items() if jj == j and n], years, cap, quotas)
        for j, c in enumerate(candidates)
        if counts[j]
    ]
    recruits.sort(key=lambda r: (-r.count, -r.covers, r.profile.label()))
    return tuple(recruits), short, proven


class _Covering:
    """The covering model over ``profiles`` profiles: ``x[j]`` recruits of profile ``j``, ``z[i, j]`` seats of
    unit ``i`` they take (for each pair in ``fits``), ``short`` the seats no recruit takes."""

    def __init__(
        self, units: Sequence[_Unit], profiles: int, fits: set[tuple[int, int]], cap: int, max_recruits: int
    ) -> None:
        model = cp_model.CpModel()
        self.model = model
        self.x = [model.new_int_var(0, max_recruits, f"x{j}") for j in range(profiles)]
        self.z = {
            (i, j): model.new_int_var(0, units[i].seats * units[i].disputes, f"z{i}_{j}") for i, j in sorted(fits)
        }
        shortfall = [model.new_int_var(0, u.seats * u.disputes, f"s{i}") for i, u in enumerate(units)]
        by_unit: dict[int, list[int]] = defaultdict(list)
        for i, j in sorted(fits):
            by_unit[i].append(j)
        for i, u in enumerate(units):
            model.add(sum(self.z[i, j] for j in by_unit[i]) + shortfall[i] == u.seats * u.disputes)
            if u.seats > 1:  # one recruit takes at most one seat of a dispute
                for j in by_unit[i]:
                    model.add(self.z[i, j] <= u.disputes * self.x[j])
        seats_of: dict[tuple[int, int], list[cp_model.IntVar]] = defaultdict(list)
        for (i, j), v in sorted(self.z.items()):
            seats_of[units[i].year, j].append(v)
        for (_, j), seats in sorted(seats_of.items()):
            model.add(sum(seats) <= cap * self.x[j])
        self.recruits = sum(self.x)
        self.short = sum(shortfall)
        model.add(self.recruits <= max_recruits)


def _solver(seed: int) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    limit_work(solver.parameters, SOLVE_WORK)
    return solver


def _tie_breaks(data: Dataset, countries: CountryTable) -> dict[tuple[int, int], int]:
    """Per (group, tradition): its rank on the roster (the least represented first), to break ties."""
    groups = Counter(GROUPS.index(countries[m.effective_nationality].un_group) for m in data.mediators)
    traditions = Counter(t for m in data.mediators for t in m.legal_traditions)
    g_rank = {g: r for r, g in enumerate(sorted(range(len(GROUPS)), key=lambda g: (groups[g], g)))}
    t_rank = {t: r for r, t in enumerate(sorted(range(len(TRADITIONS)), key=lambda t: (traditions[TRADITIONS[t]], t)))}
    return {(g, t): g_rank[g] * len(TRADITIONS) + t_rank[t] for g in range(len(GROUPS)) for t in range(len(TRADITIONS))}


def _ordered_languages(languages: frozenset[str], taken: Sequence[tuple[_Unit, int]]) -> tuple[str, ...]:
    """The profile's languages, the one most often first working language of its disputes first."""
    first = Counter(n.dispute.working_language for u, _ in taken for n in u.needs)
    return tuple(sorted(languages, key=lambda lang: (-first[lang], lang)))


def _recruit(
    c: _Candidate, n: int, taken: Sequence[tuple[_Unit, int]], years: int, cap: int, quotas: Quotas
) -> Recruit:
    subjects: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    disputes: set[tuple[int, str]] = set()
    for u, seats in taken:
        for need in u.needs:
            for s in need.dispute.subject_areas:
                subjects[s] += seats
            reasons[need.reason] += seats
        disputes.update((n.year, n.dispute.dispute_id) for n in u.needs[:seats])
    top = [s for s, _ in sorted(subjects.items(), key=lambda kv: (-kv[1], kv[0]))[:2]]
    profile = Profile(
        un_group=GROUPS[c.group].value,
        nationality=None,
        languages=_ordered_languages(c.languages, taken),
        legal_tradition=TRADITIONS[c.tradition].value,
        subjects=tuple(top),
        gender="F" if quotas.min_women_share else None,
        chair_eligible=True,
    )
    seats = sum(s for _, s in taken)
    reason = reasons.most_common(1)[0][0] if reasons else ""
    why = (
        f"{plural(len(disputes), 'forecast dispute')} over {plural(years, 'year')} had no panel"
        f"{': ' + reason.rstrip('.') if reason else ''}. "
        f"{plural(n, 'recruit')} of this profile can take about {seats / max(1, years):.1f} of their seats a year "
        f"(each up to {cap} a year), speaking their working languages and able to chair"
        f"{', in ' + ' and '.join(subject_name(s) for s in top) if top else ''}."
    )
    return Recruit(profile=profile, count=n, covers=round(seats / max(1, years)), why=why)


# --- scarce mediators and over-supplied profiles ------------------------------------------------


def _pressure(
    ws: Workspace, rule_set: RuleSet, forecasts: dict[int, tuple[Dispute, ...]], case_years: int
) -> tuple[tuple[Scarce, ...], tuple[OverSupplied, ...]]:
    """Expected seats a year per mediator: each forecast dispute's member seats go to those who may sit on it
    (the kernel's eligibility rules, capacity aside), its chair seat to those who may chair it, in proportion
    to their expertise in its subjects (never below ``FLOOR``), as the batch's objective leans."""
    arrays = ws.arrays
    n = arrays.n
    years = max(1, len(forecasts))
    if n == 0:
        return (), ()
    demand = np.zeros(n)
    few = np.zeros(n)  # disputes a year where the mediator is one of few who may chair
    usable = np.array([m.max_cases > 0 for m in arrays.mediators], dtype=bool)
    for disputes in forecasts.values():
        for d in disputes:
            # Forecast disputes have no conflicts, strikes or ranks on file: the plain view is theirs.
            rules = eligibility(arrays, DisputeView(dispute=d, rule_set=rule_set, countries=ws.countries))
            may = usable & ~(rules.party_national | rules.red_conflict | rules.unavailable | rules.struck)
            may &= ~rules.undeclared
            column = arrays.language_index.get(d.working_language)
            national = arrays.nationality[:, [arrays.country_index[p] for p in d.parties]].any(axis=1)
            chair = may & ~national & (arrays.speaks[:, column] if column is not None else np.zeros(n, dtype=bool))
            columns = [SUBJECTS.index(a) for a in d.subject_areas]
            weight = FLOOR + arrays.expertise[:, columns].sum(axis=1) / (5 * max(1, len(columns)))
            members = d.panel_size - (1 if chair.any() else 0)
            if may.any() and members:
                demand[may] += members * weight[may] / weight[may].sum()
            if chair.any():
                demand[chair] += weight[chair] / weight[chair].sum()
                if chair.sum() <= FEW_CHAIRS:
                    few[chair] += 1
    demand /= years
    few /= years
    capacity = np.array([m.max_cases for m in arrays.mediators], dtype=float) / (case_years + 1)
    return _scarce(arrays.mediators, demand, capacity, few), _oversupplied(ws, demand, capacity)


def _scarce(
    people: Sequence[Mediator], demand: np.ndarray, capacity: np.ndarray, few: np.ndarray
) -> tuple[Scarce, ...]:
    """The mediators sought furthest beyond their room, the furthest first."""
    ratio = demand / np.maximum(capacity, 1e-9)
    order = sorted(
        (i for i in range(len(people)) if demand[i] > capacity[i] > 0 and people[i].available),
        key=lambda i: (-ratio[i], people[i].mediator_id),
    )
    out = []
    for i in order[:TOP_SCARCE]:
        m = people[i]
        best = sorted(m.expertise.items(), key=lambda kv: (-kv[1], kv[0]))[:2]
        expert = f" for their expertise in {' and '.join(subject_name(a) for a, _ in best)}" if best else ""
        chair = (
            f" They are one of few who may chair about {few[i]:.0f} forecast disputes a year "
            "(no party nationality, the working language)."
            if few[i] >= 0.5
            else ""
        )
        why = (
            f"Sought{expert} for about {demand[i]:.1f} seats a year against room for {capacity[i]:.1f}: "
            f"{ratio[i]:.1f} times what they can take.{chair}"
        )
        out.append(Scarce(m.mediator_id, m.name, round(float(demand[i]), 2), m.max_cases, why))
    return tuple(out)


def _oversupplied(ws: Workspace, demand: np.ndarray, capacity: np.ndarray) -> tuple[OverSupplied, ...]:
    """Profiles (UN group, language, tradition) whose mediators the forecast would keep least busy."""
    seats = np.minimum(demand, capacity)
    total_room = float(capacity.sum())
    if total_room <= 0:
        return ()
    overall = float(seats.sum()) / total_room
    members: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for i, m in enumerate(ws.arrays.mediators):
        if not m.available or m.max_cases < 1:
            continue
        group = ws.countries[m.effective_nationality].un_group.value
        for lang in sorted(m.languages):
            for t in sorted(t.value for t in m.legal_traditions) or [""]:
                members[(group, lang, str(t))].append(i)
    rows = []
    for (group, lang, tradition), idx in members.items():
        room = float(capacity[idx].sum())
        if len(idx) < MIN_OVERSUPPLIED or room <= 0:
            continue
        used = float(seats[idx].sum()) / room
        if used >= overall / 2:
            continue
        rows.append((used, -len(idx), group, lang, tradition, idx))
    rows.sort(key=lambda r: r[:5])
    out = []
    for used, _, group, lang, tradition, idx in rows[:TOP_OVERSUPPLIED]:
        label = (
            f"{UN_GROUP_NAMES.get(UNGroup(group), group)}, speaking {ws.countries.language_names.get(lang, lang)}"
            f"{', ' + TRADITION_NAMES.get(Tradition(tradition), tradition).lower() + ' tradition' if tradition else ''}"
        )
        per_year = float(seats[idx].sum())
        why = (
            f"{plural(len(idx), 'mediator')} of this profile would fill about {100 * used:.0f}% of their room in the "
            f"forecast, against {100 * overall:.0f}% for the roster as a whole: few forecast disputes need them."
        )
        out.append(OverSupplied(label, len(idx), round(per_year, 2), why))
    return tuple(out)


# --- the roster with the recruits ----------------------------------------------------------------


def with_recruits(data: Dataset, recruits: Sequence[Recruit], countries: CountryTable | None = None) -> Dataset:
    """The data set with synthetic mediators ``R0001`` ... added for the recruits, one per recruit counted.

    Each holds the profile's nationality, or one of its UN group's (``nationality_order``, avoiding the
    parties of the disputes on file, each recruit a different one where the group allows),
    speaks its languages, holds its tradition and expertise 5 in its subjects, has the roster's median
    ``max_cases``, no active case, is available and has signed the declaration. Everything else is kept.
    """
    table = countries or default_countries()
    taken_ids = {m.mediator_id for m in data.mediators}
    parties = {p for d in data.disputes for p in d.parties}
    max_cases = typical_max_cases(data)
    years = int(statistics.median_low([m.years_experience for m in data.mediators])) if data.mediators else 10
    numbers = (i for i in count(1) if f"{RECRUIT_PREFIX}{i:04d}" not in taken_ids)
    added: list[Mediator] = []
    given: Counter[str] = Counter()  # recruits of each nationality so far
    person = 0
    for recruit in recruits:
        p = recruit.profile
        order = nationality_order(p.un_group, table, data, p.legal_tradition)
        order = [c for c in order if c not in parties] + [c for c in order if c in parties]
        for _ in range(recruit.count):
            person += 1
            number = next(numbers)
            # The first nationality in the order among those given to the fewest recruits so far.
            nationality = p.nationality or min(order, key=lambda c: (given[c], order.index(c)))
            given[nationality] += 1
            gender = p.gender or ("F" if person % 2 else "M")
            added.append(
                Mediator(
                    mediator_id=f"{RECRUIT_PREFIX}{number:04d}",
                    name=f"Recruit {person} ({p.label()})",
                    nationalities=(nationality,),
                    gender=gender,
                    languages=frozenset(p.languages),
                    legal_traditions=frozenset({Tradition(p.legal_tradition)}),
                    expertise=dict.fromkeys(p.subjects, MAX_EXPERTISE_LEVEL),
                    years_experience=years,
                    max_cases=max_cases,
                    active_cases=0,
                    available=True,
                    declaration_signed=True,
                    nominated_by=None,
                    profile=f"A recruit the planner recommends: {p.label()}.",
                )
            )
    return replace(data, mediators=(*data.mediators, *added))


__all__ = [
    "Need",
    "Recommendation",
    "nationality_order",
    "recommend",
    "recommendation",
    "typical_max_cases",
    "with_recruits",
]
