"""Microsoft's side of a Teams bot, on 127.0.0.1, for the real Agents SDK and msal to talk to:

- the Bot Framework's signing keys: OpenID metadata and a JWKS of a throwaway RSA key pair (endorsed for
  "msteams"), and `token(...)` to sign the bearer tokens the channel service would send (or wrong ones);
- the connector service (the activity's `serviceUrl`, plain HTTP): conversations' activities posted, replied
  to and updated, conversations created, team details; every call recorded with its JSON body, and refused
  (401) unless its bearer token came from the fake Entra below;
- Entra's token endpoint (HTTPS with a throwaway CA, as msal only accepts https authorities): client
  credentials for the bot's app id and secret, for any tenant in `tenants`.
"""

from __future__ import annotations

import base64
import itertools
import json
import secrets
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.support.fake_graph import make_certificates

APP_ID = "5c0a2b1e-7d3f-4e6a-9b8c-0d1e2f3a4b5c"
APP_SECRET = "synthetic-teams-secret"
TENANT = "3f2e1d0c-4b5a-4678-9abc-def012345678"
OTHER_TENANT = "9a8b7c6d-5e4f-4321-8fed-cba987654321"
ISSUER = "https://api.botframework.com"
TEAM_ID = "19:bu-team-general@thread.tacv2"
CHANNEL_ID = "19:bu-casework@thread.tacv2"


def _b64(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@dataclass
class SigningKey:
    kid: str
    private: rsa.RSAPrivateKey = field(default_factory=lambda: rsa.generate_private_key(65537, 2048))

    def jwk(self, endorsements: tuple[str, ...] = ("msteams",)) -> dict[str, Any]:
        numbers = self.private.public_key().public_numbers()
        return {
            "kty": "RSA",
            "use": "sig",
            "kid": self.kid,
            "n": _b64(numbers.n),
            "e": _b64(numbers.e),
            "endorsements": list(endorsements),
        }

    def pem(self) -> bytes:
        return self.private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )


@dataclass
class Call:
    method: str
    path: str
    body: Any
    authorization: str


