"""The planner's orchestration (``matching.plan.planner.make_plan``): the phases in order, the same seed and
scenario before and after, the settings block, and a stop that keeps what is done. The phases themselves are
replaced by small fakes here, except in the one real run on a tiny roster at the end."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

import matching.plan.planner as planner
from matching.batch.quotas import Quotas
from matching.core.domain import Dataset
from matching.core.progress import Advance, CancelToken
from matching.demo.generate import write_demo_data
from matching.io.loading import load_folder
from matching.io.results import rule_set_record
from matching.io.rulesets import load_rule_set
from matching.plan.forecast import Scenario, scenario_from_data
from matching.plan.model import FIGURES, Plan, Recruit, Simulation
from tests.plan_samples import ARABIC, sample_plan

RULES = load_rule_set("iomed")
SCENARIO = Scenario(
    years=2,
    disputes_per_year=10,
    kinds={"interstate": 1.0},
    subjects={"trade": 1.0},
    regions={"african": 0.5, "asia_pacific": 0.5},
    languages={"en": 1.0},
    panel_sizes={3: 1.0},
)
QUOTAS = Quotas(max_state_share=0.2)
RECRUIT = Recruit(ARABIC, 2, 3, "Arabic is needed.")


class Fakes:
    """Stand-ins for simulate, recommend and with_recruits that note how they were called."""

    def __init__(self, recruits: tuple[Recruit, ...] = (RECRUIT,), stop_before: bool = False) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.recruits = recruits
        self.stop_before = stop_before
        self.after_data = Dataset(mediators=(), disputes=())
        self.cancel_in_recommend: CancelToken | None = None

    def simulate(self, data: Dataset, rule_set: Any, scenario: Scenario, **kw: Any) -> Simulation:
        self.calls.append(("simulate", {"data": data, "scenario": scenario, **kw}))
        with kw["progress"](2, "Simulated years") as advance:
            advance(2)
        sim = sample_plan().before if kw["label"] == "before" else sample_plan().after
        assert sim is not None
        if kw["label"] == "before" and self.stop_before:
            return replace(sim, years=sim.years[:1], stopped=True)
        return replace(sim, label=kw["label"])

    def recommend(self, data: Dataset, rule_set: Any, scenario: Scenario, before: Simulation, **kw: Any) -> Any:
        self.calls.append(("recommend", {"before": before, **kw}))
        if self.cancel_in_recommend is not None:
            self.cancel_in_recommend.cancel()
        return self.recruits, sample_plan().scarce, sample_plan().oversupplied

    def with_recruits(self, data: Dataset, recruits: Any) -> Dataset:
        self.calls.append(("with_recruits", recruits))
        return self.after_data

    def install(self, monkeypatch: pytest.MonkeyPatch) -> Fakes:
        monkeypatch.setattr(planner, "simulate", self.simulate)
        monkeypatch.setattr(planner, "recommend", self.recommend)
        monkeypatch.setattr(planner, "with_recruits", self.with_recruits)
        return self

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]


def data() -> Dataset:
    return Dataset(mediators=(), disputes=(), inputs_sha256={"mediators.csv": "a" * 64, "disputes.csv": "b" * 64})


def test_the_phases_run_in_order_with_the_same_seed_and_scenario(monkeypatch: pytest.MonkeyPatch) -> None:
    fakes = Fakes().install(monkeypatch)
    phases: list[str] = []

    @contextmanager
    def progress(total: int, label: str, /) -> Iterator[Advance]:
        phases.append(label)
        yield lambda steps=1, /: None

    plan = planner.make_plan(data(), RULES, SCENARIO, quotas=QUOTAS, seed=11, progress=progress)
    assert fakes.names() == ["simulate", "recommend", "with_recruits", "simulate"]
    before, after = fakes.calls[0][1], fakes.calls[3][1]
    assert before["label"] == "before" and after["label"] == "after"
    assert after["data"] is fakes.after_data  # the roster with the recruits
    for key in ("scenario", "seed", "quotas", "executor", "cancel"):
        assert before[key] == after[key], key
    assert before["seed"] == 11 and before["quotas"] == QUOTAS and before["scenario"] == SCENARIO
    assert fakes.calls[1][1]["seed"] == 11 and fakes.calls[1][1]["quotas"] == QUOTAS
    assert fakes.calls[2][1] == (RECRUIT,)
    assert phases == [
        "The roster as it is: simulated years",
        "Working out whom to recruit",
        "With the recruits: simulated years",
    ]
    assert plan.recruits == (RECRUIT,) and plan.after is not None and plan.after.label == "after"
    assert plan.scarce and plan.oversupplied and plan.notes == ()


def test_the_settings_say_how_to_make_the_same_plan_again(monkeypatch: pytest.MonkeyPatch) -> None:
    Fakes().install(monkeypatch)
    plan = planner.make_plan(data(), RULES, SCENARIO, quotas=QUOTAS, seed=11)
    s = plan.settings
    assert set(s) == {
        "years",
        "seed",
        "scenario",
        "quotas",
        "rule_set",
        "inputs_sha256",
        "solver",
        "executor",
        "verify",
    }
    assert s["years"] == 2 and s["seed"] == 11 and s["verify"] is True
    assert s["scenario"] == SCENARIO.model_dump(mode="json") and Scenario.model_validate(s["scenario"]) == SCENARIO
    assert s["quotas"]["max_state_share"] == 0.2 and s["quotas"]["max_per_mediator"] is None
    assert s["rule_set"] == rule_set_record(RULES)
    assert s["inputs_sha256"] == {"mediators.csv": "a" * 64, "disputes.csv": "b" * 64}
    assert s["solver"].startswith("cp-sat ") and s["executor"] == "this process"
    with ThreadPoolExecutor(1) as pool:
        assert planner.make_plan(data(), RULES, SCENARIO, executor=pool).settings["executor"] == "a thread pool"


def test_without_verification_or_recruits_nothing_is_re_run(monkeypatch: pytest.MonkeyPatch) -> None:
    fakes = Fakes().install(monkeypatch)
    plan = planner.make_plan(data(), RULES, SCENARIO, verify=False)
    assert fakes.names() == ["simulate", "recommend"]
    assert plan.after is None and plan.recruits == (RECRUIT,) and plan.notes == (planner.NOT_VERIFIED,)
    assert plan.settings["verify"] is False
    fakes = Fakes(recruits=()).install(monkeypatch)
    plan = planner.make_plan(data(), RULES, SCENARIO)
    assert fakes.names() == ["simulate", "recommend"]
    assert plan.after is None and plan.notes == (planner.NO_RECRUITS,)


def test_a_stop_keeps_what_is_done(monkeypatch: pytest.MonkeyPatch) -> None:
    fakes = Fakes(stop_before=True).install(monkeypatch)
    token = CancelToken()
    plan = planner.make_plan(data(), RULES, SCENARIO, cancel=token)
    assert fakes.names() == ["simulate"]  # no recommendation from a part of the years
    assert plan.before.stopped and len(plan.before.years) == 1 and plan.recruits == () and plan.after is None
    assert plan.notes == (planner.STOPPED_BEFORE,)
    fakes = Fakes().install(monkeypatch)
    fakes.cancel_in_recommend = token = CancelToken()
    plan = planner.make_plan(data(), RULES, SCENARIO, cancel=token)
    assert fakes.names() == ["simulate", "recommend"]
    assert plan.recruits == (RECRUIT,) and plan.after is None and plan.notes == (planner.STOPPED_BEFORE_AFTER,)
    fakes = Fakes().install(monkeypatch)
    token = CancelToken()
    token.cancel()  # already asked when the first simulation returns
    plan = planner.make_plan(data(), RULES, SCENARIO, cancel=token)
    assert fakes.names() == ["simulate"] and plan.notes == (planner.STOPPED_RECOMMEND,)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    """A generated roster of 100 mediators and 30 disputes on file."""
    folder = tmp_path_factory.mktemp("tiny")
    write_demo_data(folder, seed=3, mediators=100, disputes=30)
    return load_folder(Path(folder))


def test_a_real_plan_on_a_tiny_roster(tiny: Dataset) -> None:
    scenario = scenario_from_data(tiny, years=2).model_copy(update={"disputes_per_year": 20})
    plan: Plan = planner.make_plan(tiny, RULES, scenario, seed=5)
    assert [y.year for y in plan.before.years] == [1, 2] and not plan.before.stopped
    assert all(y.disputes == 20 for y in plan.before.years)
    assert all(0 <= y.figure(name) <= 1 for y in plan.before.years for name in FIGURES if "lean" not in name)
    assert sum(y.staffed for y in plan.before.years) + len(plan.before.unstaffed()) == 40
    if plan.recruits:
        assert plan.after is not None and [y.disputes for y in plan.after.years] == [20, 20]
        assert sum(y.staffed for y in plan.after.years) >= sum(y.staffed for y in plan.before.years)
    else:
        assert plan.after is None and plan.notes == (planner.NO_RECRUITS,)
