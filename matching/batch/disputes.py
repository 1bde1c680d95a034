"""The batch's per-dispute work, in this process or in worker processes, on plain numbers.

Each dispute alone (``alone_chunk``): a pool of its most promising mediators, every feasible panel of
the pool, and its proven best panel and bound. Each pool rebuilt at the joint model's prices
(``reprice_chunk``): the mediators with the best upper bounds at the prices, over every eligible mediator and
without a solver, with the bound on the dispute's best priced panel they prove. Each dispute priced
(``exact_chunk``): its best panel over every eligible mediator at the joint model's prices, proven (the
Lagrangian bound). ``Runner``
spreads either over a process pool of its own or over any ``concurrent.futures.Executor`` it is given
(a Dask cluster's, ``distributed.Client(address).get_executor()``); every CP-SAT search has one seeded
worker and a deterministic time limit, so results do not depend on the machine's load nor on where
the work ran.

Only plain data crosses to a worker: the chunk's items and settings, and once per worker process the
batch's inputs (the dataset, countries and rule set, pickled once in this process), from which the
worker builds its own ``WorkerState`` and models. A worker keeps the last few states by the run's token,
so later chunks of the same run send the token alone.
"""

from __future__ import annotations

import pickle
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, replace
from multiprocessing import get_context
from typing import Any

import numpy as np

from matching.core.config import Locks, SolveConfig
from matching.core.domain import Dataset
from matching.core.errors import InternalError
from matching.core.progress import Advance
from matching.core.status import Status
from matching.io.rulesets import RuleSet
from matching.panel.bounds import panel_bounds
from matching.panel.diagnosis import diagnose
from matching.panel.model import NEVER_PRUNED, PanelModel, PanelSolution, best_chair, reduce, upper_bounds
from matching.rules.checker import DisputeView
from matching.rules.encoding import PanelInstance, RosterArrays, priced, restrict
from matching.rules.kernel import Panels, combination_count, dispute_views, enumerate_panels, members_total
from matching.rules.workspace import Workspace

ENUMERATION_LIMIT = 30_000  # most panels enumerated per dispute
MIN_ENUMERATION = 2_000  # fewest panels enumerated per dispute, however large the batch
POOL_CAP = 120  # most mediators in one dispute's pool
MIN_SOLVE_TIME = 0.01  # below this many deterministic seconds, no CP-SAT search is started
PARALLEL_MIN_DISPUTES = 40  # below this, per-dispute solves stay in this process
STATES_KEPT = 2  # batch states a worker process keeps (by run token) for the chunks still to come
IN_FLIGHT = 2  # chunks submitted at a time per process (keeps workers busy; a stop cancels the rest)
# Exact pricing's work outside CP-SAT's search, in deterministic seconds charged by size (the same on every
# run), measured on this machine: encoding a dispute and bounding its mediators took about a microsecond per
# eligible mediator, building its pricing model about 25 microseconds per mediator in the model (at 5,000
# disputes x 10,000 mediators about half of exact pricing's time, which CP-SAT's own count leaves out). Since
# the text similarity reads only the profiles sharing a term with the description (its terms transformed once)
# and the upper bounds index their pool once, encoding and bounding take 0.45 of that CPU (7.0 against 15.5 ms
# per dispute at 1,000 x 10,000, measured the same way in the same session): charged half a microsecond.
ENCODE_WORK = 5e-7
BUILD_WORK = 2.5e-5
PANEL_WORK = 1e-7  # a pool's panel enumerated and priced (rebuilding pools at the prices)
# The profile programme bounding a dispute's best priced panel (``_tight_bound``): at most this many mediators in
# it (those with the best upper bounds), and its work charged per mediator in it and pair of parties for panels of
# three (``tight_scale`` for other sizes), measured on this machine at 5,000 disputes x 10,000 mediators (about
# 0.09 ms CPU for panels of two or three, 1.4-1.7 ms for panels of five, whose programme has far more states).
TIGHT_CAP = 300
TIGHT_WORK = 1e-4
# The share of exact pricing's budget the programme may take, over every dispute priced, before any search (CP-SAT
# proves more per deterministic second where the budget is short: at 2,500 x 5,000, 0.1 instead of 0.5 left 646
# disputes unproven instead of 874; with EXACT_SHARE 0.8, one logged exact round replayed at 0.25, 0.1 and 0 left 198,
# 79 and 32 of 1,966 unproven, slack 25.5, 10.6 and 4.8 points: at 0 the capped programme never runs, the
# searches get its share, and the narrowing (``FILTER_SHARE``) still uses the programme where it pays).
TIGHT_SHARE = 0.0
# The share of a search's work the profile programme may take first, over every mediator the search would hold, to
# drop those on no panel better than the pool's (``_narrow``; in each of exact pricing's passes). Measured on
# 40 disputes left unproven by the first pass at 2,500 x 5,000: CP-SAT's deterministic seconds count about a third
# of its CPU (0.96 to prove them all, 3.3 s CPU), the programme's charge about all of it; the programme (2.7 charged)
# then leaves searches of 0.05 deterministic seconds in all. Narrowing pays where the search is long (many
# mediators in it, panels of two or three, two parties), which is where the first pass's share ran out.
# In the first pass too: one exact round at 5,000 x 10,000 replayed on a quarter of its disputes (988, a quarter of
# the budget, in one process) left 381 unproven, slack 40.1 points, for 72 s CPU, against 382, 40.3 points and 93 s
# CPU when only the later passes narrowed (the programme takes less CPU than the searches it cuts short).
FILTER_SHARE = 0.8
TIGHT_MIN = 10  # fewer mediators than this in the programme: it is not run (the bound would barely move)
STOP_CHECK_SECONDS = 0.5  # how often a wait for chunks looks at the progress (and so at a stop request)


