"""The action plan repository: each step of cases/review/action_plan.py loaded, decided, written (words sealed),
audited (numbers, agencies and dates only), with its deadline effect (each action's own date, met by its
evidence) and, when the last action is complete, the case event that concludes the review (003 §7.2)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.actor import Actor
from cases.calendar import local_date
from cases.permissions import require_staff
from cases.personal_data import CaseFacts
from cases.review.action_plan import Action, Outcome, add, complete, sign_up
from errors import Conflict, NotFound
from storage.case_facts import case_facts
from storage.crypto import open_text, seal_text
from storage.db import transaction
from storage.store import Store
from storage.tables import ActionRow, CaseRow

_TABLE = "action_plan_actions"


class ActionPlan:
    def __init__(self, store: Store) -> None:
        self.store = store

    def actions(self, reference: str, *, words: bool = False, session: Session | None = None) -> list[Action]:
        """The plan, in number order; the actions' words only when asked (they are sealed at rest)."""
        with transaction(self.store.sessions, session) as s:
            case = self._case(s, reference)
            return list(self._load(s, case, words=words).values())

    def add(
        self,
        reference: str,
        *,
        text: str,
        owner_agency: str,
        owner_role: str,
        due: date,
        measure: str,
        actor: Actor,
        now: datetime,
        session: Session | None = None,
    ) -> Action:
        """A new action; refused if its words hold the case's personal data (checked against its record)."""
        self.store.board.agency(owner_agency)  # an unknown agency: NotFound, naming it

        def step(actions: tuple[Action, ...], facts: CaseFacts | None) -> Outcome:
            return add(
                actions,
                text=text,
                owner_agency=owner_agency,
                owner_role=owner_role,
                due=due,
                measure=measure,
                facts=facts,
                today=local_date(now),
            )

        outcome = self._apply(reference, step, actor=actor, now=now, session=session)
        return outcome.actions[-1]

    def sign_up(self, reference: str, number: int, *, on: date, actor: Actor, now: datetime) -> Action:
        outcome = self._apply(reference, lambda a, _: sign_up(a, number, on=on), actor=actor, now=now)
        return next(a for a in outcome.actions if a.number == number)

    def complete(
        self, reference: str, number: int, *, evidence: str, on: date, actor: Actor, now: datetime
    ) -> tuple[Action, bool]:
        """Evidence of completion (sealed); (the action, whether every action is now complete)."""
        outcome = self._apply(
            reference, lambda a, _: complete(a, number, on=on), actor=actor, now=now, evidence=(number, evidence)
        )
        action = next(a for a in outcome.actions if a.number == number)
        return action, outcome.event is not None

    # --- plumbing ------------------------------------------------------------------------------------

    def _apply(
        self,
        reference: str,
        step: Callable[[tuple[Action, ...], CaseFacts | None], Outcome],
        *,
        actor: Actor,
        now: datetime,
        session: Session | None = None,
        evidence: tuple[int, str] | None = None,
    ) -> Outcome:
        require_staff(actor, "keep the action plan")
        with transaction(self.store.sessions, session) as s:
            case = self._case(s, reference, lock=True)
            rows = {r.number: r for r in s.scalars(select(ActionRow).where(ActionRow.case_id == case.id))}
            before = tuple(self._action(r, words=False) for r in sorted(rows.values(), key=lambda r: r.number))
            outcome = step(before, case_facts(s, self.store.codec, case.id))
            for action in outcome.actions:
                row = rows.get(action.number)
                if row is None:
                    row = self._new_row(s, case, action, now)
                row.signed_up_on = action.signed_up_on
                row.completed_on = action.completed_on
                row.updated_at = now
                if evidence is not None and evidence[0] == action.number and evidence[1].strip():
                    row.evidence_enc = self._seal("evidence_enc", row.id, evidence[1].strip())
            detail = dict(outcome.audit.detail)
            self.store.audit.append(
                s, at=now, actor=actor.id, action=outcome.audit.action, case_ref=case.reference, detail=detail
            )
            if outcome.deadlines is not None:
                self.store.cases.run(case.reference, outcome.deadlines, actor=actor, now=now, session=s)
            if outcome.event is not None:
                event = outcome.event
                self.store.cases.record_event(case.reference, event.event, event.on, actor=actor, now=now, session=s)
                self.store.audit.append(
                    s,
                    at=now,
                    actor=actor.id,
                    action="review.concluded",
                    case_ref=case.reference,
                    detail={"on": event.on},
                )
            return outcome

    def _new_row(self, s: Session, case: CaseRow, action: Action, now: datetime) -> ActionRow:
        row = ActionRow(
            board_id=self.store.board.id,
            case_id=case.id,
            number=action.number,
            owner_agency=action.owner_agency,
            due=action.due,
            updated_at=now,
        )
        s.add(row)
        s.flush()
        row.text_enc = self._seal("text_enc", row.id, action.text)
        row.owner_role_enc = self._seal("owner_role_enc", row.id, action.owner_role)
        row.measure_enc = self._seal("measure_enc", row.id, action.measure)
        return row

    def _seal(self, column: str, row_id: str, value: str) -> bytes:
        return seal_text(self.store.cipher, value, table=_TABLE, column=column, row_id=row_id)

    def _case(self, s: Session, reference: str, *, lock: bool = False) -> CaseRow:
        query = select(CaseRow).where(CaseRow.board_id == self.store.board.id, CaseRow.reference == reference.upper())
        row = s.scalars(query.with_for_update() if lock else query).one_or_none()
        if row is None:
            raise NotFound(f"no case {reference.upper()}")
        if lock and row.closed_at is not None:
            raise Conflict(f"case {row.reference} is closed")
        return row

    def _load(self, s: Session, case: CaseRow, *, words: bool) -> dict[int, Action]:
        rows = s.scalars(select(ActionRow).where(ActionRow.case_id == case.id).order_by(ActionRow.number))
        return {r.number: self._action(r, words=words) for r in rows}

    def _action(self, row: ActionRow, *, words: bool) -> Action:
        def opened(column: str, token: bytes | None) -> str:
            if not words or token is None:
                return ""
            return open_text(self.store.cipher, token, table=_TABLE, column=column, row_id=row.id)

        return Action(
            number=row.number,
            text=opened("text_enc", row.text_enc),
            owner_agency=row.owner_agency,
            owner_role=opened("owner_role_enc", row.owner_role_enc),
            due=row.due,
            measure=opened("measure_enc", row.measure_enc),
            signed_up_on=row.signed_up_on,
            completed_on=row.completed_on,
        )
