"""Joint assignment against brute force, the panel enumeration against the checker, and the batch rules.

Tiny batches (a handful of mediators, two or three disputes) are solved by enumerating every
combination of panels, each panel checked and scored by ``check_panel`` (the rule checker, not the
solver); the batch must reach the same optimum, keep capacity and quotas, and diagnose a batch that
cannot be staffed. Larger demo-data runs check the proof (objective, bound) and determinism.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import product
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import matching.batch.joint as joint_module
import matching.batch.master as master_module
import matching.batch.run as batch_module
from matching.batch.disputes import Candidates
from matching.batch.master import (
    Column,
    ColumnLP,
    ColumnSet,
    GlobalRows,
    MasterResult,
    greedy_hint,
    repair_hint,
    starting_assignment,
)
from matching.batch.quotas import Quotas
from matching.batch.run import BatchOutcome, solve_batch
from matching.batch.settings import METHOD_FLOW, BatchConfig, BatchError
from matching.core.config import SolveConfig
from matching.core.paths import demo_dir
from matching.core.status import Status
from matching.demo.generate import write_demo_data
from matching.io.loading import load_folder
from matching.io.rulesets import load_rule_set
from matching.panel.model import solve_instance
from matching.rules.checker import panel_breaches
from matching.rules.encoding import RosterArrays, priced, restrict
from matching.rules.kernel import Panels, dispute_views, enumerate_panels
from matching.rules.workspace import Workspace
from tests.factories import dispute_row
from tests.strategies import COUNTRIES, best_of, brute_force, build_workspace, mediator_rows, person

IOMED = load_rule_set("iomed")


@pytest.fixture(scope="module")
def demo_ws() -> Workspace:
    return Workspace(load_folder(demo_dir()))


# --- the panel enumeration (the encoder: tests/test_kernel.py) ---------------------------------------------------------


def test_enumerated_panels_are_exactly_the_feasible_panels_with_their_best_chair(demo_ws: Workspace) -> None:
    arrays = RosterArrays(demo_ws)
    checked = 0
    for view in dispute_views(demo_ws, IOMED)[:40]:
        inst = arrays.encode(view)
        pool = list(range(min(inst.n, 11)))
        panels = enumerate_panels(inst, pool)
        found = {tuple(m): (int(v), int(c)) for m, v, c in zip(panels.members, panels.value, panels.chair, strict=True)}
        from itertools import combinations

        for combo in combinations(pool, inst.k):
            people = [inst.mediators[i] for i in combo]
            values = [
                inst.evaluate(list(combo), c).objective_int
                for c in combo
                if not panel_breaches(view, people, inst.mediators[c])
            ]
            got = found.get(combo)
            assert (got is None) == (not values), (view.dispute.dispute_id, combo)
            if got is not None:
                assert got[0] == max(values)
                assert inst.evaluate(list(combo), got[1]).objective_int == got[0]
            checked += 1
    assert checked > 1000


def test_priced_instance_subtracts_the_price_member_by_member(demo_ws: Workspace) -> None:
    view = dispute_views(demo_ws, IOMED, ["D030"])[0]
    inst = RosterArrays(demo_ws).encode(view)
    rng = np.random.default_rng(3)
    price = rng.integers(0, 200_000, size=inst.n)
    cheap = priced(inst, price)
    out = solve_instance(cheap, SolveConfig(candidates=1))
    members = list(out.panels[0].members)
    chair = out.panels[0].chair
    assert cheap.evaluate(members, chair).objective_int == inst.evaluate(members, chair).objective_int - int(
        price[members].sum()
    )
    sub = restrict(inst, members)
    assert sub.evaluate(list(range(inst.k)), members.index(chair)) == inst.evaluate(members, chair)


# --- tiny batches against brute force ----------------------------------------------------------------


def capacity_of(ws: Workspace, quotas: Quotas) -> dict[str, int]:
    cap = {m.mediator_id: max(0, m.max_cases - m.active_cases) for m in ws.data.mediators}
    if quotas.max_per_mediator is not None:
        cap = {k: min(v, quotas.max_per_mediator) for k, v in cap.items()}
    return cap


def keeps_capacity_and_quotas(
    ws: Workspace,
    quotas: Quotas,
    chosen: list[tuple[frozenset[str], int] | None],
    parties: list[tuple[str, ...]],
    cap: dict[str, int],
    seats: int,
) -> bool:
    """Whether the panels chosen for the disputes (None: unstaffed) keep capacity and every quota."""
    people = ws.data.mediators_by_id
    nat = {mid: m.effective_nationality for mid, m in people.items()}
    group = {mid: ws.countries[m.effective_nationality].un_group for mid, m in people.items()}
    used = Counter(mid for c in chosen if c is not None for mid in c[0])
    if any(n > cap[mid] for mid, n in used.items()):
        return False
    if quotas.max_state_share is not None:
        limit = quotas.state_limit(seats)
        assert limit is not None
        if max(Counter(nat[mid] for mid in used.elements()).values(), default=0) > limit:
            return False
    if quotas.max_group_share is not None:
        limit = quotas.group_limit(seats)
        assert limit is not None
        if max(Counter(group[mid] for mid in used.elements()).values(), default=0) > limit:
            return False
    if quotas.min_women_share is not None:
        need = quotas.women_minimum(seats)
        assert need is not None
        if sum(1 for mid in used.elements() if people[mid].gender == "F") < need:
            return False
    if quotas.max_same_party is not None:
        pairs = Counter((mid, p) for c, ps in zip(chosen, parties, strict=True) if c for mid in c[0] for p in ps)
        if max(pairs.values(), default=0) > quotas.max_same_party:
            return False
    return True


def brute_batch(ws: Workspace, quotas: Quotas) -> tuple[int | None, int | None, int, list[str]]:
    """(best total, best worst panel, most disputes staffed together, disputes with no panel alone)."""
    options: list[list[tuple[frozenset[str], int]]] = []
    alone_infeasible = []
    for d in ws.data.disputes:
        found = best_of(brute_force(ws, IOMED, dispute_id=d.dispute_id))
        if not found:
            alone_infeasible.append(d.dispute_id)
            continue
        options.append(sorted(found.items(), key=lambda kv: sorted(kv[0])))
    parties = [d.parties for d in ws.data.disputes if d.dispute_id not in alone_infeasible]
    seats = sum(len(opts[0][0]) for opts in options)
    cap = capacity_of(ws, quotas)

    def ok(chosen: list[tuple[frozenset[str], int] | None]) -> bool:
        return keeps_capacity_and_quotas(ws, quotas, chosen, parties, cap, seats)

    if not options:
        return 0, None, 0, alone_infeasible
    best_total = best_worst = None
    most = 0
    for combo in product(*[[None, *opts] for opts in options]):
        staffed = sum(1 for c in combo if c is not None)
        if staffed < most or not ok(list(combo)):
            continue
        if staffed > most:
            most = staffed
        if staffed == len(options):
            total = sum(c[1] for c in combo if c is not None)
            worst = min(c[1] for c in combo if c is not None)
            best_total = total if best_total is None else max(best_total, total)
            best_worst = worst if best_worst is None else max(best_worst, worst)
    return best_total, best_worst, most, alone_infeasible


@st.composite
def tiny_batches(draw: st.DrawFn) -> Workspace:
    n = draw(st.integers(5, 7))
    ids = [f"M{i:02d}" for i in range(1, n + 1)]
    mediators = [draw(mediator_rows(mid)) for mid in ids]
    for row in mediators:  # tight capacity: one or two new cases each
        row["max_cases"] = str(draw(st.integers(1, 2)))
        row["active_cases"] = "0"
    sizes = draw(st.lists(st.sampled_from([1, 1, 2, 3]), min_size=2, max_size=3))
    disputes = []
    for j, k in enumerate(sizes, start=1):
        parties = draw(st.lists(st.sampled_from(COUNTRIES), min_size=2, max_size=2, unique=True))
        disputes.append(
            dispute_row(
                f"D{j}",
                parties=";".join(parties),
                languages=draw(st.sampled_from(["en", "en", "fr", "en;fr"])),
                subject_areas=draw(st.sampled_from(["water", "trade", "energy;water"])),
                panel_size=k,
                nationality_rule=draw(st.sampled_from(["", "majority"])),
            )
        )
    return build_workspace(mediators, disputes)


def assert_every_rule_kept(ws: Workspace, quotas: Quotas, out: BatchOutcome) -> None:
    """Every panel keeps every hard rule, no mediator is over capacity, every quota holds."""
    cap = capacity_of(ws, quotas)
    used = Counter(seat.mediator_id for seat in out.seats)
    assert all(n <= cap[mid] for mid, n in used.items())
    for r in out.results:
        for p in r.panels:
            view = ws.view(ws.dispute(r.dispute_id), IOMED)
            people = [ws.data.mediator(mid) for mid in p.member_ids]
            assert panel_breaches(view, people, ws.data.mediator(p.chair_id)) == []
    assert all(q.kept for q in out.summary.quotas)


def check_outcome(ws: Workspace, quotas: Quotas, fair: bool) -> None:
    best_total, best_worst, most, alone = brute_batch(ws, quotas)
    out = solve_batch(ws, IOMED, BatchConfig(quotas=quotas, fair=fair, time_limit=10, workers=1))
    s = out.summary
    assert sorted(s.infeasible_alone) == sorted(alone)
    assert s.staffed == most
    if best_total is None:
        assert s.unstaffed and s.joint_infeasibility is not None
        return
    assert not s.unstaffed
    if best_worst is None:  # nothing to staff
        assert s.staffed == 0 and s.objective == 0
        return
    if fair:
        assert s.worst_objective is not None
        assert round(s.worst_objective * 1e6) == best_worst
    else:
        assert round(s.objective * 1e6) == best_total
        assert s.proven_optimal and s.gap == 0
    assert_every_rule_kept(ws, quotas, out)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ws=tiny_batches(), fair=st.booleans())
def test_tiny_batches_match_brute_force(ws: Workspace, fair: bool) -> None:
    check_outcome(ws, Quotas(), fair)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    ws=tiny_batches(),
    quotas=st.builds(
        Quotas,
        max_per_mediator=st.none() | st.just(1),
        max_state_share=st.none() | st.sampled_from([0.2, 0.34]),
        max_group_share=st.none() | st.sampled_from([0.4, 0.6]),
        min_women_share=st.none() | st.sampled_from([0.3, 0.5]),
        max_same_party=st.none() | st.just(1),
    ),
)
def test_tiny_batches_with_quotas_match_brute_force(ws: Workspace, quotas: Quotas) -> None:
    check_outcome(ws, quotas, fair=False)


def test_shared_stars_make_the_joint_optimum_lower_than_the_disputes_alone() -> None:
    # Two three-member water disputes; the two water experts can take one new case each.
    mediators = [
        person("M1", "FRA", expertise="water:5", gender="F", max_cases=1),
        person("M2", "GBR", expertise="water:5", gender="M", max_cases=1),
        person("M3", "BRA", expertise="water:1", gender="F", max_cases=2),
        person("M4", "IND", expertise="water:1", gender="M", max_cases=2),
        person("M5", "CHN", expertise="water:1", gender="M", max_cases=2),
        person("M6", "KEN", expertise="water:1", gender="F", max_cases=2),
    ]
    disputes = [dispute_row(f"D{j}", parties="ETH;SDN", panel_size=3, description="") for j in (1, 2)]
    ws = build_workspace(mediators, disputes)
    best_total, _, most, _ = brute_batch(ws, Quotas())
    out = solve_batch(ws, IOMED, BatchConfig(workers=1, time_limit=5))
    s = out.summary
    assert most == 2 and round(s.objective * 1e6) == best_total and s.proven_optimal
    alone = sum(r.best_bound for r in out.results if r.best_bound is not None)
    assert s.objective < alone  # the stars cannot sit on both panels
    assert Counter(seat.mediator_id for seat in out.seats)["M1"] == 1


def test_fairness_never_lowers_the_worst_dispute(demo_ws: Workspace) -> None:
    ids = [d.dispute_id for d in demo_ws.data.disputes[:16]]
    config = BatchConfig(quotas=Quotas(max_per_mediator=1), time_limit=20, workers=1)
    plain = solve_batch(demo_ws, IOMED, config, ids).summary
    fair = solve_batch(demo_ws, IOMED, BatchConfig(**{**config.__dict__, "fair": True}), ids).summary
    assert plain.worst_objective is not None and fair.worst_objective is not None
    assert fair.worst_objective >= plain.worst_objective
    assert fair.objective <= plain.bound + 1e-9


# --- one-member panels: the flow path ------------------------------------------------------------------


def test_one_member_panels_use_the_exact_flow_and_match_brute_force() -> None:
    mediators = [
        person("M1", "FRA", languages="en;fr", expertise="water:5", max_cases=1),
        person("M2", "GBR", languages="en", expertise="water:4", max_cases=1),
        person("M3", "BRA", languages="en;es", expertise="water:2", max_cases=2),
        person("M4", "IND", languages="en", expertise="trade:5", max_cases=1),
    ]
    disputes = [
        dispute_row(f"D{j}", parties=p, subject_areas=s, panel_size=1, languages="en")
        for j, (p, s) in enumerate(
            [("ETH;SDN", "water"), ("KEN;EGY", "water"), ("CHN;RUS", "trade"), ("MEX;KEN", "water")], 1
        )
    ]
    ws = build_workspace(mediators, disputes)
    best_total, best_worst, most, _ = brute_batch(ws, Quotas())
    plain = solve_batch(ws, IOMED, BatchConfig(workers=1))
    assert plain.summary.method == METHOD_FLOW
    assert round(plain.summary.objective * 1e6) == best_total and plain.summary.proven_optimal
    fair = solve_batch(ws, IOMED, BatchConfig(workers=1, fair=True))
    assert round(fair.summary.worst_objective * 1e6) == best_worst  # type: ignore[operator]
    capacity_only = solve_batch(ws, IOMED, BatchConfig(workers=1, capacity_only=True))
    assert capacity_only.summary.objective == plain.summary.objective
    assert most == 4


def test_flow_path_reports_disputes_left_out_by_capacity() -> None:
    mediators = [person("M1", "FRA", max_cases=1), person("M2", "GBR", max_cases=1)]
    disputes = [dispute_row(f"D{j}", parties="ETH;SDN", panel_size=1) for j in (1, 2, 3)]
    out = solve_batch(build_workspace(mediators, disputes), IOMED, BatchConfig(workers=1))
    assert out.summary.staffed == 2 and len(out.summary.unstaffed) == 1
    assert out.summary.joint_infeasibility is not None
    assert out.summary.joint_infeasibility["conflicting_rules"] == ["H3"]
    left = next(r for r in out.results if r.dispute_id in out.summary.unstaffed)
    assert left.status == "infeasible" and left.infeasibility is not None


def test_capacity_only_refuses_larger_panels(demo_ws: Workspace) -> None:
    with pytest.raises(BatchError, match="one member"):
        solve_batch(demo_ws, IOMED, BatchConfig(capacity_only=True), ["D002"])


# --- quotas that cannot be met, and the demo data -------------------------------------------------------


def test_infeasible_quota_is_diagnosed() -> None:
    # Six seats; only one woman on the roster: at least half the seats for women is impossible.
    mediators = [
        person("M1", "FRA", gender="F", max_cases=3),
        person("M2", "GBR", gender="M", max_cases=3),
        person("M3", "BRA", gender="M", max_cases=3),
        person("M4", "IND", gender="M", max_cases=3),
    ]
    disputes = [dispute_row(f"D{j}", parties="ETH;SDN", panel_size=3) for j in (1, 2)]
    ws = build_workspace(mediators, disputes)
    out = solve_batch(ws, IOMED, BatchConfig(quotas=Quotas(min_women_share=0.5), workers=1, time_limit=5))
    s = out.summary
    assert s.unstaffed and s.joint_infeasibility is not None
    assert "min_women_share" in s.joint_infeasibility["conflicting_rules"]
    assert any("--min-women-share" in line for line in s.joint_infeasibility["suggestions"])
    # Without the quota both disputes are staffed.
    assert solve_batch(ws, IOMED, BatchConfig(workers=1, time_limit=5)).summary.staffed == 2


def test_demo_batch_is_proven_and_deterministic(demo_ws: Workspace) -> None:
    ids = [d.dispute_id for d in demo_ws.data.disputes[:30]] + ["D054"]
    assert "D027" in ids
    config = BatchConfig(quotas=Quotas(max_per_mediator=2, max_state_share=0.1), time_limit=20, workers=1, seed=3)
    first = solve_batch(demo_ws, IOMED, config, ids)
    s = first.summary
    assert "D027" in s.infeasible_alone
    d027 = next(r for r in first.results if r.dispute_id == "D027")
    assert d027.status == "infeasible" and d027.infeasibility and d027.infeasibility["conflicting_rules"]
    assert s.staffed == len(ids) - 1
    assert s.objective <= s.bound + 1e-9 and s.relative_gap < 0.01
    for r in first.results:
        if r.panels:
            assert len(r.panels) == 1 and r.objective is not None and r.best_bound is not None
            assert r.objective <= r.best_bound + 1e-9
            assert r.status == ("optimal" if r.objective >= r.best_bound - 1e-9 else "feasible")
    assert all(q.kept for q in s.quotas)
    doc = first.document()
    assert set(doc) == {"run", "disputes", "batch"}
    assert doc["batch"]["best_bound"] >= doc["batch"]["objective"]
    again = solve_batch(demo_ws, IOMED, config, ids)
    assert [r.as_dict() for r in again.results] == [r.as_dict() for r in first.results]


def test_cut_short_phases_still_give_a_valid_bound(demo_ws: Workspace) -> None:
    """With no time for solvers, bounds come from the mediators' upper bounds: looser, still valid."""
    ids = [d.dispute_id for d in demo_ws.data.disputes[30:42]]
    config = BatchConfig(dispute_phase_limit=0.0, time_limit=0.2, workers=1)
    s = solve_batch(demo_ws, IOMED, config, ids).summary
    full = solve_batch(demo_ws, IOMED, BatchConfig(time_limit=20, workers=1), ids).summary
    assert s.staffed == full.staffed
    assert s.objective <= s.bound + 1e-9
    assert full.objective <= s.bound + 1e-9  # the loose bound still bounds the better answer
    assert s.bound <= full.bound * 1.5  # looser, but a real bound (no mediator left unbounded)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    ws=tiny_batches(),
    quotas=st.builds(
        Quotas,
        max_per_mediator=st.none() | st.just(1),
        min_women_share=st.none() | st.just(0.3),
        max_same_party=st.none() | st.just(1),
    ),
)
def test_column_generation_bounds_hold_with_small_pools(ws: Workspace, quotas: Quotas) -> None:
    """Pools of three mediators and no full enumeration: the linear programme, exact pricing and
    Lagrangian bound run, and must bracket the brute-force optimum."""
    best_total, _, most, _ = brute_batch(ws, quotas)
    with pools_of_three():
        out = solve_batch(ws, IOMED, BatchConfig(quotas=quotas, time_limit=10, workers=1, enumeration_budget=3))
    s = out.summary
    assert s.staffed <= most
    if best_total is None or s.unstaffed or s.staffed == 0:
        return
    assert round(s.objective * 1e6) <= best_total <= round(s.bound * 1e6)
    if s.proven_optimal:
        assert round(s.objective * 1e6) == best_total
    assert all(q.kept for q in s.quotas)


