"""Defaults a user interface shows before it does any work: the defaults of options and settings.

Constants only, importing nothing, so the command line's ``--help`` and the app's first page can show
them without importing the modules that use them (and the solvers, numpy or pydantic behind those).
Those modules import their defaults from here.
"""

from __future__ import annotations

# Rule sets (matching.io.rulesets)
DEFAULT_RULE_SET = "iomed"
MAX_WEIGHT = 100.0  # every weight lies in [0, MAX_WEIGHT]

# The fair lottery of one dispute (matching.lottery.dispute)
DEFAULT_FLOOR = 0.95
DEFAULT_TICKETS = 1000

# The roster selection (matching.lottery.compose, matching.io.nominees)
COMPOSE_TIME_LIMIT = 30.0  # deterministic seconds per pricing solve
DEFAULT_ID_COLUMN = "nationbuilder_id"

# The neutrality reports (matching.reports.neutrality)
DEFAULT_HOST: tuple[str, ...] = ("CHN", "HKG")
DEFAULT_FUNDER: tuple[str, ...] = ("CHN",)
