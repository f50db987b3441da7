"""The deadlines calendar (RFC 5545): every open deadline, one stable UID each, no personal data."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from icalendar import Calendar

from cases.case import Decision
from cases.events import Outcome
from notify.calendar_feed import CalendarDeadline, build_ics
from tests.factories import CHAIR, REFERRER, SENSITIVE_STRINGS, STAFF, at, make_referral
from tests.notify.conftest import NotifyEnv

NOW = datetime(2026, 12, 14, 10, tzinfo=UTC)


def unfold(text: str) -> list[str]:
    """The logical lines of an iCalendar text (RFC 5545 §3.1)."""
    return text.replace("\r\n ", "").split("\r\n")[:-1]


def one(**overrides: object) -> CalendarDeadline:
    values: dict[str, object] = {
        "id": "d" * 32,
        "case_ref": "SCR-2026-0001",
        "rule": "records_secured",
        "agency": "police",
        "action": "secure its records relating to the case against loss or interference, and confirm to the board",
        "due": date(2026, 12, 14),
        "act_by": date(2026, 12, 14),
        "limit": "5 working days",
        "source": "004 §5.6, 003 §5.1",
    }
    values.update(overrides)
    return CalendarDeadline(**values)  # type: ignore[arg-type]


def test_lines_end_in_crlf_and_are_folded_at_75_octets() -> None:
    text = build_ics([one()], board_id="testshire", board_name="Testshire", now=NOW)
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    for line in text.split("\r\n")[:-1]:
        assert len(line.encode("utf-8")) <= 75
    logical = unfold(text)
    assert logical[0] == "BEGIN:VCALENDAR" and logical[-1] == "END:VCALENDAR"
    assert "UID:" + "d" * 32 + "@testshire.scrbot" in logical
    assert "DTSTAMP:20261214T100000Z" in logical
    assert "DTSTART;VALUE=DATE:20261214" in logical and "DTEND;VALUE=DATE:20261215" in logical
    assert "SUMMARY:SCR-2026-0001: records_secured (police)" in logical
    description = next(line for line in logical if line.startswith("DESCRIPTION:"))
    assert "\\, and confirm to the board" in description and "Source: 004 §5.6\\, 003 §5.1." in description


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [("a,b;c", "a\\,b\\;c"), ("back\\slash", "back\\\\slash"), ("two\nlines", "two\\nlines")],
)
def test_text_values_are_escaped_and_read_back(raw: str, escaped: str) -> None:
    text = build_ics([one(action=raw)], board_id="testshire", board_name="Testshire", now=NOW)
    description = next(line for line in unfold(text) if line.startswith("DESCRIPTION:"))
    assert description.startswith(f"DESCRIPTION:{escaped}. Due")
    event = Calendar.from_ical(text).walk("VEVENT")[0]
    assert str(event["DESCRIPTION"]).startswith(f"{raw}. Due")


def test_folding_never_splits_a_character() -> None:
    text = build_ics([one(action="§" * 80)], board_id="testshire", board_name="Testshire", now=NOW)
    for part in text.split("\r\n"):
        assert len(part.encode("utf-8")) <= 75
        part.encode("utf-8").decode("utf-8")
    assert any(line.startswith("DESCRIPTION:" + "§" * 80) for line in unfold(text))


def test_the_feed_has_every_open_deadline_and_nothing_personal(env: NotifyEnv) -> None:
    referral = make_referral(date(2026, 12, 14), referral_date="2026-12-14", la_aware_date="2026-12-11")
    reference = env.store.cases.file_referral(referral, actor=REFERRER, now=NOW).reference
    env.store.cases.record_decision(
        reference, Decision(outcome=Outcome.SCR, decided_on=date(2026, 12, 22)), actor=CHAIR, now=at(date(2026, 12, 22))
    )
    env.store.cases.mark_deadline(reference, "scoping_meeting", actor=STAFF, now=NOW, on=date(2026, 12, 23))
    case = env.store.cases.get_case(reference, actor=STAFF, now=NOW)
    open_ids = {d.computed.rule + (d.computed.agency or "") for d in case.open_deadlines()}
    text = env.service.calendar_text(NOW)
    summaries = [line.removeprefix("SUMMARY:") for line in unfold(text) if line.startswith("SUMMARY:")]
    assert len(summaries) == len(open_ids) == text.count("BEGIN:VEVENT")
    assert not any("scoping_meeting" in s for s in summaries)  # met: not in the calendar
    assert any(s == f"{reference}: statutory_decision_notification" for s in summaries)
    for sensitive in SENSITIVE_STRINGS:
        assert sensitive not in text
    # Stable: a second build gives the same UIDs, so subscribed calendars update rather than duplicate.
    uids = [line for line in unfold(text) if line.startswith("UID:")]
    assert uids == [line for line in unfold(env.service.calendar_text(NOW)) if line.startswith("UID:")]
    assert len(set(uids)) == len(uids)


def test_the_calendar_file_is_written_whole(env: NotifyEnv, tmp_path: Path) -> None:
    path = tmp_path / "calendar" / "deadlines.ics"
    assert env.service.write_calendar(path, NOW) == 0
    assert path.read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")
    assert list(path.parent.iterdir()) == [path]
