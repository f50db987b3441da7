"""Issue 15 §1, the first wall: every sealed value is bound to its board. A row moved from board A to board B
does not read there, even if B held the very same keys; values sealed before the board was bound (envelope
version 1) still read."""

from __future__ import annotations

import dataclasses
import os
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import update

from cases.packs import bundled_pack
from storage.crypto import VERSION_ROW, AesGcmCipher, DecryptionError, associated_data
from storage.keyring import KeyRing
from storage.store import Store, open_store
from storage.tables import CaseRow
from tests.factories import STAFF, make_board, make_referral

NOW = datetime(2026, 11, 22, 10, tzinfo=UTC)


def shared_keys(store: Store, other: str) -> KeyRing:
    """Board `other` beside the store's board in one key ring, given the same keys (the worst case)."""
    ring = store.ring
    ring.boards[other] = dataclasses.replace(ring.board(store.board.id))
    return ring


def test_a_value_sealed_for_one_board_does_not_open_for_another_under_the_same_key(store: Store) -> None:
    ring = shared_keys(store, "otherton")
    token = AesGcmCipher(ring, store.board.id).seal(b"secret", table="cases", column="referral_enc", row_id="r1")
    with pytest.raises(DecryptionError, match="failed authentication"):
        AesGcmCipher(ring, "otherton").open(token, table="cases", column="referral_enc", row_id="r1")


def test_a_case_moved_to_another_board_does_not_read_there(store: Store) -> None:
    filed = store.cases.file_referral(make_referral(), actor=STAFF, now=NOW)
    other_board = make_board(id="otherton")
    other = open_store(
        store.engine, other_board, shared_keys(store, other_board.id), bundled_pack(other_board.rules_pack)
    )
    with store.sessions.begin() as s:
        s.execute(update(CaseRow).where(CaseRow.id == filed.case_id).values(board_id=other_board.id))
    with pytest.raises(DecryptionError):
        other.cases.get_case(filed.reference, actor=STAFF, now=NOW)


def test_a_value_sealed_before_the_board_was_bound_still_opens(store: Store) -> None:
    keys = store.ring.board(store.board.id)
    nonce = os.urandom(12)
    body = AESGCM(keys.data_key(keys.active)).encrypt(nonce, b"secret", associated_data("cases", "referral_enc", "r1"))
    kid = keys.active.encode("ascii")
    old = bytes([VERSION_ROW, len(kid)]) + kid + nonce + body
    cipher = AesGcmCipher(store.ring, store.board.id)
    assert cipher.open(old, table="cases", column="referral_enc", row_id="r1") == b"secret"
    with pytest.raises(DecryptionError):  # still bound to its row
        cipher.open(old, table="cases", column="referral_enc", row_id="r2")
