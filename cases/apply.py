"""The case rules: what a command may do to a case and what it changes. Pure: no I/O, no clock.

`apply(case, command, actor=..., board=..., calendar=..., now=...)` checks who is asking
(cases/permissions.py), whether the case's state allows it (the lifecycle, DESIGN.md §2), and returns the
`Changes`: the status, the events recorded, the deadlines added, re-dated, cancelled, reopened or marked, the
agency's answer, the audit entry and the domain events to publish. It raises a kind from `errors`: `Refused`
(permissions), `Conflict` (the lifecycle, a closed case, an agency asked twice), `BadInput` (naming the field),
`NotFound`.

Which deadline a change meets is the pack's word, not the code's (`met_by` on a rule, cases/rules.py MetBy):
recording the decision meets the rules met by `decision_recorded`; a sub-group meeting dated on or before today
(or on or before the decision) those met by `subgroup_meeting_held`; an agency's records secured, or none
held, its deadlines met by `agency_records_secured`; its answer on involvement, `agency_involvement_answered`.

`needs(case, command)` says which parts of the case the command reads (cases/snapshot.py), so that a store
loads no more than that; `apply` refuses a snapshot that lacks one (a bug in the store, not the user's input).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from cases.actor import Actor
from cases.board import BoardConfig
from cases.calendar import WorkingCalendar, local_date
from cases.case import DeadlineState, Involvement, RecordsState
from cases.changes import AuditNote, Changes, ConfirmationChange, RecordsChange
from cases.commands import (
    AddAgency,
    Command,
    ConfirmAgency,
    FileReferral,
    GiveDue,
    MarkDeadline,
    MarkRequestSent,
    MeetBy,
    MoveStatus,
    RecomputeDeadlines,
    RecordCost,
    RecordDecision,
    RecordEvent,
    RecordPanelResponse,
    RecordSubmission,
)
from cases.cost_rules import needs as cost_needs
from cases.cost_rules import record_cost
from cases.deadline_ledger import DeadlineLedger
from cases.domain_events import AgencyConfirmed, CaseEventRecorded, DecisionRecorded, ReferralFiled, StatusChanged
from cases.events import CaseEvent, CaseStatus, can_move
from cases.extensions import extension_of
from cases.outside import outside_needs, record_outside
from cases.permissions import (
    require_answer_for,
    require_decision_maker,
    require_mark_deadline,
    require_staff,
)
from cases.problems import InvalidInput
from cases.recurring import recur
from cases.rules import EveryMonths, MetBy, RulesPack
from cases.snapshot import (
    DEADLINES,
    EVENTS,
    WHOLE_CASE,
    AgencyRecord,
    CaseSnapshot,
    Part,
    agency_part,
    facts_of,
    rule_part,
)
from cases.timeline import DeadlineKey, EventRecord
from cases.triage import triage
from errors import BadInput, Conflict, NotFound


class InvalidTransition(Conflict):
    """The case's lifecycle does not allow this now (DESIGN.md §2), or the case is closed."""


class IncompleteSnapshot(RuntimeError):
    """A store asked the rules to decide on a snapshot without a part `needs` names: a bug, never input."""


# A decision can be recorded (or revised, 004 §5.5) until the review starts.
_DECIDABLE = frozenset({CaseStatus.REFERRED, CaseStatus.UNDER_CONSIDERATION, CaseStatus.DECIDED})
_MARKABLE = frozenset({DeadlineState.MET, DeadlineState.NOT_APPLICABLE, DeadlineState.OPEN})


# --- what a command reads ------------------------------------------------------------------------------


