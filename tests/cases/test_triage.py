"""Notifiable-incident triage (Children Act 2004 s.16C, 004 §2.2): each branch names its clause; "not known"
never counts as "no"."""

from __future__ import annotations

import pytest

from cases.answers import Answer
from cases.criteria import CriteriaAnswers
from cases.triage import IncidentAnswers, triage

Y, N, U = Answer.YES, Answer.NO, Answer.UNKNOWN


@pytest.mark.parametrize(
    ("abuse", "died", "harmed", "in_area", "outside", "looked_after", "notifiable", "to_panel", "clauses"),
    [
        # died in the area, abuse or neglect suspected: s.16C(1)(a), to the Panel
        (Y, Y, N, Y, N, N, Y, Y, ["Children Act 2004 s.16C(1)(a); 004 §2.2"]),
        # seriously harmed in the area
        (Y, N, Y, Y, N, N, Y, Y, ["Children Act 2004 s.16C(1)(a); 004 §2.2"]),
        # normally resident here, harmed outside England: s.16C(1)(b)
        (Y, N, Y, N, Y, N, Y, Y, ["Children Act 2004 s.16C(1)(b)"]),
        # a looked-after child died, no abuse or neglect suspected: s.16C(2), to the SoS and Ofsted, not the Panel
        (N, Y, N, Y, N, Y, Y, N, ["Children Act 2004 s.16C(2); 004 §2.2"]),
        # not known whether abuse or neglect is suspected: the duty stays open
        (U, N, Y, Y, N, N, U, U, []),
        # harmed, but no abuse or neglect known or suspected, not looked after: not notifiable
        (N, N, Y, Y, N, N, N, N, []),
        # harmed elsewhere in England, not resident here: another authority notifies
        (Y, N, Y, N, N, N, N, N, []),
    ],
    ids=["died", "seriously_harmed", "outside_england", "looked_after", "not_known", "no_abuse", "elsewhere"],
)
def test_each_branch_of_s16c_names_its_clause(
    abuse: Answer,
    died: Answer,
    harmed: Answer,
    in_area: Answer,
    outside: Answer,
    looked_after: Answer,
    notifiable: Answer,
    to_panel: Answer,
    clauses: list[str],
) -> None:
    criteria = CriteriaAnswers(abuse_or_neglect=abuse, child_died=died, seriously_harmed=harmed)
    result = triage(criteria, IncidentAnswers(in_area=in_area, outside_england=outside, looked_after=looked_after))
    assert (result.notifiable, result.to_panel) == (notifiable, to_panel)
    assert [b.clause for b in result.met] == clauses
    for clause in clauses:
        assert clause in result.line


def test_not_known_says_the_duty_stays_open_and_asks_the_business_unit() -> None:
    result = triage(CriteriaAnswers(seriously_harmed=Y), IncidentAnswers(in_area=Y))
    assert result.notifiable is U
    assert "duty stays open" in result.line and "business unit confirms" in result.line
    assert "s.16C(1)(a)" in result.line


def test_not_notifiable_says_so_with_the_clause() -> None:
    result = triage(CriteriaAnswers(abuse_or_neglect=N, seriously_harmed=Y), IncidentAnswers(looked_after=N))
    assert result.notifiable is N and "s.16C" in result.line and "Not a notifiable" in result.line
