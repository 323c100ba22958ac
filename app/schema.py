"""The local database's schema, as forward-only migrations.

Each migration is a named step (sqlite-utils ``Migrations``); a step, once released, is never
edited — a change is a new step. :func:`migrate` refuses a database that has steps this
version does not know: it was written by a newer Qalam, and we must not touch it.

Conventions:

* every record has a text ``id`` (UUIDv7 made on the device) and ISO-8601 UTC timestamps;
* tables that feed full-text search also have an ``INTEGER PRIMARY KEY`` (``row``), because
  FTS5's external content needs a rowid that VACUUM cannot renumber;
* ``outbox`` holds what sync will send, one row per changed record, numbered by a
  per-device sequence that only grows (``meta.last_seq``).
"""

from __future__ import annotations

import json
import sqlite3

from sqlite_utils import Database, Migrations

from app.errors import SchemaTooNew, StoreError
from app.kinds import REVIEW_FLAGS, SUBMISSION_STATES, TASK_KINDS  # re-exported, as before

migrations = Migrations("qalam")


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{value}'" for value in values)


@migrations()
def m001_records(db: Database) -> None:
    _run(
        db,
        f"""
        CREATE TABLE meta (
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        CREATE TABLE projects (
            id          TEXT PRIMARY KEY,
            name        TEXT NOT NULL,
            description TEXT NOT NULL DEFAULT '',
            settings    TEXT NOT NULL DEFAULT '{{}}',   -- JSON: dialects, rules
            guidelines  TEXT NOT NULL DEFAULT '{{}}',   -- JSON: kind -> Markdown
            created_at  TEXT NOT NULL,
            updated_at  TEXT NOT NULL
        );
        CREATE TABLE tasks (
            id           TEXT PRIMARY KEY,
            project_id   TEXT REFERENCES projects(id),
            kind         TEXT NOT NULL CHECK (kind IN ({_in(TASK_KINDS)})),
            language     TEXT NOT NULL,
            dialect      TEXT,
            origin       TEXT NOT NULL DEFAULT 'human'
                         CHECK (origin IN ('human', 'templated', 'translated')),
            instructions TEXT NOT NULL DEFAULT '',
            inputs       TEXT NOT NULL DEFAULT '',
            targets      TEXT NOT NULL DEFAULT '',
            source_text  TEXT,
            mt_text      TEXT,
            created_at   TEXT NOT NULL,
            updated_at   TEXT NOT NULL
        );
        CREATE INDEX tasks_by_language ON tasks (language, kind);
        CREATE TABLE submissions (
            row          INTEGER PRIMARY KEY,
            id           TEXT NOT NULL UNIQUE,
            task_id      TEXT REFERENCES tasks(id),
            project_id   TEXT REFERENCES projects(id),
            kind         TEXT NOT NULL CHECK (kind IN ({_in(TASK_KINDS)})),
            language     TEXT NOT NULL,
            dialect      TEXT,
            inputs       TEXT NOT NULL DEFAULT '',
            targets      TEXT NOT NULL DEFAULT '',
            state        TEXT NOT NULL DEFAULT 'draft'
                         CHECK (state IN ({_in(SUBMISSION_STATES)})),
            warnings     TEXT NOT NULL DEFAULT '[]',    -- JSON list of TextWarning
            revision     INTEGER NOT NULL DEFAULT 0,    -- local edit counter
            base_revision INTEGER,                      -- server revision it was based on
            created_at   TEXT NOT NULL,
            updated_at   TEXT NOT NULL,
            submitted_at TEXT
        );
        CREATE INDEX submissions_by_state ON submissions (state, updated_at);
        CREATE INDEX submissions_by_language ON submissions (language, updated_at);
        CREATE INDEX submissions_by_task ON submissions (task_id);
        CREATE INDEX submissions_by_update ON submissions (updated_at);
        CREATE TABLE revisions (
            id            TEXT PRIMARY KEY,
            submission_id TEXT NOT NULL REFERENCES submissions(id),
            number        INTEGER NOT NULL,
            inputs        TEXT NOT NULL,
            targets       TEXT NOT NULL,
            reason        TEXT NOT NULL CHECK (reason IN ('edit', 'submit', 'restore')),
            created_at    TEXT NOT NULL,
            updated_at    TEXT NOT NULL,
            UNIQUE (submission_id, number)
        );
        CREATE TABLE reviews (
            id             TEXT PRIMARY KEY,
            submission_id  TEXT NOT NULL,                -- the reviewed item (often a peer's)
            task_id        TEXT REFERENCES tasks(id),
            rating_inputs  INTEGER CHECK (rating_inputs BETWEEN 1 AND 5),
            rating_targets INTEGER CHECK (rating_targets BETWEEN 1 AND 5),
            reason         TEXT NOT NULL DEFAULT '',
            created_at     TEXT NOT NULL,
            updated_at     TEXT NOT NULL
        );
        CREATE TABLE outbox (
            seq        INTEGER PRIMARY KEY,              -- per-device, strictly increasing
            entity     TEXT NOT NULL,
            record_id  TEXT NOT NULL,
            op         TEXT NOT NULL CHECK (op IN ('upsert', 'delete')),
            payload    TEXT NOT NULL,                    -- JSON snapshot of the record
            batch_id   TEXT,                             -- set while a push is in flight
            created_at TEXT NOT NULL
        );
        CREATE INDEX outbox_by_record ON outbox (entity, record_id);
        """
    )


