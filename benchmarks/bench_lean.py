"""Lean cap benchmark (H8): what a cap does to a generated year, and how long pricing each cap takes.

Run on purpose (not part of the tests)::

    python benchmarks/bench_lean.py                      # both sections
    python benchmarks/bench_lean.py --section year       # one batch year under each cap
    python benchmarks/bench_lean.py --section prices     # the trade-off's lean prices, dispute by dispute

Sections:

* ``year``: year 1 of the planner's forecast (the mix of ``write_demo_data(seed, mediators, disputes)``,
  800 disputes over 1,200 mediators by default) staffed as one batch with the state, group, women and
  per-mediator quotas, within the planner's deterministic budget, once without a cap and once under each
  ``--caps`` value: seconds, staffed disputes, expertise kept (the panels' objective over their proven
  bounds alone), mean and worst lean, and the number of panels above the cap (the goal: 0). The issue's
  figure without a cap: worst lean 3 with every quota held.
* ``prices``: ``lean_prices`` (the trade-off output's lean caps) on the bundled demo disputes: seconds per
  dispute (median and worst), caps priced, and the expertise the tightest cap gives up.

Times are wall seconds on this machine (2 cores); the load is printed with the results.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import machine_speed

from matching.batch.quotas import Quotas
from matching.core.config import SolveConfig
from matching.core.paths import demo_dir
from matching.demo.generate import write_demo_data
from matching.io.loading import load_dataset, load_folder
from matching.io.rulesets import load_rule_set
from matching.panel.tradeoffs import lean_prices
from matching.plan.forecast import scenario_from_data
from matching.plan.simulate import SimulationJob, run_year, year_job
from matching.rules.workspace import Workspace

YEAR_QUOTAS = Quotas(max_per_mediator=2, max_state_share=0.05, max_group_share=0.35, min_women_share=0.35)


def load() -> str:
    return "load " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def bench_year(seed: int, mediators: int, disputes: int, caps: list[int]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        write_demo_data(Path(folder), seed=seed, mediators=mediators, disputes=disputes)
        data = load_dataset(
            mediators=Path(folder) / "mediators.csv",
            disputes=Path(folder) / "disputes.csv",
            appointments=Path(folder) / "appointments.csv",
        )
    scenario = scenario_from_data(data, years=1)
    rules = load_rule_set("iomed")
    print(f"\nYear 1: {scenario.disputes_per_year} disputes over {mediators} mediators; quotas {YEAR_QUOTAS}")
    print(
        f"{'cap':>5}{'seconds':>9}{'staffed':>9}{'expertise kept':>16}{'mean lean':>11}{'worst lean':>12}{'above cap':>11}"
    )
    base = SimulationJob(data, rules, scenario, YEAR_QUOTAS, seed)
    for cap in [None, *caps]:
        job = replace(base, rule_set=rules.with_max_lean(cap))
        started = time.perf_counter()
        figures = run_year(year_job(job, 1, [])).figures
        seconds = time.perf_counter() - started
        above = "n/a" if cap is None else ("0" if figures.worst_lean <= cap else "SOME")
        print(
            f"{'none' if cap is None else cap:>5}{seconds:>9.1f}{figures.staffed:>9}{figures.expertise_kept:>16.4f}"
            f"{figures.mean_lean:>11.3f}{figures.worst_lean:>12.0f}{above:>11}"
        )
    print(f"goal: no panel above the cap (the checker re-checks every panel); {load()}")


def bench_prices(limit: int) -> None:
    ws = Workspace(load_folder(demo_dir()))
    rules = load_rule_set("iomed")
    ids = [d.dispute_id for d in ws.data.disputes if len(d.parties) >= 2][:limit]
    seconds, caps, tightest = [], [], []
    for did in ids:
        started = time.perf_counter()
        prices = lean_prices(ws, did, rules, SolveConfig(seed=0))
        seconds.append(time.perf_counter() - started)
        caps.append(len(prices.points))
        if prices.points:
            tightest.append(prices.points[0].price)
    print(f"\nLean prices on {len(ids)} demo disputes ({len(ws.data.mediators)} mediators)")
    print(
        f"seconds per dispute: median {statistics.median(seconds):.2f}, worst {max(seconds):.2f}; "
        f"caps priced: median {statistics.median(caps):.0f}, most {max(caps)}; expertise given up by the tightest "
        f"cap: median {statistics.median(tightest):.4f}, most {max(tightest):.4f}; {load()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--section", choices=("all", "year", "prices"), default="all")
    parser.add_argument("--mediators", type=int, default=1200)
    parser.add_argument("--disputes", type=int, default=800)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--caps", type=int, nargs="*", default=[2, 1, 0])
    parser.add_argument("--limit", type=int, default=40, help="demo disputes to price")
    args = parser.parse_args()
    print(machine_speed.report(), flush=True)
    if args.section in ("all", "prices"):
        bench_prices(args.limit)
    if args.section in ("all", "year"):
        bench_year(args.seed, args.mediators, args.disputes, args.caps)


if __name__ == "__main__":
    main()
