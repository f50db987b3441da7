"""Every open deadline as an iCalendar feed (RFC 5545) the business unit can subscribe to.

One all-day event per open deadline, on its `act_by` date, with a stable UID per deadline so a calendar
updates the event when the date moves. The event text is the case reference, rule id and action, agency id
and dates only: no personal data. Written with `icalendar` (CRLF line ends, lines folded at 75 octets, TEXT
values escaped).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.case import DeadlineState
from cases.events import CaseStatus
from storage.tables import CaseRow, DeadlineRow

PRODID = "-//SCR Bot//Deadlines//EN"


@dataclass(frozen=True)
class CalendarDeadline:
    id: str
    case_ref: str
    rule: str
    agency: str
    action: str
    due: date
    act_by: date
    limit: str
    source: str
    occurrence: int = 1


def build_ics(deadlines: Iterable[CalendarDeadline], *, board_id: str, board_name: str, now: datetime) -> str:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"{board_name}: SCR deadlines")
    stamp = now.astimezone(UTC)
    for d in deadlines:
        summary = f"{d.case_ref}: {d.rule}" + (f" ({d.agency})" if d.agency else "")
        if d.occurrence > 1:
            summary += f" #{d.occurrence}"
        event = Event()
        event.add("uid", f"{d.id}@{board_id}.scrbot")
        event.add("dtstamp", stamp)
        event.add("dtstart", d.act_by)  # an all-day event: a date, not a date-time
        event.add("dtend", d.act_by + timedelta(days=1))
        event.add("summary", summary)
        event.add(
            "description",
            f"{d.action}. Due {d.due.isoformat()}, act by {d.act_by.isoformat()} ({d.limit}). Source: {d.source}.",
        )
        event.add("categories", [d.rule])
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    ical: bytes = calendar.to_ical()
    return ical.decode("utf-8")


def open_deadlines(s: Session, board_id: str) -> list[CalendarDeadline]:
    rows = s.execute(
        select(
            DeadlineRow.id,
            CaseRow.reference,
            DeadlineRow.rule_id,
            DeadlineRow.agency_id,
            DeadlineRow.action,
            DeadlineRow.due,
            DeadlineRow.act_by,
            DeadlineRow.limit_text,
            DeadlineRow.source,
            DeadlineRow.occurrence,
        )
        .join(CaseRow, CaseRow.id == DeadlineRow.case_id)
        .where(
            CaseRow.board_id == board_id,
            CaseRow.status != CaseStatus.CLOSED.value,
            DeadlineRow.state == DeadlineState.OPEN.value,
        )
        .order_by(DeadlineRow.act_by, CaseRow.reference, DeadlineRow.rule_id, DeadlineRow.agency_id)
    )
    return [
        CalendarDeadline(
            id=r[0],
            case_ref=r[1],
            rule=r[2],
            agency=r[3],
            action=r[4],
            due=r[5],
            act_by=r[6],
            limit=r[7],
            source=r[8],
            occurrence=r[9],
        )
        for r in rows
    ]


def write_atomically(path: Path, text: str) -> None:
    """Subscribers never read a half-written file: write beside it, then rename over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    with open(tmp, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
