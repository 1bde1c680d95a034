"""Simulated years: each year's forecast disputes staffed by one batch against the roster, each year's
appointments carried into the next year's workload and history, and the figures of every year.

A chain of years runs in order: year ``y`` sees the roster with each mediator's active cases set to
the seats they got in the last ``case_years`` simulated years (the active cases on file count as the
cases of year 0) and at most ``yearly_pace`` new seats a year (their capacity shared evenly over the
years a seat stays open), the appointment history on file plus every simulated seat so far (as seats filled
by the organisation, ``party`` empty, dated in their simulated year), and the disputes
``forecast(scenario, y, seed)`` draws. One batch (``matching.batch.run.solve_batch``) staffs them
with the quotas, within the planning budget (``PlanningBudget``: deterministic limits, one process,
so a year gives the same panels wherever it runs). The year's ``YearFigures`` say how it went.

Each year is one job for a ``concurrent.futures.Executor`` (a process pool, or a Dask cluster through
``distributed.Client(...).get_executor()``): ``run_year`` takes a ``YearJob`` of plain data (domain
records, rule set, settings; never a solver model) and returns a ``YearResult``. ``simulate_pair``
runs several chains (the roster as it is, and with recruits) side by side: each chain's next year is
submitted as soon as its previous year is back. docs/planning.md ("How a year is simulated") says
the same in plain words.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from matching.batch.quotas import OPTION, Quotas, describe
from matching.batch.run import BatchOutcome, solve_batch
from matching.batch.settings import BatchConfig
from matching.core.defaults import DEFAULT_FUNDER, DEFAULT_HOST
from matching.core.domain import Appointment, Dataset, Dispute, Mediator
from matching.core.errors import Cancelled, UnknownIdError
from matching.core.progress import Advance, CancelToken, ProgressFactory, silent_progress, stop_asked
from matching.io.countries import CountryTable, default_countries
from matching.io.results import DisputeResult
from matching.io.rulesets import RuleSet
from matching.plan.forecast import Scenario, forecast
from matching.plan.model import Simulation, Unstaffed, YearFigures
from matching.reports.neutrality import TOP_N, blocs_of, roster_report
from matching.rules.checker import HARD_RULES
from matching.rules.workspace import Workspace

# A simulated year is 366 days: the history's window of N years (``History.build``: 365.25 * N days,
# rounded, back from the latest seat) then holds exactly the N latest simulated years.
SIMULATED_YEAR_DAYS = 366
# An Unstaffed dispute's rules: hard rules (H1-H7) when no panel keeps them even for the dispute alone;
# "capacity" and/or quota names (max_state_share, ...) when it could be staffed alone but not in the
# year's batch; "time_limit" when the search for its own panel ran out of time.
TIME_LIMIT_RULE = "time_limit"
CAPACITY_RULE = "capacity"


@dataclass(frozen=True)
class PlanningBudget:
    """How hard each simulated year's batch searches, in deterministic seconds (as ``BatchConfig``).

    Smaller than a batch run's defaults: a plan runs ten years or more, twice. On year 1 of a
    generated caseload (800 disputes, 1,200 mediators, a 5 % state cap, paced seats;
    benchmarks/bench_plan.py and the issue 16 note) this budget takes about 20 s in one process;
    doubling the joint phase (15 and 5 deterministic seconds) took 33 s for 0.1 % more total
    score and one more dispute staffed."""

    time_limit: float = 8.0  # the joint phase (column generation and assignment)
    gap: float = 0.02  # stop improving the bound within this share of the optimum
    dispute_phase_limit: float | None = 3.0  # every dispute on its own, all together
    dispute_time_limit: float = 10.0  # one dispute's solve, at most

    def config(self, quotas: Quotas, seed: int) -> BatchConfig:
        """The batch settings of one simulated year: one process (each year is already a job)."""
        return BatchConfig(
            quotas=quotas,
            time_limit=self.time_limit,
            workers=1,
            seed=seed,
            dispute_time_limit=self.dispute_time_limit,
            dispute_phase_limit=self.dispute_phase_limit,
            gap=self.gap,
        )


PLANNING_BUDGET = PlanningBudget()


@dataclass(frozen=True)
class SimulationJob:
    """One chain of simulated years, as plain data: the data on file, the rules, the caseload and settings."""

    data: Dataset
    rule_set: RuleSet
    scenario: Scenario
    quotas: Quotas = field(default_factory=Quotas)
    seed: int = 0
    label: str = "before"
    host: tuple[str, ...] = DEFAULT_HOST
    funder: tuple[str, ...] = DEFAULT_FUNDER
    budget: PlanningBudget = PLANNING_BUDGET
    countries: CountryTable | None = None  # None: the bundled reference table


@dataclass(frozen=True)
class YearJob:
    """One simulated year, as a worker receives it."""

    data: Dataset  # the year's roster (active cases carried), history so far, and forecast disputes
    rule_set: RuleSet
    config: BatchConfig
    year: int
    host: tuple[str, ...]
    funder: tuple[str, ...]
    countries: CountryTable | None = None


@dataclass(frozen=True)
class YearResult:
    """What a worker sends back: the year's figures and every seat filled (mediator id, dispute id)."""

    figures: YearFigures
    seats: tuple[tuple[str, str], ...]


