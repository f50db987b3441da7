"""A test's environment without the developer's own SCRBOT_* settings (names are matched without regard to
case, so every spelling goes)."""

from __future__ import annotations

import os

import pytest


def is_setting(name: str) -> bool:
    return name.upper().startswith("SCRBOT_")


def forget_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Remove every SCRBOT_* variable from this process's environment for the test."""
    for name in list(os.environ):
        if is_setting(name):
            monkeypatch.delenv(name)


def environment_without_settings() -> dict[str, str]:
    """This process's environment for a child process, without any SCRBOT_* variable."""
    return {k: v for k, v in os.environ.items() if not is_setting(k)}
