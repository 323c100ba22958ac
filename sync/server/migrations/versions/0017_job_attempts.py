"""How many times a job was taken: a job whose process died is queued again for another
process, a bounded number of times (a file that kills every process that reads it must not
go round the servers for ever).

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("attempts", sa.Integer, nullable=False, server_default="0"))


def downgrade() -> None:
    raise NotImplementedError("Qalam's server schema only moves forward.")
