"""The solver against brute force: optimum, top candidates, chairs, bounds, locks, determinism.

Small random rosters are enumerated panel by panel through the checker (``check_panel``); the
solver must find exactly the same best objective and the same top-5 distinct member sets, with
and without its exact pruning.
"""

from __future__ import annotations

from dataclasses import replace
from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import matching.panel.model as solver_module
from matching.core.config import Locks, SolveConfig
from matching.core.paths import demo_dir
from matching.core.status import Status
from matching.io.loading import load_folder
from matching.io.rulesets import RuleSet, load_rule_set
from matching.panel.model import SolveOutcome, best_chair, solve_instance, upper_bounds
from matching.rules.checker import panel_breaches
from matching.rules.encoding import PanelInstance, encode
from matching.rules.scoring import Scores
from matching.rules.workspace import Workspace
from tests.factories import dispute_row
from tests.strategies import DISPUTE_ID, Roster, best_of, brute_force, build_workspace, person, rosters

RULE_SETS = ("iomed", "icsid", "uncitral-list")
CANDIDATES = 5
# (label, SolveConfig, CORE_SIZES): the last mode shrinks the core solves of ``prune`` so that
# its bound-based pruning, which otherwise starts above 80 mediators, runs on these rosters too.
MODES = (
    ("reduce=False", SolveConfig(candidates=CANDIDATES, seed=0, reduce=False), None),
    ("reduce=True", SolveConfig(candidates=CANDIDATES, seed=0, reduce=True), None),
    ("reduce=True, small core", SolveConfig(candidates=CANDIDATES, seed=0, reduce=True), (3, 6)),
)


def solve(inst: PanelInstance, config: SolveConfig, core: tuple[int, ...] | None, locks: Locks) -> SolveOutcome:
    if core is None:
        return solve_instance(inst, config, locks)
    with mock.patch.object(solver_module, "CORE_SIZES", core):
        return solve_instance(inst, config, locks)


def assert_matches_brute_force(
    roster_ws: Workspace,
    rule_name: str | RuleSet,
    locks: Locks,
    found: dict[frozenset[str], dict[str, Scores]],
    modes: tuple[tuple[str, SolveConfig, tuple[int, ...] | None], ...] = MODES,
) -> None:
    rule_set = load_rule_set(rule_name) if isinstance(rule_name, str) else rule_name
    view = roster_ws.view(roster_ws.dispute(DISPUTE_ID), rule_set)
    inst = encode(roster_ws, view)
    best = best_of(found)
    for label, config, core in modes:
        expected = sorted(best.values(), reverse=True)[: config.candidates]
        out = solve(inst, config, core, locks)
        where = f"{label}, {rule_name}, {locks}"
        if not found:
            assert out.status == "infeasible", where
            assert out.panels == [], where
            continue
        assert out.status == "optimal", where
        assert out.objective_int == expected[0], where
        assert out.bound_int == out.objective_int, where
        got = [p.scores.objective_int for p in out.panels]
        assert got == sorted(got, reverse=True), f"{where}: candidates not best first"
        assert got == expected, where
        sets = [frozenset(inst.mediators[i].mediator_id for i in p.members) for p in out.panels]
        assert len(set(sets)) == len(sets), f"{where}: repeated member set"
        for p, members in zip(out.panels, sets, strict=True):
            people = [inst.mediators[i] for i in p.members]
            chair = inst.mediators[p.chair]
            assert p.members[0] == p.chair, f"{where}: chair not first"
            assert len(p.members) == inst.k
            assert panel_breaches(view, people, chair) == [], where
            assert members in found, f"{where}: {sorted(members)} is not feasible by brute force"
            assert p.scores == found[members][chair.mediator_id], f"{where}: solver and checker score differently"
            assert p.scores.objective_int == best[members], f"{where}: {chair.mediator_id} is not the best chair"
            if locks.chair:
                assert chair.mediator_id == locks.chair, where
            assert locks.include <= members, where
            assert not locks.exclude & members, where


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(roster=rosters(), rule_name=st.sampled_from(RULE_SETS))
def test_solver_matches_brute_force(roster: Roster, rule_name: str) -> None:
    ws = roster.workspace()
    rule_set = load_rule_set(rule_name)
    found = brute_force(ws, rule_set)
    assert_matches_brute_force(ws, rule_name, Locks(), found)

    # The pruning bound: no feasible panel scores above the bound of any of its members.
    inst = encode(ws, ws.view(ws.dispute(DISPUTE_ID), rule_set))
    bounds = upper_bounds(inst, list(range(inst.n)))
    for members, chairs in found.items():
        top = max(s.objective_int for s in chairs.values())
        for mid in members:
            i = inst.index_of(mid)
            assert i is not None
            assert top <= bounds[i], f"upper bound of {mid} ({bounds[i]}) below a panel holding them ({top})"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(roster=rosters(min_size=6, max_size=10, sizes=(2, 3)), data=st.data())
