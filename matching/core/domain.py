"""Plain domain objects: mediators, disputes, conflicts, party preferences, appointment history.

Everything past the loader works on these frozen dataclasses, never on data frames. Vocabularies
(subjects, legal traditions, conflict categories, ...) are defined here once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import cached_property


class Tradition(StrEnum):
    CIVIL = "civil"
    COMMON = "common"
    CUSTOMARY = "customary"
    MUSLIM = "muslim"


class UNGroup(StrEnum):
    AFRICAN = "african"
    ASIA_PACIFIC = "asia_pacific"
    EASTERN_EUROPEAN = "eastern_european"
    LATIN_AMERICAN_CARIBBEAN = "latin_american_caribbean"
    WESTERN_EUROPEAN_OTHERS = "western_european_others"


class DisputeKind(StrEnum):
    INTERSTATE = "interstate"
    INVESTOR_STATE = "investor_state"
    COMMERCIAL = "commercial"


class NationalityRule(StrEnum):
    STRICT = "strict"
    MAJORITY = "majority"
    CONSENT = "consent"


class ConflictCategory(StrEnum):
    NON_WAIVABLE_RED = "non_waivable_red"
    WAIVABLE_RED = "waivable_red"
    ORANGE = "orange"
    GREEN = "green"


class Role(StrEnum):
    CHAIR = "chair"
    MEMBER = "member"


SUBJECTS: tuple[str, ...] = (
    "trade",
    "transit",
    "water",
    "energy",
    "boundary",
    "maritime",
    "investment",
    "environment",
    "construction",
    "technology",
    "finance",
    "human_rights",
)
PANEL_SIZES: tuple[int, ...] = (1, 2, 3, 5)
GENDERS: tuple[str, ...] = ("F", "M", "X")
MAX_EXPERTISE_LEVEL = 5


@dataclass(frozen=True)
class Country:
    iso3: str
    name: str
    un_group: UNGroup
    legal_traditions: frozenset[Tradition]
    blocs: frozenset[str]
    languages: tuple[str, ...]
    iomed_signatory: bool


@dataclass(frozen=True)
class Mediator:
    mediator_id: str
    name: str
    nationalities: tuple[str, ...]
    gender: str | None
    languages: frozenset[str]
    legal_traditions: frozenset[Tradition]
    expertise: dict[str, int] = field(hash=False, compare=True)
    years_experience: int = 0
    max_cases: int = 0
    active_cases: int = 0
    available: bool = True
    declaration_signed: bool = True
    nominated_by: str | None = None
    profile: str = ""

    @property
    def effective_nationality(self) -> str:
        return self.nationalities[0]

    @property
    def remaining_capacity(self) -> int:
        return capacity_left(self)


def capacity_left(m: Mediator, recorded: int = 0) -> int:
    """Cases a mediator may still take (rule H3): room under ``max_cases`` after the active cases
    and the ``recorded`` appointments (decisions recorded since the roster file); 0 when
    unavailable. The one capacity formula of the library (the checker keeps its own as reference)."""
    if not m.available:
        return 0
    return max(0, m.max_cases - m.active_cases - recorded)


@dataclass(frozen=True)
class Dispute:
    dispute_id: str
    title: str
    kind: DisputeKind
    parties: tuple[str, ...]
    subject_areas: tuple[str, ...]
    languages: tuple[str, ...]
    panel_size: int
    description: str = ""
    nationality_rule: NationalityRule | None = None

    @property
    def working_language(self) -> str:
        return self.languages[0]


@dataclass(frozen=True)
class Conflict:
    mediator_id: str
    dispute_id: str
    category: ConflictCategory
    waived: bool = False
    note: str = ""


@dataclass(frozen=True)
class Preference:
    dispute_id: str
    party: str
    mediator_id: str
    struck: bool
    rank: int | None


@dataclass(frozen=True)
class Appointment:
    """One seat in the appointment history.

    ``party`` is the country code of the party that appointed the mediator, or None for a seat
    filled by the organisation itself (for example a chair named by the appointing authority).
    Such a seat counts for the mediator's workload and in every report, but never as a repeat
    appointment by a party.
    """

    mediator_id: str
    dispute_id: str
    party: str | None
    appointed_on: date

    @property
    def by_organisation(self) -> bool:
        return self.party is None


@dataclass(frozen=True)
class Dataset:
    """Everything one run reads: the roster, the disputes and the optional files."""

    mediators: tuple[Mediator, ...]
    disputes: tuple[Dispute, ...]
    conflicts: tuple[Conflict, ...] = ()
    preferences: tuple[Preference, ...] = ()
    appointments: tuple[Appointment, ...] = ()
    inputs_sha256: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    # Each input file's name and bytes by kind ("mediators", ...), kept so a recorded decision can
    # store them by content and be replayed later.
    sources: dict[str, tuple[str, bytes]] = field(default_factory=dict, hash=False, compare=False, repr=False)

    @cached_property
    def mediators_by_id(self) -> dict[str, Mediator]:
        return {m.mediator_id: m for m in self.mediators}

    @cached_property
    def disputes_by_id(self) -> dict[str, Dispute]:
        return {d.dispute_id: d for d in self.disputes}

    def mediator(self, mediator_id: str) -> Mediator:
        return self.mediators_by_id[mediator_id]

    def dispute(self, dispute_id: str) -> Dispute:
        return self.disputes_by_id[dispute_id]
