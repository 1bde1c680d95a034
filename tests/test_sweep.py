"""Scenario sweeps: the scenarios file, the variants it draws, and the fan-out over executors.

The same runs go through a thread pool, a process pool and a Dask cluster (``LocalCluster`` with
two worker processes); the rows must be the same whichever executor ran them.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import pytest

from matching.batch.sweep import (
    COLUMNS,
    Run,
    ScenarioError,
    read_scenarios,
    run_scenario,
    run_sweep,
    variant,
    write_rows,
)
from matching.io.loading import load_folder

FIXTURES = Path(__file__).parent / "fixtures" / "batch"
SCENARIOS = FIXTURES / "scenarios.toml"
# Columns that depend on the machine, not on the inputs.
TIMING = {"seconds"}


def stable(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    return [{k: v for k, v in row.items() if k not in TIMING} for row in rows]


def test_scenarios_file_expands_into_runs() -> None:
    runs = read_scenarios(SCENARIOS)
    assert [(r.scenario, r.seed) for r in runs] == [
        ("baseline", 0),
        ("busy roster", 1),
        ("busy roster", 2),
        ("more cases, quotas", 3),
    ]
    assert runs[0].paths["mediators"] == str((FIXTURES / "mediators.csv").resolve())
    assert runs[3].config().quotas.min_women_share == 0.3 and runs[3].config().fair


def test_every_problem_in_a_scenarios_file_is_listed(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[defaults]\ncaseload = 2\n[[scenario]]\nname = "a"\ncolour = "red"\n[[scenario]]\nname = "a"\n'
        'mediators = "missing.csv"\n[[scenario]]\nseeds = []\n',
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError) as info:
        read_scenarios(bad)
    text = str(info.value)
    for expected in (
        "caseload",
        "colour",
        "used 2 times",
        "needs a name",
        "seeds",
        "mediators and disputes go together",
    ):
        assert expected in text, expected
    with pytest.raises(ScenarioError, match="not valid TOML"):
        (tmp_path / "x.toml").write_text("[[scenario", encoding="utf-8")
        read_scenarios(tmp_path / "x.toml")


def test_variants_are_seeded_and_keep_the_data_valid() -> None:
    data = load_folder(FIXTURES)
    run = Run("v", 4, {}, {"caseload": 0.9, "drop_mediators": 0.5, "disputes_sample": 12, "unavailable": ["M01"]})
    one, two = variant(data, run), variant(data, run)
    assert one == two
    assert len(one.disputes) == 12 and len({d.dispute_id for d in one.disputes}) == 12
    assert sum(not m.available for m in one.mediators) >= len(one.mediators) // 2
    assert all(0 <= m.active_cases <= m.max_cases for m in one.mediators)
    copies = [d for d in one.disputes if "#" in d.dispute_id]
    assert copies, "a sample larger than the docket repeats disputes under new ids"


def test_a_failed_run_is_a_row_with_its_error() -> None:
    row = run_scenario(
        Run(
            "broken",
            0,
            {k: None for k in ("mediators", "disputes", "conflicts", "preferences", "appointments")},
            {"rules": "no-such-rules"},
        )
    )
    assert row["scenario"] == "broken" and "no-such-rules" in str(row["error"])


def test_thread_and_process_pools_give_the_same_rows(tmp_path: Path) -> None:
    runs = read_scenarios(SCENARIOS)[:2]
    with ThreadPoolExecutor(max_workers=2) as pool:
        threads = run_sweep(runs, pool)
    with ProcessPoolExecutor(max_workers=2, mp_context=get_context("spawn")) as pool:
        processes = run_sweep(runs, pool)
    assert stable(threads) == stable(processes)
    assert all(not r["error"] for r in threads)
    assert threads[0]["staffing_rate"] == 1.0 and threads[0]["disputes"] == 8
    assert 0 < float(threads[0]["top15_seat_share"]) <= 1  # type: ignore[arg-type]
    out = tmp_path / "rows.csv"
    write_rows(threads, out)
    assert out.read_text(encoding="utf-8").splitlines()[0] == ",".join(COLUMNS)


@pytest.mark.slow
def test_dask_cluster_runs_the_sweep() -> None:
    distributed = pytest.importorskip("distributed")
    runs = read_scenarios(SCENARIOS)
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    with cluster, distributed.Client(cluster.scheduler_address) as client:
        rows = run_sweep(runs, client.get_executor())
    with ThreadPoolExecutor(max_workers=2) as pool:
        local = run_sweep(runs, pool)
    assert stable(rows) == stable(local)
    quota_row = rows[-1]
    assert quota_row["scenario"] == "more cases, quotas" and quota_row["slack_min_women_share"] != ""
    assert float(quota_row["slack_min_women_share"]) >= 0  # type: ignore[arg-type]


def test_scenario_weights_and_seeds_are_checked_before_any_run(tmp_path: Path) -> None:
    """Weights out of range and seeds CP-SAT cannot take are listed with the file's other problems."""
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[[scenario]]\nname = "huge"\nweights = { neutrality = 1e15, colour = 1 }\n'
        '[[scenario]]\nname = "far"\nseed = 4294967296\n[[scenario]]\nname = "many"\nseeds = [1, -2]\n',
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError) as info:
        read_scenarios(bad)
    text = str(info.value)
    for expected in ("scenario 1: ", "neutrality", "colour", "scenario 2: seed", "scenario 3: seeds"):
        assert expected in text, expected
