"""Bulk seeding of open cases, their deadlines and reminder ladders, straight into the tables (the driver's own
executemany on SQLite, COPY on PostgreSQL): for the concurrency test and the reminder benchmark, where filing
cases one at a time through the API would take hours. No personal data: cases have no referral.

Each case gets `deadlines_per_case` open deadlines; deadline k of case c has its act_by `offset(c, k)`
working days from `today`. Every rung of each deadline's ladder is a row, with the key the planner would
give it: rungs before today are `sent` (as in a running system), the rest `pending`, so the ones on `today`
are due at the ladder's send time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from sqlalchemy import Engine, select

from cases.board import BoardConfig
from cases.calendar import WorkingCalendar
from notify.ladder import due_at, ladder
from storage.tables import CaseRow, DeadlineRow, OutboxRow, ReminderRow

Offset = Callable[[int, int], int]
SEEDED_AT = datetime(2026, 1, 1, tzinfo=UTC)  # long before: the planner's catch-up leaves these alone


@dataclass(frozen=True)
class Seeded:
    cases: int
    deadlines: int
    reminders: int
    due: int  # pending with due_at at or before `today` at the send time


@dataclass(frozen=True)
class _Rung:
    name: str
    audience: str
    day: Any  # date, or its SQLite text
    due_at: Any  # UTC datetime, or its SQLite text
    state: str
    is_due: bool


def _id(prefix: str, n: int, k: int = 0) -> str:
    return f"{prefix}{n:012d}{k:05d}".ljust(32, "0")[:32]


def reference(year: int, c: int) -> str:
    return f"SCR-{year}-{c + 1:04d}"


def seed(
    engine: Engine,
    board: BoardConfig,
    *,
    cases: int,
    deadlines_per_case: int,
    today: date,
    offset: Offset,
    calendar: WorkingCalendar | None = None,
    year: int = 2026,
    chunk: int = 50_000,
    first: int = 0,
    open_cases: int | None = None,
) -> Seeded:
    """`first`: where this seed's row ids start (several boards seeded into one database). `open_cases`: only
    the first so many cases open; the rest closed, as an archive keeps them: deadlines met, the rungs they
    had sent kept, the others cancelled."""
    calendar = calendar or WorkingCalendar.england(board.closure_days)
    settings = board.reminders
    sqlite = engine.dialect.name != "postgresql"
    v = _sqlite_value if sqlite else _same
    now_due = due_at(today, settings.send_time)

    @cache
    def act_by_for(n: int) -> date:
        return calendar.add_working_days(today, n) if n >= 0 else calendar.subtract_working_days(today, -n)

    @cache
    def rungs_for(act_by: date) -> tuple[_Rung, ...]:
        rungs = []
        for rung in ladder(act_by, agency_task=False, settings=settings, calendar=calendar):
            moment = due_at(rung.day, settings.send_time)
            state = "sent" if rung.day < today else "pending"
            rungs.append(
                _Rung(
                    rung.name,
                    rung.audience.value,
                    v(rung.day),
                    v(moment),
                    state,
                    state == "pending" and moment <= now_due,
                )
            )
        return tuple(rungs)

    counts = {"deadlines": 0, "reminders": 0, "due": 0}
    seeded_at, today_v = v(SEEDED_AT), v(today)
    opened = cases if open_cases is None else open_cases
    case_rows = [
        (_id("c", first + c), board.id, reference(year, c), "in_review" if c < opened else "closed",
         board.rules_pack, "cli:seed", None, None, seeded_at, seeded_at, None, None, "1")
        for c in range(cases)
    ]  # fmt: skip
    deadlines: list[tuple[Any, ...]] = []
    reminders: list[tuple[Any, ...]] = []

    def rows() -> Iterator[None]:
        for c in range(cases):
            case_id, ref = _id("c", first + c), reference(year, c)
            closed = c >= opened
            for k in range(deadlines_per_case):
                act_by = act_by_for(offset(c, k))
                act_by_v = v(act_by)
                deadline_id = _id("d", first + c, k)
                rule = f"rule_{k:02d}"
                deadlines.append(
                    (deadline_id, board.id, case_id, rule, "", 1, "decision_made", today_v, act_by_v, act_by_v,
                     "seeded", f"seeded duty {k}", "Board", "seeded", "seed", False, False,
                     "met" if closed else "open", act_by_v if closed else None, None, seeded_at)
                )  # fmt: skip
                stamp = f"{act_by:%Y%m%d}"
                for r, rung in enumerate(rungs_for(act_by)):
                    state = "cancelled" if closed and rung.state == "pending" else rung.state
                    reminders.append(
                        (_id("r", first + c, k * 16 + r), board.id,
                         f"{deadline_id}:{rung.audience}:{rung.name}:{stamp}", case_id, ref, deadline_id, rule, "",
                         rung.name, rung.audience, act_by_v, rung.day, rung.due_at, state, False,
                         rung.due_at if state == "sent" else None, "", seeded_at, seeded_at)
                    )  # fmt: skip
                    counts["due"] += rung.is_due and not closed
                counts["deadlines"] += 1
            if len(reminders) >= chunk:
                yield

    write = _copy if engine.dialect.name == "postgresql" else _executemany
    write(engine, CaseRow, case_rows)
    for _ in rows():
        write(engine, DeadlineRow, deadlines)
        write(engine, ReminderRow, reminders)
        counts["reminders"] += len(reminders)
        deadlines.clear()
        reminders.clear()
    write(engine, DeadlineRow, deadlines)
    write(engine, ReminderRow, reminders)
    counts["reminders"] += len(reminders)
    return Seeded(cases, counts["deadlines"], counts["reminders"], counts["due"])


def _columns(table: Any) -> list[str]:
    return [c.name for c in table.__table__.columns]


def _same(value: Any) -> Any:
    return value


@cache
def _sqlite_value(value: date | datetime) -> str:
    # As SQLAlchemy stores them on SQLite: naive UTC datetimes and dates as ISO text.
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value.isoformat()


def _executemany(engine: Engine, table: Any, rows: Sequence[tuple[Any, ...]]) -> None:
    if not rows:
        return
    columns = _columns(table)
    placeholders = ", ".join("?" * len(columns))
    sql = f"INSERT INTO {table.__tablename__} ({', '.join(columns)}) VALUES ({placeholders})"  # noqa: S608 - our own table and column names
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("PRAGMA cache_size = -262144")  # 256 MiB: the indexes stay in memory while seeding
        cursor.execute("PRAGMA foreign_keys = OFF")  # the seed writes parents first; checked by the tests
        cursor.execute("BEGIN IMMEDIATE")
        cursor.executemany(sql, rows)
        cursor.execute("COMMIT")
    finally:
        raw.close()


def _copy(engine: Engine, table: Any, rows: Sequence[tuple[Any, ...]]) -> None:
    if not rows:
        return
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        statement = f"COPY {table.__tablename__} ({', '.join(_columns(table))}) FROM STDIN"
        with cursor.copy(statement) as copy:  # type: ignore[attr-defined]
            for row in rows:
                copy.write_row(row)
        raw.commit()
    finally:
        raw.close()


def due_reminder_ids(engine: Engine, moment: datetime) -> set[str]:
    """Every board's reminders pending and due at `moment` (for counting what a sweep must send)."""
    with engine.connect() as c:
        return set(
            c.scalars(select(ReminderRow.id).where(ReminderRow.state == "pending", ReminderRow.due_at <= moment))
        )


def reminders_sent_in_a_message(engine: Engine) -> set[str]:
    """Reminders marked sent with the id of an outbox message that exists."""
    with engine.connect() as c:
        outbox = set(c.scalars(select(OutboxRow.id)))
        rows = c.execute(select(ReminderRow.id, ReminderRow.outbox_id).where(ReminderRow.state == "sent"))
        return {rid for rid, outbox_id in rows if outbox_id in outbox}
