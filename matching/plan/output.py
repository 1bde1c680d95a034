"""The plan as files: ``plan.json``, the CSV tables and one self-contained ``report.html``.

``plan_tables`` turns a ``Plan`` into the tables the command line writes as CSV (through the
project's one CSV writer, ``matching.reports.neutrality.table_text``) and the app shows;
``plan_files`` adds ``plan.json`` (``Plan.as_dict``, see docs/schemas/plan.schema.json) and the HTML
report, and ``write_plan`` writes them into a folder, all or none. The report is drawn by the
neutrality report's Jinja2 environment (autoescape, an undefined name is an error) from
``matching/reports/templates/plan.html.j2``, with the charts of ``matching.plan.charts`` rendered to
static SVG, so it holds no script and no external address. Every figure in it is explained in
plain words, and a rule that blocked a dispute is named with its meaning, never by its code alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path
from typing import Any

from matching.io.out_paths import write_folder
from matching.io.results import json_text
from matching.plan.charts import FIGURE_HELP, FIGURE_NAMES, LABEL_NAMES, band_charts, figure_text
from matching.plan.model import FIGURES, Plan, Profile, Simulation
from matching.reports.flags import pct
from matching.reports.neutrality import Cell, Table, table_files
from matching.rules.checker import HARD_RULES

TEMPLATE = "plan.html.j2"
PLAN_JSON = "plan.json"
REPORT_HTML = "report.html"
YEAR_EXTRAS = ("disputes", "staffed", "objective", "bound", "gap", "seconds")
PROFILE_FIELDS = tuple(f.name for f in fields(Profile))

# What blocked a dispute, beyond the hard rules H1-H7 (whose titles and sentences live in the checker).
OTHER_BLOCKS: dict[str, tuple[str, str]] = {
    "capacity": (
        "shared capacity",
        "Every mediator who could have sat on this panel was already at their maximum caseload that year.",
    ),
    "max_per_mediator": ("cases per mediator", "The cap on new cases per mediator in a year was reached."),
    "max_state_share": ("seats per state", "The cap on one state's share of the year's seats was reached."),
    "max_group_share": (
        "seats per UN regional group",
        "The cap on one UN regional group's share of the year's seats was reached.",
    ),
    "min_women_share": ("seats for women", "The floor on women's share of the year's seats could not be kept."),
    "max_same_party": (
        "panels with one party",
        "The cap on panels a mediator may sit on with the same party was reached.",
    ),
    "time_limit": (
        "search time",
        "No panel was found within the planning budget's search time; a longer search may staff it.",
    ),
}
QUOTA_WORDS = {
    "max_per_mediator": "at most {value} new cases per mediator in a year",
    "max_state_share": "at most {share} of a year's seats for nationals of one state",
    "max_group_share": "at most {share} of a year's seats for one UN regional group",
    "min_women_share": "at least {share} of a year's seats held by women",
    "max_same_party": "no mediator on more than {value} panels with the same party in a year",
}

# The columns of every CSV table, and what each holds: the report's appendix and docs/outputs.md say the same.
PLAN_CSV_SCHEMA: dict[str, dict[str, str]] = {
    "years": {
        "label": "before (the roster as it is) or after (with the recommended recruits).",
        "year": "The simulated year, 1 to the number of years.",
        **{
            name: FIGURE_HELP[name] + " (0 to 1)" if name.endswith(("share", "kept")) else FIGURE_HELP[name]
            for name in FIGURES
        },
        "disputes": "Disputes forecast for the year.",
        "staffed": "Of them, the disputes that got a panel.",
        "objective": "The total score of the year's panels (the batch objective).",
        "bound": "A proven ceiling on that total.",
        "gap": "How far the year's batch may at most be from the best possible, as a share of the bound (0 = proven best).",
        "seconds": "Time the year's batch took (varies from run to run; everything else does not).",
    },
    "bands": {
        "label": "before or after.",
        "figure": "The figure (a column of years.csv).",
        "low": "Its lowest value over the simulated years.",
        "median": "Its median over the simulated years: half the years at or below, half at or above.",
        "high": "Its highest value over the simulated years.",
    },
    "unstaffed": {
        "label": "before or after.",
        "year": "The simulated year.",
        "dispute_id": "The forecast dispute's id (Y03-D0001: year 3, dispute 1).",
        "kind": "Kind of dispute.",
        "parties": "The parties' countries (ISO 3166 alpha-3), ';'-separated.",
        "languages": "Working languages, first one first, ';'-separated.",
        "subjects": "Subject areas, ';'-separated.",
        "panel_size": "Members the panel needed.",
        "rules": "The rules that together left no panel: H1 to H7, capacity, a quota, or time_limit (no panel found "
        "within the search time); ';'-separated.",
        "blocked_by": "The same rules in words.",
        "reason": "Why, in plain words.",
    },
    "recruits": {
        "un_group": "UN regional group of the nationality to recruit.",
        "nationality": "A specific nationality (ISO 3166 alpha-3) when it matters; empty when any of the group will do.",
        "languages": "Languages the recruit speaks, ';'-separated.",
        "legal_tradition": "Legal tradition.",
        "subjects": "Subject areas of high expertise, ';'-separated.",
        "gender": "F or M when it matters; empty otherwise.",
        "chair_eligible": "true when the recruit should be able to chair (speaks the working languages where needed).",
        "label": "The profile in words.",
        "count": "How many mediators of this profile to recruit.",
        "covers": "Forecast seats a year, on average, that this profile makes possible.",
        "why": "Why this profile, in plain words.",
    },
    "scarce": {
        "mediator_id": "A current mediator the forecast leans on.",
        "name": "Their name.",
        "demand": "Seats a year the simulated years gave them, or would have given them.",
        "capacity": "Cases they may hold at once.",
        "why": "Why they are scarce, in plain words.",
    },
    "oversupplied": {
        "profile": "A kind of mediator, in words.",
        "mediators": "Mediators of that kind on the roster.",
        "seats_per_year": "Seats a year they got in the simulation, on average.",
        "why": "Why this is more than the forecast needs, in plain words.",
    },
}
TABLE_TITLES = {
    "years": "Each simulated year",
    "bands": "Each figure across the years: lowest, median, highest",
    "unstaffed": "Disputes left without a panel, and what blocked each",
    "recruits": "Mediators to recruit",
    "scarce": "Scarce mediators",
    "oversupplied": "Over-supplied profiles",
}


def profile_words(profile: Profile) -> str:
    """A profile to recruit in plain words, with names rather than codes (the group, languages, tradition)."""
    from matching.core.labels import subject_name
    from matching.io.countries import default_countries
    from matching.reports.neutrality import TRADITION_NAMES, UN_GROUP_NAMES

    countries = default_countries()
    group = UN_GROUP_NAMES.get(profile.un_group, profile.un_group.replace("_", " "))
    if profile.nationality:
        known = profile.nationality in countries
        who = f"a national of {countries[profile.nationality].name if known else profile.nationality}"
    else:
        who = f"a national of a state of the {group}"
    speaks = " and ".join(countries.language_names.get(code, code) for code in profile.languages)
    tradition = TRADITION_NAMES.get(profile.legal_tradition, profile.legal_tradition)
    gender = {"F": "a woman, ", "M": "a man, "}.get(profile.gender or "", "")
    chair = ", able to chair" if profile.chair_eligible else ""
    subjects = ", ".join(subject_name(s) for s in profile.subjects)
    return f"{gender}{who}, speaking {speaks}, {tradition.lower()} tradition, expert in {subjects}{chair}"


def _joined(values: Sequence[str]) -> str:
    return ";".join(values)


def rule_words(code: str) -> str:
    """A rule that blocked a dispute, in words: ``H4`` reads ``language: every working language is spoken …``."""
    if code in HARD_RULES:
        rule = HARD_RULES[code]
        return f"{rule.title} ({code}): {rule.sentence}"
    title, sentence = OTHER_BLOCKS.get(code, (code.replace("_", " "), ""))
    return f"{title}: {sentence}" if sentence else title


def blocked_words(codes: Sequence[str]) -> str:
    """Every rule that blocked a dispute, in words, one after the other."""
    return " ".join(rule_words(c) for c in codes) if codes else "no rule named"


def quota_words(quotas: Mapping[str, Any]) -> str:
    """The quotas of a plan's settings in words ("none" when no quota is set)."""
    parts = []
    for name, template in QUOTA_WORDS.items():
        value = quotas.get(name)
        if value is not None:
            parts.append(template.format(value=value, share=pct(float(value))))
    return "; ".join(parts) if parts else "none"