@migrations()
def m002_search(db: Database) -> None:
    # Trigram tokens find substrings in any script, including those written without
    # spaces between words (Thai, Khmer, Myanmar) where unicode61 sees one long token.
    _run(
        db,
        """
        CREATE VIRTUAL TABLE submissions_fts USING fts5(
            inputs, targets, content='submissions', content_rowid='row', tokenize='trigram'
        );
        CREATE TRIGGER submissions_fts_insert AFTER INSERT ON submissions BEGIN
            INSERT INTO submissions_fts (rowid, inputs, targets)
            VALUES (new.row, new.inputs, new.targets);
        END;
        CREATE TRIGGER submissions_fts_delete AFTER DELETE ON submissions BEGIN
            INSERT INTO submissions_fts (submissions_fts, rowid, inputs, targets)
            VALUES ('delete', old.row, old.inputs, old.targets);
        END;
        CREATE TRIGGER submissions_fts_update AFTER UPDATE OF inputs, targets ON submissions
        BEGIN
            INSERT INTO submissions_fts (submissions_fts, rowid, inputs, targets)
            VALUES ('delete', old.row, old.inputs, old.targets);
            INSERT INTO submissions_fts (rowid, inputs, targets)
            VALUES (new.row, new.inputs, new.targets);
        END;
        INSERT INTO submissions_fts (submissions_fts) VALUES ('rebuild');
        """
    )


@migrations()
def m003_sync(db: Database) -> None:
    # What sync cannot settle by itself stays here until the annotator decides:
    # conflicts keep both versions; quarantine keeps items the server rejected.
    _run(
        db,
        """
        CREATE TABLE conflicts (
            id              TEXT PRIMARY KEY,
            entity          TEXT NOT NULL,
            record_id       TEXT NOT NULL,
            local_payload   TEXT NOT NULL,
            server_payload  TEXT NOT NULL,
            server_revision INTEGER NOT NULL,
            created_at      TEXT NOT NULL,
            resolved_at     TEXT,
            resolution      TEXT CHECK (resolution IN ('local', 'server'))
        );
        CREATE INDEX conflicts_by_record ON conflicts (entity, record_id, resolved_at);
        CREATE TABLE quarantine (
            seq        INTEGER PRIMARY KEY,
            entity     TEXT NOT NULL,
            record_id  TEXT NOT NULL,
            payload    TEXT NOT NULL,
            reason     TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        """,
    )


