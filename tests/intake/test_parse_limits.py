"""Hostile MIME structure is refused from the raw bytes, before the standard library's parser builds (and
recurses through) it; long headers are read only up to a bound."""

from __future__ import annotations

from email.parser import BytesParser

import pytest

from intake.inbound.limits import LimitExceeded, Limits
from intake.inbound.parse import MAX_HEADER_CHARS, check_structure, parse_message

HEAD = b"From: Police <reviews@testshire.pnn.police.uk>\r\nSubject: RE: [SCR-2026-0001]\r\nMIME-Version: 1.0\r\n"


def deep(depth: int) -> bytes:
    levels = b"".join(
        b'--b%d\r\nContent-Type: multipart/mixed; boundary="b%d"\r\n\r\n' % (i, i + 1) for i in range(depth)
    )
    return HEAD + b'Content-Type: multipart/mixed; boundary="b0"\r\n\r\n' + levels + b"x\r\n"


def wide(parts: int) -> bytes:
    body = b"--w\r\nContent-Type: text/plain\r\n\r\nx\r\n" * parts + b"--w--\r\n"
    return HEAD + b'Content-Type: multipart/mixed; boundary="w"\r\n\r\n' + body


@pytest.mark.parametrize(
    ("raw", "why"),
    [(deep(5_000), "multipart boundaries"), (wide(50_000), "MIME parts"), (wide(201), "MIME parts")],
)
def test_hostile_structure_is_refused_before_the_stdlib_parser_runs(
    raw: bytes, why: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def never(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the stdlib parser ran on a message the raw bytes already refuse")

    monkeypatch.setattr(BytesParser, "parsebytes", never)
    with pytest.raises(LimitExceeded, match=why):
        parse_message(raw)


@pytest.mark.parametrize("raw", [deep(3), wide(150), wide(1)])
def test_ordinary_structure_passes(raw: bytes) -> None:
    check_structure(raw, Limits())
    parse_message(raw)


def test_long_headers_are_read_up_to_a_bound() -> None:
    words = " ".join(["=?utf-8?b?UmVjb3JkcyBzZWN1cmVk?="] * 20_000)
    parsed = parse_message(HEAD.replace(b"Subject: RE: [SCR-2026-0001]", f"Subject: {words}".encode()) + b"\r\nx")
    assert parsed.subject.startswith("Records secured") and len(parsed.subject) <= 1000


def test_a_from_header_over_the_bound_is_no_sender_not_a_cut_one() -> None:
    padding = "x" * MAX_HEADER_CHARS
    raw = f'From: reviews@testshire.pnn.police.uk, "{padding}" <attacker@example.org>\r\n\r\nRecords secured'.encode()
    parsed = parse_message(raw)
    assert (parsed.sender, parsed.from_count) == ("", 0)


def test_a_header_block_over_its_bound_is_refused_unparsed(monkeypatch: pytest.MonkeyPatch) -> None:
    limits = Limits(max_header_bytes=64 * 1024)
    many = b"".join(b"X-Hostile-%d: value\r\n" % i for i in range(10_000))
    monkeypatch.setattr(BytesParser, "parsebytes", lambda *_a, **_k: pytest.fail("parsed"))
    with pytest.raises(LimitExceeded, match="headers larger than 64 KiB"):
        parse_message(HEAD + many + b"\r\nRecords secured", limits)


def test_headers_within_the_bound_are_read() -> None:
    limits = Limits(max_header_bytes=64 * 1024)
    some = b"".join(b"X-Header-%d: value\r\n" % i for i in range(100))
    assert parse_message(HEAD + some + b"\r\nRecords secured", limits).text.startswith("Records secured")
