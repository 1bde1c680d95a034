"""The status of a solve, one type for every solver in the library.

A ``StrEnum``: each member is also its plain string (``Status.OPTIMAL == "optimal"``), which is
what the JSON outputs and the app show.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """How a search ended: proven best, a solution without proof, proven impossible, or out of budget."""

    OPTIMAL = "optimal"  # proven best (the gap is zero)
    FEASIBLE = "feasible"  # a solution, not proven best; the bound says how far it may be
    INFEASIBLE = "infeasible"  # proven that no solution exists
    TIMEOUT = "timeout"  # the budget ran out before any solution or proof

    @property
    def solved(self) -> bool:
        """A solution was found (optimal or feasible)."""
        return self in (Status.OPTIMAL, Status.FEASIBLE)
