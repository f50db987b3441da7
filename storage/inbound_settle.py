"""Settling a stored message that changes nothing but its own row, in one statement (issue 15 §3, mail ingest).

Most inbound mail changes no case: out-of-office replies, unknown senders, forged mail, unclear answers. For those
`claim` (lock the row, check it still waits) followed by `finish` (write the outcome) is one conditional UPDATE:
the row lock and the status check are the UPDATE's own, so a row another process (or a run before a crash)
finished meanwhile matches nothing and is left alone, exactly as `claim` leaves it. A kill before the commit
leaves the row `received` and the message in the inbox (acted on again by the next poll, nothing lost); a kill
after it leaves the row finished (the next poll finds it done and only moves it, nothing duplicated).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Engine

from storage.db import rowcount
from storage.inbound import InboundStatus, InboundStore
from storage.inbound_statements import SETTLE


def settle_values(
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
) -> dict[str, Any]:
    """The parameters of the conditional UPDATE for a row still `received` (the values `finish` writes for such
    a row). `tell`: the business unit is to be told about it."""
    return {
        "ref_id": row_id,
        "ref_board": inbound.board_id,
        "status": status.value,
        "kind": kind[:32],
        "reason": reason[:500],
        "case_id": case_id,
        "case_ref": case_ref,
        "agency_id": agency_id,
        "detail_enc": inbound.sealed_detail(row_id, detail) if detail is not None else None,
        "handled_by": "",
        "notice_pending": tell,
        "updated_at": now,
    }


def settle(inbound: InboundStore, values: dict[str, Any], *, before_commit: Callable[[], None] = lambda: None) -> bool:
    """Write the bot's outcome (`settle_values`) for a row still `received`, in a transaction of its own. False:
    the row was finished already, and nothing was written."""
    engine = cast(Engine, inbound.sessions.kw["bind"])
    with engine.begin() as connection:
        settled = rowcount(connection.execute(SETTLE, values)) == 1
        if settled:
            before_commit()
    return settled


def settle_all(connection: Connection, values: Sequence[dict[str, Any]]) -> bool:
    """Settle many rows in one executemany, in the caller's transaction. True: every row was still `received`
    and is settled. False: at least one was finished meanwhile (by another process); the caller rolls back
    (a savepoint) and settles them one at a time to learn which."""
    if not values:
        return True
    if len(values) == 1 or not connection.dialect.supports_sane_multi_rowcount:
        return all(rowcount(connection.execute(SETTLE, v)) == 1 for v in values)
    return rowcount(connection.execute(SETTLE, list(values))) == len(values)
