"""The documented contract (docs/) against the real command line.

Every JSON document the command line writes is produced here on the bundled demo data, through
``python -m matching`` only (never by importing the library, so these tests do not depend on its
module layout), and validated against its JSON Schema in ``docs/schemas/``. The schemas are also
shown to reject typical mistakes, and ``docs/cli.md`` is checked against the commands and options
the command line offers.
"""

from __future__ import annotations

import copy
import csv
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
SCHEMAS = DOCS / "schemas"
DEMO = REPO / "data" / "demo"
CLI_DOC = DOCS / "cli.md"
DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"

NO_PANEL_DISPUTE = "D027"  # demo dispute whose first working language (mn) no mediator speaks
COMMON_DEFS = ("id", "seat", "members", "score", "scores", "objective", "disclosure", "run")

Json = dict[str, Any]


# --- running the command line -------------------------------------------------------------------


def demo_disputes() -> list[dict[str, str]]:
    with (DEMO / "disputes.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def run_cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "matching", *map(str, args)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def checked(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    if result.returncode != 0:
        pytest.fail(
            f"`{' '.join(result.args[1:])}` exited with {result.returncode}:\n{result.stderr[-3000:]}", pytrace=False
        )
    return result


@dataclass
class CliRuns:
    """Every command-line run these tests need, made once per module (concurrently)."""

    folder: Path
    documents: dict[str, Json] = field(default_factory=dict)
    help_text: str = ""  # the top-level help

    def document(self, name: str) -> Json:
        return self.documents[name]


def output_jobs(folder: Path) -> dict[str, list[str]]:
    """The JSON documents to produce: name -> command-line arguments (every run kept short)."""
    disputes = demo_disputes()
    three = next(d["dispute_id"] for d in disputes if d["panel_size"] == "3")
    sole = [d["dispute_id"] for d in disputes if d["panel_size"] == "1"]
    few = [d["dispute_id"] for d in disputes[:4]]
    each_size = [next(d["dispute_id"] for d in disputes if d["panel_size"] == k) for k in ("1", "2", "3", "5")]

    def job(name: str, words: str, ids: list[str] | None = None, *extra: str) -> list[str]:
        only = [arg for did in ids or [] for arg in ("--dispute", did)]
        return [*words.split(), "--out", str(folder / f"{name}.json"), *only, *extra]

    quick_batch = "batch --time-limit 2 --workers 1"
    return {
        # each dispute on its own: every panel size, and a dispute without any panel
        "solve": job("solve", "solve --candidates 2 --time-limit 5", [*each_size, NO_PANEL_DISPUTE]),
        # every demo dispute at once: shared capacity, some panels below their best alone
        "batch": job("batch", quick_batch, None, "--seats-csv", str(folder / "seats.csv")),
        # fairness mode and every quota
        "batch_quotas": job(
            "batch_quotas",
            f"{quick_batch} --fair --max-per-mediator 1 --max-state-share 0.5 --max-group-share 0.6 "
            "--min-women-share 0.3 --max-same-party 1",
            [*few, NO_PANEL_DISPUTE],
        ),
        # a quota nobody can meet: disputes left out, with the joint diagnosis
        "batch_blocked": job("batch_blocked", f"{quick_batch} --max-state-share 0.05", few[:3]),
        # sole mediators only: the exact min-cost flow
        "batch_flow": job("batch_flow", f"{quick_batch} --capacity-only --max-per-mediator 1", sole),
        # the lean cap H8 set for the run
        "solve_lean": job("solve_lean", "solve --candidates 2 --time-limit 5 --max-lean 0", few[:3]),
        "tradeoffs": job("tradeoffs", f"tradeoffs --dispute {three} --time-limit 5"),
        "tradeoffs_no_panel": job("tradeoffs_no_panel", f"tradeoffs --dispute {NO_PANEL_DISPUTE} --no-sensitivity"),
        "lottery": job("lottery", f"lottery --dispute {three} --seed 7"),
        "lottery_no_panel": job("lottery_no_panel", f"lottery --dispute {NO_PANEL_DISPUTE}"),
    }


SCHEMA_OF = {
    "solve": "panels",
    "solve_lean": "panels",
    "batch": "batch",
    "batch_quotas": "batch",
    "batch_blocked": "batch",
    "batch_flow": "batch",
    "tradeoffs": "tradeoffs",
    "tradeoffs_no_panel": "tradeoffs",
    "lottery": "lottery",
    "lottery_no_panel": "lottery",
}


def commands_in_help(text: str) -> list[str]:
    """Command names from the top-level help (the rows of its Commands box)."""
    names: list[str] = []
    inside = False
    for line in text.splitlines():
        if "Commands" in line and line.lstrip().startswith("╭"):
            inside = True
            continue
        if inside and line.lstrip().startswith("╰"):
            break
        if inside:
            match = re.match(r"^\s*│ ([a-z][a-z0-9-]*)(\s{2,}|\s*│?$)", line)
            if match:
                names.append(match.group(1))
    return names


def options_in_help(text: str) -> set[str]:
    return set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", text)) - {"--help"}


def pool_size() -> int:
    return max(2, min(4, os.cpu_count() or 2))


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> CliRuns:
    runs = CliRuns(tmp_path_factory.mktemp("cli-outputs"))
    jobs = output_jobs(runs.folder)
    with ThreadPoolExecutor(max_workers=pool_size()) as pool:
        top = pool.submit(run_cli, "--help")
        outputs = {name: pool.submit(run_cli, *args) for name, args in jobs.items()}
        runs.help_text = checked(top.result()).stdout
        for name, future in outputs.items():
            checked(future.result())
            out = Path(jobs[name][jobs[name].index("--out") + 1])
            runs.documents[name] = json.loads(out.read_text(encoding="utf-8"))
    return runs


@pytest.fixture(scope="module")
def command_helps(cli: CliRuns) -> dict[str, str]:
    """Each command's ``--help`` (one process each, about two seconds of start-up apiece)."""
    with ThreadPoolExecutor(max_workers=pool_size()) as pool:
        futures = {command: pool.submit(run_cli, command, "--help") for command in commands_in_help(cli.help_text)}
        return {command: checked(future.result()).stdout for command, future in futures.items()}


@pytest.fixture(scope="module")
def validators() -> dict[str, Draft202012Validator]:
    return {
        path.name.removesuffix(".schema.json"): Draft202012Validator(json.loads(path.read_text(encoding="utf-8")))
        for path in sorted(SCHEMAS.glob("*.schema.json"))
    }


def problems(validator: Draft202012Validator, document: Json) -> list[str]:
    return [f"{e.json_path}: {e.message[:300]}" for e in validator.iter_errors(document)]


# --- the schemas themselves -----------------------------------------------------------------------


def test_every_schema_is_a_valid_draft_2020_12_schema() -> None:
    paths = sorted(SCHEMAS.glob("*.schema.json"))
    assert {p.name for p in paths} >= {f"{name}.schema.json" for name in set(SCHEMA_OF.values())}
    for path in paths:
        schema = json.loads(path.read_text(encoding="utf-8"))
        assert schema.get("$schema") == DRAFT_2020_12, path.name
        Draft202012Validator.check_schema(schema)


def test_panels_and_batch_schemas_share_their_common_definitions() -> None:
    panels = json.loads((SCHEMAS / "panels.schema.json").read_text(encoding="utf-8"))["$defs"]
    batch = json.loads((SCHEMAS / "batch.schema.json").read_text(encoding="utf-8"))["$defs"]
    for name in COMMON_DEFS:
        assert panels[name] == batch[name], f"$defs/{name} differs between panels and batch schemas"


# --- real outputs against their schemas -----------------------------------------------------------


@pytest.mark.parametrize("name", list(SCHEMA_OF))
def test_cli_output_matches_its_schema(cli: CliRuns, validators: dict[str, Draft202012Validator], name: str) -> None:
    found = problems(validators[SCHEMA_OF[name]], cli.document(name))
    assert not found, f"{name} breaks {SCHEMA_OF[name]}.schema.json:\n" + "\n".join(found[:20])


def test_solve_output_keeps_the_documented_promises(cli: CliRuns) -> None:
    doc = cli.document("solve")
    asked = output_jobs(cli.folder)["solve"]
    assert [d["dispute_id"] for d in doc["disputes"]] == [asked[i + 1] for i, a in enumerate(asked) if a == "--dispute"]
    assert {len(d["panels"][0]["members"]) for d in doc["disputes"] if d["panels"]} == {1, 2, 3, 5}
    statuses = {d["status"] for d in doc["disputes"]}
    assert {"optimal", "infeasible"} <= statuses  # both branches of the schema are exercised
    for d in doc["disputes"]:
        if not d["panels"]:
            continue
        panels = d["panels"]
        assert panels[0]["objective"] == pytest.approx(d["objective"], abs=1e-9)
        assert d["best_bound"] >= d["objective"] - 1e-9  # the gap is never negative
        if d["status"] == "optimal":
            assert d["best_bound"] == pytest.approx(d["objective"], abs=1e-9)
        assert [p["rank"] for p in panels] == list(range(1, len(panels) + 1))
        objectives = [p["objective"] for p in panels]
        assert objectives == sorted(objectives, reverse=True)
        member_sets = [frozenset(s["mediator_id"] for s in p["members"]) for p in panels]
        assert len(set(member_sets)) == len(member_sets)
        assert len({len(s) for s in member_sets}) == 1
    blocked = next(d for d in doc["disputes"] if d["dispute_id"] == NO_PANEL_DISPUTE)
    assert blocked["status"] == "infeasible" and blocked["infeasibility"]["conflicting_rules"]


def test_batch_output_keeps_the_documented_promises(cli: CliRuns) -> None:
    for name in ("batch", "batch_quotas", "batch_blocked", "batch_flow"):
        doc = cli.document(name)
        summary, disputes = doc["batch"], doc["disputes"]
        staffed = [d for d in disputes if d["panels"]]
        assert summary["disputes"] == len(disputes)
        assert summary["staffed"] == len(staffed)
        assert summary["objective"] == pytest.approx(sum(d["objective"] for d in staffed), abs=1e-5)
        assert summary["gap"] == pytest.approx(max(0.0, summary["best_bound"] - summary["objective"]), abs=1e-5)
        assert set(summary["infeasible_alone"]) | set(summary["unstaffed"]) | set(summary["timeouts"]) == {
            d["dispute_id"] for d in disputes if not d["panels"]
        }
        for d in staffed:
            assert d["best_bound"] >= d["objective"] - 1e-9
            if d["status"] == "optimal":
                assert d["best_bound"] == pytest.approx(d["objective"], abs=1e-9)
    assert {d["status"] for d in cli.document("batch")["disputes"]} >= {"optimal", "feasible", "infeasible"}
    assert {q["quota"] for q in cli.document("batch_quotas")["batch"]["quotas"]} == {
        "max_per_mediator",
        "max_state_share",
        "max_group_share",
        "min_women_share",
        "max_same_party",
    }
    blocked = cli.document("batch_blocked")["batch"]
    assert blocked["unstaffed"] and blocked["joint_infeasibility"]["conflicting_rules"] == ["max_state_share"]
    assert cli.document("batch_flow")["batch"]["method"].startswith("min-cost flow")


def test_batch_seats_csv_has_one_row_per_seat(cli: CliRuns) -> None:
    with (cli.folder / "seats.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and list(rows[0]) == ["dispute_id", "mediator_id", "role", "nationality", "un_group", "gender"]
    panels = [(d["dispute_id"], p) for d in cli.document("batch")["disputes"] for p in d["panels"]]
    seats = [(did, s["mediator_id"], s["role"]) for did, p in panels for s in p["members"]]
    assert [(r["dispute_id"], r["mediator_id"], r["role"]) for r in rows] == seats


def test_tradeoffs_output_keeps_the_documented_promises(cli: CliRuns) -> None:
    doc = cli.document("tradeoffs")
    points = doc["points"]
    assert points and points[0]["price_of_neutrality"] == 0
    assert points[0]["joins"] == [] and points[0]["leaves"] == []
    expertise = [p["axes"]["expertise"] for p in points]
    impartiality = [p["axes"]["impartiality"] for p in points]
    assert expertise == sorted(expertise, reverse=True) and impartiality == sorted(impartiality)
    assert len(doc["sensitivity"]) == 6
    none = cli.document("tradeoffs_no_panel")
    assert none["points"] == [] and "sensitivity" not in none
    assert none["lean_cap"]["points"] == [] and none["lean_cap"]["least_lean"] is None


def test_lean_prices_keep_the_documented_promises(cli: CliRuns) -> None:
    lean = cli.document("tradeoffs")["lean_cap"]
    points = lean["points"]
    assert lean["cap_in_force"] is None and points
    assert [p["cap"] for p in points] == list(range(lean["least_lean"], lean["free_lean"] + 1))
    assert all(p["lean"] <= p["cap"] for p in points)
    prices = [p["price"] for p in points]
    assert prices == sorted(prices, reverse=True) and prices[-1] == 0 and min(prices) >= 0


def test_a_run_lean_cap_is_in_the_run_block_and_every_panel_keeps_it(cli: CliRuns) -> None:
    doc = cli.document("solve_lean")
    assert doc["run"]["rules"]["hard"]["max_lean"] == 0
    assert "max_lean" not in cli.document("solve")["run"]["rules"]["hard"]
    panels = [p for d in doc["disputes"] for p in d["panels"]]
    assert panels and all(any("allows at most 0" in line for line in p["why"]) for p in panels)
    assert all(any("equal across the parties" in line for line in p["why"]) for p in panels)


def test_lottery_output_keeps_the_documented_promises(cli: CliRuns) -> None:
    doc = cli.document("lottery")
    panels = doc["panels"]
    assert sum(p["tickets"] for p in panels) == doc["tickets"]
    assert [p["first_ticket"] for p in panels] == [sum(q["tickets"] for q in panels[:j]) for j in range(len(panels))]
    assert sum(p["probability"] for p in panels) == pytest.approx(1.0)
    size = len(panels[0]["members"])
    assert sum(doc["probabilities"].values()) == pytest.approx(size)
    assert doc["eligible"] == len(doc["probabilities"])
    assert doc["in_some_panel"] == sum(1 for p in doc["probabilities"].values() if p > 0)
    assert doc["minimum_probability"] == pytest.approx(min(p for p in doc["probabilities"].values() if p > 0))
    drawn = doc["drawn"]
    assert drawn["first_ticket"] <= drawn["ticket"] < drawn["first_ticket"] + drawn["tickets"]
    assert {k: v for k, v in drawn.items() if k != "ticket"} in panels
    assert doc["seed"] == doc["run"]["seed"] == 7
    assert doc["locks"] == {"include": [], "exclude": [], "chair": None}
    none = cli.document("lottery_no_panel")
    assert none["status"] == "infeasible" and none["drawn"] is None and none["panels"] == []


# --- the schemas reject real mistakes -------------------------------------------------------------

Mutation = Callable[[Json], None]


def first_panel(doc: Json) -> Json:
    return next(d for d in doc["disputes"] if d["panels"])["panels"][0]


def first_staffed(doc: Json) -> Json:
    return next(d for d in doc["disputes"] if d["panels"])


def first_blocked(doc: Json) -> Json:
    return next(d for d in doc["disputes"] if d["status"] == "infeasible")


def larger_panel(doc: Json) -> Json:
    return next(p for d in doc["disputes"] for p in d["panels"] if len(p["members"]) >= 3)


def _four_members(doc: Json) -> None:
    members = larger_panel(doc)["members"]
    del members[4:]
    while len(members) < 4:
        members.append({"mediator_id": f"M99{len(members)}", "role": "member"})


def _same_member_twice(doc: Json) -> None:
    members = larger_panel(doc)["members"]
    members[2] = dict(members[1])


MISTAKES: dict[str, tuple[str, Mutation]] = {
    "status done": ("solve", lambda d: first_staffed(d).update(status="done")),
    "member without role": ("solve", lambda d: first_panel(d)["members"][0].pop("role")),
    "unknown role": ("solve", lambda d: first_panel(d)["members"][0].update(role="president")),
    "chair not first": ("solve", lambda d: larger_panel(d)["members"].reverse()),
    "two chairs": ("solve", lambda d: larger_panel(d)["members"][1].update(role="chair")),
    "no chair": ("solve", lambda d: first_panel(d)["members"][0].update(role="member")),
    "a panel of four": ("solve", _four_members),
    "same member twice": ("solve", _same_member_twice),
    "extra key on a dispute": ("solve", lambda d: first_staffed(d).update(gap=0.0)),
    "optimal without objective": ("solve", lambda d: first_staffed(d).update(objective=None)),
    "optimal with an infeasibility": (
        "solve",
        lambda d: first_staffed(d).update(infeasibility={"conflicting_rules": [], "suggestions": ["x"]}),
    ),
    "infeasible without its reason": ("solve", lambda d: first_blocked(d).update(infeasibility=None)),
    "infeasible with a panel": ("solve", lambda d: first_blocked(d)["panels"].append(first_panel(d))),
    "score on the integer scale": ("solve", lambda d: first_panel(d)["scores"].update(expertise=6744)),
    "missing score": ("solve", lambda d: first_panel(d)["scores"].pop("neutrality")),
    "rank 0": ("solve", lambda d: first_panel(d).update(rank=0)),
    "red disclosure": (
        "solve",
        lambda d: first_panel(d)["disclosures"].append({"mediator_id": "M0001", "category": "red", "note": "x"}),
    ),
    "unknown rule id": ("solve", lambda d: first_blocked(d)["infeasibility"].update(conflicting_rules=["capacity"])),
    "no run": ("solve", lambda d: d.pop("run")),
    "hash not hex": ("solve", lambda d: d["run"]["inputs_sha256"].update({"mediators.csv": "not-a-hash"})),
    "time without offset": ("solve", lambda d: d["run"].update(started_at="2025-01-01 10:00")),
    "batch without summary": ("batch", lambda d: d.pop("batch")),
    "batch dispute with two panels": ("batch", lambda d: first_staffed(d)["panels"].append(first_panel(d))),
    "batch panel of rank 2": ("batch", lambda d: first_panel(d).update(rank=2)),
    "batch status done": ("batch", lambda d: first_staffed(d).update(status="done")),
    "batch negative gap": ("batch", lambda d: d["batch"].update(gap=-0.5)),
    "batch unknown quota": ("batch_quotas", lambda d: d["batch"]["quotas"][0].update(quota="max_cases")),
    "batch unknown bound source": ("batch", lambda d: d["batch"]["bound_sources"].update(guess=1.0)),
    "frontier member without role": ("tradeoffs", lambda d: d["points"][0]["members"][0].pop("role")),
    "frontier negative price": ("tradeoffs", lambda d: d["points"][0].update(price_of_neutrality=-0.1)),
    "sensitivity out of order": ("tradeoffs", lambda d: d["sensitivity"].reverse()),
    "lean price without its cap": ("tradeoffs", lambda d: d["lean_cap"]["points"][0].pop("cap")),
    "rule set lean cap as text": ("solve_lean", lambda d: d["run"]["rules"]["hard"].update(max_lean="0")),
    "sensitivity cut short": ("tradeoffs", lambda d: d["sensitivity"].pop()),
    "tradeoffs extra key": ("tradeoffs", lambda d: d.update(run={})),
    "lottery status done": ("lottery", lambda d: d.update(status="done")),
    "lottery unknown method": ("lottery", lambda d: d.update(method="random")),
    "drawn member without role": ("lottery", lambda d: d["drawn"]["members"][0].pop("role")),
    "drawn without ticket": ("lottery", lambda d: d["drawn"].pop("ticket")),
    "probability as decimal text": ("lottery", lambda d: d["panels"][0].update(probability_exact="0.5")),
    "panel with no chance": ("lottery", lambda d: d["panels"][0].update(probability=0.0)),
    "no tickets": ("lottery", lambda d: d.update(tickets=0)),
    "chance above one": ("lottery", lambda d: d["probabilities"].update(M0001=1.5)),
    "nothing drawn although optimal": ("lottery", lambda d: d.update(drawn=None)),
    "lottery without locks": ("lottery", lambda d: d.pop("locks")),
}


@pytest.mark.parametrize("mistake", list(MISTAKES))
def test_schema_rejects_a_typical_mistake(
    cli: CliRuns, validators: dict[str, Draft202012Validator], mistake: str
) -> None:
    name, mutate = MISTAKES[mistake]
    validator = validators[SCHEMA_OF[name]]
    document = copy.deepcopy(cli.document(name))
    assert validator.is_valid(document), f"the unchanged {name} output should be valid"
    mutate(document)
    assert not validator.is_valid(document), f"{SCHEMA_OF[name]}.schema.json accepts: {mistake}"


# --- docs/cli.md against the command line ---------------------------------------------------------


def cli_doc() -> str:
    return CLI_DOC.read_text(encoding="utf-8")


def planned_section(text: str) -> str:
    return text.split("\n## Planned", 1)[1]


def test_every_command_is_documented(cli: CliRuns) -> None:
    commands = commands_in_help(cli.help_text)
    assert {"validate", "solve", "score", "batch", "lottery", "tradeoffs"} <= set(commands), commands
    text = cli_doc()
    missing = [c for c in commands if not re.search(rf"^#+ `{re.escape(c)}`\s*$", text, re.MULTILINE)]
    assert not missing, f"docs/cli.md has no section for: {', '.join(missing)}"


def test_planned_commands_are_not_available_yet(cli: CliRuns) -> None:
    """When a planned command arrives, move it out of the Planned section of docs/cli.md."""
    commands = set(commands_in_help(cli.help_text))
    planned = set(re.findall(r"^\| `([a-z][a-z-]*)[ `]", planned_section(cli_doc()), re.MULTILINE))
    assert "plan" in commands and "plan" not in planned  # record, audit, users and plan have arrived
    assert not planned & commands, f"now available, update docs/cli.md: {sorted(planned & commands)}"


@pytest.mark.slow
def test_every_option_is_documented(command_helps: dict[str, str]) -> None:
    documented = options_in_help(cli_doc().split("\n## Planned", 1)[0])
    missing = {
        command: sorted(options_in_help(text) - documented)
        for command, text in command_helps.items()
        if options_in_help(text) - documented
    }
    assert not missing, f"options missing from docs/cli.md: {missing}"


@pytest.mark.slow
def test_planned_options_are_not_available_yet(command_helps: dict[str, str]) -> None:
    """batch --scheduler and the lean cap H8 have arrived: neither is called planned any more."""
    assert "--scheduler" in options_in_help(command_helps["batch"])
    assert "--scheduler" not in planned_section(cli_doc()), "batch --scheduler exists: not planned any more"


@pytest.mark.slow
def test_the_lean_cap_is_an_option_of_every_command_that_builds_or_checks_panels(
    command_helps: dict[str, str],
) -> None:
    builders = ("solve", "score", "why-not", "tradeoffs", "batch", "lottery", "report", "plan")
    assert [c for c in builders if "--max-lean" not in options_in_help(command_helps[c])] == []
    assert "--max-lean" not in planned_section(cli_doc())


# --- the docs stay inside the repository ----------------------------------------------------------


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading."""
    text = heading.strip().lower().replace("`", "")
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    seen: dict[str, int] = {}
    out = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^#{1,6} (.+)$", line)
        if match:
            base = slug(match.group(1))
            count = seen.get(base, 0)
            seen[base] = count + 1
            out.add(base if count == 0 else f"{base}-{count}")
    return out


def test_docs_links_resolve_inside_the_repository() -> None:
    broken = []
    for page in sorted(DOCS.glob("*.md")):
        text = page.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"^[a-z]+://", target):
                continue
            file_part, _, anchor = target.partition("#")
            resolved = (page.parent / file_part).resolve() if file_part else page
            if not resolved.is_relative_to(REPO) or not resolved.exists():
                broken.append(f"{page.name}: {target}")
            elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
                broken.append(f"{page.name}: {target} (no such heading)")
    assert not broken, "broken links in docs/:\n" + "\n".join(broken)
