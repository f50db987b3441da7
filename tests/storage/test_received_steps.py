"""Conversation steps kept at acknowledgement: appended together (group commit), they all come back, each
person's in the order they were appended."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from storage.received_steps import ReceivedSteps, open_received_steps
from storage.rotation import key_usage, retire_unused_keys, rotate_data_key
from storage.store import Store
from tests.factories import SENSITIVE_STRINGS

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


def test_kept_steps_are_resealed_by_a_key_rotation_and_still_open_after_the_old_key_is_retired(store: Store) -> None:
    steps = steps_of(store)
    steps.append("refer.message", "U1", {"event": {"text": SENSITIVE_STRINGS[0]}}, NOW)
    old_key = store.cipher.active_key_id
    report = rotate_data_key(store.ring, store.board.id, store.sessions, store.cipher)
    assert report.by_table["received_steps"] == 1
    assert retire_unused_keys(store.ring, store.board.id, store.sessions, store.cipher) == [old_key]
    [step] = steps.pending()
    assert step.body == {"event": {"text": SENSITIVE_STRINGS[0]}}
    assert set(key_usage(store.sessions, store.cipher, store.board.id)) == {report.new_key}
    steps.close()