@dataclass
class Candidates:
    """One dispute's work before the joint phase, as plain numbers (sent back from worker processes)."""

    position: int
    dispute_id: str
    k: int
    status: Status  # optimal | feasible | infeasible | timeout: the dispute on its own
    upper: int | None  # proven upper bound on the dispute's objective (its best alone, or bound)
    best: int | None  # objective of its best panel found alone
    best_members: tuple[int, ...]  # roster indices of that panel
    eligible: int
    pool: np.ndarray  # roster indices of the pool, sorted
    panels: Panels  # every feasible panel of the pool (members index the pool)
    complete: bool  # the pool holds every eligible mediator: pricing over ``panels`` is exact
    diagnosis: dict[str, list[str]] | None = None
    seconds: float = 0.0
    work: float = 0.0  # CP-SAT's deterministic seconds

    @property
    def in_joint_model(self) -> bool:
        return self.status in (Status.OPTIMAL, Status.FEASIBLE) and len(self.panels) > 0


@dataclass
class Priced:
    """A dispute priced exactly (over every eligible mediator) at the joint model's prices."""

    position: int
    bound: int  # proven: no panel of the dispute is worth more than this after its price
    members: tuple[int, ...]  # roster indices of the best priced panel (empty if none)
    value: int  # its objective (unpriced)
    pool: np.ndarray | None = None  # grown pool, when the panel had mediators outside the old one
    panels: Panels | None = None
    work: float = 0.0  # CP-SAT's deterministic seconds
    proven: bool = True  # the bound is the priced optimum (not cut short by the time limit)
    # The work around the search, charged by size (``ENCODE_WORK``, ``BUILD_WORK``): encoding, bounds, the model.
    overhead: float = 0.0
    before: float = 0.0  # of ``overhead``: the profile programme's narrowing before the search, out of its share


# --- per-dispute work (in this process or in worker processes) ----------------------------------


@dataclass
class WorkerState:
    ws: Workspace
    rule_set: RuleSet
    arrays: RosterArrays
    views: dict[str, DisputeView]


def make_state(ws: Workspace, rule_set: RuleSet) -> WorkerState:
    views = {v.dispute.dispute_id: v for v in dispute_views(ws, rule_set)}
    ws.text.prepare(v.dispute.description for v in views.values())  # every description's terms in one call
    return WorkerState(ws, rule_set, ws.arrays, views)


# In a worker process (of a process pool or a Dask worker): the states of the last few runs, by token.
_STATES: OrderedDict[str, WorkerState] = OrderedDict()
_STATES_LOCK = threading.Lock()  # a Dask worker may run several chunks at once in threads


@dataclass(frozen=True)
class Missing:
    """A worker's answer when it does not hold the run's state yet: send the chunk again with the inputs."""

    token: str


def _remember(token: str, data: Dataset, countries: Any, rule_set: RuleSet) -> WorkerState:
    state = make_state(Workspace(data, countries), rule_set)
    _STATES[token] = state
    while len(_STATES) > STATES_KEPT:
        _STATES.popitem(last=False)
    return state


def _init_worker(token: str, data: Dataset, countries: Any, rule_set: RuleSet) -> None:
    with _STATES_LOCK:
        _remember(token, data, countries, rule_set)


