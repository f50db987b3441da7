"""A version of the overview (or final) report and whether it may leave the board: only once the anonymisation
check (cases/review/anonymisation.py) found nothing, or a named person overrode it with a reason. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from errors import BadInput, Conflict, Refused


@dataclass(frozen=True)
class ReportVersion:
    """`findings`: how many hits the check found; `overridden_by`: the actor id who let it go despite them."""

    version: int
    findings: int
    overridden_by: str = ""
    overridden_at: datetime | None = None

    @property
    def may_leave(self) -> bool:
        return self.findings == 0 or bool(self.overridden_by)

    @property
    def state(self) -> str:
        if self.findings == 0:
            return "clean"
        return "overridden" if self.overridden_by else "blocked"


def require_may_leave(version: ReportVersion) -> None:
    """Refuse a version the check has not cleared (nothing of the hits themselves in the line)."""
    if not version.may_leave:
        raise Refused(
            f"version {version.version} of the report holds {version.findings} item(s) of the case's personal "
            "data (see `scrbot review report check`): upload a corrected version, or a named person overrides "
            "the check with a reason"
        )


def override(version: ReportVersion, *, by: str, reason: str, at: datetime) -> ReportVersion:
    """A named person lets a version with findings go, with a reason (audited by the store)."""
    if version.findings == 0:
        raise Conflict(f"version {version.version} passed the check: there is nothing to override")
    if version.overridden_by:
        raise Conflict(f"version {version.version}'s check is already overridden")
    if not by.strip():
        raise BadInput("say who overrides the check", field="by")
    if not reason.strip():
        raise BadInput("give the reason for overriding the check", field="reason")
    return ReportVersion(version.version, version.findings, by, at)
