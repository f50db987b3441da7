"""The hash-chained audit log detects any edit, deletion, insertion or reordering."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from bot.clock import FixedClock
from errors import Conflict
from storage.audit import AuditLog, AuditRecord
from storage.store import Store
from tests.factories import REFERRER, STAFF, make_referral


def five(clock: FixedClock) -> list[AuditRecord]:
    return [
        AuditRecord(
            at=clock.now() + timedelta(minutes=n),
            actor=STAFF.id,
            action=f"test.{n}",
            case_ref="SCR-2026-0001",
            detail={"n": n},
        )
        for n in range(5)
    ]


def one_by_one(store: Store, records: list[AuditRecord]) -> None:
    with store.sessions.begin() as s:
        for r in records:
            store.audit.append(s, at=r.at, actor=r.actor, action=r.action, case_ref=r.case_ref, detail=r.detail)


def one_batch(store: Store, records: list[AuditRecord]) -> None:
    with store.sessions.begin() as s:
        assert store.audit.append_many(s, records) == list(range(1, len(records) + 1))


def mixed(store: Store, records: list[AuditRecord]) -> None:
    """A single append, then a batch in another transaction, then an empty batch and a batch of one."""
    r = records[0]
    with store.sessions.begin() as s:
        store.audit.append(s, at=r.at, actor=r.actor, action=r.action, case_ref=r.case_ref, detail=r.detail)
    with store.sessions.begin() as s:
        assert store.audit.append_many(s, records[1:4]) == [2, 3, 4]
        assert store.audit.append_many(s, []) == []
        assert store.audit.append_many(s, records[4:]) == [5]


BUILDERS: dict[str, Callable[[Store, list[AuditRecord]], None]] = {
    "append": one_by_one,
    "append_many": one_batch,
    "mixed": mixed,
}


def log_five(store: Store, clock: FixedClock, builder: str = "append") -> None:
    BUILDERS[builder](store, five(clock))


def swap_details(s: Session) -> None:
    rows = s.execute(text("SELECT seq, detail FROM audit_log WHERE seq IN (2, 3) ORDER BY seq")).all()
    s.execute(text("UPDATE audit_log SET detail = :d WHERE seq = :q"), {"d": rows[1][1], "q": 2})
    s.execute(text("UPDATE audit_log SET detail = :d WHERE seq = :q"), {"d": rows[0][1], "q": 3})


def move_last_to_first(s: Session) -> None:
    s.execute(text("UPDATE audit_log SET seq = seq + 100"))
    s.execute(text("UPDATE audit_log SET seq = 1 WHERE seq = 105"))
    s.execute(text("UPDATE audit_log SET seq = seq - 99 WHERE seq > 100"))


TAMPERING: dict[str, Callable[[Session], object]] = {
    "edit actor": lambda s: s.execute(text("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 2")),
    "edit action": lambda s: s.execute(text("UPDATE audit_log SET action = 'test.x' WHERE seq = 4")),
    "edit time": lambda s: s.execute(
        text("UPDATE audit_log SET at = (SELECT at FROM audit_log WHERE seq = 1) WHERE seq = 4")
    ),
    "delete middle": lambda s: s.execute(text("DELETE FROM audit_log WHERE seq = 3")),
    "delete last": lambda s: s.execute(text("DELETE FROM audit_log WHERE seq = 5")),
    "delete last and fix anchor": lambda s: (
        s.execute(text("DELETE FROM audit_log WHERE seq = 5")),
        s.execute(text("UPDATE audit_anchor SET seq = 4")),
    ),
    "delete last and move the anchor back to the entry before": lambda s: (
        s.execute(text("DELETE FROM audit_log WHERE seq = 5")),
        s.execute(text("UPDATE audit_anchor SET seq = 4, head_hash = (SELECT hash FROM audit_log WHERE seq = 4)")),
    ),
    "remove the anchor's signature": lambda s: s.execute(text("UPDATE audit_anchor SET signature = NULL")),
    "reorder contents": swap_details,
    "reorder rows": move_last_to_first,
    "insert forged": lambda s: s.execute(
        text(
            "INSERT INTO audit_log (board_id, seq, at, actor, action, case_ref, detail, prev_hash, hash) "
            "SELECT board_id, 6, at, actor, 'forged', case_ref, detail, hash, hash FROM audit_log WHERE seq = 5"
        )
    ),
    "insert forged and fix anchor": lambda s: (
        s.execute(
            text(
                "INSERT INTO audit_log (board_id, seq, at, actor, action, case_ref, detail, prev_hash, hash) "
                "SELECT board_id, 6, at, actor, 'forged', case_ref, detail, hash, hash FROM audit_log WHERE seq = 5"
            )
        ),
        s.execute(text("UPDATE audit_anchor SET seq = 6, head_hash = (SELECT hash FROM audit_log WHERE seq = 6)")),
    ),
}


@pytest.mark.parametrize("builder", sorted(BUILDERS))
def test_untouched_chain_verifies(store: Store, clock: FixedClock, builder: str) -> None:
    log_five(store, clock, builder)
    with store.sessions() as s:
        assert store.audit.verify(s) == []
        assert store.audit.head(s)[0] == 5


@pytest.mark.parametrize("builder", sorted(BUILDERS))
@pytest.mark.parametrize("tamper", sorted(TAMPERING))
def test_tampering_is_detected(store: Store, clock: FixedClock, tamper: str, builder: str) -> None:
    log_five(store, clock, builder)
    with store.sessions.begin() as s:
        TAMPERING[tamper](s)
    with store.sessions() as s:
        assert store.audit.verify(s) != []


def test_a_different_key_cannot_verify_the_chain(store: Store, clock: FixedClock) -> None:
    log_five(store, clock)
    with store.sessions() as s:
        assert AuditLog(store.board.id, b"\x00" * 32).verify(s) != []


def chain(store: Store) -> list[tuple[object, ...]]:
    with store.sessions() as s:
        return [
            tuple(r) for r in s.execute(text("SELECT seq, action, detail, prev_hash, hash FROM audit_log ORDER BY seq"))
        ]


@pytest.mark.parametrize("builder", ["append_many", "mixed"])
def test_a_batch_makes_the_same_chain_as_one_append_at_a_time(store: Store, clock: FixedClock, builder: str) -> None:
    one_by_one(store, five(clock))
    expected = chain(store)
    with store.sessions.begin() as s:
        s.execute(text("DELETE FROM audit_log"))
        s.execute(text("DELETE FROM audit_anchor"))  # the next append creates it again
    log_five(store, clock, builder)
    assert chain(store) == expected
    with store.sessions() as s:
        assert store.audit.head(s) == (5, expected[-1][4])


# --- the anchor: signed, and missing only on an empty database ----------------------------------------------


def many(clock: FixedClock, n: int) -> list[AuditRecord]:
    return [AuditRecord(at=clock.now() + timedelta(seconds=k), actor=STAFF.id, action=f"test.{k}") for k in range(n)]


def cut_after_100_and_move_the_anchor_back(s: Session) -> None:
    s.execute(text("DELETE FROM audit_log WHERE seq > 100"))
    s.execute(text("UPDATE audit_anchor SET seq = 100, head_hash = (SELECT hash FROM audit_log WHERE seq = 100)"))


def test_a_tail_cut_with_the_anchor_moved_back_is_detected_and_not_laundered(store: Store, clock: FixedClock) -> None:
    with store.sessions.begin() as s:
        store.audit.append_many(s, many(clock, 150))
    with store.sessions.begin() as s:
        cut_after_100_and_move_the_anchor_back(s)
    with store.sessions() as s:
        assert any("signature does not match" in p for p in store.audit.verify(s))
    # The bot keeps appending: the chain grows from entry 100, but the anchor is never signed again.
    with store.sessions.begin() as s:
        store.audit.append(s, at=clock.now(), actor=STAFF.id, action="test.after")
    with store.sessions() as s:
        assert any("signature does not match" in p for p in store.audit.verify(s))


def delete_everything(s: Session) -> None:
    s.execute(text("DELETE FROM audit_log"))
    s.execute(text("DELETE FROM audit_anchor"))


def test_every_entry_and_the_anchor_deleted_is_detected_when_there_are_cases(store: Store, clock: FixedClock) -> None:
    from storage.store import open_store

    store.cases.file_referral(make_referral(), actor=REFERRER, now=clock.now())
    with store.sessions.begin() as s:
        delete_everything(s)
    with store.sessions() as s:
        assert store.audit.verify(s) == [
            "the audit anchor is missing although the database holds this board's data (log cut)"
        ]
    # Starting again does not paper over it: no fresh anchor on a database with cases...
    reopened = open_store(store.engine, store.board, store.ring, store.pack)
    with reopened.sessions() as s:
        assert reopened.audit.verify(s) != []
    # ...and the next change carries on behind an entry that says what happened, reported from then on.
    reopened.cases.file_referral(make_referral(), actor=REFERRER, now=clock.now())
    with reopened.sessions() as s:
        problems = reopened.audit.verify(s)
        [restored] = [e for e in reopened.audit.entries(s) if e.action == "audit.anchor_restored"]
    assert restored.seq == 1 and restored.detail["entries_left"] == 0 and restored.detail["cases"] >= 1
    assert len(problems) == 1 and "entry 1: the audit anchor was missing" in problems[0]


def test_only_the_anchor_deleted_carries_on_from_the_last_entry(store: Store, clock: FixedClock) -> None:
    store.cases.file_referral(make_referral(), actor=REFERRER, now=clock.now())
    log_five(store, clock)
    with store.sessions.begin() as s:
        s.execute(text("DELETE FROM audit_anchor"))
    log_five(store, clock)
    with store.sessions() as s:
        problems = store.audit.verify(s)
    assert len(problems) == 1 and "the audit anchor was missing" in problems[0]


def test_an_empty_database_may_lose_its_anchor_and_start_again(store: Store, clock: FixedClock) -> None:
    with store.sessions.begin() as s:
        s.execute(text("DELETE FROM audit_anchor"))
    log_five(store, clock)
    with store.sessions() as s:
        assert store.audit.verify(s) == []


def test_an_unsigned_anchor_from_an_older_version_is_signed_once(store: Store, clock: FixedClock) -> None:
    log_five(store, clock)
    with store.sessions.begin() as s:
        s.execute(text("UPDATE audit_anchor SET signature = NULL"))
    log_five(store, clock)  # appends never sign an anchor they cannot check
    with store.sessions() as s:
        assert [p for p in store.audit.verify(s) if "not signed" in p]
    with store.sessions.begin() as s:
        assert store.audit.sign_anchor(s, at=clock.now(), actor=STAFF.id) == 10
    with store.sessions() as s:
        assert store.audit.verify(s) == []
    with store.sessions.begin() as s, pytest.raises(Conflict, match="already signed"):
        store.audit.sign_anchor(s, at=clock.now(), actor=STAFF.id)
    # Unsigned again later: someone changed it, and it is not signed a second time.
    with store.sessions.begin() as s:
        s.execute(text("UPDATE audit_anchor SET signature = NULL"))
    with store.sessions.begin() as s, pytest.raises(Conflict, match="signed before"):
        store.audit.sign_anchor(s, at=clock.now(), actor=STAFF.id)


def test_an_unsigned_anchor_over_a_broken_chain_is_not_signed(store: Store, clock: FixedClock) -> None:
    log_five(store, clock)
    with store.sessions.begin() as s:
        s.execute(text("DELETE FROM audit_log WHERE seq = 5"))
        s.execute(text("UPDATE audit_anchor SET signature = NULL, seq = 4"))
        s.execute(text("UPDATE audit_anchor SET head_hash = (SELECT hash FROM audit_log WHERE seq = 4)"))
    # (The cut itself cannot be seen without a signature: signing is refused only if the chain shows damage.)
    with store.sessions.begin() as s:
        s.execute(text("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 2"))
    with store.sessions.begin() as s, pytest.raises(Conflict, match="problem"):
        store.audit.sign_anchor(s, at=clock.now(), actor=STAFF.id)
