"""Exchange on-premises through EWS (exchangelib).

Configured with a fixed service endpoint, an explicit auth type and server version, so exchangelib never
guesses (no autodiscover, no auth or version probing). Its retry policy waits out a busy server for at
most `max_wait_seconds`, and treats HTTP 401 as wrong credentials at once: exchangelib's own
fault-tolerant policy reads 401 as throttling and retries it for up to an hour.

"Processed" and "quarantine" are subfolders of the inbox, created on first use. Keys are EWS item ids.
An Exchange server whose certificate comes from the board's own certificate authority is trusted through
`ca_bundle` (a PEM file), for that server only.
Microsoft is switching EWS off for Exchange Online (from 1 October 2026, fully on 1 April 2027): boards on
Microsoft 365 use the Graph backend (mail/graph.py).
"""

from __future__ import annotations

import threading
from collections.abc import Collection
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from typing import Any

from mail.base import PROCESSED, QUARANTINE, MailboxError, StoredCopy

_VERSIONS = {"2010": (14, 2), "2013": (15, 0), "2016": (15, 1), "2019": (15, 2)}


@dataclass(frozen=True)
class EwsConfig:
    endpoint: str  # e.g. https://mail.board.gov.uk/EWS/Exchange.asmx
    username: str  # DOMAIN\user or user@board.gov.uk
    password: str
    mailbox: str  # the shared mailbox's primary SMTP address
    auth_type: str = "NTLM"  # NTLM, basic, digest
    version: str = "2016"  # 2010, 2013, 2016, 2019, or a build number such as 15.1.2507.6
    max_wait_seconds: int = 60
    ca_bundle: str = ""  # a CA file to trust for this server (an internal CA); "" = the system's CAs
    page_size: int = 100
    max_messages_per_poll: int = 500

    def __repr__(self) -> str:  # never the password
        return f"EwsConfig(endpoint={self.endpoint!r}, mailbox=..., auth_type={self.auth_type!r})"


def _build(version: str) -> Any:
    from exchangelib import Build

    if version in _VERSIONS:
        return Build(*_VERSIONS[version])
    parts = [int(p) for p in version.split(".") if p.isdigit()]
    if len(parts) < 2:
        raise MailboxError(f"EWS version {version!r} is not one of {', '.join(_VERSIONS)} or a build number")
    return Build(*parts[:4])


def _auth_type(name: str) -> str:
    from exchangelib.transport import BASIC, DIGEST, NTLM

    types = {"ntlm": NTLM, "basic": BASIC, "digest": DIGEST}
    try:
        return str(types[name.strip().lower()])
    except KeyError:
        raise MailboxError(f"EWS auth type {name!r} is not one of NTLM, basic, digest") from None


def _retry_policy(max_wait: int) -> Any:
    from exchangelib.errors import UnauthorizedError
    from exchangelib.protocol import FaultTolerance

    class BoundedRetry(FaultTolerance):  # type: ignore[misc]
        """Back off for a busy server up to max_wait; never retry wrong credentials."""

        def raise_response_errors(self, response: Any) -> Any:
            if response.status_code == 401:
                raise UnauthorizedError("the Exchange server refused the credentials")
            return super().raise_response_errors(response)

    return BoundedRetry(max_wait=max_wait)


# CA files to trust, by "host:port" of the EWS endpoint. exchangelib takes one HTTP adapter class for every
# server; ours looks the server up here, so each mailbox trusts its own CA and nothing else changes.
_CA_BUNDLES: dict[str, str] = {}


def _server_key(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port or (443 if parts.scheme == 'https' else 80)}"