def _simulations(plan: Plan) -> list[Simulation]:
    return [s for s in (plan.before, plan.after) if s is not None]


def _years_table(plan: Plan) -> Table:
    columns = ("label", "year", *FIGURES, *YEAR_EXTRAS)
    rows: list[tuple[Cell, ...]] = []
    for sim in _simulations(plan):
        for y in sim.years:
            figures = tuple(y.figure(name) for name in FIGURES)
            rows.append((sim.label, y.year, *figures, y.disputes, y.staffed, y.objective, y.bound, y.gap, y.seconds))
    return Table("years", TABLE_TITLES["years"], columns, tuple(rows))


def _bands_table(plan: Plan) -> Table:
    rows = tuple(
        (sim.label, name, band.low, band.median, band.high)
        for sim in _simulations(plan)
        for name, band in sim.bands().items()
    )
    return Table("bands", TABLE_TITLES["bands"], tuple(PLAN_CSV_SCHEMA["bands"]), rows)


def _unstaffed_table(plan: Plan) -> Table:
    rows = tuple(
        (
            sim.label,
            u.year,
            u.dispute_id,
            u.kind,
            _joined(u.parties),
            _joined(u.languages),
            _joined(u.subjects),
            u.panel_size,
            _joined(u.rules),
            blocked_words(u.rules),
            u.reason,
        )
        for sim in _simulations(plan)
        for u in sim.unstaffed()
    )
    return Table("unstaffed", TABLE_TITLES["unstaffed"], tuple(PLAN_CSV_SCHEMA["unstaffed"]), rows)


