"""`scrbot run` with the step worker in a process of its own: the real service over HTTP, signed requests,
its `scrbot steps work` child killed with SIGKILL while steps wait for it. The service starts another, which
applies the rest of the person's steps in order, and the one applied just before the kill not again; the
worker ends when the service does, even a killed one."""

from __future__ import annotations

import json
import os
import re
import select
import signal
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from bot.slack import conversation_blocks as cb
from tests.bot.slack.driver import prompt_key
from tests.support.fake_slack import FakeSlack, SlackCall
from tests.support.scrbot_service import request_url, serve_slack_over_http, stop
from tests.support.slack_bot import SIGNING_SECRET
from tests.support.slack_requests import SlackRequests

PERSON = "UREF000001"
ASKED_IN_ORDER = ["referrer.name", "referrer.role", "referrer.agency", "referrer.email", "referrer.phone"]
NEXT = "designated_professional_consulted"


def until(condition: Callable[[], bool], what: str, limit: float = 60.0) -> None:
    """Poll `condition` until it holds, within `limit` seconds (for what no event announces: a row count)."""
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {limit} s")
        select.select([], [], [], 0.02)


def ends(pid: int, what: str, limit: float = 60.0) -> None:
    """Wait for a process that is not our child to exit (its pidfd becomes readable)."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return
    try:
        ready, _, _ = select.select([fd], [], [], limit)
        if not ready and not gone(pid):
            raise AssertionError(f"{what} did not happen within {limit} s")
    finally:
        os.close(fd)


def children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        text = (task / "children").read_text() if (task / "children").exists() else ""
        found |= {int(n) for n in text.split()}
    return found


def gone(pid: int) -> bool:
    status = Path(f"/proc/{pid}/status")
    try:
        return "State:\tZ" in status.read_text()
    except FileNotFoundError:
        return True


def kept(data_dir: Path) -> int:
    [steps_file] = data_dir.rglob("*.steps")
    with sqlite3.connect(steps_file) as db:
        return int(db.execute("SELECT count(*) FROM received_steps").fetchone()[0])


def test_a_killed_step_worker_is_started_again_and_applies_each_step_once_in_order(tmp_path: Path) -> None:
    users = {PERSON: {"real_name": "Ottoline Testwhistle", "email": "ottoline.testwhistle@nhs.net"}}
    with FakeSlack(users=users) as fake:
        service, banner = serve_slack_over_http(tmp_path, fake)
        try:
            worker = re.search(r"worked on by process (\d+)", banner)
            assert worker is not None
            first_worker = int(worker.group(1))
            assert first_worker in children(service.pid)
            r = SlackRequests(SIGNING_SECRET, request_url(banner))

            def asked(calls: list[SlackCall] | None = None) -> list[str]:
                posts = [c for c in (calls if calls is not None else fake.calls()) if c.method == "chat.postMessage"]
                return [k for k in (prompt_key(c) for c in posts) if k is not None]

            def press(command: str, key: str) -> None:
                status, _ = r.post(r.action(PERSON, f"{cb.COMMAND}:{command}", value=json.dumps({"k": key})))
                assert status == 200

            def say(text: str) -> None:
                status, _ = r.post(r.dm(PERSON, text))
                assert status == 200

            assert r.post(r.command("/scr-refer", PERSON))[0] == 200
            fake.wait_for(lambda calls: asked(calls) == ["referrer.name"])

            fake.hold("chat.postMessage")  # the worker applies the next step, then is stuck posting its question
            press("keep", "referrer.name")
            fake.wait_held()
            say("Named Doctor")
            say("Northshire Hospitals NHS Trust")
            press("keep", "referrer.email")
            press("skip", "referrer.phone")
            assert kept(tmp_path / "var") == 5  # acknowledged and kept, none worked on yet

            os.kill(first_worker, signal.SIGKILL)  # mid-queue, after the first step's changes were committed
            fake.release()
            fake.wait_for(lambda calls: NEXT in asked(calls), timeout=60)  # by a new worker
            until(lambda: kept(tmp_path / "var") == 0, "the kept steps let go")
            assert asked() == [*ASKED_IN_ORDER, NEXT]  # each step once, in the order pressed
            r.close()
            [second_worker] = children(service.pid)
            assert second_worker != first_worker
        finally:
            stop(service)
        ends(second_worker, "the worker ending with the service")


def test_the_step_worker_ends_when_the_service_is_killed(tmp_path: Path) -> None:
    with FakeSlack() as fake:
        service, banner = serve_slack_over_http(tmp_path, fake)
        worker = re.search(r"worked on by process (\d+)", banner)
        assert worker is not None
        service.kill()
        service.wait()
        ends(int(worker.group(1)), "the worker ending with its parent")
