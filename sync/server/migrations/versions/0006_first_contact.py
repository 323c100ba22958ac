"""Dashboard sessions remember the device whose token opened them (revoking the device ends
them), and rate-limit counters can be pruned by age.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("web_sessions", sa.Column("device_id", sa.String(64), nullable=True))
    op.create_index("web_sessions_device", "web_sessions", ["device_id"])
    op.create_index("rate_limits_window_start", "rate_limits", ["window_start"])


def downgrade() -> None:
    raise NotImplementedError("Qalam's server schema only moves forward.")
