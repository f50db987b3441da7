"""The publication repository: each step of cases/review/publication.py loaded, decided, written, audited, and
its case event (publication planned, report published) recorded through the case rules, in one transaction.
Criminal proceedings and the coroner come from the referral (a "yes" there is an open proceeding until the
business unit records its end); the chair's reason for publishing anyway is sealed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from cases.actor import Actor
from cases.answers import Answer
from cases.calendar import local_date
from cases.events import CaseEvent
from cases.permissions import require_staff
from cases.review.publication import (
    Outcome,
    Proceeding,
    ProceedingRecord,
    Publication,
    publish,
    publish_anyway,
    withhold,
)
from errors import NotFound
from storage.case_facts import case_facts
from storage.change_words import giving_words
from storage.crypto import seal_text
from storage.db import transaction
from storage.outbox import OutboxStatus
from storage.store import Store
from storage.tables import CaseRow, OutboxRow, ProceedingRow, PublicationRow

Step_ = Callable[[Publication], Outcome]
_TABLE = "publications"


class Publications:
    def __init__(self, store: Store) -> None:
        self.store = store

    def view(self, reference: str, *, session: Session | None = None) -> Publication:
        with transaction(self.store.sessions, session) as s:
            case = self._case(s, reference)
            return self._load(s, case)[1]

    def record(
        self, reference: str, step: Step_, *, actor: Actor, now: datetime, session: Session | None = None
    ) -> Publication:
        """Apply one step (a pure function of cases/review/publication.py, its arguments bound)."""
        require_staff(actor, "record the report's publication")
        with transaction(self.store.sessions, session) as s:
            case = self._case(s, reference, lock=True)
            row, before = self._load(s, case)
            outcome = step(before)
            self._write(s, case, row, outcome, actor=actor, now=now)
            return outcome.publication

    def publish_anyway(
        self, reference: str, *, reason: str, actor: Actor, now: datetime, session: Session | None = None
    ) -> Publication:
        """The chair's decision to publish while proceedings are open, with the reason (sealed)."""
        with transaction(self.store.sessions, session) as s:
            case = self._case(s, reference, lock=True)
            row, before = self._load(s, case)
            outcome = publish_anyway(before, actor=actor, reason=reason, on=local_date(now))
            row = self._write(s, case, row, outcome, actor=actor, now=now)
            row.publish_anyway_by = actor.id
            row.publish_anyway_reason_enc = seal_text(
                self.store.cipher, reason.strip(), table=_TABLE, column="publish_anyway_reason_enc", row_id=row.id
            )
            return outcome.publication

    def withhold(
        self,
        reference: str,
        *,
        reasons: str,
        improvements: str,
        actor: Actor,
        now: datetime,
        session: Session | None = None,
    ) -> Publication:
        """The decision not to publish the full report: drafts, for approval, the message to the national bodies
        the case's pack declares, carrying the reasons and the improvements information (004 §10.5)."""
        with transaction(self.store.sessions, session) as s:
            case = self._case(s, reference, lock=True)
            row, before = self._load(s, case)
            facts = case_facts(s, self.store.codec, case.id)
            outcome, words = withhold(
                before, actor=actor, reasons=reasons, improvements=improvements, facts=facts, on=local_date(now)
            )
            with giving_words(s, CaseEvent.PUBLICATION_WITHHELD, words):
                self._write(s, case, row, outcome, actor=actor, now=now)
            return outcome.publication

    def publish(self, reference: str, *, actor: Actor, now: datetime, session: Session | None = None) -> Publication:
        """Publication recorded today, if not held and the copies went 7 working days or more before."""
        require_staff(actor, "record the report's publication")
        with transaction(self.store.sessions, session) as s:
            case = self._case(s, reference, lock=True)
            row, before = self._load(s, case)
            pack = self.store.cases.pack_named(case.rules_pack)
            kinds = [n.template for n in pack.notifications if n.on == CaseEvent.PUBLICATION_PLANNED.value]
            sent = s.scalar(
                select(func.min(OutboxRow.sent_at)).where(
                    OutboxRow.case_id == case.id,
                    OutboxRow.kind.in_(kinds),
                    OutboxRow.status == OutboxStatus.SENT.value,
                )
            )
            copies_sent_on = local_date(sent) if sent is not None else None
            outcome = publish(before, on=local_date(now), copies_sent_on=copies_sent_on, calendar=self.store.calendar)
            self._write(s, case, row, outcome, actor=actor, now=now)
            return outcome.publication

    # --- plumbing ------------------------------------------------------------------------------------

    def _case(self, s: Session, reference: str, *, lock: bool = False) -> CaseRow:
        query = select(CaseRow).where(CaseRow.board_id == self.store.board.id, CaseRow.reference == reference.upper())
        row = s.scalars(query.with_for_update() if lock else query).one_or_none()
        if row is None:
            raise NotFound(f"no case {reference.upper()}")
        return row

    def _load(self, s: Session, case: CaseRow) -> tuple[PublicationRow | None, Publication]:
        row = s.scalars(select(PublicationRow).where(PublicationRow.case_id == case.id)).one_or_none()
        rows = s.scalars(select(ProceedingRow).where(ProceedingRow.case_id == case.id).order_by(ProceedingRow.id))
        records = [ProceedingRecord(Proceeding(r.kind), r.started_on, r.ended_on, r.from_referral) for r in rows]
        if row is None:  # first use: what the referral said about parallel proceedings (never shown)
            referral = self.store.codec.open_referral(case)
            if referral is not None:
                said = {
                    Proceeding.CRIMINAL: referral.considerations.criminal_proceedings,
                    Proceeding.CORONER: referral.coroner_involved,
                }
                records += [ProceedingRecord(k, from_referral=True) for k, a in said.items() if a is Answer.YES]
        publication = Publication(
            planned_on=row.planned_on if row else None,
            proceedings=tuple(records),
            publish_anyway_on=row.publish_anyway_on if row else None,
            published_on=row.published_on if row else None,
        )
        return row, publication

    def _write(
        self, s: Session, case: CaseRow, row: PublicationRow | None, outcome: Outcome, *, actor: Actor, now: datetime
    ) -> PublicationRow:
        after = outcome.publication
        if row is None:
            row = PublicationRow(board_id=self.store.board.id, case_id=case.id, publish_anyway_by="", updated_at=now)
            s.add(row)
        row.planned_on = after.planned_on
        row.publish_anyway_on = after.publish_anyway_on
        row.published_on = after.published_on
        row.updated_at = now
        s.execute(delete(ProceedingRow).where(ProceedingRow.case_id == case.id))
        for p in after.proceedings:
            s.add(
                ProceedingRow(
                    board_id=self.store.board.id,
                    case_id=case.id,
                    kind=p.kind.value,
                    started_on=p.started_on,
                    ended_on=p.ended_on,
                    from_referral=p.from_referral,
                )
            )
        s.flush()
        self.store.audit.append(
            s,
            at=now,
            actor=actor.id,
            action=outcome.audit.action,
            case_ref=case.reference,
            detail=dict(outcome.audit.detail),
        )
        if outcome.event is not None:
            event = outcome.event
            self.store.cases.record_event(case.reference, event.event, event.on, actor=actor, now=now, session=s)
        return row
