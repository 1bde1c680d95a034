"""Panels leaving the library are re-checked by the plain checker: a disagreement is a loud error.

Each test breaks the kernel on purpose (it declares everyone eligible, or gives everyone room for
more cases) on a roster where that makes the solver, the batch, the lottery or the trade-off
explorer choose a panel that breaks a rule; the library must raise ``InternalDisagreement``
instead of returning the panel. Recording such a panel as a decision is refused the same way.
"""

from __future__ import annotations

from dataclasses import fields

import numpy as np
import pytest

import matching.rules.encoding as encoding_module
from matching.batch.run import solve_batch
from matching.batch.settings import BatchConfig
from matching.core.config import SolveConfig
from matching.core.domain import Role
from matching.io.results import ProposedPanel, Seat
from matching.io.rulesets import load_rule_set
from matching.lottery.dispute import dispute_lottery
from matching.panel.service import propose
from matching.panel.tradeoffs import frontier
from matching.records.store import decision_from_panel
from matching.rules.kernel import Eligibility, eligibility
from matching.rules.recheck import InternalDisagreement
from matching.rules.workspace import Workspace
from tests.factories import dispute_row
from tests.strategies import build_workspace, person

IOMED = load_rule_set("iomed")
QUICK = SolveConfig(candidates=1, time_limit=5.0)


def roster(disputes: int = 1, star: dict[str, object] | None = None) -> Workspace:
    """Sole-mediator disputes on water; M1 is by far the best expert but (by default) has not
    signed the declaration of independence (H7)."""
    mediators = [
        person("M1", "FRA", expertise="water:5", **(star or {"declaration_signed": "false"})),
        person("M2", "BRA", expertise="water:1"),
        person("M3", "IND", expertise="trade:1"),
        person("M4", "MEX", expertise="trade:2"),
    ]
    rows = [dispute_row(f"D{j}", panel_size=1, parties="KEN;EGY") for j in range(1, disputes + 1)]
    return build_workspace(mediators, rows)


def everyone_eligible(arrays: encoding_module.RosterArrays, view: object) -> Eligibility:
    """A broken kernel: nobody breaks an eligibility rule."""
    real = eligibility(arrays, view)  # type: ignore[arg-type]
    return Eligibility(*(np.zeros_like(getattr(real, f.name)) for f in fields(real)))


@pytest.fixture
def broken_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(encoding_module, "eligibility", everyone_eligible)


def test_the_roster_is_fine_with_the_real_kernel() -> None:
    ws = roster()
    result = propose(ws, "D1", IOMED, QUICK)
    assert result.panels and result.panels[0].member_ids != ["M1"]


@pytest.mark.usefixtures("broken_kernel")
def test_propose_raises_instead_of_returning_a_breaking_panel() -> None:
    with pytest.raises(InternalDisagreement) as caught:
        propose(roster(), "D1", IOMED, QUICK)
    error = caught.value
    assert error.code == "internal_disagreement"
    assert error.dispute_id == "D1" and error.members == ["M1"] and error.source == "solver"
    assert [b.rule for b in error.breaches] == ["H7"]
    assert "M1" in str(error) and "H7" in str(error)


@pytest.mark.usefixtures("broken_kernel")
def test_batch_raises_instead_of_returning_a_breaking_panel() -> None:
    with pytest.raises(InternalDisagreement, match="batch"):
        solve_batch(roster(disputes=2), IOMED, BatchConfig(time_limit=10.0))


def test_batch_raises_when_panels_together_exceed_a_capacity(monkeypatch: pytest.MonkeyPatch) -> None:
    ws = roster(disputes=2, star={"max_cases": 1, "active_cases": 0})
    assert solve_batch(ws, IOMED, BatchConfig(time_limit=10.0)).summary.staffed == 2  # M1 once, M2 once
    arrays = ws.arrays
    monkeypatch.setattr(arrays, "capacity", np.full(arrays.n, 5, dtype=np.int64))  # a broken capacity
    with pytest.raises(InternalDisagreement) as caught:
        solve_batch(ws, IOMED, BatchConfig(time_limit=10.0))
    assert caught.value.members == ["M1"] and [b.rule for b in caught.value.breaches] == ["H3"]


@pytest.mark.usefixtures("broken_kernel")
def test_lottery_raises_instead_of_drawing_a_breaking_panel() -> None:
    with pytest.raises(InternalDisagreement, match="lottery"):
        dispute_lottery(roster(), "D1", IOMED, floor=0.5)


@pytest.mark.usefixtures("broken_kernel")
def test_tradeoffs_raise_instead_of_showing_a_breaking_panel() -> None:
    with pytest.raises(InternalDisagreement, match="trade-off"):
        frontier(roster(), "D1", IOMED, QUICK)


def test_a_breaking_panel_is_never_recorded() -> None:
    ws = roster()
    good = propose(ws, "D1", IOMED, QUICK).panels[0]
    assert decision_from_panel(ws, "D1", good, IOMED).seats[0].mediator_id != "M1"
    bad = ProposedPanel(
        rank=1, members=(Seat("M1", Role.CHAIR),), objective=good.objective, scores=good.scores, disclosures=(), why=()
    )
    with pytest.raises(InternalDisagreement, match="recorded decision"):
        decision_from_panel(ws, "D1", bad, IOMED)
