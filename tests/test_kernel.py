"""The rules and scoring kernel against the plain checker and plain per-mediator formulas.

The library builds every ``PanelInstance`` with one encoder (``RosterArrays``) and decides every
rule and score with one kernel (``matching.rules.kernel``). Here each of its answers is recomputed
the plain way, one mediator and one panel at a time: eligibility and its reasons with
``checker.mediator_breaches``, who may chair with ``checker.chair_breaches``, the coefficients with
the formulas of ``matching.rules.scoring``, and each panel's score components with a direct sum.
The comparisons run over every dispute of the demo data under three rule sets and over generated
rosters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import fields, replace
from itertools import combinations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.core.domain import Mediator, capacity_left
from matching.core.paths import demo_dir
from matching.io.loading import load_folder
from matching.io.rulesets import COMPONENTS, load_rule_set
from matching.rules.checker import DisputeView, chair_breaches, mediator_breaches, panel_breaches
from matching.rules.encoding import GROUPS, TRADITIONS, PanelInstance, encode, panel_settings, restrict
from matching.rules.kernel import dispute_views, members_total, score_panels
from matching.rules.scoring import CHAIR_SHARES, SCORE_SCALE, Scores, rank_utility, subject_fit, workload_fit
from matching.rules.workspace import Workspace
from tests.strategies import DISPUTE_ID, Roster, rosters

RULE_SETS = ("iomed", "icsid", "uncitral-list")


@pytest.fixture(scope="module")
def demo_ws() -> Workspace:
    return Workspace(load_folder(demo_dir()))


# --- the plain references ------------------------------------------------------------------------


def plain_instance(
    ws: Workspace, view: DisputeView, forbid: Sequence[str] = (), include_ineligible: bool = False
) -> PanelInstance:
    """The instance built mediator by mediator from the checker and the scoring formulas."""
    d = view.dispute
    rs = view.rule_set
    k = d.panel_size
    text = ws.text.similarity(d.description)
    history = ws.history(rs.history_years)
    chosen: list[Mediator] = []
    excluded = {}
    for m in ws.data.mediators:
        if m.mediator_id in forbid:
            continue
        breaches = mediator_breaches(view, m)
        if breaches:
            excluded[m.mediator_id] = breaches
        if include_ineligible or not breaches:
            chosen.append(m)
    n = len(chosen)
    fit = np.array(
        [
            (1 - rs.text_share) * subject_fit(m.expertise, d.subject_areas)
            + rs.text_share * text[ws.text.row(m.mediator_id)]
            for m in chosen
        ]
    ).reshape(n)
    repeat = tuple(tuple(p for p in d.parties if history.appointed_by(m.mediator_id, p) > 0) for m in chosen)
    recent = np.array([history.recent(m.mediator_id) for m in chosen], dtype=np.int64)
    work = np.array([workload_fit(int(recent[i]), rs.busy_appointments, bool(repeat[i])) for i in range(n)])

    def blocs(m: Mediator) -> frozenset[str]:
        return frozenset().union(*(ws.countries[c].blocs for c in m.nationalities))

    party_blocs = [ws.countries[p].blocs for p in d.parties]
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
        expertise_coef=np.rint(SCORE_SCALE * fit / (k + CHAIR_SHARES)).astype(np.int64),
        workload_coef=np.rint(SCORE_SCALE * work / k).astype(np.int64).reshape(n),
        orange=np.array(
            [m.mediator_id in view.conflicts and view.conflicts[m.mediator_id].category == "orange" for m in chosen],
            dtype=bool,
        ).reshape(n),
        repeat_parties=repeat,
        recent=recent.reshape(n),
        chair_ok=np.array([not chair_breaches(view, m) for m in chosen], dtype=bool).reshape(n),
        co_national=np.array([bool(view.party_nationals(m)) for m in chosen], dtype=bool).reshape(n),
        speaks=np.array([[lang in m.languages for lang in d.languages] for m in chosen], dtype=bool).reshape(
            n, len(d.languages)
        ),
        traditions=np.array([[t in m.legal_traditions for t in TRADITIONS] for m in chosen], dtype=bool).reshape(
            n, len(TRADITIONS)
        ),
        group=np.array([GROUPS.index(view.un_group(m)) for m in chosen], dtype=np.int64).reshape(n),
        female=np.array([m.gender == "F" for m in chosen], dtype=bool).reshape(n),
        male=np.array([m.gender == "M" for m in chosen], dtype=bool).reshape(n),
        alignment=np.array([[len(blocs(m) & pb) for pb in party_blocs] for m in chosen], dtype=np.int64).reshape(
            n, len(d.parties)
        ),
        pref_min_coef=pref_min,
        pref_mean_coef=pref_mean,
        excluded=excluded,
        roster_rows=np.array([ws.data.mediators.index(m) for m in chosen], dtype=np.int64).reshape(n),
        **panel_settings(view, ranking, max(1, *(len(pb) for pb in party_blocs))),
    )


def plain_scores(inst: PanelInstance, members: Sequence[int], chair: int) -> Scores:
    """A panel's score components summed member by member (the definitions of ``scoring``)."""
    k = inst.k
    expertise = sum(int(inst.expertise_coef[i]) for i in members) + CHAIR_SHARES * int(inst.expertise_coef[chair])
    workload = sum(int(inst.workload_coef[i]) for i in members)
    diversity = 0
    if k >= 2:
        covered = len({t for i in members for t in range(len(TRADITIONS)) if inst.traditions[i, t]})
        groups = len({int(inst.group[i]) for i in members})
        balance = min(sum(bool(inst.female[i]) for i in members), sum(bool(inst.male[i]) for i in members))
        diversity = inst.tradition_coef * covered + inst.group_coef * groups + inst.gender_coef * balance
    per_party = [sum(int(inst.alignment[i, p]) for i in members) for p in range(len(inst.parties))]
    neutrality = SCORE_SCALE - inst.neutral_level_coef * sum(per_party)
    neutrality -= inst.neutral_asym_coef * (max(per_party) - min(per_party))
    preference = 0
    if inst.ranking_parties:
        worst = min(sum(int(inst.pref_min_coef[i, p]) for i in members) for p in range(len(inst.ranking_parties)))
        preference = worst + sum(int(inst.pref_mean_coef[i].sum()) for i in members)
    orange = sum(bool(inst.orange[i]) for i in members)
    values = {
        "expertise": expertise,
        "diversity": diversity,
        "neutrality": neutrality,
        "workload": workload,
        "preference": preference,
    }
    objective = sum(inst.weights[c] * values[c] for c in COMPONENTS) - inst.orange_weight * SCORE_SCALE * orange
    return Scores(**values, orange_members=orange, objective_int=objective)


