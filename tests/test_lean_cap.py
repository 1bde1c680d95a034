"""The lean cap H8 (``max_lean``): the checker, the kernel, the solver, the diagnosis, the batch, the
lottery and the lean prices against brute force and against each other.

A panel's lean is computed here from the encoder's alignment matrix (bloc memberships shared with
each party, summed over the members), independently of the checker's own sums from the country
table; the two must agree, and every panel the library proposes under a cap must keep it.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.batch.run import solve_batch
from matching.batch.settings import BatchConfig
from matching.core.config import Locks, SolveConfig
from matching.core.errors import InputError
from matching.core.paths import demo_dir
from matching.io.loading import load_folder
from matching.io.rulesets import RuleSet, load_rule_set, parse_rule_set
from matching.lottery.dispute import dispute_lottery
from matching.panel.diagnosis import diagnose
from matching.panel.service import check_panel
from matching.panel.tradeoffs import lean_prices
from matching.rules.checker import panel_breaches
from matching.rules.encoding import PanelInstance, encode
from matching.rules.kernel import score_panels
from matching.rules.workspace import Workspace
from tests.factories import dispute_row
from tests.strategies import DISPUTE_ID, Roster, brute_force, build_workspace, person, rosters
from tests.test_solver import MODES, assert_matches_brute_force

CAPS = st.integers(0, 3)


def capped(cap: int | None, name: str = "iomed") -> RuleSet:
    return load_rule_set(name).with_max_lean(cap) if cap is not None else load_rule_set(name)


def lean_of(inst: PanelInstance, members: list[int] | tuple[int, ...]) -> int:
    per_party = inst.alignment[list(members)].sum(axis=0)
    return int(per_party.max() - per_party.min())


# --- the rule set and the run option --------------------------------------------------------------


def test_a_rule_set_file_sets_the_cap_and_a_run_replaces_it() -> None:
    assert load_rule_set("iomed").max_lean is None
    rules = parse_rule_set({"hard": {"max_lean": 2}}, "cap.toml")
    assert rules.max_lean == 2
    assert rules.with_max_lean(0).max_lean == 0
    assert rules.with_max_lean(None).max_lean == 2


@pytest.mark.parametrize("value", [-1, 101, 1.5, "2", True])
def test_a_bad_cap_is_a_listed_problem(value: object) -> None:
    with pytest.raises(InputError) as caught:
        parse_rule_set({"hard": {"max_lean": value}}, "cap.toml")
    assert "max_lean" in str(caught.value)


@pytest.mark.parametrize("value", [-1, 101])
def test_a_run_cap_out_of_range_is_refused(value: int) -> None:
    with pytest.raises(InputError, match="from 0 to 100"):
        load_rule_set("iomed").with_max_lean(value)


# --- checker, kernel and solver against brute force ----------------------------------------------------


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(roster=rosters(min_size=5, max_size=9, sizes=(2, 3)), cap=CAPS)
def test_the_checker_and_the_kernel_agree_on_the_cap(roster: Roster, cap: int) -> None:
    ws = roster.workspace()
    view = ws.view(ws.dispute(DISPUTE_ID), capped(cap))
    free_view = ws.view(ws.dispute(DISPUTE_ID), capped(None))
    inst = encode(ws, view)
    rows = np.array(list(combinations(range(inst.n), inst.k)), dtype=np.int64).reshape(-1, inst.k)
    kept = {tuple(int(i) for i in m) for m in score_panels(inst, rows).members}
    free = {tuple(int(i) for i in m) for m in score_panels(encode(ws, free_view), rows).members}
    for row in rows.tolist():
        people = [inst.mediators[i] for i in row]
        lean = lean_of(inst, row)
        h8 = [b for b in panel_breaches(view, people, people[0]) if b.rule == "H8"]
        assert bool(h8) == (lean > cap), (row, lean, h8)
        if h8:
            assert f"a lean of {lean}, above the cap of {cap}" in h8[0].reason
        # The kernel keeps exactly the panels that keep every other rule and the cap.
        assert (tuple(row) in kept) == (tuple(row) in free and lean <= cap), row


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(roster=rosters(min_size=5, max_size=10, sizes=(1, 2, 3)), cap=CAPS)
def test_the_solver_under_a_cap_matches_brute_force(roster: Roster, cap: int) -> None:
    ws = roster.workspace()
    rules = capped(cap)
    found = brute_force(ws, rules, via_check_panel=False)
    inst = encode(ws, ws.view(ws.dispute(DISPUTE_ID), rules))
    for members in found:
        assert lean_of(inst, [inst.index_of(mid) or 0 for mid in members]) <= cap
    assert_matches_brute_force(ws, rules, Locks(), found, MODES[:2])


# --- the diagnosis --------------------------------------------------------------------------------


def tied_roster() -> Workspace:
    """KEN (African Union, …) against FRA (EU, NATO, …): every mediator shares blocs with one side only,
    so a panel of three always leans."""
    mediators = [
        person("M1", "NGA", legal_traditions="common"),
        person("M2", "GHA", legal_traditions="common"),
        person("M3", "DEU", legal_traditions="civil"),
        person("M4", "ZAF", legal_traditions="civil"),
    ]
    return build_workspace(mediators, [dispute_row(DISPUTE_ID, parties="KEN;FRA", panel_size=3)])


def test_a_cap_that_leaves_no_panel_is_named_with_the_cap_that_would_do() -> None:
    ws = tied_roster()
    free = brute_force(ws, capped(None), via_check_panel=False)
    assert free, "the roster must have panels without a cap"
    inst = encode(ws, ws.view(ws.dispute(DISPUTE_ID), capped(None)))
    least = min(lean_of(inst, [inst.index_of(mid) or 0 for mid in members]) for members in free)
    assert least >= 1
    rules = capped(least - 1)
    assert brute_force(ws, rules, via_check_panel=False) == {}
    diagnosis = diagnose(ws, ws.view(ws.dispute(DISPUTE_ID), rules), config=SolveConfig(seed=0))
    assert diagnosis.conflicting_rules == ["H8"]
    assert any(f"from {least - 1} to {least}" in s for s in diagnosis.suggestions), diagnosis.suggestions
    assert check_panel(ws, DISPUTE_ID, ["M3", "M1", "M2"], rules).violations == ["H8"]


def test_without_a_cap_h8_is_never_named() -> None:
    ws = tied_roster()
    view = ws.view(ws.dispute(DISPUTE_ID), capped(None))
    # A lock on a mediator who is not on the roster leaves no panel: the locks are named, never H8.
    assert diagnose(ws, view, Locks(include=frozenset({"M9"}))).conflicting_rules == ["locks"]


# --- the batch, the lottery and the lean prices ---------------------------------------------------------


@pytest.fixture(scope="module")
def demo_ws() -> Workspace:
    return Workspace(load_folder(demo_dir()))


def test_every_batch_panel_keeps_the_cap(demo_ws: Workspace) -> None:
    rules = capped(0)
    ids = [d.dispute_id for d in demo_ws.data.disputes if len(d.parties) >= 2][:12]
    outcome = solve_batch(demo_ws, rules, BatchConfig(time_limit=5, workers=1, seed=0), dispute_ids=ids)
    staffed = [r for r in outcome.results if r.panels]
    assert staffed
    for result in staffed:
        view = demo_ws.view(demo_ws.dispute(result.dispute_id), rules)
        people = [demo_ws.data.mediator(mid) for mid in result.panels[0].member_ids]
        assert panel_breaches(view, people, people[0]) == []
        inst = encode(demo_ws, view, include_ineligible=True)
        assert lean_of(inst, [inst.index_of(p.mediator_id) or 0 for p in people]) == 0


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(roster=rosters(min_size=6, max_size=9, sizes=(2, 3)), cap=st.integers(0, 2))
def test_every_lottery_panel_keeps_the_cap(roster: Roster, cap: int) -> None:
    ws = roster.workspace()
    rules = capped(cap)
    found = brute_force(ws, rules, via_check_panel=False)
    lottery = dispute_lottery(ws, DISPUTE_ID, rules, floor=0.9, config=SolveConfig(seed=0, time_limit=5))
    if not found:
        assert not lottery.panels
        return
    assert lottery.panels
    for panel in lottery.panels:
        assert frozenset(panel.member_ids) in found


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(roster=rosters(min_size=5, max_size=9, sizes=(2, 3)))
def test_lean_prices_match_brute_force(roster: Roster) -> None:
    ws = roster.workspace()
    free = brute_force(ws, capped(None), via_check_panel=False)
    prices = lean_prices(ws, DISPUTE_ID, capped(None), SolveConfig(seed=0))
    if not free:
        assert prices.points == [] and prices.least_lean is None
        return
    inst = encode(ws, ws.view(ws.dispute(DISPUTE_ID), capped(None)))
    # Each member set: its lean and its best expertise over the chairs that keep the rules.
    sets = {
        members: (
            lean_of(inst, [inst.index_of(mid) or 0 for mid in members]),
            max(s.expertise for s in chairs.values()),
        )
        for members, chairs in free.items()
    }
    best = max(e for _, e in sets.values())
    assert prices.least_lean == min(lean for lean, _ in sets.values())
    assert prices.free_lean is not None and prices.free_lean >= prices.least_lean
    assert [p.cap for p in prices.points] == list(range(prices.least_lean, prices.free_lean + 1))
    for point in prices.points:
        under = max(e for lean, e in sets.values() if lean <= point.cap)
        assert point.lean <= point.cap
        assert round(point.expertise * 10_000) == under, point
        assert round(point.price * 10_000) == best - under, point
    assert prices.points[-1].price == 0
