"""Referral validation: each kind of bad input gives a clear message naming the field."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from cases.problems import InvalidInput
from cases.referral import Referral, parse_referral
from tests.factories import DELETE, referral_data

TODAY = date(2026, 11, 22)


def problems(**overrides: Any) -> list[tuple[str, str, str]]:
    with pytest.raises(InvalidInput) as raised:
        parse_referral(referral_data(**overrides), today=TODAY)
    return [(p.field, p.label, p.message) for p in raised.value.problems]


def test_the_factory_referral_is_valid() -> None:
    referral = parse_referral(referral_data(), today=TODAY)
    assert referral.child.last_name == "Marchbanks-Tovey"


@pytest.mark.parametrize(
    ("overrides", "field", "label", "says"),
    [
        (
            {"child.date_of_birth": "2027-01-01", "incident_date": "2026-11-16"},
            "child.date_of_birth",
            "Child's date of birth",
            "is in the future",
        ),
        ({"child.age": 5}, "child.age", "Age", "does not match the date of birth"),
        ({"incident_date": "2026-11-21"}, "incident_date", "Incident date", "is after the referral date"),
        ({"case_outline": "   "}, "case_outline", "Case outline", "is empty"),
        (
            {"referral_date": "2026-11-23", "incident_date": "2026-11-16"},
            "referral_date",
            "Referral date",
            "is in the future",
        ),
        (
            {"la_aware_date": "2026-11-10"},
            "la_aware_date",
            "Date the local authority became aware",
            "is before the incident date",
        ),
        (
            {"child.date_of_birth": DELETE},
            "child.date_of_birth",
            "Child's date of birth",
            "or the age if it is not known",
        ),
        ({"child.date_of_birth": "2001-01-01"}, "child.date_of_birth", "Child's date of birth", "a child is under 18"),
        ({"child.date_of_birth": "09/03/2024"}, "child.date_of_birth", "Child's date of birth", "is not a date"),
        (
            {"child.age": 19, "child.date_of_birth": DELETE},
            "child.age",
            "Age (if date of birth not known)",
            "less than or equal to 17",
        ),
        ({"child.last_name": ""}, "child.last_name", "Child's last name", "at least 1 character"),
        ({"child.forenames": DELETE}, "child.forenames", "Child's forename(s)", "is required"),
        ({"child.gender": "boy"}, "child.gender", "Gender", "must be one of"),
        ({"referrer.email": "not-an-address"}, "referrer.email", "Referrer's email", "is not an email address"),
        ({"referrer.name": DELETE}, "referrer.name", "Referrer's name", "is required"),
        ({"reasons": []}, "reasons", "Reasons for requesting a review", "at least 1 item"),
        ({"reasons": [{"kind": "other"}]}, "reasons.0.detail", "Reason detail", "'Other' needs a short description"),
        ({"reasons": [{"kind": "because"}]}, "reasons.0.kind", "Reason for requesting a review", "must be one of"),
        (
            {"mother.date_of_birth": "2026-12-01"},
            "mother.date_of_birth",
            "Mother's date of birth",
            "is after the referral date",
        ),
        (
            {"siblings": [{"name": "A Sibling", "date_of_birth": "2026-12-01"}]},
            "siblings.0.date_of_birth",
            "Sibling's date of birth",
            "is after the referral date",
        ),
        ({"siblings": [{"name": ""}]}, "siblings.0.name", "Sibling's name", "at least 1 character"),
        ({"learning_disability": "maybe"}, "learning_disability", "Learning disability", "must be one of"),
        (
            {"criteria.child_died": "perhaps"},
            "criteria.child_died",
            "The child has died (including suspected suicide)",
            "must be one of",
        ),
        (
            {"considerations.media_interest": "lots"},
            "considerations.media_interest",
            "Media interest",
            "must be one of",
        ),
        ({"surprise": "field"}, "surprise", "surprise", "is not a field of this form"),
    ],
)
def test_bad_input_names_the_field(overrides: dict[str, Any], field: str, label: str, says: str) -> None:
    found = problems(**overrides)
    matching = [p for p in found if p[0] == field]
    assert matching, f"no problem reported for {field}: {found}"
    assert matching[0][1] == label
    assert says in matching[0][2]


def test_all_problems_are_reported_at_once() -> None:
    found = problems(**{"case_outline": "", "referrer.email": "x", "child.gender": "?"})
    assert {p[0] for p in found} == {"case_outline", "referrer.email", "child.gender"}


def test_age_alone_is_accepted_when_date_of_birth_is_unknown() -> None:
    referral = parse_referral(referral_data(**{"child.date_of_birth": DELETE, "child.age": 2}), today=TODAY)
    assert (referral.child.date_of_birth, referral.child.age) == (None, 2)


def test_age_matching_the_referral_date_is_accepted() -> None:
    # Born 2024-03-09: 2 on the incident date and on the referral date.
    referral = parse_referral(referral_data(**{"child.age": 2}), today=TODAY)
    assert referral.child.age == 2


def test_repr_never_shows_personal_data() -> None:
    referral = parse_referral(referral_data(), today=TODAY)
    assert "Marchbanks" not in repr(referral)
    assert "Marchbanks" not in repr(referral.child)
    assert "Marchbanks" not in str(referral)


def test_json_round_trip_is_lossless() -> None:
    referral = parse_referral(referral_data(), today=TODAY)
    assert Referral.model_validate(referral.model_dump(mode="json")) == referral


def test_cross_field_checks_work_on_partial_data() -> None:
    from cases.referral import cross_field_problems_in_data

    partial = {"referral_date": "2026-11-20", "incident_date": "2026-11-21", "child": {"age": 3}}
    found = {p.field for p in cross_field_problems_in_data(partial, today=TODAY)}
    assert found == {"incident_date"}
    assert cross_field_problems_in_data({"child": {"date_of_birth": "garbage"}}, today=TODAY)[0].field == (
        "child.date_of_birth"
    )
