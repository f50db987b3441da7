"""Statutory notifications: drafted with the decision, approved by a person, sent, and the clock met."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from cases.actor import PermissionDenied
from cases.board import Recipient
from cases.case import DeadlineState, Decision
from cases.events import CaseEvent, CaseStatus, Outcome
from errors import Conflict
from mail.base import MailboxError
from notify import templates
from notify.outbox import OutboundMessage, OutboxStatus
from notify.purge import purge_outbox
from notify.senders import EmailSender
from notify.statutory import OUTCOME_TEXT, initials
from notify.templates import MissingData, get_template
from storage.purge import purge
from storage.tables import AuditRow, CaseRow, OutboxRow
from tests.factories import BUSINESS_UNIT, CHAIR, REFERRER, STAFF, at, make_referral
from tests.notify.conftest import NotifyEnv, notify_board

D = date
STATUTORY_ADDRESSES = ["mailbox.cpod@education.gov.uk", "mailbox.scrpanel@education.gov.uk", "scr.sin@ofsted.cjsm.net"]


def filed(env: NotifyEnv) -> str:
    referral = make_referral(D(2026, 12, 14), referral_date="2026-12-14", la_aware_date=None)
    return env.store.cases.file_referral(referral, actor=REFERRER, now=at(D(2026, 12, 14))).reference


DECISION_DAY = D(2026, 12, 22)


def decide(env: NotifyEnv, reference: str, outcome: Outcome, on: date = DECISION_DAY) -> None:
    env.store.cases.record_decision(
        reference, Decision(outcome=outcome, decided_on=on, rationale="Synthetic rationale"), actor=CHAIR, now=at(on)
    )


def kinds(env: NotifyEnv, *statuses: OutboxStatus) -> list[str]:
    return sorted(m.kind for m in env.outbox.list(statuses=list(statuses) or None))


@pytest.mark.parametrize("outcome", list(Outcome))
def test_any_decision_drafts_the_notification_to_ofsted_dfe_and_the_panel(env: NotifyEnv, outcome: Outcome) -> None:
    reference = filed(env)
    decide(env, reference, outcome)
    [draft] = [m for m in env.outbox.list() if m.kind == "statutory_decision_notification"]
    assert (draft.status, draft.requires_approval) == (OutboxStatus.DRAFT, True)
    assert draft.recipient_summary == "statutory:ofsted,dfe,national_panel"
    item = env.outbox.get(draft.id, actor=BUSINESS_UNIT, now=at(D(2026, 12, 22), 11))
    assert sorted(item.recipients) == STATUTORY_ADDRESSES
    assert item.meets_rule == "statutory_decision_notification"
    assert OUTCOME_TEXT[outcome] in item.text and "22 December 2026" in item.text
    expected = ["chief_officer_letter", "imr_request", "imr_request", "imr_request"] if outcome is Outcome.SCR else []
    assert sorted(k for k in kinds(env, OutboxStatus.DRAFT) if k != "statutory_decision_notification") == expected
    # The business unit channel is asked to approve each draft, without any content.
    requests = [m for m in env.outbox.list() if m.kind == "approval_request"]
    assert len(requests) == 1 + len(expected)


def _with_ofsted_address(email: str) -> dict[str, Recipient]:
    recipients = dict(notify_board().statutory_recipients)
    recipients["ofsted"] = Recipient(name="Ofsted (test)", email=email)
    return recipients


# The store is built from the `board` fixture (tests/conftest.py): a test that needs another board says so here
# rather than changing a built store's board afterwards, which the store's other parts would not see.
@pytest.mark.parametrize(
    "board",
    [notify_board(statutory_recipients=_with_ofsted_address("serious.incidents@ofsted.cjsm.net"))],
    ids=["board's own Ofsted address"],
)
def test_statutory_recipients_come_from_the_board_config(env: NotifyEnv) -> None:
    reference = filed(env)
    decide(env, reference, Outcome.NO_REVIEW)
    [draft] = [m for m in env.outbox.list() if m.kind == "statutory_decision_notification"]
    item = env.outbox.get(draft.id, actor=BUSINESS_UNIT, now=at(D(2026, 12, 22), 11))
    assert sorted(item.recipients) == [
        "mailbox.cpod@education.gov.uk",
        "mailbox.scrpanel@education.gov.uk",
        "serious.incidents@ofsted.cjsm.net",
    ]


def test_approved_and_sent_within_five_working_days_meets_the_deadline(env: NotifyEnv) -> None:
    reference = filed(env)
    decide(env, reference, Outcome.NO_REVIEW)
    [draft] = [m.id for m in env.outbox.list() if m.kind == "statutory_decision_notification"]
    assert env.dispatch(at(D(2026, 12, 23))).sent.count(draft) == 0  # a draft is never sent
    with pytest.raises(PermissionDenied):
        env.outbox.approve(draft, actor=REFERRER, now=at(D(2026, 12, 29)))
    env.outbox.approve(draft, actor=BUSINESS_UNIT, now=at(D(2026, 12, 29)))
    assert draft in env.dispatch(at(D(2026, 12, 29))).sent
    case = env.store.cases.get_case(reference, actor=STAFF, now=at(D(2026, 12, 29), 12))
    [notification] = [d for d in case.deadlines if d.computed.rule == "statutory_decision_notification"]
    assert (notification.state, notification.met_on, notification.computed.act_by) == (
        DeadlineState.MET,
        D(2026, 12, 29),
        D(2026, 12, 31),
    )
    [sent] = [m for m in env.emails() if "decision on case" in m["Subject"]]
    assert sorted(a.strip() for a in sent["To"].split(",")) == STATUTORY_ADDRESSES
    assert sent["Message-ID"] == f"<outbox-{draft}@testshire.gov.uk>"
    assert sent.get_body(("html",)) is not None


def test_a_rejected_notification_is_never_sent(env: NotifyEnv) -> None:
    reference = filed(env)
    decide(env, reference, Outcome.NO_REVIEW)
    [draft] = [m.id for m in env.outbox.list() if m.kind == "statutory_decision_notification"]
    env.outbox.reject(draft, actor=BUSINESS_UNIT, now=at(D(2026, 12, 23)))
    with pytest.raises(Conflict, match="only a draft can be approved"):
        env.outbox.approve(draft, actor=BUSINESS_UNIT, now=at(D(2026, 12, 23), 11))
    for day in (D(2026, 12, 23), D(2026, 12, 24), D(2026, 12, 29), D(2027, 1, 4)):
        env.tick(at(day, 9))
    assert [m for m in env.emails() if "decision on case" in m["Subject"]] == []
    assert {m.id: m.status for m in env.outbox.list() if m.kind == "statutory_decision_notification"} == {
        draft: OutboxStatus.REJECTED
    }
    # The clock is still running, so the business unit keeps hearing about it.
    case = env.store.cases.get_case(reference, actor=STAFF, now=at(D(2027, 1, 4), 12))
    assert next(d for d in case.deadlines if d.computed.rule == "statutory_decision_notification").state is (
        DeadlineState.OPEN
    )
    assert any("statutory_decision_notification" in text and "overdue" in text for _, text in env.chat.posts)


def test_a_revised_decision_replaces_the_unsent_draft(env: NotifyEnv) -> None:
    reference = filed(env)
    decide(env, reference, Outcome.SCR)
    decide(env, reference, Outcome.MULTI_AGENCY_REVIEW, on=D(2026, 12, 23))
    notifications = {m.status: m.id for m in env.outbox.list() if m.kind == "statutory_decision_notification"}
    assert set(notifications) == {OutboxStatus.CANCELLED, OutboxStatus.DRAFT}
    assert kinds(env, OutboxStatus.DRAFT) == ["statutory_decision_notification"]  # letters and IMR requests gone
    item = env.outbox.get(notifications[OutboxStatus.DRAFT], actor=BUSINESS_UNIT, now=at(D(2026, 12, 23), 11))
    assert "This replaces the board's earlier notification" in item.text
    assert "multi-agency case review" in item.text


def test_recording_the_same_decision_twice_drafts_once(env: NotifyEnv) -> None:
    reference = filed(env)
    decide(env, reference, Outcome.NO_REVIEW)
    decide(env, reference, Outcome.NO_REVIEW)
    assert kinds(env, OutboxStatus.DRAFT) == ["statutory_decision_notification"]


def test_an_edited_draft_is_sent_as_edited(env: NotifyEnv) -> None:
    reference = filed(env)
    decide(env, reference, Outcome.NO_REVIEW)
    [draft] = [m.id for m in env.outbox.list() if m.kind == "statutory_decision_notification"]
    env.outbox.edit(draft, actor=BUSINESS_UNIT, now=at(D(2026, 12, 23)), text="Edited by the business unit.")
    env.outbox.approve(draft, actor=BUSINESS_UNIT, now=at(D(2026, 12, 23)))
    env.dispatch(at(D(2026, 12, 23)))
    [sent] = [m for m in env.emails() if "decision on case" in m["Subject"]]
    assert sent.get_body(("plain",)).get_content().strip() == "Edited by the business unit."  # type: ignore[union-attr]


def test_an_extension_drafts_the_notice_to_ofsted(env: NotifyEnv) -> None:
    reference = filed(env)
    decide(env, reference, Outcome.SCR)
    env.store.cases.record_event(
        reference,
        CaseEvent.REVIEW_EXTENDED,
        D(2027, 5, 10),
        actor=STAFF,
        now=at(D(2027, 5, 10)),
        new_due=D(2027, 8, 20),
        reason="parallel proceedings",
    )
    [draft] = [m for m in env.outbox.list() if m.kind == "extension_notice"]
    item = env.outbox.get(draft.id, actor=BUSINESS_UNIT, now=at(D(2027, 5, 10), 11))
    assert item.recipients == ["scr.sin@ofsted.cjsm.net"] and item.meets_rule == "extension_notice"
    assert "The new completion date is 20 August 2027" in item.text
    assert "by 22 June 2027" in item.text  # six months from the decision
    assert "edit this draft before approving it" in item.text


def test_a_planned_publication_drafts_the_copies_seven_working_days_before(env: NotifyEnv) -> None:
    reference = filed(env)
    decide(env, reference, Outcome.SCR)
    env.store.cases.record_event(
        reference, CaseEvent.PUBLICATION_PLANNED, D(2027, 9, 30), actor=STAFF, now=at(D(2027, 9, 1))
    )
    [draft] = [m for m in env.outbox.list() if m.kind == "publication_copies"]
    item = env.outbox.get(draft.id, actor=BUSINESS_UNIT, now=at(D(2027, 9, 1), 11))
    assert sorted(item.recipients) == STATUTORY_ADDRESSES
    assert "by 21 September 2027" in item.text and "30 September 2027" in item.subject


def test_the_serious_incident_notification_is_drafted_when_the_la_became_aware(env: NotifyEnv) -> None:
    referral = make_referral(D(2026, 12, 14), referral_date="2026-12-14", la_aware_date="2026-12-11")
    env.store.cases.file_referral(referral, actor=REFERRER, now=at(D(2026, 12, 14)))
    [draft] = [m for m in env.outbox.list() if m.kind == "serious_incident_notification"]
    item = env.outbox.get(draft.id, actor=BUSINESS_UNIT, now=at(D(2026, 12, 14), 11))
    assert item.recipients == ["scr.sin@ofsted.cjsm.net"] and item.meets_rule == "ofsted_incident_notification"
    assert "11 December 2026" in item.text and "ZQ M-T" in item.text


@pytest.fixture
def stricter_template(monkeypatch: pytest.MonkeyPatch) -> None:
    """The board's edited template now needs a field the bot does not have (the catalogue is built once per
    process: monkeypatch puts the original back whatever the test does)."""
    original = get_template("statutory_decision_notification")
    stricter = templates.Template(**{**original.__dict__, "fields": (*original.fields, "lead_reviewer_name")})
    monkeypatch.setitem(templates.catalogue(), "statutory_decision_notification", stricter)


def test_a_template_missing_a_field_is_refused_naming_it_and_the_decision_still_stands(
    env: NotifyEnv, stricter_template: None
) -> None:
    reference = filed(env)
    decide(env, reference, Outcome.NO_REVIEW)
    case = env.store.cases.get_case(reference, actor=STAFF, now=at(D(2026, 12, 22), 12))
    assert case.decision is not None and case.decision.outcome is Outcome.NO_REVIEW
    assert [m.kind for m in env.outbox.list() if m.kind == "statutory_decision_notification"] == []
    with env.store.sessions() as s:
        [detail] = s.scalars(select(AuditRow.detail).where(AuditRow.action == "notification.refused"))
    assert "lead_reviewer_name" in detail
    env.dispatch(at(D(2026, 12, 22), 12))
    assert any("missing lead_reviewer_name" in text for _, text in env.chat.posts)


def test_outbox_refuses_a_notification_missing_a_field_before_storing_it(env: NotifyEnv) -> None:
    message = OutboundMessage(
        kind="statutory_decision_notification",
        template_id="statutory_decision_notification",
        values={"board_name": "Testshire", "case_ref": "SCR-2026-0001"},
        recipients=STATUTORY_ADDRESSES,
        recipient_summary="statutory:ofsted,dfe,national_panel",
        idempotency_key="k",
        requires_approval=True,
    )
    with pytest.raises(MissingData) as refused:
        env.outbox.enqueue(message, now=at(D(2026, 12, 22)), actor=STAFF)
    assert "decided_on" in refused.value.fields and "child_initials" in str(refused.value)
    with env.store.sessions() as s:
        assert s.scalar(select(func.count()).select_from(OutboxRow)) == 0


@pytest.mark.parametrize(
    "board", [notify_board(secure_domains=("nhs.net", "pnn.police.uk"))], ids=["cjsm.net not a secure domain"]
)
def test_a_statutory_address_off_the_secure_list_is_refused_not_sent(env: NotifyEnv) -> None:
    reference = filed(env)
    decide(env, reference, Outcome.SCR)
    assert "statutory_decision_notification" not in kinds(env)
    assert "chief_officer_letter" in kinds(env)  # no personal data in the letter: any address will do
    with env.store.sessions() as s:
        assert s.scalar(select(CaseRow.status)) == "decided"


def test_approval_requests_carry_the_draft_id_as_data_for_the_slack_buttons(env: NotifyEnv) -> None:
    reference = filed(env)
    decide(env, reference, Outcome.NO_REVIEW)
    env.dispatch(at(D(2026, 12, 22), 11))
    [draft] = [m.id for m in env.outbox.list() if m.kind == "statutory_decision_notification"]
    [(index, (target, text))] = [(i, p) for i, p in enumerate(env.chat.posts) if "waiting for approval" in p[1]]
    assert target == "C0BUSINESS" and env.chat.about[index] == draft
    assert "[draft" not in text  # the id travels as data, not as a marker to parse back out of the text
    assert all(a == "" for i, a in enumerate(env.chat.about) if i != index)  # other posts are about nothing


@pytest.mark.parametrize(
    ("forenames", "last_name", "expected"),
    [("Zephyrine Quillon", "Marchbanks-Tovey", "ZQ M-T"), ("ann", "smith", "A S"), ("Jo", "van der Berg", "J V-D-B")],
)
def test_initials(forenames: str, last_name: str, expected: str) -> None:
    assert initials(forenames, last_name) == expected


class FlakyMailbox:
    """A real Maildir outbox behind our Mailbox protocol, whose first sends fail as a mail server's would."""

    def __init__(self, inner: Any, failures: int) -> None:
        self.inner = inner
        self.failures = failures

    def send(self, message: Any) -> str:
        if self.failures:
            self.failures -= 1
            raise MailboxError("server unavailable (451)")
        return str(self.inner.send(message))

    def find_sent(self, message_id: str) -> str | None:
        return self.inner.find_sent(message_id)  # type: ignore[no-any-return]


