"""The dashboard's item list: the order items arrived in, a full-text index of their text kept
by the database itself, and coordinators' flags.

* ``submissions.arrival``: 1, 2, 3, … in the order the server received items. SQLite fills it
  from the row id (existing rows too) in the insert trigger below; PostgreSQL from the
  sequence ``submissions_arrival`` (existing rows numbered by ``created_at``).
* Full text, any script (Thai, Chinese and Japanese have no spaces between words, so word
  tokenizers do not do): SQLite gets an FTS5 table with the trigram tokenizer, keyed by
  ``arrival``, kept current by triggers on ``submissions``; PostgreSQL a partial GIN index of
  the character trigrams of an expression (``qalam_grams(qalam_item_text(payload))``), which
  PostgreSQL keeps current itself. pg_trgm is not used: under the C locale (and any locale
  without Unicode character classes) it drops every non-ASCII letter, so it finds no Urdu,
  Hindi or Thai at all. Drafts and tombstones are not indexed: nobody searches them.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# The text searched: prompt, a line break, completion. The same expression on both backends.
SQLITE_BODY = ("coalesce(json_extract({row}.payload, '$.inputs'), '') || char(10) || "
               "coalesce(json_extract({row}.payload, '$.targets'), '')")

SQLITE = [
    "CREATE VIRTUAL TABLE submission_text USING fts5(body, tokenize = 'trigram')",
    # One trigger for both jobs, so the number exists before the text is indexed under it.
    f"""CREATE TRIGGER submissions_arrive AFTER INSERT ON submissions BEGIN
        UPDATE submissions SET arrival = new.rowid WHERE rowid = new.rowid AND arrival IS NULL;
        INSERT INTO submission_text (rowid, body)
            SELECT s.arrival, {SQLITE_BODY.format(row='s')} FROM submissions AS s
            WHERE s.rowid = new.rowid AND s.state <> 'draft' AND NOT s.deleted;
    END""",
    f"""CREATE TRIGGER submissions_retext AFTER UPDATE OF payload, state, deleted
        ON submissions BEGIN
        DELETE FROM submission_text WHERE rowid = old.arrival;
        INSERT INTO submission_text (rowid, body)
            SELECT new.arrival, {SQLITE_BODY.format(row='new')}
            WHERE new.arrival IS NOT NULL AND new.state <> 'draft' AND NOT new.deleted;
    END""",
    """CREATE TRIGGER submissions_untext AFTER DELETE ON submissions BEGIN
        DELETE FROM submission_text WHERE rowid = old.arrival;
    END""",
]

POSTGRESQL = [
    "CREATE SEQUENCE submissions_arrival OWNED BY submissions.arrival",
    """UPDATE submissions SET arrival = numbered.n
       FROM (SELECT id, row_number() OVER (ORDER BY created_at, id) AS n FROM submissions)
            AS numbered
       WHERE submissions.id = numbered.id""",
    "SELECT setval('submissions_arrival', coalesce(max(arrival), 0) + 1, false) "
    "FROM submissions",
    "ALTER TABLE submissions ALTER COLUMN arrival SET DEFAULT nextval('submissions_arrival')",
    """CREATE FUNCTION qalam_item_text(payload text) RETURNS text
       LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT AS $$
         SELECT coalesce(payload::jsonb ->> 'inputs', '') || E'\\n'
                || coalesce(payload::jsonb ->> 'targets', '')
       $$""",
    # Every run of three characters, lower-cased (ASCII under the C locale, all letters under
    # others: the query lower-cases the same way, so both sides agree). Three passes of
    # non-overlapping matches, from the first, second and third character: C-speed regular
    # expressions, where substr() at each position would walk the UTF-8 text from its start
    # every time. Repeats are left in: GIN keeps each key of a row once.
    """CREATE FUNCTION qalam_grams(doc text) RETURNS text[]
       LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT AS $$
         SELECT ARRAY(SELECT m[1] FROM (SELECT lower(doc) AS d) AS lowered,
                                       generate_series(0, 2) AS k,
                                       regexp_matches(substr(d, k + 1), '...', 'g') AS m)
       $$""",
    """CREATE INDEX submissions_text_grams ON submissions
       USING gin (qalam_grams(qalam_item_text(payload)))
       WHERE state <> 'draft' AND NOT deleted""",
]


def upgrade() -> None:
    op.add_column("submissions", sa.Column("arrival", sa.BigInteger(), nullable=True))
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("UPDATE submissions SET arrival = rowid")  # rows are never deleted
        for statement in SQLITE:
            op.execute(statement)
        op.execute(f"""INSERT INTO submission_text (rowid, body)
                       SELECT arrival, {SQLITE_BODY.format(row='submissions')}
                       FROM submissions WHERE state <> 'draft' AND NOT deleted""")
    else:
        for statement in POSTGRESQL:
            op.execute(statement)
    op.create_index("submissions_by_arrival", "submissions", ["arrival"], unique=True)
    op.create_index("submissions_items_by_project", "submissions", ["project_id", "arrival"])
    op.create_index("submissions_items_by_language", "submissions", ["language", "arrival"])
    op.create_index("submissions_items_by_author", "submissions", ["author_id", "arrival"])
    op.create_index("submissions_items_by_day", "submissions", ["created_at"])
    op.create_table(
        "item_flags",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("submission_id", sa.String(64), sa.ForeignKey("submissions.id"),
                  nullable=False),
        sa.Column("action", sa.String(10), nullable=False),
        sa.Column("flag", sa.String(20)),
        sa.Column("note", sa.Text(), nullable=False, server_default=""),
        sa.Column("by_id", sa.String(64), nullable=False),
        sa.Column("by_name", sa.String(200), nullable=False),
        sa.Column("at", sa.String(32), nullable=False),
        sa.CheckConstraint("action IN ('flag', 'unflag')", name="item_flags_action"),
    )
    op.create_index("item_flags_by_submission", "item_flags", ["submission_id", "id"])


def downgrade() -> None:
    raise NotImplementedError("Qalam's server schema only moves forward.")
