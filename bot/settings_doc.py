"""`.env.example`, written from the settings model: every setting, its meaning, what it allows, its default.

Regenerate after adding a setting (tests/bot/test_settings_doc.py fails until you do):

    .venv/bin/python -m bot.settings_doc > .env.example
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import SecretStr

from bot.settings import Settings
from bot.settings_errors import allowed
from bot.settings_files import env_name, file_settings

HEADER = """\
# SCR Bot settings. Copy this file to .env (or set the variables in the environment): every line below
# shows a setting with its default, commented out. Local mode needs none of them.
#
# Secrets (marked "secret") may instead be read from a file: SCRBOT_<NAME>_FILE=/run/secrets/<name>
# (docker compose secrets, systemd LoadCredential=). Never commit a .env file with real values.
"""


def default_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Path):
        return str(value)
    return str(value)


def env_example() -> str:
    secret_files = set(file_settings(Settings))
    lines = [HEADER]
    for name, field in Settings.model_fields.items():
        lines.append(f"# {field.description}.")
        notes = [f"allowed: {allowed(field)}"]
        if name in secret_files:
            notes.append(f"secret; or {env_name(name)}_FILE")
        lines.append(f"# ({'; '.join(notes)})")
        lines.append(f"#{env_name(name)}={default_text(field.default)}")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    print(env_example(), end="")
