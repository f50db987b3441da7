"""A board's reminder sweep: its share of the reminders claimed due now made into outbox messages.

The claim is over every board at once, a whole recipient at a time (notify/board_sweeps.py,
storage/reminder_claims.py: `state = 'pending' AND due_at <= now` through the partial index of pending rows, an
advisory lock a recipient and `FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite serialises writers), and in the
same transaction each board queues its messages and marks its reminders sent. So several bot processes can sweep
at once and each reminder goes out exactly once: a reminder is either still pending (nothing queued) or sent
(its message queued, with an idempotency key). The outbox dispatcher delivers the messages afterwards.

Reminders that fell due while the bot was down are still pending when it comes back: the next sweep sends
each of them once, late, and says so. A reminder whose deadline has been met, cancelled or re-dated is
cancelled instead of sent.

Reminders due in the same sweep are gathered into one message per recipient (the business unit, each
agency, the board manager, the chair), a few dozen lines at most, naming case references, rule ids,
agency ids and dates only: never personal data.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.orm import Session, sessionmaker

from cases.actor import SYSTEM
from cases.board import BoardConfig
from cases.calendar import WorkingCalendar, local_date
from cases.rules import RulesPack
from notify.digest import DIGEST_RUNG, Digest
from notify.ladder import Audience, Rung
from notify.outbox import OutboundMessage, Outbox
from notify.reminder_messages import TEMPLATES, ReminderLine, ReminderMessages, status_text
from notify.reminder_plan import following_overdue, latest_overdue, rung_reminder
from notify.reminder_planner import ReminderPlanner
from notify.routing import Routing
from notify.templates import get_template
from storage.reminders import Claimed, DeadlineInfo, NewReminder, ReminderRows, RowChanges

__all__ = ["ReminderLine", "ReminderSweep", "SweepReport", "status_text"]

log = logging.getLogger("scrbot.reminders")


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


@dataclass
class Plan:
    """One board's share of a claim, made into messages not yet queued (`ReminderSweep.plan`)."""

    report: SweepReport = field(default_factory=SweepReport)
    due: dict[tuple[str, Audience], list[Claimed]] = field(default_factory=lambda: defaultdict(list))
    deadlines: dict[str, DeadlineInfo] = field(default_factory=dict)
    messages: list[OutboundMessage] = field(default_factory=list)
    placed: list[tuple[ReminderLine, int]] = field(default_factory=list)  # each line and its message's index
    sent: list[tuple[str, bool, str]] = field(default_factory=list)  # the digest: reminder id, late, outbox id


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
        pack: RulesPack | None = None,
    ) -> None:
        self.sessions = sessions
        self.reply_to = reply_to
        self.board = board
        self.outbox = outbox
        self.calendar = calendar
        self.routing = routing
        self.planner = planner
        self.batch = batch
        self.rows = ReminderRows(board.id)
        self.compose = ReminderMessages(board, routing, reply_to)
        self.digest = Digest(board, calendar, outbox, routing, pack)
        self._digest_ensured: str | None = None  # the key of the digest row this sweep knows exists
        for template_id in {t for pair in TEMPLATES.values() for t in pair if t} | {"weekly_digest"}:
            get_template(template_id).prepare()

    def ensure_digest(self, now: datetime) -> None:
        """Make sure the next digest's row exists; a transaction only when the next digest is not the one this
        sweep made sure of last (once a week): the row, once there, stays (one row per ISO week, never
        deleted: it has no case to be purged with)."""
        key = self.digest.next_key(now)
        if key == self._digest_ensured:
            return
        with self.sessions.begin() as s:
            self.digest.ensure_next(s, now)
        self._digest_ensured = key

    def catch_up(self, now: datetime) -> int:
        """Re-plan deadlines changed without a domain event (see notify/reminder_planner.py)."""
        with self.sessions.begin() as s:
            return self.planner.catch_up(s, now=now)

    # --- one batch -----------------------------------------------------------------------------------

    def sweep_claimed(
        self,
        s: Session,
        claimed: Sequence[Claimed],
        now: datetime,
        *,
        deadlines: Mapping[str, tuple[DeadlineInfo, str, date]] | None = None,
    ) -> tuple[SweepReport, RowChanges]:
        """This board's share of a claim on its own: `plan`, its messages queued through its own outbox, then
        `finish`. (A pass over many boards queues every board's messages at once, notify/board_sweeps.py.)"""
        plan = self.plan(s, claimed, now, deadlines=deadlines)
        return self.finish(plan, self.outbox.enqueue_many(plan.messages, now=now, actor=SYSTEM, session=s), now)

    def plan(
        self,
        s: Session,
        claimed: Sequence[Claimed],
        now: datetime,
        *,
        deadlines: Mapping[str, tuple[DeadlineInfo, str, date]] | None = None,
    ) -> Plan:
        """This board's share of a claim (notify/board_sweeps.py claims for every board at once), made into
        its messages (its own rules, templates and routing); the weekly digest queued. `claimed` are this
        board's rows only; `deadlines` their deadlines, read under this board (read here when not given)."""
        plan = Plan()
        if not claimed:
            return plan
        report = plan.report
        today = local_date(now)
        if deadlines is None:
            deadlines = self.rows.deadline_details(s, sorted({r.deadline_id for r in claimed if r.deadline_id}))
        plan.deadlines = {k: v[0] for k, v in deadlines.items()}
        # Several rungs of one deadline for one audience due in the same sweep (after downtime, say) make
        # one line that says what was missed, not one line each.
        due = plan.due
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
            own = audience in (Audience.AGENCY, Audience.AGENCY_BOARD_MEMBER)  # an agency hears of its own only
            groups[(audience, info.agency_id if own else "")].append(line)
        # Every message is made first and then stored with one insert and one run of audit entries (with every
        # other board's in a pass), rather than a lookup, an insert and an anchor update each.
        messages, placed = plan.messages, plan.placed
        for (audience, agency_id), lines in sorted(groups.items(), key=lambda g: (g[0][0].value, g[0][1])):
            lines.sort(key=lambda line: (line.act_by, line.case_ref, line.rule, line.agency))
            for line, message in self.compose.messages(audience, agency_id, lines, now):
                if not messages or messages[-1] is not message:
                    messages.append(message)
                placed.append((line, len(messages) - 1))
        for digest in (r for r in claimed if r.rung == DIGEST_RUNG):
            queued = self.digest.queue(s, digest.key, now)
            report.messages += queued
            plan.sent.append((digest.id, today > digest.remind_on, queued[0] if queued else ""))
            report.digests += 1
        return plan

    def finish(self, plan: Plan, message_ids: Sequence[str], now: datetime) -> tuple[SweepReport, RowChanges]:
        """Once the plan's messages are queued (`message_ids`, in order): the report, and the changes to this
        board's reminder rows (sent with the message each went in, cancelled, the next overdue rungs)."""
        report = plan.report
        today = local_date(now)
        outbox_ids: dict[str, str] = {}
        for line, index in plan.placed:
            for reminder_id in line.reminder_ids:
                outbox_ids.setdefault(reminder_id, message_ids[index])
        report.messages = list(dict.fromkeys(message_ids)) + report.messages
        sent = plan.sent  # reminder id, late, outbox id
        for rows in plan.due.values():
            for row in rows:
                sent.append((row.id, today > row.remind_on, outbox_ids.get(row.id, "")))
                report.sent.append(row.id)
                if today > row.remind_on:
                    report.late.append(row.id)
        following = self._next_overdue(plan.due, plan.deadlines, now)
        return report, self.rows.changes(sent, report.cancelled, following, now=now)

    def _next_overdue(
        self,
        due: dict[tuple[str, Audience], list[Claimed]],
        deadlines: dict[str, DeadlineInfo],
        now: datetime,
    ) -> list[NewReminder]:
        """Each overdue reminder sent plans the next one (see reminder_plan.following_overdue)."""
        today = local_date(now)
        settings = self.board.reminders
        new_rows: list[NewReminder] = []
        for (deadline_id, audience), rows in due.items():
            last = latest_overdue([r.rung for r in rows])
            if last is None:
                continue
            info = deadlines[deadline_id]
            remind_on = next(r.remind_on for r in rows if r.rung == last)
            following = following_overdue(Rung(last, audience, remind_on), info.act_by, today, settings, self.calendar)
            if following is not None:
                new_rows.append(rung_reminder(info, following, settings.send_time))
        return new_rows
