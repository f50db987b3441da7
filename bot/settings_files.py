"""Secrets from files: `SCRBOT_<NAME>_FILE=/run/secrets/name` for every setting marked `Secret()`.

The convention of the official PostgreSQL image (POSTGRES_PASSWORD_FILE), so that docker compose secrets,
Kubernetes secret volumes and systemd's LoadCredential= can hand the bot its tokens and passwords without
putting them in the environment, where `ps e` and crash reports may show them. One trailing newline is
removed (editors add one). Setting both SCRBOT_X and SCRBOT_X_FILE is an error, not a silent choice.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

from bot.setting_types import Secret
from errors import BadInput

PREFIX = "SCRBOT_"


class SecretFileError(BadInput):
    """A SCRBOT_*_FILE variable that names no readable file, or one set together with its variable."""


def env_name(field_name: str) -> str:
    return f"{PREFIX}{field_name.upper()}"


def secret_marker(field: FieldInfo) -> Secret | None:
    return next((m for m in field.metadata if isinstance(m, Secret)), None)


def file_settings(settings_cls: type[BaseSettings]) -> list[str]:
    """Names of the settings that may come from a file."""
    return [
        name
        for name, field in settings_cls.model_fields.items()
        if (marker := secret_marker(field)) is not None and marker.from_file
    ]


def _environment_has(name: str) -> bool:
    wanted = name.upper()
    return any(key.upper() == wanted and value != "" for key, value in os.environ.items())


def _environment(name: str) -> str | None:
    wanted = name.upper()
    return next((value for key, value in os.environ.items() if key.upper() == wanted), None)


def read_secret_file(variable: str, path_text: str) -> str:
    path = Path(path_text)
    allowed = "allowed: a readable file holding the secret"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SecretFileError(f"{variable}: {path} does not exist; {allowed}", field=variable) from None
    except IsADirectoryError:
        raise SecretFileError(f"{variable}: {path} is a folder; {allowed}", field=variable) from None
    except PermissionError:
        raise SecretFileError(f"{variable}: {path} cannot be read (permissions); {allowed}", field=variable) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SecretFileError(
            f"{variable}: {path} cannot be read ({type(exc).__name__}); {allowed}", field=variable
        ) from None
    return text.removesuffix("\n").removesuffix("\r")


class SecretFiles(PydanticBaseSettingsSource):
    """The pydantic-settings source for SCRBOT_<NAME>_FILE variables."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        variable = env_name(field_name) + "_FILE"
        path = _environment(variable)
        if not path or secret_marker(field) is None:
            return None, field_name, False
        if _environment_has(env_name(field_name)):
            raise SecretFileError(
                f"{env_name(field_name)} and {variable} are both set; allowed: one of them", field=variable
            )
        return read_secret_file(variable, path), field_name, False

    def __call__(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name in file_settings(self.settings_cls):
            value, key, _complex = self.get_field_value(self.settings_cls.model_fields[name], name)
            if value is not None:
                values[key] = value
        return values