@migrations()
def m004_workbench(db: Database) -> None:
    # Everything the four kinds of work need beyond a prompt and a completion:
    # review tasks carry the peer's original and edit and who wrote them; submissions keep the
    # text they started from, the thumbs ratings, edit distances and post-edit metrics (all
    # inside the submission's sync payload); reviews get a reviewer, flags and a link to the
    # further improvement they produced.
    _run(
        db,
        f"""
        ALTER TABLE tasks ADD COLUMN original_inputs TEXT;
        ALTER TABLE tasks ADD COLUMN original_targets TEXT;
        ALTER TABLE tasks ADD COLUMN author TEXT;
        ALTER TABLE tasks ADD COLUMN review_of TEXT;
        CREATE INDEX tasks_by_kind ON tasks (kind, language, id);
        ALTER TABLE submissions ADD COLUMN original_inputs TEXT;
        ALTER TABLE submissions ADD COLUMN original_targets TEXT;
        ALTER TABLE submissions ADD COLUMN rating_inputs INTEGER
            CHECK (rating_inputs IN (-1, 1));
        ALTER TABLE submissions ADD COLUMN rating_targets INTEGER
            CHECK (rating_targets IN (-1, 1));
        ALTER TABLE submissions ADD COLUMN prompt_distance INTEGER;
        ALTER TABLE submissions ADD COLUMN completion_distance INTEGER;
        ALTER TABLE submissions ADD COLUMN hter REAL;
        ALTER TABLE submissions ADD COLUMN seconds_spent REAL NOT NULL DEFAULT 0;
        ALTER TABLE submissions ADD COLUMN edit_sessions INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE submissions ADD COLUMN parent_id TEXT;
        ALTER TABLE submissions ADD COLUMN review_id TEXT;
        CREATE INDEX submissions_by_kind ON submissions (kind, updated_at);
        ALTER TABLE reviews ADD COLUMN reviewer TEXT NOT NULL DEFAULT '';
        ALTER TABLE reviews ADD COLUMN language TEXT;
        ALTER TABLE reviews ADD COLUMN improvement_id TEXT;
        ALTER TABLE reviews ADD COLUMN flag TEXT CHECK (flag IN ({_in(REVIEW_FLAGS)}));
        ALTER TABLE reviews ADD COLUMN state TEXT NOT NULL DEFAULT 'submitted'
            CHECK (state IN ('draft', 'submitted'));
        CREATE INDEX reviews_by_submission ON reviews (submission_id);
        CREATE INDEX reviews_by_task ON reviews (task_id);
        CREATE INDEX reviews_by_update ON reviews (updated_at);
        """,
    )


@migrations()
def m005_profile_leaderboards(db: Database) -> None:
    # The annotator's optional profile (one row): ``version`` grows with every save and
    # ``sent_version`` records the newest version the server acknowledged, so an edit made
    # while a send is in flight stays pending. The last leaderboards fetched, one row, shown
    # offline until the next sync replaces them.
    _run(
        db,
        """
        CREATE TABLE profile (
            id           INTEGER PRIMARY KEY CHECK (id = 1),
            age_range    TEXT,
            gender       TEXT,
            country      TEXT,
            languages    TEXT NOT NULL DEFAULT '[]',    -- JSON list of registry codes
            dialects     TEXT NOT NULL DEFAULT '[]',    -- JSON list of free text
            version      INTEGER NOT NULL DEFAULT 0,
            sent_version INTEGER NOT NULL DEFAULT 0,
            updated_at   TEXT NOT NULL
        );
        CREATE TABLE leaderboards (
            id           INTEGER PRIMARY KEY CHECK (id = 1),
            payload      TEXT NOT NULL,                 -- sync.protocol.Leaderboards as JSON
            generated_at TEXT,
            fetched_at   TEXT NOT NULL
        );
        """,
    )


