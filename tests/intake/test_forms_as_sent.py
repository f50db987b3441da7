"""The Appendix 1 form as referrers really send it, written here apart from the reply corpus: section 4's three
questions answered on their own lines, section 5 (the sub-group's own tick boxes) left in, numbered headings,
"n/a" for nothing, and forms that leave out the referral date or the date the local authority became aware.
Each case is real .eml bytes (a typed body, or a .docx made with python-docx)."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import docx
import pytest

from cases.answers import Answer
from intake.inbound.parse import parse_message
from intake.inbound.referral_mail import build_referral, extract
from storage.inbound import InboundStatus
from storage.store import Store
from tests.factories import make_board
from tests.support.forms import referral_email
from tests.support.intake import make_intake

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)

HEAD = """Good morning,

Please find our referral below.

CASE FOR CONSIDERATION

1. CASE OUTLINE
Synthetic outline: an infant presented at hospital with injuries not explained by the history given.

2. CHILD'S DETAILS
Child's Last Name/s: Quillfeather-Dunmore
Child's Forename/s: Persimmon
Also known as: {aka}
Child's Date of Birth: 14/06/2025
Gender: Male
Ethnicity: {ethnicity}
Child's Home Address: 4 Fictional Mews, Notaplace, ZZ9 8XX
Mother's Name: Clementine Quillfeather
Father's Name: {father}
Sibling's Name(s): {siblings}
{after_siblings}
3. REASONS FOR REQUESTING A REVIEW
[x] Fits Serious Case Review criteria: 004 §4.4(ii)

4. PARTICULAR CONSIDERATIONS
Is there media interest? {media}
Are there criminal proceedings? {criminal}
Is the case linked to a complex abuse case? {complex}
The family moved between two local authority areas during the period.

5. DECISIONS OF THE SUB GROUP / ACTIONS NEEDED:
[ ] Serious Case Review to be undertaken
[ ] Multi-Agency Review
[ ] Single Agency Review
[ ] Referral to other LSCB
[ ] Other [Please specify] Any formal processes required

