"""`scrbot purge`: remove personal data past the board's retention period, keep the de-identified timeline.

A closed case is purged `retention_days_after_close` days after it closed: the referral, the decision's
free text and the agencies' free-text answers are deleted and the blind index cleared. The reference,
status, events, deadlines (with their rule text and dates) and the audit log stay, so the board can still
show what happened when, without saying to whom.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from cases.actor import Actor
from storage.audit import AuditLog
from storage.db import rowcount
from storage.tables import AgencyConfirmationRow, CaseRow, DecisionRow

# Other features register what they hold per case (drafts, mail bodies, rendered notifications):
# each takes (session, case_id) and returns how many values it removed.
PurgeHook = Callable[[Session, str], int]


@dataclass(frozen=True)
class PurgeReport:
    purged: list[str]
    fields_removed: int


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
    dry_run: bool = False,
) -> PurgeReport:
    cutoff = now - timedelta(days=retention_days)
    purged: list[str] = []
    removed = 0
    with sessions.begin() as s:
        for row in due_for_purge(s, board_id, cutoff):
            purged.append(row.reference)
            if dry_run:
                continue
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
            for hook in hooks or []:
                removed += hook(s, row.id)
            audit.append(
                s,
                at=now,
                actor=actor.id,
                action="case.purged",
                case_ref=row.reference,
                detail={"retention_days": retention_days},
            )
    return PurgeReport(purged, removed)