def _trust_ca_bundle(endpoint: str, ca_file: str) -> None:
    import requests.adapters
    from exchangelib.protocol import BaseProtocol

    _CA_BUNDLES[_server_key(endpoint)] = ca_file
    if getattr(BaseProtocol.HTTP_ADAPTER_CLS, "_scrbot_ca_bundles", False):
        return
    base: Any = BaseProtocol.HTTP_ADAPTER_CLS

    class CaBundleAdapter(base):  # type: ignore[misc]
        _scrbot_ca_bundles = True

        def send(self, request: Any, *args: Any, **kwargs: Any) -> Any:
            ca_file = _CA_BUNDLES.get(_server_key(request.url))
            # Ours wins over the process-wide default (REQUESTS_CA_BUNDLE, certifi) for this server only.
            if ca_file and kwargs.get("verify", True) is not False:
                kwargs["verify"] = ca_file
            return super().send(request, *args, **kwargs)

    assert issubclass(CaBundleAdapter, requests.adapters.HTTPAdapter)
    BaseProtocol.HTTP_ADAPTER_CLS = CaBundleAdapter


def _failure(exc: BaseException, doing: str) -> MailboxError:
    # exchangelib's messages can quote server responses; only the type is kept.
    return MailboxError(f"EWS {doing} failed ({type(exc).__name__})")


class EwsMailbox:
    def __init__(self, config: EwsConfig) -> None:
        self.config = config
        self._account: Any = None
        self._folders: dict[str, Any] = {}
        self._sizes: dict[str, int] = {}  # learnt while listing the inbox
        self._lock = threading.Lock()

    def _connect(self) -> Any:
        from exchangelib import DELEGATE, Account, Configuration, Credentials, Version

        with self._lock:
            if self._account is None:
                if self.config.ca_bundle:
                    _trust_ca_bundle(self.config.endpoint, self.config.ca_bundle)
                configuration = Configuration(
                    service_endpoint=self.config.endpoint,
                    credentials=Credentials(self.config.username, self.config.password),
                    auth_type=_auth_type(self.config.auth_type),
                    version=Version(build=_build(self.config.version)),
                    retry_policy=_retry_policy(self.config.max_wait_seconds),
                    max_connections=2,
                )
                self._account = Account(
                    primary_smtp_address=self.config.mailbox,
                    config=configuration,
                    autodiscover=False,
                    access_type=DELEGATE,
                )
            return self._account

    def _folder(self, name: str) -> Any:
        from exchangelib import Folder
        from exchangelib.errors import ErrorFolderNotFound

        if name not in self._folders:
            inbox = self._connect().inbox
            try:
                folder = inbox // name
            except ErrorFolderNotFound:
                folder = Folder(parent=inbox, name=name)
                folder.save()
            self._folders[name] = folder
        return self._folders[name]

    def list_new(self) -> list[str]:
        try:
            inbox = self._connect().inbox
            query = inbox.all().only("datetime_received", "size").order_by("datetime_received")
            query.page_size = self.config.page_size
            items = list(query[: self.config.max_messages_per_poll])
            self._sizes = {item.id: int(item.size) for item in items if item.size is not None}
            return [item.id for item in items]
        except MailboxError:
            raise
        except Exception as exc:  # noqa: BLE001 - any library or network failure is the backend's failure
            raise _failure(exc, "listing the inbox") from None

    def fetch_raw(self, key: str) -> bytes:
        from exchangelib.properties import ItemId

        try:
            items = list(self._connect().fetch(ids=[ItemId(id=key)], only_fields=["mime_content"]))
        except Exception as exc:  # noqa: BLE001
            raise _failure(exc, "fetching a message") from None
        if not items or isinstance(items[0], Exception) or not items[0].mime_content:
            raise MailboxError("EWS fetching a message failed (not found or no MIME content)")
        content = items[0].mime_content
        return content if isinstance(content, bytes) else str(content).encode("utf-8")

    def size(self, key: str) -> int | None:
        """EWS's item size (bytes), from the listing or asked for alone: never the MIME content."""
        if key in self._sizes:
            return self._sizes[key]
        from exchangelib.properties import ItemId

        try:
            items = list(self._connect().fetch(ids=[ItemId(id=key)], only_fields=["size"]))
        except Exception as exc:  # noqa: BLE001
            raise _failure(exc, "reading a message's size") from None
        if not items or isinstance(items[0], Exception) or items[0].size is None:
            return None
        return int(items[0].size)

    def move(self, key: str, folder: str) -> None:
        from exchangelib.errors import ErrorItemNotFound
        from exchangelib.properties import ItemId

        try:
            results = self._connect().bulk_move(ids=[ItemId(id=key)], to_folder=self._folder(folder))
        except ErrorItemNotFound:
            return
        except Exception as exc:  # noqa: BLE001
            raise _failure(exc, "moving a message") from None
        for result in results:
            if isinstance(result, ErrorItemNotFound):
                return  # already moved: moving is idempotent
            if isinstance(result, Exception):
                raise _failure(result, "moving a message")

    def send(self, message: EmailMessage) -> str:
        from exchangelib import Message

        message_id = message.get("Message-ID")
        if not message_id:
            raise MailboxError("outbound message has no Message-ID")
        try:
            account = self._connect()
            Message(account=account, folder=account.sent, mime_content=message.as_bytes(policy=SMTP)).send_and_save()
        except Exception as exc:  # noqa: BLE001
            raise _failure(exc, "sending a message") from None
        return str(message_id)

    def _with_message_id(self, folder: Any, message_id: str) -> list[Any]:
        """Items in `folder` whose InternetMessageId is `message_id` (a server-side search: nothing is fetched)."""
        return list(folder.filter(message_id=message_id).only("datetime_received"))

    def find_sent(self, message_id: str) -> str | None:
        try:
            found = self._with_message_id(self._connect().sent, message_id)
        except Exception as exc:  # noqa: BLE001
            raise _failure(exc, "searching the sent items") from None
        return str(found[0].id) if found else None

    def delete_copies(self, copies: Collection[StoredCopy]) -> int:
        """Hard-deletes (not to Deleted Items) the copies in the processed and quarantine folders and the sent
        items, found by Message-ID."""
        ids = sorted({c.message_id.strip() for c in copies if c.message_id.strip()})
        if not ids:
            return 0
        deleted = 0
        try:
            folders = [self._folder(PROCESSED), self._folder(QUARANTINE), self._connect().sent]
            for folder in folders:
                for message_id in ids:
                    for item in self._with_message_id(folder, message_id):
                        item.delete()
                        deleted += 1
        except Exception as exc:  # noqa: BLE001
            raise _failure(exc, "deleting copies of a purged case's messages") from None
        return deleted

    # --- for `scrbot doctor`: what works, without sending ------------------------------------------------

    def inbox_folders(self) -> list[str]:
        """Sign in, open the mailbox's inbox and list its subfolders: proves the credentials and the
        service account's access (Full Access, or impersonation) to the mailbox."""
        try:
            inbox = self._connect().inbox
            return sorted(str(folder.name) for folder in inbox.children)
        except MailboxError:
            raise
        except Exception as exc:  # noqa: BLE001 - explained by its kind, never its text
            raise MailboxError(f"EWS {_reason(exc)}") from None


