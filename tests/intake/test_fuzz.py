"""Hypothesis fuzzing of inbound mail: thousands of generated messages (malformed MIME, bad encodings,
odd charsets, nested parts, random attachments, random byte damage to real replies). Nothing crashes;
every message ends processed, quarantined or needing a person, never stuck, and every failure is
quarantined with a reason."""

from __future__ import annotations

import base64
import contextlib
import quopri
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from cases.packs import bundled_pack
from cases.reference import find_references
from intake.inbound.answers import read_answer
from intake.inbound.authentication import check_authentication
from intake.inbound.auto_reply import auto_reply_reason, reads_like_out_of_office
from intake.inbound.docx_form import FormError, read_form
from intake.inbound.limits import LimitExceeded, Limits
from intake.inbound.parse import identity, parse_message
from intake.inbound.referral_mail import extract, looks_like_referral
from intake.inbound.reply_text import split_reply
from storage.inbound import InboundStatus
from storage.keyring import KeyRing
from storage.store import open_store
from storage.tables import InboundMessageRow
from tests.factories import REFERRER, make_board, make_referral
from tests.support.databases import sqlite_engine
from tests.support.forms import encrypt_docx, referral_form_docx
from tests.support.intake import authentication_results, make_intake

# The kind the processor gives a message whose processing raised (intake/inbound/processor.py `_act`), or that
# stopped the process too often (`give_up`).
INTERNAL_ERROR = "error"
CORPUS = sorted((Path(__file__).parent / "corpus").glob("*.eml"))
LIMITS = Limits(max_attachment_bytes=200_000, max_mime_parts=40, max_nesting_depth=6)
NOW = datetime(2026, 12, 4, 16, 0, tzinfo=UTC)
FORM = referral_form_docx()
FORM_ENCRYPTED = encrypt_docx(FORM, "pw", spin_count=1000)  # cheap to derive: thousands of examples

senders = st.sampled_from(
    [
        "reviews@testshire.pnn.police.uk",
        "safeguarding.testshire@nhs.net",
        "dsl@testshire-schools.example.org",
        "stranger@example.org",
        "MAILER-DAEMON@mx.testshire.gov.uk",
        "",
        "not an address",
        "a@b@c",
    ]
)
phrases = st.sampled_from(
    [
        "Records secured: yes",
        "Records secured: no",
        "Known to agency: yes, 2019-2024",
        "yes, all records secured on 3rd Dec by J. Smith",
        "I am out of the office",
        "> Records secured: yes / no",
        "On Tue, 1 Dec 2026 at 09:00, SCR Bot wrote:",
        "-----Original Message-----",
        "From: x\nSent: y",
        "Child's Last Name/s:\tSmith",
        "Incident date: 31/02/2026",
        "SCR-2026-0001",
        "SCR 2026 9999",
        "",
    ]
)
dates = st.sampled_from(["Thu, 3 Dec 2026 10:00:00 +0000", "yesterday", "", "Mon, 99 Foo 20261 99:99:99"])
charsets = st.sampled_from(["utf-8", "us-ascii", "iso-8859-1", "windows-1252", "utf-16", "bogus-charset", "utf-7"])
encodings = st.sampled_from(["7bit", "8bit", "base64", "quoted-printable", "x-uuencode", "nonsense"])
ctypes = st.sampled_from(
    [
        "text/plain",
        "text/html",
        "application/octet-stream",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/msword",
        "message/rfc822",
        "image/png",
        "text/calendar",
        "multipart/report",
        "garbage",
    ]
)
texts = st.one_of(
    st.text(max_size=300),
    st.lists(phrases, max_size=6).map("\n".join),
    st.sampled_from(["<html><body><p>Records secured</p><blockquote>x</blockquote>", "<<<>>>&#xffffff;<p"]),
)
attachment_data = st.one_of(
    st.binary(max_size=400),
    st.just(FORM),
    st.just(FORM_ENCRYPTED),
    st.binary(max_size=200).map(lambda b: b"PK\x03\x04" + b),
    st.binary(max_size=200).map(lambda b: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b),
)


def header_values() -> st.SearchStrategy[str]:
    encoded = st.builds(
        lambda cs, enc, t: f"=?{cs}?{enc}?{t}?=",
        charsets,
        st.sampled_from(["B", "Q", "X"]),
        st.text(alphabet="abcXYZ=?_+/019 ", max_size=30),
    )
    return st.one_of(st.text(max_size=80).map(lambda t: t.replace("\n", " ").replace("\r", " ")), encoded, phrases)


def encode(data: bytes, cte: str) -> bytes:
    if cte == "base64":
        return base64.encodebytes(data)
    if cte == "quoted-printable":
        return quopri.encodestring(data)
    return data


@st.composite
def parts(draw: st.DrawFn, depth: int = 0) -> bytes:
    ctype = draw(ctypes)
    cte = draw(encodings)
    if depth < 4 and draw(st.booleans()) and ctype != "message/rfc822":
        boundary = draw(st.sampled_from(["b1", "b2", "==x==", ""]))
        subtype = draw(st.sampled_from(["mixed", "alternative", "related", "report", "signed"]))
        children = draw(st.lists(PARTS[depth + 1], max_size=4))
        body = b"".join(b"--" + boundary.encode() + b"\r\n" + c + b"\r\n" for c in children)
        if draw(st.booleans()):
            body += b"--" + boundary.encode() + b"--\r\n"
        return f'Content-Type: multipart/{subtype}; boundary="{boundary}"\r\n\r\n'.encode() + body
    if ctype.startswith("text/"):
        payload = draw(texts).encode(draw(st.sampled_from(["utf-8", "latin-1"])), "replace")
    else:
        payload = draw(attachment_data)
    disposition = draw(
        st.sampled_from(
            [
                "",
                "attachment",
                'attachment; filename="form.docx"',
                "inline",
                "attachment; filename*=utf-8''%E2%98%92.docx",
            ]
        )
    )
    head = f'Content-Type: {ctype}; charset="{draw(charsets)}"\r\nContent-Transfer-Encoding: {cte}\r\n'
    if disposition:
        head += f"Content-Disposition: {disposition}\r\n"
    return head.encode() + b"\r\n" + encode(payload, cte)


