"""The library's front door: everything the app and the command line use, in one place.

The Streamlit app (``app.py`` and ``ui/``) and the command line (``matching.cli``) import from here
and nowhere else in the library (an import-linter contract in ``pyproject.toml`` holds them to it),
so the packages behind this module can change shape without touching a user interface. The path
of one dispute: ``load_dataset`` reads and checks the files, ``Workspace`` prepares them once,
``propose`` encodes the dispute into arrays, solves the CP-SAT model, re-checks every panel with
the plain checker and explains it, and ``write_json`` writes the panels JSON.

Nothing behind this module is imported until a name is first used (PEP 562: the module's
``__getattr__`` imports the name's home module then), so a command pays only for what it uses:
``--help`` imports no solver, ``validate`` only the loader. The imports under ``TYPE_CHECKING`` are
the same names for type checkers, IDEs and import-linter; ``_HOMES`` says where each one lives at
run time (``tests/test_startup.py`` keeps the two, and ``__all__``, in step).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

# A new public name goes in three places: these imports, ``__all__`` and ``_HOMES`` (a module-level import
# here would import its module, and what that imports, for every command and page).
if TYPE_CHECKING:
    from matching.batch.quotas import Quotas
    from matching.batch.run import SEAT_COLUMNS, BatchOutcome, seats_csv_text, solve_batch, write_seats_csv
    from matching.batch.settings import (
        DEFAULT_BATCH_TIME_LIMIT,
        DEFAULT_BATCH_WORKERS,
        DEFAULT_GAP,
        BatchConfig,
        BatchError,
    )
    from matching.batch.sweep import ScenarioError, read_scenarios, run_sweep, write_rows
    from matching.core.config import DEFAULT_TIME_LIMIT, SOLVER_SEED_MAX, Budget, Locks, SolveConfig
    from matching.core.defaults import (
        COMPOSE_TIME_LIMIT,
        DEFAULT_FLOOR,
        DEFAULT_FUNDER,
        DEFAULT_HOST,
        DEFAULT_ID_COLUMN,
        DEFAULT_RULE_SET,
        DEFAULT_TICKETS,
        MAX_WEIGHT,
    )
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
    from matching.core.errors import (
        ArgumentError,
        Cancelled,
        InputError,
        InternalError,
        MatchingError,
        Problem,
        combine_input_errors,
    )
    from matching.core.labels import component_name, measure_name, plural, status_name, subject_name
    from matching.core.paths import demo_dir
    from matching.core.progress import Advance, CancelToken, ProgressFactory, cancellable, silent_progress
    from matching.core.status import Status
    from matching.demo.generate import write_demo_data
    from matching.demo.roster import DEFAULT_SIZE as DEFAULT_ROSTER_SIZE
    from matching.demo.roster import write_demo_roster
    from matching.io.countries import default_countries
    from matching.io.csv_out import cell_text, csv_document, frame_document, safe_cell, write_csv
    from matching.io.loading import find_input, load_dataset, load_folder, read_rows
    from matching.io.out_paths import (
        OutputPathError,
        check_output,
        check_output_folder,
        check_outputs,
        write_file,
        write_files,
        write_folder,
    )
    from matching.io.proposed import read_proposed, write_scored
    from matching.io.results import (
        DisputeResult,
        ProposedPanel,
        Seat,
        json_text,
        lottery_solver_label,
        now_iso,
        rule_set_record,
        run_block,
        run_document,
        solver_label,
        write_json,
    )
    from matching.io.rulesets import COMPONENTS, WEIGHT_NAMES, RuleSet, builtin_names, load_rule_set, weight_problems
    from matching.lottery.compose import compose, load_problem, write_probabilities
    from matching.lottery.dispute import DisputeLottery, LotteryPanel, dispute_lottery
    from matching.panel.service import check_panel, propose, scored_row, why_not
    from matching.panel.tradeoffs import Frontier, FrontierPoint, WeightRange, frontier, sensitivity
    from matching.plan.charts import FIGURE_HELP, FIGURE_NAMES, band_charts, figure_text
    from matching.plan.forecast import Scenario, load_scenario, scenario_from_data
    from matching.plan.model import FIGURES as PLAN_FIGURES
    from matching.plan.model import Plan, Simulation
    from matching.plan.output import (
        Headline,
        blocked_words,
        headlines,
        plan_files,
        plan_tables,
        profile_words,
        render_plan,
        write_plan,
    )
    from matching.plan.planner import make_plan
    from matching.records.audit import AuditReport, ExportError, audit_export
    from matching.records.commit import PanelsFile, Recorded, input_mismatches, read_panels, record_panels
    from matching.records.errors import StoreError
    from matching.records.store import (
        CapacityError,
        Decision,
        DecisionStore,
        SeatRecord,
        capacity_left,
        database_url,
        decision_from_panel,
    )
    from matching.records.users import (
        ALLOWED,
        DEMO_ACCOUNTS,
        DEMO_PASSWORD,
        MIN_PASSWORD_LENGTH,
        ROLE_DESCRIPTIONS,
        AccessRole,
        AccountArgumentError,
        AccountDisabled,
        AccountError,
        AccountLocked,
        AuthError,
        CommandLine,
        NotAllowed,
        PasswordRejected,
        Permission,
        Principal,
        Session,
        SessionExpired,
        UserInfo,
        password_problem,
    )
    from matching.reports.charts import composition_chart, roster_charts
    from matching.reports.flags import Flag, ThresholdError, Thresholds, all_flags, flags_table, panel_flags
    from matching.reports.html import render_report
    from matching.reports.neutrality import (
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
        table_files,
        table_text,
        write_tables,
    )
    from matching.rules.workspace import Workspace

__all__ = [
    "ALLOWED",
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
    "DEMO_ACCOUNTS",
    "DEMO_PASSWORD",
    "FIGURE_HELP",
    "FIGURE_NAMES",
    "MAX_WEIGHT",
    "MIN_PASSWORD_LENGTH",
    "PLAN_FIGURES",
    "ROLE_DESCRIPTIONS",
    "SEAT_COLUMNS",
    "SOLVER_SEED_MAX",
    "SUBJECTS",
    "WEIGHT_NAMES",
    "AccessRole",
    "AccountArgumentError",
    "AccountDisabled",
    "AccountError",
    "AccountLocked",
    "Advance",
    "Appointment",
    "ArgumentError",
    "AuditReport",
    "AuthError",
    "BatchConfig",
    "BatchError",
    "BatchOutcome",
    "Budget",
    "CancelToken",
    "Cancelled",
    "CapacityError",
    "CommandLine",
    "ConflictCategory",
    "Dataset",
    "Decision",
    "DecisionStore",
    "Dispute",
    "DisputeLottery",
    "DisputeResult",
    "ExportError",
    "Flag",
    "Frontier",
    "FrontierPoint",
    "Headline",
    "InputError",
    "InternalError",
    "Locks",
    "LotteryPanel",
    "MatchingError",
    "Mediator",
    "NationalityRule",
    "NotAllowed",
    "OutputPathError",
    "PanelReport",
    "PanelsFile",
    "PasswordRejected",
    "Permission",
    "Plan",
    "Principal",
    "Problem",
    "ProgressFactory",
    "ProposedPanel",
    "Quotas",
    "Recorded",
    "RosterReport",
    "RuleSet",
    "Scenario",
    "ScenarioError",
    "Seat",
    "SeatRecord",
    "Session",
    "SessionExpired",
    "Simulation",
    "SolveConfig",
    "Standing",
    "Status",
    "StoreError",
    "Table",
    "ThresholdError",
    "Thresholds",
    "Tradition",
    "UserInfo",
    "WeightRange",
    "Workspace",
    "all_flags",
    "audit_export",
    "band_charts",
    "blocked_words",
    "builtin_names",
    "cancellable",
    "capacity_left",
    "cell_text",
    "chair_first",
    "check_output",
    "check_output_folder",
    "check_outputs",
    "check_panel",
    "combine_input_errors",
    "component_name",
    "compose",
    "composition_chart",
    "csv_document",
    "csv_text",
    "database_url",
    "decision_from_panel",
    "default_countries",
    "demo_dir",
    "dispute_lottery",
    "figure_text",
    "find_input",
    "flags_table",
    "frame_document",
    "frontier",
    "headlines",
    "input_mismatches",
    "json_text",
    "load_dataset",
    "load_folder",
    "load_problem",
    "load_rule_set",
    "load_scenario",
    "lottery_solver_label",
    "make_plan",
    "measure_name",
    "now_iso",
    "panel_flags",
    "panel_report",
    "panel_tables",
    "password_problem",
    "plan_files",
    "plan_tables",
    "plural",
    "profile_words",
    "propose",
    "read_panels",
    "read_proposed",
    "read_rows",
    "read_scenarios",
    "record_panels",
    "render_plan",
    "render_report",
    "roster_charts",
    "roster_report",
    "roster_tables",
    "rule_set_record",
    "run_block",
    "run_document",
    "run_sweep",
    "safe_cell",
    "scenario_from_data",
    "scored_row",
    "seats_csv_text",
    "sensitivity",
    "silent_progress",
    "solve_batch",
    "solver_label",
    "standing",
    "status_name",
    "subject_name",
    "table_files",
    "table_text",
    "weight_problems",
    "why_not",
    "write_csv",
    "write_demo_data",
    "write_demo_roster",
    "write_file",
    "write_files",
    "write_folder",
    "write_json",
    "write_plan",
    "write_probabilities",
    "write_rows",
    "write_scored",
    "write_seats_csv",
    "write_tables",
]

# Where each public name lives: its module is imported the first time the name is used.
_HOMES: dict[str, tuple[str, ...]] = {
    "matching.batch.quotas": ("Quotas",),
    "matching.batch.run": ("SEAT_COLUMNS", "BatchOutcome", "seats_csv_text", "solve_batch", "write_seats_csv"),
    "matching.batch.settings": (
        "DEFAULT_BATCH_TIME_LIMIT",
        "DEFAULT_BATCH_WORKERS",
        "DEFAULT_GAP",
        "BatchConfig",
        "BatchError",
    ),
    "matching.batch.sweep": ("ScenarioError", "read_scenarios", "run_sweep", "write_rows"),
    "matching.core.config": ("DEFAULT_TIME_LIMIT", "SOLVER_SEED_MAX", "Budget", "Locks", "SolveConfig"),
    "matching.core.defaults": (
        "DEFAULT_ID_COLUMN",
        "DEFAULT_RULE_SET",
        "MAX_WEIGHT",
        "COMPOSE_TIME_LIMIT",
        "DEFAULT_FLOOR",
        "DEFAULT_TICKETS",
        "DEFAULT_FUNDER",
        "DEFAULT_HOST",
    ),
    "matching.core.domain": (
        "SUBJECTS",
        "Appointment",
        "ConflictCategory",
        "Dataset",
        "Dispute",
        "Mediator",
        "NationalityRule",
        "Tradition",
    ),
    "matching.core.errors": (
        "ArgumentError",
        "Cancelled",
        "InputError",
        "InternalError",
        "MatchingError",
        "Problem",
        "combine_input_errors",
    ),
    "matching.core.labels": ("component_name", "measure_name", "plural", "status_name", "subject_name"),
    "matching.core.paths": ("demo_dir",),
    "matching.core.progress": ("Advance", "CancelToken", "ProgressFactory", "cancellable", "silent_progress"),
    "matching.core.status": ("Status",),
    "matching.demo.generate": ("write_demo_data",),
    "matching.demo.roster": ("DEFAULT_ROSTER_SIZE", "write_demo_roster"),
    "matching.io.countries": ("default_countries",),
    "matching.io.csv_out": ("cell_text", "csv_document", "frame_document", "safe_cell", "write_csv"),
    "matching.io.loading": ("find_input", "load_dataset", "load_folder", "read_rows"),
    "matching.io.out_paths": (
        "OutputPathError",
        "check_output",
        "check_output_folder",
        "check_outputs",
        "write_file",
        "write_files",
        "write_folder",
    ),
    "matching.io.proposed": ("read_proposed", "write_scored"),
    "matching.io.results": (
        "DisputeResult",
        "ProposedPanel",
        "Seat",
        "json_text",
        "lottery_solver_label",
        "now_iso",
        "rule_set_record",
        "run_block",
        "run_document",
        "solver_label",
        "write_json",
    ),
    "matching.io.rulesets": (
        "COMPONENTS",
        "WEIGHT_NAMES",
        "RuleSet",
        "builtin_names",
        "load_rule_set",
        "weight_problems",
    ),
    "matching.lottery.compose": ("compose", "load_problem", "write_probabilities"),
    "matching.lottery.dispute": ("DisputeLottery", "LotteryPanel", "dispute_lottery"),
    "matching.panel.service": ("check_panel", "propose", "scored_row", "why_not"),
    "matching.panel.tradeoffs": ("Frontier", "FrontierPoint", "WeightRange", "frontier", "sensitivity"),
    "matching.plan.charts": ("FIGURE_HELP", "FIGURE_NAMES", "band_charts", "figure_text"),
    "matching.plan.forecast": ("Scenario", "load_scenario", "scenario_from_data"),
    "matching.plan.model": ("PLAN_FIGURES", "Plan", "Simulation"),
    "matching.plan.output": (
        "Headline",
        "blocked_words",
        "headlines",
        "plan_files",
        "plan_tables",
        "profile_words",
        "render_plan",
        "write_plan",
    ),
    "matching.plan.planner": ("make_plan",),
    "matching.records.audit": ("AuditReport", "ExportError", "audit_export"),
    "matching.records.commit": ("PanelsFile", "Recorded", "input_mismatches", "read_panels", "record_panels"),
    "matching.records.errors": ("StoreError",),
    "matching.records.store": (
        "CapacityError",
        "Decision",
        "DecisionStore",
        "SeatRecord",
        "capacity_left",
        "database_url",
        "decision_from_panel",
    ),
    "matching.records.users": (
        "ALLOWED",
        "DEMO_ACCOUNTS",
        "DEMO_PASSWORD",
        "MIN_PASSWORD_LENGTH",
        "ROLE_DESCRIPTIONS",
        "AccessRole",
        "AccountArgumentError",
        "AccountDisabled",
        "AccountError",
        "AccountLocked",
        "AuthError",
        "CommandLine",
        "NotAllowed",
        "PasswordRejected",
        "Permission",
        "Principal",
        "Session",
        "SessionExpired",
        "UserInfo",
        "password_problem",
    ),
    "matching.reports.charts": ("composition_chart", "roster_charts"),
    "matching.reports.flags": ("Flag", "ThresholdError", "Thresholds", "all_flags", "flags_table", "panel_flags"),
    "matching.reports.html": ("render_report",),
    "matching.reports.neutrality": (
        "PanelReport",
        "RosterReport",
        "Standing",
        "Table",
        "chair_first",
        "csv_text",
        "panel_report",
        "panel_tables",
        "roster_report",
        "roster_tables",
        "standing",
        "table_files",
        "table_text",
        "write_tables",
    ),
    "matching.rules.workspace": ("Workspace",),
}
_HOME = {name: module for module, names in _HOMES.items() for name in names}
_RENAMED = {"DEFAULT_ROSTER_SIZE": "DEFAULT_SIZE", "PLAN_FIGURES": "FIGURES"}  # public name -> the name in its module


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use and keep the name here (PEP 562)."""
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module), _RENAMED.get(name, name))
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
