"""A case's rows as the case rules see them (cases/snapshot.py), and the rules' `Changes` written back.

`CaseRows` loads the parts of a case that `cases.apply.needs` asks for, keeping the rows it read so that
writing the changes back touches those rows rather than reading them again. Statements that run on every
agency confirmation are built once (building one costs more than running it on SQLite).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, insert, select
from sqlalchemy.orm import Session, make_transient_to_detached

from cases.actor import Actor
from cases.case import DeadlineState, Involvement, RecordsState
from cases.changes import Changes, NewDeadline
from cases.events import CaseEvent, CaseStatus
from cases.personal_data import CaseFacts
from cases.rules import RulesPack
from cases.snapshot import (
    AGENCIES,
    DEADLINES,
    DECISION,
    EVENTS,
    FACTS,
    PERSONAL_DATA,
    AgencyRecord,
    CaseSnapshot,
    Part,
    StoredDeadline,
    facts_of,
)
from cases.timeline import DeadlineKey, EventRecord
from storage import case_codec
from storage.case_codec import Codec
from storage.tables import (
    AgencyConfirmationRow,
    CaseEventRow,
    CaseRow,
    DeadlineRow,
    DecisionRow,
    ReviewCostRow,
    ReviewExtensionRow,
)
from storage.tables.base import new_id, ordered_id, table_of

_CONFIRMATIONS = table_of(AgencyConfirmationRow)
_DEADLINES = table_of(DeadlineRow)
_INSERT_EVENT = insert(table_of(CaseEventRow))
_INSERT_CONFIRMATIONS = insert(_CONFIRMATIONS)
_INSERT_DEADLINES = insert(_DEADLINES)
_CONFIRMATION = select(AgencyConfirmationRow).where(
    AgencyConfirmationRow.case_id == bindparam("case_id"), AgencyConfirmationRow.agency_id == bindparam("agency_id")
)
_AGENCY_DEADLINES = (
    select(DeadlineRow)
    .where(DeadlineRow.case_id == bindparam("case_id"), DeadlineRow.agency_id == bindparam("agency_id"))
    .order_by(DeadlineRow.occurrence)
)
_RULE_DEADLINES = (
    select(DeadlineRow)
    .where(DeadlineRow.case_id == bindparam("case_id"), DeadlineRow.rule_id == bindparam("rule_id"))
    .order_by(DeadlineRow.occurrence)
)
_CASE_EVENTS = select(CaseEventRow).where(CaseEventRow.case_id == bindparam("case_id"))
_CASE_DEADLINES = select(DeadlineRow).where(DeadlineRow.case_id == bindparam("case_id"))
_CASE_CONFIRMATIONS = select(AgencyConfirmationRow).where(AgencyConfirmationRow.case_id == bindparam("case_id"))
_CASE_DECISION = select(DecisionRow).where(DecisionRow.case_id == bindparam("case_id"))
_CONFIRMATION_TABLE = "agency_confirmations"


def deadline_key(row: DeadlineRow) -> DeadlineKey:
    return DeadlineKey(row.rule_id, row.agency_id or None, row.occurrence)


def stored_deadline(row: DeadlineRow) -> StoredDeadline:
    return StoredDeadline(
        deadline_key(row),
        row.trigger_date,
        row.due,
        row.act_by,
        DeadlineState(row.state),
        row.met_on,
        row.due_given is not None,
    )


def agency_record(row: AgencyConfirmationRow) -> AgencyRecord:
    return AgencyRecord(row.agency_id, Involvement(row.involvement), RecordsState(row.records))


@dataclass
class LoadedCase:
    """A snapshot and the rows behind it."""

    row: CaseRow
    snapshot: CaseSnapshot
    events: dict[CaseEvent, CaseEventRow] = field(default_factory=dict)
    deadlines: dict[DeadlineKey, DeadlineRow] = field(default_factory=dict)
    confirmations: dict[str, AgencyConfirmationRow] = field(default_factory=dict)
    decision: DecisionRow | None = None


class CaseRows:
    def __init__(self, codec: Codec, pack_of: Callable[[CaseRow], RulesPack]) -> None:
        self.codec = codec
        self.pack_of = pack_of

    # --- loading -------------------------------------------------------------------------------------

    def start(self, row: CaseRow) -> LoadedCase:
        snapshot = CaseSnapshot(row.id, row.board_id, row.reference, CaseStatus(row.status), self.pack_of(row))
        return LoadedCase(row, snapshot)

    def load(self, s: Session, case: LoadedCase, part: Part) -> None:
        """Read one more part of the case into `case` (its snapshot and its rows)."""
        snap, row_id = case.snapshot, case.row.id
        if part == EVENTS:
            event_rows = list(s.scalars(_CASE_EVENTS, {"case_id": row_id}))
            case.events = {CaseEvent(r.event): r for r in event_rows}
            case.snapshot = snap.with_part(part, events=case_codec.events_of(event_rows))
        elif part == DEADLINES:
            self._deadline_rows(case, s.scalars(_CASE_DEADLINES, {"case_id": row_id}))
            case.snapshot = case.snapshot.with_part(part, deadlines=self._stored(case))
        elif part == AGENCIES:
            confirmations = s.scalars(_CASE_CONFIRMATIONS, {"case_id": row_id})
            case.confirmations = {r.agency_id: r for r in confirmations}
            agencies = {a: agency_record(r) for a, r in sorted(case.confirmations.items())}
            case.snapshot = snap.with_part(part, agencies=agencies)
        elif part == FACTS:
            case.snapshot = snap.with_part(part, facts=facts_of(self.codec.open_referral(case.row)))
        elif part == PERSONAL_DATA:
            referral = self.codec.open_referral(case.row)
            personal = CaseFacts.from_referral(referral) if referral is not None else None
            case.snapshot = snap.with_part(part, personal=personal)
        elif part == DECISION:
            case.decision = s.scalars(_CASE_DECISION, {"case_id": row_id}).one_or_none()
            case.snapshot = snap.with_part(part, decided=case.decision is not None)
        elif part.name == "agency" and part.agency is not None:
            found = s.scalars(_CONFIRMATION, {"case_id": row_id, "agency_id": part.agency}).one_or_none()
            agencies = dict(snap.agencies)
            if found is not None:
                case.confirmations[part.agency] = found
                agencies[part.agency] = agency_record(found)
            self._deadline_rows(case, s.scalars(_AGENCY_DEADLINES, {"case_id": row_id, "agency_id": part.agency}))
            case.snapshot = snap.with_part(part, agencies=agencies, deadlines=self._stored(case))
        elif part.name == "rule" and part.rule is not None:
            of_rule = s.scalars(_RULE_DEADLINES, {"case_id": row_id, "rule_id": part.rule})
            self._deadline_rows(case, (r for r in of_rule if part.agency is None or r.agency_id == part.agency))
            case.snapshot = snap.with_part(part, deadlines=self._stored(case))
        else:  # pragma: no cover - every Part the rules name is handled above
            raise ValueError(f"unknown part of a case: {part}")

    @staticmethod
    def _deadline_rows(case: LoadedCase, rows: Iterable[DeadlineRow]) -> None:
        for r in rows:
            case.deadlines[deadline_key(r)] = r

    @staticmethod
    def _stored(case: LoadedCase) -> tuple[StoredDeadline, ...]:
        return tuple(stored_deadline(r) for r in case.deadlines.values())

    # --- writing -------------------------------------------------------------------------------------

    def write(self, s: Session, case: LoadedCase, changes: Changes, *, actor: Actor, now: datetime) -> None:
        """Write what the rules decided. The rows changed here are flushed once, at the end."""
        row = case.row
        with s.no_autoflush:
            # Set only when different: a row left clean costs the flush nothing (a case just filed already
            # holds both values).
            touched = changes.status is not None or changes.events or changes.decision is not None
            if touched and row.updated_at != now:
                row.updated_at = now
            if changes.status is not None and row.status != changes.status.value:
                row.status = changes.status.value
            if changes.closed:
                row.closed_at = now
            new_events: list[dict[str, object]] = []
            for event, record in changes.events:
                event_row = case.events.get(event)
                if event_row is not None:
                    for name, value in event_values(record, actor=actor, now=now).items():
                        setattr(event_row, name, value)
                    continue
                new_events.append(new_event_values(row.board_id, row.id, event, record, actor=actor, now=now))
            if new_events:
                # One Core executemany rather than a unit-of-work insert per event (issue 15 §3, filing time);
                # the rows then join the session as loaded ones, so a later change in this transaction
                # updates them.
                s.connection().execute(_INSERT_EVENT, new_events)
                for added in new_events:
                    event_row = CaseEventRow(**added)
                    make_transient_to_detached(event_row)
                    s.add(event_row)
                    case.events[CaseEvent(event_row.event)] = event_row
            if changes.decision is not None:
                if case.decision is None:
                    case.decision = DecisionRow(id=new_id(), board_id=row.board_id, case_id=row.id)
                    s.add(case.decision)
                self.codec.fill_decision(case.decision, changes.decision)
                case.decision.recorded_at = now
                case.decision.recorded_by = actor.id
            if changes.agencies_added:
                s.connection().execute(
                    _INSERT_CONFIRMATIONS,
                    [new_confirmation_values(row.board_id, row.id, a, now) for a in changes.agencies_added],
                )
            self._write_deadlines(s, case, changes, now)
            self._write_confirmation(case, changes, now)
            self._write_extension_and_cost(s, case, changes, actor=actor, now=now)
        s.flush()

    def _write_extension_and_cost(
        self, s: Session, case: LoadedCase, changes: Changes, *, actor: Actor, now: datetime
    ) -> None:
        row = case.row
        extension = changes.extension
        if extension is not None:
            # Known by the date it was agreed: the same date again corrects it (storage/tables/review_figures.py).
            found = s.scalars(
                select(ReviewExtensionRow).where(
                    ReviewExtensionRow.case_id == row.id, ReviewExtensionRow.extended_on == extension.extended_on
                )
            ).one_or_none()
            if found is None:
                found = ReviewExtensionRow(
                    id=new_id(), board_id=row.board_id, case_id=row.id, extended_on=extension.extended_on
                )
                s.add(found)
            found.new_due = extension.new_due
            found.reason = extension.reason
            found.recorded_at = now
            found.recorded_by = actor.id
        cost = changes.cost
        if cost is not None:
            cost_id = new_id()
            s.add(
                ReviewCostRow(
                    id=cost_id,
                    board_id=row.board_id,
                    case_id=row.id,
                    kind=cost.kind.value,
                    incurred_on=cost.incurred_on,
                    amount_pence=cost.amount_pence,
                    hours=cost.hours,
                    hourly_rate_pence=cost.hourly_rate_pence,
                    note_enc=self.codec.seal_text("review_costs", "note_enc", cost_id, cost.note),
                    recorded_at=now,
                    recorded_by=actor.id,
                )
            )

    def _write_deadlines(self, s: Session, case: LoadedCase, changes: Changes, now: datetime) -> None:
        if changes.added:
            # One executemany: a new case adds a few dozen deadlines, and the ORM's per-object work would
            # dominate filing time.
            s.connection().execute(
                _INSERT_DEADLINES, [new_deadline_values(case.row.board_id, case.row.id, d, now) for d in changes.added]
            )
        for computed in changes.redated:
            case_codec.fill_deadline(case.deadlines[computed.key], computed, now)
        for key, state in [
            *((k, DeadlineState.OPEN) for k in changes.reopened),
            *((k, DeadlineState.CANCELLED) for k in changes.cancelled),
        ]:
            case.deadlines[key].state = state.value
            case.deadlines[key].updated_at = now
        for mark in changes.marked:
            target = case.deadlines[mark.key]
            target.state = mark.state.value
            target.met_on = mark.met_on
            target.updated_at = now

    def _write_confirmation(self, case: LoadedCase, changes: Changes, now: datetime) -> None:
        seal = self.codec.seal_text
        if changes.request_sent is not None:
            agency, at = changes.request_sent
            sent = case.confirmations[agency]
            sent.request_sent_at = at
            sent.updated_at = at
        answer = changes.confirmation
        if answer is None:
            return
        row = case.confirmations[answer.agency]
        if answer.involvement is not None:
            row.involvement = answer.involvement.value
            detail = answer.involvement_detail
            row.involvement_detail_enc = seal(_CONFIRMATION_TABLE, "involvement_detail_enc", row.id, detail)
        if answer.records is not None:
            row.records = answer.records.state.value
            row.secured_on = answer.records.secured_on
            row.secured_by_enc = seal(_CONFIRMATION_TABLE, "secured_by_enc", row.id, answer.records.secured_by)
        if answer.evidence:
            row.evidence_enc = seal(_CONFIRMATION_TABLE, "evidence_enc", row.id, answer.evidence)
        row.updated_at = now


# The values of the rows a change adds, shared by the session's path above and the driver's path for filing
# (storage/case_filing.py), so both write the same rows.


def event_values(record: EventRecord, *, actor: Actor, now: datetime) -> dict[str, object]:
    return {
        "occurred_on": record.on,
        "outcome": record.outcome.value if record.outcome else None,
        "new_due": record.new_due,
        "recorded_at": now,
        "recorded_by": actor.id,
    }


def new_event_values(
    board_id: str, case_id: str, event: CaseEvent, record: EventRecord, *, actor: Actor, now: datetime
) -> dict[str, object]:
    values = event_values(record, actor=actor, now=now)
    return {"id": ordered_id(), "board_id": board_id, "case_id": case_id, "event": event.value, **values}


def new_confirmation_values(board_id: str, case_id: str, agency_id: str, now: datetime) -> dict[str, object]:
    return {
        "id": ordered_id(),
        "board_id": board_id,
        "case_id": case_id,
        "agency_id": agency_id,
        "involvement": Involvement.UNKNOWN.value,
        "records": RecordsState.NOT_YET.value,
        "updated_at": now,
    }


def new_deadline_values(board_id: str, case_id: str, added: NewDeadline, now: datetime) -> dict[str, object]:
    return {
        "id": ordered_id(),
        "board_id": board_id,
        "case_id": case_id,
        "state": added.state.value,
        "met_on": added.met_on,
        **case_codec.deadline_values(added.computed, now),
    }
