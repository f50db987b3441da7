"""Is the incident notifiable? Children Act 2004 s.16C and 004 §2.2, from the referral's answers.

s.16C(1): the local authority must notify the Child Safeguarding Practice Review Panel when it knows or
suspects that a child has been abused or neglected and the child (a) dies or is seriously harmed in its area,
or (b) normally resident in its area, dies or is seriously harmed outside England. s.16C(2): the death of a
looked-after child is notified to the Secretary of State and Ofsted whether or not abuse or neglect is known
or suspected (004 §2.2 lists the same). Answers are three-valued: "not known" never counts as "no", so the
duty stays open and the business unit is asked to confirm; only a notifiable incident gets a draft.

Pure: information for the business unit, each branch naming its clause (the table `BRANCHES`).
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from cases.answers import Answer
from cases.criteria import CriteriaAnswers

U = Answer.UNKNOWN


class IncidentAnswers(BaseModel):
    """Where the incident happened and the child's status, for s.16C (with "not known" allowed)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    in_area: Answer = Field(default=U, title="The child died or was seriously harmed in the local authority's area")
    outside_england: Answer = Field(
        default=U,
        title="The child, normally resident in the area, died or was seriously harmed outside England",
    )
    looked_after: Answer = Field(default=U, title="The child was looked after by a local authority")


@dataclass(frozen=True)
class Branch:
    """One way an incident is notifiable, with the clause it rests on."""

    name: str
    clause: str
    text: str
    # Whom it is notified to.
    to: str


BRANCHES = (
    Branch(
        "died",
        "Children Act 2004 s.16C(1)(a); 004 §2.2",
        "the child died in the area and abuse or neglect is known or suspected",
        "the Child Safeguarding Practice Review Panel",
    ),
    Branch(
        "seriously_harmed",
        "Children Act 2004 s.16C(1)(a); 004 §2.2",
        "the child was seriously harmed in the area and abuse or neglect is known or suspected",
        "the Child Safeguarding Practice Review Panel",
    ),
    Branch(
        "outside_england",
        "Children Act 2004 s.16C(1)(b)",
        "the child, normally resident in the area, died or was seriously harmed outside England and abuse or "
        "neglect is known or suspected",
        "the Child Safeguarding Practice Review Panel",
    ),
    Branch(
        "looked_after",
        "Children Act 2004 s.16C(2); 004 §2.2",
        "a looked-after child died (whether or not abuse or neglect is known or suspected)",
        "the Secretary of State and Ofsted",
    ),
)


@dataclass(frozen=True)
class Triage:
    """Whether the incident is notifiable (yes, no, or not known yet) and the branches that say so."""

    notifiable: Answer
    met: tuple[Branch, ...]
    unknown: tuple[Branch, ...]
    # The s.16C(1) branches only: notified to the Panel (the looked-after branch goes to the SoS and Ofsted).
    to_panel: Answer = Answer.UNKNOWN

    @property
    def line(self) -> str:
        """One line for the business unit (no personal data): the result and its clauses."""
        if self.notifiable is Answer.YES:
            return "Notifiable incident: " + "; ".join(f"{b.text} ({b.clause})" for b in self.met) + "."
        if self.notifiable is Answer.NO:
            return "Not a notifiable incident on the answers given (Children Act 2004 s.16C; 004 §2.2)."
        clauses = ", ".join(dict.fromkeys(b.clause for b in self.unknown))
        return (
            f"Not known yet whether the incident is notifiable ({clauses}): the notification duty stays open; "
            "the business unit confirms the answers."
        )


def _branch_answers(criteria: CriteriaAnswers, incident: IncidentAnswers) -> dict[str, Answer]:
    abuse = criteria.abuse_or_neglect
    harmed_or_died = Answer.any_of([criteria.child_died, criteria.seriously_harmed])
    return {
        "died": Answer.all_of([abuse, criteria.child_died, incident.in_area]),
        "seriously_harmed": Answer.all_of([abuse, criteria.seriously_harmed, incident.in_area]),
        "outside_england": Answer.all_of([abuse, harmed_or_died, incident.outside_england]),
        "looked_after": Answer.all_of([incident.looked_after, criteria.child_died]),
    }


def triage(criteria: CriteriaAnswers, incident: IncidentAnswers) -> Triage:
    answers = _branch_answers(criteria, incident)
    met = tuple(b for b in BRANCHES if answers[b.name] is Answer.YES)
    unknown = tuple(b for b in BRANCHES if answers[b.name] is Answer.UNKNOWN)
    panel = Answer.any_of(answers[b.name] for b in BRANCHES if b.name != "looked_after")
    return Triage(Answer.any_of(answers[b.name] for b in BRANCHES), met, unknown, panel)
