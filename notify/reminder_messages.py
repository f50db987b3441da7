"""The messages a reminder sweep sends: reminders due together gathered into one message per recipient (the
business unit, each agency, the board manager, the chair), by email and by chat, a few dozen lines at most.
They name case references, rule ids, agency ids and dates only: never personal data."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from cases.board import BoardConfig
from cases.calendar import WorkingCalendar, local_date
from notify.ladder import Audience
from notify.outbox import OutboundMessage
from notify.routing import Routing, Targets

log = logging.getLogger("scrbot.reminders")

# Lines per message: an email can carry a long list; a Slack message stays readable (and under its limits).
LINES_PER_MESSAGE = {"email": 250, "slack": 100}

TEMPLATES: dict[Audience, tuple[str, str | None]] = {
    Audience.BUSINESS_UNIT: ("deadline_reminders", "deadline_reminders_chat"),
    Audience.AGENCY: ("agency_chaser", None),
    Audience.MANAGER: ("escalation", "escalation_chat"),
    Audience.CHAIR: ("escalation", "escalation_chat"),
    Audience.AGENCY_BOARD_MEMBER: ("escalation", None),
}


_ESCALATED_TO = {
    Audience.MANAGER: "the board manager",
    Audience.CHAIR: "the chair",
    Audience.AGENCY_BOARD_MEMBER: "the agency's board member",
}


@dataclass(frozen=True)
class ReminderLine:
    """One reminder as it appears in a message (the templates read its attributes): ids and dates only."""

    reminder_ids: tuple[str, ...]  # the rungs this line stands for (one, or several missed ones)
    case_id: str
    case_ref: str
    rule: str
    agency: str
    action: str
    due: date
    act_by: date
    status: str
    rung: str
    remind_on: date
    late: bool


@lru_cache(maxsize=4096)
def status_text(today: date, act_by: date, calendar: WorkingCalendar) -> str:
    if today < act_by:
        n = calendar.working_days_between(today, act_by)
        return "due today" if n == 0 else f"due in {n} working day{'s' if n != 1 else ''}"
    if today == act_by:
        return "due today"
    n = calendar.working_days_between(act_by, today)
    return "overdue" if n == 0 else f"overdue by {n} working day{'s' if n != 1 else ''}"


def _key(*parts: str) -> str:
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]
    return f"reminders:{parts[0]}:{digest}"


@dataclass(frozen=True)
class ReminderMessages:
    board: BoardConfig
    routing: Routing
    reply_to: str

    def targets(self, audience: Audience, agency_id: str) -> Targets:
        if audience is Audience.AGENCY:
            return self.routing.agency(agency_id)
        if audience is Audience.AGENCY_BOARD_MEMBER:
            return self.routing.agency_board_member(agency_id)
        if audience is Audience.BUSINESS_UNIT:
            return self.routing.business_unit()
        targets = self.routing.escalation(audience)
        if targets.emails or targets.chat:
            return targets
        # Nobody holds the role in the config: the business unit hears instead, rather than no one.
        fallback = self.routing.business_unit()
        return Targets(fallback.emails, fallback.chat, f"{audience.value}->business_unit")

    def messages(
        self, audience: Audience, agency_id: str, lines: list[ReminderLine], now: datetime
    ) -> list[tuple[ReminderLine, OutboundMessage]]:
        """The messages for one audience, by email and by chat, of a few dozen lines at most; returns each
        line with the message it goes in."""
        targets = self.targets(audience, agency_id)
        email_template, chat_template = TEMPLATES[audience]
        placed: list[tuple[ReminderLine, OutboundMessage]] = []
        for channel, template_id, recipients in (
            ("email", email_template, targets.emails),
            ("slack", chat_template, targets.chat),
        ):
            if template_id is None or not recipients:
                continue
            size = LINES_PER_MESSAGE[channel]
            for start in range(0, len(lines), size):
                chunk = lines[start : start + size]
                message = self._message(audience, agency_id, channel, template_id, targets, chunk, now)
                placed += [(line, message) for line in chunk]
        if not placed:
            log.warning("no one to send %d %s reminder(s) to; check the board config", len(lines), audience.value)
        return placed

    def _message(
        self,
        audience: Audience,
        agency_id: str,
        channel: str,
        template_id: str,
        targets: Targets,
        lines: list[ReminderLine],
        now: datetime,
    ) -> OutboundMessage:
        cases = sorted({line.case_ref for line in lines})
        case_ids = sorted({line.case_id for line in lines})
        ids = sorted(i for line in lines for i in line.reminder_ids)
        values: dict[str, Any] = {
            "board_name": self.board.name,
            # The lines themselves, not dicts: Jinja2 tries attributes first, so objects render in about half
            # the time (a 09:00 sweep renders thousands of lines).
            "reminders": lines,
            "count": len(lines),
            "late_count": sum(1 for line in lines if line.late),
            "today": local_date(now),
        }
        if audience is Audience.AGENCY:
            values["agency_name"] = self._agency_name(agency_id)
            values["contact_email"] = self.board.notifications.contact_email or self.reply_to
        if audience in (Audience.MANAGER, Audience.CHAIR, Audience.AGENCY_BOARD_MEMBER):
            values["escalated_to"] = _ESCALATED_TO[audience]
        return OutboundMessage(
            kind="reminder" if audience in (Audience.BUSINESS_UNIT, Audience.AGENCY) else "escalation",
            template_id=template_id,
            values=values,
            recipients=list(targets.emails if channel == "email" else targets.chat),
            recipient_summary=targets.summary,
            idempotency_key=_key(audience.value, agency_id, channel, *ids),
            case_id=case_ids[0] if len(case_ids) == 1 else None,
            case_ref=cases[0] if len(cases) == 1 else "",
        )

    def _agency_name(self, agency_id: str) -> str:
        try:
            return self.board.agency(agency_id).name
        except KeyError:
            return agency_id
