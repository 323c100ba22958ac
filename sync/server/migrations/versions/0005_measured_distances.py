"""Edit distances measured by the server when an edit is pushed.

Rows pushed before this keep NULL: acceptance measures them when it reads them, and
leaderboards fall back to the distances their record carries.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("submissions", sa.Column("prompt_distance", sa.Integer(), nullable=True))
    op.add_column("submissions", sa.Column("completion_distance", sa.Integer(), nullable=True))


def downgrade() -> None:
    raise NotImplementedError("Qalam's server schema only moves forward.")
