"""The batch's joint model on candidate panels ("columns"): the rows that link disputes (capacity and
quotas), the linear programme over the columns (HiGHS, kept and warm-started) and its prices, and the assignment (CP-SAT)
that picks one column per dispute.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import product
from typing import Any

import highspy
import numpy as np
from ortools.sat.python import cp_model

from matching.batch.disputes import MIN_SOLVE_TIME, Candidates, Repooled, member_price
from matching.batch.quotas import Quotas
from matching.core.config import limit_work
from matching.core.errors import InternalError, MatchingError
from matching.core.status import Status
from matching.rules.encoding import GROUPS, RosterArrays
from matching.rules.kernel import members_total
from matching.rules.scoring import OBJECTIVE_SCALE

SIMPLEX_DUAL, SIMPLEX_PRIMAL = 1, 4  # HiGHS simplex_strategy values
MASTER_TOLERANCE = 1e-4  # the assignment stops within this share of the linear programme's value

# --- the global rows: capacity and quotas --------------------------------------------------------

RowKey = tuple[Any, ...]
LE, GE = "<=", ">="


class GlobalRows:
    """The rows that link disputes, as keys with a sense and a right-hand side.

    ``("cap", i)``: seats of mediator ``i`` (roster index) within their capacity and the per-batch
    cap; ``("state", s)``, ``("group", g)``: seats per state / UN group within the share;
    ``("women",)``: seats held by women at least the share; ``("party", i, p)``: panels of mediator
    ``i`` with party ``p`` at most the limit. ``relaxed`` switches constraints off (diagnosis).
    """

    def __init__(
        self,
        arrays: RosterArrays,
        parties: Sequence[tuple[str, ...]],
        quotas: Quotas,
        seats: int,
        relaxed: frozenset[str] = frozenset(),
    ) -> None:
        self.arrays = arrays
        self.parties = parties
        self.quotas = quotas
        self.seats = seats
        self.relaxed = relaxed
        cap = arrays.capacity.copy()
        if "capacity" in relaxed:
            cap = np.full(arrays.n, seats, dtype=np.int64)
        if quotas.max_per_mediator is not None and "max_per_mediator" not in relaxed:
            cap = np.minimum(cap, quotas.max_per_mediator)
        self.cap = cap
        self.state_limit = None if "max_state_share" in relaxed else quotas.state_limit(seats)
        self.group_limit = None if "max_group_share" in relaxed else quotas.group_limit(seats)
        self.women_min = None if "min_women_share" in relaxed else quotas.women_minimum(seats)
        self.same_party = None if "max_same_party" in relaxed else quotas.max_same_party

    def coefficients(self, dispute: int, members: Sequence[int]) -> dict[RowKey, int]:
        """Each row's coefficient on a panel of ``dispute`` (position in the joint model) with ``members``."""
        out: dict[RowKey, int] = {}
        a = self.arrays
        for i in members:
            out[("cap", i)] = 1
            if self.state_limit is not None:
                key = ("state", int(a.effective[i]))
                out[key] = out.get(key, 0) + 1
            if self.group_limit is not None:
                key = ("group", int(a.group[i]))
                out[key] = out.get(key, 0) + 1
            if self.women_min is not None and a.female[i]:
                out[("women",)] = out.get(("women",), 0) + 1
            if self.same_party is not None:
                for p in self.parties[dispute]:
                    out[("party", i, p)] = 1
        return out

    def rhs(self, key: RowKey) -> tuple[str, int]:
        kind = key[0]
        if kind == "cap":
            return LE, int(self.cap[key[1]])
        if kind == "state":
            assert self.state_limit is not None
            return LE, self.state_limit
        if kind == "group":
            assert self.group_limit is not None
            return LE, self.group_limit
        if kind == "women":
            assert self.women_min is not None
            return GE, self.women_min
        assert self.same_party is not None
        return LE, self.same_party

    def fits(self, coefs: Mapping[RowKey, int], used: Mapping[RowKey, int]) -> bool:
        """Whether a panel with these coefficients keeps every upper limit on top of ``used``."""
        return all(self.rhs(k)[0] == GE or used.get(k, 0) + v <= self.rhs(k)[1] for k, v in coefs.items())

    def eager(self) -> list[RowKey]:
        """Rows always present in the linear programme (few): state, group, women."""
        keys: list[RowKey] = []
        if self.state_limit is not None:
            keys += [("state", s) for s in sorted(set(self.arrays.effective.tolist()))]
        if self.group_limit is not None:
            keys += [("group", g) for g in range(len(GROUPS))]
        if self.women_min is not None:
            keys.append(("women",))
        return keys

    def prices(self, duals: Mapping[RowKey, float]) -> tuple[np.ndarray, dict[str, tuple[np.ndarray, np.ndarray]]]:
        """Per roster mediator, the price of one seat; and per party, extra prices of some mediators."""
        a = self.arrays
        price = np.zeros(a.n, dtype=np.float64)
        state = np.zeros(len(a.country_codes), dtype=np.float64)
        group = np.zeros(len(GROUPS), dtype=np.float64)
        party: dict[str, dict[int, float]] = defaultdict(dict)
        for key, y in duals.items():
            if y == 0:
                continue
            kind = key[0]
            if kind == "cap":
                price[key[1]] += y
            elif kind == "state":
                state[key[1]] += y
            elif kind == "group":
                group[key[1]] += y
            elif kind == "women":
                price[a.female] += y
            elif kind == "party":
                party[key[2]][key[1]] = party[key[2]].get(key[1], 0.0) + y
        price += state[a.effective] + group[a.group]
        by_party = {
            p: (np.array(sorted(v), dtype=np.int64), np.array([v[i] for i in sorted(v)], dtype=np.float64))
            for p, v in party.items()
        }
        return price, by_party


# --- columns, the linear programme and pricing ----------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A candidate panel of one dispute: its position in the joint model, members (roster indices) and objective."""

    dispute: int
    members: tuple[int, ...]
    value: int


class ColumnSet:
    """Candidate panels per dispute, without repeats, with an index by mediator."""

    def __init__(self, n_disputes: int) -> None:
        self.columns: list[Column] = []
        self.seen: list[dict[tuple[int, ...], int]] = [{} for _ in range(n_disputes)]
        self.by_mediator: dict[int, list[int]] = defaultdict(list)

    def add(self, column: Column) -> int | None:
        """The new column's index, or ``None`` if the dispute already has that panel."""
        if column.members in self.seen[column.dispute]:
            return None
        c = len(self.columns)
        self.seen[column.dispute][column.members] = c
        self.columns.append(column)
        for i in column.members:
            self.by_mediator[i].append(c)
        return c

    def index_of(self, dispute: int, members: tuple[int, ...]) -> int:
        return self.seen[dispute][members]

    def __len__(self) -> int:
        return len(self.columns)


