"""Engines, sessions and migrations. SQLite is the embedded default; PostgreSQL when several bot processes
share one store (DESIGN.md §4)."""

from __future__ import annotations

import os
import sqlite3
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

from sqlalchemy import URL, Connection, Engine, create_engine, event, text
from sqlalchemy.engine import CursorResult, Result, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError

from errors import BadInput, Unavailable

# Alembic only when migrating or asking Alembic: a command that reads checks the schema against a constant
# (storage/schema_version.py) and starts without it (bench/cli_start.py).
# The ORM too: a read-only listing (storage/read_store.py) runs on Core alone.
if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"
URL_SETTING = "SCRBOT_DATABASE_URL"

# How SQLite waits for the disk at a commit (SCRBOT_SQLITE_SYNCHRONOUS, README "Durability"). "full" (the
# default): in WAL mode the log is synced at every commit, so a commit that returned survives a power cut or an
# OS crash. The product promises that: a referral acknowledged to its referrer is kept; the mail intake commits
# a message's outcome and then moves the message out of the inbox (a Maildir rename, an EWS/Graph move on the
# server), so a commit lost after the move would lose the message; a Slack step acknowledged after its append
# (storage/received_steps.py) is never resent by Slack. "normal" syncs only at checkpoints: it survives the
# process being killed, not the machine losing power (the last transactions can go). About 2.5 ms of fsync per
# commit on a server disk (issue 15 §3); PostgreSQL (synchronous_commit on) is durable either way.
Synchronous = Literal["full", "normal"]
DEFAULT_SYNCHRONOUS: Synchronous = "full"
# The level each SQLite engine was made with, so that the steps file beside the database uses the same one.
_SYNCHRONOUS: weakref.WeakKeyDictionary[Engine, Synchronous] = weakref.WeakKeyDictionary()


def sqlite_url(path: Path) -> str:
    return f"sqlite+pysqlite:///{path}"


def is_sqlite(url: str) -> bool:
    return parse_url(url).get_backend_name() == "sqlite"


def parse_url(url: str) -> URL:
    """The URL, or one clear line naming the setting; never the text itself, which may hold a password."""
    try:
        return make_url(url)
    except (ArgumentError, ValueError):
        raise BadInput(
            f"{URL_SETTING} is not a database URL (expected e.g. postgresql+psycopg://user:password@host/db "
            "or sqlite+pysqlite:///path/to/scrbot.db)",
            field=URL_SETTING,
        ) from None


def safe_url(url: URL) -> str:
    return url.render_as_string(hide_password=True)


def make_engine(url: str, synchronous: Synchronous = DEFAULT_SYNCHRONOUS, **kwargs: Any) -> Engine:
    """An engine for the URL; `synchronous` is SQLite's (ignored for PostgreSQL): see DEFAULT_SYNCHRONOUS."""
    parsed = parse_url(url)
    try:
        if parsed.get_backend_name() == "sqlite":
            database = parsed.database
            if database and database != ":memory:":
                _create_private_file(Path(database))
            engine = create_engine(parsed, connect_args={"timeout": 30}, **kwargs)
            _configure_sqlite(engine, synchronous)
            _SYNCHRONOUS[engine] = synchronous
            return engine
        return create_engine(parsed, pool_pre_ping=True, **kwargs)
    except (NoSuchModuleError, ImportError):
        raise BadInput(
            f"{URL_SETTING} names a database driver that is not installed or not known "
            f"({parsed.drivername}); use postgresql+psycopg or sqlite+pysqlite",
            field=URL_SETTING,
        ) from None


def _create_private_file(path: Path) -> None:
    """The database file (and the -wal/-shm files SQLite gives the same mode) readable by the owner only."""
    if path.is_dir():
        raise BadInput(f"the SQLite database {path} is a folder, not a file", field=URL_SETTING)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not path.exists():
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    except (FileExistsError, NotADirectoryError):
        raise BadInput(f"the SQLite database {path} cannot be created: a part of its folder is a file") from None
    except PermissionError:
        raise Unavailable(f"the SQLite database {path} cannot be created: permission denied") from None


