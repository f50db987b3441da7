"""each extension with its reason, and each cost of a review (the board's figures)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "review_extensions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("board_id", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("extended_on", sa.Date(), nullable=False),
        sa.Column("new_due", sa.Date(), nullable=True),
        sa.Column("reason", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_review_extensions_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_extensions")),
        sa.UniqueConstraint("case_id", "extended_on", name=op.f("uq_review_extensions_case_id_extended_on")),
    )
    op.create_index(op.f("ix_review_extensions_board_id"), "review_extensions", ["board_id"], unique=False)
    op.create_index(op.f("ix_review_extensions_case_id"), "review_extensions", ["case_id"], unique=False)
    op.create_table(
        "review_costs",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("board_id", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("incurred_on", sa.Date(), nullable=False),
        sa.Column("amount_pence", sa.BigInteger(), nullable=False),
        sa.Column("hours", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("hourly_rate_pence", sa.Integer(), nullable=True),
        sa.Column("note_enc", sa.LargeBinary(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_review_costs_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_costs")),
    )
    op.create_index(op.f("ix_review_costs_board_id"), "review_costs", ["board_id"], unique=False)
    op.create_index(op.f("ix_review_costs_case_id"), "review_costs", ["case_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_review_costs_case_id"), table_name="review_costs")
    op.drop_index(op.f("ix_review_costs_board_id"), table_name="review_costs")
    op.drop_table("review_costs")
    op.drop_index(op.f("ix_review_extensions_case_id"), table_name="review_extensions")
    op.drop_index(op.f("ix_review_extensions_board_id"), table_name="review_extensions")
    op.drop_table("review_extensions")
