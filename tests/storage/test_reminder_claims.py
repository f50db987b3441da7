"""The sweep's claim by recipient (storage/reminder_claims.py): a recipient one worker holds is not another's
for the rest of that worker's transaction, even for a reminder of that recipient that falls due meanwhile
(another process files a case): on PostgreSQL its advisory lock, not only the rows' locks, keeps it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from storage.db import make_engine
from storage.reminder_claims import RecipientClaims
from tests.notify.conftest import notify_board
from tests.support.databases import PostgresServer, sqlite_engine
from tests.support.reminder_seed import seed

TODAY = date(2026, 12, 9)
NOW = datetime(2026, 12, 9, 9, 5, tzinfo=UTC)


@pytest.mark.postgres
def test_a_recipient_held_by_one_worker_is_left_to_it_even_for_a_reminder_due_since(
    pg_server: PostgresServer,
) -> None:
    pg_server.truncate()
    board = notify_board()
    seed(pg_server.engine, board, cases=3, deadlines_per_case=1, today=TODAY, offset=lambda c, k: 3)
    other = make_engine(pg_server.url)
    first, second = RecipientClaims(), RecipientClaims()
    try:
        with Session(pg_server.engine) as s1, s1.begin():
            claimed, more = first.claim(s1, [board.id], NOW, limit=100)
            assert [len(rows) for rows in claimed.values()] == [3] and not more
            # Meanwhile another process files a case: one more business unit reminder due now, committed.
            seed(pg_server.engine, board, cases=1, deadlines_per_case=1, today=TODAY, offset=lambda c, k: 3,
                 first=100, year=2025)  # fmt: skip
            with Session(other) as s2, s2.begin():
                taken, more = second.claim(s2, [board.id], NOW, limit=100)
            assert taken == {} and not more
            assert second.held_elsewhere == {(board.id, "business_unit")}
        with Session(other) as s2, s2.begin():  # the first worker done: the new one is claimable next pass
            taken, _ = RecipientClaims().claim(s2, [board.id], NOW, limit=100)
        assert [len(rows) for rows in taken.values()] == [4]  # (the first worker's three were not marked sent)
    finally:
        other.dispose()


def test_a_recipient_is_never_split_between_batches(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """A recipient with more due than a batch holds is taken whole; the next batch starts at the next one."""
    if backend == "sqlite":
        engine = sqlite_engine(str(tmp_path / "scrbot.db"))
    else:
        server: PostgresServer = request.getfixturevalue("pg_server")
        server.truncate()
        engine = server.engine
    board = notify_board()
    seed(engine, board, cases=5, deadlines_per_case=2, today=TODAY, offset=lambda c, k: (3, -2)[k])
    claims = RecipientClaims()
    with Session(engine) as s, s.begin():
        first, more = claims.claim(s, [board.id], NOW, limit=2)
        assert [(r.audience, r.rung) for r in first[board.id]] == [("business_unit", "before_3")] * 5 and more
        last, more = claims.claim(s, [board.id], NOW, limit=2)
        assert {r.audience for r in last[board.id]} == {"manager"} and len(last[board.id]) == 5 and not more
