"""The anonymisation check's corpus: synthetic reports (Word and PDF) with the case's personal data in every
part a person can write in, and near misses that must not be flagged. Each entry says exactly what the check
must find (label and place), so recall and false positives can be counted (tests/cases/review/
test_anonymisation.py; bench/anonymisation.py prints the counts).

The case: tests/factories.py's referral (Zephyrine Quillon Marchbanks-Tovey, born 9 March 2024; mother
Philippa, born 1 July 1998; brother Ambrose, born 2 January 2021; 17 Imaginary Crescent, Nowhereton, ZZ1 9QQ),
and the nursery the business unit recorded, Little Acorns Nursery.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cases.personal_data import CaseFacts
from tests.factories import make_referral
from tests.support.reports import FILLER, docx_report, pdf_report

FACTS = CaseFacts.from_referral(make_referral()).with_recorded(settings=["Little Acorns Nursery"])


@dataclass(frozen=True)
class Sample:
    name: str
    filename: str
    build: Callable[[], bytes]
    expected: tuple[str, ...]  # each finding's line: "label, where"; () for a near miss


def _d(name: str, expected: tuple[str, ...], **kwargs: object) -> Sample:
    return Sample(name, f"{name}.docx", lambda: docx_report(**kwargs), expected)  # type: ignore[arg-type]


def _p(name: str, expected: tuple[str, ...], pages: list[list[str]], **kwargs: object) -> Sample:
    return Sample(name, f"{name}.pdf", lambda: pdf_report(pages, **kwargs), expected)  # type: ignore[arg-type]


SAMPLES: list[Sample] = [
    # --- Word: hits in every part --------------------------------------------------------------------
    _d(
        "body-full-name", ("child's full name, body, paragraph 2",), body=[FILLER, "Zephyrine Quillon Marchbanks-Tovey"]
    ),
    _d("body-forename", ("child's forename, body, paragraph 1",), body=["Zephyrine was seen by the health visitor."]),
    _d("body-possessive", ("family surname, body, paragraph 1",), body=["The Marchbanks-Toveys' home was cold."]),
    _d("body-initial", ("child's initial and surname, body, paragraph 1",), body=["Z. Marchbanks-Tovey attended."]),
    _d("body-dob-ordinal", ("child's date of birth, body, paragraph 1",), body=["She was born on 9th March 2024."]),
    _d("body-dob-numeric", ("mother's date of birth, body, paragraph 1",), body=["Mother (DOB 01/07/1998)."]),
    _d("body-address", ("address line, body, paragraph 1",), body=["The family lived at 17 Imaginary Crescent."]),
    _d("body-postcode", ("postcode, body, paragraph 1",), body=["Postcode zz19qq on the file."]),
    _d("body-setting", ("school or setting, body, paragraph 1",), body=["She attended little acorns nursery."]),
    _d("body-accents", ("child's forename, body, paragraph 1",), body=["ZÉPHYRINE was quiet."]),
    _d("table-cell", ("sibling's forename, body, paragraph 5",), table=[["Child", "Sibling"], ["C", "Ambrose"]]),
    _d("split-runs", ("child's forename, body, paragraph 2",), split_runs=[("Zephy", "rine")]),
    _d("header", ("mother's forename, header of section 1, paragraph 1",), headers={1: "Draft: Philippa"}),
    _d(
        "footer-section-2",
        ("sibling's forename, footer of section 2, paragraph 1",),
        sections=2,
        footers={2: "Ambrose"},
    ),
    _d("comment", ("family surname, comment 1, paragraph 1",), comments=["Check with Ms Marchbanks-Tovey"]),
    _d("tracked-insertion", ("child's forename, tracked insertion in body, paragraph 2",), inserted=["Quillon"]),
    _d("tracked-deletion", ("postcode, tracked deletion in body, paragraph 2",), deleted=["ZZ1 9QQ"]),
    _d(
        "several-parts",
        (
            "child's forename, body, paragraph 1",
            "sibling's date of birth, footer of section 1, paragraph 1",
            "mother's forename, comment 1, paragraph 1",
        ),
        body=["Zephyrine's chronology."],
        footers={1: "Born 2 Jan 2021"},
        comments=["ask Philippa"],
    ),
    # --- Word: near misses -----------------------------------------------------------------------------
    _d("miss-clean", (), body=[FILLER, "Child A was known to health visiting.", "Sibling B attended nursery."]),
    _d("miss-prefix", (), body=["Zephyr winds; Marchbanksia; Quillonesque prose."]),
    _d("miss-other-year", (), body=["Reviewed on 9 March 2023 and on 10 March 2024."]),
    _d("miss-month-first", (), body=["The form said 03/09/2024."]),
    _d("miss-town", (), body=["The review panel met in Nowhereton."]),
    _d("miss-street", (), body=["An office on Imaginary Close."]),
    _d("miss-postcode-next-door", (), footers={1: "ZZ1 9QR"}),
    _d("miss-lower-case-word", (), body=["the acorns fell; a little nursery rhyme"], comments=["nursery staff"]),
    # --- PDF: hits ---------------------------------------------------------------------------------------
    _p("pdf-body", ("child's full name, page 1, line 2",), [[FILLER[:60], "Zephyrine Quillon Marchbanks-Tovey"]]),
    _p("pdf-page-3", ("child's date of birth, page 3, line 1",), [[FILLER[:60]], [FILLER[:60]], ["born 2024-03-09"]]),
    _p("pdf-footer-line", ("sibling's forename, page 2, line 2",), [["Page 1"], ["Overview report", "Ambrose, p2"]]),
    _p("pdf-annotation", ("mother's forename, comment on page 1",), [[FILLER[:60]]], annotations={1: "Philippa?"}),
    _p("pdf-possessive", ("family surname, page 1, line 1",), [["Marchbanks-Tovey's account"]]),
    _p(
        "pdf-address-and-postcode",
        ("address line, page 1, line 1", "postcode, page 1, line 2"),
        [["17 Imaginary Crescent", "ZZ1 9QQ"]],
    ),
    # --- PDF: near misses --------------------------------------------------------------------------------
    _p("pdf-miss-clean", (), [[FILLER[:60], "Child A and Sibling B."], ["Recommendations follow."]]),
    _p("pdf-miss-dates", (), [["Meetings on 9 March 2023, 19/03/2024 and 2024-03-19."]]),
    _p("pdf-miss-words", (), [["we may amend; it will help; the acorn"]]),
]
