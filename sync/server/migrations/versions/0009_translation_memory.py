"""Translation memory units and glossary terms, per project and language pair, pulled by
the devices of those languages.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

ID = sa.String(64)
STAMP = sa.String(32)


def _record_columns() -> list[sa.Column]:
    return [
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("server_seq", sa.BigInteger, nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("updated_at", STAMP, nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "tm_units",
        sa.Column("id", ID, primary_key=True),
        sa.Column("project_id", ID, nullable=False),
        sa.Column("source_language", sa.String(32), nullable=False),
        sa.Column("target_language", sa.String(32), nullable=False),
        sa.Column("origin", sa.String(20), nullable=False),
        *_record_columns(),
    )
    op.create_index("tm_units_by_seq", "tm_units", ["server_seq"], unique=True)
    op.create_index("tm_units_by_language", "tm_units", ["target_language", "server_seq"])
    op.create_index("tm_units_by_project", "tm_units", ["project_id", "origin"])
    op.create_table(
        "glossary_terms",
        sa.Column("id", ID, primary_key=True),
        sa.Column("project_id", ID, nullable=False),
        sa.Column("source_language", sa.String(32), nullable=False),
        sa.Column("target_language", sa.String(32), nullable=False),
        *_record_columns(),
    )
    op.create_index("glossary_terms_by_seq", "glossary_terms", ["server_seq"], unique=True)
    op.create_index("glossary_terms_by_language", "glossary_terms",
                    ["target_language", "server_seq"])
    op.create_index("glossary_terms_by_project", "glossary_terms", ["project_id"])


def downgrade() -> None:
    raise NotImplementedError("Qalam's server schema only moves forward.")
