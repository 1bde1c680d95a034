"""Trade-off benchmark: the full expertise-impartiality frontier on generated rosters.

Run on purpose: ``python benchmarks/bench_tradeoffs.py [--sizes 1000] [--per-size 8]``. For each
roster size, takes disputes with panels of 3 and measures the wall time of the exact frontier
(threads, 2 workers), the number of frontier points and of CP-SAT solves, and the time of the
weight-sensitivity analysis.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import machine_speed

from matching.demo.generate import write_demo_data
from matching.io.loading import load_folder
from matching.io.rulesets import load_rule_set
from matching.panel.tradeoffs import frontier, sensitivity
from matching.rules.workspace import Workspace


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[300, 1000])
    parser.add_argument("--per-size", type=int, default=8)
    parser.add_argument("--panel", type=int, default=3)
    args = parser.parse_args()
    print(machine_speed.report(), flush=True)
    rule_set = load_rule_set("iomed")
    print(
        f"{'roster':>7} {'panel':>5} {'disputes':>8} {'points med/max':>15} {'solves med':>10} {'frontier s med/max':>19} {'sensitivity s med':>18}"
    )
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            write_demo_data(Path(tmp), seed=11, mediators=size, disputes=120)
            ws = Workspace(load_folder(Path(tmp)))
            ws.text  # noqa: B018 - the text index is built once per data set, outside the timings
            chosen = [d for d in ws.data.disputes if d.panel_size == args.panel][: args.per_size]
            points, solves, times, sens = [], [], [], []
            for d in chosen:
                started = time.perf_counter()
                front = frontier(ws, d.dispute_id, rule_set)
                times.append(time.perf_counter() - started)
                points.append(len(front.points))
                solves.append(front.solves)
                started = time.perf_counter()
                sensitivity(ws, d.dispute_id, rule_set)
                sens.append(time.perf_counter() - started)
            print(
                f"{size:>7} {args.panel:>5} {len(chosen):>8} {statistics.median(points):>7.0f}/{max(points):<7} "
                f"{statistics.median(solves):>10.0f} {statistics.median(times):>9.2f}/{max(times):<9.2f} {statistics.median(sens):>18.2f}"
            )


if __name__ == "__main__":
    main()
