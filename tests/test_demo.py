"""The seeded demo-data generator: reproducible, valid against the data contract, realistic enough.

The files are read back with the csv module (not the project's loader) so that these tests check
the generator on its own.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pytest

from matching.core.domain import SUBJECTS, ConflictCategory, UNGroup
from matching.core.paths import demo_dir
from matching.demo.generate import (
    APPOINTMENT_COLUMNS,
    CONFLICT_COLUMNS,
    DISPUTE_COLUMNS,
    MEDIATOR_COLUMNS,
    PREFERENCE_COLUMNS,
    write_demo_data,
)
from matching.io.countries import CountryTable, default_countries

FILES = ("mediators.csv", "disputes.csv", "conflicts.csv", "preferences.csv", "appointments.csv")
COLUMNS = {
    "mediators.csv": MEDIATOR_COLUMNS,
    "disputes.csv": DISPUTE_COLUMNS,
    "conflicts.csv": CONFLICT_COLUMNS,
    "preferences.csv": PREFERENCE_COLUMNS,
    "appointments.csv": APPOINTMENT_COLUMNS,
}
TRADITIONS = {"civil", "common", "customary", "muslim"}


def read(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def split(cell: str) -> list[str]:
    return [part for part in cell.split(";") if part]


@pytest.fixture(scope="module")
def table() -> CountryTable:
    return default_countries()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    write_demo_data(folder, seed=2025, mediators=600, disputes=80)
    return folder


@pytest.fixture(scope="module")
def data(demo: Path) -> dict[str, list[dict[str, str]]]:
    return {name: read(demo, name) for name in FILES}


def test_bundled_demo_data_is_what_the_generator_writes(demo: Path) -> None:
    """data/demo is the default demo-data command's output, byte for byte (see its README)."""
    for name in FILES:
        assert (demo / name).read_bytes() == (demo_dir() / name).read_bytes(), name


def test_returns_the_five_paths(tmp_path: Path) -> None:
    paths = write_demo_data(tmp_path / "out", seed=1, mediators=60, disputes=12)
    assert sorted(paths) == sorted(FILES)
    for name, path in paths.items():
        assert path == tmp_path / "out" / name
        assert path.is_file()


def test_same_seed_gives_identical_files(tmp_path: Path) -> None:
    first = write_demo_data(tmp_path / "a", seed=7, mediators=300, disputes=40)
    second = write_demo_data(tmp_path / "b", seed=7, mediators=300, disputes=40)
    for name in FILES:
        assert first[name].read_bytes() == second[name].read_bytes(), name


def test_different_seed_gives_different_files(tmp_path: Path) -> None:
    first = write_demo_data(tmp_path / "a", seed=7, mediators=300, disputes=40)
    second = write_demo_data(tmp_path / "b", seed=8, mediators=300, disputes=40)
    for name in ("mediators.csv", "disputes.csv", "appointments.csv"):
        assert first[name].read_bytes() != second[name].read_bytes(), name


def test_header_rows_are_the_contract(demo: Path) -> None:
    for name in FILES:
        with (demo / name).open(encoding="utf-8", newline="") as fh:
            header = next(csv.reader(fh))
        assert tuple(header) == COLUMNS[name], name


@pytest.mark.parametrize(("mediators", "disputes"), [(600, 80), (137, 23), (20, 3)])
def test_counts_match_the_arguments(tmp_path: Path, mediators: int, disputes: int) -> None:
    write_demo_data(tmp_path, seed=3, mediators=mediators, disputes=disputes)
    assert len(read(tmp_path, "mediators.csv")) == mediators
    assert len(read(tmp_path, "disputes.csv")) == disputes


def test_ids_are_unique_and_well_formed(data: dict[str, list[dict[str, str]]]) -> None:
    mediator_ids = [m["mediator_id"] for m in data["mediators.csv"]]
    dispute_ids = [d["dispute_id"] for d in data["disputes.csv"]]
    assert len(set(mediator_ids)) == len(mediator_ids)
    assert len(set(dispute_ids)) == len(dispute_ids)
    assert mediator_ids[0] == "M0001" and mediator_ids[-1] == "M0600"
    assert dispute_ids[0] == "D001" and dispute_ids[-1] == "D080"
    pairs = [(c["mediator_id"], c["dispute_id"]) for c in data["conflicts.csv"]]
    assert len(set(pairs)) == len(pairs)
    triples = [(p["dispute_id"], p["party"], p["mediator_id"]) for p in data["preferences.csv"]]
    assert len(set(triples)) == len(triples)
    names = [m["name"] for m in data["mediators.csv"]]
    assert len(set(names)) == len(names)


