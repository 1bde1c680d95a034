"""Scenario sweeps: many independent batch runs (seeds, caseload draws, roster or rule variants).

A sweep reads a scenarios file (TOML), expands it into runs, sends each run as plain data (file
paths and settings, never a solver model) to a ``concurrent.futures.Executor`` (a process pool on
this machine, or a Dask cluster through ``distributed.Client(address).get_executor()``), and
collects one row per run into a table.

Scenarios file (TOML)::

    # Paths are relative to this file; without mediators/disputes the bundled demo data is used.
    [defaults]
    mediators = "data/mediators.csv"
    disputes = "data/disputes.csv"
    conflicts = "data/conflicts.csv"        # optional, like preferences and appointments
    rules = "iomed"                          # a rule set name or the path of a TOML file
    time_limit = 20                          # seconds for each run's joint phase
    max_per_mediator = 2

    [[scenario]]
    name = "baseline"

    [[scenario]]
    name = "busier roster"
    seeds = [1, 2, 3]                        # one run per seed (or: seed = 1); default [0]
    caseload = 0.5                           # redraw active cases ~ Binomial(max_cases, 0.5)
    drop_mediators = 0.1                     # a random 10 % of the roster is unavailable
    unavailable = ["M0001"]                  # and these mediators too
    disputes_sample = 120                    # draw 120 disputes (repeats get ids like D001#2)
    min_women_share = 0.4                    # any quota of the batch command
    fair = true
    weights = { neutrality = 1.5 }           # weight overrides
    max_lean = 1                             # the lean cap H8 (replaces the rule set's)

Every key may sit in ``[defaults]`` or in a scenario (the scenario wins). The seed drives the
solver and every random draw of the run, so a row can be reproduced on its own.

Columns of the results table: scenario, seed, disputes, staffed, staffing_rate, infeasible,
unstaffed, objective, bound, gap, relative_gap, worst_objective, worst_fit (the lowest expertise
score of a staffed panel), mean_fit, quota_slack (the smallest slack over the quotas set, in
their own units), a ``slack_<quota>`` column per quota, top15_seat_share (the share of seats held
by the 15 most appointed mediators), max_seats (the most seats one mediator holds), method,
seconds and error (empty unless the run failed).
"""

from __future__ import annotations

import tomllib
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import Executor, Future, as_completed
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from matching.batch.quotas import Quotas
from matching.batch.run import solve_batch
from matching.batch.settings import BatchConfig
from matching.core.config import SOLVER_SEED_MAX
from matching.core.domain import Dataset, Dispute, Mediator
from matching.core.errors import MatchingError
from matching.core.paths import demo_dir
from matching.core.progress import Advance, CancelToken, ProgressFactory, silent_progress, stop_asked
from matching.core.status import Status
from matching.io.csv_out import write_csv
from matching.io.loading import find_input, load_dataset
from matching.io.rulesets import MAX_LEAN, load_rule_set, weight_problems
from matching.rules.workspace import Workspace

PATH_KEYS = ("mediators", "disputes", "conflicts", "preferences", "appointments")
QUOTA_KEYS = ("max_per_mediator", "max_state_share", "max_group_share", "min_women_share", "max_same_party")
SETTING_KEYS = (
    "name",
    "seed",
    "seeds",
    "rules",
    "weights",
    "max_lean",
    "time_limit",
    "fair",
    "caseload",
    "drop_mediators",
    "unavailable",
    "disputes_sample",
    *QUOTA_KEYS,
)
COLUMNS = (
    "scenario",
    "seed",
    "disputes",
    "staffed",
    "staffing_rate",
    Status.INFEASIBLE,
    "unstaffed",
    "objective",
    "bound",
    "gap",
    "relative_gap",
    "worst_objective",
    "worst_fit",
    "mean_fit",
    "quota_slack",
    *(f"slack_{q}" for q in QUOTA_KEYS),
    "top15_seat_share",
    "max_seats",
    "method",
    "seconds",
    "error",
)


class ScenarioError(MatchingError):
    """The scenarios file cannot be used; the message lists every problem."""

    code = "bad_scenarios"


@dataclass(frozen=True)
class Run:
    """One run of a sweep, as plain data: input paths and settings (picklable, small)."""

    scenario: str
    seed: int
    paths: dict[str, str | None]
    settings: dict[str, Any] = field(default_factory=dict)

    def config(self, workers: int = 1) -> BatchConfig:
        s = self.settings
        quotas = Quotas(**{k: s[k] for k in QUOTA_KEYS if k in s})
        return BatchConfig(
            quotas=quotas,
            fair=bool(s.get("fair", False)),
            time_limit=float(s.get("time_limit", 20.0)),
            workers=workers,
            seed=self.seed,
        )