def same_instance(a: PanelInstance, b: PanelInstance) -> None:
    for f in fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray):
            assert x.shape == y.shape and np.array_equal(x, y), f.name
        else:
            assert x == y, f.name


def check_against_plain(ws: Workspace, view: DisputeView, forbid: Sequence[str] = ()) -> None:
    """The kernel's instance, reasons, why-not answers and chair mask equal the plain ones."""
    same_instance(encode(ws, view, forbid), plain_instance(ws, view, forbid))
    everyone = encode(ws, view, forbid, include_ineligible=True)
    same_instance(everyone, plain_instance(ws, view, forbid, include_ineligible=True))
    for m in ws.data.mediators:
        assert ws.arrays.breaches(view, m.mediator_id) == mediator_breaches(view, m), m.mediator_id


# --- who may sit, who may chair, and why not ---------------------------------------------------------


def test_global_index_finds_each_mediator_in_the_roster(demo_ws: Workspace) -> None:
    """The roster rows an instance carries, those of a restricted instance, and the lookup by id for an instance
    that is not this roster's (another workspace's objects, or rows dropped) all give the same indices."""
    other = Workspace(load_folder(demo_dir()))
    for view in dispute_views(demo_ws, load_rule_set("iomed"))[:5]:
        inst = encode(demo_ws, view)
        by_id = [demo_ws.arrays.index[m.mediator_id] for m in inst.mediators]
        assert demo_ws.arrays.global_index(inst).tolist() == by_id
        sub = restrict(inst, list(range(inst.n))[::-3])
        assert demo_ws.arrays.global_index(sub).tolist() == by_id[::-3]
        assert demo_ws.arrays.global_index(replace(inst, roster_rows=None)).tolist() == by_id
        foreign = encode(other, other.view(view.dispute, load_rule_set("iomed")))
        shifted = replace(foreign, roster_rows=np.asarray(foreign.roster_rows) + 1)  # stale rows are not trusted
        assert demo_ws.arrays.global_index(shifted).tolist() == by_id


