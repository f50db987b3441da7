"""Factories for synthetic test data. Every name, address and detail here is invented."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, time
from typing import Any

from cases.actor import Actor, Role
from cases.board import BoardConfig
from cases.calendar import BOARD_TIMEZONE
from cases.referral import Referral, parse_referral

# Distinctive synthetic strings: tests search raw database bytes, logs and Slack calls for them.
CHILD_FORENAMES = "Zephyrine Quillon"
CHILD_LAST_NAME = "Marchbanks-Tovey"
CHILD_ADDRESS = "17 Imaginary Crescent, Nowhereton, ZZ1 9QQ"
CASE_OUTLINE = "Synthetic outline: toddler admitted with unexplained fractures; family known to health visiting"
MOTHER_NAME = "Philippa Marchbanks-Tovey"
REFERRER_NAME = "Dr Ottoline Testwhistle"

SENSITIVE_STRINGS = [
    CHILD_FORENAMES,
    CHILD_LAST_NAME,
    "Zephyrine",
    "Marchbanks",
    "Imaginary Crescent",
    "unexplained fractures",
    "Philippa",
    "Testwhistle",
]


def referral_data(**overrides: Any) -> dict[str, Any]:
    """A complete, valid referral as plain data; nested keys override with dotted names ("child.age")."""
    data: dict[str, Any] = {
        "referrer": {
            "name": REFERRER_NAME,
            "role": "Named Doctor",
            "agency": "Northshire Hospitals NHS Trust",
            "email": "ottoline.testwhistle@nhs.net",
            "phone": "01632 960002",
        },
        "referral_date": "2026-11-20",
        "incident_date": "2026-11-16",
        "la_aware_date": "2026-11-17",
        "designated_professional_consulted": "yes",
        "case_outline": CASE_OUTLINE,
        "child": {
            "last_name": CHILD_LAST_NAME,
            "forenames": CHILD_FORENAMES,
            "date_of_birth": "2024-03-09",
            "gender": "female",
            "home_address": CHILD_ADDRESS,
        },
        "mother": {"name": MOTHER_NAME, "date_of_birth": "1998-07-01", "address": CHILD_ADDRESS},
        "siblings": [{"name": "Ambrose Marchbanks-Tovey", "date_of_birth": "2021-01-02"}],
        "learning_disability": "no",
        "reasons": [{"kind": "fits_scr_criteria", "detail": "004 §4.4(ii)"}],
        "criteria": {"abuse_or_neglect": "yes", "seriously_harmed": "yes", "child_died": "no"},
        # Children Act 2004 s.16C(1)(a): harmed in the area, so a notifiable incident (cases/triage.py).
        "incident": {"in_area": "yes", "looked_after": "no"},
    }
    data = copy.deepcopy(data)
    for dotted, value in overrides.items():
        target = data
        *path, last = dotted.split(".")
        for part in path:
            target = target.setdefault(part, {})
        if value is _DELETE:
            target.pop(last, None)
        else:
            target[last] = value
    return data


class _Delete:
    pass


_DELETE = _Delete()
DELETE: Any = _DELETE


def make_referral(today: date | None = date(2026, 11, 22), **overrides: Any) -> Referral:
    return parse_referral(referral_data(**overrides), today=today)


BOARD_TOML = """
[board]
id = "testshire"
name = "Testshire Safeguarding Children Partnership"
rules_pack = "hackney-2017"

[statutory_recipients.reviewer]
name = "Testshire lead reviewer"
email = "testshire.lead.reviewer@cjsm.net"

[statutory_recipients.review_panel]
name = "Testshire review panel"
email = "testshire.review.panel@nhs.net"

[[agencies]]
id = "police"
name = "Testshire Police"
kind = "police"
addresses = ["reviews@testshire.pnn.police.uk"]

[[agencies]]
id = "health"
name = "Testshire Community Health"
kind = "health"
addresses = ["safeguarding.testshire@nhs.net", "named.nurse.testshire@nhs.net"]

[[agencies]]
id = "school"
name = "Testshire Schools"
kind = "education"
addresses = ["dsl@testshire-schools.example.org"]

[[members]]
name = "Business Unit Tester"
slack_user_id = "UBU000001"
roles = ["business_unit"]

[[members]]
name = "Chair Tester"
slack_user_id = "UCHAIR0001"
roles = ["chair", "business_unit"]
"""


def make_board(**overrides: Any) -> BoardConfig:
    board = BoardConfig.from_toml(BOARD_TOML)
    return board.model_copy(update=overrides) if overrides else board


STAFF = Actor("cli:tester", frozenset(Role))
BUSINESS_UNIT = Actor("slack:UBU000001", frozenset({Role.REFERRER, Role.BUSINESS_UNIT}))
CHAIR = Actor("slack:UCHAIR0001", frozenset({Role.REFERRER, Role.CHAIR, Role.BUSINESS_UNIT}))
REFERRER = Actor("slack:UREF000001", frozenset({Role.REFERRER}))
OTHER_REFERRER = Actor("slack:UREF000002", frozenset({Role.REFERRER}))


def at(day: date, hour: int = 9, minute: int = 5) -> datetime:
    """A moment on `day` in the board's time zone (by default just after the 09:00 reminder round), in UTC."""
    return datetime.combine(day, time(hour, minute), tzinfo=BOARD_TIMEZONE).astimezone(UTC)
