"""An accepted agency report goes to the lead reviewer and the review panel (003 §5.7, 004 §6.1): drafted when
quality assurance accepts it, approved like every statutory message, sent with the accepted version attached
(sealed at rest); one agency's draft never replaces another's; the business unit's channel hears only the
case reference, the purpose and the roles; a board without the two addresses is refused at start-up."""

from __future__ import annotations

from datetime import date
from email.message import EmailMessage
from functools import partial
from pathlib import Path

import pytest

from cases.board import BoardConfig
from cases.case import Decision
from cases.events import Outcome
from cases.review.agency_report import accept, nominate, request, sign_off
from cases.rules import RulesPackError
from notify.outbox import OutboxStatus
from storage.review_agency_reports import AgencyReports, ReceivedFile
from storage.store import Store
from tests.factories import BUSINESS_UNIT, REFERRER, SENSITIVE_STRINGS, STAFF, at, make_referral
from tests.notify.conftest import NOTIFY_BOARD_TOML, NotifyEnv, make_env
from tests.support.reports import docx_report

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
KIND = "agency_report_distribution"
LEAD_REVIEWER = "testshire.lead.reviewer@cjsm.net"
REVIEW_PANEL = "testshire.review.panel@nhs.net"
DAY = date(2027, 1, 11)
AUTHOR = "Author Distributionname"
SIGNATORY = "Director Distributionsign"


@pytest.fixture
def board(request: pytest.FixtureRequest) -> BoardConfig:
    return BoardConfig.from_toml(getattr(request, "param", NOTIFY_BOARD_TOML))


def decided_case(store: Store) -> str:
    filed = store.cases.file_referral(make_referral(), actor=REFERRER, now=at(date(2026, 12, 1)))
    decision = Decision(outcome=Outcome.SCR, decided_on=date(2026, 12, 22))
    store.cases.record_decision(filed.reference, decision, actor=STAFF, now=at(date(2026, 12, 22)))
    return filed.reference


def accepted(reports: AgencyReports, ref: str, agency: str, versions: list[tuple[str, bytes]]) -> None:
    """Nominated, requested, each version received (all but the last returned), signed off, accepted."""
    now = at(DAY)
    reports.record(ref, agency, partial(nominate, author=AUTHOR, no_involvement=True, on=DAY), actor=STAFF, now=now)
    reports.record(ref, agency, partial(request, due=date(2027, 2, 12), on=DAY), actor=STAFF, now=now)
    for number, (name, content) in enumerate(versions, start=1):
        reports.receive(ref, agency, ReceivedFile(name, content, DOCX), actor=STAFF, now=now)
        if number < len(versions):
            reports.return_version(
                ref, agency, reasons="not signed off", new_due=date(2027, 2, 1), actor=STAFF, now=now
            )
    reports.record(ref, agency, partial(sign_off, by=SIGNATORY, on=DAY), actor=STAFF, now=now)
    reports.record(ref, agency, partial(accept, on=DAY), actor=STAFF, now=now)


def distribution_drafts(env: NotifyEnv) -> list[str]:
    return [m.id for m in env.outbox.list(statuses=[OutboxStatus.DRAFT]) if m.kind == KIND]


