"""Reading cases: the whole case (personal data: the store audits who reads it), and summaries without
personal data for lists, channels and the App Home."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import and_, bindparam, func, literal, select
from sqlalchemy.orm import Session

from cases.actor import Actor
from cases.board import BoardConfig
from cases.calendar import WorkingCalendar
from cases.case import Case, Deadline, DeadlineState, RecordsState
from cases.events import CaseStatus
from cases.rules import RulesPack
from cases.status import Rag, rag
from storage import case_codec, case_listing
from storage.case_codec import Codec
from storage.case_listing import CaseSummary as CaseSummary  # re-exported: defined with the listing
from storage.tables import AgencyConfirmationRow, CaseEventRow, CaseRow, DeadlineRow, DecisionRow, OutboxRow

# Built once: the mail intake asks these for every agency reply it reads (issue 15 §3, mail ingest).
_REQUEST_SENT_AT = select(AgencyConfirmationRow.request_sent_at).where(
    AgencyConfirmationRow.board_id == bindparam("board_id"),
    AgencyConfirmationRow.case_id == bindparam("case_id"),
    AgencyConfirmationRow.agency_id == bindparam("agency_id"),
)
_CASE_ID_OF = select(CaseRow.id).where(
    CaseRow.board_id == bindparam("board_id"), CaseRow.reference == bindparam("reference")
)


@dataclass(frozen=True)
class DeadlineLine:
    """An open deadline as an overview lists it: rule, agency, dates and red / amber / green."""

    rule: str
    agency: str
    due: date
    act_by: date
    rag: Rag


@dataclass(frozen=True)
class CaseOverview:
    """An open case for the weekly digest: its open deadlines and the agencies yet to confirm records."""

    reference: str
    status: CaseStatus
    deadlines: list[DeadlineLine]
    records_not_confirmed: list[str]


@dataclass(frozen=True)
class AwaitingRecords:
    case_id: str
    reference: str
    act_by: date
    agency_id: str


@dataclass(frozen=True)
class OpenDeadline:
    """An open deadline as a calendar shows it (no personal data)."""

    id: str
    case_ref: str
    rule: str
    agency: str
    action: str
    due: date
    act_by: date
    limit: str
    source: str
    occurrence: int = 1


def sorted_deadlines(deadlines: list[Deadline], pack: RulesPack) -> list[Deadline]:
    """By act_by, then the pack's rule order, then agency."""
    order = {r.id: i for i, r in enumerate(pack.rules)}
    return sorted(deadlines, key=lambda d: (d.computed.act_by, order.get(d.computed.rule, 99), d.computed.agency or ""))


def deadlines_of(s: Session, case_id: str, pack: RulesPack) -> list[Deadline]:
    rows = s.scalars(select(DeadlineRow).where(DeadlineRow.case_id == case_id))
    return sorted_deadlines([case_codec.deadline(r) for r in rows], pack)


def duplicates_of(s: Session, row: CaseRow) -> list[str]:
    """Other cases of the board with the same child (the blind index), by reference."""
    if row.child_index is None:
        return []
    return list(
        s.scalars(
            select(CaseRow.reference)
            .where(CaseRow.board_id == row.board_id, CaseRow.child_index == row.child_index, CaseRow.id != row.id)
            .order_by(CaseRow.reference)
        )
    )


def whole_case(s: Session, row: CaseRow, codec: Codec, pack: RulesPack) -> Case:
    """The case with its personal data opened. The caller has checked and audited the read."""
    decision_row = s.scalars(select(DecisionRow).where(DecisionRow.case_id == row.id)).one_or_none()
    event_rows = list(s.scalars(select(CaseEventRow).where(CaseEventRow.case_id == row.id)))
    confirmations = s.scalars(
        select(AgencyConfirmationRow)
        .where(AgencyConfirmationRow.case_id == row.id)
        .order_by(AgencyConfirmationRow.agency_id)
    )
    return Case(
        id=row.id,
        board_id=row.board_id,
        reference=row.reference,
        status=CaseStatus(row.status),
        rules_pack=row.rules_pack,
        created_at=row.created_at,
        filed_by=row.filed_by,
        referral=codec.open_referral(row),
        decision=codec.decision(decision_row) if decision_row else None,
        events=case_codec.events_of(event_rows),
        deadlines=deadlines_of(s, row.id, pack),
        confirmations=[codec.confirmation(c) for c in confirmations],
        possible_duplicates=duplicates_of(s, row),
        closed_at=row.closed_at,
        purged_at=row.purged_at,
        rules_pack_version=row.rules_pack_version,
    )


