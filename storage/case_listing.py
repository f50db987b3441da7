"""Case summaries for lists, channels and the App Home: status, next deadline, red / amber / green and the
agencies yet to answer; no personal data.

Written in SQLAlchemy Core over light table clauses naming only the columns read, rather than the ORM
classes: `scrbot case list` then starts without the ORM or the table registry (issue 11 §6,
bench/cli_start.py). tests/storage/test_case_listing.py checks that every column named here is a column of
the real table (storage/tables), so a renamed column fails a test rather than a command.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import Boolean, Connection, Date, DateTime, Integer, String, column, select, table
from sqlalchemy.sql.expression import TableClause

from cases.actor import Actor
from cases.board import BoardConfig
from cases.calendar import WorkingCalendar
from cases.case import Deadline, DeadlineState, RecordsState
from cases.events import CaseStatus, Outcome
from cases.status import Rag, rag, worst
from storage.deadline_rows import deadline

_CHUNK = 500  # case ids per IN (...)

CASES = table(
    "cases",
    column("id", String),
    column("board_id", String),
    column("reference", String),
    column("status", String),
    column("filed_by", String),
    column("created_at", DateTime(timezone=True)),
)
DEADLINES = table(
    "deadlines",
    column("case_id", String),
    column("rule_id", String),
    column("agency_id", String),
    column("occurrence", Integer),
    column("trigger_event", String),
    column("trigger_date", Date),
    column("due", Date),
    column("act_by", Date),
    column("limit_text", String),
    column("action", String),
    column("who", String),
    column("rule_text", String),
    column("source", String),
    column("per_agency", Boolean),
    column("minimum_period", Boolean),
    column("state", String),
    column("met_on", Date),
    column("due_given", Date),
)
CONFIRMATIONS = table(
    "agency_confirmations", column("case_id", String), column("agency_id", String), column("records", String)
)
DECISIONS = table("decisions", column("case_id", String), column("outcome", String))
TABLES: tuple[TableClause, ...] = (CASES, DEADLINES, CONFIRMATIONS, DECISIONS)


@dataclass(frozen=True)
class CaseSummary:
    """What may be shown anywhere a case is listed: no personal data."""

    reference: str
    status: CaseStatus
    created_at: datetime
    outcome: Outcome | None
    next_deadline: Deadline | None
    rag: Rag
    agencies_not_confirmed: list[str]
    open_deadlines: int
    agencies_no_records: list[str] = field(default_factory=list)  # answered that they hold none


def summaries(
    c: Connection,
    board: BoardConfig,
    calendar: WorkingCalendar,
    *,
    today: date,
    actor: Actor | None = None,
    include_closed: bool = False,
) -> list[CaseSummary]:
    """The board's cases with status and next deadline, by reference (a referrer sees only their own)."""
    cases = CASES.c
    query = select(cases.id, cases.reference, cases.status, cases.created_at).where(cases.board_id == board.id)
    if not include_closed:
        query = query.where(cases.status != CaseStatus.CLOSED.value)
    if actor is not None and not actor.is_staff:
        query = query.where(cases.filed_by == actor.id)
    rows = list(c.execute(query.order_by(cases.reference)))
    ids = [r.id for r in rows]
    open_by_case: dict[str, list[Deadline]] = {i: [] for i in ids}
    outstanding: dict[str, list[str]] = {i: [] for i in ids}
    none_held: dict[str, list[str]] = {i: [] for i in ids}
    outcomes: dict[str, str] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        for d in c.execute(
            select(DEADLINES).where(DEADLINES.c.case_id.in_(chunk), DEADLINES.c.state == DeadlineState.OPEN.value)
        ):
            open_by_case[d.case_id].append(deadline(d))
        answers = CONFIRMATIONS.c
        for a in c.execute(
            select(answers.case_id, answers.agency_id, answers.records)
            .where(answers.case_id.in_(chunk), answers.records != RecordsState.SECURED.value)
            .order_by(answers.agency_id)
        ):
            held_none = a.records == RecordsState.NO_RECORDS_HELD.value
            (none_held if held_none else outstanding)[a.case_id].append(a.agency_id)
        for case_id, outcome in c.execute(
            select(DECISIONS.c.case_id, DECISIONS.c.outcome).where(DECISIONS.c.case_id.in_(chunk))
        ):
            outcomes[case_id] = outcome
    amber = board.amber_working_days
    listed = []
    for row in rows:
        chaseable = sorted(
            (d for d in open_by_case[row.id] if not d.computed.minimum_period), key=lambda d: d.computed.act_by
        )
        outcome = outcomes.get(row.id)
        listed.append(
            CaseSummary(
                reference=row.reference,
                status=CaseStatus(row.status),
                created_at=_utc(row.created_at),
                outcome=Outcome(outcome) if outcome else None,
                next_deadline=chaseable[0] if chaseable else None,
                rag=worst([rag(d, today, calendar, amber_working_days=amber) for d in chaseable]),
                agencies_not_confirmed=outstanding[row.id],
                open_deadlines=len(open_by_case[row.id]),
                agencies_no_records=none_held[row.id],
            )
        )
    return listed


def _utc(value: datetime) -> datetime:
    """As storage.tables.base.UtcDateTime gives it: aware, in UTC (SQLite hands back naive UTC)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def board_ids_with_cases(c: Connection) -> set[str]:
    return {str(b) for b in c.scalars(select(CASES.c.board_id).distinct())}
