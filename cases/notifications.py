"""Notifications as rules-pack data: which change drafts which message, to whom, and which deadline sending it
meets (`[[notifications]]` in a pack).

A pack says, for each statutory message: the template that words it (`templates/catalogue.toml`), the change
that calls for it (`on`, narrowed by `outcomes` or `requires_event`), the recipients by role, the rule whose
deadline sending it meets (`discharges`) or only serves (`serves`: the date the approver is shown), and which
template fields are deadline dates (`dates`). `notify/statutory.py` drafts what the pack declares; nothing
about a particular rule or template is written in code.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from cases.events import CaseEvent, Outcome


class Trigger(StrEnum):
    """The change that calls for a notification."""

    REFERRAL_FILED = "referral_filed"
    DECISION_MADE = "decision_made"
    REVIEW_EXTENDED = "review_extended"
    PUBLICATION_PLANNED = "publication_planned"
    REPORT_PUBLISHED = "report_published"
    PUBLICATION_WITHHELD = "publication_withheld"
    # The last action of the plan evidenced complete: the review is concluded (003 §7.2).
    ACTIONS_COMPLETED = "actions_completed"
    # An agency's report signed off and accepted by quality assurance: it goes to the lead reviewer and the
    # review panel (003 §5.7, 004 §6.1). A review step, not a clock-starting event.
    AGENCY_REPORT_ACCEPTED = "agency_report_accepted"

    @property
    def event(self) -> CaseEvent | None:
        """The clock-starting event this trigger records (none for the filing itself or a review step)."""
        if self in (Trigger.REFERRAL_FILED, Trigger.AGENCY_REPORT_ACCEPTED):
            return None
        return CaseEvent(self.value)


class RecipientRole(StrEnum):
    """Who a notification goes to, by role: addresses come from the board config."""

    # National bodies and the partnership's own mailboxes: addresses under [statutory_recipients] in the board
    # config, with documented defaults for the national bodies (cases/board.py).
    OFSTED = "ofsted"
    DFE = "dfe"
    # The National Panel of Independent Experts on Serious Case Reviews (004 §5.3; replaced in 2018).
    NATIONAL_PANEL = "national_panel"
    # The Child Safeguarding Practice Review Panel (Children Act 2004 s.16A; Working Together 2023 ch. 5).
    CSPR_PANEL = "cspr_panel"
    SECRETARY_OF_STATE = "secretary_of_state"
    # The three safeguarding partners (Children Act 2004 s.16E): no default, the board gives its address.
    SAFEGUARDING_PARTNERS = "safeguarding_partners"
    # The board itself (the action plan's progress reports, 003 §7.3): [statutory_recipients.board] when given,
    # else the board managers (cases/board.py `addressed_roles`).
    BOARD = "board"
    # The review's own people, who receive each accepted agency report (003 §5.7: "forward it to members of
    # the serious case review panel"; 004 §5.6, §6.1): the reviewer (the lead reviewer, or overview author, of
    # a serious case review; the reviewer of a local practice review under wt2023) and the review panel. No
    # default: [statutory_recipients.reviewer] and [statutory_recipients.review_panel] in the board config.
    REVIEWER = "reviewer"
    REVIEW_PANEL = "review_panel"
    # One message to the chief officers of every involved agency (004 §7.1).
    INVOLVED_AGENCIES = "involved_agencies"
    # One message to each involved agency (e.g. its IMR request, 004 §7.3).
    EACH_INVOLVED_AGENCY = "each_involved_agency"

    @property
    def statutory(self) -> bool:
        """Resolved from the board's [statutory_recipients] (the agency roles from its [[agencies]])."""
        return self not in (RecipientRole.INVOLVED_AGENCIES, RecipientRole.EACH_INVOLVED_AGENCY)


