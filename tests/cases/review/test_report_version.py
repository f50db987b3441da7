"""Whether a version of the report may leave the board (cases/review/report_version.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cases.review.report_version import ReportVersion, override, require_may_leave
from errors import BadInput, Conflict, Refused

AT = datetime(2027, 5, 4, 9, tzinfo=UTC)


@pytest.mark.parametrize(
    ("version", "state", "may_leave"),
    [
        (ReportVersion(1, 0), "clean", True),
        (ReportVersion(1, 2), "blocked", False),
        (ReportVersion(1, 2, "cli:chair", AT), "overridden", True),
    ],
)
def test_only_a_clean_or_overridden_version_may_leave(version: ReportVersion, state: str, may_leave: bool) -> None:
    assert (version.state, version.may_leave) == (state, may_leave)
    if may_leave:
        require_may_leave(version)
    else:
        with pytest.raises(Refused, match="holds 2 item"):
            require_may_leave(version)


@pytest.mark.parametrize(
    ("version", "by", "reason", "error"),
    [
        (ReportVersion(1, 0), "cli:chair", "why", Conflict),
        (ReportVersion(1, 2, "cli:chair", AT), "cli:chair", "why", Conflict),
        (ReportVersion(1, 2), " ", "why", BadInput),
        (ReportVersion(1, 2), "cli:chair", " ", BadInput),
    ],
)
def test_an_override_needs_findings_a_person_and_a_reason(
    version: ReportVersion, by: str, reason: str, error: type[Exception]
) -> None:
    with pytest.raises(error):
        override(version, by=by, reason=reason, at=AT)


def test_an_override_names_who_and_when() -> None:
    assert override(ReportVersion(3, 1), by="cli:chair", reason="accepted", at=AT) == ReportVersion(
        3, 1, "cli:chair", AT
    )