def test_an_accepted_report_goes_to_the_lead_reviewer_and_panel_with_the_accepted_version(
    store: Store, tmp_path: Path
) -> None:
    env = make_env(store, tmp_path)
    reports = AgencyReports(store)
    ref = decided_case(store)
    first = docx_report([f"Police chronology, first draft about {SENSITIVE_STRINGS[0]}."])
    second = docx_report([f"Police chronology, signed version about {SENSITIVE_STRINGS[0]}."])
    police_name = f"police-imr-{SENSITIVE_STRINGS[1]}.docx"
    accepted(reports, ref, "police", [("police-imr-v1.docx", first), (police_name, second)])
    police_draft = distribution_drafts(env)
    assert len(police_draft) == 1
    # A second agency's accepted report is a message of its own: the police's draft still waits.
    health = docx_report(["Health chronology."])
    accepted(reports, ref, "health", [("health-imr.docx", health)])
    drafts = distribution_drafts(env)
    assert len(drafts) == 2 and police_draft[0] in drafts

    message = env.outbox.get(police_draft[0], actor=STAFF, now=at(DAY))
    assert sorted(message.recipients) == [LEAD_REVIEWER, REVIEW_PANEL]
    assert message.recipient_summary == "statutory:reviewer,review_panel"
    with store.sessions() as s:
        audit = [e for e in store.audit.entries(s, case_ref=ref) if e.action == "agency_report.distribution_drafted"]
    assert [(e.detail["agency"], e.detail["version"], e.detail["messages"]) for e in audit] == [
        ("police", 2, police_draft),
        ("health", 1, [d for d in drafts if d != police_draft[0]]),
    ]

    # The business unit is asked to approve it in its channel: the reference, the purpose, the roles only.
    env.dispatch(at(DAY, 9, 10))
    asked = [text for _, text in env.chat.posts if "accepted agency report" in text]
    assert len(asked) == 2 and all(ref in text for text in asked)
    for text in (t for _, t in env.chat.posts):
        for secret in (*SENSITIVE_STRINGS, AUTHOR, SIGNATORY, police_name):
            assert secret not in text

    # Nothing goes before a person approves it; then it goes with the accepted version, not the returned one.
    assert not [m for m in env.emails() if m["Subject"] and "accepted" in m["Subject"]]
    env.outbox.approve(police_draft[0], actor=BUSINESS_UNIT, now=at(DAY, 10))
    env.dispatch(at(DAY, 10, 5))
    sent = [m for m in env.emails() if "Testshire Police's report, version 2, accepted" in str(m["Subject"])]
    assert len(sent) == 1
    email = sent[0]
    assert isinstance(email, EmailMessage)
    assert {a.strip() for a in str(email["To"]).split(",")} == {LEAD_REVIEWER, REVIEW_PANEL}
    files = [(part.get_filename(), part.get_content()) for part in email.iter_attachments()]
    assert files == [(police_name, second)]
    body = email.get_body(preferencelist=("plain",))
    assert body is not None and "003 §5.7" in body.get_content()
    assert env.outbox.get(police_draft[0], actor=STAFF, now=at(DAY)).status is OutboxStatus.SENT

    # At rest the attachment is sealed: neither the document nor its name is in the database file.
    if store.engine.dialect.name == "sqlite":
        raw = Path(str(store.engine.url.database)).read_bytes()
        for secret in (*SENSITIVE_STRINGS, AUTHOR, SIGNATORY, police_name):
            assert secret.encode() not in raw
        assert second[-400:] not in raw


def test_a_board_without_the_review_addresses_is_refused_at_start_up(store: Store, tmp_path: Path) -> None:
    without = NOTIFY_BOARD_TOML.replace("[statutory_recipients.reviewer]", "[statutory_recipients.other_role]")
    board = BoardConfig.from_toml(without)
    with pytest.raises(RulesPackError, match="no address for 'reviewer'"):
        store.pack.check_recipients(board.addressed_roles())


@pytest.mark.parametrize("board", [NOTIFY_BOARD_TOML.replace(LEAD_REVIEWER, "reviewer@example.org")], indirect=True)
def test_a_reviewer_address_off_the_secure_domains_gets_no_report(store: Store, tmp_path: Path) -> None:
    """The attachment is about the child and family: the draft is refused (audited, the business unit told), the
    acceptance itself stands."""
    env = make_env(store, tmp_path)
    reports = AgencyReports(store)
    ref = decided_case(store)
    accepted(reports, ref, "police", [("police-imr.docx", docx_report(["Police chronology."]))])
    assert distribution_drafts(env) == []
    with store.sessions() as s:
        entries = {e.action: e.detail for e in store.audit.entries(s, case_ref=ref)}
    assert entries["notification.refused"]["reason"] == "InsecureRecipient"
    assert entries["agency_report.distribution_drafted"]["messages"] == []
    assert entries["agency_report.accepted"]["agency"] == "police"
