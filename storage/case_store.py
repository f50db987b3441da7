"""The case repository: files referrals, records events and decisions, keeps deadlines in step with their
triggers, and tracks agency confirmations. Every change and every read of personal data is audited.

Each public method runs in its own transaction, or inside the caller's when `session` is given (so that,
for instance, storing an inbound email and recording what it confirmed commit together).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from cases.actor import Actor, PermissionDenied
from cases.answers import Answer
from cases.board import BoardConfig
from cases.calendar import WorkingCalendar, local_date
from cases.case import AgencyConfirmation, Case, Deadline, DeadlineState, Decision, Involvement
from cases.domain_events import (
    AgencyConfirmed,
    CaseEventRecorded,
    DecisionRecorded,
    DomainEvent,
    ReferralFiled,
    StatusChanged,
)
from cases.events import CaseEvent, CaseStatus, Outcome, can_move
from cases.problems import InvalidInput
from cases.reference import format_reference
from cases.referral import Referral
from cases.rules import Fact, RulesPack
from cases.status import Rag, rag, worst
from cases.timeline import AgencyScope, ComputedDeadline, DeadlineKey, EventRecord, compute_deadlines, reconcile
from errors import BadInput, Conflict, NotFound
from storage import case_codec
from storage.audit import AuditLog
from storage.blind_index import child_index
from storage.case_codec import Codec
from storage.db import transaction
from storage.tables import (
    AgencyConfirmationRow,
    CaseCounterRow,
    CaseEventRow,
    CaseRow,
    DeadlineRow,
    DecisionRow,
)
from storage.tables.base import new_id, table_of

# Built once: run on every confirmation and case change (building the expression costs more than running it).
_CASE_BY_REFERENCE = select(CaseRow).where(
    CaseRow.board_id == bindparam("board_id"), CaseRow.reference == bindparam("reference")
)
_CASE_BY_REFERENCE_LOCKED = _CASE_BY_REFERENCE.with_for_update()
_CONFIRMATION = select(AgencyConfirmationRow).where(
    AgencyConfirmationRow.case_id == bindparam("case_id"), AgencyConfirmationRow.agency_id == bindparam("agency_id")
)
_AGENCY_DEADLINES = (
    select(DeadlineRow)
    .where(DeadlineRow.case_id == bindparam("case_id"), DeadlineRow.agency_id == bindparam("agency_id"))
    .order_by(DeadlineRow.occurrence)
)


class CaseNotFound(NotFound):
    def __init__(self, reference: str) -> None:
        super().__init__(f"no case {reference}")
        self.reference = reference


class InvalidTransition(Conflict):
    pass


# Called inside the transaction that made the change; may only write rows through the given session.
CaseListener = Callable[[Session, DomainEvent], None]


@dataclass(frozen=True)
class NewCase:
    """What is known about a case while it is being created."""

    events: dict[CaseEvent, EventRecord]
    agencies: tuple[str, ...]


@dataclass(frozen=True)
class FiledReferral:
    case_id: str
    reference: str
    possible_duplicates: list[str]
    deadlines: list[Deadline]


@dataclass(frozen=True)
class CaseSummary:
    """What may be shown anywhere a case is listed: no personal data."""

    reference: str
    status: CaseStatus
    created_at: datetime
    outcome: Outcome | None
    next_deadline: Deadline | None
    rag: Rag
    agencies_not_confirmed: list[str]
    open_deadlines: int


class CaseStore:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        board: BoardConfig,
        pack: RulesPack,
        codec: Codec,
        index_key: bytes,
        audit: AuditLog,
        calendar: WorkingCalendar,
        pack_for: Callable[[str], RulesPack] | None = None,
    ) -> None:
        self.sessions = sessions
        self.board = board
        self.pack = pack
        self.codec = codec
        self.audit = audit
        self.calendar = calendar
        self._index_key = index_key
        self._pack_for = pack_for
        self._listeners: list[CaseListener] = []

    def subscribe(self, listener: CaseListener) -> None:
        """React to case changes in the same transaction (see cases.domain_events)."""
        self._listeners.append(listener)

    def _publish(self, s: Session, event: DomainEvent) -> None:
        for listener in self._listeners:
            listener(s, event)

    def record_refusal(
        self, reference: str, *, actor: Actor, now: datetime, attempted: str, session: Session | None = None
    ) -> None:
        """Audit an attempt the actor was not allowed to make (e.g. a business-unit button in Slack)."""
        with self._tx(session) as s:
            self.audit.append(
                s,
                at=now,
                actor=actor.id,
                action="access.refused",
                case_ref=reference.upper(),
                detail={"attempted": attempted},
            )

    # --- plumbing ------------------------------------------------------------------------------------

    def _tx(self, session: Session | None) -> AbstractContextManager[Session]:
        return transaction(self.sessions, session)

    def _pack_of(self, row: CaseRow) -> RulesPack:
        if row.rules_pack == self.pack.id or self._pack_for is None:
            return self.pack
        return self._pack_for(row.rules_pack)

    def _case_row(self, s: Session, reference: str, *, lock: bool = False) -> CaseRow:
        query = _CASE_BY_REFERENCE_LOCKED if lock else _CASE_BY_REFERENCE
        row = s.scalars(query, {"board_id": self.board.id, "reference": reference.upper()}).one_or_none()
        if row is None:
            raise CaseNotFound(reference)
        return row

    def _next_reference(self, s: Session, year: int) -> str:
        counters = table_of(CaseCounterRow)
        for _ in range(5):
            number = s.execute(
                update(counters)
                .where(counters.c.board_id == self.board.id, counters.c.year == year)
                .values(last_number=counters.c.last_number + 1)
                .returning(counters.c.last_number)
            ).scalar_one_or_none()
            if number is not None:
                return format_reference(year, number)
            try:
                with s.begin_nested():
                    s.execute(insert(counters).values(board_id=self.board.id, year=year, last_number=1))
                return format_reference(year, 1)
            except IntegrityError:
                continue  # another process created the counter first: bump it instead
        raise RuntimeError("could not allocate a case reference")

    # --- filing --------------------------------------------------------------------------------------

    def file_referral(
        self, referral: Referral, *, actor: Actor, now: datetime, session: Session | None = None
    ) -> FiledReferral:
        """Create the case, its agency confirmations and deadlines; flag a possible duplicate."""
        with self._tx(session) as s:
            reference = self._next_reference(s, local_date(now).year)
            row = CaseRow(
                id=new_id(),
                board_id=self.board.id,
                reference=reference,
                status=CaseStatus.REFERRED.value,
                rules_pack=self.pack.id,
                filed_by=actor.id,
                created_at=now,
                updated_at=now,
            )
            row.referral_enc = self.codec.seal_referral(row.id, referral)
            row.child_index = child_index(
                self._index_key,
                last_name=referral.child.last_name,
                forenames=referral.child.forenames,
                date_of_birth=referral.child.date_of_birth,
            )
            duplicates: list[str] = []
            if row.child_index is not None:
                duplicates = list(
                    s.scalars(
                        select(CaseRow.reference)
                        .where(CaseRow.board_id == self.board.id, CaseRow.child_index == row.child_index)
                        .order_by(CaseRow.reference)
                    )
                )
            s.add(row)
            s.flush()  # the case row first: its children reference it
            agencies = self.board.subgroup_agencies()
            events = {CaseEvent.REFERRAL_RECEIVED: EventRecord(referral.referral_date)}
            if referral.la_aware_date is not None:
                events[CaseEvent.INCIDENT_AWARE] = EventRecord(referral.la_aware_date)
            if agencies:
                s.execute(
                    insert(table_of(AgencyConfirmationRow)),
                    [
                        {
                            "id": new_id(),
                            "board_id": self.board.id,
                            "case_id": row.id,
                            "agency_id": agency.id,
                            "involvement": Involvement.UNKNOWN.value,
                            "records_secured": False,
                            "updated_at": now,
                        }
                        for agency in agencies
                    ],
                )
            put = self._put_event
            put(s, row, CaseEvent.REFERRAL_RECEIVED, referral.referral_date, actor=actor, now=now, new_case=True)
            if referral.la_aware_date is not None:
                put(s, row, CaseEvent.INCIDENT_AWARE, referral.la_aware_date, actor=actor, now=now, new_case=True)
            computed = self._recompute(
                s,
                row,
                now,
                referral=referral,
                new_case=NewCase(events, tuple(sorted(a.id for a in agencies))),
            )
            self.audit.append(
                s,
                at=now,
                actor=actor.id,
                action="referral.filed",
                case_ref=reference,
                detail={"possible_duplicates": duplicates, "rules_pack": self.pack.id},
            )
            self._publish(s, ReferralFiled(self.board.id, row.id, reference, now, tuple(duplicates)))
            deadlines = [Deadline(c, DeadlineState.OPEN) for c in computed]
            deadlines.sort(key=lambda d: (d.computed.act_by, d.computed.rule, d.computed.agency or ""))
            return FiledReferral(row.id, reference, duplicates, deadlines)

    # --- reading -------------------------------------------------------------------------------------

    def get_case(
        self, reference: str, *, actor: Actor, now: datetime, purpose: str = "view", session: Session | None = None
    ) -> Case:
        """The whole case, personal data included. Refused unless the actor may see it; audited either way."""
        refused = ""
        with self._tx(session) as s:
            row = self._case_row(s, reference)
            if actor.can_view_case(row.filed_by):
                self.audit.append(
                    s, at=now, actor=actor.id, action="case.viewed", case_ref=row.reference, detail={"purpose": purpose}
                )
                return self._load(s, row)
            # The refusal is recorded and committed before it is raised (raising inside would roll it back).
            self.audit.append(
                s,
                at=now,
                actor=actor.id,
                action="case.access_refused",
                case_ref=row.reference,
                detail={"purpose": purpose},
            )
            refused = row.reference
        raise PermissionDenied(f"you do not have access to case {refused}")

    def _load(self, s: Session, row: CaseRow) -> Case:
        decision_row = s.scalars(select(DecisionRow).where(DecisionRow.case_id == row.id)).one_or_none()
        event_rows = list(s.scalars(select(CaseEventRow).where(CaseEventRow.case_id == row.id)))
        confirmations = s.scalars(
            select(AgencyConfirmationRow)
            .where(AgencyConfirmationRow.case_id == row.id)
            .order_by(AgencyConfirmationRow.agency_id)
        )
        duplicates: list[str] = []
        if row.child_index is not None:
            duplicates = list(
                s.scalars(
                    select(CaseRow.reference)
                    .where(
                        CaseRow.board_id == self.board.id,
                        CaseRow.child_index == row.child_index,
                        CaseRow.id != row.id,
                    )
                    .order_by(CaseRow.reference)
                )
            )
        return Case(
            id=row.id,
            board_id=row.board_id,
            reference=row.reference,
            status=CaseStatus(row.status),
            rules_pack=row.rules_pack,
            created_at=row.created_at,
            filed_by=row.filed_by,
            referral=self.codec.open_referral(row),
            decision=self.codec.decision(decision_row) if decision_row else None,
            events=case_codec.events_of(event_rows),
            deadlines=self._deadlines(s, row.id),
            confirmations=[self.codec.confirmation(c) for c in confirmations],
            possible_duplicates=duplicates,
            closed_at=row.closed_at,
            purged_at=row.purged_at,
        )

    def _deadlines(self, s: Session, case_id: str) -> list[Deadline]:
        rows = s.scalars(select(DeadlineRow).where(DeadlineRow.case_id == case_id))
        pack_order = {r.id: i for i, r in enumerate(self.pack.rules)}
        deadlines = [case_codec.deadline(r) for r in rows]
        deadlines.sort(key=lambda d: (d.computed.act_by, pack_order.get(d.computed.rule, 99), d.computed.agency or ""))
        return deadlines

    def lock_case(self, reference: str, *, session: Session) -> None:
        """Take the case's row lock in the caller's transaction. Locks are always taken in the order case
        row, then outbox rows, then the audit anchor; a caller that will touch a case after other rows takes
        this first, so two transactions can never wait on each other."""
        self._case_row(session, reference, lock=True)

    def status_of(self, reference: str, *, session: Session | None = None) -> tuple[str, CaseStatus, str]:
        """(case id, status, filed_by) without touching personal data."""
        with self._tx(session) as s:
            row = self._case_row(s, reference)
            return row.id, CaseStatus(row.status), row.filed_by

    def list_cases(
        self,
        *,
        today: date,
        actor: Actor | None = None,
        include_closed: bool = False,
        session: Session | None = None,
    ) -> list[CaseSummary]:
        """Cases with status and next deadline; no personal data, so not an audited read."""
        with self._tx(session) as s:
            query = select(CaseRow).where(CaseRow.board_id == self.board.id)
            if not include_closed:
                query = query.where(CaseRow.status != CaseStatus.CLOSED.value)
            if actor is not None and not actor.is_staff:
                query = query.where(CaseRow.filed_by == actor.id)
            rows = list(s.scalars(query.order_by(CaseRow.reference)))
            ids = [r.id for r in rows]
            open_by_case: dict[str, list[Deadline]] = {i: [] for i in ids}
            outstanding: dict[str, list[str]] = {i: [] for i in ids}
            outcomes: dict[str, str] = {}
            for chunk_start in range(0, len(ids), 500):
                chunk = ids[chunk_start : chunk_start + 500]
                for d in s.scalars(
                    select(DeadlineRow).where(DeadlineRow.case_id.in_(chunk), DeadlineRow.state == "open")
                ):
                    open_by_case[d.case_id].append(case_codec.deadline(d))
                for c in s.execute(
                    select(AgencyConfirmationRow.case_id, AgencyConfirmationRow.agency_id)
                    .where(AgencyConfirmationRow.case_id.in_(chunk), AgencyConfirmationRow.records_secured.is_(False))
                    .order_by(AgencyConfirmationRow.agency_id)
                ):
                    outstanding[c.case_id].append(c.agency_id)
                for case_id, outcome in s.execute(
                    select(DecisionRow.case_id, DecisionRow.outcome).where(DecisionRow.case_id.in_(chunk))
                ):
                    outcomes[case_id] = outcome
            summaries = []
            for row in rows:
                chaseable = [d for d in open_by_case[row.id] if not d.computed.minimum_period]
                chaseable.sort(key=lambda d: d.computed.act_by)
                statuses = [
                    rag(d, today, self.calendar, amber_working_days=self.board.amber_working_days) for d in chaseable
                ]
                summaries.append(
                    CaseSummary(
                        reference=row.reference,
                        status=CaseStatus(row.status),
                        created_at=row.created_at,
                        outcome=Outcome(outcomes[row.id]) if row.id in outcomes else None,
                        next_deadline=chaseable[0] if chaseable else None,
                        rag=worst(statuses),
                        agencies_not_confirmed=outstanding[row.id],
                        open_deadlines=len(open_by_case[row.id]),
                    )
                )
            return summaries

    def count_cases(self, *, session: Session | None = None) -> int:
        with self._tx(session) as s:
            return int(
                s.scalar(select(func.count()).select_from(CaseRow).where(CaseRow.board_id == self.board.id)) or 0
            )

    # --- events, decisions, lifecycle ----------------------------------------------------------------

    def _put_event(
        self,
        s: Session,
        row: CaseRow,
        event: CaseEvent,
        on: date,
        *,
        actor: Actor,
        now: datetime,
        outcome: Outcome | None = None,
        new_due: date | None = None,
        new_case: bool = False,
    ) -> None:
        existing = None
        if not new_case:
            existing = s.scalars(
                select(CaseEventRow).where(CaseEventRow.case_id == row.id, CaseEventRow.event == event.value)
            ).one_or_none()
        if existing is None:
            existing = CaseEventRow(id=new_id(), board_id=row.board_id, case_id=row.id, event=event.value)
            s.add(existing)
        existing.occurred_on = on
        existing.outcome = outcome.value if outcome else None
        existing.new_due = new_due
        existing.recorded_at = now
        existing.recorded_by = actor.id

    def record_event(
        self,
        reference: str,
        event: CaseEvent,
        on: date,
        *,
        actor: Actor,
        now: datetime,
        new_due: date | None = None,
        session: Session | None = None,
    ) -> list[Deadline]:
        """Record (or correct the date of) a clock-starting event; dependent deadlines are recomputed."""
        if event is CaseEvent.DECISION_MADE:
            raise BadInput("record a decision with record_decision (it needs the outcome)", field="event")
        if event is CaseEvent.REVIEW_EXTENDED and new_due is None:
            raise BadInput("an extension needs the new completion date (003 §4.1)", field="new_due")
        if not actor.is_staff:
            raise PermissionDenied("only the business unit can record case events")
        with self._tx(session) as s:
            row = self._case_row(s, reference, lock=True)
            self._require_open(row)
            self._put_event(s, row, event, on, actor=actor, now=now, new_due=new_due)
            if event is CaseEvent.SUBGROUP_MEETING_SCHEDULED:
                if row.status == CaseStatus.REFERRED.value:
                    row.status = CaseStatus.UNDER_CONSIDERATION.value
                if on <= local_date(now):
                    self._mark(s, row, "subgroup_meeting", None, DeadlineState.MET, on, now)
            if event is CaseEvent.REPORT_PUBLISHED and row.status == CaseStatus.REPORT_APPROVED.value:
                row.status = CaseStatus.PUBLISHED.value
            row.updated_at = now
            s.flush()
            self._recompute(s, row, now)
            self.audit.append(
                s,
                at=now,
                actor=actor.id,
                action="event.recorded",
                case_ref=row.reference,
                detail={"event": event.value, "on": on, "new_due": new_due},
            )
            self._publish(s, CaseEventRecorded(self.board.id, row.id, row.reference, now, event, on, new_due))
            return self._deadlines(s, row.id)

    def record_decision(
        self, reference: str, decision: Decision, *, actor: Actor, now: datetime, session: Session | None = None
    ) -> list[Deadline]:
        """Record the board's decision (never made by the bot) and start the clocks it starts."""
        if not actor.can_record_decision(self.board.decision_maker):
            raise PermissionDenied(
                "only the chair can record the decision"
                if self.board.decision_maker == "chair"
                else "only the business unit can record the decision"
            )
        with self._tx(session) as s:
            row = self._case_row(s, reference, lock=True)
            self._require_open(row)
            if row.status not in {
                CaseStatus.REFERRED.value,
                CaseStatus.UNDER_CONSIDERATION.value,
                CaseStatus.DECIDED.value,
            }:
                raise InvalidTransition(
                    f"case {row.reference} is {row.status}; a decision can only be recorded before the review starts"
                )
            received = s.scalars(
                select(CaseEventRow.occurred_on).where(
                    CaseEventRow.case_id == row.id, CaseEventRow.event == CaseEvent.REFERRAL_RECEIVED.value
                )
            ).one()
            problems = decision.date_problems(referral_received=received, today=local_date(now))
            if problems:
                raise InvalidInput(problems)
            decision_row = s.scalars(select(DecisionRow).where(DecisionRow.case_id == row.id)).one_or_none()
            revised = decision_row is not None
            if decision_row is None:
                decision_row = DecisionRow(id=new_id(), board_id=row.board_id, case_id=row.id)
                s.add(decision_row)
            self.codec.fill_decision(decision_row, decision)
            decision_row.recorded_at = now
            decision_row.recorded_by = actor.id
            self._put_event(
                s, row, CaseEvent.DECISION_MADE, decision.decided_on, actor=actor, now=now, outcome=decision.outcome
            )
            row.status = CaseStatus.DECIDED.value
            row.updated_at = now
            s.flush()
            self._recompute(s, row, now)
            self._mark(s, row, "chair_decision", None, DeadlineState.MET, decision.decided_on, now)
            meeting = s.scalars(
                select(CaseEventRow).where(
                    CaseEventRow.case_id == row.id,
                    CaseEventRow.event == CaseEvent.SUBGROUP_MEETING_SCHEDULED.value,
                )
            ).one_or_none()
            if meeting is not None and meeting.occurred_on <= decision.decided_on:
                self._mark(s, row, "subgroup_meeting", None, DeadlineState.MET, meeting.occurred_on, now)
            self.audit.append(
                s,
                at=now,
                actor=actor.id,
                action="decision.revised" if revised else "decision.recorded",
                case_ref=row.reference,
                detail={"outcome": decision.outcome.value, "decided_on": decision.decided_on},
            )
            self._publish(
                s,
                DecisionRecorded(
                    self.board.id, row.id, row.reference, now, decision.outcome, decision.decided_on, revised
                ),
            )
            return self._deadlines(s, row.id)

    def move_status(
        self, reference: str, target: CaseStatus, *, actor: Actor, now: datetime, session: Session | None = None
    ) -> None:
        if not actor.is_staff:
            raise PermissionDenied("only the business unit can move a case on")
        with self._tx(session) as s:
            row = self._case_row(s, reference, lock=True)
            current = CaseStatus(row.status)
            if not can_move(current, target):
                raise InvalidTransition(f"case {row.reference} cannot move from {current.value} to {target.value}")
            row.status = target.value
            row.updated_at = now
            if target is CaseStatus.CLOSED:
                row.closed_at = now
                for d in s.scalars(
                    select(DeadlineRow).where(DeadlineRow.case_id == row.id, DeadlineRow.state == "open")
                ):
                    d.state = DeadlineState.CANCELLED.value
                    d.updated_at = now
            self.audit.append(
                s,
                at=now,
                actor=actor.id,
                action="case.status",
                case_ref=row.reference,
                detail={"from": current.value, "to": target.value},
            )
            self._publish(s, StatusChanged(self.board.id, row.id, row.reference, now, current, target))

    def _require_open(self, row: CaseRow) -> None:
        if row.status == CaseStatus.CLOSED.value:
            raise InvalidTransition(f"case {row.reference} is closed")

    # --- deadlines -----------------------------------------------------------------------------------

    def mark_deadline(
        self,
        reference: str,
        rule: str,
        *,
        actor: Actor,
        now: datetime,
        on: date,
        agency: str | None = None,
        state: DeadlineState = DeadlineState.MET,
        session: Session | None = None,
    ) -> Deadline:
        """Mark a deadline met (on a date) or not applicable; per-agency rules need the agency."""
        if state not in {DeadlineState.MET, DeadlineState.NOT_APPLICABLE, DeadlineState.OPEN}:
            raise BadInput("a deadline can be marked met, not_applicable or open again", field="state")
        if not actor.is_staff and not actor.id.startswith("mail:"):
            raise PermissionDenied("only the business unit can mark deadlines")
        with self._tx(session) as s:
            row = self._case_row(s, reference, lock=True)
            marked = self._mark(s, row, rule, agency, state, on, now)
            if marked is None:
                raise NotFound(
                    f"case {row.reference} has no deadline {rule}" + (f" for agency {agency}" if agency else "")
                )
            self.audit.append(
                s,
                at=now,
                actor=actor.id,
                action="deadline.marked",
                case_ref=row.reference,
                detail={"rule": rule, "agency": agency, "state": state.value, "on": on},
            )
            return case_codec.deadline(marked)

    def _mark(
        self,
        s: Session,
        row: CaseRow,
        rule: str,
        agency: str | None,
        state: DeadlineState,
        on: date,
        now: datetime,
        *,
        among: list[DeadlineRow] | None = None,
    ) -> DeadlineRow | None:
        """`among`: the case's deadlines for this agency already loaded (in occurrence order), to save a query."""
        if among is None:
            query = select(DeadlineRow).where(DeadlineRow.case_id == row.id, DeadlineRow.rule_id == rule)
            if agency is not None:
                query = query.where(DeadlineRow.agency_id == agency)
            among = list(s.scalars(query.order_by(DeadlineRow.occurrence)))
        rows = [d for d in among if d.rule_id == rule and d.state != "cancelled"]
        if not rows:
            return None
        if agency is None and len({d.agency_id for d in rows}) > 1:
            raise BadInput(f"{rule} is per agency: say which agency", field="agency")
        # Recurring duties: mark the earliest still open.
        target = next((d for d in rows if d.state == "open"), rows[-1])
        target.state = state.value
        target.met_on = on if state is not DeadlineState.OPEN else None
        target.updated_at = now
        return target

    def _recompute(
        self,
        s: Session,
        row: CaseRow,
        now: datetime,
        *,
        referral: Referral | None = None,
        new_case: NewCase | None = None,
    ) -> list[ComputedDeadline]:
        """Bring stored deadlines in line with the case's events: add, re-date, cancel; keep what is met.
        Returns the deadlines that now apply. For a case being created, `new_case` says what is known
        (its events and agencies; nothing stored yet), which saves the reads."""
        if row.status == CaseStatus.CLOSED.value:
            return []
        if new_case is not None:
            events = dict(new_case.events)
        else:
            events = case_codec.events_of(list(s.scalars(select(CaseEventRow).where(CaseEventRow.case_id == row.id))))
        if referral is None:
            referral = self.codec.open_referral(row)
        facts: dict[Fact, Answer] = {}
        if referral is not None:
            facts = {
                Fact.LEARNING_DISABILITY: referral.learning_disability,
                Fact.CHILD_DIED: referral.criteria.child_died,
            }
        if new_case is not None:
            scope = AgencyScope(subgroup=new_case.agencies, involved=new_case.agencies)
        else:
            confirmations = list(
                s.scalars(select(AgencyConfirmationRow).where(AgencyConfirmationRow.case_id == row.id))
            )
            scope = AgencyScope(
                subgroup=tuple(sorted(c.agency_id for c in confirmations)),
                involved=tuple(
                    sorted(c.agency_id for c in confirmations if c.involvement != Involvement.NOT_KNOWN.value)
                ),
            )
        computed = compute_deadlines(self._pack_of(row), events, self.calendar, facts=facts, agencies=scope)
        stored: dict[DeadlineKey, DeadlineRow] = {}
        if new_case is None:
            stored = {
                DeadlineKey(d.rule_id, d.agency_id or None, d.occurrence): d
                for d in s.scalars(select(DeadlineRow).where(DeadlineRow.case_id == row.id))
            }
        plan = reconcile({k: (d.trigger_date, d.due, d.act_by) for k, d in stored.items()}, computed)
        if plan.added:
            # One executemany: a new case adds a few dozen deadlines, and the ORM's per-object work
            # would dominate filing time.
            s.execute(
                insert(table_of(DeadlineRow)),
                [
                    {
                        "id": new_id(),
                        "board_id": row.board_id,
                        "case_id": row.id,
                        "state": DeadlineState.OPEN.value,
                        "met_on": None,
                        **case_codec.deadline_values(c, now),
                    }
                    for c in plan.added
                ],
            )
        for c in plan.changed:
            case_codec.fill_deadline(stored[c.key], c, now)
        # A deadline that applies again (e.g. a corrected outcome) reopens; met ones stay met.
        for key in [*(c.key for c in plan.changed), *plan.unchanged]:
            if stored[key].state == DeadlineState.CANCELLED.value:
                stored[key].state = DeadlineState.OPEN.value
                stored[key].updated_at = now
        for key in plan.cancelled:
            if stored[key].state == DeadlineState.OPEN.value:
                stored[key].state = DeadlineState.CANCELLED.value
                stored[key].updated_at = now
        return computed

    def _involvement_counts(self, s: Session, row: CaseRow) -> bool:
        """Whether any deadline of the case depends on which agencies are involved: only a rule "per
        involved agency" whose starting event has happened (before the decision, typically none has)."""
        starts = {r.starts_on.value for r in self._pack_of(row).rules if r.per_agency and r.agencies == "involved"}
        if not starts:
            return False
        found = s.scalar(
            select(CaseEventRow.id)
            .where(CaseEventRow.case_id == row.id, CaseEventRow.event.in_(sorted(starts)))
            .limit(1)
        )
        return found is not None

    # --- agencies ------------------------------------------------------------------------------------

    def _confirmation_row(self, s: Session, case_row: CaseRow, agency_id: str) -> AgencyConfirmationRow:
        row = s.scalars(_CONFIRMATION, {"case_id": case_row.id, "agency_id": agency_id}).one_or_none()
        if row is None:
            raise NotFound(f"agency {agency_id} is not asked about case {case_row.reference}")
        return row

    def mark_request_sent(
        self, reference: str, agency_id: str, *, at: datetime, actor: Actor, session: Session | None = None
    ) -> None:
        with self._tx(session) as s:
            case_row = self._case_row(s, reference)
            row = self._confirmation_row(s, case_row, agency_id)
            row.request_sent_at = at
            row.updated_at = at
            self.audit.append(
                s,
                at=at,
                actor=actor.id,
                action="agency.request_sent",
                case_ref=case_row.reference,
                detail={"agency": agency_id},
            )

    def confirm_agency(
        self,
        reference: str,
        agency_id: str,
        *,
        actor: Actor,
        now: datetime,
        involvement: Involvement | None = None,
        involvement_detail: str = "",
        records_secured: bool | None = None,
        secured_on: date | None = None,
        secured_by: str = "",
        evidence: str = "",
        session: Session | None = None,
    ) -> AgencyConfirmation:
        """Record what an agency has confirmed; meets its records_secured / involvement deadlines."""
        if not actor.is_staff and actor.id != f"mail:{agency_id}":
            raise PermissionDenied("only the business unit, or the agency itself by email, can confirm for an agency")
        with self._tx(session) as s:
            case_row = self._case_row(s, reference, lock=True)
            row = self._confirmation_row(s, case_row, agency_id)
            table = "agency_confirmations"
            changed: dict[str, object] = {}
            today = local_date(now)
            answers_involvement = involvement is not None and involvement is not Involvement.UNKNOWN
            # Deadlines depend on an agency's answer only through whether it counts as involved (an agency
            # that has not answered does, timeline.AgencyScope): only a change of that re-computes them.
            was_involved = row.involvement != Involvement.NOT_KNOWN.value
            # The agency's own deadlines (involvement check, records secured), read once for both marks.
            among = (
                list(s.scalars(_AGENCY_DEADLINES, {"case_id": case_row.id, "agency_id": agency_id}))
                if answers_involvement or records_secured
                else []
            )
            # One flush below for everything changed here, not one before each read.
            with s.no_autoflush:
                if involvement is not None and answers_involvement:
                    row.involvement = involvement.value
                    row.involvement_detail_enc = self.codec.seal_text(
                        table, "involvement_detail_enc", row.id, involvement_detail
                    )
                    changed["involvement"] = involvement.value
                    self._mark(
                        s, case_row, "agency_involvement_check", agency_id, DeadlineState.MET, today, now, among=among
                    )
                if records_secured is not None:
                    row.records_secured = records_secured
                    row.secured_on = (secured_on or today) if records_secured else None
                    row.secured_by_enc = self.codec.seal_text(table, "secured_by_enc", row.id, secured_by)
                    changed["records_secured"] = records_secured
                    if records_secured:
                        on = row.secured_on or today
                        self._mark(s, case_row, "records_secured", agency_id, DeadlineState.MET, on, now, among=among)
                if evidence:
                    row.evidence_enc = self.codec.seal_text(table, "evidence_enc", row.id, evidence)
                row.updated_at = now
            s.flush()
            if (
                "involvement" in changed
                and (row.involvement != Involvement.NOT_KNOWN.value) != was_involved
                and self._involvement_counts(s, case_row)
            ):
                self._recompute(s, case_row, now)
            self.audit.append(
                s,
                at=now,
                actor=actor.id,
                action="agency.confirmation",
                case_ref=case_row.reference,
                detail={"agency": agency_id, **changed},
            )
            self._publish(
                s,
                AgencyConfirmed(
                    self.board.id,
                    case_row.id,
                    case_row.reference,
                    now,
                    agency_id,
                    row.records_secured,
                    Involvement(row.involvement),
                ),
            )
            return self.codec.confirmation(row)

    def add_agency(
        self, reference: str, agency_id: str, *, actor: Actor, now: datetime, session: Session | None = None
    ) -> None:
        """Ask one more configured agency about a case (e.g. one the sub-group identifies later)."""
        if not actor.is_staff:
            raise PermissionDenied("only the business unit can add agencies to a case")
        self.board.agency(agency_id)  # KeyError for an agency not in the board config
        with self._tx(session) as s:
            row = self._case_row(s, reference, lock=True)
            s.add(
                AgencyConfirmationRow(
                    id=new_id(), board_id=row.board_id, case_id=row.id, agency_id=agency_id, updated_at=now
                )
            )
            s.flush()
            self._recompute(s, row, now)
            self.audit.append(
                s, at=now, actor=actor.id, action="agency.added", case_ref=row.reference, detail={"agency": agency_id}
            )
