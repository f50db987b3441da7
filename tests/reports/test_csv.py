"""The CSV of the board's figures, every number asserted against a synthetic year whose figures are known by
hand (tests/support/figure_year.py)."""

from __future__ import annotations

import csv
import io

from cases.figures.compute import board_figures
from reports.page import render_csv
from reports.tables import Labels
from tests.support.figure_year import AFTER_THE_YEAR, CASES, DECLARED, REASONS, RULE_ORDER, YEAR

LABELS = Labels(agencies={"police": "Testshire Police", "health": "Testshire Community Health"})

MONTHS = [  # month, referrals, reviews open during it, reviews open at its end
    ("Apr 2026", 2, 1, 1),
    ("May 2026", 1, 2, 2),
    ("Jun 2026", 1, 3, 3),
    ("Jul 2026", 0, 4, 3),
    ("Aug 2026", 0, 3, 3),
    ("Sep 2026", 0, 3, 3),
    ("Oct 2026", 0, 3, 2),
    ("Nov 2026", 0, 2, 2),
    ("Dec 2026", 0, 2, 2),
    ("Jan 2027", 0, 2, 1),
    ("Feb 2027", 0, 1, 1),
    ("Mar 2027", 1, 1, 1),
]

EXPECTED_UNSUPPRESSED = """\
section,item,measure,value
period,2026-27,start,2026-04-01
period,2026-27,end,2027-03-31
period,2026-27,small numbers,not suppressed
{months}
months,Total,Referrals received,5
decisions,Serious case review,Decisions,3
decisions,Multi-agency review,Decisions,1
decisions,Single agency review,Decisions,0
decisions,Referred to another board,Decisions,0
decisions,No review,Decisions,1
decisions,Other,Decisions,0
decisions,Total,Decisions,5
stages,Referral to decision,Ended in the period,4
stages,Referral to decision,Shortest,20
stages,Referral to decision,Lower quartile,26
stages,Referral to decision,Median,29
stages,Referral to decision,Upper quartile,33
stages,Referral to decision,Longest,42
stages,Referral to decision,Mean,30
stages,Referral to decision,Open at the period's end,2
stages,Decision to completion,Ended in the period,3
stages,Decision to completion,Shortest,172
stages,Decision to completion,Lower quartile,174
stages,Decision to completion,Median,176
stages,Decision to completion,Upper quartile,202
stages,Decision to completion,Longest,228
stages,Decision to completion,Mean,192
stages,Decision to completion,Open at the period's end,1
stages,Completion to publication,Ended in the period,2
stages,Completion to publication,Shortest,62
stages,Completion to publication,Lower quartile,64.25
stages,Completion to publication,Median,66.5
stages,Completion to publication,Upper quartile,68.75
stages,Completion to publication,Longest,71
stages,Completion to publication,Mean,66.5
stages,Completion to publication,Open at the period's end,1
{duties}
{agencies}
extensions,Parallel proceedings,Extensions,1
extensions,Agency delay,Extensions,2
extensions,Family involvement,Extensions,0
extensions,Reviewer availability,Extensions,0
extensions,Other,Extensions,0
extensions,Total,Extensions,3
extensions,Reviews extended,Extensions,2
costs,SCR-2026-0001,Reviewer fees,1000.00
costs,SCR-2026-0001,Panel hours,300.00
costs,SCR-2026-0001,Author hours,0.00
costs,SCR-2026-0001,Other,0.00
costs,SCR-2026-0001,Total,1300.00
costs,SCR-2026-0002,Reviewer fees,0.00
costs,SCR-2026-0002,Panel hours,0.00
costs,SCR-2026-0002,Author hours,0.00
costs,SCR-2026-0002,Other,50.00
costs,SCR-2026-0002,Total,50.00
costs,Total,Reviewer fees,1000.00
costs,Total,Panel hours,300.00
costs,Total,Author hours,0.00
costs,Total,Other,50.00
costs,Total,Total,1350.00
costs,Median per review,Total,675.00
"""

