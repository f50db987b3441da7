"""A small Microsoft identity platform + Graph mail server on 127.0.0.1, over HTTPS with a throwaway CA
(msal only accepts https authorities), for the real msal and httpx to talk to.

Serves the OpenID configuration and token endpoint for client credentials (a client secret, or a client
assertion signed with the key of the registered `certificate`, checked as Microsoft does: signature, audience,
issuer, x5t#S256 thumbprint), and under /v1.0/users/{mailbox}: the inbox folder, inbox messages with paging
(@odata.nextLink), /messages/{id}/$value, /messages/{id}/move, inbox child folders (find by displayName,
create), /sendMail (MIME, base64; a copy is kept in "sentitems"), messages of a folder filtered by
internetMessageId, and /messages/{id}/permanentDelete. Tokens are JWT-shaped and carry the app's `roles` (application
permissions). `access_policy_denies` answers every mailbox request with 403, as an application access policy
that leaves the mailbox out does. Records every request; can answer the next N Graph requests with 429.
"""

from __future__ import annotations

import base64
import datetime as dt
import ipaddress
import itertools
import json
import secrets
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.parser import BytesHeaderParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def make_app_certificate(
    directory: Path, *, days: int = 365, password: str = "", name: str = "app.pem", now: dt.datetime | None = None
) -> tuple[Path, x509.Certificate]:
    """An app registration's certificate and RSA private key in one PEM file (as `scrbot` reads it); the key
    encrypted with `password` if one is given. Returns the file and the certificate (to register)."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    now = now or dt.datetime.now(dt.UTC)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "SCR Bot test app")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=400))
        .not_valid_after(now + dt.timedelta(days=days))
        .sign(key, hashes.SHA256())
    )
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password.encode()) if password else serialization.NoEncryption()
    )
    path = directory / name
    path.write_bytes(
        certificate.public_bytes(serialization.Encoding.PEM)
        + key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    )
    return path, certificate


def make_certificates(directory: Path) -> tuple[Path, Path, Path]:
    """A CA and a server certificate for 127.0.0.1 signed by it: (ca.pem, server.pem, server.key)."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "SCR Bot test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    ca_path, cert_path, key_path = directory / "ca.pem", directory / "server.pem", directory / "server.key"
    ca_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return ca_path, cert_path, key_path


@dataclass
class GraphMessage:
    id: str
    folder: str
    mime: bytes
    received: dt.datetime


@dataclass
class FakeGraphState:
    tenant: str
    client_id: str
    client_secret: str
    mailbox: str
    messages: dict[str, GraphMessage] = field(default_factory=dict)
    folders: dict[str, str] = field(default_factory=dict)  # id -> displayName (children of the inbox)
    sent: list[bytes] = field(default_factory=list)
    deleted: list[bytes] = field(default_factory=list)
    searches: list[tuple[str, str]] = field(default_factory=list)  # (folder, internetMessageId)
    requests: list[str] = field(default_factory=list)
    tokens: set[str] = field(default_factory=set)
    token_requests: int = 0
    throttle_next: int = 0
    bodies_fetched: list[str] = field(default_factory=list)  # ids whose MIME content ($value) was downloaded
    roles: list[str] = field(default_factory=lambda: ["Mail.ReadWrite", "Mail.Send"])
    access_policy_denies: bool = False
    certificate: x509.Certificate | None = None  # registered: client assertions signed by its key are accepted
    lock: threading.Lock = field(default_factory=threading.Lock)
    counter: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def deliver(self, raw: bytes) -> str:
        with self.lock:
            number = next(self.counter)
            message_id = f"AAMk{number:06d}" + "=" * (number % 2)  # Graph ids carry characters to escape
            received = dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC) + dt.timedelta(seconds=number)
            self.messages[message_id] = GraphMessage(message_id, "inbox", raw, received)
            return message_id

    def in_folder(self, folder: str) -> list[GraphMessage]:
        return sorted((m for m in self.messages.values() if m.folder == folder), key=lambda m: m.received)

    def folder_named(self, name: str) -> str | None:
        return next((fid for fid, n in self.folders.items() if n == name), None)


def internet_message_id(mime: bytes) -> str:
    return str(BytesHeaderParser().parsebytes(mime).get("Message-ID") or "").strip()


def _filtered_id(query: dict[str, list[str]]) -> str | None:
    """The value of a `$filter=internetMessageId eq '...'`, if that is the filter."""
    wanted = query.get("$filter", [""])[0]
    prefix = "internetMessageId eq '"
    if not wanted.startswith(prefix) or not wanted.endswith("'"):
        return None
    return wanted[len(prefix) : -1].replace("''", "'")


