"""Machine speed: a fixed piece of work, timed in CPU seconds, that every benchmark prints beside its figures.

The same code has run 1.65 times slower on one day than on another on this (shared, virtual) machine, and
the load average cannot tell a slower host from a busy one. So each benchmark starts by timing the same work
here: plain Python with dicts and lists (like the greedy searches), numpy array work (like the encoder and
the bounds), one linear programme through HiGHS (like the lotteries and the batch master) and one CP-SAT
search on one worker with a fixed seed (like the panel solver). Every part is deterministic, so only the
machine changes its time. The factor printed is this run's CPU time over ``REFERENCE_CPU_SECONDS``, measured
on 2026-12-06: a figure measured at factor 1.3 would have been about 1.3 times smaller on the reference day.

Run alone with ``python benchmarks/machine_speed.py`` (the benchmarks run it so, in a fresh process).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable

import numpy as np
from ortools.sat.python import cp_model
from scipy.optimize import linprog

# CPU seconds of ``measure()`` on 2026-12-06 at 09:48 UTC, load 0.9 (runs gave 2.90 and 3.28: read factors to about
# 10 %): the reference. That day the machine ran the same code about 1.65 times slower than at the stop before.
REFERENCE_CPU_SECONDS = 3.1


def _python_work() -> int:
    counts: dict[int, int] = {}
    total = 0
    for i in range(4_000_000):
        key = (i * 7919) % 10_007
        counts[key] = counts.get(key, 0) + 1
        total += counts[key] & 3
    ordered = sorted(counts.items(), key=lambda kv: (kv[1], kv[0]))
    return total + ordered[0][0]


def _numpy_work() -> float:
    rng = np.random.default_rng(17)
    total = 0.0
    for _ in range(12):
        big = rng.random(1_000_000)
        order = np.argsort(big)
        total += float(np.cumsum(big[order])[-1]) + float(np.unique(np.floor(big * 1000)).size)
    return total


def _lp_work() -> float:
    rng = np.random.default_rng(23)
    rows, cols = 500, 1600
    a = rng.random((rows, cols)) * (rng.random((rows, cols)) < 0.1)
    b = np.ones(rows) * 10.0
    c = -rng.random(cols)
    result = linprog(c, A_ub=a, b_ub=b, bounds=(0, 1), method="highs-ds")
    return float(result.fun)


def _cpsat_work() -> float:
    # Tight enough that one worker does not finish: the deterministic limit, not the answer, ends the search.
    rng = np.random.default_rng(29)
    n, k = 400, 20
    value = rng.integers(1, 100, size=n)
    weight = rng.integers(1, 30, size=(20, n))
    model = cp_model.CpModel()
    pick = [model.new_bool_var(f"x{i}") for i in range(n)]
    model.add(sum(pick) == k)
    for row in weight:
        model.add(sum(int(row[i]) * pick[i] for i in range(n)) <= 14 * k)
    model.maximize(sum(int(value[i]) * pick[i] for i in range(n)))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 5
    solver.parameters.max_deterministic_time = 0.5
    solver.solve(model)
    return float(solver.best_objective_bound)


PARTS: dict[str, Callable[[], object]] = {
    "python": _python_work,
    "numpy": _numpy_work,
    "linear programme": _lp_work,
    "CP-SAT": _cpsat_work,
}


def measure(repeats: int = 3) -> dict[str, float]:
    """CPU seconds of each part of the fixed work (the least of ``repeats`` runs), and their sum under ``"total"``."""
    seconds: dict[str, float] = {}
    for name, part in PARTS.items():
        runs = []
        for _ in range(repeats):
            start = time.process_time()
            part()
            runs.append(time.process_time() - start)
        seconds[name] = min(runs)
    seconds["total"] = sum(seconds.values())
    return seconds


def _line(seconds: dict[str, float]) -> str:
    parts = ", ".join(f"{name} {value:.2f}" for name, value in seconds.items() if name != "total")
    if REFERENCE_CPU_SECONDS > 0:
        factor = (
            f"{seconds['total'] / REFERENCE_CPU_SECONDS:.2f} times the reference day's ({REFERENCE_CPU_SECONDS:.2f} s)"
        )
    else:
        factor = "no reference recorded"
    return (
        f"machine speed: the fixed work took {seconds['total']:.2f} s of CPU ({parts}), {factor}; "
        f"load {os.getloadavg()[0]:.2f}. Divide CPU figures by the factor to compare them across days."
    )


def report() -> str:
    """One line for a benchmark's header: the CPU seconds of the fixed work and their factor. Measured in a fresh
    interpreter, so the state of the calling process cannot change it: run inside the process that had just done
    the 5,000 x 10,000 batch it read 1.38 (plain Python 1.41 s), and 0.94 minutes later in another process. The
    cause is not established (the garbage collector is not it: 6 million live tuples left the Python part as is)."""
    done = subprocess.run([sys.executable, __file__], capture_output=True, text=True, check=False)
    return done.stdout.strip() if done.returncode == 0 else f"machine speed: not measured ({done.stderr[-200:]})"


if __name__ == "__main__":
    print(_line(measure()), flush=True)
