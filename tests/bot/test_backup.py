"""`scrbot backup` and `scrbot restore`, round trip on SQLite and the real PostgreSQL, into the same place and
into a fresh data folder (a new machine); and every way an archive can be wrong."""

from __future__ import annotations

import gzip
import io
import json
import os
import sys
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.cli import main
from bot.clock import FixedClock
from cases.board import BoardConfig
from cases.packs import bundled_pack
from storage.db import make_engine, sqlite_url
from storage.keyring import KeyRing
from storage.received_steps import ReceivedSteps, open_received_steps
from storage.store import open_store
from tests.factories import BOARD_TOML, SENSITIVE_STRINGS, referral_data
from tests.support.settings_env import forget_settings

PASSPHRASE = "synthetic backup passphrase 1"
REF = "SCR-2026-0001"
OWNER = "a-stopped-service"

Scrbot = Callable[..., tuple[int, str, str]]


@pytest.fixture
def scrbot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clock: FixedClock, capsys: pytest.CaptureFixture[str]
) -> Scrbot:
    forget_settings(monkeypatch)
    (tmp_path / "board.toml").write_text(BOARD_TOML)
    (tmp_path / "referral.json").write_text(json.dumps(referral_data()))
    (tmp_path / "passphrase").write_text(PASSPHRASE + "\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SCRBOT_BOARD_CONFIG", str(tmp_path / "board.toml"))
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # no terminal

    def run(*argv: str, data: str = "var") -> tuple[int, str, str]:
        monkeypatch.setenv("SCRBOT_DATA_DIR", str(tmp_path / data))
        capsys.readouterr()
        code = main(list(argv), clock=clock)
        out, err = capsys.readouterr()
        return code, out, err

    return run


def a_case_with_history(scrbot: Scrbot, data: str = "var") -> dict[str, object]:
    assert scrbot("refer", "--file", "referral.json", data=data)[0] == 0
    assert (
        scrbot("case", "confirm", REF, "police", "--secured-on", "2026-11-22", "--by", "DS Synthetic", data=data)[0]
        == 0
    )
    assert (
        scrbot("decide", REF, "--outcome", "scr", "--on", "2026-11-22", "--rationale", "synthetic", data=data)[0] == 0
    )
    code, out, _ = scrbot("case", "show", REF, "--full", "--json", data=data)
    assert code == 0
    return dict(json.loads(out))


def backup(scrbot: Scrbot, archive: str = "backup.tar.gz", data: str = "var") -> Path:
    code, out, err = scrbot("backup", "--output", archive, "--passphrase-file", "passphrase", "--json", data=data)
    assert code == 0, err
    assert json.loads(out)["archive"] == archive
    return Path(archive)


def restored_case(scrbot: Scrbot, data: str) -> dict[str, object]:
    assert scrbot("audit", "verify", data=data)[0] == 0
    code, out, _ = scrbot("case", "show", REF, "--full", "--json", data=data)
    assert code == 0
    return dict(json.loads(out))


def comparable(case: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in case.items() if k not in {"viewed_at"}}


def test_sqlite_round_trip_into_a_fresh_data_folder(scrbot: Scrbot, tmp_path: Path) -> None:
    before = a_case_with_history(scrbot)
    archive = backup(scrbot)
    assert archive.stat().st_mode & 0o777 == 0o600
    code, out, err = scrbot("restore", str(archive), "--passphrase-file", "passphrase", "--json", data="new-machine")
    assert code == 0, err
    report = json.loads(out)
    assert report["ok"] and report["cases"] == {"testshire": 1} and report["problems"] == []
    assert (tmp_path / "new-machine" / "keys.json").stat().st_mode & 0o777 == 0o600
    after = restored_case(scrbot, "new-machine")
    assert comparable(after) == comparable(before)
    assert after["referral"]["child"]["forenames"] == "Zephyrine Quillon"  # type: ignore[index]


def test_the_archive_holds_no_personal_data_in_the_clear(scrbot: Scrbot) -> None:
    a_case_with_history(scrbot)
    raw = gzip.decompress(backup(scrbot).read_bytes())
    for sensitive in SENSITIVE_STRINGS:
        assert sensitive.encode() not in raw
    assert b'"data_keys"' not in raw  # the key ring is sealed


