"""Benchmark: the dispute panel lottery over a roster of 10,000 mediators (issue 17, "five-member panels
from large rosters"; goal: a five-member lottery, leximin, proven, tickets drawn, in under 30 s).

Run on purpose (not part of the tests)::

    python benchmarks/bench_dispute_lottery.py [--mediators 10000] [--five 3] [--three 2]
    python benchmarks/bench_dispute_lottery.py --only D002 --full --cpu-cap 900   # a whole proof, level by level

It generates the seeded demo data set ``bench_solver.py`` uses (seed 11, 120 disputes) at the given roster
size, then runs ``dispute_lottery`` (leximin, floor 0.95, 1,000 tickets, the default budget) on the first
five-member disputes and, for comparison, the first three-member ones. Per dispute it prints the goal, the
wall time and the process's CPU time, the status and whether the lottery is proven (or where the budget stopped it), the pool the
pricing works over, how pricing went (enumerated panels, or search and CP-SAT calls past the enumeration
cap), the mediators found in some acceptable panel, the machine's load (1-minute average) when the dispute
ended, and our previous figure. Times are wall seconds on a
2-core machine shared with other work: noisy, quote them with the load.

``--full`` lifts the budget (no limit on rounds or work) to see how far a whole leximin proof is from the goal: it
prints a line as each level ends (mediators fixed, CPU so far, pricing and CP-SAT calls so far) and, at the end, every
level's value and proven gap. ``--cpu-cap S`` stops such a run by the app's cancel route once the process has used
S seconds of CPU (checked every second); the lottery then returns as cut short, as a cancelled one in the app does.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import machine_speed

import matching.lottery.dispute as dispute_module
from matching.core.config import Budget
from matching.core.progress import Advance, CancelToken
from matching.demo.generate import write_demo_data
from matching.io.loading import load_folder
from matching.io.rulesets import load_rule_set
from matching.rules.workspace import Workspace

GOAL_SECONDS = 30.0
# Main's figures at 10,000 mediators (918d54f, code as at issue 17's twentieth stop, 82fdfd0), measured on 2026-12-07 at
# load 1.1-1.4 with machine speed 1.07 (see machine_speed.py): every dispute ran into the lottery's budget, D002 after 16
# leximin levels (proven), D003 after five, D011 after six.
PREVIOUS: dict[str, str] = {
    "D002": "main: 29.7 s CPU, budget, 16 levels, least 0.000334, bound 0.000334, CP-SAT 0",
    "D003": "main: 36.2 s CPU, budget, 5 levels, least 0.000600, bound 0.000600, CP-SAT 2",
    "D011": "main: 36.4 s CPU, budget, 6 levels, least 0.000550, bound 0.000550, CP-SAT 0",
}


class _Watch:
    """Remembers the last pricing oracle built (pool size, pricing path and calls) and the last lottery's
    engine figures (LP solves, pricing calls, panels known)."""

    oracle: Any = None
    stats: Any = None
    levels: Any = ()

    def __init__(self) -> None:
        real = dispute_module.DisputePanelOracle.__init__

        def init(oracle: Any, *args: Any, **kwargs: Any) -> None:
            real(oracle, *args, **kwargs)
            _Watch.oracle = oracle

        dispute_module.DisputePanelOracle.__init__ = init  # type: ignore[method-assign]
        solve = dispute_module.solve

        def solved(*args: Any, **kwargs: Any) -> Any:
            lottery = solve(*args, **kwargs)
            _Watch.stats = lottery.stats
            _Watch.levels = lottery.levels
            return lottery

        dispute_module.solve = solved


def _level_lines(started: float) -> Any:
    """A progress factory that prints a line each time a leximin level fixes mediators."""

    @contextmanager
    def factory(total: int, label: str, /) -> Iterator[Advance]:
        done = {"fixed": 0, "levels": 0}

        def advance(steps: int = 1, /) -> None:
            done["fixed"] += steps
            done["levels"] += 1
            oracle = _Watch.oracle
            calls = "" if oracle is None else f", search {oracle.searched}, CP-SAT {oracle.solved}"
            print(
                f"{'':>7} level {done['levels']:>3}: +{steps} fixed ({done['fixed']}/{total}), "
                f"cpu {time.process_time() - started:.1f} s{calls}, load {os.getloadavg()[0]:.1f}",
                flush=True,
            )

        yield advance

    return factory


def _cpu_cap(seconds: float) -> CancelToken:
    """A cancel token set once the process has used ``seconds`` of CPU."""
    token = CancelToken()

    def watch() -> None:
        while time.process_time() < seconds:
            time.sleep(1.0)
        token.cancel()

    threading.Thread(target=watch, daemon=True).start()
    return token


def run(
    mediators: int, five: int, three: int, only: list[str], full: bool = False, cpu_cap: float | None = None
) -> None:
    rule_set = load_rule_set("iomed")
    _Watch()
    with tempfile.TemporaryDirectory() as tmp:
        write_demo_data(Path(tmp), seed=11, mediators=mediators, disputes=120)
        ws = Workspace(load_folder(Path(tmp)))
        ws.text  # noqa: B018 - build the text index once, outside the timings
        chosen = [d for d in ws.data.disputes if d.panel_size == 5][:five]
        chosen += [d for d in ws.data.disputes if d.panel_size == 3][:three]
        if only:
            chosen = [d for d in ws.data.disputes if d.dispute_id in only]
        header = (
            f"{'dispute':>7} {'k':>2} {'goal s':>6} {'wall s':>7} {'cpu s':>6} {'status':>10} {'proven':>6} {'levels':>6} "
            f"{'pool':>5} {'pricing':>64} {'in some':>7} {'load':>5}  previous"
        )
        print(f"roster {mediators} mediators")
        print(header)
        print("-" * len(header))
        for d in chosen:
            started, cpu = time.perf_counter(), time.process_time()
            if full:
                budget = Budget(rounds=None, work=None)
                cancel = None if cpu_cap is None else _cpu_cap(cpu + cpu_cap)
                result = dispute_module.dispute_lottery(
                    ws, d.dispute_id, rule_set, progress=_level_lines(cpu), budget=budget, cancel=cancel
                )
            else:
                result = dispute_module.dispute_lottery(ws, d.dispute_id, rule_set)
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu
            oracle = _Watch.oracle
            if oracle is None:
                pricing = "no panel"
            elif oracle.enumerated is not None:
                pricing = f"{len(oracle.enumerated):,} panels listed"
            else:
                # getattr: the same script also measures main, whose oracle has no narrowed search or local search
                search = getattr(oracle, "search", None)
                narrowed, lagrange = getattr(search, "narrowed", 0), getattr(search, "lagrange", 0)
                scaled = getattr(search, "scaled", 0)
                pricing = (
                    f"search {oracle.searched} ({narrowed} narrowed, {lagrange} Lagrangian, {scaled} scaled)"
                    f" / CP-SAT {oracle.solved}"
                )
                pricing += f" / local {getattr(oracle, 'improved', 0)}"
            status = f"{result.status}" + (f"/{result.stopped}" if result.stopped else "")
            print(
                f"{d.dispute_id:>7} {d.panel_size:>2} {GOAL_SECONDS:>6.0f} {wall:>7.1f} {cpu:>6.1f} {status:>10} "
                f"{result.proven!s:>6} {result.levels:>6} {0 if oracle is None else len(oracle.pool):>5} "
                f"{pricing:>64} {result.in_some_panel:>7} {os.getloadavg()[0]:>5.1f}  {PREVIOUS.get(d.dispute_id, '-')}",
                flush=True,
            )
            upper = "-" if result.upper_bound is None else f"{float(result.upper_bound):.6f}"
            if result.upper_bound is not None and result.minimum:
                upper += f" ({float(result.upper_bound / result.minimum):.2f} times the least chance)"
            print(f"{'':>7} least chance {float(result.minimum):.6f}, proven bound on it {upper}")
            if _Watch.stats is not None:
                stats = _Watch.stats
                print(
                    f"{'':>7} engine: {stats.lp_solves} LP solves, {stats.pricing_calls} exact pricing calls, {stats.columns:,} panels known"
                )
            if full and _Watch.levels:
                for number, level in enumerate(_Watch.levels, 1):
                    state = "proven" if level.gap <= 1e-12 else f"gap {level.gap:.3g}"
                    print(f"{'':>7} level {number:>3}: value {level.value:.6f}, {len(level.agents)} mediators, {state}")
            _Watch.oracle = _Watch.stats = None
            _Watch.levels = ()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mediators", type=int, default=10_000)
    parser.add_argument("--five", type=int, default=3, help="five-member disputes")
    parser.add_argument("--three", type=int, default=2, help="three-member disputes, for comparison")
    parser.add_argument("--only", nargs="*", default=[], help="these disputes instead (ids)")
    parser.add_argument("--local-search", action="store_true", help="with the oracle's local search (LOCAL_SEARCH)")
    parser.add_argument("--full", action="store_true", help="no budget: the whole leximin proof, level by level")
    parser.add_argument(
        "--cpu-cap", type=float, default=None, help="with --full: stop (as cancelled) after this much CPU"
    )
    args = parser.parse_args()
    print(machine_speed.report(), flush=True)
    if args.local_search:
        dispute_module.LOCAL_SEARCH = True
    run(args.mediators, args.five, args.three, args.only, args.full, args.cpu_cap)


if __name__ == "__main__":
    main()
