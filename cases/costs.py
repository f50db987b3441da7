"""A review's costs as the board records them (000 appendix 1 §2: "the cost of each review"): reviewer fees,
panel and author hours at the board's hourly rate, and anything else. Money is kept in whole pence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum

from errors import BadInput


class CostKind(StrEnum):
    REVIEWER_FEES = "reviewer_fees"  # the lead reviewer's or author's invoice
    PANEL_HOURS = "panel_hours"  # the review panel's time, at the board's hourly rate
    AUTHOR_HOURS = "author_hours"  # agency report authors' time, at the board's hourly rate
    OTHER = "other"  # venues, legal advice, printing...

    @property
    def in_hours(self) -> bool:
        return self in (CostKind.PANEL_HOURS, CostKind.AUTHOR_HOURS)

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


@dataclass(frozen=True)
class CostEntry:
    """One cost of a review: an amount, or hours priced at the board's rate when it was recorded (so a later
    change of rate does not rewrite what was spent)."""

    kind: CostKind
    incurred_on: date
    amount_pence: int
    hours: Decimal | None = None
    hourly_rate_pence: int | None = None
    note: str = ""

    def __repr__(self) -> str:  # the note is free text
        return f"CostEntry(kind={self.kind.value}, incurred_on={self.incurred_on}, amount_pence={self.amount_pence})"


def money(text: str | Decimal, *, field: str) -> Decimal:
    """An amount of money or of hours as typed ("1,250.50", "£300", "7.5"): positive, at most two decimals."""
    raw = str(text).strip().replace(",", "").removeprefix("£")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise BadInput(f"{text!r} is not a number; write it like 1250.50", field=field) from None
    if not value.is_finite() or value <= 0:
        raise BadInput(f"{text!r} must be more than 0", field=field)
    if value != value.quantize(Decimal("0.01")):
        raise BadInput(f"{text!r} has more than two decimal places", field=field)
    if value >= Decimal("10000000"):
        raise BadInput(f"{text!r} is too large for one entry", field=field)
    return value


def pence(pounds: Decimal) -> int:
    return int((pounds * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def pounds_text(amount_pence: int) -> str:
    """£1,250.50 as people read it."""
    return f"£{amount_pence // 100:,}.{amount_pence % 100:02d}"
