"""Batch benchmark: the flow fast path, the full rules, the demo data with quotas, and memory at scale.

Run on purpose (not part of the tests)::

    python benchmarks/bench_batch.py                 # every section, each in a fresh process
    python benchmarks/bench_batch.py --section flow  # one section (flow, full, demo, memory, dask, year, scale)
    python benchmarks/bench_batch.py --section dask --scheduler tcp://HOST:8786  # dask on a running cluster

Sections (targets from the issue in brackets):

* ``flow``: capacity and eligibility only, 2,000 disputes x 3,000 mediators, 3 per panel, at most 2
  seats each, random integer scores: the exact optimum by min-cost flow, on every arc and with the
  certified pruning (the same optimum) [under 10 s].
* ``full``: every hard rule, 500 disputes x 1,000 mediators from ``matching.demo.generate.write_demo_data``:
  objective, proven bound and gap [within 1 % of the bound in under 60 s].
* ``demo``: the bundled demo data with every quota on: time, gap and the seat shares against the quotas.
* ``memory``: 10,000 mediators x 5,000 disputes: peak resident memory of the run and of its worker
  processes (``resource.getrusage``) [under 8 GiB].
* ``dask``: the ``full`` instance (500 disputes x 1,000 mediators) on the run's own process pool and on a
  Dask cluster (``--scheduler ADDRESS``, or a ``LocalCluster`` of ``--workers`` processes with one thread
  each started here): both times, the per-dispute phase of each, and whether the batch JSON is the same
  apart from timings [the same result as the process pool].
* ``year`` (issue 17): a generated year, 800 disputes x 1,200 mediators (``write_demo_data`` seed 3),
  with per-mediator (3), state (5 %), group (35 %) and women (35 %) quotas [every quota kept, within
  0.5 % of a proven bound, under 2 minutes].
* ``scale`` (issue 17): 5,000 disputes x 10,000 mediators as ``memory`` [every dispute feasible alone
  staffed, within 1 % of a proven bound, under 10 minutes, under 4 GiB with the workers].
  Both print the goal, the measured figures, the issue's figure, ours before this work and the load.

Times are wall seconds on this machine and include encoding; the per-dispute solves use
``--workers`` processes (default 2) and the joint model that many CP-SAT workers.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import machine_speed
import numpy as np

SECTIONS = ("flow", "full", "demo", "memory", "dask", "year", "scale")
TIMINGS = {"seconds", "started_at", "wall_seconds"}

# The two goals of issue 17 ("batch proofs loosen with size"): the goal, the figure the issue
# measured, and ours before this work (same machine, same instance; wall seconds, noisy: 2 shared cores).
# The year's quotas: the issue does not record them; with at most 2 seats a mediator and 40 % women the
# generated year cannot be staffed (2,275 seats, 2,250 seats of capacity, 39.8 % of the capacity women's).
YEAR_QUOTAS = {"max_per_mediator": 3, "max_state_share": 0.05, "max_group_share": 0.35, "min_women_share": 0.35}
GOALS = {
    "year": {
        "goal": "every quota kept, gap under 0.5 % of a proven bound, under 120 s",
        "issue": "gap 1.71 % after 330 s (quotas not recorded)",
        "before": "gap 6.41 % (bound: the disputes alone; the GLOP master ran out of its limit), 799 of 799 staffed, "
        "675 s at load 7-10; then (main 9e81c20) gap 0.421 %, 243 s, CPU 122 here + 97 in the workers; then (main "
        "02487d0) gap 0.438 %, about 78 s on a quiet machine; then (main 4e0747d) gap 0.384 %, 79.9 s; then (main 6839415) gap 0.176 %, 108.1 s, CPU 54 "
        "here + 106 in the workers; then (main 2c1dcf4, machine speed 0.94) gap 0.179 %, 143.0 s, CPU 84 here + 115 in "
        "the workers; then (main ec01e3e, machine speed 0.93) gap 0.179 %, 111.9 s, CPU 58 here + 107 in the workers; "
        "then (main e1e0885, quiet, machine speed 0.86) gap 0.179 %, 102.1 s, CPU 57 here + 87 in the workers; then (main "
        "1b265fc, quiet, machine speed 0.87) gap 0.170 %, 90.2 s, CPU 48 here + 83 in the workers; then (main c500f96, "
        "load 1.0-1.3, machine speed 0.81) gap 0.170 %, 92.3 s, CPU 52 here + 79 in the workers",
    },
    "scale": {
        "goal": "every dispute feasible alone staffed, gap under 1 %, under 600 s, peak memory under 4 GiB",
        "issue": "4,936 of 5,000 staffed, gap 7.89 % after 425 s",
        "before": "4,936 of 4,999 feasible alone staffed, gap 7.89 % (the GLOP master ran out of its limit in its first "
        "round), 1,501 s at load 7-8, 1.6 GiB; then (main 9e81c20) 4,989 of 4,999, gap 6.47 % (the programme ran "
        "out of its work budget before exact pricing), 728 s, 1.58 GiB; then (main 02487d0, quiet machine) 4,999 of "
        "4,999, gap 4.915 % (linear programme 10,487, objective 10,483, bound 11,025), 685.9 s, CPU 344 here + 679 in "
        "the workers, 1.71 GiB (the assignment model 180 s, for nothing); then (main 4e0747d, quiet machine) 4,999 of "
        "4,999, gap 5.239 % (objective 10,475.58, bound 11,054.70: the disputes alone), 475.4 s, CPU 145 here + 656 in "
        "the workers, 1.45 GiB; then (main d7708da, quiet machine) 4,999 of 4,999, gap 3.829 % (objective 10,555.29, "
        "bound 10,975.58 from exact pricing), 600.1 s, CPU 309 here + 578 in the workers, 1.54 GiB; then (main 6839415, "
        "quiet machine) 4,999 of 4,999, gap 3.568 % (objective 10,552.24, bound 10,942.71), 537.6 s, CPU 348 here + 376 "
        "in the workers, 1.53 GiB (later the machine ran the same code about 1.65 times slower); then (main 2c1dcf4, "
        "machine speed about 1) 4,999 of 4,999, gap 3.089 % (objective 10,552.25, bound 10,888.60), 1,131.6 s, CPU 663 "
        "here + 930 in the workers, 1.96 GiB (exact pricing 301.5 s, assignment 113.0 s); then (main ec01e3e, machine speed "
        "0.92) the same gap, 993.5 s, CPU 655 here + 672 in the workers, 1.97 GiB (assignment 101.7 s: the programme's "
        "last solve out of work); then (main e1e0885, beside three helpers, load 2.5-4, machine speed 0.78) 4,999 of "
        "4,999, gap 1.914 % (objective 10,564.91, bound 10,771.07), 1,891.7 s, CPU 511 here + 825 in the workers, "
        "1.60 GiB; then (main 1b265fc, quiet, machine speed 1.04-1.20) 4,999 of 4,999, gap 1.710 % (objective "
        "10,566.23, bound 10,750.06), 829.1 s, CPU 324 here + 881 in the workers, 1.61 GiB; then (main c500f96, quiet, "
        "machine speed 0.85-1.08) 4,999 of 4,999, gap 1.702 % (objective 10,566.67, bound 10,749.60), 714.7 s, CPU 330 "
        "here + 761 in the workers, 1.62 GiB",
    },
}


def peak_rss_mib() -> tuple[float, float]:
    """Peak resident memory of this process and of its largest finished child, in MiB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def bench_flow() -> dict[str, Any]:
    from matching.batch.flow import solve_transport

    rng = np.random.default_rng(2025)
    d, m = 2000, 3000
    score = rng.integers(0, 10_000, size=(d, m))
    eligible = rng.random((d, m)) < 0.9
    demand, capacity = np.full(d, 3), np.full(m, 2)
    started = time.perf_counter()
    full = solve_transport(score, eligible, demand, capacity, keep=None)
    full_s = time.perf_counter() - started
    started = time.perf_counter()
    pruned = solve_transport(score, eligible, demand, capacity, keep=40)
    pruned_s = time.perf_counter() - started
    assert full.objective == pruned.objective, "pruning changed the optimum"
    return {
        "case": "capacity only, 2000 x 3000, 3 per panel, <= 2 each",
        "method": "min-cost flow",
        "seconds": round(pruned_s, 2),
        "detail": f"optimum {full.objective}; every arc ({full.arcs:,}) {full_s:.2f} s, "
        f"pruned and certified ({pruned.arcs:,} arcs, {pruned.rounds} round(s)) {pruned_s:.2f} s",
        "gap": "0 (proven)",
    }


