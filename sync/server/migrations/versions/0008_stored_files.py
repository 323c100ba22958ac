"""Uploaded task files and export archives are kept in the database (``stored_files``,
``file_chunks``) instead of a local folder, and a job records what it was asked to do and
which process took it, so any server process can run it.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("jobs", sa.Column("params", sa.Text(), nullable=True))
    op.add_column("jobs", sa.Column("claimed_by", sa.String(200), nullable=True))
    op.create_index("jobs_state", "jobs", ["state", "created_at"])
    op.create_table(
        "stored_files",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("purpose", sa.String(20), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("complete", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "file_chunks",
        sa.Column("file_id", sa.String(64),
                  sa.ForeignKey("stored_files.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("n", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        # Zips and Parquet are compressed already: PostgreSQL need not try again (TOAST).
        op.execute("ALTER TABLE file_chunks ALTER COLUMN data SET STORAGE EXTERNAL")


def downgrade() -> None:
    raise NotImplementedError("Qalam's server schema only moves forward.")
