"""The hard rules H1-H8: their ids and plain sentences, and the checker.

The checker answers "does this panel break a rule, which, and why" without a solver, one
mediator and one panel at a time. It is the plain, independent reference: the library decides
with the kernel's arrays (``matching.rules.kernel``), the tests compare the two, and every panel
that leaves the library is re-checked here at run time (``matching.rules.recheck``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from matching.core.domain import Conflict, ConflictCategory, Dataset, Dispute, Mediator, NationalityRule, UNGroup
from matching.io.countries import CountryTable
from matching.io.rulesets import RuleSet


@dataclass(frozen=True)
class HardRule:
    id: str
    title: str
    sentence: str


HARD_RULES: dict[str, HardRule] = {
    r.id: r
    for r in (
        HardRule(
            "H1",
            "party nationality",
            "No member holds a nationality of a party (unless the nationality rule allows it); the chair never does.",
        ),
        HardRule(
            "H2",
            "conflicts of interest",
            "No member has a non-waivable red conflict, or a waivable red conflict that the parties have not all waived.",
        ),
        HardRule("H3", "capacity", "Every member is available and has room for one more case under their maximum."),
        HardRule("H4", "language", "Every working language is spoken by a member, and the chair speaks the first one."),
        HardRule(
            "H5",
            "composition",
            "No two members share a nationality; panels of 3 or more cover at least 2 legal traditions and 2 UN regional groups.",
        ),
        HardRule("H6", "list procedure", "No member was struck by a party."),
        HardRule("H7", "disclosure", "Every member has a current signed declaration of independence."),
        HardRule(
            "H8",
            "lean cap",
            "The panel's bloc alignment with any party exceeds its alignment with any other party by at most the "
            "lean cap (only when a cap is set).",
        ),
    )
}
ELIGIBILITY_RULES = ("H1", "H2", "H3", "H6", "H7")


@dataclass(frozen=True)
class Breach:
    """One hard rule broken, by one mediator or by the panel as a whole."""

    rule: str
    reason: str
    mediator_id: str | None = None


@dataclass(frozen=True)
class DisputeView:
    """Everything the rules and scores need to know about one dispute, gathered once."""

    dispute: Dispute
    rule_set: RuleSet
    countries: CountryTable
    conflicts: Mapping[str, Conflict] = field(default_factory=dict)
    struck_by: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    ranks: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    extra_load: Mapping[str, int] = field(default_factory=dict)

    @property
    def nationality_rule(self) -> NationalityRule:
        return self.dispute.nationality_rule or self.rule_set.nationality_rule

    @property
    def composition_applies(self) -> bool:
        return self.dispute.panel_size >= self.rule_set.min_size_for_composition

    @property
    def max_lean(self) -> int | None:
        """The lean cap H8 (``None``: off); it binds only disputes with two or more parties."""
        return self.rule_set.max_lean

    @property
    def max_co_nationals(self) -> int:
        """How many members may hold a party nationality under the dispute's nationality rule."""
        k = self.dispute.panel_size
        if self.nationality_rule is NationalityRule.STRICT:
            return 0
        if self.nationality_rule is NationalityRule.MAJORITY:
            return (k - 1) // 2
        return k - 1  # consent: all but the chair

    def party_nationals(self, m: Mediator) -> list[str]:
        return [n for n in m.nationalities if n in self.dispute.parties]

    def un_group(self, m: Mediator) -> UNGroup:
        return self.countries[m.effective_nationality].un_group

    def remaining_capacity(self, m: Mediator) -> int:
        return m.max_cases - m.active_cases - self.extra_load.get(m.mediator_id, 0)


def dispute_view(
    data: Dataset,
    dispute: Dispute,
    rule_set: RuleSet,
    countries: CountryTable,
    extra_load: Mapping[str, int] | None = None,
) -> DisputeView:
    conflicts = {c.mediator_id: c for c in data.conflicts if c.dispute_id == dispute.dispute_id}
    struck: dict[str, list[str]] = defaultdict(list)
    ranks: dict[str, dict[str, int]] = defaultdict(dict)
    for p in data.preferences:
        if p.dispute_id != dispute.dispute_id:
            continue
        if p.struck:
            struck[p.mediator_id].append(p.party)
        elif p.rank is not None:
            ranks[p.party][p.mediator_id] = p.rank
    return DisputeView(
        dispute=dispute,
        rule_set=rule_set,
        countries=countries,
        conflicts=conflicts,
        struck_by={k: tuple(v) for k, v in struck.items()},
        ranks={k: dict(v) for k, v in ranks.items()},
        extra_load=dict(extra_load or {}),
    )