class _SlowClock:
    """A clock on which every reading is a thousand seconds after the last: a machine slowed to a crawl."""

    def __init__(self) -> None:
        self.now = 0.0

    def perf_counter(self) -> float:
        self.now += 1000.0
        return self.now

    def time(self) -> float:
        return self.perf_counter()


def test_results_do_not_depend_on_the_wall_clock(demo_ws: Workspace) -> None:
    """Every stop is deterministic: a run on a crawling clock chooses exactly the same panels, even when
    the quotas leave disputes unstaffed (the case that used to depend on wall-clock limits)."""
    import matching.batch.disputes as disputes_module

    ids = [d.dispute_id for d in demo_ws.data.disputes[:16]]
    config = BatchConfig(quotas=Quotas(max_per_mediator=1, max_group_share=0.19), time_limit=4, workers=1, seed=2)
    with mock.patch.object(joint_module, "MASTER_ALL_LIMIT", 0):  # column generation, exact pricing, assignment
        normal = solve_batch(demo_ws, IOMED, config, ids)
        clock = _SlowClock()
        with (
            mock.patch.object(batch_module, "time", clock),
            mock.patch.object(joint_module, "time", clock),
            mock.patch.object(disputes_module, "time", clock),
        ):
            crawling = solve_batch(demo_ws, IOMED, config, ids)
    assert normal.summary.unstaffed, "the quota should leave some dispute unstaffed"
    assert [r.as_dict() for r in crawling.results] == [r.as_dict() for r in normal.results]
    keep = {k: v for k, v in normal.summary.as_dict().items() if k != "seconds"}
    assert {k: v for k, v in crawling.summary.as_dict().items() if k != "seconds"} == keep


