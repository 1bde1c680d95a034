"""The planner's results as plain, frozen records: what each simulated year produced, the bands
across years, the recruitment recommended and the plan that holds them all.

Every other module of ``matching.plan`` builds or reads these: ``forecast`` draws the caseload,
``simulate`` fills ``YearFigures`` and ``Simulation``, ``recommend`` proposes ``Recruit`` s and
names ``Scarce`` mediators and ``OverSupplied`` profiles, ``planner`` assembles the ``Plan``, and
``output`` writes it (CSV tables, ``plan.json``, ``report.html``). They hold numbers and names
only, so they pickle to worker processes and a Dask cluster and back.
"""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field
from typing import Any

# The figures reported per year and banded across years, in the order tables show them.
FIGURES = (
    "staffed_share",  # staffed disputes / forecast disputes
    "expertise_kept",  # the staffed panels' scores / the sum of those disputes' proven best-alone bounds
    "largest_state_share",  # seats held by the most-seated nationality / all seats
    "host_share",  # seats held by nationals of the host state(s)
    "funder_share",  # seats held by nationals of the main funders
    "largest_group_share",  # seats held by the most-seated UN regional group
    "top15_share",  # seats held by the 15 most-appointed mediators
    "women_share",  # seats held by women
    "mean_lean",  # mean over panels of (largest - smallest) bloc alignment with a party
    "worst_lean",  # the largest such difference of any panel that year
)


@dataclass(frozen=True)
class Band:
    """A figure across the simulated years: lowest, median and highest."""

    low: float
    median: float
    high: float

    @classmethod
    def of(cls, values: list[float]) -> Band:
        if not values:
            return cls(0.0, 0.0, 0.0)
        return cls(min(values), float(statistics.median(values)), max(values))


@dataclass(frozen=True)
class Unstaffed:
    """A forecast dispute no panel could be found for, and the rule(s) that blocked it."""

    year: int
    dispute_id: str
    kind: str
    parties: tuple[str, ...]
    languages: tuple[str, ...]
    subjects: tuple[str, ...]
    panel_size: int
    rules: tuple[
        str, ...
    ]  # the hard rules that left no panel (H1 ... H7), or ("capacity",) when shared capacity ran out
    reason: str  # plain words


@dataclass(frozen=True)
class YearFigures:
    """One simulated year: how it was staffed and the neutrality it produced."""

    year: int  # 1 .. years
    disputes: int
    staffed: int
    staffed_share: float
    expertise_kept: float
    largest_state: str
    largest_state_share: float
    host_share: float
    funder_share: float
    largest_group: str
    largest_group_share: float
    top15_share: float
    women_share: float
    mean_lean: float
    worst_lean: float
    objective: float
    bound: float
    gap: float  # relative gap of the year's batch (0 when proven optimal)
    seconds: float
    unstaffed: tuple[Unstaffed, ...] = ()

    def figure(self, name: str) -> float:
        return float(getattr(self, name))


@dataclass(frozen=True)
class Simulation:
    """Years simulated one after the other, each year's appointments carried into the next."""

    label: str  # "before" (the roster as it is) or "after" (with the recommended recruits)
    years: tuple[YearFigures, ...]
    stopped: bool = False  # True when a stop was asked: ``years`` are those finished

    def bands(self) -> dict[str, Band]:
        return {name: Band.of([y.figure(name) for y in self.years]) for name in FIGURES}

    def unstaffed(self) -> list[Unstaffed]:
        return [u for y in self.years for u in y.unstaffed]


@dataclass(frozen=True)
class Profile:
    """A kind of mediator to recruit: what the rules and the caseload look at, nothing personal."""

    un_group: str  # UN regional group code of the nationality (see data/reference)
    nationality: str | None  # a specific ISO3 nationality when it matters, else None (any of the group)
    languages: tuple[str, ...]
    legal_tradition: str
    subjects: tuple[str, ...]  # subject areas at a high level of expertise
    gender: str | None  # "F", "M" or None when it does not matter
    chair_eligible: bool  # speaks the working languages where the profile is needed, so may chair

    def label(self) -> str:
        """The profile in plain words, with names rather than codes (``matching.plan.output.profile_words``)."""
        from matching.plan.output import profile_words  # output builds on this module

        return profile_words(self)


@dataclass(frozen=True)
class Recruit:
    """How many mediators of one profile to add, and why."""

    profile: Profile
    count: int
    covers: int  # forecast seats a year (on average) that this profile makes possible
    why: str


@dataclass(frozen=True)
class Scarce:
    """A current mediator the forecast leans on: sought far beyond their capacity."""

    mediator_id: str
    name: str
    demand: float  # seats a year the simulated batches gave them, or would have
    capacity: int
    why: str


@dataclass(frozen=True)
class OverSupplied:
    """A profile with more mediators than the forecast ever uses."""

    profile: str  # plain words
    mediators: int
    seats_per_year: float
    why: str


@dataclass(frozen=True)
class Plan:
    """The whole plan: the settings, the simulation as things stand, the recruits, and the re-run with them."""

    settings: dict[str, Any]  # years, seed, scenario, quotas, rule set record, inputs_sha256, solver, executor
    before: Simulation
    recruits: tuple[Recruit, ...] = ()
    after: Simulation | None = None
    scarce: tuple[Scarce, ...] = ()
    oversupplied: tuple[OverSupplied, ...] = ()
    notes: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        """The plan as ``plan.json`` holds it (see docs/schemas/plan.schema.json)."""

        def simulation(s: Simulation | None) -> dict[str, Any] | None:
            if s is None:
                return None
            return {
                "label": s.label,
                "stopped": s.stopped,
                "years": [asdict(y) for y in s.years],
                "bands": {k: asdict(v) for k, v in s.bands().items()},
            }

        return {
            "settings": self.settings,
            "before": simulation(self.before),
            "recruits": [asdict(r) | {"label": r.profile.label()} for r in self.recruits],
            "after": simulation(self.after),
            "scarce": [asdict(s) for s in self.scarce],
            "oversupplied": [asdict(o) for o in self.oversupplied],
            "notes": list(self.notes),
        }
