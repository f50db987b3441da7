"""a case keeps the version of the rules pack it was opened under, beside the pack's id

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Cases opened before versions were kept were opened under version 1 of their pack (the only one).
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rules_pack_version", sa.String(length=40), nullable=False, server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("rules_pack_version")
