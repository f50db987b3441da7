"""The kinds of value a setting may take, each saying in words what it allows.

Used as `Annotated[...]` types in bot/settings.py. A value that does not fit raises ValueError with the
problem only (never the value: bot/settings_errors.py decides whether the value may be shown) and the
`Allowed` text becomes the "allowed: ..." part of the one-line error. `Secret()` marks a setting whose value
is never echoed and may be read from a file (`SCRBOT_<NAME>_FILE`).
"""

from __future__ import annotations

import ipaddress
import os
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, SecretStr


@dataclass(frozen=True)
class Allowed:
    """What a setting allows, in words, for its error line and `.env.example`."""

    text: str


@dataclass(frozen=True)
class Secret:
    """Never shown (or only through `redact`); may come from a file named by SCRBOT_<NAME>_FILE (containers'
    secrets)."""

    from_file: bool = True
    redact: Callable[[str], str] | None = None


def _url_without_password(value: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(value).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - unparseable: show nothing of it
        return "(value hidden)"


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_HOST_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
_ADDRESS = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")
_EWS_VERSIONS = ("2010", "2013", "2016", "2019")
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_DATABASE_BACKENDS = ("sqlite", "postgresql")


def _plain(value: str) -> str:
    """Every text setting: no control characters (a pasted token with a stray newline or tab)."""
    if _CONTROL.search(value):
        raise ValueError("contains a control character (a stray newline or tab?)")
    return value


def _plain_secret(value: SecretStr) -> SecretStr:
    _plain(value.get_secret_value())
    return value


def _is_host(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
        return True
    except ValueError:
        pass
    labels = text.rstrip(".").split(".")
    return bool(text) and len(text) <= 253 and all(_HOST_LABEL.match(label) for label in labels)


def _host(value: str) -> str:
    if not _is_host(value):
        raise ValueError("is not an IP address or host name")
    return value


def _url(value: str, *, https_only: bool = False) -> str:
    from urllib.parse import urlsplit

    if not value:
        return value
    parts = urlsplit(value)
    schemes = ("https",) if https_only else ("http", "https")
    if parts.scheme not in schemes or not parts.hostname or not _is_host(parts.hostname):
        raise ValueError(f"is not an {' or '.join(schemes)} URL")
    return value


def _address(value: str) -> str:
    if value and not _ADDRESS.match(value):
        raise ValueError("is not an email address")
    return value


def _guid(value: str) -> str:
    if value:
        try:
            uuid.UUID(value)
        except ValueError:
            raise ValueError("is not a GUID") from None
    return value


def _tenant(value: str) -> str:
    if value and not (_is_guid(value) or (_is_host(value) and "." in value)):
        raise ValueError("is neither a GUID nor a domain name")
    return value


def _is_guid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _authserv_id(value: str) -> str:
    # RFC 8601 authserv-id: in practice the receiving server's host name.
    if value and not _is_host(value):
        raise ValueError("is not a host name (the authserv-id your mail server writes)")
    return value


def _moment(value: str) -> str:
    if value:
        from bot.clock import parse_moment

        try:
            parse_moment(value)
        except ValueError:
            raise ValueError("is not an ISO date or date and time") from None
    return value


def _ews_version(value: str) -> str:
    parts = value.split(".")
    if value not in _EWS_VERSIONS and not (len(parts) >= 2 and all(p.isdigit() for p in parts)):
        raise ValueError("is not a known Exchange version or build number")
    return value


def _upper(value: object) -> object:
    return value.strip().upper() if isinstance(value, str) else value


def _auth_type(value: str) -> str:
    if value.strip().lower() not in {"ntlm", "basic", "digest"}:
        raise ValueError("is not an EWS authentication type")
    return value


def _log_level(value: str) -> str:
    if value not in _LOG_LEVELS:
        raise ValueError("is not a log level")
    return value


def _json_object(value: str) -> str:
    if value:
        import json

        try:
            parsed = json.loads(value)
        except ValueError:
            raise ValueError("is not valid JSON") from None
        if not isinstance(parsed, dict):
            raise ValueError("is not a JSON object")
    return value


def _database_url(value: str) -> str:
    if not value:
        return value
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        backend = make_url(value).get_backend_name()
    except (ArgumentError, ValueError):
        raise ValueError("is not a database URL") from None
    if backend not in _DATABASE_BACKENDS:
        raise ValueError(f"names the database {backend!r}, which SCR Bot does not support")
    return value


def _readable_file(value: Path | None) -> Path | None:
    if value is None or str(value) == "":
        return None
    if not value.exists():
        raise ValueError("does not exist")
    if not value.is_file():
        raise ValueError("is not a file")
    if not os.access(value, os.R_OK):
        raise ValueError("cannot be read (permissions)")
    return value


def _file_if_present(value: Path | None) -> Path | None:
    """A file that is created when missing (the key file): if it is there, it must be a readable file."""
    if value is None or str(value) == "":
        return None
    if value.exists() and not value.is_file():
        raise ValueError("is not a file")
    if value.exists() and not os.access(value, os.R_OK):
        raise ValueError("cannot be read (permissions)")
    return value


def _readable_folder(value: Path | None) -> Path | None:
    if value is None or str(value) == "":
        return None
    if not value.exists():
        raise ValueError("does not exist")
    if not value.is_dir():
        raise ValueError("is not a folder")
    if not os.access(value, os.R_OK | os.X_OK):
        raise ValueError("cannot be read (permissions)")
    return value


def _folder(value: Path) -> Path:
    if value.exists() and not value.is_dir():
        raise ValueError("is not a folder")
    if value.exists() and not os.access(value, os.W_OK | os.X_OK):
        raise ValueError("is not writable")
    return value


def _slack_token(prefix: str) -> AfterValidator:
    def check(value: str) -> str:
        if value and not value.startswith(prefix):
            raise ValueError(f"does not start with {prefix}")
        return value

    return AfterValidator(check)


Text = Annotated[str, AfterValidator(_plain), Allowed("text")]
HostName = Annotated[str, AfterValidator(_plain), AfterValidator(_host), Allowed("an IP address or host name")]
Url = Annotated[str, AfterValidator(_plain), AfterValidator(_url), Allowed("an http:// or https:// URL")]
HttpsUrl = Annotated[
    str,
    AfterValidator(_plain),
    AfterValidator(lambda v: _url(v, https_only=True)),
    Allowed("an https:// URL"),
]
EmailAddress = Annotated[str, AfterValidator(_plain), AfterValidator(_address), Allowed("an email address")]
Guid = Annotated[
    str, AfterValidator(_plain), AfterValidator(_guid), Allowed("a GUID, e.g. 11111111-2222-4333-8444-555555555555")
]
Tenant = Annotated[
    str, AfterValidator(_plain), AfterValidator(_tenant), Allowed("the tenant's GUID or its domain name")
]
AuthservId = Annotated[
    str, AfterValidator(_plain), AfterValidator(_authserv_id), Allowed("a host name, e.g. mx.board.gov.uk")
]
Moment = Annotated[
    str, AfterValidator(_plain), AfterValidator(_moment), Allowed("an ISO date or datetime, e.g. 2026-12-22T09:05")
]
EwsVersion = Annotated[
    str,
    AfterValidator(_plain),
    AfterValidator(_ews_version),
    Allowed(f"{', '.join(_EWS_VERSIONS)} or a build number such as 15.1.2507.6"),
]
EwsAuthType = Annotated[str, AfterValidator(_auth_type), Allowed("NTLM, basic or digest")]
LogLevel = Annotated[
    str, BeforeValidator(_upper), AfterValidator(_log_level), Allowed(", ".join(_LOG_LEVELS) + " (any case)")
]
DatabaseUrl = Annotated[
    str,
    AfterValidator(_plain),
    AfterValidator(_database_url),
    Secret(redact=_url_without_password),
    Allowed("a SQLAlchemy URL: sqlite+pysqlite:///PATH or postgresql+psycopg://USER@HOST/DB"),
]
ReadableFile = Annotated[Path | None, AfterValidator(_readable_file), Allowed("a readable file")]
FileIfPresent = Annotated[Path | None, AfterValidator(_file_if_present), Allowed("a file path (created if missing)")]
ReadableFolder = Annotated[Path | None, AfterValidator(_readable_folder), Allowed("a readable folder")]
Folder = Annotated[Path, AfterValidator(_folder), Allowed("a writable folder (created if missing)")]
SlackBotToken = Annotated[
    str, AfterValidator(_plain), _slack_token("xoxb-"), Secret(), Allowed("a bot token starting xoxb-")
]
SlackAppToken = Annotated[
    str, AfterValidator(_plain), _slack_token("xapp-"), Secret(), Allowed("an app-level token starting xapp-")
]
SecretText = Annotated[str, AfterValidator(_plain), Secret(), Allowed("text (kept secret)")]


def _slack_client_id(value: str) -> str:
    # Slack shows an app's client id as two numbers joined by a dot ("1234567890.0987654321").
    if value and not re.fullmatch(r"\d+\.\d+", value):
        raise ValueError("is not a Slack client id (two numbers joined by a dot)")
    return value


SlackClientId = Annotated[
    str, AfterValidator(_plain), AfterValidator(_slack_client_id), Allowed("the app's client id, e.g. 1234.5678")
]
SecretValue = Annotated[SecretStr, AfterValidator(_plain_secret), Secret(), Allowed("text (kept secret)")]
KeyRingJson = Annotated[
    str,
    AfterValidator(_json_object),
    Secret(from_file=False),
    Allowed('the key ring as JSON: {"version": 1, "boards": {...}}'),
]
