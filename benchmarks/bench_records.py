"""Decision-record benchmark: recording a reviewed batch, then auditing the log.

Run on purpose: ``python benchmarks/bench_records.py [--mediators 1000] [--disputes 200]
[--database URL]``. Generates a data set, runs one batch (not timed), then measures on a fresh
database (a SQLite file unless ``--database`` names another, e.g. a PostgreSQL one):

* recording every staffed dispute through ``record_panels`` (role, capacity and hard-rule checks,
  the decision log, the input files kept once), per decision;
* the quick audit (chain and tables, what the review page does at every visit);
* the full audit, replaying every decision from the kept inputs, per decision;
* the auditor's export and ``audit --file`` on it.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import machine_speed

from matching.batch.run import solve_batch
from matching.batch.settings import BatchConfig
from matching.demo.generate import write_demo_data
from matching.io.loading import load_folder
from matching.io.rulesets import load_rule_set
from matching.records.audit import audit_export
from matching.records.commit import read_panels, record_panels
from matching.records.store import DecisionStore
from matching.records.users import CommandLine
from matching.rules.workspace import Workspace

PASSWORD = "benchmark pass phrase"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mediators", type=int, default=1000)
    parser.add_argument("--disputes", type=int, default=200)
    parser.add_argument("--database", default=None, help="SQLAlchemy URL of an empty database (default: SQLite)")
    args = parser.parse_args()
    print(machine_speed.report(), flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_demo_data(folder / "data", seed=5, mediators=args.mediators, disputes=args.disputes)
        ws = Workspace(load_folder(folder / "data"))
        rules = load_rule_set("iomed")
        outcome = solve_batch(ws, rules, BatchConfig())
        document = outcome.document()
        panels = read_panels(document, "batch.json")
        store = DecisionStore(args.database or f"sqlite:///{folder / 'decisions.sqlite'}")
        store.add_user("bench", "registrar", PASSWORD, by=CommandLine("benchmark"))
        token = store.sign_in("bench", PASSWORD).token

        started = time.perf_counter()
        done = record_panels(store, ws, panels, token)
        record_s = time.perf_counter() - started
        recorded = sum(r.decision is not None for r in done)

        started = time.perf_counter()
        quick = store.audit(replay=False)
        quick_s = time.perf_counter() - started
        started = time.perf_counter()
        full = store.audit()
        full_s = time.perf_counter() - started
        export = folder / "log.jsonl"
        started = time.perf_counter()
        export.write_text("".join(line + "\n" for line in store.export_log()), encoding="utf-8")
        export_s = time.perf_counter() - started
        started = time.perf_counter()
        offline = audit_export(export)
        offline_s = time.perf_counter() - started
        size_mb = export.stat().st_size / 1e6

    print(f"{'mediators':>9} {'disputes':>8} {'recorded':>8} {'record ms/dec':>13} {'quick audit s':>13} "
          f"{'replay s/dec':>12} {'export s':>8} {'export MB':>9} {'audit --file s':>14} {'verdict':>8}")  # fmt: skip
    print(
        f"{args.mediators:>9} {args.disputes:>8} {recorded:>8} {1000 * record_s / max(recorded, 1):>13.1f} "
        f"{quick_s:>13.2f} {full_s / max(full.decisions, 1):>12.2f} {export_s:>8.2f} {size_mb:>9.1f} "
        f"{offline_s:>14.1f} {'holds' if quick.ok and full.ok and offline.ok else 'FAILS':>8}"
    )


if __name__ == "__main__":
    main()
