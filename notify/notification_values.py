"""What a statutory notification's template is given: the values a change makes known, narrowed to the fields
its template declares (templates/catalogue.toml), so a template gets only what it asks for (the chair's
free-text rationale, say, only where the wording uses it).

Which deadline dates fill which fields is the pack's word (`dates` of a `[[notifications]]` entry); the
wording of outcomes and of who decided is the board's (004 §5.3).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from cases.board import Agency, BoardConfig
from cases.calendar import WorkingCalendar
from cases.case import Case, DeadlineState
from cases.events import Outcome
from cases.notifications import DateFrom, Notification
from cases.rules import RulesPack
from cases.timeline import due_without_extension
from notify.templates import get_template

OUTCOME_TEXT = {
    Outcome.SCR: "to undertake a serious case review",
    Outcome.MULTI_AGENCY_REVIEW: "not to undertake a serious case review, but to hold a multi-agency case review",
    Outcome.SINGLE_AGENCY_REVIEW: "not to undertake a serious case review, but to ask for a single agency review",
    Outcome.REFERRED_OTHER_BOARD: "to refer the case to another safeguarding children board",
    Outcome.NO_REVIEW: "not to undertake a serious case review",
    Outcome.OTHER: "not to undertake a serious case review; the board has agreed other action",
}


def initials(forenames: str, last_name: str) -> str:
    """ "Zephyrine Quillon", "Marchbanks-Tovey" -> "ZQ M-T": enough to match a case, no more."""
    first = "".join(w[0] for w in forenames.split() if w).upper()
    last = "-".join(p[0] for p in last_name.replace(" ", "-").split("-") if p).upper()
    return f"{first} {last}".strip()


def deadline_date(case: Case, rule: str, agency: str | None = None, *, which: str = "act_by") -> date | None:
    """The act_by (or due) of the case's deadline for `rule` (and agency), unless it no longer applies."""
    for d in case.deadlines:
        if d.computed.rule == rule and d.computed.agency == agency and d.state is not DeadlineState.CANCELLED:
            return d.computed.due if which == "due" else d.computed.act_by
    return None


@dataclass(frozen=True)
class NotificationValues:
    board: BoardConfig
    calendar: WorkingCalendar
    reply_to: str

    def common(self, case: Case) -> dict[str, Any]:
        referral = case.referral
        values: dict[str, Any] = {
            "board_name": self.board.name,
            "case_ref": case.reference,
            "contact_email": self.board.notifications.contact_email or self.reply_to,
            "child_initials": "",
            "child_date_of_birth": "",
            "incident_date": "",
            "la_aware_date": "",
            # 004 §7.1: the letter to chief officers gives the terms of reference and methodology.
            "terms_of_reference": self.board.notifications.terms_of_reference,
            "methodology": self.board.notifications.review_methodology,
        }
        if referral is not None:  # purged: nothing personal left to send
            values.update(
                child_initials=initials(referral.child.forenames, referral.child.last_name),
                child_date_of_birth=referral.child.date_of_birth or "",
                incident_date=referral.incident_date,
                la_aware_date=referral.la_aware_date or "",
            )
        return values

    def decision(self, case: Case, outcome: Outcome, decided_on: date, *, revised: bool) -> dict[str, Any]:
        return {
            "outcome": outcome.value,
            "outcome_text": OUTCOME_TEXT[outcome],
            "decided_on": decided_on,
            "decided_by": "the Chair of the board"
            if self.board.decision_maker == "chair"
            else "the serious case review sub-group",
            "revised": revised,
            "rationale": case.decision.rationale if case.decision else "",
        }

    def dates(
        self, case: Case, pack: RulesPack, notification: Notification, agency: str | None = None
    ) -> dict[str, Any]:
        """The template fields the pack fills with deadline dates (of `agency`'s deadline, for a per-agency
        rule when the notification goes to each agency)."""
        return {
            name: self._date(case, pack, date_from, agency if notification.per_agency else None) or ""
            for name, date_from in notification.dates.items()
        }

    def _date(self, case: Case, pack: RulesPack, date_from: DateFrom, agency: str | None) -> date | None:
        rule = pack.rule(date_from.rule)
        if date_from.which == "original_due":
            return due_without_extension(rule, case.events, self.calendar)
        return deadline_date(case, rule.id, agency if rule.per_agency else None, which=date_from.which)

    @staticmethod
    def for_agencies(agencies: list[Agency]) -> dict[str, Any]:
        return {
            "agencies": [
                {"id": a.id, "name": a.name, "chief_officer": a.chief_officer or "Chief Officer"} for a in agencies
            ]
        }


def for_template(template_id: str, values: dict[str, Any]) -> dict[str, Any]:
    """Only the fields the template declares; an optional one nothing gave is empty."""
    template = get_template(template_id)
    declared = (*template.fields, *template.optional)
    narrowed = {name: values[name] for name in declared if name in values}
    for name in template.optional:
        narrowed.setdefault(name, "")
    return narrowed
