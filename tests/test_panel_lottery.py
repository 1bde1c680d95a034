"""The dispute panel lottery: acceptable panels, exact probabilities, the independent checker, the draw,
the registrar's locks, and brute force over small random rosters."""

from __future__ import annotations

from fractions import Fraction
from itertools import combinations

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

import matching.lottery.dispute
from matching.core.config import Locks, SolveConfig
from matching.core.errors import UnknownIdError
from matching.core.paths import demo_dir
from matching.io.loading import load_folder
from matching.io.rulesets import RuleSet, load_rule_set
from matching.lottery.dispute import (
    DisputeLottery,
    DisputePanelOracle,
    acceptable_panels,
    dispute_lottery,
    objective_threshold,
)
from matching.lottery.engine import EnumeratedOracle, LotteryError, Restriction, leximin
from matching.panel.model import PanelModel, best_chair, solve_instance
from matching.panel.service import propose
from matching.rules.checker import panel_breaches
from matching.rules.encoding import encode
from matching.rules.kernel import enumerate_panels
from matching.rules.scoring import OBJECTIVE_SCALE, Scores
from matching.rules.workspace import Workspace
from tests.factories import dispute_row
from tests.strategies import DISPUTE_ID, Roster, best_of, brute_force, build_workspace, person, rosters

IOMED = load_rule_set("iomed")


@pytest.fixture(scope="module")
def demo() -> Workspace:
    return Workspace(load_folder(demo_dir()))


def assert_consistent(ws: Workspace, result: DisputeLottery, k: int) -> None:
    """Probabilities sum to k exactly; every support panel keeps every rule and meets the floor."""
    view = ws.view(ws.dispute(result.dispute_id), IOMED)
    inst = encode(ws, view)
    assert set(result.probabilities) == set(inst.ids)  # every eligible mediator, 0 or not
    assert sum(result.probabilities.values(), Fraction(0)) == (k if result.panels else 0)
    assert sum((p.probability for p in result.panels), Fraction(0)) == (1 if result.panels else 0)
    per_mediator: dict[str, Fraction] = {}
    assert result.threshold is not None or not result.panels
    for panel in result.panels:
        people = [ws.data.mediator(mid) for mid in panel.member_ids]
        chair = ws.data.mediator(panel.member_ids[0])
        assert panel.members[0].role.value == "chair" and all(s.role.value == "member" for s in panel.members[1:])
        assert panel_breaches(view, people, chair) == []
        assert result.threshold is not None and panel.objective >= result.threshold - 1e-12
        for mid in panel.member_ids:
            per_mediator[mid] = per_mediator.get(mid, Fraction(0)) + panel.probability
    for mid, p in result.probabilities.items():
        assert per_mediator.get(mid, Fraction(0)) == p
    assert sum(p.tickets for p in result.panels) == (result.tickets if result.panels else 0)


def test_objective_threshold_is_exact() -> None:
    assert objective_threshold(1000, 0.95) == 950
    assert objective_threshold(-1000, 0.95) == -1050
    assert objective_threshold(999, 0.9) == 900  # 899.1 rounds up
    assert objective_threshold(12345, 1.0) == 12345
    assert objective_threshold(12345, 0.0) == 0


def test_demo_dispute(demo: Workspace) -> None:
    result = dispute_lottery(demo, "D001", IOMED, seed=3)
    assert result.status == "optimal" and result.proven
    assert_consistent(demo, result, demo.dispute("D001").panel_size)
    assert result.minimum is not None and result.minimum > 0
    assert result.upper_bound == result.minimum  # certified exactly
    assert result.drawn is not None and result.drawn_ticket is not None
    first = result.drawn.first_ticket
    assert first <= result.drawn_ticket < first + result.drawn.tickets
    document = result.as_dict()
    for key in ("probabilities", "panels", "seed", "drawn", "draw_rule", "tickets"):
        assert key in document
    assert document["drawn"]["ticket"] == int(np.random.default_rng(3).integers(0, result.tickets))
    again = dispute_lottery(demo, "D001", IOMED, seed=3)
    assert again.as_dict() == document  # the same inputs and seed give the same panel
    other = dispute_lottery(demo, "D001", IOMED, seed=4)
    assert [p.as_dict() for p in other.panels] == document["panels"]  # the ticket list does not depend on the seed