class Via(StrEnum):
    """How a notification reaches its recipients."""

    # Drafted, approved by a person, sent from the outbox by email.
    OUTBOX = "outbox"
    # Made by a person on a national online form (the serious incident notification, Working Together 2023
    # ch. 5): the bot words the fields the form asks for; a person submits it and records the portal's
    # reference and date, which meets the rule it discharges.
    PORTAL = "portal"
    # Sent by a person outside the bot (e.g. the rapid review document to the Panel) and recorded with its date.
    RECORDED = "recorded"


DateWhich = Literal["act_by", "due", "original_due"]


class DateFrom(BaseModel):
    """A template field filled with a deadline's date: `"rule"` (its act_by), `"rule.due"`, or
    `"rule.original_due"` (the due date before any extension moved it)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rule: str
    which: DateWhich = "act_by"

    @classmethod
    def parse(cls, text: str) -> DateFrom:
        rule, _, which = text.partition(".")
        if which and which not in ("act_by", "due", "original_due"):
            raise ValueError(f"{text!r}: after the rule id, say .due, .act_by or .original_due")
        return cls(rule=rule, which=which or "act_by")


# The board's own switches for a notification (`[notifications]` in the board config), by name.
SWITCHES = ("draft_incident_notification",)


class Notification(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    template: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    on: Trigger
    to: tuple[RecipientRole, ...] = Field(min_length=1)
    # What the approver is told the draft is, e.g. "statutory notification of the decision".
    purpose: str = Field(min_length=1)
    # The rule whose deadline is met when this message is sent.
    discharges: str = ""
    # The rule whose act_by the approver is shown; `discharges` when not given.
    serves: str = ""
    # Only for these decision outcomes (notifications on decision_made); empty means any outcome.
    outcomes: tuple[Outcome, ...] = ()
    # Only when the case has had this event (e.g. the local authority becoming aware, 004 §2.3).
    requires_event: CaseEvent | None = None
    # A board setting under [notifications] that turns this notification off.
    switch: str = ""
    # Template fields that are deadline dates: field -> "rule", "rule.due" or "rule.original_due".
    dates: dict[str, DateFrom] = Field(default_factory=dict)
    source: str = ""
    via: Via = Via.OUTBOX
    # Drafted again for each next occurrence of the recurring rule it discharges (the quarterly progress
    # report, 003 §7.3), as the last one is met.
    recurs: bool = False

    @field_validator("dates", mode="before")
    @classmethod
    def _parse_dates(cls, value: object) -> object:
        if isinstance(value, dict):
            return {k: DateFrom.parse(v) if isinstance(v, str) else v for k, v in value.items()}
        return value

    @field_validator("switch")
    @classmethod
    def _known_switch(cls, value: str) -> str:
        if value and value not in SWITCHES:
            raise ValueError(f"unknown switch {value!r}; known: {', '.join(SWITCHES)}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Notification:
        agencies = [r for r in self.to if not r.statutory]
        if agencies and len(self.to) > 1:
            raise ValueError("an agency role cannot be combined with other recipients")
        if self.outcomes and self.on is not Trigger.DECISION_MADE:
            raise ValueError("outcomes only apply to notifications on decision_made")
        if self.via is not Via.OUTBOX and not self.discharges:
            raise ValueError(f"a notification made {self.via.value} must name the rule it discharges")
        if self.recurs and not self.discharges:
            raise ValueError("a notification that recurs must name the recurring rule it discharges")
        if self.via is not Via.OUTBOX and agencies:
            raise ValueError(f"a notification made {self.via.value} goes to statutory recipients only")
        return self

    @property
    def sent_by_bot(self) -> bool:
        return self.via is Via.OUTBOX

    @property
    def serves_rule(self) -> str:
        return self.serves or self.discharges

    @property
    def per_agency(self) -> bool:
        return RecipientRole.EACH_INVOLVED_AGENCY in self.to

    def rules_named(self) -> dict[str, str]:
        """Every rule this declaration names, by the key that names it."""
        named = {"discharges": self.discharges, "serves": self.serves}
        named.update({f"dates.{name}": date_from.rule for name, date_from in self.dates.items()})
        return {key: rule for key, rule in named.items() if rule}
