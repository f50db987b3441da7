"""Reading what people type: UK day-first dates, yes/no/not known, numbers, choices."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cases.answers import Answer
from intake.conversation.parsing import NotUnderstood, match_choice, match_choices, parse_answer, parse_date

TODAY = date(2026, 11, 22)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-20", date(2026, 11, 20)),
        ("20/11/2026", date(2026, 11, 20)),
        ("20-11-2026", date(2026, 11, 20)),
        ("20.11.26", date(2026, 11, 20)),
        ("1/2/2026", date(2026, 2, 1)),  # day first: 1 February, not 2 January
        ("20 Nov 2026", date(2026, 11, 20)),
        ("20 November 2026", date(2026, 11, 20)),
        ("20th November 2026", date(2026, 11, 20)),
        ("1st of March 2024", date(2024, 3, 1)),
        ("November 20, 2026", date(2026, 11, 20)),
        ("  20  Sept  2026 ", date(2026, 9, 20)),
        ("1/7/98", date(1998, 7, 1)),  # two-digit year in the future: last century
        ("today", TODAY),
        ("Yesterday", date(2026, 11, 21)),
    ],
)
def test_dates_as_people_type_them(text: str, expected: date) -> None:
    assert parse_date(text, today=TODAY) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("31/02/2026", "not a real date"),
        ("29/02/2027", "not a real date"),
        ("13/13/2026", "no month 13"),
        ("11/20/2026", "no month 20"),  # a US-style date: said plainly, not silently misread
        ("20 Foo 2026", "'foo' is not a month"),
        ("next week", "not a date I can read"),
        ("", "no date given"),
    ],
)
def test_unreadable_dates_say_why(text: str, reason: str) -> None:
    with pytest.raises(NotUnderstood, match=reason):
        parse_date(text, today=TODAY)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)))
def test_every_date_round_trips_in_each_written_form(day: date) -> None:
    for text in (day.isoformat(), day.strftime("%d/%m/%Y"), day.strftime("%-d %B %Y"), day.strftime("%-d %b %Y")):
        assert parse_date(text) == day


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("yes", Answer.YES),
        ("Y", Answer.YES),
        ("no", Answer.NO),
        ("Not known", Answer.UNKNOWN),
        ("don't know", Answer.UNKNOWN),
        ("don’t know", Answer.UNKNOWN),
        ("unknown.", Answer.UNKNOWN),
    ],
)
def test_three_valued_answers(text: str, answer: Answer) -> None:
    assert parse_answer(text) is answer


CHOICES = [("female", "Female"), ("male", "Male"), ("not_known", "Not known")]


@pytest.mark.parametrize(
    ("text", "value"),
    [("1", "female"), ("male", "male"), ("Not known", "not_known"), ("not known", "not_known"), ("fem", "female")],
)
def test_choices_by_number_value_or_label(text: str, value: str) -> None:
    assert match_choice(text, CHOICES) == value


def test_unknown_choice_lists_the_options() -> None:
    with pytest.raises(NotUnderstood, match=r"1\. Female, 2\. Male, 3\. Not known"):
        match_choice("4", CHOICES)


def test_several_choices() -> None:
    assert match_choices("1, 3", CHOICES) == ["female", "not_known"]
    assert match_choices("1 2", CHOICES) == ["female", "male"]
