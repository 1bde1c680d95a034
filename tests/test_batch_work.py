"""The batch's budget counts exact pricing's work around CP-SAT's search (encoding and building each model,
charged by size) as well as the search: a budget spent that way stops pricing, with a bound still valid."""

from __future__ import annotations

from unittest import mock

import matching.batch.disputes as disputes_module
from matching.batch.run import BatchSummary, solve_batch
from matching.batch.settings import BatchConfig
from matching.core.paths import demo_dir
from matching.io.loading import load_folder
from matching.io.rulesets import load_rule_set
from matching.rules.workspace import Workspace
from tests.test_batch import pools_of_three

IOMED = load_rule_set("iomed")


def _priced_batch(build_work: float) -> BatchSummary:
    """40 demo disputes with pools of three (so exact pricing runs), asked for the optimum (gap 0)."""
    ws = Workspace(load_folder(demo_dir()))
    ids = [d.dispute_id for d in ws.data.disputes[:40]]
    with (
        pools_of_three(),
        mock.patch.object(disputes_module, "BUILD_WORK", build_work),
    ):
        config = BatchConfig(time_limit=10, workers=1, enumeration_budget=3, gap=0.0)
        return solve_batch(ws, IOMED, config, ids).summary


def test_model_building_is_charged_to_the_budget_and_a_spent_budget_still_gives_a_valid_bound() -> None:
    """Charged as usual, exact pricing takes several rounds and proves the optimum. With each model's
    building charged 1,000 deterministic seconds, the first round spends exact pricing's whole share
    (``EXACT_SHARE`` of 10 s): one round only, and its bound still holds against that optimum."""
    usual = _priced_batch(disputes_module.BUILD_WORK)
    assert usual.exact_rounds >= 2 and usual.proven_optimal
    dear = _priced_batch(1_000.0)
    assert dear.exact_rounds == 1
    assert dear.objective <= usual.objective + 1e-9 <= dear.bound + 2e-9
    assert dear.staffed == usual.staffed
