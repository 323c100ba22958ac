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
    # A blocked contributor's future work is held and past work left out of exports and
    # leaderboards; nothing of theirs is deleted, and unblocking restores it all.
    sa.Column("blocked_at", STAMP),
    sa.Column("blocked_reason", sa.Text),
    # Coordinators and auditors may sign in to the dashboard with a password (hashed).
    sa.Column("password_hash", sa.String(200)),
    sa.CheckConstraint("role IN ('annotator', 'reviewer', 'coordinator', 'auditor')",
                       name="users_role"),
    # The blocked few, found without reading everyone (quality.fields.unblocked).
    sa.Index("users_blocked", "blocked_at"),
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
    # human | templated | translated: work on human-written items is served first.
    sa.Column("origin", sa.String(20), nullable=False, server_default="human"),
    # Whose work the task is about (a re-annotation or review of a peer's item): never
    # served to that user.
    sa.Column("author_id", ID),
    sa.Column("review_of", ID),  # review tasks: the submission to review
    *_record_columns(),
    sa.Index("tasks_by_seq", "server_seq", unique=True),
    sa.Index("tasks_by_language", "language", "server_seq"),
    sa.Index("tasks_for_work", "language", "origin", "created_at"),
    sa.Index("tasks_by_review_of", "review_of"),
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
    # Edits (re-annotations, post-edits): Levenshtein distance of the prompt and completion
    # to what the edit started from, measured by the server against its own task when the
    # item is pushed (acceptance and leaderboards use these, never a device's own claim).
    sa.Column("prompt_distance", sa.Integer),
    sa.Column("completion_distance", sa.Integer),
    # The order the server received items in (1, 2, 3, …; never changes): the dashboard's
    # item list pages by it, and SQLite's full-text index is keyed by it. Filled by the
    # database itself (a trigger on SQLite, a sequence on PostgreSQL; migration 0011).
    sa.Column("arrival", sa.BigInteger),
    *_record_columns(),
    sa.Index("submissions_by_seq", "server_seq", unique=True),
    sa.Index("submissions_by_author", "author_id", "server_seq"),
    sa.Index("submissions_by_language", "language", "state", "server_seq"),
    sa.Index("submissions_by_arrival", "arrival", unique=True),
    sa.Index("submissions_items_by_project", "project_id", "arrival"),
    sa.Index("submissions_items_by_language", "language", "arrival"),
    sa.Index("submissions_items_by_author", "author_id", "arrival"),
    # The date filter's pages of keys come from the index alone (migration 0013).
    sa.Index("submissions_items_by_day", "created_at", "arrival", "deleted", "state",
             "project_id"),
)

# The full-text index of submitted items' text (the prompt and the completion), kept by the
# database as items arrive and change (migration 0011): on SQLite an FTS5 table with the
# trigram tokenizer, keyed by ``submissions.arrival``; on PostgreSQL a GIN index of character
# trigrams over an expression (no table). Both find a word in any script, spaces or none.
SEARCH_TABLE = "submission_text"
SEARCH_INDEX = "submissions_text_grams"


