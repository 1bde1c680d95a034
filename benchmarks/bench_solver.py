"""Solver benchmark: rosters of 300 to 10,000 mediators, panels of 1, 3 and 5.

Run on purpose (not part of the tests): ``python benchmarks/bench_solver.py [--sizes 300 1000]``.
For each roster size it generates a seeded data set, takes several disputes of each panel size
and measures, per dispute, the time to the proven best panel (one candidate) and to five
distinct candidates, with the model size after pruning and the gap when a limit was hit.
Times are wall seconds on this machine and include encoding the dispute.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import machine_speed

from matching.core.config import SolveConfig
from matching.demo.generate import write_demo_data
from matching.io.loading import load_folder
from matching.io.rulesets import load_rule_set
from matching.panel.model import solve_instance
from matching.rules.encoding import encode
from matching.rules.workspace import Workspace


def run(sizes: list[int], per_size: int, workers: int, reduce: bool) -> None:
    rule_set = load_rule_set("iomed")
    header = f"{'roster':>7} {'panel':>5} {'n':>3} {'eligible':>8} {'model':>6} {'best s (med/max)':>17} {'5 cand s (med/max)':>19} {'status':>8} {'max gap':>8}"
    print(f"workers={workers} reduce={reduce}")
    print(header)
    print("-" * len(header))
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            write_demo_data(Path(tmp), seed=11, mediators=size, disputes=120)
            ws = Workspace(load_folder(Path(tmp)))
            ws.text  # noqa: B018 - build the text index once, outside the timings
            for k in (1, 3, 5):
                disputes = [d for d in ws.data.disputes if d.panel_size == k][:per_size]
                best_t, five_t, model, eligible, statuses, gaps = [], [], [], [], set(), [0]
                for d in disputes:
                    view = ws.view(d, rule_set)
                    for candidates, sink in ((1, best_t), (5, five_t)):
                        started = time.perf_counter()
                        inst = encode(ws, view)
                        out = solve_instance(inst, SolveConfig(candidates=candidates, workers=workers, reduce=reduce))
                        sink.append(time.perf_counter() - started)
                        statuses.add(out.status)
                        if out.objective_int is not None and out.bound_int is not None:
                            gaps.append(out.bound_int - out.objective_int)
                    model.append(out.model_size)
                    eligible.append(inst.n)
                print(
                    f"{size:>7} {k:>5} {len(disputes):>3} {statistics.median(eligible):>8.0f} {statistics.median(model):>6.0f} "
                    f"{statistics.median(best_t):>8.2f}/{max(best_t):<8.2f} {statistics.median(five_t):>9.2f}/{max(five_t):<9.2f} "
                    f"{'/'.join(sorted(statuses)):>8} {max(gaps) / 1e6:>8.4f}"
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[300, 1000, 5000, 10000])
    parser.add_argument("--per-size", type=int, default=5, help="disputes per panel size")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--no-reduce", action="store_true", help="solve the full model (for comparison)")
    args = parser.parse_args()
    print(machine_speed.report(), flush=True)
    run(args.sizes, args.per_size, args.workers, not args.no_reduce)


if __name__ == "__main__":
    main()
