"""The decisions database's schema, moved forward by the alembic migrations in ``migrations/``.

``upgrade(engine)`` brings any database to the newest revision (``head_revision()``):

- a brand-new (empty) database gets every revision from the first;
- a database made by the store before migrations existed (it has ``decisions`` but no
  ``alembic_version``) is stamped ``0001``, the baseline that describes exactly those tables, and
  then upgraded, so its decisions are copied into the log by ``0002``;
- a database already at the newest revision is only read (no lock is taken);
- a database at a revision this program does not know (made by a newer version) is refused.

The migrations are hand-written and run on the caller's engine through a connection passed to
alembic's ``env.py`` as ``config.attributes["connection"]``: no alembic.ini, nothing generated at
run time. Everything from reading the current revision to the last migration happens in one
transaction that holds a lock no other process can share, so two programs opening the same new
database at once migrate it once: on SQLite that transaction starts with ``BEGIN IMMEDIATE`` (one
writer at a time; see ``configure_sqlite``), on PostgreSQL it takes
``pg_advisory_xact_lock(MIGRATION_LOCK)`` first (DDL there is transactional, so a failed migration
leaves nothing behind). Whoever comes second finds the database up to date. A step that still
trips over a concurrent one ("already exists", "database is locked") is retried a few times.
Within one process the migrations are serialised as well, since alembic's ``op`` and ``context``
are process-wide.
"""

from __future__ import annotations

import functools
import threading
import time
import weakref
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, event, inspect, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from matching.records.errors import StoreError

MIGRATIONS = Path(__file__).resolve().with_name("migrations")
BASELINE = "0001"  # the tables the store made itself before migrations existed (commit b918d2c)
BUSY_TIMEOUT = 30.0  # seconds a SQLite writer waits for another one before giving up
MIGRATION_LOCK = 0x6D6D_6564_6961_7465  # pg_advisory_xact_lock key every process migrating the database takes
ATTEMPTS = 5  # tries when a step trips over another process's concurrent one
_RACES = ("already exists", "duplicate", "locked", "busy", "deadlock", "could not serialize")

_migrating = threading.Lock()  # alembic's op/context proxies are process-wide: one migration at a time
_configured: weakref.WeakSet[Engine] = weakref.WeakSet()


class MigrationError(StoreError):
    """The database could not be brought to the newest schema; the message says why in plain words."""

    code = "schema"


# --- alembic's configuration, in code ------------------------------------------------------


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration: ``script_location`` is the ``migrations`` package folder, and
    ``connection`` (when given) is what ``env.py`` runs the migrations on."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    config.set_main_option("path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@functools.cache
def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    """The newest revision the migrations know (the one ``upgrade`` brings a database to)."""
    head = _scripts().get_current_head()
    if head is None:  # pragma: no cover - the package ships its revisions
        raise MigrationError(f"No migrations found in {MIGRATIONS}.")
    return head


def current_revision(conn: Connection) -> str | None:
    """The revision recorded in the database's ``alembic_version``, or None (new, or made before migrations)."""
    return MigrationContext.configure(conn).get_current_revision()


# --- SQLite: the engine emits BEGIN itself ---------------------------------------------------


def configure_sqlite(engine: Engine, busy_timeout: float = BUSY_TIMEOUT) -> None:
    """Let SQLAlchemy emit BEGIN itself on this SQLite engine, so that a transaction opened on a
    connection with the execution option ``write=True`` starts with ``BEGIN IMMEDIATE`` (the write
    lock at once, not at the first write), and DDL runs inside transactions. Also: foreign keys on,
    ``busy_timeout``, WAL (readers never wait for a writer). Idempotent."""
    if engine in _configured:
        return
    _configured.add(engine)

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # the driver emits no BEGIN of its own
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get("write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


# --- upgrading -------------------------------------------------------------------------------


def _location(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        found = str(exc.orig)
    else:
        found = str(exc)
    found = found.strip().splitlines()[0] if found.strip() else type(exc).__name__
    if "locked" in found or "busy" in found:
        return f"the database is busy (another program is writing to it; {found}). Please try again"
    return found


def _is_race(exc: BaseException) -> bool:
    found = str(exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc).lower()
    return any(word in found for word in _RACES)


def _migrate(conn: Connection, location: str) -> None:
    """In the caller's transaction, which holds the migration lock: from wherever the database is to head."""
    head = head_revision()
    current = current_revision(conn)
    if current == head:
        return  # another process did it while this one waited for the lock
    if current is not None and current not in {script.revision for script in _scripts().walk_revisions()}:
        raise MigrationError(
            f"The decisions database at {location} is at schema revision {current!r}, which this version of "
            f"the program does not know (it knows revisions up to {head!r}): it was probably upgraded by a newer "
            "version. Use that version, or a copy of the database from before."
        )
    config = alembic_config(conn)
    if current is None and inspect(conn).has_table("decisions"):
        command.stamp(config, BASELINE)  # made by the store before migrations: it has exactly 0001's tables
    command.upgrade(config, "head")


def _upgrade_once(engine: Engine, location: str) -> None:
    with engine.connect() as conn:
        head = head_revision()
        if current_revision(conn) == head:
            return
        conn.rollback()
        with _migrating:
            if engine.dialect.name == "sqlite":
                conn.execution_options(write=True)  # BEGIN IMMEDIATE: the one writer until commit
            with conn.begin():
                if engine.dialect.name == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
                _migrate(conn, location)


def upgrade(engine: Engine) -> None:
    """Bring the database behind ``engine`` to ``head_revision()`` (see the module docstring).

    Raises ``MigrationError`` with a plain message when that cannot be done."""
    location = _location(engine)
    if engine.dialect.name == "sqlite":
        configure_sqlite(engine)
    for attempt in range(1, ATTEMPTS + 1):
        try:
            _upgrade_once(engine, location)
            return
        except MigrationError:
            raise
        except (SQLAlchemyError, CommandError, OSError, ValueError, RuntimeError) as exc:
            if attempt < ATTEMPTS and _is_race(exc):
                time.sleep(0.05 * attempt)
                continue
            raise MigrationError(
                f"Could not open the decisions database at {location} and bring it up to date "
                f"(schema revision {head_revision()}): {_reason(exc)}."
            ) from None