@pytest.mark.parametrize("gap", [-0.1, 1.0])
def test_a_gap_outside_zero_to_one_is_refused_in_plain_words(demo_ws: Workspace, gap: float) -> None:
    with pytest.raises(BatchError, match="--gap must be at least 0 and below 1"):
        solve_batch(demo_ws, IOMED, BatchConfig(gap=gap, workers=1), ["D001", "D002"])


def test_a_looser_gap_stops_earlier_but_still_within_it(demo_ws: Workspace) -> None:
    """The gap setting trades work for proof: the run stops improving once the panels are proven within it."""
    ids = [d.dispute_id for d in demo_ws.data.disputes[:24]]
    with mock.patch.object(joint_module, "MASTER_ALL_LIMIT", 0):
        tight = solve_batch(demo_ws, IOMED, BatchConfig(gap=0.0, time_limit=20, workers=1), ids).summary
        loose = solve_batch(demo_ws, IOMED, BatchConfig(gap=0.2, time_limit=20, workers=1), ids).summary
    assert loose.exact_rounds == 1 <= tight.exact_rounds
    assert loose.relative_gap <= 0.2 and tight.relative_gap <= loose.relative_gap + 1e-9
    assert loose.objective <= tight.bound + 1e-9 and tight.objective <= loose.bound + 1e-9


