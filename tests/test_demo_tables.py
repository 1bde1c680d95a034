"""The demo generator's tables in data/demo/generator/: complete, consistent with each other and with
the reference data, so that no draw of the generator can hit a missing entry."""

from __future__ import annotations

import pytest

from matching.core.domain import SUBJECTS, ConflictCategory, DisputeKind, UNGroup
from matching.demo.tables import GeneratorTables, generator_tables
from matching.io.countries import CountryTable, default_countries


@pytest.fixture(scope="module")
def tables() -> GeneratorTables:
    return generator_tables()


@pytest.fixture(scope="module")
def countries() -> CountryTable:
    return default_countries()


def test_every_culture_has_names(tables: GeneratorTables) -> None:
    cultures = set(tables.culture_of.values()) | set(tables.group_culture.values())
    assert cultures <= set(tables.names)
    assert set(tables.group_culture) == set(UNGroup)
    for culture, (female, male, last, _) in tables.names.items():
        assert female.split() and male.split() and last.split(), culture


def test_country_codes_are_in_the_reference_table(tables: GeneratorTables, countries: CountryTable) -> None:
    codes = set(tables.culture_of) | set(tables.signatory_weights) | set(tables.other_weights)
    codes |= set(tables.signatories) | set(tables.dual_hubs) | set(tables.short_names) | set(tables.contractor_states)
    codes |= {iso for iso, _ in tables.investor_homes} | {iso for a, b, _ in tables.pairs for iso in (a, b)}
    assert codes <= set(countries.countries)


def test_subject_tables_cover_every_subject(tables: GeneratorTables) -> None:
    for table in (tables.phrases, tables.subject_label, tables.related, tables.area_roles, tables.interstate):
        assert list(table) == list(SUBJECTS)
    assert len(tables.subject_weights) == len(SUBJECTS)
    assert all(w > 0 for w in tables.subject_weights)
    for subject in SUBJECTS:
        assert set(tables.related[subject]) <= set(SUBJECTS) - {subject}
        for _, opening, (i, j), _ in tables.interstate[subject]:
            assert "{A}" in opening or "{B}" in opening
            assert 0 <= i < len(tables.phrases[subject]) and 0 <= j < len(tables.phrases[subject]) and i != j
    assert {s for _, _, subjects in tables.pairs for s in subjects} <= set(SUBJECTS)


def test_dispute_templates(tables: GeneratorTables) -> None:
    assert set(tables.closings) == {str(k) for k in DisputeKind}
    assert "investment" in tables.investor and set(tables.sectors) == set(tables.investor)
    assert set(tables.investor) <= set(SUBJECTS) and set(tables.commercial) <= set(SUBJECTS)
    assert "trade" in tables.commercial


def test_conflict_notes(tables: GeneratorTables) -> None:
    assert list(tables.conflict_notes) == [str(c) for c in ConflictCategory]
    assert sum(tables.conflict_shares) == pytest.approx(1.0)
