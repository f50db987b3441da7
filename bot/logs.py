"""Logging: case references and counts only, never personal data (DESIGN.md §5).

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


def configure_logging(level: str = "INFO") -> None:
    root = logging.getLogger()
    if any(getattr(h, "_scrbot", False) for h in root.handlers):
        root.setLevel(level.upper())
        return
    handler = _StderrHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
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
