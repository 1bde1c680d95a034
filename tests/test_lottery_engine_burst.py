"""Rounds of a rough leximin level (``_Master.rough``) take many improving panels from the local search at once
(``_Engine.burst``), and the leximin, its levels and its certificate do not change."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

import matching.lottery.engine as lottery_module
from matching.lottery.compose import QuotaOracle, compose, load_problem
from matching.lottery.engine import Panel, Pricing, _Engine
from tests.test_lottery_engine import write_pool
from tests.test_lottery_engine_points import make_rough


def without_relaxation(monkeypatch: pytest.MonkeyPatch) -> None:
    """The quota oracle without its LP relaxation's level proofs and targets: they end these pools' levels in one
    round each (``matching.lottery.polytope``), so the rounds of a rough level that these tests look at would not
    happen."""
    monkeypatch.setattr(QuotaOracle, "level_proof", lambda self, free, fixed: None)
    monkeypatch.setattr(QuotaOracle, "targets", lambda self, free, fixed: None)


@pytest.mark.parametrize("share", [lottery_module.SIMPLEX_FREE_SHARE, 2.0])
def test_a_rough_level_takes_many_panels_a_round_and_keeps_the_leximin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, share: float
) -> None:
    # PDLP cut at 30 iterations at the model's tolerances makes the later levels rough; with few agents free (share 2:
    # always) their rounds are first-order solves, with many (the default share) warm primal simplex.
    problem = load_problem(*write_pool(tmp_path, 100, 20, 1), 20)
    without_relaxation(monkeypatch)
    plain = compose(problem, "leximin", group=False).lottery
    make_rough(monkeypatch, share)
    added: list[int] = []  # panels each round of a rough level takes from the local search
    real = _Engine.heuristic

    def heuristic(self: _Engine, y: np.ndarray, cap: float) -> bool:
        before = len(self.columns.pending)
        found = real(self, y, cap)
        if self.master is not None and self.master.rough:
            added.append(len(self.columns.pending) - before)
        return found

    monkeypatch.setattr(_Engine, "heuristic", heuristic)
    rough = compose(problem, "leximin", group=False).lottery
    assert max(added) > lottery_module.HEURISTIC_STARTS  # more than one search from each start can give
    assert rough.marginals == plain.marginals and rough.certified and rough.proven
    assert [level.agents for level in rough.levels] == [level.agents for level in plain.levels]


def test_a_roomy_rough_level_prices_exactly_every_round_and_keeps_the_leximin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On a rough level with many agents free, a round whose local search found panels still prices exactly (CP-SAT,
    # then with the people those panels seat decayed): its panels join beside the search's. The leximin, its levels
    # and its certificate do not change.
    problem = load_problem(*write_pool(tmp_path, 60, 12, 2), 12)
    without_relaxation(monkeypatch)
    plain = compose(problem, "leximin", group=False).lottery
    make_rough(monkeypatch, lottery_module.SIMPLEX_FREE_SHARE)
    # Few panels before each level, and a first-order start for each: the second level is rough and takes rounds.
    monkeypatch.setattr(lottery_module, "SPREAD_ROUNDS", 0.1)
    monkeypatch.setattr(lottery_module, "RESTART_SHARE", 0.0)
    searched = {"now": False, "then priced": 0}
    real_heuristic, real_price = _Engine.heuristic, _Engine.price

    def heuristic(self: _Engine, y: np.ndarray, cap: float) -> bool:
        found = real_heuristic(self, y, cap)
        searched["now"] = found
        return found

    def price(self: _Engine, weights: np.ndarray, restriction: lottery_module.Restriction | None = None) -> Pricing:
        if searched["now"]:
            searched["then priced"] += 1
        return real_price(self, weights, restriction)

    monkeypatch.setattr(_Engine, "heuristic", heuristic)
    monkeypatch.setattr(_Engine, "price", price)
    steep = compose(problem, "leximin", group=False).lottery
    assert searched["then priced"] > 0
    assert steep.marginals == plain.marginals and steep.certified and steep.proven
    assert [level.agents for level in steep.levels] == [level.agents for level in plain.levels]


def test_a_burst_keeps_only_panels_above_the_cap_under_the_true_weights() -> None:
    # The searches run with decayed weights, but a panel joins only when it beats the cap under the level's duals.
    engine = _Engine(lottery_module.EnumeratedOracle(6, 2, [(0, 1), (2, 3), (4, 5), (0, 5)]))
    engine.columns.add((0, 1))
    y = np.asarray([0.3, 0.3, 0.1, 0.1, 0.05, 0.15])

    def improve(weights: np.ndarray, starts: Sequence[Panel]) -> list[Panel]:
        return [(2, 3), (4, 5), (0, 5)]  # every other panel, whatever the weights

    engine.improve = improve
    engine.master = lottery_module._Master(list(range(6)), 6)
    engine.master.rough = True
    assert engine.burst(y, 0.2, [(0, 1)]) == [(0, 5)]  # (2, 3) and (4, 5) weigh 0.2: not above the cap


def test_a_point_at_the_levels_ceiling_is_settled_not_crossed_over(monkeypatch: pytest.MonkeyPatch) -> None:
    # A rough level with few agents free whose optimum is the seats left shared out (the cyclic panels seat everybody
    # 7/40 of the time): PDLP's point there is turned into a vertex by settle (random panel costs, z held near the
    # point's value), then primal simplex; the same optimum as simplex alone.
    n, k = 40, 7
    rng = np.random.default_rng(5)
    cyclic = [tuple(sorted((i + j) % n for j in range(k))) for i in range(n)]
    panels = sorted(set(cyclic) | {tuple(sorted(int(a) for a in rng.choice(n, k, replace=False))) for _ in range(60)})
    masters = [lottery_module._Master(list(range(n)), n) for _ in range(2)]
    for master in masters:
        master.add(panels)
        for a in range(31):
            master.fix(a, k / n)
    simplex, first = masters
    _, _, expected = simplex.solve()
    assert expected == pytest.approx(k / n, abs=1e-9)
    floors: list[float] = []
    real = lottery_module._Master.settle

    def settle(self: lottery_module._Master, floor: float = 0.0) -> None:
        floors.append(floor)
        real(self, floor)

    monkeypatch.setattr(lottery_module._Master, "settle", settle)
    first.rough = True
    first.ceiling = k / n
    assert not first.roomy and first.first_order() and first.vertex and first.settled
    assert floors and floors[0] == pytest.approx(k / n, abs=1e-5)
    assert first.h.getSolution().col_value[0] == pytest.approx(expected, abs=1e-9)
    # Every agent then has its floor and no seat is left: the final distribution is that vertex, with no LP solve.
    engine = _Engine(lottery_module.EnumeratedOracle(n, k, panels))
    for panel in panels:
        engine.columns.add(panel)
    engine.columns.take_pending()
    engine.master = first
    weights = engine.primal(list(range(n)), dict.fromkeys(range(n), k / n))
    chances = lottery_module._float_marginals(panels, weights, n, np.ones(n))
    assert engine.lp_solves == 0 and weights.sum() == pytest.approx(1.0) and chances.min() >= k / n - 1e-9


@pytest.mark.parametrize("rough", [True, False])
def test_a_roomy_rough_level_drops_stale_panels_sooner(monkeypatch: pytest.MonkeyPatch, rough: bool) -> None:
    # Every pair of six agents, agent 0 fixed: priced with weights that leave agent 0 out, the pairs holding it are far
    # below the cap; after two rounds those not in the basis leave the master LP of a roomy rough level
    # (DROP_AGE_STEEP), and stay in it otherwise (DROP_AGE); the LP's value does not change.
    monkeypatch.setattr(lottery_module, "DROP_ABOVE", 0)
    n = 6
    panels = [(a, b) for a in range(n) for b in range(a + 1, n)]
    engine = _Engine(lottery_module.EnumeratedOracle(n, 2, panels))
    for panel in panels:
        engine.columns.add(panel)
    agents, fixed = list(range(n)), {0: 0.1}  # the free agents share the seats left: 0.38 each
    master = engine.sync(agents, fixed)
    _, _, before = master.solve()
    master.rough = rough
    weights = engine.columns.weights(np.asarray([0.0, 0.2, 0.2, 0.2, 0.2, 0.2]))
    for _ in range(2):
        engine.prune(master, weights, 0.4)
    assert engine.steep() == rough
    assert (master.rows < len(panels)) == rough and bool(engine.columns.dropped) == rough
    assert all(panels[j][0] == 0 for j in engine.columns.dropped)
    _, _, after = master.solve()
    assert before == pytest.approx(0.38) and after == pytest.approx(before)


@pytest.mark.parametrize("misses", [1, 2])
def test_a_steep_rounds_further_pricings_go_on_past_a_miss(monkeypatch: pytest.MonkeyPatch, misses: int) -> None:
    # This round found (0, 1): the next pricing, with 0 and 1 decayed, answers (2, 3), which does not beat the cap under
    # the level's duals (a miss). With STEEP_MISSES 2 the pricings go on with 2 and 3 decayed too and find (0, 4), above
    # the cap; with 1 they stop at the miss. Only panels above the cap under the level's duals ever join.
    monkeypatch.setattr(lottery_module, "STEEP_MISSES", misses)
    panels = [(0, 1), (2, 3), (0, 4), (4, 5)]
    engine = _Engine(lottery_module.EnumeratedOracle(6, 2, panels))
    engine.columns.add((0, 1))
    y = np.asarray([0.4, 0.4, 0.3, 0.3, 0.28, 0.05])
    engine.steep_more(y, 0.6)
    joined = [engine.columns.panels[j] for j in engine.columns.pending]
    assert joined == ([(0, 1), (0, 4)] if misses == 2 else [(0, 1)])
    assert engine.pricing_calls == (3 if misses == 2 else 1)  # the third: (2, 3) again, a second miss