def _profile_cells(profile: Profile) -> tuple[Cell, ...]:
    return (
        profile.un_group,
        profile.nationality,
        _joined(profile.languages),
        profile.legal_tradition,
        _joined(profile.subjects),
        profile.gender,
        profile.chair_eligible,
    )


def _recruits_table(plan: Plan) -> Table:
    rows = tuple((*_profile_cells(r.profile), r.profile.label(), r.count, r.covers, r.why) for r in plan.recruits)
    return Table("recruits", TABLE_TITLES["recruits"], (*PROFILE_FIELDS, "label", "count", "covers", "why"), rows)


def plan_tables(plan: Plan) -> list[Table]:
    """The plan's CSV tables, in the order the report shows them: years, bands, unstaffed, recruits, scarce,
    oversupplied (each ``Table`` carries its file stem, a title and its columns)."""
    scarce = tuple((s.mediator_id, s.name, s.demand, s.capacity, s.why) for s in plan.scarce)
    over = tuple((o.profile, o.mediators, o.seats_per_year, o.why) for o in plan.oversupplied)
    return [
        _years_table(plan),
        _bands_table(plan),
        _unstaffed_table(plan),
        _recruits_table(plan),
        Table("scarce", TABLE_TITLES["scarce"], tuple(PLAN_CSV_SCHEMA["scarce"]), scarce),
        Table("oversupplied", TABLE_TITLES["oversupplied"], tuple(PLAN_CSV_SCHEMA["oversupplied"]), over),
    ]


# --- headline figures --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Headline:
    """One headline figure before and after recruitment, as numbers and in words."""

    figure: str
    name: str
    meaning: str  # which value of the band is shown, and what the figure measures
    before: float | None
    after: float | None

    def text(self, value: float | None) -> str:
        return "—" if value is None else figure_text(self.figure, value)


# The headline figures and the point of their band shown: the typical year for what should be high,
# the worst year for the lean.
HEADLINES = (("staffed_share", "median"), ("expertise_kept", "median"), ("worst_lean", "high"))