class LPTimeout(MatchingError):
    """The linear programme ran out of its time limit."""


# The linear programme's work is counted deterministically: each simplex iteration costs the model's
# rows in thousands (at least one), since an iteration's cost grows with the basis. A deterministic
# second of the budget buys this many such units (about a second on this machine).
LP_WORK_PER_SECOND = 20_000
# An interior-point iteration (with its share of the crossover) costs about this many simplex iterations
# (measured on this machine on the year's programme: 32 iterations and 38 crossover steps in 0.7 s, where
# primal simplex from the last basis took 29,500 iterations and 6.5 s).
IPM_ITERATION_WORK = 100
# New columns per dispute since the last solve (and at least ``IPM_MIN``) from which the solve starts
# afresh by interior point and crossover: after a large batch of columns, primal simplex from the last
# basis pivots through many thousands of degenerate vertices of this set-partitioning programme (at
# 5,000 disputes, 38,000 iterations after 885 new columns).
IPM_AT, IPM_MIN = 0.1, 100
# The same for new rows per dispute, and at least ``IPM_ROWS_MIN`` (broken capacity rows join hundreds
# at a time at scale, where dual simplex then took up to 44,000 iterations; a few rows cost it little).
IPM_ROWS_AT, IPM_ROWS_MIN = 0.02, 50
# A solve from the last basis may take this many times the last interior-point solve's work before it restarts by
# interior point: at 1 the year raced a solve that would have ended just past the mark; the ones worth racing (at
# scale) ran 3 to 22 times it.
RACE_FACTOR = 2.0
# Rows from which an iteration costs more than the nonzeros say (``_iteration_cost``). Measured CPU per work unit (one
# core): the year's programme (1,800 rows) about 1/12,800 s; at 2,500 disputes (4,300 rows) 1/10,500 s; at 5,000
# (8,600 rows) 1/7,500 s, so that the programme's share of 120 s took 480 s there. With the square root of the
# rows past this, the three cost about the same per unit.
COST_ROWS = 1_800
DROP_BELOW = 0.25  # reduced cost (objective units; a panel is worth about 1 to 3) past which a column leaves


def _new_highs() -> highspy.Highs:
    """A silent HiGHS instance with fixed options: the same changes give the same vertices on every run.
    (The raw binding where it exists: the wrapper class prints a banner before any option can silence it.)
    The ``threads`` option is left alone (HiGHS refuses to run when it differs from the thread pool
    another HiGHS user in the process started; simplex uses one thread anyway)."""
    factory = getattr(highspy, "_Highs", highspy.Highs)
    h = factory()
    for name, value in (
        ("output_flag", False),
        ("solver", "simplex"),
        ("presolve", "off"),
        ("random_seed", 0),
    ):
        h.setOptionValue(name, value)
    return h