# --- building a year ---------------------------------------------------------------------------------


def history_start(data: Dataset) -> date:
    """The day the simulation starts: the latest appointment on file (else 1 January of this year)."""
    return max((a.appointed_on for a in data.appointments), default=date(date.today().year, 1, 1))


def seat_day(start: date, year: int) -> date:
    """The day the seats of simulated ``year`` are dated (one day for the whole year)."""
    return start + timedelta(days=SIMULATED_YEAR_DAYS * year)


def active_cases(
    mediators: Sequence[Mediator], seats: Sequence[Sequence[tuple[str, str]]], year: int, case_years: int
) -> tuple[Mediator, ...]:
    """The roster as year ``year`` sees it: each mediator's active cases are the seats of the last
    ``case_years`` simulated years (``seats[k]`` holds year k + 1's), plus the active cases on file
    while year 0 is among them; and their new seats this year are paced (``yearly_pace``)."""
    counts: Counter[str] = Counter()
    for past in range(max(1, year - case_years), year):
        counts.update(mid for mid, _ in seats[past - 1])
    on_file = year <= case_years
    out = []
    for m in mediators:
        active = (m.active_cases if on_file else 0) + counts[m.mediator_id]
        room = min(max(m.max_cases - active, 0), yearly_pace(m.max_cases, case_years))
        out.append(replace(m, active_cases=active, max_cases=active + room))
    return tuple(out)


