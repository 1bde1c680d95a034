"""The registrar page's working state, kept in ``st.session_state`` so that locking a name,
recording a decision or visiting another page never loses the panels on screen.

One ``Run`` per dispute: the settings last submitted, the locks, the result and the answers to
"why not". Lock changes mark the run stale; the page solves again before it draws.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import streamlit as st

from matching.api import (
    DEFAULT_RULE_SET,
    DecisionStore,
    DisputeResult,
    Locks,
    NationalityRule,
    RuleSet,
    SolveConfig,
    Workspace,
    load_rule_set,
)
from ui.common import RUNS_KEY, attempt, recorded_load

FLASH_KEY = "flash"


@dataclass(frozen=True)
class Settings:
    """What the settings form submits: the rule set, its overrides and how many panels to show."""

    rule_set: str = DEFAULT_RULE_SET
    nationality_rule: str | None = None  # None: the rule set's own
    weights: dict[str, float] = field(default_factory=dict)
    candidates: int = 5
    max_lean: int | None = None  # None: the rule set's own lean cap (H8)

    def build(self) -> RuleSet:
        """The rule set to solve with (raises a library error for a bad rule set, weight or cap)."""
        rules = load_rule_set(self.rule_set)
        if self.nationality_rule:
            rules = replace(rules, nationality_rule=NationalityRule(self.nationality_rule))
        return rules.with_weights(**self.weights).with_max_lean(self.max_lean)


@dataclass
class Run:
    """The registrar's work on one dispute."""

    dispute_id: str
    settings: Settings
    locks: Locks = field(default_factory=Locks)
    result: DisputeResult | None = None
    rule_set: RuleSet | None = None
    stale: bool = True
    lock_version: int = 0  # bumped on every lock change, so the lock form shows the new locks
    why_not: list[tuple[str, list[str]]] = field(default_factory=list)
    want_frontier: bool = False
    frontier: Any = None
    sensitivity: Any = None  # the weight ranges, once worked out (a list of WeightRange)
    lean_prices: Any = None  # the price of each lean cap, once worked out (LeanPrices)
    notice: str | None = None
    drawn_locks: Locks | None = None  # the locks "show the drawn panel" set on the lottery tab, while in force


def runs() -> dict[str, Run]:
    if RUNS_KEY not in st.session_state:
        st.session_state[RUNS_KEY] = {}
    value: dict[str, Run] = st.session_state[RUNS_KEY]
    return value


def flash(message: str) -> None:
    """A message to show at the top of the page after the next rerun."""
    st.session_state[FLASH_KEY] = message


def take_flash() -> str | None:
    value = st.session_state.pop(FLASH_KEY, None)
    return None if value is None else str(value)


def mark_others_stale(dispute_id: str) -> None:
    """After a recording, panels shown for other disputes must be found again (capacity changed)."""
    for other in runs().values():
        if other.dispute_id != dispute_id:
            other.stale = True


# --- locks (button callbacks) -------------------------------------------------------------------


def _set_locks(run: Run, locks: Locks) -> None:
    run.locks = locks
    run.lock_version += 1
    run.stale = True
    run.why_not = []  # each answer was worked out under the old locks
    run.drawn_locks = None


def keep_on(run: Run, mediator_id: str) -> None:
    locks = run.locks
    _set_locks(run, replace(locks, include=locks.include | {mediator_id}, exclude=locks.exclude - {mediator_id}))


def keep_off(run: Run, mediator_id: str) -> None:
    locks = run.locks
    _set_locks(
        run,
        Locks(
            include=locks.include - {mediator_id},
            exclude=locks.exclude | {mediator_id},
            chair=None if locks.chair == mediator_id else locks.chair,
        ),
    )


def make_chair(run: Run, mediator_id: str) -> None:
    locks = run.locks
    _set_locks(
        run, Locks(include=locks.include | {mediator_id}, exclude=locks.exclude - {mediator_id}, chair=mediator_id)
    )


def release(run: Run, mediator_id: str) -> None:
    locks = run.locks
    _set_locks(
        run,
        Locks(
            include=locks.include - {mediator_id},
            exclude=locks.exclude - {mediator_id},
            chair=None if locks.chair == mediator_id else locks.chair,
        ),
    )


def set_locks(run: Run, include: list[str], exclude: list[str], chair: str | None) -> None:
    include_set = set(include) | ({chair} if chair else set())
    _set_locks(run, Locks(include=frozenset(include_set), exclude=frozenset(set(exclude) - include_set), chair=chair))


def clear_locks(run: Run) -> None:
    _set_locks(run, Locks())


# --- solving ------------------------------------------------------------------------------------


def solve(run: Run, ws: Workspace, store: DecisionStore | None) -> None:
    """Find the candidate panels for the run's settings and locks, counting recorded decisions."""
    from matching.api import propose  # the solver stack: imported on the first search, not on the first page

    run.stale = False
    run.frontier = None
    run.sensitivity = None
    run.lean_prices = None
    rule_set = attempt("use these settings", run.settings.build)
    if rule_set is None:
        run.result = None
        return
    run.rule_set = rule_set
    load = recorded_load(store)
    run.result = attempt(
        "find panels",
        lambda: propose(
            ws,
            run.dispute_id,
            rule_set,
            SolveConfig(candidates=run.settings.candidates),
            run.locks,
            extra_load=load,
        ),
    )
