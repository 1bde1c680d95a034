"""The audit of the decision log: is the chain whole, do the tables agree with it, and does every
decision replay from what was kept?

Three checks, each giving ``Finding`` s (a problem, or a note for the reader):

* ``check_chain``: every event's hash is recomputed (``matching.records.ledger.event_hash``) and
  its link to the one before is followed. An event whose content no longer matches its hash was
  **edited**; one that matches only under another number was **reordered**; a gap in the numbers
  means events were **deleted**; a broken link after an intact event means the event before it was
  edited and re-sealed, or replaced. A head hash published earlier (``expected_head``) also
  catches a log cut short or rewritten from some point on.
* ``check_tables``: the decisions table (which the capacity checks read) must say what the log
  says: the same decisions, panels, names and withdrawals. A row edited, added or deleted behind
  the application's back is named.
* ``replay``: each decision is re-derived from the input files kept by content hash, the full
  rule set and settings in its event, and the appointments recorded before it in the log: the
  recorded panel must keep every hard rule (the plain checker of ``matching.panel.service.check_panel``)
  and have exactly its recorded score; the solver is run again with the recorded settings and its
  best panel must score what the recorded first candidate scored. Where the chosen panel is not
  the first candidate, the finding quotes the reason given (a missing reason is a problem).
  Decisions copied in from before the log existed (``migrated``) have no kept inputs: they are
  checked against the tables only, and the note says so.

``audit_store`` runs all three on a database; ``export_lines`` writes the auditor's export (JSON
lines: a header with the head hash, each event, each kept file) and ``audit_export`` checks such a
file without any database: the chain, the header, the files' hashes and the replays.
"""

from __future__ import annotations

import base64
import json
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from matching.core.config import Locks, SolveConfig
from matching.core.errors import InputError, MatchingError
from matching.core.progress import CancelToken, ProgressFactory, silent_progress, stop_asked
from matching.io.loading import load_dataset
from matching.io.results import solver_label
from matching.io.rulesets import RuleSet, parse_rule_set
from matching.panel.service import check_panel, propose
from matching.records.ledger import GENESIS, Event, EventKind, event_hash, sha256_hex
from matching.rules.workspace import Workspace

EXPORT_FORMAT = "matching-decision-log"
EXPORT_VERSION = 1
SCORE_TOLERANCE = 1e-9  # scores are exact integers on the solver's scale; this only absorbs float printing


class Severity(StrEnum):
    PROBLEM = "problem"
    NOTE = "note"


@dataclass(frozen=True)
class Finding:
    """One thing the audit found: ``what`` names its kind (edited, deleted, reordered, ...)."""

    severity: Severity
    what: str
    message: str
    seq: int | None = None
    decision_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity.value,
            "what": self.what,
            "message": self.message,
            "event": self.seq,
            "decision_id": self.decision_id,
        }


@dataclass
class AuditReport:
    """The verdict: ``ok`` when the chain and every replay hold."""

    source: str
    events: int = 0
    head_hash: str = GENESIS
    decisions: int = 0
    replayed: int = 0
    confirmed: int = 0
    findings: list[Finding] = field(default_factory=list)
    replay_done: bool = True  # False when the replays were skipped or stopped before the end

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.PROBLEM]

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "ok": self.ok,
            "events": self.events,
            "head_hash": self.head_hash,
            "decisions": self.decisions,
            "replayed": self.replayed,
            "confirmed": self.confirmed,
            "replay_done": self.replay_done,
            "findings": [f.as_dict() for f in self.findings],
        }

    def summary(self) -> str:
        verdict = "The record holds" if self.ok else f"The record does NOT hold: {len(self.problems)} problem(s)"
        if not self.replay_done:
            verdict += " so far (not every decision was replayed)"
        return (
            f"{verdict}. {self.events} event(s) in the log, head hash {self.head_hash}; "
            f"{self.replayed} of {self.decisions} decision(s) replayed, {self.confirmed} confirmed."
        )


# --- the chain --------------------------------------------------------------------------------


def _written_as(e: Event, limit: int) -> int | None:
    """The number under which this event's content matches its hash, if not its present one."""
    for seq in range(1, limit + 1):
        if seq != e.seq and event_hash(seq, e.at, e.actor, e.kind, e.payload, e.prev_hash) == e.hash:
            return seq
    return None


