"""`scrbot backup` and `scrbot restore`: the database and the key ring, the keys sealed with a passphrase.
(bot/backup/ is imported when one of them runs: every other command starts without it.)

The passphrase comes from a prompt (asked twice when backing up) or `--passphrase-file` for scripts; it is
never stored, logged or put on a command line. Without a terminal and without the file, both refuse.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.output import print_json
from errors import BadInput, Refused

if TYPE_CHECKING:
    from bot.context import AppContext

EXIT_FAILED_CHECK = 1


def register(sub: Any) -> None:
    p = sub.add_parser("backup", help="write the database and the key ring (sealed with a passphrase) to one archive")
    p.add_argument(
        "--output", type=Path, help="the archive to write (default DATA_DIR/backups/scrbot-<date>-<time>.tar.gz)"
    )
    p.add_argument("--passphrase-file", type=Path, help="read the passphrase from this file instead of asking")
    p.add_argument("--json", action="store_true", help="print JSON (for scripts) instead of text")
    p.set_defaults(handler=backup)
    p = sub.add_parser("restore", help="check an archive and restore its database and key ring, then verify them")
    p.add_argument("archive", type=Path, help="the backup archive (.tar.gz) to restore")
    p.add_argument("--passphrase-file", type=Path, help="read the passphrase from this file instead of asking")
    p.add_argument(
        "--force", action="store_true", help="replace a database or key file that holds data (what was there is kept)"
    )
    p.add_argument("--json", action="store_true", help="print JSON (for scripts) instead of text")
    p.set_defaults(handler=restore)


def passphrase(args: argparse.Namespace, *, twice: bool) -> str:
    from bot.settings_files import read_secret_file

    if args.passphrase_file is not None:
        return read_secret_file("--passphrase-file", str(args.passphrase_file))
    if not sys.stdin.isatty():
        raise Refused("no terminal to ask for the passphrase: give --passphrase-file")
    from bot.backup.archive import check_passphrase

    first = getpass.getpass("Backup passphrase: ")
    if twice:
        check_passphrase(first)
        if getpass.getpass("The same passphrase again: ") != first:
            raise BadInput("the two passphrases differ; nothing was written", field="passphrase")
    return first


def backup(ctx: AppContext, args: argparse.Namespace) -> int:
    from bot.backup import default_archive_name, make_backup

    destination = args.output or default_archive_name(ctx)
    report = make_backup(ctx, destination, passphrase(args, twice=True))
    if args.json:
        print_json(
            {
                "archive": str(report.path),
                "database": report.backend,
                "boards": report.boards,
                "rows": report.rows,
                "bytes": report.size,
            }
        )
        return 0
    rows = sum(report.rows.values())
    print(f"Backup written: {report.path} ({report.size / 1024:.0f} KiB, {report.backend}, {rows} rows)")
    print("Keep the passphrase apart from the archive: without it the archive cannot be restored.")
    print("Copy the archive off this machine (README, Backup and restore).")
    return 0


def restore(ctx: AppContext, args: argparse.Namespace) -> int:
    from bot.backup import restore_backup

    report = restore_backup(ctx, args.archive, passphrase(args, twice=False), force=args.force)
    if args.json:
        print_json(
            {
                "ok": report.ok,
                "database": report.backend,
                "created_at": report.created_at,
                "boards": report.boards,
                "cases": report.cases,
                "sealed_values_opened": report.opened,
                "problems": report.problems,
                "kept_previous": report.kept_previous or None,
            }
        )
    else:
        print(f"Restored the {report.backend} backup of {report.created_at} (boards: {', '.join(report.boards)}).")
        for board_id, count in report.cases.items():
            print(f"  {board_id}: {count} case(s); {report.opened[board_id]} sealed values open with the restored keys")
        if report.kept_previous:
            print(f"What was there before is kept in {report.kept_previous} (delete it once you are satisfied).")
        for problem in report.problems:
            print(f"  problem: {problem}")
        print("Verified: the audit log is intact and every case reads back." if report.ok else "Verification FAILED.")
    return 0 if report.ok else EXIT_FAILED_CHECK
