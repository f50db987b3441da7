"""Synthetic referral forms (004 Appendix 1 layout) as real .docx files, plain or password-protected, and
the emails that carry them. Every value is invented (tests/factories.py)."""

from __future__ import annotations

import io
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

import docx
from docx.oxml import parse_xml
from msoffcrypto.format.ooxml import OOXMLFile
from msoffcrypto.method.ecma376_agile import ECMA376Agile

from tests.factories import CASE_OUTLINE, CHILD_ADDRESS, CHILD_FORENAMES, CHILD_LAST_NAME, MOTHER_NAME, REFERRER_NAME
from tests.support.intake import AUTHSERV_ID, authentication_results

W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
W14_NS = 'xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml"'


def _control(tag: str, alias: str, text: str, *, placeholder: bool = False) -> str:
    placeholder_el = "<w:showingPlcHdr/>" if placeholder else ""
    shown = "Click or tap here to enter text." if placeholder else text
    return (
        f'<w:sdt {W_NS}><w:sdtPr><w:alias w:val="{alias}"/><w:tag w:val="{tag}"/>{placeholder_el}</w:sdtPr>'
        f"<w:sdtContent><w:r><w:t>{shown}</w:t></w:r></w:sdtContent></w:sdt>"
    )


def _checkbox(tag: str, alias: str, checked: bool) -> str:
    glyph = "☒" if checked else "☐"
    return (
        f'<w:sdt {W_NS} {W14_NS}><w:sdtPr><w:alias w:val="{alias}"/><w:tag w:val="{tag}"/>'
        f'<w14:checkbox><w14:checked w14:val="{1 if checked else 0}"/></w14:checkbox></w:sdtPr>'
        f"<w:sdtContent><w:r><w:t>{glyph}</w:t></w:r></w:sdtContent></w:sdt>"
    )


