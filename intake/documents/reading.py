"""Which reader a report needs, from its bytes (never trusting its name alone): .docx or .pdf, or a clear
refusal naming what it is."""

from __future__ import annotations

from cases.review.document import DocumentText
from intake.documents.docx_text import read_docx
from intake.documents.errors import PasswordProtected, WrongFileType
from intake.documents.pdf_text import read_pdf
from intake.inbound.docx_form import is_encrypted_office_file
from intake.inbound.limits import Limits

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ACCEPTED = {".pdf": PDF, ".docx": DOCX}


def media_type_of(filename: str, data: bytes) -> str:
    """The report's type from its first bytes, checked against its name: PDF or Word (.docx), else refused."""
    name = filename.lower()
    if data[:5] == b"%PDF-":
        if name and not name.endswith(".pdf"):
            raise WrongFileType(f"the file is a PDF but is named as {_suffix(name)}; name it .pdf")
        return PDF
    if data[:4] == b"PK\x03\x04" or is_encrypted_office_file(data):
        if name and not name.endswith((".docx", ".doc")):
            raise WrongFileType(f"the file looks like a Word document but is named as {_suffix(name)}")
        if is_encrypted_office_file(data):
            raise PasswordProtected("the Word document is password-protected: ask for a copy without a password")
        return DOCX
    raise WrongFileType(f"{_suffix(name) or 'the file'} is not a report we can read: send a .docx or .pdf")


def _suffix(name: str) -> str:
    return "." + name.rsplit(".", 1)[-1] if "." in name else ""


def read_report(filename: str, data: bytes, limits: Limits | None = None) -> tuple[str, DocumentText]:
    """(media type, text) of a report; raises a DocumentError (or LimitExceeded) with one clear line."""
    media_type = media_type_of(filename, data)
    return media_type, read_pdf(data, limits) if media_type == PDF else read_docx(data, limits)
