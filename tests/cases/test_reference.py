"""Case references survive what mail clients and people do to subjects."""

from __future__ import annotations

import pytest

from cases.reference import find_references, format_reference, parse_reference


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("RE: FW: [SCR-2026-0007] Records request", ["SCR-2026-0007"]),
        ("Re: scr 2026 7 records", ["SCR-2026-0007"]),
        ("SCR\u20132026\u20130007", ["SCR-2026-0007"]),  # en dashes from a word processor
        ("about SCR-2026-0007 and SCR-2026-0012, again SCR-2026-0007", ["SCR-2026-0007", "SCR-2026-0012"]),
        ("DESCR-2026-0007", []),
        ("no reference here", []),
    ],
)
def test_find_references(text: str, found: list[str]) -> None:
    assert find_references(text) == found


def test_format_and_parse() -> None:
    assert format_reference(2026, 3) == "SCR-2026-0003"
    assert parse_reference("scr-2026-0003") == (2026, 3)
    with pytest.raises(ValueError, match="SCR-YYYY-NNNN"):
        parse_reference("2026-0003")
