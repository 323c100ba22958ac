"""Translations of the interface by its users: every suggestion, every vote, and the catalog
compiled per language (issue 16).

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
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
        "ui_translations",
        sa.Column("id", ID, primary_key=True),
        sa.Column("author_id", ID, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("device_id", ID, nullable=False),
        sa.Column("language", sa.String(32), nullable=False),
        sa.Column("context", sa.Text),
        sa.Column("msgid", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False, server_default="pending"),
        sa.Column("text_revision", sa.Integer, nullable=False, server_default="1"),
        sa.Column("decided_by", ID),
        sa.Column("decided_at", STAMP),
        sa.Column("changed_by", ID),
        *_record_columns(),
        sa.CheckConstraint("status IN ('pending', 'accepted', 'rejected', 'disputed', "
                           "'superseded')", name="ui_translations_status"),
    )
    op.create_index("ui_translations_by_seq", "ui_translations", ["server_seq"], unique=True)
    op.create_index("ui_translations_by_language", "ui_translations", ["language", "status"])
    op.create_index("ui_translations_by_author", "ui_translations", ["author_id"])
    op.create_table(
        "ui_votes",
        sa.Column("id", ID, primary_key=True),
        sa.Column("translation_id", ID, sa.ForeignKey("ui_translations.id"), nullable=False),
        sa.Column("author_id", ID, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("device_id", ID, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("verdict", sa.String(10), nullable=False),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("updated_at", STAMP, nullable=False),
        sa.CheckConstraint("verdict IN ('accept', 'reject')", name="ui_votes_verdict"),
        sa.UniqueConstraint("translation_id", "author_id", name="ui_votes_once"),
    )
    op.create_index("ui_votes_by_author", "ui_votes", ["author_id"])
    op.create_table(
        "ui_catalogs",
        sa.Column("id", ID, primary_key=True),
        sa.Column("language", sa.String(32), nullable=False, unique=True),
        *_record_columns(),
    )
    op.create_index("ui_catalogs_by_seq", "ui_catalogs", ["server_seq"], unique=True)


def downgrade() -> None:
    raise NotImplementedError("Qalam's server schema only moves forward.")
