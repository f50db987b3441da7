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
]
