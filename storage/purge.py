"""`scrbot purge`: remove personal data past the board's retention period, keep the de-identified timeline.

A closed case is purged `retention_days_after_close` days after it closed: the referral, the decision's
free text, the agencies' free-text answers and the notes on its costs are deleted and the blind index
cleared. The reference, status, events, deadlines (with their rule text and dates) and the audit log stay,
so the board can still show what happened when, without saying to whom.

Other features remove what they hold about the case through hooks, found by any key that links it to the
case: its id, its reference, or (for mail that names no case) the child's own details, which is why each
hook is given the referral before it is deleted. `before_commit` then deletes files and mailbox copies
(`scrbot purge` passes the mailbox's `delete_copies`): if that fails, the transaction rolls back and nothing
is marked purged, so the next run tries again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from cases.actor import Actor
from storage.audit import AuditLog
from storage.db import rowcount
from storage.tables import AgencyConfirmationRow, CaseRow, DecisionRow, ReviewCostRow

if TYPE_CHECKING:
    from cases.referral import Referral
    from storage.case_codec import Codec


@dataclass(frozen=True)
class CaseToPurge:
    id: str
    board_id: str
    reference: str  # unique within its board only
    referral: Referral | None  # opened before it is deleted, so that hooks can find what names the child

    def __repr__(self) -> str:
        return f"CaseToPurge({self.reference})"


# Other features register what they hold per case (mail bodies, rendered notifications): each takes
# (session, case) and returns how many values it removed.
PurgeHook = Callable[[Session, CaseToPurge], int]


@dataclass(frozen=True)
class PurgeReport:
    purged: list[str]
    fields_removed: int
    copies_deleted: int = 0  # files and mailbox copies (`before_commit`)


def due_for_purge(s: Session, board_id: str, cutoff: datetime) -> list[CaseRow]:
    return list(
        s.scalars(
            select(CaseRow)
            .where(
                CaseRow.board_id == board_id,
                CaseRow.closed_at.is_not(None),
                CaseRow.closed_at <= cutoff,
                CaseRow.purged_at.is_(None),
            )
            .order_by(CaseRow.reference)
        )
    )


def purge(
    sessions: sessionmaker[Session],
    audit: AuditLog,
    *,
    board_id: str,
    retention_days: int,
    now: datetime,
    actor: Actor,
    hooks: list[PurgeHook] | None = None,
    codec: Codec | None = None,
    before_commit: Callable[[], int] | None = None,
    dry_run: bool = False,
) -> PurgeReport:
    cutoff = now - timedelta(days=retention_days)
    purged: list[str] = []
    removed = 0
    copies = 0
    with sessions.begin() as s:
        for row in due_for_purge(s, board_id, cutoff):
            purged.append(row.reference)
            if dry_run:
                continue
            referral = codec.open_referral(row) if codec is not None else None
            case = CaseToPurge(row.id, board_id, row.reference, referral)
            removed += 1 if row.referral_enc is not None else 0
            row.referral_enc = None
            row.child_index = None
            row.purged_at = now
            removed += rowcount(
                s.execute(
                    update(DecisionRow)
                    .where(DecisionRow.case_id == row.id)
                    .values(decided_by_enc=None, rationale_enc=None, detail_enc=None)
                )
            )
            removed += rowcount(
                s.execute(
                    update(AgencyConfirmationRow)
                    .where(AgencyConfirmationRow.case_id == row.id)
                    .values(involvement_detail_enc=None, secured_by_enc=None, evidence_enc=None)
                )
            )
            removed += rowcount(
                s.execute(
                    update(ReviewCostRow)
                    .where(ReviewCostRow.case_id == row.id, ReviewCostRow.note_enc.is_not(None))
                    .values(note_enc=None)
                )
            )
            for hook in hooks or []:
                removed += hook(s, case)
            audit.append(
                s,
                at=now,
                actor=actor.id,
                action="case.purged",
                case_ref=row.reference,
                detail={"retention_days": retention_days},
            )
        if purged and not dry_run and before_commit is not None:
            copies = before_commit()
    return PurgeReport(purged, removed, copies)
