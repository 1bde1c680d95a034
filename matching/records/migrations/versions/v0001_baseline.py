"""0001, the baseline: the three tables the store created itself as of commit b918d2c.

``decisions`` (one row per recorded panel), ``seats`` (its members, chair at position 0) and
``record_locks`` (one row per mediator and dispute, locked ``FOR UPDATE`` while recording), with the
same columns, types, nullability, keys and indexes as ``Base.metadata.create_all`` made them then.
A database made by that code has these tables but no ``alembic_version``:
``matching.records.schema.upgrade`` stamps it at this revision instead of running it.

Frozen history: the tables are spelled out here, never imported from ``matching.records.tables``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), nullable=False, autoincrement=True),
        sa.Column("dispute_id", sa.String(100), nullable=False),
        sa.Column("dispute_title", sa.Text(), nullable=False),
        sa.Column("parties", sa.Text(), nullable=False),
        sa.Column("rule_set", sa.String(200), nullable=False),
        sa.Column("nationality_rule", sa.String(20), nullable=False),
        sa.Column("weights", sa.Text(), nullable=False),
        sa.Column("scores", sa.Text(), nullable=False),
        sa.Column("objective", sa.Float(), nullable=True),
        sa.Column("candidate_rank", sa.Integer(), nullable=True),
        sa.Column("locks", sa.Text(), nullable=False),
        sa.Column("inputs_sha256", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("recorded_at", sa.String(40), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("withdrawn_at", sa.String(40), nullable=True),
        sa.Column("withdrawn_by", sa.String(200), nullable=True),
        sa.Column("withdrawal_note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_decisions_dispute_id", "decisions", ["dispute_id"])
    op.create_table(
        "record_locks",
        sa.Column("key", sa.String(120), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "seats",
        sa.Column("id", sa.Integer(), nullable=False, autoincrement=True),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("mediator_id", sa.String(100), nullable=False),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("nationalities", sa.Text(), nullable=False),
        sa.Column("un_group", sa.String(40), nullable=False),
        sa.Column("legal_traditions", sa.Text(), nullable=False),
        sa.Column("gender", sa.String(1), nullable=True),
        sa.ForeignKeyConstraint(["decision_id"], ["decisions.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_seats_decision_id", "seats", ["decision_id"])
    op.create_index("ix_seats_mediator_id", "seats", ["mediator_id"])


def downgrade() -> None:
    op.drop_index("ix_seats_mediator_id", table_name="seats")
    op.drop_index("ix_seats_decision_id", table_name="seats")
    op.drop_table("seats")
    op.drop_table("record_locks")
    op.drop_index("ix_decisions_dispute_id", table_name="decisions")
    op.drop_table("decisions")
