"""The hash-chained audit log detects any edit, deletion, insertion or reordering."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from bot.clock import FixedClock
from storage.audit import AuditLog, AuditRecord
from storage.store import Store
from tests.factories import STAFF


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
