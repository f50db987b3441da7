"""The board's figures read from a real store (SQLite and PostgreSQL): a year of cases built in simulated time,
through the same case rules the CLI and Slack use, then every figure of its CSV checked against what was done."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

from bot.clock import FixedClock
from cases.case import Decision
from cases.costs import CostKind
from cases.events import CaseEvent, Outcome
from cases.figures.compute import board_figures
from cases.figures.period import between, reporting_year
from reports.page import render_csv
from reports.write import labels_for
from storage.store import Store
from tests.factories import STAFF, at, make_referral
from tests.support.figure_seed import seed_histories
from tests.support.figure_year import AFTER_THE_YEAR, CASES, synthetic_histories

YEAR = reporting_year("2026-27")


def _refer(store: Store, clock: FixedClock, on: date) -> str:
    clock.set(at(on))
    referral = make_referral(
        today=on,
        referral_date=on.isoformat(),
        incident_date=date(on.year, on.month, 1).isoformat(),
        la_aware_date=date(on.year, on.month, 1).isoformat(),
        **{"child.date_of_birth": f"2020-0{on.month % 9 + 1}-1{on.day % 9}"},
    )
    return store.cases.file_referral(referral, actor=STAFF, now=clock.now()).reference


def build_the_year(store: Store, clock: FixedClock) -> dict[str, str]:
    """Three cases: one review run from referral to publication with a late duty, an extension and costs;
    one decided against a review; one referred in the year's last month."""
    review = _refer(store, clock, date(2026, 4, 10))
    clock.set(at(date(2026, 4, 20)))
    # The pack: records secured within 5 working days of the referral (10 Apr): due 17 Apr.
    store.cases.mark_deadline(
        review, "records_secured", agency="police", on=date(2026, 4, 20), actor=STAFF, now=clock.now()
    )
    clock.set(at(date(2026, 5, 8)))
    store.cases.record_decision(
        review, Decision(outcome=Outcome.SCR, decided_on=date(2026, 5, 8)), actor=STAFF, now=clock.now()
    )
    clock.set(at(date(2026, 6, 1)))
    store.cases.record_cost(
        review, CostKind.REVIEWER_FEES, on=date(2026, 6, 1), actor=STAFF, now=clock.now(), amount=Decimal("1000")
    )
    store.cases.record_cost(
        review, CostKind.OTHER, on=date(2026, 6, 1), actor=STAFF, now=clock.now(), amount=Decimal("12.34")
    )
    clock.set(at(date(2026, 9, 1)))
    store.cases.record_event(
        review,
        CaseEvent.REVIEW_EXTENDED,
        date(2026, 9, 1),
        actor=STAFF,
        now=clock.now(),
        new_due=date(2026, 12, 18),
        reason="Agency delay",
    )
    clock.set(at(date(2026, 12, 1)))
    store.cases.mark_deadline(review, "review_complete", on=date(2026, 12, 1), actor=STAFF, now=clock.now())
    clock.set(at(date(2027, 2, 1)))
    store.cases.record_event(review, CaseEvent.REPORT_PUBLISHED, date(2027, 2, 1), actor=STAFF, now=clock.now())

    no_review = _refer(store, clock, date(2026, 6, 1))
    clock.set(at(date(2026, 6, 20)))
    store.cases.record_decision(
        no_review, Decision(outcome=Outcome.NO_REVIEW, decided_on=date(2026, 6, 20)), actor=STAFF, now=clock.now()
    )
    late_in_the_year = _refer(store, clock, date(2027, 3, 20))
    return {"review": review, "no_review": no_review, "late": late_in_the_year}


def year_rows(store: Store, today: date, *, suppress: bool = False) -> dict[tuple[str, str, str], str]:
    figures = store.figures(YEAR, today=today)
    text = render_csv(figures, labels_for(store.board, store.pack), suppress=suppress)
    return {(r["section"], r["item"], r["measure"]): r["value"] for r in csv.DictReader(io.StringIO(text))}


