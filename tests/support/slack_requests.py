"""Correctly signed Slack requests (events, slash commands, shortcuts, button presses, modal submissions), as
Slack sends them, for a bolt app over HTTP or in process.

    requests = SlackRequests(signing_secret="test-secret", url="http://127.0.0.1:PORT/slack/events")
    status, body = requests.post(requests.action("U1", "scr_answer", value='{"k": "x", "v": "yes"}'))
    requests.post(requests.event({"type": "message", "channel_type": "im", ...}, event_id="Ev1"), retry_num=1)
    app.dispatch(requests.bolt(requests.command("/scr-refer", "U1")))   # in process, same signature checks

Each builder returns a `SlackPayload` (body text and content type); `post` and `bolt` sign it with the
current time (or `timestamp=`) exactly as Slack does: v0=HMAC-SHA256(secret, "v0:{ts}:{body}").
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import itertools
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from slack_bolt.request import BoltRequest

from tests.support.fake_slack import BOT_USER, TEAM

_ids = itertools.count(1)


@dataclass(frozen=True)
class SlackPayload:
    body: str
    content_type: str


def sign(secret: str, body: str, timestamp: int) -> str:
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


class SlackRequests:
    def __init__(self, signing_secret: str, url: str = "", *, team: str = TEAM) -> None:
        self.secret = signing_secret
        self.url = url
        self.team = team  # the workspace every payload comes from
        self._connection: http.client.HTTPConnection | None = None

    # --- building payloads ---------------------------------------------------------------------------

    def event(self, event: dict[str, Any], *, event_id: str | None = None) -> SlackPayload:
        body = {
            "token": "legacy",
            "team_id": self.team,
            "api_app_id": "A0TEST0001",
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(_ids):08d}",
            "event_time": 1_700_000_000,
            "authorizations": [{"team_id": self.team, "user_id": BOT_USER, "is_bot": True}],
            "event": event,
        }
        return SlackPayload(json.dumps(body), "application/json")

    def dm(self, user: str, text: str, *, event_id: str | None = None) -> SlackPayload:
        """A direct message from `user` to the bot."""
        n = next(_ids)
        event = {
            "type": "message",
            "channel_type": "im",
            "channel": "D" + user.removeprefix("U"),
            "user": user,
            "text": text,
            "ts": f"1700000100.{n:06d}",
            "event_ts": f"1700000100.{n:06d}",
        }
        return self.event(event, event_id=event_id)

    def command(self, command: str, user: str, text: str = "", channel: str = "C0GENERAL1") -> SlackPayload:
        form = {
            "token": "legacy",
            "team_id": self.team,
            "channel_id": channel,
            "user_id": user,
            "command": command,
            "text": text,
            "response_url": "http://127.0.0.1:9/response",
            "trigger_id": f"trig.{next(_ids)}",
        }
        return SlackPayload(urlencode(form), "application/x-www-form-urlencoded")

    def _interactive(self, payload: dict[str, Any]) -> SlackPayload:
        return SlackPayload(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")

    def shortcut(self, callback_id: str, user: str) -> SlackPayload:
        return self._interactive(
            {
                "type": "shortcut",
                "callback_id": callback_id,
                "team": {"id": self.team},
                "user": {"id": user},
                "trigger_id": f"trig.{next(_ids)}",
                "token": "legacy",
            }
        )

    def action(
        self,
        user: str,
        action_id: str,
        *,
        value: str | None = None,
        selected: Any = None,
        channel: str | None = None,
        state: dict[str, Any] | None = None,
        block_id: str = "b",
        kind: str = "button",
        view: dict[str, Any] | None = None,
    ) -> SlackPayload:
        """A block_actions payload: a button (value), a select / date picker (selected), in a message in
        `channel` (default: the user's DM) or in a view (App Home / modal)."""
        action: dict[str, Any] = {
            "action_id": action_id,
            "block_id": block_id,
            "type": kind,
            "action_ts": "1700000200.000001",
        }
        if value is not None:
            action["value"] = value
        if kind == "datepicker":
            action["selected_date"] = selected
        elif kind == "static_select":
            action["selected_option"] = {"value": selected}
        elif kind in {"multi_static_select", "checkboxes"}:
            key = "selected_options"
            action[key] = [{"value": v} for v in selected or []]
        payload: dict[str, Any] = {
            "type": "block_actions",
            "team": {"id": self.team},
            "user": {"id": user},
            "api_app_id": "A0TEST0001",
            "token": "legacy",
            "trigger_id": f"trig.{next(_ids)}",
            "actions": [action],
            "state": {"values": state or {}},
        }
        if view is not None:
            payload["view"] = view
            payload["container"] = {"type": "view", "view_id": view.get("id", "V1")}
        else:
            channel = channel or "D" + user.removeprefix("U")
            payload["channel"] = {"id": channel}
            payload["container"] = {"type": "message", "channel_id": channel, "message_ts": "1700000000.000001"}
            payload["message"] = {"ts": "1700000000.000001", "text": ""}
        return self._interactive(payload)

    def view_submission(
        self, user: str, callback_id: str, values: dict[str, Any], *, private_metadata: str = ""
    ) -> SlackPayload:
        view = {
            "id": f"V{next(_ids):08d}",
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": private_metadata,
            "state": {"values": values},
        }
        return self._interactive(
            {
                "type": "view_submission",
                "team": {"id": self.team},
                "user": {"id": user},
                "api_app_id": "A0TEST0001",
                "token": "legacy",
                "trigger_id": f"trig.{next(_ids)}",
                "view": view,
            }
        )

    # --- sending -------------------------------------------------------------------------------------

    def headers(
        self,
        payload: SlackPayload,
        *,
        timestamp: int | None = None,
        retry_num: int | None = None,
        secret: str | None = None,
    ) -> dict[str, str]:
        ts = int(time.time()) if timestamp is None else timestamp
        headers = {
            "content-type": payload.content_type,
            "x-slack-request-timestamp": str(ts),
            "x-slack-signature": sign(secret or self.secret, payload.body, ts),
        }
        if retry_num is not None:
            headers["x-slack-retry-num"] = str(retry_num)
            headers["x-slack-retry-reason"] = "http_timeout"
        return headers

    def bolt(self, payload: SlackPayload, **kw: Any) -> BoltRequest:
        """For `app.dispatch`, in process."""
        return BoltRequest(body=payload.body, headers=self.headers(payload, **kw))

    def post(self, payload: SlackPayload, **kw: Any) -> tuple[int, str]:
        """POST over HTTP to `url` (a kept-alive connection), signed; returns (status, body)."""
        parts = urlsplit(self.url)
        for attempt in (1, 2):
            if self._connection is None:
                self._connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
            try:
                self._connection.request(
                    "POST", parts.path, body=payload.body.encode(), headers=self.headers(payload, **kw)
                )
                response = self._connection.getresponse()
                return response.status, response.read().decode()
            except (ConnectionError, http.client.HTTPException):
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
