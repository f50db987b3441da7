"""A local fake of Slack's Socket Mode WebSocket endpoint (ws:// on 127.0.0.1, port 0), enough of RFC 6455
for slack_sdk's built-in Socket Mode client: the upgrade handshake, "hello", envelopes sent to the app, and the
app's acknowledgements recorded.

    with FakeSocketMode() as socket, FakeSlack(socket_url=socket.url) as fake:
        handler = SocketModeHandler(app, "xapp-test")   # app.client points at fake.base_url
        handler.connect()
        socket.wait_connected()
        envelope = socket.send("slash_commands", {"command": "/scr-refer", "user_id": "U1", ...})
        ack = socket.wait_ack(envelope)                  # {"envelope_id": ..., "payload": {...}}
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import socket
import struct
import threading
from typing import Any

_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def _frame(opcode: int, data: bytes) -> bytes:
    head = bytes([0x80 | opcode])
    if len(data) < 126:
        head += bytes([len(data)])
    elif len(data) < 1 << 16:
        head += bytes([126]) + struct.pack(">H", len(data))
    else:
        head += bytes([127]) + struct.pack(">Q", len(data))
    return head + data


class FakeSocketMode:
    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._changed = threading.Condition()
        self._conn: socket.socket | None = None
        self._send_lock = threading.Lock()
        self.acks: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(1)
        self._closed = False
        self._thread = threading.Thread(target=self._accept, name="fake-socket-mode", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._listener.getsockname()[:2]
        return f"ws://{host}:{port}/link"

    def __enter__(self) -> FakeSocketMode:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._closed = True
        self._listener.close()
        if self._conn is not None:
            self._conn.close()

    # --- the connection ------------------------------------------------------------------------------

    def _accept(self) -> None:
        while not self._closed:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        request = b""
        while b"\r\n\r\n" not in request:
            chunk = conn.recv(4096)
            if not chunk:
                return
            request += chunk
        headers = {}
        for line in request.decode("latin-1").split("\r\n")[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        accept = base64.b64encode(hashlib.sha1((headers["sec-websocket-key"] + _GUID).encode()).digest()).decode()  # noqa: S324 - RFC 6455
        conn.sendall(
            (
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Accept: {accept}\r\n\r\n"
            ).encode()
        )
        with self._changed:
            self._conn = conn
            self._changed.notify_all()
        self._send_text({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0TEST0001"}})
        buffer = b""
        while True:
            try:
                chunk = conn.recv(65536)
            except OSError:
                return
            if not chunk:
                return
            buffer += chunk
            while (parsed := self._parse(buffer)) is not None:
                opcode, data, buffer = parsed
                if opcode == 0x1:
                    message = json.loads(data)
                    with self._changed:
                        self.acks[str(message.get("envelope_id"))] = message
                        self._changed.notify_all()
                elif opcode == 0x9:
                    self._send(_frame(0xA, data))
                elif opcode == 0x8:
                    self._send(_frame(0x8, data))
                    return

    @staticmethod
    def _parse(buffer: bytes) -> tuple[int, bytes, bytes] | None:
        """One client frame (masked) from the buffer: (opcode, payload, rest), or None if incomplete."""
        if len(buffer) < 2:
            return None
        opcode, length, at = buffer[0] & 0x0F, buffer[1] & 0x7F, 2
        if length == 126:
            if len(buffer) < 4:
                return None
            length, at = struct.unpack(">H", buffer[2:4])[0], 4
        elif length == 127:
            if len(buffer) < 10:
                return None
            length, at = struct.unpack(">Q", buffer[2:10])[0], 10
        masked = buffer[1] & 0x80
        mask = buffer[at : at + 4] if masked else b"\0\0\0\0"
        at += 4 if masked else 0
        if len(buffer) < at + length:
            return None
        data = bytes(b ^ mask[i % 4] for i, b in enumerate(buffer[at : at + length]))
        return opcode, data, buffer[at + length :]

    def _send(self, frame: bytes) -> None:
        assert self._conn is not None
        with self._send_lock:
            self._conn.sendall(frame)

    def _send_text(self, message: dict[str, Any]) -> None:
        self._send(_frame(0x1, json.dumps(message).encode()))

    # --- what tests use ------------------------------------------------------------------------------

    def wait_connected(self, timeout: float = 10.0) -> None:
        with self._changed:
            if not self._changed.wait_for(lambda: self._conn is not None, timeout=timeout):
                raise AssertionError("the app did not connect over Socket Mode")

    def send(self, kind: str, payload: dict[str, Any], *, retry_attempt: int = 0) -> str:
        """Deliver an envelope ("events_api", "slash_commands", "interactive") to the app; returns its id."""
        envelope_id = f"env-{next(self._ids)}"
        self._send_text(
            {
                "envelope_id": envelope_id,
                "type": kind,
                "payload": payload,
                "accepts_response_payload": kind != "events_api",
                "retry_attempt": retry_attempt,
                "retry_reason": "timeout" if retry_attempt else "",
            }
        )
        return envelope_id

    def wait_ack(self, envelope_id: str, timeout: float = 10.0) -> dict[str, Any]:
        with self._changed:
            if not self._changed.wait_for(lambda: envelope_id in self.acks, timeout=timeout):
                raise AssertionError(f"no acknowledgement of {envelope_id}")
            return self.acks[envelope_id]
