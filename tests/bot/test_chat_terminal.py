"""`scrbot chat`: the same referral flow in the terminal, driven through a real pseudo-terminal and through
piped standard input, as a subprocess of the real CLI."""

from __future__ import annotations

import contextlib
import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.factories import BOARD_TOML, CASE_OUTLINE, CHILD_ADDRESS, CHILD_FORENAMES, CHILD_LAST_NAME, SENSITIVE_STRINGS
from tests.support.settings_env import environment_without_settings

# One reply per question, in order (the flow's order); "" keeps nothing - each is a real answer or a command.
REPLIES = [
    "Dr Ottoline Testwhistle", "Named Doctor", "Northshire Hospitals NHS Trust", "ottoline.testwhistle@nhs.net",
    "skip", "yes",
    "20/11/2026", "16 Nov 2026", "17.11.2026",
    CASE_OUTLINE,
    CHILD_LAST_NAME, CHILD_FORENAMES, "skip", "9 March 2024", "female", "skip", "skip", CHILD_ADDRESS,
    "skip", "skip", "skip", "skip", "skip", "skip",
    "no",
    "no", "yes", "no",
    "1", "2",
    "no", "unknown", "no", "skip",
    "yes", "no", "yes", "yes", "no", "yes", "1", "skip",  # in the area: yes; looked after: no (s.16C)
]  # fmt: skip


def _env(tmp_path: Path) -> dict[str, str]:
    board = tmp_path / "board.toml"
    board.write_text(BOARD_TOML)
    env = environment_without_settings()
    env.update(
        SCRBOT_DATA_DIR=str(tmp_path / "var"),
        SCRBOT_BOARD_CONFIG=str(board),
        SCRBOT_CLOCK="2026-11-22T10:00:00+00:00",
        SCRBOT_LOG_LEVEL="INFO",
    )
    return env


def _scrbot(*args: str) -> list[str]:
    return [sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main())", *args]


def _case_list(tmp_path: Path) -> list[dict[str, object]]:
    out = subprocess.run(
        _scrbot("case", "list", "--json"), env=_env(tmp_path), capture_output=True, text=True, check=True, timeout=60
    )
    result = json.loads(out.stdout)
    return result if isinstance(result, list) else result["cases"]


class Terminal:
    """A real pseudo-terminal running `scrbot chat`."""

    def __init__(self, tmp_path: Path) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: become scrbot chat
            env = _env(tmp_path)
            os.execve(sys.executable, _scrbot("chat"), env)  # noqa: S606 - the real CLI, in the pty
        self.screen = ""

    def read_until(self, text: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while text not in self.screen:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"{text!r} did not appear; screen ends:\n{self.screen[-1500:]}")
            ready, _, _ = select.select([self.fd], [], [], remaining)
            if ready:
                try:
                    chunk = os.read(self.fd, 65536)
                except OSError:
                    chunk = b""
                if not chunk:
                    raise AssertionError(f"scrbot chat ended before {text!r}:\n{self.screen[-1500:]}")
                self.screen += chunk.decode("utf-8", "replace")
        return self.screen

    def type(self, line: str) -> None:
        mark = len(self.screen)
        os.write(self.fd, (line + "\r").encode())
        self.screen_mark = mark

    def wait_prompt(self) -> str:
        """Everything shown since the last reply, up to the next "> "."""
        start = getattr(self, "screen_mark", 0)
        deadline = time.monotonic() + 30
        while "\n> " not in self.screen[start:] and not self.screen[start:].startswith("> "):
            ready, _, _ = select.select([self.fd], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                raise AssertionError(f"no prompt; screen ends:\n{self.screen[-1500:]}")
            self.screen += os.read(self.fd, 65536).decode("utf-8", "replace")
        return self.screen[start:]

    def close(self) -> int:
        """Wait (bounded) for the program to finish by itself, then close the terminal."""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.fd], [], [], deadline - time.monotonic())
            try:
                chunk = os.read(self.fd, 65536) if ready else b""
            except OSError:  # EIO: the program has exited and closed its side
                break
            if not chunk:
                break
            self.screen += chunk.decode("utf-8", "replace")
        with contextlib.suppress(OSError):
            os.close(self.fd)
        _, status = os.waitpid(self.pid, 0)
        return os.waitstatus_to_exitcode(status)


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
def test_full_referral_through_a_pseudo_terminal(tmp_path: Path) -> None:
    term = Terminal(tmp_path)
    try:
        term.read_until("What is your name?")
        term.read_until("> ")
        for reply in REPLIES[:7]:
            term.type(reply)
            term.wait_prompt()
        term.type("31/02/2026")  # the incident date: not a real date
        shown = term.wait_prompt()
        assert "Not accepted" in shown and "not a real date" in shown and "Date of the incident?" in shown
        for reply in REPLIES[7:]:
            term.type(reply)
            term.wait_prompt()
        summary = term.screen
        assert "check your answers" in summary and "004 §4.4(ii)" in summary
        term.type("submit")
        term.read_until("Referral filed: SCR-2026-0001")
    finally:
        code = term.close()
    assert code == 0
    cases = _case_list(tmp_path)
    assert [c["reference"] for c in cases] == ["SCR-2026-0001"]
    assert cases[0]["next_deadline"]


def test_piped_stdin_stops_and_resumes_where_it_was(tmp_path: Path) -> None:
    env = _env(tmp_path)
    first = subprocess.run(
        _scrbot("chat"), input="\n".join(REPLIES[:12]) + "\n", env=env, capture_output=True, text=True, timeout=60
    )
    assert first.returncode == 0, first.stderr
    assert "Your answers are saved" in first.stdout
    assert "Child's forename(s)?" in first.stdout
    # A new process (a restart): carries on at the question after the last answer.
    second = subprocess.run(
        _scrbot("chat"),
        input="\n".join(REPLIES[12:]) + "\nsubmit\n",
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert second.returncode == 0, second.stderr
    assert "Welcome back" in second.stdout
    assert "Referral filed: SCR-2026-0001" in second.stdout
    # Nothing personal in what the process logged.
    for sensitive in SENSITIVE_STRINGS:
        assert sensitive not in first.stderr + second.stderr
    # And no plaintext in the database file (or its WAL) while the draft was held, or after.
    raw = b"".join(p.read_bytes() for p in (tmp_path / "var").glob("scrbot.db*"))
    for sensitive in SENSITIVE_STRINGS:
        assert sensitive.encode() not in raw


def test_the_terminal_prompt_reads_properly_and_editing_is_on() -> None:
    from datetime import date

    from bot.commands.chat_cmd import enable_line_editing
    from bot.terminal.render import render_prompt
    from intake.conversation.engine import Conversation, new_state
    from intake.conversation.messages import Command, Input, Prompt
    from intake.referral_flow import REFERRAL_FLOW

    engine, today = Conversation(REFERRAL_FLOW), date(2026, 11, 22)
    state, out = engine.handle(new_state(REFERRAL_FLOW), Input(command=Command.START), today=today)
    for reply in REPLIES[:4]:  # name, role, agency, email: then the optional phone number
        state, out = engine.handle(state, Input(text=reply), today=today)
    shown = "\n".join(render_prompt(o) for o in out if isinstance(o, Prompt))
    assert 'or type skip: "' in shown and "skip if:" not in shown
    assert enable_line_editing() is True and "readline" in sys.modules
