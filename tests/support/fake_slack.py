"""A local fake of the Slack Web API, over real HTTP on 127.0.0.1 (port 0), for tests and benchmarks.

Point a real `slack_sdk.WebClient` at it with `base_url=fake.base_url`; every call is recorded with its
method, parameters, and the channel / user it targeted, and answered the way Slack answers::

    with FakeSlack(users={"U1": {"real_name": "Test Person", "email": "t@nhs.net"}},
                   usergroups={"S1": ["U2"]}) as fake:
        client = WebClient(token="xoxb-test", base_url=fake.base_url)
        client.chat_postMessage(channel="C1", text="hi")
        fake.calls("chat.postMessage")[0].channel        # "C1"
        fake.wait_for(lambda calls: any(c.method == "views.open" for c in calls))   # bounded, no sleeping
        fake.channel_calls()                             # calls to channels (not DMs, not modals)
        fake.raw_text()                                  # every recorded call as text, to search for names

Answers: auth.test names the bot (user UBOT000001, team T0TEST0001); conversations.open gives the DM
channel "D" + user id; chat.postMessage / chat.postEphemeral / chat.update give a fresh ts; views.* give a view
id; users.info gives the configured profile; usergroups.users.list the configured members; apps.connections.open
the `socket_url` if one is set; conversations.info the channel in `channels` (None: every channel exists and
the bot is in it; otherwise channel_not_found for any other). Every answer carries `x-oauth-scopes`, the
token's scopes as Slack sends them (`scopes`; None: the manifest's). With `strict_users`, users.info answers
user_not_found for ids not in `users` (a profile with "deleted": "true" is a deactivated account).
The install flow: `install_code(team)` gives a one-time code that oauth.v2.access exchanges for a fresh
synthetic bot token of that team (each exchange a new token); auth.test with such a token names its team, and
auth.revoke revokes it (auth.test then answers token_revoked). `install_code(team, enterprise=E)` is an
install into a workspace of Enterprise Grid org E, and `org_wide=True` an org-wide install (no team: the
token is the enterprise's); `expires_in=N` gives a rotating token (Slack's token rotation): the exchange also
gives a refresh token, and oauth.v2.access with `grant_type=refresh_token` and that refresh token gives a new
token (for 12 hours) and a new refresh token (the old refresh token is spent); `refreshes()` lists those
calls. A refreshed (old) token answers `token_expired` to any call made with it afterwards.
Anything else answers {"ok": true}. GET /calls gives the number of calls so far
(for a benchmark watching from another process). `fail_next(method, error)` makes the next
call of a method answer {"ok": false, "error": error}.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

BOT_USER = "UBOT000001"
MANIFEST = Path(__file__).resolve().parents[2] / "bot" / "slack" / "manifest.json"
TEAM = "T0TEST0001"
REFRESHED_LIFETIME = 43_200  # seconds: a refreshed rotating token lasts 12 hours, as Slack's do


@dataclass(frozen=True)
class SlackCall:
    method: str
    params: dict[str, Any]
    token: str = ""

    @property
    def channel(self) -> str | None:
        value = self.params.get("channel") or self.params.get("channel_id")
        return str(value) if value else None

    @property
    def user(self) -> str | None:
        value = self.params.get("user") or self.params.get("user_id") or self.params.get("users")
        return str(value) if value else None

    @property
    def is_to_channel(self) -> bool:
        """A post into a public or private channel (not a DM, not a modal, not ephemeral to one person)."""
        return (
            self.method in {"chat.postMessage", "chat.update", "chat.scheduleMessage", "files.upload"}
            and self.channel is not None
            and self.channel[:1] in {"C", "G"}
        )

    @property
    def text(self) -> str:
        return json.dumps(self.params, ensure_ascii=False)


def _decode(value: Any) -> Any:
    """Form fields that hold JSON (blocks, view) decoded, so tests can look inside them."""
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _invalid_blocks(params: dict[str, Any]) -> str:
    """Why Slack would refuse the call's blocks or view (slack_sdk's block models check Slack's limits), or
    "" when they are valid: every recorded call then shows valid Block Kit."""
    try:
        blocks = params.get("blocks")
        if isinstance(blocks, list):
            for block in Block.parse_all(blocks):
                block.to_dict()
        view = params.get("view")
        if isinstance(view, dict):
            View(**view).to_dict()
    except (SlackObjectFormationError, TypeError, KeyError, ValueError) as exc:
        return str(exc)[:200]
    return ""


@dataclass(frozen=True)
class _Grant:
    """What an install code installs (and a token issued for it, and its refresh token)."""

    team: str
    user: str
    enterprise: str = ""
    org_wide: bool = False
    expires_in: int | None = None


@dataclass
class FakeSlack:
    users: dict[str, dict[str, str]] = field(default_factory=dict)
    usergroups: dict[str, list[str]] = field(default_factory=dict)
    socket_url: str = ""
    scopes: list[str] | None = None
    channels: dict[str, dict[str, Any]] | None = None
    strict_users: bool = False

    def __post_init__(self) -> None:
        self._calls: list[SlackCall] = []
        self._changed = threading.Condition()
        self._failures: dict[str, list[str]] = {}
        self._ts = itertools.count(1)
        self._codes: dict[str, _Grant] = {}  # install code -> what it installs
        self._tokens: dict[str, str] = {}  # issued bot token -> its team (or enterprise, org-wide)
        self._grants: dict[str, _Grant] = {}  # issued bot token -> its install
        self._refresh: dict[str, _Grant] = {}  # unspent refresh token -> its install
        self._expired: set[str] = set()
        self._revoked: set[str] = set()
        self._issued = itertools.count(1)
        self._views = itertools.count(1)
        self._held: set[str] = set()
        self._holding = 0
        self._released = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length).decode("utf-8") if length else ""
                if "json" in (self.headers.get("content-type") or ""):
                    params = json.loads(raw or "{}")
                else:
                    params = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
                params = {k: _decode(v) for k, v in params.items()}
                token = (self.headers.get("authorization") or "").removeprefix("Bearer ")
                method = self.path.rsplit("/", 1)[-1].split("?")[0]
                fake._wait_if_held(method)
                body = json.dumps(fake._answer(SlackCall(method, params, token))).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json; charset=utf-8")
                self.send_header("content-length", str(len(body)))
                self.send_header("x-oauth-scopes", ",".join(fake.granted_scopes()))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:  # GET /calls: how many calls so far (for benchmarks in another process)
                body = json.dumps({"calls": len(fake.calls())}).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 256

        self._server = Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-slack", daemon=True)

    # --- lifecycle -----------------------------------------------------------------------------------

    def start(self) -> FakeSlack:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/api/"

    # --- answering -----------------------------------------------------------------------------------

    def granted_scopes(self) -> list[str]:
        if self.scopes is not None:
            return self.scopes
        manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
        return list(manifest["oauth_config"]["scopes"]["bot"])

    def install_code(
        self,
        team: str,
        user: str = "UINSTALL01",
        *,
        enterprise: str = "",
        org_wide: bool = False,
        expires_in: int | None = None,
    ) -> str:
        """A one-time code, as Slack's redirect carries it, for an install of the app into `team` by `user`
        (of Enterprise Grid org `enterprise`; `org_wide`: into the whole org, `team` then unused)."""
        code = f"code-{team}-{next(self._issued)}"
        with self._changed:
            self._codes[code] = _Grant(team, user, enterprise, org_wide, expires_in)
        return code

    def refreshes(self) -> list[SlackCall]:
        """The token rotation calls (oauth.v2.access with grant_type=refresh_token)."""
        return [c for c in self.calls("oauth.v2.access") if c.params.get("grant_type") == "refresh_token"]

    def issued_tokens(self, team: str | None = None) -> list[str]:
        with self._changed:
            return [t for t, owner in self._tokens.items() if team is None or owner == team]

    def _exchange(self, params: dict[str, Any]) -> dict[str, Any]:
        with self._changed:
            if params.get("grant_type") == "refresh_token":
                grant = self._refresh.pop(str(params.get("refresh_token")), None)
                if grant is None:
                    return {"ok": False, "error": "invalid_refresh_token"}
                self._expired.update(t for t, g in self._grants.items() if g is grant)
            else:
                code = str(params.get("code"))
                if code not in self._codes:
                    return {"ok": False, "error": "invalid_code"}
                grant = self._codes.pop(code)
            owner = grant.enterprise if grant.org_wide else grant.team
            token = f"xoxb-{owner}-SYNTHETIC-{next(self._issued):04d}"
            self._tokens[token] = owner
            self._grants[token] = grant
            answer: dict[str, Any] = {"ok": True, "token_type": "bot", "access_token": token}
            if grant.expires_in is not None:
                refresh = f"xoxe-1-{owner}-SYNTHETIC-{next(self._issued):04d}"
                self._refresh[refresh] = grant
                lifetime = REFRESHED_LIFETIME if params.get("grant_type") == "refresh_token" else grant.expires_in
                answer |= {"refresh_token": refresh, "expires_in": lifetime}
            if params.get("grant_type") == "refresh_token":
                return answer  # Slack's refresh answer: the new token, its refresh token and lifetime
        return answer | {
            "app_id": "A0TEST0001",
            "authed_user": {"id": grant.user},
            "scope": ",".join(self.granted_scopes()),
            "bot_user_id": BOT_USER,
            "team": None if grant.org_wide else {"id": grant.team, "name": f"Workspace {grant.team}"},
            "enterprise": {"id": grant.enterprise, "name": "Synthetic Org"} if grant.enterprise else None,
            "is_enterprise_install": grant.org_wide,
        }

    def _grant_ids(self, token: str) -> dict[str, Any]:
        """auth.test's enterprise fields for a token from a Grid install."""
        grant = self._grants.get(token)
        if grant is None or not grant.enterprise:
            return {}
        return {"enterprise_id": grant.enterprise, "is_enterprise_install": grant.org_wide}

    def hold(self, method: str) -> None:
        """Calls of `method` from now on get no answer until `release()` (the caller is stuck mid-call)."""
        with self._changed:
            self._held.add(method)
            self._released.clear()

    def release(self) -> None:
        with self._changed:
            self._held.clear()
            self._released.set()

    def calls_held(self) -> int:
        """How many calls have been held so far (see `hold`)."""
        with self._changed:
            return self._holding

    def wait_held(self, count: int = 1, timeout: float = 20.0) -> None:
        """Until `count` calls are waiting for `release()`."""
        with self._changed:
            if not self._changed.wait_for(lambda: self._holding >= count, timeout):
                raise AssertionError(f"{self._holding} call(s) held, expected {count}")

    def _wait_if_held(self, method: str) -> None:
        with self._changed:
            if method not in self._held:
                return
            self._holding += 1
            self._changed.notify_all()
        self._released.wait(60)

    def fail_next(self, method: str, error: str) -> None:
        with self._changed:
            self._failures.setdefault(method, []).append(error)

    def _answer(self, call: SlackCall) -> dict[str, Any]:
        with self._changed:
            self._calls.append(call)
            self._changed.notify_all()
            failures = self._failures.get(call.method)
            if failures:
                return {"ok": False, "error": failures.pop(0)}
        invalid = _invalid_blocks(call.params)
        if invalid:
            return {"ok": False, "error": "invalid_blocks", "errors": [invalid]}
        p = call.params
        if call.method == "oauth.v2.access":
            return self._exchange(p)
        if call.token in self._expired:
            return {"ok": False, "error": "token_expired"}
        if call.method == "auth.revoke":
            with self._changed:
                self._revoked.add(call.token)
            return {"ok": True, "revoked": True}
        if call.method == "auth.test" and call.token in self._revoked:
            return {"ok": False, "error": "token_revoked"}
        if call.method == "auth.test":
            return {
                "ok": True,
                "url": "https://test.example/",
                "team": "Test",
                "user": "scrbot",
                "team_id": self._tokens.get(call.token, TEAM),
                "user_id": BOT_USER,
                "bot_id": "BBOT000001",
                **self._grant_ids(call.token),
            }
        if call.method == "conversations.open":
            user = str(p.get("users", "")).split(",")[0]
            return {"ok": True, "channel": {"id": "D" + user.removeprefix("U")}}
        if call.method in {"chat.postMessage", "chat.update", "chat.postEphemeral"}:
            ts = f"1700000000.{next(self._ts):06d}"
            if call.method == "chat.postEphemeral":
                return {"ok": True, "message_ts": ts}
            return {
                "ok": True,
                "channel": p.get("channel"),
                "ts": p.get("ts") or ts,
                "message": {"text": p.get("text")},
            }
        if call.method.startswith("views."):
            return {"ok": True, "view": {"id": f"V{next(self._views):08d}", **(p.get("view") or {})}}
        if call.method == "users.info":
            user = str(p.get("user"))
            if self.strict_users and user not in self.users:
                return {"ok": False, "error": "user_not_found"}
            profile = self.users.get(user, {})
            return {
                "ok": True,
                "user": {
                    "id": user,
                    "deleted": profile.get("deleted") == "true",
                    "real_name": profile.get("real_name", ""),
                    "profile": {"real_name": profile.get("real_name", ""), "email": profile.get("email", "")},
                },
            }
        if call.method == "conversations.info":
            channel = str(p.get("channel"))
            if self.channels is None:
                return {"ok": True, "channel": {"id": channel, "name": "business-unit", "is_member": True}}
            if channel not in self.channels:
                return {"ok": False, "error": "channel_not_found"}
            return {"ok": True, "channel": {"id": channel, **self.channels[channel]}}
        if call.method == "usergroups.users.list":
            return {"ok": True, "users": self.usergroups.get(str(p.get("usergroup")), [])}
        if call.method == "apps.connections.open":
            return {"ok": True, "url": self.socket_url}
        return {"ok": True}

    # --- looking at what was called ------------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[SlackCall]:
        with self._changed:
            return [c for c in self._calls if method is None or c.method == method]

    def channel_calls(self) -> list[SlackCall]:
        return [c for c in self.calls() if c.is_to_channel]

    def raw_text(self) -> str:
        return "\n".join(f"{c.method} {c.text}" for c in self.calls())

    def clear(self) -> None:
        with self._changed:
            self._calls.clear()

    def wait_for(self, predicate: Callable[[list[SlackCall]], bool], timeout: float = 20.0) -> list[SlackCall]:
        """Wait (bounded, on a condition, never sleeping) until the recorded calls satisfy `predicate`."""
        with self._changed:
            if not self._changed.wait_for(lambda: predicate(list(self._calls)), timeout=timeout):
                methods = [c.method for c in self._calls]
                last = [str(c.params.get("text", ""))[:80] for c in self._calls[-3:]]
                raise AssertionError(f"Slack calls did not arrive within {timeout}s; got {methods}; last texts {last}")
            return list(self._calls)

    def wait_count(self, method: str, count: int, timeout: float = 20.0) -> list[SlackCall]:
        self.wait_for(lambda calls: sum(c.method == method for c in calls) >= count, timeout)
        return self.calls(method)
