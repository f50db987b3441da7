"""Synthetic review reports, written with python-docx and fpdf2 exactly as a person's Word or PDF would carry
them: body paragraphs and tables, each section's headers and footers, comments, tracked insertions and
deletions, several pages, comments on PDF pages, and password protection."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from fpdf import FPDF

FILLER = (
    "The review considered how the agencies shared information and how each of them assessed the risks "
    "to the child in the months before the incident."
)


def _tracked(paragraph: docx.text.paragraph.Paragraph, text: str, *, deleted: bool) -> None:
    change = OxmlElement("w:del" if deleted else "w:ins")
    change.set(qn("w:id"), str(abs(hash(text)) % 10_000))
    change.set(qn("w:author"), "Reviewer")
    change.set(qn("w:date"), "2027-01-01T00:00:00Z")
    run = OxmlElement("w:r")
    element = OxmlElement("w:delText" if deleted else "w:t")
    element.text = text
    element.set(qn("xml:space"), "preserve")
    run.append(element)
    change.append(run)
    paragraph._p.append(change)


def docx_report(
    body: Sequence[str] = (FILLER,),
    *,
    sections: int = 1,
    headers: Mapping[int, str] | None = None,
    footers: Mapping[int, str] | None = None,
    comments: Sequence[str] = (),
    inserted: Sequence[str] = (),
    deleted: Sequence[str] = (),
    table: Sequence[Sequence[str]] = (),
    split_runs: Sequence[tuple[str, str]] = (),
) -> bytes:
    """A .docx. `headers`/`footers`: section number (from 1) -> text, each section's own. `comments` are
    anchored on the first body paragraph; `split_runs`: words written in two runs of one paragraph."""
    document = docx.Document()
    first = document.add_paragraph(body[0] if body else FILLER)
    for text in body[1:]:
        document.add_paragraph(text)
    for left, right in split_runs:
        p = document.add_paragraph()
        p.add_run(left)
        p.add_run(right)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, cell in enumerate(row):
                grid.cell(r, c).text = cell
    for text in inserted:
        _tracked(document.add_paragraph("Amended: "), text, deleted=False)
    for text in deleted:
        _tracked(document.add_paragraph("Removed: "), text, deleted=True)
    for text in comments:
        document.add_comment(first.runs, text=text, author="Panel member", initials="PM")
    for number in range(2, sections + 1):
        document.add_section()
        document.add_paragraph(f"Section {number}. {FILLER}")
    for number, section in enumerate(document.sections, start=1):
        for texts, area in ((headers or {}, section.header), (footers or {}, section.footer)):
            if number in texts:
                area.is_linked_to_previous = False
                area.paragraphs[0].text = texts[number]
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def pdf_report(
    pages: Sequence[Sequence[str]] = ((FILLER,),),
    *,
    annotations: Mapping[int, str] | None = None,
    password: str = "",
) -> bytes:
    """A PDF, one list of lines per page; `annotations`: page number (from 1) -> a comment's text."""
    pdf = FPDF()
    pdf.set_font("Helvetica", size=10)
    for number, lines in enumerate(pages, start=1):
        pdf.add_page()
        for line in lines:
            pdf.multi_cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
        if annotations and number in annotations:
            pdf.text_annotation(20, 20, annotations[number])
    data = bytes(pdf.output())
    if not password:
        return data
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=password, owner_password=password + "-owner", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