def _reason(exc: BaseException) -> str:
    """What an exchangelib failure means for the person setting the mailbox up."""
    name = type(exc).__name__
    reasons = {
        "UnauthorizedError": "refused the credentials (SCRBOT_EWS_USERNAME, SCRBOT_EWS_PASSWORD, SCRBOT_EWS_AUTH_TYPE)",
        "ErrorNonExistentMailbox": "has no such mailbox (SCRBOT_EWS_MAILBOX)",
        "ErrorAccessDenied": "denied the service account access to the mailbox: grant it Full Access (README)",
        "ErrorImpersonateUserDenied": "denied impersonation of the mailbox: grant ApplicationImpersonation (README)",
        "SSLError": "certificate is not trusted: set SCRBOT_EWS_CA_BUNDLE to the board's CA file",
    }
    if name in reasons:
        return f"server {reasons[name]}"
    cause = exc.__cause__ or exc.__context__
    if "SSL" in name or (cause is not None and "SSL" in type(cause).__name__):
        return f"server {reasons['SSLError']}"
    if name == "ErrorTimeoutExpired":
        return "server did not answer within SCRBOT_EWS_MAX_WAIT_SECONDS: it cannot be reached or is busy"
    if name in {"TransportError", "ConnectionError", "ConnectTimeout", "ReadTimeout"}:
        return f"server cannot be reached ({name}; check SCRBOT_EWS_ENDPOINT and the network)"
    return f"request failed ({name})"
