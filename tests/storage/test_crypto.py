"""Field encryption: AES-256-GCM bound to table, column and row; key id in every ciphertext."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from storage.blind_index import child_index, normalise_name
from storage.crypto import AesGcmCipher, DecryptionError
from storage.keyring import KeyFileError, KeyRing


@pytest.fixture
def ring(tmp_path: Path) -> KeyRing:
    return KeyRing.load_or_create(tmp_path / "keys.json", "testshire")


def test_round_trip_and_key_id(ring: KeyRing) -> None:
    cipher = AesGcmCipher(ring, "testshire")
    token = cipher.seal(b"secret", table="cases", column="referral_enc", row_id="r1")
    assert cipher.key_id_of(token) == ring.board("testshire").active
    assert cipher.open(token, table="cases", column="referral_enc", row_id="r1") == b"secret"
    assert token != cipher.seal(b"secret", table="cases", column="referral_enc", row_id="r1")  # random nonce


@pytest.mark.parametrize(
    ("table", "column", "row_id"),
    [("decisions", "referral_enc", "r1"), ("cases", "other_enc", "r1"), ("cases", "referral_enc", "r2")],
)
def test_a_value_moved_elsewhere_does_not_open(ring: KeyRing, table: str, column: str, row_id: str) -> None:
    cipher = AesGcmCipher(ring, "testshire")
    token = cipher.seal(b"secret", table="cases", column="referral_enc", row_id="r1")
    with pytest.raises(DecryptionError, match="failed authentication"):
        cipher.open(token, table=table, column=column, row_id=row_id)


def test_tampered_value_does_not_open(ring: KeyRing) -> None:
    cipher = AesGcmCipher(ring, "testshire")
    token = bytearray(cipher.seal(b"secret", table="cases", column="referral_enc", row_id="r1"))
    token[-1] ^= 1
    with pytest.raises(DecryptionError):
        cipher.open(bytes(token), table="cases", column="referral_enc", row_id="r1")


def test_key_file_is_created_private(tmp_path: Path) -> None:
    KeyRing.load_or_create(tmp_path / "keys.json", "testshire")
    assert stat.S_IMODE((tmp_path / "keys.json").stat().st_mode) == 0o600


def test_key_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    KeyRing.load_or_create(path, "testshire")
    os.chmod(path, 0o644)
    with pytest.raises(KeyFileError, match="chmod 600"):
        KeyRing.load(path)


def test_keys_from_the_environment(ring: KeyRing) -> None:
    from_env = KeyRing.from_environment(json.dumps(ring.to_json()))
    cipher = AesGcmCipher(from_env, "testshire")
    token = AesGcmCipher(ring, "testshire").seal(b"x", table="t", column="c", row_id="1")
    assert cipher.open(token, table="t", column="c", row_id="1") == b"x"
    with pytest.raises(KeyFileError, match="SCRBOT_KEYS"):
        from_env.save()


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        (("Ann-Marie", "O'Neil"), ("ann marie", "o’neil"), True),
        (("Zoë", "Brontë"), ("Zoe", "BRONTE"), True),
        (("Ann Marie", "Smith"), ("Marie Ann", "Smith"), True),
        (("Ann", "Smith"), ("Anne", "Smith"), False),
    ],
)
def test_blind_index_normalisation(a: tuple[str, str], b: tuple[str, str], same: bool) -> None:
    from datetime import date

    key = b"k" * 32
    left = child_index(key, forenames=a[0], last_name=a[1], date_of_birth=date(2020, 1, 1))
    right = child_index(key, forenames=b[0], last_name=b[1], date_of_birth=date(2020, 1, 1))
    assert (left == right) is same
    assert normalise_name("Ann-Marie", "O'Neil") == "ann marie oneil"
