"""Where the settings' values come from, in order of precedence: what the caller passes, the environment,
secret files (SCRBOT_<NAME>_FILE, bot/settings_files.py), then a `.env` file in the working folder.

Read here rather than by pydantic-settings, whose import (with its many optional sources) cost every command
about a tenth of its start (bench/cli_start.py). The same rules as before: variable names are matched without
regard to case, an empty value is a value (and is validated as one), and names that are no setting are ignored.
Every value is then validated by the settings model itself (bot/settings.py), so a wrong value is the same
one-line error whichever source it came from (bot/settings_errors.py, tests/bot/test_settings.py).
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel

from bot.settings_files import PREFIX, secret_file_values

ENV_FILE = Path(".env")


def setting_values(settings_cls: type[BaseModel], env_file: Path = ENV_FILE) -> dict[str, str]:
    """Each setting given outside the code, by field name, as text for the model to validate."""
    names = set(settings_cls.model_fields)
    values = _prefixed(_dotenv(env_file), names)
    values.update(secret_file_values(settings_cls))
    values.update(_prefixed(os.environ, names))
    return values


def _prefixed(variables: dict[str, str | None] | os._Environ[str], names: set[str]) -> dict[str, str]:
    prefix = PREFIX.lower()
    found: dict[str, str] = {}
    for key, value in variables.items():
        name = key.lower().removeprefix(prefix)
        if value is not None and key.lower().startswith(prefix) and name in names:
            found[name] = value
    return found


def _dotenv(path: Path) -> dict[str, str | None]:
    if not path.is_file():
        return {}
    from dotenv import dotenv_values  # only when there is a .env file to read

    return dict(dotenv_values(path))
