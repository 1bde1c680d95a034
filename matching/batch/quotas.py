"""Global quotas of a batch run: their settings, their limits in seats, and how an assignment meets them.

Each quota is optional and counts the seats of the whole batch (every member of every panel):

* ``max_per_mediator``: no mediator gets more than N new appointments in this batch (on top of
  the capacity rule H3: active cases plus new appointments never exceed ``max_cases``);
* ``max_state_share``: nationals of one state hold at most this share of the seats (a mediator
  counts for their effective nationality, the first one listed);
* ``max_group_share``: mediators of one UN regional group hold at most this share of the seats;
* ``min_women_share``: women hold at least this share of the seats;
* ``max_same_party``: no mediator sits on more than N panels of the batch that involve the same
  party.

A share becomes a whole number of seats once the batch's seats are known: at most
``floor(share * seats)``, at least ``ceil(share * seats)``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from typing import TypeVar

CAPACITY = "capacity"
GLOBAL_CONSTRAINTS: tuple[str, ...] = (
    CAPACITY,
    "max_per_mediator",
    "max_state_share",
    "max_group_share",
    "min_women_share",
    "max_same_party",
)
OPTION = {
    CAPACITY: "the mediators' remaining capacity (H3)",
    "max_per_mediator": "--max-per-mediator",
    "max_state_share": "--max-state-share",
    "max_group_share": "--max-group-share",
    "min_women_share": "--min-women-share",
    "max_same_party": "--max-same-party",
}
_EPS = 1e-9
_K = TypeVar("_K")


@dataclass(frozen=True)
class Quotas:
    """The batch's optional global limits (``None`` = not applied)."""

    max_per_mediator: int | None = None
    max_state_share: float | None = None
    max_group_share: float | None = None
    min_women_share: float | None = None
    max_same_party: int | None = None

    def problems(self) -> list[str]:
        """Plain sentences for every setting out of range (empty when all are valid)."""
        out = []
        for name in ("max_state_share", "max_group_share", "min_women_share"):
            value = getattr(self, name)
            if value is not None and not 0 <= value <= 1:
                out.append(f"{OPTION[name]} is a share between 0 and 1, got {value}.")
        for name in ("max_per_mediator", "max_same_party"):
            value = getattr(self, name)
            if value is not None and value < 1:
                out.append(f"{OPTION[name]} must be 1 or more, got {value}.")
        return out

    def active(self) -> list[str]:
        """Names of the quotas that are set."""
        return [f.name for f in fields(self) if getattr(self, f.name) is not None]

    @property
    def couples_disputes(self) -> bool:
        """True when a quota links disputes beyond each mediator's own capacity."""
        return any(
            getattr(self, name) is not None
            for name in ("max_state_share", "max_group_share", "min_women_share", "max_same_party")
        )

    def without(self, name: str) -> Quotas:
        """The same quotas with one of them switched off."""
        return replace(self, **{name: None}) if name in self.active() else self

    def state_limit(self, seats: int) -> int | None:
        return None if self.max_state_share is None else math.floor(self.max_state_share * seats + _EPS)

    def group_limit(self, seats: int) -> int | None:
        return None if self.max_group_share is None else math.floor(self.max_group_share * seats + _EPS)

    def women_minimum(self, seats: int) -> int | None:
        return None if self.min_women_share is None else math.ceil(self.min_women_share * seats - _EPS)

    def as_dict(self) -> dict[str, float | int | None]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def describe(name: str, quotas: Quotas) -> str:
    """The constraint in plain words."""
    value = getattr(quotas, name, None) if name != CAPACITY else None
    if name == CAPACITY:
        return "each mediator's remaining capacity (max_cases less active cases)"
    if name == "max_per_mediator":
        return f"at most {value} new appointment(s) per mediator in this batch"
    if name == "max_state_share":
        return f"at most {value:.0%} of the seats for the nationals of any one state"
    if name == "max_group_share":
        return f"at most {value:.0%} of the seats for any one UN regional group"
    if name == "min_women_share":
        return f"at least {value:.0%} of the seats held by women"
    if name == "max_same_party":
        return f"no mediator on more than {value} panel(s) with the same party"
    raise KeyError(name)


