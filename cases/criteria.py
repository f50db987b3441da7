"""Criteria pre-classification from 004 §4.2-4.6, shown to the board as information.

Each result names the clause it rests on. Answers are three-valued and "unknown" never counts as "not
met": a criterion with an unknown part is reported as "unknown", never dropped. The board's decision and
its rationale are recorded separately; nothing here decides anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from cases.answers import Answer

U = Answer.UNKNOWN


class CriteriaAnswers(BaseModel):
    """What the referrer knows about the circumstances; every answer defaults to unknown."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # 004 §4.2 / §4.4
    abuse_or_neglect: Answer = Field(default=U, title="Abuse or neglect known or suspected")
    child_died: Answer = Field(default=U, title="The child has died (including suspected suicide)")
    seriously_harmed: Answer = Field(default=U, title="The child has been seriously harmed (004 §4.3)")
    concerns_about_working_together: Answer = Field(
        default=U, title="Cause for concern about how agencies worked together to safeguard the child"
    )
    # 004 §4.5 (iii)
    died_in_custody: Answer = Field(
        default=U,
        title="The child died in custody, on remand, in a YOI, secure training centre or secure children's "
        "home, detained under the Mental Health Act, or under a deprivation of liberty order",
    )
    # 004 §4.6 (iv)-(viii)
    life_threatening_injury: Answer = Field(
        default=U,
        title="Potentially life-threatening injury or serious and permanent impairment through abuse or neglect",
    )
    seriously_harmed_by_sexual_abuse: Answer = Field(default=U, title="Seriously harmed as a result of sexual abuse")
    parent_murdered_homicide_review: Answer = Field(
        default=U, title="A parent has been murdered and a domestic homicide review is being initiated"
    )
    killed_by_parent_with_mental_illness: Answer = Field(
        default=U, title="The child was killed by a parent with a mental illness"
    )
    seriously_harmed_by_violent_assault: Answer = Field(
        default=U, title="Seriously harmed following a violent assault by another child or an adult"
    )
    # 004 §4.6, second list: questions whose "yes" indicates a review could yield useful lessons
    harm_not_recognised_shared_or_acted_on: Answer = Field(
        default=U, title="Significant harm not recognised, not shared, or not acted on appropriately"
    )
    institutional_setting: Answer = Field(default=U, title="Abused or neglected in an institutional setting")
    looked_after: Answer = Field(default=U, title="Abused or neglected while looked after by the local authority")
    recently_moved_to_uk: Answer = Field(default=U, title="Member of a family recently moved to the UK")
    harm_during_absence: Answer = Field(default=U, title="Harm during an unauthorised absence or after running away")
    concerns_not_taken_seriously: Answer = Field(
        default=U, title="An agency considers its concerns were not taken seriously by another"
    )
    procedural_failings_beyond_case: Answer = Field(
        default=U, title="Possible failings in local safeguarding procedures beyond this case"
    )
    child_protection_plan: Answer = Field(default=U, title="Subject of a child protection plan now or before")
    implications_for_range_of_agencies: Answer = Field(
        default=U, title="Implications for a range of agencies or professionals"
    )
    protocols_may_need_change: Answer = Field(
        default=U, title="Local protocols may need to change or are not understood"
    )
    national_implications: Answer = Field(default=U, title="National implications or a public interest in a review")


class Category(StrEnum):
    MANDATORY = "mandatory"  # 004 §4.2, §4.4: must always be initiated
    ALWAYS = "always"  # 004 §4.5: should always be carried out
    SHOULD_CONSIDER = "should_consider"  # 004 §4.6 (iv)-(viii)
    LEARNING_INDICATOR = "learning_indicator"  # 004 §4.6 questions


@dataclass(frozen=True)
class CriterionResult:
    category: Category
    clause: str
    text: str
    status: Answer  # yes = met, no = not met, unknown = not known yet


