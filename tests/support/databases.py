"""Real databases for tests: SQLite files, and a real PostgreSQL server when SCRBOT_TEST_POSTGRES_URL is set.

Without that variable the PostgreSQL tests are skipped with a clear reason; with SCRBOT_REQUIRE_POSTGRES=1
(as .ci/run sets) a missing or unreachable server fails the run instead.
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

POSTGRES_URL_VAR = "SCRBOT_TEST_POSTGRES_URL"
REQUIRE_VAR = "SCRBOT_REQUIRE_POSTGRES"


def postgres_unavailable(reason: str) -> None:
    if os.environ.get(REQUIRE_VAR) == "1":
        pytest.fail(f"PostgreSQL is required ({REQUIRE_VAR}=1) but {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL tests skipped: {reason} (set {POSTGRES_URL_VAR}; .ci/run does)")


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
        postgres_unavailable(f"{POSTGRES_URL_VAR} is not set")
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


def sqlite_engine(path: str) -> Engine:
    engine = make_engine(f"sqlite+pysqlite:///{path}")
    upgrade(engine)
    return engine
