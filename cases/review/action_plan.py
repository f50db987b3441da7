"""The action plan register (003 §7.2-7.3): the review's recommendations as actions, each with its owner agency
and role, due date and success measure; each agency's sign-up; evidence of completion; and, when every action
is complete, the review concluded (the case event that stops the quarterly progress reports). Actions never
carry personal data: text the case's personal-data matcher flags is refused (cases/personal_data.py). Pure."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from cases.changes import AuditNote
from cases.commands import GiveDue, MeetBy, RecordEvent
from cases.events import CaseEvent
from cases.personal_data import CaseFacts
from cases.review.free_text import checked_words
from cases.rules import MetBy
from errors import BadInput, Conflict, NotFound


@dataclass(frozen=True)
class Action:
    number: int
    text: str
    owner_agency: str
    owner_role: str
    due: date
    measure: str
    signed_up_on: date | None = None
    completed_on: date | None = None

    def __repr__(self) -> str:
        return f"Action({self.number}, {self.owner_agency}, {self.status(None)})"

    def status(self, today: date | None) -> str:
        if self.completed_on is not None:
            return "complete"
        if today is not None and today > self.due:
            return "overdue"
        return "signed up" if self.signed_up_on else "awaiting sign-up"


@dataclass(frozen=True)
class Outcome:
    actions: tuple[Action, ...]
    audit: AuditNote
    deadlines: GiveDue | MeetBy | None = None
    event: RecordEvent | None = None  # every action complete: the review is concluded


def _without_personal_data(field: str, text: str, facts: CaseFacts | None) -> str:
    words = field.replace("_", " ")
    return checked_words(
        text,
        facts,
        field=field,
        empty=f"give the action's {words}",
        named=f"the {words} holds the case's personal data ({{kinds}}): actions never name the child or family "
        "(003 §7)",
    )


def add(
    actions: tuple[Action, ...],
    *,
    text: str,
    owner_agency: str,
    owner_role: str,
    due: date,
    measure: str,
    facts: CaseFacts | None,
    today: date,
) -> Outcome:
    """A new action, numbered after the last; its due date becomes the owner agency's deadline for it."""
    if due <= today:
        raise BadInput(f"the due date {due} must be after today ({today})", field="due")
    action = Action(
        number=max((a.number for a in actions), default=0) + 1,
        text=_without_personal_data("text", text, facts),
        owner_agency=owner_agency,
        owner_role=_without_personal_data("owner_role", owner_role, facts),
        due=due,
        measure=_without_personal_data("measure", measure, facts),
    )
    note = AuditNote("action.added", {"number": action.number, "agency": owner_agency, "due": due})
    give = GiveDue(MetBy.ACTION_COMPLETED, due, owner_agency, action.number)
    return Outcome((*actions, action), note, give)


def _find(actions: tuple[Action, ...], number: int) -> Action:
    for action in actions:
        if action.number == number:
            return action
    raise NotFound(f"there is no action {number} in the plan")


def _with(actions: tuple[Action, ...], changed: Action) -> tuple[Action, ...]:
    return tuple(changed if a.number == changed.number else a for a in actions)


def sign_up(actions: tuple[Action, ...], number: int, *, on: date) -> Outcome:
    """The owner agency signs up to the action."""
    action = _find(actions, number)
    if action.signed_up_on is not None:
        raise Conflict(f"action {number} was signed up to on {action.signed_up_on}")
    changed = replace(action, signed_up_on=on)
    note = AuditNote("action.signed_up", {"number": number, "agency": action.owner_agency, "on": on})
    return Outcome(_with(actions, changed), note)


def complete(actions: tuple[Action, ...], number: int, *, on: date) -> Outcome:
    """Evidence of completion received (its text is the store's, sealed): meets the action's deadline; the
    last one concludes the review (003 §7.2)."""
    action = _find(actions, number)
    if action.completed_on is not None:
        raise Conflict(f"action {number} was completed on {action.completed_on}")
    changed = replace(action, completed_on=on)
    after = _with(actions, changed)
    concluded = all(a.completed_on is not None for a in after)
    detail = {"number": number, "agency": action.owner_agency, "on": on, "all_complete": concluded}
    met = MeetBy(MetBy.ACTION_COMPLETED, on, action.owner_agency, number)
    event = RecordEvent(CaseEvent.ACTIONS_COMPLETED, on) if concluded else None
    return Outcome(after, AuditNote("action.completed", detail), met, event)
