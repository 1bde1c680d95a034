"""A demo roster selection built from the demo mediators: the Panel of Mediators chosen from its nominees.

``write_demo_roster`` turns a folder's ``mediators.csv`` into the two files of the Sortition
Foundation's format that ``python -m matching compose`` reads (``matching.io.nominees``):

* ``roster_nominees.csv``: every mediator as a nominee (``nationbuilder_id`` is the mediator id)
  with four features: UN regional group (of the effective nationality), gender, legal tradition
  (``mixed`` for more than one) and seniority (years of experience in three bands);
* ``roster_features.csv``: for a roster of ``size`` seats, quotas of the kind an
  intergovernmental body sets (``POLICY``, as shares of the seats): every UN regional group
  between a sixth and a quarter of the seats, women and men each between 45 % and 55 %, every
  legal tradition at least one seat and none more than two thirds, at least 15 % of the seats
  for mediators with under 10 years of experience and at most half for those with 20 or more;
  capped by how many nominees hold each value. ``min_flex`` and ``max_flex`` allow ``FLEX``
  seats either way. Because the nominees are not spread like the quotas (three times as many
  African as Eastern European nominees, for one), the fair lottery cannot give everybody the
  same chance, which is what the demo is for.

The files depend on ``mediators.csv`` only, so the same demo data gives byte-identical files.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from matching.core.domain import Mediator
from matching.core.errors import ArgumentError
from matching.io.countries import CountryTable, default_countries
from matching.io.csv_out import write_csv
from matching.io.loading import load_folder

DEFAULT_SIZE = 60  # seats on the demo Panel of Mediators
FLEX = 2  # seats a quota may move either way when the quotas cannot all be met
FEATURES = ("un_group", "gender", "legal_tradition", "seniority")
GENDERS = {"F": "female", "M": "male"}
SENIORITY = ((10, "under 10 years"), (20, "10 to 19 years"))
SENIOR = "20 years or more"


def nominee_values(mediator: Mediator, countries: CountryTable) -> tuple[str, str, str, str]:
    """The mediator's value in each of ``FEATURES``."""
    group = str(countries[mediator.effective_nationality].un_group)
    gender = GENDERS.get(mediator.gender or "", "other or not stated")
    traditions = sorted(str(t) for t in mediator.legal_traditions)
    tradition = traditions[0] if len(traditions) == 1 else "mixed"
    seniority = next((label for limit, label in SENIORITY if mediator.years_experience < limit), SENIOR)
    return group, gender, tradition, seniority


def policy(feature: str, value: str) -> tuple[float, float]:
    """The (minimum, maximum) share of the seats for ``value`` of ``feature`` (see the module docstring)."""
    if feature == "un_group":
        return 1 / 6, 1 / 4
    if feature == "gender":
        return (0.45, 0.55) if value in GENDERS.values() else (0.0, 0.05)
    if feature == "legal_tradition":
        return 0.0, 2 / 3  # plus at least one seat, below
    if value == SENIORITY[0][1]:
        return 0.15, 1.0
    return (0.0, 0.5) if value == SENIOR else (0.0, 1.0)


def quota_rows(values: Sequence[tuple[str, ...]], size: int) -> list[list[object]]:
    """``feature, value, min, max, min_flex, max_flex`` for every value held by some nominee."""
    rows: list[list[object]] = []
    for f, feature in enumerate(FEATURES):
        counts = Counter(v[f] for v in values)
        for value in sorted(counts):
            available = counts[value]
            low_share, high_share = policy(feature, value)
            low = math.ceil(low_share * size - 1e-9)
            if feature == "legal_tradition":
                low = max(low, 1)
            low = min(available, low)
            high = min(available, max(low, math.floor(high_share * size + 1e-9)))
            rows.append([feature, value, low, high, max(0, low - FLEX), min(size, high + FLEX)])
    return rows


def write_demo_roster(
    folder: Path, out_dir: Path | None = None, size: int = DEFAULT_SIZE, countries: CountryTable | None = None
) -> dict[str, Path]:
    """Write ``roster_nominees.csv`` and ``roster_features.csv`` from ``folder``'s mediators; {name: path}."""
    table = countries or default_countries()
    mediators = load_folder(folder, table).mediators
    if size < 1 or size > len(mediators):
        raise ArgumentError(f"the roster needs between 1 and {len(mediators)} seats")
    values = [nominee_values(m, table) for m in mediators]
    out = Path(out_dir or folder)
    out.mkdir(parents=True, exist_ok=True)
    nominees_path, features_path = out / "roster_nominees.csv", out / "roster_features.csv"
    nominees = ([m.mediator_id, m.name, *row] for m, row in zip(mediators, values, strict=True))
    write_csv(nominees_path, ["nationbuilder_id", "name", *FEATURES], nominees)
    write_csv(features_path, ["feature", "value", "min", "max", "min_flex", "max_flex"], quota_rows(values, size))
    return {"roster_nominees.csv": nominees_path, "roster_features.csv": features_path}
