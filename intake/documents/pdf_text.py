"""A PDF report's text, page by page, and the comments (annotations) on its pages, read with pypdf.

A PDF that needs a password to open is refused with one line: the check cannot read what it cannot open, and
a report must not leave the board unchecked. (One with only an owner password, which any reader opens, is
read.) Pages and text are bounded, so a hostile file costs a bounded amount of work.
"""

from __future__ import annotations

import io
import logging

from cases.review.document import DocumentText, Part, Segment
from intake.documents.errors import DocumentError, PasswordProtected
from intake.inbound.limits import LimitExceeded, Limits

MAX_PAGES = 2_000
MAX_CHARACTERS = 20_000_000


def read_pdf(data: bytes, limits: Limits | None = None) -> DocumentText:
    """Raises PasswordProtected, DocumentError or LimitExceeded, each naming the problem."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    limits = limits or Limits()
    if len(data) > limits.max_attachment_bytes:
        raise LimitExceeded(f"the document is larger than {limits.max_attachment_bytes // 1_048_576} MiB")
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings can quote the file's strings
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise PasswordProtected("the PDF is password-protected: ask for a copy without a password")
        pages = reader.pages
        if len(pages) > MAX_PAGES:
            raise LimitExceeded(f"the PDF has more than {MAX_PAGES:,} pages")
        segments: list[Segment] = []
        total = 0
        for number, page in enumerate(pages, start=1):
            text = page.extract_text() or ""
            total += len(text)
            if total > MAX_CHARACTERS:
                raise LimitExceeded(f"the PDF holds more than {MAX_CHARACTERS:,} characters of text")
            segments.append(Segment(Part.PAGE, text, page=number))
            for note in _annotations(page):
                segments.append(Segment(Part.ANNOTATION, note, page=number))
    except (PasswordProtected, LimitExceeded):
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as exc:
        if "password" in str(exc).lower() or "decrypt" in str(exc).lower():
            raise PasswordProtected("the PDF is password-protected: ask for a copy without a password") from None
        raise DocumentError(f"the PDF could not be read ({type(exc).__name__})") from None
    return DocumentText("pdf", tuple(segments), pages=len(pages))


def _annotations(page: object) -> list[str]:
    """The text of the comments (sticky notes, free text) on a page."""
    found: list[str] = []
    getter = getattr(page, "get", None)
    annotations = getter("/Annots") if getter is not None else None
    if annotations is None:
        return found
    for reference in annotations.get_object() if hasattr(annotations, "get_object") else annotations:
        annotation = reference.get_object() if hasattr(reference, "get_object") else reference
        contents = annotation.get("/Contents") if hasattr(annotation, "get") else None
        if contents:
            found.append(str(contents))
    return found
