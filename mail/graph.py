"""Exchange Online through Microsoft Graph: msal (client credentials, application permission Mail.ReadWrite
and Mail.Send on the board's mailbox) and httpx. The app signs in with a client secret or, as Microsoft
recommends, a certificate (a PEM file with the certificate and its private key; msal signs a client
assertion with the key, and the secret never travels).

Microsoft is switching EWS off for Exchange Online (phased from 1 October 2026, permanently on 1 April 2027),
so a board on Microsoft 365 uses this backend rather than mail/ews.py.

Keys are Graph message ids. A moved message gets a new id in its new folder, so moving the same key twice
finds nothing the second time and is treated as done. "Processed" and "quarantine" are child folders of the
inbox, created on first use. Throttling (429/503) is retried after the server's Retry-After, within a
bounded total wait; wrong credentials (401/403, or no token) fail at once.
"""

from __future__ import annotations

import base64
import contextlib
import json
import threading
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from mail.base import PROCESSED, QUARANTINE, MailboxError, StoredCopy

DEFAULT_AUTHORITY = "https://login.microsoftonline.com"
DEFAULT_GRAPH = "https://graph.microsoft.com/v1.0"
# PR_MESSAGE_SIZE (MS-OXPROPS PidTagMessageSize, 0x0E08): Graph's message resource has no size property of
# its own; this extended property is the message's size in bytes.
SIZE_PROPERTY = "Integer 0x0E08"
_EXPAND_SIZE = f"singleValueExtendedProperties($filter=id eq '{SIZE_PROPERTY}')"


@dataclass(frozen=True)
class GraphConfig:
    tenant_id: str
    client_id: str
    client_secret: str  # "" when a certificate is used
    mailbox: str  # the shared mailbox's address (user principal name)
    client_certificate: str = ""  # PEM file: the app registration's certificate and its private key
    client_certificate_password: str = ""  # of that private key, if it is encrypted
    authority_base: str = DEFAULT_AUTHORITY
    graph_base: str = DEFAULT_GRAPH
    ca_bundle: str = ""  # a CA file to trust (a corporate proxy, or a test server); "" = system CAs
    timeout_seconds: float = 30.0
    max_wait_seconds: float = 60.0
    page_size: int = 50
    max_messages_per_poll: int = 500

    def __repr__(self) -> str:  # never the secret
        return (
            f"GraphConfig(tenant_id={self.tenant_id!r}, client_id={self.client_id!r}, graph_base={self.graph_base!r})"
        )

    @property
    def scope(self) -> str:
        parts = urlsplit(self.graph_base)
        return f"{parts.scheme}://{parts.netloc}/.default"