class ColumnLP:
    """The linear programme over the columns: one panel per dispute, the global rows.

    One HiGHS model for the whole run, changed in place: new columns and new rows keep the last
    basis, so each solve starts from the previous optimum (new columns leave it primal feasible,
    new rows dual feasible) instead of from scratch. Each dispute's row has an artificial column of
    large negative worth, so the programme is always feasible; a capacity row joins once the
    mediator's columns serve more disputes than their capacity, and a same-party row only when a
    solution breaks it (lazy rows: most mediators' limits can never bind). Every solve
    draws on one budget for the whole run (``work_budget``, in simplex iterations weighted by the
    model's size): past it, ``LPTimeout``, at the same point on every run.
    """

    BIG = 100.0  # objective units (a panel is worth about 1 to 3)

    def __init__(self, n_disputes: int, rows: GlobalRows, columns: ColumnSet, keys: Iterable[RowKey] = ()) -> None:
        self.n_disputes = n_disputes
        self.rows = rows
        self.columns = columns
        self.h = _new_highs()
        h = self.h
        h.changeObjectiveSense(highspy.ObjSense.kMaximize)
        n = n_disputes
        no_entries = np.zeros(n + 1, dtype=np.int32)
        h.addRows(n, np.ones(n), np.ones(n), 0, no_entries[:n], np.zeros(0, dtype=np.int32), np.zeros(0))
        # The artificial columns: column j covers dispute j's row.
        h.addCols(
            n, np.full(n, -self.BIG), np.zeros(n), np.ones(n), n,
            np.arange(n, dtype=np.int32), np.arange(n, dtype=np.int32), np.ones(n),
        )  # fmt: skip
        self.n_cols = n
        self.n_rows = n
        self.col_of: list[int] = []  # the model's column of each synced column of ``columns``
        self.row_of: dict[RowKey, int] = {}
        self._dual_next = False  # rows added or columns fixed since the last solve: its basis stays dual feasible
        self.work_budget = math.inf  # work units (see LP_WORK_PER_SECOND) for every solve of the run
        self.work_used = 0.0
        self.exhausted = False  # whether a solve ran out of the budget
        self.iterations = 0  # simplex iterations over every solve
        self.nonzeros = 2 * n  # in the model (kept for the cost of an iteration)
        self.dropped = 0  # columns taken out over the run
        self._revived: list[int] = []
        self._holders: dict[int, set[int]] = defaultdict(set)  # per mediator, the disputes of its columns synced
        self._counted = 0  # columns of ``columns`` counted in ``_holders``
        self._fresh = 0  # columns added since the last solve
        self._fresh_rows = 0  # rows added since the last solve
        self.interior = 0  # solves by interior point
        self.interior_work = 0.0  # the last interior-point solve's work units (0 before the first)
        self.raced = 0  # solves from the last basis stopped at that work and restarted by interior point
        self.solves = 0
        self.interior_next = False  # whether the next solve is by interior point whatever the counts above say
        self._solution: Any = None
        for key in dict.fromkeys([*rows.eager(), *keys]):
            self._add_row(key)

    @property
    def cons(self) -> dict[RowKey, int]:
        """The global rows in the programme (key to row)."""
        return self.row_of

    def _add_row(self, key: RowKey, kept: bool = False) -> None:
        """Add a global row. ``kept``: the last solution keeps it (its slack joins the basis feasible), so the
        basis stays primal feasible; otherwise the next solve is by dual simplex."""
        sense, rhs = self.rows.rhs(key)
        touched = self.columns.by_mediator.get(key[1], []) if key[0] in ("cap", "party") else range(len(self.col_of))
        index: list[int] = []
        value: list[float] = []
        for c in touched:
            if c < len(self.col_of) and self.col_of[c] >= 0:
                col = self.columns.columns[c]
                coef = self.rows.coefficients(col.dispute, col.members).get(key, 0)
                if coef:
                    index.append(self.col_of[c])
                    value.append(float(coef))
        inf = highspy.kHighsInf
        lower, upper = (-inf, float(rhs)) if sense == LE else (float(rhs), inf)
        self.h.addRow(lower, upper, len(index), np.asarray(index, dtype=np.int32), np.asarray(value))
        self.nonzeros += len(index)
        row = self.n_rows
        self.row_of[key] = row
        self.n_rows += 1
        self._fresh_rows += 1
        self._dual_next = self._dual_next or not kept
        if sense == GE:  # a shortfall column keeps the programme feasible
            self.h.addCol(-self.BIG, 0.0, inf, 1, np.array([row], dtype=np.int32), np.ones(1))
            self.n_cols += 1
            self.nonzeros += 1

    def sync(self) -> None:
        """Give the programme a column for every column added (or revived) since the last call, with
        its coefficients in the rows already there (other rows join when a solution breaks them)."""
        start = len(self.col_of)
        self.col_of.extend([-1] * (len(self.columns) - start))
        todo = sorted(set(self._revived) | set(range(start, len(self.columns))))
        self._revived.clear()
        if not todo:
            return
        costs = np.empty(len(todo))
        starts: list[int] = []
        index: list[int] = []
        value: list[float] = []
        for n, c in enumerate(todo):
            col = self.columns.columns[c]
            costs[n] = col.value / OBJECTIVE_SCALE
            starts.append(len(index))
            index.append(col.dispute)
            value.append(1.0)
            for key, coef in self.rows.coefficients(col.dispute, col.members).items():
                row = self.row_of.get(key)
                if row is not None:
                    index.append(row)
                    value.append(float(coef))
        count = len(todo)
        self.h.addCols(
            count, costs, np.zeros(count), np.full(count, highspy.kHighsInf), len(index),
            np.asarray(starts, dtype=np.int32), np.asarray(index, dtype=np.int32), np.asarray(value),
        )  # fmt: skip
        for n, c in enumerate(todo):
            self.col_of[c] = self.n_cols + n
        self.n_cols += count
        self._fresh += count
        self.nonzeros += len(index)
        self._eager_capacity()

    def _eager_capacity(self) -> None:
        """Add the capacity row of every mediator whose columns now serve more disputes than their capacity
        (only those rows can ever be broken). Waiting until a solution breaks them costs a re-solve each time,
        and at 5,000 disputes a round broke them in waves (621, 330, 151, 55 rows), each wave a solve by interior
        point; with these rows up front, the pool rounds took 26 solves for 25 rounds instead of 69 for 20.
        The last solution keeps these rows (``solve`` returns only once none missing is broken, and new columns are
        at zero), so they leave the next solve by primal simplex: when they sent it to dual simplex with the new
        columns (neither primal nor dual feasible then), at 5,000 x 10,000 a round with 21 new columns and one row
        took 7,023 iterations (10.5 s) where primal simplex takes 283 (0.3 s), and three rounds with 176 to 418
        took 0.39 to 0.51 million units each, raced and redone by interior point."""
        touched: set[int] = set()
        for col in self.columns.columns[self._counted :]:
            for i in col.members:
                self._holders[i].add(col.dispute)
                touched.add(i)
        self._counted = len(self.columns)
        for i in sorted(touched):
            if ("cap", i) not in self.row_of and len(self._holders[i]) > self.rows.cap[i]:
                self._add_row(("cap", i), kept=self._solution is not None)

    def revive(self, c: int) -> bool:
        """Put back column ``c`` (of ``columns``) at the next solve if it was dropped; whether it was."""
        if c < len(self.col_of) and self.col_of[c] < 0 and c not in self._revived:
            self._revived.append(c)
            return True
        return False

    def drop(self, below: float | None = None) -> int:
        """Take out of the programme the columns the last optimum leaves at zero with a reduced cost
        under ``-below`` (objective units, default ``DROP_BELOW``): they would take many more rounds to pay, and every one
        makes each simplex iteration dearer. They stay candidates of the assignment, and pricing puts
        them back when their reduced cost turns positive. The basis stays valid (they are nonbasic).
        Returns how many went."""
        sol = self.h.getSolution()
        dual = np.asarray(sol.col_dual, dtype=np.float64)
        value = np.asarray(sol.col_value, dtype=np.float64)
        live = np.asarray([c for c, m in enumerate(self.col_of) if m >= 0], dtype=np.int64)
        if not len(live):
            return 0
        model = np.asarray(self.col_of, dtype=np.int64)[live]
        gone = (dual[model] < -(DROP_BELOW if below is None else below)) & (value[model] <= 1e-9)
        if not gone.any():
            return 0
        mask = np.zeros(self.n_cols, dtype=bool)
        mask[model[gone]] = True
        lost = [int(i) for i in np.flatnonzero(mask)]
        for c in live[gone].tolist():
            col = self.columns.columns[c]
            self.nonzeros -= 1 + len(self.rows.coefficients(col.dispute, col.members).keys() & self.row_of.keys())
        self.h.deleteCols(len(lost), np.asarray(lost, dtype=np.int32))
        shift = np.cumsum(mask) - mask  # columns deleted before each column
        for c in live.tolist():
            m = self.col_of[c]
            self.col_of[c] = -1 if mask[m] else int(m - shift[m])
        self.n_cols -= len(lost)
        self.dropped += len(lost)
        return len(lost)

    def fix(self, chosen: Iterable[int]) -> None:
        """Fix columns (of ``columns``, each in the programme) at one for the solves to come: their disputes
        are then staffed by them. The last basis stays dual feasible, so the next solve is by dual simplex."""
        for c in chosen:
            if self.col_of[c] < 0:
                raise InternalError("a column fixed in the linear programme must be in it")
            self.h.changeColBounds(self.col_of[c], 1.0, highspy.kHighsInf)
            self._dual_next = True

    def _iteration_cost(self) -> float:
        """An iteration's work units: it grows with the model's nonzeros and rows (measured on this
        machine: about 600 million nonzero-iterations a second, a row counting as 20 nonzeros), and past
        ``COST_ROWS`` rows also with the square root of the rows beyond (the factors fill in)."""
        return max(1.0, (self.nonzeros + 20 * self.n_rows) / 30_000) * math.sqrt(max(1.0, self.n_rows / COST_ROWS))

    def _run(self) -> None:
        """One solve within the work left: from the last basis (dual simplex when rows were added, else
        primal), or afresh by interior point and crossover after many new columns or rows (``IPM_AT``,
        ``IPM_ROWS_AT``). A solve from the last basis may take at most ``RACE_FACTOR`` times the work of the last
        interior-point solve: past that it restarts by interior point (``raced``). Retried once from scratch (dual
        simplex) when it ends neither optimal (with a basis) nor out of work.
        Raises ``LPTimeout`` once the run's work budget is spent."""
        h = self.h
        strategy = SIMPLEX_DUAL if self._dual_next else SIMPLEX_PRIMAL
        interior = self.interior_next or (
            self.solves > 0
            and (
                self._fresh >= max(IPM_MIN, IPM_AT * self.n_disputes)
                or self._fresh_rows >= max(IPM_ROWS_MIN, IPM_ROWS_AT * self.n_disputes)
            )
        )
        self._dual_next = self.interior_next = False
        self._fresh = self._fresh_rows = 0
        # Simplex from the last basis costs from nothing to twenty times an interior-point solve at scale
        # (5,000 disputes: 1.46 million units after 347 new columns against 65,000): stopping it at the
        # interior point's cost (or a small multiple) and restarting by interior point bounds the waste (ski rental).
        mark = RACE_FACTOR * self.interior_work
        race = not interior and mark > 0
        retried, first = False, True
        while True:
            cost = self._iteration_cost()
            left = self.work_budget - self.work_used
            if left < cost * (IPM_ITERATION_WORK if interior else 1):
                self.exhausted = True
                raise LPTimeout
            raced = race and mark < left
            if interior:
                h.setOptionValue("solver", "ipm")
                h.setOptionValue("ipm_iteration_limit", int(min(2**31 - 1, left / cost / IPM_ITERATION_WORK)))
                h.clearSolver()
            else:
                limit = mark if raced else left
                h.setOptionValue("simplex_iteration_limit", int(min(2**31 - 1, max(1.0, limit / cost))))
                h.setOptionValue("simplex_strategy", strategy)
            h.run()
            info = h.getInfo()
            count = int(info.simplex_iteration_count)
            if interior:
                h.setOptionValue("solver", "simplex")
                steps = max(0, int(info.ipm_iteration_count)), max(0, int(info.crossover_iteration_count))
                count = IPM_ITERATION_WORK * steps[0] + steps[1]
                self.interior += 1
                self.interior_work = count * cost
            self.solves += first
            first = False
            self.iterations += count
            self.work_used += count * cost
            status = h.getModelStatus()
            if status == highspy.HighsModelStatus.kOptimal and h.getBasis().valid:
                return
            if status == highspy.HighsModelStatus.kIterationLimit:
                if raced:
                    self.raced += 1
                    race, interior = False, True
                    continue
                self.exhausted = True
                raise LPTimeout
            if retried:
                break
            h.clearSolver()
            strategy, interior, race, retried = SIMPLEX_DUAL, False, False, True
        raise InternalError(f"the linear programme failed ({h.modelStatusToString(status)})")

    def solve(self) -> float:
        """Solve, adding every capacity or same-party row the solution breaks, until none is broken.

        Raises ``LPTimeout`` past ``work_budget`` (deterministic, so a run stops at the same point every time).
        """
        while True:
            self.sync()
            self._run()
            self._solution = self.h.getSolution()
            z = self.values()
            activity: dict[RowKey, float] = defaultdict(float)
            for c in np.flatnonzero(z > 1e-9).tolist():
                col = self.columns.columns[c]
                for key, coef in self.rows.coefficients(col.dispute, col.members).items():
                    if key[0] in ("cap", "party") and key not in self.row_of:
                        activity[key] += coef * z[c]
            broken = [key for key, act in activity.items() if act > self.rows.rhs(key)[1] + 1e-7]
            if not broken:
                return float(self.h.getInfo().objective_function_value)
            for key in sorted(broken, key=repr):
                self._add_row(key)

    def values(self) -> np.ndarray:
        col_value = np.append(np.asarray(self._solution.col_value, dtype=np.float64), 0.0)
        return col_value[np.asarray(self.col_of, dtype=np.int64)] if self.col_of else np.zeros(0)  # -1: dropped

    def artificial(self) -> float:
        """How much of the disputes' rows the artificial columns still cover (0 when all are staffed)."""
        return float(np.asarray(self._solution.col_value, dtype=np.float64)[: self.n_disputes].sum())

    def duals(self) -> tuple[dict[RowKey, float], np.ndarray]:
        """Dual prices in objective units (integers' scale): global rows (at least 0 on an upper limit,
        at most 0 on a lower one), and one per dispute row."""
        row_dual = np.asarray(self._solution.row_dual, dtype=np.float64) * OBJECTIVE_SCALE
        rows = {key: float(row_dual[r]) for key, r in self.row_of.items()}
        return rows, row_dual[: self.n_disputes].copy()


