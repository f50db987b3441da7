"""Bulk seeding of open cases, their deadlines and reminder ladders, straight into the tables (executemany on
SQLite, COPY on PostgreSQL): for the concurrency test and the reminder benchmark, where filing cases one at a
time through the API would take hours. No personal data: cases have no referral, only references.

Each case gets `deadlines_per_case` open deadlines; deadline k of case c has its act_by `offset(c, k)`
working days from `today`. Every rung of each deadline's ladder is a row: rungs before today are `sent`
(as in a running system), the rest `pending`, so the ones on `today` are due at 09:00.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from sqlalchemy import Engine, insert

from cases.board import BoardConfig
from cases.calendar import WorkingCalendar
from notify.ladder import Rung, due_at, ladder
from notify.reminder_plan import DeadlineInfo, reminder_key
from storage.tables import CaseRow, DeadlineRow, ReminderRow

Offset = Callable[[int, int], int]
SEEDED_AT = datetime(2026, 1, 1, tzinfo=UTC)  # long before: the planner's catch-up leaves these alone


@dataclass(frozen=True)
class Seeded:
    cases: int
    deadlines: int
    reminders: int
    due: int  # pending with due_at <= today 09:00


def _id(prefix: str, n: int, k: int = 0) -> str:
    return f"{prefix}{n:012d}{k:04d}".ljust(32, "0")[:32]


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
    chunk: int = 20_000,
) -> Seeded:
    calendar = calendar or WorkingCalendar.england(board.closure_days)
    settings = board.reminders
    now_due = due_at(today, settings.send_time)

    @cache
    def rungs_for(act_by: date) -> tuple[Rung, ...]:
        return tuple(ladder(act_by, agency_task=False, settings=settings, calendar=calendar))

    @cache
    def act_by_for(n: int) -> date:
        if n >= 0:
            return calendar.add_working_days(today, n)
        return calendar.subtract_working_days(today, -n)

    counts = {"deadlines": 0, "reminders": 0, "due": 0}

    def case_rows() -> Iterator[dict[str, Any]]:
        for c in range(cases):
            yield {
                "id": _id("c", c),
                "board_id": board.id,
                "reference": f"SCR-{year}-{c + 1:04d}" if c < 9999 else f"SCR-{year}-{c + 1}",
                "status": "in_review",
                "rules_pack": board.rules_pack,
                "filed_by": "cli:seed",
                "referral_enc": None,
                "child_index": None,
                "created_at": SEEDED_AT,
                "updated_at": SEEDED_AT,
                "closed_at": None,
                "purged_at": None,
            }

    def deadline_and_reminder_rows() -> Iterator[tuple[str, dict[str, Any]]]:
        for c in range(cases):
            reference = f"SCR-{year}-{c + 1:04d}" if c < 9999 else f"SCR-{year}-{c + 1}"
            for k in range(deadlines_per_case):
                act_by = act_by_for(offset(c, k))
                deadline_id = _id("d", c, k)
                counts["deadlines"] += 1
                yield (
                    "deadline",
                    {
                        "id": deadline_id,
                        "board_id": board.id,
                        "case_id": _id("c", c),
                        "rule_id": f"rule_{k:02d}",
                        "agency_id": "",
                        "occurrence": 1,
                        "trigger_event": "decision_made",
                        "trigger_date": today,
                        "due": act_by,
                        "act_by": act_by,
                        "limit_text": "seeded",
                        "action": f"seeded duty {k}",
                        "who": "Board",
                        "rule_text": "seeded",
                        "source": "seed",
                        "per_agency": False,
                        "minimum_period": False,
                        "state": "open",
                        "met_on": None,
                        "updated_at": SEEDED_AT,
                    },
                )
                info = DeadlineInfo(
                    deadline_id, _id("c", c), reference, f"rule_{k:02d}", "", False, False, "open", act_by
                )
                for r, rung in enumerate(rungs_for(act_by)):
                    moment = due_at(rung.day, settings.send_time)
                    state = "sent" if rung.day < today else "pending"
                    counts["reminders"] += 1
                    if state == "pending" and moment <= now_due:
                        counts["due"] += 1
                    yield (
                        "reminder",
                        {
                            "id": _id("r", c, k * 16 + r),
                            "board_id": board.id,
                            "key": reminder_key(info.id, rung, act_by),
                            "case_id": info.case_id,
                            "case_ref": reference,
                            "deadline_id": info.id,
                            "rule_id": info.rule_id,
                            "agency_id": "",
                            "rung": rung.name,
                            "audience": rung.audience.value,
                            "act_by": act_by,
                            "remind_on": rung.day,
                            "due_at": moment.astimezone(UTC),
                            "state": state,
                            "late": False,
                            "sent_at": moment.astimezone(UTC) if state == "sent" else None,
                            "outbox_id": "",
                            "created_at": SEEDED_AT,
                            "updated_at": SEEDED_AT,
                        },
                    )

    write = _copy if engine.dialect.name == "postgresql" else _insert
    write(engine, CaseRow, case_rows(), chunk)
    deadlines: list[dict[str, Any]] = []
    reminders: list[dict[str, Any]] = []
    for kind, row in deadline_and_reminder_rows():
        (deadlines if kind == "deadline" else reminders).append(row)
        if len(reminders) >= chunk:
            write(engine, DeadlineRow, iter(deadlines), chunk)
            write(engine, ReminderRow, iter(reminders), chunk)
            deadlines, reminders = [], []
    write(engine, DeadlineRow, iter(deadlines), chunk)
    write(engine, ReminderRow, iter(reminders), chunk)
    return Seeded(cases, counts["deadlines"], counts["reminders"], counts["due"])


def _batches(rows: Iterator[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _insert(engine: Engine, table: Any, rows: Iterator[dict[str, Any]], chunk: int) -> None:
    for batch in _batches(rows, chunk):
        with engine.begin() as connection:
            connection.execute(insert(table), batch)


def _copy_value(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def _copy(engine: Engine, table: Any, rows: Iterator[dict[str, Any]], chunk: int) -> None:
    columns = [c.name for c in table.__table__.columns]
    for batch in _batches(rows, chunk * 5):
        buffer = io.StringIO()
        for row in batch:
            buffer.write("\t".join(_copy_value(row[c]) for c in columns) + "\n")
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            with cursor.copy(f"COPY {table.__tablename__} ({', '.join(columns)}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                copy.write(buffer.getvalue())
            raw.commit()
        finally:
            raw.close()
