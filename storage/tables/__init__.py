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

__all__ = [
    "AgencyConfirmationRow",
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
    "OutboxRow",
    "ReceivedStepRow",
    "ReminderRow",
    "SeenDeliveryRow",
    "encrypted_columns",
]