def _event_finding(e: Event, position: int, limit: int) -> Finding | None:
    if e.expected_hash() == e.hash:
        return None
    moved = _written_as(e, limit)
    if moved is not None:
        return Finding(
            Severity.PROBLEM,
            "reordered",
            f"Event {moved} now sits at place {position} in the log: the events were reordered.",
            e.seq,
        )
    return Finding(
        Severity.PROBLEM,
        "edited",
        f"Event {e.seq} ({e.kind} by {e.actor} at {e.at}) no longer matches its hash: it was edited.",
        e.seq,
    )


def check_chain(events: Sequence[Event], expected_head: str | None = None) -> list[Finding]:
    """Findings about the chain itself, the events taken in the order given."""
    findings: list[Finding] = []
    limit = max([len(events), *(e.seq for e in events)], default=0) + 1
    previous: Event | None = None
    flagged_previous = False
    for position, e in enumerate(events, start=1):
        found = _event_finding(e, position, limit)
        last_seq = previous.seq if previous else 0
        if found is None and e.seq > last_seq + 1:
            missing = f"{last_seq + 1}" if e.seq == last_seq + 2 else f"{last_seq + 1} to {e.seq - 1}"
            found = Finding(
                Severity.PROBLEM, "deleted", f"Event(s) {missing} are missing: deleted from the log.", e.seq
            )
        elif found is None and e.seq <= last_seq:
            found = Finding(
                Severity.PROBLEM, "reordered", f"Event {e.seq} comes after event {last_seq}: reordered.", e.seq
            )
        link = previous.hash if previous else GENESIS
        if found is None and e.prev_hash != link and not flagged_previous:
            found = Finding(
                Severity.PROBLEM,
                "edited",
                f"Event {e.seq} does not follow from the event before it: "
                f"event {last_seq or 'zero'} was edited and re-sealed, or replaced.",
                e.seq,
            )
        if found is not None:
            findings.append(found)
        flagged_previous = found is not None
        previous = e
    if expected_head:
        findings += _head_findings(events, expected_head)
    return findings


def _head_findings(events: Sequence[Event], expected_head: str) -> list[Finding]:
    hashes = [e.hash for e in events]
    if expected_head not in hashes:
        return [
            Finding(
                Severity.PROBLEM,
                "deleted",
                f"The head hash given ({expected_head}) is not in the log: events were deleted or the log "
                "was rewritten since it was published.",
            )
        ]
    later = len(hashes) - 1 - hashes.index(expected_head)
    return [Finding(Severity.NOTE, "head", f"The given head hash is in the log; {later} event(s) were added since.")]


# --- the tables against the log ----------------------------------------------------------------


@dataclass
class _Logged:
    dispute_id: str
    members: list[str]
    recorded_by: str
    withdrawn: bool = False
    withdrawn_by: str | None = None


def logged_decisions(events: Iterable[Event]) -> dict[int, _Logged]:
    """What the log says each decision is: dispute, panel (chair first), who, withdrawn or not."""
    out: dict[int, _Logged] = {}
    for e in events:
        p = e.payload
        try:
            decision_id = int(p["decision_id"])
        except (KeyError, TypeError, ValueError):
            continue
        if e.kind == EventKind.WITHDRAWAL or (e.kind == EventKind.MIGRATED and p.get("withdrawn")):
            if decision_id in out:
                out[decision_id].withdrawn = True
                out[decision_id].withdrawn_by = str(p.get("withdrawn_by") or e.actor)
        elif e.kind in (EventKind.DECISION, EventKind.MIGRATED):
            members = [str(s.get("mediator_id")) for s in p.get("seats", [])]
            by = e.actor if e.kind == EventKind.DECISION else str(p.get("recorded_by", ""))
            out[decision_id] = _Logged(str(p.get("dispute_id")), members, by)
    return out


def check_tables(events: Sequence[Event], rows: Sequence[Any]) -> list[Finding]:
    """Compare the decisions table (``Decision`` records) with what the log says."""
    logged = logged_decisions(events)
    findings: list[Finding] = []
    tables = {int(d.id): d for d in rows}
    for decision_id in sorted(set(tables) - set(logged)):
        findings.append(
            Finding(
                Severity.PROBLEM,
                "added",
                f"Decision #{decision_id} is in the database but not in the log: written outside the application, "
                "or its log entry was deleted.",
                decision_id=decision_id,
            )
        )
    for decision_id in sorted(set(logged) - set(tables)):
        findings.append(
            Finding(
                Severity.PROBLEM,
                "deleted",
                f"Decision #{decision_id} is in the log but no longer in the database: deleted.",
                decision_id=decision_id,
            )
        )
    for decision_id in sorted(set(logged) & set(tables)):
        findings += _row_findings(decision_id, logged[decision_id], tables[decision_id])
    return findings


