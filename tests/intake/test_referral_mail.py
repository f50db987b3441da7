"""Emailed referrals: the Appendix 1 form as a .docx (tables and content controls), password-protected or
not, or typed into the body; the conversation's validation; gaps listed for the business unit."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.clock import FixedClock
from cases.referral import ReasonKind, parse_referral
from intake.inbound.docx_form import PasswordNeeded, WrongPassword, read_form
from intake.inbound.form_fields import referral_data
from intake.inbound.limits import LimitExceeded, Limits
from intake.inbound.processor import IntakeError
from storage.inbound import InboundStatus
from storage.store import Store
from storage.tables import AuditRow, OutboxRow
from tests.factories import CHILD_FORENAMES, CHILD_LAST_NAME, SENSITIVE_STRINGS, STAFF
from tests.support.forms import encrypt_docx, referral_email, referral_form_docx
from tests.support.intake import make_intake

PASSWORD = "Synthetic-Pa55word"
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize("with_controls", [True, False])
def test_the_word_form_is_read_from_tables_and_content_controls(with_controls: bool) -> None:
    form = read_form(referral_form_docx(with_controls=with_controls))
    data = referral_data(form.values, reference=NOW.date(), defaults={})
    referral = parse_referral(data, today=NOW.date())
    assert (referral.child.forenames, referral.child.last_name) == (CHILD_FORENAMES, CHILD_LAST_NAME)
    assert referral.child.date_of_birth is not None and referral.child.date_of_birth.isoformat() == "2024-03-09"
    assert referral.child.gender.value == "female"  # the ticked box, not the first option
    assert referral.child.also_known_as == ""  # a content control still showing its placeholder is empty
    assert [(r.kind, r.detail) for r in referral.reasons] == [(ReasonKind.FITS_SCR_CRITERIA, "004 §4.4(ii)")]
    assert [s.name for s in referral.siblings] == ["Ambrose Marchbanks-Tovey"]
    assert referral.incident_date.isoformat() == "2026-11-16"
    assert referral.criteria.abuse_or_neglect.value == "yes"
    # The s.16C triage answers, "not known" allowed (cases/triage.py).
    assert (referral.incident.in_area.value, referral.incident.looked_after.value) == ("yes", "unknown")


def test_a_protected_form_opens_with_the_right_password_and_is_refused_with_a_wrong_one() -> None:
    protected = encrypt_docx(referral_form_docx(), PASSWORD)
    assert protected[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE container, as Word writes it
    with pytest.raises(PasswordNeeded):
        read_form(protected)
    with pytest.raises(WrongPassword, match="does not open"):
        read_form(protected, password="not-the-password")
    form = read_form(protected, password=PASSWORD)
    assert form.was_encrypted
    assert form.values["child.last_name"] == CHILD_LAST_NAME


def test_key_derivation_work_is_capped_before_anything_is_derived() -> None:
    protected = encrypt_docx(referral_form_docx(), PASSWORD)  # Word's 100,000 rounds
    with pytest.raises(LimitExceeded, match="100,000 password hashing rounds"):
        read_form(protected, password=PASSWORD, limits=Limits(max_kdf_spin_count=50_000))


def _with_member(docx_bytes: bytes, name: str, data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr(name, data)
    return out.getvalue()


def test_a_zip_bomb_is_refused_from_its_directory_without_inflating() -> None:
    bomb = _with_member(referral_form_docx(), "word/media/image1.bin", b"\0" * (12 * 1024 * 1024))
    assert len(bomb) < 200_000  # small on the wire
    with pytest.raises(LimitExceeded, match="decompress"):
        read_form(bomb, limits=Limits(max_docx_uncompressed_bytes=8 * 1024 * 1024))


def _raw_db(store: Store) -> bytes:
    url = store.engine.url
    if url.get_backend_name() != "sqlite":
        return b""
    path = str(url.database)
    data = b""
    for suffix in ("", "-wal"):
        try:
            with open(path + suffix, "rb") as handle:
                data += handle.read()
        except FileNotFoundError:
            pass
    return data


def test_protected_referral_waits_for_a_password_then_is_filed(store: Store, clock: FixedClock) -> None:
    intake = make_intake(store)
    raw = referral_email(encrypt_docx(referral_form_docx(), PASSWORD), sent=NOW)
    first = intake.ingest(raw, now=NOW)
    assert (first.status, first.kind) == (InboundStatus.NEEDS_PERSON, "referral")
    assert "password-protected" in first.reason and f"scrbot mail unlock {first.inbound_id}" in first.reason

    with pytest.raises(WrongPassword):
        intake.unlock(first.inbound_id, "wrong-password", actor=STAFF, now=NOW)
    assert intake.inbound.summary(first.inbound_id).status is InboundStatus.NEEDS_PERSON
    assert store.cases.list_cases(today=NOW.date()) == []

    unlocked = intake.unlock(first.inbound_id, PASSWORD, actor=STAFF, now=NOW)
    assert unlocked.status is InboundStatus.RELEASED
    assert unlocked.case_ref == "SCR-2026-0001" and "referral filed as SCR-2026-0001" in unlocked.reason
    case = store.cases.get_case("SCR-2026-0001", actor=STAFF, now=NOW)
    assert case.referral is not None and case.referral.child.last_name == CHILD_LAST_NAME
    assert case.filed_by == STAFF.id  # the person who unlocked it vouched for it
    with store.sessions() as s:
        actions = list(s.scalars(select(AuditRow.action).order_by(AuditRow.seq)))
        kinds = sorted(s.scalars(select(OutboxRow.kind)))
    assert "mail.unlock_failed" in actions and "referral.filed" in actions
    assert kinds.count("agency_request") == 3  # the requests went out with the filing
    # The password is never stored; the form's content is stored only encrypted.
    raw_db = _raw_db(store)
    assert PASSWORD.encode() not in raw_db
    assert not any(s.encode() in raw_db for s in SENSITIVE_STRINGS)


BODY_FORM = """Dear business unit,

