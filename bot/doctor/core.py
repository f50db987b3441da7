"""The checks every deployment needs: settings, board file, keys, database, mail trust, holidays, disk."""

from __future__ import annotations

import difflib
import os
import shutil
import stat
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from bot.doctor.base import Check, Finding, fail, ok, register_provider, skip, warn
from bot.settings_files import PREFIX, env_name, file_settings

if TYPE_CHECKING:
    from bot.context import AppContext
    from bot.settings import Settings
    from storage.keyring import KeyRing

MIB = 1024 * 1024
DISK_FAIL_BELOW = 100 * MIB  # below this, writes start failing: refuse to start
DISK_WARN_BELOW = 1024 * MIB
HOLIDAY_HORIZON_MONTHS = 18
# SCRBOT_ variables that are not settings: the CLI's own switch, and the tests' and benchmarks'.
NOT_SETTINGS = ("SCRBOT_TEST_", "SCRBOT_BENCH_", "SCRBOT_REQUIRE_POSTGRES")


def mode_of(settings: Settings) -> str:
    if settings.slack_configured:
        slack = "Slack in Socket Mode" if settings.slack_socket_mode else "Slack over HTTP"
    else:
        slack = "no Slack"
    return f"{'local mode' if settings.local_mode else 'service mode'}: {slack}, mailbox {settings.mail_backend}"


def unknown_variables(settings: Settings, environ: dict[str, str] | None = None) -> list[str]:
    """SCRBOT_* variables that are no setting (a typo is otherwise silently ignored), with a suggestion."""
    from bot.settings import Settings as Model

    known = {env_name(name) for name in Model.model_fields}
    known |= {env_name(name) + "_FILE" for name in file_settings(Model)}
    problems = []
    for variable in sorted(environ if environ is not None else os.environ):
        upper = variable.upper()
        if not upper.startswith(PREFIX) or upper in known or upper.startswith(NOT_SETTINGS):
            continue
        near = difflib.get_close_matches(upper, sorted(known), n=1)
        problems.append(f"{variable} is not a setting" + (f" (did you mean {near[0]}?)" if near else ""))
    return problems


def check_settings(ctx: AppContext) -> Finding:
    s = ctx.settings
    notes = unknown_variables(s)
    if s.clock:
        notes.append("SCRBOT_CLOCK pins the clock (testing only)")
    if s.debug:
        notes.append("SCRBOT_DEBUG is on (tracebacks may show input values)")
    if s.sqlite_synchronous == "normal" and sqlite_file(ctx) is not None:
        notes.append("SCRBOT_SQLITE_SYNCHRONOUS=normal (a power cut may lose the last transactions)")
    if notes:
        return warn(f"{mode_of(s)}; " + "; ".join(notes))
    return ok(mode_of(s))


def check_board(ctx: AppContext) -> Finding:
    from bot.config import EXAMPLE_BOARD

    path = ctx.board_path
    board = ctx.board
    pack = ctx.pack
    if not ctx.settings.local_mode and path.resolve() == EXAMPLE_BOARD.resolve():
        return fail(
            "the bundled example board (synthetic agencies and addresses) is in use outside local mode: "
            "set SCRBOT_BOARD_CONFIG to the board's own file"
        )
    return ok(
        f"{board.name} ({board.id}) from {path}: rules pack {pack.id}, {len(board.agencies)} agencies, "
        f"{len(board.members)} business unit members"
    )


def sqlite_file(ctx: AppContext) -> Path | None:
    """The SQLite database file, or None for a server database."""
    from sqlalchemy.engine import make_url

    from storage.db import is_sqlite

    url = ctx.settings.resolved_database_url
    return Path(make_url(url).database or "") if is_sqlite(url) else None


def not_created_yet(ctx: AppContext) -> bool:
    """A SQLite file that does not exist: the doctor never creates it (opening an engine would)."""
    path = sqlite_file(ctx)
    return path is not None and not path.exists()