def test_locks_match_brute_force(roster: Roster, data: st.DataObject) -> None:
    ids = [row["mediator_id"] for row in roster.mediators]
    include = data.draw(st.frozensets(st.sampled_from(ids), max_size=1), label="include")
    chair = data.draw(st.none() | st.sampled_from(ids), label="chair")
    exclude = data.draw(st.frozensets(st.sampled_from(ids), max_size=2), label="exclude")  # may contradict
    locks = Locks(include=include, exclude=exclude, chair=chair)
    ws = roster.workspace()
    found = brute_force(ws, load_rule_set("iomed"), locks)
    assert_matches_brute_force(ws, "iomed", locks, found)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(roster=rosters(min_size=7, max_size=11, crowded=True), candidates=st.integers(1, 3))
def test_dominance_reduction_keeps_the_top_candidates(roster: Roster, candidates: int) -> None:
    """Crowded rosters (many interchangeable mediators), where the reduction drops people."""
    ws = roster.workspace()
    found = brute_force(ws, load_rule_set("iomed"), via_check_panel=False)
    modes = tuple(
        (f"{label}, candidates={candidates}", replace(config, candidates=candidates), core)
        for label, config, core in MODES
    )
    assert_matches_brute_force(ws, "iomed", Locks(), found, modes)


@pytest.mark.parametrize("lock", ["include", "chair"])
def test_contradictory_locks_are_infeasible_in_every_mode(lock: str) -> None:
    """Regression: with reduce=True a name both locked in and locked out used to be proposed."""
    ws = build_workspace([person("X", "MEX"), person("Y", "FRA")], [dispute_row("D1", panel_size=1)])
    locks = Locks(exclude=frozenset({"X"}), **({"include": frozenset({"X"})} if lock == "include" else {"chair": "X"}))
    found = brute_force(ws, load_rule_set("iomed"), locks)
    assert found == {}
    assert_matches_brute_force(ws, "iomed", locks, found)


def test_best_chair_prefers_expertise_then_experience_then_id() -> None:
    ws = build_workspace(
        [
            person("M1", "FRA", expertise="water:2", years_experience=30),
            person("M2", "GBR", expertise="water:5", years_experience=5),
            person("M3", "BRA", expertise="water:5", years_experience=9),
            person("M4", "IND", expertise="water:5", years_experience=9),
        ],
        [dispute_row("D1", parties="ETH;SDN", languages="en", subject_areas="water", panel_size=3, description="")],
    )
    inst = encode(ws, ws.view(ws.dispute("D1"), load_rule_set("iomed")))
    index = {mid: inst.index_of(mid) for mid in ("M1", "M2", "M3", "M4")}
    assert best_chair(inst, [index["M1"], index["M2"], index["M3"]]) == index["M3"]
    assert best_chair(inst, [index["M4"], index["M3"], index["M1"]]) == index["M3"]
    assert best_chair(inst, [index["M1"], index["M2"], index["M4"]]) == index["M4"]


# --- demo data ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_ws() -> Workspace:
    return Workspace(load_folder(demo_dir()))


