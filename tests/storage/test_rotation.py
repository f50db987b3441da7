"""`scrbot keys rotate`: every field re-encrypted; reading back gives identical data; old keys retire."""

from __future__ import annotations

import json
import threading
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.clock import FixedClock
from cases.case import Decision, Involvement
from cases.events import Outcome
from cases.packs import bundled_pack
from storage.crypto import DecryptionError
from storage.keyring import KeyRing
from storage.rotation import key_usage, retire_unused_keys, rotate_data_key, rotate_index_key
from storage.store import Store, open_store
from tests.factories import REFERRER, STAFF, make_referral


def fill(store: Store, clock: FixedClock, count: int = 4) -> list[str]:
    references = []
    for n in range(count):
        filed = store.cases.file_referral(
            make_referral(**{"child.forenames": f"Zephyrine {n}"}), actor=REFERRER, now=clock.now()
        )
        references.append(filed.reference)
    store.cases.record_decision(
        references[0],
        Decision(outcome=Outcome.SCR, decided_on=date(2026, 11, 21), rationale="rationale text"),
        actor=STAFF,
        now=clock.now(),
    )
    store.cases.confirm_agency(
        references[-1],
        "police",
        actor=STAFF,
        now=clock.now(),
        involvement=Involvement.KNOWN,
        involvement_detail="known since 2025",
        records_secured=True,
        secured_by="DS Example",
    )
    return references


def snapshot(store: Store, references: list[str], clock: FixedClock) -> list[object]:
    cases = [store.cases.get_case(r, actor=STAFF, now=clock.now()) for r in references]
    return [(c.referral, c.decision, c.confirmations, [(d.key, d.state) for d in c.deadlines]) for c in cases]


def test_rotate_then_read_back_identical_and_retire_old_key(store: Store, clock: FixedClock, tmp_path: Path) -> None:
    references = fill(store, clock)
    before = snapshot(store, references, clock)
    old_key = store.ring.board(store.board.id).active
    report = rotate_data_key(store.ring, store.board.id, store.sessions, store.cipher)
    assert report.new_key != old_key
    assert report.resealed == sum(key_usage(store.sessions, store.cipher, store.board.id).values())
    assert set(key_usage(store.sessions, store.cipher, store.board.id)) == {report.new_key}
    assert retire_unused_keys(store.ring, store.board.id, store.sessions, store.cipher) == [old_key]
    on_disk = json.loads((tmp_path / "keys.json").read_text())
    assert list(on_disk["boards"][store.board.id]["data_keys"]) == [report.new_key]

    # A fresh process with only the new key reads everything back unchanged.
    fresh_ring = KeyRing.load(tmp_path / "keys.json")
    fresh = open_store(store.engine, store.board, fresh_ring, bundled_pack("hackney-2017"))
    assert snapshot(fresh, references, clock) == before


def test_a_key_still_in_use_is_not_retired(store: Store, clock: FixedClock) -> None:
    fill(store, clock, count=1)
    old_key = store.ring.board(store.board.id).active
    store.ring.board(store.board.id).add_data_key()  # a new key without re-encryption
    store.ring.save()
    assert retire_unused_keys(store.ring, store.board.id, store.sessions, store.cipher) == []
    assert old_key in store.ring.board(store.board.id).data_keys


def test_without_the_old_key_unrotated_data_cannot_be_read(store: Store, clock: FixedClock, tmp_path: Path) -> None:
    references = fill(store, clock, count=1)
    keys = store.ring.board(store.board.id)
    old = keys.active
    keys.add_data_key()
    del keys.data_keys[old]
    store.ring.save()
    with pytest.raises(DecryptionError, match="not in the key ring"):
        open_store(
            store.engine, store.board, KeyRing.load(tmp_path / "keys.json"), bundled_pack("hackney-2017")
        ).cases.get_case(references[0], actor=STAFF, now=clock.now())


def test_rotation_while_another_process_keeps_writing(store: Store, clock: FixedClock, tmp_path: Path) -> None:
    """Without downtime: a second process (its own key ring from the same file) files referrals throughout."""
    fill(store, clock, count=20)
    other = open_store(store.engine, store.board, KeyRing.load(tmp_path / "keys.json"), bundled_pack("hackney-2017"))
    stop = threading.Event()
    written: list[str] = []
    errors: list[BaseException] = []

    def keep_writing() -> None:
        n = 0
        while not stop.is_set() and n < 200:
            try:
                filed = other.cases.file_referral(
                    make_referral(**{"child.forenames": f"Concurrent {n}"}),
                    actor=REFERRER,
                    now=clock.now() + timedelta(seconds=n),
                )
                written.append(filed.reference)
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
                return
            n += 1

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        report = rotate_data_key(store.ring, store.board.id, store.sessions, store.cipher, batch=5)
    finally:
        stop.set()
        writer.join(timeout=60)
    assert not writer.is_alive(), "the other process's writer did not stop"
    assert not errors
    assert written, "the other process wrote nothing during the rotation"
    # Anything the other process wrote after the rotation finished was sealed under the new key too.
    assert set(key_usage(store.sessions, store.cipher, store.board.id)) == {report.new_key}
    for reference in written:
        case = store.cases.get_case(reference, actor=STAFF, now=clock.now())
        assert case.referral is not None and case.referral.child.forenames.startswith("Concurrent")


def test_index_key_rotation_keeps_duplicate_detection(store: Store, clock: FixedClock) -> None:
    first = store.cases.file_referral(make_referral(), actor=REFERRER, now=clock.now())
    assert rotate_index_key(store.ring, store.board.id, store.sessions, store.codec.open_referral) == 1
    # The store holds the index key it was opened with; a restarted process would load the new one.
    restarted = open_store(store.engine, store.board, store.ring, bundled_pack("hackney-2017"))
    second = restarted.cases.file_referral(make_referral(), actor=REFERRER, now=clock.now())
    assert second.possible_duplicates == [first.reference]
