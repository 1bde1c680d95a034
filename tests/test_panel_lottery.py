"""The dispute panel lottery: acceptable panels, exact probabilities, the independent checker, the draw,
the registrar's locks, and brute force over small random rosters."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import matching.panel_lottery
from matching.encoding import encode
from matching.errors import UnknownIdError
from matching.loading import load_folder
from matching.lottery import EnumeratedOracle, LotteryError, leximin
from matching.panel_lottery import DisputeLottery, DisputePanelOracle, dispute_lottery, objective_threshold
from matching.panels import propose
from matching.paths import demo_dir
from matching.rules import panel_breaches
from matching.rulesets import load_rule_set
from matching.scoring import OBJECTIVE_SCALE
from matching.solver import Locks, PanelModel, SolveConfig
from matching.workspace import Workspace
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


def test_the_independent_check_catches_a_panel_that_breaks_a_lock(monkeypatch: pytest.MonkeyPatch) -> None:
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

    # A pricing model that forgot the locks: its panels must not get into the lottery unnoticed.
    def forgetful(inst, idx, locks, *args, **kwargs):  # type: ignore[no-untyped-def]
        return PanelModel(inst, idx, Locks(), *args, **kwargs)

    monkeypatch.setattr(matching.panel_lottery, "PanelModel", forgetful)
    with pytest.raises(LotteryError, match="locks: M03 is locked in"):
        dispute_lottery(ws, DISPUTE_ID, IOMED, floor=0.0, locks=Locks(include=frozenset({"M03"})))


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