def _batch(folder: Path, workers: int, time_limit: float, label: str, **settings: Any) -> dict[str, Any]:
    from matching.batch.quotas import Quotas
    from matching.batch.run import solve_batch
    from matching.batch.settings import BatchConfig
    from matching.io.loading import load_folder
    from matching.io.rulesets import load_rule_set
    from matching.rules.workspace import Workspace

    started, cpu = time.perf_counter(), time.process_time()
    ws = Workspace(load_folder(folder))
    quotas = Quotas(**settings.pop("quotas", {}))
    config = BatchConfig(quotas=quotas, workers=workers, time_limit=time_limit, **settings)
    outcome = solve_batch(ws, load_rule_set("iomed"), config)
    seconds = time.perf_counter() - started
    workers_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_here, cpu_workers = time.process_time() - cpu, workers_cpu.ru_utime + workers_cpu.ru_stime
    s = outcome.summary
    own, children = peak_rss_mib()
    shares = "; ".join(q.sentence() for q in s.quotas)
    return {
        "case": label,
        "method": s.method.split(",")[0].split(" (")[0],
        "seconds": round(seconds, 1),
        "detail": f"{s.staffed}/{s.disputes} staffed, objective {s.objective:.3f}, bound {s.bound:.3f}"
        + (f"; {shares}" if shares else "")
        + (f"; linear programme {s.lp_value:.3f}" if s.lp_value is not None else "")
        + f"; {s.columns:,} candidate panels, {s.rounds} pricing and {s.exact_rounds} exact pricing round(s)"
        + f"; phases {', '.join(f'{k} {v:.1f}' for k, v in s.seconds.items())}"
        + "".join(f"; {note}" for note in s.method.split("; ")[1:]),
        "gap": f"{s.relative_gap:.3%}",
        "peak_rss_mib": round(own, 0),
        "workers_peak_rss_mib": round(children, 0),
        "cpu_seconds": f"{cpu_here:.0f} here + {cpu_workers:.0f} in the workers",
        "staffed": s.staffed,
        "feasible_alone": s.disputes - len(s.infeasible_alone) - len(s.timeouts),
        "quotas_kept": all(q.kept for q in s.quotas),
        "relative_gap": s.relative_gap,
        "bound_sources": s.bound_sources,
    }


