"""One module per command group; each has `register(subparsers)` and sets `handler` on its parsers."""

from __future__ import annotations

from types import ModuleType

from bot.commands import (
    audit_cmd,
    backup_cmd,
    case_cmd,
    chat_cmd,
    db_cmd,
    deadlines_cmd,
    decide_cmd,
    doctor_cmd,
    drafts_cmd,
    keys_cmd,
    mail_cmd,
    notify_cmd,
    purge_cmd,
    refer_cmd,
    reminders_cmd,
    report_cmd,
    review_cmd,
    run_cmd,
    steps_cmd,
    teams_cmd,
)

COMMAND_MODULES: list[ModuleType] = [
    run_cmd,
    refer_cmd,
    chat_cmd,
    drafts_cmd,
    case_cmd,
    decide_cmd,
    review_cmd,
    deadlines_cmd,
    notify_cmd,
    reminders_cmd,
    keys_cmd,
    audit_cmd,
    db_cmd,
    purge_cmd,
    mail_cmd,
    doctor_cmd,
    backup_cmd,
    teams_cmd,
    report_cmd,
    steps_cmd,
]

# The top-level commands each module registers (tests/bot/test_cli_start.py checks this against `register`):
# a command line that names one builds only that module's parsers, not all of them (bench/cli_start.py).
COMMANDS: dict[str, ModuleType] = {
    "run": run_cmd,
    "refer": refer_cmd,
    "chat": chat_cmd,
    "drafts": drafts_cmd,
    "case": case_cmd,
    "decide": decide_cmd,
    "review": review_cmd,
    "deadlines": deadlines_cmd,
    "notify": notify_cmd,
    "reminders": reminders_cmd,
    "keys": keys_cmd,
    "audit": audit_cmd,
    "db": db_cmd,
    "purge": purge_cmd,
    "mail": mail_cmd,
    "doctor": doctor_cmd,
    "backup": backup_cmd,
    "restore": backup_cmd,
    "teams": teams_cmd,
    "report": report_cmd,
    "steps": steps_cmd,
}
