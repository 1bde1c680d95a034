"""Seeded demo data: a realistic roster, disputes and optional files for the IOMed panel matcher.

``write_demo_data`` writes the five input files of the data contract (``mediators.csv``,
``disputes.csv``, ``conflicts.csv``, ``preferences.csv``, ``appointments.csv``) into a folder.
Every random draw comes from one ``numpy.random.default_rng(seed)``, so the same seed, sizes and
reference table give byte-identical files. The made-up tables it draws from (names per culture,
nationality weights, subject phrases, profile roles, interstate pairs and scenarios, templates
and notes) are data files in ``data/demo/generator/``, read by :mod:`matching.demo.tables`.

What the data looks like:

- Mediators: about 60 % nationals of the Convention's signatories nominated by their own state,
  10 % foreign nationals nominated by a signatory, the rest non-member nationals with no
  nomination; every UN regional group is present. Names come from small per-culture lists,
  languages from the nationality's official languages plus the usual lingua francas of its
  region, expertise from the subject vocabulary with levels that grow with seniority, and the
  profile text uses the same subject phrases as the dispute descriptions (so that text
  similarity means something).
- Disputes: interstate (mostly between neighbours, from a hand-written list of pairs),
  investor-state (investor home state against a mostly signatory host) and commercial.
  Two disputes are deliberately hard: one needs a chair who speaks a language that only party
  nationals speak (infeasible under every nationality rule), and one has exactly one possible
  chair (a planted mediator).
- Conflicts, party preferences (strikes and ranks) and three years of appointment history with a
  small "club" of frequently appointed mediators and a few repeat appointments by one party.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TypeVar

import numpy as np

from matching.core.domain import SUBJECTS, UNGroup
from matching.core.errors import ArgumentError
from matching.demo.tables import Scenario, generator_tables
from matching.io.countries import CountryTable, default_countries
from matching.io.csv_out import write_csv

Row = dict[str, str]
_T = TypeVar("_T")

MEDIATOR_COLUMNS: tuple[str, ...] = (
    "mediator_id",
    "name",
    "nationalities",
    "gender",
    "languages",
    "legal_traditions",
    "expertise",
    "years_experience",
    "max_cases",
    "active_cases",
    "available",
    "declaration_signed",
    "nominated_by",
    "profile",
)
DISPUTE_COLUMNS: tuple[str, ...] = (
    "dispute_id",
    "title",
    "kind",
    "parties",
    "subject_areas",
    "languages",
    "panel_size",
    "description",
    "nationality_rule",
)
CONFLICT_COLUMNS: tuple[str, ...] = ("mediator_id", "dispute_id", "category", "waived", "note")
PREFERENCE_COLUMNS: tuple[str, ...] = ("dispute_id", "party", "mediator_id", "struck", "rank")
APPOINTMENT_COLUMNS: tuple[str, ...] = ("mediator_id", "dispute_id", "party", "appointed_on")

_TABLES = generator_tables()

#: Founding signatories named in public reporting; used only if the reference table marks none.
SIGNATORIES: tuple[str, ...] = _TABLES.signatories

HISTORY_START = date(2023, 11, 27)
HISTORY_END = date(2026, 11, 26)

_GROUPS: tuple[UNGroup, ...] = tuple(UNGroup)
_TRADITION_ORDER: tuple[str, ...] = ("civil", "common", "customary", "muslim")
_LINGUA: tuple[str, ...] = ("en", "fr", "es", "ar", "ru", "zh", "pt")
_SUBJECT_INDEX: dict[str, int] = {s: i for i, s in enumerate(SUBJECTS)}

# --------------------------------------------------------------------------------------------
# Reference knowledge written for the demo (weights, names, phrases), from the files in
# data/demo/generator/ (see matching.demo.tables and data/demo/README.md). None of it is real data.
# --------------------------------------------------------------------------------------------

_SIGNATORY_WEIGHTS = _TABLES.signatory_weights
_OTHER_WEIGHTS = _TABLES.other_weights
_DEFAULT_WEIGHT = _TABLES.default_weight
#: Territories and entities whose nationals would confuse the nationality rules of a demo.
_NO_NATIONALS = _TABLES.no_nationals
#: Countries that do not allow dual nationality (kept simple for the demo).
_NO_DUAL = _TABLES.no_dual
_DUAL_HUBS = _TABLES.dual_hubs
_MAGHREB = _TABLES.maghreb
_POST_SOVIET = _TABLES.post_soviet
#: Countries whose short name takes "the" inside a sentence.
_WITH_ARTICLE = _TABLES.with_article
_SHORT_NAMES = _TABLES.short_names
#: Names: culture -> (female first names, male first names, last names, family name first?)
_NAMES = _TABLES.names
_CULTURE_OF = _TABLES.culture_of
_GROUP_CULTURE = _TABLES.group_culture
#: Subject phrases shared by mediator profiles and dispute descriptions.
_PHRASES = _TABLES.phrases
_SUBJECT_LABEL = _TABLES.subject_label
_SUBJECT_WEIGHTS = np.array(_TABLES.subject_weights)  # order of SUBJECTS
_RELATED = _TABLES.related
_SENIOR_ROLES = _TABLES.senior_roles
_JUNIOR_ROLES = _TABLES.junior_roles
_AREA_ROLES = _TABLES.area_roles
_PROFILE_VERBS = _TABLES.profile_verbs
_PROFILE_EXTRAS = _TABLES.profile_extras
#: Interstate pairs (first state upstream / landlocked where it matters) and typical subjects.
_PAIRS = _TABLES.pairs
#: Interstate scenarios per subject: (title, opening sentence, indices into _PHRASES[subject],
#: needs a common border). {A} is the upstream / landlocked / acting state where that matters.
_Scenario = Scenario
_INTERSTATE = _TABLES.interstate
#: Investor-state: second subject -> (title topic, sentence). "investment" is the default.
_INVESTOR = _TABLES.investor
_SECTORS = _TABLES.sectors
#: Commercial: primary subject -> (state entities, foreign firm, contract, title topic, sentence).
_COMMERCIAL = _TABLES.commercial
_CLOSINGS = _TABLES.closings
_INVESTOR_HOMES = _TABLES.investor_homes
_CONTRACTOR_STATES = _TABLES.contractor_states
_CONFLICT_NOTES = _TABLES.conflict_notes
_CONFLICT_P = np.array(_TABLES.conflict_shares)  # order of _CONFLICT_NOTES

#: Rare-language scenarios: (state, its language, other party). Used for the infeasible dispute.
_RARE_LANGUAGE: tuple[tuple[str, str, str], ...] = (
    ("MNG", "mn", "CHN"),
    ("LAO", "lo", "VNM"),
    ("MMR", "my", "THA"),
    ("ARM", "hy", "AZE"),
    ("GEO", "ka", "RUS"),
)
#: The tight dispute: (party, party, rare working language, nationality of the one chair).
_TIGHT: tuple[str, str, str, str] = ("KHM", "LAO", "km", "THA")


def _pick(seq: Sequence[_T], u: float) -> _T:
    """Deterministic choice from a sequence with a uniform draw in [0, 1)."""
    return seq[min(int(u * len(seq)), len(seq) - 1)]


def _id(prefix: str, i: int, total: int, width: int) -> str:
    return f"{prefix}{i + 1:0{max(width, len(str(total)))}d}"


def _bool(value: bool | np.bool_) -> str:
    return "true" if value else "false"


# --------------------------------------------------------------------------------------------
# The world: per-country arrays derived from the reference table.
# --------------------------------------------------------------------------------------------


@dataclass
class _World:
    table: CountryTable
    isos: list[str]
    index: dict[str, int]
    group: np.ndarray  # index into _GROUPS
    signatory: np.ndarray  # bool
    weight: np.ndarray  # nationality weight (before the signatory split)
    langs: list[tuple[str, ...]]  # official languages present in languages.csv
    traditions: list[tuple[str, ...]]
    culture: list[str]
    lingua_p: np.ndarray  # countries x _LINGUA probabilities of speaking it
    short: list[str]

    def name(self, iso: str) -> str:
        """Short name, as in a title ("United Kingdom")."""
        return self.short[self.index[iso]]

    def text_name(self, iso: str) -> str:
        """Short name inside a sentence ("the United Kingdom")."""
        short = self.short[self.index[iso]]
        return f"the {short}" if iso in _WITH_ARTICLE else short

    def has(self, *isos: str) -> bool:
        return all(i in self.index for i in isos)


#: The chance that a national speaks a lingua franca, by regional group (``_lingua_probabilities``).
_P_ENGLISH: dict[UNGroup, float] = {
    UNGroup.AFRICAN: 0.7,
    UNGroup.ASIA_PACIFIC: 0.85,
    UNGroup.EASTERN_EUROPEAN: 0.7,
    UNGroup.LATIN_AMERICAN_CARIBBEAN: 0.65,
    UNGroup.WESTERN_EUROPEAN_OTHERS: 0.92,
}
_P_FRENCH: dict[UNGroup, float] = {UNGroup.AFRICAN: 0.12, UNGroup.WESTERN_EUROPEAN_OTHERS: 0.3}  # else 0.05
_P_SPANISH: dict[UNGroup, float] = {
    UNGroup.LATIN_AMERICAN_CARIBBEAN: 0.25,
    UNGroup.WESTERN_EUROPEAN_OTHERS: 0.15,
}  # else 0.03
_P_PORTUGUESE: dict[UNGroup, float] = {
    UNGroup.LATIN_AMERICAN_CARIBBEAN: 0.06,
    UNGroup.WESTERN_EUROPEAN_OTHERS: 0.05,
    UNGroup.AFRICAN: 0.04,
}  # else 0.01
#: Russian beyond the post-Soviet states and Eastern Europe: old allies (else 0.02).
_P_RUSSIAN_ELSEWHERE: dict[str, float] = {"CUB": 0.15, "VNM": 0.06, "LAO": 0.06, "CHN": 0.06}


def _lingua_probabilities(
    iso: str,
    group: UNGroup,
    langs: tuple[str, ...],
    traditions: tuple[str, ...],
    blocs: frozenset[str],
) -> list[float]:
    """The chance that a national of ``iso`` speaks each lingua franca (in ``_LINGUA`` order);
    certain for the country's own official languages."""
    p = {
        "en": 0.97 if "common" in traditions else _P_ENGLISH[group],
        "fr": 0.85 if iso in _MAGHREB else _P_FRENCH.get(group, 0.05),
        "es": 0.4 if iso == "BRA" else _P_SPANISH.get(group, 0.03),
        "ar": _p_arabic(group, traditions),
        "ru": _p_russian(iso, group, blocs),
        "zh": _p_chinese(iso, group),
        "pt": _P_PORTUGUESE.get(group, 0.01),
    }
    return [1.0 if code in langs else p[code] for code in _LINGUA]


