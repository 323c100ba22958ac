"""Qalam's central server: the other end of :mod:`sync.protocol`.

    qalam-server init                       # ./qalam-server.db (SQLite, WAL)
    qalam-server invite --name Amina --role annotator --languages urd_Arab
    qalam-server serve --tls                # prints the certificate's short code

Grouped by capability, one package each (its ``__init__`` lists its modules):

* :mod:`.api`       the FastAPI app (``api.factory``), its routers, body limits, error bodies
* :mod:`.exchange`  push, pull, repair (digest, ids): plain transaction functions that HTTP
  and offline bundles both go through; what a pushed record must look like; bundles
* :mod:`.people`    users, devices, enrollment, authentication, the server's own key, codes,
  rate limits, profiles, the TLS certificate
* :mod:`.work`      projects, task imports, distribution, acceptance, the coordinator's decisions
* :mod:`.quality`   moderation (relabel, block, flagged items), agreement and concentration,
  audits, leaderboards, tallies kept as the data arrives
* :mod:`.export`    the Aya dataset and post-edit exports
* :mod:`.web`       the coordinators' dashboard
* :mod:`.commands`  ``qalam-server`` subcommands beyond the core ones in :mod:`.cli`

and beside them :mod:`.db` (engines for SQLite and PostgreSQL, write transactions, the change
sequence), :mod:`.tables` (the schema, migrated by Alembic in ``migrations/``), :mod:`.errors`
(:class:`~sync.server.errors.ServerError`) and :mod:`.cli` (the ``qalam-server`` command).

Nothing the server needs between requests lives in process memory: several processes can share
one PostgreSQL database.
"""