def referral_form_docx(
    *, with_controls: bool = True, incident_date: str = "16/11/2026", la_aware_date: str = "17/11/2026"
) -> bytes:
    """The Case for Consideration form, filled in, as .docx bytes (`la_aware_date` "" leaves it blank)."""
    document = docx.Document()
    document.add_paragraph("Testshire Safeguarding Children Partnership")
    document.add_paragraph("Serious Case Review Sub Group")
    document.add_paragraph("Case for Consideration")
    document.add_paragraph(
        "1. CASE OUTLINE: Include any critical incident, status of child i.e. Subject of a Child Protection Plan, "
        "Looked After Child, disability, etc"
    )
    document.add_paragraph(CASE_OUTLINE)

    details = document.add_table(rows=0, cols=4)
    rows = [
        ("Child's Last Name/s:", CHILD_LAST_NAME, "Child's Date of Birth:", "09/03/2024"),
        ("Child's Forename/s:", CHILD_FORENAMES, "Age: [If DOB not known]", ""),
        ("Also known as:", "", "Gender:", "☐ Male ☒ Female"),
        ("Ethnicity: Please specify", "White British", "Disability", "None known"),
        ("Child's Home Address:", CHILD_ADDRESS, "", ""),
        ("Mother's Name", MOTHER_NAME, "Mother's DOB", "01/07/1998"),
        ("Mother's Address", CHILD_ADDRESS, "", ""),
        ("Father's Name", "Not known", "Father's DOB", ""),
        ("Sibling's Name(s)", "Ambrose Marchbanks-Tovey", "Sibling's DOB(s)", "02/01/2021"),
    ]
    for values in rows:
        cells = details.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.text = value
    if with_controls:
        # Word forms often hold answers in content controls: replace two value cells with controls.
        last_name_cell = details.rows[0].cells[1]
        last_name_cell.text = ""
        last_name_cell.paragraphs[0]._p.append(
            parse_xml(_control("child.last_name", "Child's Last Name", CHILD_LAST_NAME))
        )
        dob_cell = details.rows[0].cells[3]
        dob_cell.text = ""
        dob_cell.paragraphs[0]._p.append(parse_xml(_control("dob", "Child's Date of Birth", "09/03/2024")))
        aka_cell = details.rows[2].cells[1]
        aka_cell.text = ""
        aka_cell.paragraphs[0]._p.append(
            parse_xml(_control("child.also_known_as", "Also known as", "", placeholder=True))
        )

    document.add_paragraph("3. REASONS FOR REQUESTING A REVIEW/REFERRAL: Tick all appropriate options:")
    reason = document.add_paragraph()
    if with_controls:
        reason._p.append(parse_xml(_checkbox("reason.fits_scr_criteria", "Fits Serious Case Review criteria", True)))
        reason.add_run(" Fits Serious Case Review criteria: 004 §4.4(ii)")
        other = document.add_paragraph()
        other._p.append(parse_xml(_checkbox("reason.other", "Other", False)))
        other.add_run(" Other: [Please specify]")
    else:
        reason.add_run("☒ Fits Serious Case Review criteria: 004 §4.4(ii)")
        document.add_paragraph("☐ Provides opportunity for learning lessons from multi agency work in this case:")

    document.add_paragraph("4. PARTICULAR CONSIDERATIONS: Please specify any considerations for this case")
    document.add_paragraph("Criminal proceedings are expected.")

    referral = document.add_table(rows=0, cols=2)
    for label, value in [
        ("Referrer's name", REFERRER_NAME),
        ("Referrer's role", "Named Doctor"),
        ("Referrer's agency", "Northshire Hospitals NHS Trust"),
        ("Referrer's email", "ottoline.testwhistle@nhs.net"),
        ("Referral date", "20/11/2026"),
        ("Incident date", incident_date),
        ("Date the local authority became aware", la_aware_date),
        ("Designated safeguarding professional consulted", "Yes"),
        ("Learning disability", "No"),
        ("Police involved", "Yes"),
        ("Has the child died", "No"),
        ("Abuse or neglect known or suspected", "Yes"),
        ("Child seriously harmed", "Yes"),
        ("Died or harmed in the area", "Yes"),
        ("Looked after child", "Not known"),
    ]:
        cells = referral.add_row().cells
        cells[0].text = label
        cells[1].text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def encrypt_docx(data: bytes, password: str, *, spin_count: int = 100_000) -> bytes:
    """Password-protect a .docx the way Word does (ECMA-376 agile encryption)."""
    if spin_count == 100_000:
        out = io.BytesIO()
        OOXMLFile(io.BytesIO(data)).encrypt(password, out)
        return out.getvalue()
    return bytes(ECMA376Agile.encrypt(password, io.BytesIO(data), spin_count=spin_count))


def referral_email(
    attachment: bytes | None,
    *,
    sender: str = "ottoline.testwhistle@nhs.net",
    sender_name: str = REFERRER_NAME,
    filename: str = "Case for Consideration.docx",
    body: str = "Please find attached a referral for consideration. The password follows by phone.",
    subject: str = "Case for Consideration - new referral",
    sent: datetime | None = None,
    message_id: str = "<referral-0001@nhs.example>",
    authserv_id: str = AUTHSERV_ID,
) -> bytes:
    """The referral as the board's mail server hands it on: stamped with a DMARC pass under `authserv_id`
    ("" for no stamp)."""
    message = EmailMessage()
    if authserv_id:
        message["Authentication-Results"] = authentication_results(sender, authserv_id=authserv_id)
    message["From"] = f'"{sender_name}" <{sender}>'
    message["To"] = "scr@testshire.gov.uk"
    message["Subject"] = subject
    message["Message-ID"] = message_id
    if sent is not None:
        message["Date"] = format_datetime(sent)
    message.set_content(body)
    if attachment is not None:
        message.add_attachment(
            attachment,
            maintype="application",
            subtype="vnd.openxmlformats-officedocument.wordprocessingml.document",
            filename=filename,
        )
    return bytes(message)
