"""The notifications feature, assembled: listeners on the case store, the reminder sweep, and the periodic
jobs `scrbot run` ticks. `bot/context.py` builds one of these; tests build their own on a real store."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from notify.board_sweeps import sweep_boards
from notify.calendar_feed import build_ics, write_atomically
from notify.dispatch import Dispatcher, DispatchReport
from notify.outbox import Outbox
from notify.reminder_planner import ReminderPlanner
from notify.reminders import ReminderSweep, SweepReport
from notify.routing import Routing
from notify.scheduler import JobRegistry
from notify.statutory import StatutoryDrafts
from storage.store import Store

SWEEP_EVERY = timedelta(minutes=1)
DISPATCH_EVERY = timedelta(seconds=15)
CATCH_UP_EVERY = timedelta(hours=1)
CALENDAR_EVERY = timedelta(minutes=10)


@dataclass
class NotifyService:
    store: Store
    outbox: Outbox
    reply_to: str
    # Local mode: where chat messages go when the board config names no Slack channel or user.
    console_target: str = ""
    routing: Routing = field(init=False)
    planner: ReminderPlanner = field(init=False)
    drafts: StatutoryDrafts = field(init=False)
    sweep: ReminderSweep = field(init=False)

    def __post_init__(self) -> None:
        board = self.store.board
        self.routing = Routing(board, console_target=self.console_target)
        self.planner = ReminderPlanner(board, self.store.calendar)
        self.drafts = StatutoryDrafts(self.outbox, self.store.cases, self.routing, reply_to=self.reply_to)
        self.sweep = ReminderSweep(
            self.store.sessions,
            board=board,
            outbox=self.outbox,
            calendar=self.store.calendar,
            routing=self.routing,
            planner=self.planner,
            reply_to=self.reply_to,
            pack=self.store.pack,
        )

    def subscribe(self) -> None:
        """Draft notifications and plan reminders in the transaction of every case change."""
        self.store.cases.subscribe(self.drafts)
        self.store.cases.subscribe(self.planner)

    def run_reminders(self, now: datetime) -> SweepReport:
        self.sweep.catch_up(now)
        return self.sweep_once(now)

    def sweep_once(self, now: datetime) -> SweepReport:
        """This board's reminders due at `now`, through the same pass as a deployment of many boards
        (notify/board_sweeps.py): one path, whatever the number of boards."""
        return sweep_boards([self.sweep], now).get(self.store.board.id) or SweepReport()

    def calendar_text(self, now: datetime) -> str:
        with self.store.sessions() as s:
            deadlines = self.store.cases.reads.open_deadlines(s)
        return build_ics(deadlines, board_id=self.store.board.id, board_name=self.store.board.name, now=now)

    def write_calendar(self, path: Path, now: datetime) -> int:
        text = self.calendar_text(now)
        write_atomically(path, text)
        return text.count("BEGIN:VEVENT")

    def register_jobs(self, registry: JobRegistry, *, dispatcher: Dispatcher, calendar_path: Path | None) -> None:
        registry.add("reminders", SWEEP_EVERY, self.sweep_once)
        registry.add("reminder_catch_up", CATCH_UP_EVERY, self.sweep.catch_up)
        registry.add("outbox", DISPATCH_EVERY, lambda now: dispatch_all(dispatcher, now))
        if calendar_path is not None:
            path = calendar_path
            registry.add("calendar", CALENDAR_EVERY, lambda now: self.write_calendar(path, now))


def dispatch_all(dispatcher: Dispatcher, now: datetime, *, rounds: int = 100) -> DispatchReport:
    """Send everything due now (the dispatcher claims 100 at a time)."""
    total = DispatchReport()
    for _ in range(rounds):
        report = dispatcher.dispatch_due(now)
        total.sent += report.sent
        total.failed += report.failed
        total.held += report.held
        if not report.sent and not report.failed and not report.held:
            break
    return total
