"""Who may do what to a case (DESIGN.md §5): pure functions of the actor and the board config.

Referrers see only their own referrals; the business unit (roles business_unit, chair, admin) sees and
moves every case; the decision is recorded by the chair (004 §3.8) or, where the sub-group decides
(004 §5.1), by any business unit member; an agency answers only for itself (its own registered address).
Each `require_*` raises `PermissionDenied` (a `Refused`) with a polite line that names no personal data.
"""

from __future__ import annotations

from cases.actor import Actor, PermissionDenied
from cases.board import BoardConfig


def may_view_case(actor: Actor, filed_by: str) -> bool:
    return actor.is_staff or actor.id == filed_by


def may_record_decision(actor: Actor, board: BoardConfig) -> bool:
    return actor.can_record_decision(board.decision_maker)


def may_answer_for(actor: Actor, agency_id: str) -> bool:
    """The business unit, or the agency itself (never another agency)."""
    return actor.is_staff or (actor.agency is not None and actor.agency == agency_id)


def may_mark_deadline(actor: Actor, agency_id: str | None) -> bool:
    """The business unit marks any deadline; an agency only its own."""
    return actor.is_staff or (agency_id is not None and may_answer_for(actor, agency_id))


def require_staff(actor: Actor, doing: str) -> None:
    """`doing`: what only the business unit may do, e.g. "move a case on"."""
    if not actor.is_staff:
        raise PermissionDenied(f"only the business unit can {doing}")


def require_decision_maker(actor: Actor, board: BoardConfig) -> None:
    if not may_record_decision(actor, board):
        raise PermissionDenied(
            "only the chair can record the decision"
            if board.decision_maker == "chair"
            else "only the business unit can record the decision"
        )


def require_answer_for(actor: Actor, agency_id: str) -> None:
    if not may_answer_for(actor, agency_id):
        raise PermissionDenied("only the business unit, or the agency itself by email, can confirm for an agency")


def require_mark_deadline(actor: Actor, agency_id: str | None) -> None:
    if not may_mark_deadline(actor, agency_id):
        raise PermissionDenied("only the business unit can mark deadlines")


def require_outbox_staff(actor: Actor, verb: str) -> None:
    """Approving, rejecting, editing, cancelling or reading a queued message (its content may be personal)."""
    if not actor.is_staff:
        raise PermissionDenied(f"only an authorised business unit member can {verb} a notification")
