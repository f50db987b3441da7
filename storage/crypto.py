"""Field encryption: AES-256-GCM, a random 96-bit nonce per value, associated data binding the value to
its table, column and row (so a ciphertext moved to another row or column fails to open), and the key id
carried in every ciphertext so keys can rotate without downtime (DESIGN.md §5).

Token layout: version (1 byte) | key id length (1 byte) | key id (ASCII) | nonce (12) | ciphertext+tag.
"""

from __future__ import annotations

import json
import os
from typing import Any, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from errors import Unavailable
from storage.keyring import KeyError_, KeyRing

# Envelope versions. 1: the associated data names table, column and row. 2 (written since issue 15 §1): it
# names the board too, so a value copied into another board's row does not open there even under the same
# key. Version 1 values still open (with their own associated data) until key rotation re-seals them as 2.
VERSION_ROW = 1
VERSION = 2
NONCE_BYTES = 12


class DecryptionError(Unavailable):
    """A value that could not be opened: wrong key, moved value or tampering. Never shows the data."""


def associated_data(table: str, column: str, row_id: str, board_id: str | None = None) -> bytes:
    """What a sealed value is bound to: its board (version 2 envelopes) and its table, column and row."""
    if board_id is None:
        return f"scrbot/v1/{table}/{column}/{row_id}".encode()
    return f"scrbot/v2/{board_id}/{table}/{column}/{row_id}".encode()


class FieldCipher(Protocol):
    def seal(self, plaintext: bytes, *, table: str, column: str, row_id: str) -> bytes: ...

    def open(self, token: bytes, *, table: str, column: str, row_id: str) -> bytes: ...

    def key_id_of(self, token: bytes) -> str: ...

    @property
    def active_key_id(self) -> str: ...


class AesGcmCipher:
    """The cipher of one board, backed by that board's keys in the ring."""

    def __init__(self, ring: KeyRing, board_id: str) -> None:
        self._ring = ring
        self._board_id = board_id
        self._aead: dict[str, AESGCM] = {}

    @property
    def active_key_id(self) -> str:
        return self._ring.board(self._board_id).active

    def _aead_for(self, key_id: str) -> AESGCM:
        aead = self._aead.get(key_id)
        if aead is None:
            try:
                key = self._ring.board(self._board_id).data_key(key_id)
            except KeyError_:
                # Another process may have rotated keys since this one loaded the ring.
                self._ring.reload()
                key = self._ring.board(self._board_id).data_key(key_id)
            aead = self._aead[key_id] = AESGCM(key)
        return aead

    def seal(self, plaintext: bytes, *, table: str, column: str, row_id: str) -> bytes:
        self._ring.refresh_if_changed()
        key_id = self.active_key_id
        nonce = os.urandom(NONCE_BYTES)
        body = self._aead_for(key_id).encrypt(nonce, plaintext, associated_data(table, column, row_id, self._board_id))
        kid = key_id.encode("ascii")
        return bytes([VERSION, len(kid)]) + kid + nonce + body

    def key_id_of(self, token: bytes) -> str:
        if len(token) < 2 or token[0] not in (VERSION, VERSION_ROW):
            raise DecryptionError("not an SCR Bot ciphertext (unknown version)")
        length = token[1]
        return token[2 : 2 + length].decode("ascii")

    def open(self, token: bytes, *, table: str, column: str, row_id: str) -> bytes:
        key_id = self.key_id_of(token)
        start = 2 + token[1]
        nonce, body = token[start : start + NONCE_BYTES], token[start + NONCE_BYTES :]
        try:
            aead = self._aead_for(key_id)
        except KeyError_ as exc:
            raise DecryptionError(f"{table}.{column} of row {row_id}: {exc}") from None
        try:
            board = self._board_id if token[0] == VERSION else None
            return aead.decrypt(nonce, body, associated_data(table, column, row_id, board))
        except InvalidTag:
            raise DecryptionError(
                f"{table}.{column} of row {row_id} failed authentication (tampered, moved or wrong key)"
            ) from None


class PlaintextCipher:
    """No encryption: only for measuring what encryption costs (bench/store.py). Never used by the bot."""

    active_key_id = "plain"

    def seal(self, plaintext: bytes, *, table: str, column: str, row_id: str) -> bytes:
        return b"\x00" + plaintext

    def open(self, token: bytes, *, table: str, column: str, row_id: str) -> bytes:
        return token[1:]

    def key_id_of(self, token: bytes) -> str:
        return "plain"


def seal_text(cipher: FieldCipher, text: str, *, table: str, column: str, row_id: str) -> bytes:
    return cipher.seal(text.encode("utf-8"), table=table, column=column, row_id=row_id)


def open_text(cipher: FieldCipher, token: bytes, *, table: str, column: str, row_id: str) -> str:
    return cipher.open(token, table=table, column=column, row_id=row_id).decode("utf-8")


def seal_json(cipher: FieldCipher, value: Any, *, table: str, column: str, row_id: str) -> bytes:
    data = json.dumps(value, separators=(",", ":"), sort_keys=True, default=str).encode("utf-8")
    return cipher.seal(data, table=table, column=column, row_id=row_id)


def open_json(cipher: FieldCipher, token: bytes, *, table: str, column: str, row_id: str) -> Any:
    return json.loads(cipher.open(token, table=table, column=column, row_id=row_id))
