"""Qalam's central server: the other end of :mod:`sync.protocol`.

    qalam-server init                       # ./qalam-server.db (SQLite, WAL)
    qalam-server invite --name Amina --role annotator --languages urd_Arab
    qalam-server serve --tls                # prints the certificate's short code

Modules, one job each:

* :mod:`.tables`  the database schema (SQLAlchemy Core), migrated by Alembic (``migrations/``)
* :mod:`.db`      engines for SQLite and PostgreSQL, write transactions, the change sequence
* :mod:`.people`  users, devices, enrollment codes and tokens, rate limits, profiles, the
  server's own key and TLS certificate
* :mod:`.exchange` push, pull, digest and ids as plain transaction functions (HTTP and
  offline bundles both go through them), what a pushed record must look like, bundles
* :mod:`.work`    projects, task imports, distribution, acceptance, the coordinator's decisions
* :mod:`.quality` moderation (relabel, block, flagged items), agreement and concentration,
  audits, leaderboards, cached figures
* :mod:`.api`     the FastAPI app (``api.factory``), its routers, body limits, error bodies
* :mod:`.cli`     the ``qalam-server`` command

Nothing the server needs between requests lives in process memory: several processes can share
one PostgreSQL database.
"""
