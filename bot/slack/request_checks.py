"""What the Slack HTTP endpoint checks before bolt sees a request, cheapest first: a declared length within
the limit (nothing is read otherwise), the body read within a deadline, Slack's signature over those exact
bytes, and then the shape bolt relies on. Anything that fails is answered with one status and a short
reason, never a traceback or a reset connection (bot/slack/server.py).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from slack_sdk.signature import SignatureVerifier

MAX_BODY = 1 << 20  # Slack's payloads are far smaller (a modal submission is tens of KiB at most)


@dataclass(frozen=True)
class Refusal(Exception):
    status: int
    reason: str
    close: bool = False  # the rest of the connection cannot be trusted (an unread or unknown-length body)


def declared_length(headers: Mapping[str, str], limit: int = MAX_BODY) -> int:
    """The body's length from Content-Length: digits only, at most `limit`; no chunked bodies."""
    if headers.get("transfer-encoding"):
        raise Refusal(411, "a Content-Length is required", close=True)
    value = headers.get("content-length")
    if value is None or not value.isascii() or not value.isdigit() or len(value) > 12:
        raise Refusal(400, "bad or missing Content-Length", close=True)
    length = int(value)
    if length > limit:
        raise Refusal(413, "too large", close=True)
    return length


def check_signature(verifier: SignatureVerifier, body: bytes, headers: Mapping[str, str]) -> None:
    """Slack's v0 signature over the body as received, and a timestamp within 5 minutes (replays)."""
    timestamp = headers.get("x-slack-request-timestamp")
    try:
        valid = verifier.is_valid(body=body, timestamp=timestamp, signature=headers.get("x-slack-signature"))
    except (ValueError, TypeError):  # a timestamp that is not a number
        valid = False
    if not valid:
        raise Refusal(401, "invalid request signature")


def check_shape(body: bytes, content_type: str) -> str:
    """The body as text, if it has the shape bolt's listeners rely on; Refusal(400) otherwise."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refusal(400, "the body is not UTF-8") from None
    if content_type.split(";")[0].strip().lower() == "application/json":
        _json_object(text)
        return text
    form = parse_qs(text, keep_blank_values=True)
    if "payload" in form:
        _interactive(_json_object(form["payload"][0]))
    return text


def _json_object(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        raise Refusal(400, "the payload is not JSON") from None
    if not isinstance(value, dict):
        raise Refusal(400, "the payload is not a JSON object")
    return value


def _interactive(payload: dict[str, Any]) -> None:
    """An interaction payload: each kind has what its listeners read (bolt takes `actions[0]` unchecked)."""
    kind = payload.get("type")
    if not isinstance(kind, str):
        raise Refusal(400, "the payload has no type")
    if kind == "block_actions":
        actions = payload.get("actions")
        if not isinstance(actions, list) or not actions or not all(isinstance(a, dict) for a in actions):
            raise Refusal(400, "block_actions without actions")
    if kind in {"view_submission", "view_closed"} and not isinstance(payload.get("view"), dict):
        raise Refusal(400, f"{kind} without a view")
