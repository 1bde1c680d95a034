"""Score components, each on a 0..1 scale, and the objective built from them.

Definitions (k = panel size, P = number of parties):

* expertise: each member's fit is ``(1 - text_share) * subject + text_share * text``, where
  subject is the mean over the dispute's subjects of level/5 and text is the TF-IDF similarity
  of profile and description (rescaled so the roster's best is 1). The panel's expertise is
  the mean fit over the k members plus the chair, so the chair counts twice (k + 1 shares).
* diversity (panels of 2 or more; 0 for a sole mediator): one third each for legal
  traditions covered (of 4), UN regional groups covered (of min(k, 5)) and gender balance
  (min(women, men) / floor(k / 2)).
* neutrality: a member's alignment with a party is the number of blocs that any of the
  member's nationalities shares with the party. With A_p the panel's total alignment with
  party p and B the largest bloc count among the parties, neutrality is
  ``1 - mean_p(A_p) / (3kB) - 2 (max_p A_p - min_p A_p) / (3kB)``: low alignment counts a
  third, equal alignment across the parties two thirds.
* workload: mean over members of ``1 - min(recent, busy) / busy`` (recent = cases in the
  history window), halved for a member already appointed by one of the parties in the window
  (a second appointment would be on the IBA Orange List).
* preference (only parties that ranked names count): a ranked name's utility for party p is
  ``(n_p + 1 - rank) / n_p``; S_p is the panel's mean utility for p. Preference is
  ``(min_p S_p + mean_p S_p) / 2``, so better ranks count and so does balance between parties.
* objective: ``sum of weight * component - orange_penalty * (members with an orange conflict)``.

Every component is computed as an integer on the scale ``SCORE_SCALE`` with the same rounded
per-mediator coefficients that the CP-SAT model uses, and weights are taken in hundredths
(``WEIGHT_SCALE``), so the checker and the solver compute the very same objective.
"""

from __future__ import annotations

from dataclasses import dataclass

SCORE_SCALE = 10_000
WEIGHT_SCALE = 100
OBJECTIVE_SCALE = SCORE_SCALE * WEIGHT_SCALE
REPEAT_FACTOR = 0.5
CHAIR_SHARES = 1  # the chair's fit counts once more in expertise


def int_weight(weight: float) -> int:
    return round(weight * WEIGHT_SCALE)


@dataclass(frozen=True)
class Scores:
    """A panel's score components as integers on ``SCORE_SCALE`` and its objective."""

    expertise: int
    diversity: int
    neutrality: int
    workload: int
    preference: int
    orange_members: int
    objective_int: int

    @property
    def objective(self) -> float:
        return self.objective_int / OBJECTIVE_SCALE

    def components(self) -> dict[str, float]:
        return {
            "expertise": self.expertise / SCORE_SCALE,
            "diversity": self.diversity / SCORE_SCALE,
            "neutrality": self.neutrality / SCORE_SCALE,
            "workload": self.workload / SCORE_SCALE,
            "preference": self.preference / SCORE_SCALE,
        }


def subject_fit(expertise: dict[str, int], subjects: tuple[str, ...]) -> float:
    if not subjects:
        return 0.0
    return sum(expertise.get(s, 0) for s in subjects) / (5 * len(subjects))


def workload_fit(recent: int, busy: int, repeat: bool) -> float:
    base = 1 - min(recent, busy) / busy
    return base * (REPEAT_FACTOR if repeat else 1.0)


def rank_utility(rank: int, ranked: int) -> float:
    return max(0.0, min(1.0, (ranked + 1 - rank) / ranked))