def small_roster() -> Workspace:
    mediators = [
        person("M01", "KEN", gender="F", legal_traditions="common"),
        person("M02", "FRA", gender="M", legal_traditions="civil"),
        person("M03", "BRA", gender="F", legal_traditions="civil"),
        person("M04", "IND", gender="M", legal_traditions="common"),
        person("M05", "CHN", gender="F", legal_traditions="civil"),
        person("M06", "MEX", gender="M", legal_traditions="civil"),
        person("M07", "GBR", gender="F", legal_traditions="common", available="false"),
    ]
    return build_workspace(mediators, [dispute_row(DISPUTE_ID, parties="EGY;RUS", panel_size=3)])


def test_floor_one_keeps_only_optimal_panels() -> None:
    ws = small_roster()
    result = dispute_lottery(ws, DISPUTE_ID, IOMED, floor=1.0)
    assert result.optimum is not None
    assert all(p.objective == result.optimum for p in result.panels)
    assert_consistent(ws, result, 3)
    assert "M07" not in result.probabilities  # unavailable: not eligible


def test_lower_floor_spreads_the_chances() -> None:
    ws = small_roster()
    tight = dispute_lottery(ws, DISPUTE_ID, IOMED, floor=1.0)
    loose = dispute_lottery(ws, DISPUTE_ID, IOMED, floor=0.0)
    assert_consistent(ws, loose, 3)
    assert loose.in_some_panel >= tight.in_some_panel
    assert loose.minimum is not None and loose.minimum > 0


def test_infeasible_dispute_has_no_lottery() -> None:
    mediators = [person(f"M0{i}", "KEN") for i in range(1, 5)]  # all share a nationality: no panel of 2
    ws = build_workspace(mediators, [dispute_row(DISPUTE_ID, parties="EGY;RUS", panel_size=2)])
    result = dispute_lottery(ws, DISPUTE_ID, IOMED)
    assert result.status == "infeasible"
    assert result.panels == [] and result.drawn is None
    assert set(result.probabilities.values()) == {Fraction(0)}
    assert result.as_dict()["drawn"] is None


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(rosters(min_size=5, max_size=8, sizes=(1, 2, 3)))
def test_against_brute_force(roster: Roster) -> None:
    ws = roster.workspace()
    found = brute_force(ws, IOMED)
    result = dispute_lottery(ws, DISPUTE_ID, IOMED, floor=0.9)
    if not found:
        assert result.status == "infeasible" and not result.panels
        return
    best = best_of(found)
    optimum = max(best.values())
    assert result.optimum == optimum / OBJECTIVE_SCALE
    threshold = objective_threshold(optimum, 0.9)
    acceptable = [members for members, value in best.items() if value >= threshold]
    ids = sorted(result.probabilities)
    index = {mid: i for i, mid in enumerate(ids)}
    k = ws.dispute(DISPUTE_ID).panel_size
    reference = leximin(EnumeratedOracle(len(ids), k, [tuple(sorted(index[m] for m in s)) for s in acceptable]))
    assert result.minimum == reference.minimum
    for mid in ids:
        assert abs(float(result.probabilities[mid]) - float(reference.marginals[index[mid]])) <= 1e-7, mid
    assert {frozenset(p.member_ids) for p in result.panels} <= set(acceptable)
    assert_consistent(ws, result, k)


# --- locks ----------------------------------------------------------------------------------------


def assert_keeps_locks(result: DisputeLottery, locks: Locks, k: int) -> None:
    """Every panel keeps the locks; locked-in mediators have exactly 1, excluded eligible ones exactly 0."""
    assert result.panels, result.status
    locked_in = locks.include | ({locks.chair} if locks.chair else set())
    for panel in result.panels:
        members = set(panel.member_ids)
        assert locked_in <= members, (panel.member_ids, locks)
        assert not members & locks.exclude, (panel.member_ids, locks)
        if locks.chair:
            assert panel.member_ids[0] == locks.chair and panel.members[0].role.value == "chair"
    for mid in locked_in:
        assert result.probabilities[mid] == 1
    for mid in locks.exclude & set(result.probabilities):
        assert result.probabilities[mid] == 0  # still listed: every eligible mediator is
    assert sum(result.probabilities.values(), Fraction(0)) == k
    assert result.as_dict()["locks"] == {
        "include": sorted(locks.include),
        "exclude": sorted(locks.exclude),
        "chair": locks.chair,
    }


