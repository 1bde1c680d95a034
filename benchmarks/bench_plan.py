"""Planner benchmark: simulated years of a generated caseload, and the planning budget against the exact batch.

Run on purpose (not part of the tests)::

    python benchmarks/bench_plan.py                       # both sections
    python benchmarks/bench_plan.py --section year1       # the planning budget against the default batch
    python benchmarks/bench_plan.py --section years       # two chains of simulated years on a process pool

Sections (the target from issue 16 in brackets):

* ``year1``: year 1 of the forecast (the mix of the generated data, 800 disputes over 1,200 mediators)
  staffed twice, with the planner's budget (``matching.plan.simulate.PLANNING_BUDGET``) and with the
  default batch settings (``BatchConfig()``, one process): seconds, staffed disputes, objective and
  every figure of the year, and the difference (the planning budget's error against the exact batch).
* ``plan``: ``make_plan`` as the ``plan`` command runs it (before, the recommendation, after), the
  seconds of each phase and the figures before and after [the issue's 10 minutes].
* ``years``: ``simulate_pair`` with two identical chains (as "before" and "after" of a plan) of
  ``--years`` years each on a process pool of ``--workers`` processes: seconds per year, the total,
  staffed share and expertise kept [10 years x 2 chains in under 10 minutes on this 2-core machine].

Times are wall seconds on this machine. The data: ``write_demo_data(seed, mediators, disputes)``, the
scenario ``scenario_from_data`` of it, quotas ``--max-state-share`` (default 0.05, as in the issue).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from multiprocessing import get_context
from pathlib import Path

import machine_speed

from matching.batch.quotas import Quotas
from matching.batch.settings import BatchConfig
from matching.core.domain import Dataset
from matching.core.progress import Advance
from matching.demo.generate import write_demo_data
from matching.io.loading import load_dataset
from matching.io.rulesets import load_rule_set
from matching.plan.forecast import scenario_from_data
from matching.plan.model import FIGURES, YearFigures
from matching.plan.simulate import PLANNING_BUDGET, SimulationJob, run_year, simulate_pair, year_job


def generated(folder: Path, seed: int, mediators: int, disputes: int) -> Dataset:
    write_demo_data(folder, seed=seed, mediators=mediators, disputes=disputes)
    return load_dataset(
        mediators=folder / "mediators.csv",
        disputes=folder / "disputes.csv",
        appointments=folder / "appointments.csv",
    )


def bench_year1(job: SimulationJob) -> None:
    first = year_job(job, 1, [])
    planning = run_year(first).figures
    exact = run_year(replace(first, config=BatchConfig(quotas=job.quotas, seed=job.seed, workers=1))).figures
    print(f"\nYear 1: {planning.disputes} disputes, {len(first.data.mediators)} mediators")
    print(f"planning budget: {PLANNING_BUDGET}")
    print(f"{'figure':<22}{'planning':>12}{'default batch':>15}{'difference':>12}")
    for name in ("seconds", "staffed", "objective", "bound", "gap", *FIGURES):
        a, b = float(getattr(planning, name)), float(getattr(exact, name))
        print(f"{name:<22}{a:>12.4f}{b:>15.4f}{a - b:>12.4f}")
    error = (exact.objective - planning.objective) / exact.objective if exact.objective else 0.0
    print(
        f"objective {planning.objective:.4f} against {exact.objective:.4f}: {error:.2%} below the default batch; "
        f"staffed {planning.staffed} against {exact.staffed}; {planning.seconds:.1f} s against {exact.seconds:.1f} s."
    )


def row(label: str, y: YearFigures, mediators: int) -> str:
    return (
        f"{label:<8}{y.year:>5}{y.disputes:>10}{mediators:>11}{y.seconds:>10.1f}"
        f"{y.staffed_share:>9.3f}{y.expertise_kept:>11.3f}{y.largest_state_share:>9.3f}{y.worst_lean:>7.0f}"
    )


def bench_years(job: SimulationJob, workers: int) -> None:
    jobs = [job, replace(job, label="after")]
    started = time.perf_counter()
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        simulations = simulate_pair(jobs, pool)
    total = time.perf_counter() - started
    mediators = len(job.data.mediators)
    print(f"\n{len(jobs)} chains x {job.scenario.years} years on {workers} processes")
    print(
        f"{'chain':<8}{'year':>5}{'disputes':>10}{'mediators':>11}{'seconds':>10}{'staffed':>9}{'expertise':>11}{'state':>9}{'lean':>7}"
    )
    for sim in simulations:
        for y in sim.years:
            print(row(sim.label, y, mediators))
    years = [y for sim in simulations for y in sim.years]
    same = [replace(a, seconds=0) for a in simulations[0].years] == [
        replace(b, seconds=0) for b in simulations[1].years
    ]
    print(
        f"total {total:.1f} s for {len(years)} simulated years ({total / max(1, len(years)):.1f} s a year on the pool; "
        f"{sum(y.seconds for y in years) / max(1, len(years)):.1f} s a year in one process); "
        f"the two chains {'agree' if same else 'DIFFER'}; target: under 600 s."
    )


def bench_plan(job: SimulationJob, workers: int) -> None:
    """The whole plan as the command runs it: before, the recommendation, after (on the pool)."""
    from matching.plan.planner import make_plan

    phases: dict[str, float] = {}

    @contextmanager
    def timed(total: int, label: str, /) -> Iterator[Advance]:
        started = time.perf_counter()
        yield lambda steps=1, /: None
        phases[label] = phases.get(label, 0.0) + time.perf_counter() - started

    started = time.perf_counter()
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        plan = make_plan(
            job.data, job.rule_set, job.scenario, quotas=job.quotas, seed=job.seed, executor=pool, progress=timed
        )
    total = time.perf_counter() - started
    print(
        f"\nmake_plan: {job.scenario.years} years, {len(job.data.mediators)} mediators, {job.scenario.disputes_per_year} disputes a year"
    )
    for label, seconds in phases.items():
        print(f"  {label:<45} {seconds:8.1f} s")
    recruits = sum(r.count for r in plan.recruits)
    for sim in (plan.before, plan.after):
        if sim is None:
            continue
        b = sim.bands()
        print(
            f"  {sim.label:<7} staffed median {b['staffed_share'].median:.3f} (low {b['staffed_share'].low:.3f}), "
            f"expertise kept median {b['expertise_kept'].median:.3f}, worst lean {b['worst_lean'].high:.0f}, "
            f"unstaffed {len(sim.unstaffed())}"
        )
    print(f"  recruits {recruits} in {len(plan.recruits)} profile(s); total {total:.1f} s (target: under 600 s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--section", choices=("all", "year1", "years", "plan"), default="all")
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--mediators", type=int, default=1200)
    parser.add_argument("--disputes", type=int, default=800)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--max-state-share", type=float, default=0.05)
    args = parser.parse_args()
    print(machine_speed.report(), flush=True)
    with tempfile.TemporaryDirectory() as folder:
        data = generated(Path(folder), args.seed, args.mediators, args.disputes)
    scenario = scenario_from_data(data, years=args.years)
    job = SimulationJob(data, load_rule_set("iomed"), scenario, Quotas(max_state_share=args.max_state_share), args.seed)
    print(f"scenario: {scenario.disputes_per_year} disputes a year, {scenario.years} years; quotas {job.quotas}")
    if args.section in ("all", "year1"):
        bench_year1(job)
    if args.section in ("all", "years"):
        bench_years(job, args.workers)
    if args.section in ("all", "plan"):
        bench_plan(job, args.workers)


if __name__ == "__main__":
    main()
