"""The item list's date filter, fast over any range: the index of arrival days carries what a
page of keys needs (the arrival number, and what hides an item: deleted, draft, the project),
so SQLite finds the newest items of a range of days in the index alone, without reading a
row (sync.server.quality.search chooses between this and walking items in arrival order).

Revision ID: 0013
Revises: 0012
"""

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

COLUMNS = ["created_at", "arrival", "deleted", "state", "project_id"]


def upgrade() -> None:
    op.drop_index("submissions_items_by_day", table_name="submissions")
    op.create_index("submissions_items_by_day", "submissions", COLUMNS)


def downgrade() -> None:
    raise NotImplementedError("Qalam's server schema only moves forward.")
