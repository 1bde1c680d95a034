"""Fair selection of the roster: K of N nominees under quotas, each nominee's chance as equal as possible.

The nominees and quotas come from the Sortition Foundation's CSV files (``matching.io.nominees``).
The selection is a ``matching.lottery.engine`` lottery (leximin by default) whose agents are the
classes of interchangeable nominees (the same value in every feature; see ``QuotaOracle``), with
a CP-SAT pricing oracle over seat counts per class, which also offers the engine a cheap local
search (move one seat, or on large rosters two at once, to another class while every quota holds and the weight grows) so that
CP-SAT runs mostly to prove the levels; the LP relaxation of the quotas (``matching.lottery.polytope``) proves
most levels without it, and its faces and leximin guide the searches; the result gives every nominee their class's
probability, 0 for those in no selection that meets the quotas. When no selection meets the
quotas, the error says how to relax them within ``min_flex``/``max_flex``
(``matching.lottery.relax``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from functools import cached_property
from pathlib import Path

import numpy as np
from ortools.sat.python import cp_model

from matching.core.config import Budget
from matching.core.defaults import COMPOSE_TIME_LIMIT, DEFAULT_ID_COLUMN
from matching.core.errors import ArgumentError, InputError, Problem
from matching.core.progress import CancelToken, ProgressFactory
from matching.io.csv_out import write_csv
from matching.io.nominees import ComposeProblem, read_nominees, read_quotas
from matching.lottery.engine import METHODS, Lottery, Panel, Pricing, Restriction, cpsat_best, solve
from matching.lottery.polytope import Face, QuotaPolytope
from matching.lottery.relax import describe_relaxation, suggest_relaxation

DEFAULT_TIME_LIMIT = COMPOSE_TIME_LIMIT  # deterministic seconds per pricing solve
# The whole run's budget: column-generation rounds and deterministic seconds of CP-SAT pricing summed over
# the run; past it the composition is the best distribution so far, marked as not proven.
COMPOSE_BUDGET = Budget(rounds=10_000, work=600.0)
# Deterministic seconds per pricing on the face (``face_best``): a heuristic, whose proof nobody reads. On the
# assembly-shaped pool's eighth and ninth levels its 24 other calls proved their answer within 0.09 to 0.27 units
# and all 25 found their last solution by 0.075; one ran to the 30 units of ``time_limit`` (34 s of CPU) to prove it.
FACE_TIME_LIMIT = 1.0
SWAP_CANDIDATES = 48  # the local search brings in only one of this many heaviest outsiders
SWAP_ROUNDS = 60  # improving swaps per start of the local search (a guard; it usually stops much earlier)
# Double moves only on large rosters: with 110 seats (the assembly-shaped pool) they close the first two leximin
# levels in one round each instead of 219 and 52; with 30 seats they cost more than they save (maximin over 2,000
# distinct nominees: 42.8 s of CPU without them, 69.2 s with them, measured 2026-12-06 at load 5).
PAIR_SEATS = 60
PAIR_FIRST = 16  # a double move starts from one of this many quota-breaking single moves of largest gain (_pair)
PAIR_REPAIRS = 64  # and repairs it with one of this many heaviest classes holding the values it left short


def class_index(classes: Sequence[Sequence[int]], count: int) -> tuple[int, ...]:
    """Each of ``count`` nominees' class (an index into ``classes``), in file order."""
    out = [0] * count
    for t, members in enumerate(classes):
        for i in members:
            out[i] = t
    return tuple(out)


def representatives(classes: Sequence[Sequence[int]], panel: Panel) -> list[int]:
    """A selection of nominees (file indices, sorted) with the panel's seats per class: the first nominees of
    each class. Any others of the same classes would do as well; no check depends on which."""
    counts = np.bincount(np.asarray(panel, dtype=np.int64), minlength=len(classes))
    return sorted(i for t, c in enumerate(counts) for i in classes[t][: int(c)])