class GraphMailbox:
    def __init__(self, config: GraphConfig, *, sleep: Callable[[float], None] = time.sleep) -> None:
        self.config = config
        self._sleep = sleep
        self._app: Any = None
        self._folders: dict[str, str] = {}
        self._sizes: dict[str, int] = {}  # learnt while listing the inbox
        self._lock = threading.Lock()
        verify: Any = _ssl_context(config.ca_bundle) if config.ca_bundle else True
        # httpx for Graph and for msal's own requests: one TLS configuration, and a configured CA file is not
        # overridden by REQUESTS_CA_BUNDLE as it would be in msal's default requests session.
        self._http = httpx.Client(
            base_url=config.graph_base.rstrip("/") + "/", timeout=config.timeout_seconds, verify=verify
        )
        self._identity_http = httpx.Client(timeout=config.timeout_seconds, verify=verify)

    # --- tokens ----------------------------------------------------------------------------------------

    def _token(self) -> str:
        import msal

        with self._lock:
            try:
                if self._app is None:
                    custom = self.config.authority_base.rstrip("/") != DEFAULT_AUTHORITY
                    self._app = msal.ConfidentialClientApplication(
                        self.config.client_id,
                        client_credential=self._credential(),
                        authority=f"{self.config.authority_base.rstrip('/')}/{self.config.tenant_id}",
                        # A sovereign cloud or test authority is not in Microsoft's instance list.
                        validate_authority=not custom,
                        instance_discovery=False if custom else None,
                        http_client=_IdentityHttp(self._identity_http),
                    )
                result = self._app.acquire_token_for_client(scopes=[self.config.scope])
            except MailboxError:
                raise
            except Exception as exc:  # noqa: BLE001 - msal raises ValueError / requests errors
                raise MailboxError(f"Graph sign-in failed ({type(exc).__name__})") from None
        token = result.get("access_token") if isinstance(result, dict) else None
        if not token:
            error = result.get("error", "no token") if isinstance(result, dict) else "no token"
            raise MailboxError(f"Graph sign-in failed ({str(error)[:60]})")
        return str(token)

    def _credential(self) -> str | dict[str, str]:
        if not self.config.client_certificate:
            return self.config.client_secret
        certificate = load_certificate(self.config.client_certificate, self.config.client_certificate_password)
        credential = {"private_key": certificate.private_key_pem, "public_certificate": certificate.certificate_pem}
        if self.config.client_certificate_password:
            credential["passphrase"] = self.config.client_certificate_password
        return credential

    # --- requests --------------------------------------------------------------------------------------

    def _request(self, method: str, url: str, doing: str, **kwargs: Any) -> httpx.Response:
        waited = 0.0
        while True:
            headers = {"Authorization": f"Bearer {self._token()}", **kwargs.pop("headers", {})}
            try:
                response = self._http.request(method, url, headers=headers, **kwargs)
            except httpx.HTTPError as exc:
                raise MailboxError(f"Graph {doing} failed ({type(exc).__name__})") from None
            if response.status_code in {429, 503, 504} and waited < self.config.max_wait_seconds:
                delay = _retry_after(response)
                if waited + delay > self.config.max_wait_seconds:
                    raise MailboxError(f"Graph {doing} failed (HTTP {response.status_code}, still busy)")
                self._sleep(delay)
                waited += delay
                continue
            return response

    def _mailbox_path(self) -> str:
        return f"users/{quote(self.config.mailbox, safe='@')}"

    def _check(self, response: httpx.Response, doing: str) -> None:
        if response.status_code >= 400:
            code = ""
            with contextlib.suppress(ValueError):
                code = str(response.json().get("error", {}).get("code", ""))[:60]
            raise MailboxError(f"Graph {doing} failed (HTTP {response.status_code}{', ' + code if code else ''})")

    # --- folders ---------------------------------------------------------------------------------------

    def _folder_id(self, name: str) -> str:
        if name in self._folders:
            return self._folders[name]
        base = f"{self._mailbox_path()}/mailFolders/inbox/childFolders"
        escaped = name.replace("'", "''")
        response = self._request("GET", base, "finding a folder", params={"$filter": f"displayName eq '{escaped}'"})
        self._check(response, "finding a folder")
        found = response.json().get("value", [])
        if found:
            folder_id = str(found[0]["id"])
        else:
            created = self._request("POST", base, "creating a folder", json={"displayName": name})
            self._check(created, "creating a folder")
            folder_id = str(created.json()["id"])
        self._folders[name] = folder_id
        return folder_id

    # --- the Mailbox protocol --------------------------------------------------------------------------

    def list_new(self) -> list[str]:
        url: str | None = f"{self._mailbox_path()}/mailFolders/inbox/messages"
        params: dict[str, Any] | None = {
            "$select": "id,receivedDateTime",
            "$expand": _EXPAND_SIZE,
            "$orderby": "receivedDateTime",
            "$top": str(self.config.page_size),
        }
        keys: list[str] = []
        sizes: dict[str, int] = {}
        while url and len(keys) < self.config.max_messages_per_poll:
            response = self._request("GET", url, "listing the inbox", params=params)
            self._check(response, "listing the inbox")
            data = response.json()
            for message in data.get("value", []):
                keys.append(str(message["id"]))
                size = _size_of(message)
                if size is not None:
                    sizes[str(message["id"])] = size
            url, params = data.get("@odata.nextLink"), None
        self._sizes = sizes
        return keys

    def size(self, key: str) -> int | None:
        """The message's PR_MESSAGE_SIZE, from the listing or asked for alone: never its MIME content."""
        if key in self._sizes:
            return self._sizes[key]
        response = self._request(
            "GET",
            f"{self._mailbox_path()}/messages/{quote(key, safe='')}",
            "reading a message's size",
            params={"$select": "id", "$expand": _EXPAND_SIZE},
        )
        self._check(response, "reading a message's size")
        return _size_of(response.json())

    def fetch_raw(self, key: str) -> bytes:
        response = self._request(
            "GET", f"{self._mailbox_path()}/messages/{quote(key, safe='')}/$value", "fetching a message"
        )
        self._check(response, "fetching a message")
        return response.content

    def move(self, key: str, folder: str) -> None:
        destination = self._folder_id(folder)
        response = self._request(
            "POST",
            f"{self._mailbox_path()}/messages/{quote(key, safe='')}/move",
            "moving a message",
            json={"destinationId": destination},
        )
        if response.status_code == 404:
            return  # already moved (it has a new id in its new folder): moving is idempotent
        self._check(response, "moving a message")

    def send(self, message: EmailMessage) -> str:
        message_id = message.get("Message-ID")
        if not message_id:
            raise MailboxError("outbound message has no Message-ID")
        # sendMail takes the whole MIME message, base64-encoded, as text/plain.
        body = base64.b64encode(message.as_bytes(policy=SMTP))
        response = self._request(
            "POST",
            f"{self._mailbox_path()}/sendMail",
            "sending a message",
            content=body,
            headers={"Content-Type": "text/plain"},
        )
        self._check(response, "sending a message")
        return str(message_id)

    def _with_message_id(self, folder: str, message_id: str, doing: str) -> list[str]:
        """Ids of the messages in `folder` (an id or a well-known name) with this internetMessageId: a
        server-side filter, nothing is downloaded."""
        escaped = message_id.replace("'", "''")
        response = self._request(
            "GET",
            f"{self._mailbox_path()}/mailFolders/{quote(folder, safe='')}/messages",
            doing,
            params={"$filter": f"internetMessageId eq '{escaped}'", "$select": "id"},
        )
        self._check(response, doing)
        return [str(m["id"]) for m in response.json().get("value", [])]

    def find_sent(self, message_id: str) -> str | None:
        found = self._with_message_id("sentitems", message_id, "searching the sent items")
        return found[0] if found else None

    def delete_copies(self, copies: Collection[StoredCopy]) -> int:
        """Permanently deletes (not to Deleted Items) the copies in the processed and quarantine folders and the
        sent items, found by internetMessageId."""
        ids = sorted({c.message_id.strip() for c in copies if c.message_id.strip()})
        if not ids:
            return 0
        deleted = 0
        folders = [self._folder_id(PROCESSED), self._folder_id(QUARANTINE), "sentitems"]
        for folder in folders:
            for message_id in ids:
                for key in self._with_message_id(folder, message_id, "finding a purged case's messages"):
                    response = self._request(
                        "POST",
                        f"{self._mailbox_path()}/messages/{quote(key, safe='')}/permanentDelete",
                        "deleting a purged case's message",
                    )
                    if response.status_code != 404:
                        self._check(response, "deleting a purged case's message")
                        deleted += 1
        return deleted

    def close(self) -> None:
        self._http.close()
        self._identity_http.close()

    # --- for `scrbot doctor`: what works, without sending ------------------------------------------------

    def granted_roles(self) -> set[str]:
        """The application permissions (app roles) in the access token Microsoft issued to the bot: what it
        may do, as the token says, without doing it."""
        token = self._token()
        try:
            payload = token.split(".")[1]
            claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        except (IndexError, ValueError):
            raise MailboxError("Graph sign-in gave a token that is not a JWT") from None
        return {str(role) for role in claims.get("roles", [])}

    def inbox_folders(self) -> list[str]:
        """Open the mailbox's inbox and list its subfolders: proves the application access policy lets the
        app into this mailbox."""
        response = self._request("GET", f"{self._mailbox_path()}/mailFolders/inbox", "opening the inbox")
        self._check(response, "opening the inbox")
        children = self._request("GET", f"{self._mailbox_path()}/mailFolders/inbox/childFolders", "listing folders")
        self._check(children, "listing folders")
        return sorted(str(f.get("displayName", "")) for f in children.json().get("value", []))