def _row_findings(decision_id: int, log_says: _Logged, row: Any) -> list[Finding]:
    differences = []
    if row.dispute_id != log_says.dispute_id:
        differences.append(f"dispute {row.dispute_id} (log: {log_says.dispute_id})")
    if list(row.member_ids) != log_says.members:
        differences.append(f"panel {', '.join(row.member_ids)} (log: {', '.join(log_says.members)})")
    if log_says.recorded_by and row.recorded_by != log_says.recorded_by:
        differences.append(f"recorded by {row.recorded_by} (log: {log_says.recorded_by})")
    if (not row.active) != log_says.withdrawn:
        state = "withdrawn" if not row.active else "in force"
        differences.append(f"{state} (log: {'withdrawn' if log_says.withdrawn else 'in force'})")
    if not differences:
        return []
    return [
        Finding(
            Severity.PROBLEM,
            "edited",
            f"Decision #{decision_id} in the database differs from the log: {'; '.join(differences)}.",
            decision_id=decision_id,
        )
    ]


# --- replay -----------------------------------------------------------------------------------

FileSource = Callable[[str], bytes | None]


class _Inputs:
    """Workspaces rebuilt from kept files, one per distinct set of inputs (a day's decisions share one)."""

    def __init__(self, fetch: FileSource) -> None:
        self.fetch = fetch
        self.cache: dict[tuple[tuple[str, str, str], ...], Workspace | str] = {}

    def workspace(self, inputs: Mapping[str, Any]) -> Workspace | str:
        """The workspace, or a plain reason it cannot be rebuilt."""
        key = tuple(sorted((str(k), str(v.get("file", "")), str(v.get("sha256", ""))) for k, v in inputs.items()))
        if key not in self.cache:
            self.cache[key] = self._build(key)
        return self.cache[key]

    def _build(self, key: tuple[tuple[str, str, str], ...]) -> Workspace | str:
        kinds = {kind for kind, _, _ in key}
        if not {"mediators", "disputes"} <= kinds:
            return "the decision does not name its roster and disputes files"
        with tempfile.TemporaryDirectory(prefix="matching-replay-") as folder:
            paths: dict[str, Path] = {}
            for kind, name, digest in key:
                content = self.fetch(digest)
                if content is None:
                    return f"the {kind} file {name} (SHA-256 {digest}) is not kept"
                safe = Path(name).name or f"{kind}.csv"
                path = Path(folder) / kind / safe
                path.parent.mkdir()
                path.write_bytes(content)
                paths[kind] = path
            try:
                data = load_dataset(
                    paths["mediators"],
                    paths["disputes"],
                    paths.get("conflicts"),
                    paths.get("preferences"),
                    paths.get("appointments"),
                )
            except InputError as exc:
                return f"the kept files no longer load ({exc})"
        return Workspace(data)


def _load_before(events: Sequence[Event], upto: int) -> Counter[str]:
    """Seats of decisions in force just before event number ``upto`` (as the store counted them)."""
    logged = logged_decisions(e for e in events if e.seq < upto)
    return Counter(mid for d in logged.values() if not d.withdrawn for mid in d.members)


@dataclass
class _Replay:
    event: Event
    decision_id: int
    findings: list[Finding] = field(default_factory=list)

    def problem(self, what: str, message: str) -> None:
        self.findings.append(Finding(Severity.PROBLEM, what, message, self.event.seq, self.decision_id))

    def note(self, what: str, message: str) -> None:
        self.findings.append(Finding(Severity.NOTE, what, message, self.event.seq, self.decision_id))


def _replay_one(r: _Replay, inputs: _Inputs, load: Mapping[str, int]) -> bool:
    """Replay one decision event; True when it could be replayed at all."""
    p = r.event.payload
    dispute_id = str(p.get("dispute_id"))
    ws = inputs.workspace(p.get("inputs", {}))
    if isinstance(ws, str):
        r.problem("inputs", f"Decision #{r.decision_id} ({dispute_id}) cannot be replayed: {ws}.")
        return False
    run = p.get("run", {})
    try:
        rule_set = parse_rule_set(dict(run["rules"]), "the recorded rule set")
        ws.dispute(dispute_id)
    except (KeyError, TypeError, MatchingError) as exc:
        r.problem("inputs", f"Decision #{r.decision_id} ({dispute_id}) cannot be replayed: {exc}.")
        return False
    chosen = p.get("chosen", {})
    members = [str(m["mediator_id"]) for m in chosen.get("members", [])]
    _check_chosen(r, ws, dispute_id, members, rule_set, load, chosen)
    _check_resolve(r, ws, dispute_id, rule_set, run, p)
    _check_choice(r, p)
    if run.get("solver") and run.get("solver") != solver_label():
        r.note("solver", f"Recorded with {run.get('solver')}; replayed with {solver_label()}.")
    return True


