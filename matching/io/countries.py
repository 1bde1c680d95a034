"""Reference data: every country's UN regional group, legal traditions, blocs and languages.

Read once from ``data/reference/countries.csv`` and ``languages.csv`` (see the README there for
sources). Alignment between two countries is the number of blocs they share.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from matching.core.domain import Country, Tradition, UNGroup
from matching.core.paths import reference_dir


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(";") if part.strip()]


@dataclass(frozen=True)
class CountryTable:
    """Countries by ISO 3166-1 alpha-3 code, plus the ISO 639-1 language vocabulary."""

    countries: dict[str, Country]
    language_names: dict[str, str]

    def __contains__(self, iso3: object) -> bool:
        return iso3 in self.countries

    def __getitem__(self, iso3: str) -> Country:
        return self.countries[iso3]

    def alignment(self, a: str, b: str) -> int:
        """Number of political or economic blocs the two countries share."""
        return len(self.countries[a].blocs & self.countries[b].blocs)

    def is_language(self, code: str) -> bool:
        return code in self.language_names

    @property
    def blocs(self) -> list[str]:
        return sorted({b for c in self.countries.values() for b in c.blocs})

    @classmethod
    def from_folder(cls, folder: Path) -> CountryTable:
        countries: dict[str, Country] = {}
        with (folder / "countries.csv").open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                countries[row["iso3"]] = Country(
                    iso3=row["iso3"],
                    name=row["name"],
                    un_group=UNGroup(row["un_group"]),
                    legal_traditions=frozenset(Tradition(t) for t in _split(row["legal_traditions"])),
                    blocs=frozenset(_split(row["blocs"])),
                    languages=tuple(_split(row["languages"])),
                    iomed_signatory=row["iomed_signatory"].strip().lower() == "true",
                )
        with (folder / "languages.csv").open(encoding="utf-8", newline="") as fh:
            languages = {row["code"]: row["name"] for row in csv.DictReader(fh)}
        return cls(countries=countries, language_names=languages)


@cache
def default_countries() -> CountryTable:
    """The bundled reference table (cached: it never changes during a run)."""
    return CountryTable.from_folder(reference_dir())
