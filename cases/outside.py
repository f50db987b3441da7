"""What a person did outside the bot and records in it: a notification made on the national online form or
sent by hand (the pack's `via = "portal"` / `"recorded"` notifications), and the Panel's response to a rapid
review (Working Together 2023 ch. 5). Pure: part of the case rules (cases/apply.py).

Recording a submission meets the rule the pack says the notification discharges, on the date it was made;
nothing about a particular rule is written here.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from cases.actor import Actor
from cases.calendar import WorkingCalendar
from cases.case import DeadlineState
from cases.changes import AuditNote, Changes
from cases.commands import RecordPanelResponse, RecordSubmission
from cases.deadline_ledger import DeadlineLedger
from cases.domain_events import CaseEventRecorded
from cases.events import CaseEvent
from cases.notifications import Via
from cases.permissions import require_staff
from cases.snapshot import WHOLE_CASE, CaseSnapshot, Part, rule_part
from cases.timeline import EventRecord
from errors import BadInput, Conflict, NotFound

# A portal's reference: letters, digits and a few separators; never free text (it goes into the audit).
_REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/_.-]{0,63}$")


def outside_needs(case: CaseSnapshot, command: RecordSubmission | RecordPanelResponse) -> tuple[Part, ...]:
    """What recording it reads: the deadline the notification discharges, or (the Panel's response, an event
    that may start clocks) the whole case."""
    if isinstance(command, RecordPanelResponse):
        return case.missing(*WHOLE_CASE)
    return case.missing(rule_part(case.pack.made_outside_named(command.template).discharges, None))


def record_outside(
    case: CaseSnapshot,
    command: RecordSubmission | RecordPanelResponse,
    *,
    actor: Actor,
    calendar: WorkingCalendar,
    now: datetime,
    today: date,
) -> Changes:
    require_staff(actor, "record what was done outside the bot")
    if case.closed:
        raise Conflict(f"case {case.reference} is closed")
    if command.on > today:
        raise BadInput(f"{command.on.isoformat()} is in the future", field="on")
    if isinstance(command, RecordPanelResponse):
        return _panel_response(case, command, calendar=calendar, now=now)
    return _submission(case, command)


def _submission(case: CaseSnapshot, command: RecordSubmission) -> Changes:
    notification = case.pack.made_outside_named(command.template)
    reference = command.reference.strip()
    if notification.via is Via.PORTAL and not reference:
        raise BadInput("give the portal reference the online form gave when it was submitted", field="portal_ref")
    if reference and not _REFERENCE.match(reference):
        raise BadInput("a portal reference is letters, digits and / _ . - (at most 64)", field="portal_ref")
    deadlines = DeadlineLedger.of(case)
    if deadlines.mark(notification.discharges, None, DeadlineState.MET, command.on) is None:
        raise NotFound(f"case {case.reference} has no deadline {notification.discharges}")
    detail = {
        "template": notification.template,
        "via": notification.via.value,
        "rule": notification.discharges,
        "on": command.on,
        "reference": reference,
    }
    return deadlines.into(Changes(audit=AuditNote("notification.recorded", detail)))


def _panel_response(
    case: CaseSnapshot, command: RecordPanelResponse, *, calendar: WorkingCalendar, now: datetime
) -> Changes:
    event = CaseEvent.PANEL_RESPONDED
    events = {**case.events, event: EventRecord(command.on)}
    deadlines = DeadlineLedger.of(case)
    deadlines.recompute(case, calendar, events=events, agencies=case.agencies, facts=case.facts)
    return deadlines.into(
        Changes(
            audit=AuditNote("panel.responded", {"response": command.response.value, "on": command.on}),
            events=((event, events[event]),),
            published=(CaseEventRecorded(case.board_id, case.case_id, case.reference, now, event, command.on, None),),
        )
    )
