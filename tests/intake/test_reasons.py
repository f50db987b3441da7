"""A message's reason is one bounded line: it is shown in `mail quarantine list`, the CLI's answer and the
business unit's notice; what does not fit stays in the message's (encrypted) detail."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from intake.inbound.classify import REASON_LIMIT, Verdict, bounded_reason, listed
from storage.inbound import InboundStatus
from storage.store import Store
from tests.factories import STAFF
from tests.support.forms import referral_email
from tests.support.intake import make_intake

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("short reason", "short reason"),
        ("two\nlines\r\n and  tabs\t", "two lines and tabs"),
        ("word " * 100, ("word " * 52).strip() + " ... (more: scrbot mail quarantine show)"),
        ("x" * 1000, "x" * 260 + " ... (more: scrbot mail quarantine show)"),
    ],
    ids=["short", "whitespace", "cut-at-a-word", "one-long-word"],
)
def test_a_reason_is_one_line_within_the_limit(text: str, expected: str) -> None:
    assert bounded_reason(text) == expected
    assert len(bounded_reason(text)) <= REASON_LIMIT


@pytest.mark.parametrize(
    ("items", "room", "expected"),
    [
        (["a", "b"], 30, "a; b"),
        (["aaaa"] * 10, 30, "aaaa; aaaa; aaaa; and 7 more"),
        (["a" * 50, "b"], 20, "a" * 50 + "; and 1 more"),  # at least one item, however long
        ([], 20, ""),
    ],
)
def test_a_list_says_how_many_did_not_fit(items: list[str], room: int, expected: str) -> None:
    assert listed(items, room=room) == expected


def test_every_verdict_is_bounded() -> None:
    verdict = Verdict(InboundStatus.QUARANTINED, "error", "could not be read: " + "z" * 10_000)
    assert len(verdict.reason) <= REASON_LIMIT


FEW_FIELDS = """Case for Consideration

Gender: Female
Mother's DOB: sometime
Child's Date of Birth: unknown
Incident date: not sure
Referrer's role: Named Doctor
"""


def test_a_form_with_many_gaps_lists_what_fits_and_keeps_every_gap_in_its_detail(store: Store) -> None:
    intake = make_intake(store)
    outcome = intake.ingest(referral_email(None, body=FEW_FIELDS, sent=NOW), now=NOW)
    assert outcome.status is InboundStatus.NEEDS_PERSON
    assert len(outcome.reason) <= REASON_LIMIT
    assert outcome.reason.startswith("an emailed referral with 10 gap(s) to fill")
    assert outcome.reason.endswith("; and 1 more")
    assert intake.inbound.summary(outcome.inbound_id).reason == outcome.reason
    detail = intake.inbound.get(outcome.inbound_id, actor=STAFF, now=NOW).detail
    assert len(detail["gaps"]) >= 10  # every gap is kept, for `mail quarantine show`
