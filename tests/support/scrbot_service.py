"""`scrbot run` as a real child process for tests: its environment, reading its output up to a line, stopping
it as a person or a supervisor would, and starting it serving Slack over HTTP against the fake Slack."""

from __future__ import annotations

import contextlib
import os
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.factories import BOARD_TOML
from tests.support.fake_slack import FakeSlack
from tests.support.settings_env import environment_without_settings
from tests.support.slack_bot import SIGNING_SECRET

SCRBOT = [sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main())"]


def service_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A local-mode environment under `tmp_path` (board file with a business-unit channel), no SCRBOT_* leaking
    in from the caller's environment."""
    board = tmp_path / "board.toml"
    board.write_text(BOARD_TOML + '\n[slack]\nbusiness_unit_channel = "C0BUSINESS1"\n')
    env = environment_without_settings()
    env.update(SCRBOT_DATA_DIR=str(tmp_path / "var"), SCRBOT_BOARD_CONFIG=str(board), **extra)
    return env


def read_until(process: subprocess.Popen[bytes], pattern: str, timeout: float = 60) -> str:
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


def stop(process: subprocess.Popen[bytes], sig: signal.Signals = signal.SIGINT) -> None:
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


def serve_slack_over_http(tmp_path: Path, fake: FakeSlack) -> tuple[subprocess.Popen[bytes], str]:
    """`scrbot run` serving Slack over HTTP on a free loopback port, its Web API the fake's; the process and
    its start-up banner (which names the request URL and the step worker's process id)."""
    env = service_env(
        tmp_path,
        SCRBOT_SLACK_BOT_TOKEN="xoxb-test",
        SCRBOT_SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SCRBOT_SLACK_API_URL=fake.base_url,
        SCRBOT_SLACK_PORT="0",
    )
    service = subprocess.Popen([*SCRBOT, "run"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return service, read_until(service, r"request URL http://\S+ ")


def request_url(banner: str) -> str:
    found = re.search(r"request URL (http://\S+)", banner)
    assert found is not None, banner
    return found.group(1)