@pytest.mark.parametrize(("columns_first", "tiny_pools"), [(True, False), (False, False), (False, True)])
def test_when_the_assignment_model_finds_nothing_the_greedy_assignment_keeps_every_rule(
    demo_ws: Workspace, columns_first: bool, tiny_pools: bool
) -> None:
    """On very large batches the assignment model can run out of time before its first solution: the
    greedy assignment then staffs the disputes, and must still keep capacity, quotas and every hard rule.
    Without ``columns_first`` the greedy pass over the columns places nobody, so every panel comes from
    the repair over the disputes' whole pools; with ``tiny_pools`` (three mediators each, one seat per
    mediator) those pools soon run dry and fresh pools without the mediators already seated take over."""

    def nothing_found(columns: object, rows: object, n: int, **_: object) -> MasterResult:
        return MasterResult("timeout", [None] * n, 0, None)

    ids = [d.dispute_id for d in demo_ws.data.disputes[:20]]
    quotas = Quotas(max_per_mediator=1, max_state_share=0.1)

    def nobody(columns: object, rows: object, n: int, weights: object, *_: object) -> list[int | None]:
        return [None] * n

    with (
        mock.patch.object(joint_module, "MASTER_ALL_LIMIT", 0),
        mock.patch.object(joint_module, "solve_master", nothing_found),
        mock.patch.object(joint_module, "start_within_target", lambda *_: None),  # the model is asked
        mock.patch.object(master_module, "greedy_hint", master_module.greedy_hint if columns_first else nobody),
        mock.patch.object(batch_module, "MIN_ENUMERATION", 3 if tiny_pools else batch_module.MIN_ENUMERATION),
    ):
        config = BatchConfig(quotas=quotas, time_limit=5, workers=1, enumeration_budget=3 if tiny_pools else 15_000_000)
        out = solve_batch(demo_ws, IOMED, config, ids)
    s = out.summary
    assert s.staffed == len(ids) and "greedy" in s.method
    assert s.objective <= s.bound + 1e-9
    assert_every_rule_kept(demo_ws, quotas, out)


# --- the proven bound against an exact solver over every panel ----------------------------------------


def every_panel(ws: Workspace) -> tuple[list[tuple[int, tuple[str, ...], int]], list[tuple[str, ...]], int]:
    """Every feasible panel of every dispute (dispute position, member ids, value) by the kernel's
    enumeration over the whole roster; each dispute's parties; the seats of the disputes with a panel."""
    arrays = RosterArrays(ws)
    options: list[tuple[int, tuple[str, ...], int]] = []
    views = dispute_views(ws, IOMED)
    seats = 0
    for j, view in enumerate(views):
        inst = arrays.encode(view, with_excluded=False)
        panels = enumerate_panels(inst, list(range(inst.n)))
        seats += view.dispute.panel_size if len(panels) else 0
        for members, value in zip(panels.members, panels.value, strict=True):
            options.append((j, tuple(inst.mediators[int(i)].mediator_id for i in members), int(value)))
    return options, [v.dispute.parties for v in views], seats


def quota_rows(
    ws: Workspace,
    quotas: Quotas,
    options: list[tuple[int, tuple[str, ...], int]],
    parties: list[tuple[str, ...]],
    seats: int,
) -> dict[tuple[str, ...], tuple[float, float, dict[int, int]]]:
    """Each row (one per dispute, capacity, every quota) with its limits and its count on each panel,
    written out from the mediators' own records."""
    people = ws.data.mediators_by_id
    cap = capacity_of(ws, quotas)
    out: dict[tuple[str, ...], tuple[float, float, dict[int, int]]] = {}

    def count(key: tuple[str, ...], c: int, lo: float, hi: float) -> None:
        entries = out.setdefault(key, (lo, hi, {}))[2]
        entries[c] = entries.get(c, 0) + 1

    for c, (j, members, _) in enumerate(options):
        count(("dispute", str(j)), c, 0, 1)
        for mid in members:
            m = people[mid]
            count(("cap", mid), c, 0, cap[mid])
            if quotas.max_state_share is not None:
                count(("state", m.effective_nationality), c, 0, quotas.state_limit(seats) or 0)
            if quotas.max_group_share is not None:
                count(
                    ("group", ws.countries[m.effective_nationality].un_group.value),
                    c,
                    0,
                    quotas.group_limit(seats) or 0,
                )
            if quotas.min_women_share is not None and m.gender == "F":
                count(("women",), c, quotas.women_minimum(seats) or 0, np.inf)
            for p in parties[j] if quotas.max_same_party is not None else ():
                count(("party", mid, p), c, 0, quotas.max_same_party or 0)
    if quotas.min_women_share is not None:
        out.setdefault(("women",), (quotas.women_minimum(seats) or 0, np.inf, {}))
    return out


def _tiny_generated(seed: int) -> Workspace:
    """A generated roster of 14 mediators and 6 disputes: small enough for ``milp_batch`` over every panel."""
    with tempfile.TemporaryDirectory() as folder:
        write_demo_data(Path(folder), seed=seed, mediators=14, disputes=6)
        return Workspace(load_folder(Path(folder)))


