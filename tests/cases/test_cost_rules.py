"""Recording a review's costs (cases/cost_rules.py through cases/apply.py): amounts in pence, hours at the
board's rate when recorded, and the exact line each refusal says. No database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from cases.board import BoardConfig, FigureSettings
from cases.commands import RecordCost, RecordEvent
from cases.costs import CostEntry, CostKind
from cases.events import CaseEvent, CaseStatus
from cases.personal_data import CaseFacts
from cases.snapshot import PERSONAL_DATA, CaseSnapshot
from errors import BadInput, Refused
from tests.cases.test_apply import BOARD, TODAY, case, decide
from tests.cases.test_apply_outputs import SCR_DECIDED
from tests.factories import CHILD_LAST_NAME, REFERRER, make_referral

RATED = BOARD.model_copy(update={"figures": FigureSettings(hourly_rate=Decimal("45.50"))})


def review() -> CaseSnapshot:
    """A review under way, loaded with the personal data a note is checked against."""
    facts = CaseFacts.from_referral(make_referral())
    return case(events=SCR_DECIDED, status=CaseStatus.IN_REVIEW, decided=True).with_part(PERSONAL_DATA, personal=facts)


@pytest.mark.parametrize(
    ("command", "entry"),
    [
        (
            RecordCost(CostKind.REVIEWER_FEES, TODAY, amount=Decimal("1250.50")),
            CostEntry(CostKind.REVIEWER_FEES, TODAY, 125_050),
        ),
        (
            RecordCost(CostKind.PANEL_HOURS, TODAY, hours=Decimal("7.5")),
            CostEntry(CostKind.PANEL_HOURS, TODAY, 34_125, Decimal("7.5"), 4_550),
        ),
        (
            RecordCost(CostKind.AUTHOR_HOURS, date(2026, 12, 1), hours=Decimal("0.25"), note="IMR author, police"),
            CostEntry(CostKind.AUTHOR_HOURS, date(2026, 12, 1), 1_138, Decimal("0.25"), 4_550, "IMR author, police"),
        ),
    ],
)
def test_a_cost_is_recorded_in_pence_and_audited(command: RecordCost, entry: CostEntry) -> None:
    changes = decide(review(), command, board=RATED)
    assert changes.cost == entry
    assert changes.audit.action == "cost.recorded"
    assert changes.audit.detail["amount_pence"] == entry.amount_pence
    assert "note" not in changes.audit.detail  # free text stays in its sealed column


@pytest.mark.parametrize(
    ("command", "board", "says", "field"),
    [
        (RecordCost(CostKind.PANEL_HOURS, TODAY, hours=Decimal("2")), BOARD, "sets no hourly rate", "hours"),
        (RecordCost(CostKind.PANEL_HOURS, TODAY, amount=Decimal("2")), RATED, "recorded in hours", "hours"),
        (RecordCost(CostKind.OTHER, TODAY, hours=Decimal("2")), RATED, "recorded as an amount", "amount"),
        (RecordCost(CostKind.OTHER, TODAY, amount=Decimal("0")), RATED, "must be more than 0", "amount"),
        (RecordCost(CostKind.OTHER, TODAY, amount=Decimal("1.005")), RATED, "more than two decimal places", "amount"),
        (RecordCost(CostKind.OTHER, date(2026, 12, 11), amount=Decimal("5")), RATED, "is in the future", "on"),
        (RecordCost(CostKind.OTHER, TODAY, amount=Decimal("5"), note="x" * 501), RATED, "longer than 500", "note"),
        (
            RecordCost(CostKind.OTHER, TODAY, amount=Decimal("5"), note=f"travel to see the {CHILD_LAST_NAME} family"),
            RATED,
            "holds the case's personal data",
            "note",
        ),
    ],
)
def test_a_wrong_cost_is_refused_naming_its_field(
    command: RecordCost, board: BoardConfig, says: str, field: str
) -> None:
    facts = CaseFacts.from_referral(make_referral())
    snapshot = case(events=SCR_DECIDED, status=CaseStatus.IN_REVIEW, decided=True).with_part(
        PERSONAL_DATA, personal=facts
    )
    with pytest.raises(BadInput, match=says) as refused:
        decide(snapshot, command, board=board)
    assert refused.value.field == field


def test_only_staff_record_costs() -> None:
    with pytest.raises(Refused):
        decide(review(), RecordCost(CostKind.OTHER, TODAY, amount=Decimal("5")), actor=REFERRER)


def test_the_extension_reason_comes_from_the_boards_list() -> None:
    with pytest.raises(BadInput, match="reason") as refused:
        decide(review(), RecordEvent(CaseEvent.REVIEW_EXTENDED, TODAY, date(2027, 8, 20), "the weather"))
    assert refused.value.field == "reason"