def run_chunk(
    chunk_fn: Callable[..., list[Any]], token: str, inputs: bytes | None, items: list[Any], *args: Any
) -> list[Any] | Missing:
    """In a worker: ``chunk_fn`` on ``items`` with the run's state, built from ``inputs`` (the pickled
    dataset, countries and rule set) the first time this process sees ``token``."""
    with _STATES_LOCK:
        state = _STATES.get(token)
        if state is None:
            if inputs is None:
                return Missing(token)
            state = _remember(token, *pickle.loads(inputs))  # the inputs come from the run itself
        _STATES.move_to_end(token)
    return chunk_fn(items, *args, state=state)


def pool_size(k: int, limit: int) -> int:
    """The largest pool whose panels of ``k`` number at most ``limit`` (at least ``k``)."""
    p = k
    while p < POOL_CAP and combination_count(p + 1, k) <= limit:
        p += 1
    return p


@dataclass(frozen=True)
class _Best:
    """The best panel of one (possibly priced) instance: status, proven bound, value and members."""

    status: Status  # optimal | feasible | infeasible | timeout
    bound: int | None
    value: int | None
    members: tuple[int, ...]  # indices into the instance, sorted
    work: float = 0.0  # CP-SAT's deterministic seconds


def _best_panel(
    inst: PanelInstance,
    bounds: np.ndarray,
    pool: np.ndarray,
    panels: Panels,
    config: SolveConfig,
) -> _Best:
    """The instance's best panel, given every panel of ``pool`` (indices into ``inst``) and their values.

    No panel holding a mediator is worth more than that mediator's upper bound, so when no
    mediator outside the pool has a bound above the pool's best panel, that panel is the best
    (proven without a solver). Otherwise CP-SAT solves the mediators whose bound reaches the
    pool's best, thinned by the solver's exact dominance rule (``reduce``), as ``solve_instance`` does.
    With less than ``MIN_SOLVE_TIME`` deterministic seconds to spend, no solver runs and the bound is
    the largest upper bound of a mediator outside the pool (valid, looser).
    """
    best_value: int | None = None
    best_members: tuple[int, ...] = ()
    best_chair = -1
    if len(panels):
        r = int(np.argmax(panels.value))
        best_value = int(panels.value[r])
        best_members = tuple(sorted(int(i) for i in panels.members[r]))
        best_chair = int(panels.chair[r])
    outside = np.ones(inst.n, dtype=bool)
    outside[pool] = False
    if best_value is not None and (not outside.any() or int(bounds[outside].max()) <= best_value):
        return _Best(Status.OPTIMAL, best_value, best_value, best_members)
    if not outside.any():
        return _Best(Status.INFEASIBLE, None, None, ())
    if best_value is not None and config.time_limit < MIN_SOLVE_TIME:
        return _Best(Status.FEASIBLE, int(bounds[outside].max()), best_value, best_members)
    candidates = list(range(inst.n)) if best_value is None else np.flatnonzero(bounds >= best_value).tolist()
    idx = reduce(inst, 1, candidates)
    if len(idx) < inst.k:
        return (
            _Best(Status.INFEASIBLE, None, None, ())
            if best_value is None
            else _Best(Status.OPTIMAL, best_value, best_value, best_members)
        )
    model = PanelModel(inst, idx, Locks())
    if best_members:
        model.hint(best_members, best_chair)  # (at 5,000 x 10,000: half the search's deterministic time)
    status, sol, objective, bound = model.solve(config)
    work = model.deterministic_time
    if sol is None:
        if status == "infeasible":
            # ``idx`` holds every panel worth at least the pool's best, so the pool's best is the best.
            if best_value is None:
                return _Best(Status.INFEASIBLE, None, None, (), work)
            return _Best(Status.OPTIMAL, best_value, best_value, best_members, work)
        if best_value is None:
            return _Best(Status.TIMEOUT, None, None, (), work)
        # Any better panel holds a mediator outside the pool (party-ranked names are all inside).
        return _Best(Status.FEASIBLE, max(best_value, int(bounds[outside].max())), best_value, best_members, work)
    assert objective is not None and bound is not None
    if best_value is not None and best_value >= objective:
        return _Best(status, max(bound, best_value), best_value, best_members, work)
    return _Best(status, bound, objective, tuple(sorted(sol.members)), work)


POOL_ROLE_SEATS = 3  # in each pool, at least this many of the best possible chairs and speakers of each language