def integer_duals(duals: Mapping[RowKey, float], rows: GlobalRows) -> dict[RowKey, float]:
    """Dual prices rounded to whole objective units, with the sign each row allows (a valid multiplier)."""
    out: dict[RowKey, float] = {}
    for key, y in duals.items():
        sense, _ = rows.rhs(key)
        v = float(round(y))
        out[key] = max(0.0, v) if sense == LE else min(0.0, v)
    return out


def price_pools(
    joint: Sequence[Candidates],
    parties: Sequence[tuple[str, ...]],
    price: np.ndarray,
    party_price: Mapping[str, tuple[np.ndarray, np.ndarray]],
    mu: np.ndarray | None,
    columns: ColumnSet,
    per_dispute: int,
    revive: Callable[[int], bool] | None = None,
) -> tuple[int, list[float]]:
    """Add each dispute's best-priced pool panels that improve the programme (or ``revive`` them
    when they were columns already); also each pool's best priced worth."""
    added = 0
    best_worth: list[float] = []
    for j, cand in enumerate(joint):
        local = member_price(cand.pool, price, party_price, parties[j])
        worth = cand.panels.value - members_total(local, cand.panels.members)
        best_worth.append(float(worth.max()))
        if mu is None or best_worth[-1] - mu[j] <= 1.0:  # (no panel passes the test below)
            continue
        reduced = worth - mu[j]
        count = min(per_dispute, len(reduced))
        top = np.argpartition(-reduced, count - 1)[:count] if count < len(reduced) else np.arange(len(reduced))
        for r in top[np.argsort(-reduced[top], kind="stable")]:
            if reduced[r] <= 1.0:  # one millionth of an objective point: nothing to gain
                break
            members = tuple(sorted(int(cand.pool[i]) for i in cand.panels.members[r]))
            if columns.add(Column(j, members, int(cand.panels.value[r]))) is not None or (
                revive is not None and revive(columns.index_of(j, members))
            ):
                added += 1
    return added, best_worth


DIVE_FRACTION = 0.25  # the dive: share of the disputes still fractional whose likeliest panel is fixed per round


class ResidualRows(GlobalRows):
    """The global rows left to the disputes ``free`` (their positions in the joint model) once other disputes'
    panels are fixed: every limit less what those panels ``used``, the disputes numbered 0, 1, ... in ``free``'s
    order (a linear programme over them alone)."""

    def __init__(self, rows: GlobalRows, used: Mapping[RowKey, int], free: Sequence[int]) -> None:
        super().__init__(rows.arrays, [rows.parties[j] for j in free], rows.quotas, rows.seats, rows.relaxed)
        self.used = dict(used)
        cap = rows.cap.astype(np.int64).copy()
        for key, n in self.used.items():
            if key[0] == "cap":
                cap[key[1]] -= n
        self.cap = cap

    def rhs(self, key: RowKey) -> tuple[str, int]:
        sense, rhs = super().rhs(key)
        return (sense, rhs) if key[0] == "cap" else (sense, rhs - self.used.get(key, 0))  # (``cap`` is left already)


