"""Case references: SCR-YYYY-NNNN. The only case identifier that may appear in channels, subjects and logs."""

from __future__ import annotations

import re

from errors import BadInput

_STRICT = re.compile(r"^SCR-(\d{4})-(\d{4,})$")
# Tolerant of what mail clients and people do to a reference: case, spaces or other dashes, brackets.
_LOOSE = re.compile(
    r"(?<![A-Za-z0-9])SCR[\s\-\u2010-\u2015_/]*(\d{4})[\s\-\u2010-\u2015_/]+(\d{1,6})(?!\d)", re.IGNORECASE
)


def format_reference(year: int, number: int) -> str:
    return f"SCR-{year:04d}-{number:04d}"


def parse_reference(text: str) -> tuple[int, int]:
    match = _STRICT.match(text.strip().upper())
    if not match:
        raise BadInput(f"{text!r} is not a case reference (expected SCR-YYYY-NNNN)", field="reference")
    return int(match.group(1)), int(match.group(2))


def find_references(text: str) -> list[str]:
    """Every case reference in free text, normalised, in order of appearance, without repeats."""
    found: list[str] = []
    for match in _LOOSE.finditer(text):
        reference = format_reference(int(match.group(1)), int(match.group(2)))
        if reference not in found:
            found.append(reference)
    return found
