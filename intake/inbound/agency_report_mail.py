"""An agency's report (IMR) arriving by secure email: a reply naming the case, from a registered and
authenticated address of that agency, whose subject says it is the agency's report and which carries exactly one
.docx or .pdf. Read (to make sure it is one, outside the write transaction) by `report_in`; kept, sealed, as the
next version of that agency's report by intake/inbound/recording.py `record_report`. A report from
another agency's address is never counted for this one (the repository refuses it)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from errors import BadInput
from intake.documents.reading import ACCEPTED, read_report
from intake.inbound.limits import Limits
from intake.inbound.parse import ParsedMessage
from storage.review_agency_reports import ReceivedFile

# The subject that marks a report, not an answer about records (which may carry a letter as a PDF).
_REPORT_SUBJECT = re.compile(
    r"\b(?:IMR|individual\s+management\s+review|agency\s+report|agency\s+information)\b", re.IGNORECASE
)


@dataclass(frozen=True)
class AgencyReportMail:
    reference: str
    agency_id: str
    case_id: str
    received: ReceivedFile

    def __repr__(self) -> str:  # the file name and document may hold personal data
        return f"AgencyReportMail(reference={self.reference!r}, agency_id={self.agency_id!r})"


def report_in(
    parsed: ParsedMessage, *, reference: str, agency_id: str, case_id: str, limits: Limits
) -> AgencyReportMail | str | None:
    """The agency's report the message carries; the reason to quarantine it when it says it is one but the file
    is missing, one of several, or unreadable; None when it is not about a report (an answer about records)."""
    if not _REPORT_SUBJECT.search(parsed.subject):
        return None
    files = [a for a in parsed.attachments if a.filename.lower().endswith(tuple(ACCEPTED))]
    if len(files) != 1:
        return f"an agency report needs exactly one .docx or .pdf ({len(files)} found)"
    [file] = files
    try:
        media_type, _ = read_report(file.filename, file.data, limits)
    except BadInput as exc:  # wrong type, password-protected, over a limit: one line, no content
        return f"the report could not be read: {exc}"
    received = ReceivedFile(file.filename, file.data, media_type, parsed.sender)
    return AgencyReportMail(reference, agency_id, case_id, received)


# --- an author's nomination (004 §7.2, 003 §5.2) ---------------------------------------------------------------

_NOMINATION_SUBJECT = re.compile(r"\b(?:nominat\w*|(?:IMR|report)\s+author)\b", re.IGNORECASE)
_AUTHOR = re.compile(r"^\s*(?:IMR\s+|report\s+)?author\s*(?:name)?\s*[:\-]\s*(?P<name>[^\n,;]{2,120})", re.I | re.M)
_NO_INVOLVEMENT = re.compile(
    r"\b(?:has|had|have)\s+(?:had\s+)?no\s+(?:prior\s+|previous\s+|direct\s+)?involvement\b"
    r"|\bnot\s+(?:been\s+)?involved\b|\bno\s+involvement\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class AuthorNomination:
    reference: str
    agency_id: str
    case_id: str
    author: str
    no_involvement: bool

    def __repr__(self) -> str:  # the author's name stays out of logs
        return f"AuthorNomination(reference={self.reference!r}, agency_id={self.agency_id!r})"


def nomination_in(
    parsed: ParsedMessage, text: str, *, reference: str, agency_id: str, case_id: str
) -> AuthorNomination | str | None:
    """The author the agency names in its reply (its new text, `text`) and whether it declares the author had no
    involvement with the case; the reason to hand it to a person when the subject says it is a nomination but
    no author line is found; None when it is not a nomination."""
    if not _NOMINATION_SUBJECT.search(parsed.subject):
        return None
    found = _AUTHOR.search(text)
    if found is None:
        return "a nomination without an 'Author:' line: record it with scrbot review imr nominate"
    author = " ".join(found.group("name").split())
    return AuthorNomination(reference, agency_id, case_id, author, bool(_NO_INVOLVEMENT.search(text)))