def bench_full(workers: int) -> dict[str, Any]:
    from matching.demo.generate import write_demo_data

    with tempfile.TemporaryDirectory() as tmp:
        write_demo_data(Path(tmp), seed=11, mediators=1000, disputes=500)
        return _batch(Path(tmp), workers, 60.0, "full rules, 500 disputes x 1000 mediators")


def bench_demo(workers: int) -> dict[str, Any]:
    from matching.core.paths import demo_dir

    quotas = {
        "max_per_mediator": 2,
        "max_state_share": 0.05,
        "max_group_share": 0.35,
        "min_women_share": 0.4,
        "max_same_party": 1,
    }
    return _batch(demo_dir(), workers, 30.0, "demo data (80 x 600), every quota on", quotas=quotas)


def bench_memory(workers: int) -> dict[str, Any]:
    from matching.demo.generate import write_demo_data

    with tempfile.TemporaryDirectory() as tmp:
        write_demo_data(Path(tmp), seed=7, mediators=10_000, disputes=5_000)
        row = _batch(Path(tmp), workers, 120.0, "memory: 5000 disputes x 10000 mediators", dispute_time_limit=0.5)
    row["detail"] += f"; peak RSS {row['peak_rss_mib']:.0f} MiB here, {row['workers_peak_rss_mib']:.0f} MiB per worker"
    return row


def _without_timings(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_timings(v) for k, v in value.items() if k not in TIMINGS}
    if isinstance(value, list):
        return [_without_timings(v) for v in value]
    return value


def bench_dask(workers: int, scheduler: str | None) -> dict[str, Any]:
    from distributed import Client, LocalCluster

    from matching.batch.run import solve_batch
    from matching.batch.settings import BatchConfig
    from matching.demo.generate import write_demo_data
    from matching.io.loading import load_folder
    from matching.io.rulesets import load_rule_set
    from matching.rules.workspace import Workspace

    with tempfile.TemporaryDirectory() as tmp:
        write_demo_data(Path(tmp), seed=11, mediators=1000, disputes=500)
        ws = Workspace(load_folder(Path(tmp)))
    rule_set, config = load_rule_set("iomed"), BatchConfig(workers=workers, time_limit=60.0)
    started = time.perf_counter()
    pooled = solve_batch(ws, rule_set, config)
    pool_s = time.perf_counter() - started
    started = time.perf_counter()
    cluster = None if scheduler else LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=None)
    with Client(scheduler or cluster) as client:
        startup_s = time.perf_counter() - started
        started = time.perf_counter()
        on_dask = solve_batch(ws, rule_set, config, executor=client.get_executor())
        dask_s = time.perf_counter() - started
    if cluster is not None:
        cluster.close()
    same = _without_timings(pooled.document()) == _without_timings(on_dask.document())
    alone = "disputes alone"
    s = on_dask.summary
    return {
        "case": f"dask vs pool, 500 x 1000, --workers {workers}",
        "method": f"Dask ({'at ' + scheduler if scheduler else 'LocalCluster'})",
        "seconds": round(dask_s, 1),
        "detail": f"same result: {'yes' if same else 'NO'}; process pool {pool_s:.1f} s (disputes alone "
        f"{pooled.summary.seconds[alone]:.1f} s), Dask {dask_s:.1f} s (disputes alone {s.seconds[alone]:.1f} s) "
        + (f"after {startup_s:.1f} s to start the cluster" if cluster is not None else "")
        + f"; {s.staffed}/{s.disputes} staffed, objective {s.objective:.3f}, bound {s.bound:.3f}",
        "gap": f"{s.relative_gap:.3%}",
        "same": same,
    }


