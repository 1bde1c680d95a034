"""Loading: valid files become domain objects; every kind of bad input is named, all at once."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from matching.core.domain import ConflictCategory, DisputeKind, Tradition
from matching.core.errors import InputError, Problem
from matching.core.paths import demo_dir
from matching.io.loading import load_dataset, load_folder
from tests.factories import dispute_row, mediator_row, write_csv, write_inputs


def load(tmp_path: Path, **tables: list[dict[str, str]]):  # type: ignore[no-untyped-def]
    tables.setdefault("mediators", [mediator_row("M1"), mediator_row("M2", nationalities="FRA")])
    tables.setdefault("disputes", [dispute_row("D1")])
    paths = write_inputs(tmp_path, **tables)
    return load_dataset(**paths)


def problems_of(tmp_path: Path, **tables: list[dict[str, str]]) -> list[Problem]:
    with pytest.raises(InputError) as info:
        load(tmp_path, **tables)
    return info.value.problems


def only(problems: list[Problem], code: str) -> list[Problem]:
    return [p for p in problems if p.code == code]


def test_valid_files_load_into_domain_objects(tmp_path: Path) -> None:
    data = load(
        tmp_path,
        mediators=[
            mediator_row("M1", nationalities="KEN;GBR", legal_traditions=""),
            mediator_row("M2", nationalities="FRA", legal_traditions="civil;common", gender=""),
        ],
        conflicts=[{"mediator_id": "M1", "dispute_id": "D1", "category": "orange", "waived": "", "note": "n"}],
        preferences=[{"dispute_id": "D1", "party": "ETH", "mediator_id": "M2", "struck": "true", "rank": ""}],
        appointments=[{"mediator_id": "M1", "dispute_id": "H1", "party": "ETH", "appointed_on": "2025-03-01"}],
    )
    m1, m2 = data.mediators
    assert m1.nationalities == ("KEN", "GBR")
    assert m1.effective_nationality == "KEN"
    # Empty traditions mean those of the effective nationality (Kenya: mixed common/customary/muslim).
    assert Tradition.COMMON in m1.legal_traditions
    assert m2.legal_traditions == {Tradition.CIVIL, Tradition.COMMON}
    assert m2.gender is None
    assert m1.expertise == {"water": 4, "trade": 2}
    assert m1.remaining_capacity == 3
    (d,) = data.disputes
    assert d.kind is DisputeKind.INTERSTATE and d.parties == ("ETH", "SDN") and d.panel_size == 3
    assert data.conflicts[0].category is ConflictCategory.ORANGE and not data.conflicts[0].waived
    assert data.preferences[0].struck and data.preferences[0].rank is None
    assert data.appointments[0].appointed_on.year == 2025
    assert set(data.inputs_sha256) == {
        "mediators.csv",
        "disputes.csv",
        "conflicts.csv",
        "preferences.csv",
        "appointments.csv",
    }


@pytest.mark.parametrize(
    ("column", "value", "fragment"),
    [
        ("nationalities", "KEN;XXX", "unknown country"),
        ("nationalities", "", "at least 1"),
        ("languages", "en;qq", "unknown ISO 639-1"),
        ("languages", "", "at least one language"),
        ("expertise", "water:9", "between 1 and 5"),
        ("expertise", "astrology:3", "unknown subject"),
        ("expertise", "water", "area:level"),
        ("max_cases", "-1", "negative"),
        ("max_cases", "four", "not a whole number"),
        ("gender", "Q", "F, M, X"),
        ("available", "maybe", "true or false"),
        ("legal_traditions", "roman", "unknown legal tradition"),
        ("nominated_by", "ZZZ", "unknown country"),
        ("mediator_id", "", "required"),
    ],
)
def test_bad_mediator_cells_are_named(tmp_path: Path, column: str, value: str, fragment: str) -> None:
    problems = problems_of(tmp_path, mediators=[mediator_row("M1"), mediator_row("M2", **{column: value})])
    assert len(problems) == 1
    (p,) = problems
    assert (p.file, p.row, p.column, p.value) == ("mediators.csv", 3, column, value)
    assert fragment in p.message


@pytest.mark.parametrize(
    ("column", "value", "fragment"),
    [
        ("panel_size", "4", "1, 2, 3, 5"),
        ("parties", "ETH", "at least 2"),
        ("parties", "ETH;ETH", "twice"),
        ("kind", "criminal", "interstate"),
        ("subject_areas", "water;poetry", "unknown subject"),
        ("nationality_rule", "lenient", "strict"),
        ("languages", "xx", "unknown ISO 639-1"),
    ],
)
def test_bad_dispute_cells_are_named(tmp_path: Path, column: str, value: str, fragment: str) -> None:
    (p,) = problems_of(tmp_path, disputes=[dispute_row("D1", **{column: value})])
    assert (p.file, p.row, p.column) == ("disputes.csv", 2, column)
    assert fragment in p.message


def test_active_above_max_is_impossible_capacity(tmp_path: Path) -> None:
    (p,) = problems_of(tmp_path, mediators=[mediator_row("M1", max_cases=2, active_cases=3)])
    assert p.code == "over_capacity" and p.column == "active_cases" and p.row == 2


def test_duplicate_ids(tmp_path: Path) -> None:
    problems = problems_of(
        tmp_path,
        mediators=[mediator_row("M1"), mediator_row("M1", nationalities="FRA")],
        disputes=[dispute_row("D1"), dispute_row("D1")],
    )
    dupes = only(problems, "duplicate_id")
    assert [(p.file, p.row, p.value) for p in dupes] == [("mediators.csv", 3, "M1"), ("disputes.csv", 3, "D1")]
    assert "row 2" in dupes[0].message


def test_missing_and_unknown_columns(tmp_path: Path) -> None:
    rows = [mediator_row("M1")]
    for row in rows:
        del row["languages"]
        row["shoe_size"] = "42"
    problems = problems_of(tmp_path, mediators=rows)
    assert {(p.code, p.column) for p in problems} == {("missing_column", "languages"), ("unknown_column", "shoe_size")}


def test_references_to_unknown_mediators_and_disputes(tmp_path: Path) -> None:
    problems = problems_of(
        tmp_path,
        conflicts=[
            {"mediator_id": "M9", "dispute_id": "D1", "category": "orange", "waived": "", "note": ""},
            {"mediator_id": "M1", "dispute_id": "D9", "category": "purple", "waived": "", "note": ""},
            {"mediator_id": "M1", "dispute_id": "D9", "category": "green", "waived": "", "note": ""},
        ],
        preferences=[
            {"dispute_id": "D1", "party": "FRA", "mediator_id": "M1", "struck": "false", "rank": "1"},
            {"dispute_id": "D1", "party": "ETH", "mediator_id": "M1", "struck": "true", "rank": "2"},
        ],
        appointments=[{"mediator_id": "M7", "dispute_id": "H1", "party": "ETH", "appointed_on": "2025-13-01"}],
    )
    found = {(p.file, p.row, p.code) for p in problems}
    assert found == {
        ("conflicts.csv", 2, "unknown_mediator"),
        ("conflicts.csv", 3, "bad_value"),  # the category purple
        ("conflicts.csv", 4, "unknown_dispute"),
        ("conflicts.csv", 4, "duplicate_id"),  # the same mediator and dispute as row 3
        ("preferences.csv", 2, "not_a_party"),
        ("preferences.csv", 3, "struck_and_ranked"),
        ("appointments.csv", 2, "bad_value"),  # month 13
    }


def test_every_problem_of_every_file_is_reported_at_once(tmp_path: Path) -> None:
    problems = problems_of(
        tmp_path,
        mediators=[mediator_row("M1", nationalities="XXX", max_cases="-2"), mediator_row("M1")],
        disputes=[dispute_row("D1", panel_size="7"), dispute_row("D2", parties="ETH")],
    )
    assert len(problems) == 5
    assert [p.file for p in problems] == ["mediators.csv"] * 3 + ["disputes.csv"] * 2
    message = str(InputError(problems))
    assert "5 problems" in message and "row 3" in message and "panel_size" in message


def test_missing_file_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    write_csv(tmp_path / "mediators.csv", [mediator_row("M1")])
    with pytest.raises(InputError) as info:
        load_dataset(mediators=tmp_path / "mediators.csv", disputes=tmp_path / "nope.csv")
    assert info.value.problems[0].code == "missing_file"


def test_parquet_loads_like_csv(tmp_path: Path) -> None:
    csv_data = load(tmp_path)
    frame = pd.read_csv(tmp_path / "mediators.csv", dtype=str, keep_default_na=False)
    frame["max_cases"] = frame["max_cases"].astype(int)
    frame["available"] = frame["available"] == "true"
    frame["nationalities"] = frame["nationalities"].str.split(";")
    frame.to_parquet(tmp_path / "mediators.parquet")
    pq_data = load_dataset(mediators=tmp_path / "mediators.parquet", disputes=tmp_path / "disputes.csv")
    assert pq_data.mediators == csv_data.mediators


def test_parquet_problems_are_named_too(tmp_path: Path) -> None:
    load(tmp_path)
    frame = pd.read_csv(tmp_path / "disputes.csv", dtype=str, keep_default_na=False)
    frame["panel_size"] = [4]
    frame.to_parquet(tmp_path / "disputes.parquet")
    with pytest.raises(InputError) as info:
        load_dataset(mediators=tmp_path / "mediators.csv", disputes=tmp_path / "disputes.parquet")
    (p,) = info.value.problems
    assert (p.file, p.row, p.column, p.value) == ("disputes.parquet", 2, "panel_size", "4")


def test_bundled_demo_data_is_valid() -> None:
    data = load_folder(demo_dir())
    assert len(data.mediators) >= 500
    assert len(data.disputes) >= 60
