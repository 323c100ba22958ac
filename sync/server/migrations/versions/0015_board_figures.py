"""Board tallies kept apart by what a board sums: work (``board``) and ratings received
(``rated``), each per project and across projects (``board:all``, ``rated:all``, project
''), so the boards a device is sent read a quarter of the rows. Converted in place from
0012's single ``board`` figure: the same facts, moved and summed.

Revision ID: 0015
Revises: 0014
"""

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("UPDATE tallies SET figure = 'rated' WHERE figure = 'board' AND detail LIKE 'r|%'")
    for figure in ("board", "rated"):
        op.execute(f"""INSERT INTO tallies (figure, day, project_id, user_id, language, detail, n)
                       SELECT '{figure}:all', day, '', user_id, language, detail, SUM(n)
                       FROM tallies WHERE figure = '{figure}'
                       GROUP BY day, user_id, language, detail""")


def downgrade() -> None:
    raise NotImplementedError("Qalam's server schema only moves forward.")
