"""The case repository: loads what the case rules need, lets them decide (cases/apply.py), writes what they
decided, audits it and publishes the domain events, all in one transaction. Every read of personal data is
audited too.

Each public method runs in its own transaction, or inside the caller's when `session` is given (so that,
for instance, storing an inbound email and recording what it confirmed commit together).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, sessionmaker

from cases.actor import SYSTEM, Actor, PermissionDenied
from cases.apply import InvalidTransition, apply, needs
from cases.board import BoardConfig
from cases.calendar import WorkingCalendar
from cases.case import AgencyConfirmation, Case, Deadline, DeadlineState, Decision, Involvement, RecordsState
from cases.changes import Changes
from cases.commands import (
    AddAgency,
    Command,
    ConfirmAgency,
    MarkDeadline,
    MarkRequestSent,
    MoveStatus,
    RecomputeDeadlines,
    RecordCost,
    RecordDecision,
    RecordEvent,
    Stepped,
)
from cases.costs import CostEntry, CostKind
from cases.domain_events import DomainEvent
from cases.events import CaseEvent, CaseStatus
from cases.permissions import may_view_case
from cases.referral import Referral
from cases.rules import RulesPack
from errors import NotFound
from storage import case_codec
from storage.audit import AuditLog
from storage.case_codec import Codec
from storage.case_filing import CaseFiling, FiledReferral
from storage.case_reads import CaseReads, CaseSummary, deadlines_of, whole_case
from storage.case_snapshots import CaseRows, LoadedCase
from storage.db import transaction
from storage.tables import CaseRow

__all__ = ["CaseListener", "CaseNotFound", "CaseStore", "CaseSummary", "FiledReferral", "InvalidTransition"]

# Built once: run on every confirmation and case change (building the expression costs more than running it).
_CASE_BY_REFERENCE = select(CaseRow).where(
    CaseRow.board_id == bindparam("board_id"), CaseRow.reference == bindparam("reference")
)
_CASE_BY_REFERENCE_LOCKED = _CASE_BY_REFERENCE.with_for_update()


class CaseNotFound(NotFound):
    def __init__(self, reference: str) -> None:
        super().__init__(f"no case {reference}")
        self.reference = reference


# Called inside the transaction that made the change; may only write rows through the given session.
CaseListener = Callable[[Session, DomainEvent], None]


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
        self.reads = CaseReads(board, calendar)
        self.index_key = index_key
        self._pack_for = pack_for
        self.rows = CaseRows(codec, self._pack_of)
        self._listeners: list[CaseListener] = []
        self.filing = CaseFiling(self)

    def subscribe(self, listener: CaseListener) -> None:
        """React to case changes in the same transaction (see cases.domain_events)."""
        self._listeners.append(listener)

    def publish(self, s: Session, event: DomainEvent) -> None:
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
        return self.pack_named(row.rules_pack)

    def pack_named(self, name: str) -> RulesPack:
        """The rules pack a case was filed under (a board may have moved to another since)."""
        if name == self.pack.id or self._pack_for is None:
            return self.pack
        return self._pack_for(name)

    def _case_row(self, s: Session, reference: str, *, lock: bool = False) -> CaseRow:
        query = _CASE_BY_REFERENCE_LOCKED if lock else _CASE_BY_REFERENCE
        row = s.scalars(query, {"board_id": self.board.id, "reference": reference.upper()}).one_or_none()
        if row is None:
            raise CaseNotFound(reference)
        return row

    def decide(self, s: Session, case: LoadedCase, command: Command, *, actor: Actor, now: datetime) -> Changes:
        """Load what the rules need, let them decide, write, audit and publish what they decided."""
        while parts := needs(case.snapshot, command):
            for part in parts:
                self.rows.load(s, case, part)
        changes = apply(case.snapshot, command, actor=actor, board=self.board, calendar=self.calendar, now=now)
        self.rows.write(s, case, changes, actor=actor, now=now)
        self.audit.append(
            s,
            at=now,
            actor=actor.id,
            action=changes.audit.action,
            case_ref=case.row.reference,
            detail=dict(changes.audit.detail),
        )
        for event in changes.published:
            self.publish(s, event)
        return changes

    def _command(
        self, s: Session, reference: str, command: Command, *, actor: Actor, now: datetime, lock: bool = True
    ) -> tuple[LoadedCase, Changes]:
        case = self.rows.start(self._case_row(s, reference, lock=lock))
        return case, self.decide(s, case, command, actor=actor, now=now)

    # --- filing --------------------------------------------------------------------------------------

    def file_referral(
        self, referral: Referral, *, actor: Actor, now: datetime, session: Session | None = None
    ) -> FiledReferral:
        """Create the case, its agency confirmations and deadlines; flag a possible duplicate."""
        with self._tx(session) as s:
            return self.filing.file(s, referral, actor=actor, now=now)

    # --- reading -------------------------------------------------------------------------------------

    def get_case(
        self, reference: str, *, actor: Actor, now: datetime, purpose: str = "view", session: Session | None = None
    ) -> Case:
        """The whole case, personal data included. Refused unless the actor may see it; audited either way."""
        refused = ""
        with self._tx(session) as s:
            row = self._case_row(s, reference)
            if may_view_case(actor, row.filed_by):
                self.audit.append(
                    s, at=now, actor=actor.id, action="case.viewed", case_ref=row.reference, detail={"purpose": purpose}
                )
                return whole_case(s, row, self.codec, self.pack)
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

    def referral_for_sending(self, case_id: str, *, session: Session) -> tuple[str, Referral | None] | None:
        """(reference, referral) of a case, for a message the bot itself sends about it (an agency's request,
        004 §3.7). Not a view: nobody reads it here, and the message that carries it is audited when queued.
        None if there is no such case; the referral is None once purged."""
        row = session.get(CaseRow, case_id)
        return None if row is None else (row.reference, self.codec.open_referral(row))

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
            return self.reads.summaries(s, today=today, actor=actor, include_closed=include_closed)

    def count_cases(self, *, session: Session | None = None) -> int:
        with self._tx(session) as s:
            return self.reads.count(s)

    # --- events, decisions, lifecycle ----------------------------------------------------------------

    def record_event(
        self,
        reference: str,
        event: CaseEvent,
        on: date,
        *,
        actor: Actor,
        now: datetime,
        new_due: date | None = None,
        reason: str = "",
        session: Session | None = None,
    ) -> list[Deadline]:
        """Record (or correct the date of) a clock-starting event; dependent deadlines are recomputed. An
        extension (review_extended) needs its new date and its reason from the board's list."""
        with self._tx(session) as s:
            case, _ = self._command(s, reference, RecordEvent(event, on, new_due, reason), actor=actor, now=now)
            return deadlines_of(s, case.row.id, self.pack)

    def record_decision(
        self, reference: str, decision: Decision, *, actor: Actor, now: datetime, session: Session | None = None
    ) -> list[Deadline]:
        """Record the board's decision (never made by the bot) and start the clocks it starts."""
        with self._tx(session) as s:
            case, _ = self._command(s, reference, RecordDecision(decision), actor=actor, now=now)
            return deadlines_of(s, case.row.id, self.pack)

    def move_status(
        self, reference: str, target: CaseStatus, *, actor: Actor, now: datetime, session: Session | None = None
    ) -> None:
        with self._tx(session) as s:
            self._command(s, reference, MoveStatus(target), actor=actor, now=now)

    def recompute_deadlines(self, reference: str, *, now: datetime, session: Session | None = None) -> None:
        """Bring the stored deadlines in line with the case's events (nothing else changes). The commands
        above do this themselves; this is for checking that they did, or after a pack's limits changed."""
        with self._tx(session) as s:
            self._command(s, reference, RecomputeDeadlines(), actor=SYSTEM, now=now)

    def record_cost(
        self,
        reference: str,
        kind: CostKind,
        *,
        on: date,
        actor: Actor,
        now: datetime,
        amount: Decimal | None = None,
        hours: Decimal | None = None,
        note: str = "",
        session: Session | None = None,
    ) -> CostEntry:
        """Record a cost of the review (an amount, or hours at the board's rate); a note naming the case's
        child or family is refused (cases/cost_rules.py)."""
        with self._tx(session) as s:
            _case, changes = self._command(
                s, reference, RecordCost(kind, on, amount, hours, note), actor=actor, now=now
            )
            assert changes.cost is not None
            return changes.cost

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
        command = MarkDeadline(rule, on, agency, state)
        with self._tx(session) as s:
            case, changes = self._command(s, reference, command, actor=actor, now=now)
            return case_codec.deadline(case.deadlines[changes.marked[0].key])

    def run(
        self, reference: str, command: Stepped, *, actor: Actor, now: datetime, session: Session | None = None
    ) -> list[Deadline]:
        """A review step's effect on the deadlines (a due date given, the deadlines it meets marked), or what was
        done outside the bot (a notification on the national online form, the Panel's response): the deadlines
        it met."""
        with self._tx(session) as s:
            case, changes = self._command(s, reference, command, actor=actor, now=now)
            return [case_codec.deadline(case.deadlines[m.key]) for m in changes.marked]

    # --- agencies ------------------------------------------------------------------------------------

    def mark_request_sent(
        self, reference: str, agency_id: str, *, at: datetime, actor: Actor, session: Session | None = None
    ) -> None:
        with self._tx(session) as s:
            self._command(s, reference, MarkRequestSent(agency_id, at), actor=actor, now=at, lock=False)

    def confirm_agency(
        self,
        reference: str,
        agency_id: str,
        *,
        actor: Actor,
        now: datetime,
        involvement: Involvement | None = None,
        involvement_detail: str = "",
        records: RecordsState | None = None,
        records_secured: bool | None = None,
        secured_on: date | None = None,
        secured_by: str = "",
        evidence: str = "",
        session: Session | None = None,
    ) -> AgencyConfirmation:
        """Record what an agency has confirmed; meets the deadlines its answer meets (the pack's `met_by`).
        `records` says where its records stand; `records_secured` (True: secured, False: not yet) is the
        older way of saying the same. `secured_on`: the date the agency gave (or, for no records held, of
        its answer)."""
        if records is None and records_secured is not None:
            records = RecordsState.SECURED if records_secured else RecordsState.NOT_YET
        command = ConfirmAgency(agency_id, involvement, involvement_detail, records, secured_on, secured_by, evidence)
        with self._tx(session) as s:
            case, _ = self._command(s, reference, command, actor=actor, now=now)
            return self.codec.confirmation(case.confirmations[agency_id])

    def add_agency(
        self, reference: str, agency_id: str, *, actor: Actor, now: datetime, session: Session | None = None
    ) -> None:
        """Ask one more configured agency about a case (e.g. one the sub-group identifies later)."""
        with self._tx(session) as s:
            self._command(s, reference, AddAgency(agency_id), actor=actor, now=now)
