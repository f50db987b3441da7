"""Logging: case references and counts only, never personal data (DESIGN.md §5). Text lines, or JSON
lines (SCRBOT_LOG_FORMAT=json, python-json-logger) for a log collector.

Nothing here can recognise personal data, so the rule is kept where messages are written; tests search
captured logs for the synthetic names of the referrals they file.
"""

from __future__ import annotations

import logging
import sys


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is when a record is emitted (not when logging was set up), so a
    replaced stderr (a test's capture, a daemon's redirection) never leaves a closed stream behind."""

    @property
    def stream(self) -> object:
        return sys.stderr

    @stream.setter
    def stream(self, _value: object) -> None:
        pass


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# JSON: one object per line for a log collector, with the same fields as the text lines and nothing more
# (no `extra` fields are added anywhere, so nothing beyond the message can carry data).
JSON_FIELDS = ("asctime", "levelname", "name", "message")


def formatter(kind: str = "text") -> logging.Formatter:
    if kind == "json":
        from pythonjsonlogger.json import JsonFormatter

        return JsonFormatter(
            " ".join(f"%({f})s" for f in JSON_FIELDS),
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            json_ensure_ascii=False,
        )
    return logging.Formatter(TEXT_FORMAT)


def configure_logging(level: str = "INFO", kind: str = "text") -> None:
    root = logging.getLogger()
    ours = [h for h in root.handlers if getattr(h, "_scrbot", False)]
    if ours:
        root.setLevel(level.upper())
        for handler in ours:
            handler.setFormatter(formatter(kind))
        return
    handler = _StderrHandler()
    handler.setFormatter(formatter(kind))
    handler._scrbot = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level.upper())
    # Third-party libraries may log request bodies at DEBUG; keep them at WARNING.
    for noisy in (
        "sqlalchemy",
        "alembic",
        "urllib3",
        "httpx",
        "httpcore",
        "slack_bolt",
        "slack_sdk",
        "exchangelib",
        "msal",
        "apscheduler",
    ):
        logging.getLogger(noisy).setLevel(logging.WARNING)