def check_database(ctx: AppContext) -> Finding:
    from sqlalchemy import text

    path = sqlite_file(ctx)
    if path is not None and not path.exists():
        return ok(f"SQLite, {path} will be created on first run")
    where = ctx.engine.url.render_as_string(hide_password=True)
    query = "SELECT sqlite_version()" if path is not None else "SHOW server_version"
    try:
        with ctx.engine.connect() as connection:
            version = str(connection.execute(text(query)).scalar_one())
    except Exception as exc:  # noqa: BLE001 - any driver error: say where and why, in one line
        reason = str(getattr(exc, "orig", None) or type(exc).__name__).strip().splitlines()[0][:160]
        return fail(f"cannot reach the database at {where}: {reason}")
    if path is not None:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            return fail(f"database file {path} is readable by others (mode {mode:o}): run chmod 600 {path}")
        return ok(f"SQLite {version}, {path}")
    return ok(f"PostgreSQL {version.split()[0]} at {where}")


def check_migrations(ctx: AppContext) -> Finding:
    from alembic.script import ScriptDirectory

    from storage.db import MIGRATIONS, current_revision, head_revision

    if not_created_yet(ctx):
        return ok(f"a new database gets the newest schema ({head_revision()}) on first run")
    current, head = current_revision(ctx.engine), head_revision()
    if current == head:
        return ok(f"schema at the newest revision ({head})")
    if current is None:
        return warn("the database is empty: `scrbot run` (or `scrbot db upgrade`) creates the tables")
    known = {rev.revision for rev in ScriptDirectory(str(MIGRATIONS)).walk_revisions()}
    if current not in known:
        return fail(
            f"the database is at revision {current}, which this version of scrbot does not know "
            "(a newer version wrote it): run that version, or restore a backup taken with this one"
        )
    return warn(f"schema behind ({current}, newest {head}): `scrbot db upgrade` (`scrbot run` does it at start)")


def _ring(ctx: AppContext) -> tuple[KeyRing | None, str]:
    """The key ring as configured (None when the key file does not exist yet) and where it comes from."""
    from storage.keyring import KeyRing

    if ctx.settings.keys:
        return KeyRing.from_environment(ctx.settings.keys), "SCRBOT_KEYS"
    path = ctx.settings.resolved_key_file
    return (KeyRing.load(path) if path.exists() else None), str(path)


def check_key_file(ctx: AppContext) -> Finding:
    """The key ring's file, which every board's keys share: private, the service's own, readable."""
    from storage.keyring import KeyRing

    if ctx.settings.keys:
        return ok("SCRBOT_KEYS (rotation needs a key file)")
    path = ctx.settings.resolved_key_file
    if not path.exists():
        return ok(f"{path} does not exist yet: the first run creates it (back it up: README, Backup)")
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        return fail(f"key file {path} is readable by others (mode {mode:o}): run chmod 600 {path}")
    ring = KeyRing.load(path)  # refuses a file it cannot read or parse: that line is the finding
    if hasattr(os, "geteuid") and path.stat().st_uid != os.geteuid():
        return warn(f"{path} is owned by uid {path.stat().st_uid}, not by the user running scrbot")
    return ok(f"{path}, mode 600: keys of {len(ring.boards)} board(s)")


def check_keys(ctx: AppContext) -> Finding:
    """The board's own keys in the key ring."""
    board_id = ctx.board.id
    ring, source = _ring(ctx)
    if ring is None:
        return ok(f"{source} does not exist yet: the first run creates it with board {board_id}'s keys")
    if board_id not in ring.boards:
        return ok(f"{source} has no keys for board {board_id} yet: the first run adds them")
    keys = ring.board(board_id)
    return ok(f"{source}: {len(keys.data_keys)} data key(s) of board {board_id}, active {keys.active}")


def check_keys_match_data(ctx: AppContext) -> Finding:
    """Encrypted data without its keys: a fresh key ring would be made and the data never opened again."""
    from storage.inventory import sealed_rows

    board_id = ctx.board.id
    sealed = 0 if not_created_yet(ctx) else sealed_rows(ctx.engine, board_id)
    ring, source = _ring(ctx)
    if ring is not None and board_id in ring.boards:
        return ok(f"{sealed} sealed record(s) of board {board_id}; its keys are in {source}")
    if not sealed:
        return ok(f"no sealed records of board {board_id} yet")
    return fail(
        f"{source} has no keys for board {board_id}, but the database holds {sealed} sealed record(s) that "
        "only those keys open: restore the key file from a backup (`scrbot restore`); starting now would make "
        "new keys"
    )


