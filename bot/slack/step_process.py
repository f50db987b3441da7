"""The step worker in a process of its own (issue 15 §3): `scrbot run` starts `scrbot steps work` beside it
and keeps it running.

Acknowledging a Slack request and working on the step it carries share nothing but the steps store
(storage/received_steps.py): the acknowledging process appends a step under an owner id it shares with its
worker and writes a byte to the worker's standard input to wake it; the worker (the same wiring: every
board's bolt app built by `Deployment.slack_apps`, its step worker thread started) works on the steps of
that owner. Its standard input is also how it knows its parent is there: when it closes (the parent
stopped, or was killed) the worker finishes the step in hand and exits. If the worker stops on its own
(a crash, a kill) the parent logs it, without content, and starts another after a short pause; the new one
goes on with the same owner's steps at once (a step applied just before the kill is not applied twice:
storage/applied_steps.py). Steps of a parent that died are taken over by the next one's worker after
`stale_after` (storage/received_steps.py).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from typing import BinaryIO

from bot.slack.services import SlackServices
from storage.received_steps import new_owner

log = logging.getLogger("scrbot.slack")

# The pause before a worker that stopped is started again (a worker that cannot start must not spin).
RESTART_AFTER_SECONDS = 1.0
# How much lower the worker's scheduling priority is than the acknowledging process's.
WORKER_NICENESS = 10
# How long a stopping worker may take to finish the step in hand before it is ended.
STOP_WITHIN_SECONDS = 30.0


def worker_command(owner: str, board: str | None = None) -> list[str]:
    """`scrbot [--board ID] steps work --owner OWNER`, with this interpreter."""
    return [sys.executable, "-m", "bot.cli", *(["--board", board] if board else []), "steps", "work", "--owner", owner]


class StepWorkerProcess:
    """The parent's side: start, wake, restart and stop the worker process."""

    def __init__(
        self,
        *,
        board: str | None = None,
        owner: str | None = None,
        command: Sequence[str] | None = None,
        restart_after: float = RESTART_AFTER_SECONDS,
    ) -> None:
        """`command`: another way to start the worker (a benchmark's), given with its `owner`."""
        self.owner = owner or new_owner()
        self.command = list(command) if command is not None else worker_command(self.owner, board)
        self.restart_after = restart_after
        self.restarts = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._supervisor: threading.Thread | None = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def start(self) -> None:
        with self._lock:
            self._spawn()
        self._supervisor = threading.Thread(target=self._supervise, name="scrbot-steps-supervisor", daemon=True)
        self._supervisor.start()

    def _spawn(self) -> None:
        self._process = subprocess.Popen(self.command, stdin=subprocess.PIPE)  # noqa: S603 - our own command
        assert self._process.stdin is not None
        os.set_blocking(self._process.stdin.fileno(), False)  # a wake-up never holds up an acknowledgement

    def wake(self) -> None:
        """After a step is kept: one byte down the pipe (if the pipe is full the worker has wake-ups waiting)."""
        with self._lock:
            process = self._process
            if process is None or process.stdin is None or process.stdin.closed:
                return
            # Full, or the worker just stopped (the supervisor starts another, which looks anyway): no matter.
            with contextlib.suppress(OSError):
                os.write(process.stdin.fileno(), b".")

    def _supervise(self) -> None:
        while not self._stopping.is_set():
            process = self._process
            assert process is not None
            code = process.wait()
            if self._stopping.is_set():
                return
            log.warning("the conversation step worker stopped (exit status %s); starting it again", code)
            if self._stopping.wait(self.restart_after):
                return
            with self._lock:
                if process.stdin is not None:
                    process.stdin.close()
                if not self._stopping.is_set():
                    self._spawn()
                    self.restarts += 1

    def stop(self, timeout: float = STOP_WITHIN_SECONDS) -> None:
        """Close the worker's input (it finishes the step in hand and exits); end it if it takes too long."""
        self._stopping.set()
        with self._lock:
            process = self._process
            if process is None:
                return
            if process.stdin is not None:
                process.stdin.close()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            log.warning("the conversation step worker did not stop in %ss; ending it", timeout)
            process.kill()
            process.wait()
        if self._supervisor is not None:
            self._supervisor.join(timeout)


def work_steps(services: Sequence[SlackServices], wakeups: BinaryIO) -> None:
    """The worker's side (`scrbot steps work`): every board's step worker thread is running (started as its
    app was built); wake them on each byte from the parent, until the parent closes our input (or a
    SIGTERM / SIGINT from a supervisor stopping the whole service)."""

    def stop_now(signum: int, _frame: object) -> None:
        raise SystemExit(0)

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, stop_now)
    # Acknowledgements first: Slack wants them within 3 s, while a step may wait its turn. On a busy machine
    # the scheduler gives the acknowledging process the CPU before this one (bench/slack_ack.py).
    os.nice(WORKER_NICENESS)
    workers = [built.steps() for built in services]
    for worker in workers:
        worker.wake()  # what the parent kept before this worker started
    fd = wakeups.fileno()
    try:
        while os.read(fd, 4096):
            for worker in workers:
                worker.wake()
    finally:
        for built in services:
            built.close()  # each worker finishes the step in hand