def _fix_round(lp: ColumnLP, chosen: list[int | None], used: Counter[RowKey], dispute_of: np.ndarray) -> list[int]:
    """One round of the dive on ``lp``'s last solution: every panel it takes whole, then the likeliest
    ``DIVE_FRACTION`` of the disputes still fractional, each only when it keeps every upper limit on top of
    ``used``; ``chosen`` and ``used`` updated. The columns fixed (none: the solution offers nothing more)."""
    columns, rows = lp.columns, lp.rows
    z = lp.values()
    free = np.array([c is None for c in chosen], dtype=bool)
    live = np.flatnonzero((z > 1e-6) & free[dispute_of[: len(z)]])
    if not len(live):
        return []
    order = live[np.lexsort((live, -z[live]))]
    whole = z[order] >= 1 - 1e-6
    fractional = len(set(dispute_of[order[~whole]].tolist()) - set(dispute_of[order[whole]].tolist()))
    quota = max(1, math.ceil(DIVE_FRACTION * fractional))
    fixed: list[int] = []
    for c, is_whole in zip(order.tolist(), whole.tolist(), strict=True):
        j = int(dispute_of[c])
        if chosen[j] is not None:
            continue
        if not is_whole:
            if quota == 0:
                break
            quota -= 1
        coefs = rows.coefficients(j, columns.columns[c].members)
        if rows.fits(coefs, used):
            chosen[j] = c
            used.update(coefs)
            fixed.append(c)
    return fixed


def _residual_lp(
    lp: ColumnLP, chosen: list[int | None], used: Counter[RowKey]
) -> tuple[ColumnLP, list[int], list[int]]:
    """A programme over the disputes ``chosen`` leaves free alone, within the limits left (``ResidualRows``), with
    every column of theirs (dropped ones too) that fits those limits on its own; with its disputes' and its
    columns' positions in ``lp``. It draws on what is left of ``lp``'s work budget."""
    free = [j for j, c in enumerate(chosen) if c is None]
    rows = ResidualRows(lp.rows, used, free)
    position = {j: k for k, j in enumerate(free)}
    columns = ColumnSet(len(free))
    origin: list[int] = []
    for c, col in enumerate(lp.columns.columns):
        k = position.get(col.dispute)
        if k is not None and rows.fits(rows.coefficients(k, col.members), {}):
            columns.add(Column(k, col.members, col.value))
            origin.append(c)
    sub = ColumnLP(len(free), rows, columns)
    sub.work_budget = lp.work_budget - lp.work_used
    # From scratch by interior point: at 5,000 x 10,000 (1,342 disputes free) 0.9 s, where simplex took 37,000
    # iterations (9.9 s); the rounds after it are by dual simplex from its basis.
    sub.interior_next = True
    return sub, free, origin


def lp_dive(lp: ColumnLP) -> list[int | None]:
    """An assignment rounded from the linear programme by diving: fix every panel the programme's last
    solution takes whole, then the likeliest quarter of the fractional ones (``DIVE_FRACTION``; each only
    when it keeps every upper limit together with those fixed), solve again, and repeat until every dispute
    is fixed or the programme offers nothing more. After the first round the solves are of a programme over
    the disputes still free alone (``_residual_lp``): the same programme as ``lp`` with those panels fixed,
    but a fraction of its size (at 5,000 x 10,000 a few hundred disputes are fractional), so each
    solve costs a fraction too (there, fixing in ``lp`` and solving it again from its basis took 8 solves
    and 1.2 million work units). Each solve draws on the programme's work budget; once it is spent
    (``LPTimeout``) the dive stops where it is. The programme must have been solved last. Disputes left out
    (``None``) are for the repair to place."""
    columns = lp.columns
    dispute_of = np.fromiter((c.dispute for c in columns.columns), dtype=np.int64, count=len(columns))
    chosen: list[int | None] = [None] * lp.n_disputes
    used: Counter[RowKey] = Counter()
    if not _fix_round(lp, chosen, used, dispute_of) or all(c is not None for c in chosen):
        return chosen
    sub, free, origin = _residual_lp(lp, chosen, used)
    try:
        sub.solve()
    except LPTimeout:
        lp.exhausted = True
        return chosen
    finally:
        lp.work_used += sub.work_used
    sub_of = np.asarray([col.dispute for col in sub.columns.columns], dtype=np.int64)
    sub_chosen: list[int | None] = [None] * sub.n_disputes
    sub_used: Counter[RowKey] = Counter()
    try:
        while True:
            fixed = _fix_round(sub, sub_chosen, sub_used, sub_of)
            if not fixed or all(c is not None for c in sub_chosen):
                break
            sub.fix(fixed)
            before = sub.work_used
            try:
                sub.solve()
            finally:
                lp.work_used += sub.work_used - before
    except LPTimeout:
        lp.exhausted = True
    for k, c in enumerate(sub_chosen):
        if c is not None:
            chosen[free[k]] = origin[c]
    return chosen


@dataclass
class MasterResult:
    """The assignment chosen among the columns: a column per dispute position (``None`` = not staffed)."""

    status: Status  # optimal | feasible | infeasible | timeout
    chosen: list[int | None]
    objective: int
    bound: float | None
    worst: int | None = None
    work: float = 0.0  # CP-SAT's deterministic seconds over every stage


def _usage(columns: ColumnSet, rows: GlobalRows, chosen: Sequence[int | None]) -> Counter[RowKey]:
    """Each row's total over the chosen columns."""
    used: Counter[RowKey] = Counter()
    for c in chosen:
        if c is not None:
            col = columns.columns[c]
            used.update(rows.coefficients(col.dispute, col.members))
    return used


