"""0002: the decision log, kept input files, users, sessions and meta; the decisions so far copied into the log.

New tables (as in ``matching.records.tables`` when this revision was written, spelled out here):
``events`` (the hash-chained log, ``matching.records.ledger``), ``blobs`` (input files by SHA-256),
``users``, ``sessions`` (sign-in) and ``meta``; and the ``chain`` row of ``record_locks`` that every
append to the log locks first.

Then every decision already in the database goes into the log, in order of its id: one
``migrated`` event (actor ``"migration"``, ``at`` = the decision's ``recorded_at``) whose payload is

- ``decision_id`` (int), ``dispute_id`` (str), ``dispute_title`` (str), ``parties`` (list of str);
- ``seats``: list of ``{"mediator_id": str, "role": "chair" | "member", "name": str}``, chair first
  (the order of the seats' ``position``);
- ``rule_set`` (str), ``nationality_rule`` (str), ``weights`` (object), ``scores`` (object),
  ``objective`` (number or null), ``candidate_rank`` (int or null), ``locks`` (object),
  ``inputs_sha256`` (object: file name to SHA-256);
- ``recorded_by`` (str), ``recorded_at`` (str, ISO 8601), ``note`` (str);

and, right after it when the decision was withdrawn, a second ``migrated`` event
(``at`` = ``withdrawn_at``) with payload ``{"decision_id": int, "withdrawn": true,
"withdrawn_by": str, "withdrawn_at": str, "reason": str}`` (``reason`` is the withdrawal note).
A JSON column that does not parse is carried as its text; a number that is not finite as its
spelling (``"NaN"``, ``"Infinity"``), since the log's canonical JSON has no such numbers.

Frozen history: the rows are read through table definitions written here, not through the store
or ``matching.records.tables``; only ``matching.records.ledger.append`` (the log's hashing) is shared.

A database made by the code of the commit that introduced ``tables.py`` (``create_all`` of every
table, no ``alembic_version``) is stamped 0001 like an older one; the tables it already has are
kept as they are, and the decisions are copied only into an empty log.
"""

from __future__ import annotations

import json
import math
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Connection

from matching.records.ledger import CHAIN_LOCK, EventKind, append

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

ACTOR = "migration"

# The 0001 tables as this revision reads them.
_decisions = sa.table(
    "decisions",
    sa.column("id", sa.Integer()),
    sa.column("dispute_id", sa.String()),
    sa.column("dispute_title", sa.Text()),
    sa.column("parties", sa.Text()),
    sa.column("rule_set", sa.String()),
    sa.column("nationality_rule", sa.String()),
    sa.column("weights", sa.Text()),
    sa.column("scores", sa.Text()),
    sa.column("objective", sa.Float()),
    sa.column("candidate_rank", sa.Integer()),
    sa.column("locks", sa.Text()),
    sa.column("inputs_sha256", sa.Text()),
    sa.column("recorded_by", sa.String()),
    sa.column("recorded_at", sa.String()),
    sa.column("note", sa.Text()),
    sa.column("withdrawn_at", sa.String()),
    sa.column("withdrawn_by", sa.String()),
    sa.column("withdrawal_note", sa.Text()),
)
_seats = sa.table(
    "seats",
    sa.column("decision_id", sa.Integer()),
    sa.column("position", sa.Integer()),
    sa.column("mediator_id", sa.String()),
    sa.column("role", sa.String()),
    sa.column("name", sa.Text()),
)
_locks = sa.table("record_locks", sa.column("key", sa.String()))
_events = sa.table("events", sa.column("seq", sa.Integer()))


