"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_anchor",
        sa.Column("board_id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("board_id", name=op.f("pk_audit_anchor")),
    )
    op.create_table(
        "audit_log",
        sa.Column("board_id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("case_ref", sa.String(length=24), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("board_id", "seq", name=op.f("pk_audit_log")),
    )
    op.create_table(
        "case_counters",
        sa.Column("board_id", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("board_id", "year", name=op.f("pk_case_counters")),
    )
    op.create_table(
        "cases",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("board_id", sa.String(length=64), nullable=False),
        sa.Column("reference", sa.String(length=24), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("rules_pack", sa.String(length=200), nullable=False),
        sa.Column("filed_by", sa.String(length=200), nullable=False),
        sa.Column("referral_enc", sa.LargeBinary(), nullable=True),
        sa.Column("child_index", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("board_id", "reference", name=op.f("uq_cases_board_id_reference")),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cases_board_id"), ["board_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_child_index"), ["child_index"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_filed_by"), ["filed_by"], unique=False)

    op.create_table(
        "agency_confirmations",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("board_id", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("agency_id", sa.String(length=64), nullable=False),
        sa.Column("request_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("involvement", sa.String(length=32), nullable=False),
        sa.Column("involvement_detail_enc", sa.LargeBinary(), nullable=True),
        sa.Column("records_secured", sa.Boolean(), nullable=False),
        sa.Column("secured_on", sa.Date(), nullable=True),
        sa.Column("secured_by_enc", sa.LargeBinary(), nullable=True),
        sa.Column("evidence_enc", sa.LargeBinary(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_agency_confirmations_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency_confirmations")),
        sa.UniqueConstraint("case_id", "agency_id", name=op.f("uq_agency_confirmations_case_id_agency_id")),
    )
    with op.batch_alter_table("agency_confirmations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agency_confirmations_board_id"), ["board_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_agency_confirmations_case_id"), ["case_id"], unique=False)

    op.create_table(
        "case_events",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("board_id", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("event", sa.String(length=64), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("outcome", sa.String(length=64), nullable=True),
        sa.Column("new_due", sa.Date(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_events_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_events")),
        sa.UniqueConstraint("case_id", "event", name=op.f("uq_case_events_case_id_event")),
    )
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_events_board_id"), ["board_id"], unique=False)

    op.create_table(
        "deadlines",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("board_id", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("rule_id", sa.String(length=64), nullable=False),
        sa.Column("agency_id", sa.String(length=64), nullable=False),
        sa.Column("occurrence", sa.Integer(), nullable=False),
        sa.Column("trigger_event", sa.String(length=64), nullable=False),
        sa.Column("trigger_date", sa.Date(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("act_by", sa.Date(), nullable=False),
        sa.Column("limit_text", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=500), nullable=False),
        sa.Column("who", sa.String(length=200), nullable=False),
        sa.Column("rule_text", sa.String(length=1000), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("per_agency", sa.Boolean(), nullable=False),
        sa.Column("minimum_period", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("met_on", sa.Date(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_deadlines_case_id_cases"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deadlines")),
        sa.UniqueConstraint(
            "case_id",
            "rule_id",
            "agency_id",
            "occurrence",
            name=op.f("uq_deadlines_case_id_rule_id_agency_id_occurrence"),
        ),
    )
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deadlines_case_id"), ["case_id"], unique=False)
        batch_op.create_index("ix_deadlines_state_act_by", ["state", "act_by"], unique=False)

    op.create_table(
        "decisions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("board_id", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("outcome", sa.String(length=64), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("decided_by_enc", sa.LargeBinary(), nullable=True),
        sa.Column("rationale_enc", sa.LargeBinary(), nullable=True),
        sa.Column("detail_enc", sa.LargeBinary(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_decisions_case_id_cases"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
        sa.UniqueConstraint("case_id", name=op.f("uq_decisions_case_id")),
    )
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decisions_board_id"), ["board_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decisions_board_id"))

    op.drop_table("decisions")
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.drop_index("ix_deadlines_state_act_by")
        batch_op.drop_index(batch_op.f("ix_deadlines_case_id"))

    op.drop_table("deadlines")
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_events_board_id"))

    op.drop_table("case_events")
    with op.batch_alter_table("agency_confirmations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agency_confirmations_case_id"))
        batch_op.drop_index(batch_op.f("ix_agency_confirmations_board_id"))

    op.drop_table("agency_confirmations")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cases_filed_by"))
        batch_op.drop_index(batch_op.f("ix_cases_child_index"))
        batch_op.drop_index(batch_op.f("ix_cases_board_id"))

    op.drop_table("cases")
    op.drop_table("case_counters")
    op.drop_table("audit_log")
    op.drop_table("audit_anchor")
