"""Settling a stored message that changes nothing but its own row, in one statement (issue 15 §3, mail ingest).

Most inbound mail changes no case: out-of-office replies, unknown senders, forged mail, unclear answers. For those
`claim` (lock the row, check it still waits) followed by `finish` (write the outcome) is one conditional UPDATE:
the row lock and the status check are the UPDATE's own, so a row another process (or a run before a crash)
finished meanwhile matches nothing and is left alone, exactly as `claim` leaves it. A kill before the commit
leaves the row `received` and the message in the inbox (acted on again by the next poll, nothing lost); a kill
after it leaves the row finished (the next poll finds it done and only moves it, nothing duplicated).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Engine, bindparam

from storage.db import rowcount
from storage.inbound import _FINISH, InboundStatus, InboundStore, T

_SETTLE = _FINISH.where(T.c.board_id == bindparam("ref_board"), T.c.status == InboundStatus.RECEIVED.value)


def settle(
    inbound: InboundStore,
    row_id: str,
    *,
    status: InboundStatus,
    kind: str,
    reason: str,
    now: datetime,
    case_id: str | None = None,
    case_ref: str = "",
    agency_id: str = "",
    detail: dict[str, Any] | None = None,
    tell: bool = False,
    before_commit: Callable[[], None] = lambda: None,
) -> bool:
    """Write the bot's outcome for a row still `received`, in a transaction of its own (the values `finish`
    writes for such a row). False: the row was finished already, and nothing was written."""
    detail_enc = inbound.sealed_detail(row_id, detail) if detail is not None else None
    values = {
        "ref_id": row_id,
        "ref_board": inbound.board_id,
        "status": status.value,
        "kind": kind[:32],
        "reason": reason[:500],
        "case_id": case_id,
        "case_ref": case_ref,
        "agency_id": agency_id,
        "detail_enc": detail_enc,
        "handled_by": "",
        "notice_pending": tell,
        "updated_at": now,
    }
    engine = cast(Engine, inbound.sessions.kw["bind"])
    with engine.begin() as connection:
        settled = rowcount(connection.execute(_SETTLE, values)) == 1
        if settled:
            before_commit()
    return settled
