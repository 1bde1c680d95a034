"""The planner: simulate the years ahead with the roster as it is, recommend recruits, then prove them.

``make_plan`` runs the three phases one after the other and assembles a ``Plan``:

1. **Before.** ``simulate`` runs the scenario's years against the roster as it is.
2. **Recommend.** ``recommend`` reads that simulation and proposes the smallest set of profiles to
   recruit, and names the scarce mediators and the over-supplied profiles.
3. **After** (``verify``, and only when there are recruits). ``simulate`` runs the very same years
   again, same seed and scenario (so the same forecast disputes), on ``with_recruits(data,
   recruits)``: any difference from "before" comes from the recruits alone.

Each phase reports its progress to the one ``ProgressFactory``. A stop (``CancelToken``) is looked
at between the phases and, inside a simulation, between two years: the plan then holds what was
done (a simulation stopped part-way is marked ``stopped``) and a note saying what was left out.
The settings block records what is needed to make the same plan again: the years, the seed, the
scenario, the quotas, the effective rule set, the input files' hashes, the solver and where the
years ran.
"""

from __future__ import annotations

import logging
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import asdict
from typing import Any

from matching.batch.quotas import Quotas
from matching.core.domain import Dataset
from matching.core.progress import Advance, CancelToken, ProgressFactory, silent_progress, stop_asked
from matching.io.results import rule_set_record, solver_label
from matching.io.rulesets import RuleSet
from matching.plan.forecast import Scenario
from matching.plan.model import Plan, Simulation
from matching.plan.recommend import recommend, with_recruits
from matching.plan.simulate import simulate

log = logging.getLogger(__name__)

PHASES = {"before": "The roster as it is", "after": "With the recruits"}  # progress labels of the simulations

STOPPED_BEFORE = (
    "Stopped while simulating the roster as it is: only the years finished are shown, and no recruitment was "
    "recommended."
)
STOPPED_RECOMMEND = (
    "Stopped before the recruitment was worked out: only the simulation of the roster as it is is shown."
)
STOPPED_AFTER = (
    "Stopped while re-running the years with the recruits: the “after” figures cover only the years finished, so "
    "compare them with the same years “before”."
)
STOPPED_BEFORE_AFTER = "Stopped before the years were re-run with the recruits: the recruits are not yet verified."
NOT_VERIFIED = "The recruits were not verified: the years were not re-run with them (verification was switched off)."
NO_RECRUITS = (
    "No recruitment is needed: the roster as it is staffs the forecast within the limits, so nothing was re-run."
)


def executor_kind(executor: Executor | None) -> str:
    """Where the simulated years ran, in words: this process, a process pool, a thread pool or a Dask cluster."""
    if executor is None:
        return "this process"
    if type(executor).__module__.split(".")[0] in ("distributed", "dask"):
        return "a Dask cluster"
    if isinstance(executor, ProcessPoolExecutor):
        return "a process pool"
    if isinstance(executor, ThreadPoolExecutor):
        return "a thread pool"
    return type(executor).__name__


def labelled(progress: ProgressFactory, prefix: str) -> ProgressFactory:
    """``progress`` whose every phase label starts with ``prefix`` (the two simulations report alike)."""

    def factory(total: int, label: str, /) -> AbstractContextManager[Advance]:
        return progress(total, f"{prefix}: {label[:1].lower()}{label[1:]}")

    return factory


def plan_settings(
    data: Dataset, rule_set: RuleSet, scenario: Scenario, quotas: Quotas, seed: int, executor: Executor | None
) -> dict[str, Any]:
    """The settings block of a plan: what makes the same plan again (see docs/outputs.md)."""
    return {
        "years": scenario.years,
        "seed": seed,
        "scenario": scenario.model_dump(mode="json"),
        "quotas": asdict(quotas),
        "rule_set": rule_set_record(rule_set),
        "inputs_sha256": dict(data.inputs_sha256),
        "solver": solver_label(),
        "executor": executor_kind(executor),
    }


def make_plan(
    data: Dataset,
    rule_set: RuleSet,
    scenario: Scenario,
    *,
    quotas: Quotas = Quotas(),  # noqa: B008 - a frozen dataclass, never changed
    seed: int = 0,
    executor: Executor | None = None,
    progress: ProgressFactory = silent_progress,
    cancel: CancelToken | None = None,
    verify: bool = True,
) -> Plan:
    """Simulate the years ahead, recommend recruits and (``verify``) re-run the years with them; see the module
    docstring. A stop returns what was done, with a note."""
    settings = plan_settings(data, rule_set, scenario, quotas, seed, executor)
    settings["verify"] = verify

    def run(dataset: Dataset, label: str) -> Simulation:
        return simulate(
            dataset,
            rule_set,
            scenario,
            quotas=quotas,
            seed=seed,
            executor=executor,
            label=label,
            progress=labelled(progress, PHASES[label]),
            cancel=cancel,
        )

    before = run(data, "before")
    if before.stopped or stop_asked(cancel):
        return Plan(settings, before, notes=(STOPPED_BEFORE if before.stopped else STOPPED_RECOMMEND,))
    with progress(1, "Working out whom to recruit") as advance:
        recruits, scarce, oversupplied = recommend(data, rule_set, scenario, before, seed=seed, quotas=quotas)
        advance()

    def plan(after: Simulation | None, *notes: str) -> Plan:
        return Plan(settings, before, recruits, after, scarce, oversupplied, notes)

    if not recruits:
        return plan(None, NO_RECRUITS)
    if not verify:
        return plan(None, NOT_VERIFIED)
    if stop_asked(cancel):
        return plan(None, STOPPED_BEFORE_AFTER)
    after = run(with_recruits(data, recruits), "after")
    log.info("plan: %d recruits, after-run %s", sum(r.count for r in recruits), "stopped" if after.stopped else "done")
    return plan(after, STOPPED_AFTER) if after.stopped else plan(after)