Referrer's role: Designated Nurse
Referrer's agency: Testshire Integrated Care Board
{dates}
Kind regards
"""

DATES = "Referral date: 22/11/2026\nIncident date: 18/11/2026\nDate the local authority became aware: 19/11/2026\n"


def body(**overrides: str) -> str:
    values = {
        "aka": "n/a",
        "ethnicity": "Not applicable",
        "father": "None",
        "siblings": "Juniper Quillfeather; Bramble Quillfeather",
        "after_siblings": "",
        "media": "No",
        "criminal": "Yes - police investigation ongoing",
        "complex": "Not known",
        "dates": DATES,
    }
    values.update(overrides)
    return HEAD.format(**values)


def form_docx(*, with_dates: bool = True) -> bytes:
    """The form as Word lays it out: tables for details, section 4's questions as a table, section 5's boxes."""
    document = docx.Document()
    document.add_paragraph("Case for Consideration")
    document.add_paragraph("1. CASE OUTLINE: Include any critical incident, status of child")
    document.add_paragraph("Synthetic outline: a teenager was seriously harmed while missing from care.")
    details = document.add_table(rows=0, cols=2)
    rows = [
        ("Child's Last Name/s:", "Ottershaw-Vane"),
        ("Child's Forename/s:", "Tamsin"),
        ("Child's Date of Birth:", "02/02/2011"),
        ("Gender:", "☐ Male ☒ Female"),
        ("Also known as:", "N/A"),
    ]
    if with_dates:
        rows += [
            ("Referral date", "21/11/2026"),
            ("Incident date", "15/11/2026"),
            ("Date the local authority became aware", "16/11/2026"),
        ]
    rows += [("Referrer's name", "Ignatius Pelling"), ("Referrer's role", "DCI"), ("Referrer's agency", "Police")]
    for label, value in rows:
        cells = details.add_row().cells
        cells[0].text, cells[1].text = label, value
    document.add_paragraph("3. REASONS FOR REQUESTING A REVIEW/REFERRAL: Tick all appropriate options:")
    document.add_paragraph("☒ Provides opportunity for learning lessons from multi agency work in this case: good")
    document.add_paragraph(
        "4. PARTICULAR CONSIDERATIONS: Please specify any considerations for this case, for example; Is there "
        "media interest? Are there criminal proceedings? Is the case linked to a complex abuse case?"
    )
    questions = document.add_table(rows=0, cols=2)
    for label, value in [("Media interest", "Yes"), ("Criminal proceedings", "No"), ("Complex abuse", "Yes")]:
        cells = questions.add_row().cells
        cells[0].text, cells[1].text = label, value
    document.add_paragraph("5. DECISIONS OF THE SUB GROUP / ACTIONS NEEDED:")
    for option in ("Serious Case Review to be undertaken", "Multi-Agency Review", "Other [Please specify]"):
        document.add_paragraph(f"☐ {option}")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def read(raw: bytes) -> tuple[dict[str, Any], list[str]]:
    message = parse_message(raw)
    extraction = extract(message)
    result = build_referral(extraction, message=message, board=make_board(), received_on=NOW.date(), today=NOW.date())
    return result.data, result.gap_labels()


SENDER = "named.nurse.testshire@nhs.net"


@pytest.mark.parametrize(
    ("name", "raw", "expected"),
    [
        (
            "typed body",
            referral_email(None, body=body(), sender=SENDER, sent=NOW),
            {"media_interest": "no", "criminal_proceedings": "yes", "linked_complex_abuse": "unknown"},
        ),
        (
            "Word form",
            referral_email(form_docx(), sender=SENDER, sent=NOW),
            {"media_interest": "yes", "criminal_proceedings": "no", "linked_complex_abuse": "yes"},
        ),
    ],
)
def test_section_4_questions_are_read_as_answers_and_section_5_is_kept_out(
    name: str, raw: bytes, expected: dict[str, str]
) -> None:
    data, _gaps = read(raw)
    considerations = data["considerations"]
    assert {k: considerations[k] for k in expected} == expected, name
    other = considerations.get("other", "")
    assert "DECISIONS" not in other.upper() and "Serious Case Review to be undertaken" not in other
    assert "Multi-Agency Review" not in str(data)  # section 5's boxes are the sub-group's, never the referral's
    if name == "typed body":
        assert other == "The family moved between two local authority areas during the period."


@pytest.mark.parametrize(
    ("overrides", "path", "expected"),
    [
        ({"aka": "n/a"}, ("child", "also_known_as"), None),
        ({"ethnicity": "Not applicable"}, ("child", "ethnicity"), None),
        ({"father": "None"}, ("father", "name"), None),
        ({"ethnicity": "White British"}, ("child", "ethnicity"), "White British"),
        ({"siblings": "none"}, ("siblings",), None),
        # A numbered heading we do not know still ends the list before it.
        (
            {"after_siblings": "2A. OTHER HOUSEHOLD MEMBERS\nA lodger, name not known\n"},
            ("siblings",),
            [
                {"name": "Juniper Quillfeather", "date_of_birth": None},
                {"name": "Bramble Quillfeather", "date_of_birth": None},
            ],
        ),
    ],
)
def test_plain_text_forms_nothing_means_empty_and_headings_end_fields(
    overrides: dict[str, str], path: tuple[str, ...], expected: object
) -> None:
    data, _gaps = read(referral_email(None, body=body(**overrides), sender=SENDER, sent=NOW))
    value: Any = data
    for part in path:
        value = value.get(part) if isinstance(value, dict) else None
    assert value == expected
    assert "REASONS" not in str(data.get("siblings"))


@pytest.mark.parametrize(
    ("raw", "gaps", "not_gaps"),
    [
        (
            referral_email(None, body=body(dates="Incident date: 18/11/2026\n"), sender=SENDER, sent=NOW),
            ["Referral date (assumed: the day it arrived)", "Date the local authority became aware"],
            [],
        ),
        (
            referral_email(
                None,
                body=body(dates="Referral date: 22/11/2026\nIncident date: 18/11/2026\n"),
                sender=SENDER,
                sent=NOW,
            ),
            ["Date the local authority became aware"],
            ["Referral date (assumed: the day it arrived)"],
        ),
        (
            referral_email(form_docx(with_dates=False), sender=SENDER, sent=NOW),
            ["Referral date (assumed: the day it arrived)", "Date the local authority became aware"],
            [],
        ),
    ],
)
def test_a_form_without_its_dates_waits_for_a_person_listing_them(
    raw: bytes, gaps: list[str], not_gaps: list[str], store: Store
) -> None:
    outcome = make_intake(store).ingest(raw, now=NOW)
    assert (outcome.status, outcome.kind) == (InboundStatus.NEEDS_PERSON, "referral"), outcome.reason
    for gap in gaps:
        assert gap in outcome.reason
    for gap in not_gaps:
        assert gap not in outcome.reason
    assert store.cases.list_cases(today=NOW.date()) == []  # no case, so no clock started silently


def test_the_complete_typed_form_is_filed_with_its_considerations(store: Store) -> None:
    outcome = make_intake(store).ingest(referral_email(None, body=body(), sender=SENDER, sent=NOW), now=NOW)
    assert (outcome.status, outcome.case_ref) == (InboundStatus.PROCESSED, "SCR-2026-0001"), outcome.reason
    from tests.factories import STAFF

    case = store.cases.get_case("SCR-2026-0001", actor=STAFF, now=NOW)
    assert case.referral is not None
    assert case.referral.considerations.criminal_proceedings is Answer.YES
    assert case.referral.child.also_known_as == "" and case.referral.father.name == ""