def headlines(plan: Plan) -> list[Headline]:
    """Staffed share, expertise kept and worst lean, before and (when verified) after recruitment."""
    out = []
    for name, point in HEADLINES:

        def value(sim: Simulation | None, figure: str = name, which: str = point) -> float | None:
            if sim is None or not sim.years:
                return None
            return float(getattr(sim.bands()[figure], which))

        which = "median year" if point == "median" else "worst year"
        out.append(
            Headline(name, FIGURE_NAMES[name], f"{which}: {FIGURE_HELP[name]}", value(plan.before), value(plan.after))
        )
    return out


# --- the HTML report ---------------------------------------------------------------------------------


def _view(name: str, columns: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[bool]) -> Any:
    from matching.reports.html import TableView

    return TableView(name, tuple(columns), tuple(numeric), tuple(tuple(r) for r in rows))


def _comparison_view(plan: Plan) -> Any:
    """Figure by figure: the band before and after, side by side, in words and numbers."""
    before = plan.before.bands()
    after = plan.after.bands() if plan.after is not None else None
    rows = []
    for name in FIGURES:
        cells = [FIGURE_NAMES[name], FIGURE_HELP[name]]
        for bands in (before, after):
            if bands is None:
                cells += ["—", "—", "—"]
            else:
                b = bands[name]
                cells += [figure_text(name, b.low), figure_text(name, b.median), figure_text(name, b.high)]
        rows.append(cells)
    columns = [
        "figure",
        "what it measures",
        "before: lowest",
        "median",
        "highest",
        "after: lowest",
        "median",
        "highest",
    ]
    return _view("bands", columns, rows, [False, False, *[True] * 6])


def _years_view(plan: Plan) -> Any:
    shown = (
        "staffed_share",
        "expertise_kept",
        "largest_state_share",
        "largest_group_share",
        "women_share",
        "worst_lean",
    )
    rows = []
    for sim in _simulations(plan):
        for y in sim.years:
            rows.append(
                [
                    LABEL_NAMES.get(sim.label, sim.label),
                    str(y.year),
                    f"{y.staffed} of {y.disputes}",
                    *(figure_text(n, y.figure(n)) for n in shown),
                    f"{y.largest_state}, {y.largest_group}",
                ]
            )
    columns = ["simulation", "year", "staffed", *(FIGURE_NAMES[n] for n in shown), "largest state, group"]
    return _view("years", columns, rows, [False, True, True, *[True] * len(shown), False])


def _recruits_view(plan: Plan) -> Any:
    rows = [[profile_words(r.profile), str(r.count), str(r.covers), r.why] for r in plan.recruits]
    return _view("recruits", ["profile", "how many", "seats a year it covers", "why"], rows, [False, True, True, False])


def _unstaffed_view(sim: Simulation) -> Any:
    rows = [
        [
            str(u.year),
            u.dispute_id,
            f"{u.kind}; {' v '.join(u.parties)}; {', '.join(u.languages)}; panel of {u.panel_size}",
            blocked_words(u.rules),
            u.reason,
        ]
        for u in sim.unstaffed()
    ]
    columns = ["year", "dispute", "kind, parties, languages, panel size", "blocked by", "why"]
    return _view("unstaffed", columns, rows, [True, False, False, False, False])


def _scarce_view(plan: Plan) -> Any:
    rows = [[f"{s.name} ({s.mediator_id})", f"{s.demand:.1f}", str(s.capacity), s.why] for s in plan.scarce]
    return _view("scarce", ["mediator", "seats a year sought", "capacity", "why"], rows, [False, True, True, False])


def _oversupplied_view(plan: Plan) -> Any:
    rows = [[o.profile, str(o.mediators), f"{o.seats_per_year:.1f}", o.why] for o in plan.oversupplied]
    return _view("oversupplied", ["profile", "mediators", "seats a year used", "why"], rows, [False, True, True, False])


