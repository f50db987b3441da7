"""Reading replies: new text only, answers in many phrasings, dates, authentication results."""

from __future__ import annotations

from datetime import date

import pytest

from cases.case import Involvement
from cases.dates import find_dates
from intake.inbound.answers import read_answer
from intake.inbound.authentication import AuthVerdict, check_authentication
from intake.inbound.html_text import html_to_text
from intake.inbound.reply_text import split_reply

SENT = date(2026, 12, 4)


@pytest.mark.parametrize(
    ("text", "new", "quoted"),
    [
        ("Records secured.\n\n-----Original Message-----\nRecords secured: yes / no", "Records secured.", True),
        ("Yes\n\nOn Tue, 1 Dec 2026 at 09:00, SCR Bot <scr@x.gov.uk> wrote:\n> Records secured: no", "Yes", True),
        ("Yes\n\nOn Tue, 1 Dec 2026 at 09:00, SCR Bot <\nscr@x.gov.uk> wrote:\n> q", "Yes", True),
        ("Done\nFrom: SCR Bot <scr@x>\nSent: 01 December 2026\nTo: us\nSubject: x\n\nold", "Done", True),
        ("Done\n\nKind regards\nSam\nRecords secured: no", "Done", False),
        ("Done\n-- \nSam Patel\nRecords not secured", "Done", False),
        ("Done\n\nSent from my iPhone", "Done", False),
        (
            "> Records secured: yes / no\nYes\n> Date secured: DD/MM/YYYY\n1/12/2026",
            "Records secured: Yes\nDate secured: 1/12/2026",
            True,
        ),
        ("CAUTION: This email originated from outside the organisation.\n\nRecords secured", "Records secured", False),
        ("---------- Forwarded message ---------\nFrom: a\n\nRecords secured: yes", "", True),
    ],
)
def test_new_text_leaves_out_history_signatures_and_forwards(text: str, new: str, quoted: bool) -> None:
    reply = split_reply(text)
    assert reply.new == new
    assert reply.quoted is quoted


def test_html_is_converted_not_rendered_and_quotes_are_marked() -> None:
    html = (
        "<html><head><style>p{color:red}</style><script>alert(1)</script></head><body>"
        "<p>Records&nbsp;secured &amp; locked</p><img src='http://tracker.example/x.gif'>"
        "<blockquote>Records secured: no</blockquote>"
        "<div class='gmail_quote'>On Tue wrote:</div></body></html>"
    )
    text = html_to_text(html)
    assert "alert" not in text and "color" not in text and "tracker" not in text
    assert text.splitlines()[0] == "Records secured & locked"
    assert "> Records secured: no" in text
    assert split_reply(text).new == "Records secured & locked"