def _goal_row(name: str, row: dict[str, Any], workers: int) -> dict[str, Any]:
    """The goal, the measured figures, the issue's figure and ours before, with the machine's load."""
    # Peak memory of the run: this process plus every worker process (each at most the largest one's peak).
    memory = row["peak_rss_mib"] + workers * row["workers_peak_rss_mib"]
    goal = GOALS[name]
    row["detail"] = (
        f"goal: {goal['goal']}. Measured: {row['seconds']} s (CPU {row['cpu_seconds']}), gap {row['gap']}, staffed {row['staffed']} of "
        f"{row['feasible_alone']} feasible alone, quotas {'kept' if row['quotas_kept'] else 'BROKEN'}, "
        f"peak memory {memory:.0f} MiB (this process {row['peak_rss_mib']:.0f} + {workers} x "
        f"{row['workers_peak_rss_mib']:.0f} per worker). Issue: {goal['issue']}; ours before: {goal['before']}. "
        f"Load {os.getloadavg()[0]:.2f} (1 min) at the end; {row['detail']}"
    )
    return row


def bench_year(workers: int) -> dict[str, Any]:
    """The generated year of issue 17: 1,200 mediators, 800 disputes, state, group, women and per-mediator quotas."""
    from matching.demo.generate import write_demo_data

    with tempfile.TemporaryDirectory() as tmp:
        write_demo_data(Path(tmp), seed=3, mediators=1200, disputes=800)
        row = _batch(Path(tmp), workers, 60.0, "year: 800 disputes x 1200 mediators, quotas", quotas=dict(YEAR_QUOTAS))
    return _goal_row("year", row, workers)


def bench_scale(workers: int) -> dict[str, Any]:
    """The large batch of issue 17: 5,000 disputes x 10,000 mediators, the rules only (as ``memory``)."""
    from matching.demo.generate import write_demo_data

    with tempfile.TemporaryDirectory() as tmp:
        write_demo_data(Path(tmp), seed=7, mediators=10_000, disputes=5_000)
        row = _batch(Path(tmp), workers, 120.0, "scale: 5000 disputes x 10000 mediators", dispute_time_limit=0.5)
    return _goal_row("scale", row, workers)


def run_section(name: str, workers: int, scheduler: str | None = None) -> dict[str, Any]:
    if name == "year":
        return bench_year(workers)
    if name == "scale":
        return bench_scale(workers)
    if name == "flow":
        return bench_flow()
    if name == "full":
        return bench_full(workers)
    if name == "demo":
        return bench_demo(workers)
    if name == "dask":
        return bench_dask(workers, scheduler)
    return bench_memory(workers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--section", choices=SECTIONS, help="run one section in this process and print it as JSON")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip", choices=SECTIONS, nargs="*", default=[], help="sections to leave out")
    parser.add_argument("--scheduler", help="dask section: a running Dask scheduler (default: a LocalCluster here)")
    args = parser.parse_args()
    if args.section:
        row = run_section(args.section, args.workers, args.scheduler)
        # After the section: the fixed work runs in a child process, which would count as a worker's CPU and memory.
        print(machine_speed.report(), flush=True)
        print(json.dumps(row))
        return
    print(machine_speed.report(), flush=True)
    rows = []
    for name in SECTIONS:
        if name in args.skip:
            continue
        # A fresh process per section: peak memory and timings of one section only.
        done = subprocess.run(
            [sys.executable, __file__, "--section", name, "--workers", str(args.workers)]
            + (["--scheduler", args.scheduler] if args.scheduler else []),
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            rows.append({"case": name, "method": "failed", "seconds": "", "gap": "", "detail": done.stderr[-300:]})
        else:
            rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    header = f"{'case':<48} {'method':<34} {'seconds':>8} {'gap':>10}  detail"
    print(header)
    print("-" * len(header))
    for r in rows:
        print(f"{r['case']:<48} {r['method']:<34} {r['seconds']!s:>8} {r['gap']:>10}  {r['detail']}")


if __name__ == "__main__":
    main()