def test_restore_will_not_overwrite_a_live_database_without_force(scrbot: Scrbot, tmp_path: Path) -> None:
    a_case_with_history(scrbot)
    archive = backup(scrbot)
    assert scrbot("case", "close", REF, "--yes")[0] == 0  # a change after the backup
    code, _, err = scrbot("restore", str(archive), "--passphrase-file", "passphrase")
    assert code == 2 and "already holds data" in err and "--force" in err
    assert restored_case(scrbot, "var")["status"] == "closed"  # untouched
    code, out, err = scrbot("restore", str(archive), "--passphrase-file", "passphrase", "--force", "--json")
    assert code == 0, err
    kept = Path(json.loads(out)["kept_previous"])
    assert (kept / "database.sqlite").exists() and kept.stat().st_mode & 0o777 == 0o700
    assert restored_case(scrbot, "var")["status"] == "decided"  # as it was at the backup


def test_a_key_file_of_another_deployment_is_not_overwritten(scrbot: Scrbot, tmp_path: Path) -> None:
    a_case_with_history(scrbot)
    archive = backup(scrbot)
    assert scrbot("refer", "--file", "referral.json", data="other")[0] == 0
    (tmp_path / "other" / "scrbot.db").unlink()  # the database gone, its keys still there
    code, _, err = scrbot("restore", str(archive), "--passphrase-file", "passphrase", data="other")
    assert code == 2 and "the key file" in err and "already holds data" in err


def test_a_wrong_passphrase_changes_nothing(scrbot: Scrbot, tmp_path: Path) -> None:
    a_case_with_history(scrbot)
    archive = backup(scrbot)
    (tmp_path / "wrong").write_text("not the synthetic passphrase")
    code, _, err = scrbot("restore", str(archive), "--passphrase-file", "wrong", data="new-machine")
    assert code == 2 and "wrong passphrase, or the archive has been altered" in err
    assert not (tmp_path / "new-machine" / "keys.json").exists()
    assert not (tmp_path / "new-machine" / "scrbot.db").exists()


def _rewrite(archive: Path, change: Callable[[str, bytes], bytes]) -> None:
    members: list[tuple[tarfile.TarInfo, bytes]] = []
    with tarfile.open(archive, "r:gz") as tar:
        for info in tar.getmembers():
            handle = tar.extractfile(info)
            assert handle is not None
            members.append((info, change(info.name, handle.read())))
    with tarfile.open(archive, "w:gz") as tar:
        for info, data in members:
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def _flip_a_byte(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 1]) + data[middle + 1 :]


def test_an_altered_database_is_caught_by_its_checksum(scrbot: Scrbot) -> None:
    a_case_with_history(scrbot)
    archive = backup(scrbot)
    _rewrite(archive, lambda name, data: _flip_a_byte(data) if name == "database.sqlite" else data)
    code, _, err = scrbot("restore", str(archive), "--passphrase-file", "passphrase", data="new-machine")
    assert code == 2 and "does not match its checksum" in err