def _scenario_rows(scenario: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The scenario's settings as (name, value in words) rows."""
    out = []
    for key, value in scenario.items():
        if isinstance(value, Mapping):
            text = ", ".join(
                f"{k} {pct(float(v))}" if isinstance(v, (int, float)) and 0 <= v <= 1 else f"{k} {v}"
                for k, v in value.items()
            )
        elif isinstance(value, float) and key in ("growth", "second_language", "same_region", "third_party"):
            text = pct(value)
        else:
            text = str(value)
        out.append((key.replace("_", " "), text or "—"))
    return out


def _meta(plan: Plan, prepared_on: date | None) -> list[tuple[str, str]]:
    s = plan.settings
    meta = [("Organisation", "IOMed, International Organization for Mediation (Hong Kong)")]
    if prepared_on is not None:
        meta.append(("Prepared on", prepared_on.isoformat()))
    rules = s.get("rule_set") or {}
    meta += [
        ("Years simulated", str(s.get("years", ""))),
        ("Seed", f"{s.get('seed', '')} (the same seed and inputs give the same plan)"),
        ("Rule set", str(rules.get("name", "")) if isinstance(rules, Mapping) else str(rules)),
        ("Limits on every year's panels", quota_words(s.get("quotas") or {})),
        ("Solver", str(s.get("solver", ""))),
        ("Where the years ran", str(s.get("executor", ""))),
    ]
    for name, digest in (s.get("inputs_sha256") or {}).items():
        meta.append((f"Input {name}", f"SHA-256 {digest[:16]}…"))
    return meta


def _figures(plan: Plan) -> list[Any]:
    from markupsafe import Markup

    from matching.reports.charts import chart_svg
    from matching.reports.html import Figure

    return [
        Figure(Markup(chart_svg(chart)), FIGURE_HELP[name])  # vl-convert SVG, checked script-free
        for name, chart in band_charts(plan).items()
    ]


def render_plan(plan: Plan, *, title: str = "Plan for the coming years", prepared_on: date | None = None) -> str:
    """The whole plan as one self-contained HTML document (a string)."""
    from matching.reports.html import environment

    after = plan.after
    stopped = [s.label for s in _simulations(plan) if s.stopped]
    page = (
        environment()
        .get_template(TEMPLATE)
        .render(
            title=title,
            meta=_meta(plan, prepared_on),
            notes=list(plan.notes),
            stopped=stopped,
            scenario=_scenario_rows(plan.settings.get("scenario") or {}),
            headlines=[(h, h.text(h.before), h.text(h.after)) for h in headlines(plan)],
            before_years=len(plan.before.years),
            after_years=len(after.years) if after is not None else 0,
            has_after=after is not None,
            disputes=sum(y.disputes for y in plan.before.years),
            staffed=sum(y.staffed for y in plan.before.years),
            comparison=_comparison_view(plan),
            figures=_figures(plan),
            recruits=_recruits_view(plan),
            recruit_count=sum(r.count for r in plan.recruits),
            unstaffed_before=_unstaffed_view(plan.before),
            unstaffed_after=_unstaffed_view(after) if after is not None else None,
            scarce=_scarce_view(plan),
            oversupplied=_oversupplied_view(plan),
            years=_years_view(plan),
            schema=PLAN_CSV_SCHEMA,
        )
    )
    # Quotes escaped as the neutrality report writes them (``&quot;``, ``&#x27;``), not markupsafe's numeric forms.
    return page.replace("&#34;", "&quot;").replace("&#39;", "&#x27;")


# --- files -------------------------------------------------------------------------------------------


def plan_files(plan: Plan, *, prepared_on: date | None = None) -> dict[str, str]:
    """Every file of the plan folder, name → text: ``plan.json``, the CSV tables and ``report.html``."""
    return {
        PLAN_JSON: json_text(plan.as_dict()),
        **table_files(plan_tables(plan)),
        REPORT_HTML: render_plan(plan, prepared_on=prepared_on),
    }


def write_plan(plan: Plan, folder: Path, *, prepared_on: date | None = None) -> list[Path]:
    """Write the plan folder (``plan_files``), all or none (``matching.io.out_paths.write_folder``)."""
    return write_folder(folder, plan_files(plan, prepared_on=prepared_on))
