"""The figures as tables: what the page shows under each chart and what the CSV holds, built once so the two
can never disagree. Counts pass through small-number suppression here (cases/figures/suppression.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from cases.costs import CostKind, pounds_text
from cases.events import Outcome
from cases.figures.compute import BoardFigures, DutyTally
from cases.figures.stats import median
from cases.figures.suppression import FEWER, Shown, breakdown, count, distribution_shown

STATS_NOT_SHOWN = "not shown (fewer than 5)"

OUTCOME_LABELS = {
    Outcome.SCR: "Serious case review",
    Outcome.MULTI_AGENCY_REVIEW: "Multi-agency review",
    Outcome.SINGLE_AGENCY_REVIEW: "Single agency review",
    Outcome.REFERRED_OTHER_BOARD: "Referred to another board",
    Outcome.NO_REVIEW: "No review",
    Outcome.OTHER: "Other",
}


@dataclass(frozen=True)
class Cell:
    """A value as the page shows it (`text`) and as the CSV holds it (`csv`: plain digits, ISO dates)."""

    text: str
    csv: str
    hidden: bool = False
    number: float | None = None  # for charts; None when hidden or not a number
    secondary: bool = False  # hidden only to protect a small part of the same total (suppression.py)


def shown(s: Shown) -> Cell:
    return Cell(s.text, s.csv, s.hidden, None if s.hidden else float(s.value), s.secondary)


def plain(text: str) -> Cell:
    return Cell(text, text)


def days(value: float | None) -> Cell:
    if value is None:
        return Cell("-", "")
    # Quartiles fall on quarter days: shown exactly (64.25), never rounded one way here and another there.
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return Cell(text, text, number=value)


def money(amount_pence: int) -> Cell:
    return Cell(pounds_text(amount_pence), f"{amount_pence / 100:.2f}", number=amount_pence / 100)


@dataclass(frozen=True)
class Table:
    key: str  # the CSV's section
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    notes: tuple[str, ...] = ()

    def column(self, name: str) -> list[Cell]:
        index = self.columns.index(name)
        return [row[index] for row in self.rows]


@dataclass(frozen=True)
class Labels:
    rules: Mapping[str, str] = field(default_factory=dict)  # rule id -> "who: action (source)"
    agencies: Mapping[str, str] = field(default_factory=dict)  # agency id -> name


def referrals_table(f: BoardFigures, *, suppress: bool) -> Table:
    referrals = breakdown([m.referrals for m in f.months], suppress=suppress)
    rows = [
        (
            plain(m.month.label),
            shown(r),
            shown(count(m.reviews_open, suppress=suppress)),
            shown(count(m.reviews_open_at_end, suppress=suppress)),
        )
        for m, r in zip(f.months, referrals, strict=True)
    ]
    rows.append((plain("Total"), shown(count(f.referrals, suppress=suppress)), plain(""), plain("")))
    return Table(
        "months",
        "Referrals received and reviews open, month by month",
        ("Month", "Referrals received", "Reviews open during the month", "Reviews open at the month's end"),
        tuple(rows),
    )


def decisions_table(f: BoardFigures, *, suppress: bool) -> Table:
    outcomes = list(Outcome)
    parts = breakdown([f.decisions[o] for o in outcomes], suppress=suppress)
    rows = [(plain(OUTCOME_LABELS[o]), shown(p)) for o, p in zip(outcomes, parts, strict=True)]
    rows.append((plain("Total"), shown(count(f.decided, suppress=suppress))))
    return Table("decisions", "Decisions by outcome", ("Outcome", "Decisions"), tuple(rows))


def stages_table(f: BoardFigures, *, suppress: bool) -> Table:
    rows = []
    for stage in f.stages:
        d = stage.days
        n = d.n if d else 0
        if d is not None and distribution_shown(d.n, suppress=suppress):
            stats = [days(d.minimum), days(d.q1), days(d.median), days(d.q3), days(d.maximum), days(round(d.mean, 1))]
        else:
            stats = [Cell(STATS_NOT_SHOWN if n else "-", FEWER if n else "")] * 6
        rows.append(
            (
                plain(stage.label),
                shown(count(n, suppress=suppress)),
                *stats,
                shown(count(stage.still_open, suppress=suppress)),
            )
        )
    return Table(
        "stages",
        "How long each stage took (calendar days), for stages that ended in the period",
        (
            "Stage",
            "Ended in the period",
            "Shortest",
            "Lower quartile",
            "Median",
            "Upper quartile",
            "Longest",
            "Mean",
            "Open at the period's end",
        ),
        tuple(rows),
    )


def _tally_cells(t: DutyTally, *, suppress: bool) -> list[Cell]:
    parts = breakdown([t.on_time, t.late, t.open_overdue, t.open_not_yet_due], suppress=suppress)
    late_days = (
        days(t.median_days_late) if distribution_shown(t.late, suppress=suppress) else Cell(STATS_NOT_SHOWN, FEWER)
    )
    return [shown(count(t.total, suppress=suppress)), *(shown(p) for p in parts), late_days]


DUTY_COLUMNS = ("Due in the period", "On time", "Late", "Open, overdue", "Open, not yet due", "Median days late")


def duties_table(f: BoardFigures, labels: Labels, *, suppress: bool) -> Table:
    rows = [
        (plain(rule), plain(labels.rules.get(rule, "")), *_tally_cells(t, suppress=suppress)) for rule, t in f.duties
    ]
    rows.append((plain("All duties"), plain(""), *_tally_cells(f.all_duties, suppress=suppress)))
    return Table(
        "duties",
        "Statutory duties due in the period: met on time, late or still open, per rule",
        ("Rule", "Duty", *DUTY_COLUMNS),
        tuple(rows),
        ("On time: met on or before the due date. Days late: calendar days after the due date.",),
    )


def agency_tables(f: BoardFigures, labels: Labels, *, suppress: bool) -> list[Table]:
    tables = []
    for index, (label, per_agency) in enumerate(f.agency_duties, start=1):
        rows = [
            (plain(labels.agencies.get(agency, agency)), *_tally_cells(t, suppress=suppress))
            for agency, t in per_agency
        ]
        tables.append(
            Table(f"agencies.{index}", f"Agencies' timeliness: {label}", ("Agency", *DUTY_COLUMNS), tuple(rows))
        )
    return tables


def extensions_table(f: BoardFigures, *, suppress: bool) -> Table:
    reasons = list(f.extensions)
    parts = breakdown([f.extensions[r] for r in reasons], suppress=suppress)
    rows = [(plain(r.capitalize()), shown(p)) for r, p in zip(reasons, parts, strict=True)]
    rows.append((plain("Total"), shown(count(f.extensions_total, suppress=suppress))))
    rows.append((plain("Reviews extended"), shown(count(f.reviews_extended, suppress=suppress))))
    return Table("extensions", "Extensions by reason (003 §4.1)", ("Reason", "Extensions"), tuple(rows))


COST_KINDS = tuple(CostKind)


def costs_table(f: BoardFigures) -> Table:
    rows = [(plain(c.reference), *(money(c.pence[k]) for k in COST_KINDS), money(c.total_pence)) for c in f.costs]
    rows.append((plain("Total"), *(money(f.cost_totals.get(k, 0)) for k in COST_KINDS), money(f.total_cost_pence)))
    per_review = median([c.total_pence for c in f.costs])
    rows.append((plain("Median per review"), *(plain("") for _k in COST_KINDS), money(round(per_review or 0))))
    return Table(
        "costs",
        "Costs incurred in the period, per review",
        ("Review", *(k.label for k in COST_KINDS), "Total"),
        tuple(rows),
        ("Panel and author hours are priced at the board's hourly rate when they were recorded.",),
    )


def all_tables(f: BoardFigures, labels: Labels, *, suppress: bool) -> list[Table]:
    return [
        referrals_table(f, suppress=suppress),
        decisions_table(f, suppress=suppress),
        stages_table(f, suppress=suppress),
        duties_table(f, labels, suppress=suppress),
        *agency_tables(f, labels, suppress=suppress),
        extensions_table(f, suppress=suppress),
        costs_table(f),
    ]


def headline(f: BoardFigures, *, suppress: bool) -> dict[str, str]:
    """The figures a reader wants first (and `scrbot report --json` prints), as the page shows them."""
    duties = f.all_duties
    rows = {
        "referrals_received": count(f.referrals, suppress=suppress).csv,
        "decisions": count(f.decided, suppress=suppress).csv,
        "reviews_open_at_end": count(f.reviews_open_at_end, suppress=suppress).csv,
        "duties_due": count(duties.total, suppress=suppress).csv,
        "duties_on_time": count(duties.on_time, suppress=suppress).csv,
        "duties_late": count(duties.late, suppress=suppress).csv,
        "duties_open": count(duties.not_met, suppress=suppress).csv,
        "extensions": count(f.extensions_total, suppress=suppress).csv,
        "total_cost": f"{f.total_cost_pence / 100:.2f}",
    }
    return rows