def test_an_altered_database_with_a_matching_checksum_does_not_open_the_keys(scrbot: Scrbot) -> None:
    """Whoever alters the database and its checksum in the manifest still cannot make the sealed keys open."""
    import hashlib

    a_case_with_history(scrbot)
    archive = backup(scrbot)
    altered: dict[str, bytes] = {}

    def change(name: str, data: bytes) -> bytes:
        if name == "database.sqlite":
            altered[name] = _flip_a_byte(data)
            return altered[name]
        return data

    _rewrite(archive, change)

    def fix_manifest(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["files"]["database.sqlite"] = hashlib.sha256(altered["database.sqlite"]).hexdigest()
        return json.dumps(manifest).encode()

    _rewrite(archive, fix_manifest)
    code, _, err = scrbot("restore", str(archive), "--passphrase-file", "passphrase", data="new-machine")
    assert code == 2 and "wrong passphrase, or the archive has been altered" in err


@pytest.mark.parametrize(
    ("content", "says"),
    [(b"not an archive", "is not a scrbot backup"), (b"", "is not a scrbot backup")],
)
def test_a_file_that_is_not_a_backup(scrbot: Scrbot, tmp_path: Path, content: bytes, says: str) -> None:
    (tmp_path / "x.tar.gz").write_bytes(content)
    code, _, err = scrbot("restore", "x.tar.gz", "--passphrase-file", "passphrase")
    assert code == 2 and says in err and len(err.strip().splitlines()) == 1


def test_another_format_version_is_refused(scrbot: Scrbot) -> None:
    a_case_with_history(scrbot)
    archive = backup(scrbot)

    def bump(name: str, data: bytes) -> bytes:
        return json.dumps({**json.loads(data), "version": 99}).encode() if name == "manifest.json" else data

    _rewrite(archive, bump)
    code, _, err = scrbot("restore", str(archive), "--passphrase-file", "passphrase", data="new-machine")
    assert code == 2 and "format version 99" in err


def test_no_terminal_and_no_passphrase_file_refuses(scrbot: Scrbot, tmp_path: Path) -> None:
    a_case_with_history(scrbot)
    code, _, err = scrbot("backup", "--output", "b.tar.gz")
    assert code == 2 and "--passphrase-file" in err
    assert not (tmp_path / "b.tar.gz").exists()


def test_a_short_passphrase_is_refused(scrbot: Scrbot, tmp_path: Path) -> None:
    a_case_with_history(scrbot)
    (tmp_path / "short").write_text("short")
    code, _, err = scrbot("backup", "--output", "b.tar.gz", "--passphrase-file", "short")
    assert code == 2 and "at least 12 characters" in err


def test_nothing_to_back_up_yet(scrbot: Scrbot) -> None:
    code, _, err = scrbot("backup", "--output", "b.tar.gz", "--passphrase-file", "passphrase")
    assert code == 2 and "nothing to back up" in err


@pytest.mark.postgres
def test_postgresql_round_trip_into_a_fresh_database(
    scrbot: Scrbot, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    from tests.support.databases import PostgresServer
    from tests.support.throwaway_postgres import machine_binaries, pgserver_binaries

    server: PostgresServer = request.getfixturevalue("pg_server")
    binaries = machine_binaries() or pgserver_binaries()
    if binaries is not None:  # pg_dump of the server's version: the machine's, or the wheel's on a fresh one
        monkeypatch.setenv("PATH", f"{binaries.bindir}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setenv("SCRBOT_DATABASE_URL", server.new_database())
    before = a_case_with_history(scrbot)
    archive = backup(scrbot)
    code, _, err = scrbot("restore", str(archive), "--passphrase-file", "passphrase")
    assert code == 2 and "already holds data" in err
    monkeypatch.setenv("SCRBOT_DATABASE_URL", server.new_database())  # a new server's empty database
    code, out, err = scrbot("restore", str(archive), "--passphrase-file", "passphrase", "--json", data="new-machine")
    assert code == 0, err
    assert json.loads(out)["cases"] == {"testshire": 1}
    assert comparable(restored_case(scrbot, "new-machine")) == comparable(before)
    assert scrbot("restore", str(archive), "--passphrase-file", "passphrase", "--force", data="new-machine")[0] == 0


def test_a_sqlite_archive_is_not_restored_into_postgresql(scrbot: Scrbot, monkeypatch: pytest.MonkeyPatch) -> None:
    a_case_with_history(scrbot)
    archive = backup(scrbot)
    monkeypatch.setenv("SCRBOT_DATABASE_URL", "postgresql+psycopg://scr@127.0.0.1:9/scr")
    code, _, err = scrbot("restore", str(archive), "--passphrase-file", "passphrase", data="new-machine")
    assert code == 2 and "holds a sqlite database" in err


def kept_steps(data: Path) -> ReceivedSteps:
    """The data folder's steps file, as the service keeps it (a step kept by a process of OWNER)."""
    board = BoardConfig.from_toml(BOARD_TOML)
    engine = make_engine(sqlite_url(data / "scrbot.db"))
    store = open_store(engine, board, KeyRing.load(data / "keys.json"), bundled_pack(board.rules_pack))
    return open_received_steps(store.engine, store.sessions, store.cipher, board.id, owner=OWNER)


def test_the_kept_conversation_steps_are_backed_up_and_restored(
    scrbot: Scrbot, tmp_path: Path, clock: FixedClock
) -> None:
    a_case_with_history(scrbot)
    steps = kept_steps(tmp_path / "var")
    steps.append("refer.message", "U1", {"event": {"text": SENSITIVE_STRINGS[0]}}, clock.now())
    steps.close()
    archive = backup(scrbot)
    code, out, err = scrbot("restore", str(archive), "--passphrase-file", "passphrase", "--json", data="new-machine")
    assert code == 0, err
    assert json.loads(out)["ok"]
    restored = kept_steps(tmp_path / "new-machine")
    assert [s.body for s in restored.pending()] == [{"event": {"text": SENSITIVE_STRINGS[0]}}]
    restored.close()
    raw = gzip.decompress(archive.read_bytes())
    assert SENSITIVE_STRINGS[0].encode() not in raw
