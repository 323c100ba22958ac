"""The work and ratings on the boards across projects kept per week too (``scored:week``,
``rated:week``: one row per user, language and week), so a board of this week reads one row
per user and language however far into the week it is, not one per day of it. Stated once
here from the stored ``board:all`` and ``rated:all`` rows
(:func:`sync.server.quality.tallies.restate_scored`), kept by the same code from then on.

Revision ID: 0019
Revises: 0018
"""

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from sync.server.quality import tallies

    tallies.restate_scored(op.get_bind())


def downgrade() -> None:
    raise NotImplementedError("Qalam's server schema only moves forward.")
