"""Conversation steps kept at acknowledgement: appended together (group commit), they all come back, each
person's in the order they were appended."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from storage.received_steps import ReceivedSteps, open_received_steps
from storage.store import Store

NOW = datetime(2026, 11, 22, 10, tzinfo=UTC)


def steps_of(store: Store) -> ReceivedSteps:
    return open_received_steps(store.engine, store.sessions, store.cipher, store.board.id)


def test_steps_appended_at_once_all_kept_in_each_persons_order(store: Store) -> None:
    steps = steps_of(store)
    people = [f"U{n}" for n in range(8)]

    def press(person: str) -> None:
        for n in range(10):
            steps.append("refer.action", person, {"person": person, "n": n}, NOW)

    threads = [threading.Thread(target=press, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    kept = steps.pending(limit=1000)
    assert len(kept) == 80
    for person in people:
        assert [s.body["n"] for s in kept if s.body["person"] == person] == list(range(10))
    for step in kept:
        steps.done(step.id)
    assert steps.count() == 0
    steps.close()
