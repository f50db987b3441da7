"""The Slack HTTP endpoint under hostile clients: a declared length over the limit or not a number, a body
that never finishes, an idle connection, unsigned garbage, signed payloads without the parts bolt reads. Each
gets one status line and, where the rest of the connection cannot be trusted, a closed connection; none a
traceback, a reset or a 500. Raw sockets on 127.0.0.1 against the real bot (SlackBot), no sleeping: each
read blocks until the server answers or closes (the socket's own timeout is only a safety net)."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode

import pytest

from bot.clock import FixedClock
from bot.slack.server import LISTEN_BACKLOG, SlackHTTPServer, serve_http
from storage.store import Store
from tests.support.fake_slack import FakeSlack
from tests.support.slack_bot import SlackBot
from tests.support.slack_requests import SlackPayload, SlackRequests

SAFETY = 20.0  # seconds: a test that waits this long has failed
SHORT = 0.3  # the injected read timeout


@pytest.fixture(params=["sqlite"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)  # the database is not what is tested here


@pytest.fixture
def bot(store: Store, clock: FixedClock, fake: FakeSlack) -> Iterator[SlackBot]:
    with SlackBot(store, clock, fake) as running:
        yield running


@pytest.fixture
def server(bot: SlackBot) -> Iterator[SlackHTTPServer]:
    """The same app behind a server with a short read timeout."""
    short = serve_http(bot.app, "127.0.0.1", 0, read_timeout=SHORT)
    short.start_in_thread()
    yield short
    short.stop()


def connect(server: SlackHTTPServer) -> socket.socket:
    client = socket.create_connection(server.server_address[:2], timeout=SAFETY)
    return client


def answer(client: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    received = b""
    while chunk := client.recv(65536):
        received += chunk
    return received


def head(length: str, extra: str = "") -> bytes:
    return f"POST /slack/events HTTP/1.1\r\nHost: bot\r\nContent-Length: {length}\r\n{extra}\r\n".encode()


def test_a_body_over_the_limit_is_refused_before_any_of_it_is_read(server: SlackHTTPServer) -> None:
    client = connect(server)
    client.sendall(head(str(server.max_body + 1)))  # ...and not one byte of the body
    reply = answer(client)  # the server answers (and closes) without waiting for it
    assert reply.startswith(b"HTTP/1.1 413 ") and reply.endswith(b"too large")


@pytest.mark.parametrize(
    ("length", "extra", "status"),
    [
        ("-1", "", b"400"),  # read "to the end": an unbounded read
        ("abc", "", b"400"),
        ("99999999999999999999", "", b"400"),
        ("", "", b"400"),
        ("10", "Transfer-Encoding: chunked\r\n", b"411"),
    ],
)
def test_a_length_that_is_not_a_number_within_the_limit_is_refused(
    server: SlackHTTPServer, length: str, extra: str, status: bytes
) -> None:
    client = connect(server)
    client.sendall(head(length, extra) + b"x" * 4096)
    assert answer(client).startswith(b"HTTP/1.1 " + status + b" ")


def test_a_client_that_stops_sending_is_dropped_after_the_timeout(server: SlackHTTPServer) -> None:
    client = connect(server)
    client.sendall(head("100") + b"payload=")  # 8 of 100 bytes, then nothing
    assert answer(client).startswith(b"HTTP/1.1 408 ")  # then closed: answer() returned


def test_an_idle_connection_is_closed_after_the_timeout(server: SlackHTTPServer) -> None:
    client = connect(server)
    assert answer(client) == b""  # nothing sent, nothing answered: closed


def raw_post(server: SlackHTTPServer, body: bytes, headers: dict[str, str]) -> bytes:
    client = connect(server)
    lines = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    client.sendall(head(str(len(body)), lines + "Connection: close\r\n") + body)
    return answer(client)


def test_unsigned_garbage_is_401_and_signed_garbage_is_400(bot: SlackBot, server: SlackHTTPServer) -> None:
    assert raw_post(server, b"\xff\xfe\x00 not text", {}).startswith(b"HTTP/1.1 401 ")
    assert raw_post(server, b"payload=%7Bnot-json", {}).startswith(b"HTTP/1.1 401 ")
    for body, content_type in [
        ("payload=%7Bnot-json", "application/x-www-form-urlencoded"),
        ("payload=%5B%5D", "application/x-www-form-urlencoded"),
        ("[1, 2]", "application/json"),
        ("{not json", "application/json"),
    ]:
        signed = bot.requests.headers(SlackPayload(body, content_type))
        assert raw_post(server, body.encode(), signed).startswith(b"HTTP/1.1 400 "), body
    signed = bot.requests.headers(SlackPayload("payload=", "application/x-www-form-urlencoded"))
    signed["x-slack-signature"] = _sign_bytes(bot.requests, b"payload=\xff", signed["x-slack-request-timestamp"])
    # Slack signs UTF-8 text: bytes that are not cannot be checked, so they are not trusted.
    assert raw_post(server, b"payload=\xff", signed).startswith(b"HTTP/1.1 401 ")


def _sign_bytes(requests: SlackRequests, body: bytes, timestamp: str) -> str:
    import hashlib
    import hmac

    base = f"v0:{timestamp}:".encode() + body
    return "v0=" + hmac.new(requests.secret.encode(), base, hashlib.sha256).hexdigest()


@pytest.mark.parametrize("actions", [[], "x", ["x"], None])
def test_a_signed_button_press_without_actions_is_400_not_500(bot: SlackBot, actions: object) -> None:
    press = bot.requests.action("UREF000001", "scr_answer", value='{"k": "x", "v": "yes"}')
    payload = json.loads(parse_qs(press.body)["payload"][0])
    if actions is None:
        del payload["actions"]
    else:
        payload["actions"] = actions
    status, body = bot.requests.post(SlackPayload(urlencode({"payload": json.dumps(payload)}), press.content_type))
    assert status == 400 and "actions" in body


def test_the_listen_backlog_stays_long(server: SlackHTTPServer) -> None:
    assert server.request_queue_size == LISTEN_BACKLOG >= 128  # DESIGN.md §7
