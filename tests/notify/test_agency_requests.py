"""Agency requests on every referral (004 §3.7, §5.6), personal data only to secure addresses (004 §3.6),
request-sent tracking, chasers before the records_secured deadline and the business unit told on the day."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from cases.board import BoardConfig, SlackSettings
from mail.maildir import MaildirMailbox
from notify.dispatch import Dispatcher
from notify.outbox import OutboxStatus
from notify.senders import ChatMessageSender, EmailSender
from storage.store import Store
from storage.tables import OutboxRow
from tests.factories import (
    CHILD_FORENAMES,
    CHILD_LAST_NAME,
    REFERRER,
    SENSITIVE_STRINGS,
    STAFF,
    make_board,
    make_referral,
)
from tests.support.intake import agency_requests_for, outbox_for

FILED = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)  # referral dated 20 Nov: records_secured act_by 27 Nov


@pytest.fixture
def board() -> BoardConfig:
    return make_board(slack=SlackSettings(business_unit_channel="C0BUSINESS"))


class Chat:
    def __init__(self) -> None:
        self.posts: list[tuple[str, str]] = []

    def post(self, target: str, text: str, *, about: str = "") -> str:
        self.posts.append((target, text))
        return str(len(self.posts))


def items(store: Store, kind: str) -> dict[str, object]:
    outbox = outbox_for(store)
    with store.sessions() as s:
        rows = list(s.scalars(select(OutboxRow).where(OutboxRow.kind == kind)))
        return {row.recipient_summary: outbox.rows.item(row) for row in rows}


def test_every_subgroup_agency_is_asked_and_only_secure_addresses_get_personal_data(store: Store) -> None:
    agency_requests_for(store).subscribe()
    filed = store.cases.file_referral(make_referral(), actor=REFERRER, now=FILED)
    requests = items(store, "agency_request")
    assert set(requests) == {"agency:police", "agency:health", "agency:school"}
    police = requests["agency:police"]
    assert police.template_id == "agency_request" and police.personal_data  # type: ignore[attr-defined]
    assert police.subject == f"[{filed.reference}] Please check your involvement and secure your records"  # type: ignore[attr-defined]
    assert f"{CHILD_FORENAMES} {CHILD_LAST_NAME}" in police.text  # type: ignore[attr-defined]
    assert "Records secured: yes / no" in police.text and "27 November 2026" in police.text  # type: ignore[attr-defined]
    school = requests["agency:school"]  # dsl@testshire-schools.example.org: not a secure domain
    assert school.template_id == "agency_request_notice" and not school.personal_data  # type: ignore[attr-defined]
    assert not any(s in school.subject + school.text for s in SENSITIVE_STRINGS)  # type: ignore[attr-defined]
    assert "Records secured: yes / no" in school.text  # type: ignore[attr-defined]


def test_requests_commit_with_the_referral_or_not_at_all(store: Store) -> None:
    agency_requests_for(store).subscribe()
    with pytest.raises(RuntimeError), store.sessions.begin() as s:
        store.cases.file_referral(make_referral(), actor=REFERRER, now=FILED, session=s)
        raise RuntimeError("the filing fails after the requests were queued")
    assert items(store, "agency_request") == {}
    assert store.cases.list_cases(today=FILED.date()) == []


def test_request_sent_is_recorded_when_the_dispatcher_has_sent_it(store: Store, tmp_path: object) -> None:
    from pathlib import Path

    requests = agency_requests_for(store)
    requests.subscribe()
    filed = store.cases.file_referral(make_referral(), actor=REFERRER, now=FILED)
    assert requests.sync_requests_sent(FILED) == 0  # queued, not sent
    mailbox = MaildirMailbox(Path(str(tmp_path)) / "in", Path(str(tmp_path)) / "out")
    sent_at = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    Dispatcher(
        store.sessions, outbox_for(store), {"email": EmailSender(mailbox, mail_from="scr@testshire.gov.uk")}
    ).dispatch_due(sent_at)
    assert requests.sync_requests_sent(sent_at) == 3
    assert requests.sync_requests_sent(sent_at) == 0
    case = store.cases.get_case(filed.reference, actor=STAFF, now=sent_at)
    assert {c.request_sent_at for c in case.confirmations} == {sent_at}


def test_the_business_unit_is_told_on_the_day_of_every_agency_still_missing(store: Store, tmp_path: object) -> None:
    from pathlib import Path

    requests = agency_requests_for(store)
    requests.subscribe()
    filed = store.cases.file_referral(make_referral(), actor=REFERRER, now=FILED)
    outbox = outbox_for(store)
    mailbox = MaildirMailbox(Path(str(tmp_path)) / "in", Path(str(tmp_path)) / "out")
    chat = Chat()
    dispatcher = Dispatcher(
        store.sessions,
        outbox,
        {"email": EmailSender(mailbox, mail_from="scr@testshire.gov.uk"), "slack": ChatMessageSender(chat)},
    )
    monday = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    store.cases.confirm_agency(
        filed.reference, "health", actor=STAFF, now=monday, records_secured=True, secured_on=date(2026, 11, 23)
    )
    assert requests.tell_missing_on_the_day(datetime(2026, 11, 26, 9, 0, tzinfo=UTC)) == []  # not yet the day

    friday = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)  # records_secured act_by
    assert requests.tell_missing_on_the_day(friday) == [filed.reference]
    assert requests.tell_missing_on_the_day(friday) == []  # once
    assert requests.tell_missing_on_the_day(datetime(2026, 11, 30, 9, 0, tzinfo=UTC)) == []  # not again later
    dispatcher.dispatch_due(friday)
    assert chat.posts == [
        (
            "C0BUSINESS",
            f"{filed.reference}: agencies must confirm their records are secured by today (27 November 2026, "
            "004 §5.6). Not yet confirmed: Testshire Police, Testshire Schools.",
        )
    ]
    assert not any(s in chat.posts[0][1] for s in SENSITIVE_STRINGS)
    assert {i.status for i in outbox.list(case_ref=filed.reference) if i.kind == "records_missing_notice"} == {
        OutboxStatus.SENT
    }