def test_every_country_code_is_in_the_reference_table(
    data: dict[str, list[dict[str, str]]], table: CountryTable
) -> None:
    codes: list[str] = []
    for m in data["mediators.csv"]:
        codes += split(m["nationalities"])
        codes += split(m["nominated_by"])
    for d in data["disputes.csv"]:
        codes += split(d["parties"])
    codes += [p["party"] for p in data["preferences.csv"]]
    codes += [a["party"] for a in data["appointments.csv"]]
    unknown = sorted({c for c in codes if c not in table})
    assert unknown == []


def test_every_language_is_in_languages_csv(data: dict[str, list[dict[str, str]]], table: CountryTable) -> None:
    languages = [code for m in data["mediators.csv"] for code in split(m["languages"])]
    languages += [code for d in data["disputes.csv"] for code in split(d["languages"])]
    assert sorted({c for c in languages if not table.is_language(c)}) == []
    assert all(split(m["languages"]) for m in data["mediators.csv"])
    assert all(split(d["languages"]) for d in data["disputes.csv"])


def test_mediator_fields_follow_the_contract(data: dict[str, list[dict[str, str]]]) -> None:
    for m in data["mediators.csv"]:
        nats = split(m["nationalities"])
        assert 1 <= len(nats) <= 2 and len(set(nats)) == len(nats)
        assert m["gender"] in ("F", "M", "X", "")
        assert set(split(m["legal_traditions"])) <= TRADITIONS
        items = split(m["expertise"])
        assert 2 <= len(items) <= 5
        areas = [item.split(":")[0] for item in items]
        assert set(areas) <= set(SUBJECTS) and len(set(areas)) == len(areas)
        assert all(1 <= int(item.split(":")[1]) <= 5 for item in items)
        assert 3 <= int(m["years_experience"]) <= 40
        assert 2 <= int(m["max_cases"]) <= 8
        assert 0 <= int(m["active_cases"]) <= int(m["max_cases"])
        assert m["available"] in ("true", "false")
        assert m["declaration_signed"] in ("true", "false")
        assert m["name"].strip() and m["profile"].count(".") >= 2


def test_mediator_mix_is_realistic(data: dict[str, list[dict[str, str]]]) -> None:
    mediators = data["mediators.csv"]
    n = len(mediators)
    gender = Counter(m["gender"] for m in mediators)
    assert 0.3 < gender["F"] / n < 0.5
    dual = sum(len(split(m["nationalities"])) == 2 for m in mediators) / n
    assert 0.03 < dual < 0.15
    assert 0.0 < sum(m["available"] == "false" for m in mediators) / n < 0.08
    assert 0.0 < sum(m["declaration_signed"] == "false" for m in mediators) / n < 0.08
    assert sum(m["legal_traditions"] == "" for m in mediators) / n > 0.6
    levels = Counter(int(i.split(":")[1]) for m in mediators for i in split(m["expertise"]))
    assert levels[5] < levels[4] < levels[3]
    assert sum("en" in split(m["languages"]) for m in mediators) / n > 0.7


def test_every_un_group_among_effective_nationalities(
    data: dict[str, list[dict[str, str]]], table: CountryTable
) -> None:
    groups = {table[split(m["nationalities"])[0]].un_group for m in data["mediators.csv"]}
    assert groups == set(UNGroup)


def test_every_un_group_even_on_a_small_roster(tmp_path: Path, table: CountryTable) -> None:
    write_demo_data(tmp_path, seed=11, mediators=30, disputes=5)
    mediators = read(tmp_path, "mediators.csv")
    assert {table[split(m["nationalities"])[0]].un_group for m in mediators} == set(UNGroup)


def test_most_mediators_are_nominated_by_signatories(
    data: dict[str, list[dict[str, str]]], table: CountryTable
) -> None:
    mediators = data["mediators.csv"]
    nominated = [m["nominated_by"] for m in mediators if m["nominated_by"]]
    assert all(table[code].iomed_signatory for code in nominated)
    assert 0.6 <= len(nominated) / len(mediators) <= 0.8
    weog = [m for m in mediators if table[split(m["nationalities"])[0]].un_group == UNGroup.WESTERN_EUROPEAN_OTHERS]
    assert len(weog) >= 30
    assert any(m["nominated_by"] for m in weog) and any(not m["nominated_by"] for m in weog)


