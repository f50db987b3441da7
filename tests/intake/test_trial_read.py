"""The trial read of a suspected poison message: a child process that dies is told apart from one that reads
the message through (intake/inbound/trial_read.py)."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable

import pytest

from intake.inbound.trial_read import stops_the_process


def _killed() -> object:
    os.kill(os.getpid(), signal.SIGKILL)  # as the kernel's OOM killer would
    return None


def _interrupted() -> object:
    raise KeyboardInterrupt


def _unreadable() -> object:
    raise ValueError("not a message")


@pytest.mark.parametrize(
    ("read", "stops"),
    [(lambda: "read", False), (_unreadable, False), (_killed, True), (_interrupted, True)],
    ids=["reads", "ordinary-error", "killed", "interrupted"],
)
def test_only_a_read_that_stops_its_child_is_held_against_the_message(read: Callable[[], object], stops: bool) -> None:
    assert bool(stops_the_process(read)) is stops


def test_the_parent_carries_on_after_its_child_is_killed() -> None:
    assert "stopped too" in stops_the_process(_killed)
    assert stops_the_process(lambda: None) == ""