DUTY_MEASURES = ("Due in the period", "On time", "Late", "Open, overdue", "Open, not yet due", "Median days late")
DUTIES = [  # rule: due, on time, late, open overdue, open not yet due, median days late ("" when none late)
    ("chair_decision", 3, 2, 1, 0, 0, "12"),
    ("records_secured", 2, 0, 1, 1, 0, "5"),
    ("imr_submitted", 2, 1, 0, 0, 1, ""),
    ("review_complete", 4, 2, 1, 1, 0, "45"),
    ("All duties", 11, 5, 3, 2, 1, "12"),
]
AGENCIES = [  # group, agency: the same measures
    ("agencies.1", "Testshire Community Health", 1, 0, 0, 1, 0, ""),
    ("agencies.1", "Testshire Police", 1, 0, 1, 0, 0, "5"),
    ("agencies.2", "Testshire Community Health", 1, 1, 0, 0, 0, ""),
    ("agencies.2", "Testshire Police", 1, 0, 0, 0, 1, ""),
]


def _quoted(measure: str) -> str:
    return f'"{measure}"' if "," in measure else measure


def _tally_lines(section: str, item: str, values: tuple[object, ...]) -> list[str]:
    return [f"{section},{item},{_quoted(m)},{v}" for m, v in zip(DUTY_MEASURES, values, strict=True) if v != ""]


def expected_csv() -> str:
    months = [
        f"months,{m},{measure},{v}"
        for m, *values in MONTHS
        for measure, v in zip(
            ("Referrals received", "Reviews open during the month", "Reviews open at the month's end"),
            values,
            strict=True,
        )
    ]
    duties = [line for rule, *values in DUTIES for line in _tally_lines("duties", rule, tuple(values))]
    agencies = [line for s, a, *values in AGENCIES for line in _tally_lines(s, a, tuple(values))]
    return EXPECTED_UNSUPPRESSED.format(
        months="\n".join(months), duties="\n".join(duties), agencies="\n".join(agencies)
    )


def year_csv(*, suppress: bool) -> str:
    figures = board_figures(
        CASES, YEAR, declared=DECLARED, rule_order=RULE_ORDER, extension_reasons=REASONS, today=AFTER_THE_YEAR
    )
    return render_csv(figures, LABELS, suppress=suppress)


def test_every_number_of_the_year_as_known_by_hand() -> None:
    got = year_csv(suppress=False).splitlines()
    want = expected_csv().splitlines()
    for line_got, line_want in zip(got, want, strict=False):
        assert line_got == line_want
    assert len(got) == len(want)


def test_small_numbers_are_fewer_than_5_in_the_published_copy() -> None:
    rows = list(csv.DictReader(io.StringIO(year_csv(suppress=True))))
    value = {(r["section"], r["item"], r["measure"]): r["value"] for r in rows}
    assert value[("period", "2026-27", "small numbers")] == "suppressed"
    assert value[("months", "Apr 2026", "Referrals received")] == "fewer than 5"
    assert value[("months", "Jul 2026", "Referrals received")] == "0"  # nothing to recognise in a zero
    assert value[("months", "Total", "Referrals received")] == "5"
    assert value[("decisions", "Serious case review", "Decisions")] == "fewer than 5"
    assert value[("decisions", "Total", "Decisions")] == "5"
    # A distribution over fewer than 5 stages shows none of its durations (each end would be one case).
    assert value[("stages", "Referral to decision", "Median")] == "fewer than 5"
    assert value[("duties", "All duties", "Due in the period")] == "11"
    assert value[("duties", "All duties", "On time")] == "5"
    # Costs are money, not counts of children: shown as they are.
    assert value[("costs", "Total", "Total")] == "1350.00"
    counts = [r for r in rows if r["section"] not in ("period", "costs", "stages")]
    assert all(r["value"] not in {"1", "2", "3", "4"} for r in counts)