class _IdentityHttp:
    """msal's `http_client`, over httpx. msal gives a signed client assertion (certificate credentials) as
    bytes in the token request's form; requests sends bytes as they are, httpx would send "b'...'", so
    they are decoded here."""

    def __init__(self, client: httpx.Client) -> None:
        self._client = client

    def post(self, url: str, params: Any = None, data: Any = None, headers: Any = None, **kwargs: Any) -> Any:
        if isinstance(data, dict):
            data = {k: v.decode("ascii") if isinstance(v, bytes) else v for k, v in data.items()}
        return self._client.post(url, params=params, data=data, headers=headers, **kwargs)

    def get(self, url: str, params: Any = None, headers: Any = None, **kwargs: Any) -> Any:
        return self._client.get(url, params=params, headers=headers, **kwargs)

    def close(self) -> None:
        self._client.close()


@dataclass(frozen=True)
class Certificate:
    private_key_pem: str
    certificate_pem: str
    not_after: Any  # datetime (UTC)
    sha256_thumbprint: str


def load_certificate(path: str, password: str = "") -> Certificate:
    """Read the app's certificate and private key from one PEM file and check that they belong together."""
    import re

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization

    try:
        text = Path(path).read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise MailboxError(f"Graph certificate file {path} cannot be read ({type(exc).__name__})") from None
    keys = re.findall(
        r"-----BEGIN (?:ENCRYPTED |RSA )?PRIVATE KEY-----.*?-----END (?:ENCRYPTED |RSA )?PRIVATE KEY-----", text, re.S
    )
    certificates = re.findall(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", text, re.S)
    if not keys or not certificates:
        missing = "private key" if not keys else "certificate"
        raise MailboxError(f"Graph certificate file {path} holds no {missing} (PEM: the certificate and its key)")
    try:
        key = serialization.load_pem_private_key(keys[0].encode(), password.encode() or None)
        certificate = x509.load_pem_x509_certificate(certificates[0].encode())
    except (ValueError, TypeError) as exc:
        reason = (
            "wrong or missing password"
            if "password" in str(exc).lower() or isinstance(exc, TypeError)
            else "not readable"
        )
        raise MailboxError(f"Graph certificate file {path}: private key {reason}") from None
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    encoding = serialization.Encoding.PEM
    if key.public_key().public_bytes(encoding, public) != certificate.public_key().public_bytes(encoding, public):
        raise MailboxError(f"Graph certificate file {path}: the private key does not belong to the certificate")
    return Certificate(
        private_key_pem=keys[0],
        certificate_pem=certificates[0],
        not_after=certificate.not_valid_after_utc,
        sha256_thumbprint=certificate.fingerprint(hashes.SHA256()).hex(),
    )


def _size_of(message: dict[str, Any]) -> int | None:
    # Graph answers the id as "Integer 0xe08": compare the property tag as a number.
    for prop in message.get("singleValueExtendedProperties") or []:
        kind, _, tag = str(prop.get("id", "")).partition(" ")
        if kind.lower() != "integer" or not tag.lower().startswith("0x"):
            continue
        try:
            if int(tag, 16) == 0x0E08:
                return int(prop.get("value"))
        except (TypeError, ValueError):
            return None
    return None


def _retry_after(response: httpx.Response) -> float:
    try:
        return max(0.0, min(float(response.headers.get("Retry-After", "5")), 60.0))
    except ValueError:
        return 5.0


def _ssl_context(ca_bundle: str) -> Any:
    import ssl

    return ssl.create_default_context(cafile=ca_bundle)