def suggestion(name: str, quotas: Quotas) -> str:
    """What to change to lift the constraint."""
    if name == CAPACITY:
        return "Free capacity (raise max_cases or close active cases), or split the batch."
    return f"Relax {OPTION[name]} ({describe(name, quotas)}), or drop it for this batch."


@dataclass(frozen=True)
class SeatFact:
    """One seat of an assigned panel, with the facts the quotas count."""

    dispute_id: str
    mediator_id: str
    role: str
    nationality: str
    un_group: str
    gender: str
    parties: tuple[str, ...] = ()


@dataclass(frozen=True)
class QuotaReport:
    """How an assignment meets one quota: the limit, the value reached, and the slack left."""

    name: str
    limit: float
    actual: float
    holder: str

    @property
    def kept(self) -> bool:
        return self.slack >= -_EPS

    @property
    def slack(self) -> float:
        """How far the assignment is from the limit (negative when broken)."""
        if self.name == "min_women_share":
            return self.actual - self.limit
        return self.limit - self.actual

    def sentence(self) -> str:
        if self.name in ("max_state_share", "max_group_share", "min_women_share"):
            return f"{self.name}: {self.actual:.1%} ({self.holder}) against a limit of {self.limit:.1%}."
        return f"{self.name}: {self.actual:g} ({self.holder}) against a limit of {self.limit:g}."

    def as_dict(self) -> dict[str, object]:
        return {
            "quota": self.name,
            "limit": self.limit,
            "actual": self.actual,
            "slack": round(self.slack, 6),
            "holder": self.holder,
            "kept": self.kept,
        }


def quota_reports(seats: Sequence[SeatFact], quotas: Quotas) -> list[QuotaReport]:
    """One report per quota that is set, measured on the assigned seats."""
    total = len(seats)
    out: list[QuotaReport] = []
    if not total:
        return out
    by_mediator = Counter(s.mediator_id for s in seats)
    if quotas.max_per_mediator is not None:
        mid, count = max(by_mediator.items(), key=lambda kv: (kv[1], kv[0]))
        out.append(QuotaReport("max_per_mediator", quotas.max_per_mediator, count, mid))
    if quotas.max_state_share is not None:
        state, count = _top(Counter(s.nationality for s in seats))
        out.append(QuotaReport("max_state_share", quotas.max_state_share, count / total, state))
    if quotas.max_group_share is not None:
        group, count = _top(Counter(s.un_group for s in seats))
        out.append(QuotaReport("max_group_share", quotas.max_group_share, count / total, group))
    if quotas.min_women_share is not None:
        women = sum(1 for s in seats if s.gender == "F")
        out.append(QuotaReport("min_women_share", quotas.min_women_share, women / total, f"{women} of {total} seats"))
    if quotas.max_same_party is not None:
        pairs = Counter((s.mediator_id, p) for s in seats for p in s.parties)
        (who, party), count = _top(pairs)
        out.append(QuotaReport("max_same_party", quotas.max_same_party, count, f"{who} with {party}"))
    return out


def _top(counter: Counter[_K]) -> tuple[_K, int]:
    """The most frequent key (ties: the first in text order) and its count."""
    key, count = max(counter.items(), key=lambda kv: (kv[1], _reverse_text(str(kv[0]))))
    return key, count


def _reverse_text(text: str) -> tuple[int, ...]:
    return tuple(-ord(ch) for ch in text)


def concentration(seats: Sequence[SeatFact], top: int = 15) -> float:
    """Share of the seats held by the ``top`` most appointed mediators."""
    if not seats:
        return 0.0
    counts = sorted(Counter(s.mediator_id for s in seats).values(), reverse=True)
    return sum(counts[:top]) / len(seats)