@pytest.mark.parametrize("rules", RULE_SETS)
def test_kernel_instances_equal_the_plain_reference_on_the_demo_data(demo_ws: Workspace, rules: str) -> None:
    rule_set = load_rule_set(rules)
    views = dispute_views(demo_ws, rule_set)
    for view in views:
        assert view == demo_ws.view(view.dispute, rule_set)
        same_instance(encode(demo_ws, view), plain_instance(demo_ws, view))
    view = views[5]
    check_against_plain(demo_ws, view)
    check_against_plain(demo_ws, view, forbid=[m.mediator_id for m in demo_ws.data.mediators[:50]])
    # Recorded appointments fill some mediators up: H3 moves with them.
    load = {m.mediator_id: 1 + i % 3 for i, m in enumerate(demo_ws.data.mediators[::7])}
    check_against_plain(demo_ws, demo_ws.view(view.dispute, rule_set, load))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rosters(min_size=4, max_size=9, sizes=(1, 2, 3), harsh=True), st.sampled_from(RULE_SETS), st.data())
def test_kernel_instances_equal_the_plain_reference_on_generated_rosters(
    roster: Roster, rules: str, data: st.DataObject
) -> None:
    ws = roster.workspace()
    ids = [m.mediator_id for m in ws.data.mediators]
    load = data.draw(st.dictionaries(st.sampled_from(ids), st.integers(0, 3), max_size=3))
    view = ws.view(ws.dispute(DISPUTE_ID), load_rule_set(rules), load)
    check_against_plain(ws, view, forbid=data.draw(st.lists(st.sampled_from(ids), max_size=2, unique=True)))
    # Every panel of the eligible mediators, with every chair: the kernel's rules and exact objective
    # against the checker and the plain sums.
    inst = encode(ws, view)
    rows = np.array(list(combinations(range(inst.n), inst.k)), dtype=np.int64).reshape(-1, inst.k)
    scored = score_panels(inst, rows)
    found = {tuple(int(i) for i in m): int(v) for m, v in zip(scored.members, scored.value, strict=True)}
    for row in rows.tolist():
        people = [inst.mediators[i] for i in row]
        values = []
        for chair in row:
            assert inst.evaluate(row, chair) == plain_scores(inst, row, chair)
            if not panel_breaches(view, people, inst.mediators[chair]):
                values.append(plain_scores(inst, row, chair).objective_int)
        assert found.get(tuple(row)) == (max(values) if values else None), row


# --- capacity ------------------------------------------------------------------------------------


@given(
    st.integers(0, 8),
    st.integers(0, 8),
    st.booleans(),
    st.integers(0, 4),
)
def test_one_capacity_formula_agrees_with_the_checker(max_cases: int, active: int, available: bool, load: int) -> None:
    m = Mediator("M1", "M", ("KEN",), "F", frozenset({"en"}), frozenset(), {}, 0, max_cases, active, available)
    view = DisputeView(dispute=None, rule_set=None, countries=None, extra_load={"M1": load})  # type: ignore[arg-type]
    room = capacity_left(m, load)
    assert room >= 0
    assert (room >= 1) == (available and view.remaining_capacity(m) >= 1)
    if available:
        assert room == max(0, view.remaining_capacity(m))
    assert m.remaining_capacity == capacity_left(m)


def test_roster_capacity_counts_recorded_appointments(demo_ws: Workspace) -> None:
    rule_set = load_rule_set("iomed")
    view = dispute_views(demo_ws, rule_set)[0]
    arrays = demo_ws.arrays
    assert arrays.capacity.tolist() == [capacity_left(m) for m in demo_ws.data.mediators]
    load: Mapping[str, int] = {m.mediator_id: 2 for m in demo_ws.data.mediators[:40]}
    loaded = replace(view, extra_load=load)
    assert arrays.room(loaded).tolist() == [
        capacity_left(m, load.get(m.mediator_id, 0)) for m in demo_ws.data.mediators
    ]


@settings(max_examples=20, deadline=None)
@given(k=st.integers(1, 5), seed=st.integers(0, 2**32 - 1))
def test_members_total_adds_exactly_what_a_row_sum_adds(k: int, seed: int) -> None:
    """Column by column, the same floating-point sums as ``values[members].sum(axis=1)`` (the joint model's
    pricing relies on it for reproducible columns), also for integers."""
    rng = np.random.default_rng(seed)
    values = rng.normal(scale=1e4, size=30)
    members = rng.integers(0, 30, size=(50, k)).astype(np.int32)
    assert np.array_equal(members_total(values, members), values[members].sum(axis=1))
    integers = rng.integers(-(10**9), 10**9, size=30)
    assert np.array_equal(members_total(integers, members), integers[members].sum(axis=1))
