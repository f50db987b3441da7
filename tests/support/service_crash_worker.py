"""The service, for the crash run (tests/support/crash_scenario.py): rounds of mail intake, reminder sweep and
sending, in simulated time, until the inbox is empty, nothing is left to send and the last simulated day is
done; it kills itself with SIGKILL at its Nth step, as a crash would.

    python -m tests.support.service_crash_worker '{"url": ..., "root": ..., "endpoint": ..., "kill_at": N, ...}'

Steps: every database commit (just before it), every step of mail intake (fetched, stored, acted, moved), and
both sides of handing a message to the mail server. Built by the production wiring (`AppContext`); the
dispatcher is given the email sender only (Slack posts have no sent-items to look in, see notify/dispatch.py).
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import sys
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from sqlalchemy import event

from bot.clock import FixedClock
from bot.context import AppContext
from notify.senders import EmailSender
from notify.service import dispatch_all
from tests.support.crash_scenario import MAIL_FROM, RESTART_GAP, STEP, Layout
from tests.support.fake_ews import FakeEwsState

POLL_LIMIT = 8  # a few messages per round, so that kills fall among intake, sweep and send alike


class Steps:
    def __init__(self, kill_at: int, progress: Path) -> None:
        self.kill_at = kill_at
        self.count = itertools.count(1)
        self.progress = progress
        self.state: dict[str, Any] = {}

    def __call__(self, *_args: Any) -> None:
        if next(self.count) == self.kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    def record(self, **state: Any) -> None:
        """Where the run is (its simulated time and phase), written so that a kill leaves the last one."""
        self.state.update(state)
        tmp = self.progress.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.state))
        os.replace(tmp, self.progress)


class KillableMailbox:
    """The real mailbox, with a step on either side of each send (before it leaves; after the server has it
    but before the database knows)."""

    def __init__(self, inner: Any, steps: Steps) -> None:
        self.inner = inner
        self.steps = steps

    def send(self, message: EmailMessage) -> str:
        self.steps()
        sent = str(self.inner.send(message))
        self.steps()
        return sent

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def main(argv: list[str]) -> int:
    config = json.loads(argv[0])
    layout = Layout(Path(config["root"]), config["url"])
    steps = Steps(int(config["kill_at"]), layout.progress)
    previous = json.loads(layout.progress.read_text())
    now = datetime.fromisoformat(previous["now"]) + RESTART_GAP
    end = datetime.fromisoformat(config["end"])
    state = FakeEwsState(config["username"], config["password"])
    clock = FixedClock(now)
    context = AppContext(settings=layout.settings(config["endpoint"], state), clock=clock)
    context.__dict__["mailbox"] = KillableMailbox(context.mailbox, steps)
    event.listen(context.engine, "commit", steps)
    context.intake.checkpoint = steps
    dispatcher = context.dispatcher
    dispatcher.senders = {"email": EmailSender(context.mailbox, mail_from=MAIL_FROM)}
    rounds = int(previous.get("round", 0))
    while True:
        clock.set(now)
        steps.record(now=now.isoformat(), round=rounds, phase="intake")
        poll = context.intake.poll_mailbox(now, limit=POLL_LIMIT)
        context.agency_requests.sync_requests_sent(now)
        steps.record(phase="sweep")
        context.notify.run_reminders(now)
        steps.record(phase="send")
        sent = dispatch_all(dispatcher, now)
        idle = not poll.outcomes and not sent.sent and not sent.failed and not context.mailbox.list_new()
        if idle and now >= end:
            break
        now += STEP
        rounds += 1
    steps.record(phase="done", steps=next(steps.count) - 1)
    context.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