@contextmanager
def pools_of_three() -> Iterator[None]:
    """Pools of three mediators and no full enumeration into the assignment model, so that the linear
    programme, exact pricing and the Lagrangian bound all run on small instances."""
    with (
        mock.patch.object(batch_module, "MIN_ENUMERATION", 3),
        mock.patch.object(joint_module, "MASTER_ALL_LIMIT", 0),
    ):
        yield


def milp_batch(ws: Workspace, quotas: Quotas) -> tuple[int, int]:
    """(most disputes staffed together, best total among those) by ``scipy.optimize.milp`` over every
    feasible panel of every dispute, with capacity and every quota."""
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import lil_matrix

    options, parties, seats = every_panel(ws)
    if not options:
        return 0, 0
    rows = quota_rows(ws, quotas, options, parties, seats)
    n = len(options)
    a = lil_matrix((len(rows), n))
    for r, (_, _, entries) in enumerate(rows.values()):
        for c, v in entries.items():
            a[r, c] = v
    limits = LinearConstraint(a.tocsr(), [lo for lo, _, _ in rows.values()], [hi for _, hi, _ in rows.values()])
    integral, box = np.ones(n), Bounds(0, 1)
    first = milp(-np.ones(n), constraints=[limits], integrality=integral, bounds=box)
    if first.status != 0:  # not even the women's minimum can be met: nothing is staffed
        return 0, 0
    most = round(-first.fun)
    values = np.array([v for _, _, v in options], dtype=np.float64)
    staffed = LinearConstraint(np.ones((1, n)), most, most)
    second = milp(-values, constraints=[limits, staffed], integrality=integral, bounds=box)
    assert second.status == 0
    return most, round(-second.fun)


@pytest.mark.parametrize(
    ("seed", "quotas"),
    [
        (1, Quotas(max_per_mediator=1)),
        (2, Quotas(max_per_mediator=1, max_state_share=0.15, min_women_share=0.4)),
        (3, Quotas(max_group_share=0.4, min_women_share=0.5, max_same_party=1)),
        (4, Quotas(max_per_mediator=1, max_state_share=0.1, max_group_share=0.3)),
        (5, Quotas(max_per_mediator=2, min_women_share=0.6)),
    ],
)
def test_the_reported_bound_holds_against_an_exact_solver_over_every_panel(seed: int, quotas: Quotas) -> None:
    """Column generation on tiny pools (the linear programme, exact pricing and the Lagrangian bound all
    run) on a generated roster with quotas: the objective is at most the exact optimum found by
    ``scipy.optimize.milp`` over every panel, and the reported bound at least it, also when the quotas
    leave disputes unstaffed (then among the assignments staffing the most)."""
    ws = _tiny_generated(seed)
    most, best_total = milp_batch(ws, quotas)
    with pools_of_three():
        config = BatchConfig(quotas=quotas, time_limit=10, workers=1, enumeration_budget=3, gap=0.0)
        out = solve_batch(ws, IOMED, config)
    s = out.summary
    assert s.staffed <= most
    if s.staffed == most:
        assert round(s.objective * 1e6) <= best_total
    assert best_total <= round(s.bound * 1e6), s.bound_sources
    if not s.unstaffed:  # (the quota reports measure shares of the seats filled, the limits of the batch's seats)
        assert_every_rule_kept(ws, quotas, out)


@pytest.mark.parametrize("gap", [0.05, 0.3])
def test_a_start_already_within_the_gap_is_kept_only_when_it_keeps_every_rule_and_reaches_it(gap: float) -> None:
    """When the greedy start staffs every dispute within the gap of the proven bound, the assignment model
    is not run: the start must then keep every rule and quota, be within the gap of the reported bound,
    and be no better than the exact optimum (scipy milp over every panel)."""
    quotas = Quotas(max_group_share=0.4, min_women_share=0.5, max_same_party=1)
    ws = _tiny_generated(3)
    most, best_total = milp_batch(ws, quotas)
    with pools_of_three():
        config = BatchConfig(quotas=quotas, time_limit=10, workers=1, enumeration_budget=3, gap=gap)
        out = solve_batch(ws, IOMED, config)
    s = out.summary
    assert "the assignment model was not needed" in s.method  # (on this instance the start is that good)
    assert s.staffed == most == s.disputes
    assert s.relative_gap <= gap
    assert round(s.objective * 1e6) <= best_total <= round(s.bound * 1e6)
    assert_every_rule_kept(ws, quotas, out)


# --- the repair of the starting assignment ---------------------------------------------------------------


def _one_member_candidates(options: list[dict[int, int]]) -> list[Candidates]:
    """Disputes of one-member panels: ``options[j]`` maps a mediator (roster index) to the panel's value."""
    out = []
    for j, panels in enumerate(options):
        pool = np.array(sorted(panels), dtype=np.int64)
        members = np.arange(len(pool), dtype=np.int32).reshape(-1, 1)
        value = np.array([panels[int(i)] for i in pool], dtype=np.int64)
        found = Panels(members, np.zeros(len(pool), dtype=np.int32), value)
        out.append(Candidates(j, f"D{j}", 1, Status.OPTIMAL, int(value.max()), None, (), len(pool), pool, found, False))
    return out


@settings(max_examples=60, deadline=None)
@given(
    capacity=st.lists(st.integers(0, 2), min_size=3, max_size=6),
    options=st.lists(
        st.dictionaries(st.integers(0, 5), st.integers(1, 9), min_size=1, max_size=3), min_size=2, max_size=6
    ),
)
def test_the_repaired_starting_assignment_keeps_capacity_and_never_staffs_fewer(
    capacity: list[int], options: list[dict[int, int]]
) -> None:
    """The greedy start, then the repair (pool panels, then one swap): never over a mediator's capacity,
    never fewer disputes staffed than the greedy start, every dispute on a panel of its own."""
    cap = np.array(capacity + [0] * (6 - len(capacity)), dtype=np.int64)
    arrays = SimpleNamespace(capacity=cap, n=len(cap))
    rows = GlobalRows(arrays, [("A", "B")] * len(options), Quotas(), len(options))  # type: ignore[arg-type]
    joint = _one_member_candidates(options)
    columns = ColumnSet(len(joint))
    for j, cand in enumerate(joint):
        columns.add(Column(j, (int(cand.pool[int(np.argmax(cand.panels.value))]),), int(cand.panels.value.max())))
    start = greedy_hint(columns, rows, len(joint), None)
    out = repair_hint(columns, rows, joint, start)
    seats = Counter(i for c in out if c is not None for i in columns.columns[c].members)
    assert all(n <= cap[i] for i, n in seats.items())
    assert sum(c is not None for c in out) >= sum(c is not None for c in start)
    assert all(columns.columns[c].dispute == j for j, c in enumerate(out) if c is not None)


def test_a_swap_staffs_a_dispute_whose_only_mediator_another_dispute_can_do_without() -> None:
    # Mediators 0 and 1, one seat each: dispute 0 prefers mediator 0 but can take 1; dispute 1 has only 0.
    arrays = SimpleNamespace(capacity=np.array([1, 1]), n=2)
    rows = GlobalRows(arrays, [("A", "B")] * 2, Quotas(), 2)  # type: ignore[arg-type]
    joint = _one_member_candidates([{0: 9, 1: 5}, {0: 8}])
    columns = ColumnSet(2)
    first = columns.add(Column(0, (0,), 9))
    out = repair_hint(columns, rows, joint, [first, None])
    assert [columns.columns[c].members for c in out if c is not None] == [(1,), (0,)]