@pytest.mark.parametrize(
    "locks",
    [
        Locks(include=frozenset({"M03"})),
        Locks(exclude=frozenset({"M01", "M06"})),
        Locks(include=frozenset({"M02"}), exclude=frozenset({"M05"}), chair="M02"),
        Locks(include=frozenset({"M01", "M04"})),
    ],
    ids=["include", "exclude", "chair", "two-in"],
)
def test_locks_narrow_the_lottery(locks: Locks) -> None:
    ws = small_roster()
    unlocked = dispute_lottery(ws, DISPUTE_ID, IOMED, floor=0.0)
    result = dispute_lottery(ws, DISPUTE_ID, IOMED, floor=0.0, locks=locks)
    assert result.status == "optimal" and result.proven
    assert set(result.probabilities) == set(unlocked.probabilities)  # excluded mediators stay listed
    assert_consistent(ws, result, 3)
    assert_keeps_locks(result, locks, 3)
    # Without the locks the lottery spreads the chances: nobody is certain, nobody left out.
    assert all(0 < p < 1 for p in unlocked.probabilities.values())


def test_the_floor_is_measured_from_the_optimum_under_the_locks() -> None:
    ws = small_roster()
    free = dispute_lottery(ws, DISPUTE_ID, IOMED, floor=1.0)
    assert free.drawn is not None
    # Excluding a member of the unlocked best panel lowers the optimum the floor is measured from.
    locks = Locks(exclude=frozenset(free.drawn.member_ids[:1]))
    result = dispute_lottery(ws, DISPUTE_ID, IOMED, floor=1.0, locks=locks)
    solver = propose(ws, DISPUTE_ID, IOMED, SolveConfig(candidates=1), locks)
    assert result.optimum == solver.objective
    assert free.optimum is not None and result.optimum is not None and result.optimum < free.optimum
    assert result.threshold == result.optimum
    assert all(p.objective == result.optimum for p in result.panels)
    assert_consistent(ws, result, 3)
    assert_keeps_locks(result, locks, 3)


@pytest.mark.parametrize(
    "locks",
    [
        Locks(include=frozenset({"M07"})),  # unavailable
        Locks(include=frozenset({"M01", "M02", "M03", "M04"})),  # more names than seats
        Locks(exclude=frozenset({"M01", "M02", "M03", "M04"})),  # two left for three seats
        Locks(include=frozenset({"M01"}), exclude=frozenset({"M01"})),
        Locks(chair="M05", exclude=frozenset({"M05"})),
    ],
    ids=["unavailable", "too-many", "too-few", "in-and-out", "excluded-chair"],
)
def test_locks_that_leave_no_panel_give_the_infeasible_status(locks: Locks) -> None:
    ws = small_roster()
    result = dispute_lottery(ws, DISPUTE_ID, IOMED, locks=locks)
    assert result.status == "infeasible"
    assert result.panels == [] and result.drawn is None and result.optimum is None
    assert set(result.probabilities) == {f"M0{i}" for i in range(1, 7)}
    assert set(result.probabilities.values()) == {Fraction(0)}
    document = result.as_dict()
    assert document["drawn"] is None and document["locks"]["include"] == sorted(locks.include)


def test_a_lock_on_an_unknown_mediator_is_an_error() -> None:
    with pytest.raises(UnknownIdError):
        dispute_lottery(small_roster(), DISPUTE_ID, IOMED, locks=Locks(include=frozenset({"M99"})))


def test_the_independent_check_catches_a_panel_that_breaks_a_lock() -> None:
    ws = small_roster()
    view = ws.view(ws.dispute(DISPUTE_ID), IOMED)
    inst = encode(ws, view)
    pool = list(range(inst.n))
    agent = {mid: a for a, mid in enumerate(inst.ids)}
    locks = Locks(include=frozenset({"M01"}), exclude=frozenset({"M02"}), chair="M01")
    oracle = DisputePanelOracle(inst, view, pool, -(10**12), SolveConfig(candidates=1), locks)
    assert oracle.problems(tuple(sorted(agent[m] for m in ("M01", "M03", "M04")))) == []
    problems = oracle.problems(tuple(sorted(agent[m] for m in ("M02", "M03", "M04"))))
    assert any("M01" in p and "locked in" in p for p in problems), problems
    assert any("M02" in p and "excluded" in p for p in problems), problems
    assert any("locked chair M01" in p for p in problems), problems


