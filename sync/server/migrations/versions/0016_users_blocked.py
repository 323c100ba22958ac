"""An index of when users were blocked: every figure leaves out "the blocked" (a handful of
ids), which was a read of every user per query, many per push with thousands of users.

Revision ID: 0016
Revises: 0015
"""

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("users_blocked", "users", ["blocked_at"])


def downgrade() -> None:
    raise NotImplementedError("Qalam's server schema only moves forward.")
