"""`scrbot`: the command line that people and scripts use (DESIGN.md §6).

Errors are one clear line on stderr, never a traceback: exit 2 for bad input, not found, refused or conflict;
69 when a database, mailbox or Slack cannot be reached; 1 for a failed check; 70 for a bug, whose traceback
goes to the log file the line names (errors/__init__.py). Reporting commands take `--json`.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from bot.clock import Clock, FixedClock, SystemClock, parse_moment
from bot.commands import COMMAND_MODULES, COMMANDS
from bot.output import dates_relative_to
from bot.version import version
from errors import EXIT_BAD_INPUT, EXIT_INTERNAL, ScrBotError

# Building the command line imports only the commands' arguments: what a command needs (the store, the mail
# intake, Slack) is imported when it runs (tests/bot/test_cli_start.py, bench/cli_start.py).
if TYPE_CHECKING:
    from bot.context import AppContext

log = logging.getLogger("scrbot")

# What is imported up to here (argparse, pydantic, every command's arguments) lives as long as the process.
# Moved out of the collector's generations once, it is not walked again by each full collection while a
# command imports what it needs: about 40 ms of CPU at every start (bench/cli_start.py). Done once, when the
# command line is first imported (in a test session too: what exists then is the session's for good anyway).
gc.freeze()


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """Every command's parser; only the named command's when `argv` starts with a command's name (the rest
    would be built for nothing: help, a mistyped command and the like still get them all)."""
    parser = argparse.ArgumentParser(
        prog="scrbot",
        description="SCR Bot: referrals, agency confirmations, statutory deadlines and notifications "
        "for a safeguarding children board.",
    )
    parser.add_argument("--version", action=_PrintVersion, help="print the version and exit")
    parser.add_argument(
        "--board",
        metavar="ID",
        help="the board to work on, where SCRBOT_BOARD_DIR configures more than one (`run` without it: every board)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    words = list(argv or [])
    words = words[2:] if words[:1] == ["--board"] else words  # `--board ID COMMAND ...`: the command after it
    named = COMMANDS.get(words[0]) if words else None
    for module in [named] if named is not None else COMMAND_MODULES:
        module.register(sub)
    return parser


class _PrintVersion(argparse.Action):
    """`--version`: the installed version is read (package metadata) only when asked for, not on every start."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, help: str | None = None) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=help)

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        print(f"scrbot {version()}")
        parser.exit()


def main(argv: Sequence[str] | None = None, *, clock: Clock | None = None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    parser = build_parser(argv)
    dates_relative_to(lambda: _local_date((clock or _settings_clock()).now()))
    args = parser.parse_args(argv)
    from bot.logs import configure_logging

    context: AppContext | None = None
    try:
        if getattr(args, "own_context", False):  # `doctor`: reports wrong settings as a check, not an exit
            configure_logging()
            own: Callable[[argparse.Namespace, Clock | None], int] = args.handler
            return own(args, clock)
        from bot.context import AppContext
        from bot.settings_errors import load_settings

        settings = load_settings()  # a wrong setting is one line here (bot/settings_errors.py)
        configure_logging(settings.log_level, settings.log_format)  # before anything logs
        # `run` checks every address of the board files afresh (as `doctor` does); other commands reuse what
        # was found valid in the very same board file (bot/board_addresses.py).
        cache = None if getattr(args, "check_every_address", False) else settings.data_dir / "cache"
        context = AppContext(
            settings=settings,
            clock=clock,
            json_output=bool(getattr(args, "json", False)),
            board_id=args.board,
            address_cache=cache,
        )
        handler: Callable[[AppContext, argparse.Namespace], int] = args.handler
        return handler(context, args)
    except ScrBotError as exc:
        print(f"scrbot: {_one_line(exc)}", file=sys.stderr)
        return exc.exit_code
    except ValidationError as exc:
        # A model built straight from options (e.g. a decision's rationale over its length): the person's
        # input. Each field and what is wrong, never the value (str(exc) would print `input_value=...`).
        print(f"scrbot: {_fields_line(exc)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
        # A file the person named that is missing or is a folder: their input, not our bug.
        print(f"scrbot: {_os_line(exc)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        # Output piped into `head` and the like: not an error. Silence the flush at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("scrbot: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        # A bug. The exception's text may quote input, so neither the screen nor the log shows it;
        # SCRBOT_DEBUG=1 re-raises for a developer.
        if _debugging(context):
            raise
        return _internal_error(exc, context, args.command)
    finally:
        if context is not None:
            context.close()


def _local_date(at: datetime) -> date:
    from cases.calendar import local_date

    return local_date(at)


def _settings_clock() -> Clock:
    """The clock AppContext will use (SCRBOT_CLOCK pins it), for reading date options such as "today".
    Read before the settings are checked: an unreadable value falls back to the system clock here, and
    load_settings then reports it as the one-line error it is."""
    pinned = os.environ.get("SCRBOT_CLOCK", "").strip()
    if pinned:
        try:
            return FixedClock(parse_moment(pinned))
        except ValueError:
            pass
    return SystemClock()


def _debugging(context: AppContext | None) -> bool:
    """SCRBOT_DEBUG as the settings read it (true/1/yes/on); from the environment if the settings failed."""
    if context is not None:
        return context.settings.debug
    return os.environ.get("SCRBOT_DEBUG", "").strip().lower() in {"1", "true", "yes", "on"}


def _internal_error(exc: BaseException, context: AppContext | None, command: str) -> int:
    from bot.internal_errors import record

    data_dir = context.settings.data_dir if context is not None else Path("var")
    try:
        ident, path = record(exc, data_dir, command=command)
    except OSError:
        print(f"scrbot: internal error ({type(exc).__name__}); the log could not be written", file=sys.stderr)
        return EXIT_INTERNAL
    log.error("internal error %s in command %s (%s)", ident, command, type(exc).__name__)
    print(f"scrbot: internal error, see log {ident} in {path}", file=sys.stderr)
    return EXIT_INTERNAL


def _os_line(exc: OSError) -> str:
    what = {
        FileNotFoundError: "no such file",
        IsADirectoryError: "is a folder, not a file",
        NotADirectoryError: "is not a folder",
    }.get(type(exc), "cannot open")
    return f"{what}: {exc.filename}" if exc.filename else what


def _fields_line(exc: ValidationError) -> str:
    problems = [
        f"{'.'.join(str(p) for p in error['loc']) or 'input'}: {error['msg'].removeprefix('Value error, ')}"
        for error in exc.errors(include_url=False, include_input=False)
    ]
    return " ".join("; ".join(problems).split())


def _one_line(exc: ScrBotError) -> str:
    text = str(exc) if str(exc) else exc.kind
    return " ".join(text.split())


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
