"""The planner's forecast and simulated years (``matching.plan.forecast``, ``matching.plan.simulate``).

The forecast: deterministic per (seed, year), following the scenario's shares, unique ids, growth; a
bad scenario file lists every problem; the mix of the data on file comes back. The simulation: each
year's seats become the next year's active cases and history, every share lies in [0, 1], the same
seed gives the same figures in this process, on a process pool and on a Dask cluster, and a stop after
the first year returns that year, marked stopped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from multiprocessing import get_context
from pathlib import Path

import pytest

from matching.batch.quotas import Quotas
from matching.core.domain import Dataset, DisputeKind
from matching.core.errors import ArgumentError, InputError, UnknownIdError
from matching.core.progress import Advance, CancelToken
from matching.demo.generate import write_demo_data
from matching.io.countries import default_countries
from matching.io.loading import load_dataset
from matching.io.rulesets import load_rule_set
from matching.plan.forecast import Scenario, forecast, history_pace, load_scenario, scenario_from_data
from matching.plan.model import FIGURES, Plan, Simulation
from matching.plan.simulate import (
    SimulationJob,
    history_start,
    run_year,
    seat_day,
    simulate,
    simulate_pair,
    year_job,
)

SHARES = (
    "staffed_share",
    "expertise_kept",
    "largest_state_share",
    "host_share",
    "funder_share",
    "largest_group_share",
    "top15_share",
    "women_share",
)


def _scenario(**changes: object) -> Scenario:
    base: dict[str, object] = {
        "years": 2,
        "disputes_per_year": 18,
        "kinds": {"interstate": 0.5, "investor_state": 0.3, "commercial": 0.2},
        "subjects": {"investment": 0.4, "trade": 0.3, "energy": 0.3},
        "regions": {
            "african": 0.3,
            "asia_pacific": 0.3,
            "western_european_others": 0.2,
            "latin_american_caribbean": 0.2,
        },
        "languages": {"en": 0.8, "fr": 0.2},
        "panel_sizes": {1: 0.3, 3: 0.7},
        "second_language": 0.2,
    }
    return Scenario.model_validate(base | changes)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    folder = tmp_path_factory.mktemp("plan_demo")
    write_demo_data(folder, seed=11, mediators=150, disputes=300)
    return load_dataset(
        mediators=folder / "mediators.csv",
        disputes=folder / "disputes.csv",
        appointments=folder / "appointments.csv",
    )


def _plain(sim: Simulation) -> Simulation:
    """The simulation without the wall-clock seconds (the only figure that may differ between runs)."""
    return replace(sim, years=tuple(replace(y, seconds=0.0) for y in sim.years))


# --- the forecast -------------------------------------------------------------------------------------


def test_forecast_is_the_same_for_the_same_seed_and_year_whatever_else_is_drawn() -> None:
    scenario = _scenario(disputes_per_year=60)
    first = forecast(scenario, 2, seed=7)
    forecast(scenario, 1, seed=7)
    forecast(scenario, 5, seed=3)
    assert forecast(scenario, 2, seed=7) == first
    assert forecast(scenario, 3, seed=7) != first
    assert [d.parties for d in forecast(scenario, 2, seed=8)] != [d.parties for d in first]
    reordered = _scenario(disputes_per_year=60, kinds={"commercial": 0.2, "investor_state": 0.3, "interstate": 0.5})
    assert forecast(reordered, 2, seed=7) == first  # the order of a table's keys draws nothing differently


def test_forecast_ids_are_unique_and_follow_the_growth() -> None:
    scenario = _scenario(disputes_per_year=100, growth=0.1)
    assert [scenario.disputes_in(y) for y in (1, 2, 3)] == [100, 110, 121]
    disputes = forecast(scenario, 3, seed=1)
    ids = [d.dispute_id for d in disputes]
    assert len(ids) == 121 and len(set(ids)) == 121
    assert ids[0] == "Y03-D0001" and ids[-1] == "Y03-D0121"
    for d in disputes:
        assert len(set(d.parties)) == len(d.parties) >= 2
        assert d.nationality_rule is None and d.description and d.panel_size in (1, 3)
        assert len(set(d.languages)) == len(d.languages)


def test_forecast_follows_the_scenarios_shares() -> None:
    scenario = _scenario(
        disputes_per_year=6000,
        regions={"african": 0.5, "asia_pacific": 0.25, "eastern_european": 0.25},
        panel_sizes={1: 0.2, 3: 0.5, 5: 0.3},
        languages={"en": 0.6, "fr": 0.3, "ar": 0.1},
        second_language=0.4,
        third_party=0.5,
    )
    disputes = forecast(scenario, 1, seed=4)
    n = len(disputes)
    ref = default_countries()

    def close(counted: Counter[object], expected: dict[object, float], total: int) -> None:
        weight = sum(expected.values())
        for key, share in expected.items():
            assert abs(counted[key] / total - share / weight) < 0.025, (key, counted[key] / total, share)

    close(Counter(d.kind.value for d in disputes), dict(scenario.kinds), n)
    close(Counter(d.subject_areas[0] for d in disputes), dict(scenario.subjects), n)
    close(Counter(d.panel_size for d in disputes), dict(scenario.panel_sizes), n)
    close(Counter(d.languages[0] for d in disputes), dict(scenario.languages), n)
    parties = [p for d in disputes for p in d.parties]
    close(Counter(ref[p].un_group.value for p in parties), dict(scenario.regions), len(parties))
    assert abs(sum(len(d.languages) > 1 for d in disputes) / n - 0.4) < 0.025
    interstate = [d for d in disputes if d.kind is DisputeKind.INTERSTATE]
    assert abs(sum(len(d.parties) == 3 for d in interstate) / len(interstate) - 0.5) < 0.04
    assert all(len(d.parties) == 2 for d in disputes if d.kind is not DisputeKind.INTERSTATE)


def test_a_bad_scenario_file_lists_every_problem(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        "years = 0\ngrowth = 3.5\ncase_years = 1.5\ncolour = 'blue'\nsecond_language = 2\n"
        "[kinds]\nwar = 1\n[subjects]\ninvestment = -1\n[regions]\nafrican = 0\n"
        "[languages]\nxx = 1\n[panel_sizes]\n4 = 1\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as info:
        load_scenario(bad)
    where = {p.column for p in info.value.problems}
    for key in (
        "years",
        "growth",
        "case_years",
        "colour",
        "second_language",
        "disputes_per_year",
        "kinds",
        "[subjects] investment",
        "regions",
        "languages",
        "panel_sizes",
    ):
        assert key in where, (key, where)
    assert all(p.file == "bad.toml" for p in info.value.problems)
    text = str(info.value)
    assert "war" in text and "xx" in text and "is missing" in text
    with pytest.raises(InputError, match="not valid TOML"):
        broken = tmp_path / "broken.toml"
        broken.write_text("years = \n", encoding="utf-8")
        load_scenario(broken)
    with pytest.raises(InputError, match="file not found"):
        load_scenario(tmp_path / "none.toml")


def test_a_scenario_file_round_trips(tmp_path: Path) -> None:
    scenario = _scenario(growth=0.05, party_weights={"CHN": 2.0}, second_languages={"en": 1.0})
    path = tmp_path / "scenario.toml"
    path.write_text(scenario.toml(), encoding="utf-8")
    assert load_scenario(path) == scenario


def test_scenario_from_data_reproduces_the_mix_on_file(demo: Dataset) -> None:
    scenario = scenario_from_data(demo, years=4)
    assert scenario.years == 4 and scenario.growth == 0.0
    assert scenario.disputes_per_year == max(len(demo.disputes), history_pace(demo)) == 300
    ref = default_countries()
    big = scenario.model_copy(update={"disputes_per_year": 6000})
    drawn = forecast(big, 1, seed=2)

    def shares(values: list[object]) -> Counter[object]:
        counted = Counter(values)
        return Counter({k: v / len(values) for k, v in counted.items()})

    pairs = [
        ([d.kind for d in demo.disputes], [d.kind for d in drawn]),
        ([d.panel_size for d in demo.disputes], [d.panel_size for d in drawn]),
        ([d.languages[0] for d in demo.disputes], [d.languages[0] for d in drawn]),
        ([d.subject_areas[0] for d in demo.disputes], [d.subject_areas[0] for d in drawn]),
        ([len(d.languages) > 1 for d in demo.disputes], [len(d.languages) > 1 for d in drawn]),
        (
            [ref[p].un_group for d in demo.disputes for p in d.parties],
            [ref[p].un_group for d in drawn for p in d.parties],
        ),
        (
            [ref[d.parties[0]].un_group == ref[d.parties[1]].un_group for d in demo.disputes],
            [ref[d.parties[0]].un_group == ref[d.parties[1]].un_group for d in drawn],
        ),
    ]
    for on_file, forecast_values in pairs:
        want, got = shares(list(on_file)), shares(list(forecast_values))
        for key in want:
            assert abs(want[key] - got[key]) < 0.03, (key, want[key], got[key])


def test_scenario_from_data_needs_disputes(demo: Dataset) -> None:
    with pytest.raises(ArgumentError):
        scenario_from_data(replace(demo, disputes=()))


# --- simulated years ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def job(demo: Dataset) -> SimulationJob:
    data = replace(demo, disputes=demo.disputes[:20])
    scenario = scenario_from_data(data, years=2).model_copy(update={"disputes_per_year": 20, "languages": {"en": 1.0}})
    return SimulationJob(data, load_rule_set("iomed"), scenario, Quotas(max_state_share=0.2), seed=3)


@pytest.fixture(scope="module")
def in_process(job: SimulationJob) -> Simulation:
    return simulate_pair([job])[0]


def test_a_years_seats_are_the_next_years_active_cases_and_history(job: SimulationJob) -> None:
    first = run_year(year_job(job, 1, []))
    assert first.seats, "year 1 staffed nobody"
    second = year_job(job, 2, [first.seats])
    seats = Counter(mid for mid, _ in first.seats)
    assert any(seats.values())
    for m in second.data.mediators:
        assert m.active_cases == seats[m.mediator_id], m.mediator_id  # case_years = 1: year 1's seats only
    added = second.data.appointments[len(job.data.appointments) :]
    assert sorted((a.mediator_id, a.dispute_id) for a in added) == sorted(first.seats)
    day = seat_day(history_start(job.data), 1)
    assert all(a.party is None and a.appointed_on == day for a in added)
    assert day > max(a.appointed_on for a in job.data.appointments)
    assert {d.dispute_id for d in second.data.disputes} == {f"Y02-D{n:04d}" for n in range(1, 21)}
    longer = replace(job, scenario=job.scenario.model_copy(update={"case_years": 2}))
    on_file = {m.mediator_id: m.active_cases for m in job.data.mediators}
    for m in year_job(longer, 2, [first.seats]).data.mediators:
        assert m.active_cases == on_file[m.mediator_id] + seats[m.mediator_id]


def test_the_simulation_carries_each_year_into_the_next(job: SimulationJob, in_process: Simulation) -> None:
    first = run_year(year_job(job, 1, []))
    second = run_year(year_job(job, 2, [first.seats]))
    assert [replace(y, seconds=0.0) for y in in_process.years] == [
        replace(first.figures, seconds=0.0),
        replace(second.figures, seconds=0.0),
    ]


def test_the_figures_are_shares_and_counts(in_process: Simulation) -> None:
    assert not in_process.stopped and [y.year for y in in_process.years] == [1, 2]
    for y in in_process.years:
        assert y.disputes == 20 and 0 < y.staffed <= y.disputes
        assert len(y.unstaffed) == y.disputes - y.staffed
        for name in SHARES:
            assert 0.0 <= y.figure(name) <= 1.0, (name, y.figure(name))
        assert y.staffed_share == y.staffed / y.disputes
        assert y.expertise_kept > 0.5 and y.top15_share > 0 and y.largest_state
        assert 0 <= y.mean_lean <= y.worst_lean and y.objective <= y.bound + 1e-6 and y.gap >= 0
        for u in y.unstaffed:
            assert u.year == y.year and u.rules and u.reason
    bands = in_process.bands()
    assert set(bands) == set(FIGURES)
    assert all(b.low <= b.median <= b.high for b in bands.values())


def test_the_same_seed_gives_the_same_simulation(job: SimulationJob, in_process: Simulation) -> None:
    again = simulate(job.data, job.rule_set, job.scenario, quotas=job.quotas, seed=job.seed)
    assert _plain(again) == _plain(in_process)
    other = simulate(job.data, job.rule_set, job.scenario, quotas=job.quotas, seed=job.seed + 1)
    assert _plain(other) != _plain(in_process)


def test_a_process_pool_gives_the_in_process_result(job: SimulationJob, in_process: Simulation) -> None:
    after = replace(job, label="after")
    steps: list[int] = []

    @contextmanager
    def progress(total: int, label: str, /) -> Iterator[Advance]:
        steps.append(total)
        yield lambda n=1, /: steps.append(-n)

    with ProcessPoolExecutor(2, mp_context=get_context("spawn")) as pool:
        before_sim, after_sim = simulate_pair([job, after], pool, progress)
    assert _plain(before_sim) == _plain(in_process)
    assert _plain(after_sim) == replace(_plain(in_process), label="after")
    assert steps[0] == 4 and steps[1:] == [-1] * 4


def test_a_dask_cluster_gives_the_in_process_result(job: SimulationJob, in_process: Simulation) -> None:
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    with cluster, distributed.Client(cluster) as client:
        (on_dask,) = simulate_pair([job], client.get_executor())
    assert _plain(on_dask) == _plain(in_process)


@pytest.mark.parametrize("pooled", [False, True])
def test_a_stop_after_the_first_year_returns_that_year(
    job: SimulationJob, in_process: Simulation, pooled: bool
) -> None:
    token = CancelToken()

    @contextmanager
    def progress(total: int, label: str, /) -> Iterator[Advance]:
        yield lambda n=1, /: token.cancel()

    longer = replace(job, scenario=job.scenario.model_copy(update={"years": 3}))
    if pooled:
        with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
            (stopped,) = simulate_pair([longer], pool, progress, token)
    else:
        (stopped,) = simulate_pair([longer], None, progress, token)
    assert stopped.stopped and len(stopped.years) == 1
    assert replace(stopped.years[0], seconds=0.0) == replace(in_process.years[0], seconds=0.0)


def test_an_unknown_host_state_is_refused_before_any_year_runs(job: SimulationJob) -> None:
    with pytest.raises(UnknownIdError, match="XYZ"):
        simulate_pair([replace(job, host=("XYZ",))])


def test_a_whole_plan_is_the_same_on_a_process_pool_and_on_dask(job: SimulationJob) -> None:
    """Before, the recommendation and after: the plan does not depend on where the years ran."""
    from matching.plan.planner import make_plan

    distributed = pytest.importorskip("distributed")

    def plain(plan: Plan) -> dict[str, object]:
        document = plan.as_dict()
        document["settings"].pop("executor")
        for part in ("before", "after"):
            for year in (document[part] or {}).get("years", []):
                year["seconds"] = 0.0
        return document

    args = (job.data, job.rule_set, job.scenario)
    with ProcessPoolExecutor(2, mp_context=get_context("spawn")) as pool:
        pooled = make_plan(*args, quotas=job.quotas, seed=job.seed, executor=pool)
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    with cluster, distributed.Client(cluster) as client:
        on_dask = make_plan(*args, quotas=job.quotas, seed=job.seed, executor=client.get_executor())
    assert plain(pooled) == plain(on_dask)
    assert len(pooled.before.years) == 2
