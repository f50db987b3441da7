"""Declarative base, constraint naming (stable names for Alembic) and the encrypted-column marker."""

from __future__ import annotations

import os
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
    """A random (version 4) UUID's 32 hex digits. Built from the bytes directly: a filing makes a few dozen
    ids, and uuid.uuid4() builds and formats an object for each (issue 15 §3)."""
    raw = bytearray(os.urandom(16))
    raw[6] = raw[6] & 0x0F | 0x40  # the version, as uuid4 sets it
    raw[8] = raw[8] & 0x3F | 0x80  # the RFC 4122 variant
    return raw.hex()


def encrypted(nullable: bool = True) -> Any:
    """A column holding an AES-GCM token. Rows with such columns must have a string primary key `id`,
    which is bound into the token's associated data."""
    return mapped_column(LargeBinary, nullable=nullable, info={"encrypted": True})


def encrypted_columns(table: Table) -> list[str]:
    return [c.name for c in table.columns if c.info.get("encrypted")]


def table_of(model: type[Base]) -> Table:
    """A mapped class's Table, typed as one (for Core statements on hot paths)."""
    return cast(Table, model.__table__)
