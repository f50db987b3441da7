"""The command line starts without what its commands need (issue 11 §6): `scrbot --help` builds every
command's arguments and imports no database, mail, Slack or template library, and no module of ours that
does; a command imports what it uses when it runs. Times are in bench/cli_start.py, never here."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import build_parser
from bot.commands import COMMAND_MODULES, COMMANDS
from bot.commands.mail_cmd import MESSAGE_STATES
from bot.commands.notify_cmd import OUTBOX_STATES
from bot.commands.review_publication_cmd import PROCEEDINGS
from bot.commands.run_cmd import DISPATCH_EVERY_SECONDS
from cases.review.publication import Proceeding
from notify.service import DISPATCH_EVERY
from storage.inbound import InboundStatus
from storage.outbox import OutboxStatus
from tests.support.settings_env import environment_without_settings

ROOT = Path(__file__).resolve().parents[2]

# Third-party libraries a command may need, and our own packages that bring them in.
HEAVY = (
    "sqlalchemy",
    "alembic",
    "cryptography",
    "slack_sdk",
    "slack_bolt",
    "exchangelib",
    "msal",
    "httpx",
    "jinja2",
    "docx",
    "lxml",
    "msoffcrypto",
    "inscriptis",
    "holidays",
    "bot.settings",
    "storage",
    "notify",
    "intake",
    "mail",
    "bot.context",
    "bot.wiring",
    "bot.slack",
    "bot.teams",
    "bot.doctor",
    "bot.backup",
)

PROBE = """
import json, sys
from bot.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
sys.stdout = sys.__stdout__
print("\\n" + json.dumps(sorted(sys.modules)))
"""


def modules_after(*argv: str, env: dict[str, str] | None = None) -> set[str]:
    """Every module loaded by `scrbot ARGV` in a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, cwd=ROOT, check=True, timeout=60, env=env
    )
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def heavy_in(modules: set[str]) -> list[str]:
    return sorted({h for h in HEAVY for m in modules if m == h or m.startswith(h + ".")})


@pytest.mark.parametrize(
    "argv",
    [("--help",), ("mail", "--help"), ("case", "event", "--help"), ("notify", "list", "--help"), ("--version",)],
)
def test_help_imports_nothing_a_command_needs(argv: tuple[str, ...]) -> None:
    modules = modules_after(*argv)
    assert "bot.commands.mail_cmd" in modules  # the whole command tree was built
    assert heavy_in(modules) == []


def test_the_probe_sees_a_heavy_import(tmp_path: Path) -> None:
    """The check above can fail: a command that runs imports what it needs."""
    env = environment_without_settings()
    env.update(SCRBOT_DATA_DIR=str(tmp_path), SCRBOT_BOARD_CONFIG=str(ROOT / "examples" / "board.toml"))
    argv = ("deadlines", "--event", "decision_made", "--outcome", "scr", "--on", "22/12/2026", "--json")
    assert {"bot.context", "jinja2", "bot.settings"} <= set(heavy_in(modules_after(*argv, env=env)))


# What changing a case needs, and a listing must not load: the features' wiring and listeners, the mail
# intake, the ORM and table registry, Alembic, the key ring's cipher; the rules pack's models, the referral's
# and the phone number metadata (a listing reads deadlines and the board, nothing else). Nor what reading the
# board file needed before: email-validator for addresses already found valid in this very board file
# (bot/board_addresses.py: the command that filed the case kept them).
NOT_FOR_A_LISTING = (
    "bot.wiring",
    "notify",
    "intake.inbound.processor",
    "mail",
    "alembic",
    "sqlalchemy.orm",
    "storage.tables",
    "storage.store",
    "storage.case_store",
    "storage.keyring",
    "cryptography",
    "jinja2",
    "cases.rules",
    "cases.referral",
    "phonenumbers",
    "email_validator",
    "idna",
)


def loaded(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted({n for n in names for m in modules if m == n or m.startswith(n + ".")})


def local_env(data_dir: Path) -> dict[str, str]:
    env = environment_without_settings()
    env.update(SCRBOT_DATA_DIR=str(data_dir), SCRBOT_BOARD_CONFIG=str(ROOT / "examples" / "board.toml"))
    return env


@pytest.mark.parametrize("argv", [("case", "list"), ("case", "list", "--all", "--json")])
def test_case_list_reads_without_the_store(tmp_path: Path, argv: tuple[str, ...]) -> None:
    """`case list` reads through storage/read_store.py: a database already at the schema's head is listed
    without the wiring, Alembic, the ORM or the keys (the first command on a new database builds it)."""
    env = local_env(tmp_path)
    referral = str(ROOT / "examples" / "referral.json")
    subprocess.run([sys.executable, "-m", "bot.cli", "refer", "--file", referral], env=env, cwd=ROOT, check=True)
    modules = modules_after(*argv, env=env)
    assert "storage.read_store" in modules  # it did read the database
    assert loaded(modules, NOT_FOR_A_LISTING) == []
    # Only the United Kingdom's bank holidays, not every country's.
    countries = sorted(m for m in modules if m.startswith("holidays.countries"))
    assert countries == ["holidays.countries.united_kingdom"]


def test_each_command_is_built_from_the_module_that_registers_it() -> None:
    """bot/commands COMMANDS names each module's top-level commands, so that a command line naming one builds
    only that module's parsers (bot/cli.py build_parser)."""
    registered: dict[str, object] = {}
    for module in COMMAND_MODULES:
        parser = argparse.ArgumentParser()
        module.register(parser.add_subparsers())
        action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        registered.update(dict.fromkeys(action.choices, module))
    assert registered == COMMANDS


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_named_command_parses_as_with_every_parser(command: str) -> None:
    alone, everything = build_parser([command, "--help"]), build_parser()
    sub = next(a for a in alone._actions if isinstance(a, argparse._SubParsersAction))
    full = next(a for a in everything._actions if isinstance(a, argparse._SubParsersAction))
    assert sub.choices[command].format_help() == full.choices[command].format_help()


def test_the_choices_spelled_out_for_a_fast_start_are_the_real_ones() -> None:
    assert tuple(s.value for s in InboundStatus) == MESSAGE_STATES
    assert tuple(s.value for s in OutboxStatus) == OUTBOX_STATES
    assert DISPATCH_EVERY.total_seconds() == DISPATCH_EVERY_SECONDS
    assert tuple(k.value for k in Proceeding) == PROCEEDINGS


def test_the_command_lines_imports_are_left_out_of_the_collectors_passes() -> None:
    """bot/cli.py freezes what it imported (gc.freeze): each full collection while a command starts would
    otherwise walk pydantic's and argparse's objects again (bench/cli_start.py)."""
    probe = "import gc, bot.cli; print(gc.get_freeze_count())"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True)
    assert int(done.stdout) > 10_000
