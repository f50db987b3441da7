"""A report's text as the anonymisation check reads it: the document cut into segments, each knowing where
it is (body paragraph, header or footer of a section, comment, tracked change, PDF page), so that a hit can be
shown by its place and never by its words. Pure: the readers that build these are in intake/documents/."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Part(StrEnum):
    BODY = "body"
    HEADER = "header"
    FOOTER = "footer"
    COMMENT = "comment"
    FOOTNOTE = "footnote"
    TRACKED_INSERTION = "tracked insertion"
    TRACKED_DELETION = "tracked deletion"
    PAGE = "page"  # a PDF page's text
    ANNOTATION = "annotation"  # a comment on a PDF page


@dataclass(frozen=True)
class Segment:
    """One run of text and where it is. `paragraph` counts from 1 within its part (the body's paragraphs,
    one header's, one comment's); `section` is the Word section of a header or footer; `page` a PDF page;
    `number` a comment's or footnote's number; `within` the part a tracked change sits in."""

    part: Part
    text: str
    paragraph: int = 1
    section: int | None = None
    page: int | None = None
    number: int | None = None
    within: Part | None = None

    def __repr__(self) -> str:  # the text may hold personal data
        return f"Segment({self.where()})"

    def where(self, line: int = 1) -> str:
        """The place in words: "footer of section 2, paragraph 1", "page 4, line 12"."""
        if self.part is Part.PAGE:
            return f"page {self.page}, line {line}"
        if self.part is Part.ANNOTATION:
            return f"comment on page {self.page}"
        if self.part in (Part.HEADER, Part.FOOTER):
            return f"{self.part.value} of section {self.section}, paragraph {self.paragraph}"
        if self.part in (Part.COMMENT, Part.FOOTNOTE):
            return f"{self.part.value} {self.number}, paragraph {self.paragraph}"
        if self.part in (Part.TRACKED_INSERTION, Part.TRACKED_DELETION):
            inside = self.within or Part.BODY
            place = (
                f"{inside.value} of section {self.section}"
                if inside in (Part.HEADER, Part.FOOTER)
                else f"{inside.value} {self.number}"
                if inside in (Part.COMMENT, Part.FOOTNOTE)
                else inside.value
            )
            return f"{self.part.value} in {place}, paragraph {self.paragraph}"
        return f"body, paragraph {self.paragraph}"


@dataclass(frozen=True)
class DocumentText:
    """Every segment of a document, in reading order. `kind`: "docx" or "pdf"; `pages` for a PDF."""

    kind: str
    segments: tuple[Segment, ...]
    pages: int | None = None

    def __repr__(self) -> str:
        return f"DocumentText({self.kind}, {len(self.segments)} segments)"

    @property
    def characters(self) -> int:
        return sum(len(s.text) for s in self.segments)