PARTS = [parts(depth) for depth in range(6)]  # built once: hypothesis validates each strategy object


@st.composite
def messages(draw: st.DrawFn) -> bytes:
    if draw(st.integers(0, 9)) == 0:
        # A real reply, damaged.
        raw = bytearray(draw(st.sampled_from(CORPUS)).read_bytes())
        for _ in range(draw(st.integers(1, 20))):
            position = draw(st.integers(0, max(len(raw) - 1, 0)))
            raw[position : position + 1] = draw(st.binary(min_size=0, max_size=3))
        return bytes(raw)
    sender = draw(senders)
    headers = [
        f"From: {draw(st.sampled_from(['', 'Agency ']))}<{sender}>",
        f"Subject: {draw(header_values())}",
        f"Message-ID: <{draw(st.text(alphabet='abcdef0123456789', min_size=1, max_size=12))}@fuzz.example>",
        f"Date: {draw(dates)}",
    ]
    extra = draw(
        st.lists(
            st.sampled_from(
                [
                    "Auto-Submitted: auto-replied",
                    "Authentication-Results: mx.testshire.gov.uk; dmarc=fail header.from=nhs.net",
                    "Authentication-Results: mx.testshire.gov.uk; dkim=pass header.d=nhs.net",
                    "In-Reply-To: <outbox-0a1b2c3d4e5f60718293a4b5c6d7e8f9@testshire.gov.uk>",
                    "References: <outbox-ffffffffffffffffffffffffffffffff@x>",
                    "From: second@example.org",
                    "Precedence: bulk",
                    "MIME-Version: 1.0",
                ]
            ),
            max_size=4,
        )
    )
    if "@" in sender and draw(st.booleans()):
        # Stamped as trusted by our own server (DMARC pass under our authserv-id): without it every reply
        # is quarantined as untrusted and the paths behind trust go unexercised.
        headers.append(f"Authentication-Results: {authentication_results(sender)}")
    return ("\r\n".join(headers + extra) + "\r\n").encode("utf-8", "replace") + draw(PARTS[0])


@settings(max_examples=2500, deadline=None, database=None, derandomize=True)
@given(raw=messages())
def test_reading_never_crashes(raw: bytes) -> None:
    identity(raw)
    try:
        message = parse_message(raw, LIMITS)
    except LimitExceeded:
        return
    reply = split_reply(message.text)
    read_answer(reply.new, sent_on=NOW.date(), sender_name=message.sender_name)
    auto_reply_reason(message)
    reads_like_out_of_office(reply.new)
    check_authentication(message.authentication_results, authserv_id="mx.testshire.gov.uk", from_domain="nhs.net")
    find_references(message.subject + message.text)
    if looks_like_referral(message):
        with contextlib.suppress(FormError, LimitExceeded):
            extract(message, limits=LIMITS)


@settings(max_examples=1500, deadline=None, database=None, derandomize=True)
@given(data=st.one_of(st.binary(max_size=3000), attachment_data))
def test_word_forms_never_crash(data: bytes) -> None:
    with contextlib.suppress(FormError, LimitExceeded):
        read_form(data, password="pw", limits=LIMITS)


def test_every_generated_message_ends_in_a_final_state(tmp_path: Path) -> None:
    board = make_board()
    engine = sqlite_engine(str(tmp_path / "scrbot.db"))
    store = open_store(
        engine, board, KeyRing.load_or_create(tmp_path / "keys.json", board.id), bundled_pack(board.rules_pack)
    )
    store.cases.file_referral(make_referral(), actor=REFERRER, now=NOW)
    intake = make_intake(store, limits=LIMITS)
    seen: dict[str, int] = {}

    @settings(
        max_examples=1000,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(raw=messages())
    def ingest(raw: bytes) -> None:
        outcome = intake.ingest(raw, now=NOW)
        assert outcome.status is not InboundStatus.RECEIVED
        # A failure inside processing is quarantined too (nothing lost), as kind "error" with the exception's
        # type: that is a bug, not a reasoned quarantine, and must not pass as one.
        assert outcome.kind != INTERNAL_ERROR, outcome.reason
        if outcome.status is not InboundStatus.PROCESSED:
            assert outcome.reason  # every message a person must look at says why
        seen[outcome.status.value] = seen.get(outcome.status.value, 0) + 1

    ingest()
    with store.sessions() as s:
        stuck = s.scalar(
            select(func.count()).select_from(InboundMessageRow).where(InboundMessageRow.status == "received")
        )
    assert stuck == 0
    # Every final state is reached (most generated mail is rubbish, so few trusted replies are merely unclear).
    assert seen.get("quarantined", 0) > 100
    assert seen.get("processed", 0) > 10
    assert seen.get("needs_person", 0) >= 5
    engine.dispose()
