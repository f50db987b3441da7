"""Small helpers for command output: JSON for scripts, aligned text for people."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from errors import BadInput

# Every command's parser uses this module (its date types): what the commands print with is imported when
# they print, so that `scrbot --help` starts without the case models or the holidays tables.
if TYPE_CHECKING:
    from cases.case import Deadline

# Today's date for date options ("today", two-digit years), from the command's own clock (bot/cli.py sets it).
_TODAY: ContextVar[Callable[[], date] | None] = ContextVar("scrbot_cli_today", default=None)


class CommandError(BadInput):
    """A command cannot do what was asked; the message is shown as one line."""


def print_json(value: Any) -> None:
    json.dump(value, sys.stdout, indent=2, default=str, ensure_ascii=False)
    sys.stdout.write("\n")


def moment(at: datetime | str) -> str:
    """A stored moment as people read it: the board's local time, to the minute."""
    when = datetime.fromisoformat(at) if isinstance(at, str) else at
    from cases.calendar import BOARD_TIMEZONE

    return when.astimezone(BOARD_TIMEZONE).strftime("%Y-%m-%d %H:%M")


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    text_rows = [[("" if v is None else str(v)) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in text_rows)) if text_rows else len(h) for i, h in enumerate(headers)]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    for row in text_rows:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())


def deadline_json(deadline: Deadline, *, rag: str | None = None) -> dict[str, Any]:
    c = deadline.computed
    data: dict[str, Any] = {
        "rule": c.rule,
        "agency": c.agency,
        "occurrence": c.occurrence,
        "due": c.due.isoformat(),
        "act_by": c.act_by.isoformat(),
        "limit": c.limit,
        "state": deadline.state.value,
        "met_on": deadline.met_on.isoformat() if deadline.met_on else None,
        "trigger_event": c.trigger_event.value,
        "trigger_date": c.trigger_date.isoformat(),
        "action": c.action,
        "who": c.who,
        "text": c.text,
        "source": c.source,
        "minimum_period": c.minimum_period,
    }
    if rag is not None:
        data["rag"] = rag
    return data


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date; use YYYY-MM-DD") from None


def dates_relative_to(today: Callable[[], date]) -> None:
    """Date options read "today", "yesterday" and two-digit years against this (the command's clock)."""
    _TODAY.set(today)


def uk_date(text: str) -> str:
    """The argparse type of every date option: a date as people type it, read like the referral
    conversation reads it (cases/dates.py: 31/12/2026, 31 Dec 2026, 2026-12-31, today; day first), given to
    the command as YYYY-MM-DD. An unreadable date is a one-line usage error naming the option."""
    from cases.dates import UnreadableDate, read_date

    today_of = _TODAY.get()
    try:
        return read_date(text, today=today_of() if today_of else None).isoformat()
    except UnreadableDate as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def uk_moment(text: str) -> str:
    """The argparse type of `--now`: an ISO date and time as it is, else a date as `uk_date` reads it."""
    try:
        datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        return text
    except ValueError:
        pass
    try:
        return uk_date(text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date or a date and time; use e.g. 24/12/2026 or 2026-12-24T09:05"
        ) from None
