"""The statements the inbound store runs for every message, built once and run with parameters (building one
costs more than running it on SQLite). Shared by storing and finishing one message (storage/inbound.py),
settling one (storage/inbound_settle.py) and a poll's batch (storage/inbound_batch.py)."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from storage.tables import InboundMessageRow

T = cast(Table, InboundMessageRow.__table__)
REF_COLUMNS = (
    T.c.id,
    T.c.status,
    T.c.kind,
    T.c.reason,
    T.c.case_ref,
    T.c.agency_id,
    T.c.truncated,
    T.c.raw_enc,
    T.c.detail_enc,
    T.c.case_id,
    T.c.handled_by,
)
INSERT = insert(T).returning(T.c.id)
# Insert unless the same message is stored already (no exception to unwind on the duplicate path).
INSERT_NEW = {
    "sqlite": sqlite_insert(T).on_conflict_do_nothing(index_elements=["board_id", "dedupe_key"]).returning(T.c.id),
    "postgresql": pg_insert(T).on_conflict_do_nothing(index_elements=["board_id", "dedupe_key"]).returning(T.c.id),
}
SELECT_REF = select(*REF_COLUMNS).where(T.c.id == bindparam("ref_id"), T.c.board_id == bindparam("ref_board"))
SELECT_REF_LOCKED = SELECT_REF.with_for_update()
BY_DEDUPE_KEY = select(T).where(T.c.board_id == bindparam("ref_board"), T.c.dedupe_key == bindparam("key"))
# A row's outcome (by `finish`, in the caller's transaction with whatever the message caused).
FINISH = (
    update(T)
    .where(T.c.id == bindparam("ref_id"))
    .values(
        status=bindparam("status"),
        kind=bindparam("kind"),
        reason=bindparam("reason"),
        case_id=bindparam("case_id"),
        case_ref=bindparam("case_ref"),
        agency_id=bindparam("agency_id"),
        detail_enc=bindparam("detail_enc"),
        handled_by=bindparam("handled_by"),
        notice_pending=bindparam("notice_pending"),
        updated_at=bindparam("updated_at"),
    )
)
# The bot's outcome for a row only while it still waits (`received`): the status check is the UPDATE's own.
SETTLE = FINISH.where(T.c.board_id == bindparam("ref_board"), T.c.status == "received")
# A row's summary (storage/inbound.py `summary_of`) without its sealed content.
SUMMARY_COLUMNS = (
    T.c.id,
    T.c.status,
    T.c.kind,
    T.c.reason,
    T.c.case_ref,
    T.c.agency_id,
    T.c.source,
    T.c.size,
    T.c.truncated,
    T.c.received_at,
    T.c.updated_at,
    T.c.handled_by,
)
# The messages the business unit is still to be told about, oldest first, locked (others' skipped).
PENDING_NOTICES = (
    select(*SUMMARY_COLUMNS)
    .where(T.c.notice_pending.is_(True), T.c.board_id == bindparam("ref_board"))
    .order_by(T.c.received_at, T.c.id)
    .limit(bindparam("limit"))
    .with_for_update(skip_locked=True)
)
TOLD = update(T).where(T.c.id.in_(bindparam("ids", expanding=True))).values(notice_pending=False)
