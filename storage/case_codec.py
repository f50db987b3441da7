"""Rows to domain objects and back; the only place case fields are sealed and opened."""

from __future__ import annotations

from datetime import date, datetime

from cases.case import AgencyConfirmation, Decision, Involvement, RecordsState
from cases.events import CaseEvent, Outcome
from cases.referral import Referral
from cases.timeline import ComputedDeadline, EventRecord
from storage.crypto import FieldCipher, open_json, open_text, seal_json, seal_text
from storage.deadline_rows import deadline as deadline  # re-exported: case_codec.deadline(row)
from storage.tables import AgencyConfirmationRow, CaseEventRow, CaseRow, DeadlineRow, DecisionRow


class Codec:
    def __init__(self, cipher: FieldCipher) -> None:
        self.cipher = cipher

    # --- generic helpers, usable for any table with encrypted columns --------------------------------

    def seal_text(self, table: str, column: str, row_id: str, value: str) -> bytes | None:
        if not value:
            return None
        return seal_text(self.cipher, value, table=table, column=column, row_id=row_id)

    def open_text(self, table: str, column: str, row_id: str, token: bytes | None) -> str:
        if token is None:
            return ""
        return open_text(self.cipher, token, table=table, column=column, row_id=row_id)

    # --- referral ------------------------------------------------------------------------------------

    def seal_referral(self, row_id: str, referral: Referral) -> bytes:
        return seal_json(
            self.cipher, referral.model_dump(mode="json"), table="cases", column="referral_enc", row_id=row_id
        )

    def open_referral(self, row: CaseRow) -> Referral | None:
        if row.referral_enc is None:
            return None
        data = open_json(self.cipher, row.referral_enc, table="cases", column="referral_enc", row_id=row.id)
        return Referral.model_validate(data)

    # --- decision ------------------------------------------------------------------------------------

    def fill_decision(self, row: DecisionRow, decision: Decision) -> None:
        row.outcome = decision.outcome.value
        row.decided_on = decision.decided_on
        row.decided_by_enc = self.seal_text("decisions", "decided_by_enc", row.id, decision.decided_by)
        row.rationale_enc = self.seal_text("decisions", "rationale_enc", row.id, decision.rationale)
        row.detail_enc = self.seal_text("decisions", "detail_enc", row.id, decision.detail)

    def decision(self, row: DecisionRow) -> Decision:
        return Decision(
            outcome=Outcome(row.outcome),
            decided_on=row.decided_on,
            decided_by=self.open_text("decisions", "decided_by_enc", row.id, row.decided_by_enc),
            rationale=self.open_text("decisions", "rationale_enc", row.id, row.rationale_enc),
            detail=self.open_text("decisions", "detail_enc", row.id, row.detail_enc),
        )

    # --- confirmations -------------------------------------------------------------------------------

    def confirmation(self, row: AgencyConfirmationRow) -> AgencyConfirmation:
        table = "agency_confirmations"
        return AgencyConfirmation(
            agency_id=row.agency_id,
            request_sent_at=row.request_sent_at,
            involvement=Involvement(row.involvement),
            involvement_detail=self.open_text(table, "involvement_detail_enc", row.id, row.involvement_detail_enc),
            records=RecordsState(row.records),
            secured_on=row.secured_on,
            secured_by=self.open_text(table, "secured_by_enc", row.id, row.secured_by_enc),
            evidence=self.open_text(table, "evidence_enc", row.id, row.evidence_enc),
        )


def event_record(row: CaseEventRow) -> EventRecord:
    return EventRecord(on=row.occurred_on, outcome=Outcome(row.outcome) if row.outcome else None, new_due=row.new_due)


def events_of(rows: list[CaseEventRow]) -> dict[CaseEvent, EventRecord]:
    return {CaseEvent(r.event): event_record(r) for r in rows}


def deadline_values(computed: ComputedDeadline, now: datetime) -> dict[str, object]:
    """The columns a computed deadline determines (everything but identity and state)."""
    return {
        "rule_id": computed.rule,
        "agency_id": computed.agency or "",
        "occurrence": computed.occurrence,
        "trigger_event": computed.trigger_event.value,
        "trigger_date": computed.trigger_date,
        "due": computed.due,
        "act_by": computed.act_by,
        "limit_text": computed.limit,
        "action": computed.action,
        "who": computed.who,
        "rule_text": computed.text,
        "source": computed.source,
        "per_agency": computed.per_agency,
        "minimum_period": computed.minimum_period,
        "due_given": computed.due if computed.given else None,
        "updated_at": now,
    }


def fill_deadline(row: DeadlineRow, computed: ComputedDeadline, now: datetime) -> None:
    for name, value in deadline_values(computed, now).items():
        setattr(row, name, value)


def as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value