def test_a_failed_send_stays_in_the_outbox_and_meets_the_deadline_when_it_goes(env: NotifyEnv) -> None:
    env.dispatcher.senders = {
        **env.dispatcher.senders,
        "email": EmailSender(FlakyMailbox(env.mailbox, failures=2), mail_from="scr-bot@testshire.gov.uk"),
    }
    reference = filed(env)
    decide(env, reference, Outcome.NO_REVIEW)
    [draft] = [m.id for m in env.outbox.list() if m.kind == "statutory_decision_notification"]
    env.outbox.approve(draft, actor=BUSINESS_UNIT, now=at(D(2026, 12, 23)))
    assert draft in env.dispatch(at(D(2026, 12, 23))).failed
    [summary] = [m for m in env.outbox.list() if m.id == draft]
    assert (summary.status, summary.attempts, summary.last_error) == (
        OutboxStatus.FAILED,
        1,
        "MailboxError: server unavailable (451)",
    )
    assert draft in env.dispatch(at(D(2026, 12, 24))).failed  # retried after its backoff, fails again
    assert draft in env.dispatch(at(D(2026, 12, 29))).sent
    case = env.store.cases.get_case(reference, actor=STAFF, now=at(D(2026, 12, 29), 12))
    [notification] = [d for d in case.deadlines if d.computed.rule == "statutory_decision_notification"]
    assert (notification.state, notification.met_on) == (DeadlineState.MET, D(2026, 12, 29))


def test_purge_removes_the_content_of_a_cases_messages_and_keeps_the_record(env: NotifyEnv) -> None:
    reference = filed(env)
    decide(env, reference, Outcome.NO_REVIEW)
    [draft] = [m.id for m in env.outbox.list() if m.kind == "statutory_decision_notification"]
    env.outbox.approve(draft, actor=BUSINESS_UNIT, now=at(D(2026, 12, 23)))
    env.dispatch(at(D(2026, 12, 23)))
    env.store.cases.move_status(reference, CaseStatus.CLOSED, actor=STAFF, now=at(D(2026, 12, 24)))
    report = purge(
        env.store.sessions,
        env.store.audit,
        board_id=env.store.board.id,
        retention_days=0,
        now=at(D(2027, 1, 5)),
        actor=STAFF,
        hooks=[purge_outbox],
    )
    assert report.purged == [reference]
    statuses = {m.kind: m.status for m in env.outbox.list() if m.case_ref == reference}
    assert statuses["statutory_decision_notification"] is OutboxStatus.SENT  # the record stays
    item = env.outbox.get(draft, actor=STAFF, now=at(D(2027, 1, 5)))
    assert (item.subject, item.text, item.recipients) == ("", "", [])
