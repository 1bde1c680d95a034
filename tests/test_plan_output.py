"""The plan's files (``matching.plan.output``): CSV tables, plan.json against its schema, the HTML report,
and the folder written all or none. A hand-made plan (``tests.plan_samples``) keeps these fast; the real
planner's output is checked by ``tests/test_cli_plan.py``."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from matching.io.out_paths import OutputPathError
from matching.plan.charts import FIGURE_HELP, FIGURE_NAMES, band_charts, figure_text
from matching.plan.model import FIGURES
from matching.plan.output import (
    PLAN_CSV_SCHEMA,
    blocked_words,
    headlines,
    plan_files,
    plan_tables,
    profile_words,
    render_plan,
    rule_words,
    write_plan,
)
from matching.reports.charts import spec_of
from tests.plan_samples import sample_plan

SCHEMA = Path(__file__).resolve().parent.parent / "docs" / "schemas" / "plan.schema.json"
FILES = {
    "plan.json",
    "years.csv",
    "bands.csv",
    "unstaffed.csv",
    "recruits.csv",
    "scarce.csv",
    "oversupplied.csv",
    "report.html",
}
EXTERNAL = re.compile(r"""(?:src|href|url)\s*[=(]\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_the_tables_hold_one_row_per_year_band_dispute_and_recruit() -> None:
    plan = sample_plan()
    tables = {t.name: t for t in plan_tables(plan)}
    assert list(tables) == ["years", "bands", "unstaffed", "recruits", "scarce", "oversupplied"]
    for name, table in tables.items():
        assert table.columns == tuple(PLAN_CSV_SCHEMA[name]), name  # the documented columns, in order
    years = tables["years"]
    assert years.columns[:2] == ("label", "year") and years.columns[2:12] == FIGURES
    assert [(r[0], r[1]) for r in years.rows] == [("before", 1), ("before", 2), ("after", 1), ("after", 2)]
    assert len(tables["bands"].rows) == 2 * len(FIGURES)
    worst = next(r for r in tables["bands"].rows if r[:2] == ("before", "worst_lean"))
    assert worst[2:] == (2.0, 2.5, 3.0)
    assert [r[2] for r in tables["unstaffed"].rows] == ["Y01-D0003", "Y01-D0007", "Y02-D0002"]
    assert len(tables["recruits"].rows) == 1 and tables["recruits"].rows[0][-3:-1] == (3, 4)


def test_every_blocking_rule_is_named_in_plain_words() -> None:
    assert rule_words("H4").startswith("language (H4): Every working language is spoken")
    assert "maximum caseload" in rule_words("capacity")
    assert "one state's share" in rule_words("max_state_share")
    both = blocked_words(("H4", "capacity"))
    assert "language (H4)" in both and "shared capacity" in both
    unstaffed = {t.name: t for t in plan_tables(sample_plan())}["unstaffed"]
    for row in unstaffed.records():
        assert row["blocked_by"] and row["blocked_by"] != row["rules"]


def test_a_profile_reads_in_names_not_codes() -> None:
    profile = sample_plan().recruits[0].profile
    words = profile_words(profile)
    assert words.startswith("a national of a state of the Asia-Pacific Group, speaking Arabic and English")
    assert words.endswith("able to chair") and "asia_pacific" not in words
    named = replace(profile, nationality="EGY", gender="F", legal_tradition="civil", subjects=("human_rights",))
    assert profile_words(named) == (
        "a woman, a national of Egypt, speaking Arabic and English, civil law tradition, expert in human rights, "
        "able to chair"
    )


def test_the_csv_files_go_through_the_one_writer() -> None:
    files = plan_files(sample_plan())
    assert set(files) == FILES
    scarce = rows(files["scarce.csv"])
    assert scarce[0]["name"] == "'=SUM(1+1) Ada"  # a formula defused
    recruits = rows(files["recruits.csv"])
    assert recruits[0]["chair_eligible"] == "true" and recruits[0]["languages"] == "ar;en"
    assert recruits[0]["nationality"] == ""  # any of the group
    years = rows(files["years.csv"])
    assert years[0]["staffed_share"] == "0.800000"
    assert files["years.csv"].endswith("\r\n")


def test_plan_json_is_the_plan_and_matches_its_schema() -> None:
    validator = Draft202012Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))
    for plan in (sample_plan(), sample_plan(after=False)):
        document = json.loads(plan_files(plan)["plan.json"])
        assert document == json.loads(json.dumps(plan.as_dict()))
        assert not [e.message for e in validator.iter_errors(document)]
    assert json.loads(plan_files(sample_plan(after=False))["plan.json"])["after"] is None