@pytest.mark.parametrize("dispute_id", ["D001", "D002", "D030", "D054"])
def test_pruning_keeps_the_top_candidates_on_the_demo_roster(demo_ws: Workspace, dispute_id: str) -> None:
    """With hundreds of mediators ``prune`` really runs; its top 5 must be the unpruned model's."""
    view = demo_ws.view(demo_ws.dispute(dispute_id), load_rule_set("iomed"))
    inst = encode(demo_ws, view)
    reduced = solve_instance(inst, SolveConfig(candidates=CANDIDATES, reduce=True))
    full = solve_instance(inst, SolveConfig(candidates=CANDIDATES, reduce=False))
    assert reduced.status == full.status == "optimal"
    assert reduced.model_size < full.model_size
    assert [p.scores.objective_int for p in reduced.panels] == [p.scores.objective_int for p in full.panels]


def test_same_seed_same_candidates(demo_ws: Workspace) -> None:
    """Same seed and input: identical candidate lists, also from a freshly loaded workspace."""
    rule_set = load_rule_set("iomed")
    config = SolveConfig(candidates=CANDIDATES, seed=7)

    def run(ws: Workspace) -> list[tuple[tuple[str, ...], str, Scores]]:
        inst = encode(ws, ws.view(ws.dispute("D030"), rule_set))
        out = solve_instance(inst, config)
        return [
            (tuple(inst.mediators[i].mediator_id for i in p.members), inst.mediators[p.chair].mediator_id, p.scores)
            for p in out.panels
        ]

    first = run(demo_ws)
    assert len(first) == CANDIDATES
    assert run(demo_ws) == first
    assert run(Workspace(load_folder(demo_dir()))) == first