def _p_arabic(group: UNGroup, traditions: tuple[str, ...]) -> float:
    """Arabic: common in Muslim-law countries of Africa, less so in Asia, rare elsewhere."""
    if "muslim" in traditions and group in (UNGroup.AFRICAN, UNGroup.ASIA_PACIFIC):
        return 0.4 if group == UNGroup.AFRICAN else 0.2
    return 0.04 if group == UNGroup.WESTERN_EUROPEAN_OTHERS else 0.02


def _p_russian(iso: str, group: UNGroup, blocs: frozenset[str]) -> float:
    """Russian: widespread in post-Soviet and CIS states, then Mongolia, Eastern Europe, old allies."""
    if iso in _POST_SOVIET or "CIS" in blocs:
        return 0.9
    if iso == "MNG":
        return 0.5
    if group == UNGroup.EASTERN_EUROPEAN:
        return 0.3
    return _P_RUSSIAN_ELSEWHERE.get(iso, 0.02)


def _p_chinese(iso: str, group: UNGroup) -> float:
    """Chinese: Malaysia, then the rest of Asia-Pacific, rare elsewhere."""
    if iso == "MYS":
        return 0.3
    return 0.07 if group == UNGroup.ASIA_PACIFIC else 0.015


def _build_world(table: CountryTable) -> _World:
    isos = sorted(table.countries)
    index = {iso: i for i, iso in enumerate(isos)}
    marked = {iso for iso, c in table.countries.items() if c.iomed_signatory}
    if not marked:
        marked = {iso for iso in SIGNATORIES if iso in table.countries}
    group = np.array([_GROUPS.index(table[iso].un_group) for iso in isos], dtype=np.int64)
    signatory = np.array([iso in marked for iso in isos], dtype=bool)
    weight = np.array(
        [
            0.0
            if iso in _NO_NATIONALS
            else (_SIGNATORY_WEIGHTS.get(iso, 0.5) if iso in marked else _OTHER_WEIGHTS.get(iso, _DEFAULT_WEIGHT))
            for iso in isos
        ]
    )
    langs: list[tuple[str, ...]] = []
    traditions: list[tuple[str, ...]] = []
    culture: list[str] = []
    lingua: list[list[float]] = []
    short: list[str] = []
    for iso in isos:
        c = table[iso]
        own = tuple(code for code in c.languages if table.is_language(code))
        langs.append(own)
        trad = tuple(t for t in _TRADITION_ORDER if t in {str(x) for x in c.legal_traditions})
        traditions.append(trad)
        culture.append(_CULTURE_OF.get(iso) or _fallback_culture(c.un_group, own, iso))
        lingua.append(_lingua_probabilities(iso, c.un_group, own, trad, c.blocs))
        short.append(_SHORT_NAMES.get(iso) or re.sub(r"\s*\(.*\)", "", c.name))
    return _World(
        table=table,
        isos=isos,
        index=index,
        group=group,
        signatory=signatory,
        weight=weight,
        langs=langs,
        traditions=traditions,
        culture=culture,
        lingua_p=np.array(lingua),
        short=short,
    )


def _fallback_culture(group: UNGroup, langs: tuple[str, ...], iso: str) -> str:
    first = langs[0] if langs else ""
    if first == "ar":
        return "arab"
    if first == "es":
        return "latam"
    if first == "pt":
        return "lusophone"
    if first == "ru":
        return "east_slavic"
    if first == "zh":
        return "chinese"
    if first == "fr":
        return "west_africa_fr" if group == UNGroup.AFRICAN else "french"
    return _GROUP_CULTURE[group]


# --------------------------------------------------------------------------------------------
# Mediators
# --------------------------------------------------------------------------------------------


@dataclass
class _Roster:
    rows: list[Row]
    nat0: np.ndarray  # country index of the effective nationality
    nat1: np.ndarray  # country index of the second nationality, -1 if none
    expertise: np.ndarray  # mediators x subjects, levels 0..5
    years: np.ndarray
    eligible: np.ndarray  # available, declaration signed, capacity left
    speaks: dict[str, np.ndarray]
    planted: int  # index of the planted rare-language chair, -1 if none


def _make_name(culture: str, female: bool, u: np.ndarray) -> str:
    f_names, m_names, last_names, family_first = _NAMES[culture]
    first = _pick(tuple((f_names if female else m_names).split()), float(u[0]))
    last = _pick(tuple(last_names.split()), float(u[1]))
    first, last = first.replace("_", " "), last.replace("_", " ")
    if culture in ("east_slavic", "central_asian") and female and last.endswith(("ov", "ev", "in")):
        last += "a"
    return f"{last} {first}" if family_first else f"{first} {last}"


@dataclass
class _Caseload:
    """Each mediator's caseload and standing: cases allowed and held, availability, declaration."""

    max_cases: np.ndarray
    active: np.ndarray
    available: np.ndarray
    signed: np.ndarray

    @property
    def eligible(self) -> np.ndarray:
        """Available, declaration signed and room for one more case."""
        return np.asarray(self.available & self.signed & (self.active < self.max_cases))


