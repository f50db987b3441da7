"""Irreversible commands ask first (`purge`, `case close`, `keys retire`); `--yes` answers for scripts.

With no terminal to ask (a script, cron, a pipe) and no `--yes`, the command refuses and says to add
`--yes`: silence is never taken for consent. The question goes to stderr, so `--json` output stays clean.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

from errors import Refused


class NotConfirmed(Refused):
    """An irreversible command that nobody confirmed; nothing was changed."""


def add_yes(parser: Any) -> None:
    parser.add_argument("--yes", action="store_true", help="do it without asking (for scripts); this cannot be undone")


def confirm(
    what: str,
    args: argparse.Namespace,
    *,
    stdin: TextIO | None = None,
    stderr: TextIO | None = None,
) -> None:
    """Return if `--yes` was given or the person answers yes; otherwise raise NotConfirmed."""
    if getattr(args, "yes", False):
        return
    stdin = stdin or sys.stdin
    stderr = stderr or sys.stderr
    if not stdin.isatty():
        raise NotConfirmed(f"{what} cannot be undone and there is no terminal to ask; add --yes to confirm")
    stderr.write(f"{what}. This cannot be undone. Go ahead? [y/N] ")
    stderr.flush()
    answer = stdin.readline()
    if answer.strip().lower() not in {"y", "yes"}:
        raise NotConfirmed("not confirmed; nothing was changed")
