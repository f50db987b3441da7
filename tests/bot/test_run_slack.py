"""`scrbot run`: says how to add Slack when it is not configured; serves the Slack app when it is."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

from bot.slack import referral_flow
from tests.factories import SENSITIVE_STRINGS, referral_data
from tests.support.fake_slack import FakeSlack
from tests.support.scrbot_service import SCRBOT, read_until, request_url, serve_slack_over_http, service_env, stop
from tests.support.slack_bot import SIGNING_SECRET
from tests.support.slack_requests import SlackRequests


def test_run_without_slack_says_how_to_add_it(tmp_path: Path) -> None:
    out = subprocess.run(
        [*SCRBOT, "run", "--once"], env=service_env(tmp_path), capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert "local mode" in out.stdout
    assert "SCRBOT_SLACK_BOT_TOKEN" in out.stdout and "bot/slack/manifest.json" in out.stdout
    assert "scrbot chat" in out.stdout


def test_run_with_an_app_token_uses_socket_mode(tmp_path: Path) -> None:
    with FakeSlack() as fake:
        env = service_env(
            tmp_path,
            SCRBOT_SLACK_BOT_TOKEN="xoxb-test",
            SCRBOT_SLACK_APP_TOKEN="xapp-test",
            SCRBOT_SLACK_API_URL=fake.base_url,
        )
        out = subprocess.run([*SCRBOT, "run", "--once"], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "Socket Mode" in out.stdout


def test_run_serves_the_slack_app_over_http(tmp_path: Path) -> None:
    with FakeSlack() as fake:
        process, banner = serve_slack_over_http(tmp_path, fake)
        try:
            requests = SlackRequests(SIGNING_SECRET, request_url(banner))
            status, body = requests.post(requests.command(referral_flow.COMMAND_NAME, "UREF000009"))
            assert status == 200 and "direct message" in body
            calls = fake.wait_for(lambda c: any("What is your name?" in x.text for x in c))
            assert any(c.method == "conversations.open" and c.user == "UREF000009" for c in calls)
            requests.close()
        finally:
            stop(process)


def test_run_in_local_mode_prints_channel_notices_from_the_outbox(tmp_path: Path) -> None:
    env = service_env(tmp_path, SCRBOT_CLOCK="2026-11-22T10:00:00+00:00")
    process = subprocess.Popen(
        [*SCRBOT, "run", "--outbox-every", "0.2"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        read_until(process, "scrbot chat")
        referral = tmp_path / "referral.json"
        referral.write_text(json.dumps(referral_data()))
        filed = subprocess.run(
            [*SCRBOT, "refer", "--file", str(referral)], env=env, capture_output=True, text=True, timeout=60
        )
        assert filed.returncode == 0, filed.stderr
        seen = read_until(process, r"New referral SCR-2026-0001.*\n")
        assert "[slack C0BUSINESS1] New referral SCR-2026-0001 received" in seen
        for sensitive in SENSITIVE_STRINGS:
            assert sensitive not in seen
    finally:
        stop(process, signal.SIGTERM)


def test_manifest_matches_the_handlers() -> None:
    manifest = json.loads((Path(referral_flow.__file__).parent / "manifest.json").read_text())
    features = manifest["features"]
    assert [c["command"] for c in features["slash_commands"]] == [referral_flow.COMMAND_NAME]
    assert [s["callback_id"] for s in features["shortcuts"]] == [referral_flow.SHORTCUT_ID]
    # app_uninstalled and tokens_revoked: install mode deletes the workspace's installation (bot/slack/installs.py)
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == {
        "app_home_opened",
        "message.im",
        "app_uninstalled",
        "tokens_revoked",
    }
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert features["app_home"]["home_tab_enabled"] is True
