"""Tallies: what the leaderboards and the overview count, kept as the data arrives.

One table (``tables.tallies``), filled here once from everything the server holds by the
same code that keeps it current (:func:`sync.server.quality.tallies.rebuild`); from then on
every write that changes a counted record changes it in the same transaction.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tallies",
        sa.Column("figure", sa.String(length=16), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.String(length=120), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("figure", "day", "project_id", "user_id", "language", "detail"),
    )
    from sync.server.quality import tallies

    tallies.rebuild(op.get_bind())


def downgrade() -> None:
    raise NotImplementedError("Qalam's server schema only moves forward.")
