"""Every open deadline as an iCalendar feed (RFC 5545) the business unit can subscribe to.

One all-day event per open deadline, on its `act_by` date, with a stable UID per deadline so a calendar
updates the event when the date moves. The event text is the case reference, rule id and action, agency id
and dates only: no personal data. Written with the standard library: CRLF line ends, lines folded at 75
octets, TEXT values escaped.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from storage.case_reads import OpenDeadline

PRODID = "-//SCR Bot//Deadlines//EN"


# One open deadline of an open case, as the case repository reads it (storage/case_reads.py).
CalendarDeadline = OpenDeadline


def escape_text(value: str) -> str:
    """RFC 5545 §3.3.11: backslash, semicolon, comma and newlines are escaped in TEXT values."""
    return (
        value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """RFC 5545 §3.1: lines longer than 75 octets are folded (CRLF then a space), never inside a character."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    parts: list[str] = []
    current = ""
    limit = 75
    for char in line:
        if len((current + char).encode("utf-8")) > limit:
            parts.append(current)
            current = char
            limit = 74  # continuation lines start with a space
        else:
            current += char
    parts.append(current)
    return "\r\n ".join(parts)


def _date(value: date) -> str:
    return value.strftime("%Y%m%d")


def build_ics(deadlines: Iterable[CalendarDeadline], *, board_id: str, board_name: str, now: datetime) -> str:
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(board_name + ': SCR deadlines')}",
    ]
    for d in deadlines:
        summary = f"{d.case_ref}: {d.rule}" + (f" ({d.agency})" if d.agency else "")
        if d.occurrence > 1:
            summary += f" #{d.occurrence}"
        description = (
            f"{d.action}. Due {d.due.isoformat()}, act by {d.act_by.isoformat()} ({d.limit}). Source: {d.source}."
        )
        lines += [
            "BEGIN:VEVENT",
            f"UID:{d.id}@{board_id}.scrbot",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{_date(d.act_by)}",
            f"DTEND;VALUE=DATE:{_date(d.act_by + timedelta(days=1))}",
            f"SUMMARY:{escape_text(summary)}",
            f"DESCRIPTION:{escape_text(description)}",
            f"CATEGORIES:{escape_text(d.rule)}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


def write_atomically(path: Path, text: str) -> None:
    """Subscribers never read a half-written file: write beside it, then rename over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    with open(tmp, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def unfold(text: str) -> list[str]:
    """The logical lines of an iCalendar text (for tests and readers)."""
    return text.replace("\r\n ", "").split("\r\n")[:-1]
