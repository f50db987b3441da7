"""Only an authorised business unit member may read, approve, reject, edit or cancel a queued message (the bot
cancels as the system, an admin); anyone else is refused and the message is left as it was."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from bot import wiring
from cases.actor import SYSTEM, Actor, agency_actor
from errors import Refused
from notify.outbox import OutboundMessage, Outbox, OutboxStatus
from storage.store import Store
from tests.factories import BUSINESS_UNIT, REFERRER

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)

Verb = Callable[[Outbox, str, Actor], object]
VERBS: dict[str, Verb] = {
    "read": lambda outbox, item, actor: outbox.get(item, actor=actor, now=NOW),
    "approve": lambda outbox, item, actor: outbox.approve(item, actor=actor, now=NOW),
    "reject": lambda outbox, item, actor: outbox.reject(item, actor=actor, now=NOW),
    "edit": lambda outbox, item, actor: outbox.edit(item, actor=actor, now=NOW, text="New wording."),
    "cancel": lambda outbox, item, actor: outbox.cancel(item, actor=actor, now=NOW),
}


def draft(outbox: Outbox) -> str:
    message = OutboundMessage(
        kind="decision_recorded_notice",
        template_id="decision_recorded_notice",
        values={"case_ref": "SCR-2026-0001", "outcome_label": "no review", "decided_on": NOW.date()},
        recipients=["C0BUSINESS"],
        recipient_summary="channel:business_unit",
        idempotency_key="permissions-draft",
        requires_approval=True,
    )
    return outbox.enqueue(message, now=NOW, actor=SYSTEM)


@pytest.mark.parametrize("verb", sorted(VERBS))
@pytest.mark.parametrize(
    ("who", "actor", "allowed"),
    [
        ("business unit", BUSINESS_UNIT, True),
        ("the system", SYSTEM, True),
        ("a referrer", REFERRER, False),
        ("an agency", agency_actor("police"), False),
    ],
)
def test_who_may_act_on_a_queued_message(verb: str, who: str, actor: Actor, allowed: bool, store: Store) -> None:
    outbox = wiring.outbox_for(store)
    item = draft(outbox)
    if allowed:
        VERBS[verb](outbox, item, actor)
        return
    with pytest.raises(Refused):
        VERBS[verb](outbox, item, actor)
    [summary] = outbox.list()
    assert summary.status is OutboxStatus.DRAFT  # refused: nothing changed
