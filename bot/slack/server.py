"""Serving the bolt app: HTTP (POST /slack/events, signatures checked by bolt) or Socket Mode.

The HTTP server is threaded with a listen backlog of 1024: with Python's default of 5, bursts of Slack
requests are refused and retried by TCP a second later, putting p99 over 1 s (DESIGN.md §7).
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.request import BoltRequest

from bot.slack.deferral import after_response

log = logging.getLogger("scrbot.slack")

EVENTS_PATH = "/slack/events"
LISTEN_BACKLOG = 1024
MAX_BODY = 1 << 20  # Slack payloads are far smaller


class SlackHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = LISTEN_BACKLOG

    def __init__(self, address: tuple[str, int], app: App) -> None:
        self.app = app
        super().__init__(address, _Handler)

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
        if self.path == "/healthz":
            self._reply(200, "ok")
        else:
            self._reply(404, "not found")

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        if self.path.split("?")[0] != EVENTS_PATH or length > MAX_BODY:
            if length <= MAX_BODY:
                self.rfile.read(length)
            self.close_connection = length > MAX_BODY
            self._reply(404 if length <= MAX_BODY else 413, "not found" if length <= MAX_BODY else "too large")
            return
        body = self.rfile.read(length).decode("utf-8")
        headers: dict[str, str | Sequence[str]] = {k.lower(): v for k, v in self.headers.items()}
        query = self.path.split("?", 1)[1] if "?" in self.path else ""
        with after_response():  # the conversation step starts once the acknowledgement is sent
            response = self.server.app.dispatch(BoltRequest(body=body, query=query, headers=headers))
            self._reply(response.status, response.body or "", response.headers)
            self.wfile.flush()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # request lines carry no personal data, but they are noise; bolt logs failures itself


def tune_interpreter() -> None:
    """Short interpreter time slices: a request thread waiting behind background work gets to run sooner, so
    acknowledgements stay fast while conversation steps are processed (bench/slack_ack.py)."""
    sys.setswitchinterval(0.001)


def serve_http(app: App, host: str, port: int) -> SlackHTTPServer:
    """Bind (port 0: any free port) and return the server; call `serve_forever` or `start_in_thread`."""
    return SlackHTTPServer((host, port), app)


def socket_mode(app: App, app_token: str) -> SocketModeHandler:
    """For boards without a public URL: the app connects out to Slack over a WebSocket."""
    return SocketModeHandler(app, app_token)
