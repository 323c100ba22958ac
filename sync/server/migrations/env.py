"""Alembic environment: always run programmatically by sync.server.db.migrate().

The caller passes an open connection inside a transaction (``config.attributes``), so the
whole upgrade is one transaction on both SQLite and PostgreSQL.
"""

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "Run the server's migrations with `qalam-server init` (sync.server.db.migrate), "
        "not with the alembic command."
    )
context.configure(connection=connection, target_metadata=None)
with context.begin_transaction():
    context.run_migrations()
