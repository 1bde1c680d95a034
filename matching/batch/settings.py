"""How a batch is solved: its settings (``BatchConfig``), defaults, budget shares and plain errors."""

from __future__ import annotations

from dataclasses import dataclass, field

from matching.batch.quotas import Quotas
from matching.core.errors import MatchingError

DEFAULT_BATCH_WORKERS = 2  # processes for the per-dispute solves (each, and the joint model, one CP-SAT worker)
DEFAULT_GAP = 0.005
DEFAULT_BATCH_TIME_LIMIT = 60.0  # deterministic seconds for the joint phase (column generation and assignment)
MAX_CG_ROUNDS = 60  # column-generation rounds (a deterministic stop)
# Shares of the joint phase's budget (deterministic seconds): the linear programme's solves together,
# exact pricing in all (per process), and the least the assignment model gets.
LP_SHARE = 1.5
# Exact pricing's share decides the bound at scale: at 2,500 x 5,000 (--time-limit 60) with 0.4, 874 of the 1,966
# disputes priced kept a loose bound (no time left to prove them), 86 of the gap's 91 points; with 0.8 (and
# TIGHT_SHARE 0.25, since 0) the gap went from 1.687 % to 0.593 % for 10 % more time in that phase; with 1.2 to 0.241 % for
# 2.6 times it. The year's exact round proves every dispute within 0.4 already (the same run at 0.4 and 1.2).
# 1.0 since every pass narrows its searches first (``FILTER_SHARE``), which costs less CPU than the searches it cuts
# short: one exact round at 5,000 x 10,000 replayed on a quarter of its disputes (988, a quarter of the budget, in one
# process) left 382 unproven, slack 40.3 points, for 93 s CPU at 0.8 without first-pass narrowing; 227, 33.1 points,
# 90 s CPU with it at 1.04; 254, 34.0 points, 83 s CPU with it at 1.0. The whole scale run (bench_batch.py --section
# scale) then closed at gap 1.438 % (bound 10,722.87) against 1.702 % (bound 10,749.60) at 0.8 without it.
# 2.0 once the dive and the pricing rounds got cheap (main 4048fdf, quiet machine, speed 1.02-1.03): that run took
# 445.4 s at gap 0.883 % (objective 10,593.26, bound 10,687.67; exact pricing 213.2 s) against 374.3 s at gap 1.417 %
# (10,570.37 / 10,722.28; exact pricing 163.9 s) at 1.0: the disputes it proves also bring the better panels.
EXACT_SHARE = 2.0
MASTER_SHARE = 0.25
# The dive from the linear programme to an assignment: its solves together, beyond LP_SHARE. At 5,000 x 10,000 (main
# 1b265fc's settings) the last solve after the exact round took 0.18 million units (one interior-point solve, 1,184 new
# panels), well within its reserve; the dive, fixing panels in the whole programme, then spent all of this share (1.2
# million units, 8 solves, 43 s CPU: most of the assignment phase's 43.6 s). Since its solves after the first round are
# of a programme over the disputes left free (``lp_dive``), the same dive replayed took 49,000 units (2.6 s CPU).
DIVE_SHARE = 0.5
# The last solve of column generation (over every panel found), beyond what is left of LP_SHARE: its value caps the
# assignment and decides whether the assignment model runs at all. At 5,000 x 10,000 (--time-limit 120) the exact
# round's 347 panels left it out of work and the model then ran 100-113 s for nothing; that solve took 1.58 million
# work units (0.66 of the budget, of which 0.09 was left of the share), so 0.25 was not enough.
FINAL_LP_SHARE = 0.6
SOLVE_PASSES = 3  # exact pricing: passes over the disputes whose solve was cut short
# Exact pricing's passes give each unproven dispute a share of the budget left in proportion to its slack (bound less
# its pool's best) to this power (0: equal shares). One full-scale exact round replayed on a quarter of its disputes
# (988, a quarter of the budget): 0 left 40.8 points of slack (376 unproven, 1.3 of 24 units unspent), 1 left 33.1
# (389, all spent), 2 left 39.4 (643 unproven: the small slacks got too little to be proven).
SLACK_POWER = 1.0
COLUMNS_PER_ROUND = 2  # panels added per dispute and round
DROP_AT = 16  # columns per dispute in the linear programme past which the dearest unused ones leave it
MAX_EXACT_ROUNDS = 8  # exact pricing rounds over every eligible mediator (while the budget and the gap allow)
# Times the pools are rebuilt at the programme's prices when pricing on them stalls (no solver; see joint.py).
MAX_REPRICE_ROUNDS = 6
# ... and only while the linear programme has used at most this share of its work budget (measured at 5,000
# disputes: the rounds after one rebuild took about 40 % of it).
REPRICE_LP_SHARE = 0.5
# Wentges smoothing: the Lagrangian bounds (pools rebuilt at the prices, exact pricing) are taken this share of the
# way from the programme's prices to those of the lowest bound so far (at the programme's own again when pricing
# there gave the programme nothing; 0 turns it off). At 5,000 x 10,000 the gap went from 3.568 % to 3.363 % (bound
# 10,942.71 -> 10,919.50, the same programme and assignment); the year's from 0.176 % to 0.179 %.
SMOOTHING = 0.5

METHOD_FLOW = "min-cost flow (exact: one-member panels, capacity and eligibility only)"
METHOD_COLUMNS = (
    "column generation over enumerated candidate panels with exact pricing (Lagrangian bound), "
    "then CP-SAT over the generated panels"
)
METHOD_COMPLETE = "CP-SAT over every feasible panel of every dispute (exact)"


# --- settings and plain results ----------------------------------------------------------------


@dataclass(frozen=True)
class BatchConfig:
    """How a batch is solved.

    Every limit is in CP-SAT's *deterministic* seconds (the linear programme's share as simplex iterations), a measure of work roughly
    comparable to seconds on this machine: a run stops at the same point whatever the load, so the
    same inputs, settings and seed give the same panels every time. ``time_limit`` is the joint
    phase's budget; ``workers`` the processes for per-dispute solves (every CP-SAT search has one
    seeded worker).
    """

    quotas: Quotas = field(default_factory=Quotas)
    fair: bool = False
    capacity_only: bool = False
    time_limit: float = DEFAULT_BATCH_TIME_LIMIT
    workers: int = DEFAULT_BATCH_WORKERS
    seed: int = 0
    dispute_time_limit: float = 10.0  # deterministic seconds per solve of one dispute
    # Deterministic seconds for solving the disputes one by one, shared equally among them (per
    # process); a dispute whose share is too small to search gets its bound from the mediators'
    # upper bounds instead of a solver (valid, looser).
    dispute_phase_limit: float | None = None
    enumeration_budget: int = 15_000_000  # panels enumerated over the whole batch (memory bound)
    # Stop improving the bound once the candidate panels' best assignment is provably within this
    # share of the optimum (0: use the whole budget).
    gap: float = DEFAULT_GAP


class BatchError(MatchingError, ValueError):
    """The batch cannot be run as asked (bad settings); the message says why in plain words."""