class QuotaOracle:
    """CP-SAT pricing oracle: K nominees meeting every quota, of largest total weight.

    Nominees with the same value in every feature are interchangeable: every quota counts them
    alike, so the leximin probabilities are equal within such a **class** (the leximin vector is
    unique, and swapping two of them maps feasible selections to feasible selections). The agents
    of the lottery are therefore the classes, in order of their first nominee, each with its
    ``multiplicity``; a selection is a seat count per class (an integer variable, not one boolean
    per nominee), and the engine's master LP has one column per class. On the benchmark's
    generated pools this turns 2,000 nominees into 272 agents. ``group=False`` keeps one agent per
    nominee (the tests compare both). One seeded worker and a deterministic time limit make every
    answer reproducible.
    """

    def __init__(
        self, problem: ComposeProblem, seed: int = 0, time_limit: float = DEFAULT_TIME_LIMIT, group: bool = True
    ) -> None:
        self.problem = problem
        self.seed = seed
        self.time_limit = time_limit
        self.classes: tuple[tuple[int, ...], ...] = (
            problem.profiles if group else tuple((i,) for i in range(len(problem.nominees)))
        )
        self.multiplicity = np.array([len(c) for c in self.classes], dtype=np.int64)
        # Each class's quota in every feature: the model's rows and the local search's bookkeeping.
        self.quota_of = problem.quota_index(self.classes)
        self.low = np.array([q.min for q in problem.quotas], dtype=np.int64)
        self.high = np.array([q.max for q in problem.quotas], dtype=np.int64)
        self.model, self.x = self._pricing_model(self.low, self.high)
        self._face_model: tuple[Face, cp_model.CpModel, list[cp_model.IntVar]] | None = None  # face_best's
        # The local search's quota bounds and classes locked whole, for the current start (``_face_bounds``).
        self._bounds = (self.low, self.high, np.zeros(self.n, dtype=bool))

    @property
    def n(self) -> int:
        return len(self.classes)

    @property
    def size(self) -> int:
        return self.problem.size

    @cached_property
    def holds(self) -> np.ndarray:
        """[quotas, classes]: whether the class counts towards the quota."""
        holds = np.zeros((len(self.low), self.n), dtype=bool)
        holds[self.quota_of, np.arange(self.n)[:, None]] = True
        return holds

    @cached_property
    def seat_counts(self) -> np.ndarray:
        """``holds`` as counts: what one seat of the class adds to each quota's count."""
        return self.holds.astype(np.int64)

    @cached_property
    def seat_rows(self) -> np.ndarray:
        """``seat_counts`` transposed, as floats ([classes, quotas]): the local search's matrix products (``_breaks``)."""
        return np.ascontiguousarray(self.seat_counts.T, dtype=float)

    @cached_property
    def class_of(self) -> tuple[int, ...]:
        """Each nominee's class (agent index), in file order."""
        return class_index(self.classes, len(self.problem.nominees))

    def nominees(self, panel: Panel) -> list[int]:
        return representatives(self.classes, panel)

    @cached_property
    def polytope(self) -> QuotaPolytope:
        """The LP relaxation of the selections (seat counts per class under the quotas)."""
        return QuotaPolytope(self.holds, self.low, self.high, self.multiplicity, self.size)

    def level_proof(self, free: Sequence[int], fixed: Mapping[int, float]) -> tuple[np.ndarray, int] | None:
        """The engine's proof of a leximin level from the LP relaxation (``matching.lottery.polytope``): weights
        per class and a proven bound on every selection's weight, or None. Where the relaxation's level is the
        true one, the level ends as soon as the known panels reach it, with no CP-SAT proof."""
        return self.polytope.level_proof(free, fixed)

    def targets(self, free: Sequence[int], fixed: Mapping[int, float]) -> np.ndarray | None:
        """Each class's chance in the leximin over the LP relaxation that keeps the ``fixed`` chances
        (``matching.lottery.polytope.QuotaPolytope.targets``): what the panels sought before a level aim at."""
        return self.polytope.targets(free, fixed)

    def face_best(self, weights: np.ndarray) -> Pricing | None:
        """A selection of largest ``weights`` on the face of the current level's relaxation proof and of the levels
        before it that the relaxation proved (``matching.lottery.polytope.QuotaPolytope.track``): where the
        relaxation is tight, every distribution reaching the level uses such selections only. A heuristic (its
        answer proves nothing about other selections), so it searches for ``FACE_TIME_LIMIT`` deterministic seconds
        at most; None before any level proof."""
        face = self.polytope.face
        if face is None:
            return None
        if self._face_model is None or self._face_model[0] != face:
            self._face_model = (face, *self._model_on(face))
        _, model, x = self._face_model
        return cpsat_best(model, x, weights, None, seed=self.seed, time_limit=min(self.time_limit, FACE_TIME_LIMIT))

    def _model_on(self, face: Face) -> tuple[cp_model.CpModel, list[cp_model.IntVar]]:
        """The pricing model restricted to ``face``."""
        return self._pricing_model(np.asarray(face.low), np.asarray(face.high), set(face.full), every_row=True)

    def _pricing_model(
        self, low: np.ndarray, high: np.ndarray, whole: set[int] | None = None, every_row: bool = False
    ) -> tuple[cp_model.CpModel, list[cp_model.IntVar]]:
        """A CP-SAT model of the selections: seats per class (all of a class's nominees for the classes in
        ``whole``), ``size`` in all, each quota's count within ``low`` and ``high``; a quota row that cannot bind
        (no minimum, a maximum of at least its holders) is left out unless ``every_row``."""
        model = cp_model.CpModel()
        whole = whole or set()
        x = [model.new_int_var(int(m) if t in whole else 0, int(m), f"x{t}") for t, m in enumerate(self.multiplicity)]
        model.add(sum(x) == self.size)
        for j in range(len(low)):
            held = np.flatnonzero(self.holds[j])
            if every_row or low[j] > 0 or high[j] < int(self.multiplicity[held].sum()):
                model.add_linear_constraint(sum(x[int(t)] for t in held), int(low[j]), int(high[j]))
        return model, x

    def best(self, weights: np.ndarray, restriction: Restriction | None = None) -> Pricing:
        return cpsat_best(self.model, self.x, weights, restriction, seed=self.seed, time_limit=self.time_limit)

    def problems(self, panel: Panel) -> list[str]:
        counts = np.bincount(np.asarray(panel, dtype=np.int64), minlength=self.n)
        over = [t for t in range(self.n) if counts[t] > self.multiplicity[t]]
        if over:
            return [f"class {t} has {int(counts[t])} seats but {int(self.multiplicity[t])} nominees" for t in over]
        return self.problem.quota_problems(self.nominees(panel))

    def improve(self, weights: np.ndarray, starts: Sequence[Panel]) -> list[Panel]:
        """Cheap pricing for the lottery engine: from each start (a selection meeting the quotas), move one
        seat from one class to another (or, on large rosters, two seats at once when no single move gains) while that raises the
        total weight and keeps every quota (and, from a start on the face of the relaxation's level proofs, that
        face: ``on_face``); the selections reached. A heuristic only: the engine still proves every level with
        ``best`` or ``level_proof``."""
        y = np.asarray(weights, dtype=float)
        everyone = np.argsort(-y, kind="stable")
        ranked = everyone[y[everyone] > 0]
        found: list[Panel] = []
        for start in starts:
            self._bounds = self._face_bounds(start)
            chosen = self._climb(y, ranked, everyone, list(start))
            if chosen is not None and chosen not in found:
                found.append(chosen)
        return found

    def on_face(self, panel: Panel) -> bool:
        """Whether ``panel`` lies on the face of the relaxation's level proofs (``face_best``; True before any)."""
        return self._within(panel, self.polytope.face)

    def on_proven_face(self, panel: Panel) -> bool:
        """Whether ``panel`` lies on the faces of the levels so far that ended at the relaxation's value
        (``matching.lottery.polytope.QuotaPolytope.track``'s ``kept``; True before any): by complementary slackness
        with those levels' proofs, the only panels a distribution keeping those levels can use."""
        return self._within(panel, self.polytope.kept)

    def _within(self, panel: Panel, face: Face | None) -> bool:
        """Whether ``panel`` meets ``face`` (True for None)."""
        if face is None:
            return True
        held = np.bincount(np.asarray(panel, dtype=np.int64), minlength=self.n)
        counts = self.seat_counts @ held
        full = list(face.full)
        return bool(
            (counts >= np.asarray(face.low)).all()
            and (counts <= np.asarray(face.high)).all()
            and (held[full] == self.multiplicity[full]).all()
        )

    def _face_bounds(self, start: Panel) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The quota bounds and the classes locked whole that the local search keeps from ``start``: those of the
        face of the relaxation's level proofs (``face_best``) when ``start`` lies on it, so that every selection it
        reaches does too (where the relaxation is tight, the only ones of use to the level's distribution); else
        the quotas themselves, nothing locked."""
        face = self.polytope.face
        locked = np.zeros(self.n, dtype=bool)
        if face is not None and self.on_face(start):
            locked[list(face.full)] = True
            return np.asarray(face.low, dtype=np.int64), np.asarray(face.high, dtype=np.int64), locked
        return self.low, self.high, locked

    def _climb(self, y: np.ndarray, ranked: np.ndarray, everyone: np.ndarray, members: list[int]) -> Panel | None:
        """Steepest ascent by single moves from the seats ``members`` (into one of the ``SWAP_CANDIDATES``
        heaviest classes with a nominee left, ``ranked`` by weight), and by a double move (``_pair``) when no
        single one improves on a roster of ``PAIR_SEATS`` seats or more; None when no move improves the start."""
        held = np.bincount(np.asarray(members, dtype=np.int64), minlength=self.n)
        counts = np.bincount(self.quota_of[members].ravel(), minlength=len(self.low))
        moved = False
        for _ in range(SWAP_ROUNDS):
            out = np.array(members, dtype=np.int64)
            floor = float(y[out].min())
            candidates = ranked[held[ranked] < self.multiplicity[ranked]][:SWAP_CANDIDATES]
            candidates = candidates[y[candidates] > floor + 1e-12]
            if len(candidates) == 0:
                break
            low, high, locked = self._bounds
            stuck = _stuck(counts, low, high, self.seat_rows[out], self.seat_rows[candidates])
            ok = (stuck < 0.5) & ~locked[out][:, None]
            raw = y[candidates][None, :] - y[out][:, None]
            gain = np.where(ok, raw, -np.inf)
            best = int(np.argmax(gain))  # first of the best: deterministic
            row, col = divmod(best, len(candidates))
            if gain[row, col] > 1e-12:
                moves = [(row, int(candidates[col]))]
            elif self.size >= PAIR_SEATS:
                moves = self._pair(y, everyone, out, candidates, raw, ok, held, counts)
            else:
                moves = []
            if not moves:
                break
            for row, b in moves:
                a = int(out[row])
                np.subtract.at(counts, self.quota_of[a], 1)
                np.add.at(counts, self.quota_of[b], 1)
                held[a] -= 1
                held[b] += 1
                members[row] = b
            moved = True
        return tuple(sorted(members)) if moved else None

    def _pair(
        self,
        y: np.ndarray,
        everyone: np.ndarray,
        out: np.ndarray,
        candidates: np.ndarray,
        raw: np.ndarray,
        ok: np.ndarray,
        held: np.ndarray,
        counts: np.ndarray,
    ) -> list[tuple[int, int]]:
        """Two seats moved at once, when no single move improves: on a tight roster (many seats, quotas at their
        bounds) a move of positive gain often breaks a quota that a second move repairs, typically by swapping a
        member of little weight for an outsider of little weight with other values (``raw``: each seat's move to
        each candidate's class, quotas ignored; ``ok``: those that keep them). For each of the ``PAIR_FIRST`` such
        moves of largest gain, the repairs considered take out a seat holding every value it pushed over its
        maximum and bring in one of the ``PAIR_REPAIRS`` heaviest classes with room that hold every value it
        pushed under its minimum; the pair of largest total gain above 0 that keeps every quota and the classes'
        sizes, as (seat, class) moves, or none."""
        low, high, locked = self._bounds
        free_seats = ~locked[out]
        broken = np.flatnonzero((~ok & (raw > 1e-12) & free_seats[:, None]).ravel())
        if len(broken) == 0:
            return []
        order = broken[_first_smallest(-raw.ravel()[broken], PAIR_FIRST)]
        room = held < self.multiplicity
        best: tuple[float, list[tuple[int, int]]] = (1e-12, [])
        counts_of = self.seat_counts
        holds_out = self.holds[:, out]
        seat_rows = self.seat_rows
        y_out = y[out]
        for flat in order:
            row, col = divmod(int(flat), len(candidates))
            a, b = int(out[row]), int(candidates[col])
            after = counts - counts_of[:, a] + counts_of[:, b]
            over = np.flatnonzero(after > high)
            under = np.flatnonzero(after < low)
            seats = free_seats.copy()
            if len(over):
                seats &= holds_out[over].all(axis=0)
            seats[row] = False
            open_ = room.copy()
            open_[b] = held[b] + 2 <= self.multiplicity[b]
            if len(under):
                open_ &= self.holds[under].all(axis=0)
            classes = everyone[open_[everyone]][:PAIR_REPAIRS]
            if not seats.any() or len(classes) == 0:
                continue
            rows = np.flatnonzero(seats)
            gain = raw[row, col] + y[classes][None, :] - y_out[rows][:, None]
            if gain.max() <= best[0]:
                continue
            # Every quota must hold after both moves: counted by two small matrix products (``_breaks``).
            fits = _breaks(after, low, high, seat_rows[out[rows]], seat_rows[classes]) < 0.5
            total = np.where(fits, gain, -np.inf)
            pick = int(np.argmax(total))  # first of the best: deterministic
            i, k = divmod(pick, len(classes))
            if total[i, k] > best[0]:
                best = (float(total[i, k]), [(row, b), (int(rows[i]), int(classes[k]))])
        return best[1]


def _stuck(counts: np.ndarray, low: np.ndarray, high: np.ndarray, out: np.ndarray, into: np.ndarray) -> np.ndarray:
    """[seats, classes]: for the move of a seat of each row of ``out`` (the quotas it holds, 0/1) to a class of each
    row of ``into``, the quotas it cannot move: held by the seat only, at their minimum (``counts - 1 < low``), or by
    the class only, at their maximum (``counts + 1 > high``). A move keeps every quota when there are none: in each
    feature the seat and the class share their value, or the seat's may lose one and the class's gain one. Counted
    by matrix products over the quotas (``a (1 - b) s + (1 - a) b f`` summed, with ``s``, ``f`` those flags) instead
    of comparing every seat's values with every class's (exact: small integers in floats)."""
    short = (counts - 1 < low).astype(float)
    full = (counts + 1 > high).astype(float)
    stuck = (out @ short)[:, None] + (into @ full)[None, :] - (out * (short + full)) @ into.T
    return np.asarray(stuck, dtype=float)


def _first_smallest(keys: np.ndarray, count: int) -> np.ndarray:
    """The first ``count`` positions of ``np.argsort(keys, kind="stable")`` without sorting them all: every key
    below the ``count``-th smallest and the ties at it (in index order) are sorted, the rest cannot come first."""
    if len(keys) > count:
        kth = np.partition(keys, count - 1)[count - 1]
        near = np.flatnonzero(keys <= kth)
        return near[np.argsort(keys[near], kind="stable")][:count]
    return np.argsort(keys, kind="stable")


def _breaks(counts: np.ndarray, low: np.ndarray, high: np.ndarray, out: np.ndarray, into: np.ndarray) -> np.ndarray:
    """[seats, classes]: how many quotas break when, from the quota ``counts``, a seat of each row of ``out`` (the
    quotas it holds, 0/1) leaves and one of each row of ``into`` comes in. A quota's count moves by ``b - a`` (``a``,
    ``b``: whether the seat out and the class in hold it), so with ``c0``, ``c-`` and ``c+`` = 1 where ``counts``,
    ``counts - 1`` and ``counts + 1`` break it, the quotas broken number ``Σ_j c0 + a (c- - c0) + b (c+ - c0) + a b
    (2 c0 - c- - c+)``: each quota adds 0 or 1, and the sum is a bilinear form, two small matrix products instead of
    the counts of every pair (exact: small integers in floats)."""

    def broken(values: np.ndarray) -> np.ndarray:
        return ((values < low) | (values > high)).astype(float)

    c0, minus, plus = broken(counts), broken(counts - 1), broken(counts + 1)
    breaks = (out * (2.0 * c0 - minus - plus)) @ into.T
    breaks += (out @ (minus - c0))[:, None] + (into @ (plus - c0))[None, :] + c0.sum()
    return np.asarray(breaks, dtype=float)


@dataclass
class Composition:
    """Each nominee's selection probability (file order), and the lottery behind it.

    The lottery's agents are ``classes`` of interchangeable nominees (file indices per class); every
    nominee of a class has the class's probability."""

    problem: ComposeProblem
    method: str
    lottery: Lottery
    classes: tuple[tuple[int, ...], ...]

    @cached_property
    def class_of(self) -> tuple[int, ...]:
        """Each nominee's class (agent index of the lottery), in file order."""
        return class_index(self.classes, len(self.problem.nominees))

    @property
    def marginals(self) -> list[Fraction]:
        """Each nominee's exact selection probability, in file order."""
        return [self.lottery.marginals[t] for t in self.class_of]

    @property
    def probabilities(self) -> list[float]:
        return [float(p) for p in self.marginals]

    @property
    def reachable(self) -> list[int]:
        """Nominees (file indices) in some selection that meets the quotas."""
        return [i for i, t in enumerate(self.class_of) if t in self.lottery.covered]

    @property
    def unreachable(self) -> list[str]:
        """Nominees in no selection that meets the quotas (probability 0)."""
        return [
            nom.nominee_id
            for nom, t in zip(self.problem.nominees, self.class_of, strict=True)
            if t not in self.lottery.covered
        ]

    def selections(self) -> list[tuple[list[int], Fraction]]:
        """The support as concrete selections (file indices; the first nominees of each class) and their
        probabilities. The probabilities of individual nominees are ``marginals``, not these selections'
        sums: within a class, the seats are shared equally."""
        return [
            (representatives(self.classes, panel), prob)
            for panel, prob in zip(self.lottery.panels, self.lottery.probabilities, strict=True)
        ]

    def rows(self) -> list[tuple[str, float]]:
        return [(nom.nominee_id, p) for nom, p in zip(self.problem.nominees, self.probabilities, strict=True)]


def compose(
    problem: ComposeProblem,
    method: str = "leximin",
    seed: int = 0,
    time_limit: float = DEFAULT_TIME_LIMIT,
    group: bool = True,
    progress: ProgressFactory | None = None,
    budget: Budget | None = None,
    cancel: CancelToken | None = None,
) -> Composition:
    """Selection probabilities for every nominee under ``method`` (leximin, maximin or nash).

    ``group=False`` solves with one agent per nominee instead of one per class (same probabilities,
    slower). Raises ``InputError`` when no selection meets every quota. The column generation ends
    within ``budget`` (default ``COMPOSE_BUDGET``) or at a stop asked for by ``cancel``, with the best
    distribution so far (``lottery.stopped`` says why, ``lottery.proven`` is false).
    """
    if method not in METHODS:
        raise ArgumentError(f"unknown method {method!r}; one of {', '.join(METHODS)}")
    oracle = QuotaOracle(problem, seed=seed, time_limit=time_limit, group=group)
    first = oracle.best(np.zeros(oracle.n, dtype=np.int64))
    if first.panel is None:
        if first.proven:
            advice = describe_relaxation(suggest_relaxation(problem), problem)
            message = f"no selection of {problem.size} nominees meets every quota. {advice}"
        else:
            message = f"no selection meeting every quota was found within the time limit ({time_limit} s)"
        raise InputError([Problem(problem.features_file, None, None, "", message, "infeasible_quotas")])
    if cancel is not None:
        cancel.check()
    lottery = solve(oracle, method, progress, budget or COMPOSE_BUDGET, cancel)
    return Composition(problem, method, lottery, oracle.classes)


def write_probabilities(path: Path, composition: Composition) -> None:
    """``id,probability`` for every nominee, in file order, through the project's one CSV writer; atomic."""
    write_csv(path, ("id", "probability"), ([nid, repr(p)] for nid, p in composition.rows()))


def load_problem(features: Path, nominees: Path, size: int, id_column: str = DEFAULT_ID_COLUMN) -> ComposeProblem:
    """Read and check both files; raise one ``InputError`` listing every problem found."""
    problems: list[Problem] = []
    if size < 1:
        problems.append(Problem(features.name, None, None, str(size), "the number of seats must be at least 1", "size"))
    quotas = read_quotas(features, size, problems)
    names = list(dict.fromkeys(q.feature for q in quotas))
    people = read_nominees(nominees, names, quotas, id_column, problems) if quotas or not problems else []
    if people and size > len(people):
        problems.append(
            Problem(nominees.name, None, None, str(size), f"{size} seats but only {len(people)} nominees", "size")
        )
    if problems and people and all(p.code == "quota_sum" for p in problems):
        # Minimums adding up to more than K (or maximums to fewer) may still be fixed within the flex.
        relaxed = suggest_relaxation(ComposeProblem(size, tuple(names), tuple(quotas), tuple(people), features.name))
        if relaxed is not None and relaxed.needed:
            first = problems[0]
            problems[0] = replace(first, message=f"{first.message}. {describe_relaxation(relaxed)}")
    if problems:
        raise InputError(problems)
    return ComposeProblem(size, tuple(names), tuple(quotas), tuple(people), features.name)
