"""Appointment history: recent load per mediator and repeat appointments by the same party.

A seat filled by the organisation itself (``Appointment.party`` is None) counts in the recent
load like any other, but is never in ``by_party``: it cannot make a party's repeat appointment.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from matching.core.domain import Appointment


@dataclass(frozen=True)
class History:
    as_of: date
    years: int
    recent_cases: dict[str, int]
    by_party: dict[str, Counter[str]]

    @classmethod
    def build(cls, appointments: tuple[Appointment, ...], years: int, as_of: date | None = None) -> History:
        """Counts over the ``years`` before ``as_of`` (default: the latest appointment in the file,
        so that a run is reproducible whatever the day it is run)."""
        if as_of is None:
            as_of = max((a.appointed_on for a in appointments), default=date.today())
        start = as_of - timedelta(days=round(365.25 * years))
        cases: dict[str, set[str]] = defaultdict(set)
        by_party: dict[str, Counter[str]] = defaultdict(Counter)
        for a in appointments:
            if start < a.appointed_on <= as_of:
                cases[a.mediator_id].add(a.dispute_id)
                if a.party is not None:
                    by_party[a.mediator_id][a.party] += 1
        return cls(as_of, years, {k: len(v) for k, v in cases.items()}, dict(by_party))

    def recent(self, mediator_id: str) -> int:
        return self.recent_cases.get(mediator_id, 0)

    def appointed_by(self, mediator_id: str, party: str) -> int:
        counter = self.by_party.get(mediator_id)
        return counter[party] if counter else 0
