"""A whole referral through the real slack-bolt app, over HTTP with signed requests, against a fake Slack Web
API that records every call."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from bot.clock import FixedClock
from bot.slack import conversation_blocks as cb
from cases.events import CaseStatus
from storage.store import Store, open_store
from tests.bot.slack.conftest import BU_CHANNEL, REFERRER_USER
from tests.bot.slack.driver import SlackReferrer, dm_posts, prompt_key
from tests.factories import SENSITIVE_STRINGS, STAFF
from tests.support.fake_slack import FakeSlack
from tests.support.slack_bot import SlackBot


def test_full_referral_in_slack_files_the_case_with_deadlines(store: Store, clock: FixedClock, fake: FakeSlack) -> None:
    with SlackBot(store, clock, fake) as bot:
        referrer = SlackReferrer(bot, fake, REFERRER_USER)
        posts = referrer.start()
        assert fake.calls("conversations.open")[0].user == REFERRER_USER
        first = next(c for c in posts if prompt_key(c) == "referrer.name")
        assert "Current answer: Dr Ottoline Testwhistle" in first.text  # from the Slack profile
        key, posts = referrer.answer_until(posts)
        assert key == "summary"
        summary = posts[-1].text
        assert "004 §4.4(ii)" in summary and "appears met" in summary  # the pre-classification, with its clause
        assert "not a replacement for a safeguarding referral" in summary  # 004 §3.3
        receipt = referrer.send("summary", "cmd", "submit")
    text = " ".join(str(c.params.get("text")) for c in receipt)
    assert "Referral filed: *SCR-2026-0001*" in text

    case = store.cases.get_case("SCR-2026-0001", actor=STAFF, now=clock.now())
    assert case.status is CaseStatus.REFERRED
    assert case.filed_by == f"slack:{REFERRER_USER}"
    assert case.referral is not None
    assert case.referral.child.date_of_birth == date(2024, 3, 9)
    assert case.referral.incident_date == date(2026, 11, 16)
    assert [s.name for s in case.referral.siblings] == ["Ambrose Marchbanks-Tovey"]
    rules = {d.computed.rule for d in case.deadlines}
    assert {"records_secured", "subgroup_meeting", "chair_decision", "ofsted_incident_notification"} <= rules

    # The business unit channel got the reference and nothing that identifies anyone.
    notices = fake.channel_calls()
    assert [c.channel for c in notices] == [BU_CHANNEL]
    assert "New referral SCR-2026-0001" in notices[0].params["text"]
    channel_text = "\n".join(c.text for c in notices)
    for sensitive in [*SENSITIVE_STRINGS, "2024-03-09", "9 Mar 2024"]:
        assert sensitive not in channel_text
    # Personal data went only to the referrer's own DM.
    for call in fake.calls():
        if any(s in call.text for s in SENSITIVE_STRINGS):
            assert call.method == "chat.postMessage" and call.channel == "D" + REFERRER_USER.removeprefix("U")
    # The notice went through the outbox (a row first, then sent), with the case buttons attached.
    [queued] = bot.outbox.list()
    assert (queued.kind, queued.status.value, queued.case_ref) == ("new_referral_notice", "sent", "SCR-2026-0001")
    assert any(b.get("block_id") == "case:SCR-2026-0001" for b in notices[0].params["blocks"])
    # The draft is gone once the referral is filed.
    assert not bot.services.referrals.has_draft(bot.services.access.actor(REFERRER_USER))


def test_wrong_date_is_asked_again_with_the_reason(store: Store, clock: FixedClock, fake: FakeSlack) -> None:
    with SlackBot(store, clock, fake) as bot:
        referrer = SlackReferrer(bot, fake, REFERRER_USER)
        key, posts = referrer.answer_until(referrer.start(), stop_at="referral_date")
        posts = referrer.send(key, "text", "31/02/2026")
        again = posts[-1]
        assert prompt_key(again) == "referral_date"
        assert "not a real date" in again.text
        posts = referrer.send(key, "text", "20/11/2026")
        posts = referrer.send("incident_date", "text", "2026-11-25")  # after the referral date
        assert prompt_key(posts[-1]) == "incident_date"
        assert "after the referral date" in posts[-1].text


def test_restart_mid_conversation_loses_nothing(
    store: Store, clock: FixedClock, fake: FakeSlack, tmp_path: Path, backend: str
) -> None:
    with SlackBot(store, clock, fake) as bot:
        referrer = SlackReferrer(bot, fake, REFERRER_USER)
        key, _ = referrer.answer_until(referrer.start(), stop_at="child.gender")
    if backend == "sqlite":  # the half-finished referral (names, outline) is in the database, sealed
        raw = b"".join(p.read_bytes() for p in tmp_path.glob("scrbot.db*"))
        assert b"conversation_drafts" in raw
        for sensitive in SENSITIVE_STRINGS:
            assert sensitive.encode() not in raw
    # A new process: a new store object on the same database and keys, a new app and server.
    restarted = open_store(store.engine, store.board, store.ring, store.pack)
    with SlackBot(restarted, clock, fake) as bot:
        referrer.bot = bot
        status, _ = bot.requests.post(bot.requests.dm(REFERRER_USER, "hello again"))
        assert status == 200
        posts = referrer._wait_next()
        # "hello again" is not an answer to a choice question: asked again, nothing lost.
        assert prompt_key(posts[-1]) == "child.gender"
        key, posts = referrer.answer_until(posts)
        assert key == "summary"
        summary = posts[-1].text
        assert "Named Doctor" in summary and "Marchbanks-Tovey" in summary
        referrer.send("summary", "cmd", "submit")
    assert [c.reference for c in restarted.cases.list_cases(today=date(2026, 11, 22))] == ["SCR-2026-0001"]


def test_retried_event_causes_no_second_message(store: Store, clock: FixedClock, fake: FakeSlack) -> None:
    with SlackBot(store, clock, fake) as bot:
        r = bot.requests
        payload = r.dm(REFERRER_USER, "refer", event_id="Ev0RETRY001")
        assert r.post(payload)[0] == 200
        fake.wait_for(lambda calls: any(prompt_key(c) == "referrer.name" for c in calls))
        before = len(dm_posts(fake, "DREF000001"))
        assert r.post(payload, retry_num=1)[0] == 200
        assert r.post(payload, retry_num=2)[0] == 200
        # A later, different event is handled, proving the retries were really dropped (not merely slow).
        assert r.post(r.dm(REFERRER_USER, "help"))[0] == 200
        fake.wait_for(lambda calls: sum(c.method == "chat.postMessage" for c in calls) > before)
    texts = [str(c.params.get("text")) for c in dm_posts(fake, "DREF000001")]
    assert sum("Case for Consideration" in t for t in texts) == 1  # one intro, not three
    # Nor was a retry taken as the answer to the first question (which would have asked the next one).
    assert not any(prompt_key(c) == "referrer.role" for c in dm_posts(fake, "DREF000001"))


def test_retried_event_is_recognised_after_a_restart(store: Store, clock: FixedClock, fake: FakeSlack) -> None:
    with SlackBot(store, clock, fake) as bot:
        payload = bot.requests.dm(REFERRER_USER, "refer", event_id="Ev0RETRY002")
        bot.requests.post(payload)
        fake.wait_for(lambda calls: any(prompt_key(c) == "referrer.name" for c in calls))
    restarted = open_store(store.engine, store.board, store.ring, store.pack)
    with SlackBot(restarted, clock, fake) as bot:
        assert bot.requests.post(payload, retry_num=1)[0] == 200
        bot.requests.post(bot.requests.dm(REFERRER_USER, "help"))
        fake.wait_for(lambda calls: any("Reply to each question" in c.text for c in calls))
    assert sum("Case for Consideration" in str(c.params.get("text")) for c in fake.calls("chat.postMessage")) == 1
    assert not any(prompt_key(c) == "referrer.role" for c in fake.calls("chat.postMessage"))


def test_bad_signature_is_rejected_and_nothing_happens(store: Store, clock: FixedClock, fake: FakeSlack) -> None:
    with SlackBot(store, clock, fake) as bot:
        payload = bot.requests.command("/scr-refer", REFERRER_USER)
        status, _ = bot.requests.post(payload, secret="not-the-secret")
        assert status == 401
        stale_status, _ = bot.requests.post(payload, timestamp=1_000_000_000)
        assert stale_status == 401
    assert fake.calls("chat.postMessage") == []


def test_stale_button_changes_nothing(store: Store, clock: FixedClock, fake: FakeSlack) -> None:
    with SlackBot(store, clock, fake) as bot:
        referrer = SlackReferrer(bot, fake, REFERRER_USER)
        _key, posts = referrer.answer_until(referrer.start(), stop_at="child.gender")
        # A press on the old "designated professional" question's buttons, long since answered.
        posts = referrer.send("designated_professional_consulted", "pick", "no")
        assert "out of date" in " ".join(p.text for p in posts)
        assert prompt_key(posts[-1]) == "child.gender"
        actor = bot.services.access.actor(REFERRER_USER)
        with store.sessions() as s:
            draft = bot.services.drafts.load(s, actor.id, "referral", lock=False)
        assert draft is not None and draft.state["answers"]["designated_professional_consulted"] == "yes"


def test_slash_command_and_shortcut_and_home_button_all_start(store: Store, clock: FixedClock, fake: FakeSlack) -> None:
    with SlackBot(store, clock, fake) as bot:
        r = bot.requests
        assert r.post(r.shortcut("scr_refer", "UREF000003"))[0] == 200
        assert r.post(r.action("UREF000004", cb.START, value="start"))[0] == 200
        fake.wait_for(
            lambda calls: {c.channel for c in calls if prompt_key(c) == "referrer.name"} >= {"DREF000003", "DREF000004"}
        )


def test_quick_successive_messages_are_taken_in_order(store: Store, clock: FixedClock, fake: FakeSlack) -> None:
    with SlackBot(store, clock, fake) as bot:
        referrer = SlackReferrer(bot, fake, REFERRER_USER)
        referrer.start()
        r = bot.requests
        for text in ["Dr Quick", "Named Doctor", "Quick Agency", "quick@nhs.net"]:
            assert r.post(r.dm(REFERRER_USER, text))[0] == 200  # no waiting between them
        fake.wait_for(lambda calls: any(prompt_key(c) == "referrer.phone" for c in calls))
        actor = bot.services.access.actor(REFERRER_USER)
        with store.sessions() as s:
            draft = bot.services.drafts.load(s, actor.id, "referral", lock=False)
    assert draft is not None
    answers = draft.state["answers"]
    assert [answers[k] for k in ("referrer.name", "referrer.role", "referrer.agency", "referrer.email")] == [
        "Dr Quick",
        "Named Doctor",
        "Quick Agency",
        "quick@nhs.net",
    ]


def test_edit_from_the_summary_and_cancel_with_confirmation(store: Store, clock: FixedClock, fake: FakeSlack) -> None:
    with SlackBot(store, clock, fake) as bot:
        referrer = SlackReferrer(bot, fake, REFERRER_USER)
        key, posts = referrer.answer_until(referrer.start())
        assert key == "summary"
        r = bot.requests
        r.post(r.action(REFERRER_USER, cb.EDIT, selected="child.gender", kind="static_select", block_id="summary"))
        posts = referrer._wait_next()
        assert prompt_key(posts[-1]) == "child.gender" and "Current answer: Female" in posts[-1].text
        posts = referrer.send("child.gender", "pick", "male")
        assert prompt_key(posts[-1]) == "summary"
        assert "Gender: Male" in posts[-1].text
        r.post(r.action(REFERRER_USER, f"{cb.COMMAND}:cancel", value=json.dumps({"k": "summary"})))
        confirm = fake.wait_for(lambda calls: any("confirm_cancel" in c.text for c in calls))
        assert confirm
        r.post(r.action(REFERRER_USER, f"{cb.CONFIRM_CANCEL}:yes", value="yes"))
        fake.wait_for(lambda calls: any("Referral cancelled" in c.text for c in calls))
        assert not bot.services.referrals.has_draft(bot.services.access.actor(REFERRER_USER))
    assert store.cases.list_cases(today=date(2026, 11, 22)) == []
