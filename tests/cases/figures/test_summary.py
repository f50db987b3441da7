"""The compliance picture in a few words (App Home, Teams, the weekly digest), from the hand-known year."""

from __future__ import annotations

from datetime import date

from cases.figures.compute import BoardFigures, board_figures
from cases.figures.summary import compliance_line, compliance_lines
from tests.support.figure_year import AFTER_THE_YEAR, CASES, DECLARED, REASONS, RULE_ORDER, YEAR


def figures_on(today: date) -> BoardFigures:
    return board_figures(CASES, YEAR, declared=DECLARED, rule_order=RULE_ORDER, extension_reasons=REASONS, today=today)


def test_the_year_in_a_few_lines() -> None:
    lines = compliance_lines(figures_on(AFTER_THE_YEAR), bold=lambda s: f"*{s}*")
    assert lines == [
        "*Figures 2026-27* (for the year, to 31 Mar 2027)",
        # 11 due in the year, one (31 Mar, the year's last day) not yet due: 10 fallen due.
        "Statutory duties: 5 of 10 met on time (50%), 3 late (median 12 days late), 2 overdue",
        "Agencies on time: records secured 0%, agency reports 100%",
        "Referrals 5 · decisions 5 · reviews open 1 · extensions 3 · spent £1,350.00",
    ]
    assert compliance_line(figures_on(AFTER_THE_YEAR)) == (
        "Figures 2026-27 for the year: 5 of 10 statutory duties met on time (50%), 3 late, 2 overdue; 1 review open."
    )


def test_early_in_the_year_before_anything_is_due() -> None:
    early = board_figures(
        [], YEAR, declared=DECLARED, rule_order=RULE_ORDER, extension_reasons=REASONS, today=date(2026, 4, 15)
    )
    assert compliance_line(early) == "Figures 2026-27 so far: no statutory duty has fallen due yet; 0 reviews open."
    assert compliance_lines(early, bold=str) == [
        "Figures 2026-27 (so far, to 15 Apr 2026)",
        "Statutory duties: none has fallen due yet",
        "Referrals 0 · decisions 0 · reviews open 0 · extensions 0 · spent £0.00",
    ]