def mediator_breaches(view: DisputeView, m: Mediator) -> list[Breach]:
    """Rules a mediator breaks for this dispute on their own, whoever else sits (H1-H3, H6, H7)."""
    out: list[Breach] = []
    mid = m.mediator_id
    shared = view.party_nationals(m)
    if shared and view.nationality_rule is NationalityRule.STRICT:
        out.append(Breach("H1", f"holds the nationality of party {', '.join(shared)}", mid))
    conflict = view.conflicts.get(mid)
    if conflict is not None:
        if conflict.category is ConflictCategory.NON_WAIVABLE_RED:
            out.append(Breach("H2", f"has a non-waivable red conflict ({conflict.note or 'no note'})", mid))
        elif conflict.category is ConflictCategory.WAIVABLE_RED and not conflict.waived:
            out.append(
                Breach(
                    "H2", f"has a waivable red conflict not waived by every party ({conflict.note or 'no note'})", mid
                )
            )
    if not m.available:
        out.append(Breach("H3", "is not available", mid))
    elif view.remaining_capacity(m) < 1:
        out.append(Breach("H3", f"is at full capacity ({m.max_cases} cases)", mid))
    if view.rule_set.honour_strikes and mid in view.struck_by:
        out.append(Breach("H6", f"was struck by {', '.join(view.struck_by[mid])}", mid))
    if view.rule_set.require_declaration and not m.declaration_signed:
        out.append(Breach("H7", "has no current signed declaration of independence", mid))
    return out


def chair_breaches(view: DisputeView, m: Mediator) -> list[Breach]:
    """Rules a mediator breaks as chair, beyond those as a member."""
    out: list[Breach] = []
    shared = view.party_nationals(m)
    if shared:
        out.append(Breach("H1", f"cannot chair: holds the nationality of party {', '.join(shared)}", m.mediator_id))
    if view.dispute.working_language not in m.languages:
        out.append(
            Breach(
                "H4",
                f"cannot chair: does not speak the working language {view.dispute.working_language}",
                m.mediator_id,
            )
        )
    return out


def composition_breaches(view: DisputeView, members: Sequence[Mediator], chair: Mediator | None) -> list[Breach]:
    """Rules only a whole panel can break (size, chair, co-nationals, languages, H5)."""
    return [
        *_listing_breaches(view, members, chair),
        *_co_national_breaches(view, members),
        *_language_breaches(view, members),
        *_shared_nationality_breaches(members),
        *_diversity_breaches(view, members),
        *lean_breaches(view, members),
    ]


def _listing_breaches(view: DisputeView, members: Sequence[Mediator], chair: Mediator | None) -> list[Breach]:
    """The panel as listed (H5, H4): no mediator twice, as many members as the dispute needs, a chair among them."""
    out: list[Breach] = []
    k = view.dispute.panel_size
    ids = [m.mediator_id for m in members]
    if len(set(ids)) != len(ids):
        out.append(Breach("H5", "the same mediator is listed twice"))
    if len(members) != k:
        out.append(Breach("H5", f"the panel has {len(members)} members; this dispute needs {k}"))
    if chair is None or chair.mediator_id not in ids:
        out.append(Breach("H4", "the panel has no chair among its members"))
    return out


def _co_national_breaches(view: DisputeView, members: Sequence[Mediator]) -> list[Breach]:
    """H1 for the panel: no more members holding a party nationality than the nationality rule
    allows (under the strict rule each such member breaks H1 on their own)."""
    co_nationals = [m for m in members if view.party_nationals(m)]
    if view.nationality_rule is NationalityRule.STRICT or len(co_nationals) <= view.max_co_nationals:
        return []
    return [
        Breach(
            "H1",
            f"{len(co_nationals)} members hold a party nationality; the {view.nationality_rule.value} "
            f"rule allows at most {view.max_co_nationals}",
        )
    ]


