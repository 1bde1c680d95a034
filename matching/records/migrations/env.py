"""Alembic's environment for the decisions database: run the migrations on the connection given.

There is no alembic.ini and no engine made here: ``matching.records.schema`` builds the alembic
``Config`` in code (``script_location`` = this folder) and passes an open SQLAlchemy connection,
already inside the transaction that holds the migration lock, as ``config.attributes["connection"]``.
The migrations therefore run in that transaction and commit with it. Offline (``--sql``) mode is
not supported: the revisions read and write rows (0002 copies the decisions into the log).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection


def run_migrations() -> None:
    if context.is_offline_mode():
        raise RuntimeError("The decisions database's migrations run only on a live connection (no --sql mode).")
    connection = context.config.attributes.get("connection")
    if not isinstance(connection, Connection):
        raise RuntimeError(
            'Pass an open SQLAlchemy connection as config.attributes["connection"] (see matching.records.schema).'
        )
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