@dataclass
class _Traits:
    """Everything drawn for the roster, one entry per mediator, before it becomes CSV rows."""

    nat0: np.ndarray  # country index of the effective nationality
    nat1: np.ndarray  # country index of the second nationality, -1 if none
    nominated: list[str]  # nominating state, "" if none
    gender: np.ndarray
    female_names: np.ndarray  # the first name comes from the female list
    languages: list[list[str]]
    traditions: list[str]  # the legal_traditions cell
    expertise: np.ndarray  # mediators x subjects, levels 0..5
    order: np.ndarray  # each mediator's subjects in the order drawn
    years: np.ndarray
    caseload: _Caseload


def _mediators(world: _World, rng: np.random.Generator, n: int) -> _Roster:
    """``n`` mediators. Each trait is drawn for the whole roster at once, and the order of the
    draws below is part of the output: changing it changes the demo data for every seed."""
    seniority = rng.beta(2.0, 2.0, n)
    nat0, category = _draw_nationalities(world, rng, n)
    planted = _plant_tight_chair(world, rng, nat0, category)
    _cover_every_group(world, rng, nat0, category, planted)
    nat1 = _draw_second_nationalities(world, rng, nat0, planted)
    nominated = _draw_nominating_states(world, rng, nat0, category)
    gender, female_names = _draw_genders(rng, n)
    languages = _draw_languages(world, rng, nat0, nat1)
    traditions = _draw_legal_traditions(world, rng, nat0, nat1)
    expertise, order = _draw_expertise(rng, seniority)
    years = np.clip(np.rint(3 + 34 * seniority + rng.normal(0, 3, n)), 3, 40).astype(int)
    caseload = _draw_caseload(rng, n)
    traits = _Traits(
        nat0=nat0,
        nat1=nat1,
        nominated=nominated,
        gender=gender,
        female_names=female_names,
        languages=languages,
        traditions=traditions,
        expertise=expertise,
        order=order,
        years=years,
        caseload=caseload,
    )
    if planted >= 0:
        _dress_planted_chair(world, traits, planted)
    names = _draw_names(world, rng, traits)
    u_prof = rng.random((n, 10))
    return _Roster(
        rows=[_mediator_row(world, traits, i, names[i], u_prof[i]) for i in range(n)],
        nat0=nat0,
        nat1=nat1,
        expertise=expertise,
        years=years,
        eligible=caseload.eligible,
        speaks=_speakers(languages),
        planted=planted,
    )


def _nationals_of(world: _World, signatory: bool) -> np.ndarray:
    """Countries (indices) whose nationals may be drawn: the signatories, or all the others."""
    return np.flatnonzero((world.signatory == signatory) & (world.weight > 0))