def greedy_hint(
    columns: ColumnSet,
    rows: GlobalRows,
    n_disputes: int,
    weights: np.ndarray | None,
    fewest_first: bool = False,
    first: Sequence[int] = (),
) -> list[int | None]:
    """A greedy assignment to start the search, each dispute taking its best panel that still fits.
    With the programme's solution (``weights``; columns it has not seen count zero): the disputes it
    staffs most surely first, each by its weights (close to the programme's value when the solution
    is nearly whole); without (or with ``fewest_first``), the disputes with the fewest candidate panels
    first. The disputes in ``first`` go before all others, in that order."""
    values = np.array([c.value for c in columns.columns], dtype=np.float64)
    key = values
    if weights is not None:
        key = np.zeros(len(values))
        key[: min(len(weights), len(values))] = weights[: len(values)]
    by_dispute: list[list[int]] = [[] for _ in range(n_disputes)]
    for c, col in enumerate(columns.columns):
        by_dispute[col.dispute].append(c)
    if weights is not None and not fewest_first:
        surest = [max((key[c] for c in cs), default=0.0) for cs in by_dispute]
        order = sorted(range(n_disputes), key=lambda j: (-round(surest[j], 6), len(by_dispute[j]), j))
    else:
        order = sorted(range(n_disputes), key=lambda j: (len(by_dispute[j]), j))
    if first:
        ahead = set(first)
        order = list(dict.fromkeys(first)) + [j for j in order if j not in ahead]
    used: Counter[RowKey] = Counter()
    chosen: list[int | None] = [None] * n_disputes
    for j in order:
        for c in sorted(by_dispute[j], key=lambda c: (-key[c], -values[c], c)):
            col = columns.columns[c]
            coefs = rows.coefficients(col.dispute, col.members)
            if rows.fits(coefs, used):
                chosen[j] = c
                used.update(coefs)
                break
    return chosen


def starting_assignment(
    columns: ColumnSet,
    rows: GlobalRows,
    n_disputes: int,
    weights: np.ndarray | None,
    repair: Callable[[list[int | None]], list[int | None]],
) -> list[int | None]:
    """The assignment's starting point: the greedy assignment (``greedy_hint``), repaired. When that
    leaves disputes out, two more starts, each repaired too, and the one staffing the most disputes
    (then worth the most; the first on a tie) is kept: the fewest candidate panels first (surer
    disputes first can take the few mediators a narrow dispute needs, then no repair places it),
    and the disputes the first start left out ahead of the surest order. Three starts at most."""
    best = repair(greedy_hint(columns, rows, n_disputes, weights))
    left = [j for j, c in enumerate(best) if c is None]
    if not left:
        return best

    def rank(hint: list[int | None]) -> tuple[int, int]:
        return sum(c is not None for c in hint), sum(columns.columns[c].value for c in hint if c is not None)

    for fewest_first, first in ((True, ()), (False, left)):
        if weights is None and fewest_first:
            continue  # the first start was in this order already
        other = repair(greedy_hint(columns, rows, n_disputes, weights, fewest_first, first))
        if rank(other) > rank(best):
            best = other
    return best


REPAIR_ROUNDS = 3  # rounds of fresh pools for the disputes the greedy assignment leaves out
HOLDER_CHOICES = 3  # the last repair: disputes tried as the one to move, per member without a seat left
MOVE_TRIES = 12  # the last repair: sets of disputes to move tried per panel
MOVES_PER_DISPUTE = 100  # the last repair: sets of disputes to move tried per dispute left out (its cost)

Repool = Callable[[list[int], np.ndarray], list[Repooled]]


def repair_hint(
    columns: ColumnSet,
    rows: GlobalRows,
    joint: Sequence[Candidates],
    hint: list[int | None],
    repool: Repool | None = None,
    tries: int = 200,
) -> list[int | None]:
    """Staff the disputes the greedy assignment left out: each takes the best panel (among the
    ``tries`` best whose members all have a seat left) that keeps every upper limit, from its
    enumerated pool first, then from fresh pools built without the mediators whose seats are gone
    (``repool``, up to ``REPAIR_ROUNDS`` rounds), then by moving the disputes in the way (``_Swaps``). Chosen panels join
    the columns. Needed on very large batches, where the columns are few and the stars' capacity is gone."""
    used = _usage(columns, rows, hint)
    seats_left = rows.cap.astype(np.int64).copy()
    for key, n in used.items():
        if key[0] == "cap":
            seats_left[key[1]] -= n
    out = list(hint)

    def place(j: int, members: np.ndarray, value: np.ndarray) -> None:
        if not len(value):
            return
        fits = np.flatnonzero((seats_left[members] > 0).all(axis=1))
        for r in fits[np.argsort(-value[fits], kind="stable")][:tries]:
            chosen = tuple(sorted(int(i) for i in members[r]))
            coefs = rows.coefficients(j, chosen)
            if rows.fits(coefs, used):
                c = columns.add(Column(j, chosen, int(value[r])))
                out[j] = columns.index_of(j, chosen) if c is None else c
                used.update(coefs)
                seats_left[list(chosen)] -= 1
                return

    for j in [j for j, c in enumerate(out) if c is None]:
        place(j, joint[j].pool[joint[j].panels.members], joint[j].panels.value)
    for _ in range(REPAIR_ROUNDS if repool is not None else 0):
        left = [j for j, c in enumerate(out) if c is None]
        if not left:
            break
        assert repool is not None
        for fresh in repool(left, seats_left <= 0):
            place(fresh.position, fresh.members, fresh.value)
        if all(out[j] is None for j in left):
            break
    _Swaps(columns, rows, joint, out, used, seats_left, tries).run()
    return out


