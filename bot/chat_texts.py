"""Words every chat front end (Slack, Teams) says the same way: polite refusals, one line per open case for
the business unit's lists (the Slack App Home, the Teams cases card), and this year's compliance picture. No
personal data in any of them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from cases.figures.period import year_of
from cases.figures.summary import compliance_lines
from cases.status import Rag
from storage.case_store import CaseSummary
from storage.store import Store

REFUSAL = (
    "Sorry, only members of the board's business unit can do that. If you think you should have access, please "
    "ask the board manager."
)
NOTIFICATION_REFUSAL = (
    "Sorry, only members of the board's business unit can approve, edit or reject notifications. If you think "
    "you should be able to, please ask the board manager."
)


def case_line(c: CaseSummary, *, bold: Callable[[str], str], rag: Callable[[Rag], str]) -> str:
    """A case as the business unit sees it in a list: RAG, reference, status, the next deadline with its
    act-by date, the agencies still to confirm their records are secured and those that hold none. `bold` and
    `rag` are the front end's own markup (Slack mrkdwn and emoji; Teams markdown and words)."""
    line = f"{rag(c.rag)} {bold(c.reference)} · {c.status.value.replace('_', ' ')}"
    if c.next_deadline is not None:
        d = c.next_deadline.computed
        who = f" ({d.agency})" if d.agency else ""
        line += f"\nNext: {d.rule}{who}, act by {d.act_by:%-d %b %Y}"
    if c.agencies_not_confirmed:
        line += f"\nStill to confirm records secured: {', '.join(c.agencies_not_confirmed)}"
    if c.agencies_no_records:
        line += f"\nNo records held: {', '.join(c.agencies_no_records)}"
    return line


def compliance_text(store: Store, today: date, *, bold: Callable[[str], str]) -> str:
    """The reporting year's compliance picture so far, a few lines (`scrbot report` has the whole of it)."""
    year = year_of(today, start_month=store.board.figures.reporting_year_start_month)
    lines = compliance_lines(store.figures(year, today=today), bold=bold)
    return "\n".join([*lines, "The whole report: `scrbot report`"])
