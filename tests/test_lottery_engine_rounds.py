"""Two oracle-level switches of the leximin engine, held to the brute-force leximin: an oracle that turns the widening
off (``widening`` false: the dispute oracle past its enumeration cap) and one that offers its stored panels as cheap
pricing between exact calls (``stored``). Either way every level's agents sit at their leximin value and the result
is certified and proven; only the number of levels (without widening) or of exact pricing calls (with the store)
may change."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import matching.lottery.engine as lottery_module
from matching.lottery.engine import EnumeratedOracle, Panel, leximin
from tests.test_lottery import reference_leximin
from tests.test_lottery_engine import assert_levels_match, pools


class UnwidenedOracle(EnumeratedOracle):
    """An enumerated oracle that turns the engine's widening off."""

    widening = False


class StoringOracle(EnumeratedOracle):
    """An enumerated oracle that also hands out a store of its panels (``kept``), heaviest first, without a proof;
    ``asked`` counts the calls."""

    def __init__(self, n: int, size: int, panels: Sequence[Panel], kept: Sequence[Panel]) -> None:
        super().__init__(n, size, panels)
        self.kept = list(kept)
        self.asked = 0

    def stored(self, weights: np.ndarray) -> list[Panel]:
        self.asked += 1
        value = {p: int(weights[list(p)].sum()) for p in self.kept}
        return sorted((p for p in self.kept if value[p] > 0), key=lambda p: (-value[p], p))


def widen_calls(patch: pytest.MonkeyPatch) -> list[int]:
    """Patch ``_Engine.widen`` to count its calls: the list grows by one per call."""
    calls: list[int] = []
    real = lottery_module._Engine.widen

    def spy(self: lottery_module._Engine, *args: object, **kwargs: object) -> tuple[np.ndarray, int]:
        calls.append(1)
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    patch.setattr(lottery_module._Engine, "widen", spy)
    return calls


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools())
def test_an_oracle_without_widening_is_never_widened_and_keeps_the_leximin(
    pool: tuple[int, list[Panel], list[int]],
) -> None:
    # The levels are those of the vertex duals alone (as with WIDEN_ROUNDS 0), each at its leximin value.
    n, panels, _ = pool
    oracle = UnwidenedOracle(n, len(panels[0]), panels)
    expected = reference_leximin(n, oracle.panels)
    with pytest.MonkeyPatch.context() as patch:
        calls = widen_calls(patch)
        lottery = leximin(oracle)
    assert not calls
    assert_levels_match(lottery, expected)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(lottery_module, "WIDEN_ROUNDS", 0)
        narrow = leximin(EnumeratedOracle(n, len(panels[0]), panels))
    assert [level.agents for level in narrow.levels] == [level.agents for level in lottery.levels]
    assert narrow.marginals == lottery.marginals


def test_without_widening_two_disjoint_panels_take_two_levels() -> None:
    # Everybody gets 1/2; the vertex dual weighs one member of each panel, so without the widening (which weighs
    # all four) a second level fixes the other two, at the same value.
    lottery = leximin(UnwidenedOracle(4, 2, [(0, 3), (1, 2)]))
    assert len(lottery.levels) == 2
    assert [level.value for level in lottery.levels] == [0.5, 0.5]
    assert lottery.minimum == Fraction(1, 2) and lottery.certified and lottery.proven


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools(), st.data())
def test_stored_panels_between_exact_calls_keep_the_leximin(
    pool: tuple[int, list[Panel], list[int]], data: st.DataObject
) -> None:
    # Any store (a drawn part of the feasible panels, handed out heaviest first) only adds columns: every level is
    # still the brute-force leximin's, proven by an exact call, and the marginals certified.
    n, panels, _ = pool
    kept = data.draw(st.lists(st.sampled_from(panels), unique=True), label="stored")
    oracle = StoringOracle(n, len(panels[0]), panels, kept)
    lottery = leximin(oracle)
    assert_levels_match(lottery, reference_leximin(n, oracle.panels))


def test_stored_panels_spare_exact_pricing_calls() -> None:
    # Three levels over 13 panels of 12 agents, every panel in the store: the later levels take their improving panels
    # from it, and the exact oracle is asked fewer times (12 calls instead of 14), for the same marginals.
    panels = [
        (0, 1, 9), (0, 8, 11), (1, 3, 4), (1, 4, 8), (1, 5, 7), (1, 8, 9), (1, 9, 11),
        (2, 3, 8), (2, 4, 10), (6, 7, 8), (6, 8, 10), (6, 9, 11), (7, 10, 11),
    ]  # fmt: skip
    plain = leximin(EnumeratedOracle(12, 3, panels))
    oracle = StoringOracle(12, 3, panels, panels)
    stored = leximin(oracle)
    assert oracle.asked > 0 and len(stored.levels) >= 2
    assert stored.marginals == plain.marginals and stored.certified and stored.proven
    assert stored.stats.pricing_calls < plain.stats.pricing_calls
