"""the review phase: agency reports and their versions; the overview report's versions with their anonymisation check

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "agency_report_versions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("board_id", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("agency_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sender_enc", sa.LargeBinary(), nullable=True),
        sa.Column("filename_enc", sa.LargeBinary(), nullable=True),
        sa.Column("content_enc", sa.LargeBinary(), nullable=True),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("returned_on", sa.Date(), nullable=True),
        sa.Column("return_reasons_enc", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_agency_report_versions_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency_report_versions")),
        sa.UniqueConstraint(
            "case_id", "agency_id", "version", name=op.f("uq_agency_report_versions_case_id_agency_id_version")
        ),
    )
    with op.batch_alter_table("agency_report_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agency_report_versions_board_id"), ["board_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_agency_report_versions_case_id"), ["case_id"], unique=False)

    op.create_table(
        "agency_reports",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("board_id", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("agency_id", sa.String(length=64), nullable=False),
        sa.Column("step", sa.String(length=32), nullable=False),
        sa.Column("author_enc", sa.LargeBinary(), nullable=True),
        sa.Column("no_involvement_declared", sa.Boolean(), nullable=False),
        sa.Column("briefed_on", sa.Date(), nullable=True),
        sa.Column("requested_on", sa.Date(), nullable=True),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=True),
        sa.Column("signed_off_by_enc", sa.LargeBinary(), nullable=True),
        sa.Column("signed_off_on", sa.Date(), nullable=True),
        sa.Column("returns", sa.Integer(), nullable=False),
        sa.Column("accepted_on", sa.Date(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_agency_reports_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency_reports")),
        sa.UniqueConstraint("case_id", "agency_id", name=op.f("uq_agency_reports_case_id_agency_id")),
    )
    with op.batch_alter_table("agency_reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agency_reports_board_id"), ["board_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_agency_reports_case_id"), ["case_id"], unique=False)

    op.create_table(
        "report_versions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("board_id", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("uploaded_by", sa.String(length=200), nullable=False),
        sa.Column("filename_enc", sa.LargeBinary(), nullable=True),
        sa.Column("content_enc", sa.LargeBinary(), nullable=True),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("findings", sa.Integer(), nullable=False),
        sa.Column("findings_enc", sa.LargeBinary(), nullable=True),
        sa.Column("override_by", sa.String(length=200), nullable=False),
        sa.Column("override_reason_enc", sa.LargeBinary(), nullable=True),
        sa.Column("overridden_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_report_versions_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_versions")),
        sa.UniqueConstraint("case_id", "version", name=op.f("uq_report_versions_case_id_version")),
    )
    with op.batch_alter_table("report_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_versions_board_id"), ["board_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_report_versions_case_id"), ["case_id"], unique=False)

    op.create_table(
        "outbox_attachments",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("board_id", sa.String(length=64), nullable=False),
        sa.Column("outbox_id", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("filename_enc", sa.LargeBinary(), nullable=True),
        sa.Column("content_enc", sa.LargeBinary(), nullable=True),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["outbox_id"], ["outbox.id"], name=op.f("fk_outbox_attachments_outbox_id_outbox"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_attachments")),
    )
    with op.batch_alter_table("outbox_attachments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_attachments_board_id"), ["board_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_attachments_outbox_id"), ["outbox_id"], unique=False)

    op.create_table(
        "publications",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("board_id", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("planned_on", sa.Date(), nullable=True),
        sa.Column("publish_anyway_on", sa.Date(), nullable=True),
        sa.Column("publish_anyway_by", sa.String(length=200), nullable=False),
        sa.Column("publish_anyway_reason_enc", sa.LargeBinary(), nullable=True),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_publications_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publications")),
        sa.UniqueConstraint("case_id", name=op.f("uq_publications_case_id")),
    )
    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_publications_board_id"), ["board_id"], unique=False)

    op.create_table(
        "publication_proceedings",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("board_id", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("from_referral", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_publication_proceedings_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publication_proceedings")),
    )
    with op.batch_alter_table("publication_proceedings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_publication_proceedings_board_id"), ["board_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_publication_proceedings_case_id"), ["case_id"], unique=False)

    op.create_table(
        "action_plan_actions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("board_id", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("owner_agency", sa.String(length=64), nullable=False),
        sa.Column("text_enc", sa.LargeBinary(), nullable=True),
        sa.Column("owner_role_enc", sa.LargeBinary(), nullable=True),
        sa.Column("measure_enc", sa.LargeBinary(), nullable=True),
        sa.Column("evidence_enc", sa.LargeBinary(), nullable=True),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("signed_up_on", sa.Date(), nullable=True),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_action_plan_actions_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_plan_actions")),
        sa.UniqueConstraint("case_id", "number", name=op.f("uq_action_plan_actions_case_id_number")),
    )
    with op.batch_alter_table("action_plan_actions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_action_plan_actions_board_id"), ["board_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_action_plan_actions_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    op.drop_table("action_plan_actions")
    op.drop_table("publication_proceedings")
    op.drop_table("publications")
    with op.batch_alter_table("outbox_attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_attachments_outbox_id"))
        batch_op.drop_index(batch_op.f("ix_outbox_attachments_board_id"))

    op.drop_table("outbox_attachments")

    with op.batch_alter_table("report_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_versions_case_id"))
        batch_op.drop_index(batch_op.f("ix_report_versions_board_id"))

    op.drop_table("report_versions")
    with op.batch_alter_table("agency_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agency_reports_case_id"))
        batch_op.drop_index(batch_op.f("ix_agency_reports_board_id"))

    op.drop_table("agency_reports")
    with op.batch_alter_table("agency_report_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agency_report_versions_case_id"))
        batch_op.drop_index(batch_op.f("ix_agency_report_versions_board_id"))

    op.drop_table("agency_report_versions")
