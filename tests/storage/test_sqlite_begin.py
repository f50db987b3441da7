"""SQLite transactions begin with BEGIN IMMEDIATE on the driver's connection (storage/db.py); a database another
process holds locked must still surface as SQLAlchemy's OperationalError, which the mail intake and the sweeps
treat as "unavailable, try again on the next pass", never as a bug in the message or the case."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from storage.db import make_engine, sqlite_url


def test_a_database_locked_by_another_writer_is_sqlalchemys_operational_error(tmp_path: Path) -> None:
    path = tmp_path / "locked.db"
    engine = make_engine(sqlite_url(path))
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another process writing
        with engine.connect() as connection:
            driver = connection.connection.driver_connection
            assert driver is not None
            driver.execute("PRAGMA busy_timeout=0")  # do not wait the 30 s a real writer would get
            with pytest.raises(OperationalError, match="locked"):
                connection.execute(text("INSERT INTO t VALUES (1)"))
    finally:
        holder.close()
        engine.dispose()


def test_a_transaction_takes_the_write_lock_at_its_start(tmp_path: Path) -> None:
    path = tmp_path / "begin.db"
    engine = make_engine(sqlite_url(path))
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
    other = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))  # a read begins the transaction, and takes the lock
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            connection.rollback()
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
    finally:
        other.close()
        engine.dispose()
