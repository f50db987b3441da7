"""A consistent copy of the whole database, and putting one back: for `scrbot backup` and `scrbot restore`.

SQLite: the online backup API (a consistent snapshot while the service keeps writing; restoring writes the
pages back through SQLite's own locking, so the WAL and any reader stay correct). PostgreSQL: `pg_dump` in
its custom format and `pg_restore`, run from the client of the server's own major version (found on PATH or
in /usr/lib/postgresql/*/bin, /usr/pgsql-*/bin). The password goes to them in PGPASSWORD, never on the
command line where `ps` would show it.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.engine import URL, make_url

from errors import BadInput, Unavailable

CLIENT_FOLDERS = ("/usr/lib/postgresql/*/bin", "/usr/pgsql-*/bin", "/opt/homebrew/opt/postgresql@*/bin")
TIMEOUT_SECONDS = 3600


class SnapshotError(Unavailable):
    """The database could not be copied or put back; the message says why (never a value from the data)."""


@dataclass(frozen=True)
class PostgresClient:
    folder: Path
    major: int

    def tool(self, name: str) -> str:
        return str(self.folder / name)


def sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BadInput("an in-memory SQLite database cannot be backed up or restored", field="SCRBOT_DATABASE_URL")
    return Path(database)


def holds_data(engine: Engine) -> bool:
    """A live database: any table of ours (or the migration marker) exists. An empty one may be overwritten."""
    return bool(set(inspect(engine).get_table_names()))


# --- SQLite ---------------------------------------------------------------------------------------------


def sqlite_snapshot(url: str, destination: Path) -> None:
    source = sqlite3.connect(sqlite_path(url), timeout=30)
    target = sqlite3.connect(destination)
    try:
        source.backup(target)
    except sqlite3.Error as exc:
        raise SnapshotError(f"SQLite backup failed ({type(exc).__name__})") from None
    finally:
        target.close()
        source.close()
    os.chmod(destination, 0o600)


def sqlite_restore(snapshot: Path, url: str) -> None:
    path = sqlite_path(url)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    source = sqlite3.connect(snapshot)
    target = sqlite3.connect(path, timeout=5)
    try:
        source.backup(target)
    except sqlite3.OperationalError as exc:
        raise SnapshotError(
            f"the database {path} is in use ({exc.sqlite_errorname}): stop `scrbot run` first"
        ) from None
    finally:
        target.close()
        source.close()


# --- PostgreSQL -----------------------------------------------------------------------------------------


def server_major(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SHOW server_version_num")).scalar_one()) // 10000


def _client_major(folder: Path) -> int | None:
    try:
        result = subprocess.run(  # noqa: S603 - a fixed tool name in a folder we listed
            [str(folder / "pg_dump"), "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except OSError:
        return None
    found = re.search(r"(\d+)(?:\.\d+)?", result.stdout)
    return int(found.group(1)) if result.returncode == 0 and found else None


def find_client(major: int) -> PostgresClient:
    """pg_dump and pg_restore of the server's major version, or the nearest newer one (pg_dump reads older
    servers, never newer)."""
    folders: list[Path] = []
    on_path = shutil.which("pg_dump")
    if on_path:
        folders.append(Path(on_path).resolve().parent)
    for pattern in CLIENT_FOLDERS:
        folders.extend(Path(p) for p in sorted(glob.glob(pattern)))
    candidates = []
    for folder in dict.fromkeys(folders):
        if (folder / "pg_dump").is_file() and (folder / "pg_restore").is_file():
            found = _client_major(folder)
            if found is not None and found >= major:
                candidates.append(PostgresClient(folder, found))
    if not candidates:
        raise SnapshotError(
            f"no pg_dump for PostgreSQL {major} or newer on PATH or in {', '.join(CLIENT_FOLDERS)}: "
            f"install the PostgreSQL {major} client (Debian: postgresql-client-{major})"
        )
    return min(candidates, key=lambda c: c.major)


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq URI without the password, and the environment that carries it."""
    parsed: URL = make_url(url)
    env = {**os.environ}
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    bare = parsed.set(drivername="postgresql", password=None)
    return bare.render_as_string(hide_password=False), env


def _run(argv: list[str], env: dict[str, str], doing: str) -> None:
    try:
        result = subprocess.run(  # noqa: S603 - our argv; the password is in env only
            argv, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, env=env, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SnapshotError(f"{doing} failed ({type(exc).__name__})") from None
    if result.returncode != 0:
        lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
        # pg_dump's messages name objects and connection problems, never row contents.
        raise SnapshotError(f"{doing} failed: {lines[-1][:200] if lines else f'exit {result.returncode}'}")


@contextmanager
def export_snapshot(engine: Engine) -> Iterator[tuple[Connection, str]]:
    """A repeatable-read transaction and its exported snapshot id, for pg_dump --snapshot."""
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            yield connection, str(connection.execute(text("SELECT pg_export_snapshot()")).scalar_one())


def postgres_snapshot(engine: Engine, url: str, destination: Path, *, snapshot: str = "") -> PostgresClient:
    """pg_dump of the whole database; inside an exported snapshot when one is given (a transaction of the
    caller's that must stay open meanwhile), so the dump is exactly what that transaction sees."""
    client = find_client(server_major(engine))
    uri, env = _libpq(url)
    fd = os.open(destination, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    os.close(fd)
    argv = [client.tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={destination}"]
    if snapshot:
        argv.append(f"--snapshot={snapshot}")
    _run([*argv, f"--dbname={uri}"], env, "pg_dump")
    return client


def postgres_restore(engine: Engine, snapshot: Path, url: str) -> PostgresClient:
    client = find_client(server_major(engine))
    uri, env = _libpq(url)
    _run(
        [
            client.tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={uri}",
            str(snapshot),
        ],
        env,
        "pg_restore",
    )
    return client
