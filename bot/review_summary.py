"""One line per review for the business unit's views (Slack App Home): which agency is at which step, the
report's latest version and its check, publication and the action plan. Ids, steps, dates and counts only."""

from __future__ import annotations

from datetime import date

from cases.events import CaseStatus
from storage.review_action_plan import ActionPlan
from storage.review_agency_reports import AgencyReports
from storage.review_publication import Publications
from storage.review_report_versions import ReportVersions
from storage.store import Store

# The statuses a case is under review in (after the decision), where the line is worth its queries.
IN_REVIEW = (
    CaseStatus.DECIDED,
    CaseStatus.IN_REVIEW,
    CaseStatus.REPORT_APPROVED,
    CaseStatus.PUBLISHED,
    CaseStatus.MONITORING,
)


def review_line(store: Store, reference: str, *, today: date) -> str:
    """E.g. "Agency reports: health accepted, police requested (due 2027-02-01) · Report v2 clean ·
    Publication held: criminal proceedings open · Actions 1 of 2 complete, 1 overdue"."""
    parts: list[str] = []
    reports = AgencyReports(store).steps(reference)
    if reports:
        steps = [
            f"{r.agency} {r.step.value}"
            + (f" (due {r.due})" if r.due and r.step.value in ("requested", "returned") else "")
            for r in reports
        ]
        parts.append("Agency reports: " + ", ".join(steps))
    versions = ReportVersions(store).versions(reference)
    if versions:
        latest = versions[-1]
        parts.append(f"Report v{latest.version} {latest.state}")
    publication = Publications(store).view(reference)
    if publication.planned_on or publication.published_on or publication.held:
        parts.append(f"Publication {publication.state}")
    actions = ActionPlan(store).actions(reference)
    if actions:
        done = sum(a.completed_on is not None for a in actions)
        overdue = sum(a.status(today) == "overdue" for a in actions)
        parts.append(f"Actions {done} of {len(actions)} complete" + (f", {overdue} overdue" if overdue else ""))
    return " · ".join(parts)
