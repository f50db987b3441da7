"""The anonymisation check: before a version of a report may leave the board, every part of its text is checked
against the case's own record (cases/personal_data.py: the child's and family's names with their variants,
dates of birth, address lines, postcodes, and the school or setting the business unit recorded).

Each finding says what kind of data it is and where ("sibling's forename, footer of section 2, paragraph 1"),
never the words found: that is what a person needs to find it, and all that may go into a channel, a log or
an audit entry. Pure: the text comes from intake/documents/, the facts from the store.

Limits (README "The anonymisation check"): it finds the case's own data as recorded, written in the ways
listed in cases/personal_data.py; not a name the record does not hold, a nickname, a description that
identifies someone without naming them ("the only Year 3 teacher at the school"), text inside images, or a
name split between a tracked change and the text around it.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from cases.personal_data import CaseFacts, Kind, find
from cases.review.document import DocumentText, Segment

# Between segments: no pattern of the matcher crosses it (names join their words with spaces or hyphens only).
_SEPARATOR = "\n\x00\n"


@dataclass(frozen=True)
class Finding:
    """One hit: what kind of personal data, whose and which part (`label`), and where. Never the text."""

    kind: Kind
    label: str
    where: str
    part: str

    def line(self) -> str:
        return f"{self.label}, {self.where}"


@dataclass(frozen=True)
class CheckResult:
    findings: tuple[Finding, ...]
    characters: int

    @property
    def clean(self) -> bool:
        return not self.findings

    def summary(self, limit: int = 20) -> list[str]:
        """The findings as lines a person can act on, at most `limit` (then how many more)."""
        lines = [f.line() for f in self.findings[:limit]]
        if len(self.findings) > limit:
            lines.append(f"... and {len(self.findings) - limit} more")
        return lines

    def counts(self) -> dict[str, int]:
        """How many of each kind: for audit entries and channels."""
        return dict(Counter(f.kind.value for f in self.findings))


def check(document: DocumentText, facts: CaseFacts) -> CheckResult:
    """Every place `document` holds the case's personal data, in reading order."""
    segments = [s for s in document.segments if s.text]
    whole = _SEPARATOR.join(s.text for s in segments)
    starts: list[int] = []
    offset = 0
    for segment in segments:
        starts.append(offset)
        offset += len(segment.text) + len(_SEPARATOR)
    findings: list[Finding] = []
    for hit in find(whole, facts):
        index = bisect_right(starts, hit.start) - 1
        segment = segments[index]
        line = whole.count("\n", starts[index], hit.start) + 1
        findings.append(
            Finding(hit.kind, hit.label or hit.kind.value.replace("_", " "), segment.where(line), _part(segment))
        )
    return CheckResult(tuple(findings), document.characters)


def _part(segment: Segment) -> str:
    return segment.part.value


def lines_of(findings: Sequence[Finding]) -> list[str]:
    return [f.line() for f in findings]