def _create_tables(existing: set[str]) -> None:
    if "events" not in existing:
        op.create_table(
            "events",
            sa.Column("seq", sa.Integer(), nullable=False, autoincrement=False),
            sa.Column("at", sa.String(40), nullable=False),
            sa.Column("actor", sa.String(200), nullable=False),
            sa.Column("kind", sa.String(40), nullable=False),
            sa.Column("payload", sa.Text(), nullable=False),
            sa.Column("prev_hash", sa.String(64), nullable=False),
            sa.Column("hash", sa.String(64), nullable=False),
            sa.PrimaryKeyConstraint("seq"),
            sa.UniqueConstraint("hash"),
        )
    if "blobs" not in existing:
        op.create_table(
            "blobs",
            sa.Column("sha256", sa.String(64), nullable=False),
            sa.Column("size", sa.Integer(), nullable=False),
            sa.Column("content", sa.LargeBinary(), nullable=False),
            sa.PrimaryKeyConstraint("sha256"),
        )
    if "users" not in existing:
        op.create_table(
            "users",
            sa.Column("id", sa.Integer(), nullable=False, autoincrement=True),
            sa.Column("name", sa.String(100), nullable=False),
            sa.Column("role", sa.String(20), nullable=False),
            sa.Column("password_hash", sa.Text(), nullable=False),
            sa.Column("disabled", sa.Boolean(), nullable=False),
            sa.Column("failed_signins", sa.Integer(), nullable=False),
            sa.Column("locked_until", sa.String(40), nullable=True),
            sa.Column("created_at", sa.String(40), nullable=False),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("name"),
        )
    if "sessions" not in existing:
        op.create_table(
            "sessions",
            sa.Column("token_sha256", sa.String(64), nullable=False),
            sa.Column("user_id", sa.Integer(), nullable=False),
            sa.Column("created_at", sa.String(40), nullable=False),
            sa.Column("expires_at", sa.String(40), nullable=False),
            sa.Column("ended_at", sa.String(40), nullable=True),
            sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
            sa.PrimaryKeyConstraint("token_sha256"),
        )
        op.create_index("ix_sessions_user_id", "sessions", ["user_id"])
    if "meta" not in existing:
        op.create_table(
            "meta",
            sa.Column("key", sa.String(50), nullable=False),
            sa.Column("value", sa.Text(), nullable=False),
            sa.PrimaryKeyConstraint("key"),
        )


def _finite(value: Any) -> Any:
    """The value with every non-finite number replaced by its spelling (canonical JSON has no NaN)."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def _json(text: str | None, empty: Any) -> Any:
    if not text:
        return empty
    try:
        return json.loads(text)
    except ValueError:
        return text


def decision_payload(row: Any, seats: list[Any]) -> dict[str, Any]:
    """The payload of a decision's ``migrated`` event (keys in the module docstring)."""
    payload: dict[str, Any] = _finite(
        {
            "decision_id": int(row.id),
            "dispute_id": row.dispute_id,
            "dispute_title": row.dispute_title or "",
            "parties": [p for p in (row.parties or "").split(";") if p],
            "seats": [{"mediator_id": s.mediator_id, "role": s.role, "name": s.name or ""} for s in seats],
            "rule_set": row.rule_set,
            "nationality_rule": row.nationality_rule or "",
            "weights": _json(row.weights, {}),
            "scores": _json(row.scores, {}),
            "objective": row.objective,
            "candidate_rank": row.candidate_rank,
            "locks": _json(row.locks, {}),
            "inputs_sha256": _json(row.inputs_sha256, {}),
            "recorded_by": row.recorded_by,
            "recorded_at": row.recorded_at,
            "note": row.note or "",
        }
    )
    return payload


def withdrawal_payload(row: Any) -> dict[str, Any]:
    """The payload of the ``migrated`` event that says a decision was withdrawn."""
    return {
        "decision_id": int(row.id),
        "withdrawn": True,
        "withdrawn_by": row.withdrawn_by or "",
        "withdrawn_at": row.withdrawn_at,
        "reason": row.withdrawal_note or "",
    }


def _copy_decisions(conn: Connection) -> None:
    if conn.execute(sa.select(_events.c.seq).limit(1)).first() is not None:
        return  # the log already has events: written by the code that made the tables, not copied again
    if conn.execute(sa.select(_locks.c.key).where(_locks.c.key == CHAIN_LOCK)).first() is None:
        conn.execute(sa.insert(_locks).values(key=CHAIN_LOCK))
    conn.execute(sa.select(_locks.c.key).where(_locks.c.key == CHAIN_LOCK).with_for_update())
    seats: dict[int, list[Any]] = {}
    for seat in conn.execute(sa.select(_seats).order_by(_seats.c.decision_id, _seats.c.position)):
        seats.setdefault(int(seat.decision_id), []).append(seat)
    for row in conn.execute(sa.select(_decisions).order_by(_decisions.c.id)).all():
        append(conn, row.recorded_at, ACTOR, EventKind.MIGRATED, decision_payload(row, seats.get(int(row.id), [])))
        if row.withdrawn_at is not None:
            append(conn, row.withdrawn_at, ACTOR, EventKind.MIGRATED, withdrawal_payload(row))


def upgrade() -> None:
    conn = op.get_bind()
    _create_tables(set(sa.inspect(conn).get_table_names()))
    _copy_decisions(conn)


def downgrade() -> None:
    conn = op.get_bind()
    conn.execute(sa.delete(_locks).where(_locks.c.key == CHAIN_LOCK))
    op.drop_table("meta")
    op.drop_index("ix_sessions_user_id", table_name="sessions")
    op.drop_table("sessions")
    op.drop_table("users")
    op.drop_table("blobs")
    op.drop_table("events")