def needs(case: CaseSnapshot, command: Command) -> tuple[Part, ...]:
    """The parts of the case `command` still needs that `case` does not hold (empty: ready to apply). A store
    loads them and asks again: an agency's answer may turn out to need the whole case."""
    if isinstance(command, FileReferral):
        return ()
    if isinstance(command, (RecordEvent, RecordDecision, AddAgency, RecomputeDeadlines, GiveDue)):
        return case.missing(*WHOLE_CASE)
    if isinstance(command, MeetBy):
        open_ended = any(_open_ended(case.pack, r.id) for r in case.pack.rules_met_by(command.effect))
        return case.missing(*WHOLE_CASE) if open_ended else case.missing(DEADLINES)
    if isinstance(command, MoveStatus):
        return case.missing(DEADLINES) if command.target is CaseStatus.CLOSED else ()
    if isinstance(command, MarkDeadline):
        if _open_ended(case.pack, command.rule):  # the next occurrence appears once this one is met
            return case.missing(*WHOLE_CASE)
        return case.missing(rule_part(command.rule, command.agency))
    if isinstance(command, MarkRequestSent):
        return case.missing(agency_part(command.agency))
    if isinstance(command, (RecordSubmission, RecordPanelResponse)):
        return outside_needs(case, command)
    if isinstance(command, RecordCost):
        return cost_needs(case, command)
    return _confirmation_needs(case, command)


def _confirmation_needs(case: CaseSnapshot, command: ConfirmAgency) -> tuple[Part, ...]:
    part = agency_part(command.agency)
    if not case.has(part):
        return (part,)
    before = case.agencies.get(command.agency)
    if before is None or _answered(before, command).involved == before.involved:
        # Only whether an agency counts as involved changes other deadlines (timeline.AgencyScope).
        return ()
    starts = _involved_rule_starts(case.pack)
    if not starts:
        return ()
    if not case.has(EVENTS):
        return (EVENTS,)
    # Before the decision, typically, no rule per involved agency has started: nothing to recompute.
    return case.missing(*WHOLE_CASE) if starts & set(case.events) else ()


def _open_ended(pack: RulesPack, rule_id: str) -> bool:
    rule = next((r for r in pack.rules if r.id == rule_id), None)
    return rule is not None and isinstance(rule.limit, EveryMonths) and rule.limit.until is not None


def _involved_rule_starts(pack: RulesPack) -> set[CaseEvent]:
    return {r.starts_on for r in pack.rules if r.per_agency and r.agencies == "involved"}


def _answered(before: AgencyRecord, command: ConfirmAgency) -> AgencyRecord:
    return AgencyRecord(
        before.agency_id,
        _involvement_said(before, command) or before.involvement,
        command.records or before.records,
    )


def _involvement_said(before: AgencyRecord, command: ConfirmAgency) -> Involvement | None:
    """The involvement the answer gives: stated, or (holding no records, having said nothing else about it)
    not known: an agency with no records counts as not involved unless it says otherwise."""
    if command.involvement is not None and command.involvement is not Involvement.UNKNOWN:
        return command.involvement
    if command.records is RecordsState.NO_RECORDS_HELD and before.involvement is Involvement.UNKNOWN:
        return Involvement.NOT_KNOWN
    return None


# --- deciding ----------------------------------------------------------------------------------------------


def apply(
    case: CaseSnapshot,
    command: Command,
    *,
    actor: Actor,
    board: BoardConfig,
    calendar: WorkingCalendar,
    now: datetime,
) -> Changes:
    """What `command` changes in `case`, decided by the rules; raises if it may not happen."""
    missing = needs(case, command)
    if missing:
        raise IncompleteSnapshot(f"{type(command).__name__} needs {', '.join(p.name for p in missing)}")
    rules = _Rules(case, actor, board, calendar, now)
    if isinstance(command, FileReferral):
        return rules.file_referral(command)
    if isinstance(command, RecordEvent):
        return rules.record_event(command)
    if isinstance(command, RecordDecision):
        return rules.record_decision(command)
    if isinstance(command, MoveStatus):
        return rules.move_status(command)
    if isinstance(command, MarkDeadline):
        return rules.mark_deadline(command)
    if isinstance(command, ConfirmAgency):
        return rules.confirm_agency(command)
    if isinstance(command, AddAgency):
        return rules.add_agency(command)
    if isinstance(command, MarkRequestSent):
        return rules.mark_request_sent(command)
    if isinstance(command, (RecordSubmission, RecordPanelResponse)):
        return record_outside(rules.case, command, actor=actor, calendar=calendar, now=now, today=rules.today)
    if isinstance(command, RecordCost):
        return record_cost(case, command, actor=actor, board=board, today=rules.today)
    if isinstance(command, GiveDue):
        return rules.give_due(command)
    if isinstance(command, MeetBy):
        return rules.meet_by(command)
    return rules.recompute()


