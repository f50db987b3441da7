"""Purge finds a case's inbound mail by any key: its id, its reference, or - for mail linked to no case - the
reference or the child's own details in the text. Mail about someone else stays; what each message's copies
are called is handed on, for the mailbox."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage

from cases.events import CaseStatus
from storage.inbound_purge import InboundPurge
from storage.purge import purge
from storage.store import Store
from tests.factories import CHILD_FORENAMES, CHILD_LAST_NAME, REFERRER, STAFF, make_referral
from tests.support.intake import authentication_results, inbound_for, make_intake

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def mail(sender: str, subject: str, body: str, message_id: str, *, stamped: bool = False) -> bytes:
    message = EmailMessage()
    if stamped:  # authenticated by the board's mail server: trusted, so matched to its case
        message["Authentication-Results"] = authentication_results(sender)
    message["From"] = sender
    message["To"] = "scr@testshire.gov.uk"
    message["Subject"] = subject
    message["Message-ID"] = message_id
    message.set_content(body)
    return bytes(message)


def test_purge_finds_the_cases_mail_by_id_reference_or_the_childs_details(store: Store) -> None:
    purged = store.cases.file_referral(make_referral(), actor=REFERRER, now=NOW).reference
    other = store.cases.file_referral(make_referral(**{"child.last_name": "Otherly"}), actor=REFERRER, now=NOW)
    intake = make_intake(store)
    sent = {
        "recorded": mail(
            "reviews@testshire.pnn.police.uk", f"RE: [{purged}]", "Records secured: yes", "<a@x>", stamped=True
        ),
        "named reference": mail("someone@example.org", f"RE: [{purged}]", "Is this secure?", "<b@x>", stamped=True),
        "unauthenticated": mail("reviews@testshire.pnn.police.uk", f"RE: [{purged}]", "Records secured", "<h@x>"),
        "names the child": mail(
            "someone@example.org", "a child", f"Worried about {CHILD_FORENAMES} {CHILD_LAST_NAME} today", "<c@x>"
        ),
        "encoded body": mail("someone@example.org", "news", f"Z. {CHILD_LAST_NAME}\u2019s file — résumé", "<d@x>"),
        "only a forename": mail("someone@example.org", "hello", f"{CHILD_FORENAMES.split()[0]} called", "<e@x>"),
        "another case": mail("someone@example.org", f"RE: [{other.reference}]", "Records secured", "<f@x>"),
        "unrelated": mail("someone@example.org", "lunch", "Sandwiches at noon", "<g@x>"),
    }
    outcomes = {name: intake.ingest(raw, now=NOW) for name, raw in sent.items()}
    store.cases.move_status(purged, CaseStatus.CLOSED, actor=STAFF, now=NOW)
    inbound = inbound_for(store)
    copies: list[tuple[str, str]] = []
    report = purge(
        store.sessions,
        store.audit,
        board_id=store.board.id,
        retention_days=0,
        now=NOW + timedelta(days=1),
        actor=STAFF,
        codec=store.codec,
        hooks=[InboundPurge(inbound, collect=lambda mid, digest: copies.append((mid, digest)))],
    )
    assert report.purged == [purged]
    emptied = {name for name, o in outcomes.items() if inbound.get(o.inbound_id, actor=STAFF, now=NOW).raw == b""}
    gone = ["recorded", "named reference", "unauthenticated", "names the child", "encoded body"]
    assert emptied == set(gone)
    assert sorted(copies) == sorted(
        (message_id_of(sent[name]), hashlib.sha256(sent[name]).hexdigest()) for name in gone
    )


def message_id_of(raw: bytes) -> str:
    return str(message_from_bytes(raw)["Message-ID"])