class _Swaps:
    """The last repair of the starting assignment: a dispute still left out takes one of its panels
    whose members lack seats, when for each such member a dispute holding it can move to another of
    its own panels that fits (one move per member, each move one deep; every upper limit is checked)."""

    def __init__(
        self,
        columns: ColumnSet,
        rows: GlobalRows,
        joint: Sequence[Candidates],
        out: list[int | None],
        used: Counter[RowKey],
        seats_left: np.ndarray,
        tries: int,
    ) -> None:
        self.columns, self.rows, self.joint, self.out = columns, rows, joint, out
        self.used, self.seats_left, self.tries = used, seats_left, tries
        self.holders: dict[int, set[int]] = defaultdict(set)
        self.moves_left = 0
        for j, c in enumerate(out):
            if c is not None:
                for i in columns.columns[c].members:
                    self.holders[i].add(j)

    def _take(self, j: int, members: tuple[int, ...], value: int) -> None:
        c = self.columns.add(Column(j, members, value))
        self.out[j] = self.columns.index_of(j, members) if c is None else c
        self.used.update(self.rows.coefficients(j, members))
        self.seats_left[list(members)] -= 1
        for i in members:
            self.holders[i].add(j)

    def _drop(self, j: int) -> Column:
        c = self.out[j]
        assert c is not None
        col = self.columns.columns[c]
        self.used.subtract(self.rows.coefficients(j, col.members))
        self.seats_left[list(col.members)] += 1
        for i in col.members:
            self.holders[i].discard(j)
        self.out[j] = None
        return col

    def _best_fit(self, j: int, avoid: tuple[int, ...]) -> tuple[tuple[int, ...], int] | None:
        """Dispute ``j``'s best pool panel (other than ``avoid``) that fits what is used now."""
        cand = self.joint[j]
        members = cand.pool[cand.panels.members]
        fits = np.flatnonzero((self.seats_left[members] > 0).all(axis=1))
        for r in fits[np.argsort(-cand.panels.value[fits], kind="stable")][: self.tries]:
            chosen = tuple(sorted(int(i) for i in members[r]))
            if chosen != avoid and self.rows.fits(self.rows.coefficients(j, chosen), self.used):
                return chosen, int(cand.panels.value[r])
        return None

    def _place(self, j: int) -> bool:
        """Staff ``j`` with one of its best pool panels by moving, for each of the panel's members without
        a seat left, one dispute holding that member to another of its own panels that fits (the
        moved disputes avoid the new panel's members; every upper limit is checked on each move)."""
        cand = self.joint[j]
        members = cand.pool[cand.panels.members]
        blocked = (self.seats_left[members] <= 0).sum(axis=1)
        some = np.flatnonzero(blocked > 0)
        # Fewest blocked members first (the cheapest moves), then the most valuable panel.
        order = some[np.lexsort((-cand.panels.value[some], blocked[some]))]
        self.moves_left = MOVES_PER_DISPUTE
        for r in order[: self.tries]:
            panel = tuple(sorted(int(i) for i in members[r]))
            if self._make_room_and_take(j, panel, int(cand.panels.value[r])):
                return True
            if self.moves_left <= 0:
                break
        return False

    def _make_room_and_take(self, j: int, panel: tuple[int, ...], value: int) -> bool:
        """Take ``panel`` for ``j`` after moving one holder of each full member elsewhere (up to
        ``HOLDER_CHOICES`` choices of holders for each); everything is put back when it does not work."""
        full = [i for i in panel if self.seats_left[i] <= 0]
        choices = [sorted(self.holders[i])[:HOLDER_CHOICES] for i in full]
        seen: set[tuple[int, ...]] = set()
        for combination in product(*choices):
            holders = tuple(sorted(set(combination)))  # a dispute holding two of them moves once
            if holders in seen:
                continue
            if len(seen) >= MOVE_TRIES or self.moves_left <= 0:
                return False
            seen.add(holders)
            self.moves_left -= 1
            if self._move_and_take(j, panel, value, holders):
                return True
        return False

    def _move_and_take(self, j: int, panel: tuple[int, ...], value: int, holders: tuple[int, ...]) -> bool:
        old = [self._drop(other) for other in holders]
        if all(self.seats_left[i] > 0 for i in panel) and self.rows.fits(self.rows.coefficients(j, panel), self.used):
            self._take(j, panel, value)
            moved: list[int] = []
            for other, was in zip(holders, old, strict=True):
                fit = self._best_fit(other, was.members)
                if fit is None:
                    break
                self._take(other, *fit)
                moved.append(other)
            else:
                return True
            for other in moved:
                self._drop(other)
            self._drop(j)
        for other, was in zip(holders, old, strict=True):
            self._take(other, was.members, was.value)
        return False

    def run(self) -> None:
        """Try every dispute still left out, in order."""
        for j in [j for j, c in enumerate(self.out) if c is None]:
            self._place(j)


def staffed_count(result: MasterResult) -> int:
    return sum(1 for c in result.chosen if c is not None)


def keeps_upper_limits(columns: ColumnSet, rows: GlobalRows, chosen: Sequence[int | None]) -> bool:
    """Whether the chosen columns keep every upper limit (capacity, state, group, same party)."""
    return all(rows.rhs(key)[0] == GE or n <= rows.rhs(key)[1] for key, n in _usage(columns, rows, chosen).items())


def greedy_result(columns: ColumnSet, rows: GlobalRows, hint: Sequence[int | None]) -> MasterResult | None:
    """The greedy assignment as a result, when it keeps every row (it always keeps the upper limits);
    the fallback when the assignment model finds nothing in its time on a very large batch."""
    used = _usage(columns, rows, hint)
    if any(rows.rhs(key)[0] == GE and used[key] < rows.rhs(key)[1] for key in rows.eager()):
        return None
    objective = sum(columns.columns[c].value for c in hint if c is not None)
    return MasterResult(Status.FEASIBLE, list(hint), int(objective), None)


@dataclass
class _Assignment:
    """The assignment model over the columns: a variable per column, each dispute's columns, and
    (when not every dispute must be staffed) whether each dispute is staffed."""

    model: cp_model.CpModel
    z: list[cp_model.IntVar]
    columns: list[Column]
    by_dispute: list[list[int]]
    staffed: list[cp_model.IntVar]
    values: list[int]  # each column's objective

    def unstaffed(self, status: Status, work: float = 0.0) -> MasterResult:
        """A result that staffs no dispute."""
        return MasterResult(status, [None] * len(self.by_dispute), 0, None, work=work)

    def chosen(self, solver: cp_model.CpSolver) -> list[int | None]:
        """The column the solver's solution picks for each dispute (``None``: not staffed)."""
        chosen: list[int | None] = [None] * len(self.by_dispute)
        for c, var in enumerate(self.z):
            if solver.boolean_value(var):
                chosen[self.columns[c].dispute] = c
        return chosen


def _columns_by_dispute(columns: ColumnSet, n_disputes: int) -> list[list[int]]:
    """Each dispute's columns (indices), in the order they were added."""
    by_dispute: list[list[int]] = [[] for _ in range(n_disputes)]
    for c, col in enumerate(columns.columns):
        by_dispute[col.dispute].append(c)
    return by_dispute


def _assignment_model(columns: ColumnSet, by_dispute: list[list[int]], require_all: bool) -> _Assignment:
    """The model's variables and one column per dispute (exactly one, or at most one with a staffed flag)."""
    model = cp_model.CpModel()
    z = [model.new_bool_var(f"z{c}") for c in range(len(columns.columns))]
    staffed: list[cp_model.IntVar] = []
    for j, cs in enumerate(by_dispute):
        if require_all:
            model.add_exactly_one(z[c] for c in cs)
        else:
            s = model.new_bool_var(f"s{j}")
            model.add(sum(z[c] for c in cs) == s)
            staffed.append(s)
    return _Assignment(model, z, columns.columns, by_dispute, staffed, [col.value for col in columns.columns])


def _never_binds(pairs: Sequence[tuple[int, int]], columns: Sequence[Column], rhs: int) -> bool:
    """Whether an upper limit holds whatever is chosen (each dispute's largest coefficient, summed, keeps it)."""
    most: dict[int, int] = {}
    for c, coef in pairs:
        most[columns[c].dispute] = max(most.get(columns[c].dispute, 0), coef)
    return sum(most.values()) <= rhs


