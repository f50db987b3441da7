"""Agency requests and chasers (004 §3.7, §5.6), through the outbox.

On every filed referral each sub-group agency is asked, by email, to check whether it knows the child and
family and to secure its records. The request carries the child's details only to a secure address; any
other address gets a notice without them (004 §3.6). Requests are queued inside the filing transaction
(a `ReferralFiled` listener), so a case never exists without its requests, nor requests without their case.

The reminder ladder (notify/reminders.py) chases each agency before its `records_secured` deadline.
`tell_missing_on_the_day(now)` tells the business unit, on the day, of every agency still missing; its cost
follows the deadlines that are due, not the number of open cases (it reads open `records_secured` deadlines
through the (state, act_by) index). `sync_requests_sent` copies "sent" from the outbox to each agency's
confirmation.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, literal, select
from sqlalchemy.orm import Session, sessionmaker

from cases.actor import SYSTEM
from cases.board import Agency, BoardConfig
from cases.calendar import WorkingCalendar, local_date
from cases.domain_events import DomainEvent, ReferralFiled
from cases.events import CaseStatus
from cases.referral import Parent, Referral
from notify.outbox import OutboundMessage, Outbox
from storage.case_codec import Codec
from storage.case_store import CaseStore
from storage.tables import AgencyConfirmationRow, CaseRow, DeadlineRow, OutboxRow

log = logging.getLogger("scrbot.mail")

RECORDS_RULE = "records_secured"
REQUEST_KIND = "agency_request"


def _date_text(value: date | None) -> str:
    return f"{value.day} {value:%B %Y}" if value else ""


def _parent(parent: Parent) -> str:
    if not parent.name:
        return ""
    born = f", born {_date_text(parent.date_of_birth)}" if parent.date_of_birth else ""
    return f"{parent.name}{born}"


def referral_values(referral: Referral) -> dict[str, Any]:
    """The child's and family's details for the secure request: enough to check records, no more."""
    child = referral.child
    if child.date_of_birth is not None:
        dob = _date_text(child.date_of_birth)
    elif child.age is not None:
        dob = f"not known (age {child.age})"
    else:
        dob = "not known"
    return {
        "child_name": f"{child.forenames} {child.last_name}",
        "child_aka": child.also_known_as,
        "child_dob": dob,
        "child_address": " ".join(child.home_address.split()),
        "mother": _parent(referral.mother),
        "father": _parent(referral.father),
        "siblings": [
            s.name + (f", born {_date_text(s.date_of_birth)}" if s.date_of_birth else "") for s in referral.siblings
        ],
    }


class AgencyRequests:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        outbox: Outbox,
        *,
        board: BoardConfig,
        codec: Codec,
        calendar: WorkingCalendar,
        cases: CaseStore,
    ) -> None:
        self.sessions = sessions
        self.outbox = outbox
        self.board = board
        self.codec = codec
        self.calendar = calendar
        self.cases = cases

    def subscribe(self) -> None:
        self.cases.subscribe(self.on_case_event)

    # --- requests, inside the filing transaction -----------------------------------------------------

    def on_case_event(self, s: Session, event: DomainEvent) -> None:
        if isinstance(event, ReferralFiled):
            self.request_all(s, event.case_id, event.reference, event.at)

    def _agency(self, agency_id: str) -> Agency | None:
        try:
            return self.board.agency(agency_id)
        except KeyError:
            log.warning("agency %s is no longer in the board config; no request sent", agency_id)
            return None

    def request_all(self, s: Session, case_id: str, reference: str, now: datetime) -> list[str]:
        case_row = s.get(CaseRow, case_id)
        if case_row is None:
            return []
        referral = self.codec.open_referral(case_row)
        deadlines = {
            d.agency_id: d.act_by
            for d in s.scalars(
                select(DeadlineRow).where(DeadlineRow.case_id == case_id, DeadlineRow.rule_id == RECORDS_RULE)
            )
        }
        queued: list[str] = []
        for confirmation in s.scalars(
            select(AgencyConfirmationRow)
            .where(AgencyConfirmationRow.case_id == case_id)
            .order_by(AgencyConfirmationRow.agency_id)
        ):
            agency = self._agency(confirmation.agency_id)
            act_by = deadlines.get(confirmation.agency_id)
            if agency is None or act_by is None:
                continue
            queued.append(self.request(s, case_id, reference, agency, act_by, referral, now))
        return queued

    def request(
        self,
        s: Session,
        case_id: str,
        reference: str,
        agency: Agency,
        act_by: date,
        referral: Referral | None,
        now: datetime,
    ) -> str:
        values: dict[str, Any] = {
            "case_ref": reference,
            "board_name": self.board.name,
            "agency_name": agency.name,
            "act_by": act_by,
        }
        secure = self.board.is_secure_address(agency.send_to)
        template = "agency_request" if secure and referral is not None else "agency_request_notice"
        if template == "agency_request" and referral is not None:
            values.update(referral_values(referral))
        return self.outbox.enqueue(
            OutboundMessage(
                kind=REQUEST_KIND,
                template_id=template,
                values=values,
                recipients=[agency.send_to],
                recipient_summary=f"agency:{agency.id}",
                idempotency_key=f"{REQUEST_KIND}:{case_id}:{agency.id}",
                case_id=case_id,
                case_ref=reference,
            ),
            now=now,
            actor=SYSTEM,
            session=s,
        )

    # --- request sent ----------------------------------------------------------------------------------

    def sync_requests_sent(self, now: datetime) -> int:
        """Record, per case and agency, when the request actually went (the dispatcher marks it sent)."""
        with self.sessions.begin() as s:
            rows = s.execute(
                select(AgencyConfirmationRow, CaseRow.reference, OutboxRow.sent_at)
                .join(CaseRow, CaseRow.id == AgencyConfirmationRow.case_id)
                .join(
                    OutboxRow,
                    and_(
                        OutboxRow.case_id == AgencyConfirmationRow.case_id,
                        OutboxRow.kind == REQUEST_KIND,
                        OutboxRow.recipient_summary == literal("agency:") + AgencyConfirmationRow.agency_id,
                    ),
                )
                .where(
                    AgencyConfirmationRow.board_id == self.board.id,
                    AgencyConfirmationRow.request_sent_at.is_(None),
                    OutboxRow.status == "sent",
                )
            ).all()
            for confirmation, reference, sent_at in rows:
                self.cases.mark_request_sent(
                    reference, confirmation.agency_id, at=sent_at or now, actor=SYSTEM, session=s
                )
            return len(rows)

    def _queued(self, s: Session, key: str) -> bool:
        found = s.scalar(
            select(OutboxRow.id).where(OutboxRow.board_id == self.board.id, OutboxRow.idempotency_key == key)
        )
        return found is not None

    # --- on the day ---------------------------------------------------------------------------------

    def tell_missing_on_the_day(self, now: datetime) -> list[str]:
        """On (or after) a case's records_secured day, tell the business unit once which agencies have still
        not confirmed (the reminder ladder chases the agencies themselves, notify/reminders.py). Safe to call
        as often as you like; returns the references told about now."""
        today = local_date(now)
        missing: dict[tuple[str, str, date], list[str]] = defaultdict(list)
        told: list[str] = []
        channels = self.board.business_unit_chat()  # Slack's, Teams' or both
        with self.sessions.begin() as s:
            rows = s.execute(
                select(DeadlineRow.case_id, DeadlineRow.agency_id, DeadlineRow.act_by, CaseRow.reference)
                .join(CaseRow, CaseRow.id == DeadlineRow.case_id)
                .join(
                    AgencyConfirmationRow,
                    and_(
                        AgencyConfirmationRow.case_id == DeadlineRow.case_id,
                        AgencyConfirmationRow.agency_id == DeadlineRow.agency_id,
                    ),
                )
                .where(
                    DeadlineRow.state == "open",
                    DeadlineRow.act_by <= today,
                    DeadlineRow.rule_id == RECORDS_RULE,
                    DeadlineRow.board_id == self.board.id,
                    CaseRow.status != CaseStatus.CLOSED.value,
                    AgencyConfirmationRow.records_secured.is_(False),
                )
                .order_by(DeadlineRow.act_by, CaseRow.reference, DeadlineRow.agency_id)
            ).all()
            for case_id, agency_id, act_by, reference in rows:
                agency = self._agency(agency_id)
                missing[(case_id, reference, act_by)].append(agency.name if agency else agency_id)
            for (case_id, reference, act_by), names in missing.items():
                key = f"records_missing:{case_id}:{act_by}"
                if self._queued(s, key):
                    continue
                if not channels:
                    log.warning(
                        "%s: records not confirmed by %d agencies; no business unit channel", reference, len(names)
                    )
                    continue
                self.outbox.enqueue(
                    OutboundMessage(
                        kind="records_missing_notice",
                        template_id="records_missing_notice",
                        values={"case_ref": reference, "act_by": act_by, "agencies": ", ".join(names)},
                        recipients=list(channels),
                        recipient_summary="channel:business_unit",
                        idempotency_key=key,
                        case_id=case_id,
                        case_ref=reference,
                    ),
                    now=now,
                    actor=SYSTEM,
                    session=s,
                )
                told.append(reference)
        return told