def _panel_candidates(options: list[dict[tuple[int, ...], int]]) -> list[Candidates]:
    """Disputes of panels of any size: ``options[j]`` maps a panel (roster indices) to its value."""
    out = []
    for j, panels in enumerate(options):
        pool = np.array(sorted({i for members in panels for i in members}), dtype=np.int64)
        k = len(next(iter(panels)))
        where = {int(i): n for n, i in enumerate(pool)}
        members = np.array([[where[i] for i in sorted(p)] for p in panels], dtype=np.int32).reshape(-1, k)
        value = np.array(list(panels.values()), dtype=np.int64)
        found = Panels(members, np.zeros(len(value), dtype=np.int32), value)
        out.append(Candidates(j, f"D{j}", k, Status.OPTIMAL, int(value.max()), None, (), len(pool), pool, found, False))
    return out


def test_a_dispute_whose_only_panel_needs_two_full_mediators_is_staffed_by_moving_both_holders() -> None:
    # Mediators 0 to 3, one seat each: disputes 0 and 1 hold mediators 0 and 1 and can move to 2 and 3;
    # dispute 2's only panel is (0, 1).
    arrays = SimpleNamespace(capacity=np.array([1, 1, 1, 1]), n=4)
    rows = GlobalRows(arrays, [("A", "B")] * 3, Quotas(), 4)  # type: ignore[arg-type]
    joint = _panel_candidates([{(0,): 9, (2,): 5}, {(1,): 9, (3,): 5}, {(0, 1): 8}])
    columns = ColumnSet(3)
    start = [columns.add(Column(0, (0,), 9)), columns.add(Column(1, (1,), 9)), None]
    out = repair_hint(columns, rows, joint, start)
    assert [columns.columns[c].members for c in out if c is not None] == [(2,), (3,), (0, 1)]


CAPACITIES = st.lists(st.integers(0, 2), min_size=6, max_size=6)  # seats of 6 mediators


def _panel_lists(min_size: int) -> st.SearchStrategy[list[tuple[int, set[int], int]]]:
    """Candidate panels of 1 to 3 of the 6 mediators for 4 disputes: (dispute, members, value)."""
    return st.lists(
        st.tuples(st.integers(0, 3), st.sets(st.integers(0, 5), min_size=1, max_size=3), st.integers(1, 9)),
        min_size=min_size,
        max_size=24,
    )


def _capacity_rows(cap: np.ndarray) -> GlobalRows:
    """The rows of 4 disputes between parties A and B with these seats per mediator and no quotas."""
    return GlobalRows(SimpleNamespace(capacity=cap, n=len(cap)), [("A", "B")] * 4, Quotas(), 4)  # type: ignore[arg-type]


def _add_panels(columns: ColumnSet, panels: list[tuple[int, set[int], int]]) -> None:
    for j, members, value in panels:
        columns.add(Column(j, tuple(sorted(members)), value * 1_000_000))


@settings(max_examples=60, deadline=None)
@given(
    capacity=CAPACITIES,
    options=st.lists(
        st.integers(1, 2).flatmap(
            lambda k: st.dictionaries(
                st.lists(st.integers(0, 5), min_size=k, max_size=k, unique=True).map(lambda m: tuple(sorted(m))),
                st.integers(1, 9),
                min_size=1,
                max_size=3,
            )
        ),
        min_size=2,
        max_size=6,
    ),
)
def test_moving_disputes_in_the_way_keeps_capacity_and_never_staffs_fewer(
    capacity: list[int], options: list[dict[tuple[int, ...], int]]
) -> None:
    """Panels of one and two members: the repair (moving the disputes holding the full members of a left-out
    dispute's panel) never goes over a mediator's capacity, never staffs fewer disputes than the greedy
    start, and puts every dispute on one of its own panels."""
    cap = np.array(capacity, dtype=np.int64)
    rows = GlobalRows(SimpleNamespace(capacity=cap, n=6), [("A", "B")] * len(options), Quotas(), 6)  # type: ignore[arg-type]
    joint = _panel_candidates(options)
    columns = ColumnSet(len(joint))
    for j, panels in enumerate(options):
        best = max(panels, key=lambda p: (panels[p], p))
        columns.add(Column(j, best, panels[best]))
    start = greedy_hint(columns, rows, len(joint), None)
    out = repair_hint(columns, rows, joint, start)
    seats = Counter(i for c in out if c is not None for i in columns.columns[c].members)
    assert all(n <= cap[i] for i, n in seats.items())
    assert sum(c is not None for c in out) >= sum(c is not None for c in start)
    for j, c in enumerate(out):
        if c is not None:
            assert columns.columns[c].dispute == j and columns.columns[c].members in options[j]


def test_a_dispute_the_surest_first_start_leaves_out_is_staffed_by_another_start() -> None:
    """Mediators 0 and 1, one seat each. The programme's solution puts dispute 0 on mediator 0 for sure,
    so the surest-first greedy start seats it there and dispute 1 (mediator 0 only) is left out, with
    no repair (here none) to place it. The fewest-panels-first start staffs both: it is kept, and it
    staffs as many disputes as brute force over every choice of the columns allows."""
    cap = np.array([1, 1])
    rows = GlobalRows(SimpleNamespace(capacity=cap, n=2), [("A", "B")] * 2, Quotas(), 2)  # type: ignore[arg-type]
    columns = ColumnSet(2)
    for j, members, value in ((0, (0,), 9), (0, (1,), 5), (1, (0,), 8)):
        columns.add(Column(j, members, value))
    weights = np.array([1.0, 0.0, 0.0])
    surest = greedy_hint(columns, rows, 2, weights)
    assert surest[1] is None  # the case the other starts are for

    out = starting_assignment(columns, rows, 2, weights, lambda hint: hint)
    most = 0
    for choice in product(
        *[[None, *[c for c, col in enumerate(columns.columns) if col.dispute == j]] for j in range(2)]
    ):
        seats = Counter(i for c in choice if c is not None for i in columns.columns[c].members)
        if all(n <= cap[i] for i, n in seats.items()):
            most = max(most, sum(c is not None for c in choice))
    assert sum(c is not None for c in out) == most == 2
    seats = Counter(i for c in out if c is not None for i in columns.columns[c].members)
    assert all(n <= cap[i] for i, n in seats.items())
    assert all(columns.columns[c].dispute == j for j, c in enumerate(out) if c is not None)