@pytest.mark.parametrize("pricing", ["cp-sat", "enumeration"])
def test_the_independent_check_catches_pricing_that_forgot_the_locks(
    monkeypatch: pytest.MonkeyPatch, pricing: str
) -> None:
    """A pricing model (or enumeration) that forgot the locks: its panels must not get into the lottery
    unnoticed."""
    if pricing == "cp-sat":
        monkeypatch.setattr(matching.lottery.dispute, "ENUMERATION_CAP", 0)
        monkeypatch.setattr(matching.lottery.dispute, "PRICING_CAP", 0)

        def forgetful(inst, idx, locks, *args, **kwargs):  # type: ignore[no-untyped-def]
            return PanelModel(inst, idx, Locks(), *args, **kwargs)

        monkeypatch.setattr(matching.lottery.dispute, "PanelModel", forgetful)
    else:
        keep = matching.lottery.dispute._keep
        monkeypatch.setattr(
            matching.lottery.dispute,
            "_keep",
            lambda inst, scored, threshold, locks: keep(inst, scored, threshold, Locks()),
        )
    with pytest.raises(LotteryError, match="locks: M03 is locked in"):
        dispute_lottery(small_roster(), DISPUTE_ID, IOMED, floor=0.0, locks=Locks(include=frozenset({"M03"})))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(rosters(min_size=5, max_size=8, sizes=(1, 2, 3)), st.data())
def test_locks_against_brute_force(roster: Roster, data: st.DataObject) -> None:
    ws = roster.workspace()
    ids = [row["mediator_id"] for row in roster.mediators]
    k = ws.dispute(DISPUTE_ID).panel_size
    # Mostly locks that some panel keeps (drawn from a feasible panel), otherwise any names at all.
    free = brute_force(ws, IOMED, via_check_panel=False)
    keepable = free and data.draw(st.integers(0, 3), label="keepable") > 0
    members = data.draw(st.sampled_from(sorted(free, key=sorted)), label="panel") if keepable else frozenset(ids)
    include = data.draw(st.frozensets(st.sampled_from(sorted(members)), max_size=min(k, 2)), label="include")
    chairs = sorted(include & set(free[members])) if keepable else sorted(include)
    locks = Locks(
        include=include,
        exclude=data.draw(st.frozensets(st.sampled_from(sorted(set(ids) - members or ids)), max_size=2), label="out"),
        chair=data.draw(st.none() | st.sampled_from(chairs), label="chair") if chairs else None,
    )
    found = brute_force(ws, IOMED, locks, via_check_panel=False)
    event(f"feasible under the locks: {bool(found)}")
    result = dispute_lottery(ws, DISPUTE_ID, IOMED, floor=0.9, locks=locks)
    if not found:
        assert result.status == "infeasible" and not result.panels
        assert set(result.probabilities.values()) <= {Fraction(0)}
        return
    best = best_of(found)
    optimum = max(best.values())
    assert result.optimum == optimum / OBJECTIVE_SCALE
    threshold = objective_threshold(optimum, 0.9)
    acceptable = [members for members, value in best.items() if value >= threshold]
    ids = sorted(result.probabilities)
    index = {mid: i for i, mid in enumerate(ids)}
    reference = leximin(EnumeratedOracle(len(ids), k, [tuple(sorted(index[m] for m in s)) for s in acceptable]))
    for mid in ids:
        assert abs(float(result.probabilities[mid]) - float(reference.marginals[index[mid]])) <= 1e-7, mid
    assert {frozenset(p.member_ids) for p in result.panels} <= set(acceptable)
    assert_consistent(ws, result, k)
    assert_keeps_locks(result, locks, k)


# --- pricing by enumeration -----------------------------------------------------------------------


def cpsat_panels(oracle: DisputePanelOracle) -> set[tuple[int, ...]]:
    """Every panel the CP-SAT pricing model (floor, rules, locks) admits, by no-good cuts."""
    model = oracle.panel_model.model.clone()
    xs = [model.get_int_var_from_proto_index(var.index) for var in oracle.x]
    found: set[tuple[int, ...]] = set()
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    while solver.solve(model) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        panel = tuple(a for a, x in enumerate(xs) if solver.value(x))
        assert panel not in found and len(found) < 5_000
        found.add(panel)
        model.add(sum(xs[a] for a in panel) <= len(panel) - 1)
    return found