def choose_pool(inst: PanelInstance, bounds: np.ndarray, size: int, required: Iterable[int] = ()) -> np.ndarray:
    """A dispute's pool (indices into ``inst``, sorted): ``required``, then the best possible chairs and
    speakers of each working language, then the best upper bounds, ``size`` in all."""
    order = np.argsort(-bounds, kind="stable")
    chosen: dict[int, None] = dict.fromkeys(int(i) for i in required)
    for i in np.flatnonzero(bounds >= NEVER_PRUNED):  # party-ranked names have no finite bound: keep them
        chosen.setdefault(int(i), None)
    for mask in (inst.chair_ok, *(inst.speaks[:, col] for col in range(len(inst.languages)))):
        for i in order[mask[order]][:POOL_ROLE_SEATS]:
            chosen.setdefault(int(i), None)
    for i in order:
        if len(chosen) >= size:
            break
        chosen.setdefault(int(i), None)
    return np.array(sorted(chosen), dtype=np.int64)


def _alone(state: WorkerState, position: int, dispute_id: str, limit: int, config: SolveConfig) -> Candidates:
    started = time.perf_counter()
    view = state.views[dispute_id]
    inst = state.arrays.encode(view, with_excluded=False)
    k = inst.k
    roster = state.arrays.global_index(inst)
    complete = k == 1 or combination_count(inst.n, k) <= limit
    size = pool_size(k, limit)
    if complete:
        pool = np.arange(inst.n)
        bounds = np.zeros(inst.n, dtype=np.int64)
    else:
        bounds = upper_bounds(inst, np.arange(inst.n))
        pool = choose_pool(inst, bounds, size)
    panels = enumerate_panels(inst, pool)
    best = _best_panel(inst, bounds, pool, panels, config)
    if best.members and not set(best.members) <= set(pool.tolist()):
        # The best panel lies partly outside the pool: make room for it.
        pool = choose_pool(inst, bounds, size, best.members)
        panels = enumerate_panels(inst, pool)
    local = _pool_panels(pool, panels, k)  # panels index the pool from here on
    cand = Candidates(
        position,
        dispute_id,
        k,
        best.status,
        best.bound,
        best.value,
        tuple(sorted(int(roster[i]) for i in best.members)),
        inst.n,
        roster[pool],
        local,
        complete,
        work=best.work,
    )
    if best.status == "infeasible":
        cand.diagnosis = diagnose(state.ws, view, None, replace(config, candidates=1)).as_dict()
    cand.seconds = time.perf_counter() - started
    return cand


def _exact(
    state: WorkerState,
    position: int,
    dispute_id: str,
    price: np.ndarray,
    party_price: Mapping[str, tuple[np.ndarray, np.ndarray]],
    pool: np.ndarray,
    pool_best: int,
    limit: int,
    config: SolveConfig,
    tight: float = 0.0,
    narrow: bool = False,
) -> Priced:
    """Price one dispute exactly: the best priced panel over every eligible mediator, proven.

    ``pool_best`` is the best priced worth among the pool's panels (the parent knows them all).
    With less than ``MIN_SOLVE_TIME`` deterministic seconds to spend, no solver runs: the bound is then
    the largest upper bound of a mediator outside the pool (still valid, only looser), or with ``tight``
    (deterministic seconds) the profile programme's bound over as many mediators as that pays for
    (``_tight_bound``), which also proves the pool's best panel the best when it reaches no higher. With
    ``narrow``, the programme first runs over every mediator the search would hold when ``FILTER_SHARE`` of the
    search's share pays for it (``_narrow``): it often proves the pool's best without a search, and otherwise
    leaves the search (the rest of the share) only the mediators on some panel better than the pool's. The search
    looks for panels better than the pool's best alone, and keeps CP-SAT's own bound when it stops first
    (``_search_better``).
    """
    inst, roster, local_price, cheap, bounds = _priced_bounds(state, dispute_id, price, party_price)
    in_pool = np.flatnonzero(np.isin(roster, pool))
    outside = np.ones(inst.n, dtype=bool)
    outside[in_pool] = False
    charge = ENCODE_WORK * inst.n
    if not outside.any() or int(bounds[outside].max()) <= pool_best:
        return Priced(position, pool_best, (), 0, overhead=charge)
    loose = int(bounds[outside].max())
    found = _tight_bound(inst, local_price, bounds, outside, pool_best, tight) if tight > 0 else None
    if found is not None:
        reach, work = found
        charge += work
        if reach <= pool_best:
            return Priced(position, pool_best, (), 0, overhead=charge)
        loose = min(loose, reach)
    if config.time_limit < MIN_SOLVE_TIME:
        return Priced(position, loose, (), 0, proven=False, overhead=charge)
    # Only a mediator whose upper bound passes ``pool_best`` sits on a panel worth more (the search's only aim).
    idx = reduce(cheap, 1, np.flatnonzero(bounds > pool_best).tolist())
    narrowed = _narrow(inst, local_price, idx, outside, pool_best, FILTER_SHARE * config.time_limit) if narrow else None
    before = 0.0  # the programme's work before the search, out of this solve's share
    if narrowed is not None:
        idx, reach, before = narrowed
        charge += before
        if reach <= pool_best:
            return Priced(position, pool_best, (), 0, overhead=charge)
        loose = min(loose, reach)
        config = share_time(config, config.time_limit - before)
    if len(idx) < inst.k:
        return Priced(position, pool_best, (), 0, overhead=charge)
    charge += BUILD_WORK * len(idx)
    status, sol, loose, work = _search_better(cheap, idx, pool_best, loose, config)
    if status == Status.INFEASIBLE:  # no panel of ``idx`` beats the pool's best
        return Priced(position, pool_best, (), 0, work=work, overhead=charge)
    if sol is None:
        return Priced(position, loose, (), 0, work=work, proven=False, overhead=charge, before=before)
    members = sorted(sol.members)
    chair = best_chair(inst, members)
    value = inst.evaluate(members, chair if chair is not None else sol.chair).objective_int
    result = Priced(
        position,
        loose,
        tuple(int(roster[i]) for i in members),
        value,
        work=work,
        proven=status == Status.OPTIMAL,
        overhead=charge,
        before=before,
    )
    grown = np.union1d(in_pool, members)
    if len(grown) > len(in_pool) and combination_count(len(grown), inst.k) > limit:
        # No room to grow: the new panel's members take the places of the pool's worst at these prices
        # (the pool's panels already in the joint model stay there).
        chosen = set(members)
        others = [i for i in in_pool[np.argsort(-bounds[in_pool], kind="stable")].tolist() if i not in chosen]
        size = max(pool_size(inst.k, limit), len(in_pool))  # as large as the pool was
        grown = np.union1d(members, others[: max(0, size - len(members))]).astype(np.int64)
    if not np.array_equal(grown, in_pool):
        result.pool = roster[grown]
        result.panels = _pool_panels(grown, enumerate_panels(inst, grown), inst.k)
    return result


