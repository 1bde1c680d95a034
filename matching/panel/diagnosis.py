"""Why a dispute has no panel: a minimal set of rule families that together rule out every panel,
and concrete suggestions to lift it.

The diagnosis encodes every mediator (eligible or not), then asks CP-SAT whether a panel exists
with some rule families switched off. A deletion filter over the families (H1-H7 and the
registrar's locks) leaves a minimal set: switching off any one of them makes a panel possible.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from matching.core.config import Locks, SolveConfig
from matching.core.status import Status
from matching.panel.model import PanelModel
from matching.rules.checker import HARD_RULES, DisputeView
from matching.rules.encoding import PanelInstance, encode
from matching.rules.workspace import Workspace

LOCKS = "locks"
FAMILIES = (*HARD_RULES, LOCKS)


@dataclass(frozen=True)
class Diagnosis:
    conflicting_rules: list[str]
    suggestions: list[str]

    def as_dict(self) -> dict[str, list[str]]:
        return {"conflicting_rules": self.conflicting_rules, "suggestions": self.suggestions}


def _allowed(inst: PanelInstance, active: frozenset[str], locks: Locks) -> list[int]:
    out = []
    for i, m in enumerate(inst.mediators):
        breaches = inst.excluded.get(m.mediator_id, [])
        if any(b.rule in active for b in breaches):
            continue
        if LOCKS in active and m.mediator_id in locks.exclude:
            continue
        out.append(i)
    return out


def _chair_mask(inst: PanelInstance, active: frozenset[str]) -> np.ndarray:
    mask = np.ones(inst.n, dtype=bool)
    if "H1" in active:
        mask &= ~inst.co_national
    if "H4" in active and inst.languages:
        mask &= inst.speaks[:, 0]
    return mask


def panel_exists(inst: PanelInstance, active: frozenset[str], locks: Locks, config: SolveConfig) -> bool:
    idx = _allowed(inst, active, locks)
    if len(idx) < inst.k:
        return False
    applied = locks if LOCKS in active else Locks()
    relaxed = frozenset(HARD_RULES) - active
    model = PanelModel(inst, idx, applied, relaxed=relaxed, chair_ok=_chair_mask(inst, active))
    return model.feasibility(config) == Status.FEASIBLE


def diagnose(
    ws: Workspace, view: DisputeView, locks: Locks | None = None, config: SolveConfig | None = None
) -> Diagnosis:
    """A minimal set of rule families that together leave no panel, with suggestions."""
    locks = locks or Locks()
    config = config or SolveConfig()
    inst = encode(ws, view, include_ineligible=True)
    families = [f for f in FAMILIES if f != LOCKS or locks.any]
    active = frozenset(families)
    if panel_exists(inst, active, locks, config):
        return Diagnosis([], ["A panel exists under every rule; the solver ran out of time. Raise the time limit."])
    if not panel_exists(inst, frozenset(), locks, config):
        return Diagnosis(
            [],
            [
                f"The roster has fewer than {inst.k} mediators in all; a panel of {inst.k} cannot be formed. Reduce the panel size or add mediators."
            ],
        )
    core = set(active)
    for family in families:
        trial = frozenset(core - {family})
        if not panel_exists(inst, trial, locks, config):
            core.discard(family)  # not needed to explain the infeasibility
    conflicting = [f for f in FAMILIES if f in core]
    return Diagnosis(conflicting, suggestions(ws, view, inst, conflicting, locks))


def suggestions(ws: Workspace, view: DisputeView, inst: PanelInstance, core: list[str], locks: Locks) -> list[str]:
    """Plain sentences, one or more per rule family in the core."""
    d = view.dispute
    only_rule: Counter[str] = Counter()
    for breaches in inst.excluded.values():
        rules = {b.rule for b in breaches}
        if len(rules) == 1:
            only_rule[rules.pop()] += 1
    eligible = [i for i, m in enumerate(inst.mediators) if m.mediator_id not in inst.excluded]
    out: list[str] = []
    for rule in core:
        if rule == "H1":
            out.append(
                f"Ask the parties to consent to co-nationals (nationality rule 'consent') or apply the 'majority' rule: "
                f"{only_rule['H1']} mediator(s) are excluded only because they hold a party nationality."
            )
        elif rule == "H2":
            out.append(
                f"Seek written waivers of waivable red conflicts: {only_rule['H2']} mediator(s) are excluded only by a conflict."
            )
        elif rule == "H3":
            out.append(
                f"Free capacity: {only_rule['H3']} mediator(s) are excluded only because they are unavailable or at their maximum caseload."
            )
        elif rule == "H4":
            for col, lang in enumerate(d.languages):
                speakers = sum(1 for i in eligible if inst.speaks[i, col])
                name = ws.countries.language_names.get(lang, lang)
                if speakers == 0:
                    out.append(
                        f"Add a mediator who speaks {name} ({lang}), or drop it as a working language: no eligible mediator speaks it."
                    )
            chairs = sum(1 for i in eligible if inst.chair_ok[i])
            out.append(
                f"{chairs} eligible mediator(s) can chair (speak {d.working_language} and hold no party nationality); "
                "consider another first working language or add such mediators."
            )
        elif rule == "H5":
            groups = sorted({str(view.un_group(inst.mediators[i]).value) for i in eligible})
            nats = len({inst.mediators[i].effective_nationality for i in eligible})
            out.append(
                f"Widen the roster: eligible mediators hold {nats} nationalities and come from {len(groups)} UN regional group(s) "
                f"({', '.join(groups) or 'none'}); a panel of {d.panel_size} needs distinct nationalities"
                + (", 2 legal traditions and 2 regional groups." if view.composition_applies else ".")
                + " A smaller panel may also be possible."
            )
        elif rule == "H6":
            out.append(
                f"Ask the parties to reconsider their strikes: {only_rule['H6']} mediator(s) are excluded only because they were struck."
            )
        elif rule == "H7":
            out.append(f"Obtain signed declarations of independence: {only_rule['H7']} mediator(s) lack only that.")
        elif rule == LOCKS:
            names = sorted(locks.include | ({locks.chair} if locks.chair else set()))
            out.append(
                f"Release the locks ({', '.join(names) or 'exclusions'}): no panel keeps every rule with them in place."
            )
    return out
