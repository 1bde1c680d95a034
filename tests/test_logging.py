"""The library logs what it did (loading, each dispute solved, batches, recorded decisions) through
``logging`` under the ``matching`` logger, silent unless its user configures logging."""

from __future__ import annotations

import logging

import pytest

from matching.core.paths import demo_dir
from matching.io.loading import load_folder
from matching.io.rulesets import load_rule_set
from matching.panel.service import propose
from matching.rules.workspace import Workspace


def test_loading_and_solving_are_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="matching"):
        ws = Workspace(load_folder(demo_dir()))
        propose(ws, "D001", load_rule_set("iomed"))
    messages = [(r.name, r.getMessage()) for r in caplog.records]
    assert any(name == "matching.io.loading" and "600 rows of mediators.csv" in text for name, text in messages)
    assert any(name == "matching.panel.service" and text.startswith("D001: optimal") for name, text in messages)


def test_the_library_is_silent_unless_configured() -> None:
    handlers = logging.getLogger("matching").handlers
    assert any(isinstance(h, logging.NullHandler) for h in handlers)