def test_dispute_fields_follow_the_contract(data: dict[str, list[dict[str, str]]]) -> None:
    disputes = data["disputes.csv"]
    for d in disputes:
        parties = split(d["parties"])
        assert 2 <= len(parties) <= 3 and len(set(parties)) == len(parties)
        assert d["kind"] in ("interstate", "investor_state", "commercial")
        if len(parties) == 3:
            assert d["kind"] == "interstate"
        subjects = split(d["subject_areas"])
        assert 1 <= len(subjects) <= 3 and set(subjects) <= set(SUBJECTS)
        assert d["panel_size"] in ("1", "2", "3", "5")
        assert d["nationality_rule"] in ("", "strict", "majority", "consent")
        assert d["title"] and d["description"].count(".") >= 2
    kinds = Counter(d["kind"] for d in disputes)
    assert kinds["interstate"] > kinds["investor_state"] > kinds["commercial"] > 0
    sizes = Counter(d["panel_size"] for d in disputes)
    assert set(sizes) == {"1", "2", "3", "5"} and sizes["3"] == max(sizes.values())
    rules = Counter(d["nationality_rule"] for d in disputes)
    assert rules[""] > len(disputes) / 2
    working = Counter(split(d["languages"])[0] for d in disputes)
    assert working["en"] > len(disputes) / 2 and len(working) >= 4


def test_investor_state_disputes_mostly_against_signatory_hosts(
    data: dict[str, list[dict[str, str]]], table: CountryTable
) -> None:
    hosts = [split(d["parties"])[1] for d in data["disputes.csv"] if d["kind"] == "investor_state"]
    assert sum(table[h].iomed_signatory for h in hosts) / len(hosts) > 0.6


def test_conflicts_cover_every_category_and_name_existing_ids(
    data: dict[str, list[dict[str, str]]],
) -> None:
    conflicts = data["conflicts.csv"]
    mediator_ids = {m["mediator_id"] for m in data["mediators.csv"]}
    dispute_ids = {d["dispute_id"] for d in data["disputes.csv"]}
    assert 40 <= len(conflicts) <= 80
    assert {c["category"] for c in conflicts} == {str(c) for c in ConflictCategory}
    for c in conflicts:
        assert c["mediator_id"] in mediator_ids and c["dispute_id"] in dispute_ids
        assert c["waived"] in ("true", "false") and c["note"]
        if c["waived"] == "true":
            assert c["category"] == "waivable_red"
    assert any(c["waived"] == "true" for c in conflicts)
    assert any(c["category"] == "waivable_red" and c["waived"] == "false" for c in conflicts)


def test_preferences_belong_to_their_dispute(data: dict[str, list[dict[str, str]]]) -> None:
    preferences = data["preferences.csv"]
    parties = {d["dispute_id"]: split(d["parties"]) for d in data["disputes.csv"]}
    mediator_ids = {m["mediator_id"] for m in data["mediators.csv"]}
    assert preferences
    ranks: dict[tuple[str, str], list[int]] = defaultdict(list)
    strikes: Counter[tuple[str, str]] = Counter()
    for p in preferences:
        assert p["dispute_id"] in parties and p["mediator_id"] in mediator_ids
        assert p["party"] in parties[p["dispute_id"]]
        assert p["struck"] in ("true", "false")
        if p["struck"] == "true":
            assert p["rank"] == ""
            strikes[(p["dispute_id"], p["party"])] += 1
        else:
            ranks[(p["dispute_id"], p["party"])].append(int(p["rank"]))
    for key, values in ranks.items():
        assert sorted(values) == list(range(1, len(values) + 1)), key
        assert 3 <= len(values) <= 6
        assert 1 <= strikes[key] <= 3
    disputes_with_preferences = {p["dispute_id"] for p in preferences}
    assert 0.1 <= len(disputes_with_preferences) / len(parties) <= 0.4


def test_appointment_history(data: dict[str, list[dict[str, str]]]) -> None:
    appointments = data["appointments.csv"]
    mediator_ids = {m["mediator_id"] for m in data["mediators.csv"]}
    assert 300 <= len(appointments) <= 500
    for a in appointments:
        assert a["mediator_id"] in mediator_ids
        assert a["dispute_id"].startswith("H")
        assert date(2023, 11, 27) <= date.fromisoformat(a["appointed_on"]) <= date(2026, 11, 26)
    per_mediator = Counter(a["mediator_id"] for a in appointments)
    top = sum(count for _, count in per_mediator.most_common(12))
    assert top / len(appointments) > 0.2  # a club appears much more often than the rest
    repeats = Counter((a["mediator_id"], a["party"]) for a in appointments)
    assert sum(count >= 2 for count in repeats.values()) >= 3


