"""People: who may do what on the server, and what they chose to tell about themselves.

* :mod:`.users`            users, roles, languages, devices, invitations, revocation
* :mod:`.enrollment`       a one-time code exchanged for a device token (retry-safe)
* :mod:`.authentication`   the device a bearer token belongs to
* :mod:`.server_identity`  the server's own id and Ed25519 key
* :mod:`.codes`            enrollment codes that can be read over a phone
* :mod:`.ratelimit`        counters of failed attempts, kept in the database
* :mod:`.profiles`         what annotators chose to share, for the export's demographics
* :mod:`.tls`              the self-signed certificate and its short code
"""
