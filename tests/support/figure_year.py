"""A synthetic reporting year (2026-27) of seven cases whose every figure is known by hand, for the pure core
(tests/cases/figures/) and the CSV (tests/reports/). The numbers each case contributes are worked out beside it.

- SCR-2026-0001: referred 10 Apr, decided (SCR) 8 May (28 days), completed 31 Oct, a month's last day, so
  not open at its end (176 days; due 8 Nov: on time), published 10 Jan 2027 (71 days). Chair's decision on
  time; police records secured 5 days late; a cancelled duty left out. Extended 1 Sep (agency delay).
  Reviewer fees £1,000, 10 panel hours £300.
- SCR-2026-0002: referred 20 Apr, decided (SCR) 1 Jun (42 days), completed 15 Jan 2027 (228 days; due 1 Dec:
  45 days late), not published (open). Chair's decision 12 days late; health records never secured (overdue).
  Extended 1 Oct (parallel proceedings) and 1 Nov (agency delay). Other costs £50 on 1 Feb 2027.
- SCR-2026-0003: referred 5 May, decided (no review) 25 May (20 days). Chair's decision on time.
- SCR-2026-0004: referred 20 Mar 2027, not decided (open); its chair's decision is due after the year (left
  out); police agency report due 31 Mar 2027, the year's last day (open, not yet due).
- SCR-2026-0005: no referral date recorded (open, never guessed), decided (SCR) 1 Jul, not completed (open;
  due 1 Jan 2027: overdue). Health agency report on time.
- SCR-2025-0009: referred Dec 2025, decided 10 Jan 2026 (before the year), completed 1 Jul 2026 (172 days; due
  10 Jul: on time), published 1 Sep (62 days). An extension and a cost before the year are left out.
- SCR-2026-0006: referred 15 Jun, decided (multi-agency review) 15 Jul (30 days).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from cases.case import DeadlineState
from cases.costs import CostKind
from cases.events import Outcome
from cases.figures.declared import AgencyDuties, PackFigures
from cases.figures.history import CaseHistory, CostRecord, DutyRecord, ExtensionRecord
from cases.figures.period import reporting_year

YEAR = reporting_year("2026-27")
AFTER_THE_YEAR = date(2027, 5, 1)  # the report made after the year: "overdue" is measured at its end
DECLARED = PackFigures(
    completion="review_complete",
    review_outcomes=(Outcome.SCR,),
    agency_duties=(
        AgencyDuties(label="Records secured", rules=("records_secured",)),
        AgencyDuties(label="Agency reports", rules=("imr_submitted",)),
    ),
)
RULE_ORDER = ("chair_decision", "records_secured", "imr_submitted", "review_complete")
REASONS = ("parallel proceedings", "agency delay", "family involvement", "reviewer availability", "other")
MET, OPEN, CANCELLED = DeadlineState.MET, DeadlineState.OPEN, DeadlineState.CANCELLED


def d(year: int, month: int, day: int) -> date:
    return date(year, month, day)


def duty(rule: str, due: date, state: DeadlineState = OPEN, met_on: date | None = None, agency: str = "") -> DutyRecord:
    return DutyRecord(rule, agency or None, due, due, state, met_on)


CASES = (
    CaseHistory(
        "SCR-2026-0001",
        referral_received=d(2026, 4, 10),
        decided_on=d(2026, 5, 8),
        outcome=Outcome.SCR,
        published_on=d(2027, 1, 10),
        duties=(
            duty("chair_decision", d(2026, 5, 10), MET, d(2026, 5, 8)),
            duty("records_secured", d(2026, 4, 20), MET, d(2026, 4, 25), agency="police"),
            duty("review_complete", d(2026, 11, 8), MET, d(2026, 10, 31)),
            duty("cqc_notification", d(2026, 6, 1), CANCELLED),
        ),
        extensions=(ExtensionRecord(d(2026, 9, 1), d(2026, 12, 8), "agency delay"),),
        costs=(
            CostRecord(CostKind.REVIEWER_FEES, d(2026, 6, 1), 100_000),
            CostRecord(CostKind.PANEL_HOURS, d(2026, 7, 1), 30_000, Decimal("10")),
        ),
    ),
    CaseHistory(
        "SCR-2026-0002",
        referral_received=d(2026, 4, 20),
        decided_on=d(2026, 6, 1),
        outcome=Outcome.SCR,
        duties=(
            duty("chair_decision", d(2026, 5, 20), MET, d(2026, 6, 1)),
            duty("records_secured", d(2026, 4, 30), agency="health"),
            duty("review_complete", d(2026, 12, 1), MET, d(2027, 1, 15)),
        ),
        extensions=(
            ExtensionRecord(d(2026, 10, 1), None, "parallel proceedings"),
            ExtensionRecord(d(2026, 11, 1), None, "agency delay"),
        ),
        costs=(CostRecord(CostKind.OTHER, d(2027, 2, 1), 5_000),),
    ),
    CaseHistory(
        "SCR-2026-0003",
        referral_received=d(2026, 5, 5),
        decided_on=d(2026, 5, 25),
        outcome=Outcome.NO_REVIEW,
        duties=(duty("chair_decision", d(2026, 6, 5), MET, d(2026, 5, 25)),),
    ),
    CaseHistory(
        "SCR-2026-0004",
        referral_received=d(2027, 3, 20),
        duties=(
            duty("chair_decision", d(2027, 4, 20)),
            duty("imr_submitted", d(2027, 3, 31), agency="police"),
        ),
    ),
    CaseHistory(
        "SCR-2026-0005",
        decided_on=d(2026, 7, 1),
        outcome=Outcome.SCR,
        duties=(
            duty("review_complete", d(2027, 1, 1)),
            duty("imr_submitted", d(2026, 9, 1), MET, d(2026, 9, 1), agency="health"),
        ),
    ),
    CaseHistory(
        "SCR-2025-0009",
        referral_received=d(2025, 12, 1),
        decided_on=d(2026, 1, 10),
        outcome=Outcome.SCR,
        published_on=d(2026, 9, 1),
        duties=(duty("review_complete", d(2026, 7, 10), MET, d(2026, 7, 1)),),
        extensions=(ExtensionRecord(d(2026, 2, 1), None, "other"),),
        costs=(CostRecord(CostKind.REVIEWER_FEES, d(2026, 3, 1), 20_000),),
    ),
    CaseHistory(
        "SCR-2026-0006",
        referral_received=d(2026, 6, 15),
        decided_on=d(2026, 7, 15),
        outcome=Outcome.MULTI_AGENCY_REVIEW,
    ),
)


def _duty_met_or_not(
    rng: random.Random, duties: list[DutyRecord], rule: str, due: date, *, agency: str = "", on_time: float = 0.7
) -> date | None:
    """A duty met on time (`on_time` of them), late (a fifth), or not yet (the rest); its met date, if any."""
    roll = rng.random()
    met: date | None = None
    if roll < on_time:
        met = due - timedelta(days=rng.randrange(0, 5))
    elif roll < on_time + 0.2:
        met = due + timedelta(days=rng.randrange(1, 40))
    if met is not None and met > SYNTHETIC_END:
        met = None
    duties.append(duty(rule, due, MET if met else OPEN, met, agency=agency))
    return met


SYNTHETIC_END = date(2027, 3, 31)
AGENCY_IDS = ("health", "police", "school")


def synthetic_histories(count: int, *, seed: int = 2026) -> list[CaseHistory]:
    """`count` made-up cases referred over the reporting year 2026-27 and the few months before,
    for the benchmark and the page's screenshot: most decided within weeks, a third of those reviews, most
    duties on time, some late, some open; extensions with reasons and costs on the reviews. Deterministic."""
    rng = random.Random(seed)
    start = date(2026, 1, 1)
    end_of_year = SYNTHETIC_END
    outcomes = (Outcome.SCR, Outcome.NO_REVIEW, Outcome.MULTI_AGENCY_REVIEW, Outcome.SINGLE_AGENCY_REVIEW)
    cases = []
    for n in range(count):
        referred = start + timedelta(days=rng.randrange((end_of_year - start).days + 1))
        duties: list[DutyRecord] = []

        for agency in AGENCY_IDS:
            _duty_met_or_not(rng, duties, "records_secured", referred + timedelta(days=7), agency=agency, on_time=0.8)
            _duty_met_or_not(rng, duties, "agency_involvement_check", referred + timedelta(days=21), agency=agency)
        decided = referred + timedelta(days=rng.randrange(10, 70)) if rng.random() < 0.85 else None
        if decided is not None and decided > end_of_year:
            decided = None
        outcome = rng.choices(outcomes, weights=(35, 45, 12, 8))[0] if decided else None
        duties.append(duty("chair_decision", referred + timedelta(days=30), MET if decided else OPEN, decided))
        published = None
        extensions: list[ExtensionRecord] = []
        costs: list[CostRecord] = []
        if decided is not None and outcome is Outcome.SCR:
            for agency in AGENCY_IDS:
                _duty_met_or_not(rng, duties, "imr_submitted", decided + timedelta(days=42), agency=agency, on_time=0.6)
            due = decided + timedelta(days=183)
            if rng.random() < 0.3:
                moved = due + timedelta(days=rng.choice((30, 60, 90)))
                extensions.append(ExtensionRecord(due - timedelta(days=20), moved, rng.choice(REASONS)))
                due = moved
            completed = _duty_met_or_not(rng, duties, "review_complete", due, on_time=0.55)
            if completed is not None and rng.random() < 0.7:
                published = completed + timedelta(days=rng.randrange(20, 120))
                published = published if published <= end_of_year else None
            costs.append(
                CostRecord(CostKind.REVIEWER_FEES, decided + timedelta(days=60), rng.randrange(4000, 12000) * 100)
            )
            hours = rng.randrange(10, 60)
            costs.append(CostRecord(CostKind.PANEL_HOURS, decided + timedelta(days=90), hours * 4500, Decimal(hours)))
        cases.append(
            CaseHistory(
                f"SCR-{referred.year}-{n + 1:05d}",
                referral_received=referred,
                decided_on=decided,
                outcome=outcome,
                published_on=published,
                duties=tuple(duties),
                extensions=tuple(extensions),
                costs=tuple(c for c in costs if c.incurred_on <= end_of_year),
            )
        )
    return cases