@dataclass(frozen=True)
class Classification:
    results: tuple[CriterionResult, ...]

    def in_category(self, category: Category) -> list[CriterionResult]:
        return [r for r in self.results if r.category is category]

    @property
    def summary(self) -> str:
        """One line for the board; information only, never the decision."""
        for category, words in (
            (Category.MANDATORY, "a mandatory SCR criterion appears to be met"),
            (Category.ALWAYS, "an 'always carry out' criterion appears to be met"),
            (Category.SHOULD_CONSIDER, "a 'should consider' criterion appears to be met"),
        ):
            met = [r for r in self.in_category(category) if r.status is Answer.YES]
            if met:
                return f"{words} ({', '.join(r.clause for r in met)})"
        unknown = [
            r.clause
            for r in self.results
            if r.status is Answer.UNKNOWN and r.category is not Category.LEARNING_INDICATOR
        ]
        indicators = [r for r in self.in_category(Category.LEARNING_INDICATOR) if r.status is Answer.YES]
        parts = []
        if unknown:
            parts.append(f"not yet known whether criteria are met ({', '.join(unknown)})")
        else:
            parts.append("no SCR criterion appears to be met on the answers given")
        if indicators:
            parts.append(f"{len(indicators)} learning indicator(s) answered yes (004 §4.6)")
        return "; ".join(parts)


_INDICATORS: tuple[tuple[str, str], ...] = (
    ("harm_not_recognised_shared_or_acted_on", "004 §4.6 Q1"),
    ("institutional_setting", "004 §4.6 Q2"),
    ("looked_after", "004 §4.6 Q3"),
    ("recently_moved_to_uk", "004 §4.6 Q4"),
    ("harm_during_absence", "004 §4.6 Q5"),
    ("concerns_not_taken_seriously", "004 §4.6 Q6"),
    ("procedural_failings_beyond_case", "004 §4.6 Q7"),
    ("child_protection_plan", "004 §4.6 Q8"),
    ("implications_for_range_of_agencies", "004 §4.6 Q9"),
    ("protocols_may_need_change", "004 §4.6 Q10"),
    ("national_implications", "004 §4.6 Q11"),
)


def classify(answers: CriteriaAnswers) -> Classification:
    a = answers
    results: list[CriterionResult] = []

    def add(category: Category, clause: str, text: str, status: Answer) -> None:
        results.append(CriterionResult(category, clause, text, status))

    add(
        Category.MANDATORY,
        "004 §4.4(i)",
        "Abuse or neglect known or suspected and the child has died",
        Answer.all_of([a.abuse_or_neglect, a.child_died]),
    )
    # 004 §4.4(ii): "unless it is clear that there are no concerns about inter-agency working, a Serious
    # Case Review must be commissioned" - so only an explicit "no" to concerns defeats this criterion.
    concerns_unless_clearly_none = Answer.NO if a.concerns_about_working_together is Answer.NO else Answer.YES
    add(
        Category.MANDATORY,
        "004 §4.4(ii)",
        "Abuse or neglect known or suspected, the child seriously harmed, and it is not clear that there are "
        "no concerns about inter-agency working",
        Answer.all_of([a.abuse_or_neglect, a.seriously_harmed, concerns_unless_clearly_none]),
    )
    add(
        Category.ALWAYS,
        "004 §4.5(iii)",
        "The child died in custody, on remand, in secure accommodation, detained under the Mental Health Act "
        "or under a deprivation of liberty order",
        Answer.all_of([a.child_died, a.died_in_custody]),
    )
    concerns = a.concerns_about_working_together
    for clause, field, text in (
        (
            "004 §4.6(iv)",
            a.life_threatening_injury,
            "Potentially life-threatening injury or serious and permanent impairment",
        ),
        ("004 §4.6(v)", a.seriously_harmed_by_sexual_abuse, "Seriously harmed as a result of sexual abuse"),
        ("004 §4.6(vi)", a.parent_murdered_homicide_review, "Parent murdered and a homicide review initiated"),
        ("004 §4.6(vii)", a.killed_by_parent_with_mental_illness, "Killed by a parent with a mental illness"),
        ("004 §4.6(viii)", a.seriously_harmed_by_violent_assault, "Seriously harmed following a violent assault"),
    ):
        add(
            Category.SHOULD_CONSIDER,
            clause,
            f"{text}, with concerns about how local professionals and services worked together",
            Answer.all_of([field, concerns]),
        )
    for field_name, clause in _INDICATORS:
        title = CriteriaAnswers.model_fields[field_name].title or field_name
        add(Category.LEARNING_INDICATOR, clause, title, getattr(a, field_name))
    return Classification(tuple(results))
