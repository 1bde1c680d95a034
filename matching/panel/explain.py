"""Plain-language explanations: what each panel discloses and why it was proposed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from matching.core.domain import ConflictCategory
from matching.core.labels import subject_name
from matching.io.results import Disclosure
from matching.io.rulesets import COMPONENTS
from matching.rules.checker import DisputeView
from matching.rules.encoding import PanelInstance
from matching.rules.scoring import OBJECTIVE_SCALE, SCORE_SCALE, Scores


def disclosures(view: DisputeView, inst: PanelInstance, members: Sequence[int]) -> list[Disclosure]:
    """Orange conflicts, and repeat appointments by a party within the history window."""
    out: list[Disclosure] = []
    years = view.rule_set.history_years
    for i in members:
        m = inst.mediators[i]
        conflict = view.conflicts.get(m.mediator_id)
        if conflict is not None and conflict.category is ConflictCategory.ORANGE:
            out.append(Disclosure(m.mediator_id, "orange", conflict.note or "orange-list circumstance"))
        for party in inst.repeat_parties[i]:
            out.append(
                Disclosure(
                    m.mediator_id,
                    "orange",
                    f"already appointed by {party} within the last {years} years (IBA Orange List: repeat appointment)",
                )
            )
    return out


GENDER_WORDS = {"F": ("woman", "women"), "M": ("man", "men"), "X": ("non-binary member", "non-binary members")}
UNSTATED = ("member of unstated gender", "members of unstated gender")


def _name(inst: PanelInstance, i: int) -> str:
    m = inst.mediators[i]
    return f"{m.name} ({'/'.join(m.nationalities)})"


def why(
    view: DisputeView,
    inst: PanelInstance,
    members: Sequence[int],
    chair: int,
    scores: Scores,
    best: Scores | None,
    rank: int,
    proven: bool,
) -> list[str]:
    """A few sentences: the chair, the mix, the balance, the trade-off against the best panel."""
    d = view.dispute
    lines: list[str] = []
    chair_m = inst.mediators[chair]
    chair_line = f"Chair: {_name(inst, chair)}, {chair_m.years_experience} years' experience"
    if d.subject_areas:
        levels = ", ".join(f"{subject_name(s)} {chair_m.expertise.get(s, 0)}/5" for s in d.subject_areas)
        chair_line += f", expertise {levels}"
    language = view.countries.language_names.get(d.working_language, d.working_language)
    lines.append(chair_line + f"; speaks {language}, the working language, and holds no party nationality.")
    if rank == 1:
        n_excluded = len(inst.excluded)
        lines.append(
            ("Proven the best panel" if proven else "Best panel found within the time limit")
            + f" among {inst.n} eligible mediators ({n_excluded} excluded by the hard rules)."
        )
    if inst.k >= 2:
        traditions = sorted({t.value for i in members for t in inst.mediators[i].legal_traditions})
        groups = sorted({view.un_group(inst.mediators[i]).value.replace("_", " ") for i in members})
        genders = Counter(GENDER_WORDS.get(inst.mediators[i].gender or "", UNSTATED) for i in members)
        gender_text = ", ".join(f"{n} {words[0] if n == 1 else words[1]}" for words, n in sorted(genders.items()))
        lines.append(
            f"Together they cover {len(traditions)} legal tradition(s) ({', '.join(traditions)}) and "
            f"{len(groups)} UN regional group(s) ({', '.join(groups)}); gender: {gender_text}."
        )
    per_party = inst.alignment[list(members)].sum(axis=0)
    parts = ", ".join(f"{p} {int(a)}" for p, a in zip(inst.parties, per_party, strict=True))
    spread = int(per_party.max() - per_party.min()) if len(per_party) else 0
    balance = (
        "equal across the parties"
        if spread == 0
        else f"leaning by {spread} towards {inst.parties[int(per_party.argmax())]}"
    )
    if inst.max_lean is not None and len(inst.parties) >= 2:
        balance += f"; the lean cap H8 allows at most {inst.max_lean}"
    lines.append(f"Shared bloc memberships with each party: {parts} ({balance}).")
    ranked = []
    for p in inst.ranking_parties:
        ranks = view.ranks.get(p, {})
        hits = [
            f"{inst.mediators[i].mediator_id} #{ranks[inst.mediators[i].mediator_id]}"
            for i in members
            if inst.mediators[i].mediator_id in ranks
        ]
        if hits:
            ranked.append(f"{p} ranked {', '.join(hits)}")
    if ranked:
        lines.append("Party preferences: " + "; ".join(ranked) + ".")
    if best is not None and rank > 1:
        lines.append(tradeoff_sentence(inst, scores, best))
    return lines


def tradeoff_sentence(inst: PanelInstance, scores: Scores, best: Scores) -> str:
    """Where this panel loses and gains against the best one, in points of the total score (the objective)."""
    drop = (best.objective_int - scores.objective_int) / OBJECTIVE_SCALE
    deltas = {c: inst.weights[c] * (getattr(scores, c) - getattr(best, c)) / OBJECTIVE_SCALE for c in COMPONENTS}
    deltas["orange conflicts"] = (
        -inst.orange_weight * (scores.orange_members - best.orange_members) * SCORE_SCALE / OBJECTIVE_SCALE
    )
    losses = sorted(((v, c) for c, v in deltas.items() if v < -5e-5))
    gains = sorted(((v, c) for c, v in deltas.items() if v > 5e-5), reverse=True)
    text = f"Total score {drop:.4f} below the best panel's"
    if losses:
        text += ": gives up " + ", ".join(f"{c} ({v:+.4f})" for v, c in losses)
    if gains:
        text += "; gains " + ", ".join(f"{c} ({v:+.4f})" for v, c in gains)
    return text + "."
