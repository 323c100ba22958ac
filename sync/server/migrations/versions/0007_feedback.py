"""Feedback on items (comments), the history of decisions, who coordinates which project,
and the audit log of what coordinators did.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

ID = sa.String(64)
STAMP = sa.String(32)


def upgrade() -> None:
    op.create_table(
        "comments",
        sa.Column("id", ID, primary_key=True),
        sa.Column("submission_id", ID, sa.ForeignKey("submissions.id"), nullable=False),
        sa.Column("project_id", ID),
        sa.Column("author_id", ID, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("recipient_id", ID, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("reply_to", ID, unique=True),
        sa.Column("review_id", ID, unique=True),
        sa.Column("device_id", ID),
        sa.Column("changed_by", ID),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("server_seq", sa.BigInteger, nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("updated_at", STAMP, nullable=False),
        sa.CheckConstraint("kind IN ('comment', 'review', 'reply')", name="comments_kind"),
    )
    op.create_index("comments_by_seq", "comments", ["server_seq"], unique=True)
    op.create_index("comments_by_submission", "comments", ["submission_id", "created_at"])
    op.create_index("comments_by_recipient", "comments", ["recipient_id", "server_seq"])
    op.create_table(
        "decisions",
        sa.Column("id", ID, primary_key=True),
        sa.Column("submission_id", ID, sa.ForeignKey("submissions.id"), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.Column("inputs", sa.Text, nullable=False, server_default=""),
        sa.Column("targets", sa.Text, nullable=False, server_default=""),
        sa.Column("decided_by", sa.String(200), nullable=False, server_default=""),
        sa.Column("decided_at", STAMP, nullable=False),
    )
    op.create_index("decisions_by_submission", "decisions", ["submission_id", "decided_at"])
    op.create_table(
        "project_coordinators",
        sa.Column("project_id", ID, sa.ForeignKey("projects.id"), nullable=False),
        sa.Column("user_id", ID, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", STAMP, nullable=False),
        sa.PrimaryKeyConstraint("project_id", "user_id", name="project_coordinators_pk"),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True,
                  autoincrement=True),
        sa.Column("at", STAMP, nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("address", sa.String(64), nullable=False, server_default=""),
        sa.Column("subject", sa.String(200), nullable=False, server_default=""),
        sa.Column("project_id", ID),
        sa.Column("detail", sa.Text, nullable=False, server_default="{}"),
    )
    op.create_index("audit_log_by_action", "audit_log", ["action", "id"])
    op.create_index("audit_log_by_actor", "audit_log", ["actor", "id"])


def downgrade() -> None:
    raise NotImplementedError("Qalam's server schema only moves forward.")
