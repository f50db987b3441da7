"""The checks that need more than one field (or today's date), on raw data and on a parsed referral: each
case lists exactly the problems it must give, in order."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from cases.referral import age_on, cross_field_problems, cross_field_problems_in_data, parse_referral
from tests.factories import referral_data

TODAY = date(2026, 11, 22)
BASE: dict[str, Any] = {
    "referral_date": "2026-11-20",
    "incident_date": "2026-11-16",
    "child": {"date_of_birth": "2024-03-09"},
}
DOB = "Child's date of birth"
LA = "Date the local authority became aware"


def data(**changes: Any) -> dict[str, Any]:
    out = {**BASE, "child": dict(BASE["child"])}
    for key, value in changes.items():
        if "__" in key:
            outer, inner = key.split("__")
            out.setdefault(outer, {})[inner] = value
        else:
            out[key] = value
    return out


CASES: dict[str, tuple[dict[str, Any], list[tuple[str, str, str]]]] = {
    "nothing wrong": (data(), []),
    "referred in the future": (
        data(referral_date="2026-11-23", incident_date="2026-11-16"),
        [("referral_date", "Referral date", "2026-11-23 is in the future (today is 2026-11-22)")],
    ),
    "referred today": (data(referral_date="2026-11-22"), []),
    "incident after the referral": (
        data(incident_date="2026-11-21"),
        [
            (
                "incident_date",
                "Incident date",
                "2026-11-21 is after the referral date 2026-11-20; an incident is referred after it happens",
            )
        ],
    ),
    "incident on the referral day": (data(incident_date="2026-11-20"), []),
    "LA aware before the incident": (
        data(la_aware_date="2026-11-15"),
        [("la_aware_date", LA, "2026-11-15 is before the incident date 2026-11-16")],
    ),
    "LA aware on the incident day": (data(la_aware_date="2026-11-16"), []),
    "LA aware in the future": (
        data(la_aware_date="2026-11-23"),
        [("la_aware_date", LA, "2026-11-23 is in the future")],
    ),
    "LA aware today": (data(la_aware_date="2026-11-22"), []),
    "no date of birth nor age": (
        data(child__date_of_birth=None),
        [("child.date_of_birth", DOB, "give the date of birth, or the age if it is not known")],
    ),
    "an empty date of birth": (
        data(child__date_of_birth=""),
        [("child.date_of_birth", DOB, "give the date of birth, or the age if it is not known")],
    ),
    "age without a date of birth": (data(child__date_of_birth=None, child__age=2), []),
    "an age that is not a number": (
        data(child__date_of_birth=None, child__age="2"),
        [("child.date_of_birth", DOB, "give the date of birth, or the age if it is not known")],
    ),
    "an age given as yes": (
        data(child__date_of_birth=None, child__age=True),
        [("child.date_of_birth", DOB, "give the date of birth, or the age if it is not known")],
    ),
    "born in the future": (
        data(child__date_of_birth="2026-11-23"),
        [("child.date_of_birth", DOB, "is in the future (today is 2026-11-22)")],
    ),
    "born after the incident": (
        data(child__date_of_birth="2026-11-17"),
        [("child.date_of_birth", DOB, "is after the incident date 2026-11-16")],
    ),
    "born on the incident day": (data(child__date_of_birth="2026-11-16"), []),
    "eighteen on the incident date": (
        data(child__date_of_birth="2008-11-16"),
        [("child.date_of_birth", DOB, "gives an age of 18 on the incident date; a child is under 18")],
    ),
    "seventeen the day before": (data(child__date_of_birth="2008-11-17"), []),
    "age matches the incident date": (data(child__age=2), []),
    "age matches the referral date": (data(child__date_of_birth="2024-11-18", child__age=2), []),
    "age matches neither": (
        data(child__age=5),
        [("child.age", "Age", "does not match the date of birth (the child was 2 on the incident date)")],
    ),
    "parents born after the referral": (
        data(mother__date_of_birth="2026-11-21", father__date_of_birth="2026-11-21"),
        [
            ("mother.date_of_birth", "Mother's date of birth", "is after the referral date 2026-11-20"),
            ("father.date_of_birth", "Father's date of birth", "is after the referral date 2026-11-20"),
        ],
    ),
    "parents born on the referral day": (
        data(mother__date_of_birth="2026-11-20", father__date_of_birth="2026-11-20"),
        [],
    ),
    "a sibling born after the referral": (
        data(siblings=[{"date_of_birth": "2020-01-01"}, {"date_of_birth": "2026-11-21"}, "junk"]),
        [("siblings.1.date_of_birth", "Sibling's date of birth", "is after the referral date 2026-11-20")],
    ),
    "an other reason without detail": (
        data(reasons=[{"kind": "fits_scr_criteria"}, {"kind": "other"}, {"kind": "other", "detail": "x"}, "junk"]),
        [("reasons.1.detail", "Reason detail", "'Other' needs a short description")],
    ),
    "unreadable dates are left to the field checks": (
        data(referral_date="garbage", incident_date="2026-13-01", child__date_of_birth="2026-11-30"),
        [("child.date_of_birth", DOB, "is in the future (today is 2026-11-22)")],
    ),
    "siblings and reasons that are not lists": (data(siblings="none", reasons={"kind": "other"}), []),
}


@pytest.mark.parametrize("name", list(CASES))
def test_cross_field_checks_on_raw_data(name: str) -> None:
    raw, expected = CASES[name]
    found = [(p.field, p.label, p.message) for p in cross_field_problems_in_data(raw, today=TODAY)]
    assert found == expected


def test_without_today_the_future_is_not_checked() -> None:
    raw = data(referral_date="2026-11-30", incident_date="2026-11-16", la_aware_date="2026-11-29")
    assert cross_field_problems_in_data(raw) == []


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, []),
        (
            {"incident_date": "2026-11-21"},
            [
                (
                    "incident_date",
                    "2026-11-21 is after the referral date 2026-11-20; an incident is referred after it happens",
                ),
                ("la_aware_date", "2026-11-17 is before the incident date 2026-11-21"),
            ],
        ),
        ({"la_aware_date": "2026-11-15"}, [("la_aware_date", "2026-11-15 is before the incident date 2026-11-16")]),
        (
            {"mother.date_of_birth": "2026-11-21"},
            [("mother.date_of_birth", "is after the referral date 2026-11-20")],
        ),
        (
            {"father.date_of_birth": "2026-11-21"},
            [("father.date_of_birth", "is after the referral date 2026-11-20")],
        ),
        (
            {"child.age": 7},
            [("child.age", "does not match the date of birth (the child was 2 on the incident date)")],
        ),
    ],
)
def test_the_same_checks_on_a_parsed_referral(overrides: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    # A referral as a store loads it (not checked again), with the changed values.
    changed = parse_referral(referral_data(), today=TODAY)
    raw = referral_data(**overrides)
    for path, value in overrides.items():
        new = date.fromisoformat(value) if isinstance(value, str) else value
        if "." in path:
            part, name = path.split(".")
            inner = getattr(changed, part).model_copy(update={name: new})
            changed = changed.model_copy(update={part: inner})
        else:
            changed = changed.model_copy(update={path: new})
    assert [(p.field, p.message) for p in cross_field_problems(changed, today=TODAY)] == expected
    assert [(p.field, p.message) for p in cross_field_problems_in_data(raw, today=TODAY)] == expected


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (date(2024, 3, 9), date(2026, 3, 8), 1),
        (date(2024, 3, 9), date(2026, 3, 9), 2),
        (date(2024, 2, 29), date(2025, 2, 28), 0),
        (date(2024, 2, 29), date(2025, 3, 1), 1),
        (date(2024, 12, 31), date(2025, 1, 1), 0),
    ],
)
def test_age_on(born: date, on: date, age: int) -> None:
    assert age_on(born, on) == age