def check_mail_trust(ctx: AppContext) -> Finding:
    s = ctx.settings
    if s.mail_authserv_id:
        return ok(f"agency replies are trusted only on DMARC/DKIM results stamped by {s.mail_authserv_id}")
    if s.mail_backend == "maildir":
        return ok("the local Maildir: nothing arrives from outside")
    return fail(
        "SCRBOT_MAIL_AUTHSERV_ID is not set: no reply could be told from a forgery. Set it to the authserv-id "
        "your mail server writes in Authentication-Results (e.g. mx.board.gov.uk)"
    )


def check_holidays(ctx: AppContext) -> Finding:
    import holidays

    today = ctx.now_clock.now().date()
    horizon = _months_later(today, HOLIDAY_HORIZON_MONTHS)
    bank = holidays.country_holidays("GB", subdiv="ENG", years=range(today.year, horizon.year + 1))
    thin = [
        year
        for year in range(today.year, horizon.year + 1)
        if sum(1 for day in bank if day.year == year) < 8 or date(year, 12, 25) not in bank
    ]
    version = getattr(holidays, "__version__", "?")
    if thin:
        return fail(
            f"the holidays library ({version}) lacks England and Wales bank holidays for {', '.join(map(str, thin))}: "
            "upgrade it (pip install -U holidays); working-day deadlines would be wrong"
        )
    return ok(f"holidays {version}: England and Wales bank holidays known to {horizon:%Y-%m} and beyond")


def _months_later(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, 1) + timedelta(days=min(day.day, 28) - 1)


def check_disk(ctx: AppContext, *, fail_below: int = DISK_FAIL_BELOW, warn_below: int = DISK_WARN_BELOW) -> Finding:
    folder = ctx.settings.data_dir.resolve()
    while not folder.exists():
        folder = folder.parent
    free = shutil.disk_usage(folder).free
    text = f"{free / MIB / 1024:.1f} GiB free under {ctx.settings.data_dir}"
    if free < fail_below:
        return fail(f"only {text}: free space first (the database and mail need room to write)")
    if free < warn_below:
        return warn(f"only {text}")
    return ok(text)


def check_maildir(ctx: AppContext) -> Finding:
    from bot.mailboxes import board_folder

    s, shared = ctx.settings, ctx.shares_deployment
    inbox, outbox = (board_folder(f, ctx.board.id, shared=shared) for f in (s.maildir_inbox, s.mail_outbox_dir))
    for folder in (inbox, outbox):
        existing = folder
        while not existing.exists():
            existing = existing.parent
        if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
            return fail(f"{folder} cannot be written (check the owner and mode of {existing})")
    return ok(f"inbox {inbox}, outbox {outbox} (.eml files)")


@register_provider
def core_checks(settings: Settings) -> Sequence[Check]:
    from storage.db import is_sqlite

    remote_database = not is_sqlite(settings.resolved_database_url)
    checks = [
        Check("settings", check_settings, blocks_start=True),
        Check("board", check_board, blocks_start=True, per_board=True),
        Check("database", check_database, network=remote_database, blocks_start=True),
        Check("migrations", check_migrations, network=remote_database, needs=("database",), blocks_start=True),
        Check("key file", check_key_file, blocks_start=True),
        Check("keys", check_keys, needs=("board", "key file"), blocks_start=True, per_board=True),
        Check(
            "keys match data",
            check_keys_match_data,
            network=remote_database,
            needs=("keys", "database"),
            blocks_start=True,
            per_board=True,
        ),
        Check("mail trust", check_mail_trust, blocks_start=True),
        Check("holidays", check_holidays),
        Check("disk", check_disk, blocks_start=True),
    ]
    if settings.mail_backend == "maildir":
        checks.append(Check("mailbox", check_maildir, per_board=True))
    return checks


def not_configured(name: str, why: str) -> Check:
    return Check(name, lambda _ctx: skip(why))
