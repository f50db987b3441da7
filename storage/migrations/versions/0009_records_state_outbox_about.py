"""records state per agency (secured / no records held / not yet); outbox items say which item they are about

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # "No records held" was stored as secured (with a date the agency never gave); the answers recorded so
    # far cannot be told apart, so every secured answer stays "secured".
    with op.batch_alter_table("agency_confirmations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("records", sa.String(length=32), nullable=False, server_default="not_yet"))
    op.execute("UPDATE agency_confirmations SET records = 'secured' WHERE records_secured")
    with op.batch_alter_table("agency_confirmations", schema=None) as batch_op:
        batch_op.drop_column("records_secured")
    # An approval request names the draft it is about as data (Slack buttons carry it), not in its text.
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("about_id", sa.String(length=32), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("about_id")
    with op.batch_alter_table("agency_confirmations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("records_secured", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute("UPDATE agency_confirmations SET records_secured = (records <> 'not_yet')")
    with op.batch_alter_table("agency_confirmations", schema=None) as batch_op:
        batch_op.drop_column("records")
