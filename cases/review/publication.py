"""Publication control (004 §10): the planned date, a hold while parallel proceedings are open (criminal
proceedings and the coroner, which the referral captures; disciplinary and other proceedings the business unit
records as they start and end; 004 §10.4 "due regard to the impact on any ongoing legal proceedings,
including any inquest"), the chair's decision to publish anyway, the copies at least 7 working days before
(004 §10.5), and publication itself (which starts the 12-month minimum online, 004 §10.1). Pure."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from cases.actor import Actor, Role
from cases.calendar import WorkingCalendar
from cases.changes import AuditNote
from cases.commands import RecordEvent
from cases.events import CaseEvent
from cases.personal_data import CaseFacts
from cases.review.free_text import checked_words
from errors import BadInput, Conflict, Refused

COPIES_WORKING_DAYS = 7  # 004 §10.5


class Proceeding(StrEnum):
    CRIMINAL = "criminal"
    CORONER = "coroner"
    DISCIPLINARY = "disciplinary"
    OTHER = "other"


@dataclass(frozen=True)
class ProceedingRecord:
    """`started_on` None: known from the referral, start not recorded."""

    kind: Proceeding
    started_on: date | None = None
    ended_on: date | None = None
    from_referral: bool = False

    @property
    def ongoing(self) -> bool:
        return self.ended_on is None


@dataclass(frozen=True)
class Publication:
    planned_on: date | None = None
    proceedings: tuple[ProceedingRecord, ...] = ()
    publish_anyway_on: date | None = None
    published_on: date | None = None

    @property
    def open_proceedings(self) -> list[Proceeding]:
        return [p.kind for p in self.proceedings if p.ongoing]

    @property
    def held(self) -> bool:
        return bool(self.open_proceedings) and self.publish_anyway_on is None

    @property
    def state(self) -> str:
        if self.published_on:
            return "published"
        if self.held:
            return "held: " + ", ".join(k.value for k in self.open_proceedings) + " proceedings open"
        if self.planned_on:
            return "planned"
        return "not planned"


@dataclass(frozen=True)
class Outcome:
    publication: Publication
    audit: AuditNote
    event: RecordEvent | None = None


def _refuse_if_published(publication: Publication) -> None:
    if publication.published_on is not None:
        raise Conflict(f"the report was published on {publication.published_on}")


def plan(publication: Publication, *, on: date, today: date) -> Outcome:
    """The planned publication date: starts the copies' deadline (7 working days before) and drafts them."""
    _refuse_if_published(publication)
    if on <= today:
        raise BadInput(f"the planned publication date {on} must be after today ({today})", field="on")
    after = replace(publication, planned_on=on)
    note = AuditNote("publication.planned", {"on": on, "held": after.held})
    return Outcome(after, note, RecordEvent(CaseEvent.PUBLICATION_PLANNED, on))


def start(publication: Publication, kind: Proceeding, *, on: date) -> Outcome:
    """Proceedings that started (or the business unit learnt of): publication is held while they are open."""
    _refuse_if_published(publication)
    if kind in publication.open_proceedings:
        raise Conflict(f"{kind.value} proceedings are already recorded as open")
    after = replace(publication, proceedings=(*publication.proceedings, ProceedingRecord(kind, on)))
    return Outcome(after, AuditNote("publication.proceedings_started", {"kind": kind.value, "on": on}))


def end(publication: Publication, kind: Proceeding, *, on: date) -> Outcome:
    if kind not in publication.open_proceedings:
        raise Conflict(f"no open {kind.value} proceedings are recorded")
    ended = tuple(replace(p, ended_on=on) if p.kind is kind and p.ongoing else p for p in publication.proceedings)
    after = replace(publication, proceedings=ended)
    return Outcome(after, AuditNote("publication.proceedings_ended", {"kind": kind.value, "on": on}))


def publish_anyway(publication: Publication, *, actor: Actor, reason: str, on: date) -> Outcome:
    """The chair decides to publish despite open proceedings (the reason is sealed by the store)."""
    if not actor.has(Role.CHAIR):
        raise Refused("only the chair can decide to publish while proceedings are open")
    if not publication.held:
        raise Conflict("publication is not held: there is nothing to decide")
    if not reason.strip():
        raise BadInput("give the reason for publishing while proceedings are open", field="reason")
    after = replace(publication, publish_anyway_on=on)
    detail = {"on": on, "open": [k.value for k in publication.open_proceedings]}
    return Outcome(after, AuditNote("publication.publish_anyway", detail))


def publish(publication: Publication, *, on: date, copies_sent_on: date | None, calendar: WorkingCalendar) -> Outcome:
    """Publication recorded: not while held, and only 7 working days or more after the copies went."""
    _refuse_if_published(publication)
    if publication.held:
        kinds = ", ".join(k.value for k in publication.open_proceedings)
        raise Refused(
            f"publication is held while {kinds} proceedings are open (004 §10.4): record their end, or the "
            "chair's decision to publish anyway"
        )
    if copies_sent_on is None:
        raise Conflict("the copies to Ofsted, the DfE and the national panel have not been sent (004 §10.5)")
    earliest = calendar.add_working_days(copies_sent_on, COPIES_WORKING_DAYS)
    if on < earliest:
        raise Conflict(
            f"the copies went on {copies_sent_on}: publish on {earliest} at the earliest (7 working days, 004 §10.5)"
        )
    after = replace(publication, published_on=on)
    note = AuditNote("publication.published", {"on": on, "copies_sent_on": copies_sent_on})
    return Outcome(after, note, RecordEvent(CaseEvent.REPORT_PUBLISHED, on))


def withhold(
    publication: Publication, *, actor: Actor, reasons: str, improvements: str, facts: CaseFacts | None, on: date
) -> tuple[Outcome, dict[str, str]]:
    """The chair records the board's decision not to publish the full report. The national bodies are told, with
    the reasons and the information about the improvements to be made (004 §10.5; Working Together 2023 ch. 5):
    the words go into that message only, so they must not hold the case's personal data. Returns the outcome and
    the words for the message (the store never keeps them beside the case)."""
    _refuse_if_published(publication)
    if not actor.has(Role.CHAIR):
        raise Refused("only the chair can record the decision not to publish the full report")
    words = {
        field: checked_words(
            text,
            facts,
            field=field,
            empty=f"give the {field} (they go to the national bodies, 004 §10.5)",
            named=f"the {field} hold the case's personal data ({{kinds}}): what goes to the national bodies never "
            "names the child or family",
        )
        for field, text in (("reasons", reasons), ("improvements", improvements))
    }
    note = AuditNote("publication.withheld", {"on": on})
    return Outcome(publication, note, RecordEvent(CaseEvent.PUBLICATION_WITHHELD, on)), words
