"""Every table of the store. Importing this package registers them all on `Base.metadata`."""

from storage.tables.audit import AuditAnchorRow, AuditRow
from storage.tables.base import Base, encrypted_columns
from storage.tables.cases import (
    AgencyConfirmationRow,
    CaseCounterRow,
    CaseEventRow,
    CaseRow,
    DeadlineRow,
    DecisionRow,
)
from storage.tables.chat_addresses import ChatAddressRow
from storage.tables.conversations import DraftRow, ReceivedStepRow, SeenDeliveryRow
from storage.tables.inbound import InboundMessageRow
from storage.tables.outbox import OutboxRow
from storage.tables.reminders import ReminderRow
from storage.tables.review import (
    ActionRow,
    AgencyReportRow,
    AgencyReportVersionRow,
    OutboxAttachmentRow,
    ProceedingRow,
    PublicationRow,
    ReportVersionRow,
)
from storage.tables.review_figures import ReviewCostRow, ReviewExtensionRow
from storage.tables.slack_installs import SlackInstallationRow, SlackOAuthStateRow

__all__ = [
    "ActionRow",
    "AgencyConfirmationRow",
    "AgencyReportRow",
    "AgencyReportVersionRow",
    "AuditAnchorRow",
    "AuditRow",
    "Base",
    "CaseCounterRow",
    "CaseEventRow",
    "CaseRow",
    "ChatAddressRow",
    "DeadlineRow",
    "DecisionRow",
    "DraftRow",
    "InboundMessageRow",
    "OutboxAttachmentRow",
    "OutboxRow",
    "ProceedingRow",
    "PublicationRow",
    "ReceivedStepRow",
    "ReminderRow",
    "ReportVersionRow",
    "ReviewCostRow",
    "ReviewExtensionRow",
    "SeenDeliveryRow",
    "SlackInstallationRow",
    "SlackOAuthStateRow",
    "encrypted_columns",
]
