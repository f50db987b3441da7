"""conversation drafts

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 02:19:45.694131
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversation_drafts",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("board_id", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("flow", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("state_enc", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("warned_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_drafts")),
        sa.UniqueConstraint("board_id", "owner", "flow", name=op.f("uq_conversation_drafts_board_id_owner_flow")),
    )
    with op.batch_alter_table("conversation_drafts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_conversation_drafts_board_id"), ["board_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_conversation_drafts_updated_at"), ["updated_at"], unique=False)

    op.create_table(
        "seen_deliveries",
        sa.Column("board_id", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("delivery_id", sa.String(length=200), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("board_id", "source", "delivery_id", name=op.f("pk_seen_deliveries")),
    )
    with op.batch_alter_table("seen_deliveries", schema=None) as batch_op:
        batch_op.create_index("ix_seen_deliveries_received_at", ["received_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("seen_deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_seen_deliveries_received_at")

    op.drop_table("seen_deliveries")
    with op.batch_alter_table("conversation_drafts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conversation_drafts_updated_at"))
        batch_op.drop_index(batch_op.f("ix_conversation_drafts_board_id"))

    op.drop_table("conversation_drafts")