def _language_breaches(view: DisputeView, members: Sequence[Mediator]) -> list[Breach]:
    """H4 for the panel: every working language is spoken by a member."""
    out: list[Breach] = []
    for lang in view.dispute.languages:
        if not any(lang in m.languages for m in members):
            out.append(Breach("H4", f"no member speaks the working language {lang}"))
    return out


def _shared_nationality_breaches(members: Sequence[Mediator]) -> list[Breach]:
    """H5: no two members share a nationality (by nationality, alphabetically)."""
    holders: dict[str, list[str]] = defaultdict(list)
    for m in members:
        for n in set(m.nationalities):
            holders[n].append(m.mediator_id)
    out: list[Breach] = []
    for nationality, who in sorted(holders.items()):
        if len(who) > 1:
            out.append(Breach("H5", f"{' and '.join(who)} share the nationality {nationality}"))
    return out


def _diversity_breaches(view: DisputeView, members: Sequence[Mediator]) -> list[Breach]:
    """H5 where the composition rule applies (panels large enough): enough legal traditions and UN regional groups."""
    if not view.composition_applies or not members:
        return []
    out: list[Breach] = []
    traditions = set().union(*(m.legal_traditions for m in members))
    if len(traditions) < view.rule_set.min_traditions:
        out.append(
            Breach(
                "H5",
                f"the members cover {len(traditions)} legal tradition(s); at least {view.rule_set.min_traditions} needed",
            )
        )
    groups = {view.un_group(m) for m in members}
    if len(groups) < view.rule_set.min_un_groups:
        out.append(
            Breach(
                "H5",
                f"the members come from {len(groups)} UN regional group(s); at least {view.rule_set.min_un_groups} needed",
            )
        )
    return out


def party_alignment(view: DisputeView, members: Sequence[Mediator]) -> dict[str, int]:
    """The panel's alignment with each party: per member, the blocs the party shares with any of the
    member's nationalities, summed over the members."""
    out: dict[str, int] = {}
    for party in view.dispute.parties:
        party_blocs = view.countries[party].blocs
        out[party] = sum(
            len(party_blocs & set().union(*(view.countries[n].blocs for n in m.nationalities))) for m in members
        )
    return out


def rule_sentence(view: DisputeView, rule: HardRule) -> str:
    """The rule's sentence for this dispute: for H8, the cap in force, or that no cap is set."""
    if rule.id != "H8":
        return rule.sentence
    if view.max_lean is None:
        return "No lean cap is set (max_lean), so this rule does not apply."
    return f"The panel's bloc alignment with any party exceeds its alignment with any other party by at most {view.max_lean}."


def lean_breaches(view: DisputeView, members: Sequence[Mediator]) -> list[Breach]:
    """H8 when a lean cap is set: the panel's alignment with the party it is closest to less its
    alignment with the party it is furthest from is at most the cap."""
    cap = view.max_lean
    if cap is None or len(view.dispute.parties) < 2 or not members:
        return []
    alignment = party_alignment(view, members)
    high = max(alignment, key=lambda p: (alignment[p], p))
    low = min(alignment, key=lambda p: (alignment[p], p))
    lean = alignment[high] - alignment[low]
    if lean <= cap:
        return []
    return [
        Breach(
            "H8",
            f"the members share {alignment[high]} bloc membership(s) with {high} and {alignment[low]} with {low}: "
            f"a lean of {lean}, above the cap of {cap}",
        )
    ]


def panel_breaches(view: DisputeView, members: Sequence[Mediator], chair: Mediator | None) -> list[Breach]:
    """Every hard rule the panel breaks; an empty list means the panel may be proposed."""
    out: list[Breach] = []
    for m in members:
        out.extend(mediator_breaches(view, m))
    if chair is not None and chair.mediator_id in {m.mediator_id for m in members}:
        out.extend(chair_breaches(view, chair))
    out.extend(composition_breaches(view, members, chair))
    return out


def rule_ids(breaches: Iterable[Breach]) -> list[str]:
    return sorted({b.rule for b in breaches})
