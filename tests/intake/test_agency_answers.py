"""What an agency's reply says, read in full: each reply gives exactly this answer (every field compared),
so a changed pattern, word or date shows. Sent on Friday 4 December 2026 by Alex Sender."""

from __future__ import annotations

from datetime import date

import pytest

from cases.case import Involvement
from intake.inbound.answers import AgencyAnswer, read_answer

D = date
SENT = D(2026, 12, 4)

REPLIES = [
    (
        "Records secured: yes\nDate secured: 02/12/2026\nSecured by: Jo Bloggs, Records Manager\nKnown to agency: no",
        AgencyAnswer(
            records_secured=True,
            secured_on=D(2026, 12, 2),
            secured_on_stated=True,
            secured_by="Jo Bloggs (Records Manager)",
            involvement=Involvement.NOT_KNOWN,
        ),
    ),
    (
        "* Records secured: Yes\n- Known to agency: yes\nDates of involvement: 2019-2024",
        AgencyAnswer(
            records_secured=True,
            secured_on=D(2026, 12, 4),
            involvement=Involvement.KNOWN,
            involvement_detail="Dates: 2019-2024",
        ),
    ),
    ("Records secured: no", AgencyAnswer(records_secured=False)),
    ("Records secured: in progress", AgencyAnswer(records_secured=False)),
    (
        "Records secured: n/a",
        AgencyAnswer(
            records_secured=True, no_records=True, secured_on=D(2026, 12, 4), involvement=Involvement.NOT_KNOWN
        ),
    ),
    (
        "Records secured: none held",
        AgencyAnswer(
            records_secured=True, no_records=True, secured_on=D(2026, 12, 4), involvement=Involvement.NOT_KNOWN
        ),
    ),
    (
        "Records secured: 2nd December, by the records team",
        AgencyAnswer(
            records_secured=True, secured_on=D(2026, 12, 2), secured_on_stated=True, secured_by="the records team"
        ),
    ),
    ("Records secured: maybe later", AgencyAnswer(unclear=("the 'Records secured' line is not yes or no",))),
    ("Known to agency: perhaps", AgencyAnswer(unclear=("the 'Known to agency' line is not yes or no",))),
    ("Known to our service: none", AgencyAnswer(involvement=Involvement.NOT_KNOWN, involvement_detail="none")),
    (
        "Child known: open case since 2020",
        AgencyAnswer(involvement=Involvement.KNOWN, involvement_detail="open case since 2020"),
    ),
    ("Involvement: not known to us", AgencyAnswer(involvement=Involvement.NOT_KNOWN, involvement_detail="to us")),
    (
        "When secured: yesterday\nBy whom: Dr Amy Ng (Named Nurse)",
        AgencyAnswer(unclear=("the reply does not say whether records are secured or whether the family is known",)),
    ),
    ("Have your records been secured? (yes/no): yes", AgencyAnswer(records_secured=True, secured_on=D(2026, 12, 4))),
    (
        "Name and role: Sam Lee, Safeguarding Lead\nRecords secured = yes",
        AgencyAnswer(records_secured=True, secured_on=D(2026, 12, 4), secured_by="Sam Lee (Safeguarding Lead)"),
    ),
    (
        "yes, all records secured on 3rd Dec by J. Smith",
        AgencyAnswer(records_secured=True, secured_on=D(2026, 12, 3), secured_on_stated=True, secured_by="J. Smith"),
    ),
    (
        "I have secured the records today.",
        AgencyAnswer(records_secured=True, secured_on=D(2026, 12, 4), secured_on_stated=True, secured_by="Alex Sender"),
    ),
    (
        "We have not yet secured the records. The family is not known to our service.",
        AgencyAnswer(
            records_secured=False,
            involvement=Involvement.NOT_KNOWN,
            involvement_detail="The family is not known to our service.",
        ),
    ),
    (
        "Our files are now locked down. The child is known to us.",
        AgencyAnswer(
            records_secured=True,
            secured_on=D(2026, 12, 4),
            involvement=Involvement.KNOWN,
            involvement_detail="The child is known to us.",
        ),
    ),
    (
        "We hold no records for this child.",
        AgencyAnswer(
            records_secured=True,
            no_records=True,
            secured_on=D(2026, 12, 4),
            involvement=Involvement.NOT_KNOWN,
            involvement_detail="We hold no records for this child.",
        ),
    ),
    ("No records have been secured yet.", AgencyAnswer(records_secured=False)),
    (
        "The family is known to us. The family is not known to us.",
        AgencyAnswer(
            involvement_detail="The family is not known to us.",
            unclear=("the reply says both that the family is known and that it is not",),
        ),
    ),
    (
        "Records secured. Records are not secured.",
        AgencyAnswer(unclear=("the reply both confirms and denies that records are secured",)),
    ),
    ("Yes.", AgencyAnswer(unclear=("a short reply that does not say what it confirms",))),
    (
        "Thanks, I will look into it.",
        AgencyAnswer(unclear=("the reply does not say whether records are secured or whether the family is known",)),
    ),
    (
        "Records secured on 5 December 2026.",
        AgencyAnswer(
            records_secured=True,
            secured_on=D(2026, 12, 5),
            secured_on_stated=True,
            unclear=("the date given for securing the records is after the email was sent",),
        ),
    ),
    (
        "Records secured on 1 December 2025.",
        AgencyAnswer(
            records_secured=True,
            secured_on=D(2025, 12, 1),
            secured_on_stated=True,
            unclear=("the date given for securing the records is over a year before the email",),
        ),
    ),
    ("Records secured by me.", AgencyAnswer(records_secured=True, secured_on=D(2026, 12, 4), secured_by="Alex Sender")),
    (
        "Records secured by Mr. Tom Hart.",
        AgencyAnswer(records_secured=True, secured_on=D(2026, 12, 4), secured_by="Mr. Tom Hart"),
    ),
    ("Records secured by the end of the week.", AgencyAnswer(records_secured=False)),
    (
        "We have had some involvement with the family.",
        AgencyAnswer(involvement=Involvement.KNOWN, involvement_detail="We have had some involvement with the family."),
    ),
    (
        "Records secured – all done by our admin team, today.",
        AgencyAnswer(unclear=("the 'Records secured' line is not yes or no",)),
    ),
    (
        "Records secured by Tom Hart, Team Manager, on Monday.",
        AgencyAnswer(records_secured=True, secured_on=D(2026, 12, 4), secured_by="Tom Hart (Team Manager)"),
    ),
    ("We haven't secured the records yet.", AgencyAnswer(records_secured=False)),
    (
        "The family isn't known to our service.",
        AgencyAnswer(involvement=Involvement.NOT_KNOWN, involvement_detail="The family isn't known to our service."),
    ),
    (
        "The child hasn't been known to us.",
        AgencyAnswer(involvement=Involvement.NOT_KNOWN, involvement_detail="The child hasn't been known to us."),
    ),
]


