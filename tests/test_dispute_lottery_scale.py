"""The dispute lottery past the enumeration cap: the weighted bounded search that prices exactly
(``matching.lottery.dispute._SearchPricing``), its witness panels and the vectorised bounds, held to brute
force over every panel of small rosters (panels of three and five), and the lotteries it gives held to the
enumerated ones."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import matching.lottery.dispute
from matching.core.config import Locks
from matching.io.rulesets import RuleSet, load_rule_set
from matching.lottery.dispute import (
    DisputeLottery,
    _best_after,
    _roster,
    _search,
    _SearchPricing,
    _witnesses,
    dispute_lottery,
)
from matching.lottery.engine import Restriction
from matching.panel.bounds import FULL_COVERS, LOW, _cover, _cover_states, _reachable, panel_bounds
from matching.rules.encoding import PanelInstance, encode
from matching.rules.workspace import Workspace
from tests.factories import dispute_row
from tests.strategies import (
    COUNTRIES,
    DISPUTE_ID,
    TRADITIONS,
    Roster,
    best_of,
    brute_force,
    build_workspace,
    locked,
    person,
    roster_panels,
    rosters,
)
from tests.test_panel_lottery import assert_consistent, draw_locks

IOMED = load_rule_set("iomed")
SLOW = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}


@settings(max_examples=60, deadline=None)
@given(
    arrays(np.int64, st.tuples(st.integers(0, 40), st.integers(1, 3)), elements=st.integers(-50, 50)), st.integers(1, 5)
)
def test_best_after_is_the_sum_of_the_largest_from_each_row_on(values: np.ndarray, k: int) -> None:
    out = _best_after(values, k)
    p, columns = values.shape
    assert out.shape == (p + 1, k + 1, columns)
    for q in range(p + 1):
        for c in range(columns):
            ranked = sorted(values[q:, c].tolist(), reverse=True)
            for r in range(k + 1):
                assert out[q, r, c] == sum(ranked[:r])


@settings(max_examples=120, **SLOW)  # type: ignore[call-overload]
@given(
    rosters(min_size=6, max_size=11, sizes=(2, 3, 5), crowded=True) | rosters(min_size=6, max_size=11, sizes=(3, 5)),
    st.sampled_from([None, 0, 1, 2, 4]),
    st.sampled_from([None, *COUNTRIES[:4]]),
)
def test_panel_bounds_are_at_least_the_best_panel_holding_each_mediator(
    roster: Roster, cap: int | None, third: str | None
) -> None:
    """The profile programme's bound for each mediator is at least the objective of the best panel holding
    them (brute force through the checker's rules, lean cap included; two parties or three), so a mediator
    whose bound is below a floor is provably in no panel reaching it."""
    _check_bounds(roster, cap, third)


def _with_party(roster: Roster, cap: int | None, third: str | None) -> tuple[RuleSet, Workspace, PanelInstance]:
    """The rule set (IOMED with the lean cap, if any), the workspace and the encoded dispute, with ``third``
    added to its parties when it is not one already."""
    rules = IOMED if cap is None else IOMED.with_max_lean(cap)
    parties = roster.dispute["parties"].split(";")
    if third is not None and third not in parties:
        roster = dataclasses.replace(roster, dispute={**roster.dispute, "parties": ";".join([*parties, third])})
    ws = roster.workspace()
    return rules, ws, encode(ws, ws.view(ws.dispute(DISPUTE_ID), rules))


def _check_bounds(roster: Roster, cap: int | None, third: str | None) -> None:
    rules, ws, inst = _with_party(roster, cap, third)
    best: dict[str, int] = {}
    for members, value in best_of(brute_force(ws, rules, via_check_panel=False)).items():
        for mid in members:
            best[mid] = max(best.get(mid, value), value)
    bounds = panel_bounds(inst, list(range(inst.n)))
    event(f"k={inst.k}, parties={inst.alignment.shape[1]}, in some panel: {min(len(best), 5)}")
    slack = []
    for i, mid in enumerate(inst.ids):
        if mid in best:
            assert bounds[i] >= best[mid], (mid, int(bounds[i]), best[mid])
            slack.append(int(bounds[i]) - best[mid])
    if slack:
        event(f"tight for some mediator: {min(slack) == 0}")


@st.composite
def _five_member_rosters(draw: st.DrawFn) -> Roster:
    """Rosters of 11 to 14 mediators for a five-member panel, varied enough that many panels keep the rules:
    two or three parties, mixed blocs, genders, traditions and chair eligibility."""
    countries = ("FRA", "DEU", "BRA", "JPN", "IND", "CAN", "EGY", "MEX", "NOR", "CHN", "RUS", "GHA", "PER", "SEN")
    people = []
    for i in range(1, draw(st.integers(11, 14)) + 1):
        people.append(
            person(
                f"M{i:02d}",
                draw(st.sampled_from(countries)),
                draw(st.sampled_from(["en", "en", "en;fr", "fr"])),
                gender=draw(st.sampled_from("FFMMX")),
                legal_traditions=";".join(draw(st.lists(st.sampled_from(TRADITIONS), max_size=2, unique=True))),
                expertise=draw(st.sampled_from(["water:5", "water:2;trade:4", "trade:3", ""])),
                years_experience=draw(st.integers(0, 30)),
            )
        )
    parties = draw(st.lists(st.sampled_from(("KEN", "RUS", "CHN", "USA", "FRA")), min_size=2, max_size=3, unique=True))
    dispute = dispute_row(DISPUTE_ID, parties=";".join(parties), panel_size=5, subject_areas="water")
    return Roster(people, dispute)


@settings(max_examples=25, **SLOW)  # type: ignore[call-overload]
@given(_five_member_rosters(), st.sampled_from([None, 0, 1, 2, 3]))
def test_panel_bounds_hold_for_five_member_panels(roster: Roster, cap: int | None) -> None:
    """The same for five-member panels, where most drawn rosters have many panels."""
    _check_bounds(roster, cap, None)


# ``_setup``'s arguments as the proof tests draw them: a five-member roster or a small mixed one, a floor, the data.
SETUP_CASES = (
    _five_member_rosters() | rosters(min_size=8, max_size=12, sizes=(3, 5)),
    st.sampled_from([0.0, 0.9, 0.97]),
    st.data(),
)


def _setup(roster: Roster, floor: float, data: st.DataObject):  # type: ignore[no-untyped-def]
    """The instance, pool, threshold, locks and the brute-force acceptable panels (as sorted index tuples)."""
    ws = roster.workspace()
    ids = [row["mediator_id"] for row in roster.mediators]
    k = ws.dispute(DISPUTE_ID).panel_size
    everything = roster_panels(roster, IOMED)
    locks = draw_locks(data, ids, everything, k)
    found = best_of(locked(everything, locks))
    if not found:
        return None
    threshold = matching.lottery.dispute.objective_threshold(max(found.values()), floor)
    inst = encode(ws, ws.view(ws.dispute(DISPUTE_ID), IOMED))
    index = {mid: i for i, mid in enumerate(inst.ids)}
    pool = [i for i in range(inst.n) if inst.ids[i] not in locks.exclude]
    expected = {tuple(sorted(index[m] for m in members)) for members, value in found.items() if value >= threshold}
    return inst, pool, threshold, locks, expected


def _searched(roster: Roster, floor: float, data: st.DataObject):  # type: ignore[no-untyped-def]
    """``_setup``, with the lottery's agent order, the acceptable panels by agent and a fresh search over them; None
    when no panel is acceptable."""
    setup = _setup(roster, floor, data)
    if setup is None:
        return None
    inst, pool, threshold, locks, expected = setup
    agents = sorted(pool, key=lambda i: inst.ids[i])  # the lottery's agent order
    by_agent = {tuple(sorted(agents.index(i) for i in panel)) for panel in expected}
    if not by_agent:
        return None
    return inst, threshold, expected, agents, by_agent, _SearchPricing(inst, agents, threshold, locks, [])


@settings(max_examples=25, **SLOW)  # type: ignore[call-overload]
@given(rosters(min_size=9, max_size=13, sizes=(3, 5)), st.sampled_from([0.0, 0.9, 0.97, 1.0]), st.data())
def test_search_pricing_is_exact_against_brute_force(roster: Roster, floor: float, data: st.DataObject) -> None:
    """For sparse and dense weights, with and without a restriction and locks, the search's answer weighs
    exactly the most any acceptable panel (brute force) weighs, and every panel it hands over is acceptable;
    the witness panels are acceptable; and the weighted search never drops an acceptable panel."""
    setup = _setup(roster, floor, data)
    if setup is None:
        return
    inst, pool, threshold, locks, expected = setup
    event(f"k={inst.k}, acceptable panels: {min(len(expected), 20)}, locked: {locks.any}")
    agents = sorted(pool, key=lambda i: inst.ids[i])  # the lottery's agent order
    assert {tuple(row) for row in _witnesses(inst, pool, threshold, locks, [next(iter(expected))]).tolist()} <= expected
    search = _SearchPricing(inst, agents, threshold, locks, list(expected)[:1])
    by_agent = [tuple(sorted(agents.index(i) for i in panel)) for panel in expected]
    for _ in range(4):
        sparse_weights = data.draw(st.booleans())
        weights = np.array(
            [
                data.draw(st.integers(0, 3 if sparse_weights else 1_000))
                * (not sparse_weights or data.draw(st.booleans()))
                for _ in agents
            ],
            dtype=np.int64,
        )
        restriction = None
        if data.draw(st.booleans()) and by_agent:
            other = np.array([data.draw(st.integers(0, 50)) for _ in agents], dtype=np.int64)
            sums = sorted(int(other[list(p)].sum()) for p in by_agent)
            restriction = Restriction(other, sums[len(sums) // 2])
        allowed = [
            p
            for p in by_agent
            if restriction is None or int(restriction.weights[list(p)].sum()) >= restriction.at_least
        ]
        answer = search.best(weights, restriction)
        assert answer is not None and answer.proven
        if not allowed:
            assert answer.panel is None
            continue
        assert answer.panel is not None
        assert answer.value == max(int(weights[list(p)].sum()) for p in allowed)
        assert int(weights[list(answer.panel)].sum()) == answer.value
        assert tuple(sorted(answer.panel)) in set(allowed)
        assert {tuple(sorted(p)) for p in answer.others} <= set(by_agent)
        # No acceptable panel lost by the weighted search itself, whatever the weights.
        roster_w = _roster(inst, sorted(pool), np.array([weights[agents.index(i)] for i in sorted(pool)]))
        seats = _search(inst, roster_w, threshold, 10**7, above=-1)
        assert seats is not None
        assert expected <= {tuple(sorted(row)) for row in roster_w.people[seats].tolist()}


def enumerated_case(roster: Roster, floor: float, data: st.DataObject) -> tuple[Workspace, int, Locks, DisputeLottery]:
    """The roster's workspace, panel size, drawn locks and the enumerated lottery (``IOMED``) to compare with."""
    ws = roster.workspace()
    ids = [row["mediator_id"] for row in roster.mediators]
    k = ws.dispute(DISPUTE_ID).panel_size
    locks = draw_locks(data, ids, brute_force(ws, IOMED, via_check_panel=False), k)
    return ws, k, locks, dispute_lottery(ws, DISPUTE_ID, IOMED, floor=floor, locks=locks)


def assert_same_lottery(ws: Workspace, got: DisputeLottery, listed: DisputeLottery, k: int) -> None:
    """``got`` is the enumerated lottery ``listed`` (status, threshold, probabilities, least chance, proof), and each
    of its panels keeps every rule."""
    assert got.status == listed.status and got.threshold == listed.threshold
    assert got.probabilities == listed.probabilities and got.minimum == listed.minimum
    assert got.proven == listed.proven
    if got.panels:
        assert_consistent(ws, got, k)


def _search_only(patch: pytest.MonkeyPatch) -> None:
    patch.setattr(matching.lottery.dispute, "ENUMERATION_CAP", 0)


@settings(max_examples=15, **SLOW)  # type: ignore[call-overload]
@given(rosters(min_size=9, max_size=12, sizes=(3, 5)), st.sampled_from([0.0, 0.9, 0.97]), st.data())
def test_search_pricing_gives_the_enumerated_lottery(roster: Roster, floor: float, data: st.DataObject) -> None:
    """The leximin probabilities are unique: priced by the search, the lottery's probabilities and least
    chance are exactly those of the enumerated lottery, proven, and each panel keeps every rule."""
    ws, k, locks, listed = enumerated_case(roster, floor, data)
    with pytest.MonkeyPatch.context() as patch:
        _search_only(patch)
        searched = dispute_lottery(ws, DISPUTE_ID, IOMED, floor=floor, locks=locks)
    event(f"k={k}, status {listed.status}")
    assert_same_lottery(ws, searched, listed, k)


@pytest.mark.parametrize("k", [3, 5])
def test_a_roster_of_twenty_two_against_every_panel(k: int) -> None:
    """On a generated roster of 22 mediators (every one of the C(22, k) panels scored by brute force), the
    search-priced lottery is the enumerated one, and a second run gives the same tickets and draw."""
    countries = ["FRA", "DEU", "BRA", "JPN", "IND", "CAN", "EGY", "MEX", "NOR", "AUS", "CHL", "GHA", "PER", "SEN"]
    rng = np.random.default_rng(k)
    people = [
        person(
            f"M{i:02d}",
            countries[int(rng.integers(len(countries)))],
            "en" if rng.random() < 0.8 else "en;fr",
            gender="F" if rng.random() < 0.5 else "M",
            legal_traditions="common" if rng.random() < 0.5 else "civil",
            years_experience=int(rng.integers(1, 30)),
        )
        for i in range(1, 23)
    ]
    ws = build_workspace(people, [dispute_row(DISPUTE_ID, parties="KEN;RUS", panel_size=k)])
    found = best_of(brute_force(ws, IOMED, via_check_panel=False))
    assert found
    listed = dispute_lottery(ws, DISPUTE_ID, IOMED, floor=0.9)
    with pytest.MonkeyPatch.context() as patch:
        _search_only(patch)
        searched = dispute_lottery(ws, DISPUTE_ID, IOMED, floor=0.9)
        again = dispute_lottery(ws, DISPUTE_ID, IOMED, floor=0.9)
        # Every search overflows: CP-SAT prices, with the known panels handed over beside its answers.
        patch.setattr(matching.lottery.dispute, "PRICING_CAP", 1)
        solved = dispute_lottery(ws, DISPUTE_ID, IOMED, floor=0.9)
    assert listed.threshold is not None
    threshold = round(listed.threshold * matching.lottery.dispute.OBJECTIVE_SCALE)
    acceptable = {members for members, value in found.items() if value >= threshold}
    in_some = set().union(*acceptable)
    assert {mid for mid, p in searched.probabilities.items() if p > 0} <= in_some
    assert searched.in_some_panel == len(in_some) == listed.in_some_panel
    assert searched.proven and searched.probabilities == listed.probabilities
    assert solved.proven and solved.probabilities == listed.probabilities
    assert all(frozenset(p.member_ids) in acceptable for p in searched.panels)
    assert again.as_dict() == searched.as_dict()  # the same tickets and the same draw
    assert_consistent(ws, searched, k)


@settings(max_examples=20, **SLOW)  # type: ignore[call-overload]
@given(
    _five_member_rosters() | rosters(min_size=8, max_size=11, sizes=(3, 5)),
    st.sampled_from([0.0, 0.9, 0.97]),
    st.sampled_from([None, 1]),
    st.data(),
)
def test_narrowing_the_pool_by_panel_bounds_keeps_the_lottery(
    roster: Roster, floor: float, cap: int | None, data: st.DataObject
) -> None:
    """The pool narrowed by ``panel_bounds`` (always, whatever its size) gives exactly the probabilities, least
    chance and proof of the lottery over the pool narrowed by ``upper_bounds`` only, with and without locks."""
    rules = IOMED if cap is None else IOMED.with_max_lean(cap)
    ws = roster.workspace()
    ids = [row["mediator_id"] for row in roster.mediators]
    k = ws.dispute(DISPUTE_ID).panel_size
    locks = draw_locks(data, ids, brute_force(ws, rules, via_check_panel=False), k)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(matching.lottery.dispute, "TIGHT_BOUNDS_FROM", 10**9)
        loose = dispute_lottery(ws, DISPUTE_ID, rules, floor=floor, locks=locks)
        patch.setattr(matching.lottery.dispute, "TIGHT_BOUNDS_FROM", 0)
        narrowed = dispute_lottery(ws, DISPUTE_ID, rules, floor=floor, locks=locks)
    event(f"k={k}, status {loose.status}, in some panel {min(loose.in_some_panel, 5)}")
    assert narrowed.status == loose.status and narrowed.threshold == loose.threshold
    assert narrowed.probabilities == loose.probabilities and narrowed.minimum == loose.minimum
    assert narrowed.proven == loose.proven and narrowed.in_some_panel == loose.in_some_panel
    if narrowed.panels:
        assert_consistent(ws, narrowed, k)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(0, FULL_COVERS - 1), min_size=1, max_size=6),
    st.integers(0, FULL_COVERS - 1),
    st.integers(0, 2**16),
)
def test_the_reachable_covered_sets_move_as_the_full_ones_do(covers: list[int], pick: int, seed: int) -> None:
    """``_reachable`` holds the empty set and every union of the members' sets, and is closed under uniting with
    any of them; ``_cover_states`` over it gives, set by set, what ``_cover`` gives over all ``FULL_COVERS``."""
    states = _reachable(np.asarray(covers, dtype=np.int64))
    every = {0}
    for bits in covers:
        every |= {s | bits for s in every}
    assert states.tolist() == sorted(every)
    bits = covers[pick % len(covers)]
    rng = np.random.default_rng(seed)
    dp = np.where(rng.random((2, 3, len(states))) < 0.3, LOW, rng.integers(-50, 50, (2, 3, len(states))))
    full = np.full((2, 3, FULL_COVERS), LOW, dtype=np.int64)
    full[..., states] = dp
    moved = _cover_states(dp, states, bits, {})
    assert np.array_equal(moved, _cover(full, bits)[..., states])
    assert not (_cover(full, bits) > LOW)[..., np.setdiff1d(np.arange(FULL_COVERS), states)].any()


@settings(max_examples=10, **SLOW)  # type: ignore[call-overload]
@given(rosters(min_size=5, max_size=7, sizes=(2, 3)), st.data())
def test_locks_applied_to_the_unlocked_panels_are_the_locked_enumeration(roster: Roster, data: st.DataObject) -> None:
    """``locked`` (what ``_setup`` applies instead of enumerating again) gives ``brute_force`` with the locks."""
    ws = roster.workspace()
    everything = roster_panels(roster, IOMED)
    ids = [row["mediator_id"] for row in roster.mediators]
    locks = draw_locks(data, ids, everything, ws.dispute(DISPUTE_ID).panel_size)
    assert locked(everything, locks) == brute_force(ws, IOMED, locks, via_check_panel=False)
