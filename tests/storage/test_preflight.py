"""What the store checks before opening: the boards in the data, and the key ids the data needs."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.clock import FixedClock
from storage.keyring import BoardKeys, KeyRing
from storage.preflight import (
    KeysMissing,
    UnknownBoardData,
    board_has_data,
    board_ids_in_data,
    check_boards,
    check_keys,
    key_ids_needed,
    open_key_ring,
)
from storage.rotation import key_usage
from storage.store import Store
from tests.factories import REFERRER, make_referral


def test_the_key_census_counts_what_the_values_name(store: Store, clock: FixedClock) -> None:
    board = store.board.id
    assert not board_has_data(store.engine, board) and key_ids_needed(store.engine, board) == {}
    store.cases.file_referral(make_referral(), actor=REFERRER, now=clock.now())
    needed = key_ids_needed(store.engine, board)
    assert needed == key_usage(store.sessions, store.cipher, board)  # the same as opening every value
    assert set(needed) == {store.ring.board(board).active}
    assert board_has_data(store.engine, board)
    assert key_ids_needed(store.engine, "another-board") == {}
    # The sample a starting process looks at (a row from each end of each column) names the same key.
    assert set(key_ids_needed(store.engine, board, sample=1)) == set(needed)


def test_boards_in_the_data_must_all_be_configured(store: Store, clock: FixedClock) -> None:
    store.cases.file_referral(make_referral(), actor=REFERRER, now=clock.now())
    assert board_ids_in_data(store.engine) == {store.board.id}
    check_boards(store.engine, [store.board.id, "a-second-board"])
    with pytest.raises(UnknownBoardData, match="board 'testshire'"):
        check_boards(store.engine, ["a-second-board"])


def test_a_ring_without_the_needed_key_is_refused(store: Store, clock: FixedClock, tmp_path: Path) -> None:
    store.cases.file_referral(make_referral(), actor=REFERRER, now=clock.now())
    check_keys(store.engine, store.board.id, store.ring)
    stranger = KeyRing({store.board.id: BoardKeys.generate()})
    with pytest.raises(KeysMissing, match="lacks data key"):
        check_keys(store.engine, store.board.id, stranger)
    with pytest.raises(KeysMissing, match="is missing"):
        open_key_ring(tmp_path / "elsewhere" / "keys.json", store.engine, store.board.id)
    assert not (tmp_path / "elsewhere" / "keys.json").exists()
    # A board with no data yet gets its keys.
    assert "new-board" in open_key_ring(tmp_path / "new.json", store.engine, "new-board").boards