def _feasible_by_greedy(
    dispute: dict[str, str],
    mediators: list[dict[str, str]],
    table: CountryTable,
    red: set[str],
    struck: set[str],
) -> bool:
    """A conservative check of the hard rules under the strict nationality rule: True means a
    panel exists (the greedy found one); False may, rarely, be a miss."""
    parties = set(split(dispute["parties"]))
    languages = split(dispute["languages"])
    size = int(dispute["panel_size"])
    pool = []
    for m in mediators:
        nats = split(m["nationalities"])
        if (
            m["available"] == "true"
            and m["declaration_signed"] == "true"
            and int(m["active_cases"]) < int(m["max_cases"])
            and m["mediator_id"] not in red | struck
            and not set(nats) & parties
        ):
            country = table[nats[0]]
            traditions = set(split(m["legal_traditions"])) or {str(t) for t in country.legal_traditions}
            pool.append((set(nats), set(split(m["languages"])), traditions, country.un_group))
    chairs = [p for p in pool if languages[0] in p[1]]
    for chair in chairs[:20]:
        panel = [chair]
        while len(panel) < size:
            taken: set[str] = set().union(*(p[0] for p in panel))
            spoken = set().union(*(p[1] for p in panel))
            traditions = set().union(*(p[2] for p in panel))
            groups = {p[3] for p in panel}

            best, best_gain = None, -1
            for p in pool:
                if p[0] & taken:
                    continue
                gain = (
                    len(set(languages) & (p[1] - spoken))
                    + (size >= 3 and len(groups) < 2 and p[3] not in groups)
                    + (size >= 3 and len(traditions) < 2 and bool(p[2] - traditions))
                )
                if gain > best_gain:
                    best, best_gain = p, gain
            if best is None:
                break
            panel.append(best)
        spoken = set().union(*(p[1] for p in panel))
        ok = len(panel) == size and set(languages) <= spoken
        if size >= 3:
            ok = ok and len({p[3] for p in panel}) >= 2
            ok = ok and len(set().union(*(p[2] for p in panel))) >= 2
        if ok:
            return True
    return False


def test_nearly_every_dispute_has_a_feasible_panel(data: dict[str, list[dict[str, str]]], table: CountryTable) -> None:
    red: dict[str, set[str]] = defaultdict(set)
    for c in data["conflicts.csv"]:
        if c["category"] == "non_waivable_red" or (c["category"] == "waivable_red" and c["waived"] == "false"):
            red[c["dispute_id"]].add(c["mediator_id"])
    struck: dict[str, set[str]] = defaultdict(set)
    for p in data["preferences.csv"]:
        if p["struck"] == "true":
            struck[p["dispute_id"]].add(p["mediator_id"])
    failing = [
        d["dispute_id"]
        for d in data["disputes.csv"]
        if not _feasible_by_greedy(d, data["mediators.csv"], table, red[d["dispute_id"]], struck[d["dispute_id"]])
    ]
    assert 1 <= len(failing) <= 2, failing


def test_a_deliberately_hard_dispute_has_no_possible_chair(
    data: dict[str, list[dict[str, str]]],
) -> None:
    """One dispute needs a chair speaking a language that only the parties' nationals speak."""
    hard = []
    for d in data["disputes.csv"]:
        parties = set(split(d["parties"]))
        working = split(d["languages"])[0]
        chairs = [
            m
            for m in data["mediators.csv"]
            if working in split(m["languages"]) and not set(split(m["nationalities"])) & parties
        ]
        if not chairs:
            hard.append(d)
    assert len(hard) == 1
    assert hard[0]["panel_size"] == "5" and split(hard[0]["languages"])[0] not in ("en", "fr")


def test_texts_share_vocabulary_between_profiles_and_descriptions(
    data: dict[str, list[dict[str, str]]],
) -> None:
    """Water disputes and water experts talk about the same things (TF-IDF needs that)."""
    water_disputes = [d for d in data["disputes.csv"] if "water" in split(d["subject_areas"])]
    water_experts = [m for m in data["mediators.csv"] if "water:" in m["expertise"]]
    assert water_disputes and water_experts
    keywords = ("watercourse", "downstream", "aquifer", "basin", "hydropower", "dam")
    assert all(any(k in d["description"] for k in keywords) for d in water_disputes)
    assert all(any(k in m["profile"] for k in keywords) for m in water_experts)


def test_custom_reference_table(tmp_path: Path, table: CountryTable) -> None:
    """A smaller reference table works: only its countries appear."""
    keep = {
        iso
        for iso, c in table.countries.items()
        if c.iomed_signatory or iso in {"GBR", "FRA", "CHE", "BRA", "IND", "RUS", "EGY", "THA"}
    }
    small = CountryTable(
        countries={iso: table.countries[iso] for iso in keep},
        language_names=table.language_names,
    )
    write_demo_data(tmp_path, seed=5, mediators=150, disputes=30, countries=small)
    for m in read(tmp_path, "mediators.csv"):
        assert set(split(m["nationalities"])) <= keep
    for d in read(tmp_path, "disputes.csv"):
        assert set(split(d["parties"])) <= keep


@pytest.mark.slow
def test_scales_to_ten_thousand_mediators(tmp_path: Path) -> None:
    write_demo_data(tmp_path, seed=2025, mediators=10_000, disputes=5_000)
    assert len(read(tmp_path, "mediators.csv")) == 10_000
    assert len(read(tmp_path, "disputes.csv")) == 5_000
