"""The reminder sweep: claim the reminders due now, turn them into outbox messages, mark them sent.

One sweep claims `state = 'pending' AND due_at <= now` through the (state, due_at) index with
`FOR UPDATE SKIP LOCKED` (PostgreSQL; SQLite serialises writers), and in the same transaction queues the
messages and marks the reminders sent. So several bot processes can sweep at once and each reminder goes
out exactly once: a reminder is either still pending (nothing queued) or sent (its message queued, with an
idempotency key). The outbox dispatcher delivers the messages afterwards.

Reminders that fell due while the bot was down are still pending when it comes back: the next sweep sends
each of them once, late, and says so. A reminder whose deadline has been met, cancelled or re-dated is
cancelled instead of sent.

Reminders due in the same sweep are gathered into one message per recipient (the business unit, each
agency, the board manager, the chair), a few dozen lines at most, naming case references, rule ids,
agency ids and dates only: never personal data.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import Select, Table, select, update
from sqlalchemy.orm import Session, sessionmaker

from cases.actor import SYSTEM
from cases.board import BoardConfig
from cases.calendar import WorkingCalendar, local_date
from notify.digest import DIGEST_RUNG, digest_values, ensure_next_digest
from notify.ladder import OVERDUE, Audience, Rung, next_overdue
from notify.outbox import OutboundMessage, Outbox
from notify.reminder_plan import (
    CANCELLED,
    PENDING,
    SENT,
    DeadlineInfo,
    ReminderPlanner,
    insert_ignoring_duplicates,
    rung_row,
)
from notify.routing import Routing, Targets
from notify.templates import get_template
from storage.tables import CaseRow, DeadlineRow, ReminderRow

log = logging.getLogger("scrbot.reminders")

# Lines per message: an email can carry a long list; a Slack message stays readable (and under its limits).
LINES_PER_MESSAGE = {"email": 250, "slack": 100}

_TEMPLATES: dict[Audience, tuple[str, str | None]] = {
    Audience.BUSINESS_UNIT: ("deadline_reminders", "deadline_reminders_chat"),
    Audience.AGENCY: ("agency_chaser", None),
    Audience.MANAGER: ("escalation", "escalation_chat"),
    Audience.CHAIR: ("escalation", "escalation_chat"),
}


@dataclass(frozen=True)
class Claimed:
    """A reminder row as the sweep claimed it."""

    id: str
    key: str
    deadline_id: str | None
    rung: str
    audience: str
    act_by: date | None
    remind_on: date


_REMINDERS = cast(Table, ReminderRow.__table__)  # Core: the session's identity map stays empty
_IDS_PER_UPDATE = 500  # ids per UPDATE ... WHERE id IN (...): well under every backend's parameter limit


def _mark_sent(s: Session, sent: list[tuple[str, bool, str]], now: datetime) -> None:
    """One UPDATE ... WHERE id IN (...) per message (and late or not) rather than one per reminder."""
    by_message: dict[tuple[bool, str], list[str]] = defaultdict(list)
    for reminder_id, late, outbox_id in sent:
        by_message[(late, outbox_id)].append(reminder_id)
    for (late, outbox_id), ids in by_message.items():
        for start in range(0, len(ids), _IDS_PER_UPDATE):
            s.execute(
                update(_REMINDERS)
                .where(_REMINDERS.c.id.in_(ids[start : start + _IDS_PER_UPDATE]))
                .values(state=SENT, sent_at=now, late=late, outbox_id=outbox_id, updated_at=now)
            )


def _mark_cancelled(s: Session, cancelled: list[str], now: datetime) -> None:
    for start in range(0, len(cancelled), _IDS_PER_UPDATE):
        s.execute(
            update(_REMINDERS)
            .where(_REMINDERS.c.id.in_(cancelled[start : start + _IDS_PER_UPDATE]))
            .values(state=CANCELLED, updated_at=now)
        )


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


@dataclass
class SweepReport:
    sent: list[str] = field(default_factory=list)  # reminder ids
    late: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)  # outbox ids
    digests: int = 0

    def merge(self, other: SweepReport) -> None:
        self.sent += other.sent
        self.late += other.late
        self.cancelled += other.cancelled
        self.messages += other.messages
        self.digests += other.digests


def due_reminders(
    board_id: str, now: datetime, limit: int
) -> Select[str, str, str | None, str, str, date | None, date]:
    """The claim: pending and due, through the (state, due_at) index, skipping rows another sweep holds.

    Plain columns rather than ORM objects: a sweep may claim thousands, and the session stays light."""
    return (
        select(
            ReminderRow.id,
            ReminderRow.key,
            ReminderRow.deadline_id,
            ReminderRow.rung,
            ReminderRow.audience,
            ReminderRow.act_by,
            ReminderRow.remind_on,
        )
        .where(ReminderRow.state == PENDING, ReminderRow.due_at <= now, ReminderRow.board_id == board_id)
        .order_by(ReminderRow.due_at, ReminderRow.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )


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


class ReminderSweep:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        board: BoardConfig,
        outbox: Outbox,
        calendar: WorkingCalendar,
        routing: Routing,
        planner: ReminderPlanner,
        reply_to: str,
        batch: int = 1000,
    ) -> None:
        self.sessions = sessions
        self.reply_to = reply_to
        self.board = board
        self.outbox = outbox
        self.calendar = calendar
        self.routing = routing
        self.planner = planner
        self.batch = batch
        for template_id in {t for pair in _TEMPLATES.values() for t in pair if t} | {"weekly_digest"}:
            get_template(template_id).prepare()

    def run(self, now: datetime, *, max_batches: int = 10_000) -> SweepReport:
        """One sweep: everything due at `now`, in batches, until nothing due is left unclaimed."""
        report = SweepReport()
        with self.sessions.begin() as s:
            ensure_next_digest(s, self.board, self.calendar, now)
        for _ in range(max_batches):
            with self.sessions.begin() as s:
                batch = self._sweep_batch(s, now)
            report.merge(batch)
            if not (batch.sent or batch.cancelled or batch.digests):
                break
        if report.sent or report.cancelled or report.digests:
            log.info(
                "reminder sweep: %d sent (%d late), %d cancelled, %d digest(s), %d message(s) queued",
                len(report.sent),
                len(report.late),
                len(report.cancelled),
                report.digests,
                len(report.messages),
            )
        return report

    def catch_up(self, now: datetime) -> int:
        """Re-plan deadlines changed without a domain event (see notify/reminder_plan.py)."""
        with self.sessions.begin() as s:
            return self.planner.catch_up(s, now=now)

    # --- one batch -----------------------------------------------------------------------------------

    def _claim(self, s: Session, now: datetime) -> list[Claimed]:
        return [Claimed(*row) for row in s.execute(due_reminders(self.board.id, now, self.batch))]

    def _deadlines(self, s: Session, ids: list[str]) -> dict[str, tuple[DeadlineInfo, str, date]]:
        found: dict[str, tuple[DeadlineInfo, str, date]] = {}
        if not ids:
            return found
        for row in s.execute(
            select(
                DeadlineRow.id,
                DeadlineRow.case_id,
                CaseRow.reference,
                DeadlineRow.rule_id,
                DeadlineRow.agency_id,
                DeadlineRow.per_agency,
                DeadlineRow.minimum_period,
                DeadlineRow.state,
                DeadlineRow.act_by,
                DeadlineRow.action,
                DeadlineRow.due,
            )
            .join(CaseRow, CaseRow.id == DeadlineRow.case_id)
            .where(DeadlineRow.id.in_(ids))
        ):
            found[row[0]] = (DeadlineInfo(*row[:9]), row[9], row[10])
        return found

    def _sweep_batch(self, s: Session, now: datetime) -> SweepReport:
        report = SweepReport()
        claimed = self._claim(s, now)
        if not claimed:
            return report
        today = local_date(now)
        deadlines = self._deadlines(s, sorted({r.deadline_id for r in claimed if r.deadline_id}))
        # Several rungs of one deadline for one audience due in the same sweep (after downtime, say) make
        # one line that says what was missed, not one line each.
        due: dict[tuple[str, Audience], list[Claimed]] = defaultdict(list)
        for row in claimed:
            if row.rung == DIGEST_RUNG:
                continue
            found = deadlines.get(row.deadline_id or "")
            if found is None or not found[0].remindable or found[0].act_by != row.act_by:
                report.cancelled.append(row.id)
                continue
            due[(found[0].id, Audience(row.audience))].append(row)
        groups: dict[tuple[Audience, str], list[ReminderLine]] = defaultdict(list)
        for (deadline_id, audience), rows in due.items():
            info, action, due_date = deadlines[deadline_id]
            rows.sort(key=lambda r: (r.remind_on, r.rung))
            line = ReminderLine(
                reminder_ids=tuple(r.id for r in rows),
                case_id=info.case_id,
                case_ref=info.case_ref,
                rule=info.rule_id,
                agency=info.agency_id,
                action=action,
                due=due_date,
                act_by=info.act_by,
                status=status_text(today, info.act_by, self.calendar),
                rung=rows[-1].rung,
                remind_on=rows[0].remind_on,
                late=today > rows[0].remind_on,
            )
            groups[(audience, info.agency_id if audience is Audience.AGENCY else "")].append(line)
        # Every message of the batch is rendered first and then stored with one insert and one run of audit
        # entries (Outbox.enqueue_many), rather than a lookup, an insert and an anchor update each.
        messages: list[OutboundMessage] = []
        placed: list[tuple[ReminderLine, int]] = []
        for (audience, agency_id), lines in sorted(groups.items(), key=lambda g: (g[0][0].value, g[0][1])):
            lines.sort(key=lambda line: (line.act_by, line.case_ref, line.rule, line.agency))
            for line, message in self._messages(audience, agency_id, lines, now):
                if not messages or messages[-1] is not message:
                    messages.append(message)
                placed.append((line, len(messages) - 1))
        message_ids = self.outbox.enqueue_many(messages, now=now, actor=SYSTEM, session=s)
        outbox_ids: dict[str, str] = {}
        for line, index in placed:
            for reminder_id in line.reminder_ids:
                outbox_ids.setdefault(reminder_id, message_ids[index])
        report.messages = list(dict.fromkeys(message_ids))
        sent: list[tuple[str, bool, str]] = []  # reminder id, late, outbox id
        for digest in (r for r in claimed if r.rung == DIGEST_RUNG):
            queued = self._queue_digest(s, digest, now)
            report.messages += queued
            sent.append((digest.id, today > digest.remind_on, queued[0] if queued else ""))
            report.digests += 1
        for rows in due.values():
            for row in rows:
                sent.append((row.id, today > row.remind_on, outbox_ids.get(row.id, "")))
                report.sent.append(row.id)
                if today > row.remind_on:
                    report.late.append(row.id)
        _mark_sent(s, sent, now)
        _mark_cancelled(s, report.cancelled, now)
        self._plan_next_overdue(s, due, deadlines, now)
        return report

    def _plan_next_overdue(
        self,
        s: Session,
        due: dict[tuple[str, Audience], list[Claimed]],
        deadlines: dict[str, tuple[DeadlineInfo, str, date]],
        now: datetime,
    ) -> None:
        """Each overdue reminder sent plans the next one. One sent late stands for the days missed with it
        (it gives the deadline's status today), so the next one is the first still to come."""
        today = local_date(now)
        settings = self.board.reminders
        new_rows = []
        for (deadline_id, audience), rows in due.items():
            overdue = [r for r in rows if r.rung.startswith(OVERDUE)]
            if not overdue:
                continue
            info = deadlines[deadline_id][0]
            last = max(overdue, key=lambda r: int(r.rung.removeprefix(OVERDUE)))
            following = next_overdue(Rung(last.rung, audience, last.remind_on), info.act_by, settings, self.calendar)
            while following is not None and following.day <= today:
                following = next_overdue(following, info.act_by, settings, self.calendar)
            if following is not None:
                new_rows.append(rung_row(self.board.id, info, following, now=now, send_time=settings.send_time))
        insert_ignoring_duplicates(s, new_rows)

    # --- messages ------------------------------------------------------------------------------------

    def _targets(self, audience: Audience, agency_id: str) -> Targets:
        if audience is Audience.AGENCY:
            return self.routing.agency(agency_id)
        if audience is Audience.BUSINESS_UNIT:
            return self.routing.business_unit()
        targets = self.routing.escalation(audience)
        if targets.emails or targets.chat:
            return targets
        # Nobody holds the role in the config: the business unit hears instead, rather than no one.
        fallback = self.routing.business_unit()
        return Targets(fallback.emails, fallback.chat, f"{audience.value}->business_unit")

    def _messages(
        self, audience: Audience, agency_id: str, lines: list[ReminderLine], now: datetime
    ) -> list[tuple[ReminderLine, OutboundMessage]]:
        """The messages for one audience, by email and by chat, of a few dozen lines at most; returns each
        line with the message it goes in."""
        targets = self._targets(audience, agency_id)
        email_template, chat_template = _TEMPLATES[audience]
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
        if audience in (Audience.MANAGER, Audience.CHAIR):
            values["escalated_to"] = "the board manager" if audience is Audience.MANAGER else "the chair"
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

    def _queue_digest(self, s: Session, row: Claimed, now: datetime) -> list[str]:
        targets = self.routing.business_unit()
        if not targets.emails:
            log.warning("weekly digest: no business unit email address in the board config")
            return []
        values = digest_values(s, self.board, self.calendar, now)
        return [
            self.outbox.enqueue(
                OutboundMessage(
                    kind="weekly_digest",
                    template_id="weekly_digest",
                    values=values,
                    recipients=list(targets.emails),
                    recipient_summary=targets.summary,
                    idempotency_key=f"digest:{row.key}",
                ),
                now=now,
                actor=SYSTEM,
                session=s,
            )
        ]
