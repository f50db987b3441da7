"""Small helpers for command output: JSON for scripts, aligned text for people."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from cases.calendar import BOARD_TIMEZONE
from cases.case import Deadline
from errors import BadInput


class CommandError(BadInput):
    """A command cannot do what was asked; the message is shown as one line."""


def print_json(value: Any) -> None:
    json.dump(value, sys.stdout, indent=2, default=str, ensure_ascii=False)
    sys.stdout.write("\n")


def moment(at: datetime | str) -> str:
    """A stored moment as people read it: the board's local time, to the minute."""
    when = datetime.fromisoformat(at) if isinstance(at, str) else at
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
