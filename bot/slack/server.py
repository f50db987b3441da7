"""Serving the bolt app: HTTP (POST /slack/events) or Socket Mode.

The HTTP server is threaded with a listen backlog of 1024: with Python's default of 5, bursts of Slack
requests are refused and retried by TCP a second later, putting p99 over 1 s (DESIGN.md §7).

Before bolt sees a request (bot/slack/request_checks.py): the declared length must be a number within 1 MiB
(413 otherwise, with nothing read; 400 for a bad one, 411 for a chunked body); the body must arrive within
`read_timeout` seconds in all (a client that stops sending is dropped); Slack's signature must match the bytes
received (401); and the payload must have the shape bolt's listeners read (400). Idle kept-alive connections
are closed after the same timeout.

In install mode (bot/slack/installs.py) the server also answers the install flow's two pages, GET
/slack/install and GET /slack/oauth_redirect, with the app's OAuth flow (or the one given: a deployment whose
boards each have their own App serves one flow over every board).
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.oauth import OAuthFlow
from slack_bolt.request import BoltRequest
from slack_sdk.signature import SignatureVerifier

from bot.slack.deferral import after_response
from bot.slack.request_checks import MAX_BODY, Refusal, check_shape, check_signature, declared_length
from bot.slack.routing import BoardApps

log = logging.getLogger("scrbot.slack")

EVENTS_PATH = "/slack/events"
LISTEN_BACKLOG = 1024
READ_TIMEOUT = 10.0  # seconds for a request to arrive in full; Slack sends each in one go


class SlackHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = LISTEN_BACKLOG

    def __init__(
        self,
        address: tuple[str, int],
        app: App | BoardApps,
        *,
        signing_secret: str | None = None,
        read_timeout: float = READ_TIMEOUT,
        max_body: int = MAX_BODY,
        oauth_flow: OAuthFlow | None = None,
    ) -> None:
        # Each board's app, by its Slack workspace (bot/slack/routing.py); one app: every request is its.
        self.apps = app if isinstance(app, BoardApps) else BoardApps({"": app})
        self.app = self.apps.first
        # Install mode: the install pages; with one App per board, the flow over every board (installs.py).
        self.oauth_flow = oauth_flow or self.app.oauth_flow
        secret = signing_secret if signing_secret is not None else getattr(self.app, "_signing_secret", None)
        if not secret:
            raise ValueError("the Slack HTTP server needs the app's signing secret")
        self.verifier = SignatureVerifier(secret)
        self.read_timeout = read_timeout
        self.max_body = max_body
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that went away mid-request, or a bug: one line, no traceback (it could quote a body).
        log.warning("slack http: a request failed (%s)", type(sys.exc_info()[1]).__name__)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}{EVENTS_PATH}"

    def start_in_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, name="scrbot-slack-http", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: Slack and load balancers reuse connections
    server: SlackHTTPServer

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.read_timeout)  # every read on the connection, headers included

    def _reply(self, status: int, body: str, headers: dict[str, Any] | None = None) -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        for name, values in (headers or {}).items():
            if name.lower() == "content-length":
                continue
            for value in values if isinstance(values, (list, tuple)) else [values]:
                self.send_header(name, str(value))
        if not headers or not any(k.lower() == "content-type" for k in headers):
            self.send_header("content-type", "text/plain; charset=utf-8")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        path, _, query = self.path.partition("?")
        flow = self.server.oauth_flow
        if path == "/healthz":
            self._reply(200, "ok")
        elif flow is not None and path in (flow.install_path, flow.redirect_uri_path):
            headers: dict[str, str | Sequence[str]] = {k.lower(): v for k, v in self.headers.items()}
            request = BoltRequest(body="", query=query, headers=headers)
            start = path == flow.install_path
            response = flow.handle_installation(request) if start else flow.handle_callback(request)
            self._reply(response.status, response.body or "", response.headers)
        else:
            self._reply(404, "not found")

    def do_POST(self) -> None:
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            raw = self._body(declared_length(headers, self.server.max_body))
            if self.path.split("?")[0] != EVENTS_PATH:
                raise Refusal(404, "not found")
            check_signature(self.server.verifier, raw, headers)
            body = check_shape(raw, headers.get("content-type", ""))
        except Refusal as refused:
            self.close_connection = self.close_connection or refused.close
            self._reply(refused.status, refused.reason)
            return
        except TimeoutError:
            self.close_connection = True
            self._reply(408, "request timed out")
            return
        app = self.server.apps.app_for(body, headers.get("content-type", ""))
        if app is None:  # no board's workspace: nothing of any board's is touched (logged by kind only)
            self._reply(404, "not found")
            return
        query = self.path.split("?", 1)[1] if "?" in self.path else ""
        bolt_headers: dict[str, str | Sequence[str]] = dict(headers)
        with after_response():  # the conversation step starts once the acknowledgement is sent
            response = app.dispatch(BoltRequest(body=body, query=query, headers=bolt_headers))
            self._reply(response.status, response.body or "", response.headers)
            self.wfile.flush()

    def _body(self, length: int) -> bytes:
        """Exactly `length` bytes, all within the read timeout (not per read: a trickle does not last longer);
        TimeoutError otherwise, Refusal if the client closes early."""
        deadline = time.monotonic() + self.server.read_timeout
        chunks: list[bytes] = []
        remaining = length
        while remaining:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("body not received in time")
            self.connection.settimeout(left)
            chunk = self.rfile.read1(min(remaining, 65536))
            if not chunk:
                raise Refusal(400, "the body ended early", close=True)
            chunks.append(chunk)
            remaining -= len(chunk)
        self.connection.settimeout(self.server.read_timeout)
        return b"".join(chunks)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # request lines carry no personal data, but they are noise; bolt logs failures itself


def tune_interpreter() -> None:
    """Short interpreter time slices: a request thread waiting behind background work gets to run sooner, so
    acknowledgements stay fast while conversation steps are processed (bench/slack_ack.py)."""
    sys.setswitchinterval(0.001)


def serve_http(
    app: App | BoardApps,
    host: str,
    port: int,
    *,
    read_timeout: float = READ_TIMEOUT,
    oauth_flow: OAuthFlow | None = None,
) -> SlackHTTPServer:
    """Bind (port 0: any free port) and return the server; call `serve_forever` or `start_in_thread`."""
    return SlackHTTPServer((host, port), app, read_timeout=read_timeout, oauth_flow=oauth_flow)


def socket_mode(app: App, app_token: str) -> SocketModeHandler:
    """For boards without a public URL: the app connects out to Slack over a WebSocket."""
    return SocketModeHandler(app, app_token)