def is_search_object(name: str | None) -> bool:
    """The full-text table (and FTS5's shadow tables) or index, which the migration makes and
    this module does not describe: they are not SQLAlchemy tables or plain indexes."""
    return bool(name) and (name in (SEARCH_TABLE, SEARCH_INDEX)
                          or name.startswith(SEARCH_TABLE + "_"))

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
# decisions.assign_review() adds one and re-sequences the submission so the reviewer pulls it).
review_assignments = sa.Table(
    "review_assignments", metadata,
    sa.Column("submission_id", ID, sa.ForeignKey("submissions.id"), nullable=False),
    sa.Column("user_id", ID, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("created_at", STAMP, nullable=False),
    sa.PrimaryKeyConstraint("submission_id", "user_id", name="review_assignments_pk"),
    sa.Index("review_assignments_by_user", "user_id"),
)

# Work handed to a user (through one of their devices) until ``expires_at``. A task is served
# to at most the project's ``audits_per_item`` users whose lease is live or done; an expired,
# unfinished lease frees its place, and a late result still counts (``done_at`` is set
# whenever the user's submission or review arrives).
task_leases = sa.Table(
    "task_leases", metadata,
    sa.Column("task_id", ID, sa.ForeignKey("tasks.id"), nullable=False),
    sa.Column("user_id", ID, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("device_id", ID, nullable=False),
    sa.Column("leased_at", STAMP, nullable=False),
    sa.Column("expires_at", STAMP, nullable=False),
    sa.Column("done_at", STAMP),
    sa.PrimaryKeyConstraint("task_id", "user_id", name="task_leases_pk"),
    sa.Index("task_leases_by_user", "user_id", "done_at"),
)

# What annotators chose to tell about themselves (every field optional), for the dataset's
# demographics table.
profiles = sa.Table(
    "profiles", metadata,
    sa.Column("user_id", ID, sa.ForeignKey("users.id"), primary_key=True),
    sa.Column("age_range", sa.String(20)),
    sa.Column("gender", sa.String(50)),
    sa.Column("country", sa.String(2)),  # ISO 3166-1 alpha-2
    sa.Column("languages", sa.Text, nullable=False, server_default="[]"),  # JSON list
    sa.Column("dialects", sa.Text, nullable=False, server_default="[]"),   # JSON list
    sa.Column("updated_at", STAMP, nullable=False),
)

# Independent quality audits: a stratified random sample per language, rated blind by
# designated auditors.
audit_samples = sa.Table(
    "audit_samples", metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("project_id", ID),
    sa.Column("per_language", sa.Integer, nullable=False),
    sa.Column("seed", sa.BigInteger, nullable=False),
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.Column("created_at", STAMP, nullable=False),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
)

audit_items = sa.Table(
    "audit_items", metadata,
    sa.Column("sample_id", ID, sa.ForeignKey("audit_samples.id"), nullable=False),
    sa.Column("submission_id", ID, sa.ForeignKey("submissions.id"), nullable=False),
    sa.Column("auditor_id", ID, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("language", sa.String(32), nullable=False),
    sa.Column("rating", sa.Integer),         # 1–5, NULL until audited
    sa.Column("acceptable", sa.Boolean),     # the auditor's yes/no, NULL until audited
    sa.Column("comment", sa.Text, nullable=False, server_default=""),
    sa.Column("done_at", STAMP),
    sa.PrimaryKeyConstraint("sample_id", "submission_id", "auditor_id", name="audit_items_pk"),
    sa.Index("audit_items_by_auditor", "auditor_id", "done_at"),
)

# A coordinator's flags on items, newest last: ``flag`` holds an item as a reviewer's flag
# does; ``unflag`` dismisses every flag on it until then (reviewers' included: a later flag
# counts again). Kept whole, so the item's page shows who did what when.
item_flags = sa.Table(
    "item_flags", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("submission_id", ID, sa.ForeignKey("submissions.id"), nullable=False),
    sa.Column("action", sa.String(10), nullable=False),
    sa.Column("flag", sa.String(20)),                 # flag: one of app.kinds.REVIEW_FLAGS
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    sa.Column("by_id", ID, nullable=False),
    sa.Column("by_name", sa.String(200), nullable=False),
    sa.Column("at", STAMP, nullable=False),
    sa.CheckConstraint("action IN ('flag', 'unflag')", name="item_flags_action"),
    sa.Index("item_flags_by_submission", "submission_id", "id"),
)

# Dashboard sign-ins: only a hash of the cookie's token is kept, like device tokens.
web_sessions = sa.Table(
    "web_sessions", metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("user_id", ID, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("csrf", sa.String(64), nullable=False),
    sa.Column("language", sa.String(32), nullable=False, server_default="en"),
    sa.Column("created_at", STAMP, nullable=False),
    sa.Column("expires_at", STAMP, nullable=False),
    # The device whose token signed in (None for a password): revoking it ends the session.
    sa.Column("device_id", ID),
    sa.Index("web_sessions_device", "device_id"),
)

# Long imports and exports started from the dashboard: what to do, who runs it and how far
# it got live here, not in a process, so any server process can take a job and report it.
jobs = sa.Table(
    "jobs", metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("kind", sa.String(20), nullable=False),   # import | export
    sa.Column("state", sa.String(20), nullable=False),  # queued | running | done | failed
    sa.Column("done", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("total", sa.BigInteger),
    sa.Column("message", sa.Text, nullable=False, server_default=""),
    sa.Column("result", sa.Text),                       # JSON: counts, file names
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.Column("created_at", STAMP, nullable=False),
    sa.Column("updated_at", STAMP, nullable=False),
    sa.Column("params", sa.Text),                       # JSON: what the job was asked to do
    sa.Column("claimed_by", sa.String(200)),            # host:pid of the process running it
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),  # times taken
    sa.Index("jobs_state", "state", "created_at"),
)

# Files the server keeps for jobs (uploaded task files, export archives), in the database so
# that server processes on different machines share nothing but it. A file is a row here
# and its bytes in chunks of at most web/files.CHUNK; ``complete`` once every chunk is in.
stored_files = sa.Table(
    "stored_files", metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("purpose", sa.String(20), nullable=False),  # upload | export
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("complete", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_at", STAMP, nullable=False),
)

file_chunks = sa.Table(
    "file_chunks", metadata,
    sa.Column("file_id", ID, sa.ForeignKey("stored_files.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("n", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("data", sa.LargeBinary, nullable=False),
)

# Small JSON values about whole-dataset figures, by key: what the tallies were counted under
# (:mod:`sync.server.quality.tallies`, key 'tallies:state').
figures = sa.Table(
    "figures", metadata,
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),      # JSON
    sa.Column("computed_at", STAMP, nullable=False),
)

# What the leaderboards and the overview count, kept as the data arrives
# (:mod:`sync.server.quality.tallies`): how many of each kind of fact, per figure, project,
# user, language, UTC day ('' for all time) and a figure's own ``detail``; every write that
# changes a counted record changes these rows in the same transaction.
# Its key is in the order boards read it (a figure's all-time or recent days, summed per user
# and language across projects); on SQLite the rows are stored in that order (WITHOUT ROWID).
tallies = sa.Table(
    "tallies", metadata,
    sa.Column("figure", sa.String(16), nullable=False),
    sa.Column("day", sa.String(10), nullable=False),
    sa.Column("project_id", ID, nullable=False),
    sa.Column("user_id", ID, nullable=False),
    sa.Column("language", sa.String(64), nullable=False),
    sa.Column("detail", sa.String(120), nullable=False),
    sa.Column("n", sa.BigInteger, nullable=False),
    sa.PrimaryKeyConstraint("figure", "day", "user_id", "language", "project_id", "detail",
                            name="tallies_pkey"),
    sqlite_with_rowid=False,
)

# Feedback on an item, addressed to its author: a coordinator's comment, a reviewer's reason
# (``kind`` 'review', one per review, kept in step with it), and the author's one reply to a
# thread (``reply_to`` the thread's first comment; unique, so a second reply cannot exist).
# Pulled by the item's author only (``recipient_id``); a device pushes only replies.
comments = sa.Table(
    "comments", metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("submission_id", ID, sa.ForeignKey("submissions.id"), nullable=False),
    sa.Column("project_id", ID),
    sa.Column("author_id", ID, sa.ForeignKey("users.id"), nullable=False),  # who wrote it
    sa.Column("recipient_id", ID, sa.ForeignKey("users.id"), nullable=False),  # who pulls it
    sa.Column("kind", sa.String(20), nullable=False),  # comment | review | reply
    sa.Column("reply_to", ID, unique=True),
    sa.Column("review_id", ID, unique=True),
    sa.Column("device_id", ID),   # the device that pushed it (a reply); NULL: the dashboard
    sa.Column("changed_by", ID),  # as submissions.changed_by
    *_record_columns(),
    sa.CheckConstraint("kind IN ('comment', 'review', 'reply')", name="comments_kind"),
    sa.Index("comments_by_seq", "server_seq", unique=True),
    sa.Index("comments_by_submission", "submission_id", "created_at"),
    sa.Index("comments_by_recipient", "recipient_id", "server_seq"),
)

# Every decision on an item, with the text it was made on: a rejected item revised and
# submitted again keeps the rejection (and what was rejected) here.
decisions = sa.Table(
    "decisions", metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("submission_id", ID, sa.ForeignKey("submissions.id"), nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),  # the item's revision decided on
    sa.Column("state", sa.String(20), nullable=False),  # accepted | rejected
    sa.Column("reason", sa.Text, nullable=False, server_default=""),
    sa.Column("inputs", sa.Text, nullable=False, server_default=""),
    sa.Column("targets", sa.Text, nullable=False, server_default=""),
    sa.Column("decided_by", sa.String(200), nullable=False, server_default=""),
    sa.Column("decided_at", STAMP, nullable=False),
    sa.Index("decisions_by_submission", "submission_id", "decided_at"),
)

# Who coordinates which project. A project with nobody named here is open to every
# coordinator (as before projects had coordinators); once one is named, only they act on its
# items.
project_coordinators = sa.Table(
    "project_coordinators", metadata,
    sa.Column("project_id", ID, sa.ForeignKey("projects.id"), nullable=False),
    sa.Column("user_id", ID, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("created_at", STAMP, nullable=False),
    sa.PrimaryKeyConstraint("project_id", "user_id", name="project_coordinators_pk"),
)

# What coordinators did, when and from where, written in the same transaction as the action
# (sync.server.quality.auditlog): minted codes, decisions, relabels, blocks, revocations,
# imports, exports, settings, comments.
audit_log = sa.Table(
    "audit_log", metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True,
              autoincrement=True),
    sa.Column("at", STAMP, nullable=False),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),  # a person's name, or "cli:<user>"
    sa.Column("address", sa.String(64), nullable=False, server_default=""),
    sa.Column("subject", sa.String(200), nullable=False, server_default=""),
    sa.Column("project_id", ID),
    sa.Column("detail", sa.Text, nullable=False, server_default="{}"),  # JSON
    sa.Index("audit_log_by_action", "action", "id"),
    sa.Index("audit_log_by_actor", "actor", "id"),
)

# Fixed-window counters (e.g. failed enrollment attempts per client address).
rate_limits = sa.Table(
    "rate_limits", metadata,
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("window_start", sa.BigInteger, nullable=False),  # Unix seconds
    sa.Column("count", sa.Integer, nullable=False),
    sa.Index("rate_limits_window_start", "window_start"),
)

# A project's translation memory, per language pair (registry codes): TMX imports and the
# project's accepted post-edits (``origin``). Devices pull the units of their languages.
tm_units = sa.Table(
    "tm_units", metadata,
    sa.Column("id", ID, primary_key=True),  # a hash of project, languages, source, target
    sa.Column("project_id", ID, nullable=False),
    sa.Column("source_language", sa.String(32), nullable=False),
    sa.Column("target_language", sa.String(32), nullable=False),
    sa.Column("origin", sa.String(20), nullable=False),  # tmx | postedit
    *_record_columns(),
    sa.Index("tm_units_by_seq", "server_seq", unique=True),
    sa.Index("tm_units_by_language", "target_language", "server_seq"),
    sa.Index("tm_units_by_project", "project_id", "origin"),
)

# A project's glossary, per language pair: TBX or CSV imports.
glossary_terms = sa.Table(
    "glossary_terms", metadata,
    sa.Column("id", ID, primary_key=True),  # a hash of project, languages and both terms
    sa.Column("project_id", ID, nullable=False),
    sa.Column("source_language", sa.String(32), nullable=False),
    sa.Column("target_language", sa.String(32), nullable=False),
    *_record_columns(),
    sa.Index("glossary_terms_by_seq", "server_seq", unique=True),
    sa.Index("glossary_terms_by_language", "target_language", "server_seq"),
    sa.Index("glossary_terms_by_project", "project_id"),
)

# Translations of the interface by its users (issue 16). Every suggestion is kept, whatever
# became of it; ``payload`` is what devices pull: the pushed record with the server's
# ``status`` and a tally of the ``votes``. ``changed_by`` as on submissions.
ui_translations = sa.Table(
    "ui_translations", metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("author_id", ID, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("device_id", ID, nullable=False),  # "server" for an imported .po
    sa.Column("language", sa.String(32), nullable=False),
    sa.Column("context", sa.Text),
    sa.Column("msgid", sa.Text, nullable=False),
    sa.Column("status", sa.String(20), nullable=False, server_default="pending"),
    # Changes of the text by its author (``revision`` also counts the server's changes):
    # votes count on the text they were given on.
    sa.Column("text_revision", sa.Integer, nullable=False, server_default="1"),
    sa.Column("decided_by", ID),                 # a coordinator who decided it outright
    sa.Column("decided_at", STAMP),              # when it was accepted or rejected
    sa.Column("changed_by", ID),
    *_record_columns(),
    sa.CheckConstraint("status IN ('pending', 'accepted', 'rejected', 'disputed', "
                       "'superseded')", name="ui_translations_status"),
    sa.Index("ui_translations_by_seq", "server_seq", unique=True),
    sa.Index("ui_translations_by_language", "language", "status"),
    sa.Index("ui_translations_by_author", "author_id"),
)

# Every verdict on a suggestion, kept: one row per voter and suggestion (a new verdict
# replaces the voter's earlier one), with the suggestion's revision it was given on.
ui_votes = sa.Table(
    "ui_votes", metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("translation_id", ID, sa.ForeignKey("ui_translations.id"), nullable=False),
    sa.Column("author_id", ID, sa.ForeignKey("users.id"), nullable=False),  # the voter
    sa.Column("device_id", ID, nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),  # the text_revision voted on
    sa.Column("verdict", sa.String(10), nullable=False),
    sa.Column("reason", sa.Text, nullable=False, server_default=""),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("created_at", STAMP, nullable=False),
    sa.Column("updated_at", STAMP, nullable=False),
    sa.CheckConstraint("verdict IN ('accept', 'reject')", name="ui_votes_verdict"),
    sa.UniqueConstraint("translation_id", "author_id", name="ui_votes_once"),
    sa.Index("ui_votes_by_author", "author_id"),
)

# The catalog compiled from a language's accepted translations, one per language: what
# devices pull to speak it.
ui_catalogs = sa.Table(
    "ui_catalogs", metadata,
    sa.Column("id", ID, primary_key=True),       # "ui-catalog-<language>"
    sa.Column("language", sa.String(32), nullable=False, unique=True),
    *_record_columns(),
    sa.Index("ui_catalogs_by_seq", "server_seq", unique=True),
)

RECORD_TABLES = {"project": projects, "task": tasks, "submission": submissions,
                 "review": reviews, "comment": comments, "tm_unit": tm_units,
                 "term": glossary_terms, "ui_translation": ui_translations,
                 "ui_catalog": ui_catalogs}
MEMORY_TABLES = {"tm_unit": tm_units, "term": glossary_terms}
