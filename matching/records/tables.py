"""The decisions database's tables (SQLAlchemy 2 declarative), in one place for the store, the
users, the decision log and the alembic migrations.

``decisions`` and ``seats`` hold the panels in force and withdrawn, for fast capacity checks;
``events`` is the append-only, hash-chained log every decision and withdrawal is written to in the
same transaction (``matching.records.ledger``), so any later edit of either is found by
``audit``; ``blobs`` keeps each input file once, by its SHA-256, so a decision can be replayed
years later; ``users`` and ``sessions`` are the sign-in (``matching.records.users``);
``record_locks`` has one row per mediator and dispute (and one for the log itself) locked
``FOR UPDATE`` while writing; ``meta`` keeps a few facts about the database (whether it is the demo).
"""

from __future__ import annotations

from sqlalchemy import Boolean, Float, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """The declarative base every table below derives from (SQLAlchemy 2 style)."""


class DecisionRow(Base):
    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dispute_id: Mapped[str] = mapped_column(String(100), index=True)
    dispute_title: Mapped[str] = mapped_column(Text, default="")
    parties: Mapped[str] = mapped_column(Text, default="")  # ;-separated
    rule_set: Mapped[str] = mapped_column(String(200))
    nationality_rule: Mapped[str] = mapped_column(String(20), default="")
    weights: Mapped[str] = mapped_column(Text, default="{}")  # JSON
    scores: Mapped[str] = mapped_column(Text, default="{}")  # JSON
    objective: Mapped[float | None] = mapped_column(Float, nullable=True)
    candidate_rank: Mapped[int | None] = mapped_column(Integer, nullable=True)
    locks: Mapped[str] = mapped_column(Text, default="{}")  # JSON
    inputs_sha256: Mapped[str] = mapped_column(Text, default="{}")  # JSON
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[str] = mapped_column(String(40))  # ISO 8601, UTC
    note: Mapped[str] = mapped_column(Text, default="")
    withdrawn_at: Mapped[str | None] = mapped_column(String(40), nullable=True)
    withdrawn_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    withdrawal_note: Mapped[str] = mapped_column(Text, default="")


class SeatRow(Base):
    __tablename__ = "seats"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # 0 is the chair
    mediator_id: Mapped[str] = mapped_column(String(100), index=True)
    role: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(Text, default="")
    nationalities: Mapped[str] = mapped_column(Text, default="")  # ;-separated, effective first
    un_group: Mapped[str] = mapped_column(String(40), default="")
    legal_traditions: Mapped[str] = mapped_column(Text, default="")  # ;-separated
    gender: Mapped[str | None] = mapped_column(String(1), nullable=True)


class LockRow(Base):
    """One row per mediator and dispute ever recorded, and ``chain`` for the log, locked FOR UPDATE."""

    __tablename__ = "record_locks"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)


class EventRow(Base):
    """One entry of the decision log; ``hash`` covers every other column and the previous hash."""

    __tablename__ = "events"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(40))  # ISO 8601, UTC
    actor: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class BlobRow(Base):
    """An input file kept by content: the same bytes are stored once, whatever they were called."""

    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))  # registrar | reviewer | administrator
    password_hash: Mapped[str] = mapped_column(Text)  # argon2id, with its own salt and parameters
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_signins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[str | None] = mapped_column(String(40), nullable=True)
    created_at: Mapped[str] = mapped_column(String(40))


class SessionRow(Base):
    """A signed-in session; only the SHA-256 of its token is kept, so a copy of the table signs nobody in."""

    __tablename__ = "sessions"

    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[str] = mapped_column(String(40))
    expires_at: Mapped[str] = mapped_column(String(40))
    ended_at: Mapped[str | None] = mapped_column(String(40), nullable=True)


class MetaRow(Base):
    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
