"""Criteria pre-classification (004 §4.2-4.6): each result names its clause; unknown is never "not met"."""

from __future__ import annotations

import pytest

from cases.answers import Answer
from cases.criteria import Category, CriteriaAnswers, classify

Y, N, U = Answer.YES, Answer.NO, Answer.UNKNOWN


def status(answers: CriteriaAnswers, clause: str) -> Answer:
    return next(r.status for r in classify(answers).results if r.clause == clause)


@pytest.mark.parametrize(
    ("answers", "clause", "expected"),
    [
        (dict(abuse_or_neglect=Y, child_died=Y), "004 §4.4(i)", Y),
        (dict(abuse_or_neglect=Y, child_died=N), "004 §4.4(i)", N),
        (dict(abuse_or_neglect=U, child_died=Y), "004 §4.4(i)", U),
        (dict(abuse_or_neglect=N, child_died=U), "004 §4.4(i)", N),
        # 004 §4.4(ii): "unless it is clear that there are no concerns about inter-agency working".
        (dict(abuse_or_neglect=Y, seriously_harmed=Y, concerns_about_working_together=U), "004 §4.4(ii)", Y),
        (dict(abuse_or_neglect=Y, seriously_harmed=Y, concerns_about_working_together=N), "004 §4.4(ii)", N),
        (dict(abuse_or_neglect=Y, seriously_harmed=U), "004 §4.4(ii)", U),
        (dict(child_died=Y, died_in_custody=Y), "004 §4.5(iii)", Y),
        (dict(child_died=Y, died_in_custody=U), "004 §4.5(iii)", U),
        (dict(life_threatening_injury=Y, concerns_about_working_together=Y), "004 §4.6(iv)", Y),
        (dict(life_threatening_injury=Y, concerns_about_working_together=U), "004 §4.6(iv)", U),
        (dict(seriously_harmed_by_sexual_abuse=Y, concerns_about_working_together=N), "004 §4.6(v)", N),
        (dict(parent_murdered_homicide_review=Y, concerns_about_working_together=Y), "004 §4.6(vi)", Y),
        (dict(killed_by_parent_with_mental_illness=Y, concerns_about_working_together=Y), "004 §4.6(vii)", Y),
        (dict(seriously_harmed_by_violent_assault=Y, concerns_about_working_together=Y), "004 §4.6(viii)", Y),
        (dict(looked_after=Y), "004 §4.6 Q3", Y),
        (dict(), "004 §4.6 Q8", U),
    ],
)
def test_criterion(answers: dict[str, Answer], clause: str, expected: Answer) -> None:
    assert status(CriteriaAnswers(**answers), clause) is expected


def test_every_result_names_a_clause_and_category() -> None:
    results = classify(CriteriaAnswers()).results
    assert {r.category for r in results} == set(Category)
    assert all(r.clause.startswith("004 §4.") for r in results)
    assert len({r.clause for r in results}) == len(results)


@pytest.mark.parametrize(
    ("answers", "summary_starts"),
    [
        (dict(abuse_or_neglect=Y, child_died=Y), "a mandatory SCR criterion appears to be met (004 §4.4(i))"),
        (dict(child_died=Y, died_in_custody=Y, abuse_or_neglect=N), "an 'always carry out' criterion"),
        (dict(), "not yet known whether criteria are met"),
        (
            {name: N for name in CriteriaAnswers.model_fields},
            "no SCR criterion appears to be met on the answers given",
        ),
    ],
)
def test_summary_is_information_with_clauses(answers: dict[str, Answer], summary_starts: str) -> None:
    assert classify(CriteriaAnswers(**answers)).summary.startswith(summary_starts)


def test_unknown_answers_keep_criteria_open_rather_than_not_met() -> None:
    only_some_known = CriteriaAnswers(abuse_or_neglect=Y)
    summary = classify(only_some_known).summary
    assert "no SCR criterion" not in summary
    assert "004 §4.4(i)" in summary


WORKED = ", with concerns about how local professionals and services worked together"

# What the board reads for each criterion, in order, with the seed clause it rests on (004 §4.4-4.6).
CRITERIA = [
    (Category.MANDATORY, "004 §4.4(i)", "Abuse or neglect known or suspected and the child has died"),
    (
        Category.MANDATORY,
        "004 §4.4(ii)",
        "Abuse or neglect known or suspected, the child seriously harmed, and it is not clear that there are "
        "no concerns about inter-agency working",
    ),
    (
        Category.ALWAYS,
        "004 §4.5(iii)",
        "The child died in custody, on remand, in secure accommodation, detained under the Mental Health Act "
        "or under a deprivation of liberty order",
    ),
    (
        Category.SHOULD_CONSIDER,
        "004 §4.6(iv)",
        "Potentially life-threatening injury or serious and permanent impairment" + WORKED,
    ),
    (
        Category.SHOULD_CONSIDER,
        "004 §4.6(v)",
        "Seriously harmed as a result of sexual abuse" + WORKED,
    ),
    (
        Category.SHOULD_CONSIDER,
        "004 §4.6(vi)",
        "Parent murdered and a homicide review initiated" + WORKED,
    ),
    (
        Category.SHOULD_CONSIDER,
        "004 §4.6(vii)",
        "Killed by a parent with a mental illness" + WORKED,
    ),
    (
        Category.SHOULD_CONSIDER,
        "004 §4.6(viii)",
        "Seriously harmed following a violent assault" + WORKED,
    ),
    (
        Category.LEARNING_INDICATOR,
        "004 §4.6 Q1",
        "Significant harm not recognised, not shared, or not acted on appropriately",
    ),
    (Category.LEARNING_INDICATOR, "004 §4.6 Q2", "Abused or neglected in an institutional setting"),
    (Category.LEARNING_INDICATOR, "004 §4.6 Q3", "Abused or neglected while looked after by the local authority"),
    (Category.LEARNING_INDICATOR, "004 §4.6 Q4", "Member of a family recently moved to the UK"),
    (Category.LEARNING_INDICATOR, "004 §4.6 Q5", "Harm during an unauthorised absence or after running away"),
    (
        Category.LEARNING_INDICATOR,
        "004 §4.6 Q6",
        "An agency considers its concerns were not taken seriously by another",
    ),
    (Category.LEARNING_INDICATOR, "004 §4.6 Q7", "Possible failings in local safeguarding procedures beyond this case"),
    (Category.LEARNING_INDICATOR, "004 §4.6 Q8", "Subject of a child protection plan now or before"),
    (Category.LEARNING_INDICATOR, "004 §4.6 Q9", "Implications for a range of agencies or professionals"),
    (Category.LEARNING_INDICATOR, "004 §4.6 Q10", "Local protocols may need to change or are not understood"),
    (Category.LEARNING_INDICATOR, "004 §4.6 Q11", "National implications or a public interest in a review"),
]


def test_every_criterion_in_order_with_its_clause_and_wording() -> None:
    results = classify(CriteriaAnswers()).results
    assert [(r.category, r.clause, r.text) for r in results] == CRITERIA
    assert {r.status for r in results} == {U}  # nothing answered: nothing met, nothing ruled out
