"""The secure-domain rule (004 §3.6) holds on every edit and again at send time, and free text with the case's
own personal data is kept out of statutory notifications or flagged to the approver."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.clock import FixedClock
from cases.case import Decision
from cases.events import Outcome
from mail.maildir import MaildirMailbox
from notify import templates
from notify.dispatch import Dispatcher
from notify.outbox import InsecureRecipient, OutboundMessage, Outbox, OutboxStatus
from notify.secure_send import warning_for
from notify.senders import ChatMessageSender, EmailSender
from storage.store import Store
from storage.tables import OutboxRow
from tests.factories import CHAIR, CHILD_FORENAMES, CHILD_LAST_NAME, REFERRER, SENSITIVE_STRINGS, STAFF, make_referral
from tests.notify.conftest import MAIL_FROM

SCHOOL = "dsl@testshire-schools.example.org"  # not on a secure domain
POLICE = "reviews@testshire.pnn.police.uk"  # on one


class Chat:
    def __init__(self) -> None:
        self.posts: list[tuple[str, str]] = []

    def post(self, target: str, text: str) -> str:
        self.posts.append((target, text))
        return str(len(self.posts))


def setup(store: Store, clock: FixedClock, tmp_path: Path) -> tuple[Outbox, Dispatcher, str, str, Chat]:
    filed = store.cases.file_referral(make_referral(), actor=REFERRER, now=clock.now())
    outbox = Outbox(store.sessions, board=store.board, codec=store.codec, audit=store.audit)
    chat = Chat()
    senders = {
        "email": EmailSender(MaildirMailbox(tmp_path / "in", tmp_path / "out"), mail_from=MAIL_FROM),
        "slack": ChatMessageSender(chat),
    }
    return outbox, Dispatcher(store.sessions, outbox, senders), filed.case_id, filed.reference, chat


def letter(case_id: str, reference: str, to: str, key: str = "imr-1") -> OutboundMessage:
    """An IMR request: no personal data by design, so it may go to any address."""
    return OutboundMessage(
        kind="imr_request",
        template_id="imr_request",
        values={
            "board_name": "Testshire",
            "case_ref": reference,
            "contact_email": "scr.unit@testshire.gov.uk",
            "agency_name": "Testshire Schools",
            "imr_due": date(2027, 2, 1),
            "decided_on": date(2026, 12, 21),
            "review_complete_by": date(2027, 6, 21),
            "briefing_by": "",
        },
        recipients=[to],
        recipient_summary="agency:school",
        idempotency_key=key,
        case_id=case_id,
        case_ref=reference,
        requires_approval=True,
    )


NAMED = f"Please also bring the health visiting records for {CHILD_FORENAMES} {CHILD_LAST_NAME}."


@pytest.mark.parametrize(
    ("subject", "text"),
    [
        (None, NAMED),
        (f"IMR for Z. {CHILD_LAST_NAME}", None),
        (None, "The child, born 9th March 2024, lived at 17 Imaginary Crescent."),
    ],
)
def test_an_edit_adding_personal_data_for_a_non_secure_address_is_refused(
    store: Store, clock: FixedClock, tmp_path: Path, subject: str | None, text: str | None
) -> None:
    outbox, _, case_id, reference, _ = setup(store, clock, tmp_path)
    draft = outbox.enqueue(letter(case_id, reference, SCHOOL), now=clock.now(), actor=STAFF)
    before = outbox.get(draft, actor=STAFF, now=clock.now())
    with pytest.raises(InsecureRecipient) as refused:
        outbox.edit(draft, actor=STAFF, now=clock.now(), subject=subject, text=text)
    message = str(refused.value)
    assert "not on a secure domain" in message and "(line " in message
    # "March 2024", not "2024": the message names the draft by its id, whose hex digits may hold "2024"
    for sensitive in [*SENSITIVE_STRINGS, "9th March", "March 2024"]:
        assert sensitive not in message
    after = outbox.get(draft, actor=STAFF, now=clock.now())
    assert (after.subject, after.text) == (before.subject, before.text)  # nothing was changed


def test_the_same_edit_for_a_secure_address_is_kept_and_held_to_the_rule_from_then_on(
    store: Store, clock: FixedClock, tmp_path: Path
) -> None:
    outbox, _, case_id, reference, _ = setup(store, clock, tmp_path)
    draft = outbox.enqueue(letter(case_id, reference, POLICE), now=clock.now(), actor=STAFF)
    outbox.edit(draft, actor=STAFF, now=clock.now(), text=NAMED)
    assert outbox.get(draft, actor=STAFF, now=clock.now()).personal_data
    outbox.edit(draft, actor=STAFF, now=clock.now(), subject="IMR request")  # still allowed


def test_at_send_time_a_message_that_may_no_longer_go_is_held_as_a_draft(
    store: Store, clock: FixedClock, tmp_path: Path
) -> None:
    outbox, dispatcher, case_id, reference, _ = setup(store, clock, tmp_path)
    draft = outbox.enqueue(letter(case_id, reference, POLICE), now=clock.now(), actor=STAFF)
    outbox.edit(draft, actor=STAFF, now=clock.now(), text=NAMED)
    outbox.approve(draft, actor=STAFF, now=clock.now())
    # The board takes police.uk off its secure domains before the message goes.
    narrowed = store.board.model_copy(update={"secure_domains": ["nhs.net", "cjsm.net"]})
    later_outbox = Outbox(store.sessions, board=narrowed, codec=store.codec, audit=store.audit)
    later = Dispatcher(store.sessions, later_outbox, dispatcher.senders)
    report = later.dispatch_due(clock.now() + timedelta(minutes=1))
    assert report.held == [draft] and report.sent == []
    assert list((tmp_path / "out").glob("*.eml")) == []
    [summary] = [m for m in outbox.list() if m.id == draft]
    assert summary.status is OutboxStatus.DRAFT and summary.last_error.startswith("held, not sent:")
    assert "personal data" in summary.last_error and CHILD_LAST_NAME not in summary.last_error


def test_at_send_time_personal_data_put_in_without_an_edit_is_caught(
    store: Store, clock: FixedClock, tmp_path: Path
) -> None:
    """Whatever path changed the wording (here the row itself), the send checks the text it is about to send."""
    outbox, dispatcher, case_id, reference, chat = setup(store, clock, tmp_path)
    sent_ok = outbox.enqueue(letter(case_id, reference, SCHOOL, key="ok"), now=clock.now(), actor=STAFF)
    draft = outbox.enqueue(letter(case_id, reference, SCHOOL, key="named"), now=clock.now(), actor=STAFF)
    notice = outbox.enqueue(
        OutboundMessage(
            kind="decision_recorded_notice",
            template_id="decision_recorded_notice",
            values={"case_ref": reference, "outcome_label": "no review", "decided_on": date(2026, 11, 22)},
            recipients=["C0BUSINESS"],
            recipient_summary="channel:business_unit",
            idempotency_key="notice",
            case_id=case_id,
            case_ref=reference,
        ),
        now=clock.now(),
        actor=STAFF,
    )
    with store.sessions.begin() as s:
        for row_id in (draft, notice):
            row = s.get(OutboxRow, row_id)
            assert row is not None
            row.body_enc = store.codec.seal_text("outbox", "body_enc", row_id, NAMED)
    for item_id in (sent_ok, draft):
        outbox.approve(item_id, actor=STAFF, now=clock.now())
    report = dispatcher.dispatch_due(clock.now())
    assert report.sent == [sent_ok] and sorted(report.held) == sorted([draft, notice])
    assert chat.posts == []  # the channel never sees the name


def test_the_decision_rationale_stays_out_of_the_statutory_notification(store: Store, clock: FixedClock) -> None:
    from notify.service import NotifyService

    NotifyService(
        store, Outbox(store.sessions, board=store.board, codec=store.codec, audit=store.audit), "x@y.z"
    ).subscribe()
    filed = store.cases.file_referral(make_referral(), actor=REFERRER, now=clock.now())
    rationale = f"{CHILD_FORENAMES} {CHILD_LAST_NAME}'s injuries meet 004 §4.4"
    store.cases.record_decision(
        filed.reference,
        Decision(outcome=Outcome.NO_REVIEW, decided_on=clock.now().date(), rationale=rationale),
        actor=CHAIR,
        now=clock.now(),
    )
    outbox = Outbox(store.sessions, board=store.board, codec=store.codec, audit=store.audit)
    with store.sessions() as s:
        [row] = s.scalars(select(OutboxRow).where(OutboxRow.kind == "statutory_decision_notification"))
        item = outbox.rows.item(row)
    assert CHILD_LAST_NAME not in item.text and CHILD_FORENAMES not in item.text
    assert "recorded with the case and will be provided on request" in item.text
    # Initials and the date of birth are what the template carries: no warning for them.
    kwargs = {"case_id": item.case_id, "template_id": item.template_id, "subject": item.subject}
    assert warning_for(store.sessions, store.codec, text=item.text, **kwargs) == ""


def test_a_template_that_asks_for_the_rationale_gets_it_and_the_approver_is_warned(
    store: Store, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataclasses import replace

    from notify.service import NotifyService

    shipped = templates.get_template("statutory_decision_notification")
    asking = replace(
        shipped,
        optional=(*shipped.optional, "rationale"),
        text_source=shipped.text_source + "\nThe board's reasons:\n{{ rationale }}\n",
    )
    monkeypatch.setitem(templates.catalogue(), "statutory_decision_notification", asking)
    outbox = Outbox(store.sessions, board=store.board, codec=store.codec, audit=store.audit)
    NotifyService(store, outbox, "x@y.z").subscribe()
    filed = store.cases.file_referral(make_referral(), actor=REFERRER, now=clock.now())
    rationale = f"Meets 004 §4.4.\nZ. {CHILD_LAST_NAME} was known to three agencies."
    store.cases.record_decision(
        filed.reference,
        Decision(outcome=Outcome.NO_REVIEW, decided_on=clock.now().date(), rationale=rationale),
        actor=CHAIR,
        now=clock.now(),
    )
    with store.sessions() as s:
        [row] = s.scalars(select(OutboxRow).where(OutboxRow.kind == "statutory_decision_notification"))
        item = outbox.rows.item(row)
    assert CHILD_LAST_NAME in item.text
    warning = warning_for(
        store.sessions,
        store.codec,
        case_id=item.case_id,
        template_id=item.template_id,
        subject=item.subject,
        text=item.text,
    )
    line = item.text.splitlines().index(f"Z. {CHILD_LAST_NAME} was known to three agencies.") + 2  # + the subject
    assert warning.startswith(f"the text holds the case's personal data (name (line {line}))")
    assert CHILD_LAST_NAME not in warning
