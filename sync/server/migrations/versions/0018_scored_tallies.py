"""The work on the boards across projects kept scored (``scored:all``: points and how many
per day, user and language, by those boards' rules), so a device's boards sum two rows per
user instead of one per kind of work. Stated once here from the stored ``board:all`` rows
(:func:`sync.server.quality.tallies.restate_scored`), kept by the same code from then on.

Revision ID: 0018
Revises: 0017
"""

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from sync.server.quality import tallies

    tallies.restate_scored(op.get_bind())


def downgrade() -> None:
    raise NotImplementedError("Qalam's server schema only moves forward.")
