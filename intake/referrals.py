"""Running the referral conversation for one person: load their draft, take one input, save the draft (or file
the referral and delete the draft, in the same transaction), and say what to show them. Used by Slack and the
terminal alike."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cases.actor import Actor
from cases.calendar import local_date
from cases.case import Deadline
from cases.referral import parse_referral
from cases.rules import MetBy
from intake.conversation.engine import Conversation, Mode, State, new_state
from intake.conversation.messages import Command, Input, Notice, Outbound, Submit
from intake.referral_flow import REFERRAL_FLOW, SAFEGUARDING_REMINDER
from storage.drafts import DraftStore
from storage.store import Store


@dataclass(frozen=True)
class Receipt:
    reference: str
    possible_duplicates: list[str]
    deadlines: list[Deadline]
    # The rules the board's decision meets (the pack's `met_by = "decision_recorded"`): their date is given.
    decision_rules: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        lines = [
            f"Referral filed: *{self.reference}*. Keep this reference: the business unit will use it.",
            "The business unit has been told, and every sub-group agency will be asked to secure its records.",
        ]
        if self.possible_duplicates:
            lines.append(
                f"It may be the same child as {', '.join(self.possible_duplicates)}; the business unit will check."
            )
        decision = next((d for d in self.deadlines if d.computed.rule in self.decision_rules), None)
        if decision is not None:
            lines.append(f"The decision on whether to hold a review is due by {decision.computed.act_by:%-d %b %Y}.")
        lines.append(SAFEGUARDING_REMINDER)
        return "\n".join(lines)


@dataclass(frozen=True)
class Turn:
    outbound: list[Outbound] = field(default_factory=list)
    receipt: Receipt | None = None
    had_draft: bool = True  # False: there was no conversation in progress (and none was started)

    @property
    def finished(self) -> bool:
        return self.receipt is not None


class ReferralConversations:
    flow = REFERRAL_FLOW

    def __init__(self, store: Store, drafts: DraftStore, *, channel: str) -> None:
        self.store = store
        self.drafts = drafts
        self.channel = channel
        self.engine = Conversation(self.flow)

    def has_draft(self, actor: Actor) -> bool:
        with self.store.sessions() as s:
            return self.drafts.load(s, actor.id, self.flow.id, lock=False) is not None

    def handle(
        self,
        actor: Actor,
        inp: Input,
        *,
        now: datetime,
        address: str = "",
        prefill: dict[str, Any] | None = None,
    ) -> Turn:
        """One step of `actor`'s referral. Only Command.START begins a new one."""
        today = local_date(now)
        with self.store.sessions.begin() as s:
            draft = self.drafts.load(s, actor.id, self.flow.id)
            if draft is None:
                if inp.command is not Command.START:
                    return Turn([Notice("You have no referral in progress.")], had_draft=False)
                state = new_state(self.flow, prefill)
            else:
                state = State.from_json(draft.state)
            state, outbound = self.engine.handle(state, inp, today=today)
            submitted = next((o for o in outbound if isinstance(o, Submit)), None)
            if submitted is not None:
                referral = parse_referral(submitted.data, today=today)
                filed = self.store.cases.file_referral(referral, actor=actor, now=now, session=s)
                self.drafts.delete(s, actor.id, self.flow.id)
                decision_rules = self.store.pack.rule_ids_met_by(MetBy.DECISION_RECORDED)
                receipt = Receipt(filed.reference, filed.possible_duplicates, filed.deadlines, decision_rules)
                rest = [o for o in outbound if not isinstance(o, Submit)]
                return Turn([*rest, Notice(receipt.text)], receipt=receipt)
            if state.mode is Mode.CANCELLED:
                self.drafts.delete(s, actor.id, self.flow.id)
            else:
                self.drafts.save(
                    s,
                    actor.id,
                    self.flow.id,
                    state.to_json(),
                    now=now,
                    channel=self.channel,
                    address=address,
                    draft_id=draft.id if draft else None,
                )
            return Turn(outbound)
