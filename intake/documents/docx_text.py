"""Every part of a Word report's text: the body (tables included), each section's headers and footers (first
page, even page, default), comments, footnotes and endnotes, and tracked changes (insertions and deletions, in
any of those parts), each with its place.

Safely: the zip's directory is checked before anything is inflated (intake/inbound/docx_form.py's limits), the
package is opened with python-docx, and every XML part is parsed with defusedxml (no DTDs, no entities). The
walk is iterative, so a deeply nested part cannot exhaust the stack.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element

from defusedxml import ElementTree as SafeTree
from defusedxml.common import DefusedXmlException

from cases.review.document import DocumentText, Part, Segment
from intake.documents.errors import DocumentError, PasswordProtected
from intake.inbound.docx_form import check_docx_zip, is_encrypted_office_file
from intake.inbound.limits import LimitExceeded, Limits

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_INSERTED = {f"{W}ins", f"{W}moveTo"}
_DELETED = {f"{W}del", f"{W}moveFrom"}
_SKIPPED = {f"{W}instrText", f"{W}delInstrText", f"{W}rPr", f"{W}pPr"}
_NOTES = {"/comments": (Part.COMMENT, "comment"), "/footnotes": (Part.FOOTNOTE, "footnote")}


@dataclass
class _Paragraph:
    text: list[str] = field(default_factory=list)
    inserted: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)


def _parse(blob: bytes) -> Element:
    try:
        root: Element = SafeTree.fromstring(blob)
    except (DefusedXmlException, SafeTree.ParseError) as exc:
        raise DocumentError(f"a part of the Word document could not be read ({type(exc).__name__})") from None
    return root


def _paragraphs(root: Element) -> Iterator[_Paragraph]:
    """Each w:p under `root` in document order (a paragraph inside a text box is its own), with its plain,
    inserted and deleted text."""
    # (element, its paragraph, inside an insertion, inside a deletion); children pushed in reverse.
    stack: list[tuple[Element, _Paragraph | None, bool, bool]] = [(root, None, False, False)]
    pending: list[_Paragraph] = []
    while stack:
        node, paragraph, inserted, deleted = stack.pop()
        tag = node.tag
        if tag == "end-of-paragraph":
            yield pending.pop()
            continue
        if tag in _SKIPPED:
            continue
        if tag == f"{W}p":
            paragraph = _Paragraph()
            pending.append(paragraph)
            stack.append((Element("end-of-paragraph"), None, False, False))
        elif tag in _INSERTED:
            inserted = True
        elif tag in _DELETED:
            deleted = True
        elif paragraph is not None:
            target = paragraph.deleted if deleted else paragraph.inserted if inserted else paragraph.text
            if tag in (f"{W}t", f"{W}delText") and node.text:
                target.append(node.text)
            elif tag == f"{W}tab":
                target.append("\t")
            elif tag in (f"{W}br", f"{W}cr"):
                target.append("\n")
        for child in reversed(list(node)):
            stack.append((child, paragraph, inserted, deleted))


def _segments(root: Element, part: Part, **where: Any) -> list[Segment]:
    found: list[Segment] = []
    for number, p in enumerate(_paragraphs(root), start=1):
        for text, kind in (
            ("".join(p.text), part),
            (" ".join("".join(p.inserted).split()), Part.TRACKED_INSERTION),
            (" ".join("".join(p.deleted).split()), Part.TRACKED_DELETION),
        ):
            if text.strip():
                within = part if kind is not part else None
                found.append(Segment(kind, text, number, within=within, **where))
    return found


def read_docx(data: bytes, limits: Limits | None = None) -> DocumentText:
    """Raises PasswordProtected, DocumentError or LimitExceeded, each naming the problem."""
    import docx

    limits = limits or Limits()
    if len(data) > limits.max_attachment_bytes:
        raise LimitExceeded(f"the document is larger than {limits.max_attachment_bytes // 1_048_576} MiB")
    if is_encrypted_office_file(data):
        raise PasswordProtected("the Word document is password-protected: ask for a copy without a password")
    try:
        check_docx_zip(data, limits)
    except LimitExceeded:
        raise
    except Exception as exc:  # noqa: BLE001 - the form reader's own FormError: not a Word document
        raise DocumentError(str(exc)) from None
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - python-docx raises many types for broken packages
        raise DocumentError(f"the Word document could not be read ({type(exc).__name__})") from None
    main = document.part
    body = _parse(main.blob)
    segments = _segments(body, Part.BODY)
    segments += _headers_and_footers(main, body)
    for rel in main.rels.values():
        for suffix, (part, tag) in _NOTES.items():
            if rel.reltype.endswith(suffix) and not rel.is_external:
                segments += _notes(_parse(rel.target_part.blob), part, tag)
        if rel.reltype.endswith("/endnotes") and not rel.is_external:
            segments += _notes(_parse(rel.target_part.blob), Part.FOOTNOTE, "endnote")
    return DocumentText("docx", tuple(segments))


def _headers_and_footers(main: Any, body: Element) -> list[Segment]:
    """Each section's own headers and footers (a section linked to the previous one has none of its own)."""
    found: list[Segment] = []
    for section, sect_pr in enumerate(body.iter(f"{W}sectPr"), start=1):
        for reference in sect_pr:
            if reference.tag not in (f"{W}headerReference", f"{W}footerReference"):
                continue
            rel_id = reference.get(f"{R}id") or ""
            target = main.related_parts.get(rel_id)
            if target is None:
                continue
            part = Part.HEADER if reference.tag == f"{W}headerReference" else Part.FOOTER
            found += _segments(_parse(target.blob), part, section=section)
    return found


def _notes(root: Element, part: Part, tag: str) -> list[Segment]:
    found: list[Segment] = []
    number = 0
    for note in root.iter(f"{W}{tag}"):
        if note.get(f"{W}type"):  # Word's separator and continuation notes: no words of anyone's
            continue
        number += 1  # as a reader counts them, from 1 (Word's own ids start at 0)
        found += _segments(note, part, number=number)
    return found
