"""One reminder pass over every board of a deployment (issue 15 §2).

A sweep a board opens a claim transaction whether or not the board has anything due; over 150 boards that is
most of the 09:00 pass. Here each board first makes sure of its next digest's row (a transaction once a week,
notify/reminders.py `ensure_digest`), then one statement asks which boards have a reminder pending and due
(storage/reminders.py `boards_with_due`), and only those boards sweep. Each board's claim is unchanged
(`FOR UPDATE SKIP LOCKED`), so each reminder still goes out exactly once across processes; a reminder that
falls due after the question is asked is sent by the next pass, as it would be by the next sweep.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import partial
from typing import TypeVar

from notify.reminders import ReminderSweep, SweepReport
from storage.reminders import boards_with_due

log = logging.getLogger("scrbot.reminders")
T = TypeVar("T")


def sweep_boards(sweeps: Sequence[ReminderSweep], now: datetime) -> dict[str, SweepReport]:
    """Sweep the boards with something due at `now`, in the order given; their reports by board id. One
    board's failing sweep is logged by board and type (never content) and never stops another's."""
    if not sweeps:
        return {}
    for sweep in sweeps:  # the digest's row first: due now, it is claimed in this pass
        _safely(sweep, "digest", partial(sweep.ensure_digest, now))
    with sweeps[0].sessions.begin() as s:
        due = boards_with_due(s, [sweep.board.id for sweep in sweeps], now)
    reports: dict[str, SweepReport] = {}
    for sweep in sweeps:
        if sweep.board.id in due:
            report = _safely(sweep, "reminder sweep", partial(sweep.run, now))
            if report is not None:
                reports[sweep.board.id] = report
    return reports


def _safely(sweep: ReminderSweep, what: str, run: Callable[[], T]) -> T | None:
    try:
        return run()
    except Exception as exc:  # noqa: BLE001 - one board's failure must not stop the other boards' reminders
        log.error("board %s: %s failed: %s", sweep.board.id, what, type(exc).__name__)
        return None
