"""`scrbot run`: says how to add Slack when it is not configured; serves the Slack app when it is."""

from __future__ import annotations

import contextlib
import json
import os
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

from bot.slack import referral_flow
from tests.factories import BOARD_TOML, SENSITIVE_STRINGS, referral_data
from tests.support.fake_slack import FakeSlack
from tests.support.slack_bot import SIGNING_SECRET
from tests.support.slack_requests import SlackRequests

SCRBOT = [sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main())"]


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    board = tmp_path / "board.toml"
    board.write_text(BOARD_TOML + '\n[slack]\nbusiness_unit_channel = "C0BUSINESS1"\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCRBOT_")}
    env.update(SCRBOT_DATA_DIR=str(tmp_path / "var"), SCRBOT_BOARD_CONFIG=str(board), **extra)
    return env


def _read_until(process: subprocess.Popen[bytes], pattern: str, timeout: float = 60) -> str:
    """The process's output so far, once `pattern` (a regex) appears in it (bounded wait, no sleeping)."""
    assert process.stdout is not None
    fd = process.stdout.fileno()
    seen = ""
    deadline = time.monotonic() + timeout
    while not re.search(pattern, seen):
        ready, _, _ = select.select([fd], [], [], max(deadline - time.monotonic(), 0))
        chunk = os.read(fd, 65536) if ready else b""
        if not chunk:
            raise AssertionError(f"{pattern!r} did not appear; output:\n{seen}")
        seen += chunk.decode()
    return seen


def _stop(process: subprocess.Popen[bytes], sig: signal.Signals = signal.SIGINT) -> None:
    """Ask the service to stop as a person (SIGINT) or a supervisor (SIGTERM) would; it must end cleanly."""
    process.send_signal(sig)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGUSR1)  # every thread's stack, to say where it is stuck
        with contextlib.suppress(subprocess.TimeoutExpired):  # retrying after the kill loses no output
            process.communicate(timeout=3)
        process.kill()
        _, err = process.communicate()
        raise AssertionError(f"the service did not stop on {sig.name}; its threads:\n{err.decode()[-6000:]}") from None
    assert process.returncode == 0


def test_run_without_slack_says_how_to_add_it(tmp_path: Path) -> None:
    out = subprocess.run([*SCRBOT, "run", "--once"], env=_env(tmp_path), capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "local mode" in out.stdout
    assert "SCRBOT_SLACK_BOT_TOKEN" in out.stdout and "bot/slack/manifest.json" in out.stdout
    assert "scrbot chat" in out.stdout


def test_run_with_an_app_token_uses_socket_mode(tmp_path: Path) -> None:
    with FakeSlack() as fake:
        env = _env(
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
        env = _env(
            tmp_path,
            SCRBOT_SLACK_BOT_TOKEN="xoxb-test",
            SCRBOT_SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SCRBOT_SLACK_API_URL=fake.base_url,
            SCRBOT_SLACK_PORT="0",
        )
        process = subprocess.Popen([*SCRBOT, "run"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            url = re.search(r"request URL (http://\S+)", _read_until(process, r"request URL http://\S+ "))
            assert url is not None
            requests = SlackRequests(SIGNING_SECRET, url.group(1))
            status, body = requests.post(requests.command(referral_flow.COMMAND_NAME, "UREF000009"))
            assert status == 200 and "direct message" in body
            calls = fake.wait_for(lambda c: any("What is your name?" in x.text for x in c))
            assert any(c.method == "conversations.open" and c.user == "UREF000009" for c in calls)
            requests.close()
        finally:
            _stop(process)


def test_run_in_local_mode_prints_channel_notices_from_the_outbox(tmp_path: Path) -> None:
    env = _env(tmp_path, SCRBOT_CLOCK="2026-11-22T10:00:00+00:00")
    process = subprocess.Popen(
        [*SCRBOT, "run", "--outbox-every", "0.2"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        _read_until(process, "scrbot chat")
        referral = tmp_path / "referral.json"
        referral.write_text(json.dumps(referral_data()))
        filed = subprocess.run(
            [*SCRBOT, "refer", "--file", str(referral)], env=env, capture_output=True, text=True, timeout=60
        )
        assert filed.returncode == 0, filed.stderr
        seen = _read_until(process, r"New referral SCR-2026-0001.*\n")
        assert "[slack C0BUSINESS1] New referral SCR-2026-0001 received" in seen
        for sensitive in SENSITIVE_STRINGS:
            assert sensitive not in seen
    finally:
        _stop(process, signal.SIGTERM)


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
