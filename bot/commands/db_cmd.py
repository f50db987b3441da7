"""`scrbot db upgrade`: apply database migrations (also done automatically on start)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.context import AppContext


def register(sub: Any) -> None:
    db = sub.add_parser("db", help="database schema")
    ds = db.add_subparsers(dest="db_command", metavar="DB_COMMAND", required=True)
    p = ds.add_parser("upgrade", help="apply migrations up to the newest")
    p.set_defaults(handler=upgrade)


def upgrade(ctx: AppContext, args: argparse.Namespace) -> int:
    from storage.db import current_revision, head_revision

    before = current_revision(ctx.engine)
    ctx.migrate()
    after = current_revision(ctx.engine)
    if before == after:
        print(f"Database already at {after} (newest: {head_revision()}).")
    else:
        print(f"Database upgraded from {before or 'empty'} to {after}.")
    return 0