def draw_locks(data: st.DataObject, ids: list[str], found: dict[frozenset[str], dict[str, Scores]], k: int) -> Locks:
    """No locks, or locks that some panel keeps (drawn from a feasible panel), or any names at all."""
    kind = data.draw(st.sampled_from(["none", "keepable", "keepable", "any"]), label="locks")
    if kind == "none" or (kind == "keepable" and not found):
        return Locks()
    members = data.draw(st.sampled_from(sorted(found, key=sorted)), label="panel") if kind == "keepable" else ids
    include = data.draw(st.frozensets(st.sampled_from(sorted(members)), max_size=min(k, 2)), label="include")
    chairs = sorted(include & set(found[frozenset(members)])) if kind == "keepable" else sorted(include)
    return Locks(
        include=include,
        exclude=data.draw(st.frozensets(st.sampled_from(sorted(set(ids) - set(members)) or ids), max_size=2)),
        chair=data.draw(st.none() | st.sampled_from(chairs), label="chair") if chairs else None,
    )


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(rosters(min_size=5, max_size=8, sizes=(1, 2, 3)), st.sampled_from([0.0, 0.9, 0.97, 1.0]), st.data())
def test_enumerated_panels_are_the_cpsat_panels_and_the_brute_force_ones(
    roster: Roster, floor: float, data: st.DataObject
) -> None:
    check_enumeration(roster, floor, data)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(rosters(min_size=9, max_size=11, sizes=(5,)), st.sampled_from([0.0, 0.9, 0.97]), st.data())
def test_enumerated_panels_of_five_are_the_cpsat_panels_and_the_brute_force_ones(
    roster: Roster, floor: float, data: st.DataObject
) -> None:
    check_enumeration(roster, floor, data)