@migrations()
def m006_guidelines_per_language(db: Database) -> None:
    # Guidelines were kind -> Markdown (English); they are kind -> language -> Markdown now.
    # The old texts become the English ones, which every language falls back to.
    from app.guidelines import normalize

    rows = db.execute("SELECT id, guidelines FROM projects").fetchall()
    for project_id, stored in rows:
        shaped = json.dumps(normalize(stored), ensure_ascii=False)
        if shaped != stored:
            db.execute("UPDATE projects SET guidelines = ? WHERE id = ?", [shaped, project_id])


@migrations()
def m007_feedback(db: Database) -> None:
    # Feedback on the annotator's items, as the server sends it (a coordinator's comment, a
    # reviewer's reason) and their own replies. ``read_at`` is this device's own: when the
    # annotator first saw the comment (My work marks items with unread feedback).
    _run(
        db,
        """
        CREATE TABLE comments (
            id             TEXT PRIMARY KEY,
            submission_id  TEXT NOT NULL,
            kind           TEXT NOT NULL CHECK (kind IN ('comment', 'review', 'reply')),
            body           TEXT NOT NULL,
            author_name    TEXT NOT NULL DEFAULT '',
            reply_to       TEXT,
            rating_inputs  INTEGER,
            rating_targets INTEGER,
            flag           TEXT,
            created_at     TEXT NOT NULL,
            updated_at     TEXT NOT NULL,
            read_at        TEXT
        );
        CREATE INDEX comments_by_submission ON comments (submission_id, created_at);
        CREATE INDEX comments_unread ON comments (read_at, submission_id);
        """,
    )


@migrations()
def m008_translation_memory(db: Database) -> None:
    # Post-editing like a CAT tool: the translation memory and glossary pulled for this
    # device's language pairs, the source language a post-editing task names, and the QA
    # checks the post-editor dismissed per segment (JSON list of app.qa keys, synced inside
    # the submission). The pull cursor starts again once: the server sent this version's
    # new records (and tasks' source languages) to no older version of the app.
    _run(
        db,
        """
        ALTER TABLE tasks ADD COLUMN source_language TEXT;
        ALTER TABLE submissions ADD COLUMN qa_dismissed TEXT NOT NULL DEFAULT '[]';
        CREATE TABLE tm_units (
            id              TEXT PRIMARY KEY,
            project_id      TEXT,
            source_language TEXT NOT NULL,
            target_language TEXT NOT NULL,
            source          TEXT NOT NULL,
            target          TEXT NOT NULL,
            origin          TEXT NOT NULL DEFAULT 'tmx',   -- tmx | postedit
            note            TEXT NOT NULL DEFAULT '',
            created_at      TEXT NOT NULL,
            updated_at      TEXT NOT NULL
        );
        CREATE INDEX tm_units_by_pair ON tm_units (source_language, target_language);
        CREATE TABLE glossary_terms (
            id              TEXT PRIMARY KEY,
            project_id      TEXT,
            source_language TEXT NOT NULL,
            target_language TEXT NOT NULL,
            source_term     TEXT NOT NULL,
            target_term     TEXT NOT NULL,
            note            TEXT NOT NULL DEFAULT '',
            created_at      TEXT NOT NULL,
            updated_at      TEXT NOT NULL
        );
        CREATE INDEX glossary_terms_by_pair ON glossary_terms (source_language, target_language);
        UPDATE meta SET value = '0' WHERE key = 'pull_cursor';
        """,
    )


