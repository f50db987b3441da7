"""audit anchor signature

The anchor (the head of each board's audit chain) is signed with the board's audit key, so cutting the log's
tail and moving the anchor back is detected. Existing anchors stay unsigned (the migration has no keys):
`scrbot audit sign-anchor` signs one once, after checking the chain.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_anchor") as batch:
        batch.add_column(sa.Column("signature", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_anchor") as batch:
        batch.drop_column("signature")
