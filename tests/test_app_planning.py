"""The app's Planning page (issue 16), driven headless through streamlit's AppTest: a small real plan run in the
background, its figures, tables and downloads; a stopped plan kept and said to be; who sees the page.

Like ``tests/test_app.py``, every test points the app at its own decisions database holding one account per
role, and the demo data is the data in use. The real plan is kept small (a dozen forecast disputes a year,
two years) by handing the real planner a smaller scenario.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from streamlit.testing.v1 import AppTest

import matching.api as api
import matching.records.users as accounts
from matching.plan.model import FIGURES, Plan
from matching.plan.planner import make_plan
from matching.records.store import DecisionStore
from matching.records.users import AccessRole, CommandLine
from tests.plan_samples import sample_plan

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
PAGE = "ui/planning.py"
PASSWORD = "a long test password"
PEOPLE = {
    "Ana Registrar": AccessRole.REGISTRAR,
    "Rita Reviewer": AccessRole.REVIEWER,
    "Adam Admin": AccessRole.ADMINISTRATOR,
}
DOWNLOADS = {
    f"Download {name}"
    for name in (
        "plan.json",
        "years.csv",
        "bands.csv",
        "unstaffed.csv",
        "recruits.csv",
        "scarce.csv",
        "oversupplied.csv",
        "report.html",
    )
}


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id still, with the smallest cost: every test adds and signs in a few accounts."""
    monkeypatch.setattr(accounts, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'decisions.sqlite'}"
    monkeypatch.setenv("DATABASE_URL", url)
    store = DecisionStore(url)
    for name, role in PEOPLE.items():
        store.add_user(name, role, PASSWORD, by=CommandLine("tests"))
    store.close()
    return url


def button(at: AppTest, label: str, index: int = 0):  # type: ignore[no-untyped-def]
    found = [b for b in at.button if b.label == label]
    assert len(found) > index, f"no button {label!r}; have {[b.label for b in at.button]}"
    return found[index]


def start(page: str | None = None, user: str = "Ana Registrar") -> AppTest:
    """The app, signed in as ``user``, on ``page``."""
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.text_input(key="sign-in-name").set_value(user)
    at.text_input(key="sign-in-password").set_value(PASSWORD)
    button(at, "Sign in").click().run()
    assert not at.error, [e.value for e in at.error]
    if page:
        at.switch_page(page).run()
    assert not at.exception
    return at


def pages_of(at: AppTest) -> list[str]:
    """The pages the signed-in role can reach (AppTest lists them when asked for one it does not have)."""
    with pytest.raises(ValueError, match="Known pages") as caught:
        at.switch_page("ui/common.py")  # a module, never a page
    known = str(caught.value).split("Known pages: ", 1)[1]
    return sorted(Path(path).name for path in re.findall(r"'([^']+)'", known))


def small_real_plan(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The page's planner, given a dozen forecast disputes a year; returns the calls it receives."""
    calls: list[dict[str, Any]] = []

    def planner(data: Any, rule_set: Any, scenario: Any, **kw: Any) -> Plan:
        calls.append({"scenario": scenario, **kw})
        return make_plan(data, rule_set, scenario.model_copy(update={"disputes_per_year": 12}), **kw)

    monkeypatch.setattr(api, "make_plan", planner)
    return calls


def test_the_planning_page_runs_a_plan_and_shows_figures_tables_and_downloads(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = small_real_plan(monkeypatch)
    at = start(PAGE)
    assert [t.value for t in at.title] == ["Planning"]
    at.number_input(key="plan-years").set_value(2)
    at.number_input(key="plan-seed").set_value(3)
    at.number_input(key="plan-state").set_value(20)
    button(at, "Make the plan").click().run()
    assert not at.exception, at.exception
    assert len(calls) == 1 and calls[0]["scenario"].years == 2 and calls[0]["seed"] == 3
    assert calls[0]["quotas"].max_state_share == 0.2 and calls[0]["verify"] is True
    assert calls[0]["cancel"] is not None  # the Stop button's token
    plan, files = at.session_state["plan_result"]
    assert [y.year for y in plan.before.years] == [1, 2] and files["plan.json"].startswith("{")
    labels = [m.label for m in at.metric]
    assert labels[:1] == ["Disputes staffed, before"]
    assert {"Disputes staffed, before", "Expertise kept, before", "Worst lean of any panel, before"} <= set(labels)
    assert ("Disputes staffed, after" in labels) == (plan.after is not None)
    comparison = at.dataframe[0].value
    assert list(comparison["figure"]) == [api.FIGURE_NAMES[name] for name in FIGURES]
    assert comparison["before: median"].str.endswith("%").sum() == 8  # every share as a percentage
    shown = "\n".join(str(d.value.to_dict()) for d in at.dataframe)
    for u in plan.before.unstaffed():  # each blocked dispute, with its rule in words
        assert u.dispute_id in shown
        assert all(api.blocked_words((rule,)) in shown for rule in u.rules)
    assert {d.label for d in at.get("download_button")} == DOWNLOADS
    assert at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")  # the band charts


def test_a_stopped_plan_is_kept_and_said_to_be(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    sample = sample_plan(after=False)
    stopped = replace(sample, before=replace(sample.before, stopped=True), notes=("Stopped while simulating.",))
    monkeypatch.setattr(api, "make_plan", lambda *args, **kw: stopped)
    at = start(PAGE, user="Adam Admin")  # administrators plan too
    button(at, "Make the plan").click().run()
    assert not at.exception, at.exception
    assert any(i.value == "Stopped while simulating." for i in at.info)
    assert any("was stopped after 2 years" in w.value for w in at.warning)
    assert not [m for m in at.metric if m.label.endswith(", after")]
    recruits = at.dataframe[1].value
    assert list(recruits["how many"]) == [3] and "Arabic" in recruits["why"][0]
    assert "Asia-Pacific Group" in recruits["profile"][0] and "asia_pacific" not in recruits["profile"][0]
    blocked = at.dataframe[2].value
    assert blocked["blocked by"][0].startswith("language (H4): Every working language")


def test_a_reviewer_has_no_planning_page(db: str) -> None:
    assert "planning.py" in pages_of(start())
    assert "planning.py" in pages_of(start(user="Adam Admin"))
    at = start(user="Rita Reviewer")
    assert "planning.py" not in pages_of(at)
    with pytest.raises(ValueError, match="Known pages"):
        at.switch_page(PAGE)