@migrations()
def m009_ui_translations(db: Database) -> None:
    # Translations of the interface by its users (issue 16): suggestions (one per author,
    # language and message, with their revisions, like a submission's), the verdicts this
    # annotator gave peers' suggestions, and the catalogs the server compiled from accepted
    # ones. ``status`` and ``votes`` are the server's (pulled); a local-only suggestion is
    # 'pending' until then. The pull cursor starts again once: the server sent these records
    # to no older version of the app.
    _run(
        db,
        """
        CREATE TABLE ui_translations (
            id            TEXT PRIMARY KEY,
            language      TEXT NOT NULL,                  -- registry code, hau_Latn
            context       TEXT,
            msgid         TEXT NOT NULL,
            msgid_plural  TEXT,
            msgstr        TEXT NOT NULL,                  -- JSON list, one per plural form
            comment       TEXT NOT NULL DEFAULT '',
            author        TEXT NOT NULL DEFAULT '',       -- user id ('' before enrolling)
            author_name   TEXT NOT NULL DEFAULT '',
            mine          INTEGER NOT NULL DEFAULT 0,
            status        TEXT NOT NULL DEFAULT 'pending'
                          CHECK (status IN ('pending', 'accepted', 'rejected', 'disputed',
                                            'superseded')),
            votes         TEXT NOT NULL DEFAULT '[]',     -- JSON: the server's tally
            revision      INTEGER NOT NULL DEFAULT 1,     -- local edit counter
            base_revision INTEGER,                        -- server revision it was based on
            text_revision INTEGER,                        -- the server's count of its texts
            created_at    TEXT NOT NULL,
            updated_at    TEXT NOT NULL
        );
        CREATE INDEX ui_translations_by_message ON ui_translations (language, msgid, context);
        CREATE INDEX ui_translations_by_status ON ui_translations (language, status);
        CREATE TABLE ui_translation_revisions (
            id             TEXT PRIMARY KEY,
            translation_id TEXT NOT NULL REFERENCES ui_translations(id),
            number         INTEGER NOT NULL,
            msgstr         TEXT NOT NULL,
            created_at     TEXT NOT NULL,
            UNIQUE (translation_id, number)
        );
        CREATE TABLE ui_votes (
            id             TEXT PRIMARY KEY,
            translation_id TEXT NOT NULL,
            revision       INTEGER,
            verdict        TEXT NOT NULL CHECK (verdict IN ('accept', 'reject')),
            reason         TEXT NOT NULL DEFAULT '',
            created_at     TEXT NOT NULL,
            updated_at     TEXT NOT NULL
        );
        CREATE INDEX ui_votes_by_translation ON ui_votes (translation_id);
        CREATE TABLE ui_catalogs (
            id         TEXT PRIMARY KEY,
            language   TEXT NOT NULL UNIQUE,
            payload    TEXT NOT NULL,                     -- the server's compiled catalog
            revision   INTEGER NOT NULL,
            updated_at TEXT NOT NULL
        );
        UPDATE meta SET value = '0' WHERE key = 'pull_cursor';
        """,
    )


@migrations()
def m010_outbox_by_batch(db: Database) -> None:
    # Sync finds the entries of a batch in flight (to send it again, or to apply its answer)
    # by batch id: without an index each look-up read the whole outbox, 25 times for 10,000
    # entries. Only claimed entries have one, so the index stays as small as the batches.
    _run(db, "CREATE INDEX outbox_by_batch ON outbox (batch_id) WHERE batch_id IS NOT NULL;")


def _run(db: Database, script: str) -> None:
    """Run a multi-statement script inside the migration's transaction.

    ``sqlite3.executescript`` would COMMIT first and break the step's atomicity.
    """
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL statement in migration: {statement!r}")


def known_migrations() -> list[str]:
    return [m.name for m in migrations._migrations]


def migrate(db: Database, *, path: str = "the database") -> None:
    """Bring ``db`` up to this version's schema, or refuse it untouched if it is newer."""
    try:
        applied = [m.name for m in migrations.applied(db)]
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path} is not a Qalam database, or it is damaged ({exc}).") from exc
    unknown = [name for name in applied if name not in known_migrations()]
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if unknown or version > len(known_migrations()):
        step = f"schema step {unknown[-1]!r}" if unknown else f"schema version {version}"
        raise SchemaTooNew(
            f"{path} was written by a newer version of Qalam (it has {step}). Install the "
            "newer version to open it; nothing was changed."
        )
    migrations.apply(db)
    db.execute(f"PRAGMA user_version = {len(known_migrations())}")
