"""What recording a review's cost changes (cases/apply.py hands `RecordCost` here): an amount, or hours priced
at the board's hourly rate (`[figures] hourly_rate`), on a date not in the future, with a note that holds none
of the case's personal data (cases/personal_data.py; the note goes nowhere but its own sealed column, and is
refused rather than trusted)."""

from __future__ import annotations

from datetime import date

from cases.actor import Actor
from cases.board import BoardConfig
from cases.changes import AuditNote, Changes
from cases.commands import RecordCost
from cases.costs import CostEntry, money, pence
from cases.permissions import require_staff
from cases.personal_data import describe, find
from cases.snapshot import PERSONAL_DATA, CaseSnapshot, Part
from errors import BadInput

NOTE_MAX = 500


def needs(case: CaseSnapshot, command: RecordCost) -> tuple[Part, ...]:
    return case.missing(PERSONAL_DATA) if command.note.strip() else ()


def record_cost(case: CaseSnapshot, command: RecordCost, *, actor: Actor, board: BoardConfig, today: date) -> Changes:
    require_staff(actor, "record a review's costs")
    if command.on > today:
        raise BadInput(f"{command.on} is in the future; record a cost once it is incurred", field="on")
    note = command.note.strip()
    if len(note) > NOTE_MAX:
        raise BadInput(f"the note is longer than {NOTE_MAX} characters", field="note")
    if note and case.personal is not None:
        hits = find(note, case.personal)
        if hits:
            raise BadInput(
                f"the note holds the case's personal data ({describe(hits, note)}); a cost's note must not",
                field="note",
            )
    hours = None
    rate = None
    if command.kind.in_hours:
        if command.hours is None or command.amount is not None:
            raise BadInput(
                f"{command.kind.value} is recorded in hours (--hours), priced at the board's rate", field="hours"
            )
        hours = money(command.hours, field="hours")
        if board.figures.hourly_rate is None:
            raise BadInput("the board config sets no hourly rate ([figures] hourly_rate)", field="hours")
        rate = pence(board.figures.hourly_rate)
        amount = pence(hours * board.figures.hourly_rate)
    else:
        if command.amount is None or command.hours is not None:
            raise BadInput(f"{command.kind.value} is recorded as an amount (--amount)", field="amount")
        amount = pence(money(command.amount, field="amount"))
    entry = CostEntry(command.kind, command.on, amount, hours, rate, note)
    detail: dict[str, object] = {"kind": command.kind.value, "on": command.on, "amount_pence": amount}
    if hours is not None:
        detail["hours"] = str(hours)
    return Changes(audit=AuditNote("cost.recorded", detail), cost=entry)