@settings(max_examples=60, deadline=None)
@given(
    capacity=st.lists(st.integers(0, 2), min_size=4, max_size=4),
    panels=st.lists(
        st.tuples(st.integers(0, 3), st.sets(st.integers(0, 3), min_size=1, max_size=2), st.integers(1, 9)),
        min_size=1,
        max_size=10,
    ),
    weight=st.lists(st.floats(0, 1), min_size=10, max_size=10),
)
def test_the_kept_start_staffs_at_least_the_surest_first_one_and_keeps_capacity(
    capacity: list[int], panels: list[tuple[int, set[int], int]], weight: list[float]
) -> None:
    """Whatever the programme's solution, the start kept staffs no fewer disputes than the surest-first
    greedy start (and is worth no less when it staffs as many), and keeps every mediator's capacity."""
    cap = np.array(capacity, dtype=np.int64)
    rows = GlobalRows(SimpleNamespace(capacity=cap, n=4), [("A", "B")] * 4, Quotas(), 4)  # type: ignore[arg-type]
    columns = ColumnSet(4)
    for j, members, value in panels:
        columns.add(Column(j, tuple(sorted(members)), value))
    weights = np.array(weight[: len(columns)])
    surest = greedy_hint(columns, rows, 4, weights)
    out = starting_assignment(columns, rows, 4, weights, lambda hint: hint)

    def rank(hint: list[int | None]) -> tuple[int, int]:
        return sum(c is not None for c in hint), sum(columns.columns[c].value for c in hint if c is not None)

    assert rank(out) >= rank(surest)
    seats = Counter(i for c in out if c is not None for i in columns.columns[c].members)
    assert all(n <= cap[i] for i, n in seats.items())


def test_a_priced_panel_outside_a_full_pool_takes_the_place_of_the_pools_worst(demo_ws: Workspace) -> None:
    """Exact pricing with the pool's own mediators priced out: the best priced panel lies outside the pool,
    and the pool that comes back holds it, is no larger than before and lists every panel of its own."""
    from matching.batch.disputes import alone_chunk, exact_chunk, make_state, pool_size

    state = make_state(demo_ws, IOMED)
    config = SolveConfig(candidates=1, time_limit=10.0, seed=0, workers=1, presolve=False)
    (cand,) = alone_chunk([(0, "D030")], 300, config, state=state)
    price = np.zeros(demo_ws.arrays.n)
    price[cand.pool] = 10_000_000  # ten objective points a seat: the pool is out of reach
    (priced_out,) = exact_chunk([(0, "D030", cand.pool, -(10**9))], price, {}, 300, config, state=state)
    assert priced_out.members and not set(priced_out.members) <= set(cand.pool.tolist())
    assert priced_out.pool is not None and priced_out.panels is not None
    assert set(priced_out.members) <= set(priced_out.pool.tolist())
    assert len(priced_out.pool) <= max(len(cand.pool), pool_size(cand.k, 300))
    members = {tuple(sorted(int(priced_out.pool[i]) for i in row)) for row in priced_out.panels.members}
    assert tuple(sorted(priced_out.members)) in members


# --- the linear programme over the columns ------------------------------------------------------------------


def _full_lp_value(columns: ColumnSet, cap: np.ndarray, n_disputes: int) -> float:
    """``scipy.optimize.linprog`` over every column with every capacity row and an artificial column
    per dispute (worth -100, as in ``ColumnLP``): the value the programme with lazy rows must reach."""
    from scipy.optimize import linprog

    n_cols = len(columns) + n_disputes
    a_eq = np.zeros((n_disputes, n_cols))
    a_ub = np.zeros((len(cap), n_cols))
    cost = np.zeros(n_cols)
    for c, col in enumerate(columns.columns):
        a_eq[col.dispute, c] = 1
        a_ub[list(col.members), c] = 1
        cost[c] = -col.value / 1_000_000
    for j in range(n_disputes):
        a_eq[j, len(columns) + j] = 1
        cost[len(columns) + j] = 100.0
    out = linprog(cost, A_ub=a_ub, b_ub=cap, A_eq=a_eq, b_eq=np.ones(n_disputes), bounds=(0, 1), method="highs")
    assert out.status == 0
    return float(-out.fun)


@settings(max_examples=40, deadline=None)
@given(
    capacity=CAPACITIES,
    panels=_panel_lists(min_size=1),
)
def test_the_programme_with_lazy_rows_and_dropped_columns_keeps_the_full_programmes_value(
    capacity: list[int], panels: list[tuple[int, set[int], int]]
) -> None:
    """Capacity rows join only when broken, columns with a negative reduced cost leave and come back:
    the value is every time that of the programme with every row and every column (scipy linprog)."""

    cap = np.array(capacity, dtype=np.int64)
    rows = _capacity_rows(cap)
    columns = ColumnSet(4)
    _add_panels(columns, panels)
    lp = ColumnLP(4, rows, columns)
    full = _full_lp_value(columns, cap, 4)
    assert lp.solve() == pytest.approx(full, abs=1e-6)
    gone = lp.drop(below=0.0)
    dropped = [c for c in range(len(columns)) if lp.col_of[c] < 0]
    assert len(dropped) == gone
    assert lp.solve() == pytest.approx(full, abs=1e-6)  # a column with a negative reduced cost changes nothing
    assert all(lp.values()[c] == 0 for c in dropped)
    for c in dropped:
        assert lp.revive(c)
    assert lp.solve() == pytest.approx(full, abs=1e-6)
    assert sorted(lp.col_of) == sorted(set(lp.col_of)) and min(lp.col_of, default=0) >= 0  # each column once


@settings(max_examples=40, deadline=None)
@given(
    capacity=CAPACITIES,
    panels=_panel_lists(min_size=2),
)
def test_an_interior_point_restart_reaches_the_full_programmes_value_at_a_vertex_with_valid_prices(
    capacity: list[int], panels: list[tuple[int, set[int], int]]
) -> None:
    """After many new columns the programme is solved afresh by interior point and crossover: its value is
    the full programme's (scipy linprog), it ends at a vertex (a valid basis, so later solves start from
    it) and its prices price every column in it at no positive reduced cost (what pricing relies on)."""
    cap = np.array(capacity, dtype=np.int64)
    rows = _capacity_rows(cap)

    def solved() -> tuple[ColumnSet, ColumnLP, float]:
        columns = ColumnSet(4)
        half = len(panels) // 2
        _add_panels(columns, panels[:half])
        lp = ColumnLP(4, rows, columns)
        lp.solve()
        _add_panels(columns, panels[half:])
        with mock.patch.object(master_module, "IPM_AT", 0.0), mock.patch.object(master_module, "IPM_MIN", 0):
            return columns, lp, lp.solve()

    columns, lp, value = solved()
    assert lp.interior >= 1 and lp.h.getBasis().valid
    _, again, _ = solved()  # the same vertex and prices every time (the run is reproducible)
    assert again.values().tolist() == lp.values().tolist() and again.duals()[0] == lp.duals()[0]
    assert value == pytest.approx(_full_lp_value(columns, cap, 4), abs=1e-6)
    duals, mu = lp.duals()
    for c, col in enumerate(columns.columns):
        if lp.col_of[c] >= 0:
            priced_at = sum(duals.get(("cap", i), 0.0) for i in col.members)
            assert col.value - mu[col.dispute] - priced_at <= 1e-3  # objective units (a millionth of a point)


