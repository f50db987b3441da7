"""`scrbot`: the command line that people and scripts use (DESIGN.md §6).

Errors are one clear line on stderr and a non-zero exit (2 for bad input, 1 for a failed check), never a
traceback. Reporting commands take `--json`.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence

from bot.clock import Clock
from bot.commands import COMMAND_MODULES
from bot.context import AppContext
from bot.output import CommandError

log = logging.getLogger("scrbot")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scrbot",
        description="SCR Bot: referrals, agency confirmations, statutory deadlines and notifications "
        "for a safeguarding children board.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def _known_errors() -> tuple[type[BaseException], ...]:
    from cases.actor import PermissionDenied
    from cases.board import BoardConfigError
    from cases.problems import InvalidInput
    from cases.rules import RulesPackError
    from mail.base import MailboxError
    from storage.case_store import CaseNotFound, InvalidTransition
    from storage.crypto import DecryptionError
    from storage.keyring import KeyError_, KeyFileError

    return (
        CommandError,
        InvalidInput,
        CaseNotFound,
        InvalidTransition,
        PermissionDenied,
        BoardConfigError,
        RulesPackError,
        KeyFileError,
        KeyError_,
        DecryptionError,
        MailboxError,
        FileNotFoundError,
        LookupError,
        ValueError,
    )


def main(argv: Sequence[str] | None = None, *, clock: Clock | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from bot.logs import configure_logging

    context = AppContext(clock=clock, json_output=bool(getattr(args, "json", False)))
    configure_logging(context.settings.log_level)
    handler: Callable[[AppContext, argparse.Namespace], int] = args.handler
    try:
        return handler(context, args)
    except _known_errors() as exc:
        print(f"scrbot: {_one_line(exc)}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # Output piped into `head` and the like: not an error. Silence the flush at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("scrbot: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        # The exception's text may hold input values, so only its type is shown; SCRBOT_DEBUG=1 re-raises.
        if os.environ.get("SCRBOT_DEBUG"):
            raise
        print(f"scrbot: unexpected {type(exc).__name__}; run again with SCRBOT_DEBUG=1 for details", file=sys.stderr)
        log.error("unexpected %s in command %s", type(exc).__name__, args.command)
        return 1
    finally:
        context.close()


def _one_line(exc: BaseException) -> str:
    text = str(exc) if str(exc) else type(exc).__name__
    if isinstance(exc, FileNotFoundError) and exc.filename:
        text = f"no such file: {exc.filename}"
    if isinstance(exc, KeyError) and exc.args:
        text = f"not found: {exc.args[0]}"
    return " ".join(text.split())


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
