"""Why a dispute has no panel: a minimal set of rule families that together rule out every panel,
and concrete suggestions to lift it.

The diagnosis encodes every mediator (eligible or not), then asks CP-SAT whether a panel exists
with some rule families switched off. A deletion filter over the families (H1-H7 and the
registrar's locks) leaves a minimal set: switching off any one of them makes a panel possible.
The lean cap H8 is a family only when a cap is set; when it is in the set, the least lean panel
the other rules of the set allow is found, so that the suggestion names the cap that would do.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from matching.core.config import Locks, SolveConfig
from matching.core.status import Status
from matching.panel.model import PanelModel
from matching.rules.checker import HARD_RULES, DisputeView
from matching.rules.encoding import PanelInstance, encode
from matching.rules.kernel import chair_mask, lean_cap
from matching.rules.workspace import Workspace

LOCKS = "locks"
LEAN = "H8"
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


def _thin(inst: PanelInstance, idx: list[int], protected: set[int]) -> list[int]:
    """At most ``k`` mediators of each kind the panel rules can tell apart (same nationalities,
    working languages spoken, legal traditions, regional group and party nationality), plus the
    locked ones: a panel exists among ``idx`` exactly when one exists among these, since a panel
    holds at most ``k`` of any kind and mediators of one kind can stand in for each other."""
    kept: dict[tuple[object, ...], int] = {}
    out = []
    for i in idx:
        key = (
            frozenset(inst.mediators[i].nationalities),
            inst.speaks[i].tobytes(),
            inst.traditions[i].tobytes(),
            int(inst.group[i]),
            bool(inst.co_national[i]),
        )
        kept[key] = kept.get(key, 0) + 1
        if kept[key] <= inst.k or i in protected:
            out.append(i)
    return out


def panel_exists(inst: PanelInstance, active: frozenset[str], locks: Locks, config: SolveConfig) -> Status:
    """Whether a panel keeps the ``active`` rule families: ``feasible``, ``infeasible``, or ``timeout``
    when the solver could not tell within its budget (never to be read as "no panel")."""
    idx = _allowed(inst, active, locks)
    if len(idx) < inst.k:
        return Status.INFEASIBLE
    applied = locks if LOCKS in active else Locks()
    relaxed = frozenset(HARD_RULES) - active
    if not relaxed.symmetric_difference(HARD_RULES) and not applied.any:
        return Status.FEASIBLE  # no rule left: any k mediators make a panel
    by_id = {m.mediator_id: i for i, m in enumerate(inst.mediators)}
    protected = {by_id[mid] for mid in (*applied.include, applied.chair) if mid is not None and mid in by_id}
    idx = _thin(inst, idx, protected)
    model = PanelModel(inst, idx, applied, relaxed=relaxed, chair_ok=chair_mask(inst.co_national, inst.speaks, active))
    return model.feasibility(config)


def diagnose(
    ws: Workspace, view: DisputeView, locks: Locks | None = None, config: SolveConfig | None = None
) -> Diagnosis:
    """A minimal set of rule families that together leave no panel, with suggestions.

    When the solver cannot decide whether some relaxation admits a panel, the diagnosis says so
    plainly instead of naming rules it could not confirm."""
    locks = locks or Locks()
    config = config or SolveConfig()
    inst = encode(ws, view, include_ineligible=True)
    families = [f for f in FAMILIES if (f != LOCKS or locks.any) and (f != LEAN or lean_cap(inst) is not None)]
    active = frozenset(families)
    everything = panel_exists(inst, active, locks, config)
    if everything is Status.FEASIBLE:
        return Diagnosis([], ["A panel exists under every rule; the solver ran out of time. Raise the time limit."])
    if everything is Status.TIMEOUT:
        return Diagnosis([], [_UNDECIDED])
    if panel_exists(inst, frozenset(), locks, config) is Status.INFEASIBLE:
        return Diagnosis(
            [],
            [
                f"The roster has fewer than {inst.k} mediators in all; a panel of {inst.k} cannot be formed. Reduce the panel size or add mediators."
            ],
        )
    core = set(active)
    undecided = False
    for family in families:
        trial = panel_exists(inst, frozenset(core - {family}), locks, config)
        if trial is Status.INFEASIBLE:
            core.discard(family)  # not needed to explain the infeasibility
        undecided |= trial is Status.TIMEOUT
    conflicting = [f for f in FAMILIES if f in core]
    notes = suggestions(ws, view, inst, conflicting, locks)
    if LEAN in conflicting:
        notes.append(_lean_suggestion(inst, [active, frozenset(core)], locks, config))
    if undecided:
        notes.append(
            "The solver could not decide every check within its time limit, so this set of rules may be larger "
            "than needed; raise the time limit for a sharper diagnosis."
        )
    return Diagnosis(conflicting, notes)


def least_lean(inst: PanelInstance, active: frozenset[str], locks: Locks, config: SolveConfig) -> int | None:
    """The smallest lean of any panel keeping the ``active`` families other than H8 (``None``: no
    panel, or none found within the budget)."""
    idx = _allowed(inst, active, locks)
    if len(idx) < inst.k:
        return None
    applied = locks if LOCKS in active else Locks()
    relaxed = (frozenset(HARD_RULES) - active) | {LEAN}
    model = PanelModel(
        inst,
        idx,
        applied,
        relaxed=relaxed,
        chair_ok=chair_mask(inst.co_national, inst.speaks, active),
        objective=lambda v: -v.lean,
    )
    status, sol, objective, _ = model.solve(config)
    if sol is None or objective is None or status is not Status.OPTIMAL:
        return None
    return -objective


def _lean_suggestion(inst: PanelInstance, tries: list[frozenset[str]], locks: Locks, config: SolveConfig) -> str:
    """H8: the cap in force, and the cap the least lean panel would need: under every other rule when
    a panel keeps them all, otherwise under the other rules of the minimal set."""
    cap = inst.max_lean
    needed = None
    for active in tries:
        needed = least_lean(inst, active, locks, config)
        if needed is not None:
            break
    if needed is None:
        return (
            f"Raise or lift the lean cap (now {cap}): with it no panel exists; the smallest cap that would do could "
            "not be worked out within the time limit."
        )
    return (
        f"Raise the lean cap from {cap} to {needed}, or lift it: the most even panel the other rules allow still "
        f"shares {needed} more bloc membership(s) with one party than with another."
    )


_UNDECIDED = (
    "No panel was found, but the solver could not isolate the rules that leave none within its time limit. "
    "Raise the time limit and try again."
)


#: The suggestion for a rule family that excludes mediators on its own; ``{count}`` is how many it alone excludes.
_ONLY_RULE_SUGGESTIONS: dict[str, str] = {
    "H1": "Ask the parties to consent to co-nationals (nationality rule 'consent') or apply the 'majority' rule: "
    "{count} mediator(s) are excluded only because they hold a party nationality.",
    "H2": "Seek written waivers of waivable red conflicts: {count} mediator(s) are excluded only by a conflict.",
    "H3": "Free capacity: {count} mediator(s) are excluded only because they are unavailable or at their maximum caseload.",
    "H6": "Ask the parties to reconsider their strikes: {count} mediator(s) are excluded only because they were struck.",
    "H7": "Obtain signed declarations of independence: {count} mediator(s) lack only that.",
}


def suggestions(ws: Workspace, view: DisputeView, inst: PanelInstance, core: list[str], locks: Locks) -> list[str]:
    """Plain sentences, one or more per rule family in the core."""
    only_rule = _excluded_by_one_rule(inst)
    eligible = [i for i, m in enumerate(inst.mediators) if m.mediator_id not in inst.excluded]
    out: list[str] = []
    for rule in core:
        if rule in _ONLY_RULE_SUGGESTIONS:
            out.append(_ONLY_RULE_SUGGESTIONS[rule].format(count=only_rule[rule]))
        elif rule == "H4":
            out += _language_suggestions(ws, view, inst, eligible)
        elif rule == "H5":
            out.append(_composition_suggestion(view, inst, eligible))
        elif rule == LOCKS:
            names = sorted(locks.include | ({locks.chair} if locks.chair else set()))
            out.append(
                f"Release the locks ({', '.join(names) or 'exclusions'}): no panel keeps every rule with them in place."
            )
    return out


def _excluded_by_one_rule(inst: PanelInstance) -> Counter[str]:
    """Per rule family, how many mediators it alone excludes (they break no other rule)."""
    only_rule: Counter[str] = Counter()
    for breaches in inst.excluded.values():
        rules = {b.rule for b in breaches}
        if len(rules) == 1:
            only_rule[rules.pop()] += 1
    return only_rule


def _language_suggestions(ws: Workspace, view: DisputeView, inst: PanelInstance, eligible: list[int]) -> list[str]:
    """H4: each working language no eligible mediator speaks, then how many eligible mediators can chair."""
    d = view.dispute
    out: list[str] = []
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
    return out


def _composition_suggestion(view: DisputeView, inst: PanelInstance, eligible: list[int]) -> str:
    """H5: how varied the eligible mediators are, against what the panel needs."""
    d = view.dispute
    groups = sorted({str(view.un_group(inst.mediators[i]).value) for i in eligible})
    nats = len({inst.mediators[i].effective_nationality for i in eligible})
    return (
        f"Widen the roster: eligible mediators hold {nats} nationalities and come from {len(groups)} UN regional group(s) "
        f"({', '.join(groups) or 'none'}); a panel of {d.panel_size} needs distinct nationalities"
        + (", 2 legal traditions and 2 regional groups." if view.composition_applies else ".")
        + " A smaller panel may also be possible."
    )
