"""Raw MIME bytes to what intake needs: sender, subject, dates, threading headers, authentication results,
the body as text, and attachments. Hostile input is expected: every part count, depth and size is capped,
undecodable text is replaced rather than trusted, and HTML is converted to text, never rendered.

Parsing uses the `compat32` policy and decodes only the headers it reads: the `default` policy parses every
header into objects up front and is about ten times slower (DESIGN.md §7), and it raises on some malformed
headers where compat32 keeps going.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.errors import MessageError
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesParser
from email.policy import compat32
from email.utils import getaddresses, parsedate_to_datetime
from itertools import islice

from intake.inbound.html_text import html_to_text
from intake.inbound.limits import LimitExceeded, Limits

_MESSAGE_ID = re.compile(r"<[^<>\s]{1,500}>")
_WS = re.compile(r"\s+")
# The most of one header that is read (decoded, or split into addresses); a From longer than this is unreadable.
MAX_HEADER_CHARS = 16_384
_BOUNDARY = re.compile(rb'boundary\s*=\s*(?:"([^"\r\n]{1,200})"|([^\s;"]{1,200}))', re.IGNORECASE)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes

    def __repr__(self) -> str:  # the file name and data may hold personal data
        return f"Attachment(content_type={self.content_type!r}, size={len(self.data)})"


@dataclass
class ParsedMessage:
    message_id: str
    sender: str  # the From address, lower case; "" if there is not exactly one
    sender_name: str
    from_count: int
    subject: str
    date: datetime | None
    in_reply_to: list[str]
    references: list[str]
    authentication_results: list[str]  # top to bottom, as the headers appear
    auto_submitted: str
    precedence: str
    autoreply_headers: list[str]  # names of other auto-reply markers present (X-Autoreply, ...)
    content_type: str
    text: str
    html_only: bool
    attachments: list[Attachment] = field(default_factory=list)
    forwarded_messages: int = 0
    notes: list[str] = field(default_factory=list)  # e.g. "text truncated"

    def __repr__(self) -> str:  # never the sender, subject or text
        return f"ParsedMessage(content_type={self.content_type!r}, attachments={len(self.attachments)})"


def header_text(message: Message, name: str) -> str:
    """A header decoded (RFC 2047 encoded words), whitespace folded; "" if absent or undecodable."""
    value = message.get(name)
    if value is None:
        return ""
    # Decoding encoded words is quadratic in their number: only the start of a long header is decoded.
    return decode_words(str(value)[:MAX_HEADER_CHARS])


def decode_words(value: str) -> str:
    try:
        decoded = str(make_header(decode_header(value)))
    except (LookupError, UnicodeError, ValueError, AssertionError, MessageError):
        decoded = value  # a broken encoded word: keep the raw text
    return _WS.sub(" ", decoded).strip()


def message_ids(value: str) -> list[str]:
    return _MESSAGE_ID.findall(value or "")[:50]


def _header_block(raw: bytes) -> bytes:
    head = raw[:65536]
    for separator in (b"\r\n\r\n", b"\n\n"):
        index = head.find(separator)
        if index >= 0:
            return head[:index]
    return head


def _first_header(block: bytes, name: bytes) -> bytes:
    match = re.search(rb"(?im)^" + name + rb"[ \t]*:(.*(?:\r?\n[ \t].*)*)", block)
    return match.group(1).strip() if match else b""


def identity(raw: bytes) -> tuple[str, bytes]:
    """(Message-ID, what else identifies the message) from the header block and body, for deduplication
    before anything else is parsed: the same message delivered twice has the same From and body even when
    the servers on its way added different Received headers. A plain scan of the header block: it runs on
    every message, before any parsing."""
    block = _header_block(raw)
    found = message_ids(_first_header(block, rb"message-id").decode("latin-1"))
    sender = _first_header(block, rb"from")
    return (found[0] if found else ""), sender + b"\x00" + body_bytes(raw)


def body_bytes(raw: bytes) -> bytes:
    """Everything after the header block (what stays the same when a message is delivered twice)."""
    for separator in (b"\r\n\r\n", b"\n\n"):
        index = raw.find(separator)
        if index >= 0:
            return raw[index + len(separator) :]
    return raw


def _decode_part(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:
        return payload.decode("utf-8", errors="replace")


def _is_attachment(part: Message) -> bool:
    disposition = str(part.get("Content-Disposition", "")).split(";", 1)[0].strip().lower()
    return disposition == "attachment" or (disposition == "inline" and bool(part.get_filename()))


class _Walker:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.parts = 0
        self.attachments: list[Attachment] = []
        self.forwarded = 0
        self.body_plain: Message | None = None
        self.body_html: Message | None = None

    def count(self, depth: int) -> None:
        self.parts += 1
        if self.parts > self.limits.max_mime_parts:
            raise LimitExceeded(f"more than {self.limits.max_mime_parts} MIME parts")
        if depth > self.limits.max_nesting_depth:
            raise LimitExceeded(f"MIME parts nested deeper than {self.limits.max_nesting_depth}")

    def walk(self, part: Message, depth: int, *, in_body: bool) -> None:
        """Find the body (plain preferred, else HTML, as get_body() would) and collect attachments."""
        self.count(depth)
        ctype = part.get_content_type()
        if part.is_multipart():
            children = part.get_payload()
            if not isinstance(children, list):
                return
            if ctype == "message/rfc822":
                self.forwarded += 1
                for child in children:
                    if isinstance(child, Message):
                        self.walk(child, depth + 1, in_body=False)
                return
            for index, child in enumerate(children):
                if not isinstance(child, Message):
                    continue
                # In multipart/mixed only the first part is the body; alternatives and related parts all are.
                child_in_body = in_body and (ctype in {"multipart/alternative", "multipart/related"} or index == 0)
                self.walk(child, depth + 1, in_body=child_in_body)
            return
        if in_body and not _is_attachment(part) and ctype in {"text/plain", "text/html"}:
            if ctype == "text/plain" and self.body_plain is None:
                self.body_plain = part
            elif ctype == "text/html" and self.body_html is None:
                self.body_html = part
            return
        if ctype.startswith("multipart/") or (in_body and ctype.startswith("text/") and not _is_attachment(part)):
            return
        filename = decode_words((part.get_filename() or "")[:MAX_HEADER_CHARS])
        if not filename and not _is_attachment(part) and not ctype.startswith("application/"):
            return  # inline images and the like: not evidence of anything
        if len(self.attachments) >= self.limits.max_attachments:
            raise LimitExceeded(f"more than {self.limits.max_attachments} attachments")
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes):
            data = b""
        if len(data) > self.limits.max_attachment_bytes:
            raise LimitExceeded(f"an attachment is larger than {self.limits.max_attachment_bytes // 1_048_576} MiB")
        self.attachments.append(Attachment(filename=filename[:255], content_type=ctype, data=data))


def _date(message: Message) -> datetime | None:
    value = message.get("Date")
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(str(value))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def check_structure(raw: bytes, limits: Limits) -> None:
    """Count MIME parts from the raw bytes, before the stdlib parser builds (and recurses through) them all:
    deep nesting needs a boundary per level, many parts a delimiter line each; and the header block must end
    within its bound. Linear, and bounded."""
    head = raw[: limits.max_header_bytes]
    if len(raw) > limits.max_header_bytes and b"\n\n" not in head and b"\n\r\n" not in head:
        raise LimitExceeded(f"headers larger than {limits.max_header_bytes // 1024} KiB")
    found = [m.group(1) or m.group(2) for m in islice(_BOUNDARY.finditer(raw), limits.max_mime_parts + 1)]
    if len(found) > limits.max_mime_parts:
        raise LimitExceeded(f"more than {limits.max_mime_parts} multipart boundaries")
    boundaries = set(found)
    if not boundaries:
        return
    delimiter = re.compile(rb"^--(?:" + b"|".join(re.escape(b) for b in sorted(boundaries)) + rb")", re.MULTILINE)
    allowed = limits.max_mime_parts + len(boundaries)  # each multipart also has a closing delimiter
    if sum(1 for _ in islice(delimiter.finditer(raw), allowed + 1)) > allowed:
        raise LimitExceeded(f"more than {limits.max_mime_parts} MIME parts")


def parse_message(raw: bytes, limits: Limits | None = None) -> ParsedMessage:
    """Parse a message already within the size limit. Raises LimitExceeded for hostile structure."""
    limits = limits or Limits()
    if len(raw) > limits.max_message_bytes:
        raise LimitExceeded(f"message larger than {limits.max_message_bytes // 1_048_576} MiB")
    check_structure(raw, limits)
    message = BytesParser(policy=compat32).parsebytes(raw)

    from_values = [str(v) for v in message.get_all("From", [])]
    if any(len(v) > MAX_HEADER_CHARS for v in from_values):
        from_values = []  # not cut (that could leave one address of several): no readable sender at all
    addresses = [
        (decode_words(n[:MAX_HEADER_CHARS]), a.strip().lower()) for n, a in getaddresses(from_values) if a and "@" in a
    ]
    sender_name, sender = addresses[0] if len(addresses) == 1 else ("", "")

    walker = _Walker(limits)
    walker.walk(message, 0, in_body=True)
    notes: list[str] = []
    html_only = False
    if walker.body_plain is not None:
        text = _decode_part(walker.body_plain)
    elif walker.body_html is not None:
        html_only = True
        html = _decode_part(walker.body_html)
        if len(html) > limits.max_html_bytes:
            html = html[: limits.max_html_bytes]
            notes.append("HTML truncated")
        text = html_to_text(html, max_chars=limits.max_text_chars)
    else:
        text = ""
    if len(text) > limits.max_text_chars:
        text = text[: limits.max_text_chars]
        notes.append("text truncated")
    text = text.replace("\r\n", "\n").replace("\r", "\n")

    autoreply_markers = [
        name
        for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Reply", "X-Autogenerated", "X-AutoReply-From")
        if message.get(name) is not None
    ]
    return ParsedMessage(
        message_id=(message_ids(str(message.get("Message-ID", ""))) or [""])[0],
        sender=sender,
        sender_name=sender_name[:200],
        from_count=len(addresses),
        subject=header_text(message, "Subject")[:1000],
        date=_date(message),
        in_reply_to=message_ids(str(message.get("In-Reply-To", ""))),
        references=message_ids(str(message.get("References", ""))),
        authentication_results=[str(v)[:MAX_HEADER_CHARS] for v in message.get_all("Authentication-Results", [])][:20],
        auto_submitted=str(message.get("Auto-Submitted", "")).strip().lower()[:100],
        precedence=str(message.get("Precedence", "")).strip().lower()[:100],
        autoreply_headers=autoreply_markers,
        content_type=message.get_content_type(),
        text=text,
        html_only=html_only,
        attachments=walker.attachments,
        forwarded_messages=walker.forwarded,
        notes=notes,
    )
