"""Rules packs read from text: limits in words, each rule's sentence, and the reasons a pack is refused."""

from __future__ import annotations

import pytest

from cases.events import CaseEvent, Outcome
from cases.packs import DEFAULT_PACK, bundled_pack, bundled_pack_names
from cases.rules import (
    BeforeRule,
    EveryMonths,
    Fact,
    Limit,
    MonthsAfter,
    Rule,
    RulesPack,
    RulesPackError,
    UnknownRule,
    WeeksAfter,
    WorkingDaysAfter,
    WorkingDaysBefore,
)


@pytest.mark.parametrize(
    ("limit", "words"),
    [
        (WorkingDaysAfter(working_days=1), "1 working day"),
        (WorkingDaysAfter(working_days=5), "5 working days"),
        (WorkingDaysAfter(working_days=0), "0 working days"),
        (WorkingDaysBefore(working_days_before=7), "7 working days before"),
        (WeeksAfter(weeks=1), "1 week"),
        (WeeksAfter(weeks=3), "3 weeks"),
        (MonthsAfter(months=1), "1 month"),
        (MonthsAfter(months=6), "6 months"),
        (BeforeRule(before_rule="subgroup_meeting"), "before subgroup_meeting"),
        (EveryMonths(every_months=3), "every 3 months"),
    ],
)
def test_limits_in_words(limit: Limit, words: str) -> None:
    assert limit.describe() == words


def rule(limit: Limit, **extra: object) -> Rule:
    values: dict[str, object] = {
        "id": "r",
        "starts_on": CaseEvent.REFERRAL_RECEIVED,
        "action": "do it",
        "who": "The board",
        "limit": limit,
        "source": "004 §1",
    }
    values.update(extra)
    return Rule.model_validate(values)


@pytest.mark.parametrize(
    ("made", "sentence"),
    [
        (
            rule(WorkingDaysAfter(working_days=5)),
            "The board: do it, within 5 working days of referral_received. Source: 004 §1.",
        ),
        (
            rule(WorkingDaysBefore(working_days_before=7), starts_on=CaseEvent.PUBLICATION_PLANNED),
            "The board: do it, at least 7 working days before publication_planned. Source: 004 §1.",
        ),
        (
            rule(BeforeRule(before_rule="x")),
            "The board: do it, before x, from referral_received. Source: 004 §1.",
        ),
        (
            rule(EveryMonths(every_months=3), starts_on=CaseEvent.REPORT_PUBLISHED),
            "The board: do it, every 3 months from report_published. Source: 004 §1.",
        ),
        (
            rule(MonthsAfter(months=12), minimum_period=True),
            "The board: do it, for at least 12 months from referral_received. Source: 004 §1.",
        ),
        (
            rule(
                WeeksAfter(weeks=2),
                starts_on=CaseEvent.DECISION_MADE,
                outcomes=(Outcome.SCR, Outcome.NO_REVIEW),
                requires=(Fact.LEARNING_DISABILITY, Fact.CHILD_DIED),
            ),
            "The board: do it, within 2 weeks of decision_made (outcome scr, no_review)"
            " (only if learning disability and child died). Source: 004 §1.",
        ),
    ],
)
def test_each_rule_says_itself_in_one_sentence(made: Rule, sentence: str) -> None:
    assert made.text == sentence
    assert made.limit_text == made.limit.describe()


PACK = """
[pack]
id = "test-pack"
title = "Test"

[[rules]]
id = "first"
starts_on = "referral_received"
action = "a"
who = "w"
limit = { kind = "working_days", working_days = 5 }
source = "s"

[[rules]]
id = "second"
starts_on = "referral_received"
action = "b"
who = "w"
limit = { kind = "before_rule", before_rule = "first" }
source = "s"

[[rules]]
id = "third"
starts_on = "decision_made"
action = "c"
who = "w"
limit = { kind = "weeks", weeks = 2 }
source = "s"
"""


def test_a_pack_read_from_text() -> None:
    pack = RulesPack.from_toml(PACK)
    assert pack.id == "test-pack"
    assert [r.id for r in pack.rules_started_by(CaseEvent.REFERRAL_RECEIVED)] == ["first", "second"]
    assert [r.id for r in pack.rules_started_by(CaseEvent.DECISION_MADE)] == ["third"]
    assert pack.rules_started_by(CaseEvent.REPORT_PUBLISHED) == []
    assert pack.rule("third").action == "c"
    with pytest.raises(UnknownRule) as unknown:
        pack.rule("fourth")
    assert str(unknown.value) == "no rule 'fourth' in the rules pack"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('id = "first"', 'id = "second"'), "my pack: rule ids appear twice: second"),
        (
            ('before_rule = "first"', 'before_rule = "nowhere"'),
            "my pack: rule second is due before unknown rule nowhere",
        ),
        (('starts_on = "decision_made"', 'starts_on = "decision_made"\noutcomes = ["scr"]'), None),
        (
            (
                'id = "first"\nstarts_on = "referral_received"',
                'id = "first"\nstarts_on = "referral_received"\noutcomes = ["scr"]',
            ),
            "my pack: rule first: outcomes only apply to rules started by or after decision_made",
        ),
        (
            ('limit = { kind = "weeks", weeks = 2 }', 'limit = { kind = "before_rule", before_rule = "second" }'),
            "my pack: rule third: 'before_rule' may not point at another 'before_rule' rule",
        ),
        (('id = "first"', 'id = "First"'), "my pack: rules.0.id: String should match pattern '^[a-z][a-z0-9_]*$'"),
    ],
)
def test_a_pack_that_cannot_be_used_is_refused_with_the_reason(change: tuple[str, str], message: str | None) -> None:
    text = PACK.replace(change[0], change[1], 1)
    if message is None:
        assert RulesPack.from_toml(text, origin="my pack").rule("third").outcomes == (Outcome.SCR,)
        return
    with pytest.raises(RulesPackError) as refused:
        RulesPack.from_toml(text, origin="my pack")
    assert str(refused.value) == message


def test_a_pack_that_is_not_toml() -> None:
    with pytest.raises(RulesPackError, match=r"^rules pack: not valid TOML: ") as refused:
        RulesPack.from_toml("[pack")
    assert str(refused.value).startswith("rules pack: not valid TOML: Expected ']'")


def test_the_bundled_packs() -> None:
    assert bundled_pack_names() == ["hackney-2017", "wt2023"]
    assert DEFAULT_PACK == "hackney-2017"
    for name in bundled_pack_names():
        assert bundled_pack(name).id == name
    assert bundled_pack("hackney-2017").rule("records_secured").per_agency is True
    with pytest.raises(RulesPackError) as unknown:
        bundled_pack("hackney")
    assert str(unknown.value) == "unknown rules pack 'hackney'; bundled packs: hackney-2017, wt2023"
