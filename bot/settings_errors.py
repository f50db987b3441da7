"""A wrong setting is one line: the variable, what is wrong with its value, and what is allowed.

`load_settings()` is how the CLI (and `scrbot doctor`) read the settings: pydantic's validation errors
become a `SettingsError` (bad input, exit 2) such as

    SCRBOT_SLACK_PORT: 'abc' is not a whole number; allowed: a whole number from 1 to 65535

The value is shown only for settings that are not secret. What is allowed is worked out from the settings
model itself (the type, its bounds, its choices, or the `Allowed` text of bot/setting_types.py), so a new
setting explains itself without anyone writing its message.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from typing import Any, Literal, get_args, get_origin

import annotated_types
from pydantic import SecretStr, ValidationError
from pydantic.fields import FieldInfo

from bot.setting_types import Allowed
from bot.settings import Settings
from bot.settings_files import env_name, secret_marker
from errors import BadInput

HIDDEN = "(value hidden)"


class SettingsError(BadInput):
    """One or more SCRBOT_* settings are wrong; the message names each and what it allows."""


def load_settings(**overrides: Any) -> Settings:
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = [explain(error) for error in exc.errors(include_url=False)]
        first = exc.errors(include_url=False)[0]["loc"]
        raise SettingsError("; ".join(problems), field=env_name(str(first[0])) if first else None) from None


def is_secret(name: str) -> bool:
    field = Settings.model_fields.get(name)
    return field is not None and secret_marker(field) is not None


def _redactor(name: str) -> Callable[[str], str] | None:
    field = Settings.model_fields.get(name)
    marker = secret_marker(field) if field is not None else None
    return marker.redact if marker is not None else None


_PROBLEMS = {
    "int_parsing": "is not a whole number",
    "int_from_float": "is not a whole number",
    "int_type": "is not a whole number",
    "bool_parsing": "is not true or false",
    "bool_type": "is not true or false",
    "literal_error": "is not one of the choices",
    "path_type": "is not a path",
    "string_type": "is not text",
    "missing": "is required",
}


def explain(error: Any) -> str:
    """One problem as `SCRBOT_NAME: 'value' <problem>; allowed: <what>`."""
    loc = error.get("loc") or ()
    message = str(error.get("msg", "")).removeprefix("Value error, ")
    if not loc:  # a rule over several settings (Settings._complete): its message names them
        return message
    name = str(loc[0])
    field = Settings.model_fields.get(name)
    if field is None:
        return f"{env_name(name)}: {message}"
    problem = _PROBLEMS.get(error.get("type", ""), message)
    ctx = error.get("ctx") or {}
    if error.get("type") in {"greater_than_equal", "greater_than"}:
        problem = f"is below the least allowed ({ctx.get('ge', ctx.get('gt'))})"
    elif error.get("type") in {"less_than_equal", "less_than"}:
        problem = f"is above the most allowed ({ctx.get('le', ctx.get('lt'))})"
    return f"{env_name(name)}: {shown(name, error.get('input'))} {problem}; allowed: {allowed(field)}"


def shown(name: str, value: Any) -> str:
    """The value as the person typed it, or a stand-in for a secret (never echoed)."""
    redact = _redactor(name)
    if redact is not None and isinstance(value, str):
        visible = redact(value)
        return visible if visible == HIDDEN else repr(visible)
    if is_secret(name) or isinstance(value, SecretStr):
        return HIDDEN
    text = str(value)
    return repr(text if len(text) <= 80 else text[:77] + "...")


def allowed(field: FieldInfo) -> str:
    """What a setting allows, in words, from its type and constraints."""
    for item in field.metadata:
        if isinstance(item, Allowed):
            return item.text
    annotation = field.annotation
    if get_origin(annotation) is Literal:
        return "one of " + ", ".join(str(a) for a in get_args(annotation))
    if annotation is bool:
        return "true or false (also yes/no, on/off, 1/0)"
    if annotation is int:
        low = next((getattr(m, "ge", None) for m in field.metadata if isinstance(m, annotated_types.Ge)), None)
        high = next((getattr(m, "le", None) for m in field.metadata if isinstance(m, annotated_types.Le)), None)
        if low is not None and high is not None:
            return f"a whole number from {low} to {high}"
        if low is not None:
            return f"a whole number, at least {low}"
        return "a whole number"
    if _is_optional(annotation):
        return "a path, or empty"
    return "text"


def _is_optional(annotation: Any) -> bool:
    return get_origin(annotation) in {typing.Union, types.UnionType} and type(None) in get_args(annotation)