def _size(message: GraphMessage, expand: str) -> dict[str, Any]:
    """PR_MESSAGE_SIZE as Graph gives it, when the request expanded that extended property."""
    if "0x0E08" not in expand.upper().replace("0X", "0x"):
        return {}
    return {"singleValueExtendedProperties": [{"id": "Integer 0xe08", "value": str(len(message.mime))}]}


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _json(self, status: int, value: Any) -> None:
        body = json.dumps(value).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if status == 429:
            self.send_header("Retry-After", "0")
        self.end_headers()
        self.wfile.write(body)

    def _bytes(self, status: int, body: bytes, content_type: str = "message/rfc822") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length", "0")))

    @property
    def _base(self) -> str:
        return f"https://127.0.0.1:{self.server.server_address[1]}"

    def do_GET(self) -> None:
        self._route("GET")

    def do_POST(self) -> None:
        self._route("POST")

    def _route(self, method: str) -> None:
        state = self.server.state
        url = urlsplit(self.path)
        path = unquote(url.path)
        query = parse_qs(url.query)
        body = self._body() if method == "POST" else b""
        with state.lock:
            state.requests.append(f"{method} {path}")
            if path == f"/{state.tenant}/v2.0/.well-known/openid-configuration":
                self._json(
                    200,
                    {
                        "issuer": f"{self._base}/{state.tenant}/v2.0",
                        "authorization_endpoint": f"{self._base}/{state.tenant}/oauth2/v2.0/authorize",
                        "token_endpoint": f"{self._base}/{state.tenant}/oauth2/v2.0/token",
                    },
                )
                return
            if path == f"/{state.tenant}/oauth2/v2.0/token" and method == "POST":
                self._token(state, parse_qs(body.decode()))
                return
            if not path.startswith(f"/v1.0/users/{state.mailbox}/"):
                self._json(404, {"error": {"code": "ResourceNotFound"}})
                return
            if self.headers.get("Authorization", "").removeprefix("Bearer ") not in state.tokens:
                self._json(401, {"error": {"code": "InvalidAuthenticationToken"}})
                return
            if state.access_policy_denies:
                self._json(403, {"error": {"code": "ErrorAccessDenied", "message": "Blocked by AppOnly AccessPolicy"}})
                return
            if state.throttle_next:
                state.throttle_next -= 1
                self._json(429, {"error": {"code": "TooManyRequests"}})
                return
            self._graph(state, method, path.removeprefix(f"/v1.0/users/{state.mailbox}/"), query, body)

    def _token(self, state: FakeGraphState, form: dict[str, list[str]]) -> None:
        state.token_requests += 1
        if form.get("grant_type") != ["client_credentials"] or form.get("client_id") != [state.client_id]:
            self._json(400, {"error": "unauthorized_client", "error_description": "AADSTS700016: unknown app."})
            return
        if "client_assertion" in form:
            if not self._assertion_valid(state, form["client_assertion"][0]):
                self._json(401, {"error": "invalid_client", "error_description": "AADSTS700027: bad assertion."})
                return
        elif form.get("client_secret") != [state.client_secret]:
            self._json(401, {"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret."})
            return
        claims = {"aud": "https://graph.microsoft.com", "appid": state.client_id, "roles": state.roles}
        token = (
            ".".join(
                base64.urlsafe_b64encode(json.dumps(part).encode()).decode().rstrip("=")
                for part in ({"typ": "JWT", "alg": "none"}, claims)
            )
            + "."
            + secrets.token_urlsafe(24)
        )
        state.tokens.add(token)
        self._json(200, {"token_type": "Bearer", "expires_in": 3599, "access_token": token})

    def _assertion_valid(self, state: FakeGraphState, assertion: str) -> bool:
        """A client assertion as Microsoft checks it: signed by the registered certificate's key (RS256 or
        PS256), for this token endpoint, issued by and about the client, naming the certificate's thumbprint."""
        import jwt

        if state.certificate is None:
            return False
        try:
            header = jwt.get_unverified_header(assertion)
            claims = jwt.decode(
                assertion,
                state.certificate.public_key(),  # type: ignore[arg-type]
                algorithms=["RS256", "PS256"],
                audience=f"{self._base}/{state.tenant}/oauth2/v2.0/token",
                issuer=state.client_id,
            )
        except jwt.PyJWTError:
            return False
        thumbprint = base64.urlsafe_b64encode(state.certificate.fingerprint(hashes.SHA256())).decode().rstrip("=")
        named = str(header.get("x5t#S256", "")).rstrip("=")  # base64url, with or without padding
        return bool(claims.get("sub") == state.client_id and named == thumbprint)

    def _graph(self, state: FakeGraphState, method: str, path: str, query: dict[str, list[str]], body: bytes) -> None:
        parts = path.split("/")
        if method == "GET" and path == "mailFolders/inbox":
            self._json(200, {"id": "inbox", "displayName": "Inbox", "totalItemCount": len(state.in_folder("inbox"))})
        elif method == "GET" and path == "mailFolders/inbox/messages":
            top = int(query.get("$top", ["10"])[0])
            skip = int(query.get("$skip", ["0"])[0])
            items = state.in_folder("inbox")
            page = items[skip : skip + top]
            expand = query.get("$expand", [""])[0]
            value: dict[str, Any] = {
                "value": [{"id": m.id, "receivedDateTime": m.received.isoformat(), **_size(m, expand)} for m in page]
            }
            if skip + top < len(items):
                more = f"&$expand={quote(expand)}" if expand else ""
                value["@odata.nextLink"] = (
                    f"{self._base}/v1.0/users/{state.mailbox}/mailFolders/inbox/messages?$top={top}&$skip={skip + top}"
                    + more
                )
            self._json(200, value)
        elif method == "GET" and len(parts) == 3 and parts[:1] == ["mailFolders"] and parts[2] == "messages":
            wanted = _filtered_id(query)
            if wanted is None:
                self._json(400, {"error": {"code": "ErrorInvalidRestriction"}})
                return
            state.searches.append((parts[1], wanted))
            found = [m for m in state.in_folder(parts[1]) if internet_message_id(m.mime) == wanted]
            self._json(200, {"value": [{"id": m.id} for m in found]})
        elif method == "POST" and len(parts) == 3 and parts[0] == "messages" and parts[2] == "permanentDelete":
            gone = state.messages.pop(parts[1], None)
            if gone is None:
                self._json(404, {"error": {"code": "ErrorItemNotFound"}})
            else:
                state.deleted.append(gone.mime)
                self._bytes(204, b"", "text/plain")
        elif method == "GET" and len(parts) == 2 and parts[0] == "messages":
            message = state.messages.get(parts[1])
            if message is None:
                self._json(404, {"error": {"code": "ErrorItemNotFound"}})
            else:
                self._json(200, {"id": message.id, **_size(message, query.get("$expand", [""])[0])})
        elif method == "GET" and len(parts) == 3 and parts[0] == "messages" and parts[2] == "$value":
            message = state.messages.get(parts[1])
            if message is None:
                self._json(404, {"error": {"code": "ErrorItemNotFound"}})
            else:
                state.bodies_fetched.append(message.id)
                self._bytes(200, message.mime)
        elif method == "POST" and len(parts) == 3 and parts[0] == "messages" and parts[2] == "move":
            message = state.messages.pop(parts[1], None)
            destination = json.loads(body).get("destinationId")
            if message is None or destination not in state.folders:
                if message is not None:
                    state.messages[message.id] = message
                self._json(404, {"error": {"code": "ErrorItemNotFound"}})
                return
            new_id = f"AAMkMoved{next(state.counter):06d}"
            state.messages[new_id] = GraphMessage(new_id, destination, message.mime, message.received)
            self._json(201, {"id": new_id})
        elif path == "mailFolders/inbox/childFolders" and method == "GET":
            wanted = query.get("$filter", [""])[0]
            name = wanted.split("'", 1)[1].rsplit("'", 1)[0].replace("''", "'") if "'" in wanted else None
            found = [{"id": fid, "displayName": n} for fid, n in state.folders.items() if name is None or n == name]
            self._json(200, {"value": found})
        elif path == "mailFolders/inbox/childFolders" and method == "POST":
            folder_id = f"folder-{next(state.counter)}"
            state.folders[folder_id] = json.loads(body)["displayName"]
            self._json(201, {"id": folder_id, "displayName": state.folders[folder_id]})
        elif path == "sendMail" and method == "POST":
            if self.headers.get("Content-Type", "").split(";")[0] != "text/plain":
                self._json(400, {"error": {"code": "ErrorMimeContentInvalid"}})
                return
            mime = base64.b64decode(body)
            state.sent.append(mime)
            copy_id = f"AAMkSent{next(state.counter):06d}"
            state.messages[copy_id] = GraphMessage(copy_id, "sentitems", mime, dt.datetime.now(dt.UTC))
            self._bytes(202, b"", "text/plain")
        else:
            self._json(404, {"error": {"code": "ResourceNotFound"}})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, state: FakeGraphState, context: ssl.SSLContext) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state = state
        self.socket = context.wrap_socket(self.socket, server_side=True)


@dataclass(frozen=True)
class FakeGraph:
    base: str  # https://127.0.0.1:PORT
    ca_file: Path
    state: FakeGraphState

    @property
    def graph_base(self) -> str:
        return f"{self.base}/v1.0"


@contextmanager
def fake_graph(directory: Path, mailbox: str = "scr@testshire.gov.uk") -> Iterator[FakeGraph]:
    ca_path, cert_path, key_path = make_certificates(directory)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    state = FakeGraphState(
        tenant="00000000-0000-4000-8000-000000000001",
        client_id="11111111-2222-4333-8444-555555555555",
        client_secret="synthetic-client-secret",
        mailbox=mailbox,
    )
    server = _Server(state, context)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield FakeGraph(f"https://127.0.0.1:{server.server_address[1]}", ca_path, state)
    finally:
        server.shutdown()
        server.server_close()
