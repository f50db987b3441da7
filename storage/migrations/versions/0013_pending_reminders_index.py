"""a partial index on the pending reminders only, in the order the sweep claims them (issue 15 §2)

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

PENDING = sa.text("state = 'pending'")


def upgrade() -> None:
    # The sweep's claim (storage/reminders.py due_reminders) reads the board's pending rows due by now,
    # oldest first: this index holds only pending rows, so sent and cancelled ones never cost it anything.
    op.create_index(
        "ix_reminders_pending_due",
        "reminders",
        ["board_id", "due_at", "id"],
        unique=False,
        sqlite_where=PENDING,
        postgresql_where=PENDING,
    )


def downgrade() -> None:
    op.drop_index("ix_reminders_pending_due", table_name="reminders")
