"""One agency's report for a review (an IMR for a serious case review, 004 §7; an agency's information for a
local practice review): who writes it, when it is due, each version received, its sign-off and quality
assurance. Pure: each step takes the report as it stands and returns it as it now is, with an audit note
that names no one (the author's and signatory's names, and the reasons for a return, are for the store's
encrypted columns only) and what the step does to the case's deadlines (GiveDue / MeetBy).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from cases.changes import AuditNote
from cases.commands import GiveDue, MeetBy
from cases.rules import MetBy
from errors import BadInput, Conflict


class Step(StrEnum):
    """Where an agency's report stands, in the order the business unit expects them."""

    NOT_NOMINATED = "not nominated"
    NOMINATED = "author nominated"
    REQUESTED = "requested"
    RECEIVED = "received"
    SIGNED_OFF = "signed off"
    RETURNED = "returned"
    ACCEPTED = "accepted"


@dataclass(frozen=True)
class AgencyReport:
    """`version`: how many versions have been received (0: none yet). The sign-off is of the latest version;
    a new version needs its own (004 §7.7)."""

    agency: str
    step: Step = Step.NOT_NOMINATED
    author: str = ""
    no_involvement_declared: bool = False
    briefed_on: date | None = None
    requested_on: date | None = None
    due: date | None = None
    version: int = 0
    received_on: date | None = None
    signed_off_by: str = ""
    signed_off_on: date | None = None
    returns: int = 0
    accepted_on: date | None = None

    def __repr__(self) -> str:  # the author's and signatory's names stay out of logs
        return f"AgencyReport({self.agency}, {self.step.value}, version {self.version})"

    @property
    def outstanding(self) -> str:
        """What the business unit is waiting for, in a few words (no personal data)."""
        return {
            Step.NOT_NOMINATED: "the agency to name its author",
            Step.NOMINATED: "the request to be sent",
            Step.REQUESTED: f"the report, due {self.due}" if self.due else "the report",
            Step.RECEIVED: f"sign-off of version {self.version}",
            Step.SIGNED_OFF: f"quality assurance of version {self.version}",
            Step.RETURNED: f"a new version, due {self.due}",
            Step.ACCEPTED: "nothing",
        }[self.step]


@dataclass(frozen=True)
class Outcome:
    report: AgencyReport
    audit: AuditNote
    deadlines: GiveDue | MeetBy | None = None


def _note(report: AgencyReport, action: str, **detail: object) -> AuditNote:
    return AuditNote(f"agency_report.{action}", {"agency": report.agency, "step": report.step.value} | detail)


def _refuse_if_accepted(report: AgencyReport, doing: str) -> None:
    if report.step is Step.ACCEPTED:
        raise Conflict(f"{report.agency}'s report is already accepted: cannot {doing}")


def nominate(report: AgencyReport, *, author: str, no_involvement: bool, on: date) -> Outcome:
    """The agency names its author, who must have had no involvement with the case (004 §7.2, 003 §5.2)."""
    _refuse_if_accepted(report, "change its author")
    author = " ".join(author.split())
    if not author:
        raise BadInput("name the report's author", field="author")
    if not no_involvement:
        raise BadInput(
            "the agency must declare that the author had no involvement with the case (004 §7.2)",
            field="no_involvement",
        )
    step = Step.NOMINATED if report.step is Step.NOT_NOMINATED else report.step
    after = replace(report, step=step, author=author, no_involvement_declared=True)
    return Outcome(after, _note(after, "nominated", on=on, renominated=bool(report.author)))


def brief(report: AgencyReport, *, on: date) -> Outcome:
    """The author attended the briefing (004 §7.3)."""
    if not report.author:
        raise Conflict(f"{report.agency} has not named its author yet: record the nomination first")
    after = replace(report, briefed_on=on)
    return Outcome(after, _note(after, "briefed", on=on))


def request(report: AgencyReport, *, due: date, on: date) -> Outcome:
    """The report is requested with its due date (004 §7.3); the agency's deadline takes that date."""
    _refuse_if_accepted(report, "request it again")
    if due <= on:
        raise BadInput(f"the due date {due} must be after the request ({on})", field="due")
    step = Step.REQUESTED if report.step in (Step.NOT_NOMINATED, Step.NOMINATED) else report.step
    after = replace(report, step=step, requested_on=on, due=due)
    return Outcome(
        after, _note(after, "requested", on=on, due=due), GiveDue(MetBy.AGENCY_REPORT_ACCEPTED, due, report.agency)
    )


def receive(report: AgencyReport, *, on: date) -> Outcome:
    """A version arrives (its file is the store's): it needs its own sign-off and quality assurance."""
    _refuse_if_accepted(report, "take a new version")
    after = replace(
        report, step=Step.RECEIVED, version=report.version + 1, received_on=on, signed_off_by="", signed_off_on=None
    )
    return Outcome(after, _note(after, "received", on=on, version=after.version))


def sign_off(report: AgencyReport, *, by: str, on: date) -> Outcome:
    """The agency's senior manager signs off the latest version (004 §7.7): who and when."""
    _refuse_if_accepted(report, "sign it off again")
    if report.step is not Step.RECEIVED:
        raise Conflict(f"{report.agency} has no version awaiting sign-off (it is {report.step.value})")
    by = " ".join(by.split())
    if not by:
        raise BadInput("say who signed the report off", field="by")
    after = replace(report, step=Step.SIGNED_OFF, signed_off_by=by, signed_off_on=on)
    return Outcome(after, _note(after, "signed_off", on=on, version=report.version))


def accept(report: AgencyReport, *, on: date) -> Outcome:
    """Quality assurance accepts the latest version; only a signed-off one (an unsigned report is returned,
    004 §7.6-7.7). Meets the agency's report deadline."""
    if report.step is Step.RECEIVED:
        raise Conflict(
            f"{report.agency}'s version {report.version} is not signed off: return it (004 §7.6-7.7), do not accept it"
        )
    if report.step is not Step.SIGNED_OFF:
        raise Conflict(f"{report.agency} has no signed-off version to accept (it is {report.step.value})")
    after = replace(report, step=Step.ACCEPTED, accepted_on=on)
    return Outcome(
        after,
        _note(after, "accepted", on=on, version=report.version),
        MeetBy(MetBy.AGENCY_REPORT_ACCEPTED, on, report.agency),
    )


def return_report(report: AgencyReport, *, reasons: str, new_due: date, on: date) -> Outcome:
    """Quality assurance returns the latest version with reasons and a new due date (004 §7.6)."""
    _refuse_if_accepted(report, "return it")
    if report.step not in (Step.RECEIVED, Step.SIGNED_OFF):
        raise Conflict(f"{report.agency} has no version to return (it is {report.step.value})")
    if not reasons.strip():
        raise BadInput("give the reasons for returning the report", field="reasons")
    if new_due <= on:
        raise BadInput(f"the new due date {new_due} must be after today ({on})", field="due")
    after = replace(report, step=Step.RETURNED, due=new_due, returns=report.returns + 1)
    note = _note(
        after, "returned", on=on, version=report.version, due=new_due, signed_off=report.step is Step.SIGNED_OFF
    )
    return Outcome(after, note, GiveDue(MetBy.AGENCY_REPORT_ACCEPTED, new_due, report.agency))