@pytest.mark.parametrize(("text", "expected"), REPLIES)
def test_each_reply_reads_exactly(text: str, expected: AgencyAnswer) -> None:
    answer = read_answer(text, sent_on=SENT, sender_name="Alex Sender")
    assert answer.__dict__ == expected.__dict__


@pytest.mark.parametrize(
    ("text", "says_something", "clear"),
    [
        ("Records secured: yes", True, True),
        ("Known to agency: no", True, True),
        ("Records secured. Records are not secured.", False, False),
        ("Records secured on 5 December 2026.", True, False),
        ("Thanks", False, False),
    ],
)
def test_says_something_and_clear(text: str, says_something: bool, clear: bool) -> None:
    answer = read_answer(text, sent_on=SENT)
    assert (answer.says_something, answer.clear) == (says_something, clear)


def test_curly_quotes_dashes_and_hard_spaces_read_as_plain_ones() -> None:
    plain = read_answer("We haven't secured the records - the family isn't known to us.", sent_on=SENT)
    fancy = read_answer(
        "We haven\u2019t secured the records \u2013 the family isn\u2018t known\u00a0to us.", sent_on=SENT
    )
    assert plain.__dict__ == fancy.__dict__
    assert (plain.records_secured, plain.involvement) == (False, Involvement.NOT_KNOWN)
    dashed = read_answer("Records secured \u2014 yes", sent_on=SENT)
    assert dashed.records_secured is True


def test_the_repr_names_no_person() -> None:
    answer = read_answer("Records secured by Tom Hart, Team Manager.\nKnown to agency: yes, Tom Hart", sent_on=SENT)
    assert "Hart" in answer.secured_by
    assert "Hart" not in repr(answer)
    assert repr(answer) == "AgencyAnswer(records_secured=True, involvement=known, unclear=())"