def check_connection(engine: Engine) -> None:
    """Connect once, so that an unreachable server or an unreadable file is one clear line at start (with the
    host or file and the reason, never the password) rather than an error deep inside the first command."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except DBAPIError as exc:
        raise Unavailable(_unreachable(engine, exc)) from None


def _unreachable(engine: Engine, exc: DBAPIError) -> str:
    url = engine.url
    reason = _reason(exc, url.password)
    if url.get_backend_name() == "sqlite":
        if "not a database" in reason or "malformed" in reason:
            reason += " (the file is corrupt or not an SQLite database: restore it from a backup)"
        return f"cannot read the SQLite database {url.database}: {reason}"
    return f"cannot reach the database at {safe_url(url)}: {reason}"  # the URL names host and port


def _reason(exc: DBAPIError, password: str | None) -> str:
    """The driver's own explanation, in one line: psycopg's 'connection failed: connection to server at ...
    failed: Connection refused' becomes 'Connection refused'."""
    text_ = str(exc.orig) if exc.orig is not None else type(exc).__name__
    line = next((part.strip() for part in text_.splitlines() if part.strip()), type(exc.orig).__name__)
    line = line.rsplit(" failed: ", 1)[-1].removeprefix("connection failed: ").strip()
    line = " ".join(line.split())
    if password:
        line = line.replace(password, "***")
    return line[:300]


def synchronous_of(engine: Engine) -> Synchronous:
    """The SQLite synchronous level the engine was made with (the default for an engine made elsewhere)."""
    return _SYNCHRONOUS.get(engine, DEFAULT_SYNCHRONOUS)


def _configure_sqlite(engine: Engine, synchronous: Synchronous) -> None:
    if synchronous not in ("full", "normal"):  # a caller outside the settings' validation
        raise BadInput(f"SQLite synchronous level {synchronous!r}; allowed: full, normal", field="synchronous")
    pragma = f"PRAGMA synchronous={synchronous.upper()}"

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, open transactions (so that BEGIN IMMEDIATE below is used).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(pragma)  # durable by default: see DEFAULT_SYNCHRONOUS
        # A page cache of up to 32 MiB per connection (SQLite's default is 2 MiB): a filing touches the index
        # pages of cases, deadlines and the audit log, and with random ids those are all over the tree; once
        # the file outgrows the small cache every filing read them back from the OS (issue 15 §3: about 15 %
        # of a filing's CPU time at a few thousand cases). Allocated as used, not up front.
        cursor.execute("PRAGMA cache_size=-32768")
        cursor.execute("PRAGMA foreign_keys=ON")
        # Deleted personal data is overwritten, not left in free pages of the file.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Take the write lock at the start: a deferred transaction that reads and then writes can fail
        # with SQLITE_BUSY under concurrency instead of waiting its turn.
        # On the driver's connection: through exec_driver_sql this costs about as much as a short transaction's
        # own work (issue 15 §3: every filing and every inbound message begins one or more). A busy or locked
        # database still surfaces as SQLAlchemy's OperationalError, which callers treat as "try again later".
        try:
            connection.connection.driver_connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise OperationalError("BEGIN IMMEDIATE", None, exc) from exc


def fold_log(engine: Engine) -> None:
    """SQLite: copy the write-ahead log into the database file and empty it. After a purge the old versions of
    the pages it overwrote (secure_delete) would otherwise stay in the log, sealed but openable with the key,
    for as long as another process keeps the database open. Best effort: a reader in the middle of a
    transaction keeps its pages until the next checkpoint. (PostgreSQL: old row versions go with vacuum.)"""
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as connection:
        # On the driver's connection: outside a transaction, which a checkpoint cannot run inside.
        driver = connection.connection.driver_connection
        if driver is not None:
            driver.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()


def make_sessions(engine: Engine) -> sessionmaker[Session]:
    from sqlalchemy.orm import sessionmaker

    return sessionmaker(engine, expire_on_commit=False)


# Arbitrary constant: the advisory lock id that serialises migrations between bot processes.
_MIGRATION_LOCK = 7_240_001


def alembic_config(engine: Engine, connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to `revision` (default: the newest). Safe when several processes start at once:
    on PostgreSQL they queue on an advisory lock; SQLite serialises writers itself."""
    from alembic import command

    with engine.connect() as connection:
        postgres = engine.dialect.name == "postgresql"
        if postgres:
            connection.execute(text("SELECT pg_advisory_lock(:id)"), {"id": _MIGRATION_LOCK})
            connection.commit()
        try:
            command.upgrade(alembic_config(engine, connection), revision)
        finally:
            if postgres:
                connection.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": _MIGRATION_LOCK})
                connection.commit()


def needs_upgrade(engine: Engine) -> bool:
    return current_revision(engine) != head_revision()


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def rowcount(result: Result[Any]) -> int:
    """Rows an UPDATE/DELETE touched (a DML result is a CursorResult; the type says Result)."""
    return int(cast(CursorResult[Any], result).rowcount)


@contextmanager
def transaction(sessions: sessionmaker[Session], session: Session | None = None) -> Iterator[Session]:
    """The caller's transaction when it passes one (so several changes commit together), else a new one."""
    if session is not None:
        yield session
        return
    with sessions.begin() as own:
        yield own