def test_headlines_take_the_median_year_and_the_worst_lean() -> None:
    found = {h.figure: h for h in headlines(sample_plan())}
    assert list(found) == ["staffed_share", "expertise_kept", "worst_lean"]
    assert found["staffed_share"].before == pytest.approx(0.85) and found["staffed_share"].after == 1.0
    assert found["worst_lean"].before == 3.0 and found["worst_lean"].after == 1.0
    assert found["staffed_share"].text(0.85) == "85.0 %" and found["worst_lean"].text(3.0) == "3.00"
    assert all(h.after is None for h in headlines(sample_plan(after=False)))


def test_each_figure_has_a_chart_with_before_and_after() -> None:
    charts = band_charts(sample_plan())
    assert list(charts) == list(FIGURES)
    spec = spec_of(charts["worst_lean"])  # validated against the Vega-Lite schema
    lines = spec["layer"][2]["data"]["values"]
    assert {p["series"] for p in lines} == {"the roster as it is", "with the recommended recruits"}
    assert sorted((p["series"][:3], p["year"], p["value"]) for p in lines) == [
        ("the", 1, 2.0),
        ("the", 2, 3.0),
        ("wit", 1, 1.0),
        ("wit", 2, 1.0),
    ]
    assert {b["series"]: (b["low"], b["median"], b["high"]) for b in spec["layer"][0]["data"]["values"]} == {
        "the roster as it is": (2.0, 2.5, 3.0),
        "with the recommended recruits": (1.0, 1.0, 1.0),
    }
    assert set(FIGURE_NAMES) == set(FIGURE_HELP) == set(FIGURES)
    assert figure_text("women_share", 0.45) == "45.0 %" and figure_text("mean_lean", 0.5) == "0.50"


def test_the_report_is_self_contained_explains_every_figure_and_escapes_the_data() -> None:
    page = render_plan(sample_plan())
    assert page.startswith("<!DOCTYPE html>")
    assert not EXTERNAL.search(page) and "http://" not in page and "https://" not in page
    for tag in ("<script", "<link", "<img", "<iframe", "@import"):
        assert tag not in page
    assert page.count("<svg") == len(FIGURES)
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))  # each chart's ids kept apart
    for name in FIGURES:
        assert FIGURE_HELP[name].replace("'", "&#x27;") in page, name
    assert "Nobody on the roster speaks Arabic &lt;and&gt; can chair." in page  # escaped
    assert "language (H4): Every working language" in page
    assert 'data-table="recruits"' in page and 'data-table="unstaffed"' in page
    assert "at most 5.0 % of a year&#x27;s seats for nationals of one state" in page
    assert "A note for the reader." in page
    assert "a national of a state of the Asia-Pacific Group, speaking Arabic and English" in page
    for name in PLAN_CSV_SCHEMA:
        assert f"{name}.csv" in page
    without = render_plan(sample_plan(after=False))
    assert without.count("<svg") == len(FIGURES) and "No “after” simulation was run" in without


def test_the_folder_is_written_all_or_none(tmp_path: Path) -> None:
    folder = tmp_path / "plan"
    written = write_plan(sample_plan(), folder)
    assert {p.name for p in written} == FILES == {p.name for p in folder.iterdir()}
    (folder / "mine.txt").write_text("keep me", encoding="utf-8")
    write_plan(sample_plan(after=False), folder)
    assert (folder / "mine.txt").read_text(encoding="utf-8") == "keep me"
    assert json.loads((folder / "plan.json").read_text(encoding="utf-8"))["after"] is None
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(OutputPathError):
        write_plan(sample_plan(), blocker)
    with pytest.raises(OutputPathError):
        write_plan(sample_plan(), blocker / "plan")
    assert blocker.read_text(encoding="utf-8") == "x"