@dataclass(frozen=True)
class _Rules:
    case: CaseSnapshot
    actor: Actor
    board: BoardConfig
    calendar: WorkingCalendar
    now: datetime

    @property
    def today(self) -> date:
        return local_date(self.now)

    def _refuse_if_closed(self) -> None:
        if self.case.closed:
            raise InvalidTransition(f"case {self.case.reference} is closed")

    def file_referral(self, command: FileReferral) -> Changes:
        referral = command.referral
        events = {CaseEvent.REFERRAL_RECEIVED: EventRecord(referral.referral_date)}
        if referral.la_aware_date is not None:
            events[CaseEvent.INCIDENT_AWARE] = EventRecord(referral.la_aware_date)
        # Every sub-group agency is asked about every referral (004 §3.7).
        agencies = {a.id: AgencyRecord(a.id) for a in self.board.subgroup_agencies()}
        deadlines = DeadlineLedger.of(self.case)
        deadlines.recompute(self.case, self.calendar, events=events, agencies=agencies, facts=facts_of(referral))
        c, duplicates = self.case, command.possible_duplicates
        triaged = triage(referral.criteria, referral.incident).line  # notifiable? with its clause (s.16C)
        return deadlines.into(
            Changes(
                audit=AuditNote("referral.filed", {"possible_duplicates": list(duplicates), "rules_pack": c.pack.id}),
                status=CaseStatus.REFERRED,
                events=tuple(events.items()),
                agencies_added=tuple(agencies),
                published=(ReferralFiled(c.board_id, c.case_id, c.reference, self.now, duplicates, triaged),),
            )
        )

    def record_event(self, command: RecordEvent) -> Changes:
        event, on = command.event, command.on
        if event is CaseEvent.DECISION_MADE:
            raise BadInput("record a decision with record_decision (it needs the outcome)", field="event")
        extension = extension_of(command, self.board)
        require_staff(self.actor, "record case events")
        self._refuse_if_closed()
        c = self.case
        events = {**c.events, event: EventRecord(on, new_due=command.new_due)}
        status: CaseStatus | None = None
        if event is CaseEvent.SUBGROUP_MEETING_SCHEDULED and c.status is CaseStatus.REFERRED:
            status = CaseStatus.UNDER_CONSIDERATION
        if event is CaseEvent.REPORT_PUBLISHED and c.status is CaseStatus.REPORT_APPROVED:
            status = CaseStatus.PUBLISHED
        deadlines = DeadlineLedger.of(c)
        deadlines.recompute(c, self.calendar, events=events, agencies=c.agencies, facts=c.facts)
        if event is CaseEvent.SUBGROUP_MEETING_SCHEDULED and on <= self.today:
            deadlines.mark_met_by(c.pack, MetBy.SUBGROUP_MEETING_HELD, on)
        reason = extension.reason if extension else ""
        detail: dict[str, object] = {"event": event.value, "on": on, "new_due": command.new_due}
        if extension is not None:
            detail["reason"] = reason
        return deadlines.into(
            Changes(
                audit=AuditNote("event.recorded", detail),
                status=status,
                events=((event, events[event]),),
                extension=extension,
                published=(
                    CaseEventRecorded(c.board_id, c.case_id, c.reference, self.now, event, on, command.new_due, reason),
                ),
            )
        )

    def record_decision(self, command: RecordDecision) -> Changes:
        decision = command.decision
        require_decision_maker(self.actor, self.board)
        self._refuse_if_closed()
        c = self.case
        if c.status not in _DECIDABLE:
            raise InvalidTransition(
                f"case {c.reference} is {c.status.value}; a decision can only be recorded before the review starts"
            )
        received = c.events.get(CaseEvent.REFERRAL_RECEIVED)
        if received is None:
            raise Conflict(f"case {c.reference} has no referral date to decide on")
        problems = decision.date_problems(referral_received=received.on, today=self.today)
        if problems:
            raise InvalidInput(problems)
        made = EventRecord(decision.decided_on, outcome=decision.outcome)
        events = {**c.events, CaseEvent.DECISION_MADE: made}
        deadlines = DeadlineLedger.of(c)
        deadlines.recompute(c, self.calendar, events=events, agencies=c.agencies, facts=c.facts)
        deadlines.mark_met_by(c.pack, MetBy.DECISION_RECORDED, decision.decided_on)
        meeting = events.get(CaseEvent.SUBGROUP_MEETING_SCHEDULED)
        if meeting is not None and meeting.on <= decision.decided_on:
            deadlines.mark_met_by(c.pack, MetBy.SUBGROUP_MEETING_HELD, meeting.on)
        detail = {"outcome": decision.outcome.value, "decided_on": decision.decided_on}
        return deadlines.into(
            Changes(
                audit=AuditNote("decision.revised" if c.decided else "decision.recorded", detail),
                status=CaseStatus.DECIDED,
                events=((CaseEvent.DECISION_MADE, made),),
                decision=decision,
                published=(
                    DecisionRecorded(
                        c.board_id, c.case_id, c.reference, self.now, decision.outcome, decision.decided_on, c.decided
                    ),
                ),
            )
        )

    def move_status(self, command: MoveStatus) -> Changes:
        require_staff(self.actor, "move a case on")
        c, target = self.case, command.target
        if not can_move(c.status, target):
            raise InvalidTransition(f"case {c.reference} cannot move from {c.status.value} to {target.value}")
        closing = target is CaseStatus.CLOSED
        return Changes(
            audit=AuditNote("case.status", {"from": c.status.value, "to": target.value}),
            status=target,
            closed=closing,
            # Closing cancels every open deadline (and so their reminders).
            cancelled=tuple(d.key for d in c.deadlines if d.state is DeadlineState.OPEN) if closing else (),
            published=(StatusChanged(c.board_id, c.case_id, c.reference, self.now, c.status, target),),
        )

    def mark_deadline(self, command: MarkDeadline) -> Changes:
        if command.state not in _MARKABLE:
            raise BadInput("a deadline can be marked met, not_applicable or open again", field="state")
        require_mark_deadline(self.actor, command.agency)
        deadlines = DeadlineLedger.of(self.case)
        if deadlines.mark(command.rule, command.agency, command.state, command.on) is None:
            raise NotFound(
                f"case {self.case.reference} has no deadline {command.rule}"
                + (f" for agency {command.agency}" if command.agency else "")
            )
        published = recur(self.case, deadlines, self.calendar, command.rule, self.now)
        detail = {"rule": command.rule, "agency": command.agency, "state": command.state.value, "on": command.on}
        return deadlines.into(Changes(audit=AuditNote("deadline.marked", detail), published=published))

    def give_due(self, command: GiveDue) -> Changes:
        require_staff(self.actor, "set a due date")
        self._refuse_if_closed()
        c = self.case
        rules = c.pack.rules_met_by(command.effect)
        if command.effect.per_agency and command.agency is None:
            raise BadInput(f"{command.effect.value} is per agency: say which agency", field="agency")
        deadlines = DeadlineLedger.of(c)
        for rule in rules:
            agency = command.agency if rule.per_agency else None
            deadlines.give(DeadlineKey(rule.id, agency, command.occurrence), command.due)
        deadlines.recompute(c, self.calendar, events=c.events, agencies=c.agencies, facts=c.facts)
        detail = {"effect": command.effect.value, "agency": command.agency, "due": command.due}
        return deadlines.into(
            Changes(audit=AuditNote("deadline.due_given", detail | {"occurrence": command.occurrence}))
        )

    def meet_by(self, command: MeetBy) -> Changes:
        require_staff(self.actor, "mark deadlines")
        c = self.case
        deadlines = DeadlineLedger.of(c)
        deadlines.mark_met_by(c.pack, command.effect, command.on, command.agency, command.occurrence)
        if c.has(EVENTS) and any(_open_ended(c.pack, r.id) for r in c.pack.rules_met_by(command.effect)):
            deadlines.recompute(c, self.calendar, events=c.events, agencies=c.agencies, facts=c.facts)
        detail = {"effect": command.effect.value, "agency": command.agency, "on": command.on}
        return deadlines.into(Changes(audit=AuditNote("deadline.met_by", detail)))

    def confirm_agency(self, command: ConfirmAgency) -> Changes:
        require_answer_for(self.actor, command.agency)
        c = self.case
        before = c.agencies.get(command.agency)
        if before is None:
            raise NotFound(f"agency {command.agency} is not asked about case {c.reference}")
        involvement = _involvement_said(before, command)
        after = _answered(before, command)
        deadlines = DeadlineLedger.of(c)
        if after.involved != before.involved and all(c.has(p) for p in WHOLE_CASE):
            agencies = {**c.agencies, command.agency: after}
            deadlines.recompute(c, self.calendar, events=c.events, agencies=agencies, facts=c.facts)
        detail: dict[str, object] = {"agency": command.agency}
        if involvement is not None:
            detail["involvement"] = involvement.value
            deadlines.mark_met_by(c.pack, MetBy.AGENCY_INVOLVEMENT_ANSWERED, self.today, command.agency)
        records: RecordsChange | None = None
        if command.records is not None:
            detail["records"] = command.records.value
            secured_on = (command.records_on or self.today) if command.records is RecordsState.SECURED else None
            records = RecordsChange(command.records, secured_on, command.secured_by)
            if command.records.answered:
                on = command.records_on or self.today
                deadlines.mark_met_by(c.pack, MetBy.AGENCY_RECORDS_SECURED, on, command.agency)
        confirmation = ConfirmationChange(
            command.agency,
            involvement=involvement,
            involvement_detail=command.involvement_detail if command.involvement is not None else "",
            records=records,
            evidence=command.evidence,
        )
        return deadlines.into(
            Changes(
                audit=AuditNote("agency.confirmation", detail),
                confirmation=confirmation,
                published=(
                    AgencyConfirmed(
                        c.board_id, c.case_id, c.reference, self.now, command.agency, after.records, after.involvement
                    ),
                ),
            )
        )

    def add_agency(self, command: AddAgency) -> Changes:
        require_staff(self.actor, "add agencies to a case")
        self.board.agency(command.agency)  # UnknownAgency (NotFound) for one not in the board config
        c = self.case
        if command.agency in c.agencies:
            raise Conflict(f"agency {command.agency} is already asked about case {c.reference}")
        agencies = {**c.agencies, command.agency: AgencyRecord(command.agency)}
        deadlines = DeadlineLedger.of(c)
        deadlines.recompute(c, self.calendar, events=c.events, agencies=agencies, facts=c.facts)
        return deadlines.into(
            Changes(
                audit=AuditNote("agency.added", {"agency": command.agency}),
                agencies_added=(command.agency,),
            )
        )

    def recompute(self) -> Changes:
        c = self.case
        deadlines = DeadlineLedger.of(c)
        deadlines.recompute(c, self.calendar, events=c.events, agencies=c.agencies, facts=c.facts)
        return deadlines.into(Changes(audit=AuditNote("deadlines.recomputed")))

    def mark_request_sent(self, command: MarkRequestSent) -> Changes:
        require_staff(self.actor, "record that a request was sent")
        if command.agency not in self.case.agencies:
            raise NotFound(f"agency {command.agency} is not asked about case {self.case.reference}")
        return Changes(
            audit=AuditNote("agency.request_sent", {"agency": command.agency}),
            request_sent=(command.agency, command.at),
        )
