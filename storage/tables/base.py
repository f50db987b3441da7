"""Declarative base, constraint naming (stable names for Alembic) and the encrypted-column marker."""

from __future__ import annotations

import itertools
import os
import threading
from datetime import UTC, datetime
from typing import Any, ClassVar, cast

from sqlalchemy import DateTime, Dialect, LargeBinary, MetaData, Table
from sqlalchemy.orm import DeclarativeBase, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite would otherwise hand back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; pass an aware one (use the clock)")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UtcDateTime()}


def new_id() -> str:
    """A random (version 4) UUID's 32 hex digits, made from the bytes directly (uuid.uuid4() builds and formats
    an object). Random from the first digit: a person names an outbox message by its first eight
    (`scrbot notify show`)."""
    raw = bytearray(os.urandom(16))
    raw[6] = raw[6] & 0x0F | 0x40  # the version, as uuid4 sets it
    raw[8] = raw[8] & 0x3F | 0x80  # the RFC 4122 variant
    return raw.hex()


def ordered_id() -> str:
    """32 hex digits that follow each other within a process (see RowIds): for a case's rows (the case, its
    events, agency confirmations and deadlines), which nobody names by a prefix."""
    return _IDS.next()


class RowIds:
    """Row ids that are unguessable (64 random bits each) yet follow each other within a process: the first 8
    bytes are a prefix chosen at random per process and a counter. Every index keyed by id (or by a case's id)
    then takes a filing's new rows on the same page or two rather than on a random page per row: with random
    ids, filing a referral wrote about 76 pages (4 KiB each) to SQLite's log, with these about 50, and writing
    and syncing those pages is a durable commit (issue 15 §3). No clock is read (bot/clock.py). What an id
    tells: which process made it and in what order; never anything about a case. Not for ids a person names by
    their first digits: a process's ids share them."""

    def __init__(self, limit: int = 1 << 32) -> None:
        self._limit = limit  # a new prefix after this many ids (the counter has 4 bytes)
        self._lock = threading.Lock()
        self._state = (os.urandom(4), itertools.count())

    def renew(self) -> None:
        self._state = (os.urandom(4), itertools.count())

    def next(self) -> str:
        state = self._state
        number = next(state[1])  # atomic: threads never share a number
        if number >= self._limit:
            with self._lock:
                if self._state is state:
                    self.renew()
            return self.next()
        return (state[0] + number.to_bytes(4, "big") + os.urandom(8)).hex()


_IDS = RowIds()
# A forked child (a worker started by fork) takes its own prefix, so its ids do not interleave with its parent's.
os.register_at_fork(after_in_child=_IDS.renew)


def encrypted(nullable: bool = True) -> Any:
    """A column holding an AES-GCM token. Rows with such columns must have a string primary key `id`,
    which is bound into the token's associated data."""
    return mapped_column(LargeBinary, nullable=nullable, info={"encrypted": True})


def encrypted_columns(table: Table) -> list[str]:
    return [c.name for c in table.columns if c.info.get("encrypted")]


def table_of(model: type[Base]) -> Table:
    """A mapped class's Table, typed as one (for Core statements on hot paths)."""
    return cast(Table, model.__table__)
