"""The coordinator's side: work leases, blocked contributors, profiles, audits, dashboard.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

ID = sa.String(length=64)
STAMP = sa.String(length=32)


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("blocked_at", STAMP, nullable=True))
        batch.add_column(sa.Column("blocked_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("password_hash", sa.String(length=200), nullable=True))
        batch.drop_constraint("users_role", type_="check")
        batch.create_check_constraint(
            "users_role", "role IN ('annotator', 'reviewer', 'coordinator', 'auditor')")

    op.add_column("tasks", sa.Column("origin", sa.String(length=20), nullable=False,
                                     server_default="human"))
    op.add_column("tasks", sa.Column("author_id", ID, nullable=True))
    op.add_column("tasks", sa.Column("review_of", ID, nullable=True))
    op.create_index("tasks_for_work", "tasks", ["language", "origin", "created_at"])
    op.create_index("tasks_by_review_of", "tasks", ["review_of"])

    op.create_table(
        "task_leases",
        sa.Column("task_id", ID, sa.ForeignKey("tasks.id"), nullable=False),
        sa.Column("user_id", ID, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("device_id", ID, nullable=False),
        sa.Column("leased_at", STAMP, nullable=False),
        sa.Column("expires_at", STAMP, nullable=False),
        sa.Column("done_at", STAMP, nullable=True),
        sa.PrimaryKeyConstraint("task_id", "user_id", name="task_leases_pk"),
    )
    op.create_index("task_leases_by_user", "task_leases", ["user_id", "done_at"])

    op.create_table(
        "profiles",
        sa.Column("user_id", ID, sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("age_range", sa.String(length=20), nullable=True),
        sa.Column("gender", sa.String(length=50), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("languages", sa.Text(), nullable=False, server_default="[]"),
        sa.Column("dialects", sa.Text(), nullable=False, server_default="[]"),
        sa.Column("updated_at", STAMP, nullable=False),
    )

    op.create_table(
        "audit_samples",
        sa.Column("id", ID, primary_key=True),
        sa.Column("project_id", ID, nullable=True),
        sa.Column("per_language", sa.Integer(), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("note", sa.Text(), nullable=False, server_default=""),
    )
    op.create_table(
        "audit_items",
        sa.Column("sample_id", ID, sa.ForeignKey("audit_samples.id"), nullable=False),
        sa.Column("submission_id", ID, sa.ForeignKey("submissions.id"), nullable=False),
        sa.Column("auditor_id", ID, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("language", sa.String(length=32), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("acceptable", sa.Boolean(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False, server_default=""),
        sa.Column("done_at", STAMP, nullable=True),
        sa.PrimaryKeyConstraint("sample_id", "submission_id", "auditor_id",
                                name="audit_items_pk"),
    )
    op.create_index("audit_items_by_auditor", "audit_items", ["auditor_id", "done_at"])

    op.create_table(
        "web_sessions",
        sa.Column("token_hash", sa.String(length=64), primary_key=True),
        sa.Column("user_id", ID, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("csrf", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=32), nullable=False, server_default="en"),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("expires_at", STAMP, nullable=False),
    )

    op.create_table(
        "jobs",
        sa.Column("id", ID, primary_key=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("done", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("total", sa.BigInteger(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False, server_default=""),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("updated_at", STAMP, nullable=False),
    )


def downgrade() -> None:
    raise NotImplementedError("Qalam's server schema only moves forward.")