def _is_seed(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= SOLVER_SEED_MAX


# Whole-number settings: the smallest and the largest value allowed (None: no largest).
_WHOLE: dict[str, tuple[int, int | None]] = {
    "disputes_sample": (1, None),
    "max_per_mediator": (1, None),
    "max_same_party": (1, None),
    "max_lean": (0, MAX_LEAN),
}


def _whole_in_range(value: Any, low: int, high: int | None) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= low and (high is None or value <= high)


def _check_value(key: str, value: Any, where: str, problems: list[str]) -> None:
    def bad(expected: str) -> None:
        problems.append(f"{where}: {key} should be {expected}, got {value!r}.")

    if key in ("name", "rules") and not isinstance(value, str):
        bad("text")
    elif key == "seed" and not _is_seed(value):
        bad(f"a whole number from 0 to {SOLVER_SEED_MAX}")
    elif key == "seeds" and (not isinstance(value, list) or not value or not all(_is_seed(v) for v in value)):
        bad(f"a non-empty list of whole numbers from 0 to {SOLVER_SEED_MAX}")
    elif key == "weights" and not isinstance(value, dict):
        bad("a table of numbers, e.g. { neutrality = 1.5 }")
    elif key == "weights":
        problems += [
            f"{where}: weight {p.column} {p.message} (got {p.value})" for p in weight_problems(value, "weights")
        ]
    elif key == "fair" and not isinstance(value, bool):
        bad("true or false")
    elif key in ("time_limit",) and (not isinstance(value, (int, float)) or value <= 0):
        bad("a positive number")
    elif key in ("caseload", "drop_mediators", "max_state_share", "max_group_share", "min_women_share") and (
        not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value <= 1
    ):
        bad("a share between 0 and 1")
    elif key in _WHOLE and not _whole_in_range(value, *_WHOLE[key]):
        low, high = _WHOLE[key]
        bad(f"a whole number from {low} to {high}" if high is not None else f"a whole number of {low} or more")
    elif key == "unavailable" and (not isinstance(value, list) or not all(isinstance(v, str) for v in value)):
        bad("a list of mediator ids")


def read_scenarios(path: Path) -> list[Run]:
    """Parse and check a scenarios file; raise ``ScenarioError`` listing every problem."""
    data = _read_toml(path)
    problems: list[str] = []
    defaults, scenarios = _sections(data, path.name, problems)
    for n, raw in enumerate([defaults, *scenarios]):
        _check_table(raw, "[defaults]" if n == 0 else f"scenario {n}", problems)
    names: Counter[str] = Counter()
    runs: list[Run] = []
    for n, raw in enumerate(scenarios, start=1):
        if isinstance(raw, dict):
            runs += _scenario_runs(n, {**defaults, **raw}, "name" in raw, path.parent, names, problems)
    problems += [f"scenario name {name!r} is used {count} times." for name, count in names.items() if count > 1]
    if problems:
        raise ScenarioError(f"{len(problems)} problem(s) in {path}:\n" + "\n".join(f"  - {p}" for p in problems))
    return runs


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ScenarioError(f"scenarios file not found: {path}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: not valid TOML ({exc})") from None


def _sections(data: dict[str, Any], name: str, problems: list[str]) -> tuple[dict[str, Any], list[Any]]:
    """The ``[defaults]`` table and the ``[[scenario]]`` list, each checked for its shape."""
    unknown_top = set(data) - {"defaults", "scenario"}
    if unknown_top:
        problems.append(
            f"{name}: unknown section(s) {', '.join(sorted(unknown_top))} (use [defaults] and [[scenario]])."
        )
    defaults = data.get("defaults", {})
    scenarios = data.get("scenario", [])
    if not isinstance(defaults, dict):
        problems.append(f"{name}: [defaults] must be a table.")
        defaults = {}
    if not isinstance(scenarios, list) or not scenarios:
        problems.append(f"{name}: no [[scenario]] given; add at least one.")
        scenarios = []
    return defaults, scenarios


def _check_table(raw: Any, where: str, problems: list[str]) -> None:
    """Every key of one table known and of the right type."""
    if not isinstance(raw, dict):
        problems.append(f"{where}: must be a table.")
        return
    allowed = set(SETTING_KEYS) | set(PATH_KEYS)
    for key, value in raw.items():
        if key not in allowed:
            problems.append(f"{where}: unknown key {key!r}.")
        elif key in PATH_KEYS and not isinstance(value, str):
            problems.append(f"{where}: {key} should be a file path.")
        else:
            _check_value(key, value, where, problems)


def _scenario_runs(
    n: int, merged: dict[str, Any], named: bool, base: Path, names: Counter[str], problems: list[str]
) -> list[Run]:
    """The runs of scenario ``n`` (its settings merged over the defaults), one per seed."""
    name = merged.get("name") if named else None
    if not isinstance(name, str) or not name.strip():
        problems.append(f"scenario {n}: needs a name.")
        return []
    names[name] += 1
    paths = {k: str((base / merged[k]).resolve()) if isinstance(merged.get(k), str) else None for k in PATH_KEYS}
    if (paths["mediators"] is None) != (paths["disputes"] is None):
        problems.append(f"scenario {name!r}: mediators and disputes go together; give both or neither.")
    problems += [
        f"scenario {name!r}: {key} file not found: {value}"
        for key, value in paths.items()
        if value is not None and not Path(value).exists()
    ]
    if "rules" in merged:
        try:
            rules = merged["rules"]
            load_rule_set(rules if Path(rules).suffix == "" else str((base / rules).resolve()))
        except MatchingError as exc:
            problems.append(f"scenario {name!r}: {exc}")
    quotas = Quotas(**{k: merged[k] for k in QUOTA_KEYS if k in merged})
    problems += [f"scenario {name!r}: {p}" for p in quotas.problems()]
    seeds = merged.get("seeds") or [merged.get("seed", 0)]
    settings = {k: v for k, v in merged.items() if k in SETTING_KEYS and k not in ("name", "seed", "seeds")}
    if isinstance(settings.get("rules"), str) and Path(settings["rules"]).suffix:
        settings["rules"] = str((base / settings["rules"]).resolve())
    return [Run(name, int(seed), paths, settings) for seed in seeds]


# --- one run (executes in a worker process) -------------------------------------------------------


@cache
def _load(paths: tuple[tuple[str, str | None], ...]) -> Dataset:
    given = dict(paths)
    if given["mediators"] is None:
        folder = demo_dir()
        return load_dataset(
            mediators=folder / "mediators.csv",
            disputes=folder / "disputes.csv",
            conflicts=_path(given["conflicts"]) or find_input(folder, "conflicts"),
            preferences=_path(given["preferences"]) or find_input(folder, "preferences"),
            appointments=_path(given["appointments"]) or find_input(folder, "appointments"),
        )
    mediators, disputes = _path(given["mediators"]), _path(given["disputes"])
    assert mediators is not None and disputes is not None
    return load_dataset(
        mediators=mediators,
        disputes=disputes,
        conflicts=_path(given["conflicts"]),
        preferences=_path(given["preferences"]),
        appointments=_path(given["appointments"]),
    )


def _path(value: str | None) -> Path | None:
    return None if value is None else Path(value)


def variant(data: Dataset, run: Run) -> Dataset:
    """The data set of one run: caseload redrawn, mediators made unavailable, disputes sampled."""
    s = run.settings
    rng = np.random.default_rng(run.seed)
    mediators: list[Mediator] = list(data.mediators)
    if "caseload" in s:
        draws = rng.binomial([m.max_cases for m in mediators], float(s["caseload"]))
        mediators = [replace(m, active_cases=int(a)) for m, a in zip(mediators, draws, strict=True)]
    off = set(s.get("unavailable", []))
    if "drop_mediators" in s:
        count = round(float(s["drop_mediators"]) * len(mediators))
        off |= {mediators[i].mediator_id for i in rng.choice(len(mediators), size=count, replace=False)}
    if off:
        mediators = [replace(m, available=False) if m.mediator_id in off else m for m in mediators]
    disputes: list[Dispute] = list(data.disputes)
    if "disputes_sample" in s:
        size = int(s["disputes_sample"])
        picks = rng.choice(len(disputes), size=size, replace=size > len(disputes))
        seen: Counter[str] = Counter()
        sampled = []
        for i in sorted(picks.tolist()):
            d = disputes[i]
            seen[d.dispute_id] += 1
            copy = seen[d.dispute_id]
            sampled.append(d if copy == 1 else replace(d, dispute_id=f"{d.dispute_id}#{copy}"))
        disputes = sampled
        ids = {d.dispute_id for d in disputes}
        origin = {d.dispute_id: d.dispute_id.split("#")[0] for d in disputes}
        extra_conflicts = [
            replace(c, dispute_id=did)
            for did, base in origin.items()
            if did != base
            for c in data.conflicts
            if c.dispute_id == base
        ]
        extra_prefs = [
            replace(p, dispute_id=did)
            for did, base in origin.items()
            if did != base
            for p in data.preferences
            if p.dispute_id == base
        ]
        return replace(
            data,
            mediators=tuple(mediators),
            disputes=tuple(disputes),
            conflicts=tuple(c for c in data.conflicts if c.dispute_id in ids) + tuple(extra_conflicts),
            preferences=tuple(p for p in data.preferences if p.dispute_id in ids) + tuple(extra_prefs),
        )
    return replace(data, mediators=tuple(mediators), disputes=tuple(disputes))


def run_scenario(run: Run) -> dict[str, Any]:
    """Run one scenario and return its row of the results table (plain values only)."""
    import time

    started = time.perf_counter()
    row: dict[str, Any] = dict.fromkeys(COLUMNS, "")
    row.update(scenario=run.scenario, seed=run.seed)
    try:
        data = variant(_load(tuple(sorted(run.paths.items()))), run)
        rule_set = load_rule_set(str(run.settings.get("rules", "iomed")))
        weights = run.settings.get("weights")
        if weights:
            rule_set = rule_set.with_weights(**{k: float(v) for k, v in weights.items()})
        rule_set = rule_set.with_max_lean(run.settings.get("max_lean"))
        outcome = solve_batch(Workspace(data), rule_set, run.config(workers=1))
    except Exception as exc:  # a failed run is a row with its error, so the sweep goes on
        row.update(error=f"{type(exc).__name__}: {exc}", seconds=round(time.perf_counter() - started, 3))
        return row
    s = outcome.summary
    fits = [r.panels[0].scores["expertise"] for r in outcome.results if r.panels]
    slacks = {q.name: q.slack for q in s.quotas}
    per_mediator = Counter(seat.mediator_id for seat in outcome.seats)
    row.update(
        disputes=s.disputes,
        staffed=s.staffed,
        staffing_rate=round(s.staffed / s.disputes, 6) if s.disputes else 0.0,
        infeasible=len(s.infeasible_alone),
        unstaffed=len(s.unstaffed),
        objective=round(s.objective, 6),
        bound=round(s.bound, 6),
        gap=round(s.gap, 6),
        relative_gap=round(s.relative_gap, 8),
        worst_objective="" if s.worst_objective is None else round(s.worst_objective, 6),
        worst_fit=round(min(fits), 6) if fits else "",
        mean_fit=round(float(np.mean(fits)), 6) if fits else "",
        quota_slack=round(min(slacks.values()), 6) if slacks else "",
        top15_seat_share=round(s.concentration_top15, 6),
        max_seats=max(per_mediator.values(), default=0),
        method=s.method.split(" (")[0].split(",")[0],
        seconds=round(time.perf_counter() - started, 3),
    )
    for name, slack in slacks.items():
        row[f"slack_{name}"] = round(slack, 6)
    return row


# --- the sweep -------------------------------------------------------------------------------------


def run_sweep(
    runs: Sequence[Run], executor: Executor, progress: ProgressFactory | None = None, cancel: CancelToken | None = None
) -> list[dict[str, Any]]:
    """Submit every run to ``executor`` and collect the rows, in the order of the scenarios file.

    Each scenario is a batch within its own deterministic budget. When ``cancel`` asks to stop, the
    scenarios not started yet are withdrawn, those running are waited for, and the rows of the
    finished ones are returned (fewer rows than scenarios)."""
    with (progress or silent_progress)(len(runs), "Scenarios") as advance:
        return _collect(runs, executor, advance, cancel)


def _collect(
    runs: Sequence[Run], executor: Executor, advance: Advance, cancel: CancelToken | None = None
) -> list[dict[str, Any]]:
    futures: dict[Future[dict[str, Any]], int] = {executor.submit(run_scenario, run): n for n, run in enumerate(runs)}
    rows: list[dict[str, Any] | None] = [None] * len(runs)
    for future in as_completed(futures):
        if stop_asked(cancel):
            for pending in futures:
                pending.cancel()  # only those not started; a cancelled one is skipped below
        if future.cancelled():
            continue
        n = futures[future]
        try:
            rows[n] = future.result()
        except Exception as exc:  # the worker itself failed (lost process, cluster error)
            row: dict[str, Any] = dict.fromkeys(COLUMNS, "")
            row.update(scenario=runs[n].scenario, seed=runs[n].seed, error=f"{type(exc).__name__}: {exc}")
            rows[n] = row
        advance()
    return [r for r in rows if r is not None]


def write_rows(rows: Iterable[dict[str, Any]], path: Path) -> None:
    """The results table as CSV, through the project's one CSV writer, written atomically."""
    write_csv(path, COLUMNS, ([row.get(k, "") for k in COLUMNS] for row in rows))
