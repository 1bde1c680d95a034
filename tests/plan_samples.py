"""A small hand-made ``Plan`` (two simulated years before and after, one recruit), for the planner's output tests."""

from __future__ import annotations

from matching.io.results import rule_set_record
from matching.io.rulesets import load_rule_set
from matching.plan.model import (
    OverSupplied,
    Plan,
    Profile,
    Recruit,
    Scarce,
    Simulation,
    Unstaffed,
    YearFigures,
)


def year(number: int, staffed: int, *, lean: float = 2.0, unstaffed: tuple[Unstaffed, ...] = ()) -> YearFigures:
    return YearFigures(
        year=number,
        disputes=10,
        staffed=staffed,
        staffed_share=staffed / 10,
        expertise_kept=0.95 - 0.01 * number,
        largest_state="CHN",
        largest_state_share=0.06,
        host_share=0.061,
        funder_share=0.05,
        largest_group="asia_pacific",
        largest_group_share=0.3,
        top15_share=0.4,
        women_share=0.45,
        mean_lean=0.5,
        worst_lean=lean,
        objective=12.5,
        bound=12.75,
        gap=0.0196,
        seconds=1.25,
        unstaffed=unstaffed,
    )


def blocked(number: int, index: int, rules: tuple[str, ...] = ("H4",)) -> Unstaffed:
    return Unstaffed(
        year=number,
        dispute_id=f"Y{number:02d}-D{index:04d}",
        kind="inter-state",
        parties=("EGY", "SAU"),
        languages=("ar", "en"),
        subjects=("trade",),
        panel_size=3,
        rules=rules,
        reason="Nobody on the roster speaks Arabic <and> can chair.",
    )


ARABIC = Profile(
    un_group="asia_pacific",
    nationality=None,
    languages=("ar", "en"),
    legal_tradition="islamic",
    subjects=("trade",),
    gender=None,
    chair_eligible=True,
)


def sample_plan(*, after: bool = True) -> Plan:
    before = Simulation(
        "before",
        (
            year(1, 8, unstaffed=(blocked(1, 3), blocked(1, 7, ("H4", "capacity")))),
            year(2, 9, lean=3.0, unstaffed=(blocked(2, 2, ("max_state_share",)),)),
        ),
    )
    return Plan(
        settings={
            "years": 2,
            "seed": 7,
            "scenario": {"years": 2, "disputes_per_year": 10, "growth": 0.05, "languages": {"en": 0.7, "ar": 0.3}},
            "quotas": {
                "max_per_mediator": None,
                "max_state_share": 0.05,
                "max_group_share": None,
                "min_women_share": None,
                "max_same_party": None,
            },
            "rule_set": rule_set_record(load_rule_set("iomed")),
            "inputs_sha256": {"mediators.csv": "ab" * 32, "disputes.csv": "cd" * 32},
            "solver": "cp-sat 9.12.4544",
            "executor": "this process",
            "verify": after,
        },
        before=before,
        recruits=(Recruit(ARABIC, 3, 4, "A third of the disputes need Arabic and nobody speaks it."),),
        after=Simulation("after", (year(1, 10, lean=1.0), year(2, 10, lean=1.0))) if after else None,
        scarce=(Scarce("M0007", "=SUM(1+1) Ada", 3.5, 2, "The only speaker of Mongolian."),),
        oversupplied=(
            OverSupplied("a man of the WEOG group, common law", 40, 1.5, "Forty of them, 1.5 seats a year."),
        ),
        notes=("A note for the reader.",),
    )