Please treat this email as a referral.

Case for Consideration

1. CASE OUTLINE: Include any critical incident, status of child
Synthetic outline: toddler admitted with unexplained fractures; family known to health visiting

Child's Last Name/s:\tMarchbanks-Tovey\tChild's Date of Birth:\t09/03/2024
Child's Forename/s:\tZephyrine Quillon
Gender: Female
Child's Home Address: 17 Imaginary Crescent, Nowhereton, ZZ1 9QQ
Mother's Name: Philippa Marchbanks-Tovey
Mother's DOB: 01/07/1998

3. REASONS FOR REQUESTING A REVIEW/REFERRAL: Tick all appropriate options:
[x] Fits Serious Case Review criteria: 004 §4.4(ii)
[ ] Other: [Please specify]

Referrer's role: Named Doctor
Referrer's agency: Northshire Hospitals NHS Trust
Referral date: 23/11/2026
Incident date: {incident}
Date the local authority became aware: 17/11/2026

Regards
"""


def test_a_referral_typed_in_the_body_from_a_secure_address_is_filed(store: Store) -> None:
    intake = make_intake(store)
    raw = referral_email(None, body=BODY_FORM.format(incident="16/11/2026"), sent=NOW)
    outcome = intake.ingest(raw, now=NOW)
    assert (outcome.status, outcome.case_ref) == (InboundStatus.PROCESSED, "SCR-2026-0001"), outcome.reason
    case = store.cases.get_case("SCR-2026-0001", actor=STAFF, now=NOW)
    assert case.referral is not None
    # What the form left out comes from the email: the referrer is the sender.
    assert case.referral.referrer.email == "ottoline.testwhistle@nhs.net"
    assert case.referral.referral_date == NOW.date()
    assert case.filed_by == "mail:referral"


def test_a_referral_from_an_insecure_address_waits_for_a_person(store: Store) -> None:
    intake = make_intake(store)
    raw = referral_email(None, body=BODY_FORM.format(incident="16/11/2026"), sender="a.referrer@example.org", sent=NOW)
    outcome = intake.ingest(raw, now=NOW)
    assert outcome.status is InboundStatus.NEEDS_PERSON and "outside the secure domains" in outcome.reason
    assert store.cases.list_cases(today=NOW.date()) == []
    released = intake.release(outcome.inbound_id, actor=STAFF, now=NOW)
    assert (released.status, released.case_ref) == (InboundStatus.RELEASED, "SCR-2026-0001")


def test_gaps_are_listed_by_label_and_nothing_is_filed_until_they_are_filled(store: Store) -> None:
    intake = make_intake(store)
    raw = referral_email(None, body=BODY_FORM.format(incident="not sure"), sent=NOW)
    outcome = intake.ingest(raw, now=NOW)
    assert outcome.status is InboundStatus.NEEDS_PERSON
    assert "Incident date" in outcome.reason
    assert not any(s in outcome.reason for s in SENSITIVE_STRINGS)
    detail = intake.inbound.get(outcome.inbound_id, actor=STAFF, now=NOW).detail
    assert any("incident_date" in gap for gap in detail["gaps"])
    assert detail["data"]["child"]["last_name"] == CHILD_LAST_NAME  # kept (encrypted) to complete by hand
    with pytest.raises(IntakeError, match="cannot be filed yet"):
        intake.release(outcome.inbound_id, actor=STAFF, now=NOW)
    dismissed = intake.release(outcome.inbound_id, actor=STAFF, now=NOW, dismiss=True, note="filed by hand")
    assert dismissed.status is InboundStatus.RELEASED
    assert store.cases.list_cases(today=NOW.date()) == []


def test_an_attachment_that_is_not_a_form_is_quarantined(store: Store) -> None:
    intake = make_intake(store)
    raw = referral_email(b"%PDF-1.7 not a word file", filename="referral.docx", body="See attached.", sent=NOW)
    outcome = intake.ingest(raw, now=NOW)
    assert outcome.status is InboundStatus.QUARANTINED
    assert "not a Word document" in outcome.reason