def _add_global_rows(a: _Assignment, rows: GlobalRows) -> None:
    """The global rows over the columns (capacity and quotas), except upper limits that never bind."""
    terms: dict[RowKey, list[tuple[int, int]]] = defaultdict(list)
    for c, col in enumerate(a.columns):
        for key, coef in rows.coefficients(col.dispute, col.members).items():
            terms[key].append((c, coef))
    for key, pairs in terms.items():
        sense, rhs = rows.rhs(key)
        if sense == LE and _never_binds(pairs, a.columns, rhs):
            continue
        expr = cp_model.LinearExpr.weighted_sum([a.z[c] for c, _ in pairs], [v for _, v in pairs])
        a.model.add(expr <= rhs if sense == LE else expr >= rhs)
    if rows.women_min and ("women",) not in terms:
        a.model.add_bool_or([])  # women are required but no candidate panel has one


def _assignment_solver(seed: int, time_limit: float) -> cp_model.CpSolver:
    """CP-SAT with one seeded worker (the same result on every run) and ``time_limit`` deterministic seconds."""
    solver = cp_model.CpSolver()
    p = solver.parameters
    p.num_workers = 1
    p.random_seed = seed
    p.linearization_level = 2
    limit_work(p, max(MIN_SOLVE_TIME, time_limit))
    return solver


def _first_assignment(a: _Assignment, solver: cp_model.CpSolver) -> MasterResult:
    """Whether any assignment exists (the search stops at the first); no dispute is staffed in the result."""
    solver.parameters.stop_after_first_solution = True
    status = solver.solve(a.model)
    name = Status.FEASIBLE if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else _status(status)
    return a.unstaffed(name, work=solver.deterministic_time)


def _add_worst_dispute(a: _Assignment, require_all: bool) -> cp_model.IntVar:
    """A variable at most every staffed dispute's panel value: maximised, the worst-off dispute (fairness)."""
    value = a.values
    top = max((abs(v) for v in value), default=1) + 1
    worst = a.model.new_int_var(min(0, min(value, default=0)), top, "worst")
    for j, cs in enumerate(a.by_dispute):
        expr = cp_model.LinearExpr.weighted_sum([a.z[c] for c in cs], [value[c] for c in cs])
        if require_all:
            a.model.add(expr >= worst)
        elif cs:  # only the staffed disputes count
            a.model.add(expr + top * (1 - a.staffed[j]) >= worst)
    return worst


def _stages(a: _Assignment, fair: bool, require_all: bool) -> tuple[list[tuple[str, Any]], cp_model.IntVar | None]:
    """The objectives in lexicographic order (disputes staffed, the worst-off dispute, the total),
    and the worst-off dispute's variable when ``fair``."""
    stages: list[tuple[str, Any]] = []
    if not require_all:
        stages.append(("staffed", sum(a.staffed)))
    worst = _add_worst_dispute(a, require_all) if fair else None
    if worst is not None:
        stages.append(("worst", worst))
    stages.append(("total", cp_model.LinearExpr.weighted_sum(a.z, a.values)))
    return stages, worst


def _stage_result(
    a: _Assignment, solver: cp_model.CpSolver, status: Any, so_far: Status, worst: cp_model.IntVar | None, used: float
) -> MasterResult:
    """The assignment a stage found: optimal while every stage so far is proven optimal."""
    chosen = a.chosen(solver)
    value = a.values
    optimal = status == cp_model.OPTIMAL and so_far in (Status.TIMEOUT, Status.OPTIMAL)
    return MasterResult(
        Status.OPTIMAL if optimal else Status.FEASIBLE,
        chosen,
        int(sum(value[c] for c in chosen if c is not None)),
        None,
        None if worst is None else int(solver.value(worst)),
        used,
    )


def _keep_and_hint(a: _Assignment, solver: cp_model.CpSolver, objective: Any) -> None:
    """Keep what this stage reached and hint the next stage with its solution (lexicographic)."""
    reached = round(solver.objective_value)
    a.model.add(objective >= reached)
    a.model.clear_hints()
    for var in a.z:
        a.model.add_hint(var, solver.boolean_value(var))


def _solve_stages(
    a: _Assignment,
    solver: cp_model.CpSolver,
    stages: list[tuple[str, Any]],
    worst: cp_model.IntVar | None,
    time_limit: float,
    stop_at: int | None,
) -> MasterResult:
    """Maximise the stages in turn, each sharing the time left equally with those after it (the
    total takes all that is left, and stops early once it reaches ``stop_at``)."""
    result = a.unstaffed(Status.TIMEOUT)
    bound: float | None = None
    used = 0.0
    for n_stage, (label, objective) in enumerate(stages):
        remaining = time_limit - used
        limit_work(
            solver.parameters,
            max(MIN_SOLVE_TIME, remaining / (len(stages) - n_stage) if label != "total" else remaining),
        )
        a.model.clear_objective()
        a.model.maximize(objective)
        callback = _StopAt(stop_at) if label == "total" and stop_at is not None else None
        status = solver.solve(a.model, callback)
        used += solver.deterministic_time
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            if n_stage == 0:
                return a.unstaffed(_status(status), work=used)
            break
        result = _stage_result(a, solver, status, result.status, worst, used)
        if label == "total":
            bound = solver.best_objective_bound
        _keep_and_hint(a, solver, objective)
    result.bound, result.work = bound, used
    return result


def solve_master(
    columns: ColumnSet,
    rows: GlobalRows,
    n_disputes: int,
    *,
    fair: bool,
    require_all: bool,
    time_limit: float,
    seed: int,
    hint: Sequence[int | None] = (),
    feasibility_only: bool = False,
    stop_at: int | None = None,
) -> MasterResult:
    """CP-SAT over the columns: one per dispute (or at most one, staffing as many as possible first).

    ``time_limit`` is in deterministic seconds, shared by the stages; one seeded worker, so the
    result is the same on every run.
    """
    by_dispute = _columns_by_dispute(columns, n_disputes)
    if require_all and not all(by_dispute):
        return MasterResult(Status.INFEASIBLE, [None] * n_disputes, 0, None)  # a dispute without a column
    a = _assignment_model(columns, by_dispute, require_all)
    _add_global_rows(a, rows)
    for hinted in hint:
        if hinted is not None:
            a.model.add_hint(a.z[hinted], True)
    solver = _assignment_solver(seed, time_limit)
    if feasibility_only:
        return _first_assignment(a, solver)
    stages, worst = _stages(a, fair, require_all)
    return _solve_stages(a, solver, stages, worst, time_limit, None if fair else stop_at)


class _StopAt(cp_model.CpSolverSolutionCallback):
    """Stops the search once a solution reaches a known upper bound (the linear programme's value)."""

    def __init__(self, target: int) -> None:
        super().__init__()
        self.target = target

    def on_solution_callback(self) -> None:
        if self.objective_value >= self.target:
            self.stop_search()


def _status(status: Any) -> Status:
    if status == cp_model.INFEASIBLE:
        return Status.INFEASIBLE
    if status == cp_model.MODEL_INVALID:
        raise InternalError("invalid assignment model")
    return Status.TIMEOUT