def test_a_capacity_row_joins_once_a_mediators_columns_serve_more_disputes_than_its_capacity() -> None:
    """Mediator 0 (one seat) is in panels of two disputes, mediator 1 (two seats) of two, mediator 2 in two
    panels of one dispute: once the columns are in the programme (before any solve), mediator 0 has its
    capacity row and the others none (theirs can never be broken); the programme's value is the full one's."""
    cap = np.array([1, 2, 1, 1, 1, 1], dtype=np.int64)
    columns = ColumnSet(4)
    _add_panels(columns, [(0, {0, 1}, 5), (1, {0, 1}, 4), (2, {2}, 3), (2, {2, 3}, 2)])
    lp = ColumnLP(4, _capacity_rows(cap), columns)
    lp.sync()
    assert set(lp.row_of) == {("cap", 0)}
    assert lp.solve() == pytest.approx(_full_lp_value(columns, cap, 4), abs=1e-6)
    _add_panels(columns, [(3, {1}, 2)])  # mediator 1 now serves three disputes
    lp.sync()
    assert set(lp.row_of) == {("cap", 0), ("cap", 1)}


def test_an_iteration_of_a_programme_past_cost_rows_costs_more_than_its_nonzeros_say() -> None:
    """Up to ``COST_ROWS`` rows an iteration costs the model's nonzeros (a row as 20); at four times as many rows,
    twice that (the square root of the rows' ratio: at 5,000 disputes the programme's CPU per unit was under
    two thirds of the year's)."""
    rows = _capacity_rows(np.ones(6, dtype=np.int64))
    small = ColumnLP(4, rows, ColumnSet(4))
    assert small._iteration_cost() == 1.0
    n = 4 * master_module.COST_ROWS
    large = ColumnLP(n, rows, ColumnSet(n))
    assert large._iteration_cost() == pytest.approx(2 * (large.nonzeros + 20 * large.n_rows) / 30_000)


@settings(max_examples=40, deadline=None)
@given(capacity=CAPACITIES, panels=_panel_lists(min_size=2))
@example(capacity=[0] * 6, panels=[(0, {0}, 1), (0, {1}, 1), (0, {2}, 1)])  # runs again after broken rows
def test_a_simplex_solve_that_outruns_the_last_interior_point_solve_restarts_by_interior_point(
    capacity: list[int], panels: list[tuple[int, set[int], int]]
) -> None:
    """A solve from the last basis may take at most ``RACE_FACTOR`` times the last interior-point solve's
    work: past it the solve restarts by interior point and crossover, and still reaches the full programme's
    value at a vertex, the same every run. (The last interior solve's work is set to one iteration's, so any
    solve that needs more than two pivots restarts.)"""
    cap = np.array(capacity, dtype=np.int64)
    rows = _capacity_rows(cap)

    def solved() -> tuple[ColumnSet, ColumnLP, float, int, int]:
        columns = ColumnSet(4)
        half = len(panels) // 2
        _add_panels(columns, panels[:half])
        lp = ColumnLP(4, rows, columns)
        lp.solve()
        lp.interior_work = lp._iteration_cost()
        _add_panels(columns, panels[half:])
        before, runs = lp.iterations, lp.solves
        value = lp.solve()  # one run, and one more after each batch of broken capacity rows
        return columns, lp, value, lp.iterations - before, lp.solves - runs

    columns, lp, value, pivots, runs = solved()
    assert value == pytest.approx(_full_lp_value(columns, cap, 4), abs=1e-6)
    assert lp.h.getBasis().valid
    # Either two pivots a run were enough, or a run was stopped there and restarted by interior point.
    assert pivots <= master_module.RACE_FACTOR * runs or (lp.raced >= 1 and lp.interior >= 1)
    if lp.raced:
        assert lp.interior_work > 0  # the restart's own work is the next solve's yardstick
    _, again, _, _, _ = solved()
    assert again.values().tolist() == lp.values().tolist() and again.raced == lp.raced


def test_the_interior_point_restart_is_taken_on_a_programme_that_needs_many_pivots() -> None:
    """A fixed instance where the solve from the last basis needs several pivots: with the yardstick at
    one iteration (so the mark at two) it is raced, and the restarted solve has the full programme's value."""
    cap = np.array([1, 1, 1, 1, 1, 1], dtype=np.int64)
    columns = ColumnSet(4)
    _add_panels(columns, [(0, {0, 1}, 5), (1, {2, 3}, 5)])
    lp = ColumnLP(4, _capacity_rows(cap), columns)
    lp.solve()
    lp.interior_work = lp._iteration_cost()
    _add_panels(
        columns,
        [(0, {2, 4}, 7), (1, {0, 5}, 7), (2, {1, 3}, 6), (3, {4, 5}, 6), (2, {0}, 4), (3, {2}, 4), (0, {5}, 3)],
    )
    value = lp.solve()
    assert lp.raced >= 1
    assert value == pytest.approx(_full_lp_value(columns, cap, 4), abs=1e-6)


@pytest.mark.parametrize("work_per_second", [1, 25, 50])
def test_a_linear_programme_out_of_work_stops_with_a_valid_bound_and_says_so(work_per_second: int) -> None:
    """The programme's work budget (weighted simplex iterations) runs out, at once or part-way: the run
    still ends, staffs no more than the exact optimum allows, reports a bound at least the exact optimum
    (scipy milp over every panel) and says in its method that the programme stopped. (On this instance
    1 stops before the first solve, 25 after a few rounds, 50 after exact pricing rounds; the last two
    still report the programme's value, from the last solve's reserve. Before capacity rows joined with the
    columns, 20 did what 25 does now; at 20 the last solve now runs out of its reserve too.)"""
    quotas = Quotas(max_per_mediator=1, max_state_share=0.1, max_group_share=0.3)
    ws = _tiny_generated(4)
    most, best_total = milp_batch(ws, quotas)
    with (
        pools_of_three(),
        mock.patch.object(joint_module, "LP_WORK_PER_SECOND", work_per_second),
        mock.patch.object(master_module, "DROP_BELOW", 0.0),
    ):
        config = BatchConfig(quotas=quotas, time_limit=1, workers=1, enumeration_budget=3, gap=0.0)
        out = solve_batch(ws, IOMED, config)
    s = out.summary
    assert "stopped at its share of the budget" in s.method
    # The last solve's reserve (0.6 of the budget) finishes it except when nothing was ever solved.
    assert (s.lp_value is None) == (work_per_second == 1)
    if s.lp_value is not None:
        assert s.lp_value <= s.bound + 1e-6  # the programme over some panels, with a penalty per dispute left out
    assert s.staffed <= most
    if s.staffed == most:
        assert round(s.objective * 1e6) <= best_total
    assert best_total <= round(s.bound * 1e6), s.bound_sources
    if not s.unstaffed:
        assert_every_rule_kept(ws, quotas, out)