def _check_chosen(
    r: _Replay,
    ws: Workspace,
    dispute_id: str,
    members: list[str],
    rule_set: RuleSet,
    load: Mapping[str, int],
    chosen: Mapping[str, Any],
) -> None:
    check = check_panel(ws, dispute_id, members, rule_set, extra_load=load)
    if check.breaches:
        broken = "; ".join(
            f"{b.rule}: {b.mediator_id + ' ' if b.mediator_id else ''}{b.reason}" for b in check.breaches
        )
        r.problem("rules", f"Decision #{r.decision_id} ({dispute_id}) breaks a hard rule on replay: {broken}.")
    recorded = chosen.get("objective")
    if check.scores is None or recorded is None:
        r.problem("score", f"Decision #{r.decision_id} ({dispute_id}): the recorded panel cannot be scored again.")
    elif abs(check.scores.objective - float(recorded)) > SCORE_TOLERANCE:
        r.problem(
            "score",
            f"Decision #{r.decision_id} ({dispute_id}) recorded a score of {float(recorded):.4f}; "
            f"the same panel scores {check.scores.objective:.4f} on replay.",
        )


def _check_resolve(
    r: _Replay, ws: Workspace, dispute_id: str, rule_set: RuleSet, run: Mapping[str, Any], p: Mapping[str, Any]
) -> None:
    settings = run.get("settings", {})
    offered = p.get("candidates", [])
    config = SolveConfig(
        candidates=max(1, int(settings.get("candidates", len(offered) or 1))),
        time_limit=float(settings.get("time_limit", SolveConfig().time_limit)),
        seed=int(run.get("seed", 0)),
    )
    locks = p.get("locks", {}) or {}
    result = propose(
        ws,
        dispute_id,
        rule_set,
        config,
        Locks(frozenset(locks.get("include", [])), frozenset(locks.get("exclude", [])), locks.get("chair")),
        extra_load={str(k): int(v) for k, v in run.get("extra_load", {}).items()},
    )
    best = result.panels[0].objective if result.panels else None
    if settings.get("command", "solve") != "solve":
        if best is not None:
            r.note(
                "batch",
                f"Decision #{r.decision_id} ({dispute_id}) was chosen by a {settings.get('command')} run sharing "
                f"capacity with other disputes; on its own the dispute's best panel scores {best:.4f}.",
            )
        return
    first = offered[0].get("objective") if offered else None
    if first is None or best is None:
        if first != best:
            r.problem("replay", f"Decision #{r.decision_id} ({dispute_id}): the replay found different panels.")
    elif abs(best - float(first)) > SCORE_TOLERANCE:
        r.problem(
            "replay",
            f"Decision #{r.decision_id} ({dispute_id}): the first candidate offered scored {float(first):.4f}; "
            f"replayed from the kept inputs and settings the best panel scores {best:.4f}.",
        )


def _check_choice(r: _Replay, p: Mapping[str, Any]) -> None:
    chosen = p.get("chosen", {})
    offered = p.get("candidates", [])
    rank = chosen.get("rank")
    if not offered or rank == 1:
        return
    reason = str(p.get("reason", "")).strip()
    first = offered[0].get("objective")
    mine = chosen.get("objective")
    scores = f" (score {float(mine):.4f} against {float(first):.4f})" if first is not None and mine is not None else ""
    label = f"candidate {rank}" if rank else "a panel that was not among the candidates"
    if reason:
        r.note("choice", f"Decision #{r.decision_id} chose {label} over the first{scores}. Reason given: {reason}")
    else:
        r.problem("choice", f"Decision #{r.decision_id} chose {label} over the first{scores} and gives no reason.")


def replay(
    events: Sequence[Event],
    fetch: FileSource,
    progress: ProgressFactory = silent_progress,
    cancel: CancelToken | None = None,
) -> tuple[int, int, int, list[Finding]]:
    """Replay every decision: (decisions, replayed, confirmed, findings). A stop asked through
    ``cancel`` is honoured between two decisions; the counts then say how far it got."""
    inputs = _Inputs(fetch)
    findings: list[Finding] = []
    replayed = confirmed = 0
    todo = [e for e in events if e.kind in (EventKind.DECISION, EventKind.MIGRATED) and "decision_id" in e.payload]
    with progress(len(todo), "Replaying decisions") as advance:
        for e in todo:
            if stop_asked(cancel):
                break
            r = _Replay(e, int(e.payload["decision_id"]))
            if e.kind == EventKind.MIGRATED:
                r.note(
                    "migrated",
                    f"Decision #{r.decision_id} was recorded before the log kept its inputs: checked against the "
                    "tables only, not replayed.",
                )
            elif _replay_one(r, inputs, _load_before(events, e.seq)):
                replayed += 1
                confirmed += not any(f.severity is Severity.PROBLEM for f in r.findings)
            findings += r.findings
            advance()
    return len(todo), replayed, confirmed, findings


