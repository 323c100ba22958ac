"""Figures kept for a minute: whole-dataset counts the dashboard shows.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "figures",
        sa.Column("key", sa.String(length=200), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("computed_at", sa.String(length=32), nullable=False),
    )


def downgrade() -> None:
    raise NotImplementedError("Qalam's server schema only moves forward.")
