"""The decisions store: panels that registrars recorded, kept in a database through SQLAlchemy 2.

A recorded decision keeps the panel (chair first, with a snapshot of each member's nationalities,
UN regional group, legal traditions and gender, so reviews do not depend on later roster
changes), the rule set, the weights, the scores, the hash of every input file, who recorded it,
when, and a note. Every seat of an active (not withdrawn) decision is one more case for that
mediator: ``recorded_load()`` gives those counts, to be passed to ``propose(extra_load=...)``.

Where: ``DATABASE_URL`` if set (any SQLAlchemy URL), otherwise the SQLite file
``var/decisions.sqlite`` in the project folder. Opening the store brings the database to the
newest schema through the alembic migrations (``matching.records.schema``), a database made before
them included.

Concurrency: ``record`` checks capacity and writes in one transaction that no other recording can
interleave with. On SQLite the transaction starts with ``BEGIN IMMEDIATE`` (one writer at a time,
others wait up to ``BUSY_TIMEOUT`` seconds); on server databases it locks one row per mediator
and per dispute involved with ``SELECT ... FOR UPDATE`` before counting. So two registrars
recording at once can never push a mediator past capacity, nor record two panels for one dispute:
the second one gets a ``CapacityError`` or ``AlreadyDecidedError`` with a plain message.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Connection,
    create_engine,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError

from matching.core.config import Locks, SolveConfig
from matching.core.domain import Dataset, Role
from matching.core.domain import capacity_left as mediator_capacity
from matching.core.progress import CancelToken, ProgressFactory, silent_progress
from matching.io.csv_out import csv_document
from matching.io.results import DisputeResult, ProposedPanel, rule_set_record, solver_label
from matching.io.rulesets import COMPONENTS, RuleSet
from matching.records import ledger
from matching.records.errors import StoreError as StoreError  # defined there for the users module too
from matching.records.ledger import CHAIN_LOCK, Event, EventKind, sha256_hex
from matching.records.schema import MigrationError, configure_sqlite, upgrade
from matching.records.tables import BlobRow, DecisionRow, EventRow, LockRow, SeatRow
from matching.records.users import Accounts, Permission, require
from matching.rules.recheck import recheck
from matching.rules.workspace import Workspace

if TYPE_CHECKING:
    from matching.records.audit import AuditReport

log = logging.getLogger(__name__)

BUSY_TIMEOUT = 30.0  # seconds a recording waits for another one to finish
DEFAULT_FILE = Path("var") / "decisions.sqlite"


def project_dir() -> Path:
    """The checkout this library runs from, or, for an installed copy, the current working folder
    (never the installation's own folder, which may be read-only or shared)."""
    checkout = Path(__file__).resolve().parents[2]
    return checkout if (checkout / "pyproject.toml").is_file() else Path.cwd()


def database_url() -> str:
    """``DATABASE_URL`` if set, otherwise the SQLite file ``var/decisions.sqlite`` in the project
    (see ``project_dir``)."""
    return os.environ.get("DATABASE_URL") or f"sqlite:///{project_dir() / DEFAULT_FILE}"


# --- errors ---------------------------------------------------------------------------------


class CapacityError(StoreError):
    """Recording would give a mediator more cases than their maximum."""

    code = "capacity"

    def __init__(self, message: str, mediator_ids: Sequence[str]) -> None:
        super().__init__(message)
        self.mediator_ids = list(mediator_ids)


class AlreadyDecidedError(StoreError):
    """The dispute already has a recorded panel that has not been withdrawn."""

    code = "already_decided"

    def __init__(self, message: str, decision_id: int) -> None:
        super().__init__(message)
        self.decision_id = decision_id


# --- plain records ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SeatRecord:
    """One member of a recorded panel, with the attributes reviews look at, as they were then."""

    mediator_id: str
    role: str  # chair | member
    name: str = ""
    nationalities: tuple[str, ...] = ()
    un_group: str = ""
    legal_traditions: tuple[str, ...] = ()
    gender: str | None = None


@dataclass(frozen=True)
class NewDecision:
    """What a registrar records: the panel for one dispute and everything needed to replay it.

    ``recorded_by`` is filled in by the store from the signed-in user; whatever the caller puts
    there is ignored. ``candidates`` are the panels offered (as in the output JSON), ``run`` the
    settings that produced them (rule set record, seed, solver, settings, recorded load counted),
    ``input_files`` each input file's name and bytes by kind, kept by content with the decision.
    """

    dispute_id: str
    seats: tuple[SeatRecord, ...]  # chair first
    rule_set: str
    recorded_by: str = ""
    nationality_rule: str = ""
    weights: dict[str, float] = field(default_factory=dict)
    scores: dict[str, float] = field(default_factory=dict)
    objective: float | None = None
    inputs_sha256: dict[str, str] = field(default_factory=dict)
    note: str = ""
    dispute_title: str = ""
    parties: tuple[str, ...] = ()
    candidate_rank: int | None = None
    locks: dict[str, Any] = field(default_factory=dict)
    reason: str = ""  # why this panel and not the first candidate (required then)
    source: str = "app"  # app | command line
    run: dict[str, Any] = field(default_factory=dict)
    candidates: tuple[dict[str, Any], ...] = ()
    input_files: dict[str, tuple[str, bytes]] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class Decision(NewDecision):
    """A recorded decision, as read back from the store."""

    id: int = 0
    recorded_at: str = ""
    withdrawn_at: str | None = None
    withdrawn_by: str | None = None
    withdrawal_note: str = ""

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None

    @property
    def member_ids(self) -> list[str]:
        return [s.mediator_id for s in self.seats]

    @property
    def chair_id(self) -> str:
        return next((s.mediator_id for s in self.seats if s.role == "chair"), self.seats[0].mediator_id)


# --- helpers ---------------------------------------------------------------------------------


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _reasons(conn: Connection, decision_id: int | None = None) -> dict[int, str]:
    """Each decision's reason for not taking the first candidate, as the decision log keeps it
    (only ``decision_id``'s when given: its entry is found by the canonical JSON's key, not by
    reading the whole log)."""
    query = select(EventRow.payload).where(EventRow.kind == EventKind.DECISION.value)
    if decision_id is not None:
        query = query.where(EventRow.payload.contains(f'"decision_id":{int(decision_id)},'))
    out: dict[int, str] = {}
    for (payload,) in conn.execute(query):
        try:
            body = json.loads(payload)
            out[int(body["decision_id"])] = str(body.get("reason", ""))
        except (ValueError, KeyError, TypeError):
            continue  # an unreadable entry is the audit's business, not the reader's
    return out


def _split(cell: str) -> tuple[str, ...]:
    return tuple(part for part in cell.split(";") if part)


def capacity_left(data: Dataset, recorded: Mapping[str, int] | None = None) -> dict[str, int]:
    """Cases each mediator may still take (0 when unavailable): according to the roster, less the
    ``recorded`` appointments when given (``record`` subtracts those in the store itself)."""
    load = recorded or {}
    return {m.mediator_id: mediator_capacity(m, load.get(m.mediator_id, 0)) for m in data.mediators}


def _seat_record(ws: Workspace, mediator_id: str, role: str) -> SeatRecord:
    m = ws.data.mediator(mediator_id)
    return SeatRecord(
        mediator_id=m.mediator_id,
        role=role,
        name=m.name,
        nationalities=m.nationalities,
        un_group=ws.countries[m.effective_nationality].un_group.value,
        legal_traditions=tuple(sorted(t.value for t in m.legal_traditions)),
        gender=m.gender,
    )


def locks_record(locks: Locks) -> dict[str, Any]:
    return {"include": sorted(locks.include), "exclude": sorted(locks.exclude), "chair": locks.chair}


def solve_run(rule_set: RuleSet, result: DisputeResult | None) -> dict[str, Any]:
    """The settings that produced a dispute's candidates, in the shape of an output's run block."""
    config = (result.config if result else None) or SolveConfig()
    return {
        "rules": rule_set_record(rule_set),
        "seed": config.seed,
        "solver": solver_label(),
        "settings": {"command": "solve", "candidates": config.candidates, "time_limit": config.time_limit},
        "extra_load": dict(sorted((result.extra_load if result else {}).items())),
    }


def decision_from_panel(
    ws: Workspace,
    dispute_id: str,
    panel: ProposedPanel,
    rule_set: RuleSet,
    *,
    result: DisputeResult | None = None,
    candidates: Sequence[ProposedPanel] = (),
    note: str = "",
    reason: str = "",
    locks: Locks | None = None,
    source: str = "app",
    run: Mapping[str, Any] | None = None,
) -> NewDecision:
    """The decision to record for a proposed panel, with a snapshot of its members' attributes and
    what is needed to replay it later: the candidates offered (``result.panels`` or
    ``candidates``), the settings (``run``, or those kept on ``result``), the locks, the input files.

    The panel is re-checked against the hard rules first (``matching.rules.recheck``): a panel the
    library proposed that breaks one raises ``InternalDisagreement`` and is never recorded."""
    dispute = ws.dispute(dispute_id)
    people = [ws.data.mediator(seat.mediator_id) for seat in panel.members]
    chair = next((p for p, s in zip(people, panel.members, strict=True) if s.role is Role.CHAIR), people[0])
    extra = result.extra_load if result is not None else {}
    recheck(ws.view(dispute, rule_set, extra), people, chair, "recorded decision")
    locks = locks or (result.locks if result is not None else None) or Locks()
    offered = list(result.panels if result is not None else candidates)
    return NewDecision(
        dispute_id=dispute_id,
        dispute_title=dispute.title,
        parties=dispute.parties,
        seats=tuple(_seat_record(ws, seat.mediator_id, seat.role.value) for seat in panel.members),
        rule_set=rule_set.name,
        nationality_rule=(dispute.nationality_rule or rule_set.nationality_rule).value,
        weights=rule_set.weights.as_dict(),
        scores=dict(panel.scores),
        objective=panel.objective,
        inputs_sha256=dict(ws.data.inputs_sha256),
        note=note,
        candidate_rank=panel.rank,
        locks=locks_record(locks),
        reason=reason.strip(),
        source=source,
        run=dict(run) if run is not None else solve_run(rule_set, result),
        candidates=tuple(_offered(p) for p in offered),
        input_files=dict(ws.data.sources),
    )


def _offered(panel: ProposedPanel) -> dict[str, Any]:
    return {
        "rank": panel.rank,
        "members": [{"mediator_id": s.mediator_id, "role": s.role.value} for s in panel.members],
        "objective": panel.objective,
        "scores": dict(panel.scores),
    }


def decision_event(decision_id: int, new: NewDecision) -> dict[str, Any]:
    """The decision log's payload for a recorded decision (see ``matching.records.ledger``)."""
    return {
        "decision_id": decision_id,
        "dispute_id": new.dispute_id,
        "dispute_title": new.dispute_title,
        "parties": list(new.parties),
        "source": new.source,
        "inputs": {kind: {"file": name, "sha256": sha256_hex(data)} for kind, (name, data) in new.input_files.items()},
        "inputs_sha256": dict(new.inputs_sha256),
        "run": new.run,
        "nationality_rule": new.nationality_rule,
        "locks": new.locks,
        "candidates": list(new.candidates),
        "chosen": {
            "rank": new.candidate_rank,
            "members": [{"mediator_id": s.mediator_id, "role": s.role} for s in new.seats],
            "objective": new.objective,
            "scores": dict(new.scores),
        },
        "seats": [
            {
                "mediator_id": s.mediator_id,
                "role": s.role,
                "name": s.name,
                "nationalities": list(s.nationalities),
                "un_group": s.un_group,
                "legal_traditions": list(s.legal_traditions),
                "gender": s.gender,
            }
            for s in new.seats
        ],
        "reason": new.reason,
        "note": new.note,
    }


class DecisionStore(Accounts):
    """Recorded decisions in a SQL database (SQLite by default); safe to share between threads."""

    def __init__(self, url: str | None = None) -> None:
        self.url = url or database_url()
        try:
            parsed = make_url(self.url)
            self.is_sqlite = parsed.get_backend_name() == "sqlite"
            connect_args: dict[str, Any] = {}
            if self.is_sqlite:
                database = parsed.database or ""
                if database and database != ":memory:" and not database.startswith("file:"):
                    Path(database).parent.mkdir(parents=True, exist_ok=True)
                connect_args = {"timeout": BUSY_TIMEOUT, "check_same_thread": False}
            self.engine = create_engine(self.url, connect_args=connect_args)
        except (SQLAlchemyError, ImportError, ValueError, OSError) as exc:
            raise StoreError(f"The decisions database address {self.location} cannot be used: {exc}") from None
        if self.is_sqlite:
            # SQLAlchemy emits BEGIN itself, so a recording (``write=True``) starts with BEGIN IMMEDIATE.
            configure_sqlite(self.engine, BUSY_TIMEOUT)
        self._after_check: Callable[[], None] | None = None  # tests widen the race window here
        self._schema_lock = threading.Lock()
        with self._errors("open"), self._schema_lock:
            try:
                upgrade(self.engine)  # the alembic migrations, to the newest schema (matching.records.schema)
            except MigrationError as exc:
                raise StoreError(str(exc)) from None
        with self._errors("open"):
            self._ensure_lock_rows([CHAIN_LOCK])  # every append to the decision log locks this row

    @property
    def location(self) -> str:
        """The database address without any password, for showing to users."""
        try:
            return make_url(self.url).render_as_string(hide_password=True)
        except (SQLAlchemyError, ValueError):
            return "(an address that cannot be read)"

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _errors(self, action: str) -> Iterator[None]:
        try:
            yield
        except OperationalError as exc:
            text = str(exc.orig) if exc.orig is not None else str(exc)
            if "locked" in text or "busy" in text:
                raise StoreError(
                    f"The decisions database is busy (another registrar is recording); could not {action}. "
                    "Please try again."
                ) from None
            raise StoreError(f"Could not {action} in the decisions database at {self.location}: {text}") from None

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            conn.execution_options(write=True)
            with conn.begin():
                yield conn

    # --- writing -----------------------------------------------------------------------------
    def _log_event(
        self, conn: Connection, actor: str, kind: EventKind, payload: Mapping[str, Any], at: str | None = None
    ) -> Event:
        """Append one event to the decision log inside ``conn``'s write transaction.

        Locks the ``chain`` row first (keys are always locked in sorted order, and ``chain`` sorts
        before ``dispute:``/``mediator:``), so appends are serialised on every database."""
        conn.execute(select(LockRow.key).where(LockRow.key == CHAIN_LOCK).with_for_update())
        return ledger.append(conn, at or _now(), actor, kind, payload)

    def _ensure_lock_rows(self, keys: Sequence[str]) -> None:
        """Create the lock rows once, each in its own short transaction (a concurrent twin is fine)."""
        with self.engine.connect() as conn:
            existing = set(conn.scalars(select(LockRow.key).where(LockRow.key.in_(keys))))
            conn.rollback()
            for key in keys:
                if key in existing:
                    continue
                try:
                    with conn.begin():
                        conn.execute(insert(LockRow).values(key=key))
                except IntegrityError:
                    pass  # someone else created it meanwhile

    def record(self, new: NewDecision, capacity: Mapping[str, int], session: str) -> Decision:
        """Record a decision after checking, in the same transaction, that the signed-in user may
        record, that every member has room and that the dispute has no panel in force; append it to
        the decision log with its input files, all or nothing.

        ``session`` is the token ``sign_in`` returned; the decision is recorded under that user's
        name. ``capacity`` is what the roster leaves each mediator (``capacity_left(data)``);
        recorded appointments in this store are subtracted from it. Raises ``NotAllowed`` for a
        user whose role may not record, ``CapacityError`` when a member has no room left,
        ``AlreadyDecidedError`` when the dispute already has an active decision.
        """
        self._check_new(new, capacity)
        ids = [s.mediator_id for s in new.seats]
        keys = sorted({CHAIN_LOCK, f"dispute:{new.dispute_id}", *(f"mediator:{mid}" for mid in ids)})
        with self._errors("record the decision"):
            self._ensure_lock_rows(keys)
            with self._write() as conn:
                at = _now()
                who = require(conn, session, Permission.RECORD)
                # Serialise with every other recording that touches these mediators or this dispute.
                # (SQLite has no FOR UPDATE; BEGIN IMMEDIATE has already serialised all writers.)
                conn.execute(select(LockRow.key).where(LockRow.key.in_(keys)).order_by(LockRow.key).with_for_update())
                self._check_room(conn, new, capacity)
                if self._after_check is not None:
                    self._after_check()
                mine = replace(new, recorded_by=who.name)
                decision_id = self._insert(conn, mine, at)
                ledger.keep_files(conn, {sha256_hex(data): data for _, data in new.input_files.values()})
                self._log_event(conn, who.name, EventKind.DECISION, decision_event(decision_id, mine), at)
        log.info("decision %s recorded for %s by %s", decision_id, new.dispute_id, who.name)
        return self.decision(decision_id)

    @staticmethod
    def _check_new(new: NewDecision, capacity: Mapping[str, int]) -> None:
        if not new.seats:
            raise StoreError("A decision needs at least one member.")
        ids = [s.mediator_id for s in new.seats]
        if len(set(ids)) != len(ids):
            raise StoreError("The same mediator appears twice on the panel.")
        unknown = [mid for mid in ids if mid not in capacity]
        if unknown:
            raise StoreError(f"Not on the roster: {', '.join(unknown)}.")
        if new.candidates and new.candidate_rank != 1 and not new.reason.strip():
            raise StoreError(
                "Say why this panel was chosen rather than the first candidate: the reason is kept with the decision."
            )

    def _check_room(self, conn: Connection, new: NewDecision, capacity: Mapping[str, int]) -> None:
        existing = conn.scalar(
            select(DecisionRow.id).where(DecisionRow.dispute_id == new.dispute_id, DecisionRow.withdrawn_at.is_(None))
        )
        if existing is not None:
            raise AlreadyDecidedError(
                f"Dispute {new.dispute_id} already has a recorded panel (decision #{existing}). "
                "Withdraw that decision first if the panel must change.",
                existing,
            )
        ids = [s.mediator_id for s in new.seats]
        load = self._load(conn, ids)
        full = [mid for mid in ids if load.get(mid, 0) + 1 > capacity[mid]]
        if full:
            details = "; ".join(
                f"{mid} may take {max(capacity[mid], 0)} more case(s) under the roster and already has "
                f"{load.get(mid, 0)} recorded here"
                for mid in full
            )
            raise CapacityError(
                f"No room left for {', '.join(full)} ({details}). Another registrar may have just "
                "recorded a panel with them: find panels again and record a new choice.",
                full,
            )

    def _insert(self, conn: Connection, new: NewDecision, at: str) -> int:
        result = conn.execute(
            insert(DecisionRow).values(
                dispute_id=new.dispute_id,
                dispute_title=new.dispute_title,
                parties=";".join(new.parties),
                rule_set=new.rule_set,
                nationality_rule=new.nationality_rule,
                weights=json.dumps(new.weights, sort_keys=True),
                scores=json.dumps(new.scores, sort_keys=True),
                objective=new.objective,
                candidate_rank=new.candidate_rank,
                locks=json.dumps(new.locks, sort_keys=True),
                inputs_sha256=json.dumps(new.inputs_sha256, sort_keys=True),
                recorded_by=new.recorded_by.strip(),
                recorded_at=at,
                note=new.note,
            )
        )
        key = result.inserted_primary_key
        if key is None:
            raise StoreError("The database did not return the new decision's number.")
        decision_id = int(key[0])
        conn.execute(
            insert(SeatRow),
            [
                {
                    "decision_id": decision_id,
                    "position": position,
                    "mediator_id": seat.mediator_id,
                    "role": seat.role,
                    "name": seat.name,
                    "nationalities": ";".join(seat.nationalities),
                    "un_group": seat.un_group,
                    "legal_traditions": ";".join(seat.legal_traditions),
                    "gender": seat.gender,
                }
                for position, seat in enumerate(new.seats)
            ],
        )
        return decision_id

    def withdraw(self, decision_id: int, session: str, reason: str) -> Decision:
        """Withdraw a decision with a reason: its seats stop counting against capacity; the record
        stays, and the withdrawal is appended to the decision log. Only a registrar may withdraw."""
        if not reason.strip():
            raise StoreError("Give the reason for withdrawing the decision: it is kept in the record.")
        with self._errors("withdraw the decision"):
            self._ensure_lock_rows([CHAIN_LOCK])
            with self._write() as conn:
                at = _now()
                who = require(conn, session, Permission.WITHDRAW)
                conn.execute(select(LockRow.key).where(LockRow.key == CHAIN_LOCK).with_for_update())
                row = conn.execute(
                    select(DecisionRow.withdrawn_at, DecisionRow.dispute_id).where(DecisionRow.id == decision_id)
                ).first()
                if row is None:
                    raise StoreError(f"There is no decision #{decision_id}.")
                if row.withdrawn_at is not None:
                    raise StoreError(f"Decision #{decision_id} was already withdrawn on {row.withdrawn_at}.")
                conn.execute(
                    update(DecisionRow)
                    .where(DecisionRow.id == decision_id)
                    .values(withdrawn_at=at, withdrawn_by=who.name, withdrawal_note=reason.strip())
                )
                payload = {"decision_id": decision_id, "dispute_id": row.dispute_id, "reason": reason.strip()}
                self._log_event(conn, who.name, EventKind.WITHDRAWAL, payload, at)
        log.info("decision %s withdrawn by %s", decision_id, who.name)
        return self.decision(decision_id)

    # --- reading -----------------------------------------------------------------------------

    @staticmethod
    def _load(conn: Connection, mediator_ids: Sequence[str] | None = None) -> dict[str, int]:
        query = (
            select(SeatRow.mediator_id, func.count())
            .join(DecisionRow, DecisionRow.id == SeatRow.decision_id)
            .where(DecisionRow.withdrawn_at.is_(None))
            .group_by(SeatRow.mediator_id)
        )
        if mediator_ids is not None:
            query = query.where(SeatRow.mediator_id.in_(list(mediator_ids)))
        return {mid: int(n) for mid, n in conn.execute(query)}

    def recorded_load(self) -> dict[str, int]:
        """Cases recorded here per mediator (active decisions only): pass as ``extra_load``."""
        with self._errors("read the recorded appointments"), self.engine.connect() as conn:
            return self._load(conn)

    def decisions(self, include_withdrawn: bool = False) -> list[Decision]:
        """Every decision, oldest first."""
        with self._errors("read the decisions"), self.engine.connect() as conn:
            query = select(DecisionRow).order_by(DecisionRow.id)
            if not include_withdrawn:
                query = query.where(DecisionRow.withdrawn_at.is_(None))
            rows = conn.execute(query).all()
            seats: dict[int, list[Any]] = {}
            for seat in conn.execute(select(SeatRow).order_by(SeatRow.decision_id, SeatRow.position)):
                seats.setdefault(seat.decision_id, []).append(seat)
            reasons = _reasons(conn)
        return [self._decision(row, seats.get(row.id, []), reasons.get(row.id, "")) for row in rows]

    def decision(self, decision_id: int) -> Decision:
        with self._errors("read the decision"), self.engine.connect() as conn:
            row = conn.execute(select(DecisionRow).where(DecisionRow.id == decision_id)).first()
            if row is None:
                raise StoreError(f"There is no decision #{decision_id}.")
            seats = conn.execute(
                select(SeatRow).where(SeatRow.decision_id == decision_id).order_by(SeatRow.position)
            ).all()
            reasons = _reasons(conn, decision_id)
        return self._decision(row, list(seats), reasons.get(decision_id, ""))

    def for_dispute(self, dispute_id: str) -> Decision | None:
        """The dispute's active decision, if any."""
        with self._errors("read the decisions"), self.engine.connect() as conn:
            decision_id = conn.scalar(
                select(DecisionRow.id).where(DecisionRow.dispute_id == dispute_id, DecisionRow.withdrawn_at.is_(None))
            )
        return None if decision_id is None else self.decision(decision_id)

    @staticmethod
    def _decision(row: Any, seats: Sequence[Any], reason: str = "") -> Decision:
        return Decision(
            reason=reason,
            id=row.id,
            dispute_id=row.dispute_id,
            dispute_title=row.dispute_title,
            parties=_split(row.parties),
            rule_set=row.rule_set,
            nationality_rule=row.nationality_rule,
            weights=json.loads(row.weights),
            scores=json.loads(row.scores),
            objective=row.objective,
            candidate_rank=row.candidate_rank,
            locks=json.loads(row.locks),
            inputs_sha256=json.loads(row.inputs_sha256),
            recorded_by=row.recorded_by,
            recorded_at=row.recorded_at,
            note=row.note,
            withdrawn_at=row.withdrawn_at,
            withdrawn_by=row.withdrawn_by,
            withdrawal_note=row.withdrawal_note,
            seats=tuple(
                SeatRecord(
                    mediator_id=s.mediator_id,
                    role=s.role,
                    name=s.name,
                    nationalities=_split(s.nationalities),
                    un_group=s.un_group,
                    legal_traditions=_split(s.legal_traditions),
                    gender=s.gender,
                )
                for s in seats
            ),
        )

    # --- the decision log --------------------------------------------------------------------

    def log_events(self) -> list[Event]:
        """Every event of the decision log, in order."""
        with self._errors("read the decision log"), self.engine.connect() as conn:
            return list(ledger.events(conn))

    def kept_file(self, digest: str) -> bytes | None:
        """An input file kept with a decision, by its SHA-256 (None if missing or altered)."""
        with self._errors("read a kept input file"), self.engine.connect() as conn:
            return ledger.kept_file(conn, digest)

    def kept_files(self) -> Iterator[tuple[str, bytes]]:
        """Every kept input file as (SHA-256, bytes), in order of hash."""
        with self._errors("read the kept input files"), self.engine.connect() as conn:
            for row in conn.execute(select(BlobRow.sha256, BlobRow.content).order_by(BlobRow.sha256)):
                yield str(row.sha256), bytes(row.content)

    def audit(
        self,
        expected_head: str | None = None,
        progress: ProgressFactory = silent_progress,
        replay: bool = True,
        cancel: CancelToken | None = None,
    ) -> AuditReport:
        """Check the chain, compare the tables with it and (unless ``replay`` is False) replay every
        decision, stoppable through ``cancel`` (``matching.records.audit``)."""
        from matching.records.audit import audit_events  # the solver stack: only when auditing

        events = self.log_events()
        rows = self.decisions(include_withdrawn=True)
        return audit_events(self.location, events, self.kept_file, rows, expected_head, progress, replay, cancel)

    def export_log(self) -> Iterator[str]:
        """The auditor's export, line by line (see ``matching.records.audit.export_lines``)."""
        from matching.records.audit import export_lines

        return export_lines(self.log_events(), self.kept_files())

    # --- export ------------------------------------------------------------------------------

    def export_csv(self, include_withdrawn: bool = True) -> str:
        """Every decision as CSV text, one row per decision; text cells are safe for spreadsheets."""
        return decisions_csv(self.decisions(include_withdrawn=include_withdrawn))


EXPORT_COLUMNS = (
    "decision_id",
    "status",
    "dispute_id",
    "dispute_title",
    "parties",
    "chair",
    "members",
    "member_names",
    "nationalities",
    "rule_set",
    "nationality_rule",
    "weights",
    "objective",
    *COMPONENTS,
    "recorded_by",
    "recorded_at",
    "note",
    "withdrawn_at",
    "withdrawn_by",
    "withdrawal_note",
    "inputs_sha256",
)


def decisions_csv(decisions: Sequence[Decision]) -> str:
    """CSV text of the decisions (members chair first, ;-separated); see ``EXPORT_COLUMNS``."""
    rows: list[list[str]] = []
    for d in decisions:
        row: dict[str, str] = {
            "decision_id": str(d.id),
            "status": "recorded" if d.active else "withdrawn",
            "dispute_id": d.dispute_id,
            "dispute_title": d.dispute_title,
            "parties": ";".join(d.parties),
            "chair": d.chair_id,
            "members": ";".join(d.member_ids),
            "member_names": ";".join(s.name for s in d.seats),
            "nationalities": ";".join("/".join(s.nationalities) for s in d.seats),
            "rule_set": d.rule_set,
            "nationality_rule": d.nationality_rule,
            "weights": ";".join(f"{k}={v:g}" for k, v in sorted(d.weights.items())),
            "objective": "" if d.objective is None else f"{d.objective:.6f}",
            "recorded_by": d.recorded_by,
            "recorded_at": d.recorded_at,
            "note": d.note,
            "withdrawn_at": d.withdrawn_at or "",
            "withdrawn_by": d.withdrawn_by or "",
            "withdrawal_note": d.withdrawal_note,
            "inputs_sha256": ";".join(f"{k}={v}" for k, v in sorted(d.inputs_sha256.items())),
        }
        for c in COMPONENTS:
            row[c] = f"{d.scores[c]:.4f}" if c in d.scores else ""
        rows.append([row[k] for k in EXPORT_COLUMNS])
    # The project's one CSV writer: formulas neutralised (numbers such as a negative objective kept),
    # line breaks inside a note quoted, rows ending with CRLF.
    return csv_document(EXPORT_COLUMNS, rows)
