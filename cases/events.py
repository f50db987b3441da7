"""Events that start statutory clocks (DESIGN.md §2) and case lifecycle states."""

from __future__ import annotations

from enum import StrEnum


class CaseEvent(StrEnum):
    INCIDENT_AWARE = "incident_aware"
    REFERRAL_RECEIVED = "referral_received"
    # The date the sub-group is to meet (004 §3.9-3.10): agencies must say whether they know the family
    # before it (004 §3.7).
    SUBGROUP_MEETING_SCHEDULED = "subgroup_meeting_scheduled"
    DECISION_MADE = "decision_made"
    REVIEW_EXTENDED = "review_extended"
    PUBLICATION_PLANNED = "publication_planned"
    REPORT_PUBLISHED = "report_published"
    # The board decided not to publish the full report: the national bodies are told, with the reasons and the
    # improvements information (004 §10.5; the Panel and the Secretary of State in Working Together 2023 ch. 5).
    PUBLICATION_WITHHELD = "publication_withheld"
    # The Child Safeguarding Practice Review Panel's answer to a rapid review (Working Together 2023 ch. 5).
    PANEL_RESPONDED = "panel_responded"
    # Every action of the review's action plan evidenced complete (003 §7.2-7.3): progress reports stop.
    ACTIONS_COMPLETED = "actions_completed"


class Outcome(StrEnum):
    """Decision outcomes: 004 Appendix 1 §5 and §12."""

    SCR = "scr"
    MULTI_AGENCY_REVIEW = "multi_agency_review"
    SINGLE_AGENCY_REVIEW = "single_agency_review"
    REFERRED_OTHER_BOARD = "referred_other_board"
    NO_REVIEW = "no_review"
    OTHER = "other"


class PanelResponse(StrEnum):
    """What the Child Safeguarding Practice Review Panel said of a rapid review (Working Together 2023 ch. 5)."""

    AGREES = "agrees"
    DISAGREES = "disagrees"
    ASKS_QUESTIONS = "asks_questions"


class CaseStatus(StrEnum):
    REFERRED = "referred"
    UNDER_CONSIDERATION = "under_consideration"
    DECIDED = "decided"
    IN_REVIEW = "in_review"
    REPORT_APPROVED = "report_approved"
    PUBLISHED = "published"
    MONITORING = "monitoring"
    CLOSED = "closed"


# Forward moves of the lifecycle (DESIGN.md §2). A decision that ends the board's involvement (no review,
# referred to another board) may close the case straight away; any open case may be closed by the board.
_NEXT: dict[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.REFERRED: frozenset({CaseStatus.UNDER_CONSIDERATION, CaseStatus.DECIDED}),
    CaseStatus.UNDER_CONSIDERATION: frozenset({CaseStatus.DECIDED}),
    CaseStatus.DECIDED: frozenset({CaseStatus.IN_REVIEW, CaseStatus.MONITORING}),
    CaseStatus.IN_REVIEW: frozenset({CaseStatus.REPORT_APPROVED}),
    CaseStatus.REPORT_APPROVED: frozenset({CaseStatus.PUBLISHED}),
    CaseStatus.PUBLISHED: frozenset({CaseStatus.MONITORING}),
    CaseStatus.MONITORING: frozenset(),
    CaseStatus.CLOSED: frozenset(),
}


def can_move(current: CaseStatus, target: CaseStatus) -> bool:
    if target is CaseStatus.CLOSED:
        return current is not CaseStatus.CLOSED
    return target in _NEXT[current]


def allowed_moves(current: CaseStatus) -> list[CaseStatus]:
    moves = sorted(_NEXT[current], key=list(CaseStatus).index)
    if current is not CaseStatus.CLOSED:
        moves.append(CaseStatus.CLOSED)
    return moves
