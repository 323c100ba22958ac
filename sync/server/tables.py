"""The server's schema, as SQLAlchemy Core tables (no ORM).

Alembic migrations in ``migrations/versions/`` create exactly these; a change here is a new
migration there (``tests/server/test_migrations.py`` compares them).

Records that devices pull (``projects``, ``tasks``, ``submissions``, ``reviews``) share one
shape: ``revision`` counts changes to the record; ``server_seq`` is the global change sequence
of its latest change (the pull cursor, see :mod:`sync.server.db`); ``deleted`` marks a
tombstone, never a hole; ``payload`` is the record as devices receive it (canonical JSON).
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

ID = sa.String(64)
STAMP = sa.String(32)  # ISO 8601 UTC, app.clock.utc_now(): sorts as text in time order

server_meta = sa.Table(
    "server_meta", metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

# One row, 'server_seq': the newest change sequence number handed out. Writers lock it.
counters = sa.Table(
    "counters", metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
)

users = sa.Table(
    "users", metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False, unique=True),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("languages", sa.Text, nullable=False),  # JSON list of registry codes
    sa.Column("created_at", STAMP, nullable=False),
    sa.Column("updated_at", STAMP, nullable=False),
    sa.CheckConstraint("role IN ('annotator', 'reviewer', 'coordinator')", name="users_role"),
)

enrollment_codes = sa.Table(
    "enrollment_codes", metadata,
    sa.Column("code_hash", sa.String(64), primary_key=True),  # SHA-256 of the normalized code
    sa.Column("user_id", ID, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("created_at", STAMP, nullable=False),
    sa.Column("expires_at", STAMP, nullable=False),
    sa.Column("used_at", STAMP),
    sa.Column("device_id", ID),
)

devices = sa.Table(
    "devices", metadata,
    sa.Column("id", ID, primary_key=True),  # made on the device
    sa.Column("user_id", ID, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("name", sa.String(200), nullable=False, server_default=""),
    sa.Column("public_key", sa.String(200), nullable=False, server_default=""),
    sa.Column("app_version", sa.String(50), nullable=False, server_default=""),
    sa.Column("enrolled_at", STAMP, nullable=False),
    sa.Column("last_seen", STAMP),
    sa.Column("revoked_at", STAMP),
    sa.Column("high_water", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("pull_cursor", sa.BigInteger, nullable=False, server_default="0"),
)

device_tokens = sa.Table(
    "device_tokens", metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),  # SHA-256 of the token
    sa.Column("device_id", ID, sa.ForeignKey("devices.id"), nullable=False),
    sa.Column("created_at", STAMP, nullable=False),
    sa.Column("revoked_at", STAMP),
)

# Every (device, seq) the server has settled, once: the unique key makes a second apply of
# the same item impossible, whatever the concurrency. Conflicts are not recorded (nothing
# was applied; the same item sent again is judged again).
applied_items = sa.Table(
    "applied_items", metadata,
    sa.Column("device_id", ID, nullable=False),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    sa.Column("entity", sa.String(20), nullable=False),
    sa.Column("record_id", ID, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),  # created | rejected
    sa.Column("revision", sa.Integer),
    sa.Column("reason", sa.Text),
    sa.Column("batch_id", ID, nullable=False),
    sa.Column("applied_at", STAMP, nullable=False),
    sa.PrimaryKeyConstraint("device_id", "seq", name="applied_items_once"),
)


def _record_columns() -> list[sa.Column]:
    return [
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("server_seq", sa.BigInteger, nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("updated_at", STAMP, nullable=False),
    ]


projects = sa.Table(
    "projects", metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    *_record_columns(),
    sa.Index("projects_by_seq", "server_seq", unique=True),
)

tasks = sa.Table(
    "tasks", metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("project_id", ID),
    sa.Column("language", sa.String(32), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    *_record_columns(),
    sa.Index("tasks_by_seq", "server_seq", unique=True),
    sa.Index("tasks_by_language", "language", "server_seq"),
)

submissions = sa.Table(
    "submissions", metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("author_id", ID, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("device_id", ID, nullable=False),  # the device that first pushed it
    sa.Column("language", sa.String(32)),        # NULL only for a tombstone of an unseen draft
    sa.Column("kind", sa.String(20)),
    sa.Column("state", sa.String(20), nullable=False, server_default="draft"),
    sa.Column("task_id", ID),
    sa.Column("project_id", ID),
    # The device whose push made the latest change; NULL after a change made on the server.
    # Pull leaves a device's own writes out (it learned their revisions from the push answer).
    sa.Column("changed_by", ID),
    *_record_columns(),
    sa.Index("submissions_by_seq", "server_seq", unique=True),
    sa.Index("submissions_by_author", "author_id", "server_seq"),
    sa.Index("submissions_by_language", "language", "state", "server_seq"),
)

reviews = sa.Table(
    "reviews", metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("author_id", ID, sa.ForeignKey("users.id"), nullable=False),  # the reviewer
    sa.Column("device_id", ID, nullable=False),
    sa.Column("submission_id", ID),
    sa.Column("changed_by", ID),  # as submissions.changed_by
    *_record_columns(),
    sa.Index("reviews_by_seq", "server_seq", unique=True),
    sa.Index("reviews_by_submission", "submission_id"),
    sa.Index("reviews_by_author", "author_id", "server_seq"),
)

# Who is asked to review which peer submission (filled by a later issue's assignment logic;
# engine.assign_review() adds one and re-sequences the submission so the reviewer pulls it).
review_assignments = sa.Table(
    "review_assignments", metadata,
    sa.Column("submission_id", ID, sa.ForeignKey("submissions.id"), nullable=False),
    sa.Column("user_id", ID, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("created_at", STAMP, nullable=False),
    sa.PrimaryKeyConstraint("submission_id", "user_id", name="review_assignments_pk"),
    sa.Index("review_assignments_by_user", "user_id"),
)

# Fixed-window counters (e.g. failed enrollment attempts per client address).
rate_limits = sa.Table(
    "rate_limits", metadata,
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("window_start", sa.BigInteger, nullable=False),  # Unix seconds
    sa.Column("count", sa.Integer, nullable=False),
)

RECORD_TABLES = {"project": projects, "task": tasks, "submission": submissions,
                 "review": reviews}
