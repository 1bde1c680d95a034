"""The decision log: an append-only chain of events, each carrying the hash of the one before.

An event is ``seq`` (1, 2, 3, ... with no gap), ``at`` (UTC, ISO 8601), ``actor`` (the signed-in
user), ``kind`` (see ``EventKind``) and a JSON ``payload``. Its ``hash`` is the SHA-256 of the
canonical JSON of all of these plus ``prev_hash``, the previous event's hash (``GENESIS`` for the
first). Editing any past event changes its hash and breaks the link from the next one; deleting
or reordering events breaks the sequence or a link; so ``matching.records.audit`` names each.
Anyone holding the head hash (``audit`` prints it; the auditor's export carries it) can also tell
whether the whole log was rewritten after that point.

Input files are kept once each by their SHA-256 (``keep_files``) so a decision can be replayed
from exactly the bytes it was made from.

These functions run inside the caller's transaction: the store appends the event in the same
transaction as the decision it describes, after locking the ``chain`` row, so two writers can
never both extend the same head.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, func, insert, select

from matching.records.tables import BlobRow, EventRow

GENESIS = "0" * 64
CHAIN_LOCK = "chain"  # the record_locks row every append locks first


class EventKind(StrEnum):
    """What an event says happened."""

    DECISION = "decision"  # a panel recorded for a dispute
    WITHDRAWAL = "withdrawal"  # a recorded panel withdrawn, with the reason
    MIGRATED = "migrated"  # a decision recorded before the log existed, copied into it on upgrade
    USER = "user"  # a user added, disabled or given another role


def canonical(value: Any) -> bytes:
    """One byte string per JSON value: sorted keys, no spaces, UTF-8 (floats as Python writes them)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def event_hash(seq: int, at: str, actor: str, kind: str, payload: Mapping[str, Any], prev_hash: str) -> str:
    """The hash of one event; it covers the previous event's hash, which is what chains them."""
    body = {"seq": seq, "at": at, "actor": actor, "kind": kind, "payload": payload, "prev_hash": prev_hash}
    return hashlib.sha256(canonical(body)).hexdigest()


@dataclass(frozen=True)
class Event:
    """One event as stored (``payload`` already parsed)."""

    seq: int
    at: str
    actor: str
    kind: str
    payload: dict[str, Any]
    prev_hash: str
    hash: str

    def expected_hash(self) -> str:
        return event_hash(self.seq, self.at, self.actor, self.kind, self.payload, self.prev_hash)

    def as_line(self) -> dict[str, Any]:
        """The event as one line of the auditor's export."""
        return {
            "seq": self.seq,
            "at": self.at,
            "actor": self.actor,
            "kind": self.kind,
            "payload": self.payload,
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }

    @classmethod
    def from_line(cls, line: Mapping[str, Any]) -> Event:
        return cls(
            seq=int(line["seq"]),
            at=str(line["at"]),
            actor=str(line["actor"]),
            kind=str(line["kind"]),
            payload=dict(line["payload"]),
            prev_hash=str(line["prev_hash"]),
            hash=str(line["hash"]),
        )


def head(conn: Connection) -> tuple[int, str]:
    """The last event's number and hash, or ``(0, GENESIS)`` for an empty log."""
    row = conn.execute(select(EventRow.seq, EventRow.hash).order_by(EventRow.seq.desc()).limit(1)).first()
    return (0, GENESIS) if row is None else (int(row.seq), str(row.hash))


def append(conn: Connection, at: str, actor: str, kind: EventKind, payload: Mapping[str, Any]) -> Event:
    """Add one event after the current head, in the caller's transaction (which must hold the chain lock)."""
    body = json.loads(canonical(payload))  # what is stored is exactly what was hashed
    last, prev = head(conn)
    seq = last + 1
    digest = event_hash(seq, at, actor, kind.value, body, prev)
    conn.execute(
        insert(EventRow).values(
            seq=seq, at=at, actor=actor, kind=kind.value, payload=canonical(body).decode(), prev_hash=prev, hash=digest
        )
    )
    return Event(seq, at, actor, kind.value, body, prev, digest)


def events(conn: Connection) -> Iterator[Event]:
    """Every event in order of ``seq``, parsed; a payload that is not JSON comes back as ``{"unreadable": text}``."""
    for row in conn.execute(select(EventRow).order_by(EventRow.seq)):
        try:
            payload = json.loads(row.payload)
        except ValueError:
            payload = {"unreadable": row.payload}
        if not isinstance(payload, dict):
            payload = {"unreadable": row.payload}
        yield Event(row.seq, row.at, row.actor, row.kind, payload, row.prev_hash, row.hash)


def event_count(conn: Connection) -> int:
    return int(conn.scalar(select(func.count()).select_from(EventRow)) or 0)


def sha256_hex(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def keep_files(conn: Connection, contents: Mapping[str, bytes]) -> None:
    """Store each file's bytes under its SHA-256 unless already kept (the key must be that hash)."""
    wanted = dict(contents)
    for digest, data in wanted.items():
        if sha256_hex(data) != digest:
            raise ValueError(f"the bytes given for {digest[:12]}... do not have that hash")
    if not wanted:
        return
    have = set(conn.scalars(select(BlobRow.sha256).where(BlobRow.sha256.in_(list(wanted)))))
    rows = [{"sha256": d, "size": len(b), "content": b} for d, b in wanted.items() if d not in have]
    if rows:
        conn.execute(insert(BlobRow), rows)


def kept_file(conn: Connection, digest: str) -> bytes | None:
    """The bytes kept under ``digest``, or None; bytes whose hash no longer matches count as missing."""
    content = conn.scalar(select(BlobRow.content).where(BlobRow.sha256 == digest))
    if content is None:
        return None
    data = bytes(content)
    return data if sha256_hex(data) == digest else None
