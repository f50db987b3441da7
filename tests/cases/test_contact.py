"""Email addresses (email-validator, no network), phone numbers (phonenumbers, UK by default), and names that
may not hide control characters or direction overrides; every refusal names its field, never its value."""

from __future__ import annotations

import pytest

from cases.board import BoardConfig, BoardConfigError
from cases.problems import InvalidInput
from cases.referral import parse_referral
from tests.factories import BOARD_TOML, referral_data

NUL, RLO = "\x00", "\u202e"


@pytest.mark.parametrize(
    ("phone", "stored"),
    [
        ("01632 960002", "01632 960002"),  # Ofcom's drama range: possible, if not allocated
        ("+44 20 7946 0000", "020 7946 0000"),
        ("020 7946 0000", "020 7946 0000"),
        ("+1 202 555 0142", "+1 202-555-0142"),
        ("", ""),
    ],
)
def test_phone_numbers_are_read_as_uk_numbers_by_default(phone: str, stored: str) -> None:
    referral = parse_referral(referral_data(referrer={**referral_data()["referrer"], "phone": phone}))
    assert referral.referrer.phone == stored


@pytest.mark.parametrize(
    ("path", "value", "field", "why"),
    [
        (("referrer", "phone"), "abc", "referrer.phone", "is not a phone number"),
        (("referrer", "phone"), "999", "referrer.phone", "too short"),
        (("referrer", "email"), "ottoline.testwhistle@nhs", "referrer.email", "is not an email address"),
        (("referrer", "email"), "two@@nhs.net", "referrer.email", "is not an email address"),
        (("referrer", "email"), "a b@nhs.net", "referrer.email", "is not an email address"),
        (("child", "last_name"), f"Marchbanks{NUL}-Tovey", "child.last_name", "control character"),
        (("child", "forenames"), f"Zephyrine{RLO}nollinQ", "child.forenames", "direction override"),
        (("mother", "name"), f"Philippa{RLO} M", "mother.name", "direction override"),
        (("child", "home_address"), f"17 Imaginary Crescent{NUL}", "child.home_address", "control character"),
        (("referrer", "name"), "Ottoline\nTestwhistle", "referrer.name", "control character"),
    ],
)
def test_bad_contact_details_and_hidden_characters_are_refused_naming_the_field(
    path: tuple[str, str], value: str, field: str, why: str
) -> None:
    data = referral_data()
    data[path[0]] = {**data[path[0]], path[1]: value}
    with pytest.raises(InvalidInput) as refused:
        parse_referral(data)
    problem = next(p for p in refused.value.problems if p.field == field)
    assert why in problem.message
    assert value not in str(refused.value) and "input_value" not in str(refused.value)


def test_a_long_text_keeps_its_lines() -> None:
    outline = "First line.\nSecond line.\tTabbed."
    assert parse_referral(referral_data(case_outline=outline)).case_outline == outline


def _board_with(old: str, new: str) -> str:
    assert old in BOARD_TOML
    return BOARD_TOML.replace(old, new, 1)


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ('roles = ["business_unit"', 'email = "not-an-address"\nroles = ["business_unit"', "members.0.email"),
        ('addresses = ["reviews@testshire.pnn.police.uk"]', 'addresses = ["reviews@@pnn.police.uk"]', "addresses"),
        ('name = "Testshire Police"', f'name = "Testshire{RLO} Police"', "agencies.0.name"),
        ('name = "Testshire Police"', 'name = "Testshire\\u0000 Police"', "agencies.0.name"),
    ],
)
def test_the_board_file_refuses_bad_member_emails_and_hidden_characters(old: str, new: str, field: str) -> None:
    with pytest.raises(BoardConfigError) as refused:
        BoardConfig.from_toml(_board_with(old, new))
    assert field in str(refused.value)
    assert "not-an-address" not in str(refused.value) and "reviews@@" not in str(refused.value)
