"""Approval cards for statutory notifications in the business unit's Teams channel: the outbox id travels in
the buttons' data; approve / reject / preview / edit are for staff only, each audited; anyone else is refused,
and the refusal is audited too."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from bot.clock import FixedClock
from bot.teams import cards as c
from bot.teams.approvals import APPROVE, EDIT, PREVIEW, REJECT
from cases.actor import SYSTEM
from cases.case import Decision
from notify.outbox import OutboundMessage, OutboxStatus
from storage.store import Store
from storage.tables import AuditRow
from tests.factories import STAFF, make_referral
from tests.support.fake_teams import CHANNEL_ID, FakeTeams
from tests.support.teams_bot import BU_MEMBER, STRANGER, TeamsHarness


def draft(bot: TeamsHarness, store: Store, clock: FixedClock) -> str:
    """A statutory-style draft waiting for approval (content with personal data, sealed in the outbox)."""
    filed = store.cases.file_referral(make_referral(), actor=STAFF, now=clock.now())
    return bot.outbox.enqueue(
        OutboundMessage(
            kind="statutory_decision_notification",
            template_id="imr_request",
            values={
                "case_ref": filed.reference,
                "agency_name": "Testshire Police",
                "contact_email": "scr@testshire.gov.uk",
                "act_by": date(2026, 12, 24),
                "decision_outcome": "scr",
                "board_name": store.board.name,
                "briefing_by": date(2026, 12, 4),
                "decided_on": date(2026, 11, 22),
                "imr_due": date(2027, 1, 5),
                "review_complete_by": date(2027, 5, 22),
            },
            recipients=["reviews@testshire.pnn.police.uk"],
            recipient_summary="agency:police",
            idempotency_key="test-draft",
            case_ref=filed.reference,
            requires_approval=True,
        ),
        now=clock.now(),
        actor=SYSTEM,
    )


def audit_actions(store: Store) -> list[tuple[str, str, str]]:
    with store.sessions() as s:
        rows = s.scalars(select(AuditRow).order_by(AuditRow.seq)).all()
    return [(r.action, r.actor, r.detail) for r in rows]


@pytest.fixture
def bot(store: Store, clock: FixedClock, fake: FakeTeams) -> TeamsHarness:
    harness = TeamsHarness(store, clock, fake)
    assert harness.post(harness.installed()) == 202
    harness.drain()
    return harness


def test_the_approval_card_carries_the_draft_id_as_data(bot: TeamsHarness, store: Store, clock: FixedClock) -> None:
    with bot:
        draft_id = draft(bot, store, clock)
        bot.runtime.chat.post("teams:channel", "Draft IMR request for SCR-2026-0001 is waiting", about=draft_id)
    [posted] = [p for p in bot.fake.state.posted() if p.path == f"/v3/conversations/{CHANNEL_ID}/activities"]
    data = [a["data"] for a in posted.body["attachments"][0]["content"]["body"][1]["actions"]]
    assert [(d["scr"], d["do"], d["id"]) for d in data] == [
        (c.APPROVAL, verb, draft_id) for verb in (PREVIEW, APPROVE, EDIT, REJECT)
    ]


@pytest.mark.parametrize(("verb", "status"), [(APPROVE, OutboxStatus.APPROVED), (REJECT, OutboxStatus.REJECTED)])
def test_staff_approve_or_reject_and_the_card_says_who(
    verb: str, status: OutboxStatus, bot: TeamsHarness, store: Store, clock: FixedClock
) -> None:
    with bot:
        draft_id = draft(bot, store, clock)
        press = {"scr": c.APPROVAL, "do": verb, "id": draft_id}
        assert bot.post(bot.channel(user=BU_MEMBER, value=press, reply_to="card-1")) == 202
        bot.drain()
    [item] = [m for m in bot.outbox.list() if m.id == draft_id]
    sent_on = {OutboxStatus.APPROVED, OutboxStatus.SENT, OutboxStatus.FAILED}  # approved, then dispatched
    assert item.status in sent_on if verb == APPROVE else item.status is status
    assert item.approver == (f"teams:{BU_MEMBER}" if verb == APPROVE else "")
    [update] = [p for p in bot.fake.state.calls if p.method == "PUT"]
    assert update.path.endswith("/activities/card-1")
    assert "by Dr Ottoline Testwhistle" in str(update.body)


@pytest.mark.parametrize("verb", [APPROVE, REJECT])
def test_a_stranger_is_refused_and_the_refusal_is_audited(
    verb: str, bot: TeamsHarness, store: Store, clock: FixedClock
) -> None:
    with bot:
        draft_id = draft(bot, store, clock)
        press = {"scr": c.APPROVAL, "do": verb, "id": draft_id}
        assert bot.post(bot.channel(user=STRANGER, value=press, reply_to="card-1")) == 202
        bot.drain()
    [item] = [m for m in bot.outbox.list() if m.id == draft_id]
    assert item.status is OutboxStatus.DRAFT
    assert not [p for p in bot.fake.state.calls if p.method == "PUT"]
    assert "only members of the board's business unit" in str(bot.fake.state.posted()[-1].body)
    refused = [a for a in audit_actions(store) if a[0] == "access.refused"]
    assert refused and refused[-1][1] == f"teams:{STRANGER}"
    assert f"notification.{verb}" in str(refused[-1])


def test_preview_opens_a_dialog_for_staff_only_and_each_opening_is_audited(
    bot: TeamsHarness, store: Store, clock: FixedClock
) -> None:
    with bot:
        draft_id = draft(bot, store, clock)
        data = {"scr": c.APPROVAL, "do": PREVIEW, "id": draft_id}
        staff = bot.post_json(bot.dialog("task/fetch", user=BU_MEMBER, data=data))
        stranger = bot.post_json(bot.dialog("task/fetch", user=STRANGER, data=data))
    assert staff.status_code == 200
    dialog = staff.json()["task"]
    assert dialog["type"] == "continue" and "Testshire Police" in str(dialog["value"]["card"])
    assert stranger.status_code == 200
    assert stranger.json()["task"] == {"type": "message", "value": stranger.json()["task"]["value"]}
    assert "only members" in stranger.json()["task"]["value"] and "Testshire Police" not in stranger.text
    actions = [a[0] for a in audit_actions(store)]
    assert actions.count("outbox.viewed") == 1 and "access.refused" in actions


def test_edit_saves_the_new_wording_from_the_dialog(bot: TeamsHarness, store: Store, clock: FixedClock) -> None:
    with bot:
        draft_id = draft(bot, store, clock)
        opened = bot.post_json(
            bot.dialog("task/fetch", user=BU_MEMBER, data={"scr": c.APPROVAL, "do": EDIT, "id": draft_id})
        )
        assert "Input.Text" in opened.text
        saved = bot.post_json(
            bot.dialog(
                "task/submit",
                user=BU_MEMBER,
                data={"scr": c.SAVE_EDIT, "id": draft_id, "subject": "New subject", "text": "New wording."},
            )
        )
        refused = bot.post_json(
            bot.dialog("task/submit", user=STRANGER, data={"scr": c.SAVE_EDIT, "id": draft_id, "text": "Mine."})
        )
    assert "still a draft" in saved.json()["task"]["value"]
    assert "only members" in refused.json()["task"]["value"]
    item = bot.outbox.get(draft_id, actor=STAFF, now=clock.now())
    assert (item.subject, item.text, item.status) == ("New subject", "New wording.", OutboxStatus.DRAFT)


def test_decision_by_the_chair_is_not_needed_to_read_no_personal_data_in_the_channel(
    bot: TeamsHarness, store: Store, clock: FixedClock
) -> None:
    """The channel card never holds the draft's content: only the request's own words."""
    with bot:
        draft_id = draft(bot, store, clock)
        store.cases.record_decision(
            "SCR-2026-0001",
            Decision(outcome="scr", decided_on=date(2026, 11, 22), decided_by="Chair", rationale="r"),
            actor=STAFF,
            now=clock.now(),
        )
        bot.runtime.chat.post("teams:channel", "Draft waiting", about=draft_id)
    assert "Testshire Police" not in str(bot.fake.state.posted()[-1].body)


def test_a_draft_naming_the_child_is_not_approved_from_the_card_without_its_preview(
    bot: TeamsHarness, store: Store, clock: FixedClock
) -> None:
    from tests.factories import CHILD_LAST_NAME, SENSITIVE_STRINGS

    with bot:
        draft_id = draft(bot, store, clock)
        bot.outbox.edit(draft_id, actor=STAFF, now=clock.now(), text=f"About Z. {CHILD_LAST_NAME}, SCR-2026-0001.")
        press = {"scr": c.APPROVAL, "do": APPROVE, "id": draft_id}
        assert bot.post(bot.channel(user=BU_MEMBER, value=press, reply_to="card-1")) == 202
        bot.drain()
        [told] = [str(p.body.get("text")) for p in bot.fake.state.posted() if "Not approved" in str(p.body)]
        status = next(m.status for m in bot.outbox.list() if m.id == draft_id)
        preview = bot.post_json(
            bot.dialog("task/fetch", user=BU_MEMBER, data={"scr": c.APPROVAL, "do": PREVIEW, "id": draft_id})
        )
        approved = bot.post_json(
            bot.dialog("task/submit", user=BU_MEMBER, data={"scr": c.APPROVAL, "do": APPROVE, "id": draft_id})
        )
    assert "Not approved: the text holds the case's personal data (name (line 2))" in told
    assert not [s for s in SENSITIVE_STRINGS if s in told] and status is OutboxStatus.DRAFT
    assert "Check before approving: the text holds the case's personal data" in preview.text
    assert "Approved by" in approved.json()["task"]["value"]  # from the preview, having read it
