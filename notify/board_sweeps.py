"""The reminder pass: one claim over every board of a deployment (issue 15 §2), and the one path a lone
board's reminders take too.

Each board first makes sure of its next digest's row (a transaction once a week, notify/reminders.py
`ensure_digest`). Then the reminders due over every board are claimed at once, in batches of whole
recipients (storage/reminder_claims.py: a board's audience at a time, held on PostgreSQL by an advisory
transaction lock and its rows by `FOR UPDATE SKIP LOCKED`, so two processes never claim the same row and
never share one recipient's reminders, each recipient getting one message a sweep; SQLite lets one writer in
at a time). The claim is split by each row's own board id and each
board's share goes to that board's own sweep (`ReminderSweep.sweep_claimed`): its rules, templates and
routing, its outbox sealed with its own key ring, its own audit chain. A message never mixes boards.

All of one batch commits together: a reminder is either still pending (nothing queued) or sent with its
message queued, whoever crashes when. The deadlines the batch needs are read, and its reminder rows written
(sent, cancelled, the next overdue rungs), once for every board rather than a statement a board; each row
names its board id. Should any board fail, the batch is undone and run again with each board's share in a
savepoint of its own, so the board that fails is rolled back alone (its reminders stay pending for the next
pass), logged by board id and error type (never content), and stops no other. Boards are handled in board id
order in every process, so two processes waiting on each other's audit anchors queue rather than deadlock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import partial
from typing import TypeVar

from sqlalchemy.orm import Session

from cases.actor import SYSTEM
from notify.reminders import ReminderSweep, SweepReport
from storage.audit import append_for_boards
from storage.outbox_pass import ids_for_keys_of, insert_rows
from storage.reminder_claims import RecipientClaims
from storage.reminders import Claimed, RowChanges, deadline_details

log = logging.getLogger("scrbot.reminders")
T = TypeVar("T")


def sweep_boards(
    sweeps: Sequence[ReminderSweep], now: datetime, *, max_batches: int = 10_000
) -> dict[str, SweepReport]:
    """Everything due at `now` over these boards, in batches of the smallest sweep's `batch`; the reports of
    the boards that had something due, by board id. Sweeps sharing a database share one claim."""
    for sweep in sweeps:  # the digest's row first: due now, it is claimed in this pass
        _safely(sweep, "digest", partial(sweep.ensure_digest, now))
    reports: dict[str, SweepReport] = {}
    for group in _by_database(sweeps):
        _sweep_group(group, now, max_batches, reports)
    for board_id, report in reports.items():
        log.info(
            "board %s: reminder sweep: %d sent (%d late), %d cancelled, %d digest(s), %d message(s) queued",
            board_id,
            len(report.sent),
            len(report.late),
            len(report.cancelled),
            report.digests,
            len(report.messages),
        )
    return reports


def _sweep_group(sweeps: list[ReminderSweep], now: datetime, max_batches: int, reports: dict[str, SweepReport]) -> None:
    by_board = {sweep.board.id: sweep for sweep in sweeps}
    batch = min(sweep.batch for sweep in sweeps)
    failed: set[str] = set()  # a failing board's reminders stay pending; this pass does not claim them again
    claims = RecipientClaims()
    for _ in range(max_batches):
        boards = sorted(set(by_board) - failed)
        if not boards:
            return
        try:
            with sweeps[0].sessions.begin() as s:
                more, done = _batch(s, claims, by_board, boards, now, batch)
        except Exception:  # noqa: BLE001 - a board failed and undid the batch: again, each board on its own
            claims.undo()
            with sweeps[0].sessions.begin() as s:
                more, done = _batch_board_by_board(s, claims, by_board, boards, now, batch, failed)
        for board_id, report in done.items():
            reports.setdefault(board_id, SweepReport()).merge(report)
        if not more:
            return  # every recipient with something due is claimed, or held by another process


def _batch(
    s: Session,
    claims: RecipientClaims,
    by_board: dict[str, ReminderSweep],
    boards: list[str],
    now: datetime,
    batch: int,
) -> tuple[bool, dict[str, SweepReport]]:
    """One batch, every board's share in one go: the deadlines read, the outbox keys looked up, the messages
    stored, the audit entries appended and the reminder rows written for every board at once (a statement or
    two each, not a few a board). Any board's failure raises, undoing the batch. Returns whether recipients
    are left for another batch."""
    claimed, more = claims.claim(s, boards, now, limit=batch)
    deadlines = deadline_details(
        s, {b: sorted({r.deadline_id for r in rows if r.deadline_id}) for b, rows in claimed.items()}
    )
    plans = {b: by_board[b].plan(s, claimed[b], now, deadlines=deadlines.get(b, {})) for b in sorted(claimed)}
    existing = ids_for_keys_of(s, {b: [m.idempotency_key for m in plan.messages] for b, plan in plans.items()})
    # Each board's messages rendered by its own templates and sealed with its own keys; stored together.
    queued = {
        b: by_board[b].outbox.queue_rows(plan.messages, now=now, actor=SYSTEM, existing=existing.get(b, {}))
        for b, plan in plans.items()
    }
    insert_rows(s, [row for q in queued.values() for row in q.rows])
    append_for_boards(s, [(q.audit, q.records) for q in queued.values()])
    done: dict[str, SweepReport] = {}
    changes = RowChanges()
    for b, plan in plans.items():
        done[b], board_changes = by_board[b].finish(plan, queued[b].ids, now)
        changes.extend(board_changes)
    changes.write(s)
    return more, done


def _batch_board_by_board(
    s: Session,
    claims: RecipientClaims,
    by_board: dict[str, ReminderSweep],
    boards: list[str],
    now: datetime,
    batch: int,
    failed: set[str],
) -> tuple[bool, dict[str, SweepReport]]:
    """The batch again after a failure, each board's share in a savepoint of its own: a board that fails is
    rolled back alone, logged by board id and error type, and left out of the rest of this pass."""
    claimed, more = claims.claim(s, boards, now, limit=batch)
    done: dict[str, SweepReport] = {}
    for board_id in sorted(claimed):
        sweep = by_board[board_id]
        report = _safely(sweep, "reminder sweep", partial(_in_savepoint, s, sweep, claimed[board_id], now))
        if report is None:
            failed.add(board_id)
        else:
            done[board_id] = report
    return more, done


def _in_savepoint(s: Session, sweep: ReminderSweep, claimed: Sequence[Claimed], now: datetime) -> SweepReport:
    with s.begin_nested():
        report, changes = sweep.sweep_claimed(s, claimed, now)
        changes.write(s)
        return report


def _by_database(sweeps: Sequence[ReminderSweep]) -> list[list[ReminderSweep]]:
    """The sweeps by the database they use (one, in a deployment), in the order first seen."""
    groups: dict[int, list[ReminderSweep]] = {}
    for sweep in sweeps:
        groups.setdefault(id(sweep.sessions.kw.get("bind")), []).append(sweep)
    return list(groups.values())


def _safely(sweep: ReminderSweep, what: str, run: Callable[[], T]) -> T | None:
    try:
        return run()
    except Exception as exc:  # noqa: BLE001 - one board's failure must not stop the other boards' reminders
        log.error("board %s: %s failed: %s", sweep.board.id, what, type(exc).__name__)
        return None
