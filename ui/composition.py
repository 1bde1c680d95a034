"""Who sits on recorded panels, counted by nationality, UN regional group, legal tradition and
gender, as tables; ``matching.reports.charts.composition_chart`` draws them. Built from the
store's snapshots of each member, so it does not depend on the data set in use.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

import pandas as pd

from matching.api import Decision, SeatRecord
from ui.common import country_label, group_name

GENDERS = {"F": "F (women)", "M": "M (men)", "X": "X"}
DIMENSIONS = ("nationality", "UN regional group", "legal tradition", "gender")
DIMENSION_HELP = {
    "nationality": "A seat counts for the member's effective nationality (the first one listed).",
    "UN regional group": "The UN regional group of the member's effective nationality.",
    "legal tradition": "A member from a mixed legal system counts once in each tradition, so shares can add up to more than 100 %.",
    "gender": "As given in the roster (F, M, X), or 'not given'.",
}


def _values(seat: SeatRecord, dimension: str) -> list[str]:
    if dimension == "nationality":
        return [country_label(seat.nationalities[0])] if seat.nationalities else ["not given"]
    if dimension == "UN regional group":
        return [group_name(seat.un_group) if seat.un_group else "not given"]
    if dimension == "legal tradition":
        return list(seat.legal_traditions) or ["not given"]
    return [GENDERS.get(seat.gender or "", "not given")]


def seats_of(decisions: Iterable[Decision]) -> list[SeatRecord]:
    return [seat for d in decisions for seat in d.seats]


def composition(seats: Sequence[SeatRecord], dimension: str) -> pd.DataFrame:
    """Seats per value of one dimension, most first, with each value's share of the seats."""
    counts: Counter[str] = Counter()
    for seat in seats:
        counts.update(_values(seat, dimension))
    total = len(seats)
    rows = [
        {"dimension": dimension, "value": value, "seats": n, "share": n / total if total else 0.0}
        for value, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    return pd.DataFrame(rows, columns=["dimension", "value", "seats", "share"])


def all_compositions(seats: Sequence[SeatRecord]) -> pd.DataFrame:
    return pd.concat([composition(seats, d) for d in DIMENSIONS], ignore_index=True)


def members_frame(decision: Decision) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "role": "chair" if s.role == "chair" else "member",
                "id": s.mediator_id,
                "name": s.name,
                "nationalities": ", ".join(s.nationalities),
                "UN regional group": group_name(s.un_group),
                "legal traditions": ", ".join(s.legal_traditions),
                "gender": GENDERS.get(s.gender or "", "not given"),
            }
            for s in decision.seats
        ]
    )


def repeat_members(decisions: Sequence[Decision]) -> pd.DataFrame:
    """Mediators who sit on more than one recorded panel."""
    by_id: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    for d in decisions:
        for s in d.seats:
            by_id.setdefault(s.mediator_id, []).append(d.dispute_id)
            names[s.mediator_id] = s.name
    rows = [
        {"id": mid, "name": names[mid], "panels": len(ds), "disputes": ", ".join(ds)}
        for mid, ds in sorted(by_id.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        if len(ds) > 1
    ]
    return pd.DataFrame(rows, columns=["id", "name", "panels", "disputes"])