@dataclass
class FakeTeamsState:
    app_id: str = APP_ID
    secret: str = APP_SECRET
    tenants: tuple[str, ...] = (TENANT, "botframework.com")
    key: SigningKey = field(default_factory=lambda: SigningKey("scr-test-key-1"))
    endorsements: tuple[str, ...] = ("msteams",)
    calls: list[Call] = field(default_factory=list)
    entra_tokens: set[str] = field(default_factory=set)
    token_requests: list[dict[str, list[str]]] = field(default_factory=list)
    token_tenants: list[str] = field(default_factory=list)  # the tenant of each token request's authority
    teams: set[str] = field(default_factory=lambda: {TEAM_ID})  # teams the bot is installed in
    fail_next: int = 0  # answer the next N connector calls with 503
    lock: threading.Lock = field(default_factory=threading.Lock)
    counter: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    delivered: threading.Condition = field(default_factory=threading.Condition)

    def posted(self) -> list[Call]:
        with self.lock:
            return [c for c in self.calls if c.method in {"POST", "PUT"} and "/activities" in c.path]

    def wait_for_posts(self, count: int, timeout: float = 10.0) -> list[Call]:
        """Block until `count` activities have been posted or updated (the bot works after its ack)."""
        with self.delivered:
            self.delivered.wait_for(lambda: len(self.posted()) >= count, timeout=timeout)
        return self.posted()


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _json(self, status: int, value: Any) -> None:
        body = json.dumps(value).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _read(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length", "0") or 0))

    def do_GET(self) -> None:
        self._route("GET")

    def do_POST(self) -> None:
        self._route("POST")

    def do_PUT(self) -> None:
        self._route("PUT")

    def _route(self, method: str) -> None:
        state = self.server.state
        raw = self._read()
        path = unquote(urlsplit(self.path).path)
        if self.server.entra:
            self._entra(state, method, path, raw)
            return
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        if path == "/v1/.well-known/openidconfiguration":
            self._json(200, {"issuer": ISSUER, "jwks_uri": f"{base}/v1/.well-known/keys"})
            return
        if path == "/v1/.well-known/keys":
            self._json(200, {"keys": [state.key.jwk(state.endorsements)]})
            return
        body = json.loads(raw) if raw else None
        authorization = self.headers.get("Authorization", "")
        with state.lock:
            if authorization.removeprefix("Bearer ") not in state.entra_tokens:
                self._json(401, {"error": {"code": "Unauthorized", "message": "token not from the fake Entra"}})
                return
            if state.fail_next:
                state.fail_next -= 1
                self._json(503, {"error": {"code": "ServiceUnavailable"}})
                return
            state.calls.append(Call(method, path, body, authorization))
            answer = self._connector(state, method, path)
        with state.delivered:
            state.delivered.notify_all()
        self._json(*answer)

    def _connector(self, state: FakeTeamsState, method: str, path: str) -> tuple[int, Any]:
        parts = path.strip("/").split("/")
        if parts[:2] == ["v3", "conversations"] and len(parts) == 2 and method == "POST":
            return 201, {"id": f"a:personal-{next(state.counter)}", "activityId": f"act-{next(state.counter)}"}
        if parts[:2] == ["v3", "conversations"] and len(parts) >= 4 and parts[3] == "activities":
            return 200, {"id": parts[4] if method == "PUT" else f"act-{next(state.counter)}"}
        if parts[:2] == ["v3", "teams"] and len(parts) == 3 and method == "GET":
            if parts[2] not in state.teams:
                return 403, {"error": {"code": "BotNotInConversationRoster"}}
            return 200, {"id": parts[2], "name": "Business unit", "aadGroupId": "group"}
        return 404, {"error": {"code": "NotFound"}}

    def _entra(self, state: FakeTeamsState, method: str, path: str, raw: bytes) -> None:
        base = f"https://127.0.0.1:{self.server.server_address[1]}"
        tenant = path.strip("/").split("/")[0]
        if tenant not in state.tenants:
            self._json(400, {"error": "invalid_tenant"})
            return
        if path == f"/{tenant}/v2.0/.well-known/openid-configuration":
            self._json(
                200,
                {
                    "issuer": f"{base}/{tenant}/v2.0",
                    "authorization_endpoint": f"{base}/{tenant}/oauth2/v2.0/authorize",
                    "token_endpoint": f"{base}/{tenant}/oauth2/v2.0/token",
                },
            )
            return
        if path == f"/{tenant}/oauth2/v2.0/token" and method == "POST":
            form = parse_qs(raw.decode())
            with state.lock:
                state.token_requests.append(form)
                state.token_tenants.append(tenant)
                if form.get("client_id") != [state.app_id] or form.get("client_secret") != [state.secret]:
                    self._json(401, {"error": "invalid_client", "error_description": "AADSTS7000215"})
                    return
                token = secrets.token_urlsafe(24)
                state.entra_tokens.add(token)
            self._json(200, {"token_type": "Bearer", "expires_in": 3599, "access_token": token})
            return
        self._json(404, {"error": "not_found"})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def __init__(self, state: FakeTeamsState, *, entra: bool) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state = state
        self.entra = entra


@dataclass(frozen=True)
class FakeTeams:
    service_url: str  # the connector, and the signing keys under /v1/.well-known
    authority: str  # the fake Entra, https
    ca_file: Path
    state: FakeTeamsState

    @property
    def openid_metadata_url(self) -> str:
        return f"{self.service_url}/v1/.well-known/openidconfiguration"

    def token(
        self,
        *,
        audience: str | None = None,
        issuer: str = ISSUER,
        service_url: str | None = None,
        expires_in: int = 3600,
        key: SigningKey | None = None,
        claims: dict[str, Any] | None = None,
    ) -> str:
        """A bearer token as the channel service signs it (or, with other arguments, a wrong one)."""
        now = int(time.time())
        payload = {
            "iss": issuer,
            "aud": audience or self.state.app_id,
            "serviceurl": service_url or self.service_url,
            "nbf": now - 60,
            "iat": now - 60,
            "exp": now + expires_in,
            **(claims or {}),
        }
        signer = key or self.state.key
        return jwt.encode(payload, signer.pem(), algorithm="RS256", headers={"kid": signer.kid})


@contextmanager
def fake_teams(directory: Path, *, tenants: tuple[str, ...] = (TENANT, "botframework.com")) -> Iterator[FakeTeams]:
    directory.mkdir(parents=True, exist_ok=True)
    ca_path, cert_path, key_path = make_certificates(directory)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    state = FakeTeamsState(tenants=tenants)
    connector = _Server(state, entra=False)
    entra = _Server(state, entra=True)
    entra.socket = context.wrap_socket(entra.socket, server_side=True)
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in (connector, entra)]
    for thread in threads:
        thread.start()
    try:
        yield FakeTeams(
            f"http://127.0.0.1:{connector.server_address[1]}",
            f"https://127.0.0.1:{entra.server_address[1]}",
            ca_path,
            state,
        )
    finally:
        for server in (connector, entra):
            server.shutdown()
            server.server_close()
