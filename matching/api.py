"""The library's front door: everything the app and the command line use, in one place.

The Streamlit app (``app.py`` and ``ui/``) and the command line (``matching.cli``) import from here
and nowhere else in the library (an import-linter contract in ``pyproject.toml`` holds them to it),
so the packages behind this module can change shape without touching a user interface. The path
of one dispute: ``load_dataset`` reads and checks the files, ``Workspace`` prepares them once,
``propose`` encodes the dispute into arrays, solves the CP-SAT model, re-checks every panel with
the plain checker and explains it, and ``write_json`` writes the panels JSON.
"""

from __future__ import annotations

from matching.batch.quotas import Quotas
from matching.batch.run import SEAT_COLUMNS, BatchOutcome, solve_batch, write_seats_csv
from matching.batch.settings import (
    DEFAULT_BATCH_TIME_LIMIT,
    DEFAULT_BATCH_WORKERS,
    DEFAULT_GAP,
    BatchConfig,
    BatchError,
)
from matching.batch.sweep import ScenarioError, read_scenarios, run_sweep, write_rows
from matching.core.config import DEFAULT_TIME_LIMIT, Locks, SolveConfig
from matching.core.domain import (
    SUBJECTS,
    Appointment,
    ConflictCategory,
    Dataset,
    Dispute,
    Mediator,
    NationalityRule,
    Tradition,
)
from matching.core.errors import InputError, MatchingError, Problem
from matching.core.paths import demo_dir
from matching.core.progress import progress_bar
from matching.core.status import Status
from matching.demo.generate import write_demo_data
from matching.demo.roster import DEFAULT_SIZE as DEFAULT_ROSTER_SIZE
from matching.demo.roster import write_demo_roster
from matching.io.countries import default_countries
from matching.io.csv_out import safe_cell
from matching.io.loading import find_input, load_dataset, load_folder, read_rows
from matching.io.nominees import DEFAULT_ID_COLUMN
from matching.io.proposed import read_proposed, write_scored
from matching.io.results import DisputeResult, ProposedPanel, Seat, now_iso, run_document, solver_label, write_json
from matching.io.rulesets import COMPONENTS, DEFAULT_RULE_SET, RuleSet, builtin_names, load_rule_set
from matching.lottery.compose import DEFAULT_TIME_LIMIT as COMPOSE_TIME_LIMIT
from matching.lottery.compose import compose, load_problem, write_probabilities
from matching.lottery.dispute import DEFAULT_FLOOR, DEFAULT_TICKETS, DisputeLottery, LotteryPanel, dispute_lottery
from matching.panel.service import check_panel, propose, scored_row, why_not
from matching.panel.tradeoffs import Frontier, FrontierPoint, WeightRange, frontier, sensitivity
from matching.records.store import (
    CapacityError,
    Decision,
    DecisionStore,
    SeatRecord,
    capacity_left,
    database_url,
    decision_from_panel,
)
from matching.reports.flags import Flag, ThresholdError, Thresholds, all_flags, flags_table, panel_flags
from matching.reports.html import render_report
from matching.reports.neutrality import (
    DEFAULT_FUNDER,
    DEFAULT_HOST,
    PanelReport,
    RosterReport,
    Standing,
    Table,
    chair_first,
    csv_text,
    panel_report,
    panel_tables,
    roster_report,
    roster_tables,
    standing,
    write_tables,
)
from matching.rules.workspace import Workspace

__all__ = [
    "COMPONENTS",
    "COMPOSE_TIME_LIMIT",
    "DEFAULT_BATCH_TIME_LIMIT",
    "DEFAULT_BATCH_WORKERS",
    "DEFAULT_FLOOR",
    "DEFAULT_FUNDER",
    "DEFAULT_GAP",
    "DEFAULT_HOST",
    "DEFAULT_ID_COLUMN",
    "DEFAULT_ROSTER_SIZE",
    "DEFAULT_RULE_SET",
    "DEFAULT_TICKETS",
    "DEFAULT_TIME_LIMIT",
    "SEAT_COLUMNS",
    "SUBJECTS",
    "Appointment",
    "BatchConfig",
    "BatchError",
    "BatchOutcome",
    "CapacityError",
    "ConflictCategory",
    "Dataset",
    "Decision",
    "DecisionStore",
    "Dispute",
    "DisputeLottery",
    "DisputeResult",
    "Flag",
    "Frontier",
    "FrontierPoint",
    "InputError",
    "Locks",
    "LotteryPanel",
    "MatchingError",
    "Mediator",
    "NationalityRule",
    "PanelReport",
    "Problem",
    "ProposedPanel",
    "Quotas",
    "RosterReport",
    "RuleSet",
    "ScenarioError",
    "Seat",
    "SeatRecord",
    "SolveConfig",
    "Standing",
    "Status",
    "Table",
    "ThresholdError",
    "Thresholds",
    "Tradition",
    "WeightRange",
    "Workspace",
    "all_flags",
    "builtin_names",
    "capacity_left",
    "chair_first",
    "check_panel",
    "compose",
    "csv_text",
    "database_url",
    "decision_from_panel",
    "default_countries",
    "demo_dir",
    "dispute_lottery",
    "find_input",
    "flags_table",
    "frontier",
    "load_dataset",
    "load_folder",
    "load_problem",
    "load_rule_set",
    "now_iso",
    "panel_flags",
    "panel_report",
    "panel_tables",
    "progress_bar",
    "propose",
    "read_proposed",
    "read_rows",
    "read_scenarios",
    "render_report",
    "roster_report",
    "roster_tables",
    "run_document",
    "run_sweep",
    "safe_cell",
    "scored_row",
    "sensitivity",
    "solve_batch",
    "solver_label",
    "standing",
    "why_not",
    "write_demo_data",
    "write_demo_roster",
    "write_json",
    "write_probabilities",
    "write_rows",
    "write_scored",
    "write_seats_csv",
    "write_tables",
]
