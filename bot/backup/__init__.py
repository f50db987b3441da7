"""`scrbot backup` and `scrbot restore`: the database and the key ring in one archive (bot/backup/archive.py).

Consistent: SQLite's online backup, or pg_dump inside the same snapshot the row counts were taken in; the
key ring read before and after the database copy and merged, so a rotation running meanwhile cannot leave
the archive without a key its data needs. On SQLite the conversation steps' file of its own
(storage/received_steps.py) is copied first, by the same online backup, then the database: a step worked on
in between is in both, and its record as applied, in the database (storage/applied_steps.py), keeps it from
being applied again after a restore. Restoring checks the archive (format, checksums, passphrase)
before it touches anything, refuses to overwrite a database or key file that holds data unless forced
(and then keeps what was there in DATA_DIR/before-restore-<time>/), brings the schema up to date, and
proves the result: every sealed value of every board (the kept steps' too) opens with the restored keys,
every audit chain verifies, and every table holds the rows the archive recorded.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.backup.archive import (
    DATABASE_MEMBERS,
    FORMAT,
    KEYS,
    STEPS,
    VERSION,
    ArchiveError,
    bound_checksums,
    check_passphrase,
    open_keys,
    read_archive,
    seal_keys,
    sha256_file,
    write_archive,
)
from errors import BadInput, NotFound, Refused

if TYPE_CHECKING:
    from bot.context import AppContext
    from storage.keyring import KeyRing

__all__ = ["ArchiveError", "BackupReport", "RestoreReport", "make_backup", "restore_backup"]


@dataclass
class BackupReport:
    path: Path
    backend: str
    boards: list[str]
    rows: dict[str, int]
    size: int


@dataclass
class RestoreReport:
    backend: str
    created_at: str
    boards: list[str]
    cases: dict[str, int] = field(default_factory=dict)
    opened: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    kept_previous: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


def backend_of(url: str) -> str:
    from storage.db import is_sqlite

    return "sqlite" if is_sqlite(url) else "postgresql"


@contextmanager
def _workdir(data_dir: Path) -> Iterator[Path]:
    """A private scratch folder beside the data (the database copy holds sealed data: not /tmp)."""
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    folder = Path(tempfile.mkdtemp(prefix=".backup-", dir=data_dir))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _current_ring(ctx: AppContext) -> KeyRing:
    """The key ring as it is now, never creating one (a backup without keys would be worthless)."""
    from storage.keyring import KeyRing

    if ctx.settings.keys:
        return KeyRing.from_environment(ctx.settings.keys)
    path = ctx.settings.resolved_key_file
    if not path.exists():
        raise NotFound(f"no key file at {path}: there is nothing to back up yet (or set SCRBOT_KEY_FILE)")
    return KeyRing.load(path)


def _merged(before: KeyRing, after: KeyRing) -> KeyRing:
    """`after`, plus any data key `before` had that a rotation retired meanwhile."""
    for board_id, keys in before.boards.items():
        if board_id not in after.boards:
            after.boards[board_id] = keys
            continue
        for key_id, key in keys.data_keys.items():
            after.boards[board_id].data_keys.setdefault(key_id, key)
    return after


def default_archive_name(ctx: AppContext) -> Path:
    stamp = ctx.now_clock.now().strftime("%Y%m%d-%H%M%S")
    return ctx.settings.data_dir / "backups" / f"scrbot-{stamp}.tar.gz"


def make_backup(ctx: AppContext, destination: Path, passphrase: str) -> BackupReport:
    from storage.inventory import revision_of, row_counts
    from storage.snapshot import postgres_snapshot, sqlite_snapshot

    check_passphrase(passphrase)
    url = ctx.settings.resolved_database_url
    backend = backend_of(url)
    if destination.exists():
        raise BadInput(f"{destination} already exists; choose another name", field="--output")
    before = _current_ring(ctx)
    with _workdir(ctx.settings.data_dir) as work:
        database = work / DATABASE_MEMBERS[backend]
        steps: Path | None = None
        if backend == "sqlite":
            if not Path(ctx.engine.url.database or "").exists():
                raise NotFound("the database does not exist yet: there is nothing to back up")
            steps = _snapshot_steps(ctx, work / STEPS)
            sqlite_snapshot(url, database)
            from storage.db import make_engine

            copy = make_engine(f"sqlite+pysqlite:///{database}")
            try:
                rows, revision = row_counts(copy), revision_of(copy)
            finally:
                copy.dispose()
        else:
            rows, revision = _postgres_consistent(ctx, url, database, postgres_snapshot)
        ring = _merged(before, _current_ring(ctx))
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": ctx.now_clock.now().isoformat(timespec="seconds"),
            "scrbot_version": _version(),
            "boards": sorted(ring.boards),
            "database": {"backend": backend, "revision": revision, "rows": rows},
        }
        ring_json = json.dumps(ring.to_json()).encode()
        bound = bound_checksums(sha256_file(database), sha256_file(steps) if steps is not None else None)
        sealed = seal_keys(ring_json, passphrase, manifest, bound)
        members: dict[str, Path | bytes] = {DATABASE_MEMBERS[backend]: database, KEYS: sealed}
        if steps is not None:
            members[STEPS] = steps
        write_archive(destination, manifest, members)
    return BackupReport(destination, backend, sorted(ring.boards), rows, destination.stat().st_size)


def _snapshot_steps(ctx: AppContext, destination: Path) -> Path | None:
    """The steps' file of its own (SQLite), by SQLite's online backup; None if there is none."""
    from storage.db import sqlite_url
    from storage.received_steps import steps_file
    from storage.snapshot import sqlite_snapshot

    path = steps_file(ctx.engine)
    if path is None or not path.exists():
        return None
    sqlite_snapshot(sqlite_url(path), destination)
    return destination


def _restore_steps(ctx: AppContext, opened: Any) -> None:
    """The archive's steps file in place of the live one; where the archive has none, the live one goes (its
    steps belong to the database being replaced; a forced restore has kept a copy)."""
    from storage.db import sqlite_url
    from storage.received_steps import steps_file
    from storage.snapshot import sqlite_restore

    path = steps_file(ctx.engine)
    if path is None:
        return
    if opened.steps is not None:
        sqlite_restore(opened.steps, sqlite_url(path))
        return
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)


def _postgres_consistent(ctx: AppContext, url: str, database: Path, dump: Any) -> tuple[dict[str, int], str | None]:
    """Row counts and pg_dump from one snapshot: a repeatable-read transaction exports its snapshot and
    pg_dump runs inside it (--snapshot), so the counts describe exactly what was dumped."""
    from storage.inventory import revision_of, row_counts
    from storage.snapshot import export_snapshot

    with export_snapshot(ctx.engine) as (connection, snapshot):
        rows, revision = row_counts(connection), revision_of(connection)
        dump(ctx.engine, url, database, snapshot=snapshot)
    return rows, revision


def _version() -> str:
    from bot.version import version

    return version()


def restore_backup(ctx: AppContext, archive: Path, passphrase: str, *, force: bool = False) -> RestoreReport:
    from storage.db import upgrade
    from storage.inventory import boards_in, read_back, row_counts
    from storage.keyring import KeyRing
    from storage.snapshot import holds_data, postgres_restore, sqlite_restore

    if not archive.is_file():
        raise NotFound(f"no backup archive at {archive}")
    settings = ctx.settings
    if settings.keys:
        raise Refused(
            "the keys come from SCRBOT_KEYS: unset it and set SCRBOT_KEY_FILE to where the restored key file should go"
        )
    url = settings.resolved_database_url
    backend = backend_of(url)
    key_path = settings.resolved_key_file
    with _workdir(settings.data_dir) as work:
        opened = read_archive(archive, work)
        ring = KeyRing.from_json(
            json.loads(open_keys(opened.sealed_keys, passphrase, opened.manifest, opened.database_sha256))
        )
        if opened.backend != backend:
            raise Refused(
                f"the archive holds a {opened.backend} database but SCRBOT_DATABASE_URL names {backend}: "
                "restore into the same kind of database"
            )
        live_database = holds_data(ctx.engine)
        live_keys = key_path.exists() and KeyRing.load(key_path).to_json() != ring.to_json()
        if (live_database or live_keys) and not force:
            found = [
                w for w, live in (("the database", live_database), (f"the key file {key_path}", live_keys)) if live
            ]
            verb = "hold" if len(found) > 1 else "holds"
            raise Refused(
                f"{' and '.join(found)} already {verb} data: stop the service, then run restore with --force to "
                "replace it (what is there now is kept)"
            )
        report = RestoreReport(backend, str(opened.manifest.get("created_at")), sorted(ring.boards))
        if live_database or live_keys:
            report.kept_previous = str(_keep_previous(ctx, backend, url, key_path, live_database, live_keys))
        ctx.engine.dispose()
        if backend == "sqlite":
            sqlite_restore(opened.database, url)
            _restore_steps(ctx, opened)
        else:
            postgres_restore(ctx.engine, opened.database, url)
    ring.source = key_path
    ring.save()
    ctx.engine.dispose()
    upgrade(ctx.engine)
    recorded = (opened.manifest.get("database") or {}).get("rows") or {}
    now = row_counts(ctx.engine)
    for table, count in sorted(recorded.items()):
        if now.get(table) != count:
            report.problems.append(f"table {table}: {now.get(table)} rows restored, the archive recorded {count}")
    for board_id in sorted(set(boards_in(ctx.engine)) | set(ring.boards)):
        if board_id not in ring.boards:
            report.problems.append(f"board {board_id} has data but no keys in the archive")
            continue
        result = read_back(ctx.engine, ring, board_id)
        report.cases[board_id], report.opened[board_id] = result.cases, result.opened
        report.problems += [f"board {board_id}: {f} does not open" for f in result.failures]
        report.problems += [f"board {board_id} audit: {p}" for p in result.audit_problems]
        _read_back_steps(ctx, ring, board_id, report)
    return report


def _read_back_steps(ctx: AppContext, ring: KeyRing, board_id: str, report: RestoreReport) -> None:
    """Every sealed step in the restored steps file opens with the restored keys (counted with the rest)."""
    from storage.inventory import read_back
    from storage.received_steps import steps_file_sessions

    with steps_file_sessions(ctx.engine) as steps:
        if steps is None:
            return
        result = read_back(steps.kw["bind"], ring, board_id)
        report.opened[board_id] = report.opened.get(board_id, 0) + result.opened
        report.problems += [f"board {board_id}: {f} does not open" for f in result.failures]


def _keep_previous(ctx: AppContext, backend: str, url: str, key_path: Path, database: bool, keys: bool) -> Path:
    """What a forced restore replaces is kept, owner-only, until a person deletes it."""
    from storage.snapshot import postgres_snapshot, sqlite_snapshot

    stamp = ctx.now_clock.now().strftime("%Y%m%d-%H%M%S")
    folder = ctx.settings.data_dir / f"before-restore-{stamp}"
    folder.mkdir(parents=True, mode=0o700)
    if database:
        if backend == "sqlite":
            sqlite_snapshot(url, folder / DATABASE_MEMBERS["sqlite"])
            _snapshot_steps(ctx, folder / STEPS)
        else:
            postgres_snapshot(ctx.engine, url, folder / DATABASE_MEMBERS["postgresql"])
    if keys:
        shutil.copy2(key_path, folder / key_path.name)
        os.chmod(folder / key_path.name, 0o600)
    return folder
