"""The reminder sweep's claim (notify/board_sweeps.py): the reminders due now, taken a whole recipient at a
time, so that however many workers sweep at once, one recipient's due reminders all go to one worker and make
one message that morning (README "Reminders and escalation").

A recipient is a board's audience (`business_unit`, `agency`, `manager`, `chair`, `agency_board_member`): the
sweep gathers a board's due reminders into one message per audience (and, for the agencies' audiences, per
agency: a finer split inside one worker's share), so a worker holding the whole (board, audience) holds every
reminder that could go in one message. A batch:

1. lists the recipients with reminders due (board, audience, how many), through the partial index of pending
   rows (ix_reminders_pending_due), leaving out those this pass already took or found held elsewhere;
2. takes recipients in (board, audience) order until the batch holds `limit` reminders (a recipient is never
   split: one with more than `limit` due is taken whole);
3. on PostgreSQL, holds each of them with a transaction-scoped advisory lock
   (`pg_try_advisory_xact_lock`, all in one statement, never waiting): a recipient another worker holds is
   left to that worker (noted, and not asked for again this pass); the locks go with the transaction's
   commit or rollback. On SQLite the transaction itself is the lock (BEGIN IMMEDIATE: one writer at a time);
4. claims the pending rows of the recipients it holds, FOR UPDATE SKIP LOCKED (PostgreSQL) as before.

A worker that gets a recipient's lock after another worker committed that recipient's reminders finds them
sent (each statement reads what is committed) and claims nothing: still one message. Each reminder is still
claimed once: by the row lock, as before.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.orm import Session

from storage.reminders import PENDING, Claimed
from storage.tables import ReminderRow

Recipient = tuple[str, str]  # (board id, audience)

_DUE_RECIPIENTS = (
    select(ReminderRow.board_id, ReminderRow.audience, func.count())
    .where(
        ReminderRow.state == PENDING,
        ReminderRow.board_id.in_(bindparam("board_ids", expanding=True)),
        ReminderRow.due_at <= bindparam("now"),
    )
    .group_by(ReminderRow.board_id, ReminderRow.audience)
    .order_by(ReminderRow.board_id, ReminderRow.audience)
)
# Every recipient of the window asked for in one statement; those held by another worker's transaction are
# not returned. The key's text names the table so it cannot meet another advisory lock of the service.
_HOLD_PG = text(
    "SELECT g.b, g.a FROM unnest(CAST(:boards AS text[]), CAST(:audiences AS text[])) AS g(b, a) "
    "WHERE pg_try_advisory_xact_lock(hashtextextended('reminders:' || g.b || ':' || g.a, 0))"
)
# The held recipients' due rows. `board_id || ':' || audience` only filters what the partial index found.
_CLAIM = (
    select(
        ReminderRow.board_id,
        ReminderRow.id,
        ReminderRow.key,
        ReminderRow.deadline_id,
        ReminderRow.rung,
        ReminderRow.audience,
        ReminderRow.act_by,
        ReminderRow.remind_on,
    )
    .where(
        ReminderRow.state == PENDING,
        ReminderRow.board_id.in_(bindparam("board_ids", expanding=True)),
        ReminderRow.due_at <= bindparam("now"),
        (ReminderRow.board_id + ":" + ReminderRow.audience).in_(bindparam("recipients", expanding=True)),
    )
    .order_by(ReminderRow.board_id, ReminderRow.due_at, ReminderRow.id)
    .with_for_update(skip_locked=True)
)


@dataclass
class RecipientClaims:
    """One pass's claims: the recipients it took, and those another worker held, are not asked for again."""

    taken: set[Recipient] = field(default_factory=set)
    held_elsewhere: set[Recipient] = field(default_factory=set)
    _before: tuple[set[Recipient], set[Recipient]] = field(default_factory=lambda: (set(), set()))

    def claim(
        self, s: Session, board_ids: Sequence[str], now: datetime, *, limit: int
    ) -> tuple[dict[str, list[Claimed]], bool]:
        """One batch: whole recipients' due reminders, up to about `limit` (see the module's doc), split by
        board id; and whether recipients are left for another batch of this pass."""
        self._before = (set(self.taken), set(self.held_elsewhere))
        params = {"board_ids": list(board_ids), "now": now}
        skip = self.taken | self.held_elsewhere
        due = [(b, a, n) for b, a, n in s.execute(_DUE_RECIPIENTS, params) if (b, a) not in skip]
        window: list[Recipient] = []
        count = 0
        for board_id, audience, n in due:
            if count >= limit:
                break
            window.append((board_id, audience))
            count += n
        more = len(window) < len(due)
        if window and s.get_bind().dialect.name == "postgresql":
            boards, audiences = [b for b, _ in window], [a for _, a in window]
            held = {(b, a) for b, a in s.execute(_HOLD_PG, {"boards": boards, "audiences": audiences})}
            self.held_elsewhere |= set(window) - held
            window = [r for r in window if r in held]
        self.taken |= set(window)
        claimed: dict[str, list[Claimed]] = defaultdict(list)
        if window:
            recipients = [f"{b}:{a}" for b, a in window]
            for row in s.execute(_CLAIM, {**params, "recipients": recipients}):
                claimed[row[0]].append(Claimed(*row[1:]))
        return dict(claimed), more

    def undo(self) -> None:
        """The last batch was rolled back (a board failed): its recipients are to be asked for again (and
        its advisory locks went with the rollback)."""
        self.taken, self.held_elsewhere = self._before
