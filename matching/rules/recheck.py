"""The run-time re-check: every panel that leaves the library goes through the plain checker first.

The solver, the batch, the lottery and the trade-off explorer all find panels with the kernel's
arrays (``matching.rules.kernel``); ``matching.rules.checker`` states the same rules once more,
plainly and independently. ``recheck`` runs the checker on each panel before it is returned (or a
decision recorded) and raises ``InternalDisagreement`` if the checker finds a breach: a loud
internal error instead of a panel that breaks a rule. It costs a few microseconds per member.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace

from matching.core.domain import Mediator
from matching.core.errors import InternalError
from matching.rules.checker import Breach, DisputeView, mediator_breaches, panel_breaches


class InternalDisagreement(InternalError):
    """The checker found a breach in a panel the library itself proposed: a bug, never an answer."""

    code = "internal_disagreement"

    def __init__(self, dispute_id: str, members: Sequence[str], breaches: Sequence[Breach], source: str) -> None:
        self.dispute_id = dispute_id
        self.members = list(members)
        self.breaches = list(breaches)
        self.source = source
        reasons = "; ".join(f"{b.rule}: {b.mediator_id + ' ' if b.mediator_id else ''}{b.reason}" for b in breaches)
        super().__init__(
            f"Internal error: the {source} proposed the panel {', '.join(members)} for dispute {dispute_id}, "
            f"but the rule checker finds it breaks a hard rule ({reasons}). The panel was withheld; "
            "please report this."
        )


def recheck(view: DisputeView, members: Sequence[Mediator], chair: Mediator, source: str) -> None:
    """Raise ``InternalDisagreement`` if the checker finds any breach in this panel (``source`` names
    the part of the library that proposed it)."""
    breaches = panel_breaches(view, members, chair)
    if breaches:
        ids = [m.mediator_id for m in members]
        raise InternalDisagreement(view.dispute.dispute_id, ids, breaches, source)


def recheck_loads(panels: Iterable[tuple[DisputeView, Sequence[Mediator]]], source: str) -> None:
    """Raise ``InternalDisagreement`` if panels assigned together give a mediator more cases than
    their capacity: each later seat is checked as if the earlier ones were recorded appointments."""
    seen: Counter[str] = Counter()
    for view, members in panels:
        for m in members:
            earlier = seen[m.mediator_id]
            if earlier:
                load = view.extra_load.get(m.mediator_id, 0) + earlier
                loaded = replace(view, extra_load={**view.extra_load, m.mediator_id: load})
                breaches = [b for b in mediator_breaches(loaded, m) if b.rule == "H3"]
                if breaches:
                    ids = [p.mediator_id for p in members]
                    raise InternalDisagreement(view.dispute.dispute_id, ids, breaches, source)
            seen[m.mediator_id] += 1