def _reduce_by_definition(inst: PanelInstance, keep: int, pool: list[int]) -> list[int]:
    """The dominance reduction mediator by mediator, as the module docstring states it (the reference)."""
    member, chair = solver_module.member_values(inst)
    chair_value = np.where(inst.chair_ok, member + chair, np.iinfo(np.int64).min // 4)
    numbers = np.column_stack([inst.chair_ok, member, chair_value, inst.pref_min_coef, inst.pref_mean_coef])
    nats = {i: frozenset(inst.mediators[i].nationalities) for i in pool}
    blocked = (inst.k - 1) * max(len(n) for n in nats.values())

    key = {
        i: (inst.group[i], inst.female[i], inst.male[i], inst.co_national[i], tuple(inst.alignment[i])) for i in pool
    }
    kept = []
    for j in pool:
        group = sorted((i for i in pool if key[i] == key[j]), key=lambda i: (-int(member[i]), -int(chair_value[i]), i))
        if len(group) <= keep:
            kept.append(j)
            continue
        same = disjoint = 0
        taken: set[str] = set()
        for i in group[: group.index(j)]:
            if not (
                (numbers[i] >= numbers[j]).all()
                and (inst.speaks[i] >= inst.speaks[j]).all()
                and (inst.traditions[i] >= inst.traditions[j]).all()
            ):
                continue
            if nats[i] == nats[j]:
                same += 1
            elif not nats[i] & taken:
                taken |= nats[i]
                disjoint += 1
        if same + max(0, disjoint - blocked) < keep:
            kept.append(j)
    return sorted(kept)


@pytest.mark.parametrize("dispute_id", ["D001", "D030"])
def test_dominance_reduction_matches_its_definition(demo_ws: Workspace, dispute_id: str) -> None:
    """``reduce`` (compared in blocks) keeps exactly the mediators the definition keeps, for several ``keep``."""
    inst = encode(demo_ws, demo_ws.view(demo_ws.dispute(dispute_id), load_rule_set("iomed")))
    pool = list(range(0, inst.n, 3))[:120]
    for keep in (1, 2, 4):
        assert solver_module.reduce(inst, keep, pool) == _reduce_by_definition(inst, keep, pool)
    assert set(solver_module.reduce(inst, 1, pool, protected=[1])) == {1, *solver_module.reduce(inst, 1, pool)}


def test_dominance_reduction_sees_one_nationality_set_however_spelt(demo_ws: Workspace) -> None:
    """Two mediators holding the same nationalities listed in another order have the same nationalities (``reduce``
    numbers each spelling once)."""
    inst = encode(demo_ws, demo_ws.view(demo_ws.dispute("D001"), load_rule_set("iomed")))
    pool = list(range(0, inst.n, 3))[:120]
    people = list(inst.mediators)
    for i in pool[::2]:
        nats = people[i].nationalities
        people[i] = replace(people[i], nationalities=(*nats[1:], nats[0]) if len(nats) > 1 else (*nats, *nats))
    spelt = replace(inst, mediators=tuple(people))
    for keep in (1, 2):
        assert solver_module.reduce(spelt, keep, pool) == _reduce_by_definition(spelt, keep, pool)


def test_panel_model_proto_is_the_plain_cp_models(demo_ws: Workspace) -> None:
    """``PanelModel`` writes its objective and hint to the proto in one go and makes no pre-PEP 8 aliases: the
    proto is the one ``CpModel`` with ``maximize`` and ``add_hint`` per variable gives."""
    from ortools.sat.python import cp_model

    inst = encode(demo_ws, demo_ws.view(demo_ws.dispute("D030"), load_rule_set("iomed")))
    idx = list(range(0, inst.n, 2))
    members, chair = idx[:3], next(i for i in idx if inst.chair_ok[i])
    model = solver_module.PanelModel(inst, idx, Locks())
    model.hint(members, chair)
    plain = cp_model.CpModel()
    panel = solver_module.add_panel(plain, inst, idx)
    plain.maximize(panel.weighted(inst))
    for i, x in panel.x.items():
        plain.add_hint(x, i in members)
    for i, c in panel.c.items():
        plain.add_hint(c, i == chair)
    assert str(model.model.proto) == str(plain.proto)
    assert not hasattr(model.model, "NewBoolVar") and hasattr(plain, "NewBoolVar")


def test_alignment_is_the_blocs_shared_with_each_party(demo_ws: Workspace) -> None:
    """Each party's alignment with the roster is computed once (``RosterArrays._alignments``) and read by every
    dispute of that party: each mediator's count of blocs (of any of their nationalities) the party belongs to."""
    rule_set = load_rule_set("iomed")
    countries = demo_ws.countries
    for dispute in demo_ws.data.disputes[:40]:
        inst = demo_ws.arrays.encode(demo_ws.view(dispute, rule_set))
        assert inst.alignment.dtype == np.int64 and inst.alignment.shape == (inst.n, len(dispute.parties))
        for row, someone in enumerate(inst.mediators):
            blocs = {b for nat in someone.nationalities for b in countries[nat].blocs}
            expected = [len(blocs & set(countries[party].blocs)) for party in dispute.parties]
            assert inst.alignment[row].tolist() == expected
    assert {p for d in demo_ws.data.disputes[:40] for p in d.parties} <= set(demo_ws.arrays._alignments)


@pytest.mark.parametrize("presolve", [True, False])
def test_a_search_stopped_early_keeps_only_a_bound_that_holds(demo_ws: Workspace, presolve: bool) -> None:
    """A search stopped before any panel reports a bound only where it holds: CP-SAT says 0 when it stops inside
    presolve, which is below the best panel (the batch's exact pricing would take it as a proof)."""
    inst = encode(demo_ws, demo_ws.view(demo_ws.dispute("D001"), load_rule_set("iomed")))
    idx = list(range(inst.n))
    best = solver_module.PanelModel(inst, idx, Locks()).solve(SolveConfig(time_limit=10.0))[2]
    assert best is not None
    stopped = solver_module.PanelModel(inst, idx, Locks())
    status, _, _, _ = stopped.solve(SolveConfig(time_limit=1e-7, presolve=presolve))
    assert status is Status.TIMEOUT
    assert stopped.best_bound is None or stopped.best_bound >= best
    if not presolve:
        assert stopped.best_bound is not None  # the search's own bound is kept
