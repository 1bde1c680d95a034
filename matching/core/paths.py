"""Where the bundled reference data, demo data, rule sets and demo-generator tables live.

The one copy of the data is the top-level ``data/`` folder of the checkout. The build maps it
into the package as ``matching.data`` (``[tool.setuptools] package-dir`` in ``pyproject.toml``),
so a wheel carries it inside the package and an editable install points ``matching.data`` at the
checkout's folder. Everything reads it through :mod:`importlib.resources`, here and nowhere
else. ``MATCHING_DATA_DIR`` overrides it, so an installed copy can point at a data folder
elsewhere (with the same ``reference/``, ``rules/`` and ``demo/`` subfolders).
"""

from __future__ import annotations

import os
from functools import cache
from importlib import resources
from pathlib import Path

#: The package the build maps the top-level ``data/`` folder to.
DATA_PACKAGE = "matching.data"


@cache
def _bundled_dir() -> Path:
    try:
        root = resources.files(DATA_PACKAGE)
    except ModuleNotFoundError:
        # Running from a checkout that was never installed (e.g. PYTHONPATH=.): the folder itself.
        return Path(__file__).resolve().parents[2] / "data"
    if not isinstance(root, Path):  # a zipped install: the files are not on disk
        raise RuntimeError(
            f"the bundled data ({root}) is not a folder on disk; install the package unzipped or set MATCHING_DATA_DIR"
        )
    return root


def data_dir() -> Path:
    """The data folder: ``MATCHING_DATA_DIR`` if set, else the bundled ``matching.data``."""
    override = os.environ.get("MATCHING_DATA_DIR")
    if override:
        return Path(override)
    return _bundled_dir()


def reference_dir() -> Path:
    """``countries.csv`` and ``languages.csv``."""
    return data_dir() / "reference"


def demo_dir() -> Path:
    """The bundled demo inputs (the five contract files and the roster selection)."""
    return data_dir() / "demo"


def rules_dir() -> Path:
    """The bundled rule sets, ``NAME.toml``."""
    return data_dir() / "rules"


def generator_dir() -> Path:
    """The tables the demo-data generator draws from (names, phrases, scenarios, weights).

    Always the bundled ones: they are part of the generator, not of a data folder that
    ``MATCHING_DATA_DIR`` points at.
    """
    return _bundled_dir() / "demo" / "generator"