def yearly_pace(max_cases: int, case_years: int) -> int:
    """New seats one mediator may take in a simulated year: their capacity shared evenly over the
    ``case_years + 1`` years a seat stays open, rounded up. Without this pacing a batch fills a sought-
    after mediator's whole capacity in one year and leaves them no room the next, so the simulated
    years would swing between feast and famine (and recruits would seem not to help every other year)."""
    return -(-max_cases // (case_years + 1)) if max_cases > 0 else 0


def year_job(job: SimulationJob, year: int, seats: Sequence[Sequence[tuple[str, str]]]) -> YearJob:
    """Year ``year``'s job, given the seats of the years before it (``seats[k]``: year k + 1's)."""
    data = job.data
    start = history_start(data)
    simulated = tuple(
        Appointment(mid, did, None, seat_day(start, past)) for past in range(1, year) for mid, did in seats[past - 1]
    )
    disputes = forecast(job.scenario, year, job.seed, job.countries)
    year_data = Dataset(
        mediators=active_cases(data.mediators, seats, year, job.scenario.case_years),
        disputes=disputes,
        appointments=(*data.appointments, *simulated),
    )
    return YearJob(
        year_data, job.rule_set, job.budget.config(job.quotas, job.seed), year, job.host, job.funder, job.countries
    )


# --- one year (runs in a worker) ----------------------------------------------------------------------


def run_year(job: YearJob, cancel: CancelToken | None = None) -> YearResult:
    """Staff one year's disputes in one batch and measure it (top-level, so it pickles to a worker)."""
    started = time.perf_counter()
    ws = Workspace(job.data, job.countries or default_countries())
    outcome = solve_batch(ws, job.rule_set, job.config, cancel=cancel)
    staffed = [r for r in outcome.results if r.panels]
    seats = tuple((mid, r.dispute_id) for r in staffed for mid in r.panels[0].member_ids)
    figures = _figures(ws, job, outcome, staffed, seats)
    return YearResult(replace(figures, seconds=round(time.perf_counter() - started, 3)), seats)


def _figures(
    ws: Workspace, job: YearJob, outcome: BatchOutcome, staffed: list[DisputeResult], seats: Sequence[tuple[str, str]]
) -> YearFigures:
    ref = ws.countries
    day = seat_day(history_start(job.data), 1)  # a year after the latest seat so far: this year's seats
    report = roster_report(
        replace(job.data, appointments=()),
        [Appointment(mid, did, None, day) for mid, did in seats],
        countries=ref,
        host=job.host,
        funder=job.funder,
        top_n=TOP_N,
    )
    top_state = report.by_nationality[0] if report.total_seats and report.by_nationality else None
    top_group = max(report.by_un_group, key=lambda r: r.seats) if report.total_seats else None
    leans = [_lean(ws, ws.dispute(r.dispute_id), r.panels[0].member_ids) for r in staffed]
    s = outcome.summary
    disputes = len(outcome.results)
    return YearFigures(
        year=job.year,
        disputes=disputes,
        staffed=len(staffed),
        staffed_share=len(staffed) / disputes if disputes else 0.0,
        expertise_kept=_expertise_kept(staffed),
        largest_state=top_state.key if top_state else "",
        largest_state_share=top_state.seat_share if top_state else 0.0,
        host_share=report.host.share,
        funder_share=report.funder.share,
        largest_group=top_group.key if top_group else "",
        largest_group_share=top_group.seat_share if top_group else 0.0,
        top15_share=report.top_share,
        women_share=report.women_share,
        mean_lean=sum(leans) / len(leans) if leans else 0.0,
        worst_lean=float(max(leans, default=0)),
        objective=s.objective,
        bound=s.bound,
        gap=s.relative_gap,
        seconds=0.0,
        unstaffed=tuple(
            _unstaffed(job.year, ws.dispute(r.dispute_id), r, outcome) for r in outcome.results if not r.panels
        ),
    )


def _lean(ws: Workspace, dispute: Dispute, members: Sequence[str]) -> int:
    """The panel's bloc-alignment lean: its largest minus its smallest alignment with a party, each the
    blocs a member shares with that party summed over the members (as ``matching.reports.neutrality``)."""
    ref = ws.countries
    blocs = [blocs_of(ref, ws.data.mediator(mid)) for mid in members]
    alignment = [sum(len(b & ref[p].blocs) for b in blocs) for p in dispute.parties]
    return max(alignment) - min(alignment) if alignment else 0


def _expertise_kept(staffed: list[DisputeResult]) -> float:
    """What the staffed panels are worth against what each of those disputes could have on its own:
    the sum of their panels' scores over the sum of their proven best-alone bounds (the batch's
    per-dispute phase gives each dispute's ``best_bound``). Expertise weighs most in the score; the
    ratio is at most 1 because each bound is proven, and it is a lower bound on the share kept."""
    if not staffed:
        return 0.0
    kept = sum(r.panels[0].objective for r in staffed)
    best = sum(r.best_bound if r.best_bound is not None else r.panels[0].objective for r in staffed)
    return min(1.0, kept / best) if best > 0 else 1.0


def _unstaffed(year: int, dispute: Dispute, result: DisputeResult, outcome: BatchOutcome) -> Unstaffed:
    """A dispute left without a panel, the rules in the way and the reason in plain words."""
    found = result.infeasibility or {}
    named = [str(r) for r in found.get("conflicting_rules", [])]
    s = outcome.summary
    if result.dispute_id in s.infeasible_alone:
        rules = tuple(named)
        titles = ", ".join(f"{r} ({HARD_RULES[r].title})" if r in HARD_RULES else r for r in named)
        reason = (
            f"No panel keeps every hard rule even for this dispute alone; in the way: {titles}."
            if named
            else "No panel keeps every hard rule even for this dispute alone."
        )
        hint = (found.get("suggestions") or [""])[0]
        reason = f"{reason} {hint}".strip()
    elif result.dispute_id in s.timeouts:
        rules = (TIME_LIMIT_RULE,)
        reason = "No panel was found for it on its own within the planning budget's time; a longer search may staff it."
    elif not named:  # left out of the batch without a proof of which limit is in the way
        rules = (CAPACITY_RULE,)
        reason = (
            "It can be staffed on its own, but no assignment placing it with the year's other disputes was found "
            "within the planning budget's time: they share the mediators' capacity and the quotas."
        )
    else:
        rules = tuple(CAPACITY_RULE if r == "H3" else r for r in named)
        limits = "; ".join(describe(r, outcome.config.quotas) for r in rules if r in OPTION)
        reason = (
            "It can be staffed on its own, but not together with the year's other disputes: "
            f"{limits or ', '.join(rules)} left no room."
        )
    return Unstaffed(
        year=year,
        dispute_id=dispute.dispute_id,
        kind=dispute.kind.value,
        parties=dispute.parties,
        languages=dispute.languages,
        subjects=dispute.subject_areas,
        panel_size=dispute.panel_size,
        rules=rules,
        reason=reason,
    )


# --- chains of years ----------------------------------------------------------------------------------


class _Chain:
    """One chain's years so far, and the job of its next year."""

    def __init__(self, job: SimulationJob) -> None:
        self.job = job
        self.years: list[YearFigures] = []
        self.seats: list[tuple[tuple[str, str], ...]] = []

    @property
    def done(self) -> bool:
        return len(self.years) >= self.job.scenario.years

    def next_job(self) -> YearJob:
        return year_job(self.job, len(self.years) + 1, self.seats)

    def record(self, result: YearResult) -> None:
        self.years.append(result.figures)
        self.seats.append(result.seats)

    def simulation(self) -> Simulation:
        return Simulation(self.job.label, tuple(self.years), stopped=not self.done)


def simulate_pair(
    runs: Sequence[SimulationJob],
    executor: Executor | None = None,
    progress: ProgressFactory = silent_progress,
    cancel: CancelToken | None = None,
) -> list[Simulation]:
    """Several independent chains at once (e.g. before and after recruiting), one ``Simulation`` per
    job in order. Each year is a job on ``executor`` (``None``: in this process, one year at a time);
    progress counts simulated years across the chains. When ``cancel`` asks to stop, no further year
    is started, the running ones are waited for, and each chain returns the years it finished, marked
    ``stopped``. The same jobs give the same figures on any executor (only ``seconds`` differ)."""
    for job in runs:
        ref = job.countries or default_countries()
        for code in (*job.host, *job.funder):
            if code.strip().upper() not in ref:
                raise UnknownIdError("country code for the host state or funder", code)
    chains = [_Chain(job) for job in runs]
    with (progress or silent_progress)(sum(job.scenario.years for job in runs), "Simulated years") as advance:
        if executor is None:
            _run_here(chains, advance, cancel)
        else:
            _run_on(executor, chains, advance, cancel)
    return [chain.simulation() for chain in chains]


def _run_here(chains: list[_Chain], advance: Advance, cancel: CancelToken | None) -> None:
    while not stop_asked(cancel):
        waiting = [chain for chain in chains if not chain.done]
        if not waiting:
            return
        for chain in waiting:
            if stop_asked(cancel):
                return
            try:
                chain.record(run_year(chain.next_job(), cancel))
            except Cancelled:
                return
            advance()


def _run_on(executor: Executor, chains: list[_Chain], advance: Advance, cancel: CancelToken | None) -> None:
    running: dict[Future[YearResult], int] = {}

    def submit(n: int) -> None:
        running[executor.submit(run_year, chains[n].next_job())] = n

    for n, chain in enumerate(chains):
        if not chain.done and not stop_asked(cancel):
            submit(n)
    while running:
        finished, _ = wait(list(running), return_when=FIRST_COMPLETED)
        for future in sorted(finished, key=lambda f: running[f]):
            n = running.pop(future)
            try:
                result = future.result()
            except BaseException:
                for other in running:
                    other.cancel()
                raise
            chains[n].record(result)
            advance()
            if not chains[n].done and not stop_asked(cancel):
                submit(n)


def simulate(
    data: Dataset,
    rule_set: RuleSet,
    scenario: Scenario,
    *,
    quotas: Quotas = Quotas(),  # noqa: B008 - a frozen dataclass, never changed
    seed: int = 0,
    executor: Executor | None = None,
    label: str = "before",
    progress: ProgressFactory = silent_progress,
    cancel: CancelToken | None = None,
    host: Iterable[str] = DEFAULT_HOST,
    funder: Iterable[str] = DEFAULT_FUNDER,
) -> Simulation:
    """The scenario's years simulated one after the other against the roster (``simulate_pair`` with one chain)."""
    job = SimulationJob(data, rule_set, scenario, quotas, seed, label, tuple(host), tuple(funder))
    return simulate_pair([job], executor, progress, cancel)[0]
