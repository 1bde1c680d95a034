"""Where the bundled reference data, demo data and rule sets live.

``MATCHING_DATA_DIR`` overrides the default (the ``data/`` folder beside the package), so an
installed copy can point at a data folder elsewhere.
"""

import os
from pathlib import Path


def data_dir() -> Path:
    override = os.environ.get("MATCHING_DATA_DIR")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2] / "data"


def reference_dir() -> Path:
    return data_dir() / "reference"


def demo_dir() -> Path:
    return data_dir() / "demo"


def rules_dir() -> Path:
    return data_dir() / "rules"
