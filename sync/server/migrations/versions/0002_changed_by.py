"""Which device last wrote a record: pull leaves a device's own writes out of its pages.

``changed_by`` is set by a push (the pushing device) and cleared (NULL) by changes made on the
server (a coordinator's decision, a review assignment), so those reach every device.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("submissions", sa.Column("changed_by", sa.String(length=64), nullable=True))
    op.add_column("reviews", sa.Column("changed_by", sa.String(length=64), nullable=True))


def downgrade() -> None:
    raise NotImplementedError("Qalam's server schema only moves forward.")
