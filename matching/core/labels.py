"""Display names: how subjects, score components, weights, statuses and report measures read to people.

The library, the app and the command line keep the codes (``human_rights``, ``orange_penalty``,
``optimal``, ``women_share``) in files and JSON; whatever a person reads goes through this one
module, so a code never reaches a lawyer or a diplomat, and a name is spelt the same everywhere.
"""

from __future__ import annotations

SUBJECT_NAMES = {"human_rights": "human rights"}
COMPONENT_NAMES = {
    "expertise": "expertise",
    "diversity": "diversity",
    "neutrality": "neutrality",
    "workload": "workload",
    "preference": "party preferences",
    "orange_penalty": "orange-conflict penalty",
}
STATUS_NAMES = {
    "optimal": "proven best",
    "feasible": "found, not proven best",
    "infeasible": "no panel keeps every rule",
    "timeout": "out of time before any panel",
}
MEASURE_NAMES = {
    "seats": "Seats",
    "recorded_decisions": "Seats from recorded decisions",
    "roster_mediators": "Mediators on the roster",
    "mediators_with_seats": "Mediators holding a seat",
    "first_appointment": "First appointment",
    "last_appointment": "Last appointment",
    "hhi": "Concentration of seats (Herfindahl index)",
    "gini": "Inequality of seats (Gini coefficient)",
    "women_share": "Share of seats held by women",
    "host_share": "Share of seats held by host-state nationals",
    "funder_share": "Share of seats held by nationals of the largest funder",
    "repeat_pairs": "Repeat appointments by one party",
}


def _words(code: str) -> str:
    return code.replace("_", " ").strip()


def subject_name(code: str) -> str:
    """``human_rights`` reads ``human rights``."""
    return SUBJECT_NAMES.get(code, _words(code))


def component_name(code: str) -> str:
    """A score component or weight: ``orange_penalty`` reads ``orange-conflict penalty``."""
    return COMPONENT_NAMES.get(code, _words(code))


def status_name(status: str) -> str:
    """How a search ended, in words: ``optimal`` reads ``proven best``."""
    return STATUS_NAMES.get(str(status), _words(str(status)))


def measure_name(code: str) -> str:
    """A figure of the neutrality report: ``women_share`` reads ``Share of seats held by women``."""
    if code in MEASURE_NAMES:
        return MEASURE_NAMES[code]
    if code.startswith("top") and code.endswith("_share") and code[3:-6].isdigit():
        return f"Share of seats held by the {code[3:-6]} most appointed mediators"
    words = _words(code)
    return words[:1].upper() + words[1:]


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 dispute``, ``2 disputes``, ``1,200 mediators``; ``many`` for an irregular plural."""
    return f"{count:,} {word if count == 1 else many or word + 's'}"