class CaseReads:
    """Questions about a board's cases that need no personal data."""

    def __init__(self, board: BoardConfig, calendar: WorkingCalendar) -> None:
        self.board = board
        self.calendar = calendar

    def summaries(
        self, s: Session, *, today: date, actor: Actor | None = None, include_closed: bool = False
    ) -> list[CaseSummary]:
        """Cases with status and next deadline (a referrer sees only their own referrals)."""
        return case_listing.summaries(
            s.connection(), self.board, self.calendar, today=today, actor=actor, include_closed=include_closed
        )

    def overview(self, s: Session, *, today: date) -> list[CaseOverview]:
        """Every open case with its open deadlines (minimum periods left out: nothing to chase) and the
        agencies that have not answered about their records."""
        open_case = (CaseRow.board_id == self.board.id) & (CaseRow.status != CaseStatus.CLOSED.value)
        cases = list(s.execute(select(CaseRow.id, CaseRow.reference, CaseRow.status).where(open_case)))
        deadlines: dict[str, list[DeadlineLine]] = defaultdict(list)
        amber = self.board.amber_working_days
        for d in s.scalars(
            select(DeadlineRow)
            .join(CaseRow, CaseRow.id == DeadlineRow.case_id)
            .where(open_case, DeadlineRow.state == DeadlineState.OPEN.value, DeadlineRow.minimum_period.is_(False))
            .order_by(DeadlineRow.act_by, DeadlineRow.rule_id, DeadlineRow.agency_id)
        ):
            status = rag(case_codec.deadline(d), today, self.calendar, amber_working_days=amber)
            deadlines[d.case_id].append(DeadlineLine(d.rule_id, d.agency_id, d.due, d.act_by, status))
        missing: dict[str, list[str]] = defaultdict(list)
        for case_id, agency_id in s.execute(
            select(AgencyConfirmationRow.case_id, AgencyConfirmationRow.agency_id)
            .where(
                AgencyConfirmationRow.board_id == self.board.id,
                AgencyConfirmationRow.records == RecordsState.NOT_YET.value,
            )
            .order_by(AgencyConfirmationRow.agency_id)
        ):
            missing[case_id].append(agency_id)
        return [
            CaseOverview(reference, CaseStatus(status), deadlines.get(case_id, []), missing.get(case_id, []))
            for case_id, reference, status in sorted(cases, key=lambda c: c[1])
        ]

    # --- agency requests (004 §3.7, §5.6) ------------------------------------------------------------

    def request_dates(self, s: Session, case_id: str, rules: Sequence[str]) -> list[tuple[str, date]]:
        """Each agency asked about the case, with the act_by of its deadline under `rules` (the records it
        is asked to secure), in agency order; an agency without such a deadline is left out."""
        due = {
            agency_id: act_by
            for agency_id, act_by in s.execute(
                select(DeadlineRow.agency_id, DeadlineRow.act_by).where(
                    DeadlineRow.case_id == case_id, DeadlineRow.rule_id.in_(list(rules))
                )
            )
        }
        agencies = s.scalars(
            select(AgencyConfirmationRow.agency_id)
            .where(AgencyConfirmationRow.case_id == case_id)
            .order_by(AgencyConfirmationRow.agency_id)
        )
        return [(agency_id, due[agency_id]) for agency_id in agencies if agency_id in due]

    def requests_sent_unrecorded(self, s: Session, *, kind: str) -> list[tuple[str, str, datetime | None]]:
        """(case reference, agency, when sent) for each request of `kind` the outbox has sent that the
        agency's confirmation does not yet show as sent."""
        rows = s.execute(
            select(CaseRow.reference, AgencyConfirmationRow.agency_id, OutboxRow.sent_at)
            .join(CaseRow, CaseRow.id == AgencyConfirmationRow.case_id)
            .join(
                OutboxRow,
                and_(
                    OutboxRow.case_id == AgencyConfirmationRow.case_id,
                    OutboxRow.kind == kind,
                    OutboxRow.recipient_summary == literal("agency:") + AgencyConfirmationRow.agency_id,
                ),
            )
            .where(
                AgencyConfirmationRow.board_id == self.board.id,
                AgencyConfirmationRow.request_sent_at.is_(None),
                OutboxRow.status == "sent",
            )
        )
        return [(reference, agency_id, sent_at) for reference, agency_id, sent_at in rows]

    def awaiting_records(self, s: Session, rules: Sequence[str], *, due_by: date) -> list[AwaitingRecords]:
        """Agencies whose records deadline (under `rules`) is open and falls on or before `due_by`, and
        that have not answered about their records: open cases only, by act_by then reference. Reads the
        open deadlines through the (state, act_by) index: its cost follows what is due, not open cases."""
        rows = s.execute(
            select(DeadlineRow.case_id, CaseRow.reference, DeadlineRow.act_by, DeadlineRow.agency_id)
            .join(CaseRow, CaseRow.id == DeadlineRow.case_id)
            .join(
                AgencyConfirmationRow,
                and_(
                    AgencyConfirmationRow.case_id == DeadlineRow.case_id,
                    AgencyConfirmationRow.agency_id == DeadlineRow.agency_id,
                ),
            )
            .where(
                DeadlineRow.state == DeadlineState.OPEN.value,
                DeadlineRow.act_by <= due_by,
                DeadlineRow.rule_id.in_(list(rules)),
                DeadlineRow.board_id == self.board.id,
                CaseRow.status != CaseStatus.CLOSED.value,
                AgencyConfirmationRow.records == RecordsState.NOT_YET.value,
            )
            .order_by(DeadlineRow.act_by, CaseRow.reference, DeadlineRow.agency_id)
        )
        return [AwaitingRecords(*row) for row in rows]

    def next_deadline(self, s: Session, case_id: str) -> tuple[str, date] | None:
        """(rule, act_by) of the case's next open deadline to chase, if any."""
        found = s.execute(
            select(DeadlineRow.rule_id, DeadlineRow.act_by)
            .where(
                DeadlineRow.case_id == case_id,
                DeadlineRow.state == DeadlineState.OPEN.value,
                DeadlineRow.minimum_period.is_(False),
            )
            .order_by(DeadlineRow.act_by, DeadlineRow.rule_id)
            .limit(1)
        ).one_or_none()
        return None if found is None else (found[0], found[1])

    def request_sent_at(self, s: Session, case_id: str, agency_id: str) -> datetime | None:
        """When the request to secure records went to this agency about this case (None: not yet, or never)."""
        return s.scalar(_REQUEST_SENT_AT, {"board_id": self.board.id, "case_id": case_id, "agency_id": agency_id})

    def case_id_of(self, s: Session, reference: str) -> str | None:
        return s.scalar(_CASE_ID_OF, {"board_id": self.board.id, "reference": reference.upper()})

    def rules_pack_of(self, s: Session, case_id: str) -> str | None:
        """The rules pack a case was opened under (no personal data)."""
        return s.scalar(select(CaseRow.rules_pack).where(CaseRow.id == case_id))

    def open_deadlines(self, s: Session) -> list[OpenDeadline]:
        """Every open deadline of the board's open cases (for the calendar feed): no personal data."""
        rows = s.execute(
            select(
                DeadlineRow.id,
                CaseRow.reference,
                DeadlineRow.rule_id,
                DeadlineRow.agency_id,
                DeadlineRow.action,
                DeadlineRow.due,
                DeadlineRow.act_by,
                DeadlineRow.limit_text,
                DeadlineRow.source,
                DeadlineRow.occurrence,
            )
            .join(CaseRow, CaseRow.id == DeadlineRow.case_id)
            .where(
                CaseRow.board_id == self.board.id,
                CaseRow.status != CaseStatus.CLOSED.value,
                DeadlineRow.state == DeadlineState.OPEN.value,
            )
            .order_by(DeadlineRow.act_by, CaseRow.reference, DeadlineRow.rule_id, DeadlineRow.agency_id)
        )
        return [OpenDeadline(*cast(tuple[Any, ...], row)) for row in rows]

    def count(self, s: Session) -> int:
        return int(s.scalar(select(func.count()).select_from(CaseRow).where(CaseRow.board_id == self.board.id)) or 0)