def _search_better(
    cheap: PanelInstance, idx: list[int], pool_best: int, loose: int, config: SolveConfig
) -> tuple[Status, PanelSolution | None, int, float]:
    """CP-SAT over the mediators ``idx`` of the priced instance for a panel worth more than ``pool_best`` (only such
    a panel moves the dispute's bound, and the search prunes by it from the start), given ``loose``, a proven bound
    at least ``pool_best``: the status (infeasible: there is no such panel), the best such panel found, the bound
    kept (the lower of ``loose`` and CP-SAT's own, which holds also when it stopped before finding a panel, but
    never below ``pool_best``) and the deterministic seconds spent."""
    model = PanelModel(cheap, idx, Locks())
    model.model.add(model.vars.weighted(cheap) >= pool_best + 1)
    status, sol, _, _ = model.solve(config)
    bound = loose if model.best_bound is None else min(loose, max(pool_best, model.best_bound))
    return status, sol, bound, model.deterministic_time


def tight_scale(k: int, parties: int) -> float:
    """The profile programme's work per mediator for panels of ``k`` and that many parties, in ``TIGHT_WORK``s:
    its states grow with the panel size (member counts, women and men, the lean's span) and it runs once per
    pair of parties."""
    return max(1.0, k * (k // 2 + 1) ** 2 * (k - 1) ** 2 / 48) * max(1, parties * (parties - 1) // 2)


def _tight_bound(
    inst: PanelInstance, local_price: np.ndarray, bounds: np.ndarray, outside: np.ndarray, floor: int, allowance: float
) -> tuple[int, float] | None:
    """A proven bound on the dispute's best priced panel (objective less the members' ``local_price``), given
    each mediator's upper bound on a priced panel holding them (``bounds``), the mediators ``outside`` the pool
    and ``floor``, the pool's best priced worth; and the work charged (``TIGHT_WORK``). ``None`` when the
    ``allowance`` (deterministic seconds) pays for fewer than ``TIGHT_MIN`` mediators.

    Take a threshold T at least ``floor`` that at most ``cap`` mediators' bounds pass (the set S: ``cap`` as many
    as the allowance pays for, at most ``TIGHT_CAP``). A panel worth
    more than T has every member in S (a member's bound is at least the panel's worth) and a member outside the
    pool (no panel of the pool passes ``floor``); ``panel_bounds`` over S, the prices as negative extra values,
    bounds every panel of S holding that member. So max(T, its largest value outside the pool) bounds every panel.
    """
    per = TIGHT_WORK * tight_scale(inst.k, len(inst.parties))
    cap = int(min(TIGHT_CAP, allowance / per))
    if cap < TIGHT_MIN:
        return None
    threshold = floor
    if int((bounds > threshold).sum()) > cap:
        threshold = max(floor, int(np.partition(bounds, len(bounds) - cap - 1)[len(bounds) - cap - 1]))
    members = np.flatnonzero(bounds > threshold)
    away = outside[members]
    if not away.any():
        return threshold, 0.0
    reach = panel_bounds(inst, members.tolist(), extra=-local_price[members])
    return max(threshold, int(reach[away].max())), per * len(members)


def _narrow(
    inst: PanelInstance, local_price: np.ndarray, idx: list[int], outside: np.ndarray, floor: int, allowance: float
) -> tuple[list[int], int, float] | None:
    """The mediators of ``idx`` (indices into ``inst``) that can sit on a priced panel worth more than ``floor``,
    a proven bound on such panels, and the work charged; ``None`` when the ``allowance`` (deterministic seconds)
    does not pay for the profile programme over every mediator of ``idx``.

    ``idx`` must hold a best priced panel of the dispute whenever one is worth more than ``floor`` (the mediators
    whose upper bound reaches it, thinned by dominance: ``reduce``), and every panel worth more than ``floor``
    holds a mediator ``outside`` the pool. ``panel_bounds`` over ``idx``, the prices as negative extra values,
    bounds each mediator's best priced panel within ``idx``: a mediator whose bound stays at most ``floor`` is on
    no panel of ``idx`` worth more, and the largest bound of a mediator outside the pool bounds every such panel.
    While the kept mediators are fewer, the programme runs again over them (its bounds only tighten), as long as
    the allowance pays for it.
    """
    per = TIGHT_WORK * tight_scale(inst.k, len(inst.parties))
    if len(idx) < TIGHT_MIN or per * len(idx) > allowance:
        return None
    kept = np.asarray(idx, dtype=np.int64)
    work, reach = 0.0, floor
    while len(kept) and work + per * len(kept) <= allowance:
        work += per * len(kept)
        bound = panel_bounds(inst, kept.tolist(), extra=-local_price[kept])
        away = outside[kept]
        reach = int(bound[away].max()) if away.any() else floor
        size, kept = len(kept), kept[bound > floor]
        if reach <= floor or len(kept) == size or not outside[kept].any():
            break
    if not len(kept) or not outside[kept].any():
        reach = floor
    return kept.tolist(), max(floor, reach), work


def _pool_panels(pool: np.ndarray, panels: Panels, k: int) -> Panels:
    """``panels`` (members: indices into the instance, all in ``pool``) with members as positions in ``pool``."""
    if not len(panels):
        return panels
    order = np.argsort(pool, kind="stable")
    at = np.minimum(np.searchsorted(pool[order], panels.members), len(pool) - 1)
    members = order[at].astype(np.int32).reshape(len(panels), k)
    if not np.array_equal(pool[members], panels.members.reshape(len(panels), k)):
        raise InternalError("a panel holds a mediator outside its pool")
    return Panels(members, panels.chair, panels.value)


def _priced_bounds(
    state: WorkerState,
    dispute_id: str,
    price: np.ndarray,
    party_price: Mapping[str, tuple[np.ndarray, np.ndarray]],
) -> tuple[PanelInstance, np.ndarray, np.ndarray, PanelInstance, np.ndarray]:
    """One dispute at the joint model's prices: its instance, roster indices, each mediator's price (whole
    units), the priced instance and each mediator's upper bound on a priced panel holding them."""
    view = state.views[dispute_id]
    inst = state.arrays.encode(view, with_excluded=False)
    roster = state.arrays.global_index(inst)
    local_price = np.rint(member_price(roster, price, party_price, view.dispute.parties)).astype(np.int64)
    cheap = priced(inst, local_price)
    return inst, roster, local_price, cheap, upper_bounds(cheap, np.arange(cheap.n))


@dataclass
class Repriced:
    """A dispute's pool rebuilt at the joint model's prices, and a proven bound on its best priced panel."""

    position: int
    bound: int  # no panel of the dispute is worth more than this after its price (whole-unit prices)
    pool: np.ndarray  # roster indices, sorted
    panels: Panels  # every feasible panel of the pool (members index the pool)
    overhead: float  # deterministic seconds charged by size (``ENCODE_WORK``, ``PANEL_WORK``)


def _reprice(
    state: WorkerState,
    position: int,
    dispute_id: str,
    price: np.ndarray,
    party_price: Mapping[str, tuple[np.ndarray, np.ndarray]],
    keep: np.ndarray,
    limit: int,
) -> Repriced:
    """The pool of the mediators with the best upper bounds at these prices (over every eligible mediator,
    no solver), holding ``keep`` (roster indices: the old pool's best priced panel, so the new pool is never
    worth less), every panel of it, and the bound that follows: a panel either lies in the pool (enumerated)
    or holds a mediator outside it (worth at most that mediator's bound)."""
    inst, roster, local_price, cheap, bounds = _priced_bounds(state, dispute_id, price, party_price)
    pool = choose_pool(cheap, bounds, pool_size(inst.k, limit), np.flatnonzero(np.isin(roster, keep)).tolist())
    panels = enumerate_panels(inst, pool)
    outside = np.ones(inst.n, dtype=bool)
    outside[pool] = False
    reach = [int(bounds[outside].max())] if outside.any() else []
    if len(panels):
        reach.append(int((panels.value - members_total(local_price, panels.members)).max()))
    if not reach:
        raise InternalError(f"dispute {dispute_id} has no eligible mediator left to price")
    overhead = ENCODE_WORK * inst.n + PANEL_WORK * len(panels)
    return Repriced(position, max(reach), roster[pool], _pool_panels(pool, panels, inst.k), overhead)


def reprice_chunk(
    items: list[tuple[int, str, np.ndarray]],
    price: np.ndarray,
    party_price: Mapping[str, tuple[np.ndarray, np.ndarray]],
    limit: int,
    state: WorkerState,
) -> list[Repriced]:
    """Each dispute's pool rebuilt at the prices, keeping the given mediators, with its bound (see ``_reprice``)."""
    return [_reprice(state, p, did, price, party_price, keep, limit) for p, did, keep in items]


def member_price(
    roster: np.ndarray,
    price: np.ndarray,
    party_price: Mapping[str, tuple[np.ndarray, np.ndarray]],
    parties: Iterable[str],
) -> np.ndarray:
    """Each mediator's price for this dispute: the roster price plus the same-party prices of its parties."""
    local = price[roster].astype(np.float64)
    for party in parties:
        if party not in party_price:
            continue
        who, value = party_price[party]
        pos = np.searchsorted(roster, who)
        ok = pos < len(roster)
        ok[ok] &= roster[pos[ok]] == who[ok]
        np.add.at(local, pos[ok], value[ok])
    return np.asarray(local)


def alone_chunk(items: list[tuple[int, str]], limit: int, config: SolveConfig, state: WorkerState) -> list[Candidates]:
    return [_alone(state, p, did, limit, config) for p, did in items]


@dataclass
class Repooled:
    """A left-out dispute's panels among the mediators who still have a seat: members as roster
    indices (one row per panel) and their objectives."""

    position: int
    members: np.ndarray
    value: np.ndarray


def _repool(state: WorkerState, position: int, dispute_id: str, limit: int, full: np.ndarray) -> Repooled:
    inst = state.arrays.encode(state.views[dispute_id], with_excluded=False)
    roster = state.arrays.global_index(inst)
    keep = np.flatnonzero(~full[roster])
    if len(keep) < inst.k:
        return Repooled(position, np.zeros((0, inst.k), dtype=np.int64), np.zeros(0, dtype=np.int64))
    sub = restrict(inst, keep)
    bounds = upper_bounds(sub, np.arange(sub.n))
    panels = enumerate_panels(sub, choose_pool(sub, bounds, pool_size(sub.k, limit)))
    return Repooled(position, roster[keep][panels.members], panels.value)


def repool_chunk(items: list[tuple[int, str]], limit: int, full: np.ndarray, state: WorkerState) -> list[Repooled]:
    """Each dispute's best pool and panels once the mediators marked ``full`` are left out (no solver)."""
    return [_repool(state, p, did, limit, full) for p, did in items]


def exact_chunk(
    items: list[tuple[int, str, np.ndarray, int]],
    price: np.ndarray,
    party_price: Mapping[str, tuple[np.ndarray, np.ndarray]],
    limit: int,
    config: SolveConfig,
    tight: float = 0.0,
    narrow: bool = False,
    shares: Mapping[int, float] | None = None,
    *,
    state: WorkerState,
) -> list[Priced]:
    """Each dispute priced (see ``_exact``; ``tight``: the profile programme's work allowed per dispute, 0 for none;
    ``narrow``: the programme first narrows each search, when ``FILTER_SHARE`` of its share pays for it; ``shares``:
    each dispute's own time limit by position, at most ``config``'s)."""
    return [
        _exact(
            state,
            p,
            did,
            price,
            party_price,
            pool,
            best,
            limit,
            config if shares is None else share_time(config, shares[p]),
            tight,
            narrow,
        )
        for p, did, pool, best in items
    ]


class Runner:
    """Runs per-dispute work here, on a process pool of its own, or on a given executor (each worker process:
    one CP-SAT worker, plain data in and out).

    ``processes`` is how many disputes are solved at the same time; it sets the budget shares (see ``width``),
    so the same ``processes`` gives the same results here, on the pool and on an executor. ``executor`` (for
    example a Dask cluster's) replaces the pool when given and is never shut down here.
    """

    def __init__(
        self, ws: Workspace, rule_set: RuleSet, state: WorkerState, processes: int, executor: Executor | None = None
    ) -> None:
        self.ws, self.rule_set, self.state, self.processes = ws, rule_set, state, processes
        self.token = uuid.uuid4().hex  # names this run's state in the workers
        self._given = executor
        self._pool: Executor | None = None
        self._inputs: bytes | None = None
        self.inputs_sent = 0  # chunks sent with the run's inputs attached

    def _executor(self) -> Executor:
        if self._given is not None:
            return self._given
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.processes,
                mp_context=get_context("spawn"),
                initializer=_init_worker,
                initargs=(self.token, self.ws.data, self.ws.countries, self.rule_set),
            )
        return self._pool

    def _inputs_for(self, missing: bool) -> bytes | None:
        """The pickled inputs to attach to a chunk: on a given executor, for the first wave (one chunk per
        process) and for a chunk a worker sent back as ``Missing``; never on the own pool (its initializer
        built the state)."""
        if self._given is None or (not missing and self.inputs_sent >= self.processes):
            return None
        if self._inputs is None:
            self._inputs = pickle.dumps((self.ws.data, self.ws.countries, self.rule_set), pickle.HIGHEST_PROTOCOL)
        self.inputs_sent += 1
        return self._inputs

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def width(self, n_items: int) -> int:
        """How many processes ``map`` spreads ``n_items`` over."""
        return self.processes if n_items >= PARALLEL_MIN_DISPUTES and self.processes > 1 else 1

    def map(
        self, chunk_fn: Callable[..., list[Any]], items: list[Any], args: tuple[Any, ...], advance: Advance
    ) -> list[Any]:
        """``chunk_fn`` over ``items`` (in chunks), the results in the items' order; ``advance`` once per item.

        At most ``IN_FLIGHT`` chunks per process are out at a time; while waiting, ``advance(0)`` is called
        every ``STOP_CHECK_SECONDS`` so that a stop request (which ``advance`` raises) is seen mid-chunk, and
        every chunk still out is then cancelled."""
        if self.width(len(items)) == 1:  # here: the state is passed along (thread-safe, no global)
            out: list[Any] = []
            for item in items:
                out.extend(chunk_fn([item], *args, state=self.state))
                advance()
            return out
        executor = self._executor()
        size = max(1, min(50, len(items) // (self.processes * 6) or 1))
        chunks = [items[i : i + size] for i in range(0, len(items), size)]
        parts: list[list[Any]] = [[] for _ in chunks]
        running: dict[Future[list[Any] | Missing], int] = {}

        def submit(n: int, missing: bool = False) -> None:
            inputs = self._inputs_for(missing)
            running[executor.submit(run_chunk, chunk_fn, self.token, inputs, chunks[n], *args)] = n

        waiting = iter(range(len(chunks)))
        try:
            for n in waiting:
                submit(n)
                if len(running) >= IN_FLIGHT * self.processes:
                    break
            while running:
                done, _ = wait(running, timeout=STOP_CHECK_SECONDS, return_when=FIRST_COMPLETED)
                if not done:
                    advance(0)
                for future in done:
                    n = running.pop(future)
                    part = future.result()
                    if isinstance(part, Missing):
                        submit(n, missing=True)
                        continue
                    parts[n] = part
                    following = next(waiting, None)
                    if following is not None:
                        submit(following)
                    advance(len(part))
        finally:
            for future in running:
                future.cancel()
        return [x for part in parts for x in part]


def share_time(config: SolveConfig, work: float) -> SolveConfig:
    """``config`` with at most ``work`` deterministic seconds per solve."""
    return replace(config, time_limit=max(0.0, min(config.time_limit, work)))
