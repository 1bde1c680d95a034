"""The batch's per-dispute work on a Dask cluster (``solve_batch(..., executor=...)``, ``batch --scheduler``).

A small generated batch (100 mediators, 40 disputes, a seat cap and a women quota, so that column generation
and exact pricing run) gives the same panels, objective, status and bound on the run's own process pool, on
a two-process Dask ``LocalCluster`` and on threads in this process; the command line writes the same JSON
with and without ``--scheduler`` (timings aside); a stop cancels the chunks still out; a bad scheduler
address exits 2 with a one-line message.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import matching.cli.batch  # noqa: F401  (registers the commands on the app)
from matching.batch.disputes import Missing, alone_chunk, make_state, run_chunk
from matching.batch.quotas import Quotas
from matching.batch.run import solve_batch
from matching.batch.settings import BatchConfig
from matching.cli.common import app
from matching.core.config import SolveConfig
from matching.core.errors import Cancelled
from matching.core.progress import Advance, CancelToken
from matching.demo.generate import write_demo_data
from matching.io.loading import load_folder
from matching.io.rulesets import RuleSet, load_rule_set
from matching.rules.workspace import Workspace

distributed = pytest.importorskip("distributed")

Json = dict[str, Any]
QUOTAS = Quotas(max_per_mediator=1, min_women_share=0.3)
CONFIG = BatchConfig(quotas=QUOTAS, workers=2, time_limit=2.0)
CLI_SETTINGS = ["--workers", "2", "--time-limit", "2", "--max-per-mediator", "1", "--min-women-share", "0.3"]
TIMINGS = {"seconds", "started_at", "wall_seconds"}
runner = CliRunner()


def without_timings(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: without_timings(v) for k, v in value.items() if k not in TIMINGS}
    if isinstance(value, list):
        return [without_timings(v) for v in value]
    return value


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("batch_dask") / "data"
    write_demo_data(out, seed=5, mediators=100, disputes=40)
    return out


@pytest.fixture(scope="module")
def ws(folder: Path) -> Workspace:
    return Workspace(load_folder(folder))


@pytest.fixture(scope="module")
def rule_set() -> RuleSet:
    return load_rule_set("iomed")


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as local:
        yield local


@pytest.fixture(scope="module")
def pooled(ws: Workspace, rule_set: RuleSet) -> Json:
    """The batch on the run's own process pool (what ``batch`` does without ``--scheduler``)."""
    document: Json = without_timings(solve_batch(ws, rule_set, CONFIG).document())
    return document


class Counting(Executor):
    """An executor that passes every call on to ``inner`` and keeps what was sent and the futures."""

    def __init__(self, inner: Executor) -> None:
        self.inner = inner
        self.sent: list[tuple[str, bool]] = []  # (chunk function, inputs attached)
        self.futures: list[Future[Any]] = []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        chunk_fn, _token, inputs = args[:3]
        self.sent.append((chunk_fn.__name__, inputs is not None))
        future = self.inner.submit(fn, *args, **kwargs)
        self.futures.append(future)
        return future


def test_a_dask_cluster_gives_the_process_pool_result(
    ws: Workspace, rule_set: RuleSet, cluster: Any, pooled: Json
) -> None:
    phases: list[tuple[str, int, list[int]]] = []

    @contextmanager
    def progress(total: int, label: str, /) -> Iterator[Advance]:
        steps: list[int] = []
        phases.append((label, total, steps))

        def advance(n: int = 1, /) -> None:
            steps.append(n)

        yield advance

    with distributed.Client(cluster) as client:
        counting = Counting(client.get_executor())
        outcome = solve_batch(ws, rule_set, CONFIG, progress=progress, executor=counting)
    assert without_timings(outcome.document()) == pooled
    assert phases[0][:2] == ("Disputes on their own", 40) and sum(phases[0][2]) == 40  # each dispute reported once
    assert all(sum(steps) == total for _, total, steps in phases)
    batch = pooled["batch"]
    assert batch["staffed"] > 30 and batch["candidate_panels"] > batch["disputes"]  # a batch worth comparing
    assert {name for name, _ in counting.sent} == {"alone_chunk"}  # (fewer than 40 disputes to price: priced here)
    # The inputs travel with the first chunk per worker, and again only to a worker that answered it lacks them.
    attached = sum(with_inputs for _, with_inputs in counting.sent)
    missing = sum(isinstance(f.result(), Missing) for f in counting.futures)
    assert attached == CONFIG.workers + missing and attached < len(counting.sent)


def test_threads_in_this_process_give_the_process_pool_result(ws: Workspace, rule_set: RuleSet, pooled: Json) -> None:
    with ThreadPoolExecutor(2) as threads:
        outcome = solve_batch(ws, rule_set, CONFIG, executor=threads)
    assert without_timings(outcome.document()) == pooled


