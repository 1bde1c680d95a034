"""Flags: the figures in the neutrality reports that cross a threshold, each with a plain sentence.

Thresholds live in one dataclass with defaults; every one can be changed per run. How each is
compared, exactly:

| threshold | default | a flag is raised when |
| --- | --- | --- |
| ``state_share_above`` | 0.10 | a nationality's share of seats is strictly above it |
| ``un_group_share_above`` | 0.35 | a UN regional group's share of seats is strictly above it |
| ``women_share_below`` | 0.30 | women's share of seats is strictly below it (only when there are seats) |
| ``repeat_appointments_at_least`` | 2 | one party appointed one mediator at least this many times within the report's window (three years: IBA Orange List) |
| ``panel_lean_at_least`` | 2 | a panel's alignment asymmetry (blocs shared with one party minus with another) is at least this |
| ``top_share_above`` | 0.50 | the share of seats held by the most appointed mediators (15 by default) is strictly above it |
| ``host_share_above`` | 0.10 | the share of seats held by nationals of the host state (CHN, HKG) is strictly above it |
| ``funder_share_above`` | 0.10 | the share of seats held by nationals of the largest funder (CHN, an assumption) is strictly above it |

"Above" means strictly greater and "below" strictly less: a share exactly at the threshold raises
no flag. "At least" includes the threshold. A panel that breaks a hard rule is always flagged
(``panel_breaks_rule``); that flag has no threshold.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields

from matching.core.errors import MatchingError
from matching.reports.neutrality import UN_GROUP_NAMES, PanelReport, RosterReport, Table, make_table

ABOVE, BELOW, AT_LEAST = "above", "below", "at least"


class ThresholdError(MatchingError, ValueError):
    """A threshold has a value that makes no sense (a share outside 0..1, a count below its minimum)."""


@dataclass(frozen=True)
class Thresholds:
    """When a flag is raised; shares are fractions between 0 and 1 (0.10 is 10 %)."""

    state_share_above: float = 0.10
    un_group_share_above: float = 0.35
    women_share_below: float = 0.30
    repeat_appointments_at_least: int = 2
    panel_lean_at_least: int = 2
    top_share_above: float = 0.50
    host_share_above: float = 0.10
    funder_share_above: float = 0.10

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name.endswith("_at_least"):
                minimum = 2 if f.name.startswith("repeat") else 1
                if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
                    raise ThresholdError(f"{f.name} must be a whole number of at least {minimum} (got {value!r})")
            elif not 0 <= value <= 1:
                raise ThresholdError(f"{f.name} is a share and must be between 0 and 1 (got {value!r})")

    def with_overrides(self, overrides: Mapping[str, str | float | int]) -> Thresholds:
        """The same thresholds with some replaced by name (values given as numbers or as text)."""
        known = {f.name: f for f in fields(self)}
        changes: dict[str, float | int] = {}
        for name, raw in overrides.items():
            if name not in known:
                raise ThresholdError(f"unknown threshold {name!r} (known: {', '.join(known)})")
            try:
                if name.endswith("_at_least"):
                    number = float(raw)
                    if not number.is_integer():
                        raise ValueError
                    changes[name] = int(number)
                else:
                    changes[name] = float(raw)
            except ValueError:
                raise ThresholdError(f"threshold {name} needs a number (got {raw!r})") from None
        return Thresholds(**{**asdict(self), **changes})


@dataclass(frozen=True)
class Flag:
    """One threshold crossed: what, by how much, and a sentence saying why."""

    scope: str  # roster | panel
    code: str
    subject: str
    value: float
    comparison: str  # above | below | at least
    threshold: float
    sentence: str


def pct(value: float, threshold: float | None = None) -> str:
    """A share as a percentage, with enough decimals that it never looks equal to the threshold."""
    for decimals in (1, 2, 3, 4):
        text = f"{100 * value:.{decimals}f} %"
        if threshold is None or text != f"{100 * threshold:.{decimals}f} %":
            return text
    return f"{100 * value} %"


def _seats(n: int) -> str:
    return f"{n} seat{'s' if n != 1 else ''}"


def roster_flags(report: RosterReport, thresholds: Thresholds | None = None) -> list[Flag]:
    """Flags about the appointment history as a whole."""
    t = thresholds or Thresholds()
    total = report.total_seats
    out: list[Flag] = []
    if total == 0:
        return out
    for row in report.by_nationality:
        if row.seat_share > t.state_share_above:
            out.append(
                Flag(
                    "roster",
                    "state_share",
                    row.key,
                    row.seat_share,
                    ABOVE,
                    t.state_share_above,
                    f"Nationals of {row.name} ({row.key}) hold {pct(row.seat_share, t.state_share_above)} of seats "
                    f"({row.seats} of {total}), above the threshold of {pct(t.state_share_above)} for any one state "
                    f"(they are {pct(row.roster_share)} of the roster).",
                )
            )
    for row in report.by_un_group:
        if row.seat_share > t.un_group_share_above:
            out.append(
                Flag(
                    "roster",
                    "un_group_share",
                    row.key,
                    row.seat_share,
                    ABOVE,
                    t.un_group_share_above,
                    f"Nationals of the {UN_GROUP_NAMES.get(row.key, row.key)} hold "
                    f"{pct(row.seat_share, t.un_group_share_above)} of seats ({row.seats} of {total}), above the "
                    f"threshold of {pct(t.un_group_share_above)} for any one regional group (the group has "
                    f"{pct(row.roster_share)} of the roster and {pct(row.member_state_share or 0)} of UN member states).",
                )
            )
    women = report.women_share
    if women < t.women_share_below:
        out.append(
            Flag(
                "roster",
                "women_share",
                "F",
                women,
                BELOW,
                t.women_share_below,
                f"Women hold {pct(women, t.women_share_below)} of seats ({report.women_seats} of {total}), below the "
                f"threshold of {pct(t.women_share_below)}.",
            )
        )
    for r in report.repeats:
        if r.appointments >= t.repeat_appointments_at_least:
            out.append(
                Flag(
                    "roster",
                    "repeat_appointment",
                    f"{r.mediator_id} / {r.party}",
                    r.appointments,
                    AT_LEAST,
                    t.repeat_appointments_at_least,
                    f"{r.name} ({r.mediator_id}) was appointed {r.appointments} times by {r.party} within "
                    f"{report.repeat_years} years (from {r.first_on.isoformat()} to {r.last_on.isoformat()}: "
                    f"{', '.join(r.dispute_ids)}); the threshold is {t.repeat_appointments_at_least} "
                    "(IBA Orange List: two or more appointments by one party within three years).",
                )
            )
    if report.top_share > t.top_share_above:
        out.append(
            Flag(
                "roster",
                "top_share",
                f"top {report.top_n}",
                report.top_share,
                ABOVE,
                t.top_share_above,
                f"The {report.top_n} most appointed mediators hold {pct(report.top_share, t.top_share_above)} of seats "
                f"({report.top_seats} of {total}), above the threshold of {pct(t.top_share_above)}.",
            )
        )
    for code, share, threshold, who in (
        ("host_share", report.host, t.host_share_above, "the host state"),
        ("funder_share", report.funder, t.funder_share_above, "the largest funder (an assumption)"),
    ):
        if share.share > threshold:
            out.append(
                Flag(
                    "roster",
                    code,
                    ";".join(share.codes),
                    share.share,
                    ABOVE,
                    threshold,
                    f"Nationals of {who}, {', '.join(share.codes)}, hold {pct(share.share, threshold)} of seats "
                    f"({share.seats} of {total}), above the threshold of {pct(threshold)}.",
                )
            )
    return out


def _member_names(panel: PanelReport) -> str:
    """The members as a reader knows them: ``Name (M0042)``, chair first."""
    return ", ".join(f"{m.name} ({m.mediator_id})" for m in panel.members)


def panel_flags(panel: PanelReport, thresholds: Thresholds | None = None) -> list[Flag]:
    """Flags about one panel: a lean towards one party, and any hard rule broken."""
    t = thresholds or Thresholds()
    out: list[Flag] = []
    subject = f"{panel.panel_id} ({panel.dispute_id})"
    alignment = panel.alignment
    if alignment and panel.asymmetry >= t.panel_lean_at_least:
        high = max(alignment, key=lambda p: alignment[p])
        low = min(alignment, key=lambda p: alignment[p])
        name = panel.party_names.get(high, high)
        out.append(
            Flag(
                "panel",
                "panel_lean",
                subject,
                panel.asymmetry,
                AT_LEAST,
                t.panel_lean_at_least,
                f"Panel {panel.panel_id} for {panel.dispute_id} ({_member_names(panel)}) leans towards "
                f"{name} ({high}): its members share {alignment[high]} bloc membership(s) with {high} and "
                f"{alignment[low]} with {low}, a difference of {panel.asymmetry}; the threshold is {t.panel_lean_at_least}.",
            )
        )
    broken = panel.broken_rules
    if broken:
        reasons = "; ".join(reason for r in panel.rules for reason in r.reasons)
        out.append(
            Flag(
                "panel",
                "panel_breaks_rule",
                subject,
                len(broken),
                ABOVE,
                0,
                f"Panel {panel.panel_id} for {panel.dispute_id} breaks hard rule(s) {', '.join(broken)}: {reasons}.",
            )
        )
    return out


def all_flags(
    roster: RosterReport | None, panels: Iterable[PanelReport], thresholds: Thresholds | None = None
) -> list[Flag]:
    """Roster flags first, then each panel's flags in order."""
    out = roster_flags(roster, thresholds) if roster is not None else []
    for p in panels:
        out.extend(panel_flags(p, thresholds))
    return out


def flags_table(flags: Iterable[Flag]) -> Table:
    """The flags as an exportable table (``flags.csv``)."""
    return make_table(
        "flags",
        "Flags",
        [(f.scope, f.code, f.subject, f.value, f.comparison, f.threshold, f.sentence) for f in flags],
    )