@pytest.mark.parametrize(
    ("text", "records", "on", "by", "involvement"),
    [
        ("yes, all records secured on 3rd Dec by J. Smith", True, date(2026, 12, 3), "J. Smith", None),
        (
            "Records secured: yes\nDate secured: 02/12/2026\nSecured by: Sam Patel, Records Manager",
            True,
            date(2026, 12, 2),
            "Sam Patel (Records Manager)",
            None,
        ),
        (
            "Records secured: yes, 02/12/2026, by Sam Patel (Records Manager)",
            True,
            date(2026, 12, 2),
            "Sam Patel (Records Manager)",
            None,
        ),
        ("I can confirm our records have been secured today.", True, SENT, "", None),
        ("I have secured the records.", True, SENT, "Alex Sender", None),
        ("Records secured yesterday by me.", True, date(2026, 12, 3), "Alex Sender", None),
        (
            "Records locked down on 1 December 2026 by our records team.",
            True,
            date(2026, 12, 1),
            "our records team",
            None,
        ),
        ("All records secured (04/12/2026).", True, SENT, "", None),
        ("Secured on 2026-12-02 by PC R. Hale.", True, date(2026, 12, 2), "PC R. Hale", None),
        ("We will secure the records by Friday.", False, None, "", None),
        ("Records are being secured and I will confirm once done.", False, None, "", None),
        ("We are in the process of securing our records.", False, None, "", None),
        ("Records secured: no", False, None, "", None),
        ("We hold no records for this child or family.", True, SENT, "", Involvement.NOT_KNOWN),
        ("Nil return.", True, SENT, "", Involvement.NOT_KNOWN),
        ("Known to agency: no", None, None, "", Involvement.NOT_KNOWN),
        ("Known to agency: yes, 2019-2023", None, None, "", Involvement.KNOWN),
        ("The family is known to us through health visiting.", None, None, "", Involvement.KNOWN),
        ("The child is not known to our service.", None, None, "", Involvement.NOT_KNOWN),
        ("We have had no involvement with the family.", None, None, "", Involvement.NOT_KNOWN),
    ],
)
def test_answers_in_many_phrasings(
    text: str, records: bool | None, on: date | None, by: str, involvement: Involvement | None
) -> None:
    answer = read_answer(text, sent_on=SENT, sender_name="Alex Sender")
    assert answer.clear, answer.unclear
    assert answer.records_secured is records
    assert answer.secured_on == on
    assert answer.secured_by == by
    assert answer.involvement is involvement


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("Yes", "short reply"),
        ("Thanks, I'll look into this and come back to you.", "does not say"),
        ("Records secured: yes\nWe have not yet secured the GP records.", "both confirms and denies"),
        ("The child is not known to us but the mother is known to our adult service.", "both that the family"),
        ("Records secured on 10th December", "after the email was sent"),
        ("Records secured: maybe", "not yes or no"),
        ("Records secured on 01/01/2024", "over a year before"),
    ],
)
def test_unclear_answers_need_a_person(text: str, why: str) -> None:
    answer = read_answer(text, sent_on=SENT)
    assert not answer.clear
    assert any(why in reason for reason in answer.unclear)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("03/12/2026", date(2026, 12, 3)),
        ("3.12.26", date(2026, 12, 3)),
        ("2026-12-03", date(2026, 12, 3)),
        ("3rd Dec", date(2026, 12, 3)),
        ("3 December 2026", date(2026, 12, 3)),
        ("December 3rd, 2026", date(2026, 12, 3)),
        ("on the 2nd of December", date(2026, 12, 2)),
        ("Wed 3 Dec 10:30", date(2026, 12, 3)),
        ("yesterday", date(2026, 12, 3)),
    ],
)
def test_dates_as_people_write_them(text: str, expected: date) -> None:
    assert find_dates(text, reference=SENT)[0].on == expected


def test_a_date_without_a_year_is_the_one_nearest_the_email() -> None:
    assert find_dates("29th Dec", reference=date(2027, 1, 5))[0].on == date(2026, 12, 29)
    assert find_dates("5th Jan", reference=date(2026, 12, 30))[0].on == date(2027, 1, 5)


@pytest.mark.parametrize(
    ("headers", "verdict"),
    [
        (["mx.testshire.gov.uk; dkim=pass header.d=nhs.net; dmarc=pass header.from=nhs.net"], AuthVerdict.PASS),
        (["mx.testshire.gov.uk; dmarc=fail (p=reject) header.from=nhs.net"], AuthVerdict.FAIL),
        (["mx.testshire.gov.uk; dkim=pass header.d=nhs.net"], AuthVerdict.PASS),
        (["mx.testshire.gov.uk; dkim=pass header.d=attacker.example"], AuthVerdict.FAIL),
        (["mx.testshire.gov.uk; spf=pass smtp.mailfrom=nhs.net"], AuthVerdict.FAIL),
        (["other.example; dmarc=pass header.from=nhs.net"], AuthVerdict.ABSENT),
        ([], AuthVerdict.ABSENT),
        # The topmost header from the board's server counts; a lower one with the same id may be forged.
        (
            [
                "mx.testshire.gov.uk; dmarc=fail header.from=nhs.net",
                "mx.testshire.gov.uk; dmarc=pass header.from=nhs.net",
            ],
            AuthVerdict.FAIL,
        ),
        (["mx.testshire.gov.uk (comment; with semicolon); dmarc=pass header.from=nhs.net"], AuthVerdict.PASS),
    ],
)
def test_authentication_results_from_the_boards_server(headers: list[str], verdict: AuthVerdict) -> None:
    check = check_authentication(headers, authserv_id="mx.testshire.gov.uk", from_domain="nhs.net")
    assert check.verdict is verdict
