"""The plain ``panel_bounds`` programme run once for both of its readers (``plain_programme``): ``panel_bounds`` over
the pool (``plain_bounds``) and ``pair_bounds`` give the same numbers from it as from their own runs, and the dispute
lottery's first level (``_SearchPricing.first_level_proof``, whose ``_mover_panels`` asks ``pair_bounds``) runs the
programme once less, with the same proof, the same panels and the same work charged."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import matching.lottery.dispute
import matching.panel.bounds as bounds_module
from matching.lottery.dispute import _SearchPricing, weakest_apart
from matching.panel.bounds import pair_bounds, panel_bounds, plain_bounds, plain_programme
from tests.strategies import COUNTRIES, Roster, rosters
from tests.test_dispute_lottery_scale import SETUP_CASES, SLOW, _five_member_rosters, _setup, _with_party


@settings(max_examples=40, **SLOW)  # type: ignore[call-overload]
@given(
    _five_member_rosters() | rosters(min_size=4, max_size=11, sizes=(2, 3, 5), crowded=True),
    st.sampled_from([None, 0, 2]),
    st.sampled_from([None, *COUNTRIES[:3]]),
    st.data(),
)
def test_the_shared_programme_gives_the_bounds_of_separate_runs(
    roster: Roster, cap: int | None, third: str | None, data: st.DataObject
) -> None:
    """Over any pool (a subset of the roster), ``plain_bounds`` is ``panel_bounds`` and ``pair_bounds`` with the
    programme is ``pair_bounds`` alone, for any rows and columns; a programme of another pool is refused."""
    _, _, inst = _with_party(roster, cap, third)
    everyone = list(range(inst.n))
    left_out = data.draw(st.sets(st.sampled_from(everyone), max_size=3) if everyone else st.just(set()), label="out")
    pool = [i for i in everyone if i not in left_out]
    shared = plain_programme(inst, pool)
    assert np.array_equal(plain_bounds(inst, shared), panel_bounds(inst, pool))
    positions = list(range(len(pool)))
    pick = st.sets(st.sampled_from(positions)) if positions else st.just(set())
    rows = np.asarray(sorted(data.draw(pick, label="rows")), dtype=np.int64)
    cols = np.asarray(sorted(data.draw(pick, label="cols")), dtype=np.int64)
    event(f"k={inst.k}, parties={inst.alignment.shape[1]}, pool {min(len(pool), 8)}")
    assert np.array_equal(pair_bounds(inst, pool, rows, cols, shared), pair_bounds(inst, pool, rows, cols))
    if len(pool) >= 2 and len(rows) and len(cols) and inst.k >= 2:
        with pytest.raises(ValueError):
            pair_bounds(inst, pool, rows, cols, plain_programme(inst, pool[1:]))


def _counting(runs: list[int]) -> Callable[..., Any]:
    """``_programme`` counting its runs into ``runs``."""
    real = bounds_module._programme

    def counted(*args: Any, **kwargs: Any) -> Any:
        runs.append(1)
        return real(*args, **kwargs)

    return counted


def _first_level(inst, pool, threshold, locks, separate: bool):  # type: ignore[no-untyped-def]
    """``first_level_proof`` over every mediator of ``pool`` with mover panels built (``MOVER_SHARE``, no skip): its
    proof, the panels known, the work charged, the programmes run and whether ``pair_bounds`` was asked; with
    ``separate`` ``pair_bounds`` runs its own programme (as before five34)."""
    agents = sorted(pool, key=lambda i: inst.ids[i])
    search = _SearchPricing(inst, agents, threshold, locks, [])
    runs: list[int] = []
    asked: list[int] = []
    real_pairs = matching.lottery.dispute.pair_bounds

    def pairs(inst, pool, rows, cols, programme=None):  # type: ignore[no-untyped-def]
        asked.append(len(rows))
        return real_pairs(inst, pool, rows, cols) if separate else real_pairs(inst, pool, rows, cols, programme)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(matching.lottery.dispute, "MOVER_SKIP", 0)
        patch.setattr(matching.lottery.dispute, "MOVER_SHARE", 10**6)
        patch.setattr(bounds_module, "_programme", _counting(runs))
        patch.setattr(matching.lottery.dispute, "pair_bounds", pairs)
        proof = search.first_level_proof(list(range(len(agents))))
    known = sorted(tuple(int(a) for a in row) for row in search.known.tolist())
    return proof, known, search.work, len(runs), bool(asked)


@settings(max_examples=25, **SLOW)  # type: ignore[call-overload]
@given(*SETUP_CASES)
def test_the_first_level_runs_the_plain_programme_once_and_charges_as_before(
    roster: Roster, floor: float, data: st.DataObject
) -> None:
    """The first level's proof, known panels and work charged are those with ``pair_bounds`` running its own
    programme; when ``pair_bounds`` was asked it ran one programme per pair of parties less."""
    setup = _setup(roster, floor, data)
    if setup is None:
        return
    inst, pool, threshold, locks, _ = setup
    shared = _first_level(inst, pool, threshold, locks, separate=False)
    separate = _first_level(inst, pool, threshold, locks, separate=True)
    proof, known, work, runs, asked = shared
    proof_b, known_b, work_b, runs_b, asked_b = separate
    event(f"k={inst.k}, pair_bounds asked: {asked}")
    assert (proof is None) == (proof_b is None)
    if proof is not None and proof_b is not None:
        assert np.array_equal(proof[0], proof_b[0]) and proof[1] == proof_b[1]
    assert known == known_b
    assert work == work_b
    assert asked == asked_b
    parties = inst.alignment.shape[1]
    assert runs == runs_b - (max(1, parties * (parties - 1) // 2) if asked else 0)


@settings(max_examples=25, **SLOW)  # type: ignore[call-overload]
@given(*SETUP_CASES)
def test_the_mover_panels_from_the_shared_programme_are_those_of_separate_runs(
    roster: Roster, floor: float, data: st.DataObject
) -> None:
    """``_mover_panels`` handed the pool's programme (``plain``) builds the panels it builds without it and charges the
    same work, running no programme of its own."""
    setup = _setup(roster, floor, data)
    if setup is None:
        return
    inst, pool, threshold, locks, _ = setup
    agents = sorted(pool, key=lambda i: inst.ids[i])
    found = []
    for shared in (True, False):
        search = _SearchPricing(inst, agents, threshold, locks, [])
        weak, _ = weakest_apart(inst, search.pool, threshold)
        plain = plain_programme(inst, search.pool)
        strength = plain_bounds(inst, plain)
        runs: list[int] = []
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(matching.lottery.dispute, "MOVER_SKIP", 0)
            patch.setattr(matching.lottery.dispute, "MOVER_SHARE", 10**6)
            patch.setattr(bounds_module, "_programme", _counting(runs))
            work = search.work
            if shared:
                built = search._mover_panels(weak, strength=strength, plain=plain)
            else:
                built = search._mover_panels(weak, strength=strength)
        found.append((sorted(map(tuple, built.tolist())), search.work - work, len(runs)))
    (panels, work, runs), (panels_b, work_b, runs_b) = found
    event(f"k={inst.k}, panels built: {bool(panels)}, programmes run alone: {runs_b}")
    assert panels == panels_b
    assert work == work_b
    assert runs == 0