def check_enumeration(roster: Roster, floor: float, data: st.DataObject, rule_set: RuleSet = IOMED) -> None:
    """The enumeration, the CP-SAT pricing model and brute force over every member set and chair
    (``panel_breaches`` and ``evaluate``) agree on the acceptable panels, with and without locks;
    so do their pricing answers."""
    ws = roster.workspace()
    ids = [row["mediator_id"] for row in roster.mediators]
    k = ws.dispute(DISPUTE_ID).panel_size
    locks = draw_locks(data, ids, brute_force(ws, rule_set, via_check_panel=False), k)
    found = best_of(brute_force(ws, rule_set, locks, via_check_panel=False))
    event(f"k={k}, feasible under the locks: {bool(found)}")
    if not found:
        return
    threshold = objective_threshold(max(found.values()), floor)
    view = ws.view(ws.dispute(DISPUTE_ID), rule_set)
    inst = encode(ws, view)
    pool = [i for i in range(inst.n) if inst.ids[i] not in locks.exclude]
    expected = {members for members, value in found.items() if value >= threshold}
    rows = acceptable_panels(inst, pool, threshold, locks, cap=10**6)
    assert rows is not None
    enumerated = [frozenset(inst.ids[i] for i in row) for row in rows.tolist()]
    assert len(enumerated) == len(set(enumerated))
    assert set(enumerated) == expected
    assert rows.tolist() == sorted(sorted(row) for row in rows.tolist())  # canonical order

    config = SolveConfig(candidates=1)
    oracle = DisputePanelOracle(inst, view, pool, threshold, config, locks)
    assert oracle.enumerated is not None
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(matching.lottery.dispute, "ENUMERATION_CAP", 0)
        by_cpsat = DisputePanelOracle(inst, view, pool, threshold, config, locks)
    assert by_cpsat.enumerated is None
    agents = {tuple(panel) for panel in oracle.enumerated.tolist()}
    assert {frozenset(inst.ids[pool[a]] for a in panel) for panel in agents} == expected
    assert cpsat_panels(by_cpsat) == agents
    # Pricing: the same optimum as CP-SAT for random weights.
    rng = np.random.default_rng(len(expected))
    for _ in range(3):
        weights = rng.integers(0, 1000, size=len(pool))
        fast, slow = oracle.best(weights), by_cpsat.best(weights)
        assert fast.proven and slow.proven
        assert (fast.panel is None) == (slow.panel is None) and fast.value == slow.value
        if fast.panel is not None:
            values = [int(weights[list(panel)].sum()) for panel in (fast.panel, *fast.others)]
            assert values == sorted(values, reverse=True) and len(set(fast.others)) == len(fast.others)
            assert all(oracle.problems(panel) == [] for panel in (fast.panel, *fast.others))
            # Restricted to panels whose other weights reach the middle of what the known ones reach.
            other = rng.integers(0, 1000, size=len(pool))
            sums = sorted(int(other[list(q)].sum()) for q in agents)
            restriction = Restriction(other, sums[len(sums) // 2])
            fast, slow = oracle.best(weights, restriction), by_cpsat.best(weights, restriction)
            assert fast.panel is not None and slow.panel is not None and fast.value == slow.value
            assert int(other[list(fast.panel)].sum()) >= restriction.at_least


@pytest.mark.parametrize(
    ("dispute_id", "pool_size", "rank", "locked", "weights"),
    [
        ("D002", 30, 300, False, {}),
        ("D002", 30, 20_000, True, {}),
        ("D007", 28, 2_000, False, {}),
        ("D022", 86, 2_000, True, {}),
        ("D067", 22, 3_000, False, {}),  # three parties, all ranking names
        ("D054", 120, 2_000, False, {}),  # two working languages
        ("D002", 30, 20_000, False, {"neutrality": 1.5}),  # the weight of issue 14's slow lottery
        ("D067", 22, 3_000, True, {"neutrality": 10.0, "diversity": 0.0}),
        ("D007", 28, 2_000, False, {"neutrality": 3.0, "preference": 2.0, "expertise": 0.3}),
    ],
)
def test_enumeration_keeps_every_acceptable_panel_of_a_demo_dispute(
    demo: Workspace, dispute_id: str, pool_size: int, rank: int, locked: bool, weights: dict[str, float]
) -> None:
    """Against the batch's complete enumeration of a pool (every combination): the bounds never cut off
    an acceptable panel, on 5- and 3-member demo disputes, thresholds near and far from the best, with the
    rule set's weights and changed ones."""
    view = demo.view(demo.dispute(dispute_id), IOMED.with_weights(**weights))
    inst = encode(demo, view)
    ranked = np.flatnonzero(inst.pref_mean_coef.sum(axis=1) > 0)  # whom a party ranked (preference terms)
    pool = sorted({int(i) for i in np.argsort(-inst.expertise_coef, kind="stable")[:pool_size]} | set(ranked.tolist()))
    everything = enumerate_panels(inst, pool)
    threshold = int(np.sort(everything.value)[::-1][min(rank, len(everything)) - 1])
    locks = Locks()
    if locked:
        seats = np.bincount(everything.members[everything.value >= threshold].ravel(), minlength=inst.n)
        common = int(np.argmax(seats * inst.chair_ok))  # the chair of the most acceptable panels
        locks = Locks(include=frozenset({inst.ids[common]}), chair=inst.ids[common])
    rows = acceptable_panels(inst, pool, threshold, locks, cap=10**7)
    assert rows is not None
    value = everything.value.copy()
    if locks.chair is not None:
        c = inst.ids.index(locks.chair)
        holds = (everything.members == c).any(axis=1) & bool(inst.chair_ok[c])
        value = np.where(
            holds,
            value - inst.weights["expertise"] * (inst.expertise_coef[everything.chair] - inst.expertise_coef[c]),
            -(10**15),
        )
    expected = everything.members[value >= threshold].astype(np.int64)
    assert len(rows) >= min(rank, len(everything)) // (10 if locked else 1) > 0
    assert rows.tolist() == sorted(expected.tolist())


def by_cpsat(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(matching.lottery.dispute, "ENUMERATION_CAP", 0)
    monkeypatch.setattr(matching.lottery.dispute, "PRICING_CAP", 0)


@pytest.mark.parametrize(
    ("dispute_id", "floor"), [("D003", 0.97), ("D022", 0.97), ("D006", 0.95), ("D002", 0.995), ("D014", 0.99)]
)
def test_enumeration_and_cpsat_give_the_same_lottery_on_demo_disputes(
    demo: Workspace, dispute_id: str, floor: float
) -> None:
    """The leximin probabilities are unique: both pricing paths reach them exactly (the supports may
    differ); and the enumerated path gives the same panels and tickets on every run."""
    fast = dispute_lottery(demo, dispute_id, IOMED, floor=floor)
    again = dispute_lottery(demo, dispute_id, IOMED, floor=floor)
    assert again.as_dict() == fast.as_dict()
    with pytest.MonkeyPatch.context() as patch:
        by_cpsat(patch)
        slow = dispute_lottery(demo, dispute_id, IOMED, floor=floor)
    assert fast.proven and slow.proven and fast.upper_bound == fast.minimum
    assert fast.probabilities == slow.probabilities and fast.minimum == slow.minimum
    assert len(fast.panels) >= 4
    assert_consistent(demo, fast, demo.dispute(dispute_id).panel_size)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(rosters(min_size=8, max_size=11, sizes=(3, 5)), st.sampled_from([0.0, 0.9]), st.data())
def test_enumeration_and_cpsat_give_the_same_lottery(roster: Roster, floor: float, data: st.DataObject) -> None:
    ws = roster.workspace()
    ids = [row["mediator_id"] for row in roster.mediators]
    k = ws.dispute(DISPUTE_ID).panel_size
    locks = draw_locks(data, ids, brute_force(ws, IOMED, via_check_panel=False), k)
    fast = dispute_lottery(ws, DISPUTE_ID, IOMED, floor=floor, locks=locks)
    with pytest.MonkeyPatch.context() as patch:
        by_cpsat(patch)
        slow = dispute_lottery(ws, DISPUTE_ID, IOMED, floor=floor, locks=locks)
    event(f"k={k}, status {fast.status}, locked: {locks.any}")
    assert fast.status == slow.status and fast.optimum == slow.optimum and fast.threshold == slow.threshold
    assert fast.probabilities == slow.probabilities and fast.minimum == slow.minimum
    if fast.panels:
        assert_consistent(ws, fast, k)
        assert_keeps_locks(fast, locks, k)


def test_past_the_cap_the_lottery_prices_with_cpsat(monkeypatch: pytest.MonkeyPatch) -> None:
    ws = small_roster()
    view = ws.view(ws.dispute(DISPUTE_ID), IOMED)
    inst = encode(ws, view)
    pool = list(range(inst.n))
    assert acceptable_panels(inst, pool, -(10**12), Locks(), cap=19) is None  # C(6, 3) = 20 panels
    assert acceptable_panels(inst, pool, -(10**12), Locks(), cap=20) is not None
    enumerated = dispute_lottery(ws, DISPUTE_ID, IOMED, floor=0.0)
    monkeypatch.setattr(matching.lottery.dispute, "ENUMERATION_CAP", 3)
    assert DisputePanelOracle(inst, view, pool, -(10**12), SolveConfig(candidates=1)).enumerated is None
    assert dispute_lottery(ws, DISPUTE_ID, IOMED, floor=0.0).probabilities == enumerated.probabilities


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(rosters(min_size=7, max_size=10, sizes=(2, 3, 5)))
def test_the_enumeration_bound_holds_for_every_completion(roster: Roster) -> None:
    check_bound(roster.workspace())


@pytest.mark.parametrize("k", [3, 5])
def test_the_enumeration_bound_holds_when_both_parties_rank_everybody(k: int) -> None:
    mediators = [
        person(f"M{i:02d}", country, gender="FM"[i % 2], legal_traditions=("civil", "common", "muslim")[i % 3])
        for i, country in enumerate(["KEN", "FRA", "BRA", "IND", "CHN", "MEX", "JPN", "NGA"], start=1)
    ]
    preferences = [
        {"dispute_id": DISPUTE_ID, "party": party, "mediator_id": m["mediator_id"], "struck": "false", "rank": str(r)}
        for party, order in (("EGY", mediators), ("RUS", mediators[::-1]))
        for r, m in enumerate(order, start=1)
    ]
    ws = build_workspace(mediators, [dispute_row(DISPUTE_ID, parties="EGY;RUS", panel_size=k)], preferences=preferences)
    check_bound(ws)


WEIGHT_VALUES = (0.0, 0.01, 0.3, 0.8, 1.5, 3.0, 10.0, 100.0)
any_weights = st.fixed_dictionaries(
    {
        name: st.sampled_from(WEIGHT_VALUES)
        for name in ("expertise", "diversity", "neutrality", "workload", "preference")
    }
    | {"orange_penalty": st.sampled_from((0.0, 0.3, 5.0))}
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(rosters(min_size=7, max_size=10, sizes=(2, 3, 5)), any_weights)
def test_the_enumeration_bound_holds_for_every_completion_under_any_weights(
    roster: Roster, weights: dict[str, float]
) -> None:
    """A changed weight must never make a bound wrong (nor, by the coupled bound, loose on neutrality)."""
    check_bound(roster.workspace(), IOMED.with_weights(**weights))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(rosters(min_size=8, max_size=10, sizes=(3, 5)), st.sampled_from([0.0, 0.9, 0.97]), any_weights, st.data())
def test_enumerated_panels_are_the_brute_force_ones_under_any_weights(
    roster: Roster, floor: float, weights: dict[str, float], data: st.DataObject
) -> None:
    check_enumeration(roster, floor, data, IOMED.with_weights(**weights))


def check_bound(ws: Workspace, rule_set: RuleSet = IOMED) -> None:
    """The bound on the panel-level terms of a partial panel is at least their exact value for every
    completion by later members (feasible or not), and exact for a complete panel; so are the bound that
    couples the neutrality balance with the members' values (``coupled``, on the whole objective) and
    the bound for the last seat that knows the last member's alignment (``last_align``)."""
    inst = encode(ws, ws.view(ws.dispute(DISPUTE_ID), rule_set))
    k = inst.k
    if inst.n < k:
        return
    bounds = matching.lottery.dispute._roster(inst, list(range(inst.n)))
    combos = np.array(list(combinations(range(inst.n), k)), dtype=np.int64)
    one = np.zeros(len(combos), dtype=np.int64)
    empty = matching.lottery.dispute._Partial(
        seats=np.zeros((len(combos), 0), dtype=np.int64),
        last=np.full(len(combos), -1),
        total=one,
        chair=np.full(len(combos), matching.lottery.dispute._NO_CHAIR, dtype=np.int64),
        trads=one,
        groups=one,
        females=one,
        males=one,
        aligned=np.zeros((len(combos), bounds.align.shape[1]), dtype=np.int64),
        prefs=np.zeros((len(combos), bounds.pref.shape[1]), dtype=np.int64),
        cos=one,
        offered=one,
    )
    levels = [empty]
    for d in range(k):
        levels.append(levels[-1].extend(bounds, np.arange(len(combos)), combos[:, d]))
    exact = levels[k].bonus(inst, bounds, 0)
    for d in range(k):
        assert (levels[d].bonus(inst, bounds, k - d) >= exact).all(), d
    total = levels[k].total + exact
    assert (levels[k].coupled(inst, bounds, 0) >= total).all()
    for d in range(k):
        assert (levels[d].coupled(inst, bounds, k - d) >= total).all(), d
    last = levels[k - 1].bonus(inst, bounds, 1, last_align=bounds.align[combos[:, k - 1]])
    assert (levels[k - 1].total + bounds.value[combos[:, k - 1]] + last >= total).all()
    for row, combo in enumerate(combos.tolist()):
        members = bounds.people[combo].tolist()
        chair = best_chair(inst, members)
        if chair is not None:
            assert int(total[row]) == inst.evaluate(members, chair).objective_int


def test_a_changed_neutrality_weight_keeps_the_lottery_enumerated(demo: Workspace) -> None:
    """Issue 14: at neutrality 1.5 the bounds once let 6.3 million partial panels of D002 through to the last
    seat, past ENUMERATION_CAP, and the lottery fell back to CP-SAT pricing for over 20 minutes. The bound
    that couples the neutrality balance with the members' values, and the last seat filled by alignment
    class, keep it well under the cap."""
    rule_set = IOMED.with_weights(neutrality=1.5)
    view = demo.view(demo.dispute("D002"), rule_set)
    inst = encode(demo, view)
    best = solve_instance(inst, SolveConfig(candidates=1), Locks())
    assert best.objective_int is not None
    threshold = objective_threshold(best.objective_int, 0.95)
    pool = list(range(inst.n))
    looked_at: list[int] = []
    real = matching.lottery.dispute._runs

    def counted(*args):  # type: ignore[no-untyped-def]
        runs = real(*args)
        looked_at.append(sum(int(count.sum()) for _, _, count, _ in runs))
        return runs

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(matching.lottery.dispute, "_runs", counted)
        rows = acceptable_panels(inst, pool, threshold, Locks())
    assert rows is not None and len(rows) == 119_283
    assert max(looked_at) <= matching.lottery.dispute.ENUMERATION_CAP * 0.7