# --- the whole audit, on a database or on an export ---------------------------------------------


def audit_events(
    source: str,
    events: Sequence[Event],
    fetch: FileSource,
    rows: Sequence[Any] | None,
    expected_head: str | None = None,
    progress: ProgressFactory = silent_progress,
    replay_decisions: bool = True,
    cancel: CancelToken | None = None,
) -> AuditReport:
    """The chain, the tables (when ``rows`` are given) and, unless ``replay_decisions`` is False,
    the replay of every decision (stoppable through ``cancel``)."""
    report = AuditReport(source, events=len(events), head_hash=events[-1].hash if events else GENESIS)
    report.findings += check_chain(events, expected_head)
    if rows is not None:
        report.findings += check_tables(events, rows)
    if replay_decisions:
        report.decisions, report.replayed, report.confirmed, found = replay(events, fetch, progress, cancel)
        report.findings += found
    else:
        report.decisions = len(logged_decisions(events))
    report.replay_done = replay_decisions and not stop_asked(cancel)
    return report


def export_lines(events: Iterable[Event], files: Iterable[tuple[str, bytes]]) -> Iterator[str]:
    """The auditor's export, one JSON document per line: a header naming the head hash and the
    number of events, then each event as stored, then each kept file (base64)."""
    listed = list(events)
    header = {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "events": len(listed),
        "head_hash": listed[-1].hash if listed else GENESIS,
    }
    yield json.dumps(header, sort_keys=True)
    for e in listed:
        yield json.dumps({"event": e.as_line()}, sort_keys=True, ensure_ascii=False)
    for digest, content in files:
        yield json.dumps({"file": {"sha256": digest, "base64": base64.b64encode(content).decode()}}, sort_keys=True)


class ExportError(MatchingError):
    """The file given to ``audit --file`` is not a decision-log export."""

    code = "bad_export"


def read_export(lines: Iterable[str]) -> tuple[dict[str, Any], list[Event], dict[str, bytes], list[Finding]]:
    """Header, events (in the file's order), files and any findings about the file itself."""
    header: dict[str, Any] | None = None
    events: list[Event] = []
    files: dict[str, bytes] = {}
    findings: list[Finding] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if header is None:
                if item.get("format") != EXPORT_FORMAT:
                    raise ExportError("The file is not a decision-log export (its first line has no format mark).")
                header = item
            elif "event" in item:
                events.append(Event.from_line(item["event"]))
            elif "file" in item:
                content = base64.b64decode(item["file"]["base64"], validate=True)
                digest = str(item["file"]["sha256"])
                if sha256_hex(content) != digest:
                    findings.append(
                        Finding(Severity.PROBLEM, "edited", f"The kept file {digest} on line {number} was altered.")
                    )
                else:
                    files[digest] = content
        except ExportError:
            raise
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ExportError(f"Line {number} of the export cannot be read: {exc}.") from None
    if header is None:
        raise ExportError("The export is empty.")
    return header, events, files, findings


def audit_export(
    path: Path, expected_head: str | None = None, progress: ProgressFactory = silent_progress
) -> AuditReport:
    """Audit an export without the database: chain, header, kept files and replays."""
    try:
        with path.open(encoding="utf-8") as handle:
            header, events, files, findings = read_export(handle)
    except OSError as exc:
        raise ExportError(f"The export {path} cannot be read: {exc.strerror or exc}.") from None
    except UnicodeDecodeError:
        raise ExportError(f"The export {path} is not UTF-8 text.") from None
    report = audit_events(str(path), events, files.get, None, expected_head, progress)
    report.findings[:0] = findings
    if header.get("head_hash") != report.head_hash or header.get("events") != len(events):
        report.findings.insert(
            0,
            Finding(
                Severity.PROBLEM,
                "deleted",
                f"The export's header names {header.get('events')} event(s) ending in {header.get('head_hash')}, "
                f"but the file holds {len(events)} ending in {report.head_hash}: it was cut short or extended.",
            ),
        )
    return report
