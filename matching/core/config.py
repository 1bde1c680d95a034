"""How a solve is run and what the registrar fixed: solver settings and locks, shared by every layer.

``SolveConfig`` carries the deterministic budget, seed and worker count of a CP-SAT search; ``Budget``
the deterministic budget of a whole long computation (rounds and summed CP-SAT work);
``Locks`` the mediators a registrar forced onto or kept off a panel; ``limit_work`` applies a
deterministic budget to any CP-SAT parameter object.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# One worker: a single CP-SAT search is deterministic for a given seed, so a run gives the same
# panels every time; these models are small enough that the portfolio of a second worker does
# not pay (benchmarks/bench_solver.py measures both). Interleaved search, which would make several
# workers deterministic, is several times slower on these models.
DEFAULT_WORKERS = 1
SOLVER_SEED_MAX = 2**31 - 1  # CP-SAT takes a 32-bit seed
DEFAULT_TIME_LIMIT = 10.0  # deterministic seconds per solve
SOLVER_NAME = "cp-sat"


@dataclass(frozen=True)
class SolveConfig:
    candidates: int = 5
    time_limit: float = DEFAULT_TIME_LIMIT
    seed: int = 0
    workers: int = DEFAULT_WORKERS
    reduce: bool = True
    # CP-SAT's presolve pays on one dispute's full model, but costs more than it saves on the many
    # small, already-thinned models of a batch (about half their time, benchmarks/bench_batch.py).
    presolve: bool = True


@dataclass(frozen=True)
class Locks:
    """Registrar's locks: mediators forced onto the panel, kept off it, and a fixed chair."""

    include: frozenset[str] = frozenset()
    exclude: frozenset[str] = frozenset()
    chair: str | None = None

    @property
    def any(self) -> bool:
        return bool(self.include or self.exclude or self.chair)


@dataclass(frozen=True)
class Budget:
    """The deterministic budget of a long computation: counted ``rounds`` of its main loop (pricing
    problems of a lottery, solves of a frontier) and ``work``, the deterministic seconds of CP-SAT
    search summed over the run (``None``: no limit of that kind). Never wall-clock: the same inputs
    stop at the same point on every machine. Each solve between two checks has its own limit, so a
    run overshoots by at most one solve. When the budget ends, the computation returns its best
    result so far, marked as not proven."""

    rounds: int | None = None
    work: float | None = None

    def left(self, rounds: int, work: float) -> bool:
        """Whether a run that used ``rounds`` rounds and ``work`` deterministic seconds may go on."""
        return (self.rounds is None or rounds < self.rounds) and (self.work is None or work < self.work)


# The wall-clock limit beside a deterministic one, a safety net only: it must never be the limit that stops a
# search, or the answer depends on the machine's load. At max(30 s, 5 x work) (max(60 s, 5 x work) in the
# lottery's pricing) it did: on a 2-core machine under a load of about 14 a ten-second pricing solve of the
# 10,000-mediator benchmark (D002) ran past 60 s, and the dispute lottery's runs then differed (issue 17).
WALL_NET_SECONDS = 600.0
WALL_NET_PER_WORK = 60.0


def limit_work(params: Any, work: float) -> None:
    """Stop a CP-SAT search after ``work`` deterministic seconds: the same point on every run, however
    loaded the machine. The wall-clock limit is only a safety net, far beyond (``WALL_NET_SECONDS``)."""
    params.max_deterministic_time = work
    params.max_time_in_seconds = max(WALL_NET_SECONDS, WALL_NET_PER_WORK * work)
