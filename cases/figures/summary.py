"""The compliance picture in a few words, for the people who run the reviews (the Slack App Home, the Teams
cases card, the weekly digest): how many statutory duties fell due this year so far and how many were met on
time, per group of agency duties, and the year's counts. Exact numbers: these go to the business unit, which
sees every case anyway; small-number suppression is for what is published (`scrbot report`)."""

from __future__ import annotations

from collections.abc import Callable

from cases.costs import pounds_text
from cases.figures.compute import BoardFigures, DutyTally


def _fallen_due(t: DutyTally) -> int:
    """Duties whose date has come: met (on time or late) or overdue; not those still ahead."""
    return t.on_time + t.late + t.open_overdue


def _share(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "-"


def _so_far(f: BoardFigures) -> str:
    return "so far" if f.as_of < f.period.end else "for the year"


def compliance_line(f: BoardFigures) -> str:
    """One line (the weekly digest): the year's statutory duties fallen due, on time, late, overdue."""
    duties = f.all_duties
    due = _fallen_due(duties)
    reviews = f"{f.reviews_open_at_end} review{'' if f.reviews_open_at_end == 1 else 's'} open"
    if not due:
        return f"Figures {f.period.label} {_so_far(f)}: no statutory duty has fallen due yet; {reviews}."
    return (
        f"Figures {f.period.label} {_so_far(f)}: {duties.on_time} of {due} statutory duties met on time "
        f"({_share(duties.on_time, due)}), {duties.late} late, {duties.open_overdue} overdue; {reviews}."
    )


def compliance_lines(f: BoardFigures, *, bold: Callable[[str], str]) -> list[str]:
    """A few lines (App Home, Teams): the headline, the statutory duties, the agencies' duties per group, and
    the year's counts. `bold`: the front end's own markup."""
    duties = f.all_duties
    due = _fallen_due(duties)
    lines = [f"{bold(f'Figures {f.period.label}')} ({_so_far(f)}, to {f.as_of:%-d %b %Y})"]
    if due:
        late = f" (median {duties.median_days_late:g} days late)" if duties.median_days_late is not None else ""
        lines.append(
            f"Statutory duties: {duties.on_time} of {due} met on time ({_share(duties.on_time, due)}), "
            f"{duties.late} late{late}, {duties.open_overdue} overdue"
        )
    else:
        lines.append("Statutory duties: none has fallen due yet")
    groups = []
    for label, per_agency in f.agency_duties:
        on_time = sum(t.on_time for _a, t in per_agency)
        fallen = sum(_fallen_due(t) for _a, t in per_agency)
        if fallen:
            groups.append(f"{label.lower()} {_share(on_time, fallen)}")
    if groups:
        lines.append("Agencies on time: " + ", ".join(groups))
    lines.append(
        f"Referrals {f.referrals} · decisions {f.decided} · reviews open {f.reviews_open_at_end} · "
        f"extensions {f.extensions_total} · spent {pounds_text(f.total_cost_pence)}"
    )
    return lines