def test_the_run_in_this_process_gives_the_process_pool_result(ws: Workspace, rule_set: RuleSet, pooled: Json) -> None:
    """One process (no pool): the same panels, bounds and statuses; only the ``workers`` setting recorded differs
    (on this batch no budget share depends on it: every phase split by ``workers`` is within its budget)."""
    alone = without_timings(solve_batch(ws, rule_set, replace(CONFIG, workers=1)).document())
    expected = copy.deepcopy(pooled)
    assert alone["run"]["settings"].pop("workers") == 1 and expected["run"]["settings"].pop("workers") == 2
    assert alone == expected


def test_a_worker_without_the_inputs_asks_for_them_and_then_gives_the_same_candidates(
    ws: Workspace, rule_set: RuleSet
) -> None:
    import pickle

    items = [(0, ws.data.disputes[0].dispute_id), (1, ws.data.disputes[1].dispute_id)]
    args = (2_000, SolveConfig(candidates=1, time_limit=1.0, seed=0, workers=1, presolve=False))
    token = "a-token-no-worker-has-seen"
    assert run_chunk(alone_chunk, token, None, items, *args) == Missing(token)
    inputs = pickle.dumps((ws.data, ws.countries, rule_set))
    remote = run_chunk(alone_chunk, token, inputs, items, *args)
    here = alone_chunk(items, *args, state=make_state(ws, rule_set))
    assert isinstance(remote, list) and len(remote) == len(here) == 2
    for a, b in zip(remote, here, strict=True):
        assert (a.status, a.upper, a.best, a.best_members) == (b.status, b.upper, b.best, b.best_members)
        assert a.pool.tolist() == b.pool.tolist() and len(a.panels) == len(b.panels)
    assert run_chunk(alone_chunk, token, None, items[:1], *args) != Missing(token)  # kept for the next chunk


def test_a_stop_on_the_cluster_cancels_the_chunks_still_out(ws: Workspace, rule_set: RuleSet, cluster: Any) -> None:
    token = CancelToken()
    reports: list[int] = []

    @contextmanager
    def progress(total: int, label: str, /) -> Iterator[Advance]:
        def advance(steps: int = 1, /) -> None:
            reports.append(steps)
            if steps:
                token.cancel()

        yield advance

    with distributed.Client(cluster) as client:
        counting = Counting(client.get_executor())
        with pytest.raises(Cancelled):
            solve_batch(ws, rule_set, CONFIG, progress=progress, cancel=token, executor=counting)
        assert counting.sent and all(name == "alone_chunk" for name, _ in counting.sent)
        assert len(counting.sent) < 40 / 3  # not every chunk was sent (3 disputes a chunk)
        assert all(f.done() for f in counting.futures)
        assert any(f.cancelled() for f in counting.futures)
    assert sum(reports) < 40


def test_batch_with_a_scheduler_writes_the_same_json(folder: Path, cluster: Any, tmp_path: Path) -> None:
    inputs = [arg for kind in ("mediators", "disputes", "conflicts", "preferences", "appointments")
              for arg in (f"--{kind}", str(folder / f"{kind}.csv"))]  # fmt: skip
    here, there = tmp_path / "here.json", tmp_path / "there.json"
    first = runner.invoke(app, ["batch", "--out", str(here), *inputs, *CLI_SETTINGS])
    assert first.exit_code == 0, first.output
    second = runner.invoke(
        app, ["batch", "--out", str(there), *inputs, *CLI_SETTINGS, "--scheduler", cluster.scheduler_address]
    )
    assert second.exit_code == 0, second.output
    documents = [json.loads(path.read_text(encoding="utf-8")) for path in (here, there)]
    assert without_timings(documents[0]) == without_timings(documents[1])
    assert "seconds" in documents[0]["batch"]  # the only thing left out (with the run's clock)


@pytest.mark.parametrize(
    "address",
    [
        "nonsense",  # no port
        "ftp://127.0.0.1:8786",  # not a Dask scheme
        "tcp://127.0.0.1:1",  # nobody listening
        "tls://127.0.0.1:1",  # TLS without certificates configured
    ],
)
def test_a_bad_scheduler_address_exits_2_with_one_line(folder: Path, tmp_path: Path, address: str) -> None:
    import dask

    inputs = [arg for kind in ("mediators", "disputes") for arg in (f"--{kind}", str(folder / f"{kind}.csv"))]
    out = tmp_path / "x.json"
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        result = runner.invoke(app, ["batch", "--out", str(out), *inputs, "--scheduler", address])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "Dask scheduler" in errors[0] and address in errors[0]
    assert "Traceback" not in result.output
    assert not out.exists()


def test_a_cluster_without_workers_exits_2_with_one_line(folder: Path, tmp_path: Path) -> None:
    import dask

    inputs = [arg for kind in ("mediators", "disputes") for arg in (f"--{kind}", str(folder / f"{kind}.csv"))]
    out = tmp_path / "x.json"
    with (
        distributed.LocalCluster(n_workers=0, dashboard_address=":0") as empty,
        dask.config.set({"distributed.comm.timeouts.connect": "1s"}),
    ):
        result = runner.invoke(app, ["batch", "--out", str(out), *inputs, "--scheduler", empty.scheduler_address])
    assert result.exit_code == 2, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "has no workers" in errors[0]
    assert not out.exists()
