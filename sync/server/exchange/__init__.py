"""The exchange with devices: what they push, what they pull, and the repair in between.

* :mod:`.push`      outbox entries applied in one transaction, idempotently, each answered
* :mod:`.pull`      the changes a device's user may see after a cursor, in order
* :mod:`.repair`    digest and ids: do both ends hold the same records, what to send again
* :mod:`.payloads`  what a pushed record must look like, checked before any database work
* :mod:`.changes`   a change the server makes to a record itself, so that devices pull it
* :mod:`.bundles`   an offline bundle imported through the same functions, and its answer

The HTTP endpoints (:mod:`sync.server.api.exchange`) and offline bundles call exactly these
plain transaction functions, so a bundle imported twice is as harmless as a batch pushed
twice. Anki's ``rslib/src/sync/collection/`` is laid out the same way.
"""