def _draw_nationalities(world: _World, rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Each mediator's effective nationality and nomination category: 0 a signatory's national
    nominated by their state, 1 another national nominated by a signatory, 2 no nomination."""
    sig_idx = _nationals_of(world, signatory=True)
    oth_idx = _nationals_of(world, signatory=False)
    category = rng.choice(3, size=n, p=[0.6, 0.1, 0.3])
    if len(sig_idx) == 0:
        category[:] = 2
    nat0 = np.empty(n, dtype=np.int64)
    is_sig = category == 0
    w_sig = world.weight[sig_idx] / world.weight[sig_idx].sum() if len(sig_idx) else None
    w_oth = world.weight[oth_idx] / world.weight[oth_idx].sum()
    if is_sig.any() and w_sig is not None:
        nat0[is_sig] = rng.choice(sig_idx, size=int(is_sig.sum()), p=w_sig)
    nat0[~is_sig] = rng.choice(oth_idx, size=int((~is_sig).sum()), p=w_oth)
    return nat0, category


def _tight_dispute_possible(world: _World) -> bool:
    """Whether the world has the tight dispute's countries, and its language is spoken only by the parties."""
    party_a, party_b, rare_lang, chair_nat = _TIGHT
    return (
        world.has(party_a, party_b, chair_nat)
        and world.table.is_language(rare_lang)
        and _only_spoken_by(world, rare_lang, {party_a, party_b})
    )


def _plant_tight_chair(world: _World, rng: np.random.Generator, nat0: np.ndarray, category: np.ndarray) -> int:
    """Make a random mediator the tight dispute's one possible chair (the only non-party speaker
    of its language, see ``_dress_planted_chair``); her index, or -1 (small roster, no such dispute)."""
    if len(nat0) < 50 or not _tight_dispute_possible(world):
        return -1
    planted = int(rng.integers(len(nat0)))
    nat0[planted] = world.index[_TIGHT[3]]
    category[planted] = 2
    return planted


def _cover_every_group(
    world: _World, rng: np.random.Generator, nat0: np.ndarray, category: np.ndarray, planted: int
) -> None:
    """Give every UN regional group missing among the effective nationalities one mediator (a
    national of its heaviest country), taken from a random mediator of a group that can spare one."""
    n = len(nat0)
    if n < 2 * len(_GROUPS):
        return
    slots = [int(k) for k in rng.permutation(n) if k != planted]
    used = 0
    for g in range(len(_GROUPS)):
        if (world.group[nat0] == g).any():
            continue
        members = np.flatnonzero((world.group == g) & (world.weight > 0))
        if len(members) == 0:
            continue
        while used < len(slots) - 1 and world.group[nat0[slots[used]]] in _rare_groups(world, nat0):
            used += 1
        best = int(members[np.argmax(world.weight[members])])
        nat0[slots[used]] = best
        if world.signatory[best]:
            category[slots[used]] = 0
        elif category[slots[used]] == 0:
            category[slots[used]] = 2
        used += 1


def _draw_second_nationalities(world: _World, rng: np.random.Generator, nat0: np.ndarray, planted: int) -> np.ndarray:
    """Each mediator's second nationality (-1 for none): about one in ten, never a national of a
    country without dual nationality, never the planted chair."""
    n = len(nat0)
    dual_draw = rng.random(n)
    nat1 = np.full(n, -1, dtype=np.int64)
    hub_idx = [world.index[h] for h in _DUAL_HUBS if h in world.index]
    u_dual = rng.random((n, 2))
    for i in np.flatnonzero(dual_draw < 0.1).tolist():
        if world.isos[nat0[i]] in _NO_DUAL or i == planted:
            continue
        second = _second_nationality(world, int(nat0[i]), hub_idx, u_dual[i])
        if second != nat0[i]:
            nat1[i] = second
    return nat1


def _second_nationality(world: _World, own: int, hubs: list[int], u: np.ndarray) -> int:
    """A second nationality for a national of ``own``: half the time a dual-nationality hub (one
    sharing a language if any), otherwise a country of the same regional group (possibly ``own``)."""
    if u[0] < 0.5 and hubs:
        own_langs = set(world.langs[own])
        sharing = [h for h in hubs if own_langs & set(world.langs[h])] or hubs
        return _pick(sharing, float(u[1]))
    same = np.flatnonzero((world.group == world.group[own]) & (world.weight > 0))
    return int(_pick(same.tolist(), float(u[1])))


def _draw_nominating_states(
    world: _World, rng: np.random.Generator, nat0: np.ndarray, category: np.ndarray
) -> list[str]:
    """Each mediator's nominating state ("" for none), by nomination category."""
    u_nom = rng.random(len(nat0))
    signatories = [world.isos[s] for s in _nationals_of(world, signatory=True)]
    return [
        _nominating_state(world, int(own), int(cat), signatories, float(u))
        for own, cat, u in zip(nat0, category, u_nom, strict=True)
    ]


def _nominating_state(world: _World, own: int, category: int, signatories: list[str], u: float) -> str:
    """Their own state for a signatory's national (category 0); for category 1 a signatory that
    shares a language (of the same regional group if possible); otherwise none."""
    if category == 0:
        return world.isos[own]
    if category != 1 or not signatories:
        return ""
    own_langs = set(world.langs[own])
    by_language = [s for s in signatories if own_langs & set(world.langs[world.index[s]])]
    same_group = [s for s in by_language if world.group[world.index[s]] == world.group[own]]
    return _pick(same_group or by_language or signatories, u)


def _draw_genders(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Gender (~40 % F, rare X, a few empty) and whether the first name comes from the female list."""
    gender = rng.choice(np.array(["F", "M", "X", ""]), size=n, p=[0.4, 0.577, 0.006, 0.017])
    female_names = (gender == "F") | ((gender != "M") & (rng.random(n) < 0.5))
    return gender, female_names


def _draw_languages(world: _World, rng: np.random.Generator, nat0: np.ndarray, nat1: np.ndarray) -> list[list[str]]:
    """Each mediator's languages: official ones of the nationality, lingua francas by the
    nationality's odds, and often the second nationality's first language."""
    n = len(nat0)
    lingua_draw = rng.random((n, len(_LINGUA))) < world.lingua_p[nat0]
    extra_official = rng.random((n, 4))
    second_lang = rng.random(n)
    return [
        _spoken_languages(world, int(nat0[i]), int(nat1[i]), lingua_draw[i], extra_official[i], float(second_lang[i]))
        for i in range(n)
    ]


def _spoken_languages(
    world: _World, own: int, second: int, lingua: np.ndarray, u_official: np.ndarray, u_second: float
) -> list[str]:
    """One mediator's languages: the first official language, further official ones (lingua
    francas always, others 30 %), the lingua francas drawn, the second nationality's first language
    (60 %); English (else the first known language) if that leaves none."""
    official = world.langs[own]
    spoken: list[str] = list(official[:1])
    for j, code in enumerate(official[1:4], start=1):
        if code in _LINGUA or u_official[j] < 0.3:
            spoken.append(code)
    for j, code in enumerate(_LINGUA):
        if lingua[j] and code not in spoken and world.table.is_language(code):
            spoken.append(code)
    if second >= 0 and u_second < 0.6:
        spoken += [code for code in world.langs[second][:1] if code not in spoken]
    if not spoken:
        spoken.append("en" if world.table.is_language("en") else sorted(world.table.language_names)[0])
    return spoken


def _draw_legal_traditions(world: _World, rng: np.random.Generator, nat0: np.ndarray, nat1: np.ndarray) -> list[str]:
    """Each mediator's legal_traditions cell: mostly empty, sometimes an explicit mixed training."""
    n = len(nat0)
    explicit = rng.random(n) < 0.18
    u_trad = rng.random(n)
    return [_legal_traditions(world, int(nat0[i]), int(nat1[i]), bool(explicit[i]), float(u_trad[i])) for i in range(n)]


def _legal_traditions(world: _World, own: int, second: int, explicit: bool, u: float) -> str:
    """ "civil" when the nationality has no tradition on record; otherwise empty (the nationality's
    apply) unless the training is explicit: the nationality's traditions and a further one."""
    own_trad = list(world.traditions[own])
    if not own_trad:
        return "civil"
    if not explicit:
        return ""
    return ";".join(own_trad + _further_tradition(world, own_trad, second, u))


def _further_tradition(world: _World, own_trad: list[str], second: int, u: float) -> list[str]:
    """What an explicit training adds: half the time the second nationality's other traditions;
    failing that common law (civil law where common law is already held), and for a country of
    both, Muslim law now and then."""
    if second >= 0 and u < 0.5:
        extra = [t for t in world.traditions[second] if t not in own_trad]
        if extra:
            return extra
    if "civil" in own_trad and "common" in own_trad:
        return ["muslim"] if u < 0.3 else []
    return ["common"] if "common" not in own_trad else ["civil"]


def _draw_expertise(rng: np.random.Generator, seniority: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Expertise levels (mediators x subjects, 0..5) in 2-5 areas (Gumbel top-k on the subject
    weights), levels growing with seniority; and each mediator's subjects in the order drawn."""
    n = len(seniority)
    n_areas = rng.choice([2, 3, 4, 5], size=n, p=[0.3, 0.35, 0.25, 0.1])
    keys = np.log(_SUBJECT_WEIGHTS)[None, :] + rng.gumbel(size=(n, len(SUBJECTS)))
    order = np.argsort(-keys, axis=1)
    raw = 0.55 * seniority[:, None] + 0.45 * rng.random((n, len(SUBJECTS)))
    levels = 1 + (raw > 0.25).astype(int) + (raw > 0.45) + (raw > 0.65) + (raw > 0.83)
    expertise = np.zeros((n, len(SUBJECTS)), dtype=np.int64)
    ranks = np.argsort(order, axis=1)  # position of each subject in the mediator's order
    chosen = ranks < n_areas[:, None]
    expertise[chosen] = levels[chosen]
    return expertise, order


def _draw_caseload(rng: np.random.Generator, n: int) -> _Caseload:
    """Maximum cases (2-8), active cases (about 30 % of it), and 3 % each unavailable or unsigned."""
    max_cases = rng.choice(np.arange(2, 9), size=n, p=[0.08, 0.17, 0.22, 0.2, 0.15, 0.1, 0.08])
    active = rng.binomial(max_cases, 0.3)
    available = rng.random(n) >= 0.03
    signed = rng.random(n) >= 0.03
    return _Caseload(max_cases=max_cases, active=active, available=available, signed=signed)


def _dress_planted_chair(world: _World, traits: _Traits, planted: int) -> None:
    """The planted chair of the tight dispute: a woman who speaks her language, the rare language
    and English, an expert in water, environment and boundaries, available with room for cases."""
    _, _, rare_lang, chair_nat = _TIGHT
    traits.languages[planted] = [*world.langs[world.index[chair_nat]][:1], rare_lang, "en"]
    traits.expertise[planted] = 0
    for area, level in (("water", 4), ("environment", 3), ("boundary", 3)):
        traits.expertise[planted, _SUBJECT_INDEX[area]] = level
    load = traits.caseload
    load.max_cases[planted], load.active[planted] = 4, 1
    load.available[planted] = load.signed[planted] = True
    traits.gender[planted] = "F"
    traits.female_names[planted] = True


def _draw_names(world: _World, rng: np.random.Generator, traits: _Traits) -> list[str]:
    """Each mediator's name, from the lists of their nationality's culture, unique where the lists allow."""
    u_name = rng.random((len(traits.nat0), 6))
    seen: set[str] = set()
    names: list[str] = []
    for i, own in enumerate(traits.nat0):
        name = _unique_name(world.culture[own], bool(traits.female_names[i]), u_name[i], seen)
        seen.add(name)
        names.append(name)
    return names


def _unique_name(culture: str, female: bool, u: np.ndarray, seen: set[str]) -> str:
    """A name not in ``seen``: up to three draws, then a middle initial (``u[5]``), then a number."""
    name = _make_name(culture, female, u[:2])
    tries = 0
    while name in seen and tries < 2:
        tries += 1
        name = _make_name(culture, female, u[2 * tries :])
    if name not in seen:
        return name
    initial = "ABCDEFGHJKLMNPRSTVW"[int(u[5] * 19)]
    parts = name.split(" ", 1)
    base = f"{parts[0]} {initial}. {parts[1]}" if len(parts) == 2 else f"{name} {initial}."
    name, suffix = base, 2
    while name in seen:
        name = f"{base} ({suffix})"
        suffix += 1
    return name


def _mediator_row(world: _World, traits: _Traits, i: int, name: str, u_prof: np.ndarray) -> Row:
    """Mediator ``i``'s row of mediators.csv (expertise areas by level, highest first)."""
    n = len(traits.nat0)
    expertise = traits.expertise[i]
    areas = [SUBJECTS[j] for j in traits.order[i] if expertise[j] > 0]
    areas.sort(key=lambda a: -expertise[_SUBJECT_INDEX[a]])
    nats = [world.isos[traits.nat0[i]]] + ([world.isos[traits.nat1[i]]] if traits.nat1[i] >= 0 else [])
    years = int(traits.years[i])
    load = traits.caseload
    return {
        "mediator_id": _id("M", i, n, 4),
        "name": name,
        "nationalities": ";".join(nats),
        "gender": str(traits.gender[i]),
        "languages": ";".join(traits.languages[i]),
        "legal_traditions": traits.traditions[i],
        "expertise": ";".join(f"{a}:{expertise[_SUBJECT_INDEX[a]]}" for a in areas),
        "years_experience": str(years),
        "max_cases": str(int(load.max_cases[i])),
        "active_cases": str(int(load.active[i])),
        "available": _bool(load.available[i]),
        "declaration_signed": _bool(load.signed[i]),
        "nominated_by": traits.nominated[i],
        "profile": _profile(world.text_name(world.isos[traits.nat0[i]]), areas, years, u_prof),
    }


def _speakers(languages: list[list[str]]) -> dict[str, np.ndarray]:
    """Per language spoken on the roster, which mediators speak it."""
    speaks = {
        code: np.zeros(len(languages), dtype=bool) for code in sorted({c for spoken in languages for c in spoken})
    }
    for i, spoken in enumerate(languages):
        for code in spoken:
            speaks[code][i] = True
    return speaks


def _rare_groups(world: _World, nat0: np.ndarray) -> set[int]:
    """Groups held by at most two mediators: do not overwrite those when filling a gap."""
    counts = np.bincount(world.group[nat0], minlength=len(_GROUPS))
    return {g for g in range(len(_GROUPS)) if counts[g] <= 2}


def _only_spoken_by(world: _World, language: str, isos: set[str]) -> bool:
    """True if only the given countries have the language among their official languages."""
    holders = {iso for iso, langs in zip(world.isos, world.langs, strict=True) if language in langs}
    return bool(holders) and holders <= isos


def _profile(country: str, areas: list[str], years: int, u: np.ndarray) -> str:
    primary = areas[0]
    if years < 12:
        role_pool = _JUNIOR_ROLES
    elif u[0] < 0.45:
        role_pool = _AREA_ROLES.get(primary, _SENIOR_ROLES)
    else:
        role_pool = _SENIOR_ROLES
    role = _pick(role_pool, float(u[1])).format(country=country)
    p1 = _pick(_PHRASES[primary], float(u[2]))
    second = areas[1] if len(areas) > 1 else primary
    p2 = _pick([p for p in _PHRASES[second] if p != p1], float(u[3]))
    text = f"{role} with {years} years of experience, specialising in {p1}, as well as {p2}."
    rest = [_pick(_PHRASES[area], float(u[4 + k])) for k, area in enumerate(areas[2:5])] or [
        _pick([p for p in _PHRASES[primary] if p not in (p1, p2)], float(u[4]))
    ]
    verb = _pick(_PROFILE_VERBS, float(u[7]))
    if len(rest) == 1:
        text += f" {verb} {rest[0]}."
    else:
        text += f" {verb} {', '.join(rest[:-1])}, and on {rest[-1]}."
    if u[8] < 0.55 and years >= 15:
        text += " " + _pick(_PROFILE_EXTRAS, float(u[9]))
    return text


# --------------------------------------------------------------------------------------------
# Disputes
# --------------------------------------------------------------------------------------------


@dataclass
class _Docket:
    rows: list[Row]
    parties: list[list[str]]
    subjects: list[list[str]]
    languages: list[list[str]]
    kinds: list[str]
    hard: list[int]  # indices of the deliberately hard disputes

    def add(self, row: Row, parties: list[str], subjects: list[str], languages: list[str], kind: str) -> None:
        """Append a dispute: its CSV row and the lists the later files draw from."""
        self.rows.append(row)
        self.parties.append(parties)
        self.subjects.append(subjects)
        self.languages.append(languages)
        self.kinds.append(kind)


@dataclass
class _Venues:
    """Who can be a party to which kind of dispute, in the world at hand."""

    pairs: list[tuple[str, str, tuple[str, ...]]]  # interstate pairs (both states present), typical subjects
    neighbours: dict[str, list[str]]  # by the interstate pairs
    usable: np.ndarray  # countries whose nationals may be drawn
    signatories: list[str]
    non_weog: list[str]  # usable states outside the Western European and Others group
    homes: list[tuple[str, float]]  # investor home states and their weights
    contractors: list[str]  # home states of the foreign firms in commercial disputes

    @property
    def hosts(self) -> list[str]:
        """Host states and state entities: the signatories (else the states outside WEOG)."""
        return self.signatories or self.non_weog


@dataclass
class _Case:
    """A dispute before its texts: parties, primary subject, the pool further subjects come from,
    the interstate scenario, and the lead party (whose language may become the working one)."""

    parties: list[str]
    primary: str
    pool: list[str]
    scenario: _Scenario | None = None
    lead: int = 0


_KINDS: tuple[str, ...] = ("interstate", "investor_state", "commercial")
#: Subjects of interstate disputes between states that are not a listed pair.
_FREE_SUBJECTS: tuple[str, ...] = ("trade", "finance", "technology", "investment", "human_rights", "energy")
#: Further subjects of investor-state disputes.
_INVESTMENT_SUBJECTS: tuple[str, ...] = (
    "energy",
    "construction",
    "technology",
    "finance",
    "environment",
    "water",
    "human_rights",
    "trade",
)


def _venues(world: _World) -> _Venues:
    """The parties' pools for the world (no random draw)."""
    pairs = [p for p in _PAIRS if world.has(p[0], p[1])]
    neighbours: dict[str, list[str]] = {}
    for a, b, _ in pairs:
        neighbours.setdefault(a, []).append(b)
        neighbours.setdefault(b, []).append(a)
    usable = world.weight > 0
    weog = _GROUPS.index(UNGroup.WESTERN_EUROPEAN_OTHERS)
    return _Venues(
        pairs=pairs,
        neighbours=neighbours,
        usable=usable,
        signatories=[iso for iso, s, ok in zip(world.isos, world.signatory, usable, strict=True) if s and ok],
        non_weog=[iso for iso, g, ok in zip(world.isos, world.group, usable, strict=True) if g != weog and ok],
        homes=[(h, w) for h, w in _INVESTOR_HOMES if h in world.index],
        contractors=[c for c in _CONTRACTOR_STATES if c in world.index],
    )


def _disputes(world: _World, rng: np.random.Generator, m: int) -> _Docket:
    """``m`` disputes of the three kinds, then one or two deliberately hard ones written over
    some of them. The order of the draws is part of the output."""
    kind_idx = _draw_kinds(rng, m)
    sizes = rng.choice(np.array([1, 2, 3, 5]), size=m, p=[0.2, 0.15, 0.5, 0.15])
    rules = rng.choice(np.array(["", "strict", "majority", "consent"]), size=m, p=[0.74, 0.14, 0.07, 0.05])
    u = rng.random((m, 24))
    venues = _venues(world)
    homes = _draw_investor_homes(world, rng, venues, m)

    docket = _Docket(rows=[], parties=[], subjects=[], languages=[], kinds=[], hard=[])
    for i in range(m):
        kind = _KINDS[kind_idx[i]]
        ui = u[i]
        if kind == "interstate":
            case = _interstate_case(world, venues, ui)
        elif kind == "investor_state":
            case = _investor_state_case(world, venues, homes[i], ui)
        else:
            case = _commercial_case(world, venues, ui)
        subjects = _subjects(case, ui[9:12])
        langs = _working_languages(world, case.parties, case.lead, ui[12:16])
        title, description = _texts(world, kind, case.parties, subjects, case.scenario, ui[16:24])
        row = {
            "dispute_id": _id("D", i, m, 3),
            "title": title,
            "kind": kind,
            "parties": ";".join(case.parties),
            "subject_areas": ";".join(subjects),
            "languages": ";".join(langs),
            "panel_size": str(int(sizes[i])),
            "description": description,
            "nationality_rule": str(rules[i]),
        }
        docket.add(row, case.parties, subjects, langs, kind)

    _add_hard_disputes(world, docket, m)
    return docket


def _draw_kinds(rng: np.random.Generator, m: int) -> np.ndarray:
    """Each dispute's kind (index into ``_KINDS``); from three disputes on, every kind at least once."""
    kind_idx = rng.choice(3, size=m, p=[0.45, 0.35, 0.2])
    if m >= 3:
        for k in range(3):
            if not (kind_idx == k).any():
                kind_idx[int(rng.integers(m))] = k
    return kind_idx


def _draw_investor_homes(world: _World, rng: np.random.Generator, venues: _Venues, m: int) -> list[str]:
    """Each dispute's investor home state (used by the investor-state ones), by the homes' weights."""
    if not venues.homes:
        return [world.isos[0]] * m
    home_w = np.array([w for _, w in venues.homes])
    home_draw = rng.choice(len(venues.homes), size=m, p=home_w / home_w.sum())
    return [venues.homes[int(h)][0] for h in home_draw]


def _interstate_case(world: _World, venues: _Venues, u: np.ndarray) -> _Case:
    """Interstate: mostly a listed pair of neighbours, otherwise two states of one regional group."""
    if venues.pairs and u[0] < 0.85:
        case = _neighbours_case(venues, u)
    else:
        case = _same_group_case(world, venues, u)
    case.lead = int(u[7] * len(case.parties)) % len(case.parties)
    return case


def _neighbours_case(venues: _Venues, u: np.ndarray) -> _Case:
    """A listed pair with one of its typical subjects and a scenario for it (upstream or landlocked
    state first where that matters); now and then a neighbour of either joins as a third party."""
    a, b, typical = _pick(venues.pairs, float(u[1]))
    primary = _pick(typical, float(u[2]))
    scenario = _pick(_INTERSTATE[primary], float(u[3]))
    if primary not in ("water", "transit", "finance") and u[4] < 0.5:
        a, b = b, a
    parties = [a, b]
    if u[5] < 0.15:
        extra = [c for c in venues.neighbours.get(a, []) + venues.neighbours.get(b, []) if c not in parties]
        if extra:
            parties.append(_pick(extra, float(u[6])))
    pool = [s for s in typical if s != primary] + list(_RELATED[primary])
    return _Case(parties, primary, pool, scenario)


def _same_group_case(world: _World, venues: _Venues, u: np.ndarray) -> _Case:
    """Two states of the same regional group, not necessarily neighbours, on a subject that needs
    no common border (for a debt, the smaller economy is the debtor and comes first)."""
    a = _pick(venues.signatories or venues.non_weog, float(u[1]))
    same = [
        iso
        for iso, g, ok in zip(world.isos, world.group, venues.usable, strict=True)
        if g == world.group[world.index[a]] and iso != a and ok
    ]
    b = _pick(same or [iso for iso in world.isos if iso != a], float(u[6]))
    primary = _pick(_FREE_SUBJECTS, float(u[2]))
    if primary == "finance" and world.weight[world.index[a]] > world.weight[world.index[b]]:
        a, b = b, a
    scenario = _pick([sc for sc in _INTERSTATE[primary] if not sc[3]], float(u[3]))
    return _Case([a, b], primary, list(_RELATED[primary]), scenario)


def _investor_state_case(world: _World, venues: _Venues, home: str, u: np.ndarray) -> _Case:
    """An investor from ``home`` against a host state (mostly a signatory); the host leads."""
    host_pool = venues.hosts if u[1] < 0.85 else venues.non_weog
    host_pool = [h for h in host_pool if h != home] or [iso for iso in world.isos if iso != home]
    parties = [home, _pick(host_pool, float(u[6]))]
    return _Case(parties, "investment", list(_INVESTMENT_SUBJECTS), lead=1)


def _commercial_case(world: _World, venues: _Venues, u: np.ndarray) -> _Case:
    """A state entity (mostly of a signatory) against a foreign firm from a contractor state."""
    state = _pick(venues.hosts if u[1] < 0.7 else venues.non_weog, float(u[6]))
    firm_pool = [c for c in venues.contractors if c != state] or [iso for iso in world.isos if iso != state]
    parties = [state, _pick(firm_pool, float(u[8]))]
    primary = _pick(tuple(_COMMERCIAL), float(u[2]))
    return _Case(parties, primary, list(_RELATED[primary]))


def _subjects(case: _Case, u: np.ndarray) -> list[str]:
    """The primary subject and none (45 %), one (40 %) or two more from the case's pool."""
    subjects = [case.primary]
    n_extra = 0 if u[0] < 0.45 else (1 if u[0] < 0.85 else 2)
    for k in range(n_extra):
        options = [s for s in case.pool if s not in subjects]
        if options:
            subjects.append(_pick(options, float(u[1 + k])))
    return subjects


def _working_languages(world: _World, parties: list[str], lead: int, u: np.ndarray) -> list[str]:
    """Working language first: en unless the parties share another lingua franca, or (now and
    then) the language of the lead party (the host state, the state entity, either state)."""
    sets = [set(world.langs[world.index[p]]) for p in parties]
    shared = [c for c in ("fr", "es", "ar", "ru", "pt") if all(c in s for s in sets)]
    lead_lingua = [c for c in ("fr", "es", "ar", "ru", "pt", "zh") if c in sets[lead]]
    any_lingua = [c for c in ("fr", "es", "ar", "ru", "pt", "zh") if any(c in s for s in sets)]
    if shared and u[0] < 0.6:
        first = shared[0]
    elif lead_lingua and u[0] > 0.85:
        first = _pick(shared or lead_lingua, float(u[1]))
    else:
        first = "en"
    langs = [first]
    if u[2] < 0.3:
        others = [c for c in [*any_lingua, "en"] if c != first]
        if others:
            langs.append(_pick(others, float(u[3])))
    return [c for c in langs if world.table.is_language(c)] or ["en"]


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _article(word: str) -> str:
    return ("an " if word[:1].lower() in "aeiou" else "a ") + word


def _covers(phrases: list[str]) -> str:
    """'The mediation covers X, as well as Y.' (phrases often contain 'and' themselves)."""
    if len(phrases) == 1:
        return f"The mediation covers {phrases[0]}."
    if len(phrases) == 2:
        return f"The mediation covers {phrases[0]}, as well as {phrases[1]}."
    return f"The mediation covers {'; '.join(phrases[:-1])}; and {phrases[-1]}."


def _texts(
    world: _World,
    kind: str,
    parties: list[str],
    subjects: list[str],
    scenario: _Scenario | None,
    u: np.ndarray,
) -> tuple[str, str]:
    titles = [world.name(p) for p in parties]
    names = [world.text_name(p) for p in parties]
    a, b = names[0], names[1]
    primary = subjects[0]
    sentences: list[str] = []
    phrases: list[str]
    if kind == "interstate" and scenario is not None:
        topic, opener, picks, _ = scenario
        title = f"{' / '.join(titles)}: {topic}"
        sentences.append(_cap(opener.format(A=a, B=b)))
        if len(names) > 2:
            sentences.append(f"{_cap(names[2])} has joined the mediation as a concerned state.")
        phrases = [_PHRASES[primary][picks[0]], _PHRASES[primary][picks[1]]]
    elif kind == "investor_state":
        detail_key = subjects[1] if len(subjects) > 1 else "investment"
        topic, detail = _INVESTOR[detail_key]
        sector = _pick(_SECTORS.get(detail_key, _SECTORS["investment"]), float(u[0]))
        title = f"{_cap(sector)} concession in {titles[1]} (investor from {titles[0]}): {topic}"
        sentences.append(f"An investor incorporated in {a} holds {_article(sector)} concession in {b}. {detail}")
        phrases = [_pick(_PHRASES["investment"], float(u[1]))]
    else:
        entities, firm, contract, topic, detail = _COMMERCIAL.get(primary, _COMMERCIAL["trade"])
        entity = _pick(entities, float(u[0]))
        title = f"{titles[0]} {entity} and {firm} from {titles[1]}: {topic}"
        sentences.append(
            f"The {entity} of {a} and {_article(firm)} from {b} disagree over their obligations "
            f"under {contract}. {detail}"
        )
        phrases = [_pick(_PHRASES[primary], float(u[1]))]
    for k, subject in enumerate(subjects[1:], start=2):
        options = [p for p in _PHRASES[subject] if p not in phrases]
        phrases.append(_pick(options, float(u[k])))
    if len(phrases) == 1:
        phrase_pool = _PHRASES["investment" if kind == "investor_state" else primary]
        phrases.append(_pick([p for p in phrase_pool if p not in phrases], float(u[5])))
    sentences.append(_covers(phrases))
    if u[6] < 0.6:
        sentences.append(_pick(_CLOSINGS[kind], float(u[7])))
    return title, " ".join(sentences)


def _add_hard_disputes(world: _World, docket: _Docket, m: int) -> None:
    """Overwrite one or two disputes with deliberately hard ones (a rare working language)."""
    if m < 10:
        return
    rare = next(
        (
            (state, lang, other)
            for state, lang, other in _RARE_LANGUAGE
            if world.has(state, other)
            and world.table.is_language(lang)
            and _only_spoken_by(world, lang, {state, other})
        ),
        None,
    )
    if rare is not None:
        state, lang, other = rare
        i = m // 3
        titles = (world.name(state), world.name(other))
        names = (world.text_name(state), world.text_name(other))
        lang_name = world.table.language_names.get(lang, lang)
        description = (
            f"{_cap(names[0])} and {names[1]} disagree over rail freight tariffs and border "
            "crossing times on their cross-border transit corridor. "
            + _covers([_PHRASES["transit"][1], _PHRASES["transit"][4]])
            + " The "
            f"parties ask for a five-member panel working in {lang_name}."
        )
        _set_dispute(
            docket,
            i,
            title=f"{titles[0]} / {titles[1]}: transit corridor and rail freight tariffs",
            kind="interstate",
            parties=[state, other],
            subjects=["transit", "trade"],
            langs=[lang, "en"],
            size=5,
            description=description,
            rule="",
        )
        docket.hard.append(i)
    party_a, party_b, lang, _ = _TIGHT
    if m >= 20 and _tight_dispute_possible(world):
        i = (2 * m) // 3
        titles = (world.name(party_a), world.name(party_b))
        names = (world.text_name(party_a), world.text_name(party_b))
        lang_name = world.table.language_names.get(lang, lang)
        description = (
            f"{_cap(names[0])}, the downstream state, says that the filling and operation of a new "
            f"dam in {names[1]} has reduced downstream flows and harmed fisheries and irrigation. "
            + _covers([_PHRASES["water"][1], _PHRASES["water"][3]])
            + " The parties asked for the mediation to be held in "
            f"{lang_name}."
        )
        _set_dispute(
            docket,
            i,
            title=f"{titles[0]} / {titles[1]}: dam operation and downstream flows",
            kind="interstate",
            parties=[party_a, party_b],
            subjects=["water", "environment"],
            langs=[lang, "en"],
            size=3,
            description=description,
            rule="",
        )
        docket.hard.append(i)


def _set_dispute(
    docket: _Docket,
    i: int,
    *,
    title: str,
    kind: str,
    parties: list[str],
    subjects: list[str],
    langs: list[str],
    size: int,
    description: str,
    rule: str,
) -> None:
    docket.rows[i].update(
        title=title,
        kind=kind,
        parties=";".join(parties),
        subject_areas=";".join(subjects),
        languages=";".join(langs),
        panel_size=str(size),
        description=description,
        nationality_rule=rule,
    )
    docket.parties[i] = parties
    docket.subjects[i] = subjects
    docket.languages[i] = langs
    docket.kinds[i] = kind


# --------------------------------------------------------------------------------------------
# Conflicts, preferences and appointment history
# --------------------------------------------------------------------------------------------


def _party_mask(world: _World, roster: _Roster, parties: list[str]) -> np.ndarray:
    """Mediators holding any nationality of any party (nat1 == -1 hits the spare last slot)."""
    is_party = np.zeros(len(world.isos) + 1, dtype=bool)
    is_party[[world.index[p] for p in parties]] = True
    return np.asarray(is_party[roster.nat0] | is_party[roster.nat1])


def _strong_candidates(
    world: _World,
    roster: _Roster,
    rng: np.random.Generator,
    parties: list[str],
    subjects: list[str],
    language: str | None,
    size: int,
) -> np.ndarray:
    """The best-matching eligible non-party mediators for a dispute (a noisy top ``size``)."""
    mask = roster.eligible & ~_party_mask(world, roster, parties)
    if language is not None:
        mask &= roster.speaks.get(language, np.zeros_like(mask))
    if roster.planted >= 0:
        mask[roster.planted] = False
    candidates = np.flatnonzero(mask)
    if len(candidates) == 0:
        return candidates
    cols = np.array([_SUBJECT_INDEX[s] for s in subjects], dtype=np.int64)
    score = roster.expertise[np.ix_(candidates, cols)].sum(axis=1) + 3 * rng.random(len(candidates))
    if len(candidates) > size:
        top = np.argpartition(-score, size)[:size]
    else:
        top = np.arange(len(candidates))
    top = top[np.argsort(-score[top], kind="stable")]
    return candidates[top]


def _conflicts(
    world: _World,
    roster: _Roster,
    docket: _Docket,
    rng: np.random.Generator,
    mediator_ids: list[str],
) -> list[Row]:
    m = len(docket.rows)
    candidates = [i for i in range(m) if i not in docket.hard]
    if not candidates:
        return []
    count = max(4, round(0.75 * m)) if m >= 4 else len(candidates)
    categories = list(_CONFLICT_NOTES)
    cat_draw = rng.choice(len(categories), size=count, p=_CONFLICT_P)
    cat_draw[: min(4, count)] = np.arange(min(4, count))
    dispute_draw = rng.choice(candidates, size=count)
    u = rng.random((count, 5))
    seen: set[tuple[int, int]] = set()
    rows: list[tuple[int, int, Row]] = []
    for k in range(count):
        d = int(dispute_draw[k])
        parties = docket.parties[d]
        pool = _strong_candidates(world, roster, rng, parties, docket.subjects[d], None, 25)
        pool = np.array([p for p in pool if (int(p), d) not in seen])
        if len(pool) == 0:
            continue
        med = int(pool[min(int(u[k, 0] * len(pool)), len(pool) - 1)])
        seen.add((med, d))
        category = categories[int(cat_draw[k])]
        party = parties[min(int(u[k, 1] * len(parties)), len(parties) - 1)]
        note = _pick(_CONFLICT_NOTES[category], float(u[k, 2])).format(
            party=world.text_name(party),
            year=2019 + int(u[k, 3] * 7),
            subject=_SUBJECT_LABEL[docket.subjects[d][0]],
        )
        waived = category == "waivable_red" and u[k, 4] < 0.35
        row = {
            "mediator_id": mediator_ids[med],
            "dispute_id": docket.rows[d]["dispute_id"],
            "category": category,
            "waived": _bool(waived),
            "note": note[0].upper() + note[1:],
        }
        rows.append((d, med, row))
    rows.sort(key=lambda t: (t[0], t[1]))
    return [r for _, _, r in rows]


def _preferences(
    world: _World,
    roster: _Roster,
    docket: _Docket,
    rng: np.random.Generator,
    mediator_ids: list[str],
) -> list[Row]:
    m = len(docket.rows)
    chosen = rng.random(m) < 0.25
    for i in docket.hard:
        chosen[i] = False
    if m >= 4 and not chosen.any():
        chosen[next(i for i in range(m) if i not in docket.hard)] = True
    rows: list[Row] = []
    for d in np.flatnonzero(chosen):
        parties = docket.parties[d]
        pool = _strong_candidates(world, roster, rng, parties, docket.subjects[d], docket.languages[d][0], 30)
        if len(pool) < 6:
            continue
        pool_nat = [world.isos[roster.nat0[p]] for p in pool]
        for party in parties:
            others = [p for p in parties if p != party]
            align_self = np.array([world.table.alignment(n, party) for n in pool_nat], dtype=float)
            align_other = np.array([max(world.table.alignment(n, o) for o in others) for n in pool_nat], dtype=float)
            noise = rng.random((2, len(pool)))
            n_strike = int(rng.integers(1, 4))
            n_rank = int(rng.integers(3, 7))
            strike_order = np.argsort(-(align_other - align_self + 1.5 * noise[0]), kind="stable")
            struck = list(strike_order[:n_strike])
            quality = np.linspace(1.0, 0.0, len(pool))  # pool is sorted best first
            rank_order = np.argsort(-(quality + 0.3 * align_self + 0.8 * noise[1]), kind="stable")
            ranked = [j for j in rank_order if j not in struck][:n_rank]
            for j in struck:
                rows.append(
                    {
                        "dispute_id": docket.rows[d]["dispute_id"],
                        "party": party,
                        "mediator_id": mediator_ids[pool[j]],
                        "struck": "true",
                        "rank": "",
                    }
                )
            for r, j in enumerate(ranked, start=1):
                rows.append(
                    {
                        "dispute_id": docket.rows[d]["dispute_id"],
                        "party": party,
                        "mediator_id": mediator_ids[pool[j]],
                        "struck": "false",
                        "rank": str(r),
                    }
                )
    return rows


#: A past case: day (from HISTORY_START), the two parties, and (mediator, appointing party) per seat.
_PastCase = tuple[int, list[str], list[tuple[int, str]]]


class _MediatorStream:
    """Mediators drawn by weight in blocks of ``4 * target + 100``, a fresh block when one runs out."""

    def __init__(self, rng: np.random.Generator, weights: np.ndarray, target: int) -> None:
        self.rng = rng
        self.weights = weights
        self.block = 4 * target + 100
        self.draws = rng.choice(len(weights), size=self.block, p=weights)
        self.cursor = 0

    def draw(self) -> int:
        """The next mediator drawn."""
        if self.cursor >= len(self.draws):
            self.draws = self.rng.choice(len(self.weights), size=self.block, p=self.weights)
            self.cursor = 0
        med = int(self.draws[self.cursor])
        self.cursor += 1
        return med


def _appointments(world: _World, roster: _Roster, rng: np.random.Generator, mediator_ids: list[str]) -> list[Row]:
    """About two appointments per three mediators over three years: a small club of senior
    mediators appointed often, some of them repeatedly by one party, and everyone else now and then."""
    n = len(mediator_ids)
    target = round(n * 2 / 3)
    if n == 0 or target == 0:
        return []
    club = _draw_club(world, roster, rng, n)
    # Appointing parties: signatories and frequent users of international dispute settlement.
    party_w = world.weight + np.where(world.signatory, 1.0, 0.0)
    party_w = party_w / party_w.sum()
    cases = _repeat_cases(world, roster, rng, club, party_w, max(2, target // 100))
    cases += _other_cases(world, roster, rng, _club_weights(n, club), party_w, target, sum(len(c[2]) for c in cases))
    cases.sort(key=lambda c: c[0])
    return _appointment_rows(cases, mediator_ids)


def _draw_club(world: _World, roster: _Roster, rng: np.random.Generator, n: int) -> np.ndarray:
    """The club: a few senior mediators (20 years or more), mostly from the usual arbitration hubs."""
    senior = np.flatnonzero(roster.years >= 20)
    if len(senior) == 0:
        senior = np.arange(n)
    club_size = min(len(senior), max(3, round(0.02 * n)))
    club_w = world.weight[roster.nat0[senior]] + 0.05
    club_w = club_w * np.where(world.signatory[roster.nat0[senior]], 0.5, 1.0)
    return rng.choice(senior, size=club_size, replace=False, p=club_w / club_w.sum())


def _club_weights(n: int, club: np.ndarray) -> np.ndarray:
    """The chance of each mediator being appointed: club members 30 times the others'."""
    med_w = np.ones(n)
    med_w[club] = 30.0
    return np.asarray(med_w / med_w.sum())


def _history_day(rng: np.random.Generator) -> int:
    """A random day of the history, counted from HISTORY_START."""
    return int(rng.integers((HISTORY_END - HISTORY_START).days + 1))


def _repeat_cases(
    world: _World,
    roster: _Roster,
    rng: np.random.Generator,
    club: np.ndarray,
    party_w: np.ndarray,
    count: int,
) -> list[_PastCase]:
    """``count`` club members each appointed two or three times by the same party (not of their
    nationality), against various other parties."""
    cases: list[_PastCase] = []
    for k in range(count):
        med = int(club[k % len(club)])
        bad = {int(roster.nat0[med]), int(roster.nat1[med])}
        for _ in range(20):
            party_i = int(rng.choice(len(world.isos), p=party_w))
            if party_i not in bad:
                break
        for _ in range(2 + int(rng.random() < 0.4)):
            other_i = int(rng.choice(len(world.isos), p=party_w))
            if other_i in bad or other_i == party_i:
                other_i = (party_i + 1) % len(world.isos)
            parties = [world.isos[party_i], world.isos[other_i]]
            cases.append((_history_day(rng), parties, [(med, world.isos[party_i])]))
    return cases


def _other_cases(
    world: _World,
    roster: _Roster,
    rng: np.random.Generator,
    med_w: np.ndarray,
    party_w: np.ndarray,
    target: int,
    planned: int,
) -> list[_PastCase]:
    """Cases between two random parties with one to three appointed mediators (none a party's
    national), the parties appointing in turn, until the history holds ``target`` appointments."""
    stream = _MediatorStream(rng, med_w, target)
    cases: list[_PastCase] = []
    while planned < target:
        pa, pb = rng.choice(len(world.isos), size=2, replace=False, p=party_w)
        parties = [world.isos[pa], world.isos[pb]]
        k = int(rng.choice([1, 2, 3], p=[0.3, 0.5, 0.2]))
        chosen: list[tuple[int, str]] = []
        used: set[int] = set()
        for j in range(k):
            med = _next_neutral(stream, roster, used, (pa, pb))
            if med is not None:
                used.add(med)
                chosen.append((med, parties[j % 2]))
        if chosen:
            cases.append((_history_day(rng), parties, chosen))
            planned += len(chosen)
    return cases


def _next_neutral(stream: _MediatorStream, roster: _Roster, used: set[int], parties: tuple[int, int]) -> int | None:
    """The next mediator drawn who is not yet on the case and holds no party's nationality (50 tries)."""
    for _ in range(50):
        med = stream.draw()
        if med in used or roster.nat0[med] in parties or roster.nat1[med] in parties:
            continue
        return med
    return None


def _appointment_rows(cases: list[_PastCase], mediator_ids: list[str]) -> list[Row]:
    """The rows of appointments.csv, one per seat, the cases numbered H0001... in date order."""
    rows: list[Row] = []
    for h, (day, _parties, chosen) in enumerate(cases):
        hid = _id("H", h, len(cases), 4)
        when = (HISTORY_START + timedelta(days=day)).isoformat()
        for med, party in chosen:
            rows.append({"mediator_id": mediator_ids[med], "dispute_id": hid, "party": party, "appointed_on": when})
    return rows


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


def _write(path: Path, columns: tuple[str, ...], rows: list[Row]) -> Path:
    return write_csv(path, columns, ([row.get(c) for c in columns] for row in rows), line_terminator="\n")


def write_demo_data(
    out_dir: Path,
    seed: int = 2025,
    mediators: int = 600,
    disputes: int = 80,
    countries: CountryTable | None = None,
) -> dict[str, Path]:
    """Writes mediators.csv, disputes.csv, conflicts.csv, preferences.csv, appointments.csv into
    out_dir and returns {file name: path}.

    The same seed, sizes and reference table give byte-identical files.
    """
    if mediators < 1 or disputes < 1:
        raise ArgumentError("demo data needs at least one mediator and one dispute")
    table = countries if countries is not None else default_countries()
    world = _build_world(table)
    rng = np.random.default_rng(seed)
    roster = _mediators(world, rng, mediators)
    docket = _disputes(world, rng, disputes)
    mediator_ids = [row["mediator_id"] for row in roster.rows]
    conflicts = _conflicts(world, roster, docket, rng, mediator_ids)
    preferences = _preferences(world, roster, docket, rng, mediator_ids)
    appointments = _appointments(world, roster, rng, mediator_ids)

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    return {
        "mediators.csv": _write(out_dir / "mediators.csv", MEDIATOR_COLUMNS, roster.rows),
        "disputes.csv": _write(out_dir / "disputes.csv", DISPUTE_COLUMNS, docket.rows),
        "conflicts.csv": _write(out_dir / "conflicts.csv", CONFLICT_COLUMNS, conflicts),
        "preferences.csv": _write(out_dir / "preferences.csv", PREFERENCE_COLUMNS, preferences),
        "appointments.csv": _write(out_dir / "appointments.csv", APPOINTMENT_COLUMNS, appointments),
    }