def test_a_year_built_in_simulated_time(store: Store, clock: FixedClock) -> None:
    refs = build_the_year(store, clock)
    rows = year_rows(store, date(2027, 4, 10))

    referrals = {m: rows[("months", m, "Referrals received")] for m in ("Apr 2026", "Jun 2026", "Mar 2027", "May 2026")}
    assert referrals == {"Apr 2026": "1", "Jun 2026": "1", "Mar 2027": "1", "May 2026": "0"}
    assert rows[("months", "Total", "Referrals received")] == "3"
    # The review was open from its decision (8 May) to its completion (1 Dec): open at the end of May to Nov.
    open_at_end = [rows[("months", m.label, "Reviews open at the month's end")] for m in YEAR.months()]
    assert open_at_end == ["0", "1", "1", "1", "1", "1", "1", "1", "0", "0", "0", "0"]
    assert rows[("months", "Dec 2026", "Reviews open during the month")] == "1"
    assert rows[("decisions", "Serious case review", "Decisions")] == "1"
    assert rows[("decisions", "No review", "Decisions")] == "1"
    assert rows[("decisions", "Total", "Decisions")] == "2"

    # Referral to decision: 28 and 19 days; the March referral undecided: open.
    assert rows[("stages", "Referral to decision", "Ended in the period")] == "2"
    assert rows[("stages", "Referral to decision", "Shortest")] == "19"
    assert rows[("stages", "Referral to decision", "Longest")] == "28"
    assert rows[("stages", "Referral to decision", "Median")] == "23.5"
    assert rows[("stages", "Referral to decision", "Open at the period's end")] == "1"
    assert rows[("stages", "Decision to completion", "Median")] == "207"  # 8 May to 1 Dec
    assert rows[("stages", "Completion to publication", "Median")] == "62"  # 1 Dec to 1 Feb

    # The chair's decision met by the decisions themselves, on time; the police's records 3 days late.
    assert rows[("duties", "chair_decision", "On time")] == "2"
    assert rows[("duties", "records_secured", "Late")] == "1"
    assert rows[("duties", "records_secured", "Median days late")] == "3"
    assert rows[("agencies.1", "Testshire Police", "Late")] == "1"
    # Health never confirmed its records for any of the three cases, all due by late March: overdue.
    assert rows[("agencies.1", "Testshire Community Health", "Open, overdue")] == "3"
    # Completed 1 Dec, due 18 Dec once extended: on time.
    assert rows[("duties", "review_complete", "On time")] == "1"
    assert rows[("duties", "review_complete", "Late")] == "0"
    due = sum(
        int(v)
        for (s, item, m), v in rows.items()
        if s == "duties" and m == "Due in the period" and item != "All duties"
    )
    parts = ("On time", "Late", "Open, overdue", "Open, not yet due")
    assert rows[("duties", "All duties", "Due in the period")] == str(due)
    assert sum(int(rows[("duties", "All duties", p)]) for p in parts) == due

    assert rows[("extensions", "Agency delay", "Extensions")] == "1"
    assert rows[("extensions", "Reviews extended", "Extensions")] == "1"
    assert rows[("costs", refs["review"], "Reviewer fees")] == "1000.00"
    assert rows[("costs", refs["review"], "Other")] == "12.34"
    assert rows[("costs", "Total", "Total")] == "1012.34"
    assert not any(item == refs["no_review"] for (s, item, _m) in rows if s == "costs")


def test_a_period_with_no_cases_is_empty_not_an_error(store: Store, clock: FixedClock) -> None:
    build_the_year(store, clock)
    figures = store.figures(reporting_year("2030-31"), today=date(2027, 4, 10))
    assert figures.empty and figures.referrals == 0 and figures.costs == ()


def test_the_rows_read_give_the_figures_the_histories_give(store: Store) -> None:
    """Three hundred made-up histories and the hand-known year (a case with no referral date among them: open,
    never dropped) written to the tables and read back: the same figures as the pure core gives from the
    histories themselves (nothing lost or added by the five queries)."""
    histories = [*CASES, *synthetic_histories(300)]
    seed_histories(store.engine, store.board, histories)
    for period, today in ((YEAR, AFTER_THE_YEAR), (between(date(2026, 6, 1), date(2026, 9, 30)), date(2026, 10, 1))):
        expected = board_figures(
            histories,
            period,
            declared=store.pack.figures,
            rule_order=[r.id for r in store.pack.rules],
            extension_reasons=store.board.figures.extension_reasons,
            today=today,
        )
        assert store.figures(period, today=today) == expected


def test_a_case_with_no_referral_date_is_open_not_dropped(store: Store) -> None:
    seed_histories(store.engine, store.board, CASES)
    figures = store.figures(YEAR, today=AFTER_THE_YEAR)
    [to_decision, _, _] = figures.stages
    assert to_decision.still_open == 2  # SCR-2026-0005 (no referral date) and SCR-2026-0004 (not decided)
    assert figures.referrals == 5 and figures.decided == 5
