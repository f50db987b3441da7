"""Real databases for tests: SQLite files, and a real PostgreSQL server.

The server is the one SCRBOT_TEST_POSTGRES_URL names (`.ci/run` starts one and sets it); without that
variable the session starts a throwaway server of its own (tests/support/throwaway_postgres.py), so that
`make test` runs the PostgreSQL tests on any machine. Only when neither is possible are those tests
skipped, with the reason; with SCRBOT_REQUIRE_POSTGRES=1 (as .ci/run sets) that fails the run instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from storage.db import make_engine, upgrade
from storage.tables import Base
from tests.support.throwaway_postgres import NoThrowawayServer, ThrowawayPostgres

POSTGRES_URL_VAR = "SCRBOT_TEST_POSTGRES_URL"
REQUIRE_VAR = "SCRBOT_REQUIRE_POSTGRES"

# Lines for the end of the session's report (tests/conftest.py prints them): which server the tests used.
SESSION_NOTES: list[str] = []


def postgres_unavailable(reason: str) -> None:
    if os.environ.get(REQUIRE_VAR) == "1":
        pytest.fail(f"PostgreSQL is required ({REQUIRE_VAR}=1) but {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL tests skipped: {reason} (or set {POSTGRES_URL_VAR} to a server's URL)")


class PostgresServer:
    """One scratch database per test session on the real server, dropped at the end."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.name = f"scrbot_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        self._extra: list[str] = []
        self._admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with self._admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{self.name}"'))
        self.url = make_url(admin_url).set(database=self.name).render_as_string(hide_password=False)
        self.engine = make_engine(self.url)
        upgrade(self.engine)

    def truncate(self) -> None:
        names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        with self.engine.begin() as c:
            c.execute(text(f"TRUNCATE {names} CASCADE"))

    def new_database(self) -> str:
        """A separate, empty database (for migration tests); dropped with the server object."""
        name = f"{self.name}_{uuid.uuid4().hex[:6]}"
        with self._admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        self._extra.append(name)
        return make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    def close(self) -> None:
        self.engine.dispose()
        with self._admin.connect() as c:
            for name in [*self._extra, self.name]:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self._admin.dispose()


def postgres_server() -> Iterator[PostgresServer]:
    url = os.environ.get(POSTGRES_URL_VAR)
    if not url:
        yield from _throwaway_server()
        return
    try:
        server = PostgresServer(url)
    except Exception as exc:  # noqa: BLE001 - any failure to reach the server is reported the same way
        postgres_unavailable(
            f"the server at {make_url(url).host}:{make_url(url).port} is unreachable ({type(exc).__name__})"
        )
        return
    try:
        yield server
    finally:
        server.close()


def _throwaway_server() -> Iterator[PostgresServer]:
    try:
        throwaway = ThrowawayPostgres().start()
    except NoThrowawayServer as exc:
        postgres_unavailable(f"{POSTGRES_URL_VAR} is not set and no throwaway server could be started: {exc}")
        return
    SESSION_NOTES.append(
        f"PostgreSQL tests ran on a throwaway server ({POSTGRES_URL_VAR} is not set): "
        f"{throwaway.binaries.source}, port {throwaway.port}, started in {throwaway.started_in:.2f} s"
    )
    try:
        server = PostgresServer(throwaway.url)
        try:
            yield server
        finally:
            server.close()
    finally:
        throwaway.stop()


def sqlite_engine(path: str) -> Engine:
    engine = make_engine(f"sqlite+pysqlite:///{path}")
    upgrade(engine)
    return engine
